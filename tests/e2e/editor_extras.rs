//! The editor's and Bulk page's remaining promises end to end: leaving with unsaved edits asks
//! first (and keeps the edits when the user stays); Export writes the device's config as JSON; on
//! a device without a keypad the modes that need one are disabled with the reason; a failed Save
//! shows the device's error and keeps the edits; the editor's unsaved draft can be a bulk source;
//! Cancel stops a bulk apply between batches and what was not sent is marked so (and unwritten).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;
use tna_types::ConfigFile;

use crate::{accept_confirms, js_click, set_input, wait_for_count};

/// Opens the editor of `id`'s device page.
async fn open_editor(client: &Client, relay: &RunningRelay, id: u32) -> Result<()> {
    client.goto(&format!("{}devices/{id}", relay.url())).await?;
    wait_for_count(client, "[data-testid=edit-config]", 1).await?;
    js_click(client, "[data-testid=edit-config]").await?;
    wait_for_count(client, "[data-testid=edit-label]", 16).await?;
    Ok(())
}

/// The first simulated T&A device whose type has (or lacks) a keypad, by the relay's own table.
fn tna_device_with_keypad(relay: &RunningRelay, keypad: bool) -> Result<u32> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    sim.device_ids()
        .into_iter()
        .find(|&d| {
            sim.tna_supported(d) == Some(true)
                && sim
                    .device_type(d)
                    .and_then(tna_relay::gsdk::device::has_keypad)
                    == Some(keypad)
        })
        .with_context(|| format!("the emulator has no T&A device with keypad = {keypad}"))
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

/// Clicks the device page's Export and returns the file it offers (read from the Blob the page
/// makes, so no download dialog is involved).
pub async fn export_file(client: &Client) -> Result<String> {
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
    loop {
        let v = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 if (!window.__blobs.length) { done(null); return; }
                 window.__blobs[0].text().then(done);",
                vec![],
            )
            .await?;
        if let Some(t) = v.as_str() {
            return Ok(t.to_string());
        }
        if started.elapsed() > Duration::from_secs(10) {
            bail!("Export produced no file");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn export_writes_the_device_config(client: &Client, relay: &RunningRelay) -> Result<()> {
    let id = first_tna_device(relay)?;
    client.goto(&format!("{}devices/{id}", relay.url())).await?;
    wait_for_count(client, "[data-testid=export-config]", 1).await?;
    let text = export_file(client).await?;
    let file = ConfigFile::parse(&text).context("the export is a config file")?;
    let from = file.device.context("the export names its device")?;
    let sim = relay.demo_gateway().context("demo gateway")?;
    ensure!(from.device_id == id, "exported from {}", from.device_id);
    let device_type = sim.device_type(id).context("the device's type")?;
    let type_name = tna_relay::gsdk::device::type_name(device_type);
    ensure!(
        from.product == tna_types::product_name(&type_name),
        "product {:?} for {type_name}",
        from.product
    );
    let exported = file.config;
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
    let id = tna_device_with_keypad(relay, false)?;
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

/// Selects `ids` on the Bulk page (T&A filter on).
async fn select_targets(client: &Client, ids: &[u32]) -> Result<()> {
    wait_for_count(client, "[data-testid=bulk-device-row]", 1).await?;
    crate::set_select(client, "[data-testid=filter-tna]", "yes").await?;
    for id in ids {
        js_click(
            client,
            &format!("[data-testid=bulk-select][data-device-id='{id}']"),
        )
        .await?;
    }
    Ok(())
}

pub async fn editor_draft_is_a_bulk_source(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let tna: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(tna.len() >= 3, "need three T&A devices");
    let (source, targets) = (tna[0], &tna[1..3]);
    open_editor(client, relay, source).await?;
    set_input(
        client,
        "[data-testid=edit-label][data-key='5']",
        "Draft only",
    )
    .await?;
    // Leave through the app's own link (a reload would drop the draft) and confirm leaving.
    client
        .execute("window.confirm = () => true;", vec![])
        .await?;
    js_click(client, "a[href='/bulk']").await?;
    select_targets(client, targets).await?;
    js_click(client, "[data-testid=source-draft]").await?;
    wait_for_count(client, "[data-testid=source-ready]", 1)
        .await
        .context("the editor's draft is offered as the source")?;
    js_click(client, "[data-testid=bulk-preview]").await?;
    wait_for_count(client, "[data-testid=preview-row]", targets.len()).await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=bulk-apply]").await?;
    wait_for_count(
        client,
        "[data-testid=result-row][data-state=ok][data-reread=matches]",
        targets.len(),
    )
    .await
    .context("the draft was applied to both targets")?;
    for &id in targets {
        let held = sim.tna_config(id).context("device config")?;
        ensure!(
            held.labels[4] == "Draft only",
            "device {id}: {:?}",
            held.labels
        );
    }
    let source_held = sim.tna_config(source).context("source config")?;
    ensure!(
        source_held.labels[4] != "Draft only",
        "the draft was never saved to its own device"
    );
    Ok(())
}

pub async fn bulk_cancel_stops_between_batches(
    client: &Client,
    relay: &RunningRelay,
) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let targets: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .take(20)
        .collect();
    ensure!(targets.len() == 20, "need 20 T&A devices (two batches)");
    // Slow devices: each batch takes about two seconds (read, then write), time enough to cancel
    // while the first is out.
    for &id in &targets {
        sim.set_latency(id, Duration::from_millis(1_000));
    }
    // Fixed mode: every device can take it, keypad or not.
    let mut cfg = tna_types::TnaConfig {
        mode: tna_types::TnaMode::Fixed,
        key: tna_types::TnaKey::new(1).ok(),
        ..Default::default()
    };
    cfg.labels[0] = "Cancelled run".into();

    client.goto(&format!("{}bulk", relay.url())).await?;
    select_targets(client, &targets).await?;
    let dir = crate::e2e::bulk::use_file_source(client, &cfg, "cancel").await?;
    js_click(client, "[data-testid=bulk-preview]").await?;
    wait_for_count(client, "[data-testid=preview-row]", targets.len()).await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=bulk-apply]").await?;
    js_click(client, "[data-testid=bulk-cancel]").await?;
    wait_for_count(client, "[data-testid=result-row][data-state=notSent]", 1)
        .await
        .context("cancel leaves devices not sent")?;
    let rows = wait_for_count(client, "[data-testid=result-row]", targets.len()).await?;
    ensure!(rows == targets.len(), "{rows} result rows");
    let mut written = 0;
    for &id in &targets {
        let row = client
            .find(Locator::Css(&format!(
                "[data-testid=result-row][data-device-id='{id}']"
            )))
            .await?;
        let state = row.attr("data-state").await?.unwrap_or_default();
        let held = sim.tna_config(id).context("device config")?;
        let has = held.labels[0] == "Cancelled run";
        match state.as_str() {
            "ok" => {
                ensure!(has, "device {id} reported ok but does not hold the config");
                written += 1;
            }
            "notSent" => ensure!(!has, "device {id} was not sent but holds the config"),
            other => bail!("device {id}: unexpected state {other}"),
        }
    }
    // With k batches in flight (the shared schedule: two batches of 10 go one at a time), Cancel
    // lets at most those k finish.
    let plan = tna_types::bulk::Run::new(&targets, tna_types::bulk::WINDOW);
    let first_wave = plan.window() * plan.batch_size();
    ensure!(
        (1..=first_wave).contains(&written) && written < targets.len(),
        "cancel lets at most the {first_wave} devices in flight finish ({written} written)"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

pub async fn failed_save_shows_the_error_and_keeps_edits(
    client: &Client,
    relay: &RunningRelay,
) -> Result<()> {
    let id = first_tna_device(relay)?;
    let sim = relay.demo_gateway().context("demo gateway")?;
    let before = sim.tna_config(id).context("device config")?;
    sim.fail_set_config(id, true);
    open_editor(client, relay, id).await?;
    let first = "[data-testid=edit-label][data-key='1']";
    set_input(client, first, "Will not stick").await?;
    js_click(client, "[data-testid=editor-save]").await?;
    wait_for_count(
        client,
        "[data-testid=tna-editor] [data-testid=error-banner]",
        1,
    )
    .await
    .context("the device's error is shown")?;
    let message = client
        .find(Locator::Css(
            "[data-testid=tna-editor] [data-testid=error-message]",
        ))
        .await?
        .text()
        .await?;
    ensure!(!message.trim().is_empty(), "an error message is shown");
    let value = client
        .find(Locator::Css(first))
        .await?
        .prop("value")
        .await?;
    ensure!(
        value.as_deref() == Some("Will not stick"),
        "the edit is kept after the failure: {value:?}"
    );
    let held = sim.tna_config(id).context("device config")?;
    ensure!(held == before, "the device's config is unchanged");
    sim.fail_set_config(id, false);
    Ok(())
}

pub async fn controls_follow_the_mode_and_schedules_are_picked_by_name(
    client: &Client,
    relay: &RunningRelay,
) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    // A device with a keypad, so every mode can be chosen.
    let id = tna_device_with_keypad(relay, true)?;
    open_editor(client, relay, id).await?;
    let save = client
        .find(Locator::Css("[data-testid=editor-save]"))
        .await?;
    ensure!(
        save.attr("disabled").await?.is_some(),
        "Save is disabled while nothing changed"
    );
    let disabled = |css: &'static str| async move {
        let el = client.find(Locator::Css(css)).await?;
        anyhow::Ok(el.attr("disabled").await?.is_some())
    };
    js_click(client, "[data-testid=mode-byUser]").await?;
    ensure!(
        disabled("[data-testid=edit-fixed-key]").await?,
        "fixed key off in By user"
    );
    ensure!(
        !disabled("[data-testid=edit-required]").await?,
        "T&A required on in By user"
    );
    js_click(client, "[data-testid=mode-fixed]").await?;
    ensure!(
        !disabled("[data-testid=edit-fixed-key]").await?,
        "fixed key on in Fixed"
    );
    ensure!(
        disabled("[data-testid=edit-required]").await?,
        "T&A required off in Fixed"
    );

    // By schedule, KEY_3 follows the schedule picked by its name.
    js_click(client, "[data-testid=mode-bySchedule]").await?;
    let select = "[data-testid=edit-schedule][data-key='3']";
    let options = client
        .find(Locator::Css(select))
        .await?
        .find_all(Locator::Css("option"))
        .await?;
    let mut picked = None;
    for o in &options {
        let text = o.text().await?;
        let value = o.attr("value").await?.unwrap_or_default();
        if text.contains("Office hours") {
            picked = Some(value.clone());
        }
    }
    let value = picked.context("the schedule list offers \"Office hours\" by name")?;
    crate::set_select(client, select, &value).await?;
    js_click(client, "[data-testid=editor-save]").await?;
    wait_for_count(client, "[data-testid=save-ok]", 1)
        .await
        .context("saved")?;
    let held = sim.tna_config(id).context("device config")?;
    ensure!(
        held.mode == 2,
        "By schedule on the device, got mode {}",
        held.mode
    );
    ensure!(
        held.schedules[2].to_string() == value,
        "KEY_3 follows schedule {value}, device holds {:?}",
        held.schedules
    );
    Ok(())
}
