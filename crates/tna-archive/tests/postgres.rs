//! The archive on PostgreSQL: a throwaway cluster per test (see `tna_archive::testing`).

mod support;

use tna_archive::testing::PgCluster;
use tna_archive::{Archive, Backend, Stream};

fn cluster() -> PgCluster {
    PgCluster::start().unwrap_or_else(|e| panic!("cannot start a test PostgreSQL: {e}"))
}

#[tokio::test]
async fn contract_on_postgres() {
    let pg = cluster();
    let archive = Archive::open(&pg.url()).await.expect("open");
    assert_eq!(archive.kind(), Backend::Postgres);
    support::contract::run_all(&archive).await;
    archive.close().await;
}

/// Two relays sharing one database: both open it (migrations run once), each sees the other's
/// pages, and a reset seen by one refuses the other's stale epoch.
#[tokio::test]
async fn two_relays_share_one_database() {
    let pg = cluster();
    let url = pg.url();
    let (a, b) = tokio::join!(Archive::open(&url), Archive::open(&url));
    let (a, b) = (a.expect("open a"), b.expect("open b"));
    let page = support::tna_run(1, 0..100, 1, 4);
    assert_eq!(
        a.store_tna_page(1, 0, &page, 100, 1).await.expect("store"),
        100
    );
    assert_eq!(
        b.store_tna_page(1, 0, &page, 100, 2).await.expect("store"),
        0
    );
    assert_eq!(b.start_epoch(1, Stream::Tna, 3).await.expect("epoch"), 1);
    assert!(a.store_tna_page(1, 0, &page, 100, 4).await.is_err());
    // The directory: b's search keys, once read, follow a's later writes.
    let search = |archive: &Archive, q: &str| {
        let params = tna_types::users::UsersListParams {
            query: Some(q.into()),
            limit: 10,
            after: None,
        };
        let archive = archive.clone();
        async move {
            let page = archive.directory_page(&params).await.expect("search");
            page.users
                .into_iter()
                .map(|u| u.user_id)
                .collect::<Vec<_>>()
        }
    };
    let ana = [("9001".to_string(), "Ana Lima".to_string())];
    a.store_device_users(5, &ana, 5).await.expect("a stores");
    assert_eq!(search(&b, "lima").await, ["9001"]);
    let renamed = [("9001".to_string(), "Ana Costa".to_string())];
    a.store_device_users(5, &renamed, 6)
        .await
        .expect("a renames");
    assert!(search(&b, "lima").await.is_empty(), "b sees the rename");
    assert_eq!(search(&b, "costa").await, ["9001"]);
    drop((a, b));

    // A relay restart.
    let c = Archive::open(&url).await.expect("reopen");
    let cur = c
        .cursor(1, Stream::Tna)
        .await
        .expect("cursor")
        .expect("some");
    assert_eq!((cur.epoch, cur.stored), (1, 100));
    c.close().await;
}
