//! The time of a punch as every page shows it: local date and time in the zone the
//! [`ZoneView`] puts the row in (its site's zone by default), the offset in force at that
//! instant beside it, and the zone named in the title with the UTC time. The `data-` attributes
//! carry the same facts for tests and scripts (`data-local`, `data-offset`, `data-zone`).

use leptos::prelude::*;

use crate::logs;
use crate::strings::time as s;
use crate::time::{self, ZoneView};

/// What is shown for a punch at `ts` of a site in `site_zone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchTime {
    /// `2026-03-29 03:10:00`.
    pub local: String,
    /// `03:10`.
    pub hm: String,
    /// Seconds east of UTC at that instant.
    pub offset: i32,
    /// `UTC+02:00`.
    pub offset_text: String,
    /// `Europe/Berlin`, `UTC, no zone set`, …
    pub zone: String,
    /// The title: zone, and the instant in UTC.
    pub title: String,
}

impl PunchTime {
    /// `ts` of a site in `site_zone`, under `view`.
    pub fn of(ts: u32, site_zone: Option<&str>, view: ZoneView) -> Self {
        let shown = time::show(i64::from(ts), view.zone_for(site_zone));
        let zone = time::zone_label(view, site_zone);
        let title = s::row_title(&zone, &logs::format_utc(ts));
        PunchTime {
            offset_text: shown.offset_text(),
            local: shown.text,
            hm: shown.hm,
            offset: shown.offset,
            zone,
            title,
        }
    }

    /// `2026-03-29 03:10:00 UTC+02:00`: the local time with its offset, as one text.
    pub fn text(&self) -> String {
        format!("{} {}", self.local, self.offset_text)
    }

    /// The full local time with its offset, as a table cell's content.
    pub fn view(self, testid: &'static str) -> impl IntoView {
        let local = self.local.clone();
        view! {
            <span
                class="row-time"
                data-testid=testid
                data-local=self.local
                data-offset=self.offset.to_string()
                data-zone=self.zone
                title=self.title
            >
                {local}
                " "
                <span class="row-offset">{self.offset_text}</span>
            </span>
        }
    }
}
