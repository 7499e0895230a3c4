//! Signing in and out, and a user's own settings (password, language).

use super::form::Failed;
use super::session::{cookie, set_cookie, LOGIN_COOKIE, SESSION_COOKIE};
use super::{html, see_other, Chrome, Lang, Staff, StaffPost, Tr};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use banli_app::signin::{random_token, same_secret};
use banli_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    t: Tr,
    org: String,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Only our own pages are valid places to go after signing in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/app") && !n.starts_with("/app/login") && !n.contains("//") => {
            n.to_string()
        }
        _ => "/app".to_string(),
    }
}

fn login_lang(q: Option<&str>) -> Lang {
    Lang::from_code(q.unwrap_or("zh-Hans"))
}

async fn login_form(
    state: &AppState,
    lang: Lang,
    next: String,
    username: String,
    error: Option<(StatusCode, String)>,
) -> Response {
    // The sign-in form has its own CSRF token (double-submit cookie): there is no session yet.
    let Ok(csrf) = random_token() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let org = state.app.organisation_name().await.unwrap_or_default();
    let status = error.as_ref().map(|e| e.0).unwrap_or(StatusCode::OK);
    let page = LoginPage {
        t: Tr { lang },
        org,
        csrf: csrf.clone(),
        next,
        username,
        error: error.map(|e| e.1),
    };
    let mut resp = html(lang, status, &page);
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, LOGIN_COOKIE, Some(&csrf), "/app/login", "Strict"),
    );
    resp
}

pub async fn login_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    // Already signed in: straight to the work queue.
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some(_)) = s.app.web_session(&token).await {
            return Redirect::to(&safe_next(q.next.as_deref())).into_response();
        }
    }
    login_form(
        &s,
        login_lang(q.lang.as_deref()),
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
    .await
}

pub async fn login(
    State(s): State<AppState>,
    crate::extract::ClientAddr(addr): crate::extract::ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = super::Form::parse(&body);
    let lang = login_lang(f.get("lang"));
    let t = Tr { lang };
    let next = safe_next(f.get("next"));
    let username = f.get("username").unwrap_or("").to_string();
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !f.get("_csrf").is_some_and(|v| same_secret(v, &expected)) {
        let msg = t.s("登录表单已过期，请重新输入").to_string();
        return login_form(&s, lang, next, username, Some((StatusCode::FORBIDDEN, msg))).await;
    }
    match s
        .app
        .sign_in(&username, f.get("password").unwrap_or(""), addr.as_deref())
        .await
    {
        Ok(session) => {
            let mut resp = Redirect::to(&next).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&s, SESSION_COOKIE, Some(&session.token), "/", "Lax"),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&s, LOGIN_COOKIE, None, "/app/login", "Strict"),
            );
            resp
        }
        Err(AppError::Unauthorized) => {
            let msg = t.s("用户名或密码不正确；连续失败5次将暂时锁定").to_string();
            login_form(
                &s,
                lang,
                next,
                username,
                Some((StatusCode::UNAUTHORIZED, msg)),
            )
            .await
        }
        Err(e @ (AppError::Locked(_) | AppError::Rule { .. })) => {
            let status = if matches!(e, AppError::Locked(_)) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            login_form(&s, lang, next, username, Some((status, e.to_string()))).await
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

pub async fn logout(State(s): State<AppState>, p: StaffPost) -> Response {
    if let Err(e) = s.app.sign_out(&p.staff.token).await {
        return p.staff.fail(&e);
    }
    let mut resp = Redirect::to("/app/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&s, SESSION_COOKIE, None, "/", "Lax"),
    );
    resp
}

#[derive(Template)]
#[template(path = "staff/account.html")]
struct AccountPage {
    c: Chrome,
    t: Tr,
    username: String,
    locale: String,
    failed: Failed,
}

fn account_page(staff: Staff, failed: Failed, status: StatusCode) -> Response {
    let t = staff.t();
    let page = AccountPage {
        t,
        username: staff.actor.username.clone(),
        locale: staff.actor.locale.clone(),
        failed,
        c: staff.chrome,
    };
    html(t.lang, status, &page)
}

pub async fn page(staff: Staff) -> Response {
    account_page(staff, Failed::default(), StatusCode::OK)
}

pub async fn password(State(s): State<AppState>, p: StaffPost) -> Response {
    let f = &p.form;
    let r = s
        .app
        .change_password(
            &p.staff.actor,
            &p.staff.token,
            f.get("old_password").unwrap_or(""),
            f.get("new_password").unwrap_or(""),
            f.get("repeat").unwrap_or(""),
        )
        .await;
    match r {
        Ok(()) => see_other("/app/account", "password"),
        Err(e @ AppError::Rule { .. }) => {
            // Passwords are never echoed back into the form.
            let mut failed = Failed::new("password", &e, f);
            failed.values.clear();
            account_page(p.staff, failed, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => p.staff.fail(&e),
    }
}

pub async fn language(State(s): State<AppState>, p: StaffPost) -> Response {
    let locale = p.form.get("locale").unwrap_or("").to_string();
    match s.app.set_locale(&p.staff.actor, &locale).await {
        Ok(()) => see_other("/app/account", "language"),
        Err(e @ AppError::Rule { .. }) => {
            let failed = Failed::new("language", &e, &p.form);
            account_page(p.staff, failed, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => p.staff.fail(&e),
    }
}
