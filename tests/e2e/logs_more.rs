//! The Logs page beyond one device: job-code logs of every job-code device with each code's
//! label (per user, from the device), and a multi-device "Load all" that is cancelled mid-way
//! and then resumed from the cursors without repeating or skipping a record.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{PAGE_WAIT, ensure_absent, js_click, set_select, wait_for_count, wait_for_within};

/// Per-call latency while the read is to be cancelled: slow enough to click Cancel between
/// pages on a busy machine.
const SLOW: Duration = Duration::from_millis(400);

/// The device IDs of the page's device checkboxes.
async fn listed_devices(client: &Client) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    for el in client
        .find_all(Locator::Css("[data-testid=logs-device]"))
        .await?
    {
        let id = el
            .attr("data-device-id")
            .await?
            .context("a device checkbox has no data-device-id")?;
        ids.push(id.parse()?);
    }
    Ok(ids)
}

/// `data-loaded` of the record count.
async fn loaded(client: &Client) -> Result<usize> {
    Ok(client
        .find(Locator::Css("[data-testid=logs-count]"))
        .await?
        .attr("data-loaded")
        .await?
        .unwrap_or_default()
        .parse()?)
}

/// Job-code log of every job-code device: exactly the emulator's records, each code shown with
/// the label its user gave it on that device.
pub async fn job_code_labels(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    client.goto(&format!("{}logs", relay.url())).await?;
    wait_for_count(client, "[data-testid=logs-device]", 1).await?;
    set_select(client, "[data-testid=logs-kind]", "job").await?;
    // The list now holds the job-code devices only.
    let started = Instant::now();
    let devices = loop {
        let ids = listed_devices(client).await?;
        if !ids.is_empty() && ids.iter().all(|&d| sim.job_code_supported(d) == Some(true)) {
            break ids;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "the job-code log lists {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let expected: usize = devices
        .iter()
        .map(|&d| sim.job_code_logs(d, 0, u32::MAX).map_or(0, |l| l.len()))
        .sum();
    ensure!(expected > 0, "the emulator has job-code logs");
    js_click(client, "[data-testid=logs-device-all]").await?;
    js_click(client, "[data-testid=logs-load-all]").await?;
    wait_for_within(client, "[data-testid=logs-complete]", PAGE_WAIT).await?;
    let got = loaded(client).await?;
    ensure!(
        got == expected,
        "load all of {} job-code devices shows {got} records, the emulator has {expected}",
        devices.len()
    );

    // Every job cell: "code · label" with the user's label on that device, the code alone
    // where the label is empty. Labels arrive after the rows, so wait for them.
    let started = Instant::now();
    loop {
        let mut labelled = 0;
        let mut wrong = Vec::new();
        for row in client
            .find_all(Locator::Css("[data-testid=log-row]"))
            .await?
        {
            let device: u32 = row
                .attr("data-device-id")
                .await?
                .context("row without device")?
                .parse()?;
            let user = row
                .find(Locator::Css("[data-testid=log-user]"))
                .await?
                .text()
                .await?;
            let cell = row.find(Locator::Css("[data-testid=log-key]")).await?;
            let code: u32 = cell
                .attr("data-job-code")
                .await?
                .context("a job-code row without its code")?
                .parse()?;
            let label = sim
                .user_job_codes(device, user.trim())
                .and_then(|codes| codes.into_iter().find(|j| j.code == code))
                .map(|j| j.label)
                .unwrap_or_default();
            let want = if label.is_empty() {
                code.to_string()
            } else {
                labelled += 1;
                format!("{code} · {label}")
            };
            let shown = cell.text().await?;
            if shown.trim() != want {
                wrong.push(format!("{device}/{user}: {shown:?} ≠ {want:?}"));
            }
        }
        if wrong.is_empty() && labelled > 0 {
            return Ok(());
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "job-code labels wrong or absent ({labelled} labelled): {wrong:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// "Load all" over every T&A device, cancelled after the first pages: nothing more arrives and
/// the read is not complete; "Load all" again finishes with exactly the emulator's records.
pub async fn cancel_and_resume(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    client.goto(&format!("{}logs", relay.url())).await?;
    wait_for_count(client, "[data-testid=logs-device]", 2).await?;
    let devices = listed_devices(client).await?;
    ensure!(devices.len() >= 4, "need 4 T&A devices, have {devices:?}");
    let expected: usize = devices.iter().map(|&d| sim.log_count(d).unwrap_or(0)).sum();
    for &d in &devices {
        sim.set_latency(d, SLOW);
    }
    js_click(client, "[data-testid=logs-device-all]").await?;
    // Per-device reads (the relay's archive would answer without touching the slow devices).
    crate::set_select(client, "[data-testid=logs-source]", "devices").await?;
    js_click(client, "[data-testid=logs-load-all]").await?;

    // Cancel once the first device's page is in.
    let started = Instant::now();
    loop {
        if loaded(client).await? > 0 {
            break;
        }
        ensure!(started.elapsed() < PAGE_WAIT, "no page arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    js_click(client, "[data-testid=logs-cancel]").await?;
    let at_cancel = loaded(client).await?;
    ensure_absent(
        client,
        "[data-testid=logs-progress]",
        "the progress bar stays after Cancel",
    )
    .await?;
    // Pages on their way when Cancel was clicked are dropped: nothing more arrives.
    tokio::time::sleep(SLOW * 3).await;
    let after = loaded(client).await?;
    ensure!(
        after == at_cancel,
        "records kept arriving after Cancel: {at_cancel} → {after}"
    );
    ensure!(
        after < expected,
        "the read finished ({after} of {expected}) before Cancel: the test proves nothing"
    );
    ensure_absent(
        client,
        "[data-testid=logs-complete]",
        "a cancelled read is shown as complete",
    )
    .await?;

    // Resume at full speed from each device's cursor.
    for &d in &devices {
        sim.set_latency(d, Duration::ZERO);
    }
    js_click(client, "[data-testid=logs-load-all]").await?;
    wait_for_within(client, "[data-testid=logs-complete]", PAGE_WAIT).await?;
    let total = loaded(client).await?;
    ensure!(
        total == expected,
        "after cancel and resume {total} records are loaded, the {} devices store {expected}",
        devices.len()
    );
    // No record twice: the count equals the stored total and every shown (device, ID) differs.
    let ids = client
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=log-row]'))
                .map(r => r.dataset.deviceId + '/' + r.dataset.eventId);",
            vec![],
        )
        .await?;
    let ids: Vec<String> = serde_json::from_value(ids)?;
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    ensure!(unique.len() == ids.len(), "a row is shown twice: {ids:?}");
    Ok(())
}
