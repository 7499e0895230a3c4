//! Co-opinions and replies from draft to sent, the signer's approval, the office's waiver and
//! check, the proposer's evaluation with re-handling, and commitment progress.

use crate::assignments::{set_assignment_state, Ctx};
use crate::events::{record, Event};
use crate::rows::*;
use crate::{load_unit, Actor, App, AppError, AppResult, Input};
use banli_domain::lifecycle::{assignment_next, AssignmentAction};
use banli_domain::limits::{
    optional, required, BODY_MAX, NAME_MAX, PHONE_MAX, REASON_MAX, SUMMARY_MAX,
};
use banli_domain::model::*;
use banli_domain::rights::{Action, Capability};
use banli_store::{documents, Tx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CoOpinionInput {
    pub body: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub disclosure: Option<Disclosure>,
    pub disclosure_reason: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    pub text: String,
    pub due_on: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    pub body: String,
    pub grade: Grade,
    pub disclosure: Disclosure,
    pub disclosure_reason: Option<String>,
    pub summary: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentStateOut {
    pub id: i64,
    pub assignment_id: i64,
    pub state: DocState,
    /// 文号, assigned when the document is sent.
    pub doc_number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    /// 办理态度.
    pub handling: Rating,
    /// 办理结果.
    pub result: Rating,
    pub comment: Option<String>,
    /// `paper` when the office enters a returned feedback form.
    pub source: Option<EvaluationSource>,
    /// Where the scan of the paper form is kept.
    pub scan: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationOut {
    pub id: i64,
    pub reply_id: i64,
    pub assignment_id: i64,
    pub assignment_state: AssignmentState,
    /// The rating sent the assignment back for re-handling.
    pub rehandling: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    pub note: String,
    pub percent: Option<i64>,
    pub status: Option<CommitmentStatus>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentStateOut {
    pub id: i64,
    pub status: CommitmentStatus,
    pub percent: i64,
}

const REPLY: &str = "reply";
const CO_OPINION: &str = "co_opinion";

/// A route's `reply` / `co_opinion` as the rules name it (the routes pass only these two).
fn route_kind(kind: &str) -> banli_domain::model::DocKind {
    banli_domain::model::DocKind::parse(kind).expect("the routes pass reply or co_opinion")
}

/// The document of this kind still in the unit's hands (draft, rejected or being checked).
async fn open_document(
    tx: &mut Tx,
    assignment_id: i64,
    kind: &str,
) -> AppResult<Option<DocumentRow>> {
    Ok(documents::open(tx, assignment_id, route_kind(kind)).await?)
}

pub(crate) async fn latest_sent_reply(
    tx: &mut Tx,
    assignment_id: i64,
) -> AppResult<Option<DocumentRow>> {
    Ok(documents::latest_sent(tx, assignment_id, DocKind::Reply).await?)
}

struct Draft {
    body: String,
    grade: Option<Grade>,
    disclosure: Disclosure,
    disclosure_reason: Option<String>,
    summary: Option<String>,
    contact_name: String,
    contact_phone: String,
    commitments: Vec<(String, NaiveDate)>,
}

fn check_disclosure(
    disclosure: Disclosure,
    reason: &Option<String>,
    summary: &Option<String>,
) -> AppResult<()> {
    if disclosure == Disclosure::NotPublic && reason.is_none() {
        return Err(AppError::rule("disclosure_reason", "不予公开须说明理由"));
    }
    if disclosure == Disclosure::Summary && summary.is_none() {
        return Err(AppError::rule("summary", "摘要公开须填写摘要"));
    }
    Ok(())
}

impl App {
    /// The salutation a letter of this kind writes above its body: the reply's addressee, or
    /// for a co-opinion the live lead unit (DESIGN §5).
    async fn salutation(&self, tx: &mut Tx, c: &Ctx, kind: &str) -> AppResult<String> {
        if kind == REPLY {
            let first = banli_store::users::display_name(tx, c.item.first_proposer_id)
                .await?
                .unwrap_or_default();
            return Ok(banli_domain::letter::reply_salutation(
                c.item.kind,
                c.item.collective_name.as_deref(),
                &first,
            ));
        }
        let lead = crate::item_assignments(tx, c.item.id)
            .await?
            .into_iter()
            .rev()
            .find(|a| a.role() == AssignmentRole::Lead && a.state() != AssignmentState::Returned);
        Ok(match lead {
            Some(a) => crate::load_unit(tx, a.unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default(),
            None => String::new(),
        })
    }

    async fn save_draft(
        &self,
        actor: &Actor,
        c: &Ctx,
        tx: &mut Tx,
        kind: &str,
        d: Draft,
    ) -> AppResult<DocumentStateOut> {
        // The letter writes the salutation itself (王建华委员： / the lead unit): typed again in
        // the body, it is dropped, so the letter never carries it twice.
        let salutation = self.salutation(tx, c, kind).await?;
        let body = banli_domain::letter::without_salutation(&d.body, &salutation);
        if body.trim().is_empty() {
            return Err(AppError::rule(
                "body",
                "正文不能只有称呼：称呼由系统在函件中写出，请填写正文",
            ));
        }
        let existing = open_document(tx, c.a.id, kind).await?;
        if existing
            .as_ref()
            .is_some_and(|d| d.state() == DocState::Checking)
        {
            return Err(AppError::conflict("答复正在提案办审核，不能修改"));
        }
        let fields = documents::DraftFields {
            body: &body,
            grade: d.grade,
            disclosure: d.disclosure,
            disclosure_reason: d.disclosure_reason.as_deref(),
            summary: d.summary.as_deref(),
            contact_name: &d.contact_name,
            contact_phone: &d.contact_phone,
            drafted_by: actor.user_id,
        };
        let id = match existing {
            Some(doc) => {
                documents::redraft(tx, doc.id, &fields).await?;
                doc.id
            }
            None => documents::insert_draft(tx, c.a.id, route_kind(kind), &fields).await?,
        };
        // Drafts of commitments live with the draft; they are only tracked once it is sent.
        for (text, due) in &d.commitments {
            documents::add_commitment(tx, id, c.a.unit_id, text, *due).await?;
        }
        record(
            tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(c.a.id),
                document_id: Some(id),
                action: if kind == REPLY {
                    "reply_drafted"
                } else {
                    "co_opinion_drafted"
                },
                ..Default::default()
            },
        )
        .await?;
        Ok(DocumentStateOut {
            id,
            assignment_id: c.a.id,
            state: DocState::Draft,
            doc_number: None,
        })
    }

    /// `POST /assignments/{id}/co-opinion`: a co unit's draft (replaces the current draft).
    pub async fn draft_co_opinion(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<CoOpinionInput>,
    ) -> AppResult<DocumentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::DraftCoOpinion).await?;
        let i = input.get()?;
        let body = required("body", &i.body, BODY_MAX)?;
        let contact_name = required("contact_name", &i.contact_name, NAME_MAX)?;
        let contact_phone = required("contact_phone", &i.contact_phone, PHONE_MAX)?;
        let summary = optional("summary", i.summary.as_deref(), SUMMARY_MAX)?;
        let disclosure_reason = optional(
            "disclosure_reason",
            i.disclosure_reason.as_deref(),
            REASON_MAX,
        )?;
        let disclosure = i.disclosure.unwrap_or(Disclosure::NotPublic);
        let disclosure_reason = if i.disclosure.is_none() {
            Some("会办意见默认不公开".to_string())
        } else {
            disclosure_reason
        };
        check_disclosure(disclosure, &disclosure_reason, &summary)?;
        let out = self
            .save_draft(
                actor,
                &c,
                &mut tx,
                CO_OPINION,
                Draft {
                    body,
                    grade: None,
                    disclosure,
                    disclosure_reason,
                    summary,
                    contact_name,
                    contact_phone,
                    commitments: vec![],
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// `POST /assignments/{id}/reply`: the lead or separate unit's draft (replaces the current draft).
    pub async fn draft_reply(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ReplyInput>,
    ) -> AppResult<DocumentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::DraftReply).await?;
        let i = input.get()?;
        let body = required("body", &i.body, BODY_MAX)?;
        let contact_name = required("contact_name", &i.contact_name, NAME_MAX)?;
        let contact_phone = required("contact_phone", &i.contact_phone, PHONE_MAX)?;
        let summary = optional("summary", i.summary.as_deref(), SUMMARY_MAX)?;
        let disclosure_reason = optional(
            "disclosure_reason",
            i.disclosure_reason.as_deref(),
            REASON_MAX,
        )?;
        check_disclosure(i.disclosure, &disclosure_reason, &summary)?;
        let policy = crate::load_policy(&mut tx, c.item.org_id).await?;
        if i.grade == Grade::D && !policy.grade_d_enabled {
            return Err(AppError::rule("grade", "本机构未启用D类答复"));
        }
        if i.grade == Grade::B && i.commitments.is_empty() {
            return Err(AppError::rule(
                "commitments",
                "B类答复须至少写明一项承诺事项",
            ));
        }
        if i.commitments.len() > 50 {
            return Err(AppError::rule("commitments", "承诺事项不能超过50项"));
        }
        let mut commitments = Vec::new();
        for (k, cm) in i.commitments.iter().enumerate() {
            let field = format!("commitments[{k}].text");
            let text = required(&field, &cm.text, REASON_MAX)?;
            if cm.due_on < self.today() {
                return Err(AppError::rule(
                    &format!("commitments[{k}].due_on"),
                    "承诺完成日期不能早于今天",
                ));
            }
            commitments.push((text, cm.due_on));
        }
        let out = self
            .save_draft(
                actor,
                &c,
                &mut tx,
                REPLY,
                Draft {
                    body,
                    grade: Some(i.grade),
                    disclosure: i.disclosure,
                    disclosure_reason,
                    summary,
                    contact_name,
                    contact_phone,
                    commitments,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// `POST /assignments/{id}/{reply|co-opinion}/approve`: 签发.
    pub async fn approve_document(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
    ) -> AppResult<DocumentStateOut> {
        let mut tx = self.begin().await?;
        let c = self
            .ctx(&mut tx, actor, id, |a| Action::Approve(a, route_kind(kind)))
            .await?;
        let doc = open_document(&mut tx, id, kind)
            .await?
            .filter(|d| d.state() == DocState::Draft)
            .ok_or_else(|| AppError::conflict("没有待签发的稿件"))?;
        let action = if kind == REPLY {
            AssignmentAction::SendReply
        } else {
            AssignmentAction::SendCoOpinion
        };
        assignment_next(c.a.role(), c.a.state(), action)?;
        let policy = crate::load_policy(&mut tx, c.item.org_id).await?;
        let out = if kind == REPLY && policy.office_checks_replies {
            documents::hold_for_check(&mut tx, doc.id, actor.user_id).await?;
            record(
                &mut tx,
                Some(actor),
                Event {
                    org_id: Some(c.item.org_id),
                    item_id: Some(c.item.id),
                    assignment_id: Some(id),
                    document_id: Some(doc.id),
                    action: "reply_approved",
                    to: Some("checking"),
                    ..Default::default()
                },
            )
            .await?;
            DocumentStateOut {
                id: doc.id,
                assignment_id: id,
                state: DocState::Checking,
                doc_number: None,
            }
        } else {
            self.send(&mut tx, actor, &c, &doc).await?
        };
        tx.commit().await?;
        Ok(out)
    }

    /// Sends an approved document: its number, the assignment's new state, the evaluation clock.
    async fn send(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        c: &Ctx,
        doc: &DocumentRow,
    ) -> AppResult<DocumentStateOut> {
        let today = self.today();
        let unit = load_unit(tx, c.a.unit_id)
            .await?
            .ok_or(AppError::NotFound("单位"))?;
        let number =
            next_doc_number(tx, &unit, c.item.kind.as_str(), doc.kind.as_str(), today).await?;
        let (eval_due, provisional) = if doc.kind == DocKind::Reply {
            let cal = crate::calendar::load(tx, c.item.org_id).await?;
            let d = crate::load_policy(tx, c.item.org_id)
                .await?
                .evaluation_due(&cal, today);
            (Some(d.date), d.provisional)
        } else {
            (None, false)
        };
        documents::send(
            tx,
            doc,
            &documents::Sending {
                doc_number: &number,
                approved_by: actor.user_id,
                sent_on: today,
                evaluation_due: eval_due,
                evaluation_provisional: provisional,
            },
        )
        .await?;
        let action = if doc.kind == DocKind::Reply {
            AssignmentAction::SendReply
        } else {
            AssignmentAction::SendCoOpinion
        };
        let to = assignment_next(c.a.role(), c.a.state(), action)?;
        let event = if doc.kind == DocKind::Reply {
            "reply_sent"
        } else {
            "co_opinion_sent"
        };
        set_assignment_state(
            tx,
            actor,
            c,
            to,
            event,
            None,
            Some(serde_json::json!({"document_id": doc.id, "doc_number": number})),
        )
        .await?;
        crate::items::refresh_item_state(tx, actor, c.item.id).await?;
        Ok(DocumentStateOut {
            id: doc.id,
            assignment_id: c.a.id,
            state: DocState::Sent,
            doc_number: Some(number),
        })
    }

    /// `POST /assignments/{id}/{reply|co-opinion}/reject`: back to the drafter.
    pub async fn reject_document(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        input: Input<crate::items::ReasonInput>,
    ) -> AppResult<DocumentStateOut> {
        let mut tx = self.begin().await?;
        let c = self
            .ctx(&mut tx, actor, id, |a| {
                Action::RejectDraft(a, route_kind(kind))
            })
            .await?;
        let reason = required("reason", &input.get()?.reason, REASON_MAX)?;
        let doc = open_document(&mut tx, id, kind)
            .await?
            .filter(|d| d.state() == DocState::Draft)
            .ok_or_else(|| AppError::conflict("没有待签发的稿件"))?;
        documents::reject(&mut tx, doc.id, &reason).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(id),
                document_id: Some(doc.id),
                action: if kind == REPLY {
                    "reply_rejected"
                } else {
                    "co_opinion_rejected"
                },
                from: Some("draft"),
                to: Some("rejected"),
                reason: Some(&reason),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentStateOut {
            id: doc.id,
            assignment_id: id,
            state: DocState::Rejected,
            doc_number: None,
        })
    }

    /// `POST /assignments/{id}/reply/check`: the office's check of a reply, where the policy asks for one.
    pub async fn check_reply(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<crate::assignments::DecideInput>,
    ) -> AppResult<DocumentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::CheckReply).await?;
        let i = input.get()?;
        let note = optional("note", i.note.as_deref(), REASON_MAX)?;
        let doc = open_document(&mut tx, id, REPLY)
            .await?
            .filter(|d| d.state() == DocState::Checking)
            .ok_or_else(|| AppError::conflict("没有待审核的答复"))?;
        let out = if i.approve {
            self.send(&mut tx, actor, &c, &doc).await?
        } else {
            let reason = note
                .clone()
                .ok_or_else(|| AppError::rule("note", "退回答复须说明理由"))?;
            documents::reject(&mut tx, doc.id, &reason).await?;
            record(
                &mut tx,
                Some(actor),
                Event {
                    org_id: Some(c.item.org_id),
                    item_id: Some(c.item.id),
                    assignment_id: Some(id),
                    document_id: Some(doc.id),
                    action: "reply_check_rejected",
                    reason: Some(&reason),
                    ..Default::default()
                },
            )
            .await?;
            DocumentStateOut {
                id: doc.id,
                assignment_id: id,
                state: DocState::Rejected,
                doc_number: None,
            }
        };
        tx.commit().await?;
        Ok(out)
    }

    /// `POST /assignments/{id}/co-opinion/waive`: the office releases a co unit from 会签.
    pub async fn waive_co_opinion(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<crate::items::ReasonInput>,
    ) -> AppResult<crate::assignments::AssignmentStateOut> {
        let mut tx = self.begin().await?;
        let c = self.ctx(&mut tx, actor, id, Action::Waive).await?;
        let reason = required("reason", &input.get()?.reason, REASON_MAX)?;
        let to = assignment_next(c.a.role(), c.a.state(), AssignmentAction::Waive)?;
        set_assignment_state(
            &mut tx,
            actor,
            &c,
            to,
            "co_opinion_waived",
            Some(&reason),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(crate::assignments::AssignmentStateOut { id, state: to })
    }

    /// `POST /assignments/{id}/evaluation`: the first proposer (or the collective's contact)
    /// rates the latest sent reply; the office may enter a paper form. Units never can.
    pub async fn evaluate(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<EvaluationInput>,
    ) -> AppResult<EvaluationOut> {
        let mut tx = self.begin().await?;
        let Ctx { a, item } = self.ctx(&mut tx, actor, id, Action::Evaluate).await?;
        let i = input.get()?;
        let comment = optional("comment", i.comment.as_deref(), REASON_MAX)?;
        let scan = optional("scan", i.scan.as_deref(), 500)?;
        let source = i.source.unwrap_or(EvaluationSource::Online);
        match (actor.may(Capability::EnterPaperRecords), source) {
            (true, EvaluationSource::Online) => {
                return Err(AppError::rule(
                    "source",
                    "提案办只能录入纸质征询意见表（source: paper）",
                ))
            }
            (false, EvaluationSource::Paper) => {
                return Err(AppError::rule("source", "委员请直接在线评价"))
            }
            _ => {}
        }
        let reply = latest_sent_reply(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::conflict("尚未收到答复，不能评价"))?;
        let today = self.today();
        let eid = documents::insert_evaluation(
            &mut tx,
            &documents::NewEvaluation {
                assignment_id: id,
                document_id: reply.id,
                handling: i.handling.as_str(),
                result: i.result.as_str(),
                comment: comment.as_deref(),
                source: source.as_str(),
                scan_ref: scan.as_deref(),
                entered_by: actor.user_id,
            },
        )
        .await?;
        record(&mut tx, Some(actor), Event { org_id: Some(item.org_id), item_id: Some(item.id), assignment_id: Some(id), document_id: Some(reply.id), action: "evaluated", data: Some(serde_json::json!({"handling": i.handling, "result": i.result, "source": source})), ..Default::default() }).await?;
        let policy = crate::load_policy(&mut tx, item.org_id).await?;
        let mut state = a.state();
        let mut rehandling = false;
        if policy.triggers_rehandling(i.handling, i.result) {
            if (a.rehandlings as u32) < policy.max_rehandlings {
                let cal = crate::calendar::load(&mut tx, item.org_id).await?;
                let due = policy.rehandling_due(&cal, today);
                let to = assignment_next(a.role(), a.state(), AssignmentAction::Rehandle)?;
                banli_store::assignments::rehandle(&mut tx, id, due.date, due.provisional).await?;
                let c = Ctx {
                    a: a.clone(),
                    item: item.clone(),
                };
                set_assignment_state(
                    &mut tx,
                    actor,
                    &c,
                    to,
                    "rehandling",
                    Some("提案人对办理结果不满意"),
                    Some(serde_json::json!({"due": due.date, "provisional": due.provisional})),
                )
                .await?;
                crate::items::refresh_item_state(&mut tx, actor, item.id).await?;
                state = to;
                rehandling = true;
            } else {
                record(
                    &mut tx,
                    Some(actor),
                    Event {
                        org_id: Some(item.org_id),
                        item_id: Some(item.id),
                        assignment_id: Some(id),
                        action: "rehandling_limit_reached",
                        reason: Some("重新办理次数已用完，由提案办决定"),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(EvaluationOut {
            id: eid,
            reply_id: reply.id,
            assignment_id: id,
            assignment_state: state,
            rehandling,
        })
    }

    /// `POST /commitments/{id}/progress`: the owner unit's progress note; ends as done or carried over.
    pub async fn commitment_progress(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ProgressInput>,
    ) -> AppResult<CommitmentStateOut> {
        let mut tx = self.begin().await?;
        let cm = documents::commitment(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound("承诺事项"))?;
        let (status, percent, item_id) = (cm.status, cm.percent, cm.item_id);
        self.permit(&mut tx, actor, item_id, Action::Progress(id))
            .await?;
        let i = input.get()?;
        let note = required("note", &i.note, REASON_MAX)?;
        if let Some(p) = i.percent {
            if !(0..=100).contains(&p) {
                return Err(AppError::rule("percent", "进度须在0到100之间"));
            }
        }
        let new_status = i.status.unwrap_or(CommitmentStatus::Open);
        let new_percent = match new_status {
            CommitmentStatus::Done => 100,
            _ => i.percent.unwrap_or(percent),
        };
        documents::progress(
            &mut tx,
            id,
            new_status,
            new_percent,
            i.percent,
            &note,
            (new_status == CommitmentStatus::Done).then(|| self.today()),
            actor.user_id,
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                item_id: Some(item_id),
                action: "commitment_progress",
                from: Some(status.as_str()),
                to: Some(new_status.as_str()),
                reason: Some(&note),
                data: Some(serde_json::json!({"commitment_id": id, "percent": new_percent})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CommitmentStateOut {
            id,
            status: new_status,
            percent: new_percent,
        })
    }
}

/// The next number of a unit's series for the year: 湘发改提〔2023〕12号 for replies to
/// proposals, …建 for suggestions, …函 for co-opinions. Gap-free: the counter row is updated
/// in the sending transaction.
async fn next_doc_number(
    tx: &mut Tx,
    unit: &UnitRow,
    item_kind: &str,
    doc_kind: &str,
    today: NaiveDate,
) -> AppResult<String> {
    let base = if item_kind == "suggestion" {
        unit.doc_prefix_suggestion.clone()
    } else {
        unit.doc_prefix.clone()
    };
    let base = base.unwrap_or_else(|| {
        let short = unit.short_name.clone().unwrap_or_else(|| unit.name.clone());
        format!(
            "{short}{}",
            if item_kind == "suggestion" {
                "建"
            } else {
                "提"
            }
        )
    });
    let series = if doc_kind == CO_OPINION {
        format!("{base}函")
    } else {
        base
    };
    let year = today.year() as i64;
    let n = documents::next_number(tx, unit.id, year, &series).await?;
    Ok(format!("{series}〔{year}〕{n}号"))
}
