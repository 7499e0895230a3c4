//! The admin's pages under `/app/admin` (DESIGN §1): the organisation, its sessions, units,
//! users, categories, the policy numbers of §4 and the holiday calendar. Each page shows what
//! exists, a form to add, and forms per row; every form becomes the API's JSON body and goes
//! to the same use case, which alone decides rights (admin only: 403 for anyone else, before
//! any input is looked at) and validity.

use super::form::{input, object, Failed, Form};
use super::{html, see_other, Chrome, Staff, StaffPost, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use banli_app::accounts::AdminView;
use banli_app::admin::UnitOut;
use banli_app::backups::BackupsView;
use banli_app::AppError;
use serde_json::Value;
use std::borrow::Borrow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/admin", get(overview))
        .route("/app/admin/sms", post(set_sms))
        .route("/app/admin/sessions", get(sessions).post(create_session))
        .route("/app/admin/sessions/{id}/{action}", post(session_action))
        .route("/app/admin/units", get(units).post(create_unit))
        .route("/app/admin/users", get(users).post(create_user))
        .route("/app/admin/users/{id}/{action}", post(user_action))
        .route("/app/admin/categories", get(categories).post(add_category))
        .route("/app/admin/policy", get(policy).post(set_policy))
        .route("/app/admin/calendar", get(calendar))
        .route("/app/admin/calendar/years", post(add_year))
        .route("/app/admin/calendar/days-off", post(add_day_off))
        .route("/app/admin/backups", get(backups).post(backup_now))
        .route("/app/admin/backups/{name}", get(download_backup))
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Overview,
    Sessions,
    Units,
    Users,
    Categories,
    Policy,
    Calendar,
    Backups,
}

/// The admin section's own navigation: (path, label, tab).
const TABS: &[(&str, &str, Tab)] = &[
    ("/app/admin", "概览", Tab::Overview),
    ("/app/admin/sessions", "届次会议", Tab::Sessions),
    ("/app/admin/units", "承办单位", Tab::Units),
    ("/app/admin/users", "用户", Tab::Users),
    ("/app/admin/categories", "类别", Tab::Categories),
    ("/app/admin/policy", "期限规则", Tab::Policy),
    ("/app/admin/calendar", "节假日", Tab::Calendar),
    ("/app/admin/backups", "备份", Tab::Backups),
];

const ROLES: &[&str] = &["proposer", "office", "unit_staff", "unit_signer", "admin"];

/// One number, switch or choice of the policy (DESIGN §4), as the form shows it.
pub struct PolicyField {
    pub name: String,
    /// `int`, `frac`, `bool` or `choice`.
    pub kind: &'static str,
    pub value: String,
    pub label: &'static str,
    pub unit: &'static str,
}

/// Labels of the policy's fields: (field, label, unit). A field without one is shown by its name.
const POLICY_LABELS: &[(&str, &str, &str)] = &[
    ("return_window_days", "申请调整期限（自交办起）", "自然日"),
    (
        "first_consultation_working_days",
        "首次沟通期限（自交办起）",
        "工作日",
    ),
    ("co_opinion_months", "会办意见期限（自交办起）", "个月"),
    ("reply_months", "答复期限（自交办起）", "个月"),
    (
        "extension_max_months",
        "延期后答复期限上限（自交办起）",
        "个月",
    ),
    (
        "evaluation_working_days",
        "评价期限（自答复发出起，逾期记为未反馈）",
        "工作日",
    ),
    (
        "rehandling_months",
        "重新办理答复期限（自不满意评价起）",
        "个月",
    ),
    (
        "publication_working_days",
        "公开期限（自答复发出起）",
        "工作日",
    ),
    (
        "max_rehandlings",
        "重新办理次数上限（超过后由提案办决定）",
        "次",
    ),
    (
        "rehandle_on_unsatisfied_handling",
        "办理态度“不满意”也要求重新办理",
        "",
    ),
    (
        "rehandle_on_basically_satisfied",
        "“基本满意”也要求重新办理",
        "",
    ),
    ("office_checks_replies", "答复发出前由提案办审核", ""),
    ("grade_d_enabled", "启用D类答复", ""),
    ("publishers", "谁可以公开答复", ""),
    (
        "yellow_fraction",
        "黄灯提示：剩余时间少于（比例，0至1）",
        "",
    ),
    (
        "import_max_inflated_mib",
        "导入文件解压后大小上限",
        "兆字节",
    ),
    ("import_max_cells", "导入表格单元格数上限", "个单元格"),
];

/// The choices of the policy's text fields: (field, value, label).
const POLICY_CHOICES: &[(&str, &str, &str)] = &[
    ("publishers", "office", "提案办"),
    ("publishers", "signer", "承办单位签发人"),
    ("publishers", "both", "提案办和签发人均可"),
];

/// What every admin page shows, with the helpers its template needs.
pub struct Data {
    v: AdminView,
    /// The server's backups, or why it keeps none (a CLI-only installation).
    backups: Result<BackupsView, String>,
    policy: Vec<PolicyField>,
    /// The policy's field names, comma-separated (errors on them are shown beside the field).
    policy_names: String,
    /// The admin section's navigation: (path, label, current).
    tabs: Vec<(&'static str, &'static str, bool)>,
}

impl Data {
    fn new(v: AdminView, backups: Result<BackupsView, String>, tab: Tab) -> Data {
        let policy = policy_fields(&v);
        let policy_names = policy
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let tabs = TABS
            .iter()
            .map(|(href, label, t)| (*href, *label, *t == tab))
            .collect();
        Data {
            v,
            backups,
            policy,
            policy_names,
            tabs,
        }
    }
    fn unit_name(&self, id: impl Borrow<Option<i64>>) -> String {
        match id.borrow() {
            Some(id) => self
                .v
                .units
                .iter()
                .find(|u| u.id == *id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| format!("#{id}")),
            None => String::new(),
        }
    }
    fn category_name(&self, id: impl Borrow<Option<i64>>) -> String {
        match id.borrow() {
            Some(id) => self
                .v
                .categories
                .iter()
                .find(|c| c.id == *id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("#{id}")),
            None => String::new(),
        }
    }
    /// A form key per row, so an error lands beside the right row's field.
    fn k(&self, form: &str, id: impl std::fmt::Display) -> String {
        format!("{form}-{id}")
    }
    /// The row action that flips a user's state.
    fn toggle(&self, disabled: impl Borrow<bool>) -> &'static str {
        if *disabled.borrow() {
            "enable"
        } else {
            "disable"
        }
    }
    fn roles(&self) -> &'static [&'static str] {
        ROLES
    }
    fn choices(&self, field: &str) -> Vec<(&'static str, &'static str)> {
        POLICY_CHOICES
            .iter()
            .filter(|(f, _, _)| *f == field)
            .map(|(_, v, l)| (*v, *l))
            .collect()
    }
    fn active_users(&self) -> usize {
        self.v.users.iter().filter(|u| !u.disabled).count()
    }
    /// The newest backup's time (Beijing), or `None` when there is none.
    fn last_backup(&self) -> Option<String> {
        let b = self.backups.as_ref().ok()?.backups.first()?;
        b.taken_at.as_deref().map(banli_domain::clock::local_minute)
    }
    fn megabytes(&self, bytes: impl Borrow<u64>) -> String {
        format!("{:.1}", *bytes.borrow() as f64 / 1_048_576.0)
    }
    fn years_span(&self) -> String {
        match (self.v.years.last(), self.v.years.first()) {
            (Some(a), Some(b)) if a.year != b.year => format!("{}–{}", a.year, b.year),
            (Some(a), _) => a.year.to_string(),
            _ => "—".into(),
        }
    }
}

fn policy_fields(v: &AdminView) -> Vec<PolicyField> {
    let Ok(Value::Object(map)) = serde_json::to_value(&v.policy) else {
        return Vec::new();
    };
    let mut fields: Vec<PolicyField> = map
        .into_iter()
        .map(|(name, value)| {
            let (kind, value) = match &value {
                Value::Bool(b) => ("bool", b.to_string()),
                Value::Number(n) if n.is_f64() => ("frac", n.to_string()),
                Value::Number(n) => ("int", n.to_string()),
                Value::String(s) => ("choice", s.clone()),
                other => ("choice", other.to_string()),
            };
            let (label, unit) = POLICY_LABELS
                .iter()
                .find(|(f, _, _)| *f == name)
                .map(|(_, l, u)| (*l, *u))
                .unwrap_or(("", ""));
            PolicyField {
                name,
                kind,
                value,
                label,
                unit,
            }
        })
        .collect();
    // In the order of DESIGN §4 (the labels' order); unknown fields last.
    fields.sort_by_key(|f| {
        POLICY_LABELS
            .iter()
            .position(|(n, _, _)| *n == f.name)
            .unwrap_or(usize::MAX)
    });
    fields
}

#[derive(Template)]
#[template(path = "staff/admin.html")]
struct OverviewPage {
    c: Chrome,
    t: Tr,
    d: Data,
}

#[derive(Template)]
#[template(path = "staff/admin_sessions.html")]
struct SessionsPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_units.html")]
struct UnitsPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_users.html")]
struct UsersPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_categories.html")]
struct CategoriesPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_policy.html")]
struct PolicyPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_backups.html")]
struct BackupsPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

#[derive(Template)]
#[template(path = "staff/admin_calendar.html")]
struct CalendarPage {
    c: Chrome,
    t: Tr,
    d: Data,
    failed: Failed,
}

/// Draws an admin page. The data comes from an admin-only use case, so anyone else gets its
/// 403 here — also after a refused form, whatever they sent.
async fn render(
    s: &AppState,
    staff: Staff,
    tab: Tab,
    failed: Failed,
    status: StatusCode,
) -> Response {
    let v = match s.app.admin_view(&staff.actor).await {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    // Only the overview and the backup page show backups (a directory read).
    let backups = if matches!(tab, Tab::Overview | Tab::Backups) {
        s.app.backups(&staff.actor).await.map_err(|e| e.to_string())
    } else {
        Err(String::new())
    };
    let t = staff.t();
    let c = staff.chrome;
    let d = Data::new(v, backups, tab);
    match tab {
        Tab::Overview => html(t.lang, status, &OverviewPage { c, t, d }),
        Tab::Sessions => html(t.lang, status, &SessionsPage { c, t, d, failed }),
        Tab::Units => html(t.lang, status, &UnitsPage { c, t, d, failed }),
        Tab::Users => html(t.lang, status, &UsersPage { c, t, d, failed }),
        Tab::Categories => html(t.lang, status, &CategoriesPage { c, t, d, failed }),
        Tab::Policy => html(t.lang, status, &PolicyPage { c, t, d, failed }),
        Tab::Calendar => html(t.lang, status, &CalendarPage { c, t, d, failed }),
        Tab::Backups => html(t.lang, status, &BackupsPage { c, t, d, failed }),
    }
}

/// The outcome of a form: back to its page with a message, or the page again with the error
/// beside the field and what was typed (400 malformed, 422 refused by a rule, 409 wrong state);
/// any other refusal (403, 404) is an error page.
async fn finish(
    s: &AppState,
    staff: Staff,
    tab: Tab,
    form: &str,
    f: &Form,
    result: Result<(), AppError>,
    done: &str,
) -> Response {
    let path = TABS
        .iter()
        .find(|(_, _, t)| *t == tab)
        .map(|(p, _, _)| *p)
        .unwrap_or("/app/admin");
    let e = match result {
        Ok(()) => return see_other(path, done),
        Err(e) => e,
    };
    let status = match &e {
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => return staff.fail(&e),
    };
    let mut failed = Failed::new(form, &e, f);
    // Beside its field, "name：不能为空" needs no field code.
    if let Some(rest) = e
        .field()
        .and_then(|field| failed.message.strip_prefix(&format!("{field}：")))
    {
        failed.message = rest.to_string();
    }
    // Passwords are never echoed back into a form.
    failed.values.remove("password");
    render(s, staff, tab, failed, status).await
}

// ---- shape conversions (text → number, date): the use case decides what is valid ----

fn whole(f: &Form, name: &str) -> Result<Value, AppError> {
    match f.get(name) {
        None => Ok(Value::Null),
        Some(v) => v
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| AppError::bad(name, format!("“{v}”不是整数"))),
    }
}

/// A unit typed by name (or short name, or id) in a row form: its id.
fn unit_id(units: &[UnitOut], name: &str) -> Result<i64, AppError> {
    super::items::unit_id(units, name, "unit_id")
}

fn required_date(f: &Form, name: &str, missing: &str) -> Result<Value, AppError> {
    match f.date(name)? {
        Value::Null => Err(AppError::bad(name, missing)),
        v => Ok(v),
    }
}

// ---- pages ----

pub async fn overview(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Overview, Failed::default(), StatusCode::OK).await
}

pub async fn sessions(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Sessions, Failed::default(), StatusCode::OK).await
}

pub async fn units(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Units, Failed::default(), StatusCode::OK).await
}

pub async fn users(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Users, Failed::default(), StatusCode::OK).await
}

pub async fn categories(State(s): State<AppState>, staff: Staff) -> Response {
    render(
        &s,
        staff,
        Tab::Categories,
        Failed::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn policy(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Policy, Failed::default(), StatusCode::OK).await
}

pub async fn calendar(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Calendar, Failed::default(), StatusCode::OK).await
}

pub async fn backups(State(s): State<AppState>, staff: Staff) -> Response {
    render(&s, staff, Tab::Backups, Failed::default(), StatusCode::OK).await
}

/// A backup file, streamed (admin only; any name not in the list is 404).
pub async fn download_backup(
    State(s): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Response {
    let path = match s.app.backup_file(&staff.actor, &name).await {
        Ok(p) => p,
        Err(e) => return staff.fail(&e),
    };
    let opened = match tokio::fs::File::open(&path).await {
        Ok(f) => f.metadata().await.map(|m| (f, m.len())),
        Err(e) => Err(e),
    };
    let Ok((file, length)) = opened else {
        return staff.fail(&AppError::NotFound("备份"));
    };
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CONTENT_LENGTH, length.to_string()),
            // Every record of the organisation: never kept by a shared cache.
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response()
}

// ---- forms ----

pub async fn backup_now(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    // In its own task: a backup that outlives the request's timeout still finishes (and
    // renames its file) instead of being dropped half-written.
    let (app, actor) = (s.app.clone(), staff.actor.clone());
    let result = match tokio::spawn(async move { app.backup_now(&actor).await }).await {
        Ok(done) => done.map(|_| ()),
        Err(e) => Err(AppError::Internal(format!("备份任务中断：{e}"))),
    };
    finish(&s, staff, Tab::Backups, "backup", &f, result, "saved").await
}

/// Text messages on or off for the organisation (sent only where the server has a webhook).
pub async fn set_sms(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let enabled = f.flag("enabled") == Value::Bool(true);
    let result = s.app.set_sms_notifications(&staff.actor, enabled).await;
    finish(&s, staff, Tab::Overview, "sms", &f, result, "saved").await
}

pub async fn create_session(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let body = object(vec![
            ("name", f.text("name")),
            ("body_name", f.text("body_name")),
            ("kind", f.choice("kind", "请选择类型：提案或建议")?),
            ("term", whole(&f, "term")?),
            ("sitting", whole(&f, "sitting")?),
            (
                "opened_on",
                required_date(&f, "opened_on", "请填写开幕日期")?,
            ),
            ("cosign_cutoff", f.date("cosign_cutoff")?),
        ]);
        s.app
            .create_session(&staff.actor, input(body))
            .await
            .map(drop)
    }
    .await;
    finish(&s, staff, Tab::Sessions, "session", &f, result, "created").await
}

/// 闭会 (`close`) or 重新开放 (`reopen`) a session.
pub async fn session_action(
    State(s): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("届次会议"));
    };
    let closed = match action.as_str() {
        "close" => true,
        "reopen" => false,
        _ => return staff.fail(&AppError::NotFound("操作")),
    };
    let result = s
        .app
        .close_session(&staff.actor, id, closed)
        .await
        .map(drop);
    let form = format!("{action}-{id}");
    finish(&s, staff, Tab::Sessions, &form, &f, result, "saved").await
}

pub async fn create_unit(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let body = object(vec![
            ("name", f.text("name")),
            ("short_name", f.opt_text("short_name")),
            ("parent_id", f.int("parent_id")?),
            ("doc_prefix", f.opt_text("doc_prefix")),
            ("doc_prefix_suggestion", f.opt_text("doc_prefix_suggestion")),
        ]);
        s.app.create_unit(&staff.actor, input(body)).await.map(drop)
    }
    .await;
    finish(&s, staff, Tab::Units, "unit", &f, result, "created").await
}

pub async fn create_user(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let body = object(vec![
            ("username", f.text("username")),
            ("display_name", f.text("display_name")),
            ("password", f.text("password")),
            ("role", f.choice("role", "请选择角色")?),
            ("unit_id", f.int("unit_id")?),
            ("sector", f.opt_text("sector")),
            ("email", f.opt_text("email")),
            ("phone", f.opt_text("phone")),
        ]);
        s.app.create_user(&staff.actor, input(body)).await.map(drop)
    }
    .await;
    finish(&s, staff, Tab::Users, "user", &f, result, "created").await
}

/// A row action on a user: `disable`, `enable`, `role` (role and unit) or `password`.
pub async fn user_action(
    State(s): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("用户"));
    };
    let app = &s.app;
    let a = &staff.actor;
    let result = async {
        match action.as_str() {
            "disable" => drop(app.set_user_disabled(a, id, true).await?),
            "enable" => drop(app.set_user_disabled(a, id, false).await?),
            "role" => {
                let unit = match f.get("unit_id") {
                    Some(name) => Value::from(unit_id(&app.list_units().await?, name)?),
                    None => Value::Null,
                };
                drop(
                    app.set_user_role(
                        a,
                        id,
                        input(object(vec![
                            ("role", f.choice("role", "请选择角色")?),
                            ("unit_id", unit),
                        ])),
                    )
                    .await?,
                )
            }
            "password" => {
                app.reset_user_password(
                    a,
                    id,
                    input(object(vec![("password", f.text("password"))])),
                )
                .await?
            }
            _ => return Err(AppError::NotFound("操作")),
        }
        Ok(())
    }
    .await;
    let form = format!("{action}-{id}");
    finish(&s, staff, Tab::Users, &form, &f, result, "saved").await
}

pub async fn add_category(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let body = object(vec![
            ("name", f.text("name")),
            ("parent_id", f.int("parent_id")?),
        ]);
        s.app
            .add_category(&staff.actor, input(body))
            .await
            .map(drop)
    }
    .await;
    finish(
        &s,
        staff,
        Tab::Categories,
        "category",
        &f,
        result,
        "created",
    )
    .await
}

/// The policy form carries every field of the policy; each is converted by its current type.
pub async fn set_policy(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let current = serde_json::to_value(banli_domain::policy::Policy::default())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let Value::Object(fields) = current else {
            return Err(AppError::Internal("policy is not an object".into()));
        };
        let mut body = Vec::new();
        for (name, value) in &fields {
            let v = match value {
                Value::Bool(_) => f.flag(name),
                Value::Number(n) => {
                    let Some(text) = f.get(name) else {
                        return Err(AppError::bad(name, "请填写数字"));
                    };
                    if n.is_f64() {
                        text.parse::<f64>()
                            .ok()
                            .filter(|x| x.is_finite())
                            .map(Value::from)
                            .ok_or_else(|| {
                                AppError::bad(name, format!("“{text}”不是有效的数字，例如 0.2"))
                            })?
                    } else {
                        text.parse::<u32>().map(Value::from).map_err(|_| {
                            AppError::bad(name, format!("“{text}”不是有效的数字，请填写0或正整数"))
                        })?
                    }
                }
                _ => f.choice(name, "请选择")?,
            };
            body.push((name.as_str(), v));
        }
        s.app
            .set_policy(&staff.actor, input(object(body)))
            .await
            .map(drop)
    }
    .await;
    finish(&s, staff, Tab::Policy, "policy", &f, result, "saved").await
}

/// A year's national calendar: either the holiday-cn JSON file pasted as it is, or one line
/// per listed day: `date,name,休|班` (休: day off, 班: make-up workday).
fn year_days(f: &Form) -> Result<(Value, Value), AppError> {
    let text = f.get("days").unwrap_or("");
    let mut year = whole(f, "year")?;
    if text.starts_with('{') {
        let file: Value = serde_json::from_str(text)
            .map_err(|e| AppError::bad("days", format!("节假日数据不是有效的 JSON：{e}")))?;
        if year.is_null() {
            year = file.get("year").cloned().unwrap_or(Value::Null);
        }
        let days = file
            .get("days")
            .cloned()
            .ok_or_else(|| AppError::bad("days", "JSON 中缺少 days 列表"))?;
        return Ok((year, days));
    }
    let mut days = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line
            .split([',', '，', '\t', ' ', '、'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let bad = || {
            AppError::bad(
                "days",
                format!(
                    "第{}行“{line}”格式有误：应为 日期,名称,休/班，例如 2027-01-01,元旦,休",
                    n + 1
                ),
            )
        };
        let [date, name, kind] = parts.as_slice() else {
            return Err(bad());
        };
        if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
            return Err(bad());
        }
        let off = match *kind {
            "休" | "放假" | "off" => true,
            "班" | "上班" | "调休上班" | "work" => false,
            _ => return Err(bad()),
        };
        days.push(serde_json::json!({"date": date, "name": name, "isOffDay": off}));
    }
    if year.is_null() {
        return Err(AppError::bad("year", "请填写年份"));
    }
    Ok((year, Value::Array(days)))
}

pub async fn add_year(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let (year, days) = year_days(&f)?;
        s.app
            .add_calendar_year(
                &staff.actor,
                input(object(vec![("year", year), ("days", days)])),
            )
            .await
            .map(drop)
    }
    .await;
    finish(&s, staff, Tab::Calendar, "year", &f, result, "saved").await
}

pub async fn add_day_off(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    let result = async {
        let body = object(vec![
            ("date", required_date(&f, "date", "请填写放假日期")?),
            ("name", f.text("name")),
        ]);
        s.app
            .add_local_day_off(&staff.actor, input(body))
            .await
            .map(drop)
    }
    .await;
    finish(&s, staff, Tab::Calendar, "dayoff", &f, result, "saved").await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::Lang;
    use banli_domain::model::Role;

    #[test]
    fn every_policy_field_has_a_label_in_both_languages() {
        let map = serde_json::to_value(banli_domain::policy::Policy::default()).unwrap();
        let en = Tr { lang: Lang::En };
        for name in map.as_object().unwrap().keys() {
            let label = POLICY_LABELS
                .iter()
                .find(|(f, _, _)| f == name)
                .unwrap_or_else(|| panic!("policy field {name} has no label"));
            assert_ne!(en.s(label.1), label.1, "no English for {}", label.1);
            if !label.2.is_empty() {
                assert_ne!(en.s(label.2), label.2, "no English for {}", label.2);
            }
        }
        for (_, label, _) in TABS {
            assert_ne!(en.s(label), *label, "no English for {label}");
        }
        for (_, _, label) in POLICY_CHOICES {
            assert_ne!(en.s(label), *label, "no English for {label}");
        }
    }

    #[test]
    fn the_role_choices_are_every_role() {
        assert_eq!(
            ROLES,
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .as_slice()
        );
    }

    #[test]
    fn a_year_is_read_from_lines_or_from_the_holiday_cn_file() {
        let f = Form::parse("year=2027&days=2027-01-01%2C%E5%85%83%E6%97%A6%2C%E4%BC%91%0A2027-02-07+%E6%98%A5%E8%8A%82+%E7%8F%AD".as_bytes());
        let (year, days) = year_days(&f).unwrap();
        assert_eq!(year, Value::from(2027));
        assert_eq!(
            days,
            serde_json::json!([{"date": "2027-01-01", "name": "元旦", "isOffDay": true}, {"date": "2027-02-07", "name": "春节", "isOffDay": false}])
        );
        let body =
            r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
        let f = Form::parse(
            format!(
                "days={}",
                form_urlencoded::byte_serialize(body.as_bytes()).collect::<String>()
            )
            .as_bytes(),
        );
        let (year, days) = year_days(&f).unwrap();
        assert_eq!(year, Value::from(2027));
        assert_eq!(days.as_array().unwrap().len(), 1);
        let e = year_days(&Form::parse("year=2027&days=2027-13-01,x,休".as_bytes())).unwrap_err();
        assert_eq!(e.field(), Some("days"));
    }
}
