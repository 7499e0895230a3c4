//! Banli's use cases. Each public function is one action of DESIGN §3: it checks the actor's
//! right to act (role, unit, item), then the input, then the lifecycle rule in the domain,
//! and writes everything — including the event — in one transaction. The API, the web UI and
//! the CLI all call these functions; no permission is decided anywhere else.

pub mod accounts;
pub mod admin;
pub mod assignments;
pub mod auth;
pub mod backups;
pub mod calendar;
pub mod documents;
mod error;
mod events;
pub mod export;
mod handover;
pub mod import;
pub mod indexing;
mod input;
pub mod items;
pub mod ledgers;
pub mod letters;
pub mod notify;
mod permit;
pub mod portal;
pub mod publish;
pub mod queue;
pub mod rights;
pub mod rows;
pub mod signin;
pub mod stats;
pub mod stats_trend;
pub mod view;

pub use banli_domain as domain;
/// How long a write may wait for its turn; the web layer's timeout is longer.
pub use banli_store::WRITE_WAIT;
pub use error::{AppError, AppResult};
pub use input::{parse_json, Input};

use banli_domain::model::Role;
use banli_domain::policy::Policy;
use banli_store::{Db, Tx};
use chrono::{FixedOffset, NaiveDate, Utc};
use rows::*;
use std::sync::{Arc, Mutex};

/// Who is acting: a signed-in user (API token, web session or a CLI command).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub org_id: Option<i64>,
    /// The user's language for the web app and e-mails: zh-Hans, zh-Hant or en.
    pub locale: String,
}

impl Actor {
    /// An item-independent right (`banli_domain::rights::may`); item actions go through
    /// `App::permit`.
    pub fn require(&self, c: banli_domain::rights::Capability) -> AppResult<()> {
        Ok(banli_domain::rights::may(&self.principal(), c)?)
    }
    /// Whether the actor has an item-independent right (for what a page offers).
    pub fn may(&self, c: banli_domain::rights::Capability) -> bool {
        banli_domain::rights::may(&self.principal(), c).is_ok()
    }
    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }
    /// The actor as the permission rules see them.
    pub fn principal(&self) -> banli_domain::rights::Principal {
        banli_domain::rights::Principal {
            role: self.role,
            user_id: self.user_id,
            unit_id: self.unit_id,
            org_id: self.org_id,
        }
    }
}

/// Settings a deployment gives the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Used for publication URLs, QR codes, feeds and e-mails.
    pub public_base_url: String,
    /// Where the server keeps its own backups (`None` in the CLI and in tests without them).
    pub backups: Option<backups::BackupSettings>,
}

/// The application: the database, the organisation the CLI and API act in by default, and
/// the clock (settable in tests, so deadlines can lapse without waiting).
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub org_id: i64,
    pub settings: Settings,
    today_override: Arc<Mutex<Option<NaiveDate>>>,
}

impl App {
    /// Opens the application on a connected database, creating the configured organisation
    /// (with its default categories) on first use.
    pub async fn open(db: Db, org_name: &str, settings: Settings) -> AppResult<App> {
        let org_id = admin::ensure_organisation(&db, org_name).await?;
        Ok(App {
            db,
            org_id,
            settings,
            today_override: Arc::new(Mutex::new(None)),
        })
    }

    /// Today in the organisation's time zone (Asia/Shanghai: UTC+8 all year).
    pub fn today(&self) -> NaiveDate {
        if let Some(d) = *self.today_override.lock().expect("clock lock") {
            return d;
        }
        let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
        Utc::now().with_timezone(&tz).date_naive()
    }

    /// The current instant as stored (fixed-width RFC 3339, UTC). With the clock moved, the
    /// moved day at the real time of day, so simulated histories keep their dates.
    pub fn now_ts(&self) -> String {
        match *self.today_override.lock().expect("clock lock") {
            None => banli_store::now_ts(),
            Some(day) => {
                let local = FixedOffset::east_opt(8 * 3600).expect("valid offset");
                let time = Utc::now().with_timezone(&local).time();
                let at = day
                    .and_time(time)
                    .and_local_timezone(local)
                    .single()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(Utc::now);
                banli_store::ts(at)
            }
        }
    }

    /// A write transaction at the application's clock: every row it writes carries its one
    /// instant (`tx.now()`).
    pub async fn begin(&self) -> AppResult<Tx> {
        Ok(self.db.begin_at(|| self.now_ts()).await?)
    }

    /// Moves the clock (tests and demo data only).
    pub fn set_today(&self, day: Option<NaiveDate>) {
        *self.today_override.lock().expect("clock lock") = day;
    }

    pub async fn policy(&self, org_id: i64) -> AppResult<Policy> {
        let mut conn = self.db.pool.acquire().await?;
        parse_policy(
            org_id,
            banli_store::orgs::policy_text(&mut conn, org_id).await?,
        )
    }
}

// ---- loaders shared by the use cases ----

/// The organisation's policy, read inside the caller's transaction. A write path must not ask
/// the pool for a second connection while it holds SQLite's write lock: with as many
/// concurrent writers as connections, each would wait on the others until the busy timeout.
pub(crate) async fn load_policy(tx: &mut Tx, org_id: i64) -> AppResult<Policy> {
    parse_policy(org_id, banli_store::orgs::policy_text(tx, org_id).await?)
}

/// The stored policy; fields a newer policy added take their defaults, but a policy that is
/// not readable at all is an error, never the default policy in its place.
fn parse_policy(org_id: i64, text: Option<String>) -> AppResult<Policy> {
    let text = text.ok_or(AppError::NotFound("组织"))?;
    serde_json::from_str(&text).map_err(|e| {
        AppError::Internal(format!(
            "organisations 表 id={org_id} 的 policy 无法读取（{e}）；请在管理页重新保存办理规则"
        ))
    })
}

pub(crate) async fn load_item(tx: &mut Tx, id: i64) -> AppResult<ItemRow> {
    banli_store::items::get(tx, id)
        .await?
        .ok_or(AppError::NotFound("提案"))
}

pub(crate) async fn load_assignment(tx: &mut Tx, id: i64) -> AppResult<AssignmentRow> {
    banli_store::assignments::get(tx, id)
        .await?
        .ok_or(AppError::NotFound("交办"))
}

pub(crate) async fn item_assignments(tx: &mut Tx, item_id: i64) -> AppResult<Vec<AssignmentRow>> {
    Ok(banli_store::assignments::of_item(tx, item_id).await?)
}

pub(crate) async fn load_unit(tx: &mut Tx, id: i64) -> AppResult<Option<UnitRow>> {
    Ok(banli_store::orgs::unit(tx, id).await?)
}

pub(crate) async fn load_session(tx: &mut Tx, id: i64) -> AppResult<Option<SessionRow>> {
    Ok(banli_store::orgs::session(tx, id).await?)
}

pub use banli_domain::model::format_number;

/// The case numbers, with their sessions, of the numbered items among `ids`.
pub(crate) async fn case_numbers(
    tx: &mut Tx,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, String>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    Ok(banli_store::items::numbers_with_sessions(tx, &ids)
        .await?
        .into_iter()
        .map(|(id, n, session)| (id, banli_domain::model::case_number(&session, n)))
        .collect())
}

impl App {
    /// The case numbers, with their sessions, of the numbered items among `ids` (lists and
    /// similar items that mix sessions).
    pub async fn case_numbers(
        &self,
        ids: &[i64],
    ) -> AppResult<std::collections::HashMap<i64, String>> {
        let mut tx = self.db.read().await?;
        let out = case_numbers(&mut tx, ids).await?;
        tx.commit().await?;
        Ok(out)
    }
}

pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
