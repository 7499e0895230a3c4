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

/// A numeric id from the path; anything else cannot exist, so 404.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::NotFound("对象")))?;
        raw.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
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
