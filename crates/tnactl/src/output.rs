//! Output of the reading commands: device lists (table, JSON, CSV), archived logs streamed page
//! by page (CSV or JSON lines, constant memory), timecards (CSV), and the time arguments.

use std::io::Write;

use anyhow::{Context, Result, bail};
use tna_types::Device;
use tna_types::archive::LogQuery;
use tna_types::protocol::{TimecardsParams, method};

use crate::client::Client;

/// Rows per `archive.logs` page.
pub const LOG_PAGE: u32 = 5_000;

/// A `--from` / `--to` argument: `YYYY-MM-DD` (a UTC day; `--to` includes the whole day) or Unix
/// seconds. `end` makes a date the start of the next day.
pub fn instant(arg: &str, end: bool) -> Result<u32> {
    if let Ok(secs) = arg.parse::<u32>() {
        return Ok(secs);
    }
    let day = tna_types::time::parse_date(arg)
        .with_context(|| format!("{arg:?} is neither YYYY-MM-DD nor Unix seconds"))?;
    let day = if end { day + 1 } else { day };
    u32::try_from(day * 86_400).with_context(|| format!("{arg:?} is out of range"))
}

fn status_name(d: &Device) -> &'static str {
    match d.status {
        tna_types::ConnectionStatus::Connected => "connected",
        tna_types::ConnectionStatus::Connecting => "connecting",
        tna_types::ConnectionStatus::Disconnected => "disconnected",
        tna_types::ConnectionStatus::Error => "error",
    }
}

const DEVICE_COLUMNS: [&str; 10] = [
    "deviceId", "site", "type", "status", "tna", "jobCodes", "keypad", "name", "location", "tags",
];

fn device_row(d: &Device) -> [String; 10] {
    [
        d.device_id.to_string(),
        d.site.clone().unwrap_or_default(),
        d.device_type.clone(),
        status_name(d).to_string(),
        d.tna_supported.to_string(),
        d.job_code_supported.to_string(),
        d.has_keypad.map(|k| k.to_string()).unwrap_or_default(),
        d.name.clone().unwrap_or_default(),
        d.location.clone().unwrap_or_default(),
        d.tags.join(" "),
    ]
}

/// A plain text table: columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut header.iter().copied());
    for r in rows {
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    out
}

/// Writes the devices as `format` (`table`, `json`, `csv`).
pub fn devices(out: &mut impl Write, devices: &[Device], format: &str) -> Result<()> {
    match format {
        "json" => {
            serde_json::to_writer_pretty(&mut *out, devices)?;
            writeln!(out)?;
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(DEVICE_COLUMNS)?;
            for d in devices {
                w.write_record(device_row(d))?;
            }
            w.flush()?;
        }
        _ => {
            let rows: Vec<Vec<String>> = devices
                .iter()
                .map(|d| {
                    let r = device_row(d);
                    // The table leaves out location (long) for width; json/csv have it.
                    vec![
                        r[0].clone(),
                        r[1].clone(),
                        r[2].clone(),
                        r[3].clone(),
                        r[4].clone(),
                        r[5].clone(),
                        r[7].clone(),
                        r[9].clone(),
                    ]
                })
                .collect();
            out.write_all(
                table(
                    &[
                        "DEVICE", "SITE", "TYPE", "STATUS", "T&A", "JOBCODES", "NAME", "TAGS",
                    ],
                    &rows,
                )
                .as_bytes(),
            )?;
        }
    }
    Ok(())
}

/// Where log rows go.
enum Sink<'a, W: Write> {
    Csv(Box<csv::Writer<&'a mut W>>),
    Jsonl(&'a mut W),
}

/// Streams `archive.logs` pages to `out` as `csv` or `jsonl`: one page in memory at a time,
/// written out before the next is asked for. Returns the rows written.
pub fn logs<W: Write>(
    client: &mut Client,
    mut query: LogQuery,
    format: &str,
    out: &mut W,
) -> Result<u64> {
    query.limit = LOG_PAGE;
    let mut rows = 0u64;
    let mut sink = if format == "csv" {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "timestamp",
            "deviceId",
            "epoch",
            "id",
            "userId",
            "eventCode",
            "subCode",
            "tnaKey",
        ])?;
        Sink::Csv(Box::new(w))
    } else {
        Sink::Jsonl(out)
    };
    loop {
        let page = client
            .call::<method::ArchiveLogs>(&query)
            .context("archive.logs")?;
        match &mut sink {
            Sink::Csv(w) => {
                for r in &page.rows {
                    w.write_record([
                        r.log.timestamp.to_string(),
                        r.log.device_id.to_string(),
                        r.epoch.to_string(),
                        r.log.id.to_string(),
                        r.log.user_id.clone(),
                        r.log.event_code.to_string(),
                        r.log.sub_code.to_string(),
                        r.log
                            .tna_key
                            .map(|k| k.number().to_string())
                            .unwrap_or_default(),
                    ])?;
                }
                w.flush()?;
            }
            Sink::Jsonl(out) => {
                for r in &page.rows {
                    serde_json::to_writer(&mut **out, r)?;
                    out.write_all(b"\n")?;
                }
                out.flush()?;
            }
        }
        rows += page.rows.len() as u64;
        match page.next {
            Some(next) if !page.rows.is_empty() => query.after = Some(next),
            _ => break,
        }
    }
    Ok(rows)
}

/// `timecards.get` as CSV: one row per user per day.
pub fn timecards(
    client: &mut Client,
    params: &TimecardsParams,
    format: &str,
    out: &mut impl Write,
) -> Result<()> {
    if format != "csv" {
        bail!("timecards are written as csv");
    }
    let r = client
        .call::<method::TimecardsGet>(params)
        .context("timecards.get")?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "userId",
        "day",
        "zone",
        "firstIn",
        "lastOut",
        "workedSeconds",
        "breakSeconds",
        "mealSeconds",
        "punches",
        "flags",
    ])?;
    for d in &r.days {
        let flags = serde_json::to_value(&d.flags)?
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        w.write_record([
            d.user_id.clone(),
            d.day.clone(),
            d.zone.clone().unwrap_or_default(),
            d.first_in.map(|t| t.to_string()).unwrap_or_default(),
            d.last_out.map(|t| t.to_string()).unwrap_or_default(),
            d.worked_seconds.to_string(),
            d.break_seconds.to_string(),
            d.meal_seconds.to_string(),
            d.punches.to_string(),
            flags,
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_from_dates_and_seconds() {
        assert_eq!(instant("1970-01-02", false).unwrap(), 86_400);
        assert_eq!(instant("1970-01-02", true).unwrap(), 2 * 86_400);
        assert_eq!(instant("1732406400", false).unwrap(), 1_732_406_400);
        assert!(instant("yesterday", false).is_err());
    }

    #[test]
    fn tables_pad_columns() {
        let t = table(&["A", "BB"], &[vec!["long".into(), "x".into()]]);
        assert_eq!(t, "A     BB\nlong  x\n");
    }
}
