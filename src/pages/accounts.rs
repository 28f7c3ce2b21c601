//! `/accounts` (admin): who may use the console and with which role; new accounts; password
//! resets; one-time pairing codes for reception tablets. The relay enforces all of it — this
//! page only asks.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::Role;
use tna_types::protocol::{AccountInfo, KioskInfo, PairingResult};

use crate::api::{ApiError, use_api};
use crate::components::{ErrorBanner, TextField};
use crate::pages::Loader;
use crate::strings::accounts as s;

/// The accounts page.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let api = use_api();
    let accounts = Loader::<Vec<AccountInfo>>::new();
    let reload = move || accounts.run(api.list_accounts());
    Effect::new(move |_| {
        api.epoch().track();
        if !accounts.loading.get_untracked() {
            reload();
        }
    });
    let kiosks = Loader::<Vec<KioskInfo>>::new();
    let reload_kiosks = move || kiosks.run(api.list_kiosks());
    Effect::new(move |_| {
        api.epoch().track();
        if !kiosks.loading.get_untracked() {
            reload_kiosks();
        }
    });
    // The outcome of the last action: Ok(message) or the relay's error.
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    let act =
        move |fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>,
              done: String| {
            spawn_local(async move {
                let r = fut.await.map(|()| done);
                outcome.try_set(Some(r));
                reload();
                reload_kiosks();
            });
        };

    let new_user = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Viewer);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p, r) = (
            new_user.get_untracked(),
            new_password.get_untracked(),
            new_role.get_untracked(),
        );
        new_password.set(String::new());
        let msg = s::created(&u);
        act(
            Box::pin(api.create_account(u.trim().to_string(), p, r)),
            msg,
        );
    };

    let kiosk_name = RwSignal::new(String::from("reception"));
    let pairing = RwSignal::new(None::<Result<PairingResult, ApiError>>);
    let pair = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = kiosk_name.get_untracked();
        spawn_local(async move {
            let r = api.kiosk_pair(name.trim().to_string()).await;
            pairing.try_set(Some(r));
        });
    };

    view! {
        <section class="page accounts-page" data-testid="accounts-page">
            <div class="page-head">
                <h1>{s::TITLE}</h1>
            </div>
            <p class="muted">{s::INTRO}</p>
            {move || {
                outcome
                    .get()
                    .map(|o| match o {
                        Ok(msg) => {
                            view! { <p class="notice" role="status" data-testid="accounts-ok">{msg}</p> }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <div data-testid="accounts-error">
                                    <ErrorBanner title=s::FAILED error=e />
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
            {move || match accounts.data.get() {
                None => view! { <p class="loading">{s::LOADING}</p> }.into_any(),
                Some(Err(e)) => {
                    view! {
                        <ErrorBanner
                            title=s::LOAD_FAILED
                            error=e
                            on_retry=Callback::new(move |()| reload())
                            busy=accounts.loading
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="accounts-table">
                                <caption class="visually-hidden">{s::CAPTION}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{s::COL_USER}</th>
                                        <th scope="col">{s::COL_ROLE}</th>
                                        <th scope="col">{s::COL_ACTIONS}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|a| view! { <AccountRow account=a act /> })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
            <form class="card form-grid" on:submit=create data-testid="account-create">
                <h2>{s::CREATE_TITLE}</h2>
                <TextField label=s::USERNAME value=new_user testid="new-username" />
                <TextField
                    label=s::PASSWORD
                    value=new_password
                    testid="new-password"
                    kind="password"
                    autocomplete="new-password"
                />
                <RoleSelect value=new_role testid="new-role" />
                <button type="submit" class="btn btn-primary" data-testid="create-account">
                    {s::CREATE}
                </button>
            </form>
            <h2>{s::KIOSKS_TITLE}</h2>
            {move || match kiosks.data.get() {
                None => view! { <p class="loading">{s::LOADING}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner title=s::LOAD_FAILED error=e /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="muted" data-testid="kiosks-none">{s::KIOSKS_NONE}</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="kiosks-table">
                                <caption class="visually-hidden">{s::KIOSKS_TITLE}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{s::COL_KIOSK}</th>
                                        <th scope="col">{s::COL_PAIRED}</th>
                                        <th scope="col">{s::COL_EXPIRES}</th>
                                        <th scope="col"><span class="visually-hidden">{s::UNPAIR}</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|k| {
                                            let name = k.name.clone();
                                            let day = |t: u64| {
                                                crate::logs::format_date(crate::logs::local_day(
                                                    u32::try_from(t).unwrap_or(u32::MAX),
                                                    0,
                                                ))
                                            };
                                            view! {
                                                <tr data-testid="kiosk-row" data-name=k.name.clone()>
                                                    <td class="mono">{k.name.clone()}</td>
                                                    <td>{day(k.paired_at)}</td>
                                                    <td>{day(k.expires_at)}</td>
                                                    <td>
                                                        <button
                                                            type="button"
                                                            class="btn btn-small btn-danger"
                                                            data-testid="kiosk-unpair"
                                                            on:click=move |_| {
                                                                if crate::pages::confirmed(&s::confirm_unpair(&name)) {
                                                                    act(Box::pin(api.revoke_kiosk(name.clone())), s::unpaired(&name));
                                                                }
                                                            }
                                                        >
                                                            {s::UNPAIR}
                                                        </button>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }
            }}
            <form class="card form-grid" on:submit=pair data-testid="kiosk-pairing">
                <h2>{s::PAIR_TITLE}</h2>
                <p class="muted">{s::PAIR_INTRO}</p>
                <TextField label=s::KIOSK_NAME value=kiosk_name testid="kiosk-name" />
                <button type="submit" class="btn btn-secondary" data-testid="make-pairing-code">
                    {s::PAIR}
                </button>
                {move || {
                    pairing
                        .get()
                        .map(|r| match r {
                            Ok(p) => {
                                view! {
                                    <p class="pairing" role="status">
                                        {s::PAIR_CODE_IS} " "
                                        <strong class="mono pair-code" data-testid="pairing-code">{p.code}</strong>
                                        " " {s::PAIR_HOW}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorBanner title=s::FAILED error=e /> }.into_any(),
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
            <span>{s::ROLE}</span>
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
fn AccountRow(
    account: AccountInfo,
    act: impl Fn(std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>, String)
    + Copy
    + 'static,
) -> impl IntoView {
    let api = use_api();
    let name = account.username.clone();
    let role = RwSignal::new(account.role);
    let password = RwSignal::new(String::new());
    let n1 = name.clone();
    Effect::new(move |prev: Option<Role>| {
        let r = role.get();
        if prev.is_some_and(|p| p != r) {
            act(
                Box::pin(api.set_role(n1.clone(), r)),
                s::role_changed(&n1, r),
            );
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
                    placeholder=s::NEW_PASSWORD
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
                        act(Box::pin(api.set_password(n2.clone(), p)), s::password_set(&n2));
                    }
                >
                    {s::SET_PASSWORD}
                </button>
                <button
                    type="button"
                    class="btn btn-small btn-danger"
                    data-testid="account-delete"
                    on:click=move |_| {
                        if crate::pages::confirmed(&s::confirm_delete(&n3)) {
                            act(Box::pin(api.delete_account(n3.clone())), s::deleted(&n3));
                        }
                    }
                >
                    {s::DELETE}
                </button>
            </td>
        </tr>
    }
}
