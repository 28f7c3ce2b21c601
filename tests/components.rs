//! Component tests in a real browser (wasm-bindgen-test in Chromium): each component is mounted
//! with plain props into its own `<div>` and its DOM is checked. No relay is involved.
//!
//! Run: `cargo test -p tna-console --target wasm32-unknown-unknown --test components`
//! (with `CHROMEDRIVER` and `WASM_BINDGEN_TEST_WEBDRIVER_JSON` set; see the toolchain notes).
#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use tna_console::api::backoff::retry_delay_ms;
use tna_console::api::routing::{Pending, Routed, route_frame};
use tna_console::api::{ApiError, ConnectionState};
use tna_console::components::{
    ConnectionIndicator, DeviceTable, ErrorBanner, StatusBadge, TnaConfigView,
};
use tna_types::protocol::{ErrorCode, RpcError};
use tna_types::{ConnectionStatus, Device, Schedule, TnaConfig, TnaKey, TnaMode};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<div>` in the document body.
fn container() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default().trim().to_string()
}

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

fn sample_config() -> TnaConfig {
    let mut c = TnaConfig {
        mode: TnaMode::Fixed,
        key: TnaKey::new(3).ok(),
        is_required: false,
        ..Default::default()
    };
    c.labels[0] = "In".into();
    // labels[1] stays empty: shown as a muted "KEY_2".
    c.labels[2] = "Break".into();
    c.labels[15] = "출근".into();
    c.schedules[0] = 1;
    c.schedules[2] = 7;
    c.schedules[3] = 99;
    c
}

fn schedules() -> Vec<Schedule> {
    vec![
        Schedule {
            id: 1,
            name: "Always".into(),
        },
        Schedule {
            id: 7,
            name: "Day shift".into(),
        },
    ]
}

#[wasm_bindgen_test]
fn config_view_shows_16_keys_with_labels_schedules_and_mode() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        view! { <TnaConfigView config=sample_config() schedules=Some(schedules()) /> }
    });
    let root: Element = root.into();
    let section = one(&root, &testid("tna-config"));

    let rows = all(&section, &testid("key-row"));
    assert_eq!(rows.len(), 16, "KEY_1..KEY_16");
    assert_eq!(rows[0].get_attribute("data-key").as_deref(), Some("1"));
    assert_eq!(rows[15].get_attribute("data-key").as_deref(), Some("16"));

    let labels: Vec<Element> = all(&section, &testid("key-label"));
    assert_eq!(labels.len(), 16);
    assert_eq!(text(&labels[0]), "In");
    assert_eq!(text(&labels[1]), "KEY_2", "empty label falls back to KEY_n");
    assert!(
        labels[1].class_list().contains("muted"),
        "fallback is muted"
    );
    assert!(!labels[0].class_list().contains("muted"));
    assert_eq!(text(&labels[15]), "출근");

    let sched: Vec<String> = all(&section, &testid("key-schedule"))
        .iter()
        .map(text)
        .collect();
    assert_eq!(sched[0], "Always");
    assert_eq!(sched[1], "None");
    assert_eq!(sched[2], "Day shift");
    assert_eq!(sched[3], "#99 (unknown)");

    let mode = one(&section, &testid("tna-mode"));
    assert_eq!(text(&mode), "Fixed");
    assert_eq!(mode.get_attribute("data-mode").as_deref(), Some("fixed"));
    assert!(!text(&one(&section, &testid("tna-mode-explanation"))).is_empty());
    assert_eq!(
        text(&one(&section, &testid("tna-fixed-key"))),
        "KEY_3 — Break"
    );
    assert!(
        rows[2].class_list().contains("row-highlight"),
        "the fixed key is highlighted"
    );
    assert!(text(&one(&section, &testid("tna-required"))).starts_with("No"));
}

#[wasm_bindgen_test]
fn config_view_without_schedule_list_and_outside_fixed_mode() {
    let mut config = sample_config();
    config.mode = TnaMode::ByUser;
    config.is_required = true;
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        view! { <TnaConfigView config=config.clone() schedules=None /> }
    });
    let root: Element = root.into();
    assert_eq!(text(&one(&root, &testid("tna-mode"))), "By user");
    let fixed = one(&root, &testid("tna-fixed-key"));
    assert_eq!(text(&fixed), "Used only in Fixed mode");
    assert_eq!(text(&one(&root, &testid("tna-required"))), "Yes");
    let sched: Vec<String> = all(&root, &testid("key-schedule"))
        .iter()
        .map(text)
        .collect();
    assert_eq!(&sched[..4], ["Always", "None", "#7", "#99"]);
}

#[wasm_bindgen_test]
fn status_badge_has_text_not_only_colour() {
    let root = container();
    let _mounted = mount_to(root.clone(), || {
        view! {
            <StatusBadge status=ConnectionStatus::Error detail=Some("TLS_CANNOT_CONNECT".to_string()) />
            <StatusBadge status=ConnectionStatus::Connected />
        }
    });
    let root: Element = root.into();
    let badges = all(&root, &testid("status-badge"));
    assert_eq!(badges.len(), 2);
    assert_eq!(
        badges[0].get_attribute("data-status").as_deref(),
        Some("error")
    );
    assert!(text(&badges[0]).contains("Error"));
    assert!(text(&badges[0]).contains("TLS_CANNOT_CONNECT"));
    assert_eq!(
        badges[1].get_attribute("data-status").as_deref(),
        Some("connected")
    );
    assert!(text(&badges[1]).contains("Connected"));
    assert!(badges[1].class_list().contains("badge-connected"));
}

#[wasm_bindgen_test]
async fn connection_indicator_follows_the_state() {
    let state = RwSignal::new(ConnectionState::Connecting);
    let retries = RwSignal::new(0u32);
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ConnectionIndicator
                state=state
                on_retry=Callback::new(move |()| retries.update(|n| *n += 1))
            />
        }
    });
    let root: Element = root.into();
    let ind = one(&root, &testid("connection-indicator"));
    assert_eq!(
        ind.get_attribute("data-state").as_deref(),
        Some("connecting")
    );
    assert_eq!(
        one(&ind, "[role=status]")
            .get_attribute("aria-live")
            .as_deref(),
        Some("polite")
    );
    assert!(text(&ind).contains("Connecting"));
    assert!(all(&ind, &testid("reconnect-now")).is_empty());

    state.set(ConnectionState::Disconnected { retry_in_secs: 3 });
    tick().await;
    assert_eq!(
        ind.get_attribute("data-state").as_deref(),
        Some("disconnected")
    );
    assert!(text(&ind).contains("retrying in 3 s"), "{}", text(&ind));
    let button: HtmlElement = one(&ind, &testid("reconnect-now")).unchecked_into();
    button.click();
    assert_eq!(retries.get_untracked(), 1);

    state.set(ConnectionState::Connected);
    tick().await;
    assert_eq!(
        ind.get_attribute("data-state").as_deref(),
        Some("connected")
    );
    assert_eq!(text(&one(&ind, "[role=status]")), "Connected");
    assert!(all(&ind, &testid("reconnect-now")).is_empty());
}

fn device(id: u32, ty: &str, status: ConnectionStatus, tna: bool) -> Device {
    Device {
        tna_supported: tna,
        job_code_supported: !tna,
        ..Device::listed(id, ty, format!("192.168.0.{}:51211", id % 250), status)
    }
}

#[wasm_bindgen_test]
async fn device_table_rows_filter_and_links() {
    let devices = vec![
        device(540001, "BIOSTATION_A2", ConnectionStatus::Connected, true),
        device(540002, "BIOLITE_N2", ConnectionStatus::Disconnected, true),
        device(540003, "XPASS_2", ConnectionStatus::Error, false),
    ];
    let filter = RwSignal::new(String::new());
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        view! { <DeviceTable devices=Signal::stored(devices.clone()) filter=filter /> }
    });
    let root: Element = root.into();
    let table = one(&root, &testid("device-table"));
    let rows = all(&table, &testid("device-row"));
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1].get_attribute("data-device-id").as_deref(),
        Some("540002")
    );
    let link = one(&rows[1], &testid("device-link"));
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/devices/540002")
    );
    assert_eq!(
        one(&rows[1], &testid("status-badge"))
            .get_attribute("data-status")
            .as_deref(),
        Some("disconnected")
    );
    assert_eq!(text(&one(&rows[2], &testid("device-tna"))), "No");
    assert_eq!(text(&one(&rows[2], &testid("device-jobcodes"))), "Yes");
    assert!(all(&root, &testid("devices-empty")).is_empty());

    filter.set("biolite".into());
    tick().await;
    let rows = all(&table, &testid("device-row"));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].get_attribute("data-device-id").as_deref(),
        Some("540002")
    );

    filter.set("nothing-like-this".into());
    tick().await;
    assert!(all(&table, &testid("device-row")).is_empty());
    assert_eq!(
        text(&one(&root, &testid("devices-empty"))),
        "No device matches the filter."
    );
}

#[wasm_bindgen_test]
fn error_banner_words_the_relays_refusal_and_retries() {
    let error = ApiError::Rpc(
        RpcError::new(
            ErrorCode::DeviceUnreachable,
            "Device 540002 did not answer.",
        )
        .with_data(serde_json::json!({"deviceId": 540002, "grpcCode": 14})),
    );
    let retries = RwSignal::new(0u32);
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ErrorBanner
                title="The device could not be read"
                error=error.clone()
                on_retry=Callback::new(move |()| retries.update(|n| *n += 1))
            />
        }
    });
    let root: Element = root.into();
    let banner = one(&root, &testid("error-banner"));
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(banner.get_attribute("data-code").as_deref(), Some("-32003"));
    // In the console's words (from the code and data), not the relay's English sentence.
    assert_eq!(
        text(&one(&banner, &testid("error-message"))),
        tna_console::strings::api::device_unreachable(540002)
    );
    let retry: HtmlElement = one(&banner, &testid("error-retry")).unchecked_into();
    retry.click();
    assert_eq!(retries.get_untracked(), 1);
}

#[wasm_bindgen_test]
fn api_pure_parts_work_in_the_browser() {
    assert_eq!(retry_delay_ms(0), 500);
    assert_eq!(retry_delay_ms(10), 10_000);

    let mut pending = Pending::new();
    let (id, _rx) = pending.register();
    match route_frame(&format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"config":null}}}}"#
    )) {
        Routed::Response(got, resp) => {
            assert_eq!(got, id);
            assert!(pending.resolve(got, Ok(resp)));
        }
        other => panic!("{other:?}"),
    }
    assert!(pending.is_empty());
    assert!(ApiError::ConnectionLost.is_connection());
    assert!(!ApiError::ConnectionLost.message().is_empty());
}

/// Unix seconds of a UTC date and time (`tna_types::time` is the one calendar).
fn utc(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
    tna_types::time::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60
}

#[wasm_bindgen_test]
fn zone_offsets_come_from_the_browser_and_follow_dst() {
    use tna_console::time::{Zone, offset_at, show};
    let at = |zone: &str, t: i64| offset_at(Zone::Named(zone), t);
    // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29 and falls back at 01:00 UTC on
    // 2026-10-25.
    assert_eq!(at("Europe/Berlin", utc(2026, 3, 29, 0, 59)), 3600);
    assert_eq!(at("Europe/Berlin", utc(2026, 3, 29, 1, 0)), 7200);
    assert_eq!(at("Europe/Berlin", utc(2026, 10, 25, 0, 59)), 7200);
    assert_eq!(at("Europe/Berlin", utc(2026, 10, 25, 1, 0)), 3600);
    // America/New_York: 2026-03-08 at 07:00 UTC, 2026-11-01 at 06:00 UTC.
    assert_eq!(at("America/New_York", utc(2026, 3, 8, 6, 59)), -5 * 3600);
    assert_eq!(at("America/New_York", utc(2026, 3, 8, 7, 0)), -4 * 3600);
    assert_eq!(at("America/New_York", utc(2026, 11, 1, 5, 59)), -4 * 3600);
    assert_eq!(at("America/New_York", utc(2026, 11, 1, 6, 0)), -5 * 3600);
    // Southern hemisphere: Sydney leaves DST on 2026-04-05 (16:00 UTC the day before).
    assert_eq!(at("Australia/Sydney", utc(2026, 4, 4, 15, 59)), 11 * 3600);
    assert_eq!(at("Australia/Sydney", utc(2026, 4, 4, 16, 0)), 10 * 3600);
    // Half-hour zones: Kolkata all year, Lord Howe's 30-minute DST.
    assert_eq!(at("Asia/Kolkata", utc(2026, 1, 1, 0, 0)), 19_800);
    assert_eq!(at("Asia/Kolkata", utc(2026, 7, 1, 0, 0)), 19_800);
    assert_eq!(at("Australia/Lord_Howe", utc(2026, 1, 15, 0, 0)), 11 * 3600);
    assert_eq!(
        at("Australia/Lord_Howe", utc(2026, 7, 15, 0, 0)),
        10 * 3600 + 1800
    );
    // A punch in the repeated hour at fall-back is placed by its instant: the same wall time
    // twice, with two offsets.
    let first = show(utc(2026, 11, 1, 5, 30), Zone::Named("America/New_York"));
    let second = show(utc(2026, 11, 1, 6, 30), Zone::Named("America/New_York"));
    assert_eq!(
        (first.text.as_str(), first.offset),
        ("2026-11-01 01:30:00", -4 * 3600)
    );
    assert_eq!(
        (second.text.as_str(), second.offset),
        ("2026-11-01 01:30:00", -5 * 3600)
    );
    // UTC is UTC; a zone the browser does not know counts as UTC (and is labelled so).
    assert_eq!(offset_at(Zone::Utc, utc(2026, 7, 1, 0, 0)), 0);
    assert_eq!(at("Mars/Olympus_Mons", utc(2026, 7, 1, 0, 0)), 0);
    assert!(!tna_console::time::known_zone("Mars/Olympus_Mons"));
    assert!(tna_console::time::known_zone("Europe/Berlin"));
}
