//! `/audit` (admin): the relay's audit trail, newest first — when, who, which change, which
//! devices, how it went, and the state before and after. Filters are sent to the relay
//! (`audit.list`); "Load more" reads the next page with `beforeId` = the last entry's ID, under
//! the same filters as the first page.

use leptos::prelude::*;
use leptos_router::hooks::query_signal;
use serde_json::Value;
use tna_types::archive::{AuditEntry, AuditQuery};
use tna_types::protocol::Request;

use crate::api::{ApiError, use_api};
use crate::components::{
    DayRangeFields, DeviceLabel, ErrorBanner, Loaded, PunchTime, UserName, ZoneSwitch, error_title,
    relay_resource, use_apply_query,
};
use crate::logs;
use crate::strings::audit as s;
use crate::time::{ZoneView, use_zone_view};

/// Entries per page.
const PAGE: u32 = 100;
/// Devices named in a row before "and n more".
const DEVICES_SHOWN: usize = 5;

/// The methods the relay records, for the method filter: the `audited` ones of the protocol's
/// `methods!` table (reads are not audited).
fn write_methods() -> impl Iterator<Item = &'static str> {
    Request::METHODS
        .iter()
        .copied()
        .filter(|m| Request::is_audited(m))
}

/// How an audited call went, read from its `results`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Per-device rows (`[{deviceId, ok, …}]`, or `{results: [...]}`): how many ok, how many not.
    Counts {
        /// Rows with `ok: true`.
        ok: usize,
        /// Rows with `ok: false`.
        failed: usize,
    },
    /// The call failed as a whole (`{error: {code, message}}`).
    Failed(String),
    /// Anything else: the call answered.
    Ok,
}

impl Outcome {
    /// `ok`, `partial` or `failed`, for `data-result` and CSS.
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Counts { failed: 0, .. } | Outcome::Ok => "ok",
            Outcome::Counts { ok: 0, .. } | Outcome::Failed(_) => "failed",
            Outcome::Counts { .. } => "partial",
        }
    }

    /// The result cell's text.
    pub fn text(&self) -> String {
        match self {
            Outcome::Counts { ok, failed } => s::counts(*ok, *failed),
            Outcome::Failed(m) => s::failed(m),
            Outcome::Ok => s::OK().to_string(),
        }
    }
}

/// Reads `results` of an audit entry.
pub fn outcome(results: &Value) -> Outcome {
    let rows = results
        .as_array()
        .or_else(|| results.get("results").and_then(Value::as_array));
    if let Some(rows) = rows {
        let oks: Option<Vec<bool>> = rows
            .iter()
            .map(|r| r.get("ok").and_then(Value::as_bool))
            .collect();
        if let Some(oks) = oks {
            let ok = oks.iter().filter(|o| **o).count();
            return Outcome::Counts {
                ok,
                failed: oks.len() - ok,
            };
        }
    }
    if let Some(error) = results.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| error.as_str().map(str::to_string))
            .unwrap_or_else(|| error.to_string());
        return Outcome::Failed(message);
    }
    Outcome::Ok
}

/// The people shown in an entry's details, at most.
const USERS_SHOWN: usize = 20;

/// Every user ID an entry's before/after holds (`userId` keys at any depth), each once, in the
/// order found.
fn users_in(e: &AuditEntry) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("userId")
                    && !out.contains(id)
                {
                    out.push(id.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for v in [&e.before, &e.after].into_iter().flatten() {
        walk(v, &mut out);
    }
    out
}

/// The devices of an entry as labels (names with IDs): the first [`DEVICES_SHOWN`], then
/// "and 7 more"; a dash for none.
fn devices_cell(ids: &[u32]) -> AnyView {
    if ids.is_empty() {
        return s::NONE().into_any();
    }
    let labels = ids
        .iter()
        .take(DEVICES_SHOWN)
        .enumerate()
        .map(|(i, &id)| {
            view! {
                {(i > 0).then_some(", ")}
                <DeviceLabel device_id=id />
            }
        })
        .collect_view();
    let more = ids.len().saturating_sub(DEVICES_SHOWN);
    view! { {labels} {(more > 0).then(|| s::devices_more(more))} }.into_any()
}

/// Local midnight (the browser's zone) of a day number, as Unix seconds.
fn local_midnight(day: i64) -> i64 {
    let (y, m, d) = logs::civil_from_days(day);
    let date = js_sys::Date::new_with_year_month_day(
        u32::try_from(y).unwrap_or(1970),
        m as i32 - 1,
        d as i32,
    );
    (date.get_time() / 1000.0) as i64
}

/// The filters: the URL's (`?from=…&to=…&actor=…&method=…&device=…`, so a filtered view is a
/// link someone can send), and the form's while they are typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    from: String,
    to: String,
    actor: String,
    method: String,
    device: String,
}

impl Filters {
    /// The query of the first page, or what to fix.
    fn query(&self) -> Result<AuditQuery, &'static str> {
        let day = |t: &str| -> Result<Option<i64>, &'static str> {
            if t.trim().is_empty() {
                Ok(None)
            } else {
                logs::parse_date(t).map(Some).ok_or(s::BAD_DATE())
            }
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(s::TO_BEFORE_FROM());
        }
        let device = self.device.trim();
        let device_id = if device.is_empty() {
            None
        } else {
            Some(
                device
                    .parse::<u32>()
                    .ok()
                    .filter(|id| *id != 0)
                    .ok_or(s::BAD_DEVICE())?,
            )
        };
        let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
        Ok(AuditQuery {
            from: from.map(local_midnight),
            // The last day is inclusive; the query's `to` is not.
            to: to.map(|t| local_midnight(t + 1)),
            actor: text(&self.actor),
            method: text(&self.method),
            device_id,
            before_id: None,
            limit: PAGE,
        })
    }
}

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let api = use_api();
    let (q_from, _) = query_signal::<String>("from");
    let (q_to, _) = query_signal::<String>("to");
    let (q_actor, _) = query_signal::<String>("actor");
    let (q_method, _) = query_signal::<String>("method");
    let (q_device, _) = query_signal::<String>("device");
    let apply_query = use_apply_query();
    let applied = Memo::new(move |_| Filters {
        from: q_from.get().unwrap_or_default(),
        to: q_to.get().unwrap_or_default(),
        actor: q_actor.get().unwrap_or_default(),
        method: q_method.get().unwrap_or_default(),
        device: q_device.get().unwrap_or_default(),
    });
    // The form follows the URL (Back, a followed link) and goes into it on Apply.
    // Filled from the URL at once (a user may type before any effect runs), then only when
    // the URL changes, so typing is never overwritten.
    let start = applied.get_untracked();
    let from = RwSignal::new(start.from);
    let to = RwSignal::new(start.to);
    let actor = RwSignal::new(start.actor);
    let method = RwSignal::new(start.method);
    let device = RwSignal::new(start.device);
    Effect::new(move |prev: Option<Filters>| {
        let f = applied.get();
        if prev.is_some_and(|p| p != f) {
            from.set(f.from.clone());
            to.set(f.to.clone());
            actor.set(f.actor.clone());
            method.set(f.method.clone());
            device.set(f.device.clone());
        }
        f
    });
    let form_error = RwSignal::new(None::<&'static str>);
    let filter_error = move || {
        form_error
            .get()
            .or_else(|| applied.with(|f| f.query().err()))
    };

    let first = relay_resource(move || {
        let query = applied.with(Filters::query);
        async move {
            match query {
                Ok(q) => api.list_audit(q.clone()).await.map(|page| Some((q, page))),
                Err(_) => Ok(None),
            }
        }
    });
    // "Load more": the next page under the first page's filters, whatever was typed since.
    let next_page = Action::new_local(move |q: &AuditQuery| {
        let q = q.clone();
        async move { api.list_audit(q.clone()).await.map(|page| (q, page)) }
    });
    let more_entries = RwSignal::new(Vec::<AuditEntry>::new());
    let more_error = RwSignal::new(None::<ApiError>);
    let last_page_full = RwSignal::new(false);
    // A new first page starts the list over.
    Effect::new(move |_| {
        let full = first.with(|f| match f {
            Some(Ok(Some((_, page)))) => page.len() >= PAGE as usize,
            _ => false,
        });
        more_entries.set(Vec::new());
        more_error.set(None);
        last_page_full.set(full);
    });
    Effect::new(move |_| match next_page.value().get() {
        Some(Ok((q, page))) => {
            let current = first.with_untracked(|f| match f {
                Some(Ok(Some((fq, _)))) => fq.clone(),
                _ => AuditQuery::default(),
            });
            // A page of filters that are no longer shown is dropped.
            if (AuditQuery {
                before_id: None,
                ..q
            }) == current
            {
                last_page_full.set(page.len() >= PAGE as usize);
                more_entries.update(|e| e.extend(page));
            }
        }
        Some(Err(e)) => more_error.set(Some(e)),
        None => {}
    });
    let entries = Memo::new(move |_| {
        let mut all = first.with(|f| match f {
            Some(Ok(Some((_, page)))) => page.clone(),
            _ => Vec::new(),
        });
        more_entries.with(|m| all.extend(m.iter().cloned()));
        all
    });
    let loading = RwSignal::new(false);
    let busy = move || loading.get() || next_page.pending().get();
    let load_more = move || {
        let Some(last) = entries.with_untracked(|e| e.last().map(|e| e.id)) else {
            return;
        };
        let Some(Ok(Some((q, _)))) = first.get_untracked() else {
            return;
        };
        more_error.set(None);
        next_page.dispatch(AuditQuery {
            before_id: Some(last),
            ..q
        });
    };
    let apply = move || {
        let wanted = Filters {
            from: from.get_untracked(),
            to: to.get_untracked(),
            actor: actor.get_untracked().trim().to_string(),
            method: method.get_untracked(),
            device: device.get_untracked().trim().to_string(),
        };
        let problem = wanted.query().err();
        form_error.set(problem);
        if problem.is_some() {
            return;
        }
        if applied.get_untracked() == wanted {
            first.refetch();
            return;
        }
        apply_query(&[
            ("from", wanted.from),
            ("to", wanted.to),
            ("actor", wanted.actor),
            ("method", wanted.method),
            ("device", wanted.device),
        ]);
    };

    view! {
        <section class="page audit-page" data-testid="audit-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
            </div>
            <p class="muted">{s::INTRO()}</p>
            <form
                class="filters"
                data-testid="audit-filters"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    apply();
                }
            >
                <fieldset class="filters">
                    <legend class="visually-hidden">{s::FILTERS()}</legend>
                    <DayRangeFields from to testid="audit" />
                    <ZoneSwitch testid="audit-zone-view" />
                    <label class="field">
                        <span>{s::ACTOR()}</span>
                        <input
                            class="input"
                            type="search"
                            data-testid="audit-actor"
                            placeholder=s::ACTOR_PLACEHOLDER()
                            prop:value=move || actor.get()
                            on:input=move |ev| actor.set(event_target_value(&ev))
                        />
                    </label>
                    <label class="field">
                        <span>{s::METHOD()}</span>
                        <select
                            class="input"
                            data-testid="audit-method"
                            prop:value=move || method.get()
                            on:change=move |ev| method.set(event_target_value(&ev))
                        >
                            <option value="">{s::METHOD_ANY()}</option>
                            {write_methods()
                                .map(|m| {
                                    view! {
                                        <option value=m selected=move || method.with(|v| v == m)>
                                            {s::method_name(m)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{s::DEVICE()}</span>
                        <input
                            class="input input-narrow"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            data-testid="audit-device"
                            placeholder=s::DEVICE_PLACEHOLDER()
                            prop:value=move || device.get()
                            on:input=move |ev| device.set(event_target_value(&ev))
                        />
                    </label>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="audit-apply"
                        disabled=busy
                    >
                        {s::APPLY()}
                    </button>
                </fieldset>
            </form>
            {move || {
                filter_error()
                    .map(|m| view! { <p class="error-text" role="alert" data-testid="audit-filter-error">{m}</p> })
            }}
            <Loaded
                resource=first
                failed=s::LOAD_FAILED()
                loading=s::LOADING()
                title_of=error_title
                set_pending=loading
            >
                <p class="summary muted" data-testid="audit-count" aria-live="polite">
                    {move || s::shown(entries.with(Vec::len))}
                </p>
                <div class="table-wrap">
                    <table class="data-table audit-table" data-testid="audit-table">
                        <caption class="visually-hidden">{s::CAPTION()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{s::COL_TIME()}</th>
                                <th scope="col">{s::COL_ACTOR()}</th>
                                <th scope="col">{s::COL_METHOD()}</th>
                                <th scope="col">{s::COL_DEVICES()}</th>
                                <th scope="col">{s::COL_RESULT()}</th>
                                <th scope="col">{s::COL_DETAILS()}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || entries.get() key=|e| e.id children=|e| audit_row(e) />
                        </tbody>
                    </table>
                </div>
                {move || {
                    entries
                        .with(Vec::is_empty)
                        .then(|| view! { <p class="empty-state" data-testid="audit-empty">{s::EMPTY()}</p> })
                }}
                {move || {
                    more_error
                        .get()
                        .map(|e| {
                            let title = error_title(&e, s::LOAD_FAILED());
                            view! {
                                <ErrorBanner title=title error=e on_retry=Callback::new(move |()| load_more()) />
                            }
                        })
                }}
                {move || {
                    let has_rows = entries.with(|e| !e.is_empty());
                    if last_page_full.get() {
                        Some(
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    data-testid="audit-more"
                                    disabled=busy
                                    on:click=move |_| load_more()
                                >
                                    {s::MORE()}
                                </button>
                            }
                                .into_any(),
                        )
                    } else if has_rows {
                        Some(view! { <p class="muted" data-testid="audit-end">{s::END()}</p> }.into_any())
                    } else {
                        None
                    }
                }}
            </Loaded>
        </section>
    }
}

/// JSON for people: pretty-printed, or "Not recorded".
fn json_block(v: Option<&Value>) -> String {
    match v {
        Some(v) if !v.is_null() => {
            serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
        }
        _ => s::NOT_RECORDED().to_string(),
    }
}

/// One entry. A change is the relay's, not a site's: its time is shown in the browser's zone
/// (or UTC, by the zone switch), with the offset beside it.
fn audit_row(e: AuditEntry) -> impl IntoView {
    let zone_view = use_zone_view();
    let at = u32::try_from(e.at.max(0)).unwrap_or(u32::MAX);
    let time = move || {
        let view = match zone_view.get() {
            ZoneView::Utc => ZoneView::Utc,
            ZoneView::Site | ZoneView::Browser => ZoneView::Browser,
        };
        PunchTime::of(at, None, view).view("audit-time")
    };
    let result = outcome(&e.results);
    let devices = devices_cell(&e.device_ids);
    let all_devices = e
        .device_ids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let method_name = s::method_name(&e.method).to_string();
    // The people a write was about (job codes name users): by name, as everywhere.
    let users = users_in(&e);
    let people = (!users.is_empty()).then(|| {
        let more = users.len().saturating_sub(USERS_SHOWN);
        let names = users
            .into_iter()
            .take(USERS_SHOWN)
            .map(|id| view! { <li><UserName user_id=id /></li> })
            .collect_view();
        view! {
            <p class="audit-json-title">{s::PEOPLE()}</p>
            <ul class="audit-people" data-testid="audit-people">
                {names}
                {(more > 0).then(|| view! { <li class="muted">{s::people_more(more)}</li> })}
            </ul>
        }
    });
    view! {
        <tr
            data-testid="audit-row"
            data-id=e.id.to_string()
            data-method=e.method.clone()
            data-actor=e.actor.clone()
            data-result=result.key()
        >
            <td data-label=s::COL_TIME() class="mono">{time}</td>
            <td data-label=s::COL_ACTOR()>{e.actor.clone()}</td>
            <td data-label=s::COL_METHOD() title=e.method.clone()>
                {method_name}
                <span class="audit-method mono muted">{e.method.clone()}</span>
            </td>
            <td data-label=s::COL_DEVICES() title=all_devices>{devices}</td>
            <td data-label=s::COL_RESULT() data-testid="audit-result">
                <span class=format!("audit-result audit-result-{}", result.key())>{result.text()}</span>
            </td>
            <td data-label=s::COL_DETAILS()>
                <details class="audit-details" data-testid="audit-details">
                    <summary>{s::SHOW()}</summary>
                    {people}
                    <p class="audit-json-title">{s::BEFORE()}</p>
                    <pre class="audit-json" data-testid="audit-before">{json_block(e.before.as_ref())}</pre>
                    <p class="audit-json-title">{s::AFTER()}</p>
                    <pre class="audit-json" data-testid="audit-after">{json_block(e.after.as_ref())}</pre>
                    <p class="audit-json-title">{s::RESULTS()}</p>
                    <pre class="audit-json" data-testid="audit-results">{json_block(Some(&e.results))}</pre>
                </details>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes_count_device_rows() {
        let rows = json!([
            {"deviceId": 1, "ok": true},
            {"deviceId": 2, "ok": false, "message": "offline"},
            {"deviceId": 3, "ok": true}
        ]);
        assert_eq!(outcome(&rows), Outcome::Counts { ok: 2, failed: 1 });
        assert_eq!(outcome(&rows).key(), "partial");
        assert_eq!(outcome(&rows).text(), "2 ok / 1 failed");
        let wrapped = json!({"results": [{"deviceId": 1, "ok": false}]});
        assert_eq!(outcome(&wrapped).key(), "failed");
        let all_ok = json!([{"deviceId": 1, "ok": true}]);
        assert_eq!(outcome(&all_ok).key(), "ok");
    }

    #[test]
    fn the_people_of_an_entry_come_from_before_and_after() {
        let entry = AuditEntry {
            id: 1,
            at: 0,
            actor: "ops".into(),
            method: "jobCodes.set".into(),
            device_ids: vec![7],
            before: Some(json!([{"userId": "1002", "jobCodes": []}])),
            after: Some(json!([
                {"userId": "1001", "jobCodes": [{"code": 1, "label": "A"}]},
                {"userId": "1002", "jobCodes": []}
            ])),
            results: json!(null),
        };
        assert_eq!(users_in(&entry), ["1002", "1001"]);
        let none = AuditEntry {
            before: None,
            after: Some(json!({"deviceIds": [1, 2]})),
            ..entry
        };
        assert!(users_in(&none).is_empty());
    }

    #[test]
    fn other_results_are_ok_or_a_failure() {
        assert_eq!(outcome(&json!({"config": {"mode": "byUser"}})), Outcome::Ok);
        assert_eq!(outcome(&json!(null)), Outcome::Ok);
        assert_eq!(outcome(&json!([1, 2])), Outcome::Ok, "not device rows");
        assert_eq!(
            outcome(&json!({"error": {"code": -32003, "message": "Device 7 did not answer."}})),
            Outcome::Failed("Device 7 did not answer.".into())
        );
    }
}
