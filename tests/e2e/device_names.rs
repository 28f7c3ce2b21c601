//! Device names: an operator names a device on its page ("Reception entrance", a location and a
//! tag); the page's heading says the name, the device list shows it in its Name column, the
//! list's filter finds the device by a part of its name or by its tag, and the type reads as a
//! product name; the config export carries the name, location and product.

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{PAGE_WAIT, js_click, set_and_fire, wait_for_count, wait_for_within};

pub async fn an_operator_names_a_device(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let device = tna_device_ids!(sim)[0];
    client
        .goto(&format!("{}devices/{device}", relay.url()))
        .await?;
    wait_for_within(client, "[data-testid=edit-name]", PAGE_WAIT).await?;
    js_click(client, "[data-testid=edit-name]").await?;
    wait_for_within(client, "[data-testid=name-form]", PAGE_WAIT).await?;
    set_and_fire(
        client,
        "[data-testid=name-input]",
        "Reception entrance",
        "input",
    )
    .await?;
    set_and_fire(
        client,
        "[data-testid=location-input]",
        "Building A",
        "input",
    )
    .await?;
    set_and_fire(client, "[data-testid=tags-input]", "Lobby, north", "input").await?;
    js_click(client, "[data-testid=save-name]").await?;
    let heading = "[data-testid=device-heading]";
    let started = std::time::Instant::now();
    loop {
        if crate::text_of(client, heading).await.unwrap_or_default() == "Reception entrance" {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "the heading never showed the name: {:?}",
            crate::text_of(client, heading).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    ensure!(crate::text_of(client, "[data-testid=device-location]").await? == "Building A");
    ensure!(
        crate::text_of(client, "[data-testid=device-tags]").await? == "lobby, north",
        "tags are kept lower-cased"
    );
    let product = crate::text_of(client, "[data-testid=device-type]").await?;
    ensure!(
        !product.contains('_'),
        "the type reads as a product name: {product:?}"
    );
    // The config export carries the name, the location and the product.
    let file = tna_types::ConfigFile::parse(&super::editor_extras::export_file(client).await?)
        .context("the export is a config file")?;
    let from = file.device.context("the export names its device")?;
    ensure!(
        from.device_id == device
            && from.name.as_deref() == Some("Reception entrance")
            && from.location.as_deref() == Some("Building A")
            && from.product == product,
        "exported from {from:?}"
    );

    // The list: a Name column, and the filter finds it by name and by tag.
    client.goto(relay.url().as_str()).await?;
    let row =
        format!("[data-testid=device-row][data-device-id='{device}'] [data-testid=device-name]");
    wait_for_within(client, &row, PAGE_WAIT).await?;
    let cell = crate::text_of(client, &row).await?;
    ensure!(
        cell.contains("Reception entrance") && cell.contains("Building A"),
        "{cell:?}"
    );
    wait_for_count(client, "[data-testid=device-row]", 2).await?;
    for words in ["recept", "north"] {
        set_and_fire(client, "[data-testid=device-filter]", words, "input").await?;
        let started = std::time::Instant::now();
        loop {
            let rows = client
                .find_all(Locator::Css("[data-testid=device-row]"))
                .await?;
            let ids = {
                let mut ids = Vec::new();
                for r in &rows {
                    ids.push(r.attr("data-device-id").await?.unwrap_or_default());
                }
                ids
            };
            if ids == [device.to_string()] {
                break;
            }
            ensure!(
                started.elapsed() < PAGE_WAIT,
                "{words:?} shows rows {ids:?}, not only {device}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    Ok(())
}
