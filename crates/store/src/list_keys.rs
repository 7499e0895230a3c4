//! The keys and totals the item and assignment lists page and count through (migration
//! 0013): per item and per assignment its filter and sort columns with the organisation
//! beside them, and the number of rows per filter group. Rewritten, like the statistics
//! facts, for every item an event of the transaction names, so a list page is one index walk
//! and a total a sum over a few groups at any size (a count of a million rows took 50–300 ms).

use crate::{Arg, Backend, Error, Sql};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The tables this module keeps.
pub const TABLES: &[&str] = &[
    "list_item_keys",
    "list_item_counts",
    "list_assignment_keys",
    "list_assignment_counts",
];

/// The sort key of an unnumbered item (after every number).
pub const NO_NUMBER: i64 = 999_999_999;

const ITEM_KEYS: &str =
    "i.id, i.org_id, i.session_id, i.state, COALESCE(i.category_id, 0), i.on_paper,
    COALESCE(i.number, 999999999), COALESCE(i.submitted_on, '9999-12-31'), i.updated_at";
const ITEM_KEY_COLS: &str = "item_id, org_id, session_id, state, category_id, on_paper, number_key, submitted_key, updated_at";
const ITEM_GROUP: &str = "org_id, session_id, state, category_id, on_paper";

/// The deadline in force (re-handling, extended, reply, co-opinion); '' when none.
const ASSIGNMENT_KEYS: &str = "a.id, a.item_id, i.org_id, a.unit_id, a.state,
    COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by, ''),
    i.state, i.session_id, COALESCE(i.category_id, 0), i.on_paper,
    COALESCE(i.number, 999999999), COALESCE(i.submitted_on, '9999-12-31'), i.updated_at";
const ASSIGNMENT_KEY_COLS: &str = "assignment_id, item_id, org_id, unit_id, state, due_on,
    item_state, session_id, category_id, on_paper, number_key, submitted_key, updated_at";
const ASSIGNMENT_GROUP: &str = "org_id, unit_id, state, due_on";

type ItemGroup = (i64, i64, String, i64, i64);
type AssignmentGroup = (i64, i64, String, String);

/// Rewrites the keys of these items and their assignments and moves the totals by the
/// difference (every item with `None`: rebuilt from scratch).
pub async fn refresh(conn: &mut AnyConnection, items: Option<&[i64]>) -> Result<(), Error> {
    match items {
        Some(ids) => {
            let mut totals = Totals::default();
            for chunk in ids.chunks(200) {
                refresh_some(conn, chunk, false, &mut totals).await?;
            }
            totals.write(conn).await
        }
        None => rebuild(conn).await,
    }
}

/// Writes the keys of items written in this transaction, which have none yet (a bulk
/// import): no old keys to read and delete. Their rows per group are added to `totals`,
/// which the caller writes once at the end: each update of a total inside one transaction
/// leaves a row version that every later update walks past, so a total moved by every
/// round of a large import made each round slower than the last.
pub async fn add_new(
    conn: &mut AnyConnection,
    items: &[i64],
    totals: &mut Totals,
) -> Result<(), Error> {
    for chunk in items.chunks(200) {
        refresh_some(conn, chunk, true, totals).await?;
    }
    Ok(())
}

/// Rows to add to (or, negative, take from) each filter group's total.
#[derive(Default)]
pub struct Totals {
    items: BTreeMap<ItemGroup, i64>,
    assignments: BTreeMap<AssignmentGroup, i64>,
}

impl Totals {
    /// Moves the stored totals by these differences.
    pub async fn write(self, conn: &mut AnyConnection) -> Result<(), Error> {
        // In key order, so two transactions moving the same totals never wait on each other
        // in opposite orders (PostgreSQL would abort one as a deadlock); one statement per
        // table (a statement per group cost a round trip each).
        let rows: Vec<Vec<Arg>> = self
            .items
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((org, session, state, category, paper), n)| {
                vec![
                    Arg::Int(org),
                    Arg::Int(session),
                    Arg::Text(state),
                    Arg::Int(category),
                    Arg::Int(paper),
                    Arg::Int(n),
                ]
            })
            .collect();
        add_to_totals(conn, "list_item_counts", ITEM_GROUP, rows).await?;
        let rows: Vec<Vec<Arg>> = self
            .assignments
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((org, unit, state, due), n)| {
                vec![
                    Arg::Int(org),
                    Arg::Int(unit),
                    Arg::Text(state),
                    Arg::Text(due),
                    Arg::Int(n),
                ]
            })
            .collect();
        add_to_totals(conn, "list_assignment_counts", ASSIGNMENT_GROUP, rows).await
    }
}

async fn rebuild(conn: &mut AnyConnection) -> Result<(), Error> {
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    for sql in [
        format!("INSERT INTO list_item_keys ({ITEM_KEY_COLS}) SELECT {ITEM_KEYS} FROM items i"),
        format!("INSERT INTO list_item_counts ({ITEM_GROUP}, n) SELECT {ITEM_GROUP}, COUNT(*) FROM list_item_keys GROUP BY {ITEM_GROUP}"),
        format!("INSERT INTO list_assignment_keys ({ASSIGNMENT_KEY_COLS}) SELECT {ASSIGNMENT_KEYS} FROM assignments a JOIN items i ON i.id = a.item_id"),
        format!("INSERT INTO list_assignment_counts ({ASSIGNMENT_GROUP}, n) SELECT {ASSIGNMENT_GROUP}, COUNT(*) FROM list_assignment_keys GROUP BY {ASSIGNMENT_GROUP}"),
    ] {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn refresh_some(
    conn: &mut AnyConnection,
    ids: &[i64],
    new: bool,
    totals: &mut Totals,
) -> Result<(), Error> {
    let groups = |table: &str, group: &str| {
        let mut sql = Sql::new(&format!(
            "SELECT {group}, COUNT(*) FROM {table} WHERE item_id IN "
        ));
        sql.bind_list(ids.iter().copied())
            .push(&format!(" GROUP BY {group}"));
        sql
    };
    let item_groups = groups("list_item_keys", ITEM_GROUP);
    let assignment_groups = groups("list_assignment_keys", ASSIGNMENT_GROUP);

    if !new {
        add_groups(conn, &item_groups, &assignment_groups, -1, totals).await?;
        for table in ["list_item_keys", "list_assignment_keys"] {
            let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE item_id IN "));
            sql.bind_list(ids.iter().copied());
            sql.query().execute(&mut *conn).await?;
        }
    }
    let mut sql = Sql::new(&format!(
        "INSERT INTO list_item_keys ({ITEM_KEY_COLS}) SELECT {ITEM_KEYS} FROM items i WHERE i.id IN "
    ));
    sql.bind_list(ids.iter().copied());
    sql.query().execute(&mut *conn).await?;
    let mut sql = Sql::new(&format!(
        "INSERT INTO list_assignment_keys ({ASSIGNMENT_KEY_COLS}) SELECT {ASSIGNMENT_KEYS} FROM assignments a JOIN items i ON i.id = a.item_id WHERE a.item_id IN "
    ));
    sql.bind_list(ids.iter().copied());
    if Backend::of(conn) == Backend::Postgres {
        // Given the list on one side of the join only, PostgreSQL merge-joins with a walk of
        // every item. (Not on SQLite, which looks each `$N` up by name: a second list would
        // make binding four times as slow.)
        sql.push(" AND i.id IN ").bind_list(ids.iter().copied());
    }
    sql.query().execute(&mut *conn).await?;
    add_groups(conn, &item_groups, &assignment_groups, 1, totals).await?;
    Ok(())
}

/// Adds each row's last value to the total of its group (its other values).
async fn add_to_totals(
    conn: &mut AnyConnection,
    table: &str,
    group: &str,
    rows: Vec<Vec<Arg>>,
) -> Result<(), Error> {
    // Bounded statements: SQLite looks each `$N` up by name.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(100).collect();
        let mut sql = Sql::insert_rows(&format!("{table} ({group}, n)"), chunk);
        sql.push(&format!(
            " ON CONFLICT ({group}) DO UPDATE SET n = {table}.n + excluded.n"
        ));
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds `sign` × the rows per group that the keys of these items hold now.
async fn add_groups(
    conn: &mut AnyConnection,
    item_groups: &Sql,
    assignment_groups: &Sql,
    sign: i64,
    totals: &mut Totals,
) -> Result<(), Error> {
    let rows: Vec<(i64, i64, String, i64, i64, i64)> =
        item_groups.query_as().fetch_all(&mut *conn).await?;
    for (org, session, state, category, paper, n) in rows {
        *totals
            .items
            .entry((org, session, state, category, paper))
            .or_default() += sign * n;
    }
    let rows: Vec<(i64, i64, String, String, i64)> =
        assignment_groups.query_as().fetch_all(&mut *conn).await?;
    for (org, unit, state, due, n) in rows {
        *totals
            .assignments
            .entry((org, unit, state, due))
            .or_default() += sign * n;
    }
    Ok(())
}
