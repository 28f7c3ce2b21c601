//! Pieces shared by pages. Most take plain props (no relay, no context), so the component tests
//! in `tests/components.rs` mount them directly; [`loaded`] is how pages read from the relay.

pub mod apply_flow;
pub mod config_source;
pub mod connection_indicator;
pub mod day_range;
pub mod device_checklist;
pub mod device_names;
pub mod device_table;
pub mod error_banner;
pub mod field_error;
pub mod lang_switch;
pub mod loaded;
pub mod not_loaded;
pub mod role;
pub mod row_time;
pub mod session_gate;
pub mod status_badge;
pub mod text_field;
pub mod tna_config;
pub mod unsaved;
pub mod url_state;
pub mod user_names;
pub mod zone_switch;

pub use apply_flow::{ApplyFlow, read_configs};
pub use config_source::{DiffTable, DraftSlot, Imported, check_import, read_picked_file};
pub use connection_indicator::ConnectionIndicator;
pub use day_range::DayRangeFields;
pub use device_checklist::{DeviceChecklist, format_device_list, parse_device_list};
pub use device_names::{DeviceLabel, provide_device_names};
pub use device_table::{DeviceTable, device_matches};
pub use error_banner::ErrorBanner;
pub use field_error::{FieldErrorText, field_error_text};
pub use lang_switch::LangSwitch;
pub use loaded::{Loaded, RelayResource, error_title, load_error, ok_data, relay_resource};
pub use not_loaded::{NotLoaded, or_not_loaded, when_loaded};
pub use role::{RequireRole, may, use_role};
pub use row_time::PunchTime;
pub use status_badge::StatusBadge;
pub use text_field::TextField;
pub use tna_config::{TnaConfigView, schedule_name};
pub use url_state::{url_text, use_apply_query};
pub use user_names::{UserName, provide_user_names, use_user_names, user_label};
pub use zone_switch::ZoneSwitch;

use crate::strings::components as s;

/// "Yes" / "No" for a flag.
pub fn yes_no(flag: bool) -> &'static str {
    if flag { s::YES() } else { s::NO() }
}

/// Asks the user to confirm `message` (a browser dialog); `false` when they cancel or no
/// dialog can be shown.
pub fn confirmed(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

/// The sites of `ids` among `devices`, sorted, each once (empty names left out): what a
/// confirmation of a write to many devices names.
pub fn sites_of(devices: &[tna_types::Device], ids: &[u32]) -> Vec<String> {
    let mut sites: Vec<String> = devices
        .iter()
        .filter(|d| ids.contains(&d.device_id))
        .filter_map(|d| d.site.clone())
        .filter(|s| !s.is_empty())
        .collect();
    crate::order::sort_unique(&mut sites);
    sites
}
