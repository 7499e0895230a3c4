//! What the statistics of DESIGN §7 are computed from, for one session's filed items.

use crate::rows::{all_typed, day, Day, MaybeDay, MaybeStored, Stored};
use crate::{Error, Sql};
use banli_domain::model::{CommitmentStatus, Grade, Rating};
use chrono::NaiveDate;
use sqlx::AnyPool;

/// Which items count: filed in the session (not merged, not filed, withdrawn or still with
/// the proposer), optionally filed within a date range.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub org_id: i64,
    pub session_id: i64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn filed(sql: &mut Sql, s: &Scope) {
    sql.push("i.org_id = ")
        .bind(s.org_id)
        .push(" AND i.session_id = ")
        .bind(s.session_id)
        .push(" AND i.state IN ('filed', 'handling', 'replied', 'closed')");
    if let Some(f) = s.from {
        sql.push(" AND SUBSTR(i.filed_at, 1, 10) >= ").bind(day(f));
    }
    if let Some(t) = s.to {
        sql.push(" AND SUBSTR(i.filed_at, 1, 10) <= ").bind(day(t));
    }
}

/// The items that count, with their category.
pub async fn items(pool: &AnyPool, s: &Scope) -> Result<Vec<(i64, Option<String>)>, Error> {
    let mut sql = Sql::new(
        "SELECT i.id, c.name FROM items i LEFT JOIN categories c ON c.id = i.category_id WHERE ",
    );
    filed(&mut sql, s);
    sql.query_as().fetch_all(pool).await
}

/// One live lead or separate assignment; the latest sent reply decides grade and rating.
#[derive(Debug, sqlx::FromRow)]
pub struct AssignmentLine {
    pub id: i64,
    pub item_id: i64,
    /// The unit, or its parent for a sub-unit (figures are per answering unit).
    pub unit_id: i64,
    pub category: Option<String>,
    #[sqlx(try_from = "MaybeDay")]
    pub reply_by: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub extended_reply_by: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub first_sent: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub first_in_person: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeStored<Grade>")]
    pub latest_grade: Option<Grade>,
    #[sqlx(try_from = "MaybeDay")]
    pub latest_eval_due: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeStored<Rating>")]
    pub handling: Option<Rating>,
    #[sqlx(try_from = "MaybeStored<Rating>")]
    pub result: Option<Rating>,
}

pub async fn assignments(pool: &AnyPool, s: &Scope) -> Result<Vec<AssignmentLine>, Error> {
    let latest = "(SELECT MAX(d.id) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state = 'sent')";
    let mut sql = Sql::new(&format!(
        "SELECT a.id, a.item_id, COALESCE(u.parent_id, u.id) AS unit_id, c.name AS category, a.reply_by, a.extended_reply_by,
            (SELECT MIN(d.sent_on) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state IN ('sent', 'superseded')) AS first_sent,
            (SELECT MIN(k.held_on) FROM consultations k WHERE k.assignment_id = a.id AND k.method IN ('face_to_face', 'visit', 'forum')) AS first_in_person,
            (SELECT d.grade FROM documents d WHERE d.id = {latest}) AS latest_grade,
            (SELECT d.evaluation_due FROM documents d WHERE d.id = {latest}) AS latest_eval_due,
            (SELECT e.handling FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1) AS handling,
            (SELECT e.result FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1) AS result
         FROM assignments a JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id LEFT JOIN categories c ON c.id = i.category_id
         WHERE a.role IN ('lead', 'separate') AND a.state <> 'returned' AND "
    ));
    filed(&mut sql, s);
    let rows = sql.query().fetch_all(pool).await?;
    all_typed("assignments", rows)
}

/// A commitment of a sent reply of a live lead or separate assignment.
#[derive(Debug, sqlx::FromRow)]
pub struct CommitmentLine {
    pub id: i64,
    pub unit_id: i64,
    pub category: Option<String>,
    #[sqlx(try_from = "Day")]
    pub due_on: NaiveDate,
    #[sqlx(try_from = "Stored<CommitmentStatus>")]
    pub status: CommitmentStatus,
    #[sqlx(try_from = "MaybeDay")]
    pub done_on: Option<NaiveDate>,
}

pub async fn commitments(pool: &AnyPool, s: &Scope) -> Result<Vec<CommitmentLine>, Error> {
    let mut sql = Sql::new(
        "SELECT m.id, COALESCE(u.parent_id, u.id) AS unit_id, c.name AS category, m.due_on, m.status, m.done_on
         FROM commitments m JOIN documents d ON d.id = m.document_id JOIN assignments a ON a.id = d.assignment_id
         JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id LEFT JOIN categories c ON c.id = i.category_id
         WHERE d.state IN ('sent', 'superseded') AND a.role IN ('lead', 'separate') AND a.state <> 'returned' AND ",
    );
    filed(&mut sql, s);
    let rows = sql.query().fetch_all(pool).await?;
    all_typed("commitments", rows)
}
