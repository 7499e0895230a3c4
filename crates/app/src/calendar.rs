//! The working-day calendar as the organisation sees it: the bundled official years, the
//! years an admin added, and local days off; plus recomputing provisional due dates.

use crate::events::{record, Event};
use crate::{Actor, App, AppError, AppResult, Input};
use banli_domain::calendar::{Calendar, Due};
use banli_domain::limits::required;
use banli_domain::model::AssignmentRole;
use banli_domain::rights::Capability;
use banli_store::Tx;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueQuery {
    pub from: NaiveDate,
    pub working_days: Option<u32>,
    pub months: Option<u32>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueOut {
    pub due: NaiveDate,
    pub provisional: bool,
}

/// A national year in the holiday-cn layout (`{year, days:[{name, date, isOffDay}]}`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearInput {
    pub year: i32,
    pub days: Vec<YearDay>,
}

#[derive(Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearDay {
    pub name: String,
    pub date: NaiveDate,
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocalDayOff {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarChange {
    pub year: i32,
    /// Provisional due dates recomputed because of the change.
    pub recomputed: u64,
}

pub(crate) async fn load(tx: &mut Tx, org_id: i64) -> AppResult<Calendar> {
    let mut cal = Calendar::bundled();
    let banli_store::calendar::StoredDays { national, local } =
        banli_store::calendar::days(tx, org_id).await?;
    for (year, days) in national {
        cal.add_year(year, &days)
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    for (d, name) in local {
        cal.add_local_day_off(d, &name);
    }
    Ok(cal)
}

impl App {
    pub async fn calendar(&self) -> AppResult<Calendar> {
        let mut tx = self.db.read().await?;
        let cal = load(&mut tx, self.org_id).await?;
        tx.commit().await?;
        Ok(cal)
    }

    /// `GET /calendar/due`: N working days or N months from a date.
    pub async fn due(&self, q: DueQuery) -> AppResult<DueOut> {
        let cal = self.calendar().await?;
        let d: Due = match (q.working_days, q.months) {
            (Some(n), None) if n <= 1000 => cal.add_working_days(q.from, n),
            (None, Some(n)) if n <= 120 => cal.add_months(q.from, n),
            (Some(_), None) => return Err(AppError::rule("working_days", "工作日数不能超过1000")),
            (None, Some(_)) => return Err(AppError::rule("months", "月数不能超过120")),
            _ => {
                return Err(AppError::bad(
                    "working_days",
                    "须且只能给出 working_days 或 months 之一",
                ))
            }
        };
        Ok(DueOut {
            due: d.date,
            provisional: d.provisional,
        })
    }

    /// Adds (or replaces) a national year, then recomputes every provisional due date.
    pub async fn add_calendar_year(
        &self,
        actor: &Actor,
        input: Input<YearInput>,
    ) -> AppResult<CalendarChange> {
        actor.require(Capability::Administer)?;
        let y = input.get()?;
        let json = serde_json::json!({"year": y.year, "days": y.days}).to_string();
        let (year, days) =
            Calendar::parse_holiday_cn(&json).map_err(|e| AppError::rule("days", e.to_string()))?;
        if days.is_empty() {
            return Err(AppError::rule("days", "节假日列表不能为空"));
        }
        let mut tx = self.begin().await?;
        banli_store::calendar::replace_year(&mut tx, year, &days, actor.user_id).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "calendar_year_added",
                data: Some(serde_json::json!({"year": year, "days": days.len()})),
                ..Default::default()
            },
        )
        .await?;
        let recomputed = self.recompute_provisional(&mut tx, actor).await?;
        tx.commit().await?;
        Ok(CalendarChange { year, recomputed })
    }

    pub async fn add_local_day_off(
        &self,
        actor: &Actor,
        input: Input<LocalDayOff>,
    ) -> AppResult<CalendarChange> {
        actor.require(Capability::Administer)?;
        let d = input.get()?;
        let name = required("name", &d.name, 50)?;
        let mut tx = self.begin().await?;
        banli_store::calendar::add_local_day_off(
            &mut tx,
            self.org_id,
            d.date,
            &name,
            actor.user_id,
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "calendar_day_off_added",
                data: Some(serde_json::json!({"date": d.date, "name": name})),
                ..Default::default()
            },
        )
        .await?;
        let recomputed = self.recompute_provisional(&mut tx, actor).await?;
        tx.commit().await?;
        Ok(CalendarChange {
            year: d.date.year(),
            recomputed,
        })
    }

    /// Recomputes the due dates still marked provisional and records each change.
    async fn recompute_provisional(&self, tx: &mut Tx, actor: &Actor) -> AppResult<u64> {
        let cal = load(tx, self.org_id).await?;
        let policy = crate::load_policy(tx, self.org_id).await?;
        let rows = banli_store::calendar::provisional_assignments(tx).await?;
        let mut n = 0;
        for a in rows {
            let role: AssignmentRole = a.role();
            let due = policy.assignment_dues(&cal, role, a.assigned_on());
            banli_store::calendar::set_assignment_dues(tx, a.id, a.item_id, &due).await?;
            record(tx, Some(actor), Event {
                item_id: Some(a.item_id),
                assignment_id: Some(a.id),
                action: "due_dates_recomputed",
                data: Some(serde_json::json!({
                    "before": {"return_by": a.return_by, "first_consultation_by": a.first_consultation_by, "co_opinion_by": a.co_opinion_by, "reply_by": a.reply_by},
                    "after": due,
                })),
                ..Default::default()
            })
            .await?;
            n += 1;
        }
        let docs = banli_store::calendar::provisional_evaluations(tx).await?;
        for (id, sent_on, item_id) in docs {
            let due = policy.evaluation_due(&cal, sent_on);
            banli_store::calendar::set_evaluation_due(tx, id, due.date, due.provisional).await?;
            record(
                tx,
                Some(actor),
                Event {
                    item_id: Some(item_id),
                    document_id: Some(id),
                    action: "due_dates_recomputed",
                    data: Some(serde_json::json!({"evaluation_due": due.date})),
                    ..Default::default()
                },
            )
            .await?;
            n += 1;
        }
        Ok(n)
    }
}
