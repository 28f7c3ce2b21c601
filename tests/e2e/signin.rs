//! Sign-in in the browser: the console shows the sign-in page until someone signs in; a wrong
//! password says so; a viewer gets no Bulk, Drift or Accounts and the relay refuses a write even
//! when the page is reached by its address; an admin creates an account on the Accounts page
//! and makes a pairing code; after sign-out the same browser pairs as a kiosk and sees only the
//! reception screen.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{
    PAGE_WAIT, ensure_absent, js_click, save_screenshot, set_input, set_select, wait_for_count,
    wait_for_within,
};

/// The test accounts' password.
pub const PASSWORD: &str = "e2e-password-123";

/// Opens the relay's sign-in page and signs in as `user`.
pub async fn sign_in(
    client: &Client,
    relay: &RunningRelay,
    user: &str,
    password: &str,
) -> Result<()> {
    client.goto(relay.url().as_str()).await?;
    wait_for_within(client, "[data-testid=signin-page]", PAGE_WAIT).await?;
    set_input(client, "[data-testid=signin-username]", user).await?;
    set_input(client, "[data-testid=signin-password]", password).await?;
    js_click(client, "[data-testid=signin-submit]").await
}

async fn sign_out(client: &Client) -> Result<()> {
    js_click(client, "[data-testid=sign-out]").await?;
    wait_for_within(client, "[data-testid=signin-page]", PAGE_WAIT).await
}

async fn nav_links(client: &Client) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for a in client.find_all(Locator::Css(".app-nav a")).await? {
        out.push(a.text().await?);
    }
    Ok(out)
}

pub async fn flow(client: &Client, relay: &RunningRelay) -> Result<()> {
    // A wrong password: an error, still on the sign-in page.
    sign_in(client, relay, "viewer", "not-the-password").await?;
    wait_for_within(client, "[data-testid=signin-error]", PAGE_WAIT)
        .await
        .context("a wrong password shows no error")?;
    let hint = client
        .find(Locator::Css("[data-testid=signin-hint]"))
        .await?
        .text()
        .await?;
    ensure!(
        hint.contains("accounts"),
        "the relay's hint is shown: {hint:?}"
    );
    save_screenshot(client, "signin.png").await?;

    // A viewer: devices and logs, no writes.
    sign_in(client, relay, "viewer", PASSWORD).await?;
    wait_for_count(client, "[data-testid=device-row]", 1).await?;
    wait_for_within(client, "[data-testid=who][data-role=viewer]", PAGE_WAIT).await?;
    let links = nav_links(client).await?;
    ensure!(
        links.iter().any(|l| l == "Logs")
            && !links
                .iter()
                .any(|l| l == "Bulk apply" || l == "Drift" || l == "Accounts"),
        "a viewer's navigation: {links:?}"
    );
    // Typing the address of a page for another role shows which role it needs, not its form.
    for (page, needs) in [
        ("accounts", "admin"),
        ("audit", "admin"),
        ("bulk", "operator"),
        ("drift", "operator"),
    ] {
        client.goto(&format!("{}{page}", relay.url())).await?;
        let css = format!("[data-testid=needs-role][data-needs={needs}][data-role=viewer]");
        wait_for_within(client, &css, PAGE_WAIT)
            .await
            .with_context(|| format!("/{page} for a viewer"))?;
        let text = client.find(Locator::Css(&css)).await?.text().await?;
        ensure!(
            text.contains(&format!("needs the {needs} role")) && text.contains("viewer"),
            "/{page} says which role it needs: {text:?}"
        );
        ensure_absent(
            client,
            "[data-testid=accounts-page], [data-testid=bulk-page]",
            "a viewer's form",
        )
        .await?;
    }
    // A device page without the write controls: export yes; edit, import and job-code edits no.
    let sim = relay.demo_gateway().context("demo gateway")?;
    let tna = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("a T&A device")?;
    client
        .goto(&format!("{}devices/{tna}", relay.url()))
        .await?;
    wait_for_within(client, "[data-testid=device-detail]", PAGE_WAIT).await?;
    wait_for_within(client, "[data-testid=export-config]", PAGE_WAIT).await?;
    ensure_absent(client, "[data-testid=edit-config]", "Edit for a viewer").await?;
    ensure_absent(client, "[data-testid=import-file]", "Import for a viewer").await?;
    ensure_absent(
        client,
        "[data-testid=jobcode-use], [data-testid=jobcode-edit]",
        "job-code writes for a viewer",
    )
    .await?;
    sign_out(client).await?;

    // An admin creates an operator and a pairing code.
    sign_in(client, relay, "admin", PASSWORD).await?;
    wait_for_within(client, "[data-testid=who][data-role=admin]", PAGE_WAIT).await?;
    client.goto(&format!("{}accounts", relay.url())).await?;
    wait_for_count(client, "[data-testid=account-row]", 2).await?;
    set_input(client, "[data-testid=new-username]", "ops.anna").await?;
    set_input(client, "[data-testid=new-password]", "anna-password-1").await?;
    set_select(client, "[data-testid=new-role]", "operator").await?;
    js_click(client, "[data-testid=create-account]").await?;
    wait_for_within(
        client,
        "[data-testid=account-row][data-username='ops.anna'][data-role=operator]",
        PAGE_WAIT,
    )
    .await
    .context("the new account is not listed")?;
    js_click(client, "[data-testid=make-pairing-code]").await?;
    wait_for_within(client, "[data-testid=pairing-code]", PAGE_WAIT).await?;
    let code = client
        .find(Locator::Css("[data-testid=pairing-code]"))
        .await?
        .text()
        .await?;
    ensure!(code.trim().len() >= 6, "pairing code {code:?}");
    save_screenshot(client, "accounts.png").await?;
    sign_out(client).await?;

    // The new operator can sign in and gets Bulk apply.
    sign_in(client, relay, "ops.anna", "anna-password-1").await?;
    wait_for_within(client, "[data-testid=who][data-role=operator]", PAGE_WAIT).await?;
    let links = nav_links(client).await?;
    ensure!(
        links.iter().any(|l| l == "Bulk apply") && !links.iter().any(|l| l == "Accounts"),
        "an operator's navigation: {links:?}"
    );
    sign_out(client).await?;

    // The tablet: pair with the code, then only the kiosk, even at another address.
    client.goto(&format!("{}kiosk/pair", relay.url())).await?;
    wait_for_within(client, "[data-testid=pair-page]", PAGE_WAIT).await?;
    set_input(client, "[data-testid=pair-code]", code.trim()).await?;
    js_click(client, "[data-testid=pair-submit]").await?;
    wait_for_within(client, "[data-testid=kiosk]", PAGE_WAIT)
        .await
        .context("pairing did not open the kiosk")?;
    ensure_kiosk_bundle(client).await?;
    // At the console's addresses a kiosk session ends up on /kiosk, the kiosk's bundle.
    for path in ["logs", ""] {
        client.goto(&format!("{}{path}", relay.url())).await?;
        wait_for_within(client, "[data-testid=kiosk]", PAGE_WAIT).await?;
        ensure_absent(
            client,
            "[data-testid=logs-page]",
            "a kiosk reached the Logs page",
        )
        .await?;
        ensure_kiosk_bundle(client)
            .await
            .with_context(|| format!("a kiosk session opening /{path}"))?;
    }

    // The admin (another browser: the cookie is gone) sees the tablet and unpairs it.
    client.delete_all_cookies().await?;
    sign_in(client, relay, "admin", PASSWORD).await?;
    wait_for_within(client, "[data-testid=who][data-role=admin]", PAGE_WAIT).await?;
    client.goto(&format!("{}accounts", relay.url())).await?;
    wait_for_within(client, "[data-testid=kiosk-row]", PAGE_WAIT)
        .await
        .context("the paired tablet is not listed")?;
    client
        .execute("window.confirm = () => true;", vec![])
        .await?;
    js_click(client, "[data-testid=kiosk-unpair]").await?;
    wait_for_within(client, "[data-testid=kiosks-none]", PAGE_WAIT)
        .await
        .context("the tablet is still listed after Unpair")?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// The page is `/kiosk/` and runs the kiosk's own bundle: its wasm came from `/kiosk/`, and
/// nothing of the console's bundle was loaded by this document.
pub async fn ensure_kiosk_bundle(client: &Client) -> Result<()> {
    let path = client.current_url().await?.path().to_string();
    ensure!(path == "/kiosk/", "the kiosk is at {path}");
    let wasm = crate::fetched_wasm(client).await?;
    // Its main module, and its own lazy modules (the pairing page's, `split_…`/`chunk_…`).
    ensure!(
        wasm.iter()
            .filter(|w| w.starts_with("/kiosk/tna-kiosk-"))
            .count()
            == 1
            && wasm.iter().all(|w| w.starts_with("/kiosk/")),
        "the kiosk loaded {wasm:?}"
    );
    Ok(())
}
