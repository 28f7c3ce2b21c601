//! The archive on a SQLite file.

mod support;

use sqlx::Connection as _;
use tna_archive::{Archive, Backend, Stream};

fn file_url(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

#[tokio::test]
async fn contract_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let archive = Archive::open(&file_url(&dir, "archive.db"))
        .await
        .expect("open");
    assert_eq!(archive.kind(), Backend::Sqlite);
    support::contract::run_all(&archive).await;
}

#[tokio::test]
async fn contract_on_sqlite_in_memory() {
    let archive = Archive::open("sqlite::memory:").await.expect("open");
    support::contract::run_all(&archive).await;
}

/// A relay restart: the file is opened again, migrations are not re-run, nothing is lost.
#[tokio::test]
async fn reopening_the_file_keeps_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = file_url(&dir, "relay.db");
    {
        let archive = Archive::open(&url).await.expect("open");
        let page = support::tna_run(42, 0..500, 1_000, 3);
        assert_eq!(
            archive
                .store_tna_page(42, 0, &page, 500, 7)
                .await
                .expect("store"),
            500
        );
        assert_eq!(
            archive
                .start_epoch(42, Stream::Tna, 8)
                .await
                .expect("epoch"),
            1
        );
        archive.close().await;
    }
    let archive = Archive::open(&url).await.expect("reopen");
    let c = archive
        .cursor(42, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((c.epoch, c.next_event_id, c.stored), (1, 0, 500));
    assert_eq!(c.reset_detected_at, Some(8));
    let q = tna_archive::LogQuery {
        device_ids: Some(vec![42]),
        ..Default::default()
    };
    assert_eq!(archive.count_tna(&q).await.expect("count"), 500);
    // The old epoch's writer is still refused after the restart; the new one goes on.
    let more = support::tna_run(42, 0..10, 5_000, 3);
    assert!(archive.store_tna_page(42, 0, &more, 10, 9).await.is_err());
    assert_eq!(
        archive
            .store_tna_page(42, 1, &more, 10, 9)
            .await
            .expect("store"),
        10
    );
    archive.close().await;

    // The file is in WAL mode.
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect");
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
}

/// `sqlite:relative/path?mode=rwc` works too, and two handles on one file see each other.
#[tokio::test]
async fn plain_sqlite_url_and_two_handles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("b.db").display());
    let a = Archive::open(&url).await.expect("open");
    let b = Archive::open(&url).await.expect("open again");
    let page = support::tna_run(1, 0..10, 1, 1);
    a.store_tna_page(1, 0, &page, 10, 1).await.expect("store");
    assert_eq!(b.stored_count(1, Stream::Tna).await.expect("n"), 10);
    b.start_epoch(1, Stream::Tna, 2).await.expect("epoch");
    assert!(a.store_tna_page(1, 0, &page, 10, 3).await.is_err());
}

/// Values no device could have sent (a hand-edited file) are an error naming the column, never
/// a panic or a wrapped number.
#[tokio::test]
async fn out_of_range_values_are_reported_not_wrapped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = file_url(&dir, "odd.db");
    let archive = Archive::open(&url).await.expect("open");
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("connect");
    for (device, key, code) in [(1, 99, 0), (2, 1, -1), (3, 1, 1_i64 << 33)] {
        sqlx::query(
            "INSERT INTO tna_log (device_id, epoch, event_id, ts, user_id, event_code, \
             sub_code, tna_key) VALUES ($1, 0, 0, 10, 'u', $2, 0, $3)",
        )
        .bind(device)
        .bind(code)
        .bind(key)
        .execute(&mut conn)
        .await
        .expect("insert");
        let q = tna_archive::LogQuery {
            device_ids: Some(vec![device as u32]),
            limit: 10,
            ..Default::default()
        };
        let err = archive.query_tna(&q).await.expect_err("corrupt");
        assert!(
            matches!(
                err,
                tna_archive::ArchiveError::Corrupt {
                    table: "tna_log",
                    ..
                }
            ),
            "{err}"
        );
    }
}
