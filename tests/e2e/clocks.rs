//! Device clocks in the browser: devices the emulator put off by minutes are flagged (and only
//! those, at a 60 s threshold); "Select the flagged devices" + "Sync time" brings them within a
//! second of the relay's clock, and the page then shows nothing flagged.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{
    PAGE_WAIT, accept_confirms, js_click, save_screenshot, wait_for_count, wait_for_within,
};

async fn flagged(client: &Client) -> Result<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for row in client
        .find_all(Locator::Css("[data-testid=clock-row][data-drifted=true]"))
        .await?
    {
        out.insert(
            row.attr("data-device-id")
                .await?
                .context("row id")?
                .parse()?,
        );
    }
    Ok(out)
}

pub async fn drift_flagged_and_synced(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let ids = sim.device_ids();
    // Exactly three drifted clocks, whatever the seed gave the others.
    for &id in &ids {
        sim.set_clock_offset(id, 0);
    }
    let drifted: BTreeSet<u32> = [ids[0], ids[3], ids[5]].into();
    sim.set_clock_offset(ids[0], 400);
    sim.set_clock_offset(ids[3], -95);
    sim.set_clock_offset(ids[5], 3_700);

    client.goto(&format!("{}clocks", relay.url())).await?;
    wait_for_count(client, "[data-testid=clock-row]", ids.len()).await?;
    let shown = flagged(client).await?;
    ensure!(shown == drifted, "flagged {shown:?}, drifted {drifted:?}");
    save_screenshot(client, "clocks.png").await?;

    js_click(client, "[data-testid=clock-select-drifted]").await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=clock-sync]").await?;
    wait_for_within(
        client,
        "[data-testid=clock-summary][data-drifted='0']",
        PAGE_WAIT,
    )
    .await
    .context("after sync devices are still flagged")?;
    for &id in &drifted {
        let off = sim.clock_offset(id).context("offset")?;
        ensure!(off.abs() <= 1, "device {id} is {off} s off after sync");
    }
    let synced = client
        .find_all(Locator::Css("[data-testid=clock-result]"))
        .await?;
    let mut n = 0;
    for cell in synced {
        if cell.text().await? == "Synced" {
            n += 1;
        }
    }
    ensure!(
        n == drifted.len(),
        "{n} rows say Synced, {} were synced",
        drifted.len()
    );
    Ok(())
}
