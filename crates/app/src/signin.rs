//! Browser sessions of the staff web app and sign-in throttling (shared with the API's token
//! endpoint). A session cookie carries a random token stored here only as SHA-256, with the
//! session's CSRF token beside it; sessions end after idle time, after an absolute lifetime,
//! at sign-out, and (all but the current one) at a password change.

use crate::auth::{hash_password, verify_password};
use crate::{Actor, App, AppError, AppResult};
use banli_domain::limits::PASSWORD_MIN;
use banli_store::signin as store;
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
        DateTime::parse_from_rfc3339(&self.now_ts())
            .expect("now_ts writes RFC 3339")
            .with_timezone(&Utc)
    }

    /// Refuses a username that is locked after too many failures (unknown names too, so the
    /// lock does not reveal which names exist).
    pub(crate) async fn check_not_locked(
        &self,
        username: &str,
        address: Option<&str>,
    ) -> AppResult<()> {
        let mut conn = self.db.pool.acquire().await?;
        if let Some(addr) = address {
            if let Some((failures, start)) = store::address_failures(&mut conn, addr).await? {
                let ends = start + Duration::minutes(ADDRESS_WINDOW_MINUTES);
                if failures >= ADDRESS_MAX_FAILURES && ends > self.now() {
                    let minutes = ((ends - self.now()).num_seconds() + 59) / 60;
                    return Err(AppError::Locked(format!(
                        "您所在网络地址的登录失败次数过多，请{minutes}分钟后再试"
                    )));
                }
            }
        }
        if let Some((_, Some(until))) = store::user_failures(&mut conn, username).await? {
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
        let mut tx = self.begin().await?;
        let now = self.now();
        if let (Some(addr), false) = (address, ok) {
            match store::address_failures(&mut tx, addr).await? {
                Some((n, start)) if start + Duration::minutes(ADDRESS_WINDOW_MINUTES) > now => {
                    store::count_address_failure(&mut tx, addr, n + 1, None, true).await?
                }
                Some(_) => store::count_address_failure(&mut tx, addr, 1, Some(now), true).await?,
                None => store::count_address_failure(&mut tx, addr, 1, Some(now), false).await?,
            }
        }
        if ok {
            banli_store::users::clear_failures(&mut tx, username).await?;
        } else {
            let row = store::user_failures(&mut tx, username).await?;
            // A lock that has run out starts a fresh count.
            let before = match &row {
                Some((n, None)) => *n,
                Some((_, Some(u))) if *u > now => MAX_FAILURES,
                _ => 0,
            };
            let failures = before + 1;
            let locked = (failures >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES));
            let failures = if locked.is_some() { 0 } else { failures };
            store::set_user_failures(&mut tx, username, failures, locked, now, row.is_some())
                .await?;
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
        store::open_session(
            self.db.writer(),
            &sha(&token),
            actor.user_id,
            &csrf,
            now,
            now + Duration::hours(ABSOLUTE_HOURS),
        )
        .await?;
        Ok(WebSession { token, csrf, actor })
    }

    /// The session behind a cookie, if it is still alive; a disabled user's sessions end at once.
    pub async fn web_session(&self, token: &str) -> AppResult<Option<WebSession>> {
        let Some(session) = store::session(&self.db.pool, &sha(token)).await? else {
            return Ok(None);
        };
        let now = self.now();
        if session.expires <= now || session.last_seen + Duration::minutes(IDLE_MINUTES) <= now {
            store::end_session(self.db.writer(), session.id).await?;
            return Ok(None);
        }
        // Write the idle clock at most once a minute: reads stay reads.
        if session.last_seen + Duration::minutes(1) <= now {
            store::touch_session(self.db.writer(), session.id, now).await?;
        }
        let user = store::session_user(&self.db.pool, session.id).await?;
        let csrf = session.csrf;
        Ok(Some(WebSession {
            token: token.to_string(),
            csrf,
            actor: crate::auth::actor_of(&user),
        }))
    }

    /// Sign-out: the session is gone from the database, not just from the browser.
    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        store::end_session_by_token(self.db.writer(), &sha(token)).await?;
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
        let mut tx = self.begin().await?;
        store::change_password(&mut tx, actor.user_id, &hash, &sha(current_token)).await?;
        crate::events::record(
            &mut tx,
            Some(actor),
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
        store::set_locale(self.db.writer(), actor.user_id, locale).await?;
        Ok(())
    }
}
