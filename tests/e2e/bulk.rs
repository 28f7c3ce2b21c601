//! Bulk apply end to end: 20 T&A devices, 2 made to fail by fault injection → 18 OK and 2 failed
//! with their gRPC code shown (and marked as still differing after the re-read); clear the fault,
//! "Retry failed" → all OK; the emulator holds the config on all 20.

use std::path::PathBuf;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;
use tna_types::TnaConfig;

use crate::{accept_confirms, asked, js_click, save_screenshot, set_select, wait_for_count};

/// Targets of the bulk apply.
const TARGETS: usize = 20;

pub async fn bulk_flow(client: &Client, relay: &RunningRelay, devices: usize) -> Result<()> {
    let sim = relay
        .demo_gateway()
        .context("the relay runs a demo gateway")?;
    let tna: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(
        tna.len() >= TARGETS,
        "need {TARGETS} T&A devices, the emulator has {}",
        tna.len()
    );
    let targets = &tna[..TARGETS];
    let bad = [targets[3], targets[11]];
    for id in bad {
        sim.fail_set_config(id, true);
    }

    // The source: a file with a config no device holds yet.
    let mut cfg = tna_types::TnaConfig {
        mode: tna_types::TnaMode::Fixed,
        key: tna_types::TnaKey::new(3).ok(),
        ..Default::default()
    };
    cfg.labels[0] = "Bulk E2E".into();
    cfg.labels[2] = "벌크 출근".into();

    client.goto(&format!("{}bulk", relay.url())).await?;
    let rows = wait_for_count(client, "[data-testid=bulk-device-row]", devices).await?;
    ensure!(rows == devices, "{rows} device rows, expected {devices}");
    // The T&A filter shows exactly the T&A devices.
    set_select(client, "[data-testid=filter-tna]", "yes").await?;
    let shown = client
        .find_all(Locator::Css("[data-testid=bulk-device-row]"))
        .await?
        .len();
    ensure!(
        shown == tna.len(),
        "T&A filter shows {shown}, expected {}",
        tna.len()
    );
    for id in targets {
        js_click(
            client,
            &format!("[data-testid=bulk-select][data-device-id='{id}']"),
        )
        .await?;
    }
    let selected = client
        .find(Locator::Css("[data-testid=bulk-selected]"))
        .await?
        .text()
        .await?;
    ensure!(
        selected.starts_with(&format!("{TARGETS} selected")),
        "{selected}"
    );

    let dir = use_file_source(client, &cfg, "bulk").await?;
    js_click(client, "[data-testid=bulk-preview]").await?;
    wait_for_count(client, "[data-testid=preview-row]", TARGETS).await?;
    let changes = client
        .find_all(Locator::Css(
            "[data-testid=preview-row][data-state=changes]",
        ))
        .await?
        .len();
    ensure!(
        changes == TARGETS,
        "{changes} of {TARGETS} previews show changes"
    );
    // Above the per-device table, one line per distinct write, with its device count: the
    // counts of the "changes" lines add up to the targets.
    let mut grouped = 0;
    let groups = client
        .find_all(Locator::Css(
            "[data-testid=preview-group][data-state=changes]",
        ))
        .await?;
    for g in &groups {
        grouped += g
            .attr("data-count")
            .await?
            .unwrap_or_default()
            .parse::<usize>()?;
    }
    ensure!(
        grouped == TARGETS && groups.len() <= TARGETS,
        "{} preview groups cover {grouped} of {TARGETS} devices",
        groups.len()
    );

    accept_confirms(client).await?;
    js_click(client, "[data-testid=bulk-apply]").await?;
    let question = asked(client).await?;
    ensure!(
        question.first().is_some_and(|q| q.starts_with(&format!(
            "Apply this T&A configuration to {TARGETS} devices"
        ))),
        "the apply asks first, naming the count: {question:?}"
    );
    wait_for_count(
        client,
        "[data-testid=result-row]:not([data-reread=''])",
        TARGETS,
    )
    .await
    .context("results and re-reads for every target")?;
    save_screenshot(client, "bulk-results.png").await?;
    let ok = client
        .find_all(Locator::Css("[data-testid=result-row][data-state=ok]"))
        .await?
        .len();
    ensure!(ok == TARGETS - 2, "{ok} OK rows, expected {}", TARGETS - 2);
    let failed = client
        .find_all(Locator::Css("[data-testid=result-row][data-state=failed]"))
        .await?;
    ensure!(failed.len() == 2, "{} failed rows", failed.len());
    for row in &failed {
        let id: u32 = row
            .attr("data-device-id")
            .await?
            .context("row id")?
            .parse()?;
        ensure!(
            bad.contains(&id),
            "device {id} failed but was not made to fail"
        );
        let code = row
            .find(Locator::Css("[data-testid=result-code]"))
            .await?
            .text()
            .await?;
        ensure!(code.contains("13"), "device {id}: code {code:?}");
        let message = row
            .find(Locator::Css("[data-testid=result-message]"))
            .await?
            .text()
            .await?;
        ensure!(!message.trim().is_empty(), "device {id}: no message");
        ensure!(
            row.attr("data-reread").await?.as_deref() == Some("differs"),
            "device {id} is not marked as still differing"
        );
    }

    for id in bad {
        sim.fail_set_config(id, false);
    }
    accept_confirms(client).await?;
    js_click(client, "[data-testid=retry-failed]").await?;
    wait_for_count(
        client,
        "[data-testid=result-row][data-state=ok][data-reread=matches]",
        TARGETS,
    )
    .await
    .context("after Retry failed every device is OK and matches")?;
    save_screenshot(client, "bulk-retried.png").await?;

    for &id in targets {
        let held = sim.tna_config(id).context("device config")?;
        ensure!(
            held.mode == 4
                && held.key == 3
                && held.labels[0] == "Bulk E2E"
                && held.labels[2] == "벌크 출근",
            "device {id} holds {held:?}"
        );
    }
    // The audit trail holds each apply once, whatever its number of batches: the first apply
    // (20 devices in 2 batches) and the retry (1 batch) are 2 entries, not 3.
    client.goto(&format!("{}audit", relay.url())).await?;
    let css = "[data-testid=audit-row][data-method='tna.setConfigMulti']";
    let entries = wait_for_count(client, css, 2).await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let entries = entries.max(client.find_all(Locator::Css(css)).await?.len());
    ensure!(entries == 2, "{entries} audit entries for 2 bulk applies");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Writes `cfg` to a temporary JSON file, picks it as the Bulk page's source and waits until the
/// page accepts it. Returns the temporary directory (the caller removes it when done).
pub async fn use_file_source(client: &Client, cfg: &TnaConfig, tag: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("tna-e2e-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("source.json");
    std::fs::write(&file, serde_json::to_string(cfg)?)?;
    js_click(client, "[data-testid=source-file]").await?;
    wait_for_count(client, "[data-testid=source-file-input]", 1).await?;
    client
        .find(Locator::Css("[data-testid=source-file-input]"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    wait_for_count(client, "[data-testid=source-ready]", 1)
        .await
        .context("the source file was not accepted")?;
    Ok(dir)
}
