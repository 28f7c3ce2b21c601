//! Pieces shared by pages. Most take plain props (no relay, no context), so the component tests
//! in `tests/components.rs` mount them directly; [`loaded`] is how pages read from the relay.

pub mod apply_flow;
pub mod config_source;
pub mod connection_indicator;
pub mod day_range;
pub mod device_checklist;
pub mod device_table;
pub mod error_banner;
pub mod field_error;
pub mod loaded;
pub mod role;
pub mod row_time;
pub mod status_badge;
pub mod text_field;
pub mod tna_config;
pub mod unsaved;
pub mod url_state;
pub mod zone_switch;

pub use apply_flow::{ApplyFlow, read_configs};
pub use config_source::{DiffTable, DraftSlot, Imported, check_import, read_picked_file};
pub use connection_indicator::ConnectionIndicator;
pub use day_range::DayRangeFields;
pub use device_checklist::{DeviceChecklist, format_device_list, parse_device_list};
pub use device_table::{DeviceTable, device_matches};
pub use error_banner::ErrorBanner;
pub use field_error::FieldErrorText;
pub use loaded::{Loaded, RelayResource, error_title, load_error, ok_data, relay_resource};
pub use role::{RequireRole, may, use_role};
pub use row_time::PunchTime;
pub use status_badge::StatusBadge;
pub use text_field::TextField;
pub use tna_config::{TnaConfigView, schedule_name};
pub use url_state::url_text;
pub use zone_switch::ZoneSwitch;

use crate::strings::components as s;

/// "Yes" / "No" for a flag.
pub fn yes_no(flag: bool) -> &'static str {
    if flag { s::YES } else { s::NO }
}
