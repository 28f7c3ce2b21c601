//! The console's lazy pages (`src/routes.rs`): a page whose own module cannot be fetched (the
//! relay was updated since the tab opened, so the old module is gone) says so and offers a
//! reload; the rest of the console keeps working.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{js_click, repo, save_screenshot, wait_for_count};

/// `dist/` copied into `to`, without the Logs page's own module.
pub fn dist_without_logs(to: &Path) -> Result<()> {
    let from = repo().join("dist");
    let mut removed = 0;
    copy_dir(&from, to, &mut |name| {
        let gone = name.starts_with("split_logs_view");
        removed += usize::from(gone);
        !gone
    })?;
    ensure!(
        removed > 0,
        "{} has no Logs page module (is the bundle split? run `cargo xtask dist`)",
        from.display()
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path, keep: &mut dyn FnMut(&str) -> bool) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &to.join(name.as_ref()), keep)?;
        } else if keep(&name) {
            std::fs::copy(entry.path(), to.join(name.as_ref()))?;
        }
    }
    Ok(())
}

/// Opens Logs (its module missing), then Devices again.
pub async fn missing_module(client: &Client, relay: &RunningRelay) -> Result<()> {
    client.goto(&relay.url()).await?;
    wait_for_count(client, "[data-testid=device-row]", 4).await?;
    js_click(client, "#main-nav a[href='/logs']").await?;
    wait_for_count(client, "[data-testid=page-not-loaded]", 1)
        .await
        .context("the Logs page without its module did not say it could not be loaded")?;
    let reload = client
        .find(Locator::Css("[data-testid=page-not-loaded] button"))
        .await
        .context("no reload button")?;
    ensure!(
        !reload.text().await?.trim().is_empty(),
        "the reload button has no label"
    );
    save_screenshot(client, "page-not-loaded.png").await?;
    // The console is still alive: another page opens.
    js_click(client, "#main-nav a[href='/']").await?;
    let rows = wait_for_count(client, "[data-testid=device-row]", 4).await?;
    ensure!(
        rows == 4,
        "after the failed page, the device list shows {rows} rows"
    );
    Ok(())
}

/// The pointer over the Logs link (no click) fetches the Logs page's module; the page stays.
pub async fn pointing_fetches_the_page(client: &Client, relay: &RunningRelay) -> Result<()> {
    client.goto(&relay.url()).await?;
    wait_for_count(client, "[data-testid=device-row]", 4).await?;
    let before = crate::fetched_wasm(client).await?;
    ensure!(
        !before.iter().any(|f| f.contains("split_logs_view")),
        "the Logs module was fetched before anyone pointed at Logs: {before:?}"
    );
    client
        .execute(
            "document.querySelector(\"#main-nav a[href='/logs']\")\
               .dispatchEvent(new PointerEvent('pointerover', {bubbles: true}));",
            vec![],
        )
        .await?;
    crate::poll("pointing at Logs fetches its module", || async {
        let now = crate::fetched_wasm(client).await?;
        Ok(now.iter().any(|f| f.contains("split_logs_view")))
    })
    .await?;
    let here = client.current_url().await?;
    ensure!(here.path() == "/", "pointing at a link navigated to {here}");
    Ok(())
}
