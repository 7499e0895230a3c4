//! Browser sessions and sign-in throttling (per username and per client address). Times are
//! read as instants; a stored time that is not one is an error naming the row, never "long
//! ago" (which would silently lift a lock).

use crate::rows::{typed, UserRow, USER_COLS};
use crate::{ts, Error, Tx};
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

fn instant(table: &str, key: &str, s: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::Decode(format!("{table} 表 {key} 的时间“{s}”无法读取（应为 RFC 3339）").into())
        })
}

/// An address's failed sign-ins in its current window: (failures, window start).
pub async fn address_failures(
    conn: &mut sqlx::AnyConnection,
    address: &str,
) -> Result<Option<(i64, DateTime<Utc>)>, Error> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT failures, window_start FROM address_failures WHERE address = $1")
            .bind(address)
            .fetch_optional(conn)
            .await?;
    row.map(|(n, start)| {
        Ok((
            n,
            instant("address_failures", &format!("address={address}"), &start)?,
        ))
    })
    .transpose()
}

/// Counts one more failure in the window, or starts a new window.
pub async fn count_address_failure(
    tx: &mut Tx,
    address: &str,
    failures: i64,
    window_start: Option<DateTime<Utc>>,
    exists: bool,
) -> Result<(), Error> {
    match (exists, window_start) {
        (true, None) => {
            sqlx::query("UPDATE address_failures SET failures = $1 WHERE address = $2")
                .bind(failures)
                .bind(address)
                .execute(&mut **tx)
                .await?;
        }
        (true, Some(start)) => {
            sqlx::query(
                "UPDATE address_failures SET failures = $1, window_start = $2 WHERE address = $3",
            )
            .bind(failures)
            .bind(ts(start))
            .bind(address)
            .execute(&mut **tx)
            .await?;
        }
        (false, start) => {
            sqlx::query(
                "INSERT INTO address_failures (address, failures, window_start) VALUES ($1, $2, $3)",
            )
            .bind(address)
            .bind(failures)
            .bind(ts(start.unwrap_or_else(Utc::now)))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// A username's failed sign-ins: (failures, locked until).
pub async fn user_failures(
    conn: &mut sqlx::AnyConnection,
    username: &str,
) -> Result<Option<(i64, Option<DateTime<Utc>>)>, Error> {
    let row: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT failures, locked_until FROM login_failures WHERE username = $1")
            .bind(username)
            .fetch_optional(conn)
            .await?;
    row.map(|(n, until)| {
        let until = until
            .map(|u| instant("login_failures", &format!("username={username}"), &u))
            .transpose()?;
        Ok((n, until))
    })
    .transpose()
}

pub async fn set_user_failures(
    tx: &mut Tx,
    username: &str,
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
    exists: bool,
) -> Result<(), Error> {
    let sql = if exists {
        "UPDATE login_failures SET failures = $2, locked_until = $3, last_failure_at = $4 WHERE username = $1"
    } else {
        "INSERT INTO login_failures (username, failures, locked_until, last_failure_at) VALUES ($1, $2, $3, $4)"
    };
    sqlx::query(sql)
        .bind(username)
        .bind(failures)
        .bind(locked_until.map(ts))
        .bind(ts(at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new browser session.
pub async fn open_session(
    pool: &AnyPool,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), Error> {
    sqlx::query("INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf)
        .bind(ts(now))
        .bind(ts(expires))
        .execute(pool)
        .await?;
    Ok(())
}

/// A live-looking session of an enabled user.
pub struct SessionRef {
    pub id: i64,
    pub csrf: String,
    pub last_seen: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

pub async fn session(pool: &AnyPool, token_hash: &str) -> Result<Option<SessionRef>, Error> {
    let row: Option<(String, String, String, i64)> =
        sqlx::query_as("SELECT s.csrf, s.last_seen_at, s.expires_at, s.id FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0")
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
    row.map(|(csrf, seen, expires, id)| {
        let key = format!("id={id}");
        Ok(SessionRef {
            id,
            csrf,
            last_seen: instant("web_sessions", &key, &seen)?,
            expires: instant("web_sessions", &key, &expires)?,
        })
    })
    .transpose()
}

pub async fn session_user(pool: &AnyPool, session_id: i64) -> Result<UserRow, Error> {
    let cols = USER_COLS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = sqlx::query(&format!(
        "SELECT {cols} FROM users u JOIN web_sessions s ON s.user_id = u.id WHERE s.id = $1"
    ))
    .bind(session_id)
    .fetch_one(pool)
    .await?;
    typed("users", &row)
}

pub async fn touch_session(pool: &AnyPool, id: i64, now: DateTime<Utc>) -> Result<(), Error> {
    sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(ts(now))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn end_session(pool: &AnyPool, id: i64) -> Result<(), Error> {
    sqlx::query("DELETE FROM web_sessions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn end_session_by_token(pool: &AnyPool, token_hash: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// A password change: every other session and every API token of the user ends.
pub async fn change_password(
    tx: &mut Tx,
    user_id: i64,
    hash: &str,
    keep_token_hash: &str,
) -> Result<(), Error> {
    crate::users::set_password(tx, user_id, hash).await?;
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token_hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_locale(pool: &AnyPool, user_id: i64, locale: &str) -> Result<(), Error> {
    sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
        .bind(locale)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
