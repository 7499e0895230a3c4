//! The item page — everything about one item as far as the user may see it, the full
//! timeline, and a form for each step the user may take now — and the drafting page.
//! Each form posts to a handler that builds the API's body and calls the same use case; a
//! refused form comes back with the message beside the field and what was typed.

use super::form::{input, object, Failed, Form};
use super::{html, see_other, Chrome, Staff, StaffPost, Tr};
use crate::lookup::SimilarOut;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use banli_app::admin::{SessionOut, UnitOut};
use banli_app::view::{AssignmentOut, DocumentOut, ItemDetail};
use banli_app::AppError;
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use serde_json::Value;

#[derive(Template)]
#[template(path = "staff/item.html")]
struct ItemPage {
    c: Chrome,
    t: Tr,
    d: ItemDetail,
    units: Vec<UnitOut>,
    sub_units: Vec<UnitOut>,
    categories: Vec<String>,
    policy: Policy,
    similar: Option<SimilarOut>,
    failed: Failed,
    /// Paper fields: proposers, submission day, scan; the paper feedback form.
    paper: bool,
    /// The disclosure mode may be changed when publishing.
    override_disclosure: bool,
    /// Similar items link to themselves (search across the organisation).
    search_all: bool,
    today: String,
    /// The signed-in proposer's own answer to a co-sign invitation (`invited`, `confirmed` …).
    my_cosign: String,
}

impl ItemPage {
    /// The invited co-signers' usernames, as the edit form takes them.
    fn cosigner_names(&self) -> String {
        self.d
            .proposers
            .iter()
            .filter(|p| p.status != "first")
            .map(|p| p.username.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
    /// Every proposer's username, first proposer first (the office's paper items).
    fn proposer_names(&self) -> String {
        self.d
            .proposers
            .iter()
            .map(|p| p.username.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
    fn unit_name(&self, id: &i64) -> String {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }
    fn acts(&self, id: &i64) -> banli_app::rights::AssignmentActions {
        self.d
            .actions
            .assignments
            .iter()
            .find(|a| a.id == *id)
            .cloned()
            .unwrap_or_default()
    }
    /// The co-handling units this assignment's reply waits for: (unit, assigned on, the
    /// co-opinion's due date).
    fn awaited(&self, a: &AssignmentOut) -> Vec<(String, String, String)> {
        let ids = self.acts(&a.id).awaited_co_opinions;
        self.d
            .assignments
            .iter()
            .filter(|x| ids.contains(&x.id))
            .map(|x| {
                (
                    x.unit_name.clone(),
                    x.assigned_on.clone(),
                    x.due.co_opinion_by.clone().unwrap_or_default(),
                )
            })
            .collect()
    }
    /// The salutation the reply letter writes above the clerk's text (王建华委员).
    fn salutation(&self) -> String {
        let first = self
            .d
            .proposers
            .iter()
            .find(|p| p.status == "first")
            .map(|p| p.display_name.as_str())
            .unwrap_or_default();
        banli_domain::letter::reply_salutation(
            self.d.summary.kind,
            self.d.collective_name.as_deref(),
            first,
        )
    }
    /// A reply draft of this assignment lies with the signer.
    fn reply_in_signing(&self, a: &AssignmentOut) -> bool {
        self.docs_of(a)
            .iter()
            .any(|d| d.kind == "reply" && d.state == "draft")
    }
    fn docs_of<'a>(&'a self, a: &AssignmentOut) -> Vec<&'a DocumentOut> {
        self.d
            .replies
            .iter()
            .chain(self.d.co_opinions.iter())
            .filter(|d| d.assignment_id == a.id)
            .collect()
    }
    fn draft_of<'a>(&'a self, a: &AssignmentOut, kind: &str) -> Option<&'a DocumentOut> {
        self.docs_of(a)
            .into_iter()
            .find(|d| d.kind == kind && matches!(d.state.as_str(), "draft" | "rejected"))
    }
    fn grade_of<'a>(&self, dr: &Option<&'a DocumentOut>) -> &'a str {
        dr.and_then(|x| x.grade.as_deref()).unwrap_or("")
    }
    fn reason_of<'a>(&self, dr: &Option<&'a DocumentOut>) -> &'a str {
        dr.and_then(|x| x.disclosure_reason.as_deref())
            .unwrap_or("")
    }
    fn summary_of<'a>(&self, dr: &Option<&'a DocumentOut>) -> &'a str {
        dr.and_then(|x| x.summary.as_deref()).unwrap_or("")
    }
    /// The commitment rows of the reply editor: the draft's own (a draft sent back by the
    /// signer keeps them), then empty rows, at least three and always one spare.
    fn commitment_rows(&self, dr: &Option<&DocumentOut>) -> Vec<(usize, String, String)> {
        let mut rows: Vec<(String, String)> = dr
            .map(|x| {
                x.commitments
                    .iter()
                    .map(|c| (c.text.clone(), c.due_on.clone()))
                    .collect()
            })
            .unwrap_or_default();
        rows.resize((rows.len() + 1).max(3), (String::new(), String::new()));
        rows.into_iter()
            .enumerate()
            .map(|(i, (text, due))| (i + 1, text, due))
            .collect()
    }
    fn disclosure_of<'a>(&self, dr: &Option<&'a DocumentOut>) -> &'a str {
        dr.map(|x| x.disclosure.as_str()).unwrap_or("public")
    }
    fn may_publish(&self, id: &i64) -> bool {
        self.d.actions.publish.contains(id)
    }
    fn may_unpublish(&self, id: &i64) -> bool {
        self.d.actions.unpublish.contains(id)
    }
    fn may_progress(&self, id: &i64) -> bool {
        self.d.actions.progress.contains(id)
    }
    /// A form key per assignment, so an error lands on the right form.
    fn k(&self, form: &str, id: &i64) -> String {
        format!("{form}-{id}")
    }
    fn paragraphs(&self, text: &str) -> Vec<String> {
        text.split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
    fn has_actions(&self) -> bool {
        let a = &self.d.actions;
        a.edit
            || a.submit
            || a.withdraw
            || a.cosign
            || a.file
            || a.return_to_proposer
            || a.reject
            || a.merge
            || a.assign
            || a.key
            || a.supervise
            || a.close
    }
}

async fn load_page(
    s: &AppState,
    staff: Staff,
    id: i64,
    failed: Failed,
    status: StatusCode,
) -> Response {
    let loaded = async {
        let d = s.app.get_item(&staff.actor, id).await?;
        let units = s.app.list_units().await?;
        let categories = s
            .app
            .categories()
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect::<Vec<_>>();
        let policy = s.app.policy(s.app.org_id).await?;
        Ok::<_, AppError>((d, units, categories, policy))
    }
    .await;
    let (d, units, categories, policy) = match loaded {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    let paper = staff.actor.may(Capability::EnterPaperRecords);
    let override_disclosure = staff.actor.may(Capability::OverrideDisclosure);
    let search_all = staff.actor.may(Capability::SearchOrganisation);
    // Likely duplicates and suggested units help the office file, merge and assign; a
    // proposer drafting sees earlier items with published replies.
    let want_similar =
        (search_all && (d.actions.file || d.actions.merge || d.actions.assign)) || d.actions.edit;
    let similar = if want_similar {
        let text = format!("{}\n{}", d.summary.title, d.body);
        crate::lookup::similar(s, &staff.actor, &text, &[format!("item:{id}")])
            .await
            .ok()
    } else {
        None
    };
    let sub_units = units
        .iter()
        .filter(|u| u.parent_id.is_some() && u.parent_id == staff.actor.unit_id)
        .cloned()
        .collect();
    let t = staff.t();
    let my_cosign = d
        .proposers
        .iter()
        .find(|p| p.user_id == staff.actor.user_id)
        .map(|p| p.status.clone())
        .unwrap_or_default();
    let page = ItemPage {
        t,
        d,
        units,
        sub_units,
        categories,
        policy,
        similar,
        failed,
        paper,
        override_disclosure,
        search_all,
        today: banli_app::iso(s.app.today()),
        my_cosign,
        c: staff.chrome,
    };
    html(t.lang, status, &page)
}

pub async fn page(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("提案"));
    };
    load_page(&s, staff, id, Failed::default(), StatusCode::OK).await
}

/// A refused form: the page again, with the message beside the field (422/409/400 as the API).
async fn refused(
    s: &AppState,
    staff: Staff,
    item_id: i64,
    form: &str,
    e: AppError,
    f: &Form,
) -> Response {
    let status = match &e {
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return staff.fail(&e),
    };
    load_page(s, staff, item_id, Failed::new(form, &e, f), status).await
}

/// A unit typed by name (or short name, or id) in a form: its id, or an error on `field`.
pub(super) fn unit_id(units: &[UnitOut], name: &str, field: &str) -> Result<i64, AppError> {
    let name = name.trim();
    if let Ok(id) = name.parse::<i64>() {
        return Ok(id);
    }
    units
        .iter()
        .find(|u| u.name == name || u.short_name.as_deref() == Some(name))
        .map(|u| u.id)
        .ok_or_else(|| AppError::rule(field, format!("找不到承办单位“{name}”，请从列表中选择")))
}

fn item_body(f: &Form, paper: bool) -> Result<Value, AppError> {
    let mut fields = vec![
        ("session_id", f.int("session_id")?),
        ("title", f.text("title")),
        ("body", f.text("body")),
        ("origin", f.choice("origin", "请选择提出方式")?),
        ("category", f.opt_text("category")),
        ("collective_name", f.opt_text("collective_name")),
    ];
    let cosigners = f.names("cosigners");
    if cosigners.as_array().is_some_and(|a| !a.is_empty()) {
        fields.push(("cosigners", cosigners));
    }
    if paper {
        let proposers = f.names("proposers");
        if proposers.as_array().is_some_and(|a| !a.is_empty()) {
            fields.push(("proposers", proposers));
        }
        fields.push(("submitted_on", f.date("submitted_on")?));
        fields.push(("scan", f.opt_text("scan")));
    }
    Ok(object(fields))
}

pub async fn item_action(
    State(s): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("提案"));
    };
    let app = &s.app;
    let a = &staff.actor;
    let paper = a.may(Capability::EnterPaperRecords);
    let result: Result<(), AppError> = async {
        match action.as_str() {
            "edit" => {
                app.update_item(a, id, input(item_body(&f, paper)?)).await?;
            }
            "submit" => {
                app.submit_item(a, id).await?;
            }
            "withdraw" => {
                app.withdraw_item(a, id, input(object(vec![("reason", f.text("reason"))])))
                    .await?;
            }
            "cosign" => {
                app.cosign(a, id, input(object(vec![("accept", f.flag("accept"))])))
                    .await?;
            }
            "file" => {
                app.file_item(
                    a,
                    id,
                    input(object(vec![
                        ("category", f.opt_text("category")),
                        ("title", f.opt_text("title")),
                    ])),
                )
                .await?;
            }
            "return" => {
                app.return_item(a, id, input(object(vec![("reason", f.text("reason"))])))
                    .await?;
            }
            "reject" => {
                let units = app.list_units().await?;
                let unit = match f.get("unit") {
                    Some(n) => Value::from(unit_id(&units, n, "unit_id")?),
                    None => Value::Null,
                };
                app.reject_item(
                    a,
                    id,
                    input(object(vec![
                        ("reason", f.text("reason")),
                        ("disposition", f.choice("disposition", "请选择去向")?),
                        ("unit_id", unit),
                    ])),
                )
                .await?;
            }
            "merge" => {
                app.merge_item(a, id, input(object(vec![("into", f.int("into")?)])))
                    .await?;
            }
            "assign" => {
                let units = app.list_units().await?;
                let lead = match f.get("lead") {
                    Some(n) => Value::from(unit_id(&units, n, "lead")?),
                    None => Value::Null,
                };
                let co = f
                    .all("co")
                    .into_iter()
                    .map(|n| unit_id(&units, n, "co").map(Value::from))
                    .collect::<Result<Vec<_>, _>>()?;
                let separate = f
                    .all("separate")
                    .into_iter()
                    .map(|n| unit_id(&units, n, "separate").map(Value::from))
                    .collect::<Result<Vec<_>, _>>()?;
                app.assign_item(
                    a,
                    id,
                    input(object(vec![
                        ("lead", lead),
                        ("co", Value::Array(co)),
                        ("separate", Value::Array(separate)),
                    ])),
                )
                .await?;
            }
            "key" => {
                app.set_key(
                    a,
                    id,
                    input(object(vec![
                        ("key", f.flag("key")),
                        ("leader", f.opt_text("leader")),
                    ])),
                )
                .await?;
            }
            "supervision" => {
                app.add_supervision(
                    a,
                    id,
                    input(object(vec![
                        ("note", f.text("note")),
                        ("due_on", f.date("due_on")?),
                    ])),
                )
                .await?;
            }
            "close" => {
                app.close_item(a, id).await?;
            }
            _ => return Err(AppError::NotFound("操作")),
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/app/items/{id}"), "done"),
        Err(e) => refused(&s, staff, id, &action, e, &f).await,
    }
}

pub async fn assignment_action(
    State(s): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("交办件"));
    };
    // Where to come back to; the use case decides rights from the assignment itself.
    let item_id = f
        .get("item")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let app = &s.app;
    let a = &staff.actor;
    let decide = || {
        Ok::<_, AppError>(input(object(vec![
            ("approve", f.flag("approve")),
            ("note", f.opt_text("note")),
        ])))
    };
    let reason = || input(object(vec![("reason", f.text("reason"))]));
    let result: Result<(), AppError> = async {
        match action.as_str() {
            "accept" => {
                app.accept_assignment(a, id).await?;
            }
            "return" => {
                app.request_return(
                    a,
                    id,
                    input(object(vec![
                        ("reason", f.text("reason")),
                        ("proposal", f.opt_text("proposal")),
                    ])),
                )
                .await?;
            }
            "return/decide" => {
                app.decide_return(a, id, decide()?).await?;
            }
            "delegate" => {
                app.delegate(
                    a,
                    id,
                    input(object(vec![
                        ("unit_id", f.int("unit_id")?),
                        ("note", f.opt_text("note")),
                        ("due_on", f.date("due_on")?),
                    ])),
                )
                .await?;
            }
            "extension" => {
                app.request_extension(
                    a,
                    id,
                    input(object(vec![
                        (
                            "until",
                            f.date("until")?
                                .as_str()
                                .map(Value::from)
                                .ok_or_else(|| AppError::bad("until", "请填写延期至的日期"))?,
                        ),
                        ("reason", f.text("reason")),
                    ])),
                )
                .await?;
            }
            "extension/decide" => {
                app.decide_extension(a, id, decide()?).await?;
            }
            "consultations" => {
                let date = f
                    .date("date")?
                    .as_str()
                    .map(Value::from)
                    .ok_or_else(|| AppError::bad("date", "请填写沟通日期"))?;
                app.add_consultation(
                    a,
                    id,
                    input(object(vec![
                        ("method", f.choice("method", "请选择沟通方式")?),
                        ("date", date),
                        ("summary", f.text("summary")),
                    ])),
                )
                .await?;
            }
            "co-opinion" => {
                app.draft_co_opinion(
                    a,
                    id,
                    input(object(vec![
                        ("body", f.text("body")),
                        ("contact_name", f.text("contact_name")),
                        ("contact_phone", f.text("contact_phone")),
                        ("disclosure", f.opt_text("disclosure")),
                        ("disclosure_reason", f.opt_text("disclosure_reason")),
                        ("summary", f.opt_text("summary")),
                    ])),
                )
                .await?;
            }
            "co-opinion/approve" => {
                app.approve_document(a, id, "co_opinion").await?;
            }
            "co-opinion/reject" => {
                app.reject_document(a, id, "co_opinion", reason()).await?;
            }
            "co-opinion/waive" => {
                app.waive_co_opinion(a, id, reason()).await?;
            }
            "reply" => {
                let texts = f.column("c_text");
                let dues = f.column("c_due");
                let mut commitments = Vec::new();
                for (k, text) in texts.iter().enumerate() {
                    let due = dues.get(k).copied().unwrap_or("");
                    if text.is_empty() && due.is_empty() {
                        continue;
                    }
                    if chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").is_err() {
                        return Err(AppError::bad(
                            &format!("commitments[{}].due_on", commitments.len()),
                            format!("承诺事项“{text}”须填写有效的完成日期"),
                        ));
                    }
                    commitments.push(serde_json::json!({"text": text, "due_on": due}));
                }
                app.draft_reply(
                    a,
                    id,
                    input(object(vec![
                        ("body", f.text("body")),
                        ("grade", f.choice("grade", "请选择答复类别")?),
                        ("disclosure", f.choice("disclosure", "请选择公开属性")?),
                        ("disclosure_reason", f.opt_text("disclosure_reason")),
                        ("summary", f.opt_text("summary")),
                        ("contact_name", f.text("contact_name")),
                        ("contact_phone", f.text("contact_phone")),
                        ("commitments", Value::Array(commitments)),
                    ])),
                )
                .await?;
            }
            "reply/approve" => {
                app.approve_document(a, id, "reply").await?;
            }
            "reply/reject" => {
                app.reject_document(a, id, "reply", reason()).await?;
            }
            "reply/check" => {
                app.check_reply(a, id, decide()?).await?;
            }
            "evaluation" => {
                let paper = a.may(Capability::EnterPaperRecords);
                app.evaluate(
                    a,
                    id,
                    input(object(vec![
                        ("handling", f.choice("handling", "请评价办理态度")?),
                        ("result", f.choice("result", "请评价办理结果")?),
                        ("comment", f.opt_text("comment")),
                        (
                            "source",
                            if paper {
                                Value::from("paper")
                            } else {
                                Value::Null
                            },
                        ),
                        (
                            "scan",
                            if paper {
                                f.opt_text("scan")
                            } else {
                                Value::Null
                            },
                        ),
                    ])),
                )
                .await?;
            }
            "reopen" => {
                app.reopen_assignment(a, id, reason()).await?;
            }
            _ => return Err(AppError::NotFound("操作")),
        }
        Ok(())
    }
    .await;
    let form_key = format!("{}-{id}", action.replace('/', "-"));
    match result {
        Ok(()) if item_id > 0 => see_other(&format!("/app/items/{item_id}#a-{id}"), "done"),
        Ok(()) => see_other("/app", "done"),
        Err(e) if item_id > 0 => refused(&s, staff, item_id, &form_key, e, &f).await,
        Err(e) => staff.fail(&e),
    }
}

pub async fn document_action(
    State(s): State<AppState>,
    Path((kind, id, action)): Path<(String, String, String)>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("文件"));
    };
    let kind = match kind.as_str() {
        "reply" => "reply",
        "co_opinion" => "co_opinion",
        _ => return staff.fail(&AppError::NotFound("文件")),
    };
    let item_id = f
        .get("item")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let result = match action.as_str() {
        "publish" => s
            .app
            .publish(
                &staff.actor,
                id,
                kind,
                input(object(vec![
                    ("source", f.opt_text("source")),
                    ("editor", f.opt_text("editor")),
                    ("disclosure", f.opt_text("disclosure")),
                    ("note", f.opt_text("note")),
                ])),
            )
            .await
            .map(drop),
        "withdraw" => s
            .app
            .withdraw_publication(
                &staff.actor,
                id,
                kind,
                input(object(vec![("reason", f.text("reason"))])),
            )
            .await
            .map(drop),
        _ => Err(AppError::NotFound("操作")),
    };
    match result {
        Ok(()) if item_id > 0 => see_other(&format!("/app/items/{item_id}"), "done"),
        Ok(()) => see_other("/app", "done"),
        Err(e) if item_id > 0 => {
            refused(&s, staff, item_id, &format!("{action}-{id}"), e, &f).await
        }
        Err(e) => staff.fail(&e),
    }
}

pub async fn commitment_progress(
    State(s): State<AppState>,
    Path(id): Path<String>,
    p: StaffPost,
) -> Response {
    let StaffPost { staff, form: f } = p;
    let Some(id) = crate::extract::record_id(&id) else {
        return staff.fail(&AppError::NotFound("承诺事项"));
    };
    let item_id = f
        .get("item")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let body = match f.int("percent") {
        Ok(percent) => object(vec![
            ("note", f.text("note")),
            ("percent", percent),
            ("status", f.opt_text("status")),
        ]),
        Err(e) => return refused(&s, staff, item_id, &format!("progress-{id}"), e, &f).await,
    };
    match s
        .app
        .commitment_progress(&staff.actor, id, input(body))
        .await
    {
        Ok(_) if item_id > 0 => see_other(&format!("/app/items/{item_id}"), "done"),
        Ok(_) => see_other("/app", "done"),
        Err(e) if item_id > 0 => {
            refused(&s, staff, item_id, &format!("progress-{id}"), e, &f).await
        }
        Err(e) => staff.fail(&e),
    }
}

// ---- drafting a new item ----

#[derive(Template)]
#[template(path = "staff/new_item.html")]
struct NewItemPage {
    c: Chrome,
    t: Tr,
    sessions: Vec<SessionOut>,
    categories: Vec<String>,
    paper: bool,
    failed: Failed,
    similar: Option<SimilarOut>,
}

async fn new_form(
    s: &AppState,
    staff: Staff,
    failed: Failed,
    similar: Option<SimilarOut>,
    status: StatusCode,
) -> Response {
    if staff.actor.require(Capability::CreateItem).is_err() {
        return staff.fail(&AppError::forbidden(
            "只有委员（代表）起草提案，提案办代录纸质提案",
        ));
    }
    let loaded =
        async { Ok::<_, AppError>((s.app.list_sessions().await?, s.app.categories().await?)) }
            .await;
    let (mut sessions, categories) = match loaded {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    // Only sessions that take items, the newest first: the open session is the default.
    sessions.retain(|s| s.closed_on.is_none());
    sessions.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then(b.id.cmp(&a.id)));
    let t = staff.t();
    let page = NewItemPage {
        t,
        sessions,
        categories: categories.into_iter().map(|(_, n)| n).collect(),
        paper: staff.actor.may(Capability::EnterPaperRecords),
        failed,
        similar,
        c: staff.chrome,
    };
    html(t.lang, status, &page)
}

pub async fn new_page(State(s): State<AppState>, staff: Staff) -> Response {
    new_form(&s, staff, Failed::default(), None, StatusCode::OK).await
}

/// Saves a draft; or, with `check=similar`, shows the form again with similar earlier items.
pub async fn create(State(s): State<AppState>, p: StaffPost) -> Response {
    let StaffPost { staff, form: f } = p;
    if f.get("check") == Some("similar") {
        let text = format!(
            "{}\n{}",
            f.get("title").unwrap_or(""),
            f.get("body").unwrap_or("")
        );
        let similar = crate::lookup::similar(&s, &staff.actor, &text, &[])
            .await
            .ok();
        let kept = Failed {
            form: "new".into(),
            field: None,
            message: String::new(),
            values: f.values(),
        };
        return new_form(&s, staff, kept, similar, StatusCode::OK).await;
    }
    let body = match item_body(&f, staff.actor.may(Capability::EnterPaperRecords)) {
        Ok(b) => b,
        Err(e) => {
            return new_form(
                &s,
                staff,
                Failed::new("new", &e, &f),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    match s.app.create_item(&staff.actor, input(body)).await {
        Ok(out) => see_other(&format!("/app/items/{}", out.id), "created"),
        Err(e @ (AppError::BadInput { .. } | AppError::Rule { .. } | AppError::Conflict(_))) => {
            let status = match e {
                AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            new_form(&s, staff, Failed::new("new", &e, &f), None, status).await
        }
        Err(e) => staff.fail(&e),
    }
}
