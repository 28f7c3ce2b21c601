//! The archive in the browser: the Logs page reads every chosen device's events from the archive
//! (exactly what was stored), and the Archive page lists the cursors, syncs on request, and
//! says so when a device's event IDs started again; a write made in the console (syncing two
//! drifted clocks) appears on the Audit page with its devices and results; the kiosk opened
//! after punches shows them from the archive.

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;
use tna_types::archive::Stream;

use crate::{PAGE_WAIT, accept_confirms, js_click, set_select, wait_for_count, wait_for_within};

pub async fn logs_from_archive_and_sync_page(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sync = relay.archive().context("the relay keeps an archive")?;
    ensure!(
        sync.wait_passes(1, PAGE_WAIT).await,
        "the first sync pass did not end"
    );
    let archive = sync.archive();
    let sim = relay.demo_gateway().context("demo gateway")?;

    // The kiosk, opened after today's punches reached the archive, shows them at once.
    let punched: Vec<(u32, u32)> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .take(2)
        .filter_map(|d| sim.append_punch(d).map(|p| (d, p.id)))
        .collect();
    ensure!(punched.len() == 2, "two punches");
    for &(d, id) in &punched {
        let started = std::time::Instant::now();
        while archive
            .cursor(d, Stream::Tna)
            .await?
            .is_none_or(|c| c.next_event_id <= id)
        {
            ensure!(
                started.elapsed() < PAGE_WAIT,
                "punch {id} of {d} not archived"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    client.goto(&format!("{}kiosk", relay.url())).await?;
    wait_for_within(client, "[data-testid=kiosk][data-today=archive]", PAGE_WAIT)
        .await
        .context("the kiosk did not fill today's board from the archive")?;
    for (d, id) in punched {
        wait_for_within(
            client,
            &format!("[data-testid=kiosk-punch][data-device-id='{d}'][data-event-id='{id}']"),
            PAGE_WAIT,
        )
        .await
        .with_context(|| format!("punch {id} of device {d} is not on the kiosk"))?;
    }

    // Logs, source Archive, every device: the archive's count, and the page says so.
    client.goto(&format!("{}logs", relay.url())).await?;
    wait_for_count(client, "[data-testid=logs-device]", 2).await?;
    js_click(client, "[data-testid=logs-device-all]").await?;
    set_select(client, "[data-testid=logs-source]", "archive").await?;
    wait_for_within(
        client,
        "[data-testid=logs-source-info][data-source=archive]",
        PAGE_WAIT,
    )
    .await
    .context("the page does not say it reads the archive")?;
    js_click(client, "[data-testid=logs-load-all]").await?;
    wait_for_within(client, "[data-testid=logs-complete]", PAGE_WAIT)
        .await
        .context("the archive read did not complete")?;
    let mut stored = 0u64;
    for id in sim.device_ids() {
        stored += archive.stored_count(id, Stream::Tna).await?;
    }
    let shown: u64 = client
        .find(Locator::Css("[data-testid=logs-count]"))
        .await?
        .attr("data-loaded")
        .await?
        .unwrap_or_default()
        .parse()?;
    ensure!(
        shown == stored,
        "the page loaded {shown} of {stored} archived events"
    );

    // The Archive page: one row per cursor; a wiped device is reported after "Sync now".
    client.goto(&format!("{}archive", relay.url())).await?;
    let cursors = archive.cursors().await?.len();
    wait_for_count(client, "[data-testid=sync-row]", cursors).await?;
    let device = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("a T&A device")?;
    let epoch = archive
        .cursor(device, Stream::Tna)
        .await?
        .context("the device has a cursor")?
        .epoch;
    ensure!(sim.reset_log(device), "reset the device's log");
    sim.append_punch(device).context("a punch")?;
    js_click(client, "[data-testid=sync-now]").await?;
    wait_for_within(client, "[data-testid=sync-reset-notice]", PAGE_WAIT)
        .await
        .context("no notice of the event-ID reset")?;
    let epoch_row = format!(
        "[data-testid=sync-row][data-device-id='{device}'][data-stream=tna][data-epoch='{}']",
        epoch + 1
    );
    wait_for_within(client, &epoch_row, PAGE_WAIT)
        .await
        .context("the row does not show the new epoch")?;

    // A write from the console lands in the audit trail.
    let ids = sim.device_ids();
    for &id in &ids {
        sim.set_clock_offset(id, 0);
    }
    let drifted = [ids[0], ids[2]];
    for &id in &drifted {
        sim.set_clock_offset(id, 900);
    }
    client.goto(&format!("{}clocks", relay.url())).await?;
    wait_for_count(client, "[data-testid=clock-row]", ids.len()).await?;
    js_click(client, "[data-testid=clock-select-drifted]").await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=clock-sync]").await?;
    wait_for_within(
        client,
        "[data-testid=clock-summary][data-drifted='0']",
        PAGE_WAIT,
    )
    .await?;
    client.goto(&format!("{}audit", relay.url())).await?;
    wait_for_within(
        client,
        "[data-testid=audit-row][data-method='time.sync']",
        PAGE_WAIT,
    )
    .await
    .context("the clock sync is not in the audit trail")?;
    let row = client
        .find(Locator::Css(
            "[data-testid=audit-row][data-method='time.sync']",
        ))
        .await?;
    ensure!(
        row.attr("data-result").await?.as_deref() == Some("ok"),
        "the audit row does not say the sync succeeded"
    );
    let results = row
        .find(Locator::Css("[data-testid=audit-results]"))
        .await?
        .prop("textContent")
        .await?
        .unwrap_or_default();
    for id in drifted {
        ensure!(
            results.contains(&id.to_string()),
            "device {id} missing from the audit results: {results}"
        );
    }
    Ok(())
}
