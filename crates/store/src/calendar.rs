//! The working-day calendar: national years added after the release, and each
//! organisation's local days off; the due dates recomputed when a year arrives.

use crate::rows::{all_typed, date, day, AssignmentRow, ASSIGNMENT_COLS};
use crate::{Error, Tx};
use banli_domain::calendar::DayRule;
use banli_domain::policy::AssignmentDues;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyPool;

/// The stored days for an organisation: national years `(year, days)` and local days off.
pub struct StoredDays {
    pub national: std::collections::BTreeMap<i32, Vec<DayRule>>,
    pub local: Vec<(NaiveDate, String)>,
}

pub async fn days(tx: &mut Tx, org_id: i64) -> Result<StoredDays, Error> {
    let rows: Vec<(i64, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT id, year, day, off, name, scope FROM calendar_days WHERE org_id IS NULL OR org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = StoredDays {
        national: Default::default(),
        local: Vec::new(),
    };
    for (id, year, d, off, name, scope) in rows {
        let d = date(&d).map_err(|e| {
            Error::Decode(format!("calendar_days 表 id={id} 的数据无法读取：{e}").into())
        })?;
        if scope == "national" {
            out.national.entry(year as i32).or_default().push(DayRule {
                date: d,
                off: off != 0,
                name,
            });
        } else {
            out.local.push((d, name));
        }
    }
    Ok(out)
}

/// The national years added to the database (beside those bundled with the release).
pub async fn national_years(pool: &AnyPool) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT DISTINCT year FROM calendar_days WHERE scope = 'national'")
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replaces a national year's days.
pub async fn replace_year(tx: &mut Tx, year: i32, days: &[DayRule], by: i64) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("DELETE FROM calendar_days WHERE scope = 'national' AND year = $1")
        .bind(year as i64)
        .execute(&mut **tx)
        .await?;
    for d in days {
        sqlx::query("INSERT INTO calendar_days (org_id, year, day, off, name, scope, created_by, created_at) VALUES (NULL, $1, $2, $3, $4, 'national', $5, $6)")
            .bind(year as i64)
            .bind(day(d.date))
            .bind(d.off as i64)
            .bind(&d.name)
            .bind(by)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn add_local_day_off(
    tx: &mut Tx,
    org_id: i64,
    on: NaiveDate,
    name: &str,
    by: i64,
) -> Result<(), Error> {
    let now = tx.now();
    sqlx::query("INSERT INTO calendar_days (org_id, year, day, off, name, scope, created_by, created_at) VALUES ($1, $2, $3, 1, $4, 'local', $5, $6)")
        .bind(org_id)
        .bind(on.year() as i64)
        .bind(day(on))
        .bind(name)
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Assignments whose clocks were counted on a provisional calendar.
pub async fn provisional_assignments(tx: &mut Tx) -> Result<Vec<AssignmentRow>, Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE provisional = 1"
    ))
    .fetch_all(&mut **tx)
    .await?;
    all_typed("assignments", rows)
}

/// Recounted clocks move the item's derived rows (the due date in force), though no event
/// names the item.
pub async fn set_assignment_dues(
    tx: &mut Tx,
    id: i64,
    item_id: i64,
    due: &AssignmentDues,
) -> Result<(), Error> {
    tx.touch(item_id);
    sqlx::query("UPDATE assignments SET return_by = $1, first_consultation_by = $2, co_opinion_by = $3, reply_by = $4, provisional = $5 WHERE id = $6")
        .bind(day(due.return_by))
        .bind(day(due.first_consultation_by))
        .bind(due.co_opinion_by.map(day))
        .bind(due.reply_by.map(day))
        .bind(due.provisional as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sent replies whose evaluation due date is provisional: (document, sent on, item).
pub async fn provisional_evaluations(tx: &mut Tx) -> Result<Vec<(i64, NaiveDate, i64)>, Error> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT d.id, d.sent_on, a.item_id FROM documents d JOIN assignments a ON a.id = d.assignment_id WHERE d.evaluation_provisional = 1 AND d.sent_on IS NOT NULL",
    )
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(id, sent_on, item)| Ok((id, date(&sent_on)?, item)))
        .collect()
}

pub async fn set_evaluation_due(
    tx: &mut Tx,
    document_id: i64,
    due: NaiveDate,
    provisional: bool,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE documents SET evaluation_due = $1, evaluation_provisional = $2 WHERE id = $3",
    )
    .bind(day(due))
    .bind(provisional as i64)
    .bind(document_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
