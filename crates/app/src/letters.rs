//! What goes into the printed documents (DESIGN §5): the reply letter (答复函), the
//! co-opinion (会办意见) and the proposer's feedback form (征询意见表), as plain data for
//! the PDF layer. Nothing here decides who may see a document: the documents are picked out
//! of what `get_item` shows the actor, and the public letter out of `public_document`, so
//! a PDF never shows more than the same person sees on screen.

use crate::view::{DocumentOut, ItemDetail};
use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::{AssignmentRole, AssignmentState, DocKind, DocState, ItemKind};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CommitmentLine {
    pub text: String,
    /// `YYYY-MM-DD`.
    pub due: String,
}

/// A reply letter or co-opinion, ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct LetterData {
    /// `reply` or `co_opinion`.
    pub kind: String,
    pub document_id: i64,
    /// The document's state: `draft`, `rejected`, `checking`, `sent` or `superseded`.
    pub state: String,
    /// Not sent yet: printed with a 草稿 mark and without a number.
    pub draft: bool,
    pub unit_name: String,
    pub doc_number: Option<String>,
    pub title: String,
    /// The salutation without the colon (张三委员 / the collective / the lead unit); empty
    /// on the public version, which carries only what was published.
    pub addressee: String,
    pub body: String,
    pub grade: Option<String>,
    /// 签发人: the approving signer's name.
    pub signer: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    /// `YYYY-MM-DD`: the day it was sent, or today for a draft.
    pub date: String,
    /// 抄送.
    pub copy_to: Vec<String>,
    pub commitments: Vec<CommitmentLine>,
    /// A line under the title, e.g. that only the summary is published.
    pub notice: Option<String>,
}

/// The proposer's 征询意见表 for the current sent reply of an assignment.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackData {
    pub reply_id: i64,
    pub title: String,
    /// `提案` or `建议`.
    pub kind_label: String,
    /// `提案人` or `代表`.
    pub proposer_label: String,
    pub item_number: String,
    pub item_title: String,
    pub proposers: String,
    pub unit_name: String,
    pub reply_doc_number: String,
    /// `YYYY-MM-DD`.
    pub reply_date: String,
    /// Where the paper form goes back to: the unit.
    pub return_to: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `YYYY-MM-DD`: the rating is due by then.
    pub due: Option<String>,
}

/// Proposers who stand behind the item: the first one, and co-signers who confirmed (or
/// signed on paper); invited, declined and lapsed names are not on it.
fn standing_proposers(d: &ItemDetail) -> Vec<&str> {
    d.proposers
        .iter()
        .filter(|p| matches!(p.status.as_str(), "first" | "confirmed" | "paper"))
        .map(|p| p.display_name.as_str())
        .collect()
}

impl App {
    /// The item an assignment belongs to, as the actor may see it (403 when they may not).
    async fn visible_item_of(&self, actor: &Actor, assignment_id: i64) -> AppResult<ItemDetail> {
        let mut tx = self.db.read().await?;
        let a = crate::load_assignment(&mut tx, assignment_id).await?;
        tx.commit().await?;
        self.get_item(actor, a.item_id).await
    }

    /// Whether a document of this kind (not superseded) exists for the assignment, so that a
    /// document the actor may not see answers 403 and a missing one 404.
    async fn hidden_document(
        &self,
        assignment_id: i64,
        kind: &str,
        states: &[DocState],
    ) -> AppResult<bool> {
        let kind = DocKind::parse(kind).ok_or(AppError::NotFound("文件"))?;
        Ok(banli_store::documents::exists_in(&self.db.pool, assignment_id, kind, states).await?)
    }

    async fn signer_name(&self, document_id: i64) -> AppResult<Option<String>> {
        Ok(banli_store::documents::signer_name(&self.db.pool, document_id).await?)
    }

    /// `GET /assignments/{id}/reply.pdf` and `…/co-opinion.pdf`: the assignment's current
    /// document of that kind (`reply` or `co_opinion`) — the sent one if there is one, else
    /// the one being drafted — for whoever sees it through `get_item`.
    pub async fn letter(
        &self,
        actor: &Actor,
        assignment_id: i64,
        kind: &str,
    ) -> AppResult<LetterData> {
        let (kind, what) = match kind {
            "reply" => ("reply", "答复"),
            "co_opinion" => ("co_opinion", "会办意见"),
            _ => return Err(AppError::NotFound("文件")),
        };
        let d = self.visible_item_of(actor, assignment_id).await?;
        let docs = if kind == "reply" {
            &d.replies
        } else {
            &d.co_opinions
        };
        let current: Vec<&DocumentOut> = docs
            .iter()
            .filter(|x| x.assignment_id == assignment_id && x.state != "superseded")
            .collect();
        let doc = current
            .iter()
            .rev()
            .find(|x| x.state == "sent")
            .or(current.last())
            .copied();
        let Some(doc) = doc else {
            return Err(
                if self
                    .hidden_document(
                        assignment_id,
                        kind,
                        &[
                            DocState::Draft,
                            DocState::Rejected,
                            DocState::Checking,
                            DocState::Sent,
                        ],
                    )
                    .await?
                {
                    AppError::forbidden("您无权查看这份文件")
                } else {
                    AppError::NotFound(what)
                },
            );
        };
        let a = d
            .assignments
            .iter()
            .find(|a| a.id == assignment_id)
            .ok_or(AppError::NotFound("交办"))?;
        let person = d.summary.kind.member_title();
        let (addressee, copy_to) = if kind == "reply" {
            // Sent to the first proposer, copied to the co-signers and to the first proposers
            // of merged items (DESIGN §3 Handle).
            let standing = standing_proposers(&d);
            let addressee = standing
                .first()
                .map(|first| {
                    banli_domain::letter::reply_salutation(
                        d.summary.kind,
                        d.collective_name.as_deref(),
                        first,
                    )
                })
                .unwrap_or_default();
            let mut copy: Vec<String> = if d.collective_name.is_some() {
                vec![]
            } else {
                standing
                    .iter()
                    .skip(1)
                    .map(|n| format!("{n}{person}"))
                    .collect()
            };
            let merged =
                banli_store::items::merged_first_proposers(&self.db.pool, d.summary.id).await?;
            for (name, collective) in merged {
                let n = collective.unwrap_or_else(|| format!("{name}{person}"));
                if !copy.contains(&n) && n != addressee {
                    copy.push(n);
                }
            }
            (addressee, copy)
        } else {
            // A co-opinion goes to the lead unit, never to the proposer.
            let lead = d
                .assignments
                .iter()
                .rev()
                .find(|x| x.role == AssignmentRole::Lead && x.state != AssignmentState::Returned)
                .map(|x| x.unit_name.clone());
            (lead.unwrap_or_else(|| "主办单位".to_string()), vec![])
        };
        let sent = matches!(doc.state.as_str(), "sent" | "superseded");
        let signer = if doc.state == "draft" || doc.state == "rejected" {
            None
        } else {
            self.signer_name(doc.id).await?
        };
        Ok(LetterData {
            kind: kind.to_string(),
            document_id: doc.id,
            state: doc.state.clone(),
            draft: !sent,
            unit_name: a.unit_name.clone(),
            doc_number: doc.doc_number.clone(),
            title: doc.title.clone(),
            // A salutation the clerk typed too is printed once (stored before it was dropped
            // on saving).
            body: banli_domain::letter::without_salutation(&doc.body, &addressee),
            addressee,
            grade: doc.grade.clone(),
            signer,
            contact_name: doc.contact_name.clone(),
            contact_phone: doc.contact_phone.clone(),
            date: doc
                .sent_on
                .clone()
                .unwrap_or_else(|| crate::iso(self.today())),
            copy_to,
            commitments: doc
                .commitments
                .iter()
                .map(|c| CommitmentLine {
                    text: c.text.clone(),
                    due: c.due_on.clone(),
                })
                .collect(),
            notice: None,
        })
    }

    /// `GET /assignments/{id}/feedback-form.pdf`: the paper 征询意见表 for the assignment's
    /// current sent reply; 409 while no reply has been sent.
    pub async fn feedback_form(
        &self,
        actor: &Actor,
        assignment_id: i64,
    ) -> AppResult<FeedbackData> {
        let d = self.visible_item_of(actor, assignment_id).await?;
        let Some(reply) = d
            .replies
            .iter()
            .rev()
            .find(|x| x.assignment_id == assignment_id && x.state == "sent")
        else {
            return Err(
                if self
                    .hidden_document(assignment_id, "reply", &[DocState::Sent])
                    .await?
                {
                    AppError::forbidden("您无权查看这份答复")
                } else {
                    AppError::conflict("尚未发出答复，还没有征询意见表")
                },
            );
        };
        let a = d
            .assignments
            .iter()
            .find(|a| a.id == assignment_id)
            .ok_or(AppError::NotFound("交办"))?;
        let mut tx = self.db.read().await?;
        let body_name = crate::load_session(&mut tx, d.summary.session_id)
            .await?
            .ok_or(AppError::NotFound("届次会议"))?
            .body_name;
        tx.commit().await?;
        let label = d.summary.kind.label();
        let proposers = match &d.collective_name {
            Some(c) => c.clone(),
            None => standing_proposers(&d).join("、"),
        };
        Ok(FeedbackData {
            reply_id: reply.id,
            title: format!("{body_name}{}{label}办理情况征询意见表", d.session_name),
            kind_label: label.to_string(),
            proposer_label: if d.summary.kind == ItemKind::Suggestion {
                "代表"
            } else {
                "提案人"
            }
            .to_string(),
            item_number: d.summary.number.clone().unwrap_or_default(),
            item_title: d.summary.title.clone(),
            proposers,
            unit_name: a.unit_name.clone(),
            reply_doc_number: reply.doc_number.clone().unwrap_or_default(),
            reply_date: reply.sent_on.clone().unwrap_or_default(),
            return_to: a.unit_name.clone(),
            contact_name: reply.contact_name.clone(),
            contact_phone: reply.contact_phone.clone(),
            due: reply.evaluation_due.clone(),
        })
    }

    /// `GET /replies/{id}.pdf`: a reply as published on the portal — the text fixed at
    /// publication (the summary in `summary` mode), without contact details or the names of
    /// people the page does not show; 404 unless it is live in `public` or `summary` mode.
    pub async fn public_letter(&self, reply_id: i64) -> AppResult<LetterData> {
        let p = self.public_document("reply", reply_id).await?;
        let summary_only = p.summary.disclosure == "summary";
        Ok(LetterData {
            kind: "reply".into(),
            document_id: p.summary.document_id,
            state: "sent".into(),
            draft: false,
            unit_name: p.summary.unit.clone(),
            doc_number: Some(p.summary.doc_number.clone()).filter(|n| !n.is_empty()),
            title: p.summary.title.clone(),
            addressee: String::new(),
            body: p.body.clone(),
            grade: p.summary.grade.clone(),
            signer: None,
            contact_name: String::new(),
            contact_phone: String::new(),
            date: p.sent_on.clone(),
            copy_to: vec![],
            commitments: p
                .commitments
                .iter()
                .map(|c| CommitmentLine {
                    text: c.text.clone(),
                    due: c.due_on.clone(),
                })
                .collect(),
            notice: summary_only.then(|| "（本件为摘要公开）".to_string()),
        })
    }
}
