//! Published pages served from their rendered bytes (issue #11 part 1). A page is rendered
//! once and kept with its headers until the database changes: every committed write of this
//! process moves `Db::changes` on, and the outbox follower moves it for changes made by
//! other instances. Entries also remember the day they were rendered on, since commitment
//! states on the page depend on it. Whatever else happens, a kept page is never older than
//! the last change this process knows of.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// All kept pages together stay under this; when a new page would pass it, the cache
/// starts again empty (pages are cheap to render once, and a crowd reads few of them).
const MAX_BYTES: usize = 128 * 1024 * 1024;
/// Larger bodies (open data of a big organisation) are rendered per request.
const MAX_ENTRY: usize = 16 * 1024 * 1024;
/// Headers not kept with a page: the length is the body's own, and the date is the answer's.
const NOT_KEPT: [header::HeaderName; 3] = [
    header::CONTENT_LENGTH,
    header::DATE,
    header::TRANSFER_ENCODING,
];

struct Page {
    changes: u64,
    today: NaiveDate,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    pages: RwLock<(HashMap<String, Arc<Page>>, usize)>,
}

impl PageCache {
    fn get(&self, key: &str, changes: u64, today: NaiveDate) -> Option<Arc<Page>> {
        let pages = self.pages.read().expect("page cache lock");
        pages
            .0
            .get(key)
            .filter(|p| p.changes == changes && p.today == today)
            .cloned()
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let mut pages = self.pages.write().expect("page cache lock");
        let (map, bytes) = &mut *pages;
        if *bytes + page.body.len() > MAX_BYTES {
            map.clear();
            *bytes = 0;
        }
        *bytes += page.body.len();
        if let Some(old) = map.insert(key, page) {
            *bytes -= old.body.len();
        }
    }
}

/// Paths whose pages are kept: the published pages (and their PDFs), lists, feed and open
/// data (the search page answers arbitrary words and is rendered per request).
fn cacheable(path: &str) -> bool {
    path == "/"
        || path.starts_with("/replies/")
        || path.starts_with("/co-opinions/")
        || path == "/feed.atom"
        || path.starts_with("/open-data/")
}

fn answer(page: &Page, request: &HeaderMap) -> Response {
    let fresh = page.headers.get(header::ETAG).is_some_and(|etag| {
        request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == "*" || t.trim().as_bytes() == etag.as_bytes())
            })
    });
    let mut resp = if fresh && page.status == StatusCode::OK {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(page.body.clone()));
        *r.status_mut() = page.status;
        r
    };
    for (k, v) in &page.headers {
        if fresh && (k == header::CONTENT_TYPE || k == header::CONTENT_DISPOSITION) {
            continue;
        }
        resp.headers_mut().append(k, v.clone());
    }
    resp
}

/// The middleware in front of the portal's routes.
pub async fn serve(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let key = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    // Read before rendering: a change committed meanwhile makes this page stale at once.
    let changes = s.app.db.changes();
    let today = s.app.today();
    if let Some(page) = s.pages.get(&key, changes, today) {
        return answer(&page, req.headers());
    }
    let request_headers = req.headers().clone();
    let (mut parts, body) = req.into_parts();
    // The whole page is wanted, to keep; the answer to the browser's tag is given below.
    parts.headers.remove(header::IF_NONE_MATCH);
    let resp = next.run(Request::from_parts(parts, body)).await;
    if !matches!(resp.status(), StatusCode::OK | StatusCode::NOT_FOUND) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // The handlers render into memory: collecting the body costs no more than sending it.
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut headers = parts.headers;
    for k in NOT_KEPT {
        headers.remove(k);
    }
    let page = Arc::new(Page {
        changes,
        today,
        status: parts.status,
        headers,
        body,
    });
    if page.body.len() <= MAX_ENTRY {
        s.pages.put(key, page.clone());
    }
    answer(&page, &request_headers)
}
