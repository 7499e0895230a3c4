//! The signed-in browser: the session cookie, the CSRF check on every form post, and the
//! frame (navigation by role) every page is drawn in.

use super::form::Form;
use super::{error_page, Chrome, Lang, Tr};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use banli_app::signin::{same_secret, ABSOLUTE_HOURS};
use banli_app::{Actor, AppError};
use banli_domain::model::Role;

pub const SESSION_COOKIE: &str = "banli_session";
pub const LOGIN_COOKIE: &str = "banli_login";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for the session (or its removal): HttpOnly, SameSite=Lax, Secure behind https.
pub fn set_cookie(
    state: &AppState,
    name: &str,
    value: Option<&str>,
    path: &str,
    same_site: &str,
) -> HeaderValue {
    let secure = if state.app.settings.public_base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let text = match value {
        Some(v) => format!(
            "{name}={v}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={}{secure}",
            ABSOLUTE_HOURS * 3600
        ),
        None => format!("{name}=; Path={path}; HttpOnly; SameSite={same_site}; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).expect("cookie is ASCII")
}

/// A signed-in user on a page of the staff app.
pub struct Staff {
    pub actor: Actor,
    pub token: String,
    pub csrf: String,
    pub chrome: Chrome,
}

impl Staff {
    pub fn t(&self) -> Tr {
        self.chrome.t
    }
    /// An error page in this user's frame.
    pub fn fail(self, e: &AppError) -> Response {
        error_page(self.chrome, e)
    }
}

fn nav(role: Role) -> Vec<(&'static str, &'static str, bool)> {
    let mut n: Vec<(&'static str, &'static str)> = vec![("/app", "工作台")];
    match role {
        Role::Proposer => n.extend([("/app/items", "我的提案"), ("/app/items/new", "新建提案")]),
        Role::Office => n.extend([
            ("/app/items", "提案"),
            ("/app/assignments", "交办件"),
            ("/app/replies", "答复台账"),
            ("/app/commitments", "承诺事项台账"),
            ("/app/items/new", "代录纸质提案"),
            ("/app/stats", "统计"),
            ("/app/import", "导入"),
        ]),
        Role::UnitStaff | Role::UnitSigner => n.extend([
            ("/app/assignments", "交办件"),
            ("/app/items", "提案"),
            ("/app/replies", "答复台账"),
            ("/app/commitments", "承诺事项台账"),
        ]),
        Role::Admin => n.extend([
            ("/app/admin", "系统管理"),
            ("/app/items", "提案"),
            ("/app/stats", "统计"),
        ]),
    }
    n.push(("/app/notifications", "通知"));
    n.push(("/app/account", "个人设置"));
    n.into_iter()
        .map(|(href, label)| (href, label, false))
        .collect()
}

#[cfg_attr(not(test), allow(dead_code))]
pub const NAV_LABELS: &[&str] = &[
    "工作台",
    "我的提案",
    "新建提案",
    "提案",
    "交办件",
    "答复台账",
    "承诺事项台账",
    "代录纸质提案",
    "统计",
    "导入",
    "系统管理",
    "通知",
    "个人设置",
];
#[cfg_attr(not(test), allow(dead_code))]
pub const FLASHES: &[&str] = &[
    "已保存",
    "已创建",
    "已提交",
    "操作成功",
    "欢迎回来",
    "密码已修改，其他设备上的登录已退出",
    "语言已切换",
];

/// What a `?done=` code after a redirect says.
fn flash(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "已保存",
        "created" => "已创建",
        "submitted" => "已提交",
        "done" => "操作成功",
        "signed_in" => "欢迎回来",
        "password" => "密码已修改，其他设备上的登录已退出",
        "language" => "语言已切换",
        _ => return None,
    })
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/app");
            let next = if parts.method == axum::http::Method::GET {
                next
            } else {
                "/app"
            };
            Redirect::to(&format!("/app/login?next={}", urlencode(next))).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let session = match state.app.web_session(&token).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(crate::error::ApiError(e).into_response()),
        };
        let t = Tr {
            lang: Lang::from_code(&session.actor.locale),
        };
        let path = parts.uri.path().to_string();
        let mut nav = nav(session.actor.role);
        // The longest matching entry is the current page.
        if let Some(best) = nav
            .iter()
            .enumerate()
            .filter(|(_, (href, _, _))| {
                path == *href || (href.len() > 4 && path.starts_with(&format!("{href}/")))
            })
            .max_by_key(|(_, (href, _, _))| href.len())
            .map(|(i, _)| i)
        {
            nav[best].2 = true;
        }
        let done = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("done=")))
            .and_then(flash)
            .map(|m| t.s(m).to_string());
        let unread = state
            .app
            .unread_notifications(&session.actor)
            .await
            .unwrap_or(0);
        let org = state.app.organisation_name().await.unwrap_or_default();
        let chrome = Chrome {
            t,
            user: session.actor.display_name.clone(),
            role: t.code(session.actor.role.as_str()),
            csrf: session.csrf.clone(),
            nav,
            unread,
            flash: done,
            org,
        };
        Ok(Staff {
            actor: session.actor,
            token: session.token,
            csrf: session.csrf,
            chrome,
        })
    }
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A signed-in user's form post whose CSRF token matched: anything else is refused with 403
/// before any handler runs, so nothing changes.
pub struct StaffPost {
    pub staff: Staff,
    pub form: Form,
}

impl FromRequest<AppState> for StaffPost {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = Form::parse(&bytes);
        if !form
            .get("_csrf")
            .is_some_and(|t| same_secret(t, &staff.csrf))
        {
            tracing::warn!(user = %staff.actor.username, "form post without a valid CSRF token refused");
            return Err(staff.fail(&AppError::forbidden(
                "表单已过期或来源不明（CSRF 校验失败），未做任何修改。请刷新页面后重试。",
            )));
        }
        Ok(StaffPost { staff, form })
    }
}
