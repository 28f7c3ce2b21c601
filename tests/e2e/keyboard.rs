//! Keyboard use: on every main page, Tab moves through the controls and each focused control
//! shows a visible focus ring; a device opens from the list with Enter, and bulk targets are
//! picked with Space.

use std::time::{Duration, Instant};

use anyhow::{Result, bail, ensure};
use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::Value;
use tna_relay::RunningRelay;

use crate::{PAGE_WAIT, wait_for_count};

/// WebDriver key codes.
const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const SPACE: char = ' ';
/// Tab presses per page: enough to pass the navigation and reach the page's own controls.
const TABS_PER_PAGE: usize = 25;

/// Presses `key` on whatever has focus, as a real keyboard does (WebDriver actions: typing
/// into an element would treat a file input as a file name).
async fn press(client: &Client, key: char) -> Result<()> {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await?;
    Ok(())
}

/// What has focus: its tag, test ID, and whether a focus indicator is drawn (an outline or a
/// box shadow).
async fn focused(client: &Client) -> Result<Value> {
    Ok(client
        .execute(
            "const el = document.activeElement;
             if (!el || el === document.body) { return null; }
             const st = getComputedStyle(el);
             const ring = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0)
               || (st.boxShadow && st.boxShadow !== 'none');
             return {tag: el.tagName, testid: el.dataset.testid || '', text: (el.textContent || el.value || '').trim().slice(0, 40), ring};",
            vec![],
        )
        .await?)
}

pub async fn tab_focus_and_keys(client: &Client, relay: &RunningRelay) -> Result<()> {
    for page in ["", "bulk", "drift", "logs", "live", "clocks"] {
        client.goto(&format!("{}{page}", relay.url())).await?;
        // Let the page load its data (its controls are rendered then).
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut reached = 0;
        for _ in 0..TABS_PER_PAGE {
            press(client, TAB).await?;
            let f = focused(client).await?;
            if f.is_null() {
                continue;
            }
            reached += 1;
            ensure!(
                f["ring"] == true,
                "/{page}: the focused control shows no focus ring: {f}"
            );
        }
        ensure!(reached > 3, "/{page}: Tab reached only {reached} controls");
    }

    // Devices: Tab to the first device link, Enter opens the device.
    client.goto(relay.url().as_str()).await?;
    wait_for_count(client, "[data-testid=device-link]", 1).await?;
    let mut on_link = false;
    for _ in 0..TABS_PER_PAGE * 2 {
        press(client, TAB).await?;
        if focused(client).await?["testid"] == "device-link" {
            on_link = true;
            break;
        }
    }
    ensure!(on_link, "Tab never reached a device link");
    press(client, ENTER).await?;
    wait_path(client, "/devices/").await?;

    // Bulk: Tab to the first target checkbox, Space ticks it.
    client.goto(&format!("{}bulk", relay.url())).await?;
    wait_for_count(client, "[data-testid=bulk-select]", 1).await?;
    let mut ticked = false;
    for _ in 0..TABS_PER_PAGE * 2 {
        press(client, TAB).await?;
        if focused(client).await?["testid"] == "bulk-select" {
            press(client, SPACE).await?;
            let checked = client
                .execute("return document.activeElement.checked;", vec![])
                .await?;
            ensure!(checked == true, "Space did not tick the checkbox");
            ticked = true;
            break;
        }
    }
    ensure!(ticked, "Tab never reached a bulk target checkbox");
    let summary = client
        .find(fantoccini::Locator::Css("[data-testid=bulk-selected]"))
        .await?
        .text()
        .await?;
    ensure!(summary.contains('1'), "selection not counted: {summary:?}");
    Ok(())
}

/// Waits until the page's path starts with `prefix`.
async fn wait_path(client: &Client, prefix: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let path = client.execute("return location.pathname;", vec![]).await?;
        if path.as_str().is_some_and(|p| p.starts_with(prefix)) {
            return Ok(());
        }
        if started.elapsed() > PAGE_WAIT {
            bail!("still on {path} after Enter");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
