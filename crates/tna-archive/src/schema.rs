//! The schema: one migrations directory (`crates/tna-archive/migrations/`), run unchanged by
//! both backends when an archive is opened.

use sqlx::migrate::Migrator;

/// Every migration, embedded at build time.
pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations");
