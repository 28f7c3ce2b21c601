//! Reading JavaScript values the browser hands over: a member by name, an exception as text.
//! (Not `Debug`: the kiosk's bundle compiles `Debug` formatting to nothing.)

use wasm_bindgen::{JsCast, JsValue};

/// `target[name]`, when it is there (neither `undefined` nor `null`).
pub fn member(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// A JS exception or rejection as text: its message when it is an `Error`, the string when it
/// is one.
pub fn error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "unknown browser error".to_string())
}
