//! Items: the proposals and suggestions themselves.

use crate::rows::{all_typed, day, typed, ItemRow, UserRow, ITEM_COLS, USER_COLS};
use crate::{Error, Sql, Tx};
use banli_domain::model::{Disposition, ItemState, Origin, ProposerStatus};
use chrono::NaiveDate;
use std::collections::HashMap;

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<ItemRow>, Error> {
    sqlx::query(&format!("SELECT {ITEM_COLS} FROM items WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("items", &r))
        .transpose()
}

/// Moves the item to a state at the transaction's instant.
pub async fn set_state(tx: &mut Tx, id: i64, to: ItemState) -> Result<(), Error> {
    // The derived rows (statistics facts, list keys) follow every write of an item.
    tx.touch(id);
    let now = tx.now();
    sqlx::query("UPDATE items SET state = $1, updated_at = $2 WHERE id = $3")
        .bind(to.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new item: a draft written online, or an item received on paper (the import's are
/// already submitted, filed or in handling).
pub struct NewItem<'a> {
    pub org_id: i64,
    pub session_id: i64,
    /// The session's kind (`proposal` or `suggestion`), which the item takes.
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub origin: Origin,
    pub category_id: Option<i64>,
    pub collective_name: Option<&'a str>,
    pub first_proposer_id: i64,
    pub state: ItemState,
    /// A number given on paper; an item with one counts as filed now.
    pub number: Option<i64>,
    pub submitted_on: Option<NaiveDate>,
    pub on_paper: bool,
    pub created_by: i64,
    pub scan_ref: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, i: &NewItem<'_>) -> Result<i64, Error> {
    let now = tx.now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO items (org_id, session_id, kind, title, body, origin, category_id, collective_name, first_proposer_id, state, number, submitted_on, filed_at, on_paper, created_by, created_at, updated_at, scan_ref)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17) RETURNING id",
    )
    .bind(i.org_id)
    .bind(i.session_id)
    .bind(i.kind)
    .bind(i.title)
    .bind(i.body)
    .bind(i.origin.as_str())
    .bind(i.category_id)
    .bind(i.collective_name)
    .bind(i.first_proposer_id)
    .bind(i.state.as_str())
    .bind(i.number)
    .bind(i.submitted_on.map(day))
    .bind(i.number.map(|_| now.clone()))
    .bind(i.on_paper as i64)
    .bind(i.created_by)
    .bind(&now)
    .bind(i.scan_ref)
    .fetch_one(&mut **tx)
    .await?;
    tx.touch(id);
    Ok(id)
}

/// An active member of the organisation by username (co-signers, paper proposers).
pub async fn proposer_by_username(
    tx: &mut Tx,
    org_id: i64,
    username: &str,
) -> Result<Option<UserRow>, Error> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE username = $1 AND role = 'proposer' AND org_id = $2 AND disabled = 0"))
        .bind(username)
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("users", &r))
        .transpose()
}

/// The item's proposers and their places, in order.
pub async fn proposers(tx: &mut Tx, item_id: i64) -> Result<Vec<(i64, ProposerStatus)>, Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT user_id, status FROM item_proposers WHERE item_id = $1 ORDER BY position",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(user, status)| Ok((user, proposer_status(item_id, user, &status)?)))
        .collect()
}

/// item_proposers has no id of its own: a bad status is named by its item and user.
fn proposer_status(item_id: i64, user_id: i64, status: &str) -> Result<ProposerStatus, Error> {
    ProposerStatus::parse(status).ok_or_else(|| {
        Error::Decode(
            format!("item_proposers 表 item_id={item_id} user_id={user_id} 的数据无法读取：status “{status}”不是有效的 ProposerStatus").into(),
        )
    })
}

/// Replaces the item's list of proposers (the first one first).
pub async fn set_proposers(
    tx: &mut Tx,
    item_id: i64,
    people: &[(i64, ProposerStatus)],
) -> Result<(), Error> {
    sqlx::query("DELETE FROM item_proposers WHERE item_id = $1")
        .bind(item_id)
        .execute(&mut **tx)
        .await?;
    for (pos, (uid, status)) in people.iter().enumerate() {
        sqlx::query("INSERT INTO item_proposers (item_id, user_id, position, status) VALUES ($1, $2, $3, $4)")
            .bind(item_id)
            .bind(*uid)
            .bind(pos as i64)
            .bind(status.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A co-signer's answer to the invitation.
pub async fn answer_cosign(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    status: ProposerStatus,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("UPDATE item_proposers SET status = $1, responded_at = $2 WHERE item_id = $3 AND user_id = $4")
        .bind(status.as_str())
        .bind(now)
        .bind(item_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Co-signers invited, confirmed or entered from paper.
pub async fn cosigner_count(tx: &mut Tx, item_id: i64) -> Result<i64, Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM item_proposers WHERE item_id = $1 AND status IN ('invited', 'confirmed', 'paper')")
        .bind(item_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// What a draft's author (or the office, for a paper item) may change.
pub struct DraftEdit<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub category_id: Option<i64>,
    pub origin: Origin,
    pub collective_name: Option<&'a str>,
}

pub async fn edit(tx: &mut Tx, id: i64, e: &DraftEdit<'_>) -> Result<(), Error> {
    tx.touch(id);
    let now = tx.now();
    sqlx::query("UPDATE items SET title = $1, body = $2, category_id = $3, origin = $4, collective_name = $5, updated_at = $6 WHERE id = $7")
        .bind(e.title)
        .bind(e.body)
        .bind(e.category_id)
        .bind(e.origin.as_str())
        .bind(e.collective_name)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The day of submission (a paper item keeps the day it was received).
pub async fn mark_submitted(tx: &mut Tx, id: i64, on: NaiveDate) -> Result<(), Error> {
    tx.touch(id);
    sqlx::query("UPDATE items SET submitted_on = COALESCE(submitted_on, $1) WHERE id = $2")
        .bind(day(on))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The session's next case number. The counter row stays locked until commit: no gaps, no
/// duplicates. A number given on paper is kept, and online filing continues after it.
pub async fn take_number(tx: &mut Tx, session_id: i64, given: Option<i64>) -> Result<i64, Error> {
    match given {
        Some(n) => {
            sqlx::query("UPDATE sessions SET next_number = CASE WHEN next_number > $1 THEN next_number ELSE $1 + 1 END WHERE id = $2")
                .bind(n)
                .bind(session_id)
                .execute(&mut **tx)
                .await?;
            Ok(n)
        }
        None => {
            let (n,): (i64,) = sqlx::query_as("UPDATE sessions SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1")
                .bind(session_id)
                .fetch_one(&mut **tx)
                .await?;
            Ok(n)
        }
    }
}

/// Filing: the number, the moment, the office's tidied title and category; unconfirmed
/// co-signers drop off.
pub async fn file(
    tx: &mut Tx,
    id: i64,
    number: i64,
    title: Option<&str>,
    category_id: Option<i64>,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query(
        "UPDATE item_proposers SET status = 'lapsed' WHERE item_id = $1 AND status = 'invited'",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    tx.touch(id);
    sqlx::query("UPDATE items SET number = $1, filed_at = $2, title = COALESCE($3, title), category_id = COALESCE($4, category_id) WHERE id = $5")
        .bind(number)
        .bind(now)
        .bind(title)
        .bind(category_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_disposition(
    tx: &mut Tx,
    id: i64,
    disposition: Disposition,
    unit_id: Option<i64>,
) -> Result<(), Error> {
    tx.touch(id);
    sqlx::query("UPDATE items SET disposition = $1, disposition_unit_id = $2 WHERE id = $3")
        .bind(disposition.as_str())
        .bind(unit_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn merge_into(tx: &mut Tx, id: i64, into: i64) -> Result<(), Error> {
    tx.touch(id);
    sqlx::query("UPDATE items SET merged_into = $1 WHERE id = $2")
        .bind(into)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// 重点提案 and its leader (none when the mark is taken off).
pub async fn set_key(tx: &mut Tx, id: i64, key: bool, leader: Option<&str>) -> Result<(), Error> {
    sqlx::query("UPDATE items SET is_key = $1, key_leader = $2 WHERE id = $3")
        .bind(key as i64)
        .bind(if key { leader } else { None })
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A supervision note (督办); returns its id.
pub async fn add_supervision(
    tx: &mut Tx,
    id: i64,
    note: &str,
    due_on: Option<NaiveDate>,
    by: i64,
) -> Result<i64, Error> {
    let now = tx.now();
    let (sid,): (i64,) = sqlx::query_as("INSERT INTO supervisions (item_id, note, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(id)
        .bind(note)
        .bind(due_on.map(day))
        .bind(by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    Ok(sid)
}

/// What a list row shows besides the item: the first proposer's name and the category's,
/// read for the whole page at once.
/// The numbers of numbered items with their session's name: (item, number, session).
pub async fn numbers_with_sessions(
    tx: &mut Tx,
    ids: &[i64],
) -> Result<Vec<(i64, i64, String)>, Error> {
    let mut out = Vec::new();
    // In slices, far below either database's limit on bound values.
    for ids in ids.chunks(500) {
        let mut sql = Sql::new("SELECT i.id, i.number, s.name FROM items i JOIN sessions s ON s.id = i.session_id WHERE i.number IS NOT NULL AND i.id IN ");
        sql.bind_list(ids.iter().copied());
        let rows: Vec<(i64, i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn names(
    tx: &mut Tx,
    items: &[ItemRow],
) -> Result<(HashMap<i64, String>, HashMap<i64, String>), Error> {
    let mut people = HashMap::new();
    let mut categories = HashMap::new();
    if items.is_empty() {
        return Ok((people, categories));
    }
    let mut sql = Sql::new("SELECT id, display_name FROM users WHERE id IN ");
    sql.bind_list(items.iter().map(|i| i.first_proposer_id));
    let rows: Vec<(i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
    people.extend(rows);
    let cats: Vec<i64> = items.iter().filter_map(|i| i.category_id).collect();
    if !cats.is_empty() {
        let mut sql = Sql::new("SELECT id, name FROM categories WHERE id IN ");
        sql.bind_list(cats);
        let rows: Vec<(i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
        categories.extend(rows);
    }
    Ok((people, categories))
}

/// A proposer as the item page lists them.
#[derive(Debug, Clone)]
pub struct ProposerRow {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub status: ProposerStatus,
}

pub async fn proposer_list(tx: &mut Tx, item_id: i64) -> Result<Vec<ProposerRow>, Error> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as("SELECT u.id, u.username, u.display_name, p.status FROM item_proposers p JOIN users u ON u.id = p.user_id WHERE p.item_id = $1 ORDER BY p.position")
        .bind(item_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(|(user_id, username, display_name, status)| {
            let status = proposer_status(item_id, user_id, &status)?;
            Ok(ProposerRow {
                user_id,
                username,
                display_name,
                status,
            })
        })
        .collect()
}

/// The items merged into this one.
pub async fn merged_from(tx: &mut Tx, item_id: i64) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM items WHERE merged_into = $1 ORDER BY id")
            .bind(item_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupervisionRow {
    pub id: i64,
    pub note: String,
    pub due_on: Option<String>,
    pub created_at: String,
}

pub async fn supervisions(tx: &mut Tx, item_id: i64) -> Result<Vec<SupervisionRow>, Error> {
    let rows = sqlx::query(
        "SELECT id, note, due_on, created_at FROM supervisions WHERE item_id = $1 ORDER BY id",
    )
    .bind(item_id)
    .fetch_all(&mut **tx)
    .await?;
    all_typed("supervisions", rows)
}

pub async fn ids_of_org(pool: &sqlx::AnyPool, org_id: i64) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM items WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The item's live published reply (public or summary), the latest if several.
pub async fn published_reply(pool: &sqlx::AnyPool, item_id: i64) -> Result<Option<i64>, Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT p.document_id FROM publications p JOIN documents d ON d.id = p.document_id JOIN assignments a ON a.id = d.assignment_id
         WHERE a.item_id = $1 AND d.kind = 'reply' AND p.withdrawn_at IS NULL AND p.disclosure IN ('public', 'summary') ORDER BY p.document_id DESC",
    )
    .bind(item_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

/// The first proposers of the items merged into this one: (name, collective name).
pub async fn merged_first_proposers(
    pool: &sqlx::AnyPool,
    item_id: i64,
) -> Result<Vec<(String, Option<String>)>, Error> {
    sqlx::query_as(
        "SELECT u.display_name, i.collective_name FROM items i JOIN users u ON u.id = i.first_proposer_id WHERE i.merged_into = $1 ORDER BY i.id",
    )
    .bind(item_id)
    .fetch_all(pool)
    .await
}

/// `n` consecutive case numbers of the session, taken at once: the first of them.
pub async fn take_numbers(tx: &mut Tx, session_id: i64, n: i64) -> Result<i64, Error> {
    let (first,): (i64,) = sqlx::query_as(
        "UPDATE sessions SET next_number = next_number + $1 WHERE id = $2 RETURNING next_number - $1",
    )
    .bind(n)
    .bind(session_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(first)
}
