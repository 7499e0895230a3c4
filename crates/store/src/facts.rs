//! The stored facts the permission decision (`banli_domain::rights`) needs about one item,
//! read in the caller's transaction and handed over as the domain's own types.

use crate::rows::{all_typed, MaybeDay, Stored};
use crate::{Error, Tx};
use banli_domain::model::{CommitmentStatus, DocKind, DocState, RequestState};
use banli_domain::rights::{CommitmentFacts, DocumentFacts, Proposer};
use chrono::NaiveDate;

/// The item's proposers, in order.
pub async fn proposers(tx: &mut Tx, item_id: i64) -> Result<Vec<Proposer>, Error> {
    Ok(crate::items::proposers(tx, item_id)
        .await?
        .into_iter()
        .map(|(user_id, status)| Proposer { user_id, status })
        .collect())
}

/// The proposers of the items merged into this one.
pub async fn merged_proposers(tx: &mut Tx, item_id: i64) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT p.user_id FROM item_proposers p JOIN items m ON m.id = p.item_id WHERE m.merged_into = $1",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(sqlx::FromRow)]
struct Cutoff {
    // Read so that a decode error names the row.
    #[allow(dead_code)]
    id: i64,
    #[sqlx(try_from = "MaybeDay")]
    cosign_cutoff: Option<NaiveDate>,
}

/// The session's co-signing cut-off, if it has one.
pub async fn cosign_cutoff(tx: &mut Tx, session_id: i64) -> Result<Option<NaiveDate>, Error> {
    let rows = sqlx::query("SELECT id, cosign_cutoff FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_all(&mut **tx)
        .await?;
    let rows: Vec<Cutoff> = all_typed("sessions", rows)?;
    Ok(rows.into_iter().next().and_then(|c| c.cosign_cutoff))
}

/// (assignment, sub-unit) of each delegation on the item.
pub async fn delegations(tx: &mut Tx, item_id: i64) -> Result<Vec<(i64, i64)>, Error> {
    sqlx::query_as(
        "SELECT d.assignment_id, d.unit_id FROM delegations d JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await
}

/// An adjustment or extension request of one of the item's assignments.
pub struct RequestFact {
    pub extension: bool,
    pub assignment_id: i64,
    pub state: RequestState,
}

#[derive(sqlx::FromRow)]
struct RequestFactRow {
    // Read so that a decode error names the row.
    #[allow(dead_code)]
    id: i64,
    kind: String,
    assignment_id: i64,
    #[sqlx(try_from = "Stored<RequestState>")]
    state: RequestState,
}

pub async fn requests(tx: &mut Tx, item_id: i64) -> Result<Vec<RequestFact>, Error> {
    let rows = sqlx::query(
        "SELECT r.id, 'adjustment' AS kind, r.assignment_id, r.state FROM adjustments r JOIN assignments a ON a.id = r.assignment_id WHERE a.item_id = $1
         UNION ALL
         SELECT r.id, 'extension' AS kind, r.assignment_id, r.state FROM extensions r JOIN assignments a ON a.id = r.assignment_id WHERE a.item_id = $1",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    let rows: Vec<RequestFactRow> = all_typed("adjustments/extensions", rows)?;
    Ok(rows
        .into_iter()
        .map(|r| RequestFact {
            extension: r.kind == "extension",
            assignment_id: r.assignment_id,
            state: r.state,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DocumentFactRow {
    id: i64,
    assignment_id: i64,
    #[sqlx(try_from = "Stored<DocKind>")]
    kind: DocKind,
    #[sqlx(try_from = "Stored<DocState>")]
    state: DocState,
    #[sqlx(try_from = "MaybeDay")]
    evaluation_due: Option<NaiveDate>,
    rated: i64,
    published: i64,
}

pub async fn documents(tx: &mut Tx, item_id: i64) -> Result<Vec<DocumentFacts>, Error> {
    let rows = sqlx::query(
        "SELECT d.id, d.assignment_id, d.kind, d.state, d.evaluation_due,
                (SELECT COUNT(*) FROM evaluations e WHERE e.document_id = d.id) AS rated,
                (SELECT COUNT(*) FROM publications p WHERE p.document_id = d.id AND p.withdrawn_at IS NULL) AS published
         FROM documents d JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1 ORDER BY d.id",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    let rows: Vec<DocumentFactRow> = all_typed("documents", rows)?;
    Ok(rows
        .into_iter()
        .map(|d| DocumentFacts {
            id: d.id,
            assignment_id: d.assignment_id,
            kind: d.kind,
            state: d.state,
            evaluation_due: d.evaluation_due,
            rated: d.rated > 0,
            published: d.published > 0,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CommitmentFactRow {
    id: i64,
    document_id: i64,
    unit_id: i64,
    #[sqlx(try_from = "Stored<CommitmentStatus>")]
    status: CommitmentStatus,
}

pub async fn commitments(tx: &mut Tx, item_id: i64) -> Result<Vec<CommitmentFacts>, Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.document_id, c.unit_id, c.status FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    let rows: Vec<CommitmentFactRow> = all_typed("commitments", rows)?;
    Ok(rows
        .into_iter()
        .map(|c| CommitmentFacts {
            id: c.id,
            document_id: c.document_id,
            unit_id: c.unit_id,
            status: c.status,
        })
        .collect())
}

/// Whether the unit has sub-units it can delegate to.
pub async fn has_sub_units(tx: &mut Tx, unit_id: i64) -> Result<bool, Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM units WHERE parent_id = $1")
        .bind(unit_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}
