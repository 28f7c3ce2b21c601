//! The signed-in role in the UI: the relay enforces every method's minimum role
//! (`tna_types::auth`, the one table); the console uses the same table so a page or a control a
//! role may not use is not offered at all, and a page typed into the address bar says which role
//! it needs instead of showing a form that would be refused.

use leptos::prelude::*;
use tna_types::Role;

use crate::api::session::SessionState;
use crate::strings::roles as s;

/// The sign-in state, provided by the app root.
#[derive(Clone, Copy)]
pub struct Session(pub RwSignal<SessionState>);

/// The signed-in role (admin when the relay runs without sign-in).
pub fn use_role() -> Role {
    use_context::<Session>()
        .and_then(|s| {
            s.0.with_untracked(|st| match st {
                SessionState::SignedIn(w) => Some(w.role),
                _ => None,
            })
        })
        .unwrap_or(Role::Admin)
}

/// Whether the signed-in role may call `method` (the relay's own table).
pub fn may(method: &str) -> bool {
    use_role().may_call(method)
}

/// `children` for `needs` and higher roles; for the others a page that says which role it needs.
#[component]
pub fn RequireRole(needs: Role, children: ChildrenFn) -> impl IntoView {
    let role = use_role();
    if role >= needs {
        children().into_any()
    } else {
        view! {
            <section class="page needs-role" data-testid="needs-role" data-needs=needs.name() data-role=role.name()>
                <h1>{s::NEEDS_TITLE()}</h1>
                <p>{s::needs(needs, role)}</p>
                <p><a href="/">{s::BACK()}</a></p>
            </section>
        }
        .into_any()
    }
}
