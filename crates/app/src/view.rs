//! What each actor may read: an item with everything about it that their role, unit and
//! relation to the item allow, the item lists and the unit queues, with clocks coloured
//! when read (DESIGN §4).

use crate::documents::latest_sent_reply;
use crate::rows::*;
use crate::{format_number, Actor, App, AppError, AppResult};
use banli_domain::clock::{colour_with_threshold, Colour};
use banli_domain::model::{AssignmentRole, AssignmentState, DocKind, ItemState, Role};
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_domain::rights::{decide, Action};
use banli_store::{sqlx, Sql, Tx};
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
    pub kind: String,
    pub number: Option<String>,
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

#[derive(Debug, Default, Deserialize)]
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

/// An adjustment or extension request: assignment, reason, proposal or date, state, note, time.
type RequestRow = (i64, String, Option<String>, String, Option<String>, String);

/// ` AND …`: the items `actor` may open, as SQL over `items` (unqualified columns). Lists,
/// staff search and similar items filter through this, so none of them shows an item that
/// the item page would refuse (a proposer's unsubmitted draft above all).
fn push_visible(sql: &mut Sql, actor: &Actor) {
    match actor.role {
        Role::Office | Role::Admin => {
            sql.push(" AND (state <> 'draft' OR on_paper = 1)");
        }
        Role::Proposer => {
            sql.push(" AND (id IN (SELECT item_id FROM item_proposers WHERE user_id = ")
                .bind(actor.user_id);
            sql.push(") OR merged_into IS NULL AND id IN (SELECT merged_into FROM items m JOIN item_proposers p ON p.item_id = m.id WHERE p.user_id = ").bind(actor.user_id).push("))");
        }
        Role::UnitStaff | Role::UnitSigner => {
            let u = actor.unit_id.unwrap_or(-1);
            sql.push(" AND (id IN (SELECT a.item_id FROM assignments a WHERE a.unit_id = ")
                .bind(u);
            sql.push(") OR id IN (SELECT a.item_id FROM delegations d JOIN assignments a ON a.id = d.assignment_id WHERE d.unit_id = ").bind(u);
            sql.push(") OR disposition_unit_id = ").bind(u).push(")");
        }
    }
}

impl App {
    /// Of `ids`, those the actor may open, in the given order (search hits keep their rank).
    pub async fn visible_items(&self, actor: &Actor, ids: &[i64]) -> AppResult<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT id FROM items WHERE org_id = ");
        sql.bind(self.org_id);
        push_visible(&mut sql, actor);
        let mut seen = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let mut q = sql.clone();
            q.push(" AND id IN ").bind_list(chunk.iter().copied());
            let rows: Vec<(i64,)> = q.query_as().fetch_all(&self.db.pool).await?;
            seen.extend(rows.into_iter().map(|(id,)| id));
        }
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
        let proposers: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT u.id, u.username, u.display_name, p.status FROM item_proposers p JOIN users u ON u.id = p.user_id WHERE p.item_id = $1 ORDER BY p.position").bind(id).fetch_all(&mut *tx).await?;
        let merged_items: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM items WHERE merged_into = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let rows = crate::item_assignments(&mut tx, id).await?;
        let assignments = self
            .assignment_outs(&mut tx, &policy, rows.clone(), today)
            .await?;
        let docs = sqlx::query_as::<_, DocumentRow>(&format!("SELECT {DOCUMENT_COLS} FROM documents WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id")).bind(id).fetch_all(&mut *tx).await?;
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
        let evaluations: Vec<EvaluationView> = sqlx::query_as::<_, (i64, i64, i64, String, String, Option<String>, String, String)>(
            "SELECT id, assignment_id, document_id, handling, result, comment, source, created_at FROM evaluations WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .filter(|e| may(Action::SeeWork(e.1)))
        .map(|(id, assignment_id, reply_id, handling, result, comment, source, created_at)| EvaluationView { id, assignment_id, reply_id, handling, result, comment, source, created_at })
        .collect();
        let consultations: Vec<ConsultationOut> =
            sqlx::query_as::<_, (i64, i64, String, String, String)>("SELECT id, assignment_id, method, held_on, summary FROM consultations WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY held_on, id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .filter(|c| may(Action::SeeWork(c.1)))
                .map(|(id, assignment_id, method, date, summary)| ConsultationOut { id, assignment_id, method, date, summary })
                .collect();
        let supervisions: Vec<SupervisionOut> = if !may(Action::SeeSupervision) {
            vec![]
        } else {
            sqlx::query_as::<_, (i64, String, Option<String>, String)>("SELECT id, note, due_on, created_at FROM supervisions WHERE item_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|(id, note, due_on, created_at)| SupervisionOut { id, note, due_on, created_at })
                .collect()
        };
        let events: Vec<EventOut> = sqlx::query_as::<_, (i64, String, Option<i64>, Option<String>, String, Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>)>(
            "SELECT e.id, e.at, e.actor_id, u.display_name, e.action, e.assignment_id, e.document_id, e.from_state, e.to_state, e.reason FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.item_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .filter(|e| {
            // What happens between the office and the units stays between them.
            let shared = PROPOSER_EVENTS.contains(&e.4.as_str());
            match e.5 {
                Some(a) => may(Action::SeeInternal(a)) || (shared && may(Action::SeeWork(a))),
                None => shared || may(Action::SeeSupervision),
            }
        })
        .map(|(id, at, actor_id, actor_name, action, assignment_id, document_id, from_state, to_state, reason)| EventOut {
            id,
            at,
            actor_id,
            // Proposers see who in the office or unit acted only as the body, not the clerk.
            actor_name: if is_proposer && actor_id != Some(actor.user_id) { None } else { actor_name },
            action,
            assignment_id,
            document_id,
            from_state,
            to_state,
            reason,
        })
        .collect();
        let mut requests: Vec<RequestOut> = Vec::new();
        {
            let adj: Vec<RequestRow> =
                sqlx::query_as("SELECT assignment_id, reason, proposal, state, note, created_at FROM adjustments WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id").bind(id).fetch_all(&mut *tx).await?;
            let ext: Vec<RequestRow> =
                sqlx::query_as("SELECT assignment_id, reason, until_on, state, note, created_at FROM extensions WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id").bind(id).fetch_all(&mut *tx).await?;
            for (kind, rows) in [("adjustment", adj), ("extension", ext)] {
                for (assignment_id, reason, proposal, state, note, created_at) in rows {
                    if may(Action::SeeInternal(assignment_id)) {
                        requests.push(RequestOut {
                            assignment_id,
                            kind: kind.to_string(),
                            reason,
                            proposal,
                            state,
                            note,
                            created_at,
                        });
                    }
                }
            }
        }
        tx.commit().await?;
        let mut detail = ItemDetail {
            summary,
            body: item.body,
            session_name: session.name,
            collective_name: item.collective_name,
            disposition: item.disposition,
            disposition_unit_id: item.disposition_unit_id,
            merged_into: item.merged_into,
            merged_items: merged_items.into_iter().map(|(i,)| i).collect(),
            key_leader: item.key_leader,
            on_paper: item.on_paper == 1,
            scan: item.scan_ref,
            proposers: proposers
                .into_iter()
                .map(|(user_id, username, display_name, status)| ProposerOut {
                    user_id,
                    username,
                    display_name,
                    status,
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
        let (rated,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM evaluations WHERE document_id = $1")
                .bind(d.id)
                .fetch_one(&mut **tx)
                .await?;
        let evaluation_due = d.evaluation_due.as_deref().map(date).transpose()?;
        let no_feedback =
            d.kind == DocKind::Reply && rated == 0 && evaluation_due.is_some_and(|due| due < today);
        let publications = sqlx::query_as::<_, (i64, String, String, String, Option<String>)>("SELECT version, disclosure, sha256, published_at, withdrawn_at FROM publications WHERE document_id = $1 ORDER BY version")
            .bind(d.id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(version, disclosure, sha256, published_at, withdrawn_at)| PublicationOut { version, disclosure, sha256, published_at, withdrawn_at })
            .collect();
        let commitments = self.commitments_of(tx, d.id, today).await?;
        Ok(DocumentOut {
            id: d.id,
            title: crate::publish::document_title(
                &session.body_name,
                &session.name,
                item.number,
                item.kind.as_str(),
                d.kind.as_str(),
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
        sqlx::query_as::<_, (i64, i64, i64, String, String, String, i64)>("SELECT id, document_id, unit_id, text, due_on, status, percent FROM commitments WHERE document_id = $1 ORDER BY id")
            .bind(document_id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, document_id, unit_id, text, due_on, status, percent)| Ok(CommitmentOut { overdue: status == "open" && date(&due_on)? < today, id, document_id, unit_id, text, due_on, status, percent }))
            .collect()
    }

    async fn summaries(&self, tx: &mut Tx, items: Vec<ItemRow>) -> AppResult<Vec<ItemSummary>> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            let first: Option<(String,)> =
                sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
                    .bind(i.first_proposer_id)
                    .fetch_optional(&mut **tx)
                    .await?;
            let category: Option<(String,)> = match i.category_id {
                Some(c) => {
                    sqlx::query_as("SELECT name FROM categories WHERE id = $1")
                        .bind(c)
                        .fetch_optional(&mut **tx)
                        .await?
                }
                None => None,
            };
            out.push(ItemSummary {
                id: i.id,
                session_id: i.session_id,
                kind: i.kind.to_string(),
                number: i.number.map(format_number),
                state: i.state(),
                first_proposer: i
                    .collective_name
                    .clone()
                    .or(first.map(|f| f.0))
                    .unwrap_or_default(),
                category: category.map(|c| c.0),
                title: i.title,
                origin: i.origin.to_string(),
                is_key: i.is_key == 1,
                submitted_on: i.submitted_on,
                updated_at: i.updated_at,
            });
        }
        Ok(out)
    }

    async fn assignment_outs(
        &self,
        tx: &mut Tx,
        policy: &Policy,
        rows: Vec<AssignmentRow>,
        today: NaiveDate,
    ) -> AppResult<Vec<AssignmentOut>> {
        let mut out = Vec::with_capacity(rows.len());
        for a in rows {
            let (unit_name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
                .bind(a.unit_id)
                .fetch_one(&mut **tx)
                .await?;
            let (number, title): (Option<i64>, String) =
                sqlx::query_as("SELECT number, title FROM items WHERE id = $1")
                    .bind(a.item_id)
                    .fetch_one(&mut **tx)
                    .await?;
            let (consulted,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM consultations WHERE assignment_id = $1")
                    .bind(a.id)
                    .fetch_one(&mut **tx)
                    .await?;
            out.push(assignment_out(
                policy,
                a,
                unit_name,
                number,
                title,
                consulted > 0,
                today,
            ));
        }
        Ok(out)
    }

    pub(crate) async fn assignments_by_id(&self, ids: &[i64]) -> AppResult<Vec<AssignmentOut>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut sql = Sql::new(&format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id IN "
        ));
        sql.bind_list(ids.iter().copied()).push(" ORDER BY id");
        let mut tx = self.db.read().await?;
        let rows = sql.query_as::<AssignmentRow>().fetch_all(&mut *tx).await?;
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
        let mut sql = Sql::new(" FROM items WHERE org_id = ");
        sql.bind(self.org_id);
        push_visible(&mut sql, actor);
        if let Some(s) = q.session_id {
            sql.push(" AND session_id = ").bind(s);
        }
        if let Some(state) = q.state.as_deref().filter(|s| !s.is_empty()) {
            if ItemState::parse(state).is_none() {
                return Err(AppError::bad("state", format!("未知的状态“{state}”")));
            }
            sql.push(" AND state = ").bind(state);
        }
        if let Some(u) = q.unit_id {
            sql.push(" AND id IN (SELECT item_id FROM assignments WHERE state <> 'returned' AND unit_id = ").bind(u).push(")");
        }
        if let Some(c) = q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            sql.push(" AND category_id IN (SELECT id FROM categories WHERE name = ")
                .bind(c.to_string())
                .push(")");
        }
        let order = match q.sort.as_deref().unwrap_or("number") {
            "" | "number" => " ORDER BY COALESCE(number, 999999999), id",
            "updated" => " ORDER BY updated_at DESC, id DESC",
            "submitted" => " ORDER BY COALESCE(submitted_on, '9999-12-31'), id",
            other => {
                return Err(AppError::bad(
                    "sort",
                    format!("未知的排序“{other}”（可用 number、updated、submitted）"),
                ))
            }
        };
        if let Some(ids) = &q.ids {
            if ids.is_empty() {
                return Ok(ItemPage {
                    items: vec![],
                    total: 0,
                    page,
                    per_page: per,
                });
            }
            sql.push(" AND id IN ").bind_list(ids.iter().copied());
        } else if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            // Plain substring match until the search index answers staff queries.
            let pattern = format!("%{}%", text.replace(['%', '_'], ""));
            sql.push(" AND (title LIKE ")
                .bind(pattern.clone())
                .push(" OR body LIKE ")
                .bind(pattern)
                .push(")");
        }
        let mut tx = self.db.read().await?;
        let count = rebind(&sql, "SELECT COUNT(*)", "");
        let (total,): (i64,) = count.query_as::<(i64,)>().fetch_one(&mut *tx).await?;
        let mut list = rebind(&sql, &format!("SELECT {ITEM_COLS}"), order);
        list.push(" LIMIT ")
            .bind(per)
            .push(" OFFSET ")
            .bind((page - 1) * per);
        let rows = list.query_as::<ItemRow>().fetch_all(&mut *tx).await?;
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
        let unit = match actor.role {
            Role::UnitStaff | Role::UnitSigner => {
                if q.unit_id.is_some() && q.unit_id != actor.unit_id {
                    return Err(AppError::forbidden("只能查看本单位的交办件"));
                }
                actor.unit_id
            }
            _ => q.unit_id,
        };
        let mut sql =
            Sql::new(" FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = ");
        sql.bind(self.org_id);
        if let Some(u) = unit {
            // The unit's own work and the work its parent delegated to it (内部交办).
            sql.push(" AND (a.unit_id = ")
                .bind(u)
                .push(" OR a.id IN (SELECT assignment_id FROM delegations WHERE unit_id = ")
                .bind(u)
                .push("))");
        }
        if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
            if AssignmentState::parse(s).is_none() {
                return Err(AppError::bad("state", format!("未知的状态“{s}”")));
            }
            sql.push(" AND a.state = ").bind(s);
        }
        if let Some(d) = q.due_before {
            let d = crate::iso(d);
            sql.push(" AND COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by) <= ").bind(d);
        }
        let cols = ASSIGNMENT_COLS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut tx = self.db.read().await?;
        let (total,): (i64,) = rebind(&sql, "SELECT COUNT(*)", "")
            .query_as::<(i64,)>()
            .fetch_one(&mut *tx)
            .await?;
        let mut list = rebind(&sql, &format!("SELECT {cols}"), " ORDER BY COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by), a.id");
        list.push(" LIMIT ")
            .bind(per)
            .push(" OFFSET ")
            .bind((page - 1) * per);
        let rows = list.query_as::<AssignmentRow>().fetch_all(&mut *tx).await?;
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

/// The same filter with a different head and tail (count vs. page).
pub(crate) fn rebind(body: &Sql, head: &str, tail: &str) -> Sql {
    let mut s = body.clone();
    s.wrap(head, tail);
    s
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
    let state = a.state();
    let role = a.role();
    let start = a.assigned_on();
    let provisional = a.provisional == 1;
    let mut clocks = Vec::new();
    let mut clock = |name: &str, due: NaiveDate| {
        clocks.push(Clock {
            name: name.to_string(),
            due: crate::iso(due),
            colour: colour_with_threshold(start, due, today, policy.yellow_fraction),
            overdue: today > due,
            provisional,
        })
    };
    if state == AssignmentState::Assigned {
        clock("return_window", a.return_by);
    }
    // Consulting the proposer is the answering unit's clock, not a co unit's.
    if role.owes_reply() && !consulted && banli_domain::lifecycle::owes_document(state) {
        clock("first_consultation", a.first_consultation_by);
    }
    if banli_domain::lifecycle::owes_document(state) {
        if role == AssignmentRole::Co {
            if let Some(d) = a.co_opinion_by {
                clock("co_opinion", d);
            }
        } else if let Some(d) = a.reply_due() {
            clock("reply", d);
        }
    }
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
        let today = crate::iso(self.today());
        let open_states = "('assigned', 'accepted', 'return_requested', 'rehandling')";
        let (open,): (i64,) = sqlx::query_as(&format!(
            "SELECT COUNT(*) FROM assignments WHERE state IN {open_states}"
        ))
        .fetch_one(&self.db.pool)
        .await?;
        let (overdue,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM assignments WHERE state IN {open_states} AND COALESCE(rehandling_reply_by, extended_reply_by, reply_by, co_opinion_by) < $1")).bind(&today).fetch_one(&self.db.pool).await?;
        let (awaiting_filing,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM items WHERE state = 'submitted'")
                .fetch_one(&self.db.pool)
                .await?;
        let (outbox,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox")
            .fetch_one(&self.db.pool)
            .await?;
        let (outgoing_queued,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outgoing_messages WHERE state = 'queued'")
                .fetch_one(&self.db.pool)
                .await?;
        Ok(QueueGauges {
            open,
            overdue,
            awaiting_filing,
            outbox,
            outgoing_queued,
        })
    }
}
