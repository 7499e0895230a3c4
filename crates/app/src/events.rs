//! The append-only event log: every action writes one row here, in its own transaction, at
//! the transaction's instant. What follows an event (the search index, notifications) reads
//! it from the outbox afterwards.

use crate::{Actor, AppResult};
pub(crate) use banli_store::events::Event;
use banli_store::Tx;

pub(crate) async fn record(tx: &mut Tx, actor: Option<&Actor>, e: Event<'_>) -> AppResult<()> {
    banli_store::events::append(tx, actor.map(|a| a.user_id), &e).await?;
    Ok(())
}
