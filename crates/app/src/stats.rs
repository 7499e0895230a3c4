//! `GET /stats`: the facts of DESIGN §7 gathered from the database; the formulas are the
//! domain's (`banli_domain::stats`).

use crate::rows::date;
use crate::{iso, Actor, App, AppError, AppResult};
use banli_domain::model::{Grade, Rating};
use banli_domain::rights::Capability;
use banli_domain::stats::{self, AssignmentFact, CommitmentFact, Figures, ItemFact};
use banli_store::{sqlx, Sql};
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

#[derive(sqlx::FromRow)]
struct ARow {
    item_id: i64,
    unit_id: i64,
    category: Option<String>,
    reply_by: Option<String>,
    extended_reply_by: Option<String>,
    first_sent: Option<String>,
    first_in_person: Option<String>,
    latest_grade: Option<String>,
    latest_eval_due: Option<String>,
    handling: Option<String>,
    result: Option<String>,
}

/// Filed items of the session: not merged, not_filed, withdrawn or still with the proposer.
fn filed(sql: &mut Sql, org: i64, session: i64) {
    sql.push("i.org_id = ")
        .bind(org)
        .push(" AND i.session_id = ")
        .bind(session)
        .push(" AND i.state IN ('filed', 'handling', 'replied', 'closed')");
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
        let range = |sql: &mut Sql| {
            if let Some(f) = q.from {
                sql.push(" AND SUBSTR(i.filed_at, 1, 10) >= ").bind(iso(f));
            }
            if let Some(t) = q.to {
                sql.push(" AND SUBSTR(i.filed_at, 1, 10) <= ").bind(iso(t));
            }
        };
        let mut sql = Sql::new("SELECT i.id, c.name FROM items i LEFT JOIN categories c ON c.id = i.category_id WHERE ");
        filed(&mut sql, self.org_id, q.session_id);
        range(&mut sql);
        let items: Vec<ItemFact> = sql
            .query_as::<(i64, Option<String>)>()
            .fetch_all(&self.db.pool)
            .await?
            .into_iter()
            .map(|(item_id, category)| ItemFact { item_id, category })
            .collect();

        // One row per live lead/separate assignment; the latest sent reply decides grade and rating.
        let latest = "(SELECT MAX(d.id) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state = 'sent')";
        let mut sql = Sql::new(&format!(
            "SELECT a.item_id, COALESCE(u.parent_id, u.id) AS unit_id, c.name AS category, a.reply_by, a.extended_reply_by,
                (SELECT MIN(d.sent_on) FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state IN ('sent', 'superseded')) AS first_sent,
                (SELECT MIN(k.held_on) FROM consultations k WHERE k.assignment_id = a.id AND k.method IN ('face_to_face', 'visit', 'forum')) AS first_in_person,
                (SELECT d.grade FROM documents d WHERE d.id = {latest}) AS latest_grade,
                (SELECT d.evaluation_due FROM documents d WHERE d.id = {latest}) AS latest_eval_due,
                (SELECT e.handling FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1) AS handling,
                (SELECT e.result FROM evaluations e WHERE e.document_id = {latest} ORDER BY e.id DESC LIMIT 1) AS result
             FROM assignments a JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id LEFT JOIN categories c ON c.id = i.category_id
             WHERE a.role IN ('lead', 'separate') AND a.state <> 'returned' AND "
        ));
        filed(&mut sql, self.org_id, q.session_id);
        range(&mut sql);
        let rows = sql.query_as::<ARow>().fetch_all(&self.db.pool).await?;
        let facts: Vec<AssignmentFact> = rows
            .into_iter()
            .map(|r| -> AppResult<AssignmentFact> {
                let day = |s: &Option<String>| s.as_deref().map(date).transpose();
                let due = day(&r.extended_reply_by)?.or(day(&r.reply_by)?);
                let first = day(&r.first_sent)?;
                let consulted = day(&r.first_in_person)?;
                let eval_due = day(&r.latest_eval_due)?;
                let rating = |s: &Option<String>| s.as_deref().and_then(Rating::parse);
                let (handling, result) = (rating(&r.handling), rating(&r.result));
                Ok(AssignmentFact {
                    item_id: r.item_id,
                    unit_id: r.unit_id,
                    category: r.category,
                    replied: first.is_some(),
                    first_reply_on_time: matches!((first, due), (Some(f), Some(d)) if f <= d),
                    past_due: due.is_some_and(|d| today > d),
                    consulted_in_person: matches!((consulted, first), (Some(c), Some(f)) if c <= f),
                    no_feedback: result.is_none() && eval_due.is_some_and(|d| today > d),
                    handling,
                    result,
                    grade: r.latest_grade.as_deref().and_then(Grade::parse),
                })
            })
            .collect::<AppResult<_>>()?;

        let mut sql = Sql::new(
            "SELECT COALESCE(u.parent_id, u.id), c.name, m.due_on, m.status, m.done_on
             FROM commitments m JOIN documents d ON d.id = m.document_id JOIN assignments a ON a.id = d.assignment_id
             JOIN items i ON i.id = a.item_id JOIN units u ON u.id = a.unit_id LEFT JOIN categories c ON c.id = i.category_id
             WHERE d.state IN ('sent', 'superseded') AND a.role IN ('lead', 'separate') AND a.state <> 'returned' AND ",
        );
        filed(&mut sql, self.org_id, q.session_id);
        range(&mut sql);
        let commitments: Vec<CommitmentFact> = sql
            .query_as::<(i64, Option<String>, String, String, Option<String>)>()
            .fetch_all(&self.db.pool)
            .await?
            .into_iter()
            .map(|(unit_id, category, due_on, status, done_on)| {
                let due = date(&due_on)?;
                let done = done_on.as_deref().map(date).transpose()?;
                Ok(CommitmentFact {
                    unit_id,
                    category,
                    due_passed: today > due,
                    done_on_time: status == "done" && done.is_some_and(|d| d <= due),
                })
            })
            .collect::<AppResult<_>>()?;

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
