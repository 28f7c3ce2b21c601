//! Applying one T&A config to many devices, shared by Bulk and Drift: [`ApplyFlow`] previews
//! per device (which fields change, which devices already match, which cannot take it and why),
//! applies in batches with progress and cancel, and shows one result row per device, "Retry
//! failed", and a re-read that marks devices still differing.
//!
//! Batching is done here, in the console, by the schedule `tnactl apply` also follows
//! (`tna_types::bulk::Run`): each batch is one `tna.setConfigMulti` call (10 devices for small
//! applies, up to 100 for large ones), several batches are in flight at once (at most
//! `bulk::WINDOW` = 24 of the socket's 32 requests, so the page's other calls still get through;
//! an apply takes about three waves of calls), all naming one `operationId`. Progress is counted
//! per answered batch; Cancel stops sending new batches — those already sent finish and get their
//! rows (a batch is never half-cancelled), the devices of the others are "not sent". See
//! `docs/protocol.md` ("Bulk apply").

use std::collections::BTreeMap;

use futures::StreamExt;
use futures::future::join_all;
use futures::stream::FuturesUnordered;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::bulk::{self, BatchError, DeviceOutcome, FailureCode};
use tna_types::{Device, FieldChange, TnaConfig, config_diff, eligibility};

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::DiffTable;
use crate::strings::{bulk as s, editor as es};

/// Config reads in flight at once (previews and re-reads); below the relay's per-socket limit.
pub const READ_CONCURRENCY: usize = 16;

/// What the preview says about one target.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// These fields change.
    Changes(Vec<FieldChange>),
    /// The device already holds the config.
    Same,
    /// The device cannot take it: why.
    Cannot(String),
}

/// The outcome of the write for one device.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written.
    Ok,
    /// Not written: the code (gRPC per device, or the relay's for a failed batch) and message.
    Failed {
        /// "gRPC 13 INTERNAL" or "relay error -32003".
        code: String,
        /// The gateway's or relay's message.
        message: String,
    },
    /// Not sent: cancelled first.
    NotSent,
}

/// What a re-read after the apply found.
#[derive(Debug, Clone, PartialEq)]
pub enum Reread {
    /// The device holds the config.
    Matches,
    /// The device still differs in these fields (before = device, after = the config).
    Differs(Vec<FieldChange>),
    /// The re-read failed.
    Failed(String),
}

/// One row of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// The write.
    pub outcome: Outcome,
    /// The re-read, once done.
    pub reread: Option<Reread>,
}

/// The preview of one target, from what the device list says and its config as read.
pub fn preview_of(
    device: &Device,
    config: &TnaConfig,
    read: Option<&Result<TnaConfig, ApiError>>,
) -> Preview {
    if let Err(why) = eligibility(device, config) {
        return Preview::Cannot(s::ineligible(why).to_string());
    }
    match read {
        Some(Ok(held)) => {
            let changes = config_diff(held, config);
            if changes.is_empty() {
                Preview::Same
            } else {
                Preview::Changes(changes)
            }
        }
        Some(Err(e)) => Preview::Cannot(s::unreadable(&e.message())),
        None => Preview::Cannot(s::unreadable("")),
    }
}

/// Devices whose preview says the same thing, for the grouped summary above the per-device
/// table ("52 devices: Label of KEY_2 → Leave"). Devices are grouped by what the apply writes to
/// them (the fields that change and their new values); what each held before is in the
/// per-device table.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewGroup {
    /// `changes`, `same` or `cannot` (as the rows' `data-state`).
    pub state: &'static str,
    /// What happens to these devices, in words.
    pub text: String,
    /// The devices, in table order.
    pub devices: Vec<u32>,
}

/// Groups identical previews, in first-seen order.
pub fn group_previews(rows: &[(u32, Preview)]) -> Vec<PreviewGroup> {
    let mut groups: Vec<PreviewGroup> = Vec::new();
    for (id, pv) in rows {
        let (state, text) = match pv {
            Preview::Changes(ch) => (
                "changes",
                ch.iter()
                    .map(|c| format!("{} → {}", es::field_name(c.field), c.after))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Preview::Same => ("same", s::SAME().to_string()),
            Preview::Cannot(why) => ("cannot", why.clone()),
        };
        match groups
            .iter_mut()
            .find(|g| g.state == state && g.text == text)
        {
            Some(g) => g.devices.push(*id),
            None => groups.push(PreviewGroup {
                state,
                text,
                devices: vec![*id],
            }),
        }
    }
    groups
}

/// The IDs whose last outcome is a failure or not sent, in table order.
pub fn failed_ids(results: &BTreeMap<u32, ResultRow>, order: &[u32]) -> Vec<u32> {
    order
        .iter()
        .copied()
        .filter(|id| {
            results
                .get(id)
                .is_some_and(|r| !matches!(r.outcome, Outcome::Ok))
        })
        .collect()
}

/// A device's row from its batch's outcome.
fn outcome_of(outcome: DeviceOutcome) -> Outcome {
    match outcome {
        DeviceOutcome::Ok => Outcome::Ok,
        DeviceOutcome::Failed { code, message } => Outcome::Failed {
            code: match code {
                FailureCode::Grpc(c) => s::grpc_code(c),
                FailureCode::Relay(c) => s::relay_code(c),
                FailureCode::None => String::new(),
            },
            message,
        },
    }
}

/// A new operation ID for the batches of one apply ([`bulk::operation_id`] of now and a random
/// part).
fn operation_id() -> String {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    bulk::operation_id(js_sys::Date::now() as u64, random)
}

/// Reads the configs of `ids`, at most [`READ_CONCURRENCY`] at once, in `ids` order.
pub async fn read_configs(api: ApiClient, ids: &[u32]) -> Vec<(u32, Result<TnaConfig, ApiError>)> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(READ_CONCURRENCY) {
        let got = join_all(
            chunk
                .iter()
                .map(|&id| async move { (id, api.get_config(id).await) }),
        )
        .await;
        out.extend(got);
    }
    out
}

/// Preview → apply in batches with progress and cancel → results, retry failed, re-read.
#[component]
pub fn ApplyFlow(targets: Vec<Device>, config: TnaConfig) -> impl IntoView {
    let api = use_api();
    let order: Vec<u32> = targets.iter().map(|d| d.device_id).collect();
    let order = StoredValue::new(order);
    let targets = StoredValue::new(targets);
    let config = StoredValue::new(config);
    let results = RwSignal::new(BTreeMap::<u32, ResultRow>::new());
    let running = RwSignal::new(false);
    let rereading = RwSignal::new(false);
    let cancel = RwSignal::new(false);
    let progress = RwSignal::new((0usize, 0usize));

    // The preview, once: eligibility from the list, then every eligible target's config read.
    let previews = LocalResource::new(move || async move {
        let cfg = config.get_value();
        let eligible: Vec<u32> = targets.with_value(|t| {
            t.iter()
                .filter(|d| eligibility(d, &cfg).is_ok())
                .map(|d| d.device_id)
                .collect()
        });
        let reads: BTreeMap<u32, Result<TnaConfig, ApiError>> =
            read_configs(api, &eligible).await.into_iter().collect();
        // The flow may be gone by now (the user left the page): then nothing is shown anyway.
        targets
            .try_with_value(|t| {
                t.iter()
                    .map(|d| (d.device_id, preview_of(d, &cfg, reads.get(&d.device_id))))
                    .collect::<Vec<(u32, Preview)>>()
            })
            .unwrap_or_default()
    });

    let run = move |ids: Vec<u32>| {
        if ids.is_empty() {
            return;
        }
        running.set(true);
        cancel.set(false);
        progress.set((0, ids.len()));
        // One audit entry for the whole apply: every batch names the same operation.
        let operation = operation_id();
        spawn_local(async move {
            let Some(cfg) = config.try_get_value() else {
                return;
            };
            // The shared schedule: batch size, window, order, cancel (`tna_types::bulk::Run`).
            let mut plan = bulk::Run::new(&ids, bulk::WINDOW);
            let mut out = FuturesUnordered::new();
            let mut sent = Vec::new();
            loop {
                // A disposed flag means the page was left: stop sending.
                if cancel.try_get_untracked().unwrap_or(true) {
                    plan.cancel();
                }
                while let Some(batch) = plan.next_batch() {
                    let (index, devices) = (batch.index, batch.devices.to_vec());
                    sent.extend_from_slice(&devices);
                    let cfg = cfg.clone();
                    let operation = operation.clone();
                    out.push(async move {
                        let answer = api
                            .set_config_multi(devices, cfg, Some(operation))
                            .await
                            .map_err(|e| BatchError {
                                code: e.rpc_code(),
                                message: e.message(),
                            });
                        (index, answer)
                    });
                }
                let Some((index, answer)) = out.next().await else {
                    break;
                };
                let rows = plan.answer(index, answer.as_deref());
                results.try_update(|rs| {
                    for (id, outcome) in rows {
                        rs.insert(
                            id,
                            ResultRow {
                                outcome: outcome_of(outcome),
                                reread: None,
                            },
                        );
                    }
                });
                progress.try_update(|p| p.0 = plan.progress().0);
            }
            results.try_update(|rs| {
                for id in plan.not_sent() {
                    rs.insert(
                        id,
                        ResultRow {
                            outcome: Outcome::NotSent,
                            reread: None,
                        },
                    );
                }
            });
            running.try_set(false);
            // Re-read what was sent: the table shows what the devices hold now.
            rereading.try_set(true);
            let reads = read_configs(api, &sent).await;
            results.try_update(|rs| {
                for (id, read) in reads {
                    if let Some(row) = rs.get_mut(&id) {
                        row.reread = Some(match read {
                            Ok(held) => {
                                let d = config_diff(&held, &cfg);
                                if d.is_empty() {
                                    Reread::Matches
                                } else {
                                    Reread::Differs(d)
                                }
                            }
                            Err(e) => Reread::Failed(e.message()),
                        });
                    }
                }
            });
            rereading.try_set(false);
        });
    };

    // A write to many devices names the count and the sites first.
    let confirm_run = move |ids: Vec<u32>| {
        let sites = targets.with_value(|t| crate::components::sites_of(t, &ids));
        let ask = crate::strings::components::confirm_many(s::CONFIRM_APPLY(), ids.len(), &sites);
        if crate::components::confirmed(&ask) {
            run(ids);
        }
    };
    let to_apply = Memo::new(move |_| {
        previews.with(|p| {
            p.as_ref()
                .map(|rows| {
                    rows.iter()
                        .filter(|(_, pv)| matches!(pv, Preview::Changes(_)))
                        .map(|(id, _)| *id)
                        .collect::<Vec<u32>>()
                })
                .unwrap_or_default()
        })
    });
    let retry_ids = Memo::new(move |_| results.with(|rs| order.with_value(|o| failed_ids(rs, o))));

    let preview_table = move || {
        previews.get().map(|rows| {
            let groups = group_previews(&rows)
                .into_iter()
                .map(|g| {
                    view! {
                        <li data-testid="preview-group" data-state=g.state data-count=g.devices.len().to_string()>
                            <strong>{s::devices_count(g.devices.len())}</strong>": "{g.text}
                        </li>
                    }
                })
                .collect_view();
            let body = rows
                .into_iter()
                .map(|(id, pv)| {
                    let (state, detail) = match pv {
                        Preview::Changes(ch) => ("changes", view! { <DiffTable changes=ch schedules=None /> }.into_any()),
                        Preview::Same => ("same", view! { <span class="muted">{s::SAME()}</span> }.into_any()),
                        Preview::Cannot(why) => ("cannot", view! { <span class="warning">{why}</span> }.into_any()),
                    };
                    view! {
                        <tr data-testid="preview-row" data-device-id=id.to_string() data-state=state>
                            <th scope="row" class="mono">{id}</th>
                            <td>{detail}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <ul class="preview-groups" data-testid="preview-groups">{groups}</ul>
                <details class="preview-details">
                    <summary>{s::PER_DEVICE()}</summary>
                    <table class="data-table" data-testid="preview-table">
                        <thead>
                            <tr>
                                <th scope="col">{s::COL_DEVICE()}</th>
                                <th scope="col">{s::COL_CHANGES()}</th>
                            </tr>
                        </thead>
                        <tbody>{body}</tbody>
                    </table>
                </details>
            }
        })
    };

    let result_rows = move || {
        let rs = results.get();
        order
            .with_value(|o| {
                o.iter()
                    .filter_map(|id| rs.get(id).map(|r| (*id, r.clone())))
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .map(|(id, r)| {
                let (state, label, code, message) = match r.outcome {
                    Outcome::Ok => ("ok", s::OK(), String::new(), String::new()),
                    Outcome::Failed { code, message } => ("failed", s::FAILED(), code, message),
                    Outcome::NotSent => ("notSent", s::NOT_SENT(), String::new(), String::new()),
                };
                let (reread_state, reread) = match r.reread {
                    None => ("", view! { <span></span> }.into_any()),
                    Some(Reread::Matches) => {
                        ("matches", view! { <span>{s::MATCHES()}</span> }.into_any())
                    }
                    Some(Reread::Differs(ch)) => {
                        let fields = ch
                            .iter()
                            .map(|c| es::field_name(c.field))
                            .collect::<Vec<_>>()
                            .join(", ");
                        (
                            "differs",
                            view! { <span class="warning">{s::STILL_DIFFERS()}": "{fields}</span> }
                                .into_any(),
                        )
                    }
                    Some(Reread::Failed(m)) => (
                        "failed",
                        view! { <span class="warning">{s::REREAD_FAILED()}": "{m}</span> }
                            .into_any(),
                    ),
                };
                view! {
                    <tr
                        data-testid="result-row"
                        data-device-id=id.to_string()
                        data-state=state
                        data-reread=reread_state
                        class:result-failed=state != "ok"
                    >
                        <th scope="row" class="mono">{id}</th>
                        <td data-testid="result-state">{label}</td>
                        <td data-testid="result-code" class="mono">{code}</td>
                        <td data-testid="result-message">{message}</td>
                        <td data-testid="result-reread">{reread}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let summary = move || {
        results.with(|rs| {
            let ok = rs.values().filter(|r| r.outcome == Outcome::Ok).count();
            let failed = rs
                .values()
                .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
                .count();
            let not_sent = rs
                .values()
                .filter(|r| r.outcome == Outcome::NotSent)
                .count();
            s::summary(ok, failed, not_sent)
        })
    };

    view! {
        <section class="card" data-testid="bulk-flow">
            <h2>{s::PREVIEW_TITLE()}</h2>
            {move || previews.with(Option::is_none).then(|| view! { <p class="loading" aria-busy="true">{s::PREVIEWING()}</p> })}
            {preview_table}
            {move || (previews.with(Option::is_some) && to_apply.with(Vec::is_empty))
                .then(|| view! { <p class="muted" data-testid="apply-none">{s::APPLY_NONE()}</p> })}
            <div class="toolbar">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="bulk-apply"
                    disabled=move || running.get() || rereading.get() || to_apply.with(Vec::is_empty) || results.with(|r| !r.is_empty())
                    on:click=move |_| confirm_run(to_apply.get_untracked())
                >
                    {move || s::apply(to_apply.with(Vec::len))}
                </button>
                <button
                    type="button"
                    class="btn"
                    data-testid="bulk-cancel"
                    disabled=move || !running.get() || cancel.get()
                    on:click=move |_| cancel.set(true)
                >
                    {move || if cancel.get() && running.get() { s::CANCELLING() } else { s::CANCEL() }}
                </button>
            </div>
            {move || {
                let (done, total) = progress.get();
                (total > 0).then(|| view! {
                    <div data-testid="bulk-progress-box">
                        <progress class="progress" data-testid="bulk-progress" max=total.to_string() value=done.to_string()></progress>
                        <span class="muted" data-testid="bulk-progress-text" data-done=done.to_string() data-total=total.to_string()>
                            {if running.get() { format!("{} · {}", s::APPLYING(), s::progress(done, total)) } else { s::progress(done, total) }}
                        </span>
                    </div>
                })
            }}
            {move || (!results.with(BTreeMap::is_empty)).then(|| view! {
                <h2>{s::RESULTS_TITLE()}</h2>
                <p data-testid="result-summary">{summary}</p>
                {move || rereading.get().then(|| view! { <p class="loading" data-testid="rereading">{s::REREADING()}</p> })}
                <table class="data-table" data-testid="result-table">
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_DEVICE()}</th>
                            <th scope="col">{s::COL_RESULT()}</th>
                            <th scope="col" colspan="2">{s::COL_DETAIL()}</th>
                            <th scope="col">{s::COL_AFTER()}</th>
                        </tr>
                    </thead>
                    <tbody>{result_rows}</tbody>
                </table>
                <button
                    type="button"
                    class="btn"
                    data-testid="retry-failed"
                    disabled=move || running.get() || rereading.get() || retry_ids.with(Vec::is_empty)
                    on:click=move |_| confirm_run(retry_ids.get_untracked())
                >
                    {s::RETRY_FAILED()}
                </button>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tna_types::{ConfigField, FieldChange};

    #[test]
    fn identical_previews_group_in_first_seen_order() {
        let label = |before: &str, after: &str| {
            Preview::Changes(vec![FieldChange {
                field: ConfigField::Label(tna_types::TnaKey::try_from(2).unwrap()),
                before: before.into(),
                after: after.into(),
            }])
        };
        // Grouped by what is written: devices 1, 3 and 6 all get "Leave", whatever they held.
        let rows = vec![
            (1, label("Out", "Leave")),
            (2, Preview::Same),
            (3, label("Go", "Leave")),
            (4, Preview::Cannot("offline".into())),
            (5, label("Out", "Exit")),
            (6, label("Out", "Leave")),
        ];
        let groups = group_previews(&rows);
        let shape: Vec<(&str, Vec<u32>)> = groups
            .iter()
            .map(|g| (g.state, g.devices.clone()))
            .collect();
        assert_eq!(
            shape,
            [
                ("changes", vec![1, 3, 6]),
                ("same", vec![2]),
                ("cannot", vec![4]),
                ("changes", vec![5]),
            ]
        );
        assert!(groups[0].text.ends_with("→ Leave"), "{}", groups[0].text);
    }
}
