//! The admin's upkeep beyond creating things (admin.rs): what the admin pages show, users'
//! accounts (disable, enable, role and unit, password reset) and the category tree.
//! Like every use case: the admin role first, then the input, then one transaction with its event.

use crate::events::{record, Event};
use crate::{auth, Actor, App, AppError, AppResult, Input};
use banli_domain::limits::{required, NAME_MAX};
use banli_domain::model::Role;
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_store::users::AccountRow;
use banli_store::{orgs, users};
use serde::{Deserialize, Serialize};

/// A user as the admin sees them: with e-mail, phone and whether the account is disabled.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub sector: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

impl From<AccountRow> for AccountOut {
    fn from(r: AccountRow) -> Self {
        AccountOut {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            unit_id: r.unit_id,
            sector: r.sector,
            email: r.email,
            phone: r.phone,
            disabled: r.disabled != 0,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryOut {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    pub name: String,
    pub parent_id: Option<i64>,
}

/// A user's new role, with the unit it needs (unit roles) or none (every other role).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// One national year of the working-day calendar, as loaded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearOut {
    pub year: i32,
    /// Listed days off (holidays).
    pub days_off: usize,
    /// Listed make-up workdays (调休).
    pub workdays: usize,
    /// Added by an admin (otherwise shipped with the system).
    pub added: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayOffOut {
    pub date: String,
    pub name: String,
}

/// Everything the admin pages show, loaded for the admin only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminView {
    pub organisation: String,
    /// Whether this organisation's notifications also go out as text messages.
    pub sms_enabled: bool,
    pub sessions: Vec<crate::admin::SessionOut>,
    pub units: Vec<crate::admin::UnitOut>,
    pub users: Vec<AccountOut>,
    pub categories: Vec<CategoryOut>,
    pub policy: Policy,
    pub years: Vec<YearOut>,
    pub local_days_off: Vec<DayOffOut>,
}

impl App {
    /// The admin pages' data: organisation, sessions, units, users, categories, policy, calendar.
    pub async fn admin_view(&self, actor: &Actor) -> AppResult<AdminView> {
        actor.require(Capability::Administer)?;
        let organisation = self.organisation_name().await?;
        let sessions = self.list_sessions().await?;
        let units = self.list_units().await?;
        let users = users::accounts(&self.db.pool)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let categories = self.category_tree().await?;
        let policy = self.policy(self.org_id).await?;
        let cal = self.calendar().await?;
        let added = banli_store::calendar::national_years(&self.db.pool).await?;
        let years = cal
            .loaded_years()
            .into_iter()
            .rev()
            .map(|year| {
                let days = cal.year_days(year).unwrap_or_default();
                let days_off = days.iter().filter(|d| d.off).count();
                YearOut {
                    year,
                    days_off,
                    workdays: days.len() - days_off,
                    added: added.contains(&(year as i64)),
                }
            })
            .collect();
        let local_days_off = cal
            .local_days_off()
            .map(|(d, n)| DayOffOut {
                date: crate::iso(d),
                name: n.to_string(),
            })
            .collect();
        let sms_enabled = self.sms_notifications_enabled().await?;
        Ok(AdminView {
            organisation,
            sms_enabled,
            sessions,
            units,
            users,
            categories,
            policy,
            years,
            local_days_off,
        })
    }

    /// The category tree of the organisation, in creation order (children name their parent).
    pub async fn category_tree(&self) -> AppResult<Vec<CategoryOut>> {
        let rows = orgs::category_tree(&self.db.pool, self.org_id).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, parent_id)| CategoryOut {
                id,
                name,
                parent_id,
            })
            .collect())
    }

    /// Adds a category, at the top or under another one.
    pub async fn add_category(
        &self,
        actor: &Actor,
        input: Input<NewCategory>,
    ) -> AppResult<CategoryOut> {
        actor.require(Capability::Administer)?;
        let c = input.get()?;
        let name = required("name", &c.name, NAME_MAX)?;
        let mut tx = self.begin().await?;
        if let Some(pid) = c.parent_id {
            if !orgs::category_exists(&mut tx, self.org_id, pid).await? {
                return Err(AppError::rule("parent_id", "上级类别不存在"));
            }
        }
        if orgs::category_id(&mut tx, self.org_id, &name)
            .await?
            .is_some()
        {
            return Err(AppError::rule("name", "已有同名类别"));
        }
        let id = orgs::insert_category(&mut tx, self.org_id, &name, c.parent_id).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "category_created",
                data: Some(
                    serde_json::json!({"category_id": id, "name": name, "parent_id": c.parent_id}),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CategoryOut {
            id,
            name,
            parent_id: c.parent_id,
        })
    }

    async fn account(&self, tx: &mut banli_store::Tx, user_id: i64) -> AppResult<AccountOut> {
        users::account(tx, user_id)
            .await?
            .map(Into::into)
            .ok_or(AppError::NotFound("用户"))
    }

    /// Disables (or enables again) an account. A disabled user cannot sign in, and their web
    /// sessions and API tokens end at once (tokens are not revived by enabling again).
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        user_id: i64,
        disabled: bool,
    ) -> AppResult<AccountOut> {
        actor.require(Capability::Administer)?;
        if disabled && user_id == actor.user_id {
            return Err(AppError::rule("disabled", "不能停用自己的账户"));
        }
        let mut tx = self.begin().await?;
        let before = self.account(&mut tx, user_id).await?;
        if before.disabled == disabled {
            return Err(AppError::conflict(if disabled {
                "该账户已停用"
            } else {
                "该账户未停用"
            }));
        }
        users::set_disabled(&mut tx, user_id, disabled).await?;
        if disabled {
            users::sign_out_everywhere(&mut tx, user_id).await?;
        }
        let action = if disabled {
            "user_disabled"
        } else {
            "user_enabled"
        };
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action,
                data: Some(serde_json::json!({"user_id": user_id, "username": before.username})),
                ..Default::default()
            },
        )
        .await?;
        let after = self.account(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Changes a user's role and unit together (unit roles need a unit, others have none).
    pub async fn set_user_role(
        &self,
        actor: &Actor,
        user_id: i64,
        input: Input<RoleChange>,
    ) -> AppResult<AccountOut> {
        actor.require(Capability::Administer)?;
        let c = input.get()?;
        if user_id == actor.user_id && c.role != Role::Admin {
            return Err(AppError::rule("role", "不能取消自己的系统管理员角色"));
        }
        match (c.role.needs_unit(), c.unit_id) {
            (true, None) => return Err(AppError::rule("unit_id", "承办单位用户必须指定所属单位")),
            (false, Some(_)) => {
                return Err(AppError::rule("unit_id", "只有承办单位用户才属于单位"))
            }
            _ => {}
        }
        let org = (!c.role.needs_unit()).then_some(self.org_id);
        let mut tx = self.begin().await?;
        let before = self.account(&mut tx, user_id).await?;
        if let Some(uid) = c.unit_id {
            if crate::load_unit(&mut tx, uid).await?.is_none() {
                return Err(AppError::rule("unit_id", "单位不存在"));
            }
        }
        users::set_role(&mut tx, user_id, c.role, c.unit_id, org).await?;
        record(&mut tx, Some(actor), Event {
            org_id: Some(self.org_id),
            action: "user_role_changed",
            from: Some(before.role.as_str()),
            to: Some(c.role.as_str()),
            data: Some(serde_json::json!({"user_id": user_id, "username": before.username, "unit_before": before.unit_id, "unit_after": c.unit_id})),
            ..Default::default()
        })
        .await?;
        let after = self.account(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new password for a user (who then signs in with it): their web sessions and API
    /// tokens end (a reset after a suspected compromise must shut the old holder out), and a
    /// sign-in lock after failed attempts is lifted.
    pub async fn reset_user_password(
        &self,
        actor: &Actor,
        user_id: i64,
        input: Input<PasswordReset>,
    ) -> AppResult<()> {
        actor.require(Capability::Administer)?;
        let p = input.get()?;
        let hash = auth::hash_password(&p.password)?;
        let mut tx = self.begin().await?;
        let user = self.account(&mut tx, user_id).await?;
        users::set_password(&mut tx, user_id, &hash).await?;
        users::sign_out_everywhere(&mut tx, user_id).await?;
        users::clear_failures(&mut tx, &user.username).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "password_reset",
                data: Some(serde_json::json!({"user_id": user_id, "username": user.username})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
