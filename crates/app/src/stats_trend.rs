//! Commitment completion over time (DESIGN §7, 办成率 by due month) for the statistics
//! dashboard: the same commitments as `App::stats` (sent or superseded replies of live lead
//! and separate assignments of filed items, with the same session and date-range filters),
//! grouped by the month of their due date.

use crate::stats::StatsQuery;
use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::CommitmentStatus;
use banli_domain::rights::Capability;
use serde::Serialize;
use std::collections::BTreeMap;

/// One due month: commitments whose due date has passed, and of those, done by it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthCompletion {
    /// `YYYY-MM`.
    pub month: String,
    pub due: u64,
    pub done_on_time: u64,
    /// done_on_time ÷ due.
    pub completion_rate: Option<f64>,
}

impl App {
    /// 办成率 per due month, oldest first; only months with a passed due date (as the overall
    /// rate counts them), so the months add up to the overall `commitments` figures.
    pub async fn commitment_trend(
        &self,
        actor: &Actor,
        q: &StatsQuery,
    ) -> AppResult<Vec<MonthCompletion>> {
        actor.require(Capability::SeeStatistics)?;
        if let (Some(f), Some(t)) = (q.from, q.to) {
            if f > t {
                return Err(AppError::rule("from", "开始日期不能晚于结束日期"));
            }
        }
        let today = self.today();
        let scope = banli_store::stats::Scope {
            org_id: self.org_id,
            session_id: q.session_id,
            from: q.from,
            to: q.to,
        };
        let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for c in banli_store::stats::commitments(&self.db.pool, &scope).await? {
            if today <= c.due_on {
                continue;
            }
            let m = months
                .entry(c.due_on.format("%Y-%m").to_string())
                .or_default();
            m.0 += 1;
            if c.status == CommitmentStatus::Done && c.done_on.is_some_and(|d| d <= c.due_on) {
                m.1 += 1;
            }
        }
        Ok(months
            .into_iter()
            .map(|(month, (due, done_on_time))| MonthCompletion {
                month,
                due,
                done_on_time,
                completion_rate: (due > 0).then(|| done_on_time as f64 / due as f64),
            })
            .collect())
    }
}
