//! Banli over HTTP: the JSON API of DESIGN §9 under `/api/v1` (with its OpenAPI document
//! generated from these handlers), `/healthz` and `/metrics`.

mod api;
mod error;
mod extract;
mod ops;

pub use api::ApiDoc;
pub use error::ApiError;

use axum::Router;
use banli_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub metrics: Option<PrometheusHandle>,
}

/// The whole HTTP application.
pub fn router(app: App, metrics: Option<PrometheusHandle>) -> Router {
    let state = AppState { app: Arc::new(app), metrics };
    let (api, _doc) = api::routes().split_for_parts();
    Router::new()
        .nest("/api/v1", api)
        .merge(ops::routes())
        .fallback(error::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(ops::track))
        // Bodies are at most 50,000 characters (DESIGN §8); 1 MiB leaves room for JSON escaping.
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::routes().split_for_parts().1
}
