//! Schema migrations, written once for both databases. `{id}` stands for each backend's
//! auto-incrementing primary key; every other type is common to both.

use crate::db::{now_ts, Backend, Db};
use sqlx::Executor;

pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial schema",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        2,
        "commitment done_on",
        include_str!("../migrations/0002_commitment_done_on.sql"),
    ),
    (
        3,
        "item scan",
        include_str!("../migrations/0003_item_scan.sql"),
    ),
    (
        4,
        "web sessions, sign-in throttling, user preferences",
        include_str!("../migrations/0004_web.sql"),
    ),
    (
        5,
        "notifications and the outgoing message queue",
        include_str!("../migrations/0005_notifications.sql"),
    ),
    (
        6,
        "indexes for the statistics",
        include_str!("../migrations/0006_stats_indexes.sql"),
    ),
    (
        7,
        "sign-in throttling per address",
        include_str!("../migrations/0007_address_throttle.sql"),
    ),
    (
        8,
        "outbox by topic (notifications follow events)",
        include_str!("../migrations/0008_outbox_topic.sql"),
    ),
    (
        9,
        "outbox payload (an event's handover)",
        include_str!("../migrations/0009_outbox_payload.sql"),
    ),
    (
        10,
        "statistics facts",
        include_str!("../migrations/0010_stat_facts.sql"),
    ),
    (
        11,
        "covering indexes for the statistics facts",
        include_str!("../migrations/0011_stat_covering.sql"),
    ),
    (
        12,
        "outbox pruning horizon",
        include_str!("../migrations/0012_outbox_pruned.sql"),
    ),
    (
        13,
        "list keys and totals",
        include_str!("../migrations/0013_list_keys.sql"),
    ),
    (
        14,
        "session closed_on",
        include_str!("../migrations/0014_session_closed.sql"),
    ),
    (
        15,
        "notifications by item",
        include_str!("../migrations/0015_notifications_item.sql"),
    ),
];

/// The migration after which the statistics facts are (re)built from the records.
const STAT_FACTS: i64 = 10;
/// The migration after which the list keys and totals are (re)built from the records.
const LIST_KEYS: i64 = 13;

pub async fn run(db: &Db) -> Result<(), sqlx::Error> {
    db.pool.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)").await?;
    let id = match db.backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    for (version, name, sql) in MIGRATIONS {
        let mut tx = db.begin().await?;
        if db.backend == Backend::Postgres {
            // Several instances may start together against one database.
            tx.execute("SELECT pg_advisory_xact_lock(2410)").await?;
        }
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            continue;
        }
        tracing::info!(version, name, "applying migration");
        let sql = sql.replace("{id}", id);
        for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            tx.execute(stmt).await?;
        }
        if *version == STAT_FACTS {
            crate::stats::refresh(&mut tx, None).await?;
        }
        if *version == LIST_KEYS {
            crate::list_keys::refresh(&mut tx, None).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(*name)
        .bind(now_ts())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
