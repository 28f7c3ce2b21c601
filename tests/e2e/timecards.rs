//! Timecards in the browser: the relay archives an emulated month of a site in New York's zone,
//! the Timecards page shows the last full week, and every user's daily rows and totals (and the
//! CSV export) match what the timecard rules give for the emulator's own logs in that zone.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::zones::Zone;
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};
use tna_types::time::format_date;
use tna_types::timecard::{TimecardPolicy, timecards, totals};
use tna_types::{TnaKey, TnaLog};

use crate::{
    PAGE_WAIT, archive_url, js_click, parse_csv, repo, save_screenshot, set_and_fire,
    wait_for_within,
};

/// Devices and history of the emulated site (about 10 punches per device per day).
const DEVICES: u32 = 8;
const LOGS_PER_DEVICE: u32 = 300;
/// Days from today back to the first day shown (a week ending yesterday).
const WEEK: i64 = 7;
/// The emulated site's time zone: days are New York's local days.
const ZONE: &str = "America/New_York";

/// A relay with an archive in front of an emulated month, synced.
pub async fn start() -> Result<RunningRelay> {
    zoned_site("timecards", DEVICES, LOGS_PER_DEVICE, ZONE).await
}

/// A relay with an archive (named `archive`) in front of one emulated site of `devices` devices
/// with `logs` of history each, in `zone`, without live punches, after the first full sync.
pub async fn zoned_site(
    archive: &str,
    devices: u32,
    logs: u32,
    zone: &str,
) -> Result<RunningRelay> {
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = devices;
        sim.logs_per_device = logs;
        sim.punch_interval = None;
    }
    let site = GatewaySite::unnamed(gateway).in_zone(zone);
    let relay = tna_relay::start(RelayConfig {
        dist: Some(repo().join("dist")),
        archive: Some(archive_url(archive)),
        ..RelayConfig::with_sites(SocketAddr::from(([127, 0, 0, 1], 0)), vec![site])
    })
    .await?;
    let synced = relay
        .archive()
        .context("archive")?
        .wait_passes(1, Duration::from_secs(60))
        .await;
    ensure!(synced, "the archive's first sync did not end");
    Ok(relay)
}

/// The emulator's T&A logs, as the console's types.
fn emulator_logs(relay: &RunningRelay) -> Result<Vec<TnaLog>> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let mut out = Vec::new();
    for d in sim.device_ids() {
        for l in sim.tna_logs(d, 0, 0).unwrap_or_default() {
            out.push(TnaLog {
                id: l.id,
                timestamp: l.timestamp,
                device_id: l.device_id,
                user_id: l.user_id,
                event_code: l.event_code,
                sub_code: l.sub_code,
                tna_key: u8::try_from(l.tna_key)
                    .ok()
                    .and_then(|k| TnaKey::try_from(k).ok()),
            });
        }
    }
    Ok(out)
}

pub async fn week_matches_the_rules(client: &Client, relay: &RunningRelay) -> Result<()> {
    let today = i32::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
            / 86_400,
    )?;
    // A week of whole days at the site: it ends the day before yesterday (UTC), because for the
    // first hours of a UTC day "yesterday" is still today in America/New_York.
    let (first, last) = (today - 1 - WEEK as i32, today - 2);
    let policy = TimecardPolicy::default();
    let logs = emulator_logs(relay)?;
    // Every device of the site in its zone, with a table covering the logs.
    let sim = relay.demo_gateway().context("demo gateway")?;
    let sites = vec![(
        Zone::named(ZONE).map_err(anyhow::Error::msg)?,
        sim.device_ids(),
    )];
    let span = |f: fn(u32, u32) -> u32| logs.iter().map(|l| l.timestamp).reduce(f);
    let (from, to) = (span(u32::min).unwrap_or(0), span(u32::max).unwrap_or(0));
    let day = 86_400;
    let zones = tna_relay::timecards::device_zones(
        &sites,
        i64::from(from) - 3 * day,
        i64::from(to) + 3 * day,
    );
    let want_days: Vec<_> = timecards(&logs, &policy, &zones)
        .into_iter()
        .filter(|d| (first..=last).contains(&d.day_number))
        .collect();
    let want_totals = totals(&want_days);
    ensure!(
        want_days.len() > 20,
        "the week has punches: {}",
        want_days.len()
    );

    client.goto(&format!("{}timecards", relay.url())).await?;
    wait_for_within(client, "[data-testid=tc-load]", PAGE_WAIT).await?;
    // As a person would: the page's own week first, then the week asked for.
    wait_for_within(client, "[data-testid=tc-summary]", PAGE_WAIT).await?;
    let date = |d: i32| format_date(i64::from(d));
    set_and_fire(client, "[data-testid=tc-from]", &date(first), "input").await?;
    set_and_fire(client, "[data-testid=tc-to]", &date(last), "input").await?;
    js_click(client, "[data-testid=tc-load]").await?;
    // The page may first show its default range (this week): wait for the week asked for.
    let loaded = format!("[data-testid=tc-summary][data-days='{}']", want_days.len());
    if let Err(e) = wait_for_within(client, &loaded, PAGE_WAIT).await {
        let shown = client
            .find(Locator::Css("[data-testid=tc-summary]"))
            .await?
            .attr("data-days")
            .await?;
        return Err(e.context(format!(
            "the page shows {shown:?} days, the rules give {}",
            want_days.len()
        )));
    }

    let expected_days: BTreeMap<(String, String), u64> = want_days
        .iter()
        .map(|d| ((d.user_id.clone(), d.day.clone()), d.worked_seconds))
        .collect();
    // The emulated workforce works the same days every week, so the page's own week can have as
    // many rows as the week asked for: read the rows until they are the asked week's (a row
    // replaced while being read is read again), at most PAGE_WAIT.
    let started = Instant::now();
    let shown_days = loop {
        let read = async {
            let mut shown = BTreeMap::new();
            for row in client
                .find_all(Locator::Css("[data-testid=tc-row]"))
                .await?
            {
                let user = row.attr("data-user").await?.context("user")?;
                let day = row.attr("data-day").await?.context("day")?;
                let worked: u64 = row
                    .attr("data-worked-seconds")
                    .await?
                    .context("worked")?
                    .parse()?;
                shown.insert((user, day), worked);
            }
            anyhow::Ok(shown)
        }
        .await;
        match read {
            Ok(shown) if shown == expected_days || started.elapsed() >= PAGE_WAIT => break shown,
            Err(e) if started.elapsed() >= PAGE_WAIT => return Err(e),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    ensure!(
        shown_days == expected_days,
        "daily rows differ: shown {} rows, expected {}",
        shown_days.len(),
        expected_days.len()
    );
    let mut shown_totals = BTreeMap::new();
    for row in client
        .find_all(Locator::Css("[data-testid=tc-total]"))
        .await?
    {
        let user = row.attr("data-user").await?.context("user")?;
        let worked: u64 = row
            .attr("data-worked-seconds")
            .await?
            .context("worked")?
            .parse()?;
        shown_totals.insert(user, worked);
    }
    let expected_totals: BTreeMap<String, u64> = want_totals
        .iter()
        .map(|t| (t.user_id.clone(), t.worked_seconds))
        .collect();
    ensure!(
        shown_totals == expected_totals,
        "totals differ: {shown_totals:?} vs {expected_totals:?}"
    );
    save_screenshot(client, "timecards.png").await?;

    // The CSV export: one line per daily row, worked minutes as the rules give them.
    client
        .execute(
            "window.__csv = [];
             const orig = URL.createObjectURL.bind(URL);
             URL.createObjectURL = (b) => { window.__csv.push(b); return orig(b); };",
            vec![],
        )
        .await?;
    js_click(client, "[data-testid=tc-csv]").await?;
    let started = Instant::now();
    while client
        .execute("return window.__csv.length;", vec![])
        .await?
        .as_u64()
        .unwrap_or(0)
        == 0
    {
        ensure!(started.elapsed() < PAGE_WAIT, "no CSV download");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__csv[0].text().then(done, (e) => done('ERROR ' + e));",
            vec![],
        )
        .await?;
    let text = text.as_str().context("CSV text")?;
    let rows = parse_csv(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let (header, body) = rows.split_first().context("a header")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .context(name.to_string())
    };
    let (u, d, w) = (col("user_id")?, col("day")?, col("worked_minutes")?);
    let csv: BTreeMap<(String, String), u64> = body
        .iter()
        .map(|r| Ok(((r[u].clone(), r[d].clone()), r[w].parse::<u64>()?)))
        .collect::<Result<_>>()?;
    let expected_minutes: BTreeMap<(String, String), u64> = expected_days
        .into_iter()
        .map(|(k, s)| (k, s / 60))
        .collect();
    ensure!(csv == expected_minutes, "the CSV differs from the rules");
    Ok(())
}
