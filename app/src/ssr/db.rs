//! The database: one embedded SQLite file by default, or a shared PostgreSQL server for several
//! replicas. This module connects and migrates; the queries live with the concepts they serve
//! (`accounts/`, `guard/`), each written once in SQL both backends accept, and `on_pool!` runs
//! the same body against whichever pool is configured.

use std::{
    path::Path,
    str::FromStr,
    time::{Duration, Instant},
};

use sqlx::{
    PgPool, SqliteConnection, SqlitePool, Transaction,
    migrate::MigrateError,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/dioptra-accounts.db";

/// How many SQLite virtual-machine steps run between two looks at the clock: about a millisecond
/// of work, so the budget is kept to within a few milliseconds. A look every thousand steps cost a
/// full scan of a million accounts 30% of its time (bench: p50 8.7 → 11.3 ms); one every 100,000
/// costs nothing measurable. A statement of fewer steps (most of them) never looks.
const SQLITE_STEPS_PER_CHECK: i32 = 100_000;

/// A connection pool to one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool. The body is compiled once per backend,
/// so a query that one backend cannot type-check fails the build, not a request.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::ssr::db::Database::Sqlite($pool) => $body,
            $crate::ssr::db::Database::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/NAME")]
    UnsupportedScheme(String),
    #[error("invalid database URL {url:?}: {source}")]
    InvalidUrl { url: String, source: sqlx::Error },
    #[error("cannot create the folder {path:?} for the database: {source}")]
    CreateFolder { path: String, source: std::io::Error },
    #[error("cannot open the database {url:?}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot upgrade the stored data: {0}")]
    Upgrade(sqlx::Error),
}

impl Database {
    /// Opens the database at `url`, creating an SQLite file (and its folder) if it is missing.
    ///
    /// Every query has a time budget, `query_budget`. The server's own queries take milliseconds;
    /// the budget is for those a caller can make slow (a search over a million accounts), so that
    /// they are stopped in the database, fail with PostgreSQL's `query_canceled` or SQLite's
    /// `SQLITE_INTERRUPT` (`failure.rs` makes either a 503), and give their connection back,
    /// rather than run on after the request has gone. Migrations have no budget.
    pub async fn connect(url: &str, query_budget: Duration) -> Result<Self, ConnectError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|source| ConnectError::InvalidUrl { url: url.into(), source })?
                .create_if_missing(true)
                // WAL lets readers proceed while one writer writes; the busy timeout makes a
                // writer wait its turn instead of failing with "database is locked".
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(folder) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
                create_folder(folder)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // SQLite has no statement timeout: a progress handler looks at the clock every
                // 100,000 steps and interrupts the statement once the connection has been out of
                // the pool for longer than the budget (so a transaction's statements share one).
                // Installed anew at every acquire, which also proves the connection's worker
                // thread alive, as the default test before acquire would.
                .test_before_acquire(false)
                .after_connect(move |conn, _| Box::pin(start_budget(conn, query_budget)))
                .before_acquire(move |conn, _| {
                    Box::pin(async move { start_budget(conn, query_budget).await.map(|()| true) })
                })
                .connect_with(options)
                .await
                .map_err(|source| ConnectError::Open { url: url.into(), source })?;
            Ok(Database::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|source| ConnectError::InvalidUrl { url: url.into(), source })?
                // Every statement of every connection, sent at connection startup (no round trip).
                .options([("statement_timeout", format!("{}ms", query_budget.as_millis().max(1)))]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                // Long enough to ride out a burst, short enough that an outage answers 503
                // quickly rather than holding requests.
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(options)
                .await
                .map_err(|source| ConnectError::Open { url: url.into(), source })?;
            Ok(Database::Postgres(pool))
        } else {
            Err(ConnectError::UnsupportedScheme(url.into()))
        }
    }

    /// Brings the schema up to date, then the data (`upgrades.rs`). Safe to run on every start.
    ///
    /// Several servers may start at once on one database. PostgreSQL serialises their migrations
    /// with an advisory lock; SQLite has none, so there a migration that collides with another
    /// process's (which then applied it) is retried, and finds it done.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Database::Sqlite(pool) => {
                let mut attempt = 1;
                loop {
                    match migrate_sqlite(pool).await {
                        Ok(()) => break,
                        Err(error) if attempt < 20 => {
                            tracing::debug!(%error, attempt, "migration collided with another process; retrying");
                            tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                            attempt += 1;
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
            }
            Database::Postgres(pool) => migrate_postgres(pool).await?,
        }
        super::upgrades::make_pending(self).await.map_err(ConnectError::Upgrade)
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// Whether the database answers a trivial query within two seconds.
    pub async fn ping(&self) -> bool {
        let query = async { on_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.is_ok()) };
        tokio::time::timeout(Duration::from_secs(2), query).await.unwrap_or(false)
    }

    /// How many connections the pool holds, how many of those are idle, and its maximum.
    pub fn pool_stats(&self) -> PoolStats {
        on_pool!(self, |pool| {
            let size = pool.size();
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
            PoolStats { idle, in_use: size.saturating_sub(idle), max: pool.options().get_max_connections() }
        })
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

/// Runs the SQLite migrations on a connection without the query budget: migrating a large
/// database may take minutes. The connection's next acquire gives it the budget again.
async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?;
    conn.lock_handle().await?.remove_progress_handler();
    sqlx::migrate!("../migrations/sqlite").run(&mut *conn).await
}

/// Runs the PostgreSQL migrations without the query budget, on a connection closed afterwards
/// rather than returned to the pool without its `statement_timeout`.
async fn migrate_postgres(pool: &PgPool) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?;
    sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
    let migrated = sqlx::migrate!("../migrations/postgres").run(&mut *conn).await;
    conn.close().await?;
    migrated
}

/// Gives an SQLite connection just taken from the pool `budget` from now: a statement still
/// running then is interrupted.
async fn start_budget(conn: &mut SqliteConnection, budget: Duration) -> sqlx::Result<()> {
    let deadline = Instant::now() + budget;
    conn.lock_handle().await?.set_progress_handler(SQLITE_STEPS_PER_CHECK, move || Instant::now() < deadline);
    Ok(())
}

fn create_folder(folder: &Path) -> Result<(), ConnectError> {
    std::fs::create_dir_all(folder)
        .map_err(|source| ConnectError::CreateFolder { path: folder.display().to_string(), source })
}

/// Starts a transaction that will write. SQLite takes the write lock at once (`BEGIN IMMEDIATE`):
/// a deferred transaction that reads first and then writes can fail with "database is locked"
/// when another writer got in between, whatever the busy timeout.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }
}

/// Whether an insert or update failed because it broke a uniqueness rule (for statements that
/// can break only one).
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db_error) if db_error.is_unique_violation())
}

/// Which uniqueness rule an insert or update broke, if that is why it failed.
pub(crate) fn unique_violation(error: &sqlx::Error) -> Option<&'static str> {
    let sqlx::Error::Database(db_error) = error else { return None };
    if !db_error.is_unique_violation() {
        return None;
    }
    // PostgreSQL names the constraint; SQLite names the column ("users.username_key").
    let described = db_error.constraint().map(str::to_owned).unwrap_or_else(|| db_error.message().to_owned());
    ["username_key", "email_key"].into_iter().find(|name| described.contains(name))
}
