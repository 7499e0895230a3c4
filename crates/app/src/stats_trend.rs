//! Commitment completion over time (DESIGN §7, 办成率 by due month) for the statistics
//! dashboard: the same commitments as `App::stats` (sent or superseded replies of live lead
//! and separate assignments of filed items, with the same session and date-range filters),
//! grouped by the month of their due date.

use crate::stats::StatsQuery;
use crate::{Actor, App, AppResult};
use serde::Serialize;

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
        let scope = self.stats_scope(actor, q)?;
        let today = self.today();
        let months = banli_store::stats::commitment_months(&self.db.pool, &scope, today).await?;
        Ok(months
            .into_iter()
            .map(|(month, due, done)| {
                let (due, done_on_time) = (due.max(0) as u64, done.max(0) as u64);
                MonthCompletion {
                    month,
                    due,
                    done_on_time,
                    completion_rate: (due > 0).then(|| done_on_time as f64 / due as f64),
                }
            })
            .collect())
    }
}
