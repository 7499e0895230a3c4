//! The staff web app under `/app` (DESIGN §8): server-rendered pages for every signed-in
//! role, usable without JavaScript. Every form posts back here with the session's CSRF
//! token; handlers translate the form into the same input the API sends, and call the same
//! use case, so rights and validation are decided in one place (`banli_app`).

mod account;
mod admin;
mod charts;
mod dashboard;
mod form;
mod i18n;
mod items;
mod labels;
mod ledgers;
mod letters;
mod lists;
mod session;
mod upload;

pub use form::Form;
pub use i18n::{Lang, Tr};
pub use session::{Staff, StaffPost};
pub use upload::UPLOAD_LIMIT;

use crate::AppState;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use banli_app::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app", get(lists::queue))
        .route("/app/login", get(account::login_page).post(account::login))
        .route("/app/logout", post(account::logout))
        .route("/app/account", get(account::page))
        .route("/app/account/password", post(account::password))
        .route("/app/account/language", post(account::language))
        .route("/app/items", get(lists::items).post(items::create))
        .route("/app/items/new", get(items::new_page))
        .route("/app/items/{id}", get(items::page))
        .route("/app/items/{id}/{action}", post(items::item_action))
        .route("/app/assignments", get(lists::assignments))
        .route("/app/replies", get(ledgers::replies))
        .route("/app/commitments", get(ledgers::commitments))
        .route(
            "/app/assignments/{id}/{*action}",
            post(items::assignment_action),
        )
        .route("/app/assignments/{id}/reply.pdf", get(letters::reply))
        .route(
            "/app/assignments/{id}/co-opinion.pdf",
            get(letters::co_opinion),
        )
        .route(
            "/app/assignments/{id}/feedback-form.pdf",
            get(letters::feedback_form),
        )
        .route(
            "/app/documents/{kind}/{id}/{action}",
            post(items::document_action),
        )
        .route(
            "/app/commitments/{id}/progress",
            post(items::commitment_progress),
        )
        .route(
            "/app/notifications",
            get(lists::notifications).post(lists::notifications_read),
        )
        .route("/app/stats", get(dashboard::page))
        .route("/app/stats.xlsx", get(dashboard::workbook))
        .route(
            "/app/import",
            get(upload::page)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload::UPLOAD_LIMIT)),
        )
        .route("/app/import/template.xlsx", get(upload::template))
        .route("/static/staff.css", get(css))
        .merge(admin::routes())
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/staff.css"),
    )
        .into_response()
}

/// What every page's frame needs: who is signed in, the language, the CSRF token, the
/// navigation for the role, unread notifications, and a message after a redirect.
pub struct Chrome {
    pub t: Tr,
    pub user: String,
    pub role: String,
    pub csrf: String,
    pub nav: Vec<(&'static str, &'static str, bool)>,
    pub unread: i64,
    pub flash: Option<String>,
    pub org: String,
}

/// Renders a page in the user's language: Traditional is the Simplified page through OpenCC.
pub fn html(lang: Lang, status: StatusCode, tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(page) => {
            let page = if lang == Lang::Hant {
                traditional_page(&page)
            } else {
                page
            };
            let mut resp = (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page,
            )
                .into_response();
            // Personal pages: never from a shared cache, and not from history after sign-out.
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

/// The page in Traditional Chinese except what a form sends back — `value="…"` attributes and
/// `<textarea>` contents stay as stored, so a 繁體 user's posts neither turn stored Simplified
/// text into Traditional nor miss the names (units, categories) the server looks up.
fn traditional_page(page: &str) -> String {
    const VALUE: &str = " value=\"";
    let mut out = String::with_capacity(page.len() + page.len() / 8);
    let mut rest = page;
    loop {
        let value = rest.find(VALUE).map(|i| (i + VALUE.len(), "\""));
        let area = rest
            .find("<textarea")
            .and_then(|i| rest[i..].find('>').map(|j| (i + j + 1, "</textarea>")));
        let (start, end) = match (value, area) {
            (Some(v), Some(a)) => {
                if v.0 < a.0 {
                    v
                } else {
                    a
                }
            }
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => break,
        };
        out.push_str(&crate::portal::to_traditional(&rest[..start]));
        let kept = rest[start..].find(end).map_or(rest.len(), |n| start + n);
        out.push_str(&rest[start..kept]);
        rest = &rest[kept..];
    }
    out.push_str(&crate::portal::to_traditional(rest));
    out
}

#[derive(Template)]
#[template(path = "staff/error.html")]
struct ErrorPage {
    c: Chrome,
    t: Tr,
    title: String,
    message: String,
}

/// An error page with the status of the API (403, 404, 409 …), in the frame when signed in.
pub fn error_page(c: Chrome, e: &AppError) -> Response {
    let (status, title) = match e {
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "无权访问"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "页面不存在"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "当前状态下不能执行此操作"),
        AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "请先登录"),
        AppError::Locked(_) => (StatusCode::TOO_MANY_REQUESTS, "请稍后再试"),
        AppError::BadInput { .. } => (StatusCode::BAD_REQUEST, "输入有误"),
        AppError::Rule { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "输入有误"),
        AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "系统繁忙"),
        AppError::Internal(err) => {
            tracing::error!(error = %err, "internal error on a staff page");
            (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误")
        }
    };
    let message = match e {
        AppError::Internal(_) => {
            "服务器内部错误，请稍后重试；若持续出现请联系系统管理员".to_string()
        }
        e => e.to_string(),
    };
    let t = c.t;
    let lang = t.lang;
    html(
        lang,
        status,
        &ErrorPage {
            title: t.s(title).to_string(),
            message,
            t,
            c,
        },
    )
}

/// After a successful form: back to the page, with a message (Post/Redirect/Get).
pub fn see_other(path: &str, done: &str) -> Response {
    // The query goes before a `#fragment`, or the browser would keep it in the fragment.
    let (path, fragment) = path
        .split_once('#')
        .map_or((path, String::new()), |(p, f)| (p, format!("#{f}")));
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={done}{fragment}")).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_code_goes_before_the_fragment() {
        let r = super::see_other("/app/items/5#a-7", "done");
        assert_eq!(r.headers()["location"], "/app/items/5?done=done#a-7");
        assert_eq!(
            super::see_other("/app/items?page=2", "saved").headers()["location"],
            "/app/items?page=2&done=saved"
        );
    }

    #[test]
    fn traditional_pages_keep_form_values_as_stored() {
        let page = r#"<label>类别</label><option value="经济发展">经济发展</option><input name="t" value="关于头发的提案"><textarea name="b">发展干部
</textarea><p>头发</p>"#;
        let out = super::traditional_page(page);
        assert!(
            out.contains(r#"<option value="经济发展">經濟發展</option>"#),
            "{out}"
        );
        assert!(out.contains(r#"value="关于头发的提案""#), "{out}");
        assert!(
            out.contains("<textarea name=\"b\">发展干部\n</textarea>"),
            "{out}"
        );
        assert!(
            out.contains("<label>類別</label>") && out.ends_with("<p>頭髮</p>"),
            "{out}"
        );
    }
}
