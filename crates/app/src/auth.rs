//! Passwords (argon2) and bearer tokens (random, stored only as SHA-256).

use crate::rows::*;
use crate::{Actor, App, AppError, AppResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use banli_domain::limits::PASSWORD_MIN;
use banli_domain::model::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> AppResult<String> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(AppError::rule(
            "password",
            format!("密码至少{PASSWORD_MIN}个字符"),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub org_id: Option<i64>,
}

impl From<&Actor> for UserOut {
    fn from(a: &Actor) -> Self {
        UserOut {
            id: a.user_id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role,
            unit_id: a.unit_id,
            org_id: a.org_id,
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenOut {
    pub token: String,
    pub user: UserOut,
}

pub(crate) fn actor_of(u: &UserRow) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: role_of(u),
        unit_id: u.unit_id,
        org_id: u.org_id,
        locale: u.locale.clone(),
    }
}

impl App {
    pub async fn user_by_name(&self, username: &str) -> AppResult<Option<UserRow>> {
        Ok(banli_store::users::by_username(&self.db.pool, username).await?)
    }

    /// Checks a username and password; the same answer for an unknown user and a wrong
    /// password, so names cannot be probed.
    /// After [`crate::signin::MAX_FAILURES`] failures in a row the username is locked for a
    /// while (429), whether it exists or not.
    /// `address` is the client's network address (None for the CLI), throttled on its own.
    pub async fn check_password(
        &self,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> AppResult<Actor> {
        self.check_not_locked(username, address).await?;
        let user = self.user_by_name(username).await?;
        let ok = match &user {
            Some(u) => verify_password(&u.password_hash, password) && u.disabled == 0,
            None => {
                // Spend the same time as a real check, so names cannot be probed by timing.
                static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                let dummy =
                    DUMMY.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default());
                let _ = verify_password(dummy, password);
                false
            }
        };
        self.record_sign_in(username, address, ok).await?;
        match user {
            Some(u) if ok => Ok(actor_of(&u)),
            _ => Err(AppError::Unauthorized),
        }
    }

    /// `POST /auth/token`: a new bearer token for a username and password.
    pub async fn login(&self, creds: Credentials, address: Option<&str>) -> AppResult<TokenOut> {
        let actor = self
            .check_password(&creds.username, &creds.password, address)
            .await?;
        let token = self.issue_token(actor.user_id, "api").await?;
        Ok(TokenOut {
            token,
            user: UserOut::from(&actor),
        })
    }

    pub async fn issue_token(&self, user_id: i64, label: &str) -> AppResult<String> {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).map_err(|e| AppError::Internal(e.to_string()))?;
        let token = format!("bl_{}", hex::encode(raw));
        banli_store::users::add_token(
            self.db.writer(),
            user_id,
            &token_hash(&token),
            label,
            &self.now_ts(),
        )
        .await?;
        Ok(token)
    }

    /// The actor behind a bearer token; disabled users' tokens stop working at once.
    pub async fn authenticate(&self, token: &str) -> AppResult<Actor> {
        let user = banli_store::users::by_token(&self.db.pool, &token_hash(token)).await?;
        user.map(|u| actor_of(&u)).ok_or(AppError::Unauthorized)
    }

    /// The actor for a CLI command acting as a named user.
    pub async fn actor_by_name(&self, username: &str) -> AppResult<Actor> {
        self.user_by_name(username)
            .await?
            .map(|u| actor_of(&u))
            .ok_or(AppError::NotFound("用户"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password(&h, "correct horse"));
        assert!(!verify_password(&h, "wrong horse"));
        assert!(hash_password("short").is_err());
    }
}
