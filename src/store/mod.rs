//! Persistence: small functions over sea-orm, one code path for SQLite and PostgreSQL.

pub mod accounts;
pub mod audit;
pub mod bookings;
pub mod capacity_entities;
pub mod capacity_views;
pub mod case_plans;
pub mod case_records;
pub mod casework_entities;
pub mod catalogue;
pub mod cohorts;
pub mod entities;
pub mod facilitators;
pub mod idempotency;
pub mod proposals;
pub mod provision;
pub mod reviews;
pub mod rivalries;
pub mod sign_in;
pub mod waiting_list;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The caller's version is not the current one (If-Match failed).
    #[error("the record has changed since it was read (now version {current})")]
    Stale { current: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("database error")]
    Db(#[from] DbErr),
    #[error("a stored document could not be read")]
    Corrupt(#[from] serde_json::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Connections kept when the configuration does not say (`pool_size`).
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// Connects with the default pool size.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_pool(url, DEFAULT_POOL_SIZE).await
}

/// Connects to the store named by `url` (`sqlite://path?mode=rwc` or `postgres://…`) with at
/// most `pool_size` connections. SQLite gets WAL, synchronous=FULL, a busy timeout and foreign
/// keys; its file's folder is created.
pub async fn connect_pool(url: &str, pool_size: u32) -> Result<DatabaseConnection, DbErr> {
    let mut url = url.to_string();
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or_default();
        if !path.is_empty() && path != ":memory:" {
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
        }
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(pool_size.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// A write transaction. On SQLite it begins IMMEDIATE, so a transaction that reads before it
/// writes waits for the lock instead of failing with "database is locked".
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mode = (db.get_database_backend() == DbBackend::Sqlite)
        .then_some(SqliteTransactionMode::Immediate);
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: mode,
        ..Default::default()
    })
    .await
}

pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Commits when `out` is Ok, rolls back at once otherwise (so that neither SQLite's write lock
/// nor PostgreSQL's row locks outlive the request).
pub(crate) async fn finish<T, E: From<DbErr>>(
    txn: DatabaseTransaction,
    out: Result<T, E>,
) -> Result<T, E> {
    match out {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(e) => {
            let _ = txn.rollback().await;
            Err(e)
        }
    }
}
