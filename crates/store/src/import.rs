//! What the Excel imports read and write: items received on paper, units, users.

use crate::events::{TOPIC_EVENT, TOPIC_ITEM};
use crate::rows::day;
use crate::{Arg, Backend, Error, Sql, Tx};
use banli_domain::model::{AssignmentRole, ProposerStatus};
use banli_domain::notices::plan;
use banli_domain::policy::AssignmentDues;
use chrono::NaiveDate;
use sqlx::AnyPool;

/// Active members of the organisation: (id, username, name).
pub async fn members(pool: &AnyPool, org_id: i64) -> Result<Vec<(i64, String, String)>, Error> {
    sqlx::query_as("SELECT id, username, display_name FROM users WHERE role = 'proposer' AND org_id = $1 AND disabled = 0")
        .bind(org_id)
        .fetch_all(pool)
        .await
}

/// The case numbers already given in the session.
pub async fn numbers_taken(pool: &AnyPool, session_id: i64) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT number FROM items WHERE session_id = $1 AND number IS NOT NULL")
            .bind(session_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every username in use.
pub async fn usernames(pool: &AnyPool) -> Result<Vec<String>, Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Numbers handed out online continue after the highest imported one.
pub async fn reserve_numbers_up_to(
    tx: &mut Tx,
    session_id: i64,
    highest: i64,
) -> Result<(), Error> {
    sqlx::query("UPDATE sessions SET next_number = CASE WHEN next_number > $1 THEN next_number ELSE $1 + 1 END WHERE id = $2")
        .bind(highest)
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One imported item and what is written with it.
pub struct ImportedItem<'a> {
    pub item: crate::items::NewItem<'a>,
    pub proposers: &'a [i64],
    /// The units it goes to, with the clocks the policy gave each.
    pub assignments: Vec<(i64, AssignmentRole, AssignmentDues)>,
}

/// Items per round, and rows per multi-row statement.
const CHUNK: usize = 400;

/// A multi-row insert as the database binds it fastest. SQLite looks a `$N` placeholder up
/// by its name in a list that grows with the statement (`sqlite3_bind_parameter_name`, a
/// linear scan), so binding `$N` is quadratic in a statement's values there (7,200 values
/// to a statement spent a third of an import in that look-up): SQLite gets plain `?`.
fn rows_sql(backend: Backend, head: &str, rows: Vec<Vec<Arg>>) -> Sql {
    match backend {
        Backend::Sqlite => Sql::insert_rows_positional(head, rows),
        Backend::Postgres => Sql::insert_rows(head, rows),
    }
}

/// Inserts rows of the same columns in multi-row statements, returning their ids in the
/// order given (both databases number a statement's rows in the order of its values).
async fn insert_returning(
    tx: &mut Tx,
    backend: Backend,
    head: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(CHUNK).collect();
        let mut sql = rows_sql(backend, head, chunk);
        sql.push(" RETURNING id");
        let mut got: Vec<(i64,)> = sql.query_as().fetch_all(&mut **tx).await?;
        got.sort_unstable();
        ids.extend(got.into_iter().map(|r| r.0));
    }
    Ok(ids)
}

async fn insert_all(
    tx: &mut Tx,
    backend: Backend,
    head: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<(), Error> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(CHUNK).collect();
        rows_sql(backend, head, chunk)
            .query()
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// An event row as `events::append` writes it, for a multi-row insert.
#[allow(clippy::too_many_arguments)]
fn event_row(
    org_id: i64,
    item_id: i64,
    assignment_id: Option<i64>,
    actor_id: i64,
    at: &str,
    action: &str,
    to: &str,
    data: serde_json::Value,
) -> Vec<Arg> {
    vec![
        Arg::Int(org_id),
        Arg::Int(item_id),
        assignment_id.into(),
        Arg::NullInt,
        Arg::Int(actor_id),
        at.into(),
        action.into(),
        Arg::NullText,
        to.into(),
        Arg::NullText,
        Arg::Text(data.to_string()),
    ]
}

const EVENT_COLS: &str = "events (org_id, item_id, assignment_id, document_id, actor_id, at, action, from_state, to_state, reason, data)";

/// Writes a whole import in the caller's transaction, a few hundred rows per statement: the
/// items, their proposers, their `imported` events, their assignments with the `assigned`
/// events, and the outbox rows that follow every event — row for row what the interactive
/// use cases write, so the import is indexed, notified and counted like them. `progress(done)` after
/// each step. Returns the items' ids in order.
pub async fn write_items(
    tx: &mut Tx,
    backend: Backend,
    actor_id: i64,
    assigned_on: NaiveDate,
    items: &[ImportedItem<'_>],
    mut progress: impl FnMut(usize),
) -> Result<Vec<i64>, Error> {
    let now = tx.now();
    if backend == Backend::Postgres {
        // The tables grow by the whole import inside this transaction while PostgreSQL's
        // statistics still describe them before it: it would plan each round's look-ups of
        // the rows just written (the derived rows' joins) as scans of all of them, which makes
        // the import quadratic. Index look-ups are right for every statement of a bulk load.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut **tx)
            .await?;
    }
    let mut ids = Vec::with_capacity(items.len());
    let mut totals = crate::list_keys::Totals::default();
    for (k, part) in items.chunks(CHUNK).enumerate() {
        let rows = part
            .iter()
            .map(|x| {
                let i = &x.item;
                vec![
                    Arg::Int(i.org_id),
                    Arg::Int(i.session_id),
                    i.kind.into(),
                    i.title.into(),
                    i.body.into(),
                    i.origin.as_str().into(),
                    i.category_id.into(),
                    i.collective_name.into(),
                    Arg::Int(i.first_proposer_id),
                    i.state.as_str().into(),
                    i.number.into(),
                    i.submitted_on.map(day).into(),
                    i.number.map(|_| now.clone()).into(),
                    Arg::Int(i.on_paper as i64),
                    Arg::Int(i.created_by),
                    now.as_str().into(),
                    now.as_str().into(),
                    i.scan_ref.into(),
                ]
            })
            .collect();
        let part_ids = insert_returning(tx, backend, "items (org_id, session_id, kind, title, body, origin, category_id, collective_name, first_proposer_id, state, number, submitted_on, filed_at, on_paper, created_by, created_at, updated_at, scan_ref)", rows).await?;
        let mut people = Vec::new();
        let mut events = Vec::new();
        for (x, id) in part.iter().zip(&part_ids) {
            for (pos, u) in x.proposers.iter().enumerate() {
                let status = if pos == 0 {
                    ProposerStatus::First
                } else {
                    ProposerStatus::Paper
                };
                people.push(vec![
                    Arg::Int(*id),
                    Arg::Int(*u),
                    Arg::Int(pos as i64),
                    status.as_str().into(),
                ]);
            }
            events.push(event_row(
                x.item.org_id,
                *id,
                None,
                actor_id,
                &now,
                "imported",
                x.item.state.as_str(),
                serde_json::json!({"number": x.item.number}),
            ));
        }
        insert_all(
            tx,
            backend,
            "item_proposers (item_id, user_id, position, status)",
            people,
        )
        .await?;
        let event_ids = insert_returning(tx, backend, EVENT_COLS, events).await?;
        let mut outbox: Vec<Vec<Arg>> = Vec::new();
        for ((x, id), e) in part.iter().zip(&part_ids).zip(&event_ids) {
            outbox.push(vec![TOPIC_ITEM.into(), Arg::Int(*id), now.as_str().into()]);
            // Only an event that hands work to someone waits for the notifier.
            if !plan("imported", Some(x.item.state.as_str())).is_empty() {
                outbox.push(vec![TOPIC_EVENT.into(), Arg::Int(*e), now.as_str().into()]);
            }
        }
        // The assignments, then their `assigned` events.
        let mut owners = Vec::new();
        let mut rows = Vec::new();
        for (x, id) in part.iter().zip(&part_ids) {
            for (unit, role, due) in &x.assignments {
                owners.push((x.item.org_id, *id, *unit, *role, due));
                rows.push(vec![
                    Arg::Int(*id),
                    Arg::Int(*unit),
                    role.as_str().into(),
                    "assigned".into(),
                    day(assigned_on).into(),
                    day(due.return_by).into(),
                    day(due.first_consultation_by).into(),
                    due.co_opinion_by.map(day).into(),
                    due.reply_by.map(day).into(),
                    Arg::Int(due.provisional as i64),
                    now.as_str().into(),
                ]);
            }
        }
        let assignment_ids = insert_returning(tx, backend, "assignments (item_id, unit_id, role, state, assigned_on, return_by, first_consultation_by, co_opinion_by, reply_by, provisional, created_at)", rows).await?;
        let events: Vec<Vec<Arg>> = owners
            .iter()
            .zip(&assignment_ids)
            .map(|((org, item, unit, role, due), a)| {
                event_row(
                    *org,
                    *item,
                    Some(*a),
                    actor_id,
                    &now,
                    "assigned",
                    "assigned",
                    serde_json::json!({"unit_id": unit, "role": role, "due": due}),
                )
            })
            .collect();
        let event_ids = insert_returning(tx, backend, EVENT_COLS, events).await?;
        for ((_, item, ..), e) in owners.iter().zip(&event_ids) {
            outbox.push(vec![
                TOPIC_ITEM.into(),
                Arg::Int(*item),
                now.as_str().into(),
            ]);
            outbox.push(vec![TOPIC_EVENT.into(), Arg::Int(*e), now.as_str().into()]);
        }
        insert_all(tx, backend, "outbox (topic, ref_id, created_at)", outbox).await?;
        crate::derived::add_new(tx, &part_ids, &mut totals).await?;
        ids.extend(part_ids);
        progress((k * CHUNK + part.len()).min(items.len()));
    }
    totals.write(tx).await?;
    Ok(ids)
}
