//! The commitments and replies ledgers (台账) with their filters, paging and .xlsx export.

use super::lists::{page_link, pager, query, workbook, Pager};
use super::{html, Chrome, Staff, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use banli_app::admin::SessionOut;
use banli_app::ledgers::{CommitmentRow, LedgerPage, LedgerQuery, ReplyRow};
use banli_app::AppError;
use banli_domain::rights::Capability;

/// What both ledgers' filter forms need.
struct Filters {
    q: LedgerQuery,
    sessions: Vec<SessionOut>,
    units: Vec<(i64, String)>,
    office: bool,
    export: String,
    pager: Pager,
}

impl Filters {
    fn is_session(&self, id: &i64) -> bool {
        self.q.session_id == Some(*id)
    }
    fn is_unit(&self, id: &i64) -> bool {
        self.q.unit_id == Some(*id)
    }
    fn is_status(&self, s: &str) -> bool {
        self.q.status.as_deref() == Some(s)
    }
    fn before(&self) -> String {
        self.q.before.map(|d| d.to_string()).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "staff/commitments.html")]
struct CommitmentsPage {
    c: Chrome,
    t: Tr,
    f: Filters,
    rows: Vec<CommitmentRow>,
    today: chrono::NaiveDate,
}

#[derive(Template)]
#[template(path = "staff/replies.html")]
struct RepliesPage {
    c: Chrome,
    t: Tr,
    f: Filters,
    rows: Vec<ReplyRow>,
}

fn wants_xlsx(raw: &Option<String>) -> bool {
    raw.as_deref()
        .is_some_and(|r| r.split('&').any(|kv| kv == "format=xlsx"))
}

async fn filters(
    s: &AppState,
    staff: &Staff,
    raw: &Option<String>,
    q: LedgerQuery,
    total: i64,
    page: i64,
    per: i64,
) -> Result<Filters, AppError> {
    let units = s
        .app
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(Filters {
        q,
        sessions: s.app.list_sessions().await?,
        units,
        office: staff.actor.may(Capability::SeeEveryUnitsWork),
        export: format!("{}&format=xlsx", page_link(raw, 1)),
        pager: pager(raw, total, page, per),
    })
}

/// The steps both ledgers share: the query, the .xlsx download, the page with its filters.
async fn ledger<T>(
    s: &AppState,
    staff: Staff,
    raw: Option<String>,
    file: &str,
    sheet: impl AsyncFnOnce(&LedgerQuery) -> Result<Vec<u8>, AppError>,
    list: impl AsyncFnOnce(&LedgerQuery) -> Result<LedgerPage<T>, AppError>,
    page: impl FnOnce(Chrome, Tr, Filters, Vec<T>) -> Response,
) -> Response {
    let q: LedgerQuery = match query(&raw) {
        Ok(q) => q,
        Err(e) => return staff.fail(&e),
    };
    if wants_xlsx(&raw) {
        return match sheet(&q).await {
            Ok(bytes) => workbook(bytes, file),
            Err(e) => staff.fail(&e),
        };
    }
    let loaded = async {
        let p = list(&q).await?;
        let f = filters(s, &staff, &raw, q.clone(), p.total, p.page, p.per_page).await?;
        Ok::<_, AppError>((p.rows, f))
    }
    .await;
    match loaded {
        Ok((rows, f)) => {
            let t = staff.t();
            page(staff.chrome, t, f, rows)
        }
        Err(e) => staff.fail(&e),
    }
}

pub async fn commitments(
    State(s): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Response {
    let (app, actor, today) = (s.app.clone(), staff.actor.clone(), s.app.today());
    ledger(
        &s,
        staff,
        raw,
        "commitments.xlsx",
        async |q| app.commitments_workbook(&actor, q).await,
        async |q| app.list_commitments(&actor, q).await,
        |c, t, f, rows| {
            html(
                t.lang,
                StatusCode::OK,
                &CommitmentsPage {
                    c,
                    t,
                    f,
                    rows,
                    today,
                },
            )
        },
    )
    .await
}

pub async fn replies(State(s): State<AppState>, staff: Staff, RawQuery(raw): RawQuery) -> Response {
    let (app, actor) = (s.app.clone(), staff.actor.clone());
    ledger(
        &s,
        staff,
        raw,
        "replies.xlsx",
        async |q| app.replies_workbook(&actor, q).await,
        async |q| app.list_replies(&actor, q).await,
        |c, t, f, rows| html(t.lang, StatusCode::OK, &RepliesPage { c, t, f, rows }),
    )
    .await
}
