//! `timecards.*`: timecards of a range of days from the archive, and the policy they follow.
//!
//! The policy lives in the archive (so relays sharing one PostgreSQL share it too). The
//! computation is `tna_types::timecard`, the same code the console could run; the relay runs it
//! so a browser never has to download a month of punches to show totals.

use tna_archive::Archive;
use tna_types::archive::{LogQuery, MAX_QUERY_LIMIT};
use tna_types::protocol::{ErrorCode, RpcError, TimecardsParams, TimecardsResult};
use tna_types::timecard::{
    self, MAX_SHIFT_SECONDS, TimecardPolicy, days_from_civil, timecards, totals,
};

use crate::sync::archive_error;

/// Longest range of days one `timecards.get` covers (a quarter).
pub const MAX_DAYS: i32 = 93;
/// Most archived events one `timecards.get` reads; a range holding more is refused before
/// anything is loaded (1,000 people punching ten times a day for three months fit; the relay
/// holds them in memory while it pairs them).
pub const MAX_EVENTS: usize = 1_000_000;
/// The archive setting that holds the policy (JSON).
const POLICY_SETTING: &str = "timecard_policy";
const DAY: i64 = 86_400;

/// The policy in force (the default until an admin sets one).
pub async fn policy(archive: &Archive) -> Result<TimecardPolicy, RpcError> {
    match archive
        .setting(POLICY_SETTING)
        .await
        .map_err(archive_error)?
    {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            RpcError::new(
                ErrorCode::Internal,
                format!("The stored timecard policy cannot be read ({e}); set it again."),
            )
        }),
        None => Ok(TimecardPolicy::default()),
    }
}

/// Validates and stores `policy`.
pub async fn set_policy(archive: &Archive, policy: &TimecardPolicy) -> Result<(), RpcError> {
    policy.validate().map_err(RpcError::validation)?;
    let json = serde_json::to_string(policy)
        .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))?;
    archive
        .set_setting(POLICY_SETTING, &json)
        .await
        .map_err(archive_error)
}

/// The timecards of `p.from..=p.to` (local days of the policy), from the archive.
pub async fn get(archive: &Archive, p: &TimecardsParams) -> Result<TimecardsResult, RpcError> {
    get_limited(archive, p, MAX_EVENTS).await
}

/// [`get`] with its own event limit (tests use a small one).
pub async fn get_limited(
    archive: &Archive,
    p: &TimecardsParams,
    max_events: usize,
) -> Result<TimecardsResult, RpcError> {
    let policy = policy(archive).await?;
    let first = parse_day("from", &p.from)?;
    let last = parse_day("to", &p.to)?;
    if last < first {
        return Err(RpcError::invalid_params("to must not be before from"));
    }
    if last - first >= MAX_DAYS {
        return Err(RpcError::limit_exceeded(
            "days in one timecard range",
            MAX_DAYS as u64,
            (last - first + 1) as u64,
        ));
    }
    if let Some(user) = &p.user_id {
        tna_types::validate::validate_user_id(user)
            .map_err(|m| RpcError::invalid_params(format!("userId: {m}")))?;
    }
    // The window days of the range plus one whole window day on each side: a night shift's
    // OUT after the last day, the IN of one that started the day before the first, and runs of
    // repeated punches that reach over either edge are then read as they are in a wider range,
    // so a day's figures never depend on the range asked for. (A shift is at most
    // MAX_SHIFT_SECONDS, under a day.)
    let day_start =
        i64::from(policy.day_start_minutes) * 60 - i64::from(policy.utc_offset_minutes) * 60;
    const _: () = assert!((MAX_SHIFT_SECONDS as i64) < DAY);
    let from = (i64::from(first) - 1) * DAY + day_start;
    let to = (i64::from(last) + 2) * DAY + day_start;
    let mut query = LogQuery {
        from: Some(clamp_u32(from)),
        to: Some(clamp_u32(to)),
        user_id: p.user_id.clone(),
        device_ids: None,
        after: None,
        limit: MAX_QUERY_LIMIT,
    };
    // Count first: a range too big is refused before a single event is held in memory.
    let count = archive.count_tna(&query).await.map_err(archive_error)?;
    if count > max_events as u64 {
        return Err(RpcError::limit_exceeded(
            "archived events in one timecard range",
            max_events as u64,
            count,
        ));
    }
    let mut logs = Vec::with_capacity(usize::try_from(count).unwrap_or(max_events));
    loop {
        let page = archive.query_tna(&query).await.map_err(archive_error)?;
        logs.extend(page.rows.into_iter().map(|r| r.log));
        // Events archived since the count (live punches) may add a few; not unboundedly.
        if logs.len() > max_events.saturating_mul(2) {
            return Err(RpcError::limit_exceeded(
                "archived events in one timecard range",
                max_events as u64,
                logs.len() as u64,
            ));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let days: Vec<_> = timecards(&logs, &policy)
        .into_iter()
        .filter(|d| (first..=last).contains(&d.day_number))
        .collect();
    Ok(TimecardsResult {
        totals: totals(&days),
        days,
        policy,
        events: logs.len() as u64,
    })
}

/// `YYYY-MM-DD` → days since 1970-01-01, checked.
fn parse_day(field: &str, s: &str) -> Result<i32, RpcError> {
    let bad =
        || RpcError::invalid_params(format!("{field} must be a date as YYYY-MM-DD, got {s:?}"));
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
        return Err(bad());
    };
    if !(1970..=2105).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return Err(bad());
    }
    let n = days_from_civil(y, m, d);
    // 2024-02-30 would roll over to March: refuse it.
    if timecard::civil_from_days(n) != (y, m, d) {
        return Err(bad());
    }
    Ok(n)
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_bad_ones_say_why() {
        assert_eq!(parse_day("from", "1970-01-01").ok(), Some(0));
        assert_eq!(parse_day("from", "2026-11-25").ok(), Some(20_782));
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-25x",
            "",
            "2026-11",
            "1969-12-31",
        ] {
            let e = parse_day("from", bad).expect_err(bad);
            assert!(e.message.contains("YYYY-MM-DD"), "{bad}: {}", e.message);
        }
    }
}
