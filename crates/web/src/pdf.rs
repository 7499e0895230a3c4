//! The printed documents as PDF (DESIGN §5, §9): the reply letter, the co-opinion and the
//! feedback form of an assignment for signed-in users, and the published reply for the
//! public. The use cases in banli-app decide what the caller may see; this module only
//! typesets, off the async runtime, with one process-wide renderer whose fonts are read once.

use crate::error::ApiError;
use crate::extract::{Auth, Id};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use banli_app::letters::{FeedbackData, LetterData};
use banli_app::{Actor, App, AppError};
use banli_pdf::{Commitment, FeedbackForm, FontSource, Letter, LetterKind, PdfError, Renderer};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

// The three API routes are in the API's router (`api::routes`, documented there) under
// `/api/v1/assignments/{id}/…pdf`. `/replies/{id}.pdf` cannot be a route of its own — the
// router (matchit 0.8) has no parameters with a suffix, so `/replies/{id}` takes it — and is
// answered by [`public_reply_pdf_page`] from the portal's reply page.

static RENDERER: OnceLock<Renderer> = OnceLock::new();
/// The configured directory of licensed fonts, kept for a lazy load after a failed start.
static EXTRA_DIR: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Only one thread reads the fonts (~120 MB); the others wait for it.
static LOADING: Mutex<()> = Mutex::new(());

/// Reads the fonts now (call at start, before serving): Debian's Noto CJK plus the `.ttf`/
/// `.otf`/`.ttc` files in `extra_dir` (a deployment's licensed 仿宋_GB2312 / 方正小标宋). An
/// error says what to install or configure; the server can still start, and the PDF routes
/// answer 503 until the fonts are there (each request tries again). Without this call the
/// fonts are read on the first PDF request.
pub fn init_fonts(extra_dir: Option<PathBuf>) -> Result<(), String> {
    *EXTRA_DIR.lock().unwrap_or_else(|e| e.into_inner()) = extra_dir;
    renderer()
        .map(|r| tracing::info!(faces = %r.faces(), "PDF fonts loaded"))
        .map_err(|e| e.to_string())
}

fn renderer() -> Result<&'static Renderer, PdfError> {
    if let Some(r) = RENDERER.get() {
        return Ok(r);
    }
    let _one = LOADING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(r) = RENDERER.get() {
        return Ok(r);
    }
    let extra = EXTRA_DIR.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let r = Renderer::load(FontSource::new(extra))?;
    Ok(RENDERER.get_or_init(|| r))
}

fn letter_of(d: LetterData) -> Result<Letter, AppError> {
    Ok(Letter {
        kind: if d.kind == "co_opinion" {
            LetterKind::CoOpinion
        } else {
            LetterKind::Reply
        },
        unit_name: d.unit_name,
        doc_number: d.doc_number,
        title: d.title,
        addressee: d.addressee,
        body: d.body,
        grade: d.grade,
        signer: d.signer,
        contact_name: d.contact_name,
        contact_phone: d.contact_phone,
        date: d.date.parse().map_err(|_| {
            AppError::Internal(format!("document {}: bad date {}", d.document_id, d.date))
        })?,
        copy_to: d.copy_to,
        commitments: d
            .commitments
            .into_iter()
            .map(|c| Commitment {
                text: c.text,
                due: c.due,
            })
            .collect(),
        draft: d.draft,
        notice: d.notice,
    })
}

fn form_of(f: FeedbackData) -> FeedbackForm {
    FeedbackForm {
        title: f.title,
        kind_label: f.kind_label,
        proposer_label: f.proposer_label,
        item_number: f.item_number,
        item_title: f.item_title,
        proposers: f.proposers,
        unit_name: f.unit_name,
        reply_doc_number: f.reply_doc_number,
        reply_date: f.reply_date,
        return_to: f.return_to,
        contact_name: f.contact_name,
        contact_phone: f.contact_phone,
        due: f.due,
    }
}

/// RFC 5987 percent-encoding for `filename*`.
fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Typesets on the blocking pool and answers `application/pdf`, shown in the browser
/// (`inline`) under an ASCII name and the document's Chinese title.
async fn pdf<F>(
    render: F,
    ascii_name: String,
    title: String,
    cache: &'static str,
) -> Result<Response, AppError>
where
    F: FnOnce(&Renderer) -> Result<Vec<u8>, PdfError> + Send + 'static,
{
    let out = tokio::task::spawn_blocking(move || renderer().and_then(render))
        .await
        .map_err(|e| AppError::Internal(format!("PDF task: {e}")))?;
    let bytes = match out {
        Ok(b) => b,
        Err(e @ (PdfError::NoCjkFont { .. } | PdfError::FontDir { .. })) => {
            tracing::error!(error = %e, "PDF unavailable");
            let body =
                serde_json::json!({"error": {"code": "unavailable", "message": e.to_string()}});
            return Ok((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response());
        }
        Err(e) => return Err(AppError::Internal(e.to_string())),
    };
    let disposition = format!(
        "inline; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        encode(&format!("{title}.pdf"))
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(resp)
}

/// Letters for signed-in users carry names and phone numbers: never stored by a cache.
const PRIVATE: &str = "private, no-store";

/// The reply (`kind` = `reply`) or co-opinion (`co_opinion`) of an assignment as PDF, for
/// any signed-in caller (API token or web session); 403/404 as `App::letter` decides.
pub async fn letter_pdf(
    app: &App,
    actor: &Actor,
    assignment_id: i64,
    kind: &str,
) -> Result<Response, AppError> {
    let data = app.letter(actor, assignment_id, kind).await?;
    let name = format!(
        "{}-{}.pdf",
        if data.kind == "reply" {
            "reply"
        } else {
            "co-opinion"
        },
        data.document_id
    );
    let title = data.title.clone();
    let letter = letter_of(data)?;
    pdf(move |r| r.render_letter(&letter), name, title, PRIVATE).await
}

/// The feedback form (征询意见表) of an assignment's sent reply as PDF.
pub async fn feedback_form_pdf(
    app: &App,
    actor: &Actor,
    assignment_id: i64,
) -> Result<Response, AppError> {
    let data = app.feedback_form(actor, assignment_id).await?;
    let name = format!("feedback-form-{}.pdf", data.reply_id);
    let title = data.title.clone();
    let form = form_of(data);
    pdf(move |r| r.render_feedback_form(&form), name, title, PRIVATE).await
}

/// A published reply as PDF, as the portal shows it; `AppError::NotFound` unless it is
/// live in `public` or `summary` mode.
pub async fn public_reply_pdf(app: &App, reply_id: i64) -> Result<Response, AppError> {
    let data = app.public_letter(reply_id).await?;
    let name = format!("reply-{reply_id}.pdf");
    let title = data.title.clone();
    let letter = letter_of(data)?;
    pdf(
        move |r| r.render_letter(&letter),
        name,
        title,
        "public, max-age=300",
    )
    .await
}

/// For the portal's `/replies/{id}` handler when the id ends in `.pdf` (`raw_id` without
/// the suffix): `None` when there is no such public reply, so the portal answers its own 404
/// page.
pub async fn public_reply_pdf_page(state: &AppState, raw_id: &str) -> Option<Response> {
    let id = crate::extract::record_id(raw_id)?;
    match public_reply_pdf(&state.app, id).await {
        Ok(r) => Some(r),
        Err(AppError::NotFound(_)) => None,
        Err(e) => Some(ApiError(e).into_response()),
    }
}

#[utoipa::path(get, path = "/assignments/{id}/reply.pdf", tag = "documents", summary = "答复函 PDF（按公文格式排版）", params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub(crate) async fn api_reply(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Id(id): Id,
) -> Result<Response, ApiError> {
    Ok(letter_pdf(&s.app, &actor, id, "reply").await?)
}

#[utoipa::path(get, path = "/assignments/{id}/co-opinion.pdf", tag = "documents", summary = "会办意见 PDF", params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub(crate) async fn api_co_opinion(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Id(id): Id,
) -> Result<Response, ApiError> {
    Ok(letter_pdf(&s.app, &actor, id, "co_opinion").await?)
}

#[utoipa::path(get, path = "/assignments/{id}/feedback-form.pdf", tag = "documents", summary = "办理情况征询意见表 PDF（供纸质评价）", params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub(crate) async fn api_feedback_form(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Id(id): Id,
) -> Result<Response, ApiError> {
    Ok(feedback_form_pdf(&s.app, &actor, id).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(super::encode("关于a b.pdf"), "%E5%85%B3%E4%BA%8Ea%20b.pdf");
    }
}
