//! The colour of an open clock (DESIGN §4 "Deadlines"): green while more than
//! a fraction (default 20%) of the time is left, yellow when less, red when
//! overdue. Dates are in the organisation's time zone; "today" is passed in.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// The default share of the whole span below which a clock turns yellow.
pub const DEFAULT_YELLOW_FRACTION: f64 = 0.2;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

impl Colour {
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
        }
    }
}

/// The organisation's time zone (Asia/Shanghai: UTC+8 all year, no summer time).
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The day in Beijing of a stored UTC timestamp (RFC 3339), as `2026-12-04`. A value that
/// is not a timestamp (an already local date) is returned as it stands.
pub fn local_date(ts: &str) -> String {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| ts.to_string())
}

/// A stored UTC timestamp in Beijing time to the minute, as `2026-12-04 22:10`.
pub fn local_minute(ts: &str) -> String {
    DateTime::parse_from_rfc3339(ts)
        .map(|t| {
            t.with_timezone(&beijing())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| ts.to_string())
}

/// [`colour_with_threshold`] with the default 20%.
pub fn colour(start: NaiveDate, due: NaiveDate, today: NaiveDate) -> Colour {
    colour_with_threshold(start, due, today, DEFAULT_YELLOW_FRACTION)
}

/// Red when `today` is after `due`; green when the calendar days left
/// (`due - today`) are more than `yellow_fraction` of the whole span
/// (`due - start`); yellow otherwise. A span of zero (or less) that is not
/// overdue is yellow.
pub fn colour_with_threshold(
    start: NaiveDate,
    due: NaiveDate,
    today: NaiveDate,
    yellow_fraction: f64,
) -> Colour {
    if today > due {
        return Colour::Red;
    }
    let span = (due - start).num_days();
    let left = (due - today).num_days();
    if span > 0 && left as f64 > yellow_fraction * span as f64 {
        Colour::Green
    } else {
        Colour::Yellow
    }
}

/// An assignment's dates as far as its clocks go.
#[derive(Debug, Clone, Copy)]
pub struct AssignmentDates {
    pub assigned_on: NaiveDate,
    pub return_by: NaiveDate,
    pub first_consultation_by: NaiveDate,
    pub co_opinion_by: Option<NaiveDate>,
    /// The reply deadline in force (re-handling, else extended, else first).
    pub reply_due: Option<NaiveDate>,
}

/// One clock an assignment shows, coloured from the assignment's start.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenClock {
    /// `return_window`, `first_consultation`, `co_opinion` or `reply`.
    pub name: &'static str,
    pub due: NaiveDate,
    pub colour: Colour,
    pub overdue: bool,
}

/// The clocks that run for an assignment in its state (DESIGN §4): the window to ask for an
/// adjustment until it is accepted; the first consultation for the answering unit (a lead or
/// separate one, not a co unit) until it has consulted; and while a document is owed, the
/// co-opinion deadline for a co unit or the reply deadline in force for the others.
pub fn assignment_clocks(
    role: crate::model::AssignmentRole,
    state: crate::model::AssignmentState,
    d: &AssignmentDates,
    consulted: bool,
    today: NaiveDate,
    yellow_fraction: f64,
) -> Vec<OpenClock> {
    use crate::model::{AssignmentRole, AssignmentState};
    let clock = |name, due: NaiveDate| OpenClock {
        name,
        due,
        colour: colour_with_threshold(d.assigned_on, due, today, yellow_fraction),
        overdue: today > due,
    };
    let owes = crate::lifecycle::owes_document(state);
    let mut out = Vec::new();
    if state == AssignmentState::Assigned {
        out.push(clock("return_window", d.return_by));
    }
    if role.owes_reply() && !consulted && owes {
        out.push(clock("first_consultation", d.first_consultation_by));
    }
    if owes {
        let due = if role == AssignmentRole::Co {
            d.co_opinion_by.map(|x| ("co_opinion", x))
        } else {
            d.reply_due.map(|x| ("reply", x))
        };
        out.extend(due.map(|(name, x)| clock(name, x)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn boundaries_of_a_ten_day_clock() {
        let (start, due) = (d(2024, 3, 1), d(2024, 3, 11));
        assert_eq!(colour(start, due, d(2024, 3, 1)), Colour::Green);
        // 3 of 10 days left (30%): still green.
        assert_eq!(colour(start, due, d(2024, 3, 8)), Colour::Green);
        // Exactly 20% left is no longer "more than 20%".
        assert_eq!(colour(start, due, d(2024, 3, 9)), Colour::Yellow);
        // The due day itself is yellow, the day after red.
        assert_eq!(colour(start, due, due), Colour::Yellow);
        assert_eq!(colour(start, due, d(2024, 3, 12)), Colour::Red);
        assert_eq!(colour(start, due, d(2025, 1, 1)), Colour::Red);
    }

    #[test]
    fn fifteen_working_day_clock_boundary() {
        // A span of 21 calendar days: more than 4.2 days left is green.
        let (start, due) = (d(2024, 3, 1), d(2024, 3, 22));
        assert_eq!(colour(start, due, d(2024, 3, 17)), Colour::Green); // 5 left
        assert_eq!(colour(start, due, d(2024, 3, 18)), Colour::Yellow); // 4 left
    }

    #[test]
    fn zero_length_span_is_yellow_until_overdue() {
        let day = d(2024, 3, 1);
        assert_eq!(colour(day, day, day), Colour::Yellow);
        assert_eq!(colour(day, day, d(2024, 2, 1)), Colour::Yellow);
        assert_eq!(colour(day, day, d(2024, 3, 2)), Colour::Red);
    }

    #[test]
    fn threshold_is_configurable() {
        let (start, due) = (d(2024, 3, 1), d(2024, 3, 11));
        let today = d(2024, 3, 7); // 4 of 10 days left
        assert_eq!(colour_with_threshold(start, due, today, 0.2), Colour::Green);
        assert_eq!(
            colour_with_threshold(start, due, today, 0.5),
            Colour::Yellow
        );
        assert_eq!(colour_with_threshold(start, due, today, 0.0), Colour::Green);
        assert_eq!(colour_with_threshold(start, due, due, 0.0), Colour::Yellow);
        assert_eq!(
            colour_with_threshold(start, due, today, f64::NAN),
            Colour::Yellow
        );
    }

    #[test]
    fn today_before_start_is_green() {
        assert_eq!(
            colour(d(2024, 3, 10), d(2024, 3, 20), d(2024, 3, 1)),
            Colour::Green
        );
    }

    #[test]
    fn serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&Colour::Yellow).unwrap(),
            "\"yellow\""
        );
    }

    #[test]
    fn stored_utc_times_are_shown_on_the_beijing_day() {
        assert_eq!(local_date("2026-04-14T16:30:00.000000Z"), "2026-04-15");
        assert_eq!(local_date("2026-04-14T15:59:59.000000Z"), "2026-04-14");
        assert_eq!(local_minute("2026-12-04T14:10:00Z"), "2026-12-04 22:10");
        assert_eq!(local_date("2026-04-15"), "2026-04-15");
    }

    #[test]
    fn each_assignment_shows_the_clocks_its_state_runs() {
        use crate::model::{AssignmentRole as R, AssignmentState as S};
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dates = AssignmentDates {
            assigned_on: d("2023-03-01"),
            return_by: d("2023-03-08"),
            first_consultation_by: d("2023-04-01"),
            co_opinion_by: Some(d("2023-04-15")),
            reply_due: Some(d("2023-06-01")),
        };
        let names = |role, state, consulted| {
            assignment_clocks(role, state, &dates, consulted, d("2023-03-02"), 0.2)
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(R::Lead, S::Assigned, false),
            ["return_window", "first_consultation", "reply"]
        );
        assert_eq!(names(R::Lead, S::Accepted, true), ["reply"]);
        // A co unit writes a co-opinion and does not consult the proposer itself.
        assert_eq!(names(R::Co, S::Accepted, false), ["co_opinion"]);
        assert!(names(R::Lead, S::Replied, false).is_empty());
        let late = assignment_clocks(R::Separate, S::Accepted, &dates, true, d("2023-06-02"), 0.2);
        assert_eq!(late[0].colour, Colour::Red);
        assert!(late[0].overdue);
    }
}
