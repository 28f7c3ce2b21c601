//! Small reusable pieces. Each takes plain props (no relay, no context), so the component tests
//! in `tests/components.rs` mount them directly.

pub mod connection_indicator;
pub mod device_checklist;
pub mod device_table;
pub mod error_banner;
pub mod status_badge;
pub mod text_field;
pub mod tna_config;

pub use connection_indicator::ConnectionIndicator;
pub use device_checklist::{DeviceChecklist, format_device_list, parse_device_list};
pub use device_table::{DeviceTable, device_matches};
pub use error_banner::ErrorBanner;
pub use status_badge::StatusBadge;
pub use text_field::TextField;
pub use tna_config::{TnaConfigView, schedule_name};

use crate::strings::components as s;

/// "Yes" / "No" for a flag.
pub fn yes_no(flag: bool) -> &'static str {
    if flag { s::YES } else { s::NO }
}
