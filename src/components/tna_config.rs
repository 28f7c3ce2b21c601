//! A read-only view of one device's T&A configuration: mode, fixed key, "T&A required" and the
//! 16 keys with label and schedule.

use leptos::prelude::*;
use tna_types::limits::SCHEDULE_ALWAYS;
use tna_types::{Schedule, TnaConfig, TnaKey, TnaMode};

use crate::components::yes_no;
use crate::strings::device as s;

/// The name shown for a key's schedule: 0 = "None", 1 = "Always" (or the device's name for it),
/// an ID the list holds = its name, any other ID = "#ID (unknown)". Without a list (it could not
/// be read) other IDs show as "#ID".
pub fn schedule_name(id: u32, schedules: Option<&[Schedule]>) -> String {
    if id == 0 {
        return s::SCHEDULE_NONE().to_string();
    }
    let known = schedules.and_then(|list| list.iter().find(|sch| sch.id == id));
    match (known, schedules) {
        (Some(sch), _) if !sch.name.is_empty() => sch.name.clone(),
        _ if id == SCHEDULE_ALWAYS => s::SCHEDULE_ALWAYS().to_string(),
        (Some(_), _) => s::schedule_id(id),
        (None, Some(_)) => s::schedule_unknown(id),
        (None, None) => s::schedule_id(id),
    }
}

/// The `data-mode` value of a mode (its wire name).
pub fn mode_key(mode: TnaMode) -> &'static str {
    match mode {
        TnaMode::Unused => "unused",
        TnaMode::ByUser => "byUser",
        TnaMode::BySchedule => "bySchedule",
        TnaMode::LastChoice => "lastChoice",
        TnaMode::Fixed => "fixed",
    }
}

/// The configuration, read-only. `schedules` is the device's schedule list (`None` when it could
/// not be read: schedules then show by ID).
#[component]
pub fn TnaConfigView(
    config: TnaConfig,
    #[prop(optional_no_strip)] schedules: Option<Vec<Schedule>>,
) -> impl IntoView {
    let mode = config.mode;
    let fixed = mode == TnaMode::Fixed;
    let fixed_key = match config.key {
        Some(k) if config.labels[k.index()].is_empty() => k.to_string(),
        Some(k) => format!("{k} — {}", config.labels[k.index()]),
        None => s::NO_KEY().to_string(),
    };
    let required_applies = mode.allows_required();
    let rows = TnaKey::all()
        .map(|key| {
            let label = config.labels[key.index()].clone();
            let schedule_id = config.schedules[key.index()];
            let schedule = schedule_name(schedule_id, schedules.as_deref());
            let empty = label.is_empty();
            let shown = if empty { key.to_string() } else { label };
            let is_fixed = fixed && config.key == Some(key);
            view! {
                <tr data-testid="key-row" data-key=key.number().to_string() class:row-highlight=is_fixed>
                    <th scope="row" class="key-name" data-label=s::COL_KEY()>
                        {key.to_string()}
                    </th>
                    <td data-testid="key-label" data-label=s::COL_LABEL() class:muted=empty data-empty=empty.to_string()>
                        {shown}
                    </td>
                    <td
                        data-testid="key-schedule"
                        data-label=s::COL_SCHEDULE()
                        data-schedule-id=schedule_id.to_string()
                        class:muted=schedule_id == 0
                    >
                        {schedule}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card tna-config" data-testid="tna-config" aria-labelledby="tna-config-title">
            <h2 id="tna-config-title">{s::CONFIG_TITLE()}</h2>
            <p class="muted">{s::CONFIG_READ_ONLY()}</p>
            <dl class="facts">
                <div class="fact">
                    <dt>{s::MODE()}</dt>
                    <dd>
                        <span class="mode-name" data-testid="tna-mode" data-mode=mode_key(mode)>
                            {s::mode_name(mode)}
                        </span>
                        <span class="mode-explanation muted" data-testid="tna-mode-explanation">
                            {s::mode_explanation(mode)}
                        </span>
                    </dd>
                </div>
                <div class="fact">
                    <dt>{s::FIXED_KEY()}</dt>
                    <dd data-testid="tna-fixed-key" class:muted=!fixed>
                        {if fixed { fixed_key } else { s::FIXED_KEY_UNUSED().to_string() }}
                    </dd>
                </div>
                <div class="fact">
                    <dt>{s::REQUIRED()}</dt>
                    <dd data-testid="tna-required">
                        {yes_no(config.is_required)}
                        {(!required_applies)
                            .then(|| view! { <span class="muted note">{s::REQUIRED_UNUSED()}</span> })}
                    </dd>
                </div>
            </dl>
            <div class="table-wrap">
                <table class="data-table keys-table" data-testid="key-table">
                    <caption class="visually-hidden">{s::KEYS_CAPTION()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_KEY()}</th>
                            <th scope="col">{s::COL_LABEL()}</th>
                            <th scope="col">{s::COL_SCHEDULE()}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_names() {
        let list = vec![
            Schedule {
                id: 1,
                name: "Always".into(),
            },
            Schedule {
                id: 7,
                name: "Day shift".into(),
            },
        ];
        assert_eq!(schedule_name(0, Some(&list)), "None");
        assert_eq!(schedule_name(1, Some(&list)), "Always");
        assert_eq!(schedule_name(1, Some(&[])), "Always");
        assert_eq!(schedule_name(7, Some(&list)), "Day shift");
        assert_eq!(schedule_name(9, Some(&list)), "#9 (unknown)");
        assert_eq!(schedule_name(9, None), "#9");
        assert_eq!(schedule_name(1, None), "Always");
    }
}
