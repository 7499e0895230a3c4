//! Operations: `/healthz`, `/metrics` (Prometheus text) and request metrics.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(s): State<AppState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => {
            let index = match &s.search {
                None => "disabled".to_string(),
                Some(i) => match crate::indexer::caught_up(&s.app, i).await {
                    Ok(true) => "caught_up".into(),
                    Ok(false) => "catching_up".into(),
                    Err(e) => format!("error: {e}"),
                },
            };
            Json(serde_json::json!({"status": "ok", "database": "ok", "index": index}))
                .into_response()
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "error", "database": e.to_string()})),
        )
            .into_response(),
    }
}

/// Prometheus text, only for a scraper that sends the configured token: queue sizes and
/// per-route traffic are nobody else's business.
async fn metrics(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(m) = &s.metrics else {
        return (
            StatusCode::NOT_FOUND,
            "metrics are not enabled in this process",
        )
            .into_response();
    };
    let Some(token) = &m.token else {
        return (StatusCode::NOT_FOUND, "/metrics is off: set BANLI_METRICS_TOKEN (or metrics_token in banli.toml) and scrape with Authorization: Bearer <token>").into_response();
    };
    let sent = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !banli_app::signin::same_secret(sent.trim(), token) {
        return (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer")],
            "/metrics needs Authorization: Bearer <BANLI_METRICS_TOKEN>",
        )
            .into_response();
    }
    let handle = &m.handle;
    // Gauges read from the database at scrape time.
    match s.app.queue_gauges().await {
        Ok(g) => {
            metrics::gauge!("banli_overdue_assignments").set(g.overdue as f64);
            metrics::gauge!("banli_open_assignments").set(g.open as f64);
            metrics::gauge!("banli_items_awaiting_filing").set(g.awaiting_filing as f64);
            metrics::gauge!("banli_outbox_pending").set(g.outbox as f64);
            metrics::gauge!("banli_outgoing_messages_queued").set(g.outgoing_queued as f64);
        }
        Err(e) => tracing::warn!(error = %e, "could not read queue gauges"),
    }
    (
        [("content-type", "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// Counts requests and their latency by route template (never by raw path, to bound cardinality).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("banli_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("banli_http_request_duration_seconds", "method" => method, "route" => route).record(start.elapsed().as_secs_f64());
    resp
}
