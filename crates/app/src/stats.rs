//! `GET /stats`: the facts of DESIGN §7 gathered from the database; the formulas are the
//! domain's (`banli_domain::stats`).

use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::CommitmentStatus;
use banli_domain::rights::Capability;
use banli_domain::stats::{self, AssignmentFact, CommitmentFact, Figures, ItemFact};
use banli_store::stats as store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatsQuery {
    pub session_id: i64,
    /// Items filed on or after this date.
    pub from: Option<NaiveDate>,
    /// Items filed on or before this date.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub unit_id: i64,
    pub unit_name: String,
    /// 1 = best (on-time rate, then reply rate, then satisfaction with the result).
    pub rank: usize,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryFigures {
    pub category: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsOut {
    pub session_id: i64,
    pub as_of: NaiveDate,
    pub overall: Figures,
    pub per_unit: Vec<UnitFigures>,
    pub per_category: Vec<CategoryFigures>,
}

impl App {
    pub async fn stats(&self, actor: &Actor, q: StatsQuery) -> AppResult<StatsOut> {
        actor.require(Capability::SeeStatistics)?;
        if let (Some(f), Some(t)) = (q.from, q.to) {
            if f > t {
                return Err(AppError::rule("from", "开始日期不能晚于结束日期"));
            }
        }
        let today = self.today();
        let scope = store::Scope {
            org_id: self.org_id,
            session_id: q.session_id,
            from: q.from,
            to: q.to,
        };
        let items: Vec<ItemFact> = store::items(&self.db.pool, &scope)
            .await?
            .into_iter()
            .map(|(item_id, category)| ItemFact { item_id, category })
            .collect();
        let facts: Vec<AssignmentFact> = store::assignments(&self.db.pool, &scope)
            .await?
            .into_iter()
            .map(|r| {
                let due = r.extended_reply_by.or(r.reply_by);
                let first = r.first_sent;
                AssignmentFact {
                    item_id: r.item_id,
                    unit_id: r.unit_id,
                    category: r.category,
                    replied: first.is_some(),
                    first_reply_on_time: matches!((first, due), (Some(f), Some(d)) if f <= d),
                    past_due: due.is_some_and(|d| today > d),
                    consulted_in_person: matches!((r.first_in_person, first), (Some(c), Some(f)) if c <= f),
                    no_feedback: r.result.is_none() && r.latest_eval_due.is_some_and(|d| today > d),
                    handling: r.handling,
                    result: r.result,
                    grade: r.latest_grade,
                }
            })
            .collect();
        let commitments: Vec<CommitmentFact> = store::commitments(&self.db.pool, &scope)
            .await?
            .into_iter()
            .map(|m| CommitmentFact {
                unit_id: m.unit_id,
                category: m.category,
                due_passed: today > m.due_on,
                done_on_time: m.status == CommitmentStatus::Done
                    && m.done_on.is_some_and(|d| d <= m.due_on),
            })
            .collect();

        let per_unit_map = stats::per_unit(&facts, &commitments);
        let order = stats::rank(&per_unit_map);
        let names: std::collections::HashMap<i64, String> = self
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let per_unit = order
            .iter()
            .enumerate()
            .map(|(k, id)| UnitFigures {
                unit_id: *id,
                unit_name: names.get(id).cloned().unwrap_or_default(),
                rank: k + 1,
                figures: per_unit_map[id].clone(),
            })
            .collect();
        let per_category = stats::per_category(&items, &facts, &commitments)
            .into_iter()
            .map(|(category, figures)| CategoryFigures { category, figures })
            .collect();
        Ok(StatsOut {
            session_id: q.session_id,
            as_of: today,
            overall: stats::overall(&items, &facts, &commitments),
            per_unit,
            per_category,
        })
    }
}
