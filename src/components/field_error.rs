//! The error of one form field, shown next to it (the editors' validation is
//! `tna_types::validate`: every broken rule names its field in camelCase).

use leptos::prelude::*;
use tna_types::validate::FieldError;

/// The first error of `field` among `errors`, as an alert under the field; nothing when the
/// field is fine.
#[component]
pub fn FieldErrorText(errors: Memo<Vec<FieldError>>, #[prop(into)] field: String) -> impl IntoView {
    move || {
        errors.with(|es| {
            es.iter().find(|e| e.field == field).map(|e| {
                view! {
                    <p class="field-error" role="alert" data-testid="field-error" data-field=e.field.clone()>
                        {e.message.clone()}
                    </p>
                }
            })
        })
    }
}
