//! `/accounts` (admin): who may use the console and with which role; new accounts; password
//! resets; one-time pairing codes for reception tablets. The relay enforces all of it — this
//! page only asks.

use leptos::prelude::*;
use tna_types::Role;
use tna_types::protocol::{AccountInfo, KioskInfo, KioskScope, NameForm};

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::{
    ErrorBanner, Loaded, TextField, ok_data, parse_device_list, relay_resource,
};
use crate::strings::accounts as s;

/// A change an admin makes on this page.
#[derive(Clone)]
enum Change {
    Create {
        username: String,
        password: String,
        role: Role,
    },
    SetRole {
        username: String,
        role: Role,
    },
    SetPassword {
        username: String,
        password: String,
    },
    Delete {
        username: String,
    },
    Unpair {
        kiosk: String,
    },
}

impl Change {
    /// Sends the change; `Ok` carries the sentence that confirms it.
    async fn send(self, api: ApiClient) -> Result<String, ApiError> {
        match self {
            Change::Create {
                username,
                password,
                role,
            } => {
                let done = s::created(&username);
                api.create_account(username, password, role)
                    .await
                    .map(|()| done)
            }
            Change::SetRole { username, role } => {
                let done = s::role_changed(&username, role);
                api.set_role(username, role).await.map(|()| done)
            }
            Change::SetPassword { username, password } => {
                let done = s::password_set(&username);
                api.set_password(username, password).await.map(|()| done)
            }
            Change::Delete { username } => {
                let done = s::deleted(&username);
                api.delete_account(username).await.map(|()| done)
            }
            Change::Unpair { kiosk } => {
                let done = s::unpaired(&kiosk);
                api.revoke_kiosk(kiosk).await.map(|()| done)
            }
        }
    }
}

/// The accounts page.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let api = use_api();
    // Every change re-reads both lists (its `version()`).
    let change = Action::new_local(move |c: &Change| c.clone().send(api));
    let accounts = relay_resource(move || {
        change.version().track();
        api.list_accounts()
    });
    let kiosks = relay_resource(move || {
        change.version().track();
        api.list_kiosks()
    });
    let act = move |c: Change| {
        change.dispatch(c);
    };

    let new_user = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Viewer);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let password = new_password.get_untracked();
        new_password.set(String::new());
        act(Change::Create {
            username: new_user.get_untracked().trim().to_string(),
            password,
            role: new_role.get_untracked(),
        });
    };

    let kiosk_name = RwSignal::new(String::from("reception"));
    // What the tablet may show: the sites ticked and the devices typed; neither = every device.
    let sites = relay_resource(move || async move {
        let devices = api.list_devices().await?;
        let mut sites: Vec<String> = devices.into_iter().filter_map(|d| d.site).collect();
        crate::order::sort_unique(&mut sites);
        Ok(sites)
    });
    let chosen_sites = RwSignal::new(Vec::<String>::new());
    let name_form = RwSignal::new(NameForm::Full);
    let device_text = RwSignal::new(String::new());
    let devices_ok = Memo::new(move |_| device_text.with(|t| parse_device_list(t).is_some()));
    let pairing = Action::new_local(move |(name, scope): &(String, KioskScope)| {
        api.kiosk_pair(name.trim().to_string(), scope.clone())
    });
    let pair = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(devices) = device_text.with_untracked(|t| parse_device_list(t)) else {
            return;
        };
        let sites = chosen_sites.get_untracked();
        let scope = KioskScope {
            all_devices: sites.is_empty() && devices.is_empty(),
            sites,
            devices,
            name_form: name_form.get_untracked(),
        };
        pairing.dispatch((kiosk_name.get_untracked(), scope));
    };

    view! {
        <section class="page accounts-page" data-testid="accounts-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
            </div>
            <p class="muted">{s::INTRO()}</p>
            {move || {
                change
                    .value()
                    .get()
                    .map(|o| match o {
                        Ok(msg) => {
                            view! { <p class="notice" role="status" data-testid="accounts-ok">{msg}</p> }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <div data-testid="accounts-error">
                                    <ErrorBanner title=s::FAILED() error=e />
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
            <Loaded resource=accounts failed=s::LOAD_FAILED() loading=s::LOADING()>
                <div class="table-wrap">
                    <table class="data-table" data-testid="accounts-table">
                        <caption class="visually-hidden">{s::CAPTION()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{s::COL_USER()}</th>
                                <th scope="col">{s::COL_ROLE()}</th>
                                <th scope="col">{s::COL_ACTIONS()}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || ok_data(accounts).unwrap_or_default()
                                key=|a| (a.username.clone(), a.role)
                                children=move |a| view! { <AccountRow account=a act /> }
                            />
                        </tbody>
                    </table>
                </div>
            </Loaded>
            <form class="card form-grid" on:submit=create data-testid="account-create">
                <h2>{s::CREATE_TITLE()}</h2>
                <TextField label=s::USERNAME() value=new_user testid="new-username" />
                <TextField
                    label=s::PASSWORD()
                    value=new_password
                    testid="new-password"
                    kind="password"
                    autocomplete="new-password"
                />
                <RoleSelect value=new_role testid="new-role" />
                <button type="submit" class="btn btn-primary" data-testid="create-account">
                    {s::CREATE()}
                </button>
            </form>
            <h2>{s::KIOSKS_TITLE()}</h2>
            <Loaded resource=kiosks failed=s::LOAD_FAILED() loading=s::LOADING()>
                {move || {
                    let list = ok_data(kiosks).unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="muted" data-testid="kiosks-none">{s::KIOSKS_NONE()}</p> }
                            .into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="kiosks-table">
                                <caption class="visually-hidden">{s::KIOSKS_TITLE()}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{s::COL_KIOSK()}</th>
                                        <th scope="col">{s::COL_SCOPE()}</th>
                                        <th scope="col">{s::COL_PAIRED()}</th>
                                        <th scope="col">{s::COL_EXPIRES()}</th>
                                        <th scope="col"><span class="visually-hidden">{s::UNPAIR()}</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|k| view! { <KioskRow kiosk=k act /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </Loaded>
            <form class="card form-grid" on:submit=pair data-testid="kiosk-pairing">
                <h2>{s::PAIR_TITLE()}</h2>
                <p class="muted">{s::PAIR_INTRO()}</p>
                <TextField label=s::KIOSK_NAME() value=kiosk_name testid="kiosk-name" />
                <fieldset class="field scope-field" data-testid="kiosk-scope">
                    <legend>{s::SCOPE()}</legend>
                    <p class="muted">{s::SCOPE_HINT()}</p>
                    {move || {
                        let list = ok_data(sites).unwrap_or_default();
                        (!list.is_empty())
                            .then(|| {
                                view! {
                                    <div class="scope-sites" role="group" aria-label=s::SCOPE_SITES()>
                                        <span>{s::SCOPE_SITES()}</span>
                                        {list
                                            .into_iter()
                                            .map(|site| {
                                                let name = site.clone();
                                                let checked = {
                                                    let name = name.clone();
                                                    move || chosen_sites.with(|c| c.contains(&name))
                                                };
                                                view! {
                                                    <label class="check">
                                                        <input
                                                            type="checkbox"
                                                            data-testid="scope-site"
                                                            value=site.clone()
                                                            prop:checked=checked
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                chosen_sites
                                                                    .update(|c| {
                                                                        c.retain(|x| x != &name);
                                                                        if on {
                                                                            c.push(name.clone());
                                                                        }
                                                                    });
                                                            }
                                                        />
                                                        {site}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </div>
                                }
                            })
                    }}
                    <label class="field">
                        <span>{s::NAME_FORM()}</span>
                        <select
                            class="input"
                            data-testid="scope-name-form"
                            on:change=move |ev| {
                                name_form
                                    .set(
                                        if event_target_value(&ev) == "firstInitial" {
                                            NameForm::FirstInitial
                                        } else {
                                            NameForm::Full
                                        },
                                    );
                            }
                        >
                            <option value="full">{s::NAME_FULL()}</option>
                            <option value="firstInitial">{s::NAME_FIRST_INITIAL()}</option>
                        </select>
                    </label>
                    <TextField
                        label=s::SCOPE_DEVICES()
                        value=device_text
                        testid="scope-devices"
                        required=false
                    />
                    {move || {
                        (!devices_ok.get())
                            .then(|| {
                                view! {
                                    <p class="field-error" role="alert" data-testid="scope-devices-error">
                                        {s::SCOPE_BAD_DEVICES()}
                                    </p>
                                }
                            })
                    }}
                </fieldset>
                <button
                    type="submit"
                    class="btn btn-secondary"
                    data-testid="make-pairing-code"
                    disabled=move || !devices_ok.get()
                >
                    {s::PAIR()}
                </button>
                {move || {
                    pairing
                        .value()
                        .get()
                        .map(|r| match r {
                            Ok(p) => {
                                view! {
                                    <p class="pairing" role="status">
                                        {s::PAIR_CODE_IS()} " "
                                        <strong class="mono pair-code" data-testid="pairing-code">{p.code}</strong>
                                        " " {s::PAIR_HOW()}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorBanner title=s::FAILED() error=e /> }.into_any(),
                        })
                }}
            </form>
        </section>
    }
}

/// A role picker.
#[component]
fn RoleSelect(value: RwSignal<Role>, testid: &'static str) -> impl IntoView {
    view! {
        <label class="field">
            <span>{s::ROLE()}</span>
            <select
                class="input"
                data-testid=testid
                on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        value.set(r);
                    }
                }
            >
                {Role::ALL
                    .into_iter()
                    .map(|r| {
                        view! {
                            <option value=r.name() selected=move || value.get() == r>
                                {s::role_text(r)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// One account: its role (changed at once), a new password, delete.
#[component]
fn AccountRow(account: AccountInfo, act: impl Fn(Change) + Copy + 'static) -> impl IntoView {
    let name = account.username.clone();
    let role = RwSignal::new(account.role);
    let password = RwSignal::new(String::new());
    let n1 = name.clone();
    Effect::new(move |prev: Option<Role>| {
        let r = role.get();
        if prev.is_some_and(|p| p != r) {
            act(Change::SetRole {
                username: n1.clone(),
                role: r,
            });
        }
        r
    });
    let n2 = name.clone();
    let n3 = name.clone();
    view! {
        <tr data-testid="account-row" data-username=name.clone() data-role=account.role.name()>
            <td class="mono">{name.clone()}</td>
            <td>
                <RoleSelect value=role testid="account-role" />
            </td>
            <td class="row-actions">
                <input
                    class="input"
                    type="password"
                    autocomplete="new-password"
                    aria-label=s::new_password_for(&name)
                    placeholder=s::NEW_PASSWORD()
                    data-testid="account-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid="account-set-password"
                    on:click=move |_| {
                        let p = password.get_untracked();
                        password.set(String::new());
                        act(Change::SetPassword { username: n2.clone(), password: p });
                    }
                >
                    {s::SET_PASSWORD()}
                </button>
                <button
                    type="button"
                    class="btn btn-small btn-danger"
                    data-testid="account-delete"
                    on:click=move |_| {
                        if crate::components::confirmed(&s::confirm_delete(&n3)) {
                            act(Change::Delete { username: n3.clone() });
                        }
                    }
                >
                    {s::DELETE()}
                </button>
            </td>
        </tr>
    }
}

/// One paired kiosk: when it was paired, until when its session runs, unpair.
#[component]
fn KioskRow(kiosk: KioskInfo, act: impl Fn(Change) + Copy + 'static) -> impl IntoView {
    let name = kiosk.name.clone();
    let day = |t: u64| {
        crate::logs::format_date(crate::logs::local_day(
            u32::try_from(t).unwrap_or(u32::MAX),
            0,
        ))
    };
    view! {
        <tr data-testid="kiosk-row" data-name=kiosk.name.clone()>
            <td class="mono">{kiosk.name.clone()}</td>
            <td data-testid="kiosk-scope-text">{s::scope_text(&kiosk.scope)}</td>
            <td>{day(kiosk.paired_at)}</td>
            <td>{day(kiosk.expires_at)}</td>
            <td>
                <button
                    type="button"
                    class="btn btn-small btn-danger"
                    data-testid="kiosk-unpair"
                    on:click=move |_| {
                        if crate::components::confirmed(&s::confirm_unpair(&name)) {
                            act(Change::Unpair { kiosk: name.clone() });
                        }
                    }
                >
                    {s::UNPAIR()}
                </button>
            </td>
        </tr>
    }
}
