use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database behind a connection.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Connections to either database: a pool for reads and the connection(s) that write.
///
/// SQLite allows one writer at a time. Handing every writer its own pooled connection made
/// them wait on each other inside SQLite's busy handler, holding connections that the lock
/// holder itself might need; with eight writers the server answered 500 `database is locked`.
/// So on SQLite every write goes through a pool of exactly one connection: writers queue
/// (fairly, in arrival order) for that connection *before* anything is written, and a wait
/// that runs out fails with nothing changed. Readers never wait for writers (WAL).
/// On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    writer: AnyPool,
    pub backend: Backend,
    /// Counts committed write transactions of this process (and changes seen from other
    /// instances, see `note_change`): what was rendered at one count is current until the next.
    changes: Arc<AtomicU64>,
}

/// A transaction and the one instant it happens at: every row it writes (`updated_at`, the
/// event's `at`, a notification's time) carries the same timestamp, so the history reads as
/// one step. It dereferences to the connection, so `&mut *tx` runs a query inside it.
pub struct Tx {
    inner: Transaction<'static, Any>,
    at: String,
    /// Items whose statistics facts are rewritten at commit (every item an event names).
    touched: Vec<i64>,
    /// The database's change count, moved on when a write commits (`None` for a read).
    changes: Option<Arc<AtomicU64>>,
}

impl Tx {
    /// The transaction's instant (fixed-width RFC 3339, UTC).
    pub fn at(&self) -> &str {
        &self.at
    }
    /// The instant as an owned value, to bind into a query that also borrows the connection.
    pub fn now(&self) -> String {
        self.at.clone()
    }
    /// Marks an item changed: its statistics facts are rewritten when the transaction
    /// commits, after every write of the step, whatever order the step wrote in.
    pub fn touch(&mut self, item_id: i64) {
        if !self.touched.contains(&item_id) {
            self.touched.push(item_id);
        }
    }
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if !self.touched.is_empty() {
            crate::derived::refresh(&mut self.inner, Some(&self.touched)).await?;
        }
        self.inner.commit().await?;
        if let Some(c) = &self.changes {
            c.fetch_add(1, Ordering::Release);
        }
        Ok(())
    }
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// How long a writer waits for its turn (queue plus another process's lock) before giving
/// up with nothing written. Shorter than the web layer's request timeout, so a request never
/// times out after its change was committed.
pub const WRITE_WAIT: Duration = Duration::from_secs(45);

/// An instant as stored: fixed-width RFC 3339 in UTC, so text order is time order.
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The current instant as stored.
pub fn now_ts() -> String {
    ts(chrono::Utc::now())
}

impl Db {
    /// The default database: `banli.sqlite3` inside the data directory.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("banli.sqlite3").display()
        )
    }

    /// Connects to `sqlite://…` or `postgres://…` and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(sqlx::Error::Configuration(
                format!("不支持的数据库地址“{url}”：请使用 sqlite://… 或 postgres://…").into(),
            ));
        };
        let db = match backend {
            Backend::Sqlite => {
                // The writer waits for another process (a CLI import) up to the busy timeout;
                // the time it queued for the connection counts against the same budget.
                let writer = sqlite_pool(1, WRITE_WAIT, WRITE_WAIT / 3 * 2)
                    .connect(url)
                    .await?;
                let pool = sqlite_pool(8, Duration::from_secs(30), Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Db {
                    pool,
                    writer,
                    backend,
                    changes: Arc::default(),
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(WRITE_WAIT)
                    .connect(url)
                    .await?;
                Db {
                    writer: pool.clone(),
                    pool,
                    backend,
                    changes: Arc::default(),
                }
            }
        };
        crate::migrate::run(&db).await?;
        Ok(db)
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`)
    /// so it never fails half-way when a read would have to turn into a write.
    ///
    /// While a `Tx` is held, read through it, never through `pool`: on SQLite the pool would
    /// not see the transaction's own writes, and a second `begin` would wait for itself.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.begin_at(now_ts).await
    }

    /// A write transaction at the instant `clock` tells once it has its turn (the
    /// application's clock, which tests move): a step that waited behind another never
    /// carries an earlier time than it.
    pub async fn begin_at(&self, clock: impl FnOnce() -> String) -> Result<Tx, sqlx::Error> {
        let inner = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        Ok(Tx {
            inner,
            at: clock(),
            touched: Vec::new(),
            changes: Some(self.changes.clone()),
        })
    }

    /// How many changes this process knows of: a page rendered at one count stays current
    /// while the count stays (the portal's page cache keys on it).
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Records a change this process did not commit itself (another instance's, seen in the
    /// outbox).
    pub fn note_change(&self) {
        self.changes.fetch_add(1, Ordering::Release);
    }

    /// For a single write statement outside a transaction (it queues like `begin`).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A read-only transaction: a consistent snapshot without taking SQLite's write lock.
    pub async fn read(&self) -> Result<Tx, sqlx::Error> {
        let inner = self.pool.begin().await?;
        Ok(Tx {
            inner,
            at: now_ts(),
            touched: Vec::new(),
            changes: None,
        })
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map(|_: AnyRow| ())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

fn sqlite_pool(connections: u32, acquire: Duration, busy: Duration) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(connections).acquire_timeout(acquire).after_connect(move |conn, _| {
        Box::pin(async move {
            // WAL lets readers and CLI commands run beside a live server.
            let pragmas = format!("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", busy.as_millis());
            conn.execute(pragmas.as_str()).await?;
            Ok(())
        })
    })
}

/// Whether a database error means "another writer held the lock for too long" (the queue
/// wait ran out, or SQLite's busy timeout): nothing was written, and retrying is safe.
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => {
            let code = d.code();
            matches!(code.as_deref(), Some("5") | Some("6") | Some("517"))
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}
