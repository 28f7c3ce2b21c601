//! Job codes end to end: switch useJobCode (read back after a reload), edit a user's job codes
//! (a 17-character label blocks Save with a message next to the field), save, and copy them to
//! another device with a per-device result.

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{accept_confirms, js_click, set_input, wait_for_count, wait_gone};

pub async fn job_codes_flow(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay
        .demo_gateway()
        .context("the relay runs a demo gateway")?;
    let jc: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.job_code_supported(d) == Some(true) && sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(jc.len() >= 2, "need 2 job-code devices, have {}", jc.len());
    // Devices hold the emulated workforce's people who call them home: pick a device whose first
    // user (the one edited below) is enrolled on another job-code device too (the copy's peer).
    let enrolled = |d: u32| -> Vec<String> {
        let mut ids: Vec<String> = sim
            .plan()
            .people()
            .iter()
            .map(|p| p.user_id.clone())
            .filter(|u| sim.user_job_codes(d, u).is_some())
            .collect();
        ids.sort();
        ids
    };
    let (id, peer) = jc
        .iter()
        .find_map(|&a| {
            let first = enrolled(a).into_iter().next()?;
            jc.iter()
                .find(|&&b| b != a && sim.user_job_codes(b, &first).is_some())
                .map(|&b| (a, b))
        })
        .context("two job-code devices sharing a device's first user")?;
    let page = format!("{}devices/{id}", relay.url());
    client.goto(&page).await?;
    wait_for_count(client, "[data-testid=jobcode-user]", 1).await?;

    // useJobCode: flip it, reload, and the device reports the new value.
    wait_for_count(client, "[data-testid=jobcode-use]:not([disabled])", 1).await?;
    let checked = |c: &Client| {
        let c = c.clone();
        async move {
            c.execute(
                "return document.querySelector('[data-testid=jobcode-use]').checked;",
                vec![],
            )
            .await
            .map(|v| v == serde_json::Value::Bool(true))
        }
    };
    let before = checked(client).await?;
    js_click(client, "[data-testid=jobcode-use]").await?;
    wait_for_count(client, "[data-testid=jobcode-use]:not([disabled])", 1).await?;
    client.goto(&page).await?;
    wait_for_count(client, "[data-testid=jobcode-use]:not([disabled])", 1).await?;
    ensure!(
        checked(client).await? != before,
        "useJobCode did not change on the device"
    );

    // Edit the first user's job codes.
    let user = client
        .find(Locator::Css("[data-testid=jobcode-user]"))
        .await?
        .attr("data-user-id")
        .await?
        .context("user id")?;
    ensure!(
        sim.user_job_codes(peer, &user).is_some(),
        "user {user} (first on device {id}) is not enrolled on {peer}"
    );
    js_click(client, "[data-testid=jobcode-edit]").await?;
    wait_for_count(client, "[data-testid=jobcode-editor]", 1).await?;
    js_click(client, "[data-testid=jobcode-add]").await?;
    let n = client
        .find_all(Locator::Css("[data-testid=jobcode-row]"))
        .await?
        .len();
    let last = format!("[data-testid=jobcode-row][data-index='{}']", n - 1);
    set_input(
        client,
        &format!("{last} [data-testid=jobcode-code]"),
        "4242",
    )
    .await?;
    set_input(
        client,
        &format!("{last} [data-testid=jobcode-label]"),
        &"j".repeat(17),
    )
    .await?;
    wait_for_count(
        client,
        &format!(
            "[data-testid=field-error][data-field='jobCodes[{}].label']",
            n - 1
        ),
        1,
    )
    .await
    .context("no error next to a 17-character label")?;
    ensure!(
        client
            .find(Locator::Css("[data-testid=jobcode-save]"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "Save must be disabled"
    );
    set_input(
        client,
        &format!("{last} [data-testid=jobcode-label]"),
        "E2E 작업",
    )
    .await?;
    wait_gone(
        client,
        "[data-testid=jobcode-editor] [data-testid=field-error]",
    )
    .await?;
    js_click(client, "[data-testid=jobcode-save]").await?;
    wait_for_count(client, "[data-testid=jobcode-saved]", 1)
        .await
        .context("job codes not saved")?;
    let listed = client
        .find(Locator::Css(&format!(
            "[data-testid=jobcode-user][data-user-id='{user}'] [data-testid=jobcode-list]"
        )))
        .await?
        .text()
        .await?;
    ensure!(listed.contains("4242 E2E 작업"), "list shows {listed:?}");

    // Copy to another device.
    js_click(
        client,
        &format!("[data-testid=jobcode-peer][data-device-id='{peer}']"),
    )
    .await?;
    accept_confirms(client).await?;
    js_click(client, "[data-testid=jobcode-copy]").await?;
    wait_for_count(
        client,
        &format!("[data-testid=jobcode-copy-row][data-device-id='{peer}'][data-state=ok]"),
        1,
    )
    .await
    .context("copy result")?;

    // The peer now holds the user's codes: open it and look.
    client
        .goto(&format!("{}devices/{peer}", relay.url()))
        .await?;
    wait_for_count(client, "[data-testid=jobcode-user]", 1).await?;
    let on_peer = client
        .find(Locator::Css(&format!(
            "[data-testid=jobcode-user][data-user-id='{user}'] [data-testid=jobcode-list]"
        )))
        .await?
        .text()
        .await?;
    ensure!(on_peer.contains("4242 E2E 작업"), "peer shows {on_peer:?}");
    Ok(())
}
