//! Publication on the public portal (DESIGN §3 Publish, §6 Integrity): a fixed, hashed
//! version of the approved document; corrections are new versions; withdrawal takes it down.

use crate::events::{record, Event};
use crate::rows::*;
use crate::{Actor, App, AppError, AppResult, Input};
use banli_domain::limits::{optional, required, NAME_MAX, REASON_MAX};
use banli_domain::model::{Disclosure, DocKind};
use banli_domain::rights::{Action, Capability};
use banli_store::Tx;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// 来源; defaults to the issuing unit's name.
    pub source: Option<String>,
    /// 责任编辑; defaults to the publisher's name.
    pub editor: Option<String>,
    /// The office may override the mode the unit proposed.
    pub disclosure: Option<Disclosure>,
    /// Why a new version is published (a correction).
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishOut {
    pub url: String,
    pub version: i64,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawOut {
    pub document_id: i64,
    pub version: i64,
    pub withdrawn: bool,
}

pub use banli_domain::model::document_title;
pub use banli_domain::publication::CanonicalContent;

pub(crate) struct DocCtx {
    pub doc: DocumentRow,
    pub a: AssignmentRow,
    pub item: ItemRow,
    pub unit: UnitRow,
    pub session: SessionRow,
}

pub(crate) async fn load_doc(tx: &mut Tx, id: i64, kind: &str) -> AppResult<DocCtx> {
    let what = if kind == "reply" {
        "答复"
    } else {
        "会办意见"
    };
    let kind = DocKind::parse(kind).ok_or(AppError::NotFound(what))?;
    let doc = banli_store::publications::document(tx, id, kind)
        .await?
        .ok_or(AppError::NotFound(what))?;
    let a = crate::load_assignment(tx, doc.assignment_id).await?;
    let item = crate::load_item(tx, a.item_id).await?;
    let unit = crate::load_unit(tx, a.unit_id)
        .await?
        .ok_or(AppError::NotFound("单位"))?;
    let session = crate::load_session(tx, item.session_id)
        .await?
        .ok_or(AppError::NotFound("届次会议"))?;
    Ok(DocCtx {
        doc,
        a,
        item,
        unit,
        session,
    })
}

impl App {
    fn publication_url(&self, kind: &str, id: i64) -> String {
        let path = if kind == "reply" {
            "replies"
        } else {
            "co-opinions"
        };
        format!(
            "{}/{path}/{id}",
            self.settings.public_base_url.trim_end_matches('/')
        )
    }

    /// `POST /replies/{id}/publish` and `/co-opinions/{id}/publish`.
    pub async fn publish(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        input: Input<PublishInput>,
    ) -> AppResult<PublishOut> {
        let mut tx = self.begin().await?;
        let c = load_doc(&mut tx, id, kind).await?;
        self.permit(&mut tx, actor, c.item.id, Action::Publish(id))
            .await?;
        let i = input.get()?;
        let source = optional("source", i.source.as_deref(), NAME_MAX)?
            .unwrap_or_else(|| c.unit.name.clone());
        let editor = optional("editor", i.editor.as_deref(), NAME_MAX)?
            .unwrap_or_else(|| actor.display_name.clone());
        let note = optional("note", i.note.as_deref(), REASON_MAX)?;
        let proposed = c.doc.disclosure;
        let disclosure = match i.disclosure {
            Some(d) if d != proposed && !actor.may(Capability::OverrideDisclosure) => {
                return Err(AppError::rule("disclosure", "只有提案办可以变更公开方式"))
            }
            Some(d) => d,
            None => proposed,
        };
        if !disclosure.publishable() {
            return Err(AppError::rule(
                "disclosure",
                "依申请公开或不予公开的文件不能在门户公开",
            ));
        }
        let body = if disclosure == Disclosure::Summary {
            c.doc
                .summary
                .clone()
                .ok_or_else(|| AppError::rule("disclosure", "这份文件没有摘要，不能摘要公开"))?
        } else {
            c.doc.body.clone()
        };
        let content = CanonicalContent {
            kind: kind.to_string(),
            title: document_title(
                &c.session.body_name,
                &c.session.name,
                c.item.number,
                c.item.kind,
                c.doc.kind,
            ),
            unit: c.unit.name.clone(),
            doc_number: c.doc.doc_number.clone().unwrap_or_default(),
            sent_on: c.doc.sent_on.clone().unwrap_or_default(),
            disclosure: disclosure.as_str().to_string(),
            body,
        };
        let sha = content.sha256();
        let first = banli_store::publications::versions(&mut tx, id).await? == 0;
        if !first && note.is_none() {
            return Err(AppError::rule("note", "更正后重新公开须说明更正内容"));
        }
        // A new version replaces the one on the portal.
        let version = banli_store::publications::publish(
            &mut tx,
            &banli_store::publications::NewPublication {
                document_id: id,
                disclosure,
                source: &source,
                editor: &editor,
                sha256: &sha,
                content_json: &serde_json::to_string(&content).expect("content serialises"),
                note: note.as_deref(),
                published_by: actor.user_id,
            },
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                assignment_id: Some(c.a.id),
                document_id: Some(id),
                action: "published",
                reason: note.as_deref(),
                data: Some(serde_json::json!({"version": version, "sha256": sha, "disclosure": disclosure})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(PublishOut {
            url: self.publication_url(kind, id),
            version,
            sha256: sha,
        })
    }

    /// `POST /replies/{id}/withdraw` and `/co-opinions/{id}/withdraw`: 撤回, with a reason.
    pub async fn withdraw_publication(
        &self,
        actor: &Actor,
        id: i64,
        kind: &str,
        input: Input<crate::items::ReasonInput>,
    ) -> AppResult<WithdrawOut> {
        let mut tx = self.begin().await?;
        let c = load_doc(&mut tx, id, kind).await?;
        self.permit(&mut tx, actor, c.item.id, Action::Unpublish(id))
            .await?;
        let reason = required("reason", &input.get()?.reason, REASON_MAX)?;
        let live = banli_store::publications::live(&mut tx, id).await?;
        let Some((pid, version)) = live else {
            return Err(AppError::conflict("这份文件当前没有公开"));
        };
        banli_store::publications::withdraw(&mut tx, pid, actor.user_id, &reason).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(c.item.org_id),
                item_id: Some(c.item.id),
                document_id: Some(id),
                action: "publication_withdrawn",
                reason: Some(&reason),
                data: Some(serde_json::json!({"version": version})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(WithdrawOut {
            document_id: id,
            version,
            withdrawn: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banli_domain::model::ItemKind;

    #[test]
    fn titles_follow_the_specification() {
        assert_eq!(
            document_title(
                "湖南省政协",
                "十三届一次会议",
                Some(239),
                ItemKind::Proposal,
                DocKind::Reply
            ),
            "关于湖南省政协十三届一次会议第0239号提案的答复"
        );
        assert_eq!(
            document_title(
                "湖南省人大常委会",
                "十四届三次会议",
                Some(5),
                ItemKind::Suggestion,
                DocKind::CoOpinion
            ),
            "关于湖南省人大常委会十四届三次会议第0005号建议的会办意见"
        );
    }

    #[test]
    fn any_change_to_the_approved_text_changes_the_hash() {
        let c = CanonicalContent {
            kind: "reply".into(),
            title: "t".into(),
            unit: "u".into(),
            doc_number: "n".into(),
            sent_on: "2023-01-01".into(),
            disclosure: "public".into(),
            body: "正文".into(),
        };
        let h = c.sha256();
        assert_eq!(h.len(), 64);
        let altered = CanonicalContent {
            body: "正文。".into(),
            ..c
        };
        assert_ne!(altered.sha256(), h);
    }
}
