//! `GET /stats`: the facts of DESIGN §7 gathered from the database; the formulas are the
//! domain's (`banli_domain::stats`).

use crate::admin::UnitOut;
use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::CommitmentStatus;
use banli_domain::rights::Capability;
use banli_domain::stats::{
    self, AssignmentFact, AssignmentTally, CommitmentFact, CommitmentTally, Figures, GradeCounts,
    ItemFact, ItemTally, RatingTally, Summary, Tallies,
};
use banli_store::stats as store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct StatsQuery {
    pub session_id: i64,
    /// Items filed on or after this date.
    pub from: Option<NaiveDate>,
    /// Items filed on or before this date.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub unit_id: i64,
    pub unit_name: String,
    /// 1 = best (on-time rate, then reply rate, then satisfaction with the result).
    pub rank: usize,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryFigures {
    pub category: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsOut {
    pub session_id: i64,
    pub as_of: NaiveDate,
    pub overall: Figures,
    pub per_unit: Vec<UnitFigures>,
    pub per_category: Vec<CategoryFigures>,
}

impl App {
    /// The figures of DESIGN §7, summed in SQL from the statistics facts (the fast path).
    pub async fn stats(&self, actor: &Actor, q: StatsQuery) -> AppResult<StatsOut> {
        let scope = self.stats_scope(actor, &q)?;
        let today = self.today();
        let pool = &self.db.pool;
        let categories: HashMap<i64, String> = self.categories().await?.into_iter().collect();
        let units = self.list_units().await?;
        let parents: HashMap<i64, i64> = units
            .iter()
            .map(|u| (u.id, u.parent_id.unwrap_or(u.id)))
            .collect();
        let name = |c: Option<i64>| c.and_then(|c| categories.get(&c).cloned());
        let unit = |u: i64| parents.get(&u).copied().unwrap_or(u);
        let n = |v: i64| v.max(0) as u64;
        let mut t = Tallies::default();
        for c in store::item_cells(pool, &scope).await? {
            let tally = ItemTally {
                filed: n(c.filed),
                replied: n(c.replied),
            };
            t.items.push((name(c.category_id), tally));
        }
        for c in store::assignment_cells(pool, &scope, today).await? {
            let rating = |s, b, u, f| RatingTally {
                satisfied: n(s),
                basically_satisfied: n(b),
                unsatisfied: n(u),
                no_feedback: n(f),
            };
            let tally = AssignmentTally {
                assigned: n(c.assigned),
                replied: n(c.replied),
                countable: n(c.countable),
                on_time: n(c.on_time),
                consulted: n(c.consulted),
                grades: GradeCounts {
                    a: n(c.grade_a),
                    b: n(c.grade_b),
                    c: n(c.grade_c),
                    d: n(c.grade_d),
                },
                handling: rating(
                    c.handling_satisfied,
                    c.handling_basic,
                    c.handling_unsatisfied,
                    c.handling_no_feedback,
                ),
                result: rating(
                    c.result_satisfied,
                    c.result_basic,
                    c.result_unsatisfied,
                    c.result_no_feedback,
                ),
            };
            t.assignments
                .push((unit(c.unit_id), name(c.category_id), tally));
        }
        for c in store::commitment_cells(pool, &scope, today).await? {
            let tally = CommitmentTally {
                due: n(c.due),
                done_on_time: n(c.done_on_time),
            };
            t.commitments
                .push((unit(c.unit_id), name(c.category_id), tally));
        }
        Ok(stats_out(q.session_id, today, stats::summarise(&t), units))
    }

    /// The same figures from the facts one by one (the reference arithmetic of §7): what
    /// `banli check` and the tests hold the fast path to.
    pub async fn stats_reference(&self, actor: &Actor, q: StatsQuery) -> AppResult<StatsOut> {
        let scope = self.stats_scope(actor, &q)?;
        let today = self.today();
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
        let summary = Summary {
            overall: stats::overall(&items, &facts, &commitments),
            per_unit: stats::per_unit(&facts, &commitments),
            per_category: stats::per_category(&items, &facts, &commitments),
        };
        Ok(stats_out(
            q.session_id,
            today,
            summary,
            self.list_units().await?,
        ))
    }

    pub(crate) fn stats_scope(&self, actor: &Actor, q: &StatsQuery) -> AppResult<store::Scope> {
        actor.require(Capability::SeeStatistics)?;
        if let (Some(f), Some(t)) = (q.from, q.to) {
            if f > t {
                return Err(AppError::rule("from", "开始日期不能晚于结束日期"));
            }
        }
        Ok(store::Scope {
            org_id: self.org_id,
            session_id: q.session_id,
            from: q.from,
            to: q.to,
        })
    }
}

/// The figures with unit names and ranks, as the API, dashboard and workbook show them.
fn stats_out(session_id: i64, as_of: NaiveDate, s: Summary, units: Vec<UnitOut>) -> StatsOut {
    let order = stats::rank(&s.per_unit);
    let names: HashMap<i64, String> = units.into_iter().map(|u| (u.id, u.name)).collect();
    let per_unit = order
        .iter()
        .enumerate()
        .map(|(k, id)| UnitFigures {
            unit_id: *id,
            unit_name: names.get(id).cloned().unwrap_or_default(),
            rank: k + 1,
            figures: s.per_unit[id].clone(),
        })
        .collect();
    let per_category = s
        .per_category
        .into_iter()
        .map(|(category, figures)| CategoryFigures { category, figures })
        .collect();
    StatsOut {
        session_id,
        as_of,
        overall: s.overall,
        per_unit,
        per_category,
    }
}
