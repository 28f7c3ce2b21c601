//! The editor's remaining promises end to end: leaving with unsaved edits asks first (and keeps
//! the edits when the user stays), Export writes the device's config as JSON, and on a device
//! without a keypad the modes that need one are disabled with the reason.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;
use tna_types::TnaConfig;

use crate::{js_click, set_input, wait_for_count};

/// Opens the editor of `id`'s device page.
async fn open_editor(client: &Client, relay: &RunningRelay, id: u32) -> Result<()> {
    client.goto(&format!("{}devices/{id}", relay.url())).await?;
    wait_for_count(client, "[data-testid=edit-config]", 1).await?;
    js_click(client, "[data-testid=edit-config]").await?;
    wait_for_count(client, "[data-testid=edit-label]", 16).await?;
    Ok(())
}

fn first_tna_device(relay: &RunningRelay) -> Result<u32> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    sim.device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("no simulated T&A device")
}

pub async fn unsaved_edits_ask_before_leaving(client: &Client, relay: &RunningRelay) -> Result<()> {
    let id = first_tna_device(relay)?;
    open_editor(client, relay, id).await?;
    let first = "[data-testid=edit-label][data-key='1']";
    set_input(client, first, "Unsaved edit").await?;
    // The prompt is window.confirm: record it and answer "stay".
    client
        .execute(
            "window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return false; };",
            vec![],
        )
        .await?;
    js_click(client, "[data-testid=back-link]").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = client
        .execute("return window.__asked.length;", vec![])
        .await?
        .as_u64()
        .unwrap_or(0);
    ensure!(asked == 1, "leaving with unsaved edits asked {asked} times");
    let value = client
        .find(Locator::Css(first))
        .await
        .context("still on the editor after choosing to stay")?
        .prop("value")
        .await?;
    ensure!(
        value.as_deref() == Some("Unsaved edit"),
        "the edit is kept: {value:?}"
    );
    // Now answer "leave": the link is followed.
    client
        .execute(
            "window.confirm = (m) => { window.__asked.push(m); return true; };",
            vec![],
        )
        .await?;
    js_click(client, "[data-testid=back-link]").await?;
    wait_for_count(client, "[data-testid=device-table]", 1).await?;
    let sim = relay.demo_gateway().context("demo gateway")?;
    let held = sim.tna_config(id).context("device config")?;
    ensure!(
        held.labels.first().map(String::as_str) != Some("Unsaved edit"),
        "nothing was written"
    );
    Ok(())
}

pub async fn export_writes_the_device_config(client: &Client, relay: &RunningRelay) -> Result<()> {
    let id = first_tna_device(relay)?;
    client.goto(&format!("{}devices/{id}", relay.url())).await?;
    wait_for_count(client, "[data-testid=export-config]", 1).await?;
    client
        .execute(
            "window.__blobs = [];
             const orig = URL.createObjectURL.bind(URL);
             URL.createObjectURL = (b) => { window.__blobs.push(b); return orig(b); };",
            vec![],
        )
        .await?;
    js_click(client, "[data-testid=export-config]").await?;
    let started = Instant::now();
    let text = loop {
        let v = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 if (!window.__blobs.length) { done(null); return; }
                 window.__blobs[0].text().then(done);",
                vec![],
            )
            .await?;
        if let Some(t) = v.as_str() {
            break t.to_string();
        }
        if started.elapsed() > Duration::from_secs(10) {
            bail!("Export produced no file");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let exported: TnaConfig = serde_json::from_str(&text).context("the export is a TnaConfig")?;
    let sim = relay.demo_gateway().context("demo gateway")?;
    let held = sim.tna_config(id).context("device config")?;
    ensure!(
        exported.mode.wire() == held.mode,
        "mode {:?} vs device {}",
        exported.mode,
        held.mode
    );
    for (i, label) in held.labels.iter().enumerate() {
        ensure!(
            exported.labels[i] == *label,
            "labels[{i}]: {:?} vs {label:?}",
            exported.labels[i]
        );
    }
    Ok(())
}

pub async fn modes_needing_a_keypad_are_disabled(
    client: &Client,
    relay: &RunningRelay,
) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let id = sim
        .device_ids()
        .into_iter()
        .find(|&d| {
            sim.tna_supported(d) == Some(true)
                && sim
                    .device_type(d)
                    .and_then(tna_relay::gsdk::device::has_keypad)
                    == Some(false)
        })
        .context("the emulator has a T&A device without a keypad")?;
    open_editor(client, relay, id).await?;
    for (mode, blocked) in [
        ("byUser", true),
        ("lastChoice", true),
        ("unused", false),
        ("bySchedule", false),
        ("fixed", false),
    ] {
        let input = client
            .find(Locator::Css(&format!("[data-testid=mode-{mode}]")))
            .await
            .with_context(|| format!("mode {mode}"))?;
        let disabled = input.attr("disabled").await?.is_some();
        ensure!(disabled == blocked, "mode {mode}: disabled = {disabled}");
    }
    let reasons = client
        .find_all(Locator::Css("[data-testid=mode-blocked]"))
        .await?;
    ensure!(reasons.len() == 2, "{} reasons shown", reasons.len());
    ensure!(
        !reasons[0].text().await?.trim().is_empty(),
        "the reason is stated"
    );
    Ok(())
}
