//! The kiosk's settings panel: dark theme, a key's direction and the devices shown are set once
//! and survive a reload (the tablet keeps them); with one device chosen, punches of the others
//! stay off the screen; "Show every device" brings them back.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{
    PAGE_WAIT, checked_devices, ensure_absent, js_click, save_screenshot, set_select,
    wait_for_within,
};

/// How long a punch may take to reach the kiosk (the figure).
const PUNCH_WAIT: Duration = Duration::from_secs(2);

fn punch_css(device: u32, id: u32) -> String {
    format!("[data-testid=kiosk-punch][data-device-id='{device}'][data-event-id='{id}']")
}

async fn attr(client: &Client, css: &str, name: &str) -> Result<Option<String>> {
    Ok(client.find(Locator::Css(css)).await?.attr(name).await?)
}

/// The relative luminance (0 black … 1 white) of an element's computed background.
async fn background_luminance(client: &Client, css: &str) -> Result<f64> {
    let rgb = client
        .execute(
            "const c = getComputedStyle(document.querySelector(arguments[0])).backgroundColor;
             return (c.match(/[0-9.]+/g) || []).slice(0, 3).map(Number);",
            vec![serde_json::json!(css)],
        )
        .await?;
    let rgb: Vec<f64> = serde_json::from_value(rgb)?;
    ensure!(rgb.len() == 3, "no background colour on {css}: {rgb:?}");
    Ok((0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255.0)
}

async fn open_settings(client: &Client) -> Result<()> {
    js_click(client, "[data-testid=kiosk-settings]").await?;
    wait_for_within(client, "[data-testid=kiosk-settings-panel]", PAGE_WAIT).await
}

pub async fn settings_persist_and_filter(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    let devices = tna_device_ids!(sim);
    ensure!(devices.len() >= 2, "need two T&A devices: {devices:?}");
    let (kept, hidden) = (devices[0], devices[1]);

    crate::open_kiosk(client, &relay.url()).await?;
    open_settings(client).await?;
    set_select(client, "[data-testid=kiosk-theme]", "dark").await?;
    set_select(
        client,
        "[data-testid=kiosk-direction][data-key='3']",
        "break",
    )
    .await?;
    ensure!(
        attr(client, "[data-testid=kiosk-devices-mode]", "data-all").await? == Some("true".into()),
        "a fresh kiosk shows every device"
    );
    js_click(client, "[data-testid=kiosk-device-none]").await?;
    js_click(
        client,
        &format!("[data-testid=kiosk-device][data-device-id='{kept}']"),
    )
    .await?;
    ensure!(
        attr(client, "[data-testid=kiosk-devices-mode]", "data-all").await? == Some("false".into()),
        "choosing a device did not narrow the kiosk"
    );
    save_screenshot(client, "kiosk-settings.png").await?;

    // A reload keeps all three.
    client.refresh().await?;
    wait_for_within(client, crate::KIOSK_LIVE, PAGE_WAIT).await?;
    ensure!(
        attr(client, "[data-testid=kiosk]", "data-theme").await? == Some("dark".into()),
        "the dark theme was not kept"
    );
    let dark = background_luminance(client, "[data-testid=kiosk]").await?;
    ensure!(
        dark < 0.3,
        "the dark theme's background has luminance {dark:.2}"
    );
    open_settings(client).await?;
    let dir = client
        .execute(
            "return document.querySelector(\"[data-testid=kiosk-direction][data-key='3']\").value;",
            vec![],
        )
        .await?;
    ensure!(dir == "break", "KEY_3's direction after reload: {dir}");
    let checked = checked_devices(client, "kiosk-device").await?;
    ensure!(
        checked == vec![kept],
        "devices after reload: {checked:?}, want [{kept}]"
    );

    // Only the chosen device's punches show.
    wait_for_within(
        client,
        "[data-testid=kiosk-conn][data-watching='1']",
        PAGE_WAIT,
    )
    .await?;
    let other = sim.append_punch(hidden).context("punch")?;
    let mine = sim.append_punch(kept).context("punch")?;
    wait_for_within(client, &punch_css(mine.device_id, mine.id), PUNCH_WAIT)
        .await
        .context("the chosen device's punch did not appear within 2 s")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ensure_absent(
        client,
        &punch_css(other.device_id, other.id),
        "a punch of a device not chosen is on the kiosk",
    )
    .await?;

    // Back to every device: the next punch of the other device shows.
    js_click(client, "[data-testid=kiosk-device-every]").await?;
    ensure!(
        attr(client, "[data-testid=kiosk-devices-mode]", "data-all").await? == Some("true".into()),
        "\"Show every device\" did not reset the choice"
    );
    // Events count from the subscription on: wait until it covers every device again.
    wait_for_within(
        client,
        &format!(
            "[data-testid=kiosk-conn][data-watching='{}']",
            devices.len()
        ),
        PAGE_WAIT,
    )
    .await?;
    let back = sim.append_punch(hidden).context("punch")?;
    wait_for_within(client, &punch_css(back.device_id, back.id), PAGE_WAIT)
        .await
        .context("after \"Show every device\" the other device's punch did not appear")?;
    Ok(())
}

/// A device that was offline when the tablet loaded is watched once it comes online (the
/// status push updates the kiosk's device list), and its punches show.
pub async fn device_coming_online_is_watched(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    let devices = tna_device_ids!(sim);
    let late = *devices.first().context("a T&A device")?;
    sim.set_offline(late, true);
    ensure!(
        relay.status_stream_up(PAGE_WAIT).await,
        "the relay's status stream did not open"
    );
    client.goto(&format!("{}kiosk", relay.url())).await?;
    let fewer = format!(
        "[data-testid=kiosk-conn][data-state=live][data-watching='{}']",
        devices.len() - 1
    );
    wait_for_within(client, &fewer, PAGE_WAIT).await?;
    sim.set_offline(late, false);
    let all = format!(
        "[data-testid=kiosk-conn][data-watching='{}']",
        devices.len()
    );
    wait_for_within(client, &all, PAGE_WAIT)
        .await
        .context("the device that came online is not watched")?;
    let punch = sim.append_punch(late).context("punch")?;
    wait_for_within(client, &punch_css(punch.device_id, punch.id), PUNCH_WAIT)
        .await
        .context("its punch did not appear within 2 s")?;
    Ok(())
}
