//! The append-only event log and the outbox that the search index and the notifier follow.

use crate::{Error, Tx};

/// One row of the event log, as a use case describes its step.
#[derive(Default)]
pub struct Event<'a> {
    pub org_id: Option<i64>,
    pub item_id: Option<i64>,
    pub assignment_id: Option<i64>,
    pub document_id: Option<i64>,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub data: Option<serde_json::Value>,
}

/// Outbox topics: an item to re-index, an event to notify about, a full re-index.
pub const TOPIC_ITEM: &str = "item";
pub const TOPIC_EVENT: &str = "event";
pub const TOPIC_REINDEX: &str = "reindex";

/// Appends the event at the transaction's instant and queues what follows it: the item's
/// re-indexing and, when the step hands work to someone, its notifications with the handover
/// (`payload`). Returns the event's id.
pub async fn append(
    tx: &mut Tx,
    actor_id: Option<i64>,
    e: &Event<'_>,
    handover: Option<&str>,
) -> Result<i64, Error> {
    let at = tx.now();
    let (event_id,): (i64,) = sqlx::query_as(
        "INSERT INTO events (org_id, item_id, assignment_id, document_id, actor_id, at, action, from_state, to_state, reason, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(e.org_id)
    .bind(e.item_id)
    .bind(e.assignment_id)
    .bind(e.document_id)
    .bind(actor_id)
    .bind(&at)
    .bind(e.action)
    .bind(e.from)
    .bind(e.to)
    .bind(e.reason)
    .bind(e.data.as_ref().map(|d| d.to_string()))
    .fetch_one(&mut **tx)
    .await?;
    if let Some(item) = e.item_id {
        tx.touch(item);
        push(tx, TOPIC_ITEM, item).await?;
        if let Some(h) = handover {
            push_with(tx, TOPIC_EVENT, event_id, Some(h)).await?;
        }
    }
    Ok(event_id)
}

/// Queues one outbox row in the transaction.
pub async fn push(tx: &mut Tx, topic: &str, ref_id: i64) -> Result<(), Error> {
    push_with(tx, topic, ref_id, None).await
}

async fn push_with(
    tx: &mut Tx,
    topic: &str,
    ref_id: i64,
    payload: Option<&str>,
) -> Result<(), Error> {
    let at = tx.now();
    sqlx::query("INSERT INTO outbox (topic, ref_id, created_at, payload) VALUES ($1, $2, $3, $4)")
        .bind(topic)
        .bind(ref_id)
        .bind(at)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An event as the notifier reads it back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub org_id: Option<i64>,
    pub item_id: Option<i64>,
    pub assignment_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub at: String,
    pub action: String,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub data: Option<String>,
}

/// An event waiting for its notifications.
#[derive(Debug, Clone)]
pub struct Pending {
    pub outbox_id: i64,
    /// `None` if the event no longer exists.
    pub event: Option<EventRow>,
    /// The step's handover (JSON); `None` for an event recorded without one.
    pub handover: Option<String>,
}

/// The oldest events still waiting for their notifications.
pub async fn pending_notices(tx: &mut Tx, limit: i64) -> Result<Vec<Pending>, Error> {
    let queued: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, ref_id, payload FROM outbox WHERE topic = 'event' ORDER BY id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    if queued.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = crate::Sql::new(
        "SELECT id, org_id, item_id, assignment_id, actor_id, at, action, to_state, reason, data FROM events WHERE id IN ",
    );
    sql.bind_list(queued.iter().map(|q| q.1));
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let mut events: std::collections::HashMap<i64, EventRow> = std::collections::HashMap::new();
    for r in &rows {
        let e: EventRow = crate::rows::typed("events", r)?;
        events.insert(e.id, e);
    }
    Ok(queued
        .into_iter()
        .map(|(outbox_id, event, handover)| Pending {
            outbox_id,
            event: events.remove(&event),
            handover,
        })
        .collect())
}

/// Takes an outbox row for this transaction alone: false when another instance took it first
/// (on PostgreSQL the delete waits for that instance's commit, then finds nothing).
pub async fn take(tx: &mut Tx, outbox_id: i64) -> Result<bool, Error> {
    Ok(sqlx::query("DELETE FROM outbox WHERE id = $1")
        .bind(outbox_id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}

/// Whether any event waits for its notifications (a cheap read before taking the write lock).
pub async fn notices_waiting(pool: &sqlx::AnyPool) -> Result<bool, Error> {
    Ok(
        sqlx::query("SELECT id FROM outbox WHERE topic = 'event' LIMIT 1")
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// An event as the item's history shows it, with the actor's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub assignment_id: Option<i64>,
    pub document_id: Option<i64>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
}

pub async fn of_item(tx: &mut Tx, item_id: i64) -> Result<Vec<HistoryRow>, Error> {
    let rows = sqlx::query("SELECT e.id, e.at, e.actor_id, u.display_name AS actor_name, e.action, e.assignment_id, e.document_id, e.from_state, e.to_state, e.reason FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.item_id = $1 ORDER BY e.id")
        .bind(item_id)
        .fetch_all(&mut **tx)
        .await?;
    crate::rows::all_typed("events", rows)
}

/// Outbox rows after `after`: (id, topic, ref_id).
pub async fn outbox_after(
    pool: &sqlx::AnyPool,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String, i64)>, Error> {
    sqlx::query_as("SELECT id, topic, ref_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await
}

pub async fn latest_outbox_id(pool: &sqlx::AnyPool) -> Result<i64, Error> {
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM outbox")
        .fetch_one(pool)
        .await?;
    Ok(max.unwrap_or(0))
}

/// Asks every instance to rebuild its search index.
pub async fn request_reindex(writer: &sqlx::AnyPool, at: &str) -> Result<(), Error> {
    sqlx::query("INSERT INTO outbox (topic, ref_id, created_at) VALUES ($1, 0, $2)")
        .bind(TOPIC_REINDEX)
        .bind(at)
        .execute(writer)
        .await?;
    Ok(())
}

/// Sets an outbox row aside (topic `event_failed`): its event's notifications could not be
/// written, and it must not hold up the events after it. Kept for the operator to inspect.
pub async fn set_aside(tx: &mut Tx, outbox_id: i64) -> Result<(), Error> {
    sqlx::query("UPDATE outbox SET topic = 'event_failed' WHERE id = $1")
        .bind(outbox_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes the outbox rows written before `before` that only told followers an item changed
/// (`item`, `reindex`), and moves the pruning horizon past them. Rows waiting for the notifier
/// (`event`) and rows set aside are never pruned here. Returns the rows deleted.
pub async fn prune(tx: &mut Tx, before: &str) -> Result<u64, Error> {
    let (max,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(id) FROM outbox WHERE topic IN ('item', 'reindex') AND created_at < $1",
    )
    .bind(before)
    .fetch_one(&mut **tx)
    .await?;
    let Some(max) = max else { return Ok(0) };
    let n = sqlx::query(
        "DELETE FROM outbox WHERE topic IN ('item', 'reindex') AND id <= $1 AND created_at < $2",
    )
    .bind(max)
    .bind(before)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let below = pruned_below_in(tx).await?.max(max + 1);
    sqlx::query("DELETE FROM outbox_pruned")
        .execute(&mut **tx)
        .await?;
    let at = tx.now();
    sqlx::query("INSERT INTO outbox_pruned (below, pruned_at) VALUES ($1, $2)")
        .bind(below)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(n)
}

async fn pruned_below_in(tx: &mut Tx) -> Result<i64, Error> {
    let (b,): (Option<i64>,) = sqlx::query_as("SELECT MAX(below) FROM outbox_pruned")
        .fetch_one(&mut **tx)
        .await?;
    Ok(b.unwrap_or(0))
}

/// Outbox rows below this id may have been pruned (0: none ever were).
pub async fn pruned_below(pool: &sqlx::AnyPool) -> Result<i64, Error> {
    let (b,): (Option<i64>,) = sqlx::query_as("SELECT MAX(below) FROM outbox_pruned")
        .fetch_one(pool)
        .await?;
    Ok(b.unwrap_or(0))
}
