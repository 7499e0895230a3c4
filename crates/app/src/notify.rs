//! Notifications (DESIGN §8): every step that hands work to someone leaves them an in-app
//! notification and, when they have an address, an e-mail (and a text message where the
//! organisation turned those on) — written in the action's own transaction, so the queue
//! never misses a step and never announces one that rolled back. A daily run reminds the
//! responsible users of clocks turning yellow and red. Delivery is the `banli-notify` crate's.

use crate::events::Event;
use crate::rows::*;
use crate::{format_number, iso, Actor, App, AppError, AppResult};
use banli_domain::clock::{colour_with_threshold, Colour};
use banli_domain::model::{ItemKind, Role};
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_store::{sqlx, Sql, Tx};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Who receives a notification, relative to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Office users of the item's organisation.
    Office,
    /// Co-signers invited online who have not answered yet.
    InvitedCosigners,
    /// The first proposer (for a collective item: its contact user).
    FirstProposer,
    /// Everyone still on the item: first proposer, confirmed and paper co-signers.
    Proposers,
    /// Those a reply is copied to: confirmed and paper co-signers, and the first proposers of
    /// items merged into this one.
    CopyRecipients,
    /// unit_staff of the event's assignment's unit.
    UnitStaff,
    /// unit_signer of the event's assignment's unit.
    UnitSigners,
    /// unit_staff of the item's live lead unit.
    LeadUnitStaff,
    /// unit_staff of the sub-unit an assignment was delegated to (`data.unit_id`).
    DelegateStaff,
}

/// Whom an event hands work to (or informs), and with which template. Events not listed
/// hand nothing to anyone.
pub fn plan(action: &str, to_state: Option<&str>) -> &'static [(Audience, &'static str)] {
    use Audience::*;
    match action {
        "submitted" => &[
            (Office, "item_submitted"),
            (InvitedCosigners, "cosign_invited"),
        ],
        "returned" => &[(FirstProposer, "item_returned")],
        "filed" => &[(Proposers, "item_filed")],
        "not_filed" => &[(Proposers, "item_not_filed")],
        "merged" => &[(Proposers, "item_merged")],
        "assigned" => &[(UnitStaff, "assigned")],
        "reopened" | "rehandling" => &[(UnitStaff, "rehandling")],
        "return_approved" => &[(UnitStaff, "return_approved")],
        "return_refused" => &[(UnitStaff, "return_refused")],
        "extension_approved" => &[(UnitStaff, "extension_approved")],
        "extension_refused" => &[(UnitStaff, "extension_refused")],
        "return_requested" => &[(Office, "return_requested")],
        "extension_requested" => &[(Office, "extension_requested")],
        "co_opinion_drafted" => &[(UnitSigners, "co_opinion_to_sign")],
        "reply_drafted" => &[(UnitSigners, "reply_to_sign")],
        "co_opinion_rejected" => &[(UnitStaff, "co_opinion_rejected")],
        "reply_rejected" | "reply_check_rejected" => &[(UnitStaff, "reply_rejected")],
        "co_opinion_sent" => &[(LeadUnitStaff, "co_opinion_received")],
        // Approved by the signer but held for the office's check (policy).
        "reply_approved" if to_state == Some("checking") => &[(Office, "reply_to_check")],
        "reply_sent" => &[
            (FirstProposer, "reply_to_rate"),
            (CopyRecipients, "reply_copied"),
        ],
        "evaluated" => &[(UnitStaff, "evaluated")],
        "delegated" => &[(DelegateStaff, "delegated")],
        _ => &[],
    }
}

/// One wording: Simplified Chinese (Traditional is converted from it) and English.
/// Placeholders: {item} {unit} {actor} {reason} (a whole line, or nothing) {clock} {due};
/// in the e-mail and SMS frames {name} {title} {body} {url}.
struct Template {
    kind: &'static str,
    zh: (&'static str, &'static str),
    en: (&'static str, &'static str),
}

const TEMPLATES: &[Template] = &[
    Template {
        kind: "item_submitted", zh: ("待审查：{item}", "{actor}提交了{item}，请审查后立案、退回修改或不予立案。"), en: ("To review: {item}", "{actor} submitted {item}. Please review it and file, return or decline it.")
    },
    Template {
        kind: "cosign_invited",
        zh: ("联名邀请：{item}", "{actor}邀请您联名{item}，请在联名截止日期前确认或谢绝。"),
        en: ("Co-signing invitation: {item}", "{actor} invites you to co-sign {item}. Please confirm or decline before the co-signing deadline."),
    },
    Template {
        kind: "item_returned", zh: ("退回修改：{item}", "提案办将{item}退回修改，请修改后重新提交。{reason}"), en: ("Returned for revision: {item}", "The office returned {item} for revision. Please revise and submit it again.{reason}")
    },
    Template { kind: "item_filed", zh: ("已立案：{item}", "{item}已立案，将交有关单位办理。"), en: ("Filed: {item}", "{item} has been filed and will be assigned to the handling units.") },
    Template { kind: "item_not_filed", zh: ("不予立案：{item}", "{item}经审查不予立案。{reason}"), en: ("Not filed: {item}", "{item} was not filed.{reason}") },
    Template { kind: "item_merged", zh: ("已并案：{item}", "{item}已并入其他提案一并办理，您将收到该提案的答复。"), en: ("Merged: {item}", "{item} was merged into another item; you will receive that item's reply.") },
    Template {
        kind: "assigned",
        zh: ("新交办：{item}", "{item}已交{unit}办理，请及时签收；如不属于本单位职责，请在申请调整期限内申请调整。"),
        en: ("New assignment: {item}", "{item} has been assigned to {unit}. Please accept it, or ask for an adjustment within the adjustment window if it is not yours."),
    },
    Template {
        kind: "rehandling", zh: ("重新办理：{item}", "{item}需要{unit}重新办理，请在新的期限内重新答复。{reason}"), en: ("Handle again: {item}", "{unit} needs to handle {item} again and reply by the new due date.{reason}")
    },
    Template {
        kind: "return_approved",
        zh: ("调整申请已同意：{item}", "提案办同意了{unit}对{item}的调整申请，本单位不再承办。{reason}"),
        en: ("Adjustment approved: {item}", "The office approved the adjustment {unit} asked for on {item}; the unit no longer handles it.{reason}"),
    },
    Template {
        kind: "return_refused",
        zh: ("调整申请未同意：{item}", "提案办未同意{unit}对{item}的调整申请，请继续办理。{reason}"),
        en: ("Adjustment refused: {item}", "The office refused the adjustment {unit} asked for on {item}. Please carry on handling it.{reason}"),
    },
    Template { kind: "extension_approved", zh: ("延期申请已同意：{item}", "提案办同意了{unit}办理{item}的答复延期。{reason}"), en: ("Extension approved: {item}", "The office approved {unit}'s extension for {item}.{reason}") },
    Template {
        kind: "extension_refused",
        zh: ("延期申请未同意：{item}", "提案办未同意{unit}办理{item}的延期申请，请按原期限答复。{reason}"),
        en: ("Extension refused: {item}", "The office refused {unit}'s extension for {item}. Please reply by the original due date.{reason}"),
    },
    Template { kind: "return_requested", zh: ("申请调整：{item}", "{unit}申请调整{item}，请审核决定。{reason}"), en: ("Adjustment requested: {item}", "{unit} asks for an adjustment of {item}. Please decide.{reason}") },
    Template { kind: "extension_requested", zh: ("申请延期：{item}", "{unit}申请延期答复{item}，请审核决定。{reason}"), en: ("Extension requested: {item}", "{unit} asks for an extension for {item}. Please decide.{reason}") },
    Template {
        kind: "co_opinion_to_sign",
        zh: ("会办意见待签发：{item}", "{actor}起草了{unit}关于{item}的会办意见，请审核签发。"),
        en: ("Co-opinion to approve: {item}", "{actor} drafted {unit}'s co-opinion on {item}. Please review and approve it."),
    },
    Template { kind: "reply_to_sign", zh: ("答复待签发：{item}", "{actor}起草了{unit}对{item}的答复，请审核签发。"), en: ("Reply to approve: {item}", "{actor} drafted {unit}'s reply to {item}. Please review and approve it.") },
    Template {
        kind: "co_opinion_rejected",
        zh: ("会办意见被退回：{item}", "{unit}关于{item}的会办意见被签发人退回，请修改后重新提交。{reason}"),
        en: ("Co-opinion sent back: {item}", "The signer sent back {unit}'s co-opinion on {item}. Please revise it.{reason}"),
    },
    Template {
        kind: "reply_rejected", zh: ("答复被退回：{item}", "{unit}对{item}的答复被退回，请修改后重新提交。{reason}"), en: ("Reply sent back: {item}", "{unit}'s reply to {item} was sent back. Please revise it.{reason}")
    },
    Template { kind: "co_opinion_received", zh: ("收到会办意见：{item}", "{unit}已发来{item}的会办意见。"), en: ("Co-opinion received: {item}", "{unit} sent its co-opinion on {item}.") },
    Template {
        kind: "reply_to_check",
        zh: ("答复待审核：{item}", "{unit}对{item}的答复已签发，请审核答复类别和内容。"),
        en: ("Reply to check: {item}", "{unit}'s reply to {item} has been approved by its signer. Please check its grade and substance."),
    },
    Template {
        kind: "reply_to_rate",
        zh: ("收到答复，请评价：{item}", "{unit}已答复{item}，请查看答复并对办理态度和办理结果作出评价。"),
        en: ("Reply received, please rate: {item}", "{unit} replied to {item}. Please read the reply and rate the handling and the result."),
    },
    Template { kind: "reply_copied", zh: ("收到答复：{item}", "{unit}已答复{item}，抄送您知悉。"), en: ("Reply received: {item}", "{unit} replied to {item}; this copy is for your information.") },
    Template { kind: "evaluated", zh: ("提案人已评价：{item}", "提案人已对{unit}关于{item}的答复作出评价。"), en: ("Rated: {item}", "The proposer rated {unit}'s reply to {item}.") },
    Template { kind: "delegated", zh: ("内部交办：{item}", "{unit}将{item}的部分办理工作交由贵单位办理。{reason}"), en: ("Delegated to you: {item}", "{unit} delegated part of the work on {item} to your unit.{reason}") },
    Template { kind: "reminder_yellow", zh: ("即将到期：{item}", "{unit}办理{item}的{clock}为{due}，即将到期，请抓紧办理。"), en: ("Due soon: {item}", "The {clock} of {unit} for {item} is {due}. Please act soon.") },
    Template { kind: "reminder_red", zh: ("已逾期：{item}", "{unit}办理{item}的{clock}（{due}）已过，请尽快办理。"), en: ("Overdue: {item}", "The {clock} of {unit} for {item} ({due}) has passed. Please act now.") },
    Template { kind: "reminder_red_office", zh: ("逾期提醒：{item}", "{unit}办理{item}的{clock}（{due}）已过，请督办。"), en: ("Overdue: {item}", "The {clock} of {unit} for {item} ({due}) has passed. Please follow up.") },
    Template {
        kind: "evaluation_reminder",
        zh: ("请尽快评价：{item}", "您对{unit}关于{item}答复的评价期限为{due}，逾期未评价的将记为未反馈。"),
        en: ("Please rate soon: {item}", "Your rating of {unit}'s reply to {item} is due on {due}; a reply not rated by then is recorded as no feedback."),
    },
    Template {
        kind: "evaluation_lapsed_office",
        zh: ("评价已逾期：{item}", "{unit}关于{item}的答复评价期限（{due}）已过，提案人未评价，记为未反馈；收到纸质征询意见表的，请录入。"),
        en: ("Rating lapsed: {item}", "The rating of {unit}'s reply to {item} was due on {due} and was not given: recorded as no feedback. Enter a paper form if one arrives."),
    },
    // The frames of the outgoing messages.
    Template {
        kind: "email",
        zh: ("{title}", "{name}，您好：\n\n{body}\n\n查看详情：{url}\n\n——\n本邮件由提案建议办理系统自动发送，请勿直接回复。"),
        en: ("{title}", "Dear {name},\n\n{body}\n\nDetails: {url}\n\n--\nSent automatically by Banli. Please do not reply to this message."),
    },
    Template { kind: "sms", zh: ("{title}", "{title}（详情：{url}）"), en: ("{title}", "{title} ({url})") },
];

const CLOCK_LABELS: &[(&str, &str, &str)] = &[
    ("return_window", "申请调整期限", "adjustment window"),
    (
        "first_consultation",
        "首次沟通期限",
        "first consultation due date",
    ),
    ("co_opinion", "会办意见期限", "co-opinion due date"),
    ("reply", "答复期限", "reply due date"),
    ("evaluation", "评价期限", "rating due date"),
];

/// The recipient's language: Simplified Chinese unless they chose Traditional or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Hans,
    Hant,
    En,
}

impl Lang {
    pub fn parse(locale: &str) -> Lang {
        match locale {
            "en" => Lang::En,
            "zh-Hant" => Lang::Hant,
            _ => Lang::Hans,
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

/// The values a template is filled with.
#[derive(Debug, Default, Clone)]
pub struct Vars {
    pub item_kind: String,
    pub item_number: Option<i64>,
    pub item_title: String,
    pub unit: String,
    pub actor: String,
    pub reason: Option<String>,
    pub clock: Option<String>,
    pub due: Option<String>,
}

fn template(kind: &str) -> &'static Template {
    TEMPLATES
        .iter()
        .find(|t| t.kind == kind)
        .unwrap_or_else(|| panic!("no notification template {kind}"))
}

/// Title and body of a notification in the recipient's language.
pub fn render(kind: &str, lang: Lang, v: &Vars) -> (String, String) {
    let t = template(kind);
    let en = lang == Lang::En;
    let (title, body) = if en { t.en } else { t.zh };
    let item_kind = ItemKind::parse(&v.item_kind).unwrap_or(ItemKind::Proposal);
    let item = match (en, v.item_number) {
        (false, Some(n)) => format!(
            "第{}号{}《{}》",
            format_number(n),
            item_kind.label(),
            v.item_title
        ),
        (false, None) => format!("{}《{}》", item_kind.label(), v.item_title),
        (true, n) => {
            let k = if item_kind == ItemKind::Suggestion {
                "suggestion"
            } else {
                "proposal"
            };
            match n {
                Some(n) => format!("{k} No. {} “{}”", format_number(n), v.item_title),
                None => format!("{k} “{}”", v.item_title),
            }
        }
    };
    let reason = match &v.reason {
        Some(r) if en => format!("\nReason: {r}"),
        Some(r) => format!("\n理由：{r}"),
        None => String::new(),
    };
    let clock = v
        .clock
        .as_deref()
        .map(|c| {
            CLOCK_LABELS
                .iter()
                .find(|l| l.0 == c)
                .map(|l| if en { l.2 } else { l.1 })
                .unwrap_or(c)
        })
        .unwrap_or_default();
    let fill = |s: &str| {
        s.replace("{item}", &item)
            .replace("{unit}", &v.unit)
            .replace("{actor}", &v.actor)
            .replace("{clock}", clock)
            .replace("{due}", v.due.as_deref().unwrap_or_default())
            .replace("{reason}", &reason)
    };
    let (title, body) = (fill(title), fill(body));
    match lang {
        Lang::Hant => (opencc().convert(&title), opencc().convert(&body)),
        _ => (title, body),
    }
}

/// The text of an e-mail around a notification's body, in the recipient's language.
pub fn email_text(locale: &str, name: &str, body: &str, url: &str) -> String {
    frame("email", locale, name, "", body, url)
}

/// The text of an SMS for a notification's title.
pub fn sms_text(locale: &str, title: &str, url: &str) -> String {
    frame("sms", locale, "", title, "", url)
}

fn frame(kind: &str, locale: &str, name: &str, title: &str, body: &str, url: &str) -> String {
    let lang = Lang::parse(locale);
    let t = template(kind);
    let text = if lang == Lang::En { t.en.1 } else { t.zh.1 };
    // Convert the frame before filling it: the body was converted when it was written.
    let text = if lang == Lang::Hant {
        opencc().convert(text)
    } else {
        text.to_string()
    };
    text.replace("{name}", name)
        .replace("{title}", title)
        .replace("{url}", url)
        .replace("{body}", body)
}

/// Where a notification leads in the staff web app.
pub fn item_link(item_id: i64) -> String {
    format!("/app/items/{item_id}")
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Recipient {
    id: i64,
    display_name: String,
    locale: String,
    email: Option<String>,
    phone: Option<String>,
}

const RECIPIENT_COLS: &str = "u.id, u.display_name, u.locale, u.email, u.phone";

async fn users_where(tx: &mut Tx, clause: &str, arg: i64) -> AppResult<Vec<Recipient>> {
    Ok(sqlx::query_as::<_, Recipient>(&format!(
        "SELECT {RECIPIENT_COLS} FROM users u WHERE u.disabled = 0 AND {clause} ORDER BY u.id"
    ))
    .bind(arg)
    .fetch_all(&mut **tx)
    .await?)
}

async fn unit_users(tx: &mut Tx, unit_id: i64, role: Role) -> AppResult<Vec<Recipient>> {
    users_where(
        tx,
        &format!("u.role = '{}' AND u.unit_id = $1", role.as_str()),
        unit_id,
    )
    .await
}

async fn office_users(tx: &mut Tx, org_id: i64) -> AppResult<Vec<Recipient>> {
    users_where(tx, "u.role = 'office' AND u.org_id = $1", org_id).await
}

async fn audience(
    tx: &mut Tx,
    who: Audience,
    item: &ItemRow,
    a: Option<&AssignmentRow>,
    data: Option<&serde_json::Value>,
) -> AppResult<Vec<Recipient>> {
    use Audience::*;
    let proposers = |statuses: &str| {
        format!("u.id IN (SELECT p.user_id FROM item_proposers p WHERE p.item_id = $1 AND p.status IN ({statuses}))")
    };
    Ok(match who {
        Office => office_users(tx, item.org_id).await?,
        InvitedCosigners => users_where(tx, &proposers("'invited'"), item.id).await?,
        FirstProposer => users_where(tx, "u.id = $1", item.first_proposer_id).await?,
        Proposers => users_where(tx, &proposers("'first', 'confirmed', 'paper'"), item.id).await?,
        CopyRecipients => {
            let mut out = users_where(tx, &proposers("'confirmed', 'paper'"), item.id).await?;
            out.extend(users_where(tx, "u.id IN (SELECT m.first_proposer_id FROM items m WHERE m.merged_into = $1)", item.id).await?);
            out
        }
        UnitStaff => match a {
            Some(a) => unit_users(tx, a.unit_id, Role::UnitStaff).await?,
            None => vec![],
        },
        UnitSigners => match a {
            Some(a) => unit_users(tx, a.unit_id, Role::UnitSigner).await?,
            None => vec![],
        },
        LeadUnitStaff => users_where(tx, "u.role = 'unit_staff' AND u.unit_id IN (SELECT l.unit_id FROM assignments l WHERE l.item_id = $1 AND l.role = 'lead' AND l.state <> 'returned')", item.id).await?,
        DelegateStaff => match data.and_then(|d| d["unit_id"].as_i64()) {
            Some(u) => unit_users(tx, u, Role::UnitStaff).await?,
            None => vec![],
        },
    })
}

async fn unit_name(tx: &mut Tx, unit_id: i64) -> AppResult<String> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT name, short_name FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(n, _)| n).unwrap_or_default())
}

async fn sms_enabled(tx: &mut Tx, org_id: i64) -> AppResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT sms_enabled FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some_and(|(f,)| f == 1))
}

/// One notification for each recipient (first template wins for someone in two audiences),
/// never for the actor, with its e-mail and SMS rows. Returns how many were written.
#[allow(clippy::too_many_arguments)]
async fn deliver(
    tx: &mut Tx,
    at: &str,
    event_id: Option<i64>,
    item: &ItemRow,
    actor_id: Option<i64>,
    sends: Vec<(&str, Vec<Recipient>)>,
    vars: &Vars,
    seen: &mut Vec<i64>,
) -> AppResult<usize> {
    let sms = sms_enabled(tx, item.org_id).await?;
    let link = item_link(item.id);
    let now = banli_store::now_ts();
    let mut n = 0;
    for (kind, people) in sends {
        for r in people {
            if Some(r.id) == actor_id || seen.contains(&r.id) {
                continue;
            }
            seen.push(r.id);
            let (title, body) = render(kind, Lang::parse(&r.locale), vars);
            let (nid,): (i64,) = sqlx::query_as("INSERT INTO notifications (user_id, event_id, item_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(r.id)
                .bind(event_id)
                .bind(item.id)
                .bind(kind)
                .bind(&title)
                .bind(&body)
                .bind(&link)
                .bind(at)
                .fetch_one(&mut **tx)
                .await?;
            n += 1;
            let email = r.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
            let phone = r
                .phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty() && sms);
            for (channel, to) in [("email", email), ("sms", phone)] {
                let Some(to) = to else { continue };
                sqlx::query(
                    "INSERT INTO outgoing_messages (channel, recipient, recipient_name, locale, subject, body, link, notification_id, state, attempts, next_attempt_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $10)",
                )
                .bind(channel)
                .bind(to)
                .bind(&r.display_name)
                .bind(&r.locale)
                .bind(&title)
                .bind(&body)
                .bind(&link)
                .bind(nid)
                .bind(&now)
                .bind(at)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(n)
}

fn vars_for(item: &ItemRow) -> Vars {
    Vars {
        item_kind: item.kind.to_string(),
        item_number: item.number,
        item_title: item.title.clone(),
        ..Default::default()
    }
}

/// Called by [`crate::events::record`] for every event, inside the action's transaction.
pub(crate) async fn on_event(
    tx: &mut Tx,
    actor: Option<&Actor>,
    at: &str,
    event_id: i64,
    e: &Event<'_>,
) -> AppResult<()> {
    let steps = plan(e.action, e.to);
    if steps.is_empty() {
        return Ok(());
    }
    let Some(item_id) = e.item_id else {
        return Ok(());
    };
    // Read after the action's own writes: the number just given, the title just tidied.
    let item = crate::load_item(tx, item_id).await?;
    let a = match e.assignment_id {
        Some(id) => Some(crate::load_assignment(tx, id).await?),
        None => None,
    };
    let mut vars = vars_for(&item);
    vars.actor = actor.map(|a| a.display_name.clone()).unwrap_or_default();
    vars.reason = e.reason.map(str::to_string);
    if let Some(a) = &a {
        vars.unit = unit_name(tx, a.unit_id).await?;
    }
    let mut sends = Vec::new();
    for (who, kind) in steps {
        sends.push((
            *kind,
            audience(tx, *who, &item, a.as_ref(), e.data.as_ref()).await?,
        ));
    }
    let mut seen = Vec::new();
    deliver(
        tx,
        at,
        Some(event_id),
        &item,
        actor.map(|a| a.user_id),
        sends,
        &vars,
        &mut seen,
    )
    .await?;
    Ok(())
}

// ---- what the web app shows ----

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationOut {
    pub id: i64,
    /// The template, e.g. `assigned`, `reply_to_sign`, `reminder_red`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A path in the staff web app, e.g. /app/items/12.
    pub link: Option<String>,
    pub item_id: Option<i64>,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<NotificationOut>,
    pub total: i64,
    pub unread: i64,
    pub page: i64,
    pub per_page: i64,
}

type NotificationTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
    Option<String>,
);

/// A reminder the daily run owes: one clock in one colour.
struct Due {
    key: String,
    colour: Colour,
    clock: &'static str,
    due: String,
    item: ItemRow,
    unit_id: i64,
}

impl App {
    /// The actor's notifications, newest first, with how many are unread.
    pub async fn notifications(
        &self,
        actor: &Actor,
        page: i64,
        per_page: i64,
    ) -> AppResult<NotificationPage> {
        let (page, per_page) = crate::view::paging(Some(page), Some(per_page))?;
        let mut tx = self.db.read().await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
                .bind(actor.user_id)
                .fetch_one(&mut *tx)
                .await?;
        let (unread,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<NotificationTuple> = sqlx::query_as("SELECT id, kind, title, body, link, item_id, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
            .bind(actor.user_id)
            .bind(per_page)
            .bind((page - 1) * per_page)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let items = rows
            .into_iter()
            .map(
                |(id, kind, title, body, link, item_id, created_at, read_at)| NotificationOut {
                    id,
                    kind,
                    title,
                    body,
                    link,
                    item_id,
                    created_at,
                    read_at,
                },
            )
            .collect();
        Ok(NotificationPage {
            items,
            total,
            unread,
            page,
            per_page,
        })
    }

    /// How many of the actor's notifications are unread (the badge in the web app).
    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(actor.user_id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(n)
    }

    /// Marks the actor's own notifications read: the given ones, or all with `None`. Ids of
    /// other users' notifications are ignored. Returns how many changed.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        ids: Option<Vec<i64>>,
    ) -> AppResult<u64> {
        let mut sql = Sql::new("UPDATE notifications SET read_at = ");
        sql.bind(self.now_ts())
            .push(" WHERE read_at IS NULL AND user_id = ")
            .bind(actor.user_id);
        if let Some(ids) = &ids {
            if ids.is_empty() {
                return Ok(0);
            }
            if ids.len() > 1000 {
                return Err(AppError::bad("ids", "一次最多标记1000条通知"));
            }
            sql.push(" AND id IN ").bind_list(ids.iter().copied());
        }
        let mut tx = self.db.begin().await?;
        let n = sql.query().execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Admin: turns text messages on or off for this organisation (they are sent only when
    /// the server also has an SMS webhook configured).
    pub async fn set_sms_notifications(&self, actor: &Actor, enabled: bool) -> AppResult<()> {
        actor.require(Capability::Administer)?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE organisations SET sms_enabled = $1 WHERE id = $2")
            .bind(enabled as i64)
            .bind(self.org_id)
            .execute(&mut *tx)
            .await?;
        crate::events::record(
            &mut tx,
            Some(actor),
            &self.now_ts(),
            Event {
                org_id: Some(self.org_id),
                action: "sms_notifications_set",
                data: Some(serde_json::json!({"enabled": enabled})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sms_notifications_enabled(&self) -> AppResult<bool> {
        let mut tx = self.db.read().await?;
        let on = sms_enabled(&mut tx, self.org_id).await?;
        tx.commit().await?;
        Ok(on)
    }

    /// Whether the daily reminder already ran on this day (on any instance).
    pub async fn daily_reminders_ran(&self, day: NaiveDate) -> AppResult<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT day FROM reminder_runs WHERE day = $1")
            .bind(iso(day))
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The daily reminder: every open clock (an assignment's return window, first
    /// consultation, co-opinion and reply due dates, extended or re-handling ones included;
    /// a sent reply's evaluation due date) that is yellow or red today and has not been
    /// reminded in that colour yet notifies who must act — the unit's staff (the first
    /// proposer for an evaluation); red ones also the office. Running it again the same day
    /// (or on another instance) sends nothing new. Returns the notifications written.
    pub async fn send_daily_reminders(&self) -> AppResult<usize> {
        let today = self.today();
        let dues = self.due_reminders(today).await?;
        let mut written = 0;
        for d in dues {
            let mut tx = self.db.begin().await?;
            // The key claims the reminder: a second run (or instance) conflicts and skips.
            let claimed = sqlx::query("INSERT INTO clock_reminders (clock_key, colour, reminded_on) VALUES ($1, $2, $3) ON CONFLICT (clock_key, colour) DO NOTHING")
                .bind(&d.key)
                .bind(colour_name(d.colour))
                .bind(iso(today))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                tx.rollback().await?;
                continue;
            }
            let mut vars = vars_for(&d.item);
            vars.unit = unit_name(&mut tx, d.unit_id).await?;
            vars.clock = Some(d.clock.to_string());
            vars.due = Some(d.due.clone());
            let mut sends = Vec::new();
            match (d.clock, d.colour) {
                ("evaluation", Colour::Red) => sends.push((
                    "evaluation_lapsed_office",
                    office_users(&mut tx, d.item.org_id).await?,
                )),
                ("evaluation", _) => sends.push((
                    "evaluation_reminder",
                    users_where(&mut tx, "u.id = $1", d.item.first_proposer_id).await?,
                )),
                (_, Colour::Red) => {
                    sends.push((
                        "reminder_red",
                        unit_users(&mut tx, d.unit_id, Role::UnitStaff).await?,
                    ));
                    sends.push((
                        "reminder_red_office",
                        office_users(&mut tx, d.item.org_id).await?,
                    ));
                }
                _ => sends.push((
                    "reminder_yellow",
                    unit_users(&mut tx, d.unit_id, Role::UnitStaff).await?,
                )),
            }
            let mut seen = Vec::new();
            written += deliver(
                &mut tx,
                &self.now_ts(),
                None,
                &d.item,
                None,
                sends,
                &vars,
                &mut seen,
            )
            .await?;
            tx.commit().await?;
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("INSERT INTO reminder_runs (day, ran_at, notifications) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET ran_at = excluded.ran_at, notifications = reminder_runs.notifications + excluded.notifications")
            .bind(iso(today))
            .bind(banli_store::now_ts())
            .bind(written as i64)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if written > 0 {
            tracing::info!(written, day = %today, "daily reminders written");
        }
        Ok(written)
    }

    /// The yellow and red clocks of today, read in one snapshot (the writes come after).
    async fn due_reminders(&self, today: NaiveDate) -> AppResult<Vec<Due>> {
        let mut tx = self.db.read().await?;
        let cols = ASSIGNMENT_COLS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query_as::<_, AssignmentRow>(&format!(
            "SELECT {cols} FROM assignments a JOIN items i ON i.id = a.item_id
             WHERE i.state IN ('handling', 'replied') AND a.state IN ('assigned', 'accepted', 'return_requested', 'rehandling') ORDER BY a.id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut policies: HashMap<i64, Policy> = HashMap::new();
        let mut items: HashMap<i64, ItemRow> = HashMap::new();
        let mut out = Vec::new();
        for a in rows {
            let item = cached_item(&mut tx, &mut items, a.item_id).await?;
            let policy = self.cached_policy(&mut policies, item.org_id).await?;
            let (consulted,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM consultations WHERE assignment_id = $1")
                    .bind(a.id)
                    .fetch_one(&mut *tx)
                    .await?;
            // The same clocks, coloured the same way, as the work queue shows.
            let view = crate::view::assignment_out(
                &policy,
                a.clone(),
                String::new(),
                item.number,
                item.title.clone(),
                consulted > 0,
                today,
            );
            for c in view.clocks {
                if c.colour == Colour::Green {
                    continue;
                }
                let Some(clock) = CLOCK_LABELS.iter().map(|l| l.0).find(|n| *n == c.name) else {
                    continue;
                };
                out.push(Due {
                    key: format!("assignment:{}:{}:{}", a.id, c.name, c.due),
                    colour: c.colour,
                    clock,
                    due: c.due,
                    item: item.clone(),
                    unit_id: a.unit_id,
                });
            }
        }
        // Sent replies not yet rated, on items not closed.
        let replies: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
            "SELECT d.id, a.item_id, a.unit_id, d.sent_on, d.evaluation_due FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
             WHERE d.kind = 'reply' AND d.state = 'sent' AND d.evaluation_due IS NOT NULL AND d.sent_on IS NOT NULL AND i.state <> 'closed'
             AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.document_id = d.id) ORDER BY d.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for (doc, item_id, unit_id, sent_on, due) in replies {
            let item = cached_item(&mut tx, &mut items, item_id).await?;
            let fraction = self
                .cached_policy(&mut policies, item.org_id)
                .await?
                .yellow_fraction;
            let colour = colour_with_threshold(date(&sent_on)?, date(&due)?, today, fraction);
            if colour != Colour::Green {
                out.push(Due {
                    key: format!("reply:{doc}:evaluation:{due}"),
                    colour,
                    clock: "evaluation",
                    due,
                    item,
                    unit_id,
                });
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}

async fn cached_item(
    tx: &mut Tx,
    items: &mut HashMap<i64, ItemRow>,
    id: i64,
) -> AppResult<ItemRow> {
    if let Some(i) = items.get(&id) {
        return Ok(i.clone());
    }
    let i = crate::load_item(tx, id).await?;
    items.insert(id, i.clone());
    Ok(i)
}

impl App {
    async fn cached_policy(
        &self,
        policies: &mut HashMap<i64, Policy>,
        org_id: i64,
    ) -> AppResult<Policy> {
        if let Some(p) = policies.get(&org_id) {
            return Ok(p.clone());
        }
        let p = self.policy(org_id).await?;
        policies.insert(org_id, p.clone());
        Ok(p)
    }
}

fn colour_name(c: Colour) -> &'static str {
    match c {
        Colour::Green => "green",
        Colour::Yellow => "yellow",
        Colour::Red => "red",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;

    #[test]
    fn each_handover_reaches_whoever_must_act_next() {
        assert_eq!(
            plan("submitted", Some("submitted")),
            &[
                (Office, "item_submitted"),
                (InvitedCosigners, "cosign_invited")
            ]
        );
        assert_eq!(
            plan("returned", Some("returned")),
            &[(FirstProposer, "item_returned")]
        );
        for a in ["filed", "not_filed", "merged"] {
            assert_eq!(plan(a, None)[0].0, Proposers, "{a}");
        }
        for a in [
            "assigned",
            "reopened",
            "rehandling",
            "return_approved",
            "return_refused",
            "extension_approved",
            "extension_refused",
            "co_opinion_rejected",
            "reply_rejected",
            "reply_check_rejected",
            "evaluated",
        ] {
            assert_eq!(plan(a, None)[0].0, UnitStaff, "{a}");
        }
        for a in ["return_requested", "extension_requested"] {
            assert_eq!(plan(a, None), &[(Office, a)]);
        }
        assert_eq!(
            plan("co_opinion_drafted", None),
            &[(UnitSigners, "co_opinion_to_sign")]
        );
        assert_eq!(
            plan("reply_drafted", None),
            &[(UnitSigners, "reply_to_sign")]
        );
        assert_eq!(
            plan("co_opinion_sent", Some("co_opinion_sent")),
            &[(LeadUnitStaff, "co_opinion_received")]
        );
        assert_eq!(
            plan("reply_sent", Some("replied")),
            &[
                (FirstProposer, "reply_to_rate"),
                (CopyRecipients, "reply_copied")
            ]
        );
        assert_eq!(plan("delegated", None), &[(DelegateStaff, "delegated")]);
    }

    #[test]
    fn the_office_checks_a_reply_only_when_it_is_held_for_checking() {
        assert_eq!(
            plan("reply_approved", Some("checking")),
            &[(Office, "reply_to_check")]
        );
        assert!(plan("reply_approved", None).is_empty());
    }

    #[test]
    fn bookkeeping_events_notify_nobody() {
        for a in [
            "drafted",
            "edited",
            "accepted",
            "consultation",
            "state_derived",
            "handling",
            "cosign_confirmed",
            "published",
            "closed",
            "user_created",
            "merged_in",
            "supervision",
            "commitment_progress",
        ] {
            assert!(plan(a, None).is_empty(), "{a}");
        }
    }

    #[test]
    fn every_planned_template_and_clock_exists() {
        let actions = [
            "submitted",
            "returned",
            "filed",
            "not_filed",
            "merged",
            "assigned",
            "reopened",
            "rehandling",
            "return_approved",
            "return_refused",
            "extension_approved",
            "extension_refused",
            "return_requested",
            "extension_requested",
            "co_opinion_drafted",
            "reply_drafted",
            "co_opinion_rejected",
            "reply_rejected",
            "reply_check_rejected",
            "co_opinion_sent",
            "reply_sent",
            "evaluated",
            "delegated",
        ];
        for a in actions {
            for (_, kind) in plan(a, Some("checking")) {
                template(kind);
            }
        }
        for kind in [
            "reminder_yellow",
            "reminder_red",
            "reminder_red_office",
            "evaluation_reminder",
            "evaluation_lapsed_office",
            "email",
            "sms",
        ] {
            template(kind);
        }
        // Kinds are unique, so the table has one wording per kind.
        for (i, t) in TEMPLATES.iter().enumerate() {
            assert!(
                TEMPLATES[..i].iter().all(|o| o.kind != t.kind),
                "duplicate template {}",
                t.kind
            );
        }
    }

    fn vars() -> Vars {
        Vars {
            item_kind: "proposal".into(),
            item_number: Some(239),
            item_title: "关于加快发展的提案".into(),
            unit: "湖南省发展和改革委员会".into(),
            reason: Some("请补充数据".into()),
            ..Default::default()
        }
    }

    #[test]
    fn wording_follows_the_recipients_language() {
        let (title, body) = render("assigned", Lang::Hans, &vars());
        assert_eq!(title, "新交办：第0239号提案《关于加快发展的提案》");
        assert!(body.contains("已交湖南省发展和改革委员会办理"), "{body}");
        let (title, _) = render("assigned", Lang::Hant, &vars());
        assert_eq!(title, "新交辦：第0239號提案《關於加快發展的提案》");
        let (title, body) = render("assigned", Lang::En, &vars());
        assert_eq!(
            title,
            "New assignment: proposal No. 0239 “关于加快发展的提案”"
        );
        assert!(body.starts_with("proposal No. 0239"), "{body}");
        assert_eq!(Lang::parse("fr"), Lang::Hans);
    }

    #[test]
    fn reasons_and_clocks_are_filled_in() {
        let (_, body) = render("item_returned", Lang::Hans, &vars());
        assert!(body.ends_with("\n理由：请补充数据"), "{body}");
        let mut v = vars();
        v.reason = None;
        v.clock = Some("reply".into());
        v.due = Some("2023-06-01".into());
        let (title, body) = render("reminder_red", Lang::Hans, &v);
        assert_eq!(title, "已逾期：第0239号提案《关于加快发展的提案》");
        assert!(body.contains("答复期限（2023-06-01）已过"), "{body}");
        assert!(!body.contains('{'), "{body}");
        let (_, body) = render("reminder_yellow", Lang::En, &v);
        assert!(body.contains("reply due date"), "{body}");
    }

    #[test]
    fn an_unnumbered_suggestion_is_named_by_its_title() {
        let v = Vars {
            item_kind: "suggestion".into(),
            item_title: "关于广场舞的建议".into(),
            ..Default::default()
        };
        assert_eq!(
            render("item_submitted", Lang::Hans, &v).0,
            "待审查：建议《关于广场舞的建议》"
        );
    }

    #[test]
    fn messages_frame_the_body_with_the_link() {
        let mail = email_text(
            "zh-Hans",
            "张三",
            "正文",
            "https://banli.example/app/items/1",
        );
        assert!(
            mail.starts_with("张三，您好：\n\n正文\n\n查看详情：https://banli.example/app/items/1"),
            "{mail}"
        );
        let hant = email_text("zh-Hant", "張三", "正文", "u");
        assert!(
            hant.contains("本郵件由提案建議辦理系統自動發送，請勿直接回"),
            "{hant}"
        );
        assert!(email_text("en", "Zhang", "Body", "u").starts_with("Dear Zhang,"));
        assert_eq!(
            sms_text("zh-Hans", "新交办：x", "u"),
            "新交办：x（详情：u）"
        );
    }
}
