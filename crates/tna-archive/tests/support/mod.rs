//! Shared by the test binaries: sample records and the backend-independent contract (the
//! throwaway PostgreSQL cluster is `tna_archive::testing`, feature `test-pg`).
#![allow(dead_code)]

pub mod contract;

use tna_archive::{Archive, ArchivedTnaLog, LogQuery, QueryPage};
use tna_types::{JobCodeLog, TnaKey, TnaLog};

/// A T&A record; the key cycles through None, KEY_1 ..= KEY_16.
pub fn tna(device_id: u32, id: u32, timestamp: u32, user_id: &str) -> TnaLog {
    TnaLog {
        id,
        timestamp,
        device_id,
        user_id: user_id.to_owned(),
        event_code: 0x1000 + (id % 7),
        sub_code: id % 3,
        tna_key: u8::try_from(id % 17).ok().and_then(|n| TnaKey::new(n).ok()),
    }
}

/// A job-code record.
pub fn job(device_id: u32, id: u32, timestamp: u32, user_id: &str) -> JobCodeLog {
    JobCodeLog {
        id,
        timestamp,
        device_id,
        user_id: user_id.to_owned(),
        event_code: 0x1000,
        sub_code: 0,
        job_code: 1000 + id,
    }
}

/// Consecutive records `ids` of one device by `user{id % users}`, one a second: record `id`
/// at `base + id`.
pub fn tna_run(device_id: u32, ids: std::ops::Range<u32>, base: u32, users: u32) -> Vec<TnaLog> {
    ids.map(|id| tna(device_id, id, base + id, &format!("user{}", id % users)))
        .collect()
}

/// Every page of `q`, followed by keyset cursors, at `page` rows per call.
pub async fn all_pages(archive: &Archive, q: &LogQuery, page: u32) -> Vec<ArchivedTnaLog> {
    let mut q = q.clone();
    q.limit = page;
    q.after = None;
    let mut out = Vec::new();
    loop {
        let QueryPage { rows, next } = archive.query_tna(&q).await.expect("query_tna");
        assert!(rows.len() <= page as usize);
        out.extend(rows);
        match next {
            Some(n) => q.after = Some(n),
            None => return out,
        }
    }
}
