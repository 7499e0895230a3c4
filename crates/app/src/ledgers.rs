//! The office's ledgers (台账) beside the item and assignment lists: every commitment made in
//! a sent reply, and every sent reply, with filters, paging and the same visibility as the
//! assignment list — the office and the admin see the organisation, a unit its own rows.

use crate::view::{paging, rebind};
use crate::{format_number, Actor, App, AppError, AppResult};
use banli_domain::model::Role;
use banli_domain::rights::Capability;
use banli_store::{sqlx, Sql};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct LedgerQuery {
    pub session_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// Commitments: `open`, `done`, `carried_over`; replies: the grade `A`–`D`.
    pub status: Option<String>,
    /// Commitments due on or before this date; replies sent on or before it.
    pub before: Option<NaiveDate>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CommitmentRow {
    pub id: i64,
    pub item_id: i64,
    pub item_number: Option<i64>,
    pub item_title: String,
    pub unit_name: String,
    pub doc_number: Option<String>,
    pub text: String,
    pub due_on: String,
    pub status: String,
    pub percent: i64,
    pub done_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReplyRow {
    pub id: i64,
    pub item_id: i64,
    pub item_number: Option<i64>,
    pub item_title: String,
    pub unit_name: String,
    pub doc_number: Option<String>,
    pub sent_on: Option<String>,
    pub grade: Option<String>,
    pub disclosure: String,
    pub state: String,
    pub published: i64,
    pub result: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LedgerPage<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl CommitmentRow {
    pub fn number(&self) -> String {
        self.item_number.map(format_number).unwrap_or_default()
    }
    /// Open past its due date (organisation-local `today`).
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == "open"
            && NaiveDate::parse_from_str(&self.due_on, "%Y-%m-%d").is_ok_and(|d| d < today)
    }
}

impl ReplyRow {
    pub fn number(&self) -> String {
        self.item_number.map(format_number).unwrap_or_default()
    }
}

impl App {
    /// The scope of a ledger: the unit a unit user is limited to, or the filter the office chose.
    fn ledger_scope(actor: &Actor, q: &LedgerQuery) -> AppResult<Option<i64>> {
        actor.require(Capability::SeeWorkLists)?;
        Ok(match actor.role {
            Role::UnitStaff | Role::UnitSigner => {
                if q.unit_id.is_some() && q.unit_id != actor.unit_id {
                    return Err(AppError::forbidden("只能查看本单位的台账"));
                }
                actor.unit_id
            }
            _ => q.unit_id,
        })
    }

    fn ledger_filter(&self, sql: &mut Sql, unit: Option<i64>, q: &LedgerQuery) {
        sql.bind(self.org_id);
        if let Some(s) = q.session_id {
            sql.push(" AND i.session_id = ").bind(s);
        }
        if let Some(u) = unit {
            sql.push(" AND a.unit_id = ").bind(u);
        }
    }

    /// Commitments of sent replies, by due date.
    pub async fn list_commitments(
        &self,
        actor: &Actor,
        q: &LedgerQuery,
    ) -> AppResult<LedgerPage<CommitmentRow>> {
        let unit = Self::ledger_scope(actor, q)?;
        let (page, per) = paging(q.page, q.per_page)?;
        let mut sql = Sql::new(
            " FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id
             WHERE d.state IN ('sent', 'superseded') AND i.org_id = ",
        );
        self.ledger_filter(&mut sql, unit, q);
        if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
            if !["open", "done", "carried_over"].contains(&s) {
                return Err(AppError::bad("status", format!("未知的承诺事项状态“{s}”")));
            }
            sql.push(" AND c.status = ").bind(s);
        }
        if let Some(d) = q.before {
            sql.push(" AND c.due_on <= ").bind(crate::iso(d));
        }
        let mut tx = self.db.read().await?;
        let (total,): (i64,) = rebind(&sql, "SELECT COUNT(*)", "")
            .query_as::<(i64,)>()
            .fetch_one(&mut *tx)
            .await?;
        let mut list = rebind(
            &sql,
            "SELECT c.id, i.id AS item_id, i.number AS item_number, i.title AS item_title, u.name AS unit_name, d.doc_number, c.text, c.due_on, c.status, c.percent, c.done_on",
            " ORDER BY c.due_on, c.id",
        );
        list.push(" LIMIT ")
            .bind(per)
            .push(" OFFSET ")
            .bind((page - 1) * per);
        let rows = list.query_as::<CommitmentRow>().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(LedgerPage {
            rows,
            total,
            page,
            per_page: per,
        })
    }

    /// Sent replies (and those superseded by a re-handling), newest first.
    pub async fn list_replies(
        &self,
        actor: &Actor,
        q: &LedgerQuery,
    ) -> AppResult<LedgerPage<ReplyRow>> {
        let unit = Self::ledger_scope(actor, q)?;
        let (page, per) = paging(q.page, q.per_page)?;
        let mut sql = Sql::new(
            " FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id
             WHERE d.kind = 'reply' AND d.state IN ('sent', 'superseded') AND i.org_id = ",
        );
        self.ledger_filter(&mut sql, unit, q);
        if let Some(g) = q.status.as_deref().filter(|s| !s.is_empty()) {
            if !["A", "B", "C", "D"].contains(&g) {
                return Err(AppError::bad("status", format!("未知的答复类别“{g}”")));
            }
            sql.push(" AND d.grade = ").bind(g);
        }
        if let Some(d) = q.before {
            sql.push(" AND d.sent_on <= ").bind(crate::iso(d));
        }
        let mut tx = self.db.read().await?;
        let (total,): (i64,) = rebind(&sql, "SELECT COUNT(*)", "")
            .query_as::<(i64,)>()
            .fetch_one(&mut *tx)
            .await?;
        let mut list = rebind(
            &sql,
            "SELECT d.id, i.id AS item_id, i.number AS item_number, i.title AS item_title, u.name AS unit_name, d.doc_number, d.sent_on, d.grade, d.disclosure, d.state,
                    (SELECT COUNT(*) FROM publications p WHERE p.document_id = d.id AND p.withdrawn_at IS NULL) AS published,
                    (SELECT e.result FROM evaluations e WHERE e.document_id = d.id ORDER BY e.id DESC LIMIT 1) AS result",
            " ORDER BY d.sent_on DESC, d.id DESC",
        );
        list.push(" LIMIT ")
            .bind(per)
            .push(" OFFSET ")
            .bind((page - 1) * per);
        let rows = list.query_as::<ReplyRow>().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(LedgerPage {
            rows,
            total,
            page,
            per_page: per,
        })
    }
}
