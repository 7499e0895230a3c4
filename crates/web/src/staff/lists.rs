//! The work queue, the item and assignment lists (filtered, sorted, paged, exportable) and
//! the notification list.

use super::{html, see_other, Chrome, Staff, StaffPost, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use banli_app::admin::SessionOut;
use banli_app::notify::NotificationOut;
use banli_app::queue::QueueSection;
use banli_app::view::{AssignmentOut, AssignmentQuery, ItemQuery, ItemSummary};
use banli_app::AppError;
use banli_domain::model::{AssignmentState, ItemState, Role};
use banli_domain::rights::Capability;

#[derive(Template)]
#[template(path = "staff/queue.html")]
struct QueuePage {
    c: Chrome,
    t: Tr,
    sections: Vec<QueueSection>,
}

pub async fn queue(State(s): State<AppState>, staff: Staff) -> Response {
    // The admin has no work queue: they land on the overview of the organisation.
    if staff.actor.role == Role::Admin {
        return axum::response::Redirect::to("/app/admin").into_response();
    }
    let sections = match s.app.work_queue(&staff.actor).await {
        Ok(q) => q,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    html(
        t.lang,
        StatusCode::OK,
        &QueuePage {
            t,
            sections,
            c: staff.chrome,
        },
    )
}

/// Parses a list's query string; a bad parameter is an error page naming it.
pub(super) fn query<T: serde::de::DeserializeOwned + Default>(
    raw: &Option<String>,
) -> Result<T, AppError> {
    match raw.as_deref().filter(|q| !q.is_empty()) {
        None => Ok(T::default()),
        Some(q) => {
            // Empty fields from a GET form mean "any".
            let cleaned: String = form_urlencoded::parse(q.as_bytes())
                .filter(|(k, v)| !v.trim().is_empty() && k != "done")
                .fold(
                    form_urlencoded::Serializer::new(String::new()),
                    |mut ser, (k, v)| {
                        ser.append_pair(&k, v.trim());
                        ser
                    },
                )
                .finish();
            serde_urlencoded_like(&cleaned)
        }
    }
}

fn serde_urlencoded_like<T: serde::de::DeserializeOwned>(q: &str) -> Result<T, AppError> {
    let uri: axum::http::Uri = format!("/?{q}")
        .parse()
        .map_err(|_| AppError::bad("query", "查询参数有误"))?;
    axum::extract::Query::<T>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| {
            let text = e.body_text();
            let field = text.split('`').nth(1).map(str::to_string);
            AppError::BadInput {
                field,
                message: format!("查询参数有误：{text}"),
            }
        })
}

/// The query string for another page of the same list.
pub(super) fn page_link(raw: &Option<String>, page: i64) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        if k != "page" && k != "done" && !v.is_empty() {
            ser.append_pair(&k, &v);
        }
    }
    ser.append_pair("page", &page.to_string());
    format!("?{}", ser.finish())
}

#[derive(Clone)]
pub struct Pager {
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

pub(super) fn pager(raw: &Option<String>, total: i64, page: i64, per: i64) -> Pager {
    let pages = ((total + per - 1) / per).max(1);
    Pager {
        total,
        page,
        pages,
        prev: (page > 1).then(|| page_link(raw, page - 1)),
        next: (page < pages).then(|| page_link(raw, page + 1)),
    }
}

#[derive(Template)]
#[template(path = "staff/items.html")]
struct ItemsPage {
    c: Chrome,
    t: Tr,
    items: Vec<ItemSummary>,
    pager: Pager,
    q: ItemQuery,
    sessions: Vec<SessionOut>,
    categories: Vec<String>,
    units: Vec<(i64, String)>,
    states: Vec<&'static str>,
    export: String,
    office: bool,
}

impl ItemsPage {
    fn is_session(&self, id: &i64) -> bool {
        self.q.session_id == Some(*id)
    }
    fn is_unit(&self, id: &i64) -> bool {
        self.q.unit_id == Some(*id)
    }
}

impl AssignmentsPage {
    fn is_unit(&self, id: &i64) -> bool {
        self.q.unit_id == Some(*id)
    }
}

pub async fn items(State(s): State<AppState>, staff: Staff, RawQuery(raw): RawQuery) -> Response {
    let mut q: ItemQuery = match query(&raw) {
        Ok(q) => q,
        Err(e) => return staff.fail(&e),
    };
    let xlsx = raw
        .as_deref()
        .is_some_and(|r| r.split('&').any(|kv| kv == "format=xlsx"));
    let loaded = async {
        let ids = crate::lookup::search_ids(&s, &staff.actor, q.q.as_deref(), q.session_id).await?;
        let list_q = ItemQuery {
            ids,
            session_id: q.session_id,
            state: q.state.clone(),
            unit_id: q.unit_id,
            category: q.category.clone(),
            q: q.q.clone(),
            sort: q.sort.clone(),
            page: q.page,
            per_page: q.per_page,
        };
        if xlsx {
            return Ok(Err(s.app.items_workbook(&staff.actor, list_q).await?));
        }
        let page = s.app.list_items(&staff.actor, list_q).await?;
        let sessions = s.app.list_sessions().await?;
        let categories = s
            .app
            .categories()
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect::<Vec<_>>();
        let units = s
            .app
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect::<Vec<_>>();
        Ok::<_, AppError>(Ok((page, sessions, categories, units)))
    }
    .await;
    let (page, sessions, categories, units) = match loaded {
        Ok(Ok(v)) => v,
        Ok(Err(bytes)) => return workbook(bytes, "items.xlsx"),
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    q.page = Some(page.page);
    let export = format!("{}&format=xlsx", page_link(&raw, 1));
    let office = staff.actor.may(Capability::SeeEveryUnitsWork);
    let page_out = ItemsPage {
        t,
        pager: pager(&raw, page.total, page.page, page.per_page),
        items: page.items,
        q,
        sessions,
        categories,
        units,
        states: ItemState::ALL.iter().map(|s| s.as_str()).collect(),
        export,
        office,
        c: staff.chrome,
    };
    html(t.lang, StatusCode::OK, &page_out)
}

pub(super) fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            // Names and phone numbers: never kept by a shared cache.
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "staff/assignments.html")]
struct AssignmentsPage {
    c: Chrome,
    t: Tr,
    items: Vec<AssignmentOut>,
    pager: Pager,
    q: AssignmentQuery,
    units: Vec<(i64, String)>,
    states: Vec<&'static str>,
    export: String,
    office: bool,
}

pub async fn assignments(
    State(s): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Response {
    let mut q: AssignmentQuery = match query(&raw) {
        Ok(q) => q,
        Err(e) => return staff.fail(&e),
    };
    let xlsx = raw
        .as_deref()
        .is_some_and(|r| r.split('&').any(|kv| kv == "format=xlsx"));
    if xlsx {
        return match s.app.assignments_workbook(&staff.actor, q).await {
            Ok(bytes) => workbook(bytes, "assignments.xlsx"),
            Err(e) => staff.fail(&e),
        };
    }
    let list_q = AssignmentQuery {
        unit_id: q.unit_id,
        state: q.state.clone(),
        due_before: q.due_before,
        page: q.page,
        per_page: q.per_page,
    };
    let loaded = async {
        Ok::<_, AppError>((
            s.app.list_assignments(&staff.actor, list_q).await?,
            s.app.list_units().await?,
        ))
    }
    .await;
    let (page, units) = match loaded {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    q.page = Some(page.page);
    let office = staff.actor.may(Capability::SeeEveryUnitsWork);
    let out = AssignmentsPage {
        t,
        pager: pager(&raw, page.total, page.page, page.per_page),
        items: page.items,
        q,
        units: units.into_iter().map(|u| (u.id, u.name)).collect(),
        states: AssignmentState::ALL.iter().map(|s| s.as_str()).collect(),
        export: format!("{}&format=xlsx", page_link(&raw, 1)),
        office,
        c: staff.chrome,
    };
    html(t.lang, StatusCode::OK, &out)
}

#[derive(Template)]
#[template(path = "staff/notifications.html")]
struct NotificationsPage {
    c: Chrome,
    t: Tr,
    page: banli_app::notify::NotificationPage,
    /// The page's notifications grouped per item, newest first: the newest of each item, and
    /// the item's others on this page.
    groups: Vec<(NotificationOut, Vec<NotificationOut>)>,
    pager: Pager,
}

/// Notifications per item, in the order each item's newest appears; one without an item is
/// a group of its own.
fn per_item(items: &[NotificationOut]) -> Vec<(NotificationOut, Vec<NotificationOut>)> {
    let mut groups: Vec<(NotificationOut, Vec<NotificationOut>)> = Vec::new();
    for n in items {
        match groups
            .iter_mut()
            .find(|(first, _)| n.item_id.is_some() && first.item_id == n.item_id)
        {
            Some((_, rest)) => rest.push(n.clone()),
            None => groups.push((n.clone(), Vec::new())),
        }
    }
    groups
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    page: Option<i64>,
}

pub async fn notifications(
    State(s): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Response {
    let q: PageQuery = match query(&raw) {
        Ok(q) => q,
        Err(e) => return staff.fail(&e),
    };
    let page = match s
        .app
        .notifications(&staff.actor, q.page.unwrap_or(1), 30)
        .await
    {
        Ok(p) => p,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    let pager = pager(&raw, page.total, page.page, page.per_page);
    let groups = per_item(&page.items);
    html(
        t.lang,
        StatusCode::OK,
        &NotificationsPage {
            t,
            page,
            groups,
            pager,
            c: staff.chrome,
        },
    )
}

/// Marks one notification (`id`) or all of them read.
pub async fn notifications_read(State(s): State<AppState>, p: StaffPost) -> Response {
    let ids = match p.form.get("id").map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(vec![id]),
        Some(Err(_)) => return p.staff.fail(&AppError::bad("id", "通知编号有误")),
    };
    match s.app.mark_notifications_read(&p.staff.actor, ids).await {
        Ok(_) => see_other("/app/notifications", "done"),
        Err(e) => p.staff.fail(&e),
    }
}
