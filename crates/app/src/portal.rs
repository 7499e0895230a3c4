//! What the public may read (DESIGN §6): the live version of each published reply and
//! co-opinion, exactly as approved, with the live progress of its commitments; and the
//! integrity check of every publication against the database.

use crate::publish::{document_title, CanonicalContent};
use crate::{format_number, App, AppError, AppResult};
use banli_domain::model::{Disclosure, DocKind, Grade};
use banli_store::publications::{self, LiveRow, PortalFilter};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct PublicSummary {
    pub document_id: i64,
    pub kind: String,
    pub version: i64,
    pub title: String,
    pub unit: String,
    pub doc_number: String,
    pub published_at: String,
    pub item_title: String,
    pub item_number: Option<String>,
    pub session_name: String,
    pub category: Option<String>,
    pub grade: Option<String>,
    pub disclosure: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicProgress {
    pub date: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicCommitment {
    pub text: String,
    pub due_on: String,
    pub status: String,
    pub percent: i64,
    pub progress: Vec<PublicProgress>,
}

impl PublicCommitment {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "done" => "已完成",
            "carried_over" => "已结转",
            _ => "办理中",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicDocument {
    #[serde(flatten)]
    pub summary: PublicSummary,
    /// The approved text (or summary), as fixed at publication.
    pub body: String,
    pub sent_on: String,
    pub source: String,
    pub editor: String,
    pub note: Option<String>,
    pub item_id: i64,
    pub commitments: Vec<PublicCommitment>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PortalQuery {
    pub session_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub category: Option<String>,
    pub grade: Option<String>,
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct PublicPage {
    pub items: Vec<PublicSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One publication whose stored content no longer matches what was approved.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrityFinding {
    pub document_id: i64,
    pub kind: String,
    pub version: i64,
    pub problem: String,
}

type Row = LiveRow;

fn summary(r: &Row, content: &CanonicalContent) -> PublicSummary {
    PublicSummary {
        document_id: r.document_id,
        kind: r.kind.to_string(),
        version: r.version,
        title: content.title.clone(),
        unit: content.unit.clone(),
        doc_number: content.doc_number.clone(),
        published_at: r.published_at.clone(),
        item_title: r.item_title.clone(),
        item_number: r.number.map(format_number),
        session_name: r.session_name.clone(),
        category: r.category.clone(),
        grade: r.grade.clone(),
        disclosure: r.disclosure.to_string(),
        sha256: r.sha256.clone(),
    }
}

fn content_of(r: &Row) -> AppResult<CanonicalContent> {
    serde_json::from_str(&r.content)
        .map_err(|e| AppError::Internal(format!("publication {} content: {e}", r.document_id)))
}

impl App {
    /// The portal's lists, newest first.
    pub async fn public_documents(&self, q: &PortalQuery) -> AppResult<PublicPage> {
        let page = q.page.unwrap_or(1).clamp(1, crate::view::MAX_PAGE);
        let per = q.per_page.unwrap_or(20).clamp(1, 100);
        let empty = PublicPage {
            items: vec![],
            total: 0,
            page,
            per_page: per,
        };
        // A grade or kind that does not exist matches nothing (a public URL, not a form).
        let grade = match q.grade.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => match Grade::parse(g) {
                Some(g) => Some(g),
                None => return Ok(empty),
            },
            None => None,
        };
        let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => match DocKind::parse(k) {
                Some(k) => Some(k),
                None => return Ok(empty),
            },
            None => None,
        };
        let filter = PortalFilter {
            session_id: q.session_id,
            unit_id: q.unit_id,
            category: q.category.as_deref().filter(|c| !c.is_empty()),
            grade,
            kind,
        };
        let (rows, total) =
            publications::live_page(&self.db.pool, self.org_id, &filter, per, (page - 1) * per)
                .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            items.push(summary(r, &content_of(r)?));
        }
        Ok(PublicPage {
            items,
            total,
            page,
            per_page: per,
        })
    }

    /// One published document as the public sees it; 404 when it is not (or no longer) public.
    pub async fn public_document(&self, kind: &str, id: i64) -> AppResult<PublicDocument> {
        let what = if kind == "reply" {
            "答复"
        } else {
            "会办意见"
        };
        let doc_kind = DocKind::parse(kind).ok_or(AppError::NotFound(what))?;
        let r = publications::live_one(&self.db.pool, self.org_id, doc_kind, id)
            .await?
            .ok_or(AppError::NotFound(what))?;
        let content = content_of(&r)?;
        let mut tx = self.db.read().await?;
        let mut commitments = Vec::new();
        for c in banli_store::documents::commitments(&mut tx, id).await? {
            let progress = banli_store::documents::progress_notes(&mut tx, c.id)
                .await?
                .into_iter()
                .map(|(at, note)| PublicProgress {
                    date: banli_domain::clock::local_date(&at),
                    note,
                })
                .collect();
            commitments.push(PublicCommitment {
                text: c.text,
                due_on: crate::iso(c.due_on),
                status: c.status.to_string(),
                percent: c.percent,
                progress,
            });
        }
        tx.commit().await?;
        Ok(PublicDocument {
            summary: summary(&r, &content),
            body: content.body.clone(),
            sent_on: content.sent_on.clone(),
            source: r.source.clone(),
            editor: r.editor.clone(),
            note: r.note.clone(),
            item_id: r.item_id,
            commitments,
        })
    }

    /// Every live publication checked against the database: the stored content must still
    /// hash to the stored SHA-256, and the document it came from must still say the same.
    pub async fn integrity_check(&self) -> AppResult<(usize, Vec<IntegrityFinding>)> {
        let rows = publications::live_all(&self.db.pool, self.org_id).await?;
        let mut findings = Vec::new();
        for r in &rows {
            let finding = |problem: String| IntegrityFinding {
                document_id: r.document_id,
                kind: r.kind.to_string(),
                version: r.version,
                problem,
            };
            let stored: CanonicalContent = match serde_json::from_str(&r.content) {
                Ok(c) => c,
                Err(e) => {
                    findings.push(finding(format!("公开内容无法解析：{e}")));
                    continue;
                }
            };
            if stored.sha256() != r.sha256 {
                findings.push(finding("公开内容与批准时的哈希不一致（内容被改动）".into()));
            }
            let mut tx = self.db.read().await?;
            let c = crate::publish::load_doc(&mut tx, r.document_id, r.kind.as_str()).await?;
            tx.commit().await?;
            let body = if r.disclosure == Disclosure::Summary {
                c.doc.summary.clone().unwrap_or_default()
            } else {
                c.doc.body.clone()
            };
            let now = CanonicalContent {
                kind: r.kind.to_string(),
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
                disclosure: r.disclosure.to_string(),
                body,
            };
            if now.sha256() != r.sha256 {
                findings.push(finding("文件记录已与批准公开的版本不同".into()));
            }
        }
        Ok((rows.len(), findings))
    }
}

impl App {
    pub async fn organisation_name(&self) -> AppResult<String> {
        publications::organisation_name(&self.db.pool, self.org_id)
            .await?
            .ok_or(AppError::NotFound("组织"))
    }
}
