//! Publications on the portal: each version of a document's public content, with its hash,
//! and withdrawals.

use crate::rows::{all_typed, typed, DocumentRow, Stored, DOCUMENT_COLS};
use crate::{Error, Sql, Tx};
use banli_domain::model::{Disclosure, DocKind, Grade};
use sqlx::AnyPool;

/// A document of this kind (a route's `reply` or `co-opinion`).
pub async fn document(tx: &mut Tx, id: i64, kind: DocKind) -> Result<Option<DocumentRow>, Error> {
    sqlx::query(&format!(
        "SELECT {DOCUMENT_COLS} FROM documents WHERE id = $1 AND kind = $2"
    ))
    .bind(id)
    .bind(kind.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| typed("documents", &r))
    .transpose()
}

/// A new version of a document on the portal.
pub struct NewPublication<'a> {
    pub document_id: i64,
    pub disclosure: Disclosure,
    pub source: &'a str,
    pub editor: &'a str,
    pub sha256: &'a str,
    pub content_json: &'a str,
    pub note: Option<&'a str>,
    pub published_by: i64,
}

/// Publishes the next version, withdrawing the one it replaces. Returns the version.
pub async fn publish(tx: &mut Tx, p: &NewPublication<'_>) -> Result<i64, Error> {
    let now = tx.now();
    let (version,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM publications WHERE document_id = $1",
    )
    .bind(p.document_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE publications SET withdrawn_at = $1, withdrawn_by = $2, withdraw_reason = '被新版本替代' WHERE document_id = $3 AND withdrawn_at IS NULL")
        .bind(&now)
        .bind(p.published_by)
        .bind(p.document_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO publications (document_id, version, disclosure, source, editor, sha256, content, note, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(p.document_id)
        .bind(version)
        .bind(p.disclosure.as_str())
        .bind(p.source)
        .bind(p.editor)
        .bind(p.sha256)
        .bind(p.content_json)
        .bind(p.note)
        .bind(p.published_by)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    Ok(version)
}

/// How many versions the document has had on the portal.
pub async fn versions(tx: &mut Tx, document_id: i64) -> Result<i64, Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM publications WHERE document_id = $1")
        .bind(document_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// The version on the portal now: (publication, version).
pub async fn live(tx: &mut Tx, document_id: i64) -> Result<Option<(i64, i64)>, Error> {
    sqlx::query_as(
        "SELECT id, version FROM publications WHERE document_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(document_id)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn withdraw(
    tx: &mut Tx,
    publication_id: i64,
    by: i64,
    reason: &str,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE publications SET withdrawn_at = $1, withdrawn_by = $2, withdraw_reason = $3 WHERE id = $4")
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(publication_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A live publication with what the portal lists show beside it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveRow {
    pub document_id: i64,
    #[sqlx(try_from = "Stored<DocKind>")]
    pub kind: DocKind,
    pub version: i64,
    pub sha256: String,
    /// The approved content (JSON), exactly as hashed.
    pub content: String,
    pub source: String,
    pub editor: String,
    pub note: Option<String>,
    pub published_at: String,
    #[sqlx(try_from = "Stored<Disclosure>")]
    pub disclosure: Disclosure,
    pub grade: Option<String>,
    pub item_id: i64,
    pub item_title: String,
    pub number: Option<i64>,
    pub session_name: String,
    pub category: Option<String>,
}

/// The live (not withdrawn) publications of an organisation.
const LIVE: &str = "SELECT p.document_id, d.kind, p.version, p.sha256, p.content, p.source, p.editor, p.note, p.published_at, p.disclosure, d.grade,
        i.id AS item_id, i.title AS item_title, i.number, s.name AS session_name, c.name AS category
    FROM publications p
    JOIN documents d ON d.id = p.document_id
    JOIN assignments a ON a.id = d.assignment_id
    JOIN items i ON i.id = a.item_id
    JOIN sessions s ON s.id = i.session_id
    LEFT JOIN categories c ON c.id = i.category_id
    WHERE p.withdrawn_at IS NULL AND p.disclosure IN ('public', 'summary') AND i.org_id = ";

/// The portal's filters.
#[derive(Debug, Clone, Default)]
pub struct PortalFilter<'a> {
    pub session_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub category: Option<&'a str>,
    pub grade: Option<Grade>,
    pub kind: Option<DocKind>,
}

/// A page of live publications, newest first, and how many match.
pub async fn live_page(
    pool: &AnyPool,
    org_id: i64,
    f: &PortalFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<LiveRow>, i64), Error> {
    let mut sql = Sql::new(LIVE);
    sql.bind(org_id);
    if let Some(s) = f.session_id {
        sql.push(" AND i.session_id = ").bind(s);
    }
    if let Some(u) = f.unit_id {
        sql.push(" AND a.unit_id = ").bind(u);
    }
    if let Some(c) = f.category {
        sql.push(" AND c.name = ").bind(c);
    }
    if let Some(g) = f.grade {
        sql.push(" AND d.grade = ").bind(g.as_str());
    }
    if let Some(k) = f.kind {
        sql.push(" AND d.kind = ").bind(k.as_str());
    }
    let mut count = sql.clone();
    count.wrap("SELECT COUNT(*) FROM (", ") live");
    let (total,): (i64,) = count.query_as::<(i64,)>().fetch_one(pool).await?;
    sql.push(" ORDER BY p.published_at DESC, p.document_id DESC LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = sql.query().fetch_all(pool).await?;
    Ok((all_typed("publications", rows)?, total))
}

/// The live publication of one document.
pub async fn live_one(
    pool: &AnyPool,
    org_id: i64,
    kind: DocKind,
    document_id: i64,
) -> Result<Option<LiveRow>, Error> {
    let mut sql = Sql::new(LIVE);
    sql.bind(org_id)
        .push(" AND d.kind = ")
        .bind(kind.as_str())
        .push(" AND p.document_id = ")
        .bind(document_id);
    sql.query()
        .fetch_optional(pool)
        .await?
        .map(|r| typed("publications", &r))
        .transpose()
}

/// Every live publication of the organisation, by document.
pub async fn live_all(pool: &AnyPool, org_id: i64) -> Result<Vec<LiveRow>, Error> {
    let mut sql = Sql::new(LIVE);
    sql.bind(org_id).push(" ORDER BY p.document_id");
    let rows = sql.query().fetch_all(pool).await?;
    all_typed("publications", rows)
}

pub async fn organisation_name(pool: &AnyPool, org_id: i64) -> Result<Option<String>, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}
