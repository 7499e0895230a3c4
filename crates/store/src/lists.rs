//! The lists the staff app and the API page through (items, assignments), filtered to what
//! the viewer may open. Which set a viewer may open is decided by the permission rules
//! (`banli_domain::rights`); [`Sight`] is that decision in the form a query can use.

use crate::rows::{all_typed, day, AssignmentRow, ItemRow, ASSIGNMENT_COLS, ITEM_COLS};
use crate::{Error, Sql, Tx};
use banli_domain::model::{
    format_number, AssignmentState, CommitmentStatus, Disclosure, DocState, Grade, ItemState,
};
use chrono::NaiveDate;

/// The items a viewer may open, as a set.
#[derive(Debug, Clone, Copy)]
pub enum Sight {
    /// The office and administrators: every item except proposers' unsubmitted drafts (a
    /// paper item the office drafts itself is visible).
    Office,
    /// A proposer: their own items, and the items theirs were merged into.
    Proposer { user_id: i64 },
    /// A unit's staff: items assigned to the unit, delegated to it, or sent to it for
    /// reference.
    Unit { unit_id: i64 },
}

/// ` AND …` over `items` (unqualified columns).
pub fn push_sight(sql: &mut Sql, sight: Sight) {
    match sight {
        Sight::Office => {
            sql.push(" AND (state <> 'draft' OR on_paper = 1)");
        }
        Sight::Proposer { user_id } => {
            // One set, so the planner starts from the member's few rows (PostgreSQL scanned
            // every item for the OR of two sets: 0.3 s at a million).
            sql.push(" AND id IN (SELECT item_id FROM item_proposers WHERE user_id = ")
                .bind(user_id);
            sql.push(" UNION SELECT m.merged_into FROM items m JOIN item_proposers p ON p.item_id = m.id JOIN items t ON t.id = m.merged_into WHERE p.user_id = ").bind(user_id).push(" AND t.merged_into IS NULL)");
        }
        Sight::Unit { unit_id } => {
            sql.push(" AND (id IN (SELECT a.item_id FROM assignments a WHERE a.unit_id = ")
                .bind(unit_id);
            sql.push(") OR id IN (SELECT a.item_id FROM delegations d JOIN assignments a ON a.id = d.assignment_id WHERE d.unit_id = ").bind(unit_id);
            sql.push(") OR disposition_unit_id = ")
                .bind(unit_id)
                .push(")");
        }
    }
}

/// Of `ids`, those in sight (in no particular order).
pub async fn visible_ids(
    pool: &sqlx::AnyPool,
    org_id: i64,
    sight: Sight,
    ids: &[i64],
) -> Result<Vec<i64>, Error> {
    let mut sql = Sql::new("SELECT id FROM items WHERE org_id = ");
    sql.bind(org_id);
    push_sight(&mut sql, sight);
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut q = sql.clone();
        q.push(" AND id IN ").bind_list(chunk.iter().copied());
        let rows: Vec<(i64,)> = q.query_as().fetch_all(pool).await?;
        out.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
pub enum ItemOrder {
    /// By case number, unnumbered last.
    Number,
    /// Latest change first.
    Updated,
    /// Earliest submission first.
    Submitted,
}

/// The filters of an item list.
#[derive(Debug, Clone)]
pub struct ItemFilter<'a> {
    pub org_id: i64,
    pub sight: Sight,
    pub session_id: Option<i64>,
    pub state: Option<ItemState>,
    /// Items the unit handles (not returned).
    pub unit_id: Option<i64>,
    pub category: Option<&'a str>,
    /// Only these items (search hits).
    pub ids: Option<&'a [i64]>,
    /// A substring of the title or text.
    pub text: Option<&'a str>,
    pub order: ItemOrder,
}

/// One page of items and the number of all that match.
pub async fn items(
    tx: &mut Tx,
    f: &ItemFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ItemRow>, i64), Error> {
    let keyed = matches!(f.sight, Sight::Office)
        && f.unit_id.is_none()
        && f.ids.is_none()
        && f.text.is_none();
    if keyed {
        return keyed_items(tx, f, limit, offset).await;
    }
    if let Some((unit, live)) = unit_keys(tx, f).await? {
        return unit_items(tx, f, unit, live, limit, offset).await;
    }
    let mut sql = Sql::new(" FROM items WHERE org_id = ");
    sql.bind(f.org_id);
    push_sight(&mut sql, f.sight);
    if let Some(s) = f.session_id {
        sql.push(" AND session_id = ").bind(s);
    }
    if let Some(state) = f.state {
        sql.push(" AND state = ").bind(state.as_str());
    }
    if let Some(u) = f.unit_id {
        sql.push(
            " AND id IN (SELECT item_id FROM assignments WHERE state <> 'returned' AND unit_id = ",
        )
        .bind(u)
        .push(")");
    }
    if let Some(c) = f.category {
        sql.push(" AND category_id IN (SELECT id FROM categories WHERE name = ")
            .bind(c)
            .push(")");
    }
    if let Some(ids) = f.ids {
        if ids.is_empty() {
            return Ok((vec![], 0));
        }
        sql.push(" AND id IN ").bind_list(ids.iter().copied());
    } else if let Some(text) = f.text {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        sql.push(" AND (title LIKE ")
            .bind(pattern.clone())
            .push(" OR body LIKE ")
            .bind(pattern)
            .push(")");
    }
    let order = match f.order {
        ItemOrder::Number => " ORDER BY COALESCE(number, 999999999), id",
        ItemOrder::Updated => " ORDER BY updated_at DESC, id DESC",
        ItemOrder::Submitted => " ORDER BY COALESCE(submitted_on, '9999-12-31'), id",
    };
    let (total,): (i64,) = rebind(&sql, "SELECT COUNT(*)", "")
        .query_as::<(i64,)>()
        .fetch_one(&mut **tx)
        .await?;
    let mut list = rebind(&sql, &format!("SELECT {ITEM_COLS}"), order);
    list.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = list.query().fetch_all(&mut **tx).await?;
    Ok((all_typed("items", rows)?, total))
}

/// The office's lists without a unit or text filter, however large: a walk of the list keys'
/// index in the list's order and a sum of the totals' groups (migration 0013).
async fn keyed_items(
    tx: &mut Tx,
    f: &ItemFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ItemRow>, i64), Error> {
    let mut sql = Sql::new(" WHERE org_id = ");
    sql.bind(f.org_id)
        .push(" AND (state <> 'draft' OR on_paper = 1)");
    key_filters(&mut sql, f, "state");
    let order = match f.order {
        ItemOrder::Number => " ORDER BY number_key, item_id",
        ItemOrder::Updated => " ORDER BY updated_at DESC, item_id DESC",
        ItemOrder::Submitted => " ORDER BY submitted_key, item_id",
    };
    let total = sum_of(tx, &sql, "list_item_counts").await?;
    let ids = page_ids(
        tx,
        &sql,
        "SELECT item_id FROM list_item_keys",
        order,
        limit,
        offset,
    )
    .await?;
    let rows = in_order(tx, "items", ITEM_COLS, &ids).await?;
    Ok((rows, total))
}

/// The unit whose assignment keys answer an item list, and whether only its live (not
/// returned) assignments count: the office's "handled by" filter, or a unit's own items while
/// no work is delegated to it and no rejected item's letter falls to it (those few units take
/// the query over the records).
async fn unit_keys(tx: &mut Tx, f: &ItemFilter<'_>) -> Result<Option<(i64, bool)>, Error> {
    if f.ids.is_some() || f.text.is_some() {
        return Ok(None);
    }
    match f.sight {
        Sight::Office => Ok(f.unit_id.map(|u| (u, true))),
        Sight::Unit { unit_id } if f.unit_id.is_none() || f.unit_id == Some(unit_id) => {
            let beyond: Option<(i64,)> = sqlx::query_as(
                "SELECT assignment_id FROM delegations WHERE unit_id = $1
                 UNION ALL SELECT id FROM items WHERE disposition_unit_id = $2 LIMIT 1",
            )
            .bind(unit_id)
            .bind(unit_id)
            .fetch_optional(&mut **tx)
            .await?;
            Ok(beyond.is_none().then_some((unit_id, f.unit_id.is_some())))
        }
        _ => Ok(None),
    }
}

/// A unit's items through its assignments' keys (which carry their item's): one index walk
/// in number order, one count of the unit's distinct items.
async fn unit_items(
    tx: &mut Tx,
    f: &ItemFilter<'_>,
    unit: i64,
    live: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ItemRow>, i64), Error> {
    let mut sql = Sql::new(" WHERE unit_id = ");
    sql.bind(unit).push(" AND org_id = ").bind(f.org_id);
    if live {
        sql.push(" AND state <> 'returned'");
    }
    if matches!(f.sight, Sight::Office) {
        sql.push(" AND (item_state <> 'draft' OR on_paper = 1)");
    }
    key_filters(&mut sql, f, "item_state");
    // An item the unit holds twice (a returned assignment and a new one) is one row.
    let order = match f.order {
        ItemOrder::Number => " GROUP BY number_key, item_id ORDER BY number_key, item_id",
        ItemOrder::Updated => {
            " GROUP BY updated_at, item_id ORDER BY updated_at DESC, item_id DESC"
        }
        ItemOrder::Submitted => " GROUP BY submitted_key, item_id ORDER BY submitted_key, item_id",
    };
    let (total,): (i64,) = rebind(
        &sql,
        "SELECT COUNT(DISTINCT item_id) FROM list_assignment_keys",
        "",
    )
    .query_as()
    .fetch_one(&mut **tx)
    .await?;
    let ids = page_ids(
        tx,
        &sql,
        "SELECT item_id FROM list_assignment_keys",
        order,
        limit,
        offset,
    )
    .await?;
    let rows = in_order(tx, "items", ITEM_COLS, &ids).await?;
    Ok((rows, total))
}

/// The session, item state and category filters over key columns (`state_col`: the item's
/// state).
fn key_filters(sql: &mut Sql, f: &ItemFilter<'_>, state_col: &str) {
    if let Some(s) = f.session_id {
        sql.push(" AND session_id = ").bind(s);
    }
    if let Some(state) = f.state {
        sql.push(&format!(" AND {state_col} = "))
            .bind(state.as_str());
    }
    if let Some(c) = f.category {
        sql.push(" AND category_id IN (SELECT id FROM categories WHERE name = ")
            .bind(c)
            .push(")");
    }
}

/// The sum of the totals' groups that match `filter` (a ` WHERE …` over their columns).
async fn sum_of(tx: &mut Tx, filter: &Sql, table: &str) -> Result<i64, Error> {
    let (n,): (i64,) = rebind(
        filter,
        &format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM {table}"),
        "",
    )
    .query_as()
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// The ids of one page, in the list's order.
async fn page_ids(
    tx: &mut Tx,
    filter: &Sql,
    head: &str,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<i64>, Error> {
    let mut sql = rebind(filter, head, order);
    sql.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let ids: Vec<(i64,)> = sql.query_as().fetch_all(&mut **tx).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The rows of `ids`, in that order (a page's rows are read after its ids, so only they are
/// looked up).
async fn in_order<T>(tx: &mut Tx, table: &str, cols: &str, ids: &[i64]) -> Result<Vec<T>, Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + HasId,
{
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = Sql::new(&format!("SELECT {cols} FROM {table} WHERE id IN "));
    sql.bind_list(ids.iter().copied());
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let mut rows: Vec<T> = all_typed(table, rows)?;
    let at: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(k, id)| (*id, k)).collect();
    rows.sort_by_key(|r| at.get(&r.id()).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// A row with an id (to put a page's rows back in the order of its ids).
trait HasId {
    fn id(&self) -> i64;
}
impl HasId for ItemRow {
    fn id(&self) -> i64 {
        self.id
    }
}
impl HasId for AssignmentRow {
    fn id(&self) -> i64 {
        self.id
    }
}

/// The filters of a work list.
#[derive(Debug, Clone)]
pub struct AssignmentFilter {
    pub org_id: i64,
    /// A unit's own work and the work its parent delegated to it (内部交办).
    pub unit_id: Option<i64>,
    pub state: Option<AssignmentState>,
    /// The deadline in force falls on or before this day.
    pub due_before: Option<NaiveDate>,
}

const DUE_IN_FORCE: &str =
    "COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by)";
/// The order of the work lists: no deadline ('') first on both databases, as the list keys
/// store it.
const DUE_ORDER: &str =
    "COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by, '')";

/// One page of assignments, earliest deadline first, and the number of all that match.
pub async fn assignments(
    tx: &mut Tx,
    f: &AssignmentFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AssignmentRow>, i64), Error> {
    // A unit's delegated work lies outside its own keys: those few units take the join.
    let delegated = match f.unit_id {
        Some(u) => sqlx::query_as::<_, (i64,)>(
            "SELECT assignment_id FROM delegations WHERE unit_id = $1 LIMIT 1",
        )
        .bind(u)
        .fetch_optional(&mut **tx)
        .await?
        .is_some(),
        None => false,
    };
    if !delegated {
        return keyed_assignments(tx, f, limit, offset).await;
    }
    let mut sql =
        Sql::new(" FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = ");
    sql.bind(f.org_id);
    if let Some(u) = f.unit_id {
        sql.push(" AND (a.unit_id = ")
            .bind(u)
            .push(" OR a.id IN (SELECT assignment_id FROM delegations WHERE unit_id = ")
            .bind(u)
            .push("))");
    }
    if let Some(s) = f.state {
        sql.push(" AND a.state = ").bind(s.as_str());
    }
    if let Some(d) = f.due_before {
        sql.push(&format!(" AND {DUE_IN_FORCE} <= ")).bind(day(d));
    }
    let cols = ASSIGNMENT_COLS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (total,): (i64,) = rebind(&sql, "SELECT COUNT(*)", "")
        .query_as::<(i64,)>()
        .fetch_one(&mut **tx)
        .await?;
    let mut list = rebind(
        &sql,
        &format!("SELECT {cols}"),
        &format!(" ORDER BY {DUE_ORDER}, a.id"),
    );
    list.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = list.query().fetch_all(&mut **tx).await?;
    Ok((all_typed("assignments", rows)?, total))
}

/// A work list through the list keys: one index walk by deadline, totals summed by group.
async fn keyed_assignments(
    tx: &mut Tx,
    f: &AssignmentFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AssignmentRow>, i64), Error> {
    let mut sql = Sql::new(" WHERE org_id = ");
    sql.bind(f.org_id);
    if let Some(u) = f.unit_id {
        sql.push(" AND unit_id = ").bind(u);
    }
    if let Some(s) = f.state {
        sql.push(" AND state = ").bind(s.as_str());
    }
    if let Some(d) = f.due_before {
        sql.push(" AND due_on <> '' AND due_on <= ").bind(day(d));
    }
    let total = sum_of(tx, &sql, "list_assignment_counts").await?;
    let ids = page_ids(
        tx,
        &sql,
        "SELECT assignment_id FROM list_assignment_keys",
        " ORDER BY due_on, assignment_id",
        limit,
        offset,
    )
    .await?;
    let rows = in_order(tx, "assignments", ASSIGNMENT_COLS, &ids).await?;
    Ok((rows, total))
}

/// The same filter with a different head and tail (count vs. page).
pub fn rebind(body: &Sql, head: &str, tail: &str) -> Sql {
    let mut s = body.clone();
    s.wrap(head, tail);
    s
}

/// Queue lengths for `/metrics`.
pub struct Gauges {
    pub open: i64,
    pub overdue: i64,
    pub awaiting_filing: i64,
    pub outbox: i64,
    pub outgoing_queued: i64,
}

pub async fn gauges(pool: &sqlx::AnyPool, today: NaiveDate) -> Result<Gauges, Error> {
    let open_states = "('assigned', 'accepted', 'return_requested', 'rehandling')";
    let count = |sql: String| async move {
        let (n,): (i64,) = sqlx::query_as(&sql).fetch_one(pool).await?;
        Ok::<i64, Error>(n)
    };
    let (overdue,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM assignments a WHERE state IN {open_states} AND {DUE_IN_FORCE} < $1"
    ))
    .bind(day(today))
    .fetch_one(pool)
    .await?;
    Ok(Gauges {
        open: count(format!(
            "SELECT COUNT(*) FROM assignments WHERE state IN {open_states}"
        ))
        .await?,
        overdue,
        awaiting_filing: count("SELECT COUNT(*) FROM items WHERE state = 'submitted'".into())
            .await?,
        outbox: count("SELECT COUNT(*) FROM outbox".into()).await?,
        outgoing_queued: count(
            "SELECT COUNT(*) FROM outgoing_messages WHERE state = 'queued'".into(),
        )
        .await?,
    })
}

/// The scope of a ledger (台账).
#[derive(Debug, Clone)]
pub struct LedgerFilter {
    pub org_id: i64,
    pub session_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Commitments due, or replies sent, on or before this day.
    pub before: Option<NaiveDate>,
}

fn ledger_filter(sql: &mut Sql, f: &LedgerFilter) {
    sql.bind(f.org_id);
    if let Some(s) = f.session_id {
        sql.push(" AND i.session_id = ").bind(s);
    }
    if let Some(u) = f.unit_id {
        sql.push(" AND a.unit_id = ").bind(u);
    }
}

async fn page_of<T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>>(
    tx: &mut Tx,
    sql: &Sql,
    table: &str,
    cols: &str,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<T>, i64), Error> {
    let (total,): (i64,) = rebind(sql, "SELECT COUNT(*)", "")
        .query_as::<(i64,)>()
        .fetch_one(&mut **tx)
        .await?;
    let mut list = rebind(sql, cols, order);
    list.push(" LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows = list.query().fetch_all(&mut **tx).await?;
    Ok((all_typed(table, rows)?, total))
}

/// A commitment of a sent reply, as the ledger lists it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct CommitmentLedgerRow {
    pub id: i64,
    pub item_id: i64,
    pub item_number: Option<i64>,
    pub session_name: String,
    pub item_title: String,
    pub unit_name: String,
    pub doc_number: Option<String>,
    pub text: String,
    #[sqlx(try_from = "crate::rows::Day")]
    pub due_on: NaiveDate,
    #[sqlx(try_from = "crate::rows::Stored<CommitmentStatus>")]
    pub status: CommitmentStatus,
    pub percent: i64,
    pub done_on: Option<String>,
}

impl CommitmentLedgerRow {
    pub fn number(&self) -> String {
        self.item_number.map(format_number).unwrap_or_default()
    }
    /// The number with its session (a ledger mixes sessions): 十三届二次会议第0097号.
    pub fn case_number(&self) -> String {
        self.item_number
            .map(|n| banli_domain::model::case_number(&self.session_name, n))
            .unwrap_or_default()
    }
    /// Open past its due date (organisation-local `today`).
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == CommitmentStatus::Open && self.due_on < today
    }
}

/// Commitments of sent replies, by due date.
pub async fn commitment_ledger(
    tx: &mut Tx,
    f: &LedgerFilter,
    status: Option<CommitmentStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CommitmentLedgerRow>, i64), Error> {
    let mut sql = Sql::new(
        " FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id JOIN sessions s ON s.id = i.session_id
         WHERE d.state IN ('sent', 'superseded') AND i.org_id = ",
    );
    ledger_filter(&mut sql, f);
    if let Some(s) = status {
        sql.push(" AND c.status = ").bind(s.as_str());
    }
    if let Some(d) = f.before {
        sql.push(" AND c.due_on <= ").bind(day(d));
    }
    page_of(
        tx,
        &sql,
        "commitments",
        "SELECT c.id, i.id AS item_id, i.number AS item_number, s.name AS session_name, i.title AS item_title, u.name AS unit_name, d.doc_number, c.text, c.due_on, c.status, c.percent, c.done_on",
        " ORDER BY c.due_on, c.id",
        limit,
        offset,
    )
    .await
}

/// A sent (or superseded) reply, as the ledger lists it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct ReplyLedgerRow {
    pub id: i64,
    pub item_id: i64,
    pub item_number: Option<i64>,
    pub session_name: String,
    pub item_title: String,
    pub unit_name: String,
    pub doc_number: Option<String>,
    pub sent_on: Option<String>,
    pub grade: Option<String>,
    #[sqlx(try_from = "crate::rows::Stored<Disclosure>")]
    pub disclosure: Disclosure,
    #[sqlx(try_from = "crate::rows::Stored<DocState>")]
    pub state: DocState,
    pub published: i64,
    pub result: Option<String>,
}

impl ReplyLedgerRow {
    pub fn number(&self) -> String {
        self.item_number.map(format_number).unwrap_or_default()
    }
    /// The number with its session (a ledger mixes sessions): 十三届二次会议第0097号.
    pub fn case_number(&self) -> String {
        self.item_number
            .map(|n| banli_domain::model::case_number(&self.session_name, n))
            .unwrap_or_default()
    }
}

/// Sent replies (and those superseded by a re-handling), newest first.
pub async fn reply_ledger(
    tx: &mut Tx,
    f: &LedgerFilter,
    grade: Option<Grade>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ReplyLedgerRow>, i64), Error> {
    let mut sql = Sql::new(
        " FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id JOIN sessions s ON s.id = i.session_id
         WHERE d.kind = 'reply' AND d.state IN ('sent', 'superseded') AND i.org_id = ",
    );
    ledger_filter(&mut sql, f);
    if let Some(g) = grade {
        sql.push(" AND d.grade = ").bind(g.as_str());
    }
    if let Some(d) = f.before {
        sql.push(" AND d.sent_on <= ").bind(day(d));
    }
    page_of(
        tx,
        &sql,
        "documents",
        "SELECT d.id, i.id AS item_id, i.number AS item_number, s.name AS session_name, i.title AS item_title, u.name AS unit_name, d.doc_number, d.sent_on, d.grade, d.disclosure, d.state,
                (SELECT COUNT(*) FROM publications p WHERE p.document_id = d.id AND p.withdrawn_at IS NULL) AS published,
                (SELECT e.result FROM evaluations e WHERE e.document_id = d.id ORDER BY e.id DESC LIMIT 1) AS result",
        " ORDER BY d.sent_on DESC, d.id DESC",
        limit,
        offset,
    )
    .await
}
