//! Organisations and what belongs to them (sessions, categories, policy), and the units
//! they assign work to.

use crate::rows::{all_typed, day, typed, SessionRow, UnitRow, SESSION_COLS, UNIT_COLS};
use crate::{Error, Tx};
use banli_domain::model::ItemKind;
use chrono::NaiveDate;
use sqlx::AnyPool;

/// The organisation's stored policy (JSON text; the caller reads it).
pub async fn policy_text(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<Option<String>, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT policy FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn unit(tx: &mut Tx, id: i64) -> Result<Option<UnitRow>, Error> {
    sqlx::query(&format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("units", &r))
        .transpose()
}

pub async fn session(tx: &mut Tx, id: i64) -> Result<Option<SessionRow>, Error> {
    sqlx::query(&format!(
        "SELECT {SESSION_COLS} FROM sessions WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| typed("sessions", &r))
    .transpose()
}

/// The organisation's category of this name.
pub async fn category_id(tx: &mut Tx, org_id: i64, name: &str) -> Result<Option<i64>, Error> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM categories WHERE org_id = $1 AND name = $2")
            .bind(org_id)
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.map(|r| r.0))
}

/// The organisation of this name, created with its policy and categories if there is none.
pub async fn find_or_create(
    tx: &mut Tx,
    name: &str,
    policy_json: &str,
    categories: &[&str],
) -> Result<i64, Error> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let now = tx.now();
    let (id,): (i64,) = sqlx::query_as("INSERT INTO organisations (name, timezone, policy, created_at) VALUES ($1, 'Asia/Shanghai', $2, $3) RETURNING id")
        .bind(name)
        .bind(policy_json)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    for c in categories {
        sqlx::query("INSERT INTO categories (org_id, name) VALUES ($1, $2)")
            .bind(id)
            .bind(*c)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

pub async fn set_policy(tx: &mut Tx, org_id: i64, policy_json: &str) -> Result<(), Error> {
    sqlx::query("UPDATE organisations SET policy = $1 WHERE id = $2")
        .bind(policy_json)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn categories(pool: &AnyPool, org_id: i64) -> Result<Vec<(i64, String)>, Error> {
    sqlx::query_as("SELECT id, name FROM categories WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(pool)
        .await
}

/// Whether a unit already goes by one of these names (full or short).
pub async fn unit_name_taken(tx: &mut Tx, name: &str, short: Option<&str>) -> Result<bool, Error> {
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE name = $1 OR short_name = $1 OR ($2 <> '' AND (name = $2 OR short_name = $2))")
        .bind(name)
        .bind(short.unwrap_or_default())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(taken.is_some())
}

pub struct NewUnit<'a> {
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub parent_id: Option<i64>,
    pub doc_prefix: Option<&'a str>,
    pub doc_prefix_suggestion: Option<&'a str>,
}

pub async fn insert_unit(tx: &mut Tx, u: &NewUnit<'_>) -> Result<UnitRow, Error> {
    let now = tx.now();
    let row = sqlx::query(&format!("INSERT INTO units (name, short_name, parent_id, doc_prefix, doc_prefix_suggestion, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {UNIT_COLS}"))
        .bind(u.name)
        .bind(u.short_name)
        .bind(u.parent_id)
        .bind(u.doc_prefix)
        .bind(u.doc_prefix_suggestion)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    typed("units", &row)
}

pub async fn units(pool: &AnyPool) -> Result<Vec<UnitRow>, Error> {
    let rows = sqlx::query(&format!("SELECT {UNIT_COLS} FROM units ORDER BY id"))
        .fetch_all(pool)
        .await?;
    all_typed("units", rows)
}

/// Whether the organisation already has this session (kind, term, sitting).
pub async fn session_exists(
    tx: &mut Tx,
    org_id: i64,
    kind: ItemKind,
    term: i64,
    sitting: i64,
) -> Result<bool, Error> {
    let dup: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM sessions WHERE org_id = $1 AND kind = $2 AND term = $3 AND sitting = $4",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .bind(term)
    .bind(sitting)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(dup.is_some())
}

pub struct NewSession<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub body_name: &'a str,
    pub kind: ItemKind,
    pub term: i64,
    pub sitting: i64,
    pub opened_on: NaiveDate,
    pub cosign_cutoff: Option<NaiveDate>,
}

pub async fn insert_session(tx: &mut Tx, s: &NewSession<'_>) -> Result<SessionRow, Error> {
    let now = tx.now();
    let row = sqlx::query(&format!("INSERT INTO sessions (org_id, name, body_name, kind, term, sitting, opened_on, cosign_cutoff, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {SESSION_COLS}"))
        .bind(s.org_id)
        .bind(s.name)
        .bind(s.body_name)
        .bind(s.kind.as_str())
        .bind(s.term)
        .bind(s.sitting)
        .bind(day(s.opened_on))
        .bind(s.cosign_cutoff.map(day))
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    typed("sessions", &row)
}

/// Close a session on `day` (`None`: open it again).
pub async fn set_session_closed(
    tx: &mut Tx,
    id: i64,
    day_closed: Option<NaiveDate>,
) -> Result<Option<SessionRow>, Error> {
    sqlx::query(&format!(
        "UPDATE sessions SET closed_on = $2 WHERE id = $1 RETURNING {SESSION_COLS}"
    ))
    .bind(id)
    .bind(day_closed.map(day))
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| typed("sessions", &r))
    .transpose()
}

pub async fn sessions(pool: &AnyPool, org_id: i64) -> Result<Vec<SessionRow>, Error> {
    let rows = sqlx::query(&format!(
        "SELECT {SESSION_COLS} FROM sessions WHERE org_id = $1 ORDER BY id"
    ))
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    all_typed("sessions", rows)
}

/// The organisation's categories with their parents: (id, name, parent).
pub async fn category_tree(
    pool: &AnyPool,
    org_id: i64,
) -> Result<Vec<(i64, String, Option<i64>)>, Error> {
    sqlx::query_as("SELECT id, name, parent_id FROM categories WHERE org_id = $1 ORDER BY id")
        .bind(org_id)
        .fetch_all(pool)
        .await
}

pub async fn category_exists(tx: &mut Tx, org_id: i64, id: i64) -> Result<bool, Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM categories WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some())
}

pub async fn insert_category(
    tx: &mut Tx,
    org_id: i64,
    name: &str,
    parent_id: Option<i64>,
) -> Result<i64, Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO categories (org_id, name, parent_id) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(parent_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn category_name(tx: &mut Tx, id: i64) -> Result<Option<String>, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM categories WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.0))
}
