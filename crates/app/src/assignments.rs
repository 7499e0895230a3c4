//! A unit's work on its assignment: acceptance, adjustment requests, delegation, extensions
//! and consultations (DESIGN §3 Assign, Handle).

use crate::events::{record, Event};
use crate::rows::*;
use crate::{load_assignment, load_unit, Actor, App, AppError, AppResult, Input};
use banli_domain::lifecycle::{assignment_next, AssignmentAction};
use banli_domain::limits::{optional, required, REASON_MAX, SUMMARY_MAX};
use banli_domain::model::{AssignmentRole, AssignmentState, ConsultationMethod};
use banli_domain::rights::Action;
use banli_store::assignments as store;
use banli_store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentStateOut {
    pub id: i64,
    pub state: AssignmentState,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub reason: String,
    /// What the unit proposes instead: another unit, swapping lead and co, adding or dropping a co unit.
    pub proposal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecideInput {
    pub approve: bool,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DelegateInput {
    /// A sub-unit of the assigned unit.
    pub unit_id: i64,
    pub note: Option<String>,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    pub until: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsultationInput {
    pub method: ConsultationMethod,
    pub date: NaiveDate,
    pub summary: String,
}

/// An assignment with its item, after checking the actor works for the assigned unit.
pub(crate) struct Ctx {
    pub a: AssignmentRow,
    pub item: ItemRow,
}

impl App {
    /// The assignment and its item, once the permission decision allows `action` on it.
    pub(crate) async fn ctx(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
        action: impl FnOnce(i64) -> Action,
    ) -> AppResult<Ctx> {
        let a = load_assignment(tx, id).await?;
        let (item, _) = self.permit(tx, actor, a.item_id, action(id)).await?;
        Ok(Ctx { a, item })
    }
}

pub(crate) async fn set_assignment_state(
    tx: &mut Tx,
    actor: &Actor,
    c: &Ctx,
    to: AssignmentState,
    action: &str,
    reason: Option<&str>,
    data: Option<serde_json::Value>,
) -> AppResult<()> {
    banli_store::assignments::set_state(tx, c.a.id, to).await?;
    record(
        tx,
        Some(actor),
        Event {
            org_id: Some(c.item.org_id),
            item_id: Some(c.item.id),
            assignment_id: Some(c.a.id),
            action,
            from: Some(c.a.state.as_str()),
            to: Some(to.as_str()),
            reason,
            data,
            ..Default::default()
        },
    )
    .await
}

impl App {
    /// `POST /assignments/{id}/accept`: 签收.
    pub async fn accept_assignment(&self, actor: &Actor, id: i64) -> AppResult<AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::Accept).await?;
        let to = assignment_next(c.a.role(), c.a.state(), AssignmentAction::Accept)?;
        banli_store::assignments::mark_accepted(&mut tx, id).await?;
        set_assignment_state(&mut tx, actor, &c, to, "accepted", None, None).await?;
        tx.commit().await?;
        Ok(AssignmentStateOut { id, state: to })
    }

    /// `POST /assignments/{id}/return`: 申请调整, within the return window.
    pub async fn request_return(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ReturnInput>,
    ) -> AppResult<AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::RequestReturn).await?;
        let i = input.get()?;
        let reason = required("reason", &i.reason, REASON_MAX)?;
        let proposal = optional("proposal", i.proposal.as_deref(), REASON_MAX)?;
        let to = assignment_next(c.a.role(), c.a.state(), AssignmentAction::RequestReturn)?;
        store::request_adjustment(
            &mut tx,
            id,
            &reason,
            proposal.as_deref(),
            c.a.state() == AssignmentState::Accepted,
            actor.user_id,
        )
        .await?;
        set_assignment_state(
            &mut tx,
            actor,
            &c,
            to,
            "return_requested",
            Some(&reason),
            Some(serde_json::json!({"proposal": proposal})),
        )
        .await?;
        tx.commit().await?;
        Ok(AssignmentStateOut { id, state: to })
    }

    /// `POST /assignments/{id}/return/decide`: the office approves (the unit is out) or refuses.
    pub async fn decide_return(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<DecideInput>,
    ) -> AppResult<AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::DecideReturn).await?;
        let i = input.get()?;
        let note = optional("note", i.note.as_deref(), REASON_MAX)?;
        let pending = store::pending_adjustment(&mut tx, id).await?;
        let Some((adj, was_accepted)) = pending else {
            return Err(AppError::conflict("没有待决定的调整申请"));
        };
        let action = if i.approve {
            AssignmentAction::ApproveReturn
        } else {
            AssignmentAction::RefuseReturn { was_accepted }
        };
        let to = assignment_next(c.a.role(), c.a.state(), action)?;
        store::decide_adjustment(&mut tx, adj, i.approve, actor.user_id, note.as_deref()).await?;
        set_assignment_state(
            &mut tx,
            actor,
            &c,
            to,
            if i.approve {
                "return_approved"
            } else {
                "return_refused"
            },
            note.as_deref(),
            None,
        )
        .await?;
        crate::items::refresh_item_state(&mut tx, actor, c.item.id).await?;
        tx.commit().await?;
        Ok(AssignmentStateOut { id, state: to })
    }

    /// `POST /assignments/{id}/delegate`: 内部交办 to a sub-unit.
    pub async fn delegate(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<DelegateInput>,
    ) -> AppResult<crate::items::Created> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::Delegate).await?;
        let i = input.get()?;
        let note = optional("note", i.note.as_deref(), REASON_MAX)?;
        let sub = load_unit(&mut tx, i.unit_id).await?;
        if sub.as_ref().and_then(|u| u.parent_id) != Some(c.a.unit_id) {
            return Err(AppError::rule("unit_id", "只能交给本单位的下属单位"));
        }
        if let Some(d) = i.due_on {
            if d < self.today() {
                return Err(AppError::rule("due_on", "期限不能早于今天"));
            }
        }
        let did = store::delegate(
            &mut tx,
            id,
            i.unit_id,
            note.as_deref(),
            i.due_on,
            actor.user_id,
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(id),
                action: "delegated",
                reason: note.as_deref(),
                data: Some(serde_json::json!({"unit_id": i.unit_id, "due_on": i.due_on})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(crate::items::Created { id: did })
    }

    /// `POST /assignments/{id}/extension`: one request per assignment, up to the policy's limit.
    pub async fn request_extension(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ExtensionInput>,
    ) -> AppResult<crate::items::Created> {
        let mut tx = self.begin().await?;
        let c = self
            .ctx(&mut tx, actor, id, Action::RequestExtension)
            .await?;
        let i = input.get()?;
        let reason = required("reason", &i.reason, REASON_MAX)?;
        let current = c.a.reply_due().unwrap_or(c.a.assigned_on());
        if i.until <= current {
            return Err(AppError::rule(
                "until",
                format!("延期日期须晚于现答复期限 {current}"),
            ));
        }
        let cal = crate::calendar::load(&mut tx, c.item.org_id).await?;
        let limit = crate::load_policy(&mut tx, c.item.org_id)
            .await?
            .extension_limit(&cal, c.a.assigned_on());
        if i.until > limit.date {
            return Err(AppError::rule(
                "until",
                format!("延期最长至 {}", limit.date),
            ));
        }
        let eid = store::request_extension(&mut tx, id, i.until, &reason, actor.user_id).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(id),
                action: "extension_requested",
                reason: Some(&reason),
                data: Some(serde_json::json!({"until": i.until})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(crate::items::Created { id: eid })
    }

    /// `POST /assignments/{id}/extension/decide`.
    pub async fn decide_extension(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<DecideInput>,
    ) -> AppResult<AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self
            .ctx(&mut tx, actor, id, Action::DecideExtension)
            .await?;
        let i = input.get()?;
        let note = optional("note", i.note.as_deref(), REASON_MAX)?;
        let pending = store::pending_extension(&mut tx, id).await?;
        let Some((eid, until)) = pending else {
            return Err(AppError::conflict("没有待决定的延期申请"));
        };
        store::decide_extension(
            &mut tx,
            id,
            eid,
            i.approve.then_some(until),
            actor.user_id,
            note.as_deref(),
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(id),
                action: if i.approve {
                    "extension_approved"
                } else {
                    "extension_refused"
                },
                reason: note.as_deref(),
                data: Some(serde_json::json!({"until": until})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(AssignmentStateOut {
            id,
            state: c.a.state(),
        })
    }

    /// `POST /assignments/{id}/consultations`: a recorded contact with the proposer.
    /// Staff of a sub-unit the work was delegated to may record theirs too.
    pub async fn add_consultation(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ConsultationInput>,
    ) -> AppResult<crate::items::Created> {
        let mut tx = self.begin().await?;
        let Ctx { a, item } = self.ctx(&mut tx, actor, id, Action::Consult).await?;
        let i = input.get()?;
        let summary = required("summary", &i.summary, SUMMARY_MAX)?;
        if i.date > self.today() {
            return Err(AppError::rule("date", "沟通日期不能晚于今天"));
        }
        if i.date < a.assigned_on() {
            return Err(AppError::rule(
                "date",
                format!("沟通日期不能早于交办日期 {}", a.assigned_on),
            ));
        }
        let cid = store::add_consultation(
            &mut tx,
            id,
            i.method.as_str(),
            i.date,
            &summary,
            actor.user_id,
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(item.id),
                assignment_id: Some(id),
                action: "consultation",
                data: Some(serde_json::json!({"method": i.method, "date": i.date})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(crate::items::Created { id: cid })
    }

    /// `POST /assignments/{id}/reopen`: the office brings a co unit back for a re-handling, or
    /// orders a lead/separate unit to handle again after the automatic re-handlings are used up.
    pub async fn reopen_assignment(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<crate::items::ReasonInput>,
    ) -> AppResult<AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::Reopen).await?;
        let reason = required("reason", &input.get()?.reason, REASON_MAX)?;
        let action = if c.a.role() == AssignmentRole::Co {
            AssignmentAction::Reopen
        } else {
            AssignmentAction::Rehandle
        };
        let to = assignment_next(c.a.role(), c.a.state(), action)?;
        let cal = crate::calendar::load(&mut tx, c.item.org_id).await?;
        let due = crate::load_policy(&mut tx, c.item.org_id)
            .await?
            .rehandling_due(&cal, self.today());
        store::reopen(&mut tx, id, due.date, c.a.role() != AssignmentRole::Co).await?;
        set_assignment_state(
            &mut tx,
            actor,
            &c,
            to,
            "reopened",
            Some(&reason),
            Some(serde_json::json!({"due": due.date, "provisional": due.provisional})),
        )
        .await?;
        crate::items::refresh_item_state(&mut tx, actor, c.item.id).await?;
        tx.commit().await?;
        Ok(AssignmentStateOut { id, state: to })
    }
}
