//! Users: members, office and unit staff, signers, administrators.

use crate::rows::{all_typed, typed, UserRow, USER_COLS};
use crate::{Error, Tx};
use banli_domain::model::Role;
use sqlx::AnyPool;

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<UserRow>, Error> {
    sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("users", &r))
        .transpose()
}

pub async fn all(pool: &AnyPool) -> Result<Vec<UserRow>, Error> {
    let rows = sqlx::query(&format!("SELECT {USER_COLS} FROM users ORDER BY id"))
        .fetch_all(pool)
        .await?;
    all_typed("users", rows)
}

pub async fn username_taken(tx: &mut Tx, username: &str) -> Result<bool, Error> {
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(taken.is_some())
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub org_id: Option<i64>,
    pub sector: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<i64, Error> {
    let now = tx.now();
    let (id,): (i64,) = sqlx::query_as("INSERT INTO users (username, display_name, password_hash, role, unit_id, org_id, sector, created_at, email, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.password_hash)
        .bind(u.role.as_str())
        .bind(u.unit_id)
        .bind(u.org_id)
        .bind(u.sector)
        .bind(now)
        .bind(u.email)
        .bind(u.phone)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

/// A new password: every session and token of the user ends, and so does a lock-out.
/// False when there is no such user.
pub async fn reset_password(tx: &mut Tx, username: &str, hash: &str) -> Result<bool, Error> {
    let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(hash)
        .bind(username)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    for table in ["web_sessions", "tokens"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id IN (SELECT id FROM users WHERE username = $1)"
        ))
        .bind(username)
        .execute(&mut **tx)
        .await?;
    }
    clear_failures(tx, username).await?;
    Ok(true)
}

/// Forgets the failed sign-ins of a username (ends its lock-out).
pub async fn clear_failures(tx: &mut Tx, username: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A user as the admin's account list shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "crate::rows::Stored<Role>")]
    pub role: Role,
    pub unit_id: Option<i64>,
    pub sector: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub disabled: i64,
    pub created_at: String,
}

const ACCOUNT_COLS: &str =
    "id, username, display_name, role, unit_id, sector, email, phone, disabled, created_at";

pub async fn accounts(pool: &AnyPool) -> Result<Vec<AccountRow>, Error> {
    let rows = sqlx::query(&format!("SELECT {ACCOUNT_COLS} FROM users ORDER BY id"))
        .fetch_all(pool)
        .await?;
    all_typed("users", rows)
}

pub async fn account(tx: &mut Tx, id: i64) -> Result<Option<AccountRow>, Error> {
    sqlx::query(&format!("SELECT {ACCOUNT_COLS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| typed("users", &r))
        .transpose()
}

/// Ends every web session and API token of the user.
pub async fn sign_out_everywhere(tx: &mut Tx, id: i64) -> Result<(), Error> {
    for table in ["web_sessions", "tokens"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<(), Error> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(disabled as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_role(
    tx: &mut Tx,
    id: i64,
    role: Role,
    unit_id: Option<i64>,
    org_id: Option<i64>,
) -> Result<(), Error> {
    sqlx::query("UPDATE users SET role = $1, unit_id = $2, org_id = $3 WHERE id = $4")
        .bind(role.as_str())
        .bind(unit_id)
        .bind(org_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: i64, hash: &str) -> Result<(), Error> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn by_username(pool: &AnyPool, username: &str) -> Result<Option<UserRow>, Error> {
    sqlx::query(&format!(
        "SELECT {USER_COLS} FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(pool)
    .await?
    .map(|r| typed("users", &r))
    .transpose()
}

/// An API token (stored only as its hash).
pub async fn add_token(
    pool: &AnyPool,
    user_id: i64,
    token_hash: &str,
    label: &str,
    at: &str,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO tokens (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(label)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The enabled user a token belongs to.
pub async fn by_token(pool: &AnyPool, token_hash: &str) -> Result<Option<UserRow>, Error> {
    let cols = USER_COLS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!("SELECT {cols} FROM users u JOIN tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND u.disabled = 0"))
        .bind(token_hash)
        .fetch_optional(pool)
        .await?
        .map(|r| typed("users", &r))
        .transpose()
}

/// A user's name alone (whatever else their row holds).
pub async fn display_name(tx: &mut Tx, id: i64) -> Result<Option<String>, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.0))
}
