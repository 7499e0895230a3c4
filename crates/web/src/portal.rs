//! The public portal (DESIGN §6): lists and pages of published replies and co-opinions,
//! Simplified or Traditional, three font sizes, a print view, a QR code of the page's own
//! address, the Atom feed and open data. Pages are complete without JavaScript and are
//! served with ETag/Last-Modified so caches and browsers revalidate cheaply.

use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use banli_app::portal::{PortalQuery, PublicDocument, PublicPage, PublicSummary};
use banli_app::AppError;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/replies/{id}", get(reply_page))
        .route("/co-opinions/{id}", get(co_opinion_page))
        .route("/search", get(search_page))
        .route("/feed.atom", get(feed))
        .route("/open-data/replies.csv", get(open_data_csv))
        .route("/open-data/replies.json", get(open_data_json))
        .route("/static/portal.css", get(css))
}

/// How the reader wants the page: script, font size, print view.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct View {
    pub script: Option<String>,
    pub size: Option<String>,
    pub print: Option<String>,
}

pub struct Chrome {
    pub lang: &'static str,
    pub site: String,
    pub size: &'static str,
    pub print: bool,
    hant: bool,
}

impl View {
    fn chrome(&self, site: &str) -> Chrome {
        let hant = self.script.as_deref() == Some("hant");
        Chrome {
            lang: if hant { "zh-Hant" } else { "zh-Hans" },
            site: site.to_string(),
            size: match self.size.as_deref() {
                Some("l") => "l",
                Some("s") => "s",
                _ => "m",
            },
            print: self.print.as_deref().is_some_and(|p| p == "1"),
            hant,
        }
    }
}

fn opencc() -> &'static ferrous_opencc::OpenCC {
    static CC: OnceLock<ferrous_opencc::OpenCC> = OnceLock::new();
    CC.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t)
            .expect("bundled OpenCC s2t config loads")
    })
}

/// Phrase-aware Simplified → Traditional of a whole rendered page. Markup, URLs and
/// attribute names are ASCII, which OpenCC leaves alone.
pub fn to_traditional(html: &str) -> String {
    opencc().convert(html)
}

/// An HTML page with caching: 304 when the browser's ETag still matches.
fn page(headers: &HeaderMap, html: String, last_modified: Option<&str>) -> Response {
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(html.as_bytes()))[..32]
    );
    let mut resp = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex etag"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, must-revalidate"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(lm) = last_modified.and_then(http_date) {
        h.insert(header::LAST_MODIFIED, lm);
    }
    resp
}

fn http_date(rfc3339: &str) -> Option<HeaderValue> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    HeaderValue::from_str(
        &t.with_timezone(&chrono::Utc)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    )
    .ok()
}

pub(crate) fn not_found() -> Response {
    let html = "<!doctype html><html lang=\"zh-Hans\"><head><meta charset=\"utf-8\"><title>页面不存在</title><link rel=\"stylesheet\" href=\"/static/portal.css\"></head><body><main class=\"wrap\"><h1>页面不存在或已撤回</h1><p><a href=\"/\">返回首页</a></p></main></body></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn internal(e: AppError) -> Response {
    ApiError(e).into_response()
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/portal.css"),
    )
        .into_response()
}

// ---- the document page ----

pub struct Links {
    pub size_l: String,
    pub size_m: String,
    pub size_s: String,
    pub hans: String,
    pub hant: String,
    pub print: String,
    /// The letter as a PDF (replies only: `/replies/{id}.pdf`).
    pub pdf: Option<String>,
    pub canonical: String,
    pub weibo: String,
    pub qzone: String,
    pub mail: String,
}

#[derive(Template)]
#[template(path = "portal/document.html")]
pub struct DocumentPage {
    pub v: Chrome,
    pub d: PublicDocument,
    pub published: String,
    pub paragraphs: Vec<String>,
    pub qr_svg: String,
    pub links: Links,
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The QR code of an absolute URL, as an inline SVG with class `qr`.
pub fn qr_svg(url: &str) -> String {
    let code = qrcode::QrCode::new(url.as_bytes()).expect("a URL fits in a QR code");
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    let svg = svg.trim_start_matches(|c| c != '<').to_string();
    let svg = match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    };
    svg.replacen(
        "<svg",
        "<svg class=\"qr\" role=\"img\" aria-label=\"本页二维码\"",
        1,
    )
}

/// Paragraphs of a plain-text body: blank lines or single newlines separate them.
fn paragraphs(body: &str) -> Vec<String> {
    body.split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Renders a published document's page exactly as it is served (Simplified or Traditional);
/// `banli integrity` compares the live pages with this. `Ok(None)` when it is not public.
pub async fn render_document(
    state: &AppState,
    kind: &str,
    id: i64,
    view: &View,
) -> Result<Option<(String, String)>, AppError> {
    let doc = match state.app.public_document(kind, id).await {
        Ok(d) => d,
        Err(AppError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let site = site_name(state).await;
    let path = if kind == "reply" {
        "replies"
    } else {
        "co-opinions"
    };
    let canonical = format!(
        "{}/{path}/{id}",
        state.app.settings.public_base_url.trim_end_matches('/')
    );
    let chrome = view.chrome(&site);
    let q = |script: &str, size: &str, print: bool| {
        let mut parts = Vec::new();
        if script == "hant" {
            parts.push("script=hant".to_string());
        }
        if size != "m" {
            parts.push(format!("size={size}"));
        }
        if print {
            parts.push("print=1".into());
        }
        if parts.is_empty() {
            format!("/{path}/{id}")
        } else {
            format!("/{path}/{id}?{}", parts.join("&"))
        }
    };
    let script = if chrome.hant { "hant" } else { "hans" };
    let links = Links {
        size_l: q(script, "l", false),
        size_m: q(script, "m", false),
        size_s: q(script, "s", false),
        hans: q("hans", chrome.size, false),
        hant: q("hant", chrome.size, false),
        print: q(script, chrome.size, true),
        pdf: (kind == "reply").then(|| format!("/replies/{id}.pdf")),
        weibo: format!(
            "https://service.weibo.com/share/share.php?url={}&title={}",
            enc(&canonical),
            enc(&doc.summary.title)
        ),
        qzone: format!(
            "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url={}&title={}",
            enc(&canonical),
            enc(&doc.summary.title)
        ),
        mail: format!(
            "mailto:?subject={}&body={}",
            enc(&doc.summary.title),
            enc(&canonical)
        ),
        canonical: canonical.clone(),
    };
    let last_modified = doc.summary.published_at.clone();
    let hant = chrome.hant;
    let page_view = DocumentPage {
        published: banli_domain::clock::local_date(&doc.summary.published_at),
        paragraphs: paragraphs(&doc.body),
        qr_svg: qr_svg(&canonical),
        v: chrome,
        links,
        d: doc,
    };
    let html = page_view
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((
        if hant { to_traditional(&html) } else { html },
        last_modified,
    )))
}

async fn document(
    state: AppState,
    kind: &str,
    raw_id: &str,
    view: View,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = raw_id.parse::<i64>() else {
        return not_found();
    };
    match render_document(&state, kind, id, &view).await {
        Ok(Some((html, last_modified))) => page(&headers, html, Some(&last_modified)),
        Ok(None) => not_found(),
        Err(e) => internal(e),
    }
}

async fn reply_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(v): Query<View>,
    headers: HeaderMap,
) -> Response {
    // `/replies/{id}.pdf`: the router has no suffix parameters, so the PDF arrives here.
    if let Some(raw) = id.strip_suffix(".pdf") {
        return crate::pdf::public_reply_pdf_page(&s, raw)
            .await
            .unwrap_or_else(not_found);
    }
    document(s, "reply", &id, v, headers).await
}

async fn co_opinion_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(v): Query<View>,
    headers: HeaderMap,
) -> Response {
    document(s, "co_opinion", &id, v, headers).await
}

async fn site_name(state: &AppState) -> String {
    state
        .app
        .organisation_name()
        .await
        .unwrap_or_else(|_| "建议提案办理".into())
}

fn href(d: &PublicSummary) -> String {
    format!(
        "/{}/{}",
        if d.kind == "reply" {
            "replies"
        } else {
            "co-opinions"
        },
        d.document_id
    )
}

// ---- the home page ----

pub struct ListEntry {
    pub href: String,
    pub title: String,
    pub unit: String,
    pub item_title: String,
    pub grade: Option<String>,
    pub published_at: String,
    pub published_on: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
pub struct HomePage {
    pub v: Chrome,
    pub page: HomeList,
    pub sessions: Vec<(i64, String, bool)>,
    pub units: Vec<(i64, String, bool)>,
    pub categories: Vec<(String, bool)>,
    pub grades: Vec<(String, String, bool)>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

pub struct HomeList {
    pub items: Vec<ListEntry>,
    pub total: i64,
    pub page: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub session_id: Option<i64>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub unit_id: Option<i64>,
    pub category: Option<String>,
    pub grade: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub page: Option<i64>,
    pub script: Option<String>,
    pub size: Option<String>,
}

/// Form selects send `unit_id=` for "all".
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

async fn home(
    State(s): State<AppState>,
    q: Result<Query<HomeQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(q)) = q else {
        return (StatusCode::BAD_REQUEST, "查询参数有误").into_response();
    };
    let pq = PortalQuery {
        session_id: q.session_id,
        unit_id: q.unit_id,
        category: q.category.clone(),
        grade: q.grade.clone(),
        kind: None,
        page: q.page,
        per_page: Some(20),
    };
    let list: PublicPage = match s.app.public_documents(&pq).await {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let sessions = s
        .app
        .list_sessions()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|x| (x.id, x.name, Some(x.id) == q.session_id))
        .collect();
    let units = s
        .app
        .list_units()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| (u.id, u.name, Some(u.id) == q.unit_id))
        .collect();
    let categories = s
        .app
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(_, c)| {
            let sel = q.category.as_deref() == Some(c.as_str());
            (c, sel)
        })
        .collect();
    let grades = [
        ("A", "A 已解决或采纳"),
        ("B", "B 正在解决或列入计划"),
        ("C", "C 留作参考"),
    ]
    .iter()
    .map(|(g, l)| (g.to_string(), l.to_string(), q.grade.as_deref() == Some(*g)))
    .collect();
    let view = View {
        script: q.script.clone(),
        size: q.size.clone(),
        print: None,
    };
    let chrome = view.chrome(&site_name(&s).await);
    let link = |page: i64| {
        let mut parts = vec![format!("page={page}")];
        if let Some(x) = q.session_id {
            parts.push(format!("session_id={x}"));
        }
        if let Some(x) = q.unit_id {
            parts.push(format!("unit_id={x}"));
        }
        if let Some(x) = q.category.as_deref().filter(|x| !x.is_empty()) {
            parts.push(format!("category={}", enc(x)));
        }
        if let Some(x) = q.grade.as_deref().filter(|x| !x.is_empty()) {
            parts.push(format!("grade={}", enc(x)));
        }
        if chrome.hant {
            parts.push("script=hant".into());
        }
        format!("/?{}", parts.join("&"))
    };
    let prev = (list.page > 1).then(|| link(list.page - 1));
    let next = (list.page * list.per_page < list.total).then(|| link(list.page + 1));
    let newest = list.items.first().map(|d| d.published_at.clone());
    let page_view = HomePage {
        page: HomeList {
            total: list.total,
            page: list.page,
            items: list
                .items
                .iter()
                .map(|d| ListEntry {
                    href: href(d),
                    title: d.title.clone(),
                    unit: d.unit.clone(),
                    item_title: d.item_title.clone(),
                    grade: d.grade.clone(),
                    published_at: d.published_at.clone(),
                    published_on: banli_domain::clock::local_date(&d.published_at),
                })
                .collect(),
        },
        sessions,
        units,
        categories,
        grades,
        prev,
        next,
        v: chrome,
    };
    match page_view.render() {
        Ok(html) => page(
            &headers,
            if page_view.v.hant {
                to_traditional(&html)
            } else {
                html
            },
            newest.as_deref(),
        ),
        Err(e) => internal(AppError::Internal(e.to_string())),
    }
}

// ---- feed and open data ----

pub struct FeedEntry {
    pub title: String,
    pub url: String,
    pub version: i64,
    pub published_at: String,
    pub unit: String,
    pub item_title: String,
}

#[derive(Template)]
#[template(path = "portal/feed.xml")]
pub struct Feed {
    pub site: String,
    pub base: String,
    pub updated: String,
    pub entries: Vec<FeedEntry>,
}

/// Every live publication, newest first (open data is the whole set, paged internally).
async fn all_public(s: &AppState) -> Result<Vec<PublicSummary>, AppError> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = s
            .app
            .public_documents(&PortalQuery {
                page: Some(page),
                per_page: Some(100),
                ..Default::default()
            })
            .await?;
        let n = p.items.len();
        out.extend(p.items);
        if n < 100 {
            return Ok(out);
        }
        page += 1;
    }
}

async fn feed(State(s): State<AppState>) -> Response {
    let docs = match s
        .app
        .public_documents(&PortalQuery {
            per_page: Some(50),
            ..Default::default()
        })
        .await
    {
        Ok(p) => p.items,
        Err(e) => return internal(e),
    };
    let base = s
        .app
        .settings
        .public_base_url
        .trim_end_matches('/')
        .to_string();
    let feed = Feed {
        site: site_name(&s).await,
        updated: docs
            .first()
            .map(|d| d.published_at.clone())
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
        entries: docs
            .iter()
            .map(|d| FeedEntry {
                title: d.title.clone(),
                url: format!("{base}{}", href(d)),
                version: d.version,
                published_at: d.published_at.clone(),
                unit: d.unit.clone(),
                item_title: d.item_title.clone(),
            })
            .collect(),
        base,
    };
    match feed.render() {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => internal(AppError::Internal(e.to_string())),
    }
}

async fn open_data_csv(State(s): State<AppState>) -> Response {
    let docs = match all_public(&s).await {
        Ok(d) => d,
        Err(e) => return internal(e),
    };
    let base = s
        .app
        .settings
        .public_base_url
        .trim_end_matches('/')
        .to_string();
    let headers = [
        "document_id",
        "kind",
        "version",
        "title",
        "unit",
        "doc_number",
        "item_number",
        "item_title",
        "session",
        "category",
        "grade",
        "disclosure",
        "published_at",
        "sha256",
        "url",
    ];
    let rows = docs.iter().map(|d| {
        [
            d.document_id.to_string(),
            d.kind.clone(),
            d.version.to_string(),
            d.title.clone(),
            d.unit.clone(),
            d.doc_number.clone(),
            d.item_number.clone().unwrap_or_default(),
            d.item_title.clone(),
            d.session_name.clone(),
            d.category.clone().unwrap_or_default(),
            d.grade.clone().unwrap_or_default(),
            d.disclosure.clone(),
            d.published_at.clone(),
            d.sha256.clone(),
            format!("{base}{}", href(d)),
        ]
    });
    let out = banli_docs::write_csv(&headers, rows);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"replies.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

async fn open_data_json(State(s): State<AppState>) -> Response {
    let base = s
        .app
        .settings
        .public_base_url
        .trim_end_matches('/')
        .to_string();
    match all_public(&s).await {
        Ok(d) => {
            let items: Vec<serde_json::Value> = d
                .iter()
                .map(|x| {
                    let mut v = serde_json::to_value(x).unwrap_or_default();
                    v["url"] = serde_json::Value::String(format!("{base}{}", href(x)));
                    v
                })
                .collect();
            axum::Json(serde_json::json!({"total": items.len(), "items": items})).into_response()
        }
        Err(e) => internal(e),
    }
}

// ---- public search ----

pub struct SearchHit {
    pub href: String,
    pub title: String,
    pub item_title: String,
    pub unit_name: String,
    /// Escaped by the index, with the matches in <mark>.
    pub snippet_html: String,
}

#[derive(Template)]
#[template(path = "portal/search.html")]
pub struct SearchPage {
    pub v: Chrome,
    pub q: String,
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub sessions: Vec<(i64, String, bool)>,
    pub categories: Vec<(String, bool)>,
    pub grades: Vec<(String, String, bool)>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub session_id: Option<i64>,
    pub category: Option<String>,
    pub grade: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub page: Option<i64>,
    pub script: Option<String>,
}

async fn search_page(
    State(s): State<AppState>,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(q)) = q else {
        return (StatusCode::BAD_REQUEST, "查询参数有误").into_response();
    };
    let text: String = q.q.trim().chars().take(100).collect();
    let page_no = q.page.unwrap_or(1).clamp(1, 1000) as usize;
    let (mut hits, mut total) = (Vec::new(), 0);
    if !text.is_empty() {
        let Some(index) = &s.search else {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "搜索暂不可用，请稍后再试",
            )
                .into_response();
        };
        let mut query = banli_search::Query::new(text.clone(), banli_search::Scope::Public);
        query.session_id = q.session_id;
        query.category = q.category.clone().filter(|c| !c.is_empty());
        query.grade = q.grade.clone().filter(|g| !g.is_empty());
        query.page = page_no;
        query.per_page = 10;
        let found = match index.search(&query) {
            Ok(p) => p,
            Err(e) => return internal(AppError::Internal(e.to_string())),
        };
        total = found.total;
        for h in found.hits {
            let (Some(doc_id), kind) = (h.document_id, h.kind.as_str()) else {
                continue;
            };
            // The database has the last word: a hit whose publication was just withdrawn is not shown.
            if s.app.public_document(kind, doc_id).await.is_err() {
                continue;
            }
            hits.push(SearchHit {
                href: format!(
                    "/{}/{doc_id}",
                    if kind == "reply" {
                        "replies"
                    } else {
                        "co-opinions"
                    }
                ),
                title: h.title,
                item_title: h.item_title,
                unit_name: h.unit_name,
                snippet_html: h.snippet_html,
            });
        }
    }
    let view = View {
        script: q.script.clone(),
        size: None,
        print: None,
    };
    let chrome = view.chrome(&site_name(&s).await);
    let link = |p: usize| {
        let mut parts = vec![format!("q={}", enc(&text)), format!("page={p}")];
        if let Some(x) = q.session_id {
            parts.push(format!("session_id={x}"));
        }
        if let Some(x) = q.category.as_deref().filter(|x| !x.is_empty()) {
            parts.push(format!("category={}", enc(x)));
        }
        if let Some(x) = q.grade.as_deref().filter(|x| !x.is_empty()) {
            parts.push(format!("grade={}", enc(x)));
        }
        format!("/search?{}", parts.join("&"))
    };
    let page_view = SearchPage {
        prev: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no * 10 < total).then(|| link(page_no + 1)),
        sessions: s
            .app
            .list_sessions()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|x| (x.id, x.name, Some(x.id) == q.session_id))
            .collect(),
        categories: s
            .app
            .categories()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(_, c)| {
                let sel = q.category.as_deref() == Some(c.as_str());
                (c, sel)
            })
            .collect(),
        grades: [
            ("A", "A 已解决或采纳"),
            ("B", "B 正在解决或列入计划"),
            ("C", "C 留作参考"),
        ]
        .iter()
        .map(|(g, l)| (g.to_string(), l.to_string(), q.grade.as_deref() == Some(*g)))
        .collect(),
        q: text,
        total,
        hits,
        v: chrome,
    };
    match page_view.render() {
        Ok(html) => page(
            &headers,
            if page_view.v.hant {
                to_traditional(&html)
            } else {
                html
            },
            None,
        ),
        Err(e) => internal(AppError::Internal(e.to_string())),
    }
}
