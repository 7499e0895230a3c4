//! Assignments: an item handed to a unit as lead, co or separate handler.

use crate::rows::{all_typed, day, typed, AssignmentRow, ASSIGNMENT_COLS};
use crate::{Error, Sql, Tx};
use banli_domain::model::{AssignmentRole, AssignmentState, RequestState};
use banli_domain::policy::AssignmentDues;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<AssignmentRow>, Error> {
    sqlx::query(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| typed("assignments", &r))
    .transpose()
}

/// The item's assignments in the order they were made.
pub async fn of_item(tx: &mut Tx, item_id: i64) -> Result<Vec<AssignmentRow>, Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE item_id = $1 ORDER BY id"
    ))
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    all_typed("assignments", rows)
}

/// A new assignment with the clocks the policy gave it, made at the transaction's instant.
pub async fn insert(
    tx: &mut Tx,
    item_id: i64,
    unit_id: i64,
    role: AssignmentRole,
    on: NaiveDate,
    due: &AssignmentDues,
) -> Result<i64, Error> {
    let now = tx.now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO assignments (item_id, unit_id, role, state, assigned_on, return_by, first_consultation_by, co_opinion_by, reply_by, provisional, created_at)
         VALUES ($1, $2, $3, 'assigned', $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(item_id)
    .bind(unit_id)
    .bind(role.as_str())
    .bind(day(on))
    .bind(day(due.return_by))
    .bind(day(due.first_consultation_by))
    .bind(due.co_opinion_by.map(day))
    .bind(due.reply_by.map(day))
    .bind(due.provisional as i64)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn set_state(tx: &mut Tx, id: i64, to: AssignmentState) -> Result<(), Error> {
    sqlx::query("UPDATE assignments SET state = $1 WHERE id = $2")
        .bind(to.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A re-handling: its own reply deadline, counted; a provisional date marks the assignment.
pub async fn rehandle(
    tx: &mut Tx,
    id: i64,
    due: NaiveDate,
    provisional: bool,
) -> Result<(), Error> {
    sqlx::query("UPDATE assignments SET rehandling_reply_by = $1, rehandlings = rehandlings + 1, provisional = CASE WHEN $2 = 1 THEN 1 ELSE provisional END WHERE id = $3")
        .bind(day(due))
        .bind(provisional as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// 签收: the moment the unit accepted.
pub async fn mark_accepted(tx: &mut Tx, id: i64) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE assignments SET accepted_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A unit's request to be relieved of or to change an assignment.
pub async fn request_adjustment(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    proposal: Option<&str>,
    was_accepted: bool,
    by: i64,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("INSERT INTO adjustments (assignment_id, reason, proposal, state, was_accepted, requested_by, created_at) VALUES ($1, $2, $3, 'pending', $4, $5, $6)")
        .bind(id)
        .bind(reason)
        .bind(proposal)
        .bind(was_accepted as i64)
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The pending adjustment request: (its id, whether the assignment had been accepted).
pub async fn pending_adjustment(tx: &mut Tx, id: i64) -> Result<Option<(i64, bool)>, Error> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, was_accepted FROM adjustments WHERE assignment_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id, w)| (id, w == 1)))
}

/// Decides a pending adjustment or extension request (`table` is one of the two).
async fn decide(
    tx: &mut Tx,
    table: &str,
    request_id: i64,
    approve: bool,
    by: i64,
    note: Option<&str>,
) -> Result<(), Error> {
    let now = tx.now();
    let state = if approve {
        RequestState::Approved
    } else {
        RequestState::Refused
    };
    sqlx::query(&format!(
        "UPDATE {table} SET state = $1, decided_by = $2, note = $3, decided_at = $4 WHERE id = $5"
    ))
    .bind(state.as_str())
    .bind(by)
    .bind(note)
    .bind(now)
    .bind(request_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn decide_adjustment(
    tx: &mut Tx,
    request_id: i64,
    approve: bool,
    by: i64,
    note: Option<&str>,
) -> Result<(), Error> {
    decide(tx, "adjustments", request_id, approve, by, note).await
}

/// Work passed to a sub-unit; returns the delegation's id.
pub async fn delegate(
    tx: &mut Tx,
    id: i64,
    unit_id: i64,
    note: Option<&str>,
    due_on: Option<NaiveDate>,
    by: i64,
) -> Result<i64, Error> {
    let now = tx.now();
    let (did,): (i64,) = sqlx::query_as("INSERT INTO delegations (assignment_id, unit_id, note, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(id)
        .bind(unit_id)
        .bind(note)
        .bind(due_on.map(day))
        .bind(by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(did)
}

pub async fn request_extension(
    tx: &mut Tx,
    id: i64,
    until: NaiveDate,
    reason: &str,
    by: i64,
) -> Result<i64, Error> {
    let now = tx.now();
    let (eid,): (i64,) = sqlx::query_as("INSERT INTO extensions (assignment_id, until_on, reason, state, requested_by, created_at) VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id")
        .bind(id)
        .bind(day(until))
        .bind(reason)
        .bind(by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(eid)
}

/// The pending extension request: (its id, the day asked for).
pub async fn pending_extension(tx: &mut Tx, id: i64) -> Result<Option<(i64, NaiveDate)>, Error> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, until_on FROM extensions WHERE assignment_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|(eid, until)| Ok((eid, crate::rows::date(&until)?)))
        .transpose()
}

/// Decides an extension; an approved one moves the assignment's reply deadline.
pub async fn decide_extension(
    tx: &mut Tx,
    id: i64,
    request_id: i64,
    until: Option<NaiveDate>,
    by: i64,
    note: Option<&str>,
) -> Result<(), Error> {
    decide(tx, "extensions", request_id, until.is_some(), by, note).await?;
    if let Some(until) = until {
        sqlx::query("UPDATE assignments SET extended_reply_by = $1 WHERE id = $2")
            .bind(day(until))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A consultation with the proposers (沟通协商) on record; returns its id.
pub async fn add_consultation(
    tx: &mut Tx,
    id: i64,
    method: &str,
    held_on: NaiveDate,
    summary: &str,
    by: i64,
) -> Result<i64, Error> {
    let now = tx.now();
    let (cid,): (i64,) = sqlx::query_as("INSERT INTO consultations (assignment_id, method, held_on, summary, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(id)
        .bind(method)
        .bind(day(held_on))
        .bind(summary)
        .bind(by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(cid)
}

/// The office reopens an assignment: a new reply deadline; a lead's or separate unit's
/// re-handling is counted.
pub async fn reopen(tx: &mut Tx, id: i64, due: NaiveDate, counted: bool) -> Result<(), Error> {
    sqlx::query("UPDATE assignments SET rehandling_reply_by = $1, rehandlings = rehandlings + $2 WHERE id = $3")
        .bind(day(due))
        .bind(counted as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a work row shows besides the assignment, read for the whole page at once.
pub struct Context {
    pub unit_names: HashMap<i64, String>,
    /// The item's number, title and session name.
    pub items: HashMap<i64, (Option<i64>, String, String)>,
    /// Assignments with at least one consultation on record.
    pub consulted: HashSet<i64>,
}

pub async fn context(tx: &mut Tx, rows: &[AssignmentRow]) -> Result<Context, Error> {
    let mut c = Context {
        unit_names: HashMap::new(),
        items: HashMap::new(),
        consulted: HashSet::new(),
    };
    let distinct = |ids: Vec<i64>| -> Vec<i64> {
        let set: std::collections::BTreeSet<i64> = ids.into_iter().collect();
        set.into_iter().collect()
    };
    // In slices, far below either database's limit on bound values (the daily reminder
    // reads every open assignment).
    for units in distinct(rows.iter().map(|a| a.unit_id).collect()).chunks(500) {
        let mut sql = Sql::new("SELECT id, name FROM units WHERE id IN ");
        sql.bind_list(units.iter().copied());
        let found: Vec<(i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
        c.unit_names.extend(found);
    }
    for items in distinct(rows.iter().map(|a| a.item_id).collect()).chunks(500) {
        let mut sql = Sql::new("SELECT i.id, i.number, i.title, s.name FROM items i JOIN sessions s ON s.id = i.session_id WHERE i.id IN ");
        sql.bind_list(items.iter().copied());
        let found: Vec<(i64, Option<i64>, String, String)> =
            sql.query_as().fetch_all(&mut **tx).await?;
        c.items
            .extend(found.into_iter().map(|(id, n, t, s)| (id, (n, t, s))));
    }
    for ids in rows.iter().map(|a| a.id).collect::<Vec<_>>().chunks(500) {
        let mut sql =
            Sql::new("SELECT DISTINCT assignment_id FROM consultations WHERE assignment_id IN ");
        sql.bind_list(ids.iter().copied());
        let found: Vec<(i64,)> = sql.query_as().fetch_all(&mut **tx).await?;
        c.consulted.extend(found.into_iter().map(|r| r.0));
    }
    Ok(c)
}

pub async fn by_ids(tx: &mut Tx, ids: &[i64]) -> Result<Vec<AssignmentRow>, Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = Sql::new(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id IN "
    ));
    sql.bind_list(ids.iter().copied()).push(" ORDER BY id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    all_typed("assignments", rows)
}

/// An adjustment or extension request as the item page shows it.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub assignment_id: i64,
    /// `adjustment` or `extension`.
    pub kind: &'static str,
    pub reason: String,
    /// What the unit proposes instead, or the day asked for.
    pub proposal: Option<String>,
    pub state: RequestState,
    pub note: Option<String>,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct StoredRequest {
    // Read so that a decode error names the row.
    #[allow(dead_code)]
    id: i64,
    assignment_id: i64,
    reason: String,
    proposal: Option<String>,
    #[sqlx(try_from = "crate::rows::Stored<RequestState>")]
    state: RequestState,
    note: Option<String>,
    created_at: String,
}

/// The item's adjustment requests, then its extension requests.
pub async fn requests_of_item(tx: &mut Tx, item_id: i64) -> Result<Vec<RequestRow>, Error> {
    let mut out = Vec::new();
    for (table, kind, proposal) in [
        ("adjustments", "adjustment", "proposal"),
        ("extensions", "extension", "until_on"),
    ] {
        let rows = sqlx::query(&format!("SELECT id, assignment_id, reason, {proposal} AS proposal, state, note, created_at FROM {table} WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id"))
            .bind(item_id)
            .fetch_all(&mut **tx)
            .await?;
        let rows: Vec<StoredRequest> = all_typed(table, rows)?;
        out.extend(rows.into_iter().map(|r| RequestRow {
            assignment_id: r.assignment_id,
            kind,
            reason: r.reason,
            proposal: r.proposal,
            state: r.state,
            note: r.note,
            created_at: r.created_at,
        }));
    }
    Ok(out)
}
