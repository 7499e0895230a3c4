//! The import page: an office spreadsheet of items (or, for an admin, of units or users)
//! uploaded as multipart/form-data and handed to the same all-or-nothing use cases as
//! `banli import`. The form's CSRF token is checked here (the multipart body is not a
//! `StaffPost`); who may import what is decided by the use cases alone — the page offers the
//! kinds whose use case does not refuse this user.

use super::{html, Chrome, Staff, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use banli_app::admin::SessionOut;
use banli_app::import::{ImportError, ImportIssue, COLUMNS, UNIT_COLUMNS, USER_COLUMNS};
use banli_app::signin::same_secret;
use banli_app::{Actor, AppError};
use banli_docs::{read_csv_limited, read_xlsx_limited, Limits, SheetError, Table};

/// Uploads up to this size (the router's general limit is far smaller).
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

const KINDS: &[&str] = &["items", "units", "users"];

/// What an import did (or, for a dry run, would do).
pub struct Done {
    pub dry_run: bool,
    pub kind: String,
    pub rows: usize,
    pub filed: usize,
    pub submitted: usize,
    pub assignments: usize,
}

#[derive(Template)]
#[template(path = "staff/import.html")]
struct ImportPage {
    c: Chrome,
    t: Tr,
    kinds: Vec<&'static str>,
    kind: String,
    sessions: Vec<SessionOut>,
    session_id: i64,
    dry_run: bool,
    file_name: String,
    done: Option<Done>,
    issues: Vec<ImportIssue>,
    /// A refusal not tied to a row: (field of the form, message).
    error: Option<(String, String)>,
}

impl ImportPage {
    fn offers(&self, kind: &str) -> bool {
        self.kinds.contains(&kind)
    }
    fn columns(&self, kind: &str) -> String {
        match kind {
            "units" => UNIT_COLUMNS.join("、"),
            "users" => USER_COLUMNS.join("、"),
            _ => COLUMNS.join("、"),
        }
    }
    fn error_at(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
    fn general_error(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| !["kind", "session_id", "file"].contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
    }
}

/// Asks each import use case with an empty table whether it accepts this user: a refusal is
/// `Forbidden` before anything is read or written; anything else means the kind is theirs.
async fn allowed(s: &AppState, actor: &Actor) -> (Vec<&'static str>, Option<AppError>) {
    let empty = Table {
        headers: Vec::new(),
        rows: Vec::new(),
    };
    let mut kinds = Vec::new();
    let mut refusal = None;
    for kind in KINDS {
        let r = match *kind {
            "items" => s
                .app
                .import_items(actor, 0, &empty, true, |_, _| {})
                .await
                .map(|_| ()),
            "units" => s.app.import_units(actor, &empty, true).await.map(|_| ()),
            _ => s.app.import_users(actor, &empty, true).await.map(|_| ()),
        };
        match r {
            Err(ImportError::App(e @ AppError::Forbidden(_))) => refusal = refusal.or(Some(e)),
            _ => kinds.push(*kind),
        }
    }
    (kinds, refusal)
}

fn blank(c: Chrome, kinds: Vec<&'static str>, sessions: Vec<SessionOut>) -> ImportPage {
    let session_id = sessions.last().map(|s| s.id).unwrap_or(0);
    ImportPage {
        t: c.t,
        kind: kinds.first().copied().unwrap_or("items").to_string(),
        kinds,
        sessions,
        session_id,
        dry_run: false,
        file_name: String::new(),
        done: None,
        issues: Vec::new(),
        error: None,
        c,
    }
}

/// `GET /app/import`.
pub async fn page(State(s): State<AppState>, staff: Staff) -> Response {
    let (kinds, refusal) = allowed(&s, &staff.actor).await;
    if kinds.is_empty() {
        return staff
            .fail(&refusal.unwrap_or_else(|| AppError::forbidden("您的角色无权执行此操作")));
    }
    let sessions = match s.app.list_sessions().await {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    html(
        t.lang,
        StatusCode::OK,
        &blank(staff.chrome, kinds, sessions),
    )
}

/// The multipart form's fields.
#[derive(Default)]
struct Upload {
    csrf: Option<String>,
    kind: Option<String>,
    session_id: Option<String>,
    dry_run: bool,
    file_name: String,
    file: Option<Vec<u8>>,
}

async fn read_form(mut mp: Multipart) -> Result<Upload, (StatusCode, String)> {
    let mut u = Upload::default();
    let fail = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            (
                status,
                format!("文件过大：最大 {} MB", UPLOAD_LIMIT / 1024 / 1024),
            )
        } else {
            (
                StatusCode::BAD_REQUEST,
                format!("上传未完成，请重试（{}）", e.body_text()),
            )
        }
    };
    while let Some(field) = mp.next_field().await.map_err(fail)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                u.file_name = field.file_name().unwrap_or("").to_string();
                u.file = Some(field.bytes().await.map_err(fail)?.to_vec());
            }
            "_csrf" | "kind" | "session_id" | "dry_run" => {
                let v = field.text().await.map_err(fail)?.trim().to_string();
                match name.as_str() {
                    "_csrf" => u.csrf = Some(v),
                    "kind" => u.kind = Some(v),
                    "session_id" => u.session_id = Some(v),
                    _ => u.dry_run = matches!(v.as_str(), "1" | "on" | "true" | "yes"),
                }
            }
            // Unknown fields are read and ignored.
            _ => {
                field.bytes().await.map_err(fail)?;
            }
        }
    }
    Ok(u)
}

/// The table of an uploaded .xlsx or .csv (by its name; an .xlsx is also known by its zip magic).
fn table(name: &str, bytes: &[u8], limits: Limits) -> Result<Table, SheetError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" => read_xlsx_limited(bytes, limits),
        "csv" => read_csv_limited(bytes, limits),
        "" if bytes.starts_with(b"PK\x03\x04") => read_xlsx_limited(bytes, limits),
        "" => read_csv_limited(bytes, limits),
        other => Err(SheetError::Kind(other.to_string())),
    }
}

fn csrf_refused(staff: Staff) -> Response {
    tracing::warn!(user = %staff.actor.username, "import upload without a valid CSRF token refused");
    staff.fail(&AppError::forbidden(
        "表单已过期或来源不明（CSRF 校验失败），未做任何修改。请刷新页面后重试。",
    ))
}

/// `POST /app/import` (multipart/form-data): `_csrf`, `kind`, `session_id`, `dry_run`, `file`.
pub async fn upload(
    State(s): State<AppState>,
    staff: Staff,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    // Not multipart at all: there is no token to check, so it is refused like a forged form.
    let Ok(mp) = mp else {
        return csrf_refused(staff);
    };
    let form = read_form(mp).await;
    // The token first, before anything else is looked at.
    let token_ok = form
        .as_ref()
        .ok()
        .and_then(|u| u.csrf.as_deref())
        .is_some_and(|tok| same_secret(tok, &staff.csrf));
    let u = match form {
        Ok(u) if token_ok => u,
        Ok(_) => return csrf_refused(staff),
        // A broken or oversized body: nothing can be trusted, nothing is done.
        Err((status, message)) => {
            return match status {
                StatusCode::PAYLOAD_TOO_LARGE => {
                    let mut r = staff.fail(&AppError::bad("file", message));
                    *r.status_mut() = status;
                    r
                }
                _ => staff.fail(&AppError::bad("file", message)),
            };
        }
    };
    // Then the right to import this kind (the use case's answer), whatever the file holds.
    let (kinds, refusal) = allowed(&s, &staff.actor).await;
    let kind = u.kind.clone().unwrap_or_else(|| "items".into());
    if !kinds.contains(&kind.as_str()) && (KINDS.contains(&kind.as_str()) || kinds.is_empty()) {
        return staff
            .fail(&refusal.unwrap_or_else(|| AppError::forbidden("您的角色无权执行此操作")));
    }
    let sessions = match s.app.list_sessions().await {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    let limits = match s.app.import_limits().await {
        Ok(l) => l,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    let actor = staff.actor.clone();
    let mut page = blank(staff.chrome, kinds, sessions);
    page.kind = kind.clone();
    page.dry_run = u.dry_run;
    page.file_name = u.file_name.clone();
    let session_id = u
        .session_id
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(str::parse::<i64>);
    if let Some(Ok(id)) = session_id {
        page.session_id = id;
    }
    let refuse = |mut page: ImportPage, status: StatusCode, field: &str, message: String| {
        page.error = Some((field.to_string(), message));
        html(t.lang, status, &page)
    };
    if !KINDS.contains(&kind.as_str()) {
        return refuse(
            page,
            StatusCode::BAD_REQUEST,
            "kind",
            format!("“{kind}”不是可导入的内容（提案、承办单位或用户）"),
        );
    }
    let Some(bytes) = u.file.filter(|b| !b.is_empty()) else {
        return refuse(
            page,
            StatusCode::BAD_REQUEST,
            "file",
            "请选择要导入的文件（.xlsx 或 .csv）".into(),
        );
    };
    let table = match table(&u.file_name, &bytes, limits) {
        Ok(tb) => tb,
        Err(e) => {
            return refuse(
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
                e.to_string(),
            )
        }
    };
    let result = match kind.as_str() {
        "items" => {
            let id = match session_id {
                Some(Ok(id)) => id,
                Some(Err(_)) => {
                    return refuse(
                        page,
                        StatusCode::BAD_REQUEST,
                        "session_id",
                        "届次会议编号有误".into(),
                    )
                }
                None => {
                    return refuse(
                        page,
                        StatusCode::BAD_REQUEST,
                        "session_id",
                        "请选择导入到哪个届次会议".into(),
                    )
                }
            };
            s.app
                .import_items(&actor, id, &table, u.dry_run, |_, _| {})
                .await
                .map(|r| Done {
                    dry_run: r.dry_run,
                    kind: kind.clone(),
                    rows: r.rows,
                    filed: r.filed,
                    submitted: r.submitted,
                    assignments: r.assignments,
                })
        }
        "units" => s
            .app
            .import_units(&actor, &table, u.dry_run)
            .await
            .map(|n| Done {
                dry_run: u.dry_run,
                kind: kind.clone(),
                rows: n,
                filed: 0,
                submitted: 0,
                assignments: 0,
            }),
        _ => s
            .app
            .import_users(&actor, &table, u.dry_run)
            .await
            .map(|n| Done {
                dry_run: u.dry_run,
                kind: kind.clone(),
                rows: n,
                filed: 0,
                submitted: 0,
                assignments: 0,
            }),
    };
    match result {
        Ok(done) => {
            if !done.dry_run {
                tracing::info!(user = %actor.username, kind = %done.kind, rows = done.rows, "imported from the staff app");
            }
            page.done = Some(done);
            html(t.lang, StatusCode::OK, &page)
        }
        Err(ImportError::Rows(issues)) => {
            page.issues = issues;
            html(t.lang, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(ImportError::App(e)) => {
            let status = match &e {
                AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
                AppError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => return super::error_page(page.c, &e),
            };
            // import_items names the session as `session`.
            let field = match e.field() {
                Some("session") | Some("session_id") => "session_id",
                _ => "",
            };
            refuse(page, status, field, e.to_string())
        }
    }
}

/// `GET /app/import/template.xlsx[?kind=units|users]`: the columns to fill in (items: the
/// same template as `banli import --template`).
pub async fn template(staff: Staff, RawQuery(raw): RawQuery) -> Response {
    let kind = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "kind")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let made = match kind.as_str() {
        "units" => banli_docs::write_xlsx(&[banli_docs::Sheet {
            name: "承办单位",
            headers: UNIT_COLUMNS,
            rows: Vec::new(),
        }]),
        "users" => banli_docs::write_xlsx(&[banli_docs::Sheet {
            name: "用户",
            headers: USER_COLUMNS,
            rows: Vec::new(),
        }]),
        _ => banli_app::import::template(),
    };
    let name = match kind.as_str() {
        "units" => "units-template.xlsx",
        "users" => "users-template.xlsx",
        _ => "import-template.xlsx",
    };
    match made {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => staff.fail(&AppError::Internal(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_read_by_name_or_content() {
        let csv = "标题,内容\n甲,乙\n".as_bytes();
        assert_eq!(
            table("a.CSV", csv, Limits::default()).unwrap().rows,
            vec![vec!["甲".to_string(), "乙".to_string()]]
        );
        assert_eq!(
            table("", csv, Limits::default()).unwrap().headers,
            vec!["标题", "内容"]
        );
        assert!(
            matches!(table("a.txt", csv, Limits::default()), Err(SheetError::Kind(k)) if k == "txt")
        );
        let xlsx = banli_app::import::template().unwrap();
        assert_eq!(
            table("", &xlsx, Limits::default()).unwrap().headers,
            COLUMNS
        );
        assert_eq!(
            table("x.xlsx", &xlsx, Limits::default()).unwrap().headers,
            COLUMNS
        );
    }
}
