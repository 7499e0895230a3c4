//! Extractors that answer in the API's JSON error shape instead of axum's plain text.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use banli_app::{Actor, AppError};
use serde::de::DeserializeOwned;

/// The signed-in actor behind `Authorization: Bearer …`; 401 without a valid token.
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(ApiError(AppError::Unauthorized))?;
        Ok(Auth(state.app.authenticate(token).await?))
    }
}

/// The client's network address, for sign-in throttling: the TCP peer, or — when the peer is
/// a proxy on this machine (nginx in front) — the last address in its `X-Forwarded-For`.
/// None where the server was started without connection info.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

pub fn client_addr(parts: &Parts) -> Option<String> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    if peer.is_loopback() {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim);
        if let Some(f) = forwarded.filter(|f| f.parse::<std::net::IpAddr>().is_ok()) {
            return Some(f.to_string());
        }
    }
    Some(peer.to_string())
}

/// A record id as a path segment: a positive integer, or nothing (no such record: 404).
pub(crate) fn record_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A numeric id from the path; anything else cannot exist, so 404.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::NotFound("对象")))?;
        record_id(&raw)
            .map(Id)
            .ok_or(ApiError(AppError::NotFound("对象")))
    }
}

/// Query parameters; a malformed one is a 400 naming the parameter.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| Q(v))
            .map_err(|e| {
                let text = e.body_text();
                let field = text
                    .split('`')
                    .nth(1)
                    .map(str::to_string)
                    .or_else(|| text.split(": ").next().map(str::to_string));
                ApiError(AppError::BadInput {
                    field,
                    message: format!("查询参数有误：{text}"),
                })
            })
    }
}

/// API bodies must say what they are: a POST or PUT with a body whose `Content-Type` is not
/// JSON (or multipart, for uploads) is refused with 415 before any handler reads it, so a
/// browser form on another site can never post JSON-shaped text as `text/plain`.
pub async fn require_json(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::HttpBody;
    use axum::response::IntoResponse;
    // An action without a body (`POST …/submit`) needs no type; anything with bytes does.
    let has_body = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() != b"0")
        || req
            .headers()
            .contains_key(axum::http::header::TRANSFER_ENCODING)
        || req.body().size_hint().lower() > 0;
    let writes = matches!(
        *req.method(),
        axum::http::Method::POST | axum::http::Method::PUT | axum::http::Method::PATCH
    );
    if writes && has_body {
        let kind = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let essence = kind
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let json = essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"));
        if !json && essence != "multipart/form-data" {
            let shown = if kind.is_empty() {
                "（未指明）".to_string()
            } else {
                kind.to_string()
            };
            let message = format!("请求体须为 JSON：请加上请求头 Content-Type: application/json（收到的类型：{shown}）");
            let mut resp = ApiError(AppError::BadInput {
                field: None,
                message,
            })
            .into_response();
            *resp.status_mut() = axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE;
            return resp;
        }
    }
    next.run(req).await
}
