//! The statistics dashboard (DESIGN §7): filters, the overall figures, charts drawn on the
//! server as inline SVG (each with its table as the text equivalent), the per-unit ranking
//! and per-category tables, and the same figures as a workbook. Who may see statistics is
//! the use case's decision (`App::stats`); this page only shows what it returns.

use super::charts::{self, Series};
use super::{html, Chrome, Staff, Tr};
use crate::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use banli_app::admin::SessionOut;
use banli_app::stats::{StatsOut, StatsQuery};
use banli_app::stats_trend::MonthCompletion;
use banli_app::AppError;
use banli_domain::stats::{Figures, RatingCounts};
use chrono::NaiveDate;

fn pct(r: Option<f64>) -> String {
    r.map(charts::pct).unwrap_or_else(|| "—".into())
}

/// Satisfaction counts and rates of one kind (handling or result), ready to print.
pub struct Sat {
    pub satisfied: u64,
    pub basic: u64,
    pub unsatisfied: u64,
    pub no_feedback: u64,
    pub rate: String,
    pub basic_rate: String,
    /// 满意及基本满意率.
    pub both: String,
}

impl Sat {
    fn of(c: &RatingCounts) -> Sat {
        Sat {
            satisfied: c.satisfied,
            basic: c.basically_satisfied,
            unsatisfied: c.unsatisfied,
            no_feedback: c.no_feedback,
            rate: pct(c.rate),
            basic_rate: pct(c.basic_rate),
            both: pct(match (c.rate, c.basic_rate) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            }),
        }
    }
}

/// One group's figures (overall, a unit, a category) as the tables print them.
pub struct Fig {
    pub filed: u64,
    pub replied: u64,
    pub reply_rate: String,
    pub on_time_rate: String,
    pub consultation_rate: String,
    pub handling: Sat,
    pub result: Sat,
    /// (grade, count, share of graded replies).
    pub grades: Vec<(&'static str, u64, String)>,
    pub due: u64,
    pub done_on_time: u64,
    pub completion: String,
}

impl Fig {
    fn of(f: &Figures) -> Fig {
        let g = &f.grades;
        let total = g.a + g.b + g.c + g.d;
        let share = |n: u64| pct((total > 0).then(|| n as f64 / total as f64));
        Fig {
            filed: f.filed,
            replied: f.replied,
            reply_rate: pct(f.reply_rate),
            on_time_rate: pct(f.on_time_rate),
            consultation_rate: pct(f.consultation_rate),
            handling: Sat::of(&f.satisfaction.handling),
            result: Sat::of(&f.satisfaction.result),
            grades: vec![
                ("A", g.a, share(g.a)),
                ("B", g.b, share(g.b)),
                ("C", g.c, share(g.c)),
                ("D", g.d, share(g.d)),
            ],
            due: f.commitments.due,
            done_on_time: f.commitments.done_on_time,
            completion: pct(f.commitments.completion_rate),
        }
    }
}

pub struct UnitRow {
    pub rank: usize,
    pub name: String,
    pub fig: Fig,
}

pub struct TrendRow {
    pub month: String,
    pub due: u64,
    pub done_on_time: u64,
    pub rate: String,
}

#[derive(Default)]
pub struct Charts {
    pub units: Option<String>,
    pub grades: Option<String>,
    pub satisfaction: Option<String>,
    pub trend: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/stats.html")]
struct StatsPage {
    c: Chrome,
    t: Tr,
    sessions: Vec<SessionOut>,
    session_id: i64,
    session_name: String,
    from: String,
    to: String,
    as_of: String,
    overall: Fig,
    units: Vec<UnitRow>,
    categories: Vec<(String, Fig)>,
    trend: Vec<TrendRow>,
    charts: Charts,
    export: String,
}

/// The filters as typed: `session_id`, `from`, `to` (blank means "any"; no session means
/// the most recent one).
struct Filters {
    session_id: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

fn filters(raw: &Option<String>) -> Result<Filters, AppError> {
    let mut f = Filters {
        session_id: None,
        from: None,
        to: None,
    };
    for (k, v) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let day = |v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| AppError::bad(&k, format!("“{v}”不是有效日期（格式：2026-03-15）")))
        };
        match k.as_ref() {
            "session_id" => {
                f.session_id = Some(v.parse().map_err(|_| {
                    AppError::bad("session_id", format!("“{v}”不是有效的届次会议编号"))
                })?)
            }
            "from" => f.from = Some(day(v)?),
            "to" => f.to = Some(day(v)?),
            _ => {}
        }
    }
    Ok(f)
}

impl Filters {
    fn query(&self, sessions: &[SessionOut]) -> StatsQuery {
        // No session yet: 0 matches nothing, and the use case still decides who may look.
        let session_id = self
            .session_id
            .or_else(|| sessions.last().map(|s| s.id))
            .unwrap_or(0);
        StatsQuery {
            session_id,
            from: self.from,
            to: self.to,
        }
    }
}

fn link(q: &StatsQuery) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    ser.append_pair("session_id", &q.session_id.to_string());
    if let Some(f) = q.from {
        ser.append_pair("from", &f.to_string());
    }
    if let Some(t) = q.to {
        ser.append_pair("to", &t.to_string());
    }
    ser.finish()
}

fn draw(t: Tr, s: &StatsOut, trend: &[MonthCompletion]) -> Charts {
    let units: Vec<String> = s.per_unit.iter().map(|u| u.unit_name.clone()).collect();
    let unit_values: Vec<Vec<Option<f64>>> = s
        .per_unit
        .iter()
        .map(|u| vec![u.figures.reply_rate, u.figures.on_time_rate])
        .collect();
    let g = &s.overall.grades;
    let graded = g.a + g.b + g.c + g.d;
    let grade_labels: Vec<String> = [t.s("A类"), t.s("B类"), t.s("C类"), t.s("D类")]
        .iter()
        .map(|k| k.to_string())
        .collect();
    let share = |n: u64| Some(n as f64 / graded.max(1) as f64);
    let sat = |c: &RatingCounts| vec![c.satisfied, c.basically_satisfied, c.unsatisfied];
    let months: Vec<String> = trend.iter().map(|m| m.month.clone()).collect();
    let trend_values: Vec<Vec<f64>> = trend
        .iter()
        .map(|m| vec![m.due as f64, m.done_on_time as f64])
        .collect();
    Charts {
        units: charts::hbars(
            "chart-units",
            t.s("各承办单位办复率与按时办复率"),
            t.s("横向条形图，按排名排列；各单位的数字见下方分单位排名表"),
            &units,
            &[
                Series::new(t.s("办复率"), charts::BLUE),
                Series::new(t.s("按时办复率"), charts::GREEN),
            ],
            &unit_values,
            true,
        ),
        grades: (graded > 0)
            .then(|| {
                charts::hbars(
                    "chart-grades",
                    t.s("答复类别占比"),
                    t.s("各答复类别占已答复件的比例；数字见答复类别表"),
                    &grade_labels,
                    &[Series::new(t.s("占比"), charts::BLUE)],
                    &[
                        vec![share(g.a)],
                        vec![share(g.b)],
                        vec![share(g.c)],
                        vec![share(g.d)],
                    ],
                    true,
                )
            })
            .flatten(),
        satisfaction: charts::stacked(
            "chart-satisfaction",
            t.s("办理态度与办理结果满意度"),
            t.s("百分比堆叠条形图，不含未反馈；数字见满意度表"),
            &[
                (
                    t.s("办理态度").to_string(),
                    sat(&s.overall.satisfaction.handling),
                ),
                (
                    t.s("办理结果").to_string(),
                    sat(&s.overall.satisfaction.result),
                ),
            ],
            &[
                Series::new(t.s("满意"), charts::GREEN),
                Series::new(t.s("基本满意"), charts::BLUE),
                Series::new(t.s("不满意"), charts::RED),
            ],
        ),
        trend: charts::columns(
            "chart-trend",
            t.s("承诺事项办成情况（按到期月份）"),
            t.s("柱状图：每月到期的承诺事项与其中按期完成的数量；数字见下表"),
            &months,
            &[
                Series::new(t.s("到期"), charts::GREY),
                Series::new(t.s("按期完成"), charts::GREEN),
            ],
            &trend_values,
        ),
    }
}

/// `GET /app/stats?session_id=&from=&to=`.
pub async fn page(State(s): State<AppState>, staff: Staff, RawQuery(raw): RawQuery) -> Response {
    let f = match filters(&raw) {
        Ok(f) => f,
        Err(e) => return staff.fail(&e),
    };
    let loaded = async {
        let sessions = s.app.list_sessions().await?;
        let q = f.query(&sessions);
        let export = format!("/app/stats.xlsx?{}", link(&q));
        let session_id = q.session_id;
        let trend = s.app.commitment_trend(&staff.actor, &q).await?;
        let out = s.app.stats(&staff.actor, q).await?;
        Ok::<_, AppError>((sessions, session_id, export, trend, out))
    }
    .await;
    let (sessions, session_id, export, trend, out) = match loaded {
        Ok(v) => v,
        Err(e) => return staff.fail(&e),
    };
    let t = staff.t();
    let charts = draw(t, &out, &trend);
    let page = StatsPage {
        t,
        session_name: sessions
            .iter()
            .find(|x| x.id == session_id)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        sessions,
        session_id,
        from: f.from.map(|d| d.to_string()).unwrap_or_default(),
        to: f.to.map(|d| d.to_string()).unwrap_or_default(),
        as_of: out.as_of.to_string(),
        overall: Fig::of(&out.overall),
        units: out
            .per_unit
            .iter()
            .map(|u| UnitRow {
                rank: u.rank,
                name: u.unit_name.clone(),
                fig: Fig::of(&u.figures),
            })
            .collect(),
        categories: out
            .per_category
            .iter()
            .map(|c| (c.category.clone(), Fig::of(&c.figures)))
            .collect(),
        trend: trend
            .iter()
            .map(|m| TrendRow {
                month: m.month.clone(),
                due: m.due,
                done_on_time: m.done_on_time,
                rate: pct(m.completion_rate),
            })
            .collect(),
        charts,
        export,
        c: staff.chrome,
    };
    html(t.lang, StatusCode::OK, &page)
}

/// `GET /app/stats.xlsx?…`: the same figures as a workbook (overall, per unit, per category).
pub async fn workbook(
    State(s): State<AppState>,
    staff: Staff,
    RawQuery(raw): RawQuery,
) -> Response {
    let f = match filters(&raw) {
        Ok(f) => f,
        Err(e) => return staff.fail(&e),
    };
    let bytes = async {
        let sessions = s.app.list_sessions().await?;
        s.app.stats_workbook(&staff.actor, f.query(&sessions)).await
    }
    .await;
    match bytes {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"stats.xlsx\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => staff.fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_link_back() {
        let f = filters(&Some("session_id=3&from=2023-01-01&to=&done=saved".into())).unwrap();
        assert_eq!(
            (f.session_id, f.from, f.to),
            (
                Some(3),
                Some(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()),
                None
            )
        );
        assert_eq!(link(&f.query(&[])), "session_id=3&from=2023-01-01");
        assert_eq!(
            filters(&Some("from=2023-02-30".into()))
                .err()
                .and_then(|e| e.field().map(str::to_string))
                .as_deref(),
            Some("from")
        );
        assert_eq!(filters(&None).unwrap().query(&[]).session_id, 0);
    }

    #[test]
    fn figures_print_as_the_workbook_does() {
        let mut f = Figures {
            filed: 6,
            replied: 3,
            reply_rate: Some(0.5),
            on_time_rate: Some(0.6),
            ..Default::default()
        };
        f.grades.a = 2;
        f.grades.b = 1;
        f.grades.c = 1;
        f.satisfaction.result.rate = Some(0.5);
        f.satisfaction.result.basic_rate = Some(0.5);
        let p = Fig::of(&f);
        assert_eq!(
            (
                p.reply_rate.as_str(),
                p.on_time_rate.as_str(),
                p.consultation_rate.as_str()
            ),
            ("50.0%", "60.0%", "—")
        );
        assert_eq!(p.grades[0], ("A", 2, "50.0%".to_string()));
        assert_eq!(p.grades[3], ("D", 0, "0.0%".to_string()));
        assert_eq!(p.result.both, "100.0%");
    }
}
