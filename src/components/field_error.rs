//! The error of one form field, shown next to it (the editors' validation is
//! `tna_types::validate`: every broken rule names its field in camelCase), and [`field_error_text`]:
//! a broken rule in the console's language.

use leptos::prelude::*;
use tna_types::validate::{FieldError, Rule};

/// What is wrong, in the console's language: the rule's template translated and filled with its
/// values; a device's own sentence (no rule) as it came.
pub fn field_error_text(e: &FieldError) -> String {
    let Some(rule) = e.rule.as_ref().filter(|r| **r != Rule::Unknown) else {
        return e.message.clone();
    };
    let mut values = rule.values();
    // Values that are words, not numbers: the console's own names for them.
    let word = match rule {
        Rule::RequiredNeedsByUser { mode } => {
            Some(("mode", crate::strings::device::mode_name(*mode).to_string()))
        }
        Rule::DeviceTextChars { field, .. } | Rule::DeviceTextControl { field } => {
            match field.as_str() {
                "name" => Some(("field", crate::strings::device::NAME().to_lowercase())),
                "location" => Some(("field", crate::strings::device::LOCATION().to_lowercase())),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((name, text)) = word {
        for v in values.iter_mut().filter(|v| v.0 == name) {
            v.1 = text.clone();
        }
    }
    crate::i18n::fill(crate::i18n::tr(rule.template()), &values)
}

/// The first error of `field` among `errors`, as an alert under the field; nothing when the
/// field is fine.
#[component]
pub fn FieldErrorText(errors: Memo<Vec<FieldError>>, #[prop(into)] field: String) -> impl IntoView {
    move || {
        errors.with(|es| {
            es.iter().find(|e| e.field == field).map(|e| {
                view! {
                    <p class="field-error" role="alert" data-testid="field-error" data-field=e.field.clone()>
                        {field_error_text(e)}
                    </p>
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tna_types::config::TnaMode;

    #[test]
    fn a_rule_is_worded_by_the_console_and_a_sentence_kept() {
        let e = FieldError::broke("labels[3]", Rule::LabelBytes { max: 48, value: 60 });
        assert_eq!(
            field_error_text(&e),
            e.message,
            "English: the rule's own sentence"
        );
        let mode = FieldError::broke(
            "isRequired",
            Rule::RequiredNeedsByUser {
                mode: TnaMode::BySchedule,
            },
        );
        assert_eq!(
            field_error_text(&mode),
            format!(
                "\"T&A required\" applies only in By user mode, not in {}.",
                crate::strings::device::mode_name(TnaMode::BySchedule)
            )
        );
        let device = FieldError::sentence("", "The device rejected the input.");
        assert_eq!(field_error_text(&device), "The device rejected the input.");
    }
}
