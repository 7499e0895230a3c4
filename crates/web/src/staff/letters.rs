//! The PDF downloads linked from the item page: the reply letter, the co-opinion and the
//! proposer's feedback form of one assignment, for the signed-in web user. Rights are
//! `App::letter`'s, exactly as for the API's PDF routes.

use super::Staff;
use crate::pdf;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use banli_app::AppError;

async fn letter(s: AppState, staff: Staff, id: String, kind: &str) -> Response {
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("交办件"));
    };
    let result = if kind == "feedback_form" {
        pdf::feedback_form_pdf(&s.app, &staff.actor, id).await
    } else {
        pdf::letter_pdf(&s.app, &staff.actor, id, kind).await
    };
    match result {
        Ok(r) => r,
        Err(e) => staff.fail(&e),
    }
}

pub async fn reply(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    letter(s, staff, id, "reply").await
}

pub async fn co_opinion(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    letter(s, staff, id, "co_opinion").await
}

pub async fn feedback_form(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    letter(s, staff, id, "feedback_form").await
}
