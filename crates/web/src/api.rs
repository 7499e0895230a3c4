//! `/api/v1`: one handler per route of DESIGN §9. Handlers only translate HTTP to use cases:
//! the actor, the path id and the raw body go to `banli_app`, which checks rights before it
//! parses the body (a caller who may not act gets 403 whatever they send).

use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, ClientAddr, Id, Q};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use banli_app::admin::*;
use banli_app::assignments::*;
use banli_app::auth::*;
use banli_app::calendar::*;
use banli_app::documents::*;
use banli_app::items::*;
use banli_app::publish::*;
use banli_app::stats::*;
use banli_app::view::*;
use banli_app::{parse_json, Input};
use banli_domain::policy::Policy;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type R<T> = Result<Json<T>, ApiError>;
type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "Banli API", version = "1", description = "提案建议办理系统 API (DESIGN §9). Errors: {\"error\": {\"code\", \"message\", \"field\"?}}."),
    // The paths below are relative to this server URL, so a generated client reaches the
    // real routes.
    servers((url = "/api/v1", description = "this Banli server")),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// A POST action on `/{collection}/{id}/…` with a JSON body.
macro_rules! action {
    ($name:ident, $path:literal, $tag:literal, $summary:literal, $in:ty, $out:ty, |$app:ident, $actor:ident, $id:ident, $input:ident| $call:expr) => {
        #[utoipa::path(post, path = $path, tag = $tag, summary = $summary, params(("id" = i64, Path)), request_body = $in,
                                                    responses((status = 200, body = $out), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                                                              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
                                                    security(("bearer" = [])))]
        async fn $name(State(s): State<AppState>, Auth($actor): Auth, Id($id): Id, body: Bytes) -> R<$out> {
            let $app = &s.app;
            let $input = Input::raw(body.to_vec());
            Ok(Json($call.await?))
        }
    };
}

/// A POST action on `/{collection}/{id}/…` without a body.
macro_rules! bare_action {
    ($name:ident, $path:literal, $tag:literal, $summary:literal, $out:ty, |$app:ident, $actor:ident, $id:ident| $call:expr) => {
        #[utoipa::path(post, path = $path, tag = $tag, summary = $summary, params(("id" = i64, Path)),
                                                    responses((status = 200, body = $out), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                                                              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
                                                    security(("bearer" = [])))]
        async fn $name(State(s): State<AppState>, Auth($actor): Auth, Id($id): Id) -> R<$out> {
            let $app = &s.app;
            Ok(Json($call.await?))
        }
    };
}

/// A POST on `/{collection}/{id}/…` that creates something: 201.
macro_rules! create_action {
    ($name:ident, $path:literal, $tag:literal, $summary:literal, $in:ty, $out:ty, |$app:ident, $actor:ident, $id:ident, $input:ident| $call:expr) => {
        #[utoipa::path(post, path = $path, tag = $tag, summary = $summary, params(("id" = i64, Path)), request_body = $in,
                                                    responses((status = 201, body = $out), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                                                              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
                                                    security(("bearer" = [])))]
        async fn $name(State(s): State<AppState>, Auth($actor): Auth, Id($id): Id, body: Bytes) -> Created<$out> {
            let $app = &s.app;
            let $input = Input::raw(body.to_vec());
            Ok((StatusCode::CREATED, Json($call.await?)))
        }
    };
}

/// A POST on a collection that creates a member: 201.
macro_rules! create {
    ($name:ident, $path:literal, $tag:literal, $summary:literal, $in:ty, $out:ty, |$app:ident, $actor:ident, $input:ident| $call:expr) => {
        #[utoipa::path(post, path = $path, tag = $tag, summary = $summary, request_body = $in,
                                    responses((status = 201, body = $out), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
                                    security(("bearer" = [])))]
        async fn $name(State(s): State<AppState>, Auth($actor): Auth, body: Bytes) -> Created<$out> {
            let $app = &s.app;
            let $input = Input::raw(body.to_vec());
            Ok((StatusCode::CREATED, Json($call.await?)))
        }
    };
}

// ---- authentication ----

#[utoipa::path(post, path = "/auth/token", tag = "auth", summary = "用户名和密码换取令牌", request_body = Credentials,
    responses((status = 200, body = TokenOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, description = "too many failed sign-ins for this username or address; try again later", body = ErrorBody)))]
async fn token(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Bytes,
) -> R<TokenOut> {
    let creds: Credentials = parse_json(&body)?;
    Ok(Json(s.app.login(creds, addr.as_deref()).await?))
}

#[utoipa::path(get, path = "/me", tag = "auth", summary = "当前用户", responses((status = 200, body = UserOut), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn me(Auth(actor): Auth) -> R<UserOut> {
    Ok(Json(UserOut::from(&actor)))
}

// ---- administration ----

create!(
    create_unit,
    "/units",
    "admin",
    "新建承办单位",
    NewUnit,
    UnitOut,
    |app, actor, input| app.create_unit(&actor, input)
);
create!(
    create_user,
    "/users",
    "admin",
    "新建用户",
    NewUser,
    UserOut,
    |app, actor, input| app.create_user(&actor, input)
);
create!(
    create_session,
    "/sessions",
    "admin",
    "新建届次会议",
    NewSession,
    SessionOut,
    |app, actor, input| app.create_session(&actor, input)
);

#[utoipa::path(get, path = "/units", tag = "admin", summary = "承办单位列表", responses((status = 200, body = Vec<UnitOut>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_units(State(s): State<AppState>, Auth(_actor): Auth) -> R<Vec<UnitOut>> {
    Ok(Json(s.app.list_units().await?))
}

#[utoipa::path(get, path = "/sessions", tag = "admin", summary = "届次会议列表", responses((status = 200, body = Vec<SessionOut>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
async fn list_sessions(State(s): State<AppState>, Auth(_actor): Auth) -> R<Vec<SessionOut>> {
    Ok(Json(s.app.list_sessions().await?))
}

#[utoipa::path(post, path = "/sessions/{id}/close", tag = "admin", summary = "闭会：该届次会议不再接收新提案（管理员）", params(("id" = i64, Path)),
    responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn close_session(State(s): State<AppState>, Auth(actor): Auth, Id(id): Id) -> R<SessionOut> {
    Ok(Json(s.app.close_session(&actor, id, true).await?))
}

#[utoipa::path(post, path = "/sessions/{id}/reopen", tag = "admin", summary = "重新开放已闭会的届次会议，以补录提案（管理员）", params(("id" = i64, Path)),
    responses((status = 200, body = SessionOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn reopen_session(State(s): State<AppState>, Auth(actor): Auth, Id(id): Id) -> R<SessionOut> {
    Ok(Json(s.app.close_session(&actor, id, false).await?))
}

/// The answer of `POST /users/{id}/unlock`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Unlocked {
    unlocked: bool,
}

#[utoipa::path(post, path = "/users/{id}/unlock", tag = "admin", summary = "解除登录锁定（管理员）", params(("id" = i64, Path)),
    responses((status = 200, body = Unlocked), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn unlock_user(State(s): State<AppState>, Auth(actor): Auth, Id(id): Id) -> R<Unlocked> {
    s.app.unlock_sign_in(&actor, id).await?;
    Ok(Json(Unlocked { unlocked: true }))
}

#[utoipa::path(get, path = "/users", tag = "admin", summary = "用户列表（管理员、提案办）", responses((status = 200, body = Vec<UserOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn list_users(State(s): State<AppState>, Auth(actor): Auth) -> R<Vec<UserOut>> {
    Ok(Json(s.app.list_users(&actor).await?))
}

#[utoipa::path(get, path = "/policy", tag = "admin", summary = "办理规则（期限等）", responses((status = 200, body = Policy), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn get_policy(State(s): State<AppState>, Auth(actor): Auth) -> R<Policy> {
    Ok(Json(s.app.get_policy(&actor).await?))
}

#[utoipa::path(put, path = "/policy", tag = "admin", summary = "修改办理规则：只需发送要修改的字段，其余保持不变", request_body = Policy, responses((status = 200, body = Policy), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn put_policy(State(s): State<AppState>, Auth(actor): Auth, body: Bytes) -> R<Policy> {
    Ok(Json(
        s.app.set_policy(&actor, Input::raw(body.to_vec())).await?,
    ))
}

// ---- calendar ----

#[utoipa::path(get, path = "/calendar/due", tag = "calendar", summary = "按工作日或月计算期限", params(("from" = String, Query), ("working_days" = Option<u32>, Query), ("months" = Option<u32>, Query)),
    responses((status = 200, body = DueOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn calendar_due(
    State(s): State<AppState>,
    Auth(_actor): Auth,
    Q(q): Q<DueQuery>,
) -> R<DueOut> {
    Ok(Json(s.app.due(q).await?))
}

create!(
    add_year,
    "/calendar/years",
    "calendar",
    "加载一年的法定节假日与调休（holiday-cn 格式）",
    YearInput,
    CalendarChange,
    |app, actor, input| app.add_calendar_year(&actor, input)
);
create!(
    add_day_off,
    "/calendar/days-off",
    "calendar",
    "增加本地放假日",
    LocalDayOff,
    CalendarChange,
    |app, actor, input| app.add_local_day_off(&actor, input)
);

// ---- items ----

create!(
    create_item,
    "/items",
    "items",
    "起草提案（委员），或代录纸质提案（提案办）",
    ItemInput,
    ItemStateOut,
    |app, actor, input| app.create_item(&actor, input)
);

#[utoipa::path(get, path = "/items", tag = "items", summary = "提案列表（按可见范围）", params(ItemQuery),
    responses((status = 200, body = ItemPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn list_items(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Q(mut q): Q<ItemQuery>,
) -> R<ItemPage> {
    q.ids = crate::lookup::search_ids(&s, &actor, q.q.as_deref(), q.session_id).await?;
    Ok(Json(s.app.list_items(&actor, q).await?))
}

#[utoipa::path(get, path = "/items/{id}", tag = "items", summary = "提案详情：交办、会办意见、答复、评价、承诺事项与全部事件", params(("id" = i64, Path)),
    responses((status = 200, body = ItemDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
async fn get_item(State(s): State<AppState>, Auth(actor): Auth, Id(id): Id) -> R<ItemDetail> {
    Ok(Json(s.app.get_item(&actor, id).await?))
}

#[utoipa::path(put, path = "/items/{id}", tag = "items", summary = "修改提案", params(("id" = i64, Path)), request_body = ItemInput,
    responses((status = 200, body = ItemStateOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn update_item(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Id(id): Id,
    body: Bytes,
) -> R<ItemStateOut> {
    Ok(Json(
        s.app
            .update_item(&actor, id, Input::raw(body.to_vec()))
            .await?,
    ))
}

action!(
    cosign,
    "/items/{id}/cosign",
    "items",
    "受邀联名人确认或拒绝联名",
    CosignInput,
    ItemStateOut,
    |app, actor, id, input| app.cosign(&actor, id, input)
);
bare_action!(
    submit,
    "/items/{id}/submit",
    "items",
    "提交提案",
    ItemStateOut,
    |app, actor, id| app.submit_item(&actor, id)
);
action!(
    withdraw,
    "/items/{id}/withdraw",
    "items",
    "撤案（立案前）",
    ReasonInput,
    ItemStateOut,
    |app, actor, id, input| app.withdraw_item(&actor, id, input)
);
action!(
    file,
    "/items/{id}/file",
    "items",
    "立案并编号",
    FileInput,
    ItemStateOut,
    |app, actor, id, input| app.file_item(&actor, id, input)
);
action!(
    return_item,
    "/items/{id}/return",
    "items",
    "退回修改",
    ReasonInput,
    ItemStateOut,
    |app, actor, id, input| app.return_item(&actor, id, input)
);
action!(
    reject,
    "/items/{id}/reject",
    "items",
    "不予立案并转处理",
    RejectInput,
    ItemStateOut,
    |app, actor, id, input| app.reject_item(&actor, id, input)
);
action!(
    merge,
    "/items/{id}/merge",
    "items",
    "并案",
    MergeInput,
    ItemStateOut,
    |app, actor, id, input| app.merge_item(&actor, id, input)
);
action!(
    assign,
    "/items/{id}/assign",
    "items",
    "交办：主办加会办，或分办；也用于调整后重新交办",
    AssignInput,
    AssignOut,
    |app, actor, id, input| app.assign_item(&actor, id, input)
);
action!(
    key,
    "/items/{id}/key",
    "items",
    "列为或取消重点提案",
    KeyInput,
    ItemStateOut,
    |app, actor, id, input| app.set_key(&actor, id, input)
);
create_action!(
    supervision,
    "/items/{id}/supervision",
    "items",
    "督办记录",
    SupervisionInput,
    banli_app::items::Created,
    |app, actor, id, input| app.add_supervision(&actor, id, input)
);
bare_action!(
    close,
    "/items/{id}/close",
    "items",
    "办结",
    ItemStateOut,
    |app, actor, id| app.close_item(&actor, id)
);

// ---- assignments ----

#[utoipa::path(get, path = "/assignments", tag = "assignments", summary = "交办件队列", params(AssignmentQuery),
    responses((status = 200, body = AssignmentPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn list_assignments(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Q(q): Q<AssignmentQuery>,
) -> R<AssignmentPage> {
    Ok(Json(s.app.list_assignments(&actor, q).await?))
}

bare_action!(
    accept,
    "/assignments/{id}/accept",
    "assignments",
    "签收",
    AssignmentStateOut,
    |app, actor, id| app.accept_assignment(&actor, id)
);
action!(
    request_return,
    "/assignments/{id}/return",
    "assignments",
    "申请调整（退回）",
    ReturnInput,
    AssignmentStateOut,
    |app, actor, id, input| app.request_return(&actor, id, input)
);
action!(
    decide_return,
    "/assignments/{id}/return/decide",
    "assignments",
    "提案办决定调整申请",
    DecideInput,
    AssignmentStateOut,
    |app, actor, id, input| app.decide_return(&actor, id, input)
);
create_action!(
    delegate,
    "/assignments/{id}/delegate",
    "assignments",
    "内部交办给下属单位",
    DelegateInput,
    banli_app::items::Created,
    |app, actor, id, input| app.delegate(&actor, id, input)
);
create_action!(
    extension,
    "/assignments/{id}/extension",
    "assignments",
    "申请延期",
    ExtensionInput,
    banli_app::items::Created,
    |app, actor, id, input| app.request_extension(&actor, id, input)
);
action!(
    decide_extension,
    "/assignments/{id}/extension/decide",
    "assignments",
    "提案办决定延期申请",
    DecideInput,
    AssignmentStateOut,
    |app, actor, id, input| app.decide_extension(&actor, id, input)
);
create_action!(
    consultation,
    "/assignments/{id}/consultations",
    "assignments",
    "记录沟通协商",
    ConsultationInput,
    banli_app::items::Created,
    |app, actor, id, input| app.add_consultation(&actor, id, input)
);
action!(
    reopen,
    "/assignments/{id}/reopen",
    "assignments",
    "提案办要求重新办理（或重新启动会办）",
    ReasonInput,
    AssignmentStateOut,
    |app, actor, id, input| app.reopen_assignment(&actor, id, input)
);

action!(
    co_opinion,
    "/assignments/{id}/co-opinion",
    "documents",
    "起草会办意见（替换当前草稿）",
    CoOpinionInput,
    DocumentStateOut,
    |app, actor, id, input| app.draft_co_opinion(&actor, id, input)
);
bare_action!(
    co_opinion_approve,
    "/assignments/{id}/co-opinion/approve",
    "documents",
    "签发会办意见",
    DocumentStateOut,
    |app, actor, id| app.approve_document(&actor, id, "co_opinion")
);
action!(
    co_opinion_reject,
    "/assignments/{id}/co-opinion/reject",
    "documents",
    "退回会办意见草稿",
    ReasonInput,
    DocumentStateOut,
    |app, actor, id, input| app.reject_document(&actor, id, "co_opinion", input)
);
action!(
    co_opinion_waive,
    "/assignments/{id}/co-opinion/waive",
    "documents",
    "提案办免于会签",
    ReasonInput,
    AssignmentStateOut,
    |app, actor, id, input| app.waive_co_opinion(&actor, id, input)
);
action!(
    reply,
    "/assignments/{id}/reply",
    "documents",
    "起草答复（替换当前草稿）",
    ReplyInput,
    DocumentStateOut,
    |app, actor, id, input| app.draft_reply(&actor, id, input)
);
bare_action!(
    reply_approve,
    "/assignments/{id}/reply/approve",
    "documents",
    "签发答复；会办意见未齐时409",
    DocumentStateOut,
    |app, actor, id| app.approve_document(&actor, id, "reply")
);
action!(
    reply_reject,
    "/assignments/{id}/reply/reject",
    "documents",
    "退回答复草稿",
    ReasonInput,
    DocumentStateOut,
    |app, actor, id, input| app.reject_document(&actor, id, "reply", input)
);
action!(
    reply_check,
    "/assignments/{id}/reply/check",
    "documents",
    "提案办审核答复（按规则需要时）",
    DecideInput,
    DocumentStateOut,
    |app, actor, id, input| app.check_reply(&actor, id, input)
);
create_action!(
    evaluation,
    "/assignments/{id}/evaluation",
    "documents",
    "评价答复（办理态度与办理结果）",
    EvaluationInput,
    EvaluationOut,
    |app, actor, id, input| app.evaluate(&actor, id, input)
);
action!(
    progress,
    "/commitments/{id}/progress",
    "documents",
    "承诺事项进展",
    ProgressInput,
    CommitmentStateOut,
    |app, actor, id, input| app.commitment_progress(&actor, id, input)
);

// ---- publication ----

action!(
    publish_reply,
    "/replies/{id}/publish",
    "publication",
    "公开答复",
    PublishInput,
    PublishOut,
    |app, actor, id, input| app.publish(&actor, id, "reply", input)
);
action!(
    withdraw_reply,
    "/replies/{id}/withdraw",
    "publication",
    "撤回公开的答复",
    ReasonInput,
    WithdrawOut,
    |app, actor, id, input| app.withdraw_publication(&actor, id, "reply", input)
);
action!(
    publish_co_opinion,
    "/co-opinions/{id}/publish",
    "publication",
    "公开会办意见",
    PublishInput,
    PublishOut,
    |app, actor, id, input| app.publish(&actor, id, "co_opinion", input)
);
action!(
    withdraw_co_opinion,
    "/co-opinions/{id}/withdraw",
    "publication",
    "撤回公开的会办意见",
    ReasonInput,
    WithdrawOut,
    |app, actor, id, input| app.withdraw_publication(&actor, id, "co_opinion", input)
);

/// `{text}` while drafting, or `{item_id}` for an existing item.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimilarInput {
    pub text: Option<String>,
    pub item_id: Option<i64>,
}

pub use crate::lookup::SimilarOut;

#[utoipa::path(post, path = "/items/similar", tag = "items", summary = "相似提案（起草时提示、并案与交办参考）", request_body = SimilarInput,
    responses((status = 200, body = SimilarOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
async fn similar(State(s): State<AppState>, Auth(actor): Auth, body: Bytes) -> R<SimilarOut> {
    use banli_app::AppError;
    let input: SimilarInput = parse_json(&body)?;
    let (text, exclude) = match (
        input
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
        input.item_id,
    ) {
        (Some(t), None) => {
            banli_domain::limits::at_most("text", t, banli_domain::limits::BODY_MAX)
                .map_err(AppError::from)?;
            (t.to_string(), vec![])
        }
        (None, Some(id)) => {
            let item = s.app.get_item(&actor, id).await?;
            (
                format!("{}\n{}", item.summary.title, item.body),
                vec![format!("item:{id}")],
            )
        }
        _ => {
            return Err(ApiError(AppError::bad(
                "text",
                "须且只能给出 text 或 item_id 之一",
            )))
        }
    };
    Ok(Json(
        crate::lookup::similar(&s, &actor, &text, &exclude).await?,
    ))
}

#[utoipa::path(get, path = "/stats", tag = "stats", summary = "办理统计：总体、分单位（含排名）、分类别", params(StatsQuery),
    responses((status = 200, body = StatsOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn stats(State(s): State<AppState>, Auth(actor): Auth, Q(q): Q<StatsQuery>) -> R<StatsOut> {
    Ok(Json(s.app.stats(&actor, q).await?))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn workbook(bytes: Vec<u8>, name: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, XLSX.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/stats.xlsx", tag = "stats", summary = "统计导出为 Excel（总体、分单位、分类别）", params(StatsQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn stats_xlsx(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Q(q): Q<StatsQuery>,
) -> Result<axum::response::Response, ApiError> {
    Ok(workbook(
        s.app.stats_workbook(&actor, q).await?,
        "stats.xlsx",
    ))
}

#[utoipa::path(get, path = "/items.xlsx", tag = "items", summary = "提案列表导出为 Excel（按筛选条件）", params(ItemQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
async fn items_xlsx(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Q(q): Q<ItemQuery>,
) -> Result<axum::response::Response, ApiError> {
    Ok(workbook(
        s.app.items_workbook(&actor, q).await?,
        "items.xlsx",
    ))
}

#[utoipa::path(get, path = "/assignments.xlsx", tag = "assignments", summary = "交办件队列导出为 Excel（含期限与红黄绿灯）", params(AssignmentQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
async fn assignments_xlsx(
    State(s): State<AppState>,
    Auth(actor): Auth,
    Q(q): Q<AssignmentQuery>,
) -> Result<axum::response::Response, ApiError> {
    Ok(workbook(
        s.app.assignments_workbook(&actor, q).await?,
        "assignments.xlsx",
    ))
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta", summary = "本文档", responses((status = 200, description = "OpenAPI 3 document")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi())
}

/// Every route with its documentation; `routes!` keeps the two from drifting apart.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(token))
        .routes(routes!(me))
        .routes(routes!(create_unit, list_units))
        .routes(routes!(create_user, list_users))
        .routes(routes!(unlock_user))
        .routes(routes!(create_session, list_sessions))
        .routes(routes!(close_session))
        .routes(routes!(reopen_session))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(calendar_due))
        .routes(routes!(add_year))
        .routes(routes!(add_day_off))
        .routes(routes!(create_item, list_items))
        .routes(routes!(get_item, update_item))
        .routes(routes!(cosign))
        .routes(routes!(submit))
        .routes(routes!(withdraw))
        .routes(routes!(file))
        .routes(routes!(return_item))
        .routes(routes!(reject))
        .routes(routes!(merge))
        .routes(routes!(assign))
        .routes(routes!(key))
        .routes(routes!(supervision))
        .routes(routes!(close))
        .routes(routes!(list_assignments))
        .routes(routes!(accept))
        .routes(routes!(request_return))
        .routes(routes!(decide_return))
        .routes(routes!(delegate))
        .routes(routes!(extension))
        .routes(routes!(decide_extension))
        .routes(routes!(consultation))
        .routes(routes!(reopen))
        .routes(routes!(co_opinion))
        .routes(routes!(co_opinion_approve))
        .routes(routes!(co_opinion_reject))
        .routes(routes!(co_opinion_waive))
        .routes(routes!(reply))
        .routes(routes!(reply_approve))
        .routes(routes!(reply_reject))
        .routes(routes!(reply_check))
        .routes(routes!(evaluation))
        .routes(routes!(progress))
        .routes(routes!(publish_reply))
        .routes(routes!(withdraw_reply))
        .routes(routes!(publish_co_opinion))
        .routes(routes!(withdraw_co_opinion))
        .routes(routes!(stats))
        .routes(routes!(similar))
        .routes(routes!(stats_xlsx))
        .routes(routes!(items_xlsx))
        .routes(routes!(assignments_xlsx))
        .routes(routes!(crate::pdf::api_reply))
        .routes(routes!(crate::pdf::api_co_opinion))
        .routes(routes!(crate::pdf::api_feedback_form))
        .routes(routes!(openapi_json))
}
