//! People, not IDs (issue 15), in Chromium against the emulator's seeded workforce: the kiosk
//! shows a seeded person's name after their punch, the Logs page finds a person by a part of
//! their name, and their timecards for a seeded week equal the emulator's plan (computed from
//! the plan's punches, not read from the page).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;
use tna_types::time::format_date;

use crate::{LOAD_WAIT, PAGE_WAIT, wait_for_within};

/// A small site with a few weeks of its workforce's history.
const DEVICES: u32 = 8;
const LOGS_PER_DEVICE: u32 = 1_500;
/// The site's zone: days are New York's local days.
const ZONE: &str = "America/New_York";

/// The relay with an archive and its user directory, both read once.
pub async fn start() -> Result<RunningRelay> {
    let relay = crate::e2e::timecards::zoned_site("people", DEVICES, LOGS_PER_DEVICE, ZONE).await?;
    let directory = relay.directory().context("directory")?;
    ensure!(
        directory.wait_passes(1, Duration::from_secs(60)).await,
        "the directory's first read did not end"
    );
    Ok(relay)
}

/// The directory's name of `user_id`, if it has one.
async fn directory_name(relay: &RunningRelay, user_id: &str) -> Result<Option<String>> {
    let directory = relay.directory().context("directory")?;
    let found = directory
        .archive()
        .directory_users(&[user_id.to_string()])
        .await?;
    Ok(found.into_iter().next().and_then(|u| u.name))
}

pub async fn names_on_kiosk_logs_and_timecards(
    client: &Client,
    relay: &RunningRelay,
) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let plan = sim.plan();

    // A seeded person whose name is theirs alone, as the directory holds it.
    let mut person = None;
    for p in plan.people() {
        let Some(name) = p.name.clone() else { continue };
        let unique = plan
            .people()
            .iter()
            .filter(|o| o.name.as_deref() == Some(name.as_str()))
            .count()
            == 1;
        if unique && directory_name(relay, &p.user_id).await? == Some(name.clone()) {
            person = Some((p.clone(), name));
            break;
        }
    }
    let (person, name) = person.context("no seeded person with a name of their own")?;

    // Logs: the person's first home device, loaded in full, filtered by a part of the name
    // (case ignored): every row is theirs, and there are rows.
    let part = name.to_lowercase();
    let home = person.home_devices[0];
    client
        .goto(&format!("{}logs?user={}", relay.url(), urlencoding(&part)))
        .await?;
    let device = format!("[data-testid=logs-device][data-device-id='{home}']");
    wait_for_within(client, &device, PAGE_WAIT).await?;
    client.find(Locator::Css(&device)).await?.click().await?;
    client
        .find(Locator::Css("[data-testid=logs-load-all]"))
        .await?
        .click()
        .await?;
    wait_for_within(client, "[data-testid=logs-complete]", LOAD_WAIT).await?;
    let started = Instant::now();
    loop {
        let mut users = Vec::new();
        for cell in client
            .find_all(Locator::Css(
                "[data-testid=log-row] [data-testid=user-name]",
            ))
            .await?
        {
            users.push(cell.attr("data-user-id").await?.unwrap_or_default());
        }
        let shown = crate::text_of(client, "[data-testid=log-row] [data-testid=user-name]")
            .await
            .unwrap_or_default();
        let mine = !users.is_empty() && users.iter().all(|u| *u == person.user_id);
        if mine && shown.contains(&name) {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "filtering by {part:?} shows users {users:?} ({shown:?}), want only {} ({name})",
            person.user_id
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Timecards: a week of whole New York days ending two days ago, for this person.
    let today = plan.local_day(i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs(),
    )?);
    let (first, last) = (today - 8, today - 2);
    let from = format_date(i64::from(first));
    let to = format_date(i64::from(last));
    client
        .goto(&format!(
            "{}timecards?from={from}&to={to}&user={}",
            relay.url(),
            person.user_id
        ))
        .await?;
    wait_for_within(client, "[data-testid=tc-summary]", LOAD_WAIT).await?;
    let mut expected = Vec::new();
    for day in first..=last {
        let planned = plan.day(&person, day);
        if planned.is_working() {
            expected.push((format_date(i64::from(day)), planned));
        }
    }
    ensure!(
        !expected.is_empty(),
        "the plan has working days in the week"
    );
    let started = Instant::now();
    let rows = loop {
        let rows = client
            .find_all(Locator::Css("[data-testid=tc-row]"))
            .await?;
        if rows.len() >= expected.len() || started.elapsed() > PAGE_WAIT {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut shown = Vec::new();
    for r in &rows {
        shown.push((
            r.attr("data-user").await?.unwrap_or_default(),
            r.attr("data-day").await?.unwrap_or_default(),
            r.attr("data-worked-seconds")
                .await?
                .unwrap_or_default()
                .parse::<u64>()
                .unwrap_or(u64::MAX),
            r.attr("data-flags").await?.unwrap_or_default(),
        ));
    }
    ensure!(
        shown.len() == expected.len(),
        "{} timecard days shown, the plan has {} working days: {shown:?}",
        shown.len(),
        expected.len()
    );
    for ((user, day, worked, flags), (want_day, planned)) in shown.iter().zip(&expected) {
        ensure!(
            user == &person.user_id && day == want_day,
            "{user} {day}, want {want_day}"
        );
        match planned.worked_seconds() {
            Some(want) => ensure!(
                *worked == want && flags.is_empty(),
                "{day}: worked {worked} s with flags {flags:?}, the plan says {want} s, clean"
            ),
            None => ensure!(
                !flags.is_empty(),
                "{day}: the plan's mistake {:?} raised no flag",
                planned.mistake
            ),
        }
    }
    // The user cell names the person.
    let cell = crate::text_of(client, "[data-testid=tc-day-user]").await?;
    ensure!(cell.contains(&name), "the timecard's user cell is {cell:?}");

    // Kiosk: a punch of a named person shows that name on the board.
    crate::open_kiosk(client, &relay.url()).await?;
    let mut punched = None;
    for _ in 0..40 {
        let log = sim.append_punch(home).context("punch")?;
        if let Some(n) = directory_name(relay, &log.user_id).await? {
            punched = Some((log.user_id, n));
            break;
        }
    }
    let (user, who) = punched.context("no named person punched on the home device")?;
    let card =
        format!("[data-testid=kiosk-user][data-user-id='{user}'] [data-testid=kiosk-user-name]");
    let started = Instant::now();
    loop {
        if crate::text_of(client, &card)
            .await
            .unwrap_or_default()
            .contains(&who)
        {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "the kiosk shows {:?} for {user}, not {who:?}",
            crate::text_of(client, &card).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// `text` as a URL query value.
fn urlencoding(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
