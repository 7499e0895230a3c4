//! Commitment completion over time (DESIGN §7, 办成率 by due month) for the statistics
//! dashboard: the same commitments as `App::stats` (sent or superseded replies of live lead
//! and separate assignments of filed items, with the same session and date-range filters),
//! grouped by the month of their due date.

use crate::rows::date;
use crate::stats::StatsQuery;
use crate::{iso, Actor, App, AppError, AppResult};
use banli_domain::rights::Capability;
use banli_store::Sql;
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
        let mut sql = Sql::new(
            "SELECT m.due_on, m.status, m.done_on
             FROM commitments m JOIN documents d ON d.id = m.document_id JOIN assignments a ON a.id = d.assignment_id
             JOIN items i ON i.id = a.item_id
             WHERE d.state IN ('sent', 'superseded') AND a.role IN ('lead', 'separate') AND a.state <> 'returned'
               AND i.state IN ('filed', 'handling', 'replied', 'closed') AND i.org_id = ",
        );
        sql.bind(self.org_id)
            .push(" AND i.session_id = ")
            .bind(q.session_id);
        if let Some(f) = q.from {
            sql.push(" AND SUBSTR(i.filed_at, 1, 10) >= ").bind(iso(f));
        }
        if let Some(t) = q.to {
            sql.push(" AND SUBSTR(i.filed_at, 1, 10) <= ").bind(iso(t));
        }
        let rows = sql
            .query_as::<(String, String, Option<String>)>()
            .fetch_all(&self.db.pool)
            .await?;
        let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (due_on, status, done_on) in rows {
            let due = date(&due_on)?;
            if today <= due {
                continue;
            }
            let m = months.entry(due.format("%Y-%m").to_string()).or_default();
            m.0 += 1;
            if status == "done"
                && done_on
                    .as_deref()
                    .map(date)
                    .transpose()?
                    .is_some_and(|d| d <= due)
            {
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
