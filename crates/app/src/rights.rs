//! The buttons and forms a page offers: exactly the actions `banli_domain::rights::decide`
//! allows, so a page never shows a form the server would refuse and never hides one it
//! would accept. The use cases ask the same decision again on submit.

use banli_domain::model::DocKind;
use banli_domain::rights::{awaited_co_opinions, decide, Action, Facts, Principal};
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
    /// Sent replies and co-opinions the actor may publish (or publish again, corrected).
    pub publish: Vec<i64>,
    /// Published replies and co-opinions the actor may take off the portal.
    pub unpublish: Vec<i64>,
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
    pub reject_co_opinion: bool,
    pub waive: bool,
    pub draft_reply: bool,
    pub approve_reply: bool,
    pub reject_reply: bool,
    pub check_reply: bool,
    pub evaluate: bool,
    pub reopen: bool,
    /// Co-handling assignments whose opinion this (lead) assignment's reply waits for before
    /// it may be signed: why 签发 is not offered, told to the clerk before sending for signing.
    pub awaited_co_opinions: Vec<i64>,
}

/// Every action the actor may take on the item now.
pub fn item_actions(p: &Principal, f: &Facts) -> ItemActions {
    let ok = |a: Action| decide(p, a, f).is_ok();
    use Action::*;
    ItemActions {
        edit: ok(Edit),
        submit: ok(Submit),
        withdraw: ok(Withdraw),
        cosign: ok(Cosign),
        file: ok(File),
        return_to_proposer: ok(Return),
        reject: ok(Reject),
        merge: ok(Merge),
        assign: ok(Assign),
        key: ok(Key),
        supervise: ok(Supervise),
        close: ok(Close),
        assignments: f
            .assignments
            .iter()
            .map(|a| {
                let id = a.id;
                AssignmentActions {
                    id,
                    accept: ok(Accept(id)),
                    request_return: ok(RequestReturn(id)),
                    decide_return: ok(DecideReturn(id)),
                    delegate: ok(Delegate(id)),
                    request_extension: ok(RequestExtension(id)),
                    decide_extension: ok(DecideExtension(id)),
                    consult: ok(Consult(id)),
                    draft_co_opinion: ok(DraftCoOpinion(id)),
                    approve_co_opinion: ok(Approve(id, DocKind::CoOpinion)),
                    reject_co_opinion: ok(RejectDraft(id, DocKind::CoOpinion)),
                    waive: ok(Waive(id)),
                    draft_reply: ok(DraftReply(id)),
                    approve_reply: ok(Approve(id, DocKind::Reply)),
                    reject_reply: ok(RejectDraft(id, DocKind::Reply)),
                    check_reply: ok(CheckReply(id)),
                    evaluate: ok(Evaluate(id)),
                    reopen: ok(Reopen(id)),
                    awaited_co_opinions: awaited_co_opinions(f, id),
                }
            })
            .collect(),
        publish: f
            .documents
            .iter()
            .filter(|d| ok(Publish(d.id)))
            .map(|d| d.id)
            .collect(),
        unpublish: f
            .documents
            .iter()
            .filter(|d| ok(Unpublish(d.id)))
            .map(|d| d.id)
            .collect(),
        progress: f
            .commitments
            .iter()
            .filter(|c| ok(Progress(c.id)))
            .map(|c| c.id)
            .collect(),
    }
}
