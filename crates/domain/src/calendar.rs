//! The national working-day calendar (DESIGN §4 "Deadlines").
//!
//! A day is a working day unless the calendar says otherwise: weekends and
//! listed public holidays are off, listed make-up workdays (调休) are on.
//! The State Council publishes each year's calendar around November of the
//! previous year, so a computation that reaches into a year whose calendar is
//! not loaded falls back to "weekends only" and is marked provisional.
//!
//! Everything here is pure and panic-free for every representable date:
//! arithmetic that would leave chrono's date range saturates at
//! [`NaiveDate::MAX`] and the result is marked provisional.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Smallest national calendar year that may be loaded.
pub const MIN_YEAR: i32 = 2000;
/// Largest national calendar year that may be loaded.
pub const MAX_YEAR: i32 = 2100;

/// Official calendars shipped with the program (NateScarlet/holiday-cn format).
const BUNDLED: [(i32, &str); 7] = [
    (2020, include_str!("../data/holiday-cn/2020.json")),
    (2021, include_str!("../data/holiday-cn/2021.json")),
    (2022, include_str!("../data/holiday-cn/2022.json")),
    (2023, include_str!("../data/holiday-cn/2023.json")),
    (2024, include_str!("../data/holiday-cn/2024.json")),
    (2025, include_str!("../data/holiday-cn/2025.json")),
    (2026, include_str!("../data/holiday-cn/2026.json")),
];

/// A computed due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub date: NaiveDate,
    /// True when some day the computation had to classify lies in a year
    /// whose calendar is not loaded (see [`Calendar::is_certain`]); the date
    /// must be recomputed once that calendar is added.
    pub provisional: bool,
}

/// One day listed in a year's calendar.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DayRule {
    pub date: NaiveDate,
    /// `true`: a day off (holiday); `false`: a make-up workday (调休).
    pub off: bool,
    /// The holiday's name, e.g. "春节".
    pub name: String,
}

/// Why a calendar year could not be read or added.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CalendarError {
    #[error("节假日数据格式错误：{0}")]
    InvalidJson(String),
    #[error("日期“{0}”格式错误，应为 YYYY-MM-DD")]
    InvalidDate(String),
    #[error("年份 {0} 超出支持范围（{MIN_YEAR}–{MAX_YEAR} 年）")]
    YearOutOfRange(i32),
    #[error("日期 {date} 不属于 {year} 年的节假日安排（只能是该年或前后相邻年份的日期）")]
    DateOutsideYear { year: i32, date: NaiveDate },
    #[error("日期 {0} 同时被列为放假日和调休上班日，数据自相矛盾")]
    Contradiction(NaiveDate),
}

/// The working-day calendar: national years plus local days off.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// National calendars by year, as added (validated, deduplicated).
    years: BTreeMap<i32, BTreeMap<NaiveDate, DayRule>>,
    /// Extra local holidays added by an administrator.
    local_off: BTreeMap<NaiveDate, String>,
    /// The effective listing derived from `years` and `local_off`; every
    /// query reads only this. Rebuilt on each change.
    effective: BTreeMap<NaiveDate, DayRule>,
}

/// The holiday-cn file layout; other fields (`$schema`, `$id`, `papers`) are ignored.
#[derive(Deserialize)]
struct HolidayCnFile {
    year: i32,
    days: Vec<HolidayCnDay>,
}

#[derive(Deserialize)]
struct HolidayCnDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl Calendar {
    /// The official national calendars 2020–2026.
    pub fn bundled() -> Calendar {
        let mut cal = Calendar::empty();
        for (year, json) in BUNDLED {
            let (parsed_year, days) =
                Calendar::parse_holiday_cn(json).expect("bundled holiday data is valid");
            assert_eq!(parsed_year, year, "bundled holiday file holds its own year");
            cal.add_year(year, &days)
                .expect("bundled holiday data is consistent");
        }
        cal
    }

    /// A calendar with no years loaded: weekends only, everything provisional.
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// Parses and validates one year in the NateScarlet/holiday-cn format.
    pub fn parse_holiday_cn(json: &str) -> Result<(i32, Vec<DayRule>), CalendarError> {
        let file: HolidayCnFile =
            serde_json::from_str(json).map_err(|e| CalendarError::InvalidJson(e.to_string()))?;
        let days = file
            .days
            .into_iter()
            .map(|d| {
                let date = parse_date(&d.date)?;
                Ok(DayRule {
                    date,
                    off: d.is_off_day,
                    name: d.name,
                })
            })
            .collect::<Result<Vec<_>, CalendarError>>()?;
        validate_year(file.year, &days)?;
        Ok((file.year, days))
    }

    /// Loads a national year, replacing a previously loaded copy of it.
    /// On error the calendar is unchanged.
    pub fn add_year(&mut self, year: i32, days: &[DayRule]) -> Result<(), CalendarError> {
        let listing = validate_year(year, days)?;
        self.years.insert(year, listing);
        self.rebuild();
        Ok(())
    }

    /// Adds an extra local holiday. It overrides the national calendar (even a
    /// make-up workday) but does not make an unloaded year certain.
    pub fn add_local_day_off(&mut self, date: NaiveDate, name: &str) {
        self.local_off.insert(date, name.to_owned());
        self.rebuild();
    }

    /// Removes a local holiday; returns whether there was one.
    pub fn remove_local_day_off(&mut self, date: NaiveDate) -> bool {
        let removed = self.local_off.remove(&date).is_some();
        if removed {
            self.rebuild();
        }
        removed
    }

    /// The local holidays, in date order.
    pub fn local_days_off(&self) -> impl Iterator<Item = (NaiveDate, &str)> + '_ {
        self.local_off.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The days listed for a loaded national year, in date order.
    pub fn year_days(&self, year: i32) -> Option<Vec<DayRule>> {
        self.years.get(&year).map(|m| m.values().cloned().collect())
    }

    /// The rule in effect for `date`, if it is listed anywhere
    /// (national or local); useful to show a holiday's name.
    pub fn listed_day(&self, date: NaiveDate) -> Option<&DayRule> {
        self.effective.get(&date)
    }

    pub fn loaded_years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn is_loaded(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Whether the classification of `date` is final: its year is loaded and,
    /// for 25–31 December, the next year too (a New Year holiday starting on
    /// 30/31 December is published with the next year's calendar).
    pub fn is_certain(&self, date: NaiveDate) -> bool {
        let year = date.year();
        self.is_loaded(year)
            && (!is_after_christmas_eve(date)
                || year.checked_add(1).is_some_and(|y| self.is_loaded(y)))
    }

    /// Listed off → false; listed make-up workday → true; otherwise Monday–Friday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.effective.get(&date) {
            Some(rule) => !rule.off,
            None => is_weekday(date),
        }
    }

    /// `date` itself if it is a working day, else the next working day.
    pub fn next_working_day(&self, date: NaiveDate) -> Due {
        let mut cur = date;
        loop {
            if self.is_working_day(cur) {
                return Due {
                    date: cur,
                    provisional: !self.all_certain(date, cur),
                };
            }
            match cur.succ_opt() {
                Some(next) => cur = next,
                // End of representable time: nothing sensible is left.
                None => {
                    return Due {
                        date: cur,
                        provisional: true,
                    }
                }
            }
        }
    }

    /// The `n`-th working day after `from` (`from` itself is day zero);
    /// `n = 0` gives [`Calendar::next_working_day`] of `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Due {
        if n == 0 {
            return self.next_working_day(from);
        }
        let n = i64::from(n);
        if self.working_days_between(from, NaiveDate::MAX) < n {
            return Due {
                date: NaiveDate::MAX,
                provisional: true,
            };
        }
        // Smallest day d > from with working_days_between(from, d) == n; the
        // count only grows at working days, so d is a working day.
        let mut lo = i64::from(from.num_days_from_ce()) + 1;
        let mut hi = i64::from(NaiveDate::MAX.num_days_from_ce());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.working_days_between(from, from_day_number(mid)) >= n {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let date = from_day_number(lo);
        // Every day in (from, date] was classified.
        let provisional = from
            .succ_opt()
            .is_none_or(|first| !self.all_certain(first, date));
        Due { date, provisional }
    }

    /// `from + n` calendar days, moved to the next working day.
    pub fn add_calendar_days(&self, from: NaiveDate, n: u32) -> Due {
        match from.checked_add_days(Days::new(u64::from(n))) {
            Some(target) => self.next_working_day(target),
            None => Due {
                date: NaiveDate::MAX,
                provisional: true,
            },
        }
    }

    /// `from + n` calendar months, clamped to the end of the month
    /// (2023-01-31 + 1 month = 2023-02-28), moved to the next working day.
    pub fn add_months(&self, from: NaiveDate, n: u32) -> Due {
        match from.checked_add_months(Months::new(n)) {
            Some(target) => self.next_working_day(target),
            None => Due {
                date: NaiveDate::MAX,
                provisional: true,
            },
        }
    }

    /// The number of working days in `(from, to]`; negative (minus the
    /// working days in `(to, from]`) when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let a = i64::from(from.num_days_from_ce());
        let b = i64::from(to.num_days_from_ce());
        let mut count = weekdays_through(b) - weekdays_through(a);
        if let Some(first) = from.succ_opt() {
            if first <= to {
                for (date, rule) in self.effective.range(first..=to) {
                    count += i64::from(!rule.off) - i64::from(is_weekday(*date));
                }
            }
        }
        count
    }

    /// Whether every day in `[first, last]` is certain (true for an empty range).
    fn all_certain(&self, first: NaiveDate, last: NaiveDate) -> bool {
        if last < first {
            return true;
        }
        // Loaded years lie in MIN_YEAR..=MAX_YEAR, so this loop stops at the
        // first unloaded year after a bounded number of steps.
        for year in first.year()..=last.year() {
            if !self.is_loaded(year) {
                return false;
            }
            let last_in_year = NaiveDate::from_ymd_opt(year, 12, 31).map_or(last, |d| d.min(last));
            if is_after_christmas_eve(last_in_year) && !self.is_loaded(year + 1) {
                return false;
            }
        }
        true
    }

    fn rebuild(&mut self) {
        let mut effective: BTreeMap<NaiveDate, (bool, DayRule)> = BTreeMap::new();
        // A date listed by its own year's file wins over a neighbouring year's
        // file (e.g. 2023.json lists 2022-12-31); among neighbours, the later
        // publication wins (years are visited in ascending order).
        for (&year, listing) in &self.years {
            for rule in listing.values() {
                let own = rule.date.year() == year;
                let replace = match effective.get(&rule.date) {
                    None => true,
                    Some((existing_own, _)) => own || !existing_own,
                };
                if replace {
                    effective.insert(rule.date, (own, rule.clone()));
                }
            }
        }
        let mut effective: BTreeMap<NaiveDate, DayRule> =
            effective.into_iter().map(|(d, (_, r))| (d, r)).collect();
        for (&date, name) in &self.local_off {
            effective.insert(
                date,
                DayRule {
                    date,
                    off: true,
                    name: name.clone(),
                },
            );
        }
        self.effective = effective;
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, CalendarError> {
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(CalendarError::InvalidDate(s.to_owned()));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| CalendarError::InvalidDate(s.to_owned()))
}

/// Checks a national year and returns its deduplicated listing.
fn validate_year(
    year: i32,
    days: &[DayRule],
) -> Result<BTreeMap<NaiveDate, DayRule>, CalendarError> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(CalendarError::YearOutOfRange(year));
    }
    let mut listing: BTreeMap<NaiveDate, DayRule> = BTreeMap::new();
    for rule in days {
        if (rule.date.year() - year).abs() > 1 {
            return Err(CalendarError::DateOutsideYear {
                year,
                date: rule.date,
            });
        }
        match listing.get(&rule.date) {
            Some(existing) if existing.off != rule.off => {
                return Err(CalendarError::Contradiction(rule.date));
            }
            Some(_) => {}
            None => {
                listing.insert(rule.date, rule.clone());
            }
        }
    }
    Ok(listing)
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn is_after_christmas_eve(date: NaiveDate) -> bool {
    date.month() == 12 && date.day() > 24
}

/// The number of Monday–Friday days among days `1..=x` of the proleptic
/// Gregorian day count (day 1 = 0001-01-01, a Monday); for `x <= 0` it is
/// the negated count over `x+1..=0`, so differences are always right.
fn weekdays_through(x: i64) -> i64 {
    let weeks = x.div_euclid(7);
    let rest = x.rem_euclid(7);
    weeks * 5 + rest.min(5)
}

/// Inverse of `num_days_from_ce` for values known to be in range.
fn from_day_number(x: i64) -> NaiveDate {
    i32::try_from(x)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(if x < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn certain(date: NaiveDate) -> Due {
        Due {
            date,
            provisional: false,
        }
    }

    fn rule(date: NaiveDate, off: bool, name: &str) -> DayRule {
        DayRule {
            date,
            off,
            name: name.to_owned(),
        }
    }

    #[test]
    fn five_working_days_across_spring_festival_2023() {
        let cal = Calendar::bundled();
        assert_eq!(
            cal.add_working_days(d(2023, 1, 19), 5),
            certain(d(2023, 1, 31))
        );
        // Day by day: 20 (Fri), 28 (Sat, make-up), 29 (Sun, make-up), 30, 31.
        assert_eq!(cal.working_days_between(d(2023, 1, 19), d(2023, 1, 31)), 5);
        assert!(cal.is_working_day(d(2023, 1, 28)));
        assert!(!cal.is_working_day(d(2023, 1, 23)));
    }

    #[test]
    fn bundled_years_are_loaded_and_certain() {
        let cal = Calendar::bundled();
        assert_eq!(cal.loaded_years(), (2020..=2026).collect::<Vec<_>>());
        assert!(cal.is_certain(d(2020, 1, 1)));
        assert!(!cal.is_certain(d(2019, 12, 31)));
        assert!(cal.is_certain(d(2025, 12, 31)));
        assert_eq!(
            cal.listed_day(d(2024, 2, 12)).map(|r| r.name.as_str()),
            Some("春节")
        );
    }

    #[test]
    fn every_listed_day_in_every_bundled_file_is_honoured() {
        let cal = Calendar::bundled();
        let mut make_up_weekends = 0;
        for (year, json) in BUNDLED {
            let (parsed, days) = Calendar::parse_holiday_cn(json).unwrap();
            assert_eq!(parsed, year);
            assert!(!days.is_empty());
            for day in days {
                if day.off {
                    assert!(
                        !cal.is_working_day(day.date),
                        "{} ({}) should be off",
                        day.date,
                        day.name
                    );
                } else {
                    // Usually a weekend; 2020-02-03 (a Monday ending the
                    // extended Spring Festival break) is listed as well.
                    assert!(
                        cal.is_working_day(day.date),
                        "{} ({}) should be worked",
                        day.date,
                        day.name
                    );
                    if !is_weekday(day.date) {
                        make_up_weekends += 1;
                    }
                }
            }
        }
        assert!(make_up_weekends > 30);
        // The New Year's Eve listed in 2023.json.
        assert!(!cal.is_working_day(d(2022, 12, 31)));
    }

    #[test]
    fn month_is_a_calendar_month_clamped_to_month_end() {
        let cal = Calendar::bundled();
        assert_eq!(cal.add_months(d(2023, 1, 31), 1), certain(d(2023, 2, 28)));
        assert_eq!(cal.add_months(d(2024, 1, 31), 1), certain(d(2024, 2, 29)));
        // 3 months from 2023-11-30 is Thu 2024-02-29.
        assert_eq!(cal.add_months(d(2023, 11, 30), 3), certain(d(2024, 2, 29)));
    }

    #[test]
    fn month_deadline_on_a_holiday_moves_to_next_working_day() {
        let cal = Calendar::bundled();
        // 2023-10-01 is in the National Day break (09-29..10-06); the next
        // working day is the make-up Saturday 10-07.
        assert_eq!(cal.add_months(d(2023, 9, 1), 1), certain(d(2023, 10, 7)));
        // 2024-10-03: break 10-01..10-07, next working day Tuesday 10-08.
        assert_eq!(cal.add_months(d(2024, 9, 3), 1), certain(d(2024, 10, 8)));
        // A plain weekend: 2023-03-04 is a Saturday.
        assert_eq!(cal.add_months(d(2023, 2, 4), 1), certain(d(2023, 3, 6)));
    }

    #[test]
    fn calendar_days_then_next_working_day() {
        let cal = Calendar::bundled();
        // 10 calendar days from 2025-01-20 = 01-30, inside the Spring Festival
        // break (01-28..02-04); the next working day is Wed 02-05.
        assert_eq!(
            cal.add_calendar_days(d(2025, 1, 20), 10),
            certain(d(2025, 2, 5))
        );
        assert_eq!(
            cal.add_calendar_days(d(2025, 3, 3), 10),
            certain(d(2025, 3, 13))
        );
    }

    #[test]
    fn unloaded_year_uses_weekends_only_and_is_provisional_until_added() {
        let mut cal = Calendar::bundled();
        // Fri 2027-02-05 + 1 working day = Mon 02-08 with weekends only.
        assert!(!cal.is_loaded(2027));
        assert_eq!(
            cal.add_working_days(d(2027, 2, 5), 1),
            Due {
                date: d(2027, 2, 8),
                provisional: true
            }
        );
        assert!(cal.is_working_day(d(2027, 2, 8)));
        cal.add_year(2027, &[rule(d(2027, 2, 8), true, "春节")])
            .unwrap();
        assert!(cal.is_loaded(2027));
        assert!(!cal.is_working_day(d(2027, 2, 8)));
        assert_eq!(
            cal.add_working_days(d(2027, 2, 5), 1),
            certain(d(2027, 2, 9))
        );
        // Replacing the year drops the made-up holiday again.
        cal.add_year(2027, &[]).unwrap();
        assert!(cal.is_working_day(d(2027, 2, 8)));
        assert_eq!(cal.year_days(2027), Some(vec![]));
    }

    #[test]
    fn late_december_needs_next_year_to_be_certain() {
        let mut cal = Calendar::bundled();
        assert!(cal.is_certain(d(2026, 12, 24)));
        assert!(!cal.is_certain(d(2026, 12, 25)));
        assert!(!cal.is_certain(d(2026, 12, 31)));
        // A deadline landing on Mon 2026-12-28 is provisional: a New Year
        // break may begin then, and it is published with 2027's calendar.
        assert_eq!(
            cal.add_calendar_days(d(2026, 12, 18), 10),
            Due {
                date: d(2026, 12, 28),
                provisional: true
            }
        );
        // A working-day count that merely passes through late December is provisional too.
        assert!(cal.add_working_days(d(2026, 12, 23), 1).date == d(2026, 12, 24));
        assert!(!cal.add_working_days(d(2026, 12, 23), 1).provisional);
        assert!(cal.add_working_days(d(2026, 12, 23), 2).provisional);
        cal.add_year(
            2027,
            &[
                rule(d(2026, 12, 31), true, "元旦"),
                rule(d(2027, 1, 1), true, "元旦"),
            ],
        )
        .unwrap();
        assert!(cal.is_certain(d(2026, 12, 31)));
        assert!(!cal.is_working_day(d(2026, 12, 31)));
        assert_eq!(
            cal.add_calendar_days(d(2026, 12, 18), 10),
            certain(d(2026, 12, 28))
        );
        assert_eq!(
            cal.next_working_day(d(2026, 12, 31)),
            certain(d(2027, 1, 4))
        );
    }

    #[test]
    fn local_day_off_is_not_a_working_day() {
        let mut cal = Calendar::bundled();
        let day = d(2024, 3, 12); // a Tuesday
        assert!(cal.is_working_day(day));
        cal.add_local_day_off(day, "地方节日");
        assert!(!cal.is_working_day(day));
        assert_eq!(cal.next_working_day(day), certain(d(2024, 3, 13)));
        assert_eq!(
            cal.add_working_days(d(2024, 3, 11), 1),
            certain(d(2024, 3, 13))
        );
        assert_eq!(
            cal.local_days_off().collect::<Vec<_>>(),
            vec![(day, "地方节日")]
        );
        // It overrides a national make-up workday as well.
        cal.add_local_day_off(d(2024, 2, 4), "地方节日");
        assert!(!cal.is_working_day(d(2024, 2, 4)));
        // A local day off in an unloaded year does not make that year certain.
        cal.add_local_day_off(d(2030, 3, 12), "地方节日");
        assert!(!cal.is_working_day(d(2030, 3, 12)));
        assert!(!cal.is_certain(d(2030, 3, 12)));
        assert!(cal.remove_local_day_off(day));
        assert!(cal.is_working_day(day));
    }

    #[test]
    fn parse_rejects_bad_input_with_clear_errors() {
        let bad_json = Calendar::parse_holiday_cn("{\"year\": 2027, \"days\": [").unwrap_err();
        assert!(matches!(bad_json, CalendarError::InvalidJson(_)));
        assert!(bad_json.to_string().starts_with("节假日数据格式错误"));

        let missing = Calendar::parse_holiday_cn("{\"days\": []}").unwrap_err();
        assert!(matches!(missing, CalendarError::InvalidJson(_)));

        let far =
            r#"{"year": 2027, "days": [{"name": "元旦", "date": "2029-01-01", "isOffDay": true}]}"#;
        let err = Calendar::parse_holiday_cn(far).unwrap_err();
        assert_eq!(
            err,
            CalendarError::DateOutsideYear {
                year: 2027,
                date: d(2029, 1, 1)
            }
        );
        assert_eq!(
            err.to_string(),
            "日期 2029-01-01 不属于 2027 年的节假日安排（只能是该年或前后相邻年份的日期）"
        );

        let both = r#"{"year": 2027, "days": [
            {"name": "春节", "date": "2027-02-06", "isOffDay": true},
            {"name": "春节", "date": "2027-02-06", "isOffDay": false}]}"#;
        let err = Calendar::parse_holiday_cn(both).unwrap_err();
        assert_eq!(err, CalendarError::Contradiction(d(2027, 2, 6)));
        assert_eq!(
            err.to_string(),
            "日期 2027-02-06 同时被列为放假日和调休上班日，数据自相矛盾"
        );

        let bad_date =
            r#"{"year": 2027, "days": [{"name": "x", "date": "2027-02-30", "isOffDay": true}]}"#;
        assert_eq!(
            Calendar::parse_holiday_cn(bad_date).unwrap_err(),
            CalendarError::InvalidDate("2027-02-30".into())
        );
        let bad_year = r#"{"year": 1999, "days": []}"#;
        let err = Calendar::parse_holiday_cn(bad_year).unwrap_err();
        assert_eq!(err, CalendarError::YearOutOfRange(1999));
        assert_eq!(err.to_string(), "年份 1999 超出支持范围（2000–2100 年）");

        // Adjacent years are fine (New Year's Eve listed with the next year).
        let ok = r#"{"year": 2027, "papers": [], "days": [
            {"name": "元旦", "date": "2026-12-31", "isOffDay": true},
            {"name": "元旦", "date": "2026-12-31", "isOffDay": true}]}"#;
        let (year, days) = Calendar::parse_holiday_cn(ok).unwrap();
        assert_eq!(year, 2027);
        assert_eq!(days.len(), 2);
    }

    #[test]
    fn failed_add_year_leaves_calendar_unchanged() {
        let mut cal = Calendar::bundled();
        let err = cal.add_year(2101, &[]).unwrap_err();
        assert_eq!(err, CalendarError::YearOutOfRange(2101));
        let err = cal
            .add_year(2024, &[rule(d(2026, 1, 1), true, "元旦")])
            .unwrap_err();
        assert!(matches!(err, CalendarError::DateOutsideYear { .. }));
        assert!(!cal.is_working_day(d(2024, 2, 12)));
        assert_eq!(cal.loaded_years().len(), 7);
    }

    #[test]
    fn empty_calendar_is_weekends_only_and_provisional() {
        let cal = Calendar::empty();
        assert!(cal.loaded_years().is_empty());
        // Thu 2023-01-19 + 5 weekdays = Thu 01-26.
        assert_eq!(
            cal.add_working_days(d(2023, 1, 19), 5),
            Due {
                date: d(2023, 1, 26),
                provisional: true
            }
        );
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let cal = Calendar::bundled();
        for date in [NaiveDate::MIN, NaiveDate::MAX, d(1, 1, 1), d(-5, 3, 1)] {
            for n in [0, 1, 7, 400, u32::MAX] {
                let due = cal.add_working_days(date, n);
                assert!(due.date >= date);
                let _ = cal.add_calendar_days(date, n);
                let _ = cal.add_months(date, n);
            }
            let _ = cal.next_working_day(date);
            let _ = cal.is_certain(date);
            let _ = cal.working_days_between(date, NaiveDate::MAX);
            let _ = cal.working_days_between(NaiveDate::MIN, date);
        }
        assert_eq!(
            cal.add_working_days(NaiveDate::MAX, 1),
            Due {
                date: NaiveDate::MAX,
                provisional: true
            }
        );
        let huge = cal.add_working_days(d(2024, 1, 1), u32::MAX);
        assert_eq!(
            huge,
            Due {
                date: NaiveDate::MAX,
                provisional: true
            }
        );
        let big = cal.add_working_days(d(2024, 1, 1), 50_000_000);
        assert!(big.provisional);
        assert!(cal.is_working_day(big.date));
        assert_eq!(
            cal.working_days_between(d(2024, 1, 1), big.date),
            50_000_000
        );
    }

    #[test]
    fn working_days_between_is_antisymmetric() {
        let cal = Calendar::bundled();
        assert_eq!(cal.working_days_between(d(2023, 1, 31), d(2023, 1, 19)), -5);
        assert_eq!(cal.working_days_between(d(2023, 1, 19), d(2023, 1, 19)), 0);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let first = d(2019, 1, 1).num_days_from_ce();
        let last = d(2028, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|x| NaiveDate::from_num_days_from_ce_opt(x).unwrap())
    }

    proptest! {
        #[test]
        fn working_day_arithmetic_is_consistent(from in any_date(), n in 0u32..400) {
            let cal = Calendar::bundled();
            let due = cal.add_working_days(from, n);
            prop_assert!(cal.is_working_day(due.date));
            prop_assert!(due.date >= from);
            if n > 0 {
                prop_assert!(due.date > from);
                prop_assert_eq!(cal.working_days_between(from, due.date), i64::from(n));
                let before = cal.add_working_days(from, n - 1);
                if n == 1 && !cal.is_working_day(from) {
                    // Day "zero" of a weekend start is already moved to Monday.
                    prop_assert_eq!(before.date, due.date);
                } else {
                    prop_assert!(before.date < due.date);
                }
                // A later deadline is at least as provisional as an earlier one.
                prop_assert!(!before.provisional || due.provisional);
            }
            if n > 0 {
                // Provisional exactly when some day in (from, due] is uncertain.
                let any_uncertain = (from.num_days_from_ce() + 1..=due.date.num_days_from_ce())
                    .map(|x| NaiveDate::from_num_days_from_ce_opt(x).unwrap())
                    .any(|x| !cal.is_certain(x));
                prop_assert_eq!(due.provisional, any_uncertain);
            }
        }

        #[test]
        fn month_arithmetic_lands_on_a_working_day(from in any_date(), n in 0u32..40) {
            let cal = Calendar::bundled();
            let due = cal.add_months(from, n);
            let clamped = from.checked_add_months(Months::new(n)).unwrap();
            prop_assert!(due.date >= clamped);
            prop_assert!(cal.is_working_day(due.date));
            prop_assert_eq!(cal.working_days_between(clamped, due.date), i64::from(clamped != due.date));
        }

        #[test]
        fn next_working_day_is_idempotent(date in any_date()) {
            let cal = Calendar::bundled();
            let once = cal.next_working_day(date);
            prop_assert_eq!(cal.next_working_day(once.date).date, once.date);
            prop_assert!(cal.is_working_day(once.date));
            prop_assert_eq!(once.date == date, cal.is_working_day(date));
        }

        #[test]
        fn calendar_days_land_on_a_working_day(from in any_date(), n in 0u32..400) {
            let cal = Calendar::bundled();
            let due = cal.add_calendar_days(from, n);
            prop_assert!(due.date >= from + Days::new(u64::from(n)));
            prop_assert!(cal.is_working_day(due.date));
        }
    }
}
