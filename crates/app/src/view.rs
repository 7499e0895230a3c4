//! What each actor may read: an item with everything about it that their role, unit and
//! relation to the item allow, the item lists and the unit queues, with clocks coloured
//! when read (DESIGN §4).

use crate::documents::latest_sent_reply;
use crate::rows::*;
use crate::{format_number, Actor, App, AppError, AppResult};
use banli_domain::clock::{assignment_clocks, AssignmentDates, Colour};
use banli_domain::model::{
    AssignmentRole, AssignmentState, CommitmentStatus, DocKind, ItemKind, ItemState, Role,
};
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_domain::rights::{decide, Action};
use banli_store::lists::{self, Sight};
use banli_store::{documents, Tx};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueDates {
    pub return_by: String,
    pub first_consultation_by: String,
    pub co_opinion_by: Option<String>,
    pub reply_by: Option<String>,
    pub extended_reply_by: Option<String>,
    pub rehandling_reply_by: Option<String>,
    /// Computed with weekends only: the calendar of that year is not loaded yet.
    pub provisional: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clock {
    /// `reply`, `co_opinion`, `first_consultation` or `return_window`.
    pub name: String,
    pub due: String,
    pub colour: Colour,
    pub overdue: bool,
    pub provisional: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentOut {
    pub id: i64,
    pub item_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub role: AssignmentRole,
    pub state: AssignmentState,
    pub assigned_on: String,
    pub due: DueDates,
    /// The open clocks, coloured as of today.
    pub clocks: Vec<Clock>,
    pub rehandlings: i64,
    pub item_number: Option<String>,
    /// The item's number with its session: 十三届二次会议第0097号.
    pub item_case_number: Option<String>,
    pub item_title: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposerOut {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// `first`, `invited`, `confirmed`, `declined`, `lapsed` or `paper`.
    pub status: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentOut {
    pub id: i64,
    pub document_id: i64,
    pub unit_id: i64,
    pub text: String,
    pub due_on: String,
    pub status: String,
    pub percent: i64,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicationOut {
    pub version: i64,
    pub disclosure: String,
    pub sha256: String,
    pub published_at: String,
    pub withdrawn_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentOut {
    pub id: i64,
    pub kind: String,
    pub assignment_id: i64,
    pub unit_id: i64,
    pub round: i64,
    pub state: String,
    pub title: String,
    pub body: String,
    pub grade: Option<String>,
    pub disclosure: String,
    pub disclosure_reason: Option<String>,
    pub summary: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub doc_number: Option<String>,
    pub reject_reason: Option<String>,
    pub sent_on: Option<String>,
    pub evaluation_due: Option<String>,
    pub evaluation_provisional: bool,
    /// 未反馈: no rating was given by the evaluation due date.
    pub no_feedback: bool,
    pub commitments: Vec<CommitmentOut>,
    pub publications: Vec<PublicationOut>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationView {
    pub id: i64,
    pub assignment_id: i64,
    pub reply_id: i64,
    pub handling: String,
    pub result: String,
    pub comment: Option<String>,
    pub source: String,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsultationOut {
    pub id: i64,
    pub assignment_id: i64,
    pub method: String,
    pub date: String,
    pub summary: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionOut {
    pub id: i64,
    pub note: String,
    pub due_on: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventOut {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    /// The actor's display name (and unit), as shown in the timeline.
    pub actor_name: Option<String>,
    pub action: String,
    pub assignment_id: Option<i64>,
    pub document_id: Option<i64>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemSummary {
    pub id: i64,
    pub session_id: i64,
    pub kind: ItemKind,
    pub number: Option<String>,
    /// The number with its session: 十三届二次会议第0097号.
    pub case_number: Option<String>,
    pub title: String,
    pub origin: String,
    pub category: Option<String>,
    pub state: ItemState,
    pub first_proposer: String,
    pub is_key: bool,
    pub submitted_on: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemDetail {
    #[serde(flatten)]
    pub summary: ItemSummary,
    pub body: String,
    pub session_name: String,
    pub collective_name: Option<String>,
    pub disposition: Option<String>,
    pub disposition_unit_id: Option<i64>,
    pub merged_into: Option<i64>,
    /// Items merged into this one; their proposers receive this item's replies.
    pub merged_items: Vec<i64>,
    pub key_leader: Option<String>,
    pub on_paper: bool,
    /// Where the scan of a paper original is kept.
    pub scan: Option<String>,
    pub proposers: Vec<ProposerOut>,
    pub assignments: Vec<AssignmentOut>,
    pub co_opinions: Vec<DocumentOut>,
    pub replies: Vec<DocumentOut>,
    pub evaluations: Vec<EvaluationView>,
    pub commitments: Vec<CommitmentOut>,
    pub consultations: Vec<ConsultationOut>,
    pub supervisions: Vec<SupervisionOut>,
    pub events: Vec<EventOut>,
    /// Open adjustment and extension requests of the assignments the caller may see.
    pub requests: Vec<RequestOut>,
    /// What the caller may do on this item now (the server checks again on every action).
    pub actions: crate::rights::ItemActions,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestOut {
    pub assignment_id: i64,
    /// `adjustment` or `extension`.
    pub kind: String,
    pub reason: String,
    /// What the unit proposes instead (adjustment), or the date asked for (extension).
    pub proposal: Option<String>,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub note: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemPage {
    pub items: Vec<ItemSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentPage {
    pub items: Vec<AssignmentOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ItemQuery {
    /// Set by the web layer from the search index: only these items (the text is then not matched again).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", param(ignore))]
    pub ids: Option<Vec<i64>>,
    pub session_id: Option<i64>,
    pub state: Option<String>,
    pub unit_id: Option<i64>,
    /// Category name, e.g. 经济建设.
    pub category: Option<String>,
    pub q: Option<String>,
    /// `number` (default), `updated` (latest change first) or `submitted` (earliest first).
    pub sort: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AssignmentQuery {
    pub unit_id: Option<i64>,
    pub state: Option<String>,
    pub due_before: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<i64>,
}

/// Events a proposer sees on their item: the public milestones, not the units' internal drafting.
const PROPOSER_EVENTS: &[&str] = &[
    "drafted",
    "edited",
    "submitted",
    "withdrawn",
    "returned",
    "filed",
    "not_filed",
    "merged",
    "merged_in",
    "assigned",
    "handling",
    "state_derived",
    "accepted",
    "reply_sent",
    "evaluated",
    "rehandling",
    "reopened",
    "closed",
    "consultation",
    "cosign_confirmed",
    "cosign_declined",
    "commitment_progress",
    "key_set",
    "extension_approved",
    "published",
];

/// The highest page number any list accepts: with 200 rows a page, far beyond any real list,
/// and small enough that `(page - 1) * per_page` never overflows into another page's rows.
pub const MAX_PAGE: i64 = 1_000_000;

pub(crate) fn paging(page: Option<i64>, per_page: Option<i64>) -> AppResult<(i64, i64)> {
    let page = page.unwrap_or(1);
    let per = per_page.unwrap_or(20);
    if page < 1 {
        return Err(AppError::bad("page", "page 从1开始"));
    }
    if page > MAX_PAGE {
        return Err(AppError::rule("page", format!("page 不能超过 {MAX_PAGE}")));
    }
    if !(1..=200).contains(&per) {
        return Err(AppError::bad("per_page", "per_page 须在1到200之间"));
    }
    Ok((page, per))
}

/// The items `actor` may open, as a set a query can filter by. Lists, staff search and
/// similar items filter through this, so none of them shows an item that the item page
/// would refuse (a proposer's unsubmitted draft above all).
pub(crate) fn sight(actor: &Actor) -> Sight {
    match actor.role {
        Role::Office | Role::Admin => Sight::Office,
        Role::Proposer => Sight::Proposer {
            user_id: actor.user_id,
        },
        Role::UnitStaff | Role::UnitSigner => Sight::Unit {
            unit_id: actor.unit_id.unwrap_or(-1),
        },
    }
}

impl App {
    /// Of `ids`, those the actor may open, in the given order (search hits keep their rank).
    pub async fn visible_items(&self, actor: &Actor, ids: &[i64]) -> AppResult<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let seen: std::collections::HashSet<i64> =
            lists::visible_ids(&self.db.pool, self.org_id, sight(actor), ids)
                .await?
                .into_iter()
                .collect();
        Ok(ids.iter().copied().filter(|id| seen.contains(id)).collect())
    }

    /// `GET /items/{id}`.
    pub async fn get_item(&self, actor: &Actor, id: i64) -> AppResult<ItemDetail> {
        let mut tx = self.db.read().await?;
        let item = crate::load_item(&mut tx, id).await?;
        let facts = self.facts(&mut tx, actor, &item).await?;
        let p = actor.principal();
        let may = |a: Action| decide(&p, a, &facts).is_ok();
        decide(&p, Action::View, &facts)?;
        let is_proposer = actor.role == Role::Proposer;
        let policy = facts.policy.clone();
        let today = self.today();
        let session = crate::load_session(&mut tx, item.session_id)
            .await?
            .ok_or(AppError::NotFound("届次会议"))?;
        let summary = self
            .summaries(&mut tx, vec![item.clone()])
            .await?
            .pop()
            .expect("one summary");
        let proposers = banli_store::items::proposer_list(&mut tx, id).await?;
        let merged_items = banli_store::items::merged_from(&mut tx, id).await?;
        let rows = crate::item_assignments(&mut tx, id).await?;
        let assignments = self
            .assignment_outs(&mut tx, &policy, rows.clone(), today)
            .await?;
        let docs = documents::of_item(&mut tx, id).await?;
        let mut co_opinions = Vec::new();
        let mut replies = Vec::new();
        let mut commitments = Vec::new();
        for d in docs {
            if !may(Action::SeeDocument(d.id)) {
                continue;
            }
            let out = self
                .document_out(&mut tx, &item, &session, &rows, d, today)
                .await?;
            if out.state == "sent" || out.state == "superseded" {
                commitments.extend(self.commitments_of(&mut tx, out.id, today).await?);
            }
            if out.kind == "reply" {
                replies.push(out)
            } else {
                co_opinions.push(out)
            }
        }
        let evaluations: Vec<EvaluationView> = documents::evaluations_of_item(&mut tx, id)
            .await?
            .into_iter()
            .filter(|e| may(Action::SeeWork(e.assignment_id)))
            .map(|e| EvaluationView {
                id: e.id,
                assignment_id: e.assignment_id,
                reply_id: e.document_id,
                handling: e.handling.to_string(),
                result: e.result.to_string(),
                comment: e.comment,
                source: e.source.to_string(),
                created_at: e.created_at,
            })
            .collect();
        let consultations: Vec<ConsultationOut> = documents::consultations_of_item(&mut tx, id)
            .await?
            .into_iter()
            .filter(|c| may(Action::SeeWork(c.assignment_id)))
            .map(|c| ConsultationOut {
                id: c.id,
                assignment_id: c.assignment_id,
                method: c.method.to_string(),
                date: crate::iso(c.held_on),
                summary: c.summary,
            })
            .collect();
        let supervisions: Vec<SupervisionOut> = if !may(Action::SeeSupervision) {
            vec![]
        } else {
            banli_store::items::supervisions(&mut tx, id)
                .await?
                .into_iter()
                .map(|s| SupervisionOut {
                    id: s.id,
                    note: s.note,
                    due_on: s.due_on,
                    created_at: s.created_at,
                })
                .collect()
        };
        let events: Vec<EventOut> = banli_store::events::of_item(&mut tx, id)
            .await?
            .into_iter()
            .filter(|e| {
                // What happens between the office and the units stays between them.
                let shared = PROPOSER_EVENTS.contains(&e.action.as_str());
                match e.assignment_id {
                    Some(a) => may(Action::SeeInternal(a)) || (shared && may(Action::SeeWork(a))),
                    None => shared || may(Action::SeeSupervision),
                }
            })
            .map(|e| EventOut {
                id: e.id,
                at: e.at,
                actor_id: e.actor_id,
                // Proposers see who in the office or unit acted only as the body, not the clerk.
                actor_name: if is_proposer && e.actor_id != Some(actor.user_id) {
                    None
                } else {
                    e.actor_name
                },
                action: e.action,
                assignment_id: e.assignment_id,
                document_id: e.document_id,
                from_state: e.from_state,
                to_state: e.to_state,
                reason: e.reason,
            })
            .collect();
        let requests: Vec<RequestOut> = banli_store::assignments::requests_of_item(&mut tx, id)
            .await?
            .into_iter()
            .filter(|r| may(Action::SeeInternal(r.assignment_id)))
            .map(|r| RequestOut {
                assignment_id: r.assignment_id,
                kind: r.kind.to_string(),
                reason: r.reason,
                proposal: r.proposal,
                state: r.state.to_string(),
                note: r.note,
                created_at: r.created_at,
            })
            .collect();
        tx.commit().await?;
        let mut detail = ItemDetail {
            summary,
            body: item.body,
            session_name: session.name,
            collective_name: item.collective_name,
            disposition: item.disposition,
            disposition_unit_id: item.disposition_unit_id,
            merged_into: item.merged_into,
            merged_items,
            key_leader: item.key_leader,
            on_paper: item.on_paper == 1,
            scan: item.scan_ref,
            proposers: proposers
                .into_iter()
                .map(|p| ProposerOut {
                    user_id: p.user_id,
                    username: p.username,
                    display_name: p.display_name,
                    status: p.status.to_string(),
                })
                .collect(),
            assignments,
            co_opinions,
            replies,
            evaluations,
            commitments,
            consultations,
            supervisions,
            events,
            requests,
            actions: Default::default(),
        };
        detail.actions = crate::rights::item_actions(&p, &facts);
        Ok(detail)
    }

    async fn document_out(
        &self,
        tx: &mut Tx,
        item: &ItemRow,
        session: &SessionRow,
        rows: &[AssignmentRow],
        d: DocumentRow,
        today: NaiveDate,
    ) -> AppResult<DocumentOut> {
        let unit_id = rows
            .iter()
            .find(|a| a.id == d.assignment_id)
            .map(|a| a.unit_id)
            .unwrap_or_default();
        let rated = documents::rating_count(tx, d.id).await?;
        let evaluation_due = d.evaluation_due.as_deref().map(date).transpose()?;
        let no_feedback =
            d.kind == DocKind::Reply && rated == 0 && evaluation_due.is_some_and(|due| due < today);
        let publications = documents::publications(tx, d.id)
            .await?
            .into_iter()
            .map(|p| PublicationOut {
                version: p.version,
                disclosure: p.disclosure.to_string(),
                sha256: p.sha256,
                published_at: p.published_at,
                withdrawn_at: p.withdrawn_at,
            })
            .collect();
        let commitments = self.commitments_of(tx, d.id, today).await?;
        Ok(DocumentOut {
            id: d.id,
            title: crate::publish::document_title(
                &session.body_name,
                &session.name,
                item.number,
                item.kind,
                d.kind,
            ),
            kind: d.kind.to_string(),
            assignment_id: d.assignment_id,
            unit_id,
            round: d.round,
            state: d.state.to_string(),
            body: d.body,
            grade: d.grade,
            disclosure: d.disclosure.to_string(),
            disclosure_reason: d.disclosure_reason,
            summary: d.summary,
            contact_name: d.contact_name,
            contact_phone: d.contact_phone,
            doc_number: d.doc_number,
            reject_reason: d.reject_reason,
            sent_on: d.sent_on,
            evaluation_due: d.evaluation_due,
            evaluation_provisional: d.evaluation_provisional == 1,
            no_feedback,
            commitments,
            publications,
        })
    }

    async fn commitments_of(
        &self,
        tx: &mut Tx,
        document_id: i64,
        today: NaiveDate,
    ) -> AppResult<Vec<CommitmentOut>> {
        Ok(documents::commitments(tx, document_id)
            .await?
            .into_iter()
            .map(|c| CommitmentOut {
                overdue: c.status == CommitmentStatus::Open && c.due_on < today,
                id: c.id,
                document_id: c.document_id,
                unit_id: c.unit_id,
                text: c.text,
                due_on: crate::iso(c.due_on),
                status: c.status.to_string(),
                percent: c.percent,
            })
            .collect())
    }

    async fn summaries(&self, tx: &mut Tx, items: Vec<ItemRow>) -> AppResult<Vec<ItemSummary>> {
        let (people, categories) = banli_store::items::names(tx, &items).await?;
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let mut numbers = crate::case_numbers(tx, &ids).await?;
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            let first = people.get(&i.first_proposer_id).cloned();
            let category = i.category_id.and_then(|c| categories.get(&c).cloned());
            out.push(ItemSummary {
                id: i.id,
                session_id: i.session_id,
                kind: i.kind,
                number: i.number.map(format_number),
                case_number: numbers.remove(&i.id),
                state: i.state(),
                first_proposer: i.collective_name.clone().or(first).unwrap_or_default(),
                category,
                title: i.title,
                origin: i.origin.to_string(),
                is_key: i.is_key == 1,
                submitted_on: i.submitted_on,
                updated_at: i.updated_at,
            });
        }
        Ok(out)
    }

    pub(crate) async fn assignment_outs(
        &self,
        tx: &mut Tx,
        policy: &Policy,
        rows: Vec<AssignmentRow>,
        today: NaiveDate,
    ) -> AppResult<Vec<AssignmentOut>> {
        let c = banli_store::assignments::context(tx, &rows).await?;
        let mut out = Vec::with_capacity(rows.len());
        for a in rows {
            let unit_name = c.unit_names.get(&a.unit_id).cloned().unwrap_or_default();
            let (number, title, session) = c.items.get(&a.item_id).cloned().unwrap_or_default();
            let consulted = c.consulted.contains(&a.id);
            let mut out_a = assignment_out(policy, a, unit_name, number, title, consulted, today);
            out_a.item_case_number = number.map(|n| banli_domain::model::case_number(&session, n));
            out.push(out_a);
        }
        Ok(out)
    }

    pub(crate) async fn assignments_by_id(&self, ids: &[i64]) -> AppResult<Vec<AssignmentOut>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut tx = self.db.read().await?;
        let rows = banli_store::assignments::by_ids(&mut tx, ids).await?;
        let policy = crate::load_policy(&mut tx, self.org_id).await?;
        let out = self
            .assignment_outs(&mut tx, &policy, rows, self.today())
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// `GET /items`: the items the actor may see, filtered and paged.
    pub async fn list_items(&self, actor: &Actor, q: ItemQuery) -> AppResult<ItemPage> {
        let (page, per) = paging(q.page, q.per_page)?;
        let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
            Some(state) => Some(
                ItemState::parse(state)
                    .ok_or_else(|| AppError::bad("state", format!("未知的状态“{state}”")))?,
            ),
            None => None,
        };
        let order = match q.sort.as_deref().unwrap_or("number") {
            "" | "number" => lists::ItemOrder::Number,
            "updated" => lists::ItemOrder::Updated,
            "submitted" => lists::ItemOrder::Submitted,
            other => {
                return Err(AppError::bad(
                    "sort",
                    format!("未知的排序“{other}”（可用 number、updated、submitted）"),
                ))
            }
        };
        let filter = lists::ItemFilter {
            org_id: self.org_id,
            sight: sight(actor),
            session_id: q.session_id,
            state,
            unit_id: q.unit_id,
            category: q
                .category
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty()),
            ids: q.ids.as_deref(),
            // Plain substring match until the search index answers staff queries.
            text: q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            order,
        };
        let mut tx = self.db.read().await?;
        let (rows, total) = lists::items(&mut tx, &filter, per, (page - 1) * per).await?;
        let items = self.summaries(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(ItemPage {
            items,
            total,
            page,
            per_page: per,
        })
    }

    /// `GET /assignments`: a unit's queue (units see only their own; the office any unit's).
    pub async fn list_assignments(
        &self,
        actor: &Actor,
        q: AssignmentQuery,
    ) -> AppResult<AssignmentPage> {
        actor.require(Capability::SeeWorkLists)?;
        let (page, per) = paging(q.page, q.per_page)?;
        let unit = if actor.may(Capability::SeeEveryUnitsWork) {
            q.unit_id
        } else {
            if q.unit_id.is_some() && q.unit_id != actor.unit_id {
                return Err(AppError::forbidden("只能查看本单位的交办件"));
            }
            actor.unit_id
        };
        let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(
                AssignmentState::parse(s)
                    .ok_or_else(|| AppError::bad("state", format!("未知的状态“{s}”")))?,
            ),
            None => None,
        };
        let filter = lists::AssignmentFilter {
            org_id: self.org_id,
            unit_id: unit,
            state,
            due_before: q.due_before,
        };
        let mut tx = self.db.read().await?;
        let (rows, total) = lists::assignments(&mut tx, &filter, per, (page - 1) * per).await?;
        let policy = crate::load_policy(&mut tx, self.org_id).await?;
        let items = self
            .assignment_outs(&mut tx, &policy, rows, self.today())
            .await?;
        tx.commit().await?;
        Ok(AssignmentPage {
            items,
            total,
            page,
            per_page: per,
        })
    }

    /// The reply an evaluation would attach to (used by the web UI and tests).
    pub async fn current_reply_id(&self, assignment_id: i64) -> AppResult<Option<i64>> {
        let mut tx = self.db.read().await?;
        let r = latest_sent_reply(&mut tx, assignment_id)
            .await?
            .map(|d| d.id);
        tx.commit().await?;
        Ok(r)
    }
}

pub(crate) fn assignment_out(
    policy: &Policy,
    a: AssignmentRow,
    unit_name: String,
    number: Option<i64>,
    title: String,
    consulted: bool,
    today: NaiveDate,
) -> AssignmentOut {
    let (state, role) = (a.state(), a.role());
    let provisional = a.provisional == 1;
    let dates = AssignmentDates {
        assigned_on: a.assigned_on,
        return_by: a.return_by,
        first_consultation_by: a.first_consultation_by,
        co_opinion_by: a.co_opinion_by,
        reply_due: a.reply_due(),
    };
    let clocks = assignment_clocks(
        role,
        state,
        &dates,
        consulted,
        today,
        policy.yellow_fraction,
    )
    .into_iter()
    .map(|c| Clock {
        name: c.name.to_string(),
        due: crate::iso(c.due),
        colour: c.colour,
        overdue: c.overdue,
        provisional,
    })
    .collect();
    AssignmentOut {
        id: a.id,
        item_id: a.item_id,
        unit_id: a.unit_id,
        unit_name,
        role,
        state,
        assigned_on: crate::iso(a.assigned_on),
        due: DueDates {
            return_by: crate::iso(a.return_by),
            first_consultation_by: crate::iso(a.first_consultation_by),
            co_opinion_by: a.co_opinion_by.map(crate::iso),
            reply_by: a.reply_by.map(crate::iso),
            extended_reply_by: a.extended_reply_by.map(crate::iso),
            rehandling_reply_by: a.rehandling_reply_by.map(crate::iso),
            provisional,
        },
        clocks,
        rehandlings: a.rehandlings,
        item_number: number.map(format_number),
        item_case_number: None,
        item_title: title,
    }
}

/// Queue lengths for `/metrics`.
#[derive(Debug, Default)]
pub struct QueueGauges {
    pub open: i64,
    pub overdue: i64,
    pub awaiting_filing: i64,
    pub outbox: i64,
    /// E-mails and text messages waiting to be sent (including those waiting for a retry).
    pub outgoing_queued: i64,
}

impl App {
    pub async fn queue_gauges(&self) -> AppResult<QueueGauges> {
        let g = banli_store::lists::gauges(&self.db.pool, self.today()).await?;
        Ok(QueueGauges {
            open: g.open,
            overdue: g.overdue,
            awaiting_filing: g.awaiting_filing,
            outbox: g.outbox,
            outgoing_queued: g.outgoing_queued,
        })
    }
}
