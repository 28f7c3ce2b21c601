//! Korean in the browser: the language switch on the sign-in page turns the console Korean
//! (`<html lang="ko">`, the texts of `i18n/ko.json`), the choice outlives a reload and the
//! sign-in, every page passes axe-core and fits a phone in Korean, the kiosk writes its date the
//! Korean way (`Intl`), and the header's switch brings English back.

use std::collections::HashMap;

use anyhow::{Context, Result, bail, ensure};
use fantoccini::Client;
use tna_relay::RunningRelay;

use crate::e2e::a11y::{axe_source, sign_in_as_admin, signed_in_pages, violations};
use crate::{
    PAGE_WAIT, repo, save_screenshot, set_select, set_viewport, wait_for_count, wait_for_within,
};

/// The Korean catalog, as the console loads it.
fn catalog() -> Result<HashMap<String, String>> {
    let path = repo().join("i18n/ko.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

async fn page_lang(client: &Client) -> Result<String> {
    let v = client
        .execute("return document.documentElement.lang;", vec![])
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

pub async fn console_and_kiosk_in_korean(client: &Client, relay: &RunningRelay) -> Result<()> {
    let Some(axe) = axe_source()? else {
        return Ok(());
    };
    let ko = catalog()?;
    let t = |en: &str| {
        ko.get(en)
            .cloned()
            .with_context(|| format!("no Korean for {en:?}"))
    };

    // A browser in English; the switch on the sign-in page turns the console Korean.
    client.goto(relay.url().as_str()).await?;
    wait_for_within(client, "[data-testid=signin-page]", PAGE_WAIT).await?;
    ensure!(
        page_lang(client).await? == "en",
        "the console did not start in English"
    );
    set_select(client, "[data-testid=lang]", "ko").await?;
    wait_for_within(client, "html[lang=ko] [data-testid=signin-page]", PAGE_WAIT)
        .await
        .context("choosing 한국어 did not reload the console in Korean")?;
    let title = crate::text_of(client, "[data-testid=signin-page] h1").await?;
    ensure!(title == t("Sign in")?, "the sign-in title reads {title:?}");
    let mut all = violations(client, &axe, "sign-in (ko)").await?;

    // (Signing in opens the page again: the choice is kept across a load.)
    sign_in_as_admin(client, relay).await?;
    ensure!(page_lang(client).await? == "ko", "Korean was not kept");
    let nav = crate::text_of(client, "#main-nav a[href='/']").await?;
    ensure!(nav == t("Devices")?, "the navigation says {nav:?}");
    all.extend(violations(client, &axe, "devices (ko)").await?);
    save_screenshot(client, "devices-ko.png").await?;

    let pages = signed_in_pages(relay)?;
    for (name, path, ready) in &pages {
        client.goto(&format!("{}{path}", relay.url())).await?;
        wait_for_within(client, ready, PAGE_WAIT)
            .await
            .with_context(|| format!("{name} did not render in Korean"))?;
        all.extend(violations(client, &axe, &format!("{name} (ko)")).await?);
        if *name == "device detail" {
            save_screenshot(client, "device-ko.png").await?;
        }
    }
    // The kiosk's date as Korean writes it ("2026년 12월 6일 (일)").
    client.goto(&format!("{}kiosk", relay.url())).await?;
    wait_for_within(client, "[data-testid=kiosk-clock]", PAGE_WAIT).await?;
    let clock = crate::text_of(client, "[data-testid=kiosk-clock]").await?;
    ensure!(
        clock.contains('년') && clock.contains('월'),
        "the kiosk's date is not Korean: {clock:?}"
    );
    // Its texts too, from the kiosk's own catalog (only the texts its WASM holds, `xtask
    // catalog.rs`): the board's, and those of the settings panel, a module of its own.
    let settings = crate::text_of(client, "[data-testid=kiosk-settings]").await?;
    ensure!(
        settings == t("Settings")?,
        "the kiosk's settings button says {settings:?}"
    );
    let board = crate::text_of(client, "#kiosk-board-title").await?;
    ensure!(
        board.starts_with(&t("Who is in")?),
        "the kiosk's board is titled {board:?}"
    );
    crate::js_click(client, "[data-testid=kiosk-settings]").await?;
    wait_for_within(client, "#kiosk-settings-title", PAGE_WAIT).await?;
    let title = crate::text_of(client, "#kiosk-settings-title").await?;
    ensure!(
        title == t("Kiosk settings")?,
        "the kiosk's settings panel is titled {title:?}"
    );

    // Korean words are longer or shorter: still no page scrolls sideways on a phone.
    let mut sideways = Vec::new();
    set_viewport(client, 390, 844).await?;
    for (name, path, ready) in &pages {
        client.goto(&format!("{}{path}", relay.url())).await?;
        wait_for_within(client, ready, PAGE_WAIT).await?;
        let over = crate::sideways_px(client).await?;
        if over > 0 {
            sideways.push(format!("{name}: {over} px"));
        }
    }
    set_viewport(client, 1280, 800).await?;

    // The header's switch brings English back.
    client.goto(relay.url().as_str()).await?;
    wait_for_count(client, "[data-testid=device-row]", 2).await?;
    set_select(client, "header [data-testid=lang]", "en").await?;
    wait_for_within(client, "html[lang=en] [data-testid=device-row]", PAGE_WAIT)
        .await
        .context("choosing English did not reload the console in English")?;
    let nav = crate::text_of(client, "#main-nav a[href='/']").await?;
    ensure!(
        nav == "Devices",
        "back in English the navigation says {nav:?}"
    );

    if !sideways.is_empty() {
        bail!(
            "pages scroll sideways in Korean at 390×844: {}",
            sideways.join(", ")
        );
    }
    if !all.is_empty() {
        bail!(
            "{} serious or critical accessibility violations in Korean:\n{}",
            all.len(),
            all.join("\n")
        );
    }
    Ok(())
}
