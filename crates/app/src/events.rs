//! The append-only event log: every action writes one row here, in its own transaction, at
//! the transaction's instant, with its handover (who hears of it). What follows an event (the
//! search index, notifications) reads it from the outbox afterwards.

use crate::{Actor, AppResult};
pub(crate) use banli_store::events::Event;
use banli_store::Tx;

pub(crate) async fn record(tx: &mut Tx, actor: Option<&Actor>, e: Event<'_>) -> AppResult<()> {
    // Who the step hands work to, decided now; their notifications are written later.
    let mut handover = crate::handover::of_step(tx, actor, &e).await?;
    if handover.is_none()
        && e.item_id.is_some()
        && !banli_domain::notices::settles(e.action).is_empty()
    {
        // Nobody to tell, but work to mark done: through the outbox all the same, so that it
        // comes after the notifications it settles are written.
        handover = Some(crate::handover::Handover::silent());
    }
    let handover = handover.map(|h| serde_json::to_string(&h).expect("a handover serialises"));
    banli_store::events::append(tx, actor.map(|a| a.user_id), &e, handover.as_deref()).await?;
    Ok(())
}
