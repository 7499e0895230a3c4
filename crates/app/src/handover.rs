//! What a step hands over to whoever must act next (DESIGN §3): who hears of it and the
//! values its notification is worded with, taken in the step's own transaction, so the words
//! and the people are those of that moment — an invited co-signer still invited, the item not
//! yet numbered — however late the notifications are written. The notifier
//! (`crate::notify`) writes them later from the outbox.

use crate::rows::*;
use crate::{Actor, AppResult};
use banli_domain::notices::{plan, Vars};
use banli_store::events::{Event, EventRow};
use banli_store::notices;
use banli_store::Tx;
use serde::{Deserialize, Serialize};

/// Who hears of one event, with which template, and the words' values.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Handover {
    pub vars: Vars,
    /// Whether the organisation sent text messages at the time.
    pub sms: bool,
    /// (template, the users it goes to).
    pub sends: Vec<(String, Vec<i64>)>,
}

impl Handover {
    /// A handover that tells nobody (the step only settles earlier work notifications).
    pub(crate) fn silent() -> Handover {
        Handover {
            vars: Vars::new(banli_domain::model::ItemKind::Proposal, None, String::new()),
            sms: false,
            sends: vec![],
        }
    }
}

/// The handover of a step about to be recorded, or `None` when it hands nothing to anyone.
pub(crate) async fn of_step(
    tx: &mut Tx,
    actor: Option<&Actor>,
    e: &Event<'_>,
) -> AppResult<Option<Handover>> {
    let Some(item_id) = e.item_id else {
        return Ok(None);
    };
    let actor_name = actor.map(|a| a.display_name.clone()).unwrap_or_default();
    gather(
        tx,
        Step {
            action: e.action,
            to_state: e.to,
            item_id,
            assignment_id: e.assignment_id,
            reason: e.reason,
            data: e.data.as_ref(),
        },
        actor_name,
    )
    .await
}

/// The handover of an event recorded without one (a bulk import), as things stand now.
pub(crate) async fn of_event(tx: &mut Tx, e: &EventRow) -> AppResult<Option<Handover>> {
    let Some(item_id) = e.item_id else {
        return Ok(None);
    };
    let actor_name = match e.actor_id {
        Some(a) => banli_store::users::display_name(tx, a)
            .await?
            .unwrap_or_default(),
        None => String::new(),
    };
    let data: Option<serde_json::Value> =
        e.data.as_deref().and_then(|d| serde_json::from_str(d).ok());
    gather(
        tx,
        Step {
            action: &e.action,
            to_state: e.to_state.as_deref(),
            item_id,
            assignment_id: e.assignment_id,
            reason: e.reason.as_deref(),
            data: data.as_ref(),
        },
        actor_name,
    )
    .await
}

struct Step<'a> {
    action: &'a str,
    to_state: Option<&'a str>,
    item_id: i64,
    assignment_id: Option<i64>,
    reason: Option<&'a str>,
    data: Option<&'a serde_json::Value>,
}

async fn gather(tx: &mut Tx, s: Step<'_>, actor_name: String) -> AppResult<Option<Handover>> {
    let steps = plan(s.action, s.to_state);
    if steps.is_empty() {
        return Ok(None);
    }
    // After the step's own writes: the number just given, the title just tidied.
    let item = crate::load_item(tx, s.item_id).await?;
    let a = match s.assignment_id {
        Some(id) => Some(crate::load_assignment(tx, id).await?),
        None => None,
    };
    let mut vars = vars_for(&item);
    vars.actor = actor_name;
    vars.reason = s.reason.map(str::to_string);
    if let Some(a) = &a {
        vars.unit = unit_name(tx, a.unit_id).await?;
    }
    let mut sends = Vec::new();
    for (who, kind) in steps {
        let at = notices::Place {
            item_id: item.id,
            org_id: item.org_id,
            first_proposer_id: item.first_proposer_id,
            unit_id: a.as_ref().map(|a| a.unit_id),
            delegated_to: s.data.and_then(|d| d["unit_id"].as_i64()),
        };
        let people = notices::audience(tx, *who, &at).await?;
        sends.push((kind.to_string(), people.into_iter().map(|r| r.id).collect()));
    }
    Ok(Some(Handover {
        vars,
        sms: notices::sms_enabled(tx, item.org_id).await?,
        sends,
    }))
}

pub(crate) fn vars_for(item: &ItemRow) -> Vars {
    Vars::new(item.kind, item.number, item.title.clone())
}

pub(crate) async fn unit_name(tx: &mut Tx, unit_id: i64) -> AppResult<String> {
    Ok(banli_store::orgs::unit(tx, unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}
