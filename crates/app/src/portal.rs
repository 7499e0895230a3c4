//! What the public may read (DESIGN §6): the live version of each published reply and
//! co-opinion, exactly as approved, with the live progress of its commitments; and the
//! integrity check of every publication against the database.

use crate::publish::{document_title, CanonicalContent};
use crate::{format_number, App, AppError, AppResult};
use banli_store::{sqlx, Sql};
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

#[derive(sqlx::FromRow)]
struct Row {
    document_id: i64,
    kind: String,
    version: i64,
    sha256: String,
    content: String,
    source: String,
    editor: String,
    note: Option<String>,
    published_at: String,
    disclosure: String,
    grade: Option<String>,
    item_id: i64,
    item_title: String,
    number: Option<i64>,
    session_name: String,
    category: Option<String>,
}

/// The live (not withdrawn) publications, with what the lists show beside them.
const LIVE: &str = "SELECT p.document_id, d.kind, p.version, p.sha256, p.content, p.source, p.editor, p.note, p.published_at, p.disclosure, d.grade,
        i.id AS item_id, i.title AS item_title, i.number, s.name AS session_name, c.name AS category
    FROM publications p
    JOIN documents d ON d.id = p.document_id
    JOIN assignments a ON a.id = d.assignment_id
    JOIN items i ON i.id = a.item_id
    JOIN sessions s ON s.id = i.session_id
    LEFT JOIN categories c ON c.id = i.category_id
    WHERE p.withdrawn_at IS NULL AND p.disclosure IN ('public', 'summary') AND i.org_id = ";

fn summary(r: &Row, content: &CanonicalContent) -> PublicSummary {
    PublicSummary {
        document_id: r.document_id,
        kind: r.kind.clone(),
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
        disclosure: r.disclosure.clone(),
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
        let mut sql = Sql::new(LIVE);
        sql.bind(self.org_id);
        if let Some(s) = q.session_id {
            sql.push(" AND i.session_id = ").bind(s);
        }
        if let Some(u) = q.unit_id {
            sql.push(" AND a.unit_id = ").bind(u);
        }
        if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
            sql.push(" AND c.name = ").bind(c);
        }
        if let Some(g) = q.grade.as_deref().filter(|g| !g.is_empty()) {
            sql.push(" AND d.grade = ").bind(g);
        }
        if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
            sql.push(" AND d.kind = ").bind(k);
        }
        let mut count = sql.clone();
        count.wrap("SELECT COUNT(*) FROM (", ") live");
        let (total,): (i64,) = count.query_as::<(i64,)>().fetch_one(&self.db.pool).await?;
        sql.push(" ORDER BY p.published_at DESC, p.document_id DESC LIMIT ")
            .bind(per)
            .push(" OFFSET ")
            .bind((page - 1) * per);
        let rows = sql.query_as::<Row>().fetch_all(&self.db.pool).await?;
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
        let mut sql = Sql::new(LIVE);
        sql.bind(self.org_id)
            .push(" AND d.kind = ")
            .bind(kind)
            .push(" AND p.document_id = ")
            .bind(id);
        let r = sql
            .query_as::<Row>()
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(AppError::NotFound(what))?;
        let content = content_of(&r)?;
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as("SELECT id, text, due_on, status, percent FROM commitments WHERE document_id = $1 ORDER BY id").bind(id).fetch_all(&self.db.pool).await?;
        let mut commitments = Vec::new();
        for (cid, text, due_on, status, percent) in rows {
            let progress = sqlx::query_as::<_, (String, String)>("SELECT created_at, note FROM commitment_progress WHERE commitment_id = $1 ORDER BY id")
                .bind(cid)
                .fetch_all(&self.db.pool)
                .await?
                .into_iter()
                .map(|(at, note)| PublicProgress { date: banli_domain::clock::local_date(&at), note })
                .collect();
            commitments.push(PublicCommitment {
                text,
                due_on,
                status,
                percent,
                progress,
            });
        }
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
        let mut sql = Sql::new(LIVE);
        sql.bind(self.org_id).push(" ORDER BY p.document_id");
        let rows = sql.query_as::<Row>().fetch_all(&self.db.pool).await?;
        let mut findings = Vec::new();
        for r in &rows {
            let finding = |problem: String| IntegrityFinding {
                document_id: r.document_id,
                kind: r.kind.clone(),
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
            let c = crate::publish::load_doc(&mut tx, r.document_id, &r.kind).await?;
            tx.commit().await?;
            let body = if r.disclosure == "summary" {
                c.doc.summary.clone().unwrap_or_default()
            } else {
                c.doc.body.clone()
            };
            let now = CanonicalContent {
                kind: r.kind.clone(),
                title: document_title(
                    &c.session.body_name,
                    &c.session.name,
                    c.item.number,
                    c.item.kind.as_str(),
                    &r.kind,
                ),
                unit: c.unit.name.clone(),
                doc_number: c.doc.doc_number.clone().unwrap_or_default(),
                sent_on: c.doc.sent_on.clone().unwrap_or_default(),
                disclosure: r.disclosure.clone(),
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
        let (name,): (String,) = sqlx::query_as("SELECT name FROM organisations WHERE id = $1")
            .bind(self.org_id)
            .fetch_one(&self.db.pool)
            .await?;
        Ok(name)
    }
}
