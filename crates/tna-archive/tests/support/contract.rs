//! What every backend must do, as one async fn over an open, empty [`Archive`].

use tna_archive::{
    Archive, ArchiveError, ArchivedTnaLog, AuditEntry, AuditQuery, LogQuery, QueryCursor, Stream,
};
use tna_types::users::{DirectoryUser, UsersListParams};
use tna_types::{DeviceInfo, TnaLog};

use super::{all_pages, job, tna, tna_run};

/// Runs every part in turn on one archive, which must start empty.
pub async fn run_all(archive: &Archive) {
    queries(archive).await;
    pages_move_the_cursor(archive).await;
    duplicates_are_skipped(archive).await;
    refused_pages_write_nothing(archive).await;
    epoch_reset_keeps_old_rows(archive).await;
    errors_are_recorded_and_cleared(archive).await;
    job_codes_have_their_own_stream(archive).await;
    concurrent_writers_never_double_count(archive).await;
    audit_trail(archive).await;
    stored_matches_rows(archive).await;
    one_reset_seen_twice_opens_one_epoch(archive).await;
    settings_round_trip(archive).await;
    a_device_read_by_event_id(archive).await;
    device_names_are_kept_replaced_and_cleared(archive).await;
    user_directory(archive).await;
}

/// `tna_from_event` reads one device like the device itself: from an event ID, in ID order, in
/// its current epoch only.
async fn a_device_read_by_event_id(archive: &Archive) {
    let device = 9_100;
    let ids = |logs: &[TnaLog]| logs.iter().map(|l| l.id).collect::<Vec<u32>>();
    assert!(
        archive
            .tna_from_event(device, 0, 10)
            .await
            .expect("read")
            .is_empty(),
        "nothing stored yet"
    );
    let page = tna_run(device, 0..100, 8_000, 3);
    archive
        .store_tna_page(device, 0, &page, 100, 1)
        .await
        .expect("store");
    let read = archive.tna_from_event(device, 40, 25).await.expect("read");
    assert_eq!(ids(&read), (40..65).collect::<Vec<u32>>());
    assert_eq!(read[0], page[40]);
    let tail = archive.tna_from_event(device, 90, 25).await.expect("read");
    assert_eq!(ids(&tail), (90..100).collect::<Vec<u32>>());
    // After a reset only the new epoch's events are the device's log.
    archive
        .start_epoch(device, Stream::Tna, 9_000)
        .await
        .expect("epoch");
    let again = tna_run(device, 0..5, 9_500, 3);
    archive
        .store_tna_page(device, 1, &again, 5, 2)
        .await
        .expect("store");
    let read = archive.tna_from_event(device, 0, 25).await.expect("read");
    assert_eq!(read, again);
}

/// Two relays notice the same reset: the first opens the new epoch, the second is handed it.
async fn one_reset_seen_twice_opens_one_epoch(archive: &Archive) {
    let page = super::tna_run(9_001, 1..11, 5_000, 2);
    archive
        .store_tna_page(9_001, 0, &page, 11, 1)
        .await
        .expect("store");
    let first = archive
        .start_epoch_after(9_001, Stream::Tna, 0, 2)
        .await
        .expect("epoch");
    let second = archive
        .start_epoch_after(9_001, Stream::Tna, 0, 3)
        .await
        .expect("epoch");
    assert_eq!(first, (1, true));
    assert_eq!(second, (1, false), "no second epoch for the same reset");
    let cursor = archive
        .cursor(9_001, Stream::Tna)
        .await
        .expect("cursor")
        .expect("exists");
    assert_eq!(
        (cursor.epoch, cursor.next_event_id, cursor.stored),
        (1, 0, 10)
    );
    // The event the sync compares: stored in epoch 0, not in epoch 1.
    assert_eq!(
        archive
            .stored_timestamp(9_001, Stream::Tna, 0, 10)
            .await
            .expect("lookup"),
        Some(page[9].timestamp)
    );
    assert_eq!(
        archive
            .stored_timestamp(9_001, Stream::Tna, 1, 10)
            .await
            .expect("lookup"),
        None
    );
}

/// Settings are replaced, not duplicated, and missing ones are `None`.
async fn settings_round_trip(archive: &Archive) {
    assert_eq!(archive.setting("nothing").await.expect("read"), None);
    archive
        .set_setting("policy", "{\"a\":1}")
        .await
        .expect("set");
    archive
        .set_setting("policy", "{\"a\":2}")
        .await
        .expect("replace");
    assert_eq!(
        archive.setting("policy").await.expect("read").as_deref(),
        Some("{\"a\":2}")
    );
}

fn devices(ids: &[u32]) -> LogQuery {
    LogQuery {
        device_ids: Some(ids.to_vec()),
        limit: 10_000,
        ..LogQuery::default()
    }
}

async fn count(archive: &Archive, device_id: u32) -> u64 {
    archive
        .count_tna(&devices(&[device_id]))
        .await
        .expect("count")
}

fn key(r: &ArchivedTnaLog) -> QueryCursor {
    QueryCursor {
        timestamp: r.log.timestamp,
        device_id: r.log.device_id,
        epoch: r.epoch,
        event_id: r.log.id,
    }
}

/// Time range, user and device filters with keyset paging give every matching row once, in
/// order, whatever the page size.
async fn queries(archive: &Archive) {
    const BASE: u32 = 1_700_000_000;
    let empty = archive
        .query_tna(&LogQuery::default())
        .await
        .expect("query");
    assert!(
        empty.rows.is_empty() && empty.next.is_none(),
        "archive must start empty"
    );

    let mut expected: Vec<ArchivedTnaLog> = Vec::new();
    for device in 101..=105u32 {
        // Three events a second, so timestamps tie within and across devices.
        let logs: Vec<TnaLog> = (0..240)
            .map(|id| tna(device, id, BASE + id / 3, &format!("user{}", id % 5)))
            .collect();
        let n = archive
            .store_tna_page(device, 0, &logs, 240, 10)
            .await
            .expect("store");
        assert_eq!(n, 240);
        expected.extend(logs.into_iter().map(|log| ArchivedTnaLog { epoch: 0, log }));
    }
    // Device 103 restarted its numbering: the same IDs again, in epoch 1, interleaved in time.
    let epoch = archive
        .start_epoch(103, Stream::Tna, 20)
        .await
        .expect("epoch");
    assert_eq!(epoch, 1);
    let again: Vec<TnaLog> = (0..60)
        .map(|id| tna(103, id, BASE + 40 + id, &format!("user{}", id % 5)))
        .collect();
    assert_eq!(
        archive
            .store_tna_page(103, 1, &again, 60, 30)
            .await
            .expect("store"),
        60
    );
    expected.extend(
        again
            .into_iter()
            .map(|log| ArchivedTnaLog { epoch: 1, log }),
    );
    expected.sort_by_key(key);

    let cases = [
        LogQuery::default(),
        LogQuery {
            from: Some(BASE + 20),
            to: Some(BASE + 70),
            ..LogQuery::default()
        },
        LogQuery {
            user_id: Some("user3".into()),
            ..LogQuery::default()
        },
        LogQuery {
            device_ids: Some(vec![104, 102, 104]),
            ..LogQuery::default()
        },
        LogQuery {
            device_ids: Some(vec![103]),
            ..LogQuery::default()
        },
        LogQuery {
            from: Some(BASE + 10),
            to: Some(BASE + 60),
            user_id: Some("user1".into()),
            device_ids: Some(vec![101, 103, 105]),
            ..LogQuery::default()
        },
        LogQuery {
            from: Some(BASE + 50),
            to: Some(BASE + 50),
            ..LogQuery::default()
        },
        LogQuery {
            device_ids: Some(vec![]),
            ..LogQuery::default()
        },
        LogQuery {
            user_id: Some("nobody".into()),
            ..LogQuery::default()
        },
    ];
    for q in &cases {
        let want: Vec<&ArchivedTnaLog> = expected
            .iter()
            .filter(|r| q.from.is_none_or(|f| r.log.timestamp >= f))
            .filter(|r| q.to.is_none_or(|t| r.log.timestamp < t))
            .filter(|r| q.user_id.as_ref().is_none_or(|u| &r.log.user_id == u))
            .filter(|r| {
                q.device_ids
                    .as_ref()
                    .is_none_or(|d| d.contains(&r.log.device_id))
            })
            .collect();
        assert_eq!(
            archive.count_tna(q).await.expect("count"),
            want.len() as u64,
            "count of {q:?}"
        );
        for page in [1, 37, 1_000] {
            if page == 1 && want.len() > 200 {
                continue;
            }
            let got = all_pages(archive, q, page).await;
            assert_eq!(got.len(), want.len(), "{q:?} in pages of {page}");
            assert!(
                got.iter().zip(want.iter()).all(|(g, w)| g == *w),
                "{q:?} in pages of {page}: rows differ"
            );
            assert!(got.windows(2).all(|w| key(&w[0]) < key(&w[1])), "order");
        }
    }

    // A page that is exactly the last: no next cursor.
    let q = LogQuery {
        device_ids: Some(vec![101]),
        limit: 240,
        ..LogQuery::default()
    };
    let page = archive.query_tna(&q).await.expect("query");
    assert_eq!(page.rows.len(), 240);
    assert_eq!(page.next, None);
    let q = LogQuery { limit: 239, ..q };
    let page = archive.query_tna(&q).await.expect("query");
    assert_eq!(page.next, page.rows.last().map(key));

    // JSON shape: camelCase, the record flattened beside its epoch.
    let json = serde_json::to_value(&page.rows[0]).expect("json");
    assert_eq!(json["epoch"], 0);
    assert_eq!(json["deviceId"], 101);
    assert!(json.get("tnaKey").is_some());
}

async fn pages_move_the_cursor(archive: &Archive) {
    assert_eq!(archive.cursor(1, Stream::Tna).await.expect("cursor"), None);
    assert_eq!(archive.stored_count(1, Stream::Tna).await.expect("n"), 0);

    let page = tna_run(1, 0..100, 1_000, 4);
    assert_eq!(
        archive
            .store_tna_page(1, 0, &page, 100, 1_000)
            .await
            .expect("store"),
        100
    );
    let c = archive
        .cursor(1, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.device_id, c.stream, c.epoch), (1, Stream::Tna, 0));
    assert_eq!((c.next_event_id, c.stored), (100, 100));
    assert_eq!(c.last_sync_at, Some(1_000));
    assert_eq!((c.last_error, c.reset_detected_at), (None, None));

    // Larger than one multi-row INSERT: split into statements, still one transaction.
    let big = tna_run(1, 100..2_600, 1_000, 4);
    assert_eq!(
        archive
            .store_tna_page(1, 0, &big, 2_600, 1_001)
            .await
            .expect("store"),
        2_500
    );
    let c = archive
        .cursor(1, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!(
        (c.next_event_id, c.stored, c.last_sync_at),
        (2_600, 2_600, Some(1_001))
    );
    assert_eq!(count(archive, 1).await, 2_600);
    assert_eq!(
        archive.stored_count(1, Stream::Tna).await.expect("n"),
        2_600
    );
    assert_eq!(
        archive.cursor(1, Stream::JobCode).await.expect("cursor"),
        None
    );

    // An empty page still marks the sync.
    assert_eq!(
        archive
            .store_tna_page(1, 0, &[], 2_600, 1_002)
            .await
            .expect("store"),
        0
    );
    let c = archive
        .cursor(1, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!(c.last_sync_at, Some(1_002));

    // Every field comes back as stored.
    let rows = archive.query_tna(&devices(&[1])).await.expect("query").rows;
    let back: Vec<TnaLog> = rows.into_iter().map(|r| r.log).collect();
    let mut sent = page;
    sent.extend(big);
    assert_eq!(back, sent);
    assert!(back.iter().any(|l| l.tna_key.is_none()));
    assert!(back.iter().any(|l| l.tna_key.is_some()));
}

async fn duplicates_are_skipped(archive: &Archive) {
    let page = tna_run(2, 0..50, 2_000, 3);
    assert_eq!(
        archive
            .store_tna_page(2, 0, &page, 50, 1)
            .await
            .expect("store"),
        50
    );
    assert_eq!(
        archive
            .store_tna_page(2, 0, &page, 50, 2)
            .await
            .expect("store"),
        0
    );
    assert_eq!(count(archive, 2).await, 50);
    assert_eq!(archive.stored_count(2, Stream::Tna).await.expect("n"), 50);

    let overlap = tna_run(2, 25..75, 2_000, 3);
    assert_eq!(
        archive
            .store_tna_page(2, 0, &overlap, 75, 3)
            .await
            .expect("store"),
        25
    );
    assert_eq!(count(archive, 2).await, 75);
    assert_eq!(archive.stored_count(2, Stream::Tna).await.expect("n"), 75);

    // An old page delivered late does not move the cursor back.
    let early = tna_run(2, 0..10, 2_000, 3);
    assert_eq!(
        archive
            .store_tna_page(2, 0, &early, 10, 4)
            .await
            .expect("store"),
        0
    );
    let c = archive
        .cursor(2, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!(
        (c.next_event_id, c.stored, c.last_sync_at),
        (75, 75, Some(4))
    );
}

async fn refused_pages_write_nothing(archive: &Archive) {
    let page = tna_run(3, 0..10, 3_000, 2);
    archive
        .store_tna_page(3, 0, &page, 10, 1)
        .await
        .expect("store");
    let before = archive.cursor(3, Stream::Tna).await.expect("cursor");

    let stale = tna_run(3, 10..20, 3_000, 2);
    let err = archive
        .store_tna_page(3, 1, &stale, 20, 2)
        .await
        .expect_err("stale");
    assert!(
        matches!(
            err,
            ArchiveError::StaleEpoch {
                device_id: 3,
                stream: Stream::Tna,
                current: 0,
                given: 1
            }
        ),
        "{err}"
    );
    assert_eq!(count(archive, 3).await, 10);
    assert_eq!(
        archive.cursor(3, Stream::Tna).await.expect("cursor"),
        before
    );

    let mut mixed = tna_run(3, 10..20, 3_000, 2);
    mixed[5].device_id = 4;
    let err = archive
        .store_tna_page(3, 0, &mixed, 20, 3)
        .await
        .expect_err("foreign");
    assert!(
        matches!(
            err,
            ArchiveError::ForeignRecord {
                device_id: 3,
                record_device_id: 4,
                event_id: 15
            }
        ),
        "{err}"
    );
    assert_eq!(count(archive, 3).await, 10);
    assert_eq!(count(archive, 4).await, 0);
    assert_eq!(
        archive.cursor(3, Stream::Tna).await.expect("cursor"),
        before
    );

    // A device never seen starts at epoch 0: a writer claiming another epoch is stale too.
    let err = archive
        .store_tna_page(5, 2, &tna_run(5, 0..3, 1, 1), 3, 4)
        .await
        .expect_err("stale");
    assert!(
        matches!(
            err,
            ArchiveError::StaleEpoch {
                current: 0,
                given: 2,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(archive.cursor(5, Stream::Tna).await.expect("cursor"), None);
    assert_eq!(count(archive, 5).await, 0);
    assert!(!err.to_string().contains('\n'));
}

async fn epoch_reset_keeps_old_rows(archive: &Archive) {
    let old = tna_run(6, 0..100, 6_000, 5);
    archive
        .store_tna_page(6, 0, &old, 100, 1)
        .await
        .expect("store");
    assert_eq!(
        archive
            .start_epoch(6, Stream::Tna, 5_000)
            .await
            .expect("epoch"),
        1
    );
    let c = archive
        .cursor(6, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.epoch, c.next_event_id, c.stored), (1, 0, 100));
    assert_eq!(c.reset_detected_at, Some(5_000));

    // The writer that still holds epoch 0 is refused.
    let late = tna_run(6, 100..110, 6_000, 5);
    assert!(matches!(
        archive.store_tna_page(6, 0, &late, 110, 2).await,
        Err(ArchiveError::StaleEpoch {
            current: 1,
            given: 0,
            ..
        })
    ));

    // The same IDs in the new epoch are new records.
    let new = tna_run(6, 0..30, 7_000, 5);
    assert_eq!(
        archive
            .store_tna_page(6, 1, &new, 30, 3)
            .await
            .expect("store"),
        30
    );
    assert_eq!(count(archive, 6).await, 130);
    let c = archive
        .cursor(6, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.epoch, c.next_event_id, c.stored), (1, 30, 130));
    let rows = archive.query_tna(&devices(&[6])).await.expect("query").rows;
    assert_eq!(rows.iter().filter(|r| r.epoch == 0).count(), 100);
    assert_eq!(rows.iter().filter(|r| r.epoch == 1).count(), 30);
    assert!(rows.iter().filter(|r| r.epoch == 1).all(|r| r.log.id < 30));

    assert_eq!(
        archive
            .start_epoch(6, Stream::Tna, 5_001)
            .await
            .expect("epoch"),
        2
    );
    assert_eq!(
        archive.cursor(6, Stream::JobCode).await.expect("cursor"),
        None
    );
    // A reset seen before anything was stored still opens epoch 1.
    assert_eq!(
        archive
            .start_epoch(7, Stream::JobCode, 9)
            .await
            .expect("epoch"),
        1
    );
    let c = archive
        .cursor(7, Stream::JobCode)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.epoch, c.stored, c.reset_detected_at), (1, 0, Some(9)));
}

async fn errors_are_recorded_and_cleared(archive: &Archive) {
    archive
        .record_error(8, Stream::Tna, "device 8 timed out", 100)
        .await
        .expect("record");
    let c = archive
        .cursor(8, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.epoch, c.next_event_id, c.stored), (0, 0, 0));
    assert_eq!(c.last_error.as_deref(), Some("device 8 timed out"));
    assert_eq!((c.last_error_at, c.last_sync_at), (Some(100), None));

    archive
        .record_error(8, Stream::Tna, "connection reset", 101)
        .await
        .expect("record");
    let c = archive
        .cursor(8, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!(c.last_error.as_deref(), Some("connection reset"));
    assert_eq!(c.last_error_at, Some(101));

    archive
        .store_tna_page(8, 0, &tna_run(8, 0..5, 8_000, 1), 5, 102)
        .await
        .expect("store");
    let c = archive
        .cursor(8, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.last_error, c.last_error_at), (None, Some(101)));
    assert_eq!(c.last_sync_at, Some(102));

    let all = archive.cursors().await.expect("cursors");
    assert!(
        all.windows(2)
            .all(|w| (w[0].device_id, w[0].stream) < (w[1].device_id, w[1].stream))
    );
    assert!(
        all.iter()
            .any(|c| c.device_id == 8 && c.stream == Stream::Tna)
    );
}

async fn job_codes_have_their_own_stream(archive: &Archive) {
    let logs: Vec<_> = (0..40)
        .map(|id| job(9, id, 9_000 + id, if id % 2 == 0 { "ann" } else { "bob" }))
        .collect();
    assert_eq!(
        archive
            .store_job_code_page(9, 0, &logs, 40, 1)
            .await
            .expect("store"),
        40
    );
    assert_eq!(
        archive
            .store_job_code_page(9, 0, &logs, 40, 2)
            .await
            .expect("store"),
        0
    );
    assert_eq!(
        archive.stored_count(9, Stream::JobCode).await.expect("n"),
        40
    );
    assert_eq!(archive.cursor(9, Stream::Tna).await.expect("cursor"), None);
    assert_eq!(count(archive, 9).await, 0);

    let q = LogQuery {
        user_id: Some("bob".into()),
        device_ids: Some(vec![9]),
        limit: 7,
        ..LogQuery::default()
    };
    assert_eq!(archive.count_job_codes(&q).await.expect("count"), 20);
    let mut got = Vec::new();
    let mut q = q;
    loop {
        let page = archive.query_job_codes(&q).await.expect("query");
        got.extend(page.rows);
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    let want: Vec<_> = logs
        .iter()
        .filter(|l| l.user_id == "bob")
        .cloned()
        .collect();
    assert_eq!(got.iter().map(|r| r.log.clone()).collect::<Vec<_>>(), want);

    // Job-code epochs are separate from T&A epochs.
    assert!(matches!(
        archive.store_job_code_page(9, 1, &logs, 40, 3).await,
        Err(ArchiveError::StaleEpoch {
            stream: Stream::JobCode,
            ..
        })
    ));
    let mut foreign = logs.clone();
    foreign[0].device_id = 10;
    assert!(matches!(
        archive.store_job_code_page(9, 0, &foreign, 40, 3).await,
        Err(ArchiveError::ForeignRecord { .. })
    ));
}

/// Overlapping pages stored at once by several writers: each record counted once.
async fn concurrent_writers_never_double_count(archive: &Archive) {
    let mut tasks = Vec::new();
    for w in 0..4u32 {
        let archive = archive.clone();
        tasks.push(tokio::spawn(async move {
            let mut inserted = 0;
            for start in (0..2_000u32).step_by(250) {
                let from = (start + w * 100).min(2_000);
                let page = tna_run(10, from..(from + 300).min(2_000), 10_000, 7);
                inserted += archive
                    .store_tna_page(10, 0, &page, from + 300, i64::from(start))
                    .await
                    .expect("store");
            }
            inserted
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("join");
    }
    assert_eq!(total, 2_000);
    assert_eq!(count(archive, 10).await, 2_000);
    assert_eq!(
        archive.stored_count(10, Stream::Tna).await.expect("n"),
        2_000
    );
}

async fn audit_trail(archive: &Archive) {
    assert!(
        archive
            .list_audit(&AuditQuery {
                limit: 10,
                ..AuditQuery::default()
            })
            .await
            .expect("list")
            .is_empty()
    );
    let entry = |at: i64, actor: &str, method: &str, devices: Vec<u32>| AuditEntry {
        id: 0,
        at,
        actor: actor.into(),
        method: method.into(),
        device_ids: devices,
        before: Some(serde_json::json!({"mode": "byUser", "labels": ["In", "Out"]})),
        after: None,
        results: serde_json::json!([
            {"deviceId": 5, "ok": true},
            {"deviceId": 3, "error": "timeout"}
        ]),
    };
    let e1 = entry(100, "admin", "setTnaConfig", vec![5, 3, 9]);
    let e2 = entry(200, "ops", "setUserJobCodes", vec![3]);
    let e3 = entry(300, "admin", "setTnaConfig", vec![]);
    let id1 = archive.append_audit(&e1).await.expect("append");
    let id2 = archive.append_audit(&e2).await.expect("append");
    let id3 = archive.append_audit(&e3).await.expect("append");
    assert!(id1 > 0 && id1 < id2 && id2 < id3);

    let all = archive
        .list_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![id3, id2, id1]
    );
    assert_eq!(
        all[2],
        AuditEntry {
            id: id1,
            ..e1.clone()
        }
    );
    assert_eq!(all[0].device_ids, Vec::<u32>::new());

    let ids = |q: AuditQuery| async move {
        archive
            .list_audit(&q)
            .await
            .expect("list")
            .into_iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    let q = AuditQuery {
        limit: 100,
        ..AuditQuery::default()
    };
    assert_eq!(
        ids(AuditQuery {
            actor: Some("admin".into()),
            ..q.clone()
        })
        .await,
        vec![id3, id1]
    );
    assert_eq!(
        ids(AuditQuery {
            method: Some("setUserJobCodes".into()),
            ..q.clone()
        })
        .await,
        vec![id2]
    );
    assert_eq!(
        ids(AuditQuery {
            device_id: Some(3),
            ..q.clone()
        })
        .await,
        vec![id2, id1]
    );
    assert_eq!(
        ids(AuditQuery {
            device_id: Some(9),
            ..q.clone()
        })
        .await,
        vec![id1]
    );
    assert_eq!(
        ids(AuditQuery {
            device_id: Some(77),
            ..q.clone()
        })
        .await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(AuditQuery {
            from: Some(200),
            to: Some(300),
            ..q.clone()
        })
        .await,
        vec![id2]
    );
    // Paging newest first.
    let one = AuditQuery {
        limit: 1,
        ..q.clone()
    };
    assert_eq!(ids(one.clone()).await, vec![id3]);
    assert_eq!(
        ids(AuditQuery {
            before_id: Some(id3),
            ..one.clone()
        })
        .await,
        vec![id2]
    );
    assert_eq!(
        ids(AuditQuery {
            before_id: Some(id1),
            ..one
        })
        .await,
        Vec::<i64>::new()
    );

    let json = serde_json::to_value(&all[2]).expect("json");
    assert_eq!(json["deviceIds"], serde_json::json!([5, 3, 9]));

    // The writability probe changes nothing; a later batch extends an entry in place.
    archive.check_audit_writable().await.expect("writable");
    let batch = AuditEntry {
        device_ids: vec![11, 12],
        before: Some(serde_json::json!({"11": null})),
        results: serde_json::json!([{"deviceId": 11, "ok": true}, {"deviceId": 12, "ok": true}]),
        ..entry(400, "admin", "setTnaConfig", vec![])
    };
    archive.extend_audit(id2, &batch).await.expect("extend");
    let after = archive
        .list_audit(&AuditQuery {
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(
        after.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![id3, id2, id1],
        "no new entry"
    );
    let extended = &after[1];
    assert_eq!(extended.device_ids, vec![3, 11, 12]);
    assert_eq!(extended.at, 200, "the entry keeps its time");
    assert_eq!(extended.results.as_array().map(Vec::len), Some(4));
    assert_eq!(
        extended.before.as_ref().and_then(|b| b.get("11")),
        Some(&serde_json::Value::Null)
    );
    assert_eq!(
        ids(AuditQuery {
            device_id: Some(12),
            ..q.clone()
        })
        .await,
        vec![id2]
    );
}

/// Every cursor's `stored` equals the rows actually stored for it.
async fn stored_matches_rows(archive: &Archive) {
    for c in archive.cursors().await.expect("cursors") {
        let q = devices(&[c.device_id]);
        let rows = match c.stream {
            Stream::Tna => archive.count_tna(&q).await,
            Stream::JobCode => archive.count_job_codes(&q).await,
        }
        .expect("count");
        assert_eq!(c.stored, rows, "{c:?}");
    }
}

/// Device names, locations and tags: kept, replaced as a whole, cleared.
async fn device_names_are_kept_replaced_and_cleared(archive: &Archive) {
    assert!(archive.device_infos().await.expect("read").is_empty());
    let lobby = DeviceInfo {
        device_id: 540_000_001,
        name: Some("Reception entrance".into()),
        location: Some("Building A — 로비".into()),
        tags: vec!["lobby".into(), "north".into()],
    };
    archive.set_device_info(&lobby).await.expect("set");
    let dock = DeviceInfo {
        device_id: 7,
        name: Some("Dock 2".into()),
        ..Default::default()
    };
    archive.set_device_info(&dock).await.expect("set");
    let kept = archive.device_infos().await.expect("read");
    assert_eq!(kept.get(&540_000_001), Some(&lobby));
    assert_eq!(kept.get(&7), Some(&dock));
    // Replaced as a whole: the location and tags go when only a name is given.
    let renamed = DeviceInfo {
        device_id: 540_000_001,
        name: Some("Main entrance".into()),
        ..Default::default()
    };
    archive.set_device_info(&renamed).await.expect("replace");
    let kept = archive.device_infos().await.expect("read");
    assert_eq!(kept.get(&540_000_001), Some(&renamed));
    // Nothing said: the row goes.
    archive
        .set_device_info(&DeviceInfo {
            device_id: 7,
            ..Default::default()
        })
        .await
        .expect("clear");
    let kept = archive.device_infos().await.expect("read");
    assert_eq!(kept.len(), 1);
}

fn owned(users: &[(&str, &str)]) -> Vec<(String, String)> {
    users
        .iter()
        .map(|(id, name)| ((*id).to_owned(), (*name).to_owned()))
        .collect()
}

/// One search (`query`), every page of `limit`, followed by `next`: the IDs in order.
async fn search(archive: &Archive, query: Option<&str>, limit: u32) -> Vec<String> {
    let mut p = UsersListParams {
        query: query.map(str::to_owned),
        limit,
        after: None,
    };
    let mut out = Vec::new();
    loop {
        let page = archive.directory_page(&p).await.expect("page");
        assert!(page.users.len() <= limit as usize);
        out.extend(page.users.into_iter().map(|u| u.user_id));
        match page.next {
            Some(n) => p.after = Some(n),
            None => return out,
        }
    }
}

/// The user directory: device lists kept and replaced, names chosen, conflicts, search by ID
/// prefix and by name part (case, accents, Hangul, LIKE wildcards taken literally), paging,
/// first/last seen from the T&A log.
async fn user_directory(archive: &Archive) {
    assert_eq!(archive.directory_size().await.expect("size"), 0);
    let first = [
        ("7001", "Müller Anna"),
        ("7002", "김민준"),
        ("7003", ""),
        ("7004", "Ann_50%"),
    ];
    let stored = archive
        .store_device_users(801, &owned(&first), 10)
        .await
        .expect("store 801");
    assert_eq!((stored.users, stored.changed), (4, 4));
    archive
        .store_device_users(802, &owned(&[("7001", "Müller Anna"), ("7005", "Bob")]), 11)
        .await
        .expect("store 802");
    archive
        .store_device_users(803, &owned(&[("7005", "Robert")]), 12)
        .await
        .expect("store 803");
    // Seen in the log: 7001 at 1,000 and 2,000 (another user between).
    let logs = vec![
        tna(804, 0, 1_000, "7001"),
        tna(804, 1, 1_500, "7002"),
        tna(804, 2, 2_000, "7001"),
    ];
    archive
        .store_tna_page(804, 0, &logs, 3, 13)
        .await
        .expect("logs");

    let all = archive
        .directory_users(&["7005".into(), "nobody".into(), "7001".into(), "7003".into()])
        .await
        .expect("get");
    assert_eq!(
        all,
        vec![
            DirectoryUser {
                user_id: "7005".into(),
                name: Some("Bob".into()),
                device_ids: vec![802, 803],
                first_seen: None,
                last_seen: None,
                name_conflict: vec!["Bob".into(), "Robert".into()],
            },
            DirectoryUser {
                user_id: "7001".into(),
                name: Some("Müller Anna".into()),
                device_ids: vec![801, 802],
                first_seen: Some(1_000),
                last_seen: Some(2_000),
                name_conflict: vec![],
            },
            DirectoryUser {
                user_id: "7003".into(),
                name: None,
                device_ids: vec![801],
                first_seen: None,
                last_seen: None,
                name_conflict: vec![],
            },
        ]
    );
    assert_eq!(archive.directory_size().await.expect("size"), 5);
    assert_eq!(
        archive
            .unknown_users(&["7002", "9999", "7001", "9998"])
            .await
            .expect("unknown"),
        vec!["9998".to_string(), "9999".to_string()]
    );

    let ids = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let everyone = ids(&["7001", "7002", "7003", "7004", "7005"]);
    assert_eq!(search(archive, None, 1000).await, everyone);
    assert_eq!(search(archive, Some("  "), 1000).await, everyone);
    for limit in [1, 2, 3] {
        assert_eq!(
            search(archive, None, limit).await,
            everyone,
            "pages of {limit}"
        );
    }
    assert_eq!(search(archive, Some("MULL"), 10).await, ids(&["7001"]));
    assert_eq!(search(archive, Some("müLLer"), 10).await, ids(&["7001"]));
    assert_eq!(
        search(archive, Some("ann"), 10).await,
        ids(&["7001", "7004"])
    );
    assert_eq!(search(archive, Some("민"), 10).await, ids(&["7002"]));
    assert_eq!(
        search(archive, Some("미"), 10).await,
        ids(&["7002"]),
        "a syllable being typed"
    );
    assert_eq!(search(archive, Some("700"), 2).await, everyone);
    assert_eq!(search(archive, Some("7003"), 10).await, ids(&["7003"]));
    assert!(
        search(archive, Some("003"), 10).await.is_empty(),
        "IDs match by prefix"
    );
    assert_eq!(
        search(archive, Some("%"), 10).await,
        ids(&["7004"]),
        "% is literal"
    );
    assert_eq!(
        search(archive, Some("_5"), 10).await,
        ids(&["7004"]),
        "_ is literal"
    );
    assert_eq!(
        search(archive, Some("robert"), 10).await,
        Vec::<String>::new(),
        "the chosen name is searched"
    );

    // Device 801 now holds only 7001: the others leave the directory (no device holds them);
    // 7001 keeps both devices. The same list again changes nothing.
    let stored = archive
        .store_device_users(801, &owned(&[("7001", "Müller Anna")]), 20)
        .await
        .expect("replace 801");
    assert_eq!((stored.users, stored.changed), (1, 3));
    let again = archive
        .store_device_users(801, &owned(&[("7001", "Müller Anna")]), 21)
        .await
        .expect("same list");
    assert_eq!(again.changed, 0);
    assert_eq!(search(archive, None, 10).await, ids(&["7001", "7005"]));
    // A rename on one device: a conflict until the other agrees.
    archive
        .store_device_users(802, &owned(&[("7001", "Anna Müller"), ("7005", "Bob")]), 22)
        .await
        .expect("rename");
    let u = archive
        .directory_users(&["7001".into()])
        .await
        .expect("get");
    assert_eq!(
        u[0].name_conflict,
        vec!["Anna Müller".to_string(), "Müller Anna".to_string()]
    );
    archive
        .store_device_users(801, &owned(&[("7001", "Anna Müller")]), 23)
        .await
        .expect("agree");
    let u = archive
        .directory_users(&["7001".into()])
        .await
        .expect("get");
    assert_eq!(u[0].name.as_deref(), Some("Anna Müller"));
    assert!(u[0].name_conflict.is_empty());
    // The search sees the new name at once (its keys are read again after a change).
    assert_eq!(search(archive, Some("anna m"), 10).await, ids(&["7001"]));
    // An empty list: the device holds nobody any more.
    archive
        .store_device_users(803, &[], 24)
        .await
        .expect("empty");
    let u = archive
        .directory_users(&["7005".into()])
        .await
        .expect("get");
    assert_eq!(
        (u[0].device_ids.clone(), u[0].name_conflict.len()),
        (vec![802], 0)
    );
}
