//! What an actor may do on an item right now, for screens that show only the buttons that
//! will work. The same role, unit, relation and lifecycle rules as the use cases (the state
//! rules come from the domain's `item_next`/`assignment_next`); the use cases still check
//! everything again on submit, so a stale page can never do more than this says.

use crate::view::ItemDetail;
use crate::Actor;
use banli_domain::lifecycle::{
    assignment_next, co_opinions_complete, item_next, AssignmentAction, ItemAction,
};
use banli_domain::model::{AssignmentRole, AssignmentState, ItemState, Role};
use banli_domain::policy::Policy;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Default, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemActions {
    pub edit: bool,
    pub submit: bool,
    pub withdraw: bool,
    /// The actor is an invited co-signer who may still confirm or decline (or change their answer).
    pub cosign: bool,
    pub file: bool,
    pub return_to_proposer: bool,
    pub reject: bool,
    pub merge: bool,
    pub assign: bool,
    pub key: bool,
    pub supervise: bool,
    pub close: bool,
    pub assignments: Vec<AssignmentActions>,
    /// Sent replies and co-opinions the actor may publish or withdraw.
    pub publish: Vec<i64>,
    /// Commitments the actor may record progress on.
    pub progress: Vec<i64>,
}

#[derive(Debug, Default, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentActions {
    pub id: i64,
    pub accept: bool,
    pub request_return: bool,
    pub decide_return: bool,
    pub delegate: bool,
    pub request_extension: bool,
    pub decide_extension: bool,
    pub consult: bool,
    pub draft_co_opinion: bool,
    pub approve_co_opinion: bool,
    pub waive: bool,
    pub draft_reply: bool,
    pub approve_reply: bool,
    pub check_reply: bool,
    pub evaluate: bool,
    pub reopen: bool,
}

/// Facts about the item that the detail view does not carry.
pub struct Facts<'a> {
    pub first_proposer_id: i64,
    pub org_id: i64,
    pub on_paper: bool,
    pub cosign_open: bool,
    pub policy: &'a Policy,
    pub today: NaiveDate,
    /// Assignments with a pending adjustment request, and with a pending extension request.
    pub pending_adjustments: &'a [i64],
    pub pending_extensions: &'a [i64],
    /// Assignments that already asked for their one extension.
    pub extension_asked: &'a [i64],
    /// Whether the actor's unit has sub-units to delegate to.
    pub has_sub_units: bool,
}

fn can_item(state: ItemState, action: ItemAction) -> bool {
    item_next(state, action).is_ok()
}

fn can(role: AssignmentRole, state: AssignmentState, action: AssignmentAction) -> bool {
    assignment_next(role, state, action).is_ok()
}

pub fn item_actions(actor: &Actor, d: &ItemDetail, f: &Facts) -> ItemActions {
    let state = d.summary.state;
    let office = actor.role == Role::Office && actor.org_id.is_none_or(|o| o == f.org_id);
    let first = actor.role == Role::Proposer && actor.user_id == f.first_proposer_id;
    let owner = first || (office && f.on_paper);
    let invited = actor.role == Role::Proposer
        && d.proposers.iter().any(|p| {
            p.user_id == actor.user_id
                && matches!(p.status.as_str(), "invited" | "confirmed" | "declined")
        });
    let open = matches!(state, ItemState::Handling | ItemState::Replied);
    let mut out = ItemActions {
        edit: owner
            && can_item(state, ItemAction::Edit)
            && matches!(state, ItemState::Draft | ItemState::Returned),
        submit: owner && can_item(state, ItemAction::Submit),
        withdraw: owner && can_item(state, ItemAction::Withdraw),
        cosign: invited
            && f.cosign_open
            && matches!(
                state,
                ItemState::Draft | ItemState::Submitted | ItemState::Returned
            ),
        file: office && can_item(state, ItemAction::File),
        return_to_proposer: office && can_item(state, ItemAction::Return),
        reject: office && can_item(state, ItemAction::Reject),
        merge: office && can_item(state, ItemAction::Merge),
        assign: office && can_item(state, ItemAction::Assign),
        key: office
            && matches!(
                state,
                ItemState::Filed | ItemState::Handling | ItemState::Replied
            ),
        supervise: office && state != ItemState::Draft,
        close: office && can_item(state, ItemAction::Close),
        ..Default::default()
    };
    let co_states: Vec<AssignmentState> = d
        .assignments
        .iter()
        .filter(|a| a.role == AssignmentRole::Co)
        .map(|a| a.state)
        .collect();
    for a in &d.assignments {
        let mine = actor.unit_id == Some(a.unit_id);
        let staff = mine && actor.role == Role::UnitStaff;
        let signer = mine && actor.role == Role::UnitSigner;
        let draft_of = |kind: &str| {
            let docs = if kind == "reply" {
                &d.replies
            } else {
                &d.co_opinions
            };
            docs.iter()
                .any(|doc| doc.assignment_id == a.id && doc.state == "draft")
        };
        let work = open && can(a.role, a.state, AssignmentAction::Work);
        let owes = a.role.owes_reply();
        let latest_reply = d
            .replies
            .iter()
            .filter(|r| r.assignment_id == a.id && r.state == "sent")
            .max_by_key(|r| r.round);
        let rated = latest_reply.is_some_and(|r| d.evaluations.iter().any(|e| e.reply_id == r.id));
        let rate_open = latest_reply.is_some_and(|r| {
            !rated
                && (office
                    || r.evaluation_due
                        .as_deref()
                        .is_none_or(|due| due >= f.today.format("%Y-%m-%d").to_string().as_str()))
        });
        out.assignments.push(AssignmentActions {
            id: a.id,
            accept: staff && open && can(a.role, a.state, AssignmentAction::Accept),
            request_return: staff
                && open
                && can(a.role, a.state, AssignmentAction::RequestReturn)
                && a.due.return_by.as_str() >= f.today.format("%Y-%m-%d").to_string().as_str(),
            decide_return: office
                && f.pending_adjustments.contains(&a.id)
                && a.state == AssignmentState::ReturnRequested,
            delegate: staff && work && f.has_sub_units,
            request_extension: staff
                && open
                && owes
                && matches!(
                    a.state,
                    AssignmentState::Assigned | AssignmentState::Accepted
                )
                && !f.extension_asked.contains(&a.id),
            decide_extension: office && f.pending_extensions.contains(&a.id),
            consult: staff && work,
            draft_co_opinion: staff
                && open
                && a.role == AssignmentRole::Co
                && matches!(
                    a.state,
                    AssignmentState::Accepted | AssignmentState::Rehandling
                ),
            approve_co_opinion: signer
                && open
                && a.role == AssignmentRole::Co
                && draft_of("co_opinion"),
            waive: office && open && can(a.role, a.state, AssignmentAction::Waive),
            draft_reply: staff
                && open
                && owes
                && matches!(
                    a.state,
                    AssignmentState::Accepted | AssignmentState::Rehandling
                ),
            approve_reply: signer
                && open
                && owes
                && draft_of("reply")
                && (a.role != AssignmentRole::Lead || co_opinions_complete(&co_states)),
            check_reply: office
                && d.replies
                    .iter()
                    .any(|r| r.assignment_id == a.id && r.state == "checking"),
            evaluate: owes && (first || office) && state != ItemState::Closed && rate_open,
            reopen: office
                && open
                && can(
                    a.role,
                    a.state,
                    if a.role == AssignmentRole::Co {
                        AssignmentAction::Reopen
                    } else {
                        AssignmentAction::Rehandle
                    },
                ),
        });
    }
    let may_publish = |unit_id: i64| match actor.role {
        Role::Office => office && f.policy.office_may_publish(),
        Role::UnitSigner => f.policy.signer_may_publish() && actor.unit_id == Some(unit_id),
        _ => false,
    };
    out.publish = d
        .replies
        .iter()
        .chain(&d.co_opinions)
        .filter(|doc| doc.state == "sent" && may_publish(doc.unit_id))
        .map(|doc| doc.id)
        .collect();
    out.progress = d
        .commitments
        .iter()
        .filter(|c| {
            actor.role == Role::UnitStaff && actor.unit_id == Some(c.unit_id) && c.status == "open"
        })
        .map(|c| c.id)
        .collect();
    out
}
