//! The job-code section of the device page (devices with job-code support): the
//! `useJobCode` switch (read-modify-write in the relay), every user's job codes, an editor per
//! user (validated with `tna_types::validate_user_job_codes` on every change; Save re-reads),
//! and a copy of one user's job codes to other devices with per-device results.

use std::collections::BTreeSet;

use leptos::prelude::*;
use tna_types::limits::MAX_JOB_CODES_PER_USER;
use tna_types::{JobCode, UserJobCodes, validate_user_job_codes};

use crate::api::{ApiError, use_api};
use crate::components::{ErrorBanner, FieldErrorText, UserName, may, relay_resource};
use crate::strings::{bulk as bs, jobcodes as s};

/// The section.
#[component]
pub fn JobCodesSection(device_id: u32, peers: Vec<u32>) -> impl IntoView {
    let api = use_api();
    // The switch: read, then each change is written and its answer (the device's state) shown.
    let set_use = Action::new_local(move |want: &bool| api.set_job_code_use(device_id, *want));
    let read_use = relay_resource(move || api.job_code_use(device_id));
    let use_jc = Memo::new(move |_| match set_use.value().get() {
        Some(r) => Some(r),
        None => read_use.get(),
    });
    let toggling = set_use.pending();
    let users = relay_resource(move || api.get_job_codes(device_id, Vec::new()));
    let editing = RwSignal::new(None::<UserJobCodes>);
    // Writes are absent for a role that may not make them.
    let may_toggle = may("system.setJobCodeUse");
    let may_edit = may("jobCodes.set");

    let toggle = move |ev: web_sys::Event| {
        set_use.dispatch(event_target_checked(&ev));
    };
    let peers = StoredValue::new(peers);

    let user_rows = move || {
        users.get().map(|r| match r {
            Err(e) => view! { <ErrorBanner title=s::LOAD_FAILED() error=e /> }.into_any(),
            Ok(list) if list.is_empty() => {
                view! { <p class="muted">{s::NO_USERS()}</p> }.into_any()
            }
            Ok(list) => {
                let rows = list
                    .into_iter()
                    .map(|u| {
                        let codes = if u.job_codes.is_empty() {
                            s::NONE().to_string()
                        } else {
                            u.job_codes
                                .iter()
                                .map(|j| format!("{} {}", j.code, j.label))
                                .collect::<Vec<_>>()
                                .join(" · ")
                        };
                        let uid = u.user_id.clone();
                        let uid_attr = u.user_id.clone();
                        view! {
                            <tr data-testid="jobcode-user" data-user-id=uid_attr>
                                <th scope="row"><UserName user_id=uid /></th>
                                <td data-testid="jobcode-list">{codes}</td>
                                <td>
                                    {may_edit.then(|| view! {
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            data-testid="jobcode-edit"
                                            on:click=move |_| editing.set(Some(u.clone()))
                                        >
                                            {s::EDIT()}
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="data-table" data-testid="jobcode-users">
                        <thead>
                            <tr>
                                <th scope="col">{s::COL_USER()}</th>
                                <th scope="col">{s::COL_CODES()}</th>
                                <th scope="col"></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
        })
    };

    let on_saved = Callback::new(move |u: UserJobCodes| {
        users.update(|d| {
            if let Some(Ok(list)) = d {
                for row in list.iter_mut().filter(|r| r.user_id == u.user_id) {
                    *row = u.clone();
                }
            }
        });
    });

    view! {
        <section class="card" data-testid="jobcodes" aria-labelledby="jobcodes-title">
            <h2 id="jobcodes-title">{s::TITLE()}</h2>
            <div class="field">
                {if may_toggle {
                    view! {
                        <label>
                            <input
                                type="checkbox"
                                data-testid="jobcode-use"
                                disabled=move || toggling.get() || !matches!(use_jc.get(), Some(Ok(_)))
                                prop:checked=move || matches!(use_jc.get(), Some(Ok(true)))
                                on:change=toggle
                            />
                            " "{s::USE()}
                        </label>
                    }
                        .into_any()
                } else {
                    view! {
                        <p data-testid="jobcode-use-state">
                            {move || match use_jc.get() {
                                Some(Ok(true)) => s::USE_ON(),
                                Some(Ok(false)) => s::USE_OFF(),
                                _ => "",
                            }}
                        </p>
                    }
                        .into_any()
                }}
                {move || match use_jc.get() {
                    Some(Err(e)) => Some(view! { <ErrorBanner title=s::USE_FAILED() error=e /> }),
                    _ => None,
                }}
            </div>
            {move || users.with(Option::is_none).then(|| view! { <p class="loading">{s::LOADING()}</p> })}
            {user_rows}
            {move || editing.get().map(|u| view! {
                <UserJobCodesEditor device_id=device_id user=u peers=peers.get_value() on_saved=on_saved on_close=Callback::new(move |()| editing.set(None)) />
            })}
        </section>
    }
}

/// One user's job codes: edit, save (re-read), copy to other devices.
#[component]
fn UserJobCodesEditor(
    device_id: u32,
    user: UserJobCodes,
    peers: Vec<u32>,
    on_saved: Callback<UserJobCodes>,
    on_close: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let uid = user.user_id.clone();
    let saved = RwSignal::new(user.clone());
    let draft = RwSignal::new(user);
    let errors =
        Memo::new(move |_| draft.with(|d| validate_user_job_codes(d).err().unwrap_or_default()));
    let dirty = Memo::new(move |_| draft.with(|d| saved.with(|s| d != s)));
    let targets = RwSignal::new(BTreeSet::<u32>::new());
    // Save: write the user's job codes, then read them back (what the device holds is shown).
    let save_action = Action::new_local(move |u: &UserJobCodes| {
        let u = u.clone();
        async move {
            let uid = u.user_id.clone();
            api.set_job_codes(device_id, vec![u]).await?;
            let mut list = api.get_job_codes(device_id, vec![uid]).await?;
            Ok::<_, ApiError>((!list.is_empty()).then(|| list.remove(0)))
        }
    });
    let saving = save_action.pending();
    let save_error = Memo::new(move |_| {
        save_action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    });
    let saved_note = Memo::new(move |_| matches!(save_action.value().get(), Some(Ok(Some(_)))));
    Effect::new(move |_| {
        if let Some(Ok(Some(reread))) = save_action.value().get() {
            saved.set(reread.clone());
            draft.set(reread.clone());
            on_saved.run(reread);
        }
    });
    // Copy: the saved codes to the chosen devices, one result per device.
    let copy_action = Action::new_local(move |(ids, u): &(Vec<u32>, UserJobCodes)| {
        api.set_job_codes_multi(ids.clone(), vec![u.clone()])
    });
    let copying = copy_action.pending();
    let copy_result = copy_action.value();

    let save = move |_| {
        save_action.dispatch(draft.get_untracked());
    };
    let copy = move |_| {
        let ids: Vec<u32> = targets.get_untracked().into_iter().collect();
        let ask = crate::strings::components::confirm_many(s::CONFIRM_COPY(), ids.len(), &[]);
        if crate::components::confirmed(&ask) {
            copy_action.dispatch((ids, saved.get_untracked()));
        }
    };

    let rows = move || {
        let n = draft.with(|d| d.job_codes.len());
        (0..n)
            .map(|i| {
                view! {
                    <tr data-testid="jobcode-row" data-index=i.to_string()>
                        <td>
                            <input
                                class="input"
                                type="number"
                                min="1"
                                data-testid="jobcode-code"
                                aria-label=s::COL_CODE()
                                prop:value=move || draft.with(|d| d.job_codes.get(i).map(|j| j.code.to_string()).unwrap_or_default())
                                on:input=move |ev| {
                                    let code = event_target_value(&ev).trim().parse().unwrap_or(0);
                                    draft.update(|d| if let Some(j) = d.job_codes.get_mut(i) { j.code = code });
                                }
                            />
                            <FieldErrorText errors field=format!("jobCodes[{i}].code") />
                        </td>
                        <td>
                            <input
                                class="input"
                                type="text"
                                data-testid="jobcode-label"
                                aria-label=s::COL_LABEL()
                                prop:value=move || draft.with(|d| d.job_codes.get(i).map(|j| j.label.clone()).unwrap_or_default())
                                on:input=move |ev| {
                                    let label = event_target_value(&ev);
                                    draft.update(|d| if let Some(j) = d.job_codes.get_mut(i) { j.label = label });
                                }
                            />
                            <FieldErrorText errors field=format!("jobCodes[{i}].label") />
                        </td>
                        <td>
                            <button
                                type="button"
                                class="btn btn-small"
                                data-testid="jobcode-remove"
                                on:click=move |_| draft.update(|d| { if i < d.job_codes.len() { d.job_codes.remove(i); } })
                            >
                                {s::REMOVE()}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    let peer_boxes = peers
        .into_iter()
        .filter(|&p| p != device_id)
        .map(|p| {
            view! {
                <label class="peer">
                    <input
                        type="checkbox"
                        data-testid="jobcode-peer"
                        data-device-id=p.to_string()
                        prop:checked=move || targets.with(|t| t.contains(&p))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            targets.update(|t| { if on { t.insert(p); } else { t.remove(&p); } });
                        }
                    />
                    " "{p}
                </label>
            }
        })
        .collect::<Vec<_>>();
    let no_peers = peer_boxes.is_empty();
    // Opened from a row far up the list: bring the editor into view and put the keyboard in it.
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            h.scroll_into_view();
            let _ = h.focus();
        }
    });

    view! {
        <section class="card jobcode-editor" data-testid="jobcode-editor">
            <h3 node_ref=heading tabindex="-1" data-testid="jobcode-editor-title">{s::editing(&uid)}</h3>
            <p class="muted" data-testid="jobcode-count">
                {move || s::count(draft.with(|d| d.job_codes.len()), MAX_JOB_CODES_PER_USER)}
            </p>
            <FieldErrorText errors field="jobCodes" />
            <table class="data-table">
                <thead>
                    <tr>
                        <th scope="col">{s::COL_CODE()}</th>
                        <th scope="col">{s::COL_LABEL()}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {move || save_error.get().map(|e| view! { <ErrorBanner title=s::SAVE_FAILED() error=e /> })}
            {move || saved_note.get().then(|| view! { <p class="ok-note" data-testid="jobcode-saved">{s::SAVED()}</p> })}
            <div class="toolbar">
                <button
                    type="button"
                    class="btn"
                    data-testid="jobcode-add"
                    disabled=move || draft.with(|d| d.job_codes.len() >= MAX_JOB_CODES_PER_USER)
                    on:click=move |_| draft.update(|d| d.job_codes.push(JobCode { code: 0, label: String::new() }))
                >
                    {s::ADD()}
                </button>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="jobcode-save"
                    disabled=move || saving.get() || !dirty.get() || !errors.with(Vec::is_empty)
                    on:click=save
                >
                    {move || if saving.get() { s::SAVING() } else { s::SAVE() }}
                </button>
                <button type="button" class="btn" data-testid="jobcode-close" on:click=move |_| on_close.run(())>
                    {s::CLOSE()}
                </button>
            </div>
            <h4>{s::COPY_TITLE()}</h4>
            {no_peers.then(|| view! { <p class="muted">{s::NO_OTHER_DEVICES()}</p> })}
            <div class="peers">{peer_boxes}</div>
            <button
                type="button"
                class="btn"
                data-testid="jobcode-copy"
                disabled=move || copying.get() || dirty.get() || targets.with(BTreeSet::is_empty)
                on:click=copy
            >
                {move || if copying.get() { s::COPYING() } else { s::COPY() }}
            </button>
            {move || copy_result.get().map(|r| match r {
                Err(e) => view! { <ErrorBanner title=s::COPY_FAILED() error=e /> }.into_any(),
                Ok(rows) => view! {
                    <table class="data-table" data-testid="jobcode-copy-results">
                        <tbody>
                            {rows.into_iter().map(|r| {
                                let state = if r.ok { "ok" } else { "failed" };
                                view! {
                                    <tr data-testid="jobcode-copy-row" data-device-id=r.device_id.to_string() data-state=state class:result-failed=!r.ok>
                                        <th scope="row" class="mono">{r.device_id}</th>
                                        <td>{if r.ok { bs::OK() } else { bs::FAILED() }}</td>
                                        <td class="mono">{r.code.map(bs::grpc_code).unwrap_or_default()}</td>
                                        <td>{crate::strings::api::row_failure(r.error.as_ref(), r.message.as_deref())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            })}
        </section>
    }
}
