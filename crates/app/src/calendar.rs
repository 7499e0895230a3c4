//! The working-day calendar as the organisation sees it: the bundled official years, the
//! years an admin added, and local days off; plus recomputing provisional due dates.

use crate::events::{record, Event};
use crate::rows::*;
use crate::{iso, Actor, App, AppError, AppResult, Input};
use banli_domain::calendar::{Calendar, DayRule, Due};
use banli_domain::limits::required;
use banli_domain::model::AssignmentRole;
use banli_domain::rights::Capability;
use banli_store::{sqlx, Tx};
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
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT year, day, off, name, scope FROM calendar_days WHERE org_id IS NULL OR org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut national: std::collections::BTreeMap<i32, Vec<DayRule>> = Default::default();
    let mut local = Vec::new();
    for (year, day, off, name, scope) in rows {
        let date = date(&day)?;
        if scope == "national" {
            national.entry(year as i32).or_default().push(DayRule {
                date,
                off: off != 0,
                name,
            });
        } else {
            local.push((date, name));
        }
    }
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
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM calendar_days WHERE scope = 'national' AND year = $1")
            .bind(year as i64)
            .execute(&mut *tx)
            .await?;
        for d in &days {
            sqlx::query("INSERT INTO calendar_days (org_id, year, day, off, name, scope, created_by, created_at) VALUES (NULL, $1, $2, $3, $4, 'national', $5, $6)")
                .bind(year as i64)
                .bind(iso(d.date))
                .bind(d.off as i64)
                .bind(&d.name)
                .bind(actor.user_id)
                .bind(self.now_ts())
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            Some(actor),
            &self.now_ts(),
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
        let mut tx = self.db.begin().await?;
        sqlx::query("INSERT INTO calendar_days (org_id, year, day, off, name, scope, created_by, created_at) VALUES ($1, $2, $3, 1, $4, 'local', $5, $6)")
            .bind(self.org_id)
            .bind(d.date.year() as i64)
            .bind(iso(d.date))
            .bind(&name)
            .bind(actor.user_id)
            .bind(self.now_ts())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            Some(actor),
            &self.now_ts(),
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
        let rows = sqlx::query_as::<_, AssignmentRow>(&format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE provisional = 1"
        ))
        .fetch_all(&mut **tx)
        .await?;
        let mut n = 0;
        for a in rows {
            let role: AssignmentRole = a.role();
            let due = policy.assignment_dues(&cal, role, a.assigned_on());
            sqlx::query("UPDATE assignments SET return_by = $1, first_consultation_by = $2, co_opinion_by = $3, reply_by = $4, provisional = $5 WHERE id = $6")
                .bind(iso(due.return_by))
                .bind(iso(due.first_consultation_by))
                .bind(due.co_opinion_by.map(iso))
                .bind(due.reply_by.map(iso))
                .bind(due.provisional as i64)
                .bind(a.id)
                .execute(&mut **tx)
                .await?;
            record(tx, Some(actor), &self.now_ts(), Event {
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
        let docs: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT d.id, d.sent_on, a.item_id FROM documents d JOIN assignments a ON a.id = d.assignment_id WHERE d.evaluation_provisional = 1 AND d.sent_on IS NOT NULL",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (id, sent_on, item_id) in docs {
            let due = policy.evaluation_due(&cal, date(&sent_on)?);
            sqlx::query("UPDATE documents SET evaluation_due = $1, evaluation_provisional = $2 WHERE id = $3")
                .bind(iso(due.date))
                .bind(due.provisional as i64)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            record(
                tx,
                Some(actor),
                &self.now_ts(),
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
