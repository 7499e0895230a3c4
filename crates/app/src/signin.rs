//! Browser sessions of the staff web app and sign-in throttling (shared with the API's token
//! endpoint). A session cookie carries a random token stored here only as SHA-256, with the
//! session's CSRF token beside it; sessions end after idle time, after an absolute lifetime,
//! at sign-out, and (all but the current one) at a password change.

use crate::auth::{hash_password, verify_password};
use crate::rows::*;
use crate::{Actor, App, AppError, AppResult};
use banli_domain::limits::PASSWORD_MIN;
use banli_store::sqlx;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// Failed sign-ins in a row before the username is locked.
pub const MAX_FAILURES: i64 = 5;
/// How long a locked username stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// A session unused this long is over.
pub const IDLE_MINUTES: i64 = 120;
/// No session lives longer than this, however busy.
pub const ABSOLUTE_HOURS: i64 = 12;

/// Failed sign-ins one client address may make in [`ADDRESS_WINDOW_MINUTES`], over all the
/// usernames it tries; then it waits for the window to end. With the lock per username this
/// bounds how many accounts one address can lock out.
pub const ADDRESS_MAX_FAILURES: i64 = 20;
pub const ADDRESS_WINDOW_MINUTES: i64 = 15;

pub const LOCALES: &[&str] = &["zh-Hans", "zh-Hant", "en"];

/// A signed-in browser: the cookie value and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

fn sha(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn random_token() -> AppResult<String> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(hex::encode(raw))
}

fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Constant-time comparison, so a CSRF token cannot be guessed byte by byte from timings.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl App {
    fn now(&self) -> DateTime<Utc> {
        parse_ts(&self.now_ts())
    }

    /// Refuses a username that is locked after too many failures (unknown names too, so the
    /// lock does not reveal which names exist).
    pub(crate) async fn check_not_locked(
        &self,
        username: &str,
        address: Option<&str>,
    ) -> AppResult<()> {
        if let Some(addr) = address {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT failures, window_start FROM address_failures WHERE address = $1",
            )
            .bind(addr)
            .fetch_optional(&self.db.pool)
            .await?;
            if let Some((failures, start)) = row {
                let ends = parse_ts(&start) + Duration::minutes(ADDRESS_WINDOW_MINUTES);
                if failures >= ADDRESS_MAX_FAILURES && ends > self.now() {
                    let minutes = ((ends - self.now()).num_seconds() + 59) / 60;
                    return Err(AppError::Locked(format!(
                        "您所在网络地址的登录失败次数过多，请{minutes}分钟后再试"
                    )));
                }
            }
        }
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT locked_until FROM login_failures WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.db.pool)
                .await?;
        if let Some((Some(until),)) = row {
            let until = parse_ts(&until);
            if until > self.now() {
                let minutes = ((until - self.now()).num_seconds() + 59) / 60;
                return Err(AppError::Locked(format!("登录失败次数过多，该账户已暂时锁定，请{minutes}分钟后再试，或请系统管理员重置密码")));
            }
        }
        Ok(())
    }

    pub(crate) async fn record_sign_in(
        &self,
        username: &str,
        address: Option<&str>,
        ok: bool,
    ) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        if let (Some(addr), false) = (address, ok) {
            let now = self.now();
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT failures, window_start FROM address_failures WHERE address = $1",
            )
            .bind(addr)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some((n, start))
                    if parse_ts(&start) + Duration::minutes(ADDRESS_WINDOW_MINUTES) > now =>
                {
                    sqlx::query("UPDATE address_failures SET failures = $1 WHERE address = $2")
                        .bind(n + 1)
                        .bind(addr)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(_) => {
                    sqlx::query("UPDATE address_failures SET failures = 1, window_start = $1 WHERE address = $2").bind(ts(now)).bind(addr).execute(&mut *tx).await?;
                }
                None => {
                    sqlx::query("INSERT INTO address_failures (address, failures, window_start) VALUES ($1, 1, $2)").bind(addr).bind(ts(now)).execute(&mut *tx).await?;
                }
            }
        }
        if ok {
            sqlx::query("DELETE FROM login_failures WHERE username = $1")
                .bind(username)
                .execute(&mut *tx)
                .await?;
        } else {
            let now = self.now();
            let row: Option<(i64, Option<String>)> = sqlx::query_as(
                "SELECT failures, locked_until FROM login_failures WHERE username = $1",
            )
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
            // A lock that has run out starts a fresh count.
            let before = match &row {
                Some((n, None)) => *n,
                Some((_, Some(u))) if parse_ts(u) > now => MAX_FAILURES,
                _ => 0,
            };
            let failures = before + 1;
            let locked =
                (failures >= MAX_FAILURES).then(|| ts(now + Duration::minutes(LOCK_MINUTES)));
            let failures = if locked.is_some() { 0 } else { failures };
            if row.is_some() {
                sqlx::query("UPDATE login_failures SET failures = $1, locked_until = $2, last_failure_at = $3 WHERE username = $4").bind(failures).bind(&locked).bind(ts(now)).bind(username).execute(&mut *tx).await?;
            } else {
                sqlx::query("INSERT INTO login_failures (username, failures, locked_until, last_failure_at) VALUES ($1, $2, $3, $4)").bind(username).bind(failures).bind(&locked).bind(ts(now)).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Signs a browser in: a new session with its own CSRF token.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> AppResult<WebSession> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err(AppError::rule(
                if username.is_empty() {
                    "username"
                } else {
                    "password"
                },
                "请输入用户名和密码",
            ));
        }
        let actor = self.check_password(username, password, address).await?;
        self.open_web_session(actor).await
    }

    async fn open_web_session(&self, actor: Actor) -> AppResult<WebSession> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now = self.now();
        sqlx::query("INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(sha(&token))
            .bind(actor.user_id)
            .bind(&csrf)
            .bind(ts(now))
            .bind(ts(now))
            .bind(ts(now + Duration::hours(ABSOLUTE_HOURS)))
            .execute(self.db.writer())
            .await?;
        Ok(WebSession { token, csrf, actor })
    }

    /// The session behind a cookie, if it is still alive; a disabled user's sessions end at once.
    pub async fn web_session(&self, token: &str) -> AppResult<Option<WebSession>> {
        let cols = USER_COLS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row: Option<(String, String, String, i64)> =
            sqlx::query_as("SELECT s.csrf, s.last_seen_at, s.expires_at, s.id FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND u.disabled = 0").bind(sha(token)).fetch_optional(&self.db.pool).await?;
        let Some((csrf, last_seen, expires, sid)) = row else {
            return Ok(None);
        };
        let now = self.now();
        if parse_ts(&expires) <= now
            || parse_ts(&last_seen) + Duration::minutes(IDLE_MINUTES) <= now
        {
            sqlx::query("DELETE FROM web_sessions WHERE id = $1")
                .bind(sid)
                .execute(self.db.writer())
                .await?;
            return Ok(None);
        }
        // Write the idle clock at most once a minute: reads stay reads.
        if parse_ts(&last_seen) + Duration::minutes(1) <= now {
            sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(ts(now))
                .bind(sid)
                .execute(self.db.writer())
                .await?;
        }
        let user = sqlx::query_as::<_, UserRow>(&format!(
            "SELECT {cols} FROM users u JOIN web_sessions s ON s.user_id = u.id WHERE s.id = $1"
        ))
        .bind(sid)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(Some(WebSession {
            token: token.to_string(),
            csrf,
            actor: crate::auth::actor_of(&user),
        }))
    }

    /// Sign-out: the session is gone from the database, not just from the browser.
    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(sha(token))
            .execute(self.db.writer())
            .await?;
        Ok(())
    }

    /// A user changes their own password; every other session of theirs and their API tokens end.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_token: &str,
        old: &str,
        new: &str,
        repeat: &str,
    ) -> AppResult<()> {
        let user = self
            .user_by_name(&actor.username)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !verify_password(&user.password_hash, old) {
            return Err(AppError::rule("old_password", "当前密码不正确"));
        }
        if new != repeat {
            return Err(AppError::rule("repeat", "两次输入的新密码不一致"));
        }
        if new == old {
            return Err(AppError::rule("new_password", "新密码不能与当前密码相同"));
        }
        if new.chars().count() < PASSWORD_MIN {
            return Err(AppError::rule(
                "new_password",
                format!("密码至少{PASSWORD_MIN}个字符"),
            ));
        }
        let hash = hash_password(new)?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(actor.user_id)
            .bind(sha(current_token))
            .execute(&mut *tx)
            .await?;
        // API tokens issued under the old password end too.
        sqlx::query("DELETE FROM tokens WHERE user_id = $1")
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        crate::events::record(
            &mut tx,
            Some(actor),
            &self.now_ts(),
            crate::events::Event {
                action: "password_changed",
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user's language for the web app and e-mails.
    pub async fn set_locale(&self, actor: &Actor, locale: &str) -> AppResult<()> {
        if !LOCALES.contains(&locale) {
            return Err(AppError::rule("locale", "不支持的语言"));
        }
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(actor.user_id)
            .execute(self.db.writer())
            .await?;
        Ok(())
    }
}
