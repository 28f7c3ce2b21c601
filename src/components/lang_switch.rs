//! The language switch (the console's header, the sign-in page, the kiosk's settings): each
//! language by its own name; choosing one keeps it in this browser and reloads into it.

use leptos::prelude::*;

use crate::i18n::{self, Lang};
use crate::strings::app as s;

/// `labelled`: the word "Language" shows beside it (a settings form); otherwise only screen
/// readers say it (the header).
#[component]
pub fn LangSwitch(#[prop(optional)] labelled: bool) -> impl IntoView {
    let current = i18n::lang();
    view! {
        <label class=if labelled { "field lang-switch" } else { "lang-switch" }>
            <span class:visually-hidden=!labelled>{s::LANGUAGE()}</span>
            <select
                class="input"
                data-testid="lang"
                on:change=move |ev| {
                    if let Some(l) = Lang::from_tag(&event_target_value(&ev))
                        && l != current
                    {
                        i18n::switch_to(l);
                    }
                }
            >
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() lang=l.tag() selected=l == current>
                                {l.own_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
