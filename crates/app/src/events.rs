//! The append-only event log: every action writes one row here, in its own transaction.

use crate::{Actor, AppResult};
use banli_store::{sqlx, Tx};

#[derive(Default)]
pub(crate) struct Event<'a> {
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

pub(crate) async fn record(
    tx: &mut Tx,
    actor: Option<&Actor>,
    at: &str,
    e: Event<'_>,
) -> AppResult<()> {
    let (event_id,): (i64,) = sqlx::query_as(
        "INSERT INTO events (org_id, item_id, assignment_id, document_id, actor_id, at, action, from_state, to_state, reason, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(e.org_id)
    .bind(e.item_id)
    .bind(e.assignment_id)
    .bind(e.document_id)
    .bind(actor.map(|a| a.user_id))
    .bind(at)
    .bind(e.action)
    .bind(e.from)
    .bind(e.to)
    .bind(e.reason)
    .bind(e.data.as_ref().map(|d| d.to_string()))
    .fetch_one(&mut **tx)
    .await?;
    // Whoever the step hands work to hears of it in the same transaction.
    crate::notify::on_event(tx, actor, at, event_id, &e).await?;
    // Every change to an item reaches the search index through the outbox.
    if let Some(item) = e.item_id {
        sqlx::query("INSERT INTO outbox (topic, ref_id, created_at) VALUES ('item', $1, $2)")
            .bind(item)
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
