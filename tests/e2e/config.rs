//! The T&A config editor end to end: edit mode and three labels, save, reload and read them back
//! (also from the emulator); a 49-byte label and Fixed without a key block Save with a message
//! next to the field; a bad import file shows an error and writes nothing.

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{js_click, save_screenshot, set_input, set_select, wait_for_count, wait_gone};

/// Mode wire values as the emulator stores them.
const MODE_UNUSED: i32 = 0;
const MODE_FIXED: i32 = 4;

pub async fn editor_flow(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay
        .demo_gateway()
        .context("the relay runs a demo gateway")?;
    let id = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("no simulated T&A device")?;
    let before = sim.tna_config(id).context("device config")?;
    let page = format!("{}devices/{id}", relay.url());
    client.goto(&page).await?;
    wait_for_count(client, "[data-testid=edit-config]", 1).await?;
    client
        .find(Locator::Css("[data-testid=edit-config]"))
        .await?
        .click()
        .await?;
    wait_for_count(client, "[data-testid=tna-editor]", 1).await?;
    ensure!(
        wait_for_count(client, "[data-testid=edit-label]", 16).await? == 16,
        "16 label inputs"
    );

    // Change the mode and three labels.
    let (mode_name, mode_wire) = if before.mode == MODE_FIXED {
        ("unused", MODE_UNUSED)
    } else {
        ("fixed", MODE_FIXED)
    };
    client
        .find(Locator::Css(&format!("[data-testid=mode-{mode_name}]")))
        .await?
        .click()
        .await?;
    if mode_wire == MODE_FIXED {
        set_select(client, "[data-testid=edit-fixed-key]", "2").await?;
    }
    let labels = ["E2E In", "E2E 퇴근", "E2E Break"];
    for (i, l) in labels.iter().enumerate() {
        set_input(
            client,
            &format!("[data-testid=edit-label][data-key='{}']", i + 1),
            l,
        )
        .await?;
    }
    let bytes = client
        .find(Locator::Css("[data-testid=label-bytes]"))
        .await?
        .text()
        .await?;
    ensure!(
        bytes.starts_with("6 / 48"),
        "byte counter of KEY_1: {bytes}"
    );
    let save = client
        .find(Locator::Css("[data-testid=editor-save]"))
        .await?;
    ensure!(
        save.attr("disabled").await?.is_none(),
        "Save is enabled for a valid, changed config"
    );
    save.click().await?;
    wait_for_count(client, "[data-testid=save-ok]", 1)
        .await
        .context("no 'saved' note after Save")?;
    save_screenshot(client, "config-saved.png").await?;

    // Reload: the values come back from the device.
    client.goto(&page).await?;
    wait_for_count(client, "[data-testid=key-row]", 16).await?;
    let mode = client
        .find(Locator::Css("[data-testid=tna-mode]"))
        .await?
        .attr("data-mode")
        .await?;
    ensure!(
        mode.as_deref() == Some(mode_name),
        "mode after reload: {mode:?}"
    );
    let cells = client
        .find_all(Locator::Css("[data-testid=key-label]"))
        .await?;
    for (i, l) in labels.iter().enumerate() {
        let text = cells[i].text().await?;
        ensure!(
            text.trim() == *l,
            "label of KEY_{} after reload: {text:?}",
            i + 1
        );
    }
    let stored = sim.tna_config(id).context("device config")?;
    ensure!(stored.mode == mode_wire, "emulator mode {}", stored.mode);
    ensure!(
        stored.labels[..3] == labels.map(String::from),
        "emulator labels {:?}",
        &stored.labels[..3]
    );

    // Invalid edits block Save with a message next to the field.
    client
        .find(Locator::Css("[data-testid=edit-config]"))
        .await?
        .click()
        .await?;
    wait_for_count(client, "[data-testid=tna-editor]", 1).await?;
    set_input(
        client,
        "[data-testid=edit-label][data-key='1']",
        &"a".repeat(49),
    )
    .await?;
    wait_for_count(
        client,
        "[data-testid=field-error][data-field='labels[0]']",
        1,
    )
    .await
    .context("no error next to a 49-byte label")?;
    ensure!(
        client
            .find(Locator::Css("[data-testid=editor-save]"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "Save must be disabled with a 49-byte label"
    );
    set_input(client, "[data-testid=edit-label][data-key='1']", "ok").await?;
    wait_gone(client, "[data-testid=field-error][data-field='labels[0]']").await?;
    client
        .find(Locator::Css("[data-testid=mode-fixed]"))
        .await?
        .click()
        .await?;
    set_select(client, "[data-testid=edit-fixed-key]", "").await?;
    wait_for_count(client, "[data-testid=field-error][data-field=key]", 1)
        .await
        .context("no error next to the fixed key")?;
    ensure!(
        client
            .find(Locator::Css("[data-testid=editor-save]"))
            .await?
            .attr("disabled")
            .await?
            .is_some(),
        "Save must be disabled in Fixed mode without a key"
    );
    save_screenshot(client, "config-invalid.png").await?;
    client
        .find(Locator::Css("[data-testid=editor-cancel]"))
        .await?
        .click()
        .await?;

    // A bad import file: an error, and nothing written.
    let held = sim.tna_config(id);
    let dir = std::env::temp_dir().join(format!("tna-e2e-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let not_config = dir.join("not-config.json");
    std::fs::write(&not_config, r#"{"mode":"fixed","labels":["a"]}"#)?;
    let mut too_long = serde_json::to_value(tna_types::TnaConfig::default())?;
    too_long["labels"][4] = serde_json::Value::String("x".repeat(49));
    let invalid = dir.join("invalid.json");
    std::fs::write(&invalid, too_long.to_string())?;

    for (file, field) in [(&not_config, None), (&invalid, Some("labels[4]"))] {
        client
            .find(Locator::Css("[data-testid=import-file]"))
            .await?
            .send_keys(&file.display().to_string())
            .await?;
        wait_for_count(client, "[data-testid=import-error]", 1)
            .await
            .with_context(|| format!("no error for {}", file.display()))?;
        if let Some(field) = field {
            wait_for_count(
                client,
                &format!("[data-testid=import-error] [data-field='{field}']"),
                1,
            )
            .await?;
        }
        ensure!(
            client
                .find_all(Locator::Css("[data-testid=import-apply]"))
                .await?
                .is_empty(),
            "a bad file cannot be loaded"
        );
        js_click(client, "[data-testid=import-discard]").await?;
        wait_gone(client, "[data-testid=import-panel]").await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    ensure!(
        sim.tna_config(id) == held,
        "a bad import wrote to the device"
    );
    ensure!(
        client
            .find_all(Locator::Css("[data-testid=tna-editor]"))
            .await?
            .is_empty(),
        "a bad import does not open the editor"
    );
    Ok(())
}
