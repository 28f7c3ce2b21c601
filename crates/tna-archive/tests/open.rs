//! Opening with a bad URL, or a database that is not there, says in one line what to fix.

mod support;

use tna_archive::{Archive, ArchiveError};

async fn open_err(url: &str) -> ArchiveError {
    match Archive::open(url).await {
        Ok(_) => panic!("{url} opened"),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "not one line: {msg}");
            e
        }
    }
}

#[tokio::test]
async fn unknown_scheme_names_the_forms_to_use() {
    let e = open_err("mysql://root@localhost/tna").await;
    assert!(matches!(e, ArchiveError::BadUrl { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("sqlite:///") && msg.contains("postgres://"),
        "{msg}"
    );

    let e = open_err("/var/lib/tna/archive.db").await;
    assert!(e.to_string().contains("sqlite:///"), "{e}");
}

#[tokio::test]
async fn unknown_sqlite_parameter_is_a_bad_url() {
    let e = open_err("sqlite:///tmp/x.db?journal=wal").await;
    assert!(matches!(e, ArchiveError::BadUrl { .. }), "{e}");
}

#[tokio::test]
async fn missing_directory_says_to_check_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/no/such/dir/a.db", dir.path().display());
    let e = open_err(&url).await;
    assert!(matches!(e, ArchiveError::Open { .. }), "{e}");
    assert!(e.to_string().contains("directory exists"), "{e}");
}

#[tokio::test]
async fn unreachable_postgres_says_to_check_the_server() {
    let port = tna_archive::testing::free_port().expect("port");
    let started = std::time::Instant::now();
    let e = open_err(&format!("postgres://relay:secret@127.0.0.1:{port}/tna")).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let msg = e.to_string();
    assert!(matches!(e, ArchiveError::Open { .. }), "{msg}");
    assert!(msg.contains("PostgreSQL is running"), "{msg}");
    assert!(!msg.contains("secret"), "password leaked: {msg}");
}

#[tokio::test]
async fn bad_postgres_url_is_a_bad_url() {
    let e = open_err("postgres://relay@db:notaport/tna").await;
    assert!(matches!(e, ArchiveError::BadUrl { .. }), "{e}");
}
