//! Drift report end to end: every T&A device is given the reference config through the
//! emulator, two are then changed behind the console's back → the report lists exactly those
//! two with the differing fields; "apply the reference" brings them back.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{accept_confirms, js_click, save_screenshot, set_select, wait_for_count};

pub async fn drift_flow(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay
        .demo_gateway()
        .context("the relay runs a demo gateway")?;
    let tna: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(tna.len() >= 4, "need 4 T&A devices, have {}", tna.len());
    let reference_id = tna[0];
    // The reference: Fixed mode (no keypad needed), so every device can take it.
    let mut reference = sim.tna_config(reference_id).context("config")?;
    reference.mode = 4;
    reference.key = 2;
    reference.is_required = false;
    reference.labels[0] = "Drift ref".into();
    for &id in &tna {
        ensure!(sim.set_tna_config(id, reference.clone()), "set {id}");
    }
    // Two devices change behind the console's back.
    let (a, b) = (tna[1], tna[3]);
    let mut changed_a = reference.clone();
    changed_a.labels[0] = "changed at the device".into();
    sim.set_tna_config(a, changed_a);
    let mut changed_b = reference.clone();
    changed_b.mode = 0;
    changed_b.labels[5] = "local edit".into();
    sim.set_tna_config(b, changed_b);

    client.goto(&format!("{}drift", relay.url())).await?;
    wait_for_count(client, "[data-testid=drift-reference-device] option", 2).await?;
    set_select(
        client,
        "[data-testid=drift-reference-device]",
        &reference_id.to_string(),
    )
    .await?;
    wait_for_count(client, "[data-testid=source-ready]", 1).await?;
    js_click(client, "[data-testid=drift-compare]").await?;
    wait_for_count(client, "[data-testid=drift-summary]", 1)
        .await
        .context("no drift report")?;
    save_screenshot(client, "drift.png").await?;
    let rows = client
        .find_all(Locator::Css("[data-testid=drift-row]"))
        .await?;
    let mut listed = BTreeSet::new();
    for row in &rows {
        let id: u32 = row
            .attr("data-device-id")
            .await?
            .context("row id")?
            .parse()?;
        let mut fields = Vec::new();
        for f in row.find_all(Locator::Css("[data-testid=diff-row]")).await? {
            fields.push(f.attr("data-field").await?.unwrap_or_default());
        }
        let want: &[&str] = if id == a {
            &["labels[0]"]
        } else if id == b {
            &["mode", "labels[5]"]
        } else {
            &[]
        };
        ensure!(
            fields == want,
            "device {id}: fields {fields:?}, expected {want:?}"
        );
        listed.insert(id);
    }
    ensure!(
        listed == BTreeSet::from([a, b]),
        "drifted devices listed: {listed:?}, expected {a} and {b}"
    );

    // Apply the reference to the drifted devices through the bulk flow.
    js_click(client, "[data-testid=drift-fix]").await?;
    wait_for_count(client, "[data-testid=preview-row][data-state=changes]", 2).await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=bulk-apply]").await?;
    wait_for_count(
        client,
        "[data-testid=result-row][data-state=ok][data-reread=matches]",
        2,
    )
    .await
    .context("both drifted devices fixed")?;
    for id in [a, b] {
        ensure!(
            sim.tna_config(id).as_ref() == Some(&reference),
            "device {id} does not hold the reference"
        );
    }
    Ok(())
}
