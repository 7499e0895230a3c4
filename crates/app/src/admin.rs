//! The organisation, its sessions, units, users and categories (the admin's work).

use crate::events::{record, Event};
use crate::rows::*;
use crate::{auth, Actor, App, AppError, AppResult, Input};
use banli_domain::limits::{optional, required, NAME_MAX, PHONE_MAX};
use banli_domain::model::{ItemKind, Role};
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_store::{orgs, users, Db};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use banli_domain::policy::DEFAULT_CATEGORIES;

/// Finds or creates the organisation named in the configuration.
pub(crate) async fn ensure_organisation(db: &Db, name: &str) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let policy = serde_json::to_string(&Policy::default()).expect("policy serialises");
    let id = banli_store::orgs::find_or_create(&mut tx, name, &policy, DEFAULT_CATEGORIES).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<i64>,
    /// Reply series for proposals, e.g. 湘发改提 → 湘发改提〔2023〕12号; co-opinions use `{doc_prefix}函`.
    pub doc_prefix: Option<String>,
    /// Reply series for suggestions, e.g. 湘发改建.
    pub doc_prefix_suggestion: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitOut {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<i64>,
    pub doc_prefix: Option<String>,
    pub doc_prefix_suggestion: Option<String>,
}

impl From<UnitRow> for UnitOut {
    fn from(u: UnitRow) -> Self {
        UnitOut {
            id: u.id,
            name: u.name,
            short_name: u.short_name,
            parent_id: u.parent_id,
            doc_prefix: u.doc_prefix,
            doc_prefix_suggestion: u.doc_prefix_suggestion,
        }
    }
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    /// 界别 or 代表团 of a proposer.
    pub sector: Option<String>,
    /// Where notifications are e-mailed (none: in-app only).
    #[serde(default)]
    pub email: Option<String>,
    /// Where text messages go, when the organisation sends them.
    #[serde(default)]
    pub phone: Option<String>,
}

pub use banli_domain::limits::valid_email;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// e.g. 十三届一次会议
    pub name: String,
    /// e.g. 湖南省政协
    pub body_name: String,
    pub kind: ItemKind,
    pub term: i64,
    pub sitting: i64,
    pub opened_on: NaiveDate,
    pub cosign_cutoff: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionOut {
    pub id: i64,
    pub name: String,
    pub body_name: String,
    pub kind: String,
    pub term: i64,
    pub sitting: i64,
    pub opened_on: String,
    pub cosign_cutoff: Option<String>,
    /// The day it was closed (闭会): it takes no new items. `null` while open.
    pub closed_on: Option<String>,
}

impl From<SessionRow> for SessionOut {
    fn from(s: SessionRow) -> Self {
        SessionOut {
            id: s.id,
            name: s.name,
            body_name: s.body_name,
            kind: s.kind,
            term: s.term,
            sitting: s.sitting,
            opened_on: s.opened_on,
            cosign_cutoff: s.cosign_cutoff,
            closed_on: s.closed_on,
        }
    }
}

fn prefix(field: &str, v: Option<&str>) -> AppResult<Option<String>> {
    Ok(optional(field, v, 20)?)
}

impl App {
    pub async fn create_unit(&self, actor: &Actor, input: Input<NewUnit>) -> AppResult<UnitOut> {
        actor.require(Capability::Administer)?;
        let u = input.get()?;
        let name = required("name", &u.name, NAME_MAX)?;
        let short = optional("short_name", u.short_name.as_deref(), NAME_MAX)?;
        let p1 = prefix("doc_prefix", u.doc_prefix.as_deref())?;
        let p2 = prefix("doc_prefix_suggestion", u.doc_prefix_suggestion.as_deref())?;
        let mut tx = self.begin().await?;
        if let Some(pid) = u.parent_id {
            if crate::load_unit(&mut tx, pid).await?.is_none() {
                return Err(AppError::rule("parent_id", "上级单位不存在"));
            }
        }
        if orgs::unit_name_taken(&mut tx, &name, short.as_deref()).await? {
            return Err(AppError::rule("name", "已有同名单位"));
        }
        let row = orgs::insert_unit(
            &mut tx,
            &orgs::NewUnit {
                name: &name,
                short_name: short.as_deref(),
                parent_id: u.parent_id,
                doc_prefix: p1.as_deref(),
                doc_prefix_suggestion: p2.as_deref(),
            },
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                action: "unit_created",
                data: Some(serde_json::json!({"unit_id": row.id, "name": name})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        input: Input<NewUser>,
    ) -> AppResult<auth::UserOut> {
        actor.require(Capability::Administer)?;
        let u = input.get()?;
        self.insert_user(Some(actor), u).await
    }

    /// Creates a user; also used by `banli user add` and the demo, which act without an admin.
    pub async fn insert_user(&self, actor: Option<&Actor>, u: NewUser) -> AppResult<auth::UserOut> {
        let username = required("username", &u.username, 64)?;
        if !username
            .chars()
            .all(|c| c.is_alphanumeric() || "._-".contains(c))
        {
            return Err(AppError::rule(
                "username",
                "用户名只能包含字母、数字和 . _ -",
            ));
        }
        let display = required("display_name", &u.display_name, NAME_MAX)?;
        let sector = optional("sector", u.sector.as_deref(), NAME_MAX)?;
        let email = optional("email", u.email.as_deref(), 254)?;
        if email.as_deref().is_some_and(|e| !valid_email(e)) {
            return Err(AppError::rule(
                "email",
                "电子邮箱格式不正确，例如 zhangsan@example.gov.cn",
            ));
        }
        let phone = optional("phone", u.phone.as_deref(), PHONE_MAX)?;
        match (u.role.needs_unit(), u.unit_id) {
            (true, None) => return Err(AppError::rule("unit_id", "承办单位用户必须指定所属单位")),
            (false, Some(_)) => {
                return Err(AppError::rule("unit_id", "只有承办单位用户才属于单位"))
            }
            _ => {}
        }
        let hash = auth::hash_password(&u.password)?;
        let org = (!u.role.needs_unit()).then_some(self.org_id);
        let mut tx = self.begin().await?;
        if let Some(uid) = u.unit_id {
            if crate::load_unit(&mut tx, uid).await?.is_none() {
                return Err(AppError::rule("unit_id", "单位不存在"));
            }
        }
        if users::username_taken(&mut tx, &username).await? {
            return Err(AppError::rule("username", "用户名已被使用"));
        }
        let id = users::insert(
            &mut tx,
            &users::NewUser {
                username: &username,
                display_name: &display,
                password_hash: &hash,
                role: u.role,
                unit_id: u.unit_id,
                org_id: org,
                sector: sector.as_deref(),
                email: email.as_deref(),
                phone: phone.as_deref(),
            },
        )
        .await?;
        record(
            &mut tx,
            actor,
            Event {
                org_id: org,
                action: "user_created",
                data: Some(
                    serde_json::json!({"user_id": id, "username": username, "role": u.role}),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(auth::UserOut {
            id,
            username,
            display_name: display,
            role: u.role,
            unit_id: u.unit_id,
            org_id: org,
        })
    }

    /// Sets a new password (admin, or the CLI); the user's web sessions and API tokens end.
    pub async fn reset_password(
        &self,
        actor: Option<&Actor>,
        username: &str,
        password: &str,
    ) -> AppResult<()> {
        if let Some(a) = actor {
            a.require(Capability::Administer)?;
        }
        let hash = auth::hash_password(password)?;
        let mut tx = self.begin().await?;
        if !users::reset_password(&mut tx, username, &hash).await? {
            return Err(AppError::NotFound("用户"));
        }
        record(
            &mut tx,
            actor,
            Event {
                action: "password_reset",
                data: Some(serde_json::json!({"username": username})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /users/{id}/unlock`: ends a sign-in lock-out (someone else's failed attempts can
    /// lock a known username); the password stays as it is.
    pub async fn unlock_sign_in(&self, actor: &Actor, user_id: i64) -> AppResult<()> {
        actor.require(Capability::Administer)?;
        let mut tx = self.begin().await?;
        let username = users::get(&mut tx, user_id)
            .await?
            .ok_or(AppError::NotFound("用户"))?
            .username;
        users::clear_failures(&mut tx, &username).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                action: "sign_in_unlocked",
                data: Some(serde_json::json!({"username": username})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        actor: &Actor,
        input: Input<NewSession>,
    ) -> AppResult<SessionOut> {
        actor.require(Capability::Administer)?;
        let s = input.get()?;
        let name = required("name", &s.name, NAME_MAX)?;
        let body = required("body_name", &s.body_name, NAME_MAX)?;
        if !(1..=99).contains(&s.term) {
            return Err(AppError::rule("term", "届次须在1到99之间"));
        }
        if !(1..=20).contains(&s.sitting) {
            return Err(AppError::rule("sitting", "会次须在1到20之间"));
        }
        if let Some(c) = s.cosign_cutoff {
            if c < s.opened_on {
                return Err(AppError::rule(
                    "cosign_cutoff",
                    "联名截止日期不能早于会议开幕日期",
                ));
            }
        }
        let mut tx = self.begin().await?;
        if orgs::session_exists(&mut tx, self.org_id, s.kind, s.term, s.sitting).await? {
            return Err(AppError::rule("sitting", "该届次会议已存在"));
        }
        let row = orgs::insert_session(
            &mut tx,
            &orgs::NewSession {
                org_id: self.org_id,
                name: &name,
                body_name: &body,
                kind: s.kind,
                term: s.term,
                sitting: s.sitting,
                opened_on: s.opened_on,
                cosign_cutoff: s.cosign_cutoff,
            },
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "session_created",
                data: Some(serde_json::json!({"session_id": row.id})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Units are public knowledge inside the installation: every signed-in user may list them.
    pub async fn list_units(&self) -> AppResult<Vec<UnitOut>> {
        let rows = orgs::units(&self.db.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Close a session (闭会: it takes no new items), or open it again (`closed = false`: the
    /// office enters late paper items). Items already in it go on as before.
    pub async fn close_session(
        &self,
        actor: &Actor,
        id: i64,
        closed: bool,
    ) -> AppResult<SessionOut> {
        actor.require(Capability::Administer)?;
        let mut tx = self.begin().await?;
        let found = crate::load_session(&mut tx, id)
            .await?
            .filter(|s| s.org_id == self.org_id)
            .ok_or(AppError::NotFound("届次会议"))?;
        if found.closed_on.is_some() == closed {
            // Already so: a second 闭会 keeps the day it was closed.
            return Ok(found.into());
        }
        let row = orgs::set_session_closed(&mut tx, id, closed.then(|| self.today()))
            .await?
            .ok_or(AppError::NotFound("届次会议"))?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: if closed {
                    "session_closed"
                } else {
                    "session_reopened"
                },
                data: Some(serde_json::json!({"session_id": id})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn list_sessions(&self) -> AppResult<Vec<SessionOut>> {
        let rows = orgs::sessions(&self.db.pool, self.org_id).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<auth::UserOut>> {
        actor.require(Capability::ReadDirectory)?;
        let rows = users::all(&self.db.pool).await?;
        Ok(rows
            .iter()
            .map(|u| auth::UserOut {
                id: u.id,
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role: role_of(u),
                unit_id: u.unit_id,
                org_id: u.org_id,
            })
            .collect())
    }

    pub async fn get_policy(&self, actor: &Actor) -> AppResult<Policy> {
        actor.require(Capability::ReadDirectory)?;
        self.policy(self.org_id).await
    }

    pub async fn set_policy(&self, actor: &Actor, input: Input<Policy>) -> AppResult<Policy> {
        actor.require(Capability::Administer)?;
        let p = match input {
            Input::Value(p) => p,
            // The API sends the fields to change; the others keep their value (an empty body
            // once silently reset every rule to its default).
            Input::Raw(bytes) => {
                let changes: serde_json::Map<String, serde_json::Value> =
                    crate::parse_json(&bytes)?;
                if changes.is_empty() {
                    return Err(AppError::BadInput {
                        field: None,
                        message: "请求体为空：请发送要修改的规则，如 {\"reply_months\": 3}".into(),
                    });
                }
                let mut merged = serde_json::to_value(self.policy(self.org_id).await?)
                    .expect("policy serialises");
                for (k, v) in changes {
                    if merged.get(&k).is_none() {
                        return Err(AppError::bad(&k, format!("没有名为 {k} 的规则")));
                    }
                    merged[k] = v;
                }
                crate::parse_json(&serde_json::to_vec(&merged).expect("JSON serialises"))?
            }
        };
        p.validate().map_err(|(f, m)| AppError::rule(f, m))?;
        let mut tx = self.begin().await?;
        orgs::set_policy(
            &mut tx,
            self.org_id,
            &serde_json::to_string(&p).expect("policy serialises"),
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "policy_changed",
                data: Some(serde_json::to_value(&p).expect("policy serialises")),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn categories(&self) -> AppResult<Vec<(i64, String)>> {
        Ok(orgs::categories(&self.db.pool, self.org_id).await?)
    }
}
