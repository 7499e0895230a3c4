//! Documents (co-opinions and replies), their commitments, evaluations and numbering.

use crate::rows::{all_typed, day, typed, Day, DocumentRow, Stored, DOCUMENT_COLS};
use crate::{Error, Tx};
use banli_domain::model::{
    CommitmentStatus, ConsultationMethod, Disclosure, DocKind, DocState, EvaluationSource, Grade,
    Rating,
};
use chrono::NaiveDate;

async fn one(
    tx: &mut Tx,
    sql: &str,
    assignment_id: i64,
    kind: DocKind,
) -> Result<Option<DocumentRow>, Error> {
    sqlx::query(sql)
        .bind(assignment_id)
        .bind(kind.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("documents", &r))
        .transpose()
}

/// The document of this kind still in the unit's hands (draft, rejected or being checked).
pub async fn open(
    tx: &mut Tx,
    assignment_id: i64,
    kind: DocKind,
) -> Result<Option<DocumentRow>, Error> {
    one(tx, &format!("SELECT {DOCUMENT_COLS} FROM documents WHERE assignment_id = $1 AND kind = $2 AND state IN ('draft', 'rejected', 'checking') ORDER BY id DESC"), assignment_id, kind).await
}

/// The assignment's reply or co-opinion in force (sent, not superseded).
pub async fn latest_sent(
    tx: &mut Tx,
    assignment_id: i64,
    kind: DocKind,
) -> Result<Option<DocumentRow>, Error> {
    one(tx, &format!("SELECT {DOCUMENT_COLS} FROM documents WHERE assignment_id = $1 AND kind = $2 AND state = 'sent' ORDER BY id DESC"), assignment_id, kind).await
}

/// What a clerk writes in a draft.
pub struct DraftFields<'a> {
    pub body: &'a str,
    pub grade: Option<Grade>,
    pub disclosure: Disclosure,
    pub disclosure_reason: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub drafted_by: i64,
}

/// Rewrites an open document as a draft again; its draft commitments are dropped.
pub async fn redraft(tx: &mut Tx, id: i64, d: &DraftFields<'_>) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE documents SET state = 'draft', body = $1, grade = $2, disclosure = $3, disclosure_reason = $4, summary = $5, contact_name = $6, contact_phone = $7, drafted_by = $8, reject_reason = NULL, updated_at = $9 WHERE id = $10")
        .bind(d.body)
        .bind(d.grade.map(|g| g.as_str()))
        .bind(d.disclosure.as_str())
        .bind(d.disclosure_reason)
        .bind(d.summary)
        .bind(d.contact_name)
        .bind(d.contact_phone)
        .bind(d.drafted_by)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM commitments WHERE document_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new draft, numbered as the assignment's next round of its kind.
pub async fn insert_draft(
    tx: &mut Tx,
    assignment_id: i64,
    kind: DocKind,
    d: &DraftFields<'_>,
) -> Result<i64, Error> {
    let now = tx.now();
    let (round,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) + 1 FROM documents WHERE assignment_id = $1 AND kind = $2")
            .bind(assignment_id)
            .bind(kind.as_str())
            .fetch_one(&mut **tx)
            .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO documents (kind, assignment_id, round, state, body, grade, disclosure, disclosure_reason, summary, contact_name, contact_phone, drafted_by, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(assignment_id)
    .bind(round)
    .bind(d.body)
    .bind(d.grade.map(|g| g.as_str()))
    .bind(d.disclosure.as_str())
    .bind(d.disclosure_reason)
    .bind(d.summary)
    .bind(d.contact_name)
    .bind(d.contact_phone)
    .bind(d.drafted_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A draft's commitment (tracked once the document is sent).
pub async fn add_commitment(
    tx: &mut Tx,
    document_id: i64,
    unit_id: i64,
    text: &str,
    due: NaiveDate,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("INSERT INTO commitments (document_id, unit_id, text, due_on, status, percent, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', 0, $5, $5)")
        .bind(document_id)
        .bind(unit_id)
        .bind(text)
        .bind(day(due))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A signed reply held for the office's check.
pub async fn hold_for_check(tx: &mut Tx, id: i64, approved_by: i64) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query(
        "UPDATE documents SET state = 'checking', approved_by = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(approved_by)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn reject(tx: &mut Tx, id: i64, reason: &str) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE documents SET state = 'rejected', reject_reason = $1, updated_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How a document leaves: its number, who approved it, the day, the evaluation clock.
pub struct Sending<'a> {
    pub doc_number: &'a str,
    pub approved_by: i64,
    pub sent_on: NaiveDate,
    pub evaluation_due: Option<NaiveDate>,
    pub evaluation_provisional: bool,
}

/// Sends the document; a reply supersedes the assignment's earlier sent reply.
pub async fn send(tx: &mut Tx, doc: &DocumentRow, s: &Sending<'_>) -> Result<(), Error> {
    let now = tx.now();
    if doc.kind == DocKind::Reply {
        sqlx::query("UPDATE documents SET state = 'superseded', updated_at = $1 WHERE assignment_id = $2 AND kind = 'reply' AND state = 'sent'")
            .bind(&now)
            .bind(doc.assignment_id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE documents SET state = 'sent', doc_number = $1, approved_by = COALESCE(approved_by, $2), sent_at = $3, sent_on = $4, evaluation_due = $5, evaluation_provisional = $6, updated_at = $3 WHERE id = $7")
        .bind(s.doc_number)
        .bind(s.approved_by)
        .bind(&now)
        .bind(day(s.sent_on))
        .bind(s.evaluation_due.map(day))
        .bind(s.evaluation_provisional as i64)
        .bind(doc.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The next number of a unit's series in a year (`series〔year〕n号`), taken under the
/// transaction's lock so concurrent approvals never share one.
pub async fn next_number(tx: &mut Tx, unit_id: i64, year: i64, series: &str) -> Result<i64, Error> {
    sqlx::query("INSERT INTO doc_series (unit_id, year, series, next) VALUES ($1, $2, $3, 1) ON CONFLICT (unit_id, year, series) DO NOTHING")
        .bind(unit_id)
        .bind(year)
        .bind(series)
        .execute(&mut **tx)
        .await?;
    let (n,): (i64,) = sqlx::query_as("UPDATE doc_series SET next = next + 1 WHERE unit_id = $1 AND year = $2 AND series = $3 RETURNING next - 1")
        .bind(unit_id)
        .bind(year)
        .bind(series)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// A proposer's evaluation of a reply.
pub struct NewEvaluation<'a> {
    pub assignment_id: i64,
    pub document_id: i64,
    pub handling: &'a str,
    pub result: &'a str,
    pub comment: Option<&'a str>,
    pub source: &'a str,
    pub scan_ref: Option<&'a str>,
    pub entered_by: i64,
}

pub async fn insert_evaluation(tx: &mut Tx, e: &NewEvaluation<'_>) -> Result<i64, Error> {
    let now = tx.now();
    let (id,): (i64,) = sqlx::query_as("INSERT INTO evaluations (assignment_id, document_id, handling, result, comment, source, scan_ref, entered_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(e.assignment_id)
        .bind(e.document_id)
        .bind(e.handling)
        .bind(e.result)
        .bind(e.comment)
        .bind(e.source)
        .bind(e.scan_ref)
        .bind(e.entered_by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

/// A commitment with what its progress rule needs.
pub struct CommitmentRef {
    pub unit_id: i64,
    pub status: CommitmentStatus,
    pub percent: i64,
    pub item_id: i64,
}

pub async fn commitment(tx: &mut Tx, id: i64) -> Result<Option<CommitmentRef>, Error> {
    let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT c.unit_id, c.status, c.percent, a.item_id FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(unit_id, status, percent, item_id)| {
        let status = CommitmentStatus::parse(&status).ok_or_else(|| {
            Error::Decode(
                format!("commitments 表 id={id} 的数据无法读取：status “{status}”").into(),
            )
        })?;
        Ok(CommitmentRef {
            unit_id,
            status,
            percent,
            item_id,
        })
    })
    .transpose()
}

/// A commitment's progress notes: (when, note).
pub async fn progress_notes(
    tx: &mut Tx,
    commitment_id: i64,
) -> Result<Vec<(String, String)>, Error> {
    sqlx::query_as(
        "SELECT created_at, note FROM commitment_progress WHERE commitment_id = $1 ORDER BY id",
    )
    .bind(commitment_id)
    .fetch_all(&mut **tx)
    .await
}

/// Records a progress note and the commitment's new status (a carried-over one keeps the
/// note as its reason; a done one its day).
#[allow(clippy::too_many_arguments)]
pub async fn progress(
    tx: &mut Tx,
    id: i64,
    status: CommitmentStatus,
    percent: i64,
    given_percent: Option<i64>,
    note: &str,
    done_on: Option<NaiveDate>,
    by: i64,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE commitments SET status = $1, percent = $2, status_reason = CASE WHEN $1 = 'carried_over' THEN $3 ELSE status_reason END, updated_at = $4, done_on = $5 WHERE id = $6")
        .bind(status.as_str())
        .bind(percent)
        .bind(note)
        .bind(&now)
        .bind(done_on.map(day))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO commitment_progress (commitment_id, note, percent, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(note)
        .bind(given_percent)
        .bind(status.as_str())
        .bind(by)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every document of the item's assignments, oldest first.
pub async fn of_item(tx: &mut Tx, item_id: i64) -> Result<Vec<DocumentRow>, Error> {
    let rows = sqlx::query(&format!("SELECT {DOCUMENT_COLS} FROM documents WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id"))
        .bind(item_id)
        .fetch_all(&mut **tx)
        .await?;
    all_typed("documents", rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub assignment_id: i64,
    pub document_id: i64,
    #[sqlx(try_from = "Stored<Rating>")]
    pub handling: Rating,
    #[sqlx(try_from = "Stored<Rating>")]
    pub result: Rating,
    pub comment: Option<String>,
    #[sqlx(try_from = "Stored<EvaluationSource>")]
    pub source: EvaluationSource,
    pub created_at: String,
}

pub async fn evaluations_of_item(tx: &mut Tx, item_id: i64) -> Result<Vec<EvaluationRow>, Error> {
    let rows = sqlx::query("SELECT id, assignment_id, document_id, handling, result, comment, source, created_at FROM evaluations WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id")
        .bind(item_id)
        .fetch_all(&mut **tx)
        .await?;
    all_typed("evaluations", rows)
}

/// How many evaluations a reply has had.
pub async fn rating_count(tx: &mut Tx, document_id: i64) -> Result<i64, Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM evaluations WHERE document_id = $1")
        .bind(document_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsultationRow {
    pub id: i64,
    pub assignment_id: i64,
    #[sqlx(try_from = "Stored<ConsultationMethod>")]
    pub method: ConsultationMethod,
    #[sqlx(try_from = "Day")]
    pub held_on: NaiveDate,
    pub summary: String,
}

pub async fn consultations_of_item(
    tx: &mut Tx,
    item_id: i64,
) -> Result<Vec<ConsultationRow>, Error> {
    let rows = sqlx::query("SELECT id, assignment_id, method, held_on, summary FROM consultations WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY held_on, id")
        .bind(item_id)
        .fetch_all(&mut **tx)
        .await?;
    all_typed("consultations", rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub document_id: i64,
    pub unit_id: i64,
    pub text: String,
    #[sqlx(try_from = "Day")]
    pub due_on: NaiveDate,
    #[sqlx(try_from = "Stored<CommitmentStatus>")]
    pub status: CommitmentStatus,
    pub percent: i64,
}

pub async fn commitments(tx: &mut Tx, document_id: i64) -> Result<Vec<CommitmentRow>, Error> {
    let rows = sqlx::query("SELECT id, document_id, unit_id, text, due_on, status, percent FROM commitments WHERE document_id = $1 ORDER BY id")
        .bind(document_id)
        .fetch_all(&mut **tx)
        .await?;
    all_typed("commitments", rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicationRow {
    pub id: i64,
    pub version: i64,
    #[sqlx(try_from = "Stored<Disclosure>")]
    pub disclosure: Disclosure,
    pub sha256: String,
    pub published_at: String,
    pub withdrawn_at: Option<String>,
}

pub async fn publications(tx: &mut Tx, document_id: i64) -> Result<Vec<PublicationRow>, Error> {
    let rows = sqlx::query("SELECT id, version, disclosure, sha256, published_at, withdrawn_at FROM publications WHERE document_id = $1 ORDER BY version")
        .bind(document_id)
        .fetch_all(&mut **tx)
        .await?;
    all_typed("publications", rows)
}

/// Who signed (approved) the document.
pub async fn signer_name(pool: &sqlx::AnyPool, document_id: i64) -> Result<Option<String>, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT u.display_name FROM documents d JOIN users u ON u.id = d.approved_by WHERE d.id = $1")
        .bind(document_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Whether the assignment has a document of this kind in one of these states.
pub async fn exists_in(
    pool: &sqlx::AnyPool,
    assignment_id: i64,
    kind: DocKind,
    states: &[DocState],
) -> Result<bool, Error> {
    let mut sql = crate::Sql::new("SELECT COUNT(*) FROM documents WHERE assignment_id = ");
    sql.bind(assignment_id)
        .push(" AND kind = ")
        .bind(kind.as_str())
        .push(" AND state IN ")
        .bind_list(states.iter().map(|s| s.as_str()));
    let (n,): (i64,) = sql.query_as::<(i64,)>().fetch_one(pool).await?;
    Ok(n > 0)
}
