//! The office's ledgers (台账) beside the item and assignment lists: every commitment made in
//! a sent reply, and every sent reply, with filters, paging and the same visibility as the
//! assignment list — the office and the admin see the organisation, a unit its own rows.

use crate::view::paging;
use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::{CommitmentStatus, Grade};
use banli_domain::rights::Capability;
use banli_store::lists::{self, LedgerFilter};
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

pub use banli_store::lists::{CommitmentLedgerRow as CommitmentRow, ReplyLedgerRow as ReplyRow};

#[derive(Debug, Serialize)]
pub struct LedgerPage<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl App {
    /// The scope of a ledger: the unit a unit user is limited to, or the filter the office chose.
    fn ledger_scope(actor: &Actor, q: &LedgerQuery) -> AppResult<Option<i64>> {
        actor.require(Capability::SeeWorkLists)?;
        Ok(if actor.may(Capability::SeeEveryUnitsWork) {
            q.unit_id
        } else {
            if q.unit_id.is_some() && q.unit_id != actor.unit_id {
                return Err(AppError::forbidden("只能查看本单位的台账"));
            }
            actor.unit_id
        })
    }

    fn ledger_filter(&self, unit: Option<i64>, q: &LedgerQuery) -> LedgerFilter {
        LedgerFilter {
            org_id: self.org_id,
            session_id: q.session_id,
            unit_id: unit,
            before: q.before,
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
        let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(
                CommitmentStatus::parse(s)
                    .ok_or_else(|| AppError::bad("status", format!("未知的承诺事项状态“{s}”")))?,
            ),
            None => None,
        };
        let filter = self.ledger_filter(unit, q);
        let mut tx = self.db.read().await?;
        let (rows, total) =
            lists::commitment_ledger(&mut tx, &filter, status, per, (page - 1) * per).await?;
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
        let grade = match q.status.as_deref().filter(|s| !s.is_empty()) {
            Some(g) => Some(
                Grade::parse(g)
                    .ok_or_else(|| AppError::bad("status", format!("未知的答复类别“{g}”")))?,
            ),
            None => None,
        };
        let filter = self.ledger_filter(unit, q);
        let mut tx = self.db.read().await?;
        let (rows, total) =
            lists::reply_ledger(&mut tx, &filter, grade, per, (page - 1) * per).await?;
        tx.commit().await?;
        Ok(LedgerPage {
            rows,
            total,
            page,
            per_page: per,
        })
    }
}
