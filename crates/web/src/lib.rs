//! Banli over HTTP: the JSON API of DESIGN §9 under `/api/v1` (with its OpenAPI document
//! generated from these handlers), `/healthz` and `/metrics`.

mod api;
mod error;
mod extract;
pub mod indexer;
mod lookup;
mod ops;
mod page_cache;
pub mod pdf;
pub mod portal;
mod staff;

pub use api::ApiDoc;
pub use error::ApiError;
pub use page_cache::PageCache;

use axum::http::{header, HeaderValue};
use axum::Router;
use banli_app::App;
use banli_search::SearchIndex;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// No scripts, no frames, nothing from elsewhere: a hijacked page cannot load anything.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub metrics: Option<Metrics>,
    /// This instance's search index; without it, staff `q=` falls back to substring matching
    /// and the public search page says search is unavailable.
    pub search: Option<Arc<SearchIndex>>,
    /// Published pages as last rendered (see `page_cache`).
    pub pages: Arc<PageCache>,
}

/// The Prometheus recorder, and the bearer token a scraper must send (no token: not served).
#[derive(Clone)]
pub struct Metrics {
    pub handle: PrometheusHandle,
    pub token: Option<String>,
}

/// The whole HTTP application.
pub fn router(app: App, metrics: Option<Metrics>, search: Option<Arc<SearchIndex>>) -> Router {
    let state = AppState {
        app: Arc::new(app),
        metrics,
        search,
        pages: Arc::default(),
    };
    let (api, _doc) = api::routes().split_for_parts();
    Router::new()
        .nest(
            "/api/v1",
            api.layer(axum::middleware::from_fn(extract::require_json)),
        )
        .merge(ops::routes())
        .merge(
            portal::routes().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                page_cache::serve,
            )),
        )
        .merge(staff::routes())
        .fallback(unknown_address)
        .with_state(state)
        .layer(axum::middleware::from_fn(ops::track))
        // Bodies are at most 50,000 characters (DESIGN §8); 1 MiB leaves room for JSON escaping.
        // Extractors obey this limit; the import upload raises it for its own route, and the
        // outer layer caps every body (streamed ones too) at the upload limit.
        .layer(axum::extract::DefaultBodyLimit::max(1024 * 1024))
        .layer(RequestBodyLimitLayer::new(staff::UPLOAD_LIMIT + 64 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            banli_app::WRITE_WAIT * 2,
        ))
        .layer(CatchPanicLayer::new())
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// An address no route answers: JSON under `/api`, a page in the user's language with a way
/// back under `/app` (after sign-in, like any staff page), the portal's page elsewhere.
async fn unknown_address(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    use axum::response::IntoResponse;
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return error::not_found().await.into_response();
    }
    if path == "/app" || path.starts_with("/app/") {
        let (mut parts, _) = req.into_parts();
        return match staff::Staff::from_request_parts(&mut parts, &s).await {
            Ok(staff) => staff.fail(&banli_app::AppError::NotFound("页面")),
            Err(to_login) => to_login,
        };
    }
    portal::not_found()
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::routes().split_for_parts().1
}
