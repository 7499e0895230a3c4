//! What the statistics of DESIGN §7 are computed from, for one session's filed items.

use crate::rows::{all_typed, day, Day, MaybeDay, MaybeStored, Stored};
use crate::{Backend, Error, Sql};
use banli_domain::model::{CommitmentStatus, Grade, Rating};
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool};

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

// ---------------------------------------------------------------------------------------
// The fast path: facts kept per item (migration 0010) and summed in SQL.

/// The tables derived from the others, left out of backups and rebuilt after a restore.
pub const DERIVED_TABLES: &[&str] = &["stat_items", "stat_assignments", "stat_commitments"];

const COUNTED_ITEM: &str = "i.state IN ('filed', 'handling', 'replied', 'closed')";
const COUNTED_ASSIGNMENT: &str = "a.role IN ('lead', 'separate') AND a.state <> 'returned'";

/// Rewrites the statistics facts of these items (every item with `None`) from the tables
/// they derive from. Called in the transaction of each event of an item, so the facts move
/// with the records they summarise.
pub async fn refresh(conn: &mut AnyConnection, items: Option<&[i64]>) -> Result<(), Error> {
    match items {
        // Bounded lists of placeholders (SQLite binds a name by scanning the statement's).
        Some(ids) => {
            for chunk in ids.chunks(200) {
                refresh_some(conn, Some(chunk), false).await?;
            }
            Ok(())
        }
        None => {
            // Fresh figures for the planner first: after a bulk load (a restore, a first
            // migration) PostgreSQL would otherwise plan each look-up as a scan.
            sqlx::query("ANALYZE").execute(&mut *conn).await?;
            refresh_some(conn, None, false).await
        }
    }
}

/// Writes the facts of items written in this transaction, which have none yet (a bulk
/// import): nothing to delete first, and nothing to look up that follows assignment.
pub async fn add_new(conn: &mut AnyConnection, items: &[i64]) -> Result<(), Error> {
    for chunk in items.chunks(200) {
        refresh_some(conn, Some(chunk), true).await?;
    }
    Ok(())
}

async fn refresh_some(
    conn: &mut AnyConnection,
    items: Option<&[i64]>,
    new: bool,
) -> Result<(), Error> {
    let only = |column: &str, sql: &mut Sql| {
        if let Some(ids) = items {
            sql.push(&format!(" AND {column} IN "))
                .bind_list(ids.iter().copied());
        }
    };
    if !new {
        for table in ["stat_commitments", "stat_assignments", "stat_items"] {
            let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE 1 = 1"));
            only("item_id", &mut sql);
            sql.query().execute(&mut *conn).await?;
        }
    }
    // What the assignment's documents, consultations and evaluations say; an item written
    // in this transaction has none of them yet.
    let latest = "(SELECT MAX(d.id) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state = 'sent')";
    let looked_up = [
        "(SELECT MIN(d.sent_on) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state IN ('sent', 'superseded'))".to_string(),
        "(SELECT MIN(k.held_on) FROM consultations k WHERE k.assignment_id = a.id AND k.method IN ('face_to_face', 'visit', 'forum'))".to_string(),
        format!("(SELECT d.grade FROM documents d WHERE d.id = {latest})"),
        format!("(SELECT d.evaluation_due FROM documents d WHERE d.id = {latest})"),
        format!("(SELECT e.handling FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1)"),
        format!("(SELECT e.result FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1)"),
    ];
    let [first_sent, first_in_person, grade, evaluation_due, handling, result] =
        looked_up.map(|q| if new { "NULL".to_string() } else { q });
    let mut sql = Sql::new(&format!(
        "INSERT INTO stat_assignments (assignment_id, item_id, org_id, session_id, unit_id, category_id, filed_on, due_on,
             first_sent_on, on_time, consulted, grade, evaluation_due, handling, result)
         SELECT x.id, x.item_id, x.org_id, x.session_id, x.unit_id, x.category_id, x.filed_on, x.due_on, x.first_sent,
             CASE WHEN x.first_sent <= x.due_on THEN 1 ELSE 0 END,
             CASE WHEN x.first_in_person <= x.first_sent THEN 1 ELSE 0 END,
             x.grade, x.evaluation_due, x.handling, x.result
         FROM (SELECT a.id, a.item_id, i.org_id, i.session_id, a.unit_id, i.category_id, SUBSTR(i.filed_at, 1, 10) AS filed_on,
             COALESCE(a.extended_reply_by, a.reply_by) AS due_on,
             {first_sent} AS first_sent,
             {first_in_person} AS first_in_person,
             {grade} AS grade,
             {evaluation_due} AS evaluation_due,
             {handling} AS handling,
             {result} AS result
           FROM assignments a JOIN items i ON i.id = a.item_id
           WHERE {COUNTED_ASSIGNMENT} AND {COUNTED_ITEM}"
    ));
    only("a.item_id", &mut sql);
    if Backend::of(conn) == Backend::Postgres {
        // The list on both sides of the join (see `list_keys::refresh_some`).
        only("i.id", &mut sql);
    }
    sql.push(") x");
    sql.query().execute(&mut *conn).await?;

    // Replied: every fact replied, and at least one (no fact: MIN is NULL). One look-up by
    // item: PostgreSQL planned `NOT EXISTS (… first_sent_on IS NULL)` as a hashed scan of all
    // facts, which made a 100,000-row import quadratic.
    let mut sql = Sql::new(&format!(
        "INSERT INTO stat_items (item_id, org_id, session_id, category_id, filed_on, replied)
         SELECT i.id, i.org_id, i.session_id, i.category_id, SUBSTR(i.filed_at, 1, 10),
             COALESCE((SELECT MIN(CASE WHEN s.first_sent_on IS NULL THEN 0 ELSE 1 END)
                       FROM stat_assignments s WHERE s.item_id = i.id), 0)
         FROM items i WHERE {COUNTED_ITEM}"
    ));
    only("i.id", &mut sql);
    sql.query().execute(&mut *conn).await?;

    if new {
        // No documents yet, so no commitments.
        return Ok(());
    }
    let mut sql = Sql::new(&format!(
        "INSERT INTO stat_commitments (commitment_id, item_id, org_id, session_id, unit_id, category_id, filed_on, due_on, done_on_time)
         SELECT m.id, i.id, i.org_id, i.session_id, a.unit_id, i.category_id, SUBSTR(i.filed_at, 1, 10), m.due_on,
             CASE WHEN m.status = 'done' AND m.done_on <= m.due_on THEN 1 ELSE 0 END
         FROM commitments m JOIN documents d ON d.id = m.document_id JOIN assignments a ON a.id = d.assignment_id
         JOIN items i ON i.id = a.item_id
         WHERE d.state IN ('sent', 'superseded') AND {COUNTED_ASSIGNMENT} AND {COUNTED_ITEM}"
    ));
    only("i.id", &mut sql);
    sql.query().execute(&mut *conn).await?;
    Ok(())
}

/// The scope as a filter on a facts table aliased `s`.
fn scoped(sql: &mut Sql, s: &Scope) {
    sql.push(" WHERE s.session_id = ")
        .bind(s.session_id)
        .push(" AND s.org_id = ")
        .bind(s.org_id);
    if let Some(f) = s.from {
        sql.push(" AND s.filed_on >= ").bind(day(f));
    }
    if let Some(t) = s.to {
        sql.push(" AND s.filed_on <= ").bind(day(t));
    }
}

/// Counted items of one category: how many, and how many are replied by every unit.
#[derive(Debug, sqlx::FromRow)]
pub struct ItemCell {
    pub category_id: Option<i64>,
    pub filed: i64,
    pub replied: i64,
}

/// The assignments of one (unit, category), summed as DESIGN §7 counts them on `today`.
#[derive(Debug, sqlx::FromRow)]
pub struct AssignmentCell {
    /// The assigned unit itself (a sub-unit is counted for its parent by the caller).
    pub unit_id: i64,
    pub category_id: Option<i64>,
    pub assigned: i64,
    pub replied: i64,
    /// Replied, or past their due date.
    pub countable: i64,
    pub on_time: i64,
    pub consulted: i64,
    pub grade_a: i64,
    pub grade_b: i64,
    pub grade_c: i64,
    pub grade_d: i64,
    pub handling_satisfied: i64,
    pub handling_basic: i64,
    pub handling_unsatisfied: i64,
    pub handling_no_feedback: i64,
    pub result_satisfied: i64,
    pub result_basic: i64,
    pub result_unsatisfied: i64,
    pub result_no_feedback: i64,
}

/// The commitments of one (unit, category): due by `today`, and of those done on time.
#[derive(Debug, sqlx::FromRow)]
pub struct CommitmentCell {
    pub unit_id: i64,
    pub category_id: Option<i64>,
    pub due: i64,
    pub done_on_time: i64,
}

pub async fn item_cells(pool: &AnyPool, s: &Scope) -> Result<Vec<ItemCell>, Error> {
    let mut sql = Sql::new(
        "SELECT s.category_id, COUNT(*) AS filed, SUM(s.replied) AS replied FROM stat_items s",
    );
    scoped(&mut sql, s);
    sql.push(" GROUP BY s.category_id");
    sql.query_as().fetch_all(pool).await
}

pub async fn assignment_cells(
    pool: &AnyPool,
    s: &Scope,
    today: NaiveDate,
) -> Result<Vec<AssignmentCell>, Error> {
    let t = day(today);
    // Every rating and grade counts only for replied assignments (as the formulas read them).
    let r = "s.first_sent_on IS NOT NULL";
    let count = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let mut sql = Sql::new("SELECT s.unit_id, s.category_id, COUNT(*) AS assigned, ");
    sql.push(&count(r)).push(" AS replied, ");
    sql.push(&format!("SUM(CASE WHEN {r} OR s.due_on < "))
        .bind(t.clone())
        .push(" THEN 1 ELSE 0 END) AS countable, SUM(s.on_time) AS on_time, SUM(s.consulted) AS consulted");
    for g in ["A", "B", "C", "D"] {
        sql.push(&format!(
            ", {} AS grade_{}",
            count(&format!("{r} AND s.grade = '{g}'")),
            g.to_lowercase()
        ));
    }
    for (col, lapsed) in [
        ("handling", "s.handling IS NULL AND s.result IS NULL"),
        ("result", "s.result IS NULL"),
    ] {
        for (code, name) in [
            ("satisfied", "satisfied"),
            ("basically_satisfied", "basic"),
            ("unsatisfied", "unsatisfied"),
        ] {
            sql.push(&format!(
                ", {} AS {col}_{name}",
                count(&format!("{r} AND s.{col} = '{code}'"))
            ));
        }
        sql.push(&format!(
            ", SUM(CASE WHEN {r} AND {lapsed} AND s.evaluation_due < "
        ))
        .bind(t.clone())
        .push(&format!(" THEN 1 ELSE 0 END) AS {col}_no_feedback"));
    }
    sql.push(" FROM stat_assignments s");
    scoped(&mut sql, s);
    sql.push(" GROUP BY s.unit_id, s.category_id");
    sql.query_as().fetch_all(pool).await
}

pub async fn commitment_cells(
    pool: &AnyPool,
    s: &Scope,
    today: NaiveDate,
) -> Result<Vec<CommitmentCell>, Error> {
    let t = day(today);
    let mut sql = Sql::new("SELECT s.unit_id, s.category_id, SUM(CASE WHEN s.due_on < ");
    sql.bind(t.clone())
        .push(" THEN 1 ELSE 0 END) AS due, SUM(CASE WHEN s.due_on < ")
        .bind(t)
        .push(" AND s.done_on_time = 1 THEN 1 ELSE 0 END) AS done_on_time FROM stat_commitments s");
    scoped(&mut sql, s);
    sql.push(" GROUP BY s.unit_id, s.category_id");
    sql.query_as().fetch_all(pool).await
}

/// Commitments per due month (`YYYY-MM`) whose due date has passed by `today`: (month, due,
/// done on time), oldest first.
pub async fn commitment_months(
    pool: &AnyPool,
    s: &Scope,
    today: NaiveDate,
) -> Result<Vec<(String, i64, i64)>, Error> {
    let mut sql = Sql::new(
        "SELECT SUBSTR(s.due_on, 1, 7) AS month, COUNT(*) AS due, SUM(s.done_on_time) AS done FROM stat_commitments s",
    );
    scoped(&mut sql, s);
    sql.push(" AND s.due_on < ")
        .bind(day(today))
        .push(" GROUP BY SUBSTR(s.due_on, 1, 7) ORDER BY month");
    sql.query_as().fetch_all(pool).await
}
