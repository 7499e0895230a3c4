//! The per-organisation policy of DESIGN §4: every deadline and rule a proposal office may
//! configure, with the defaults of the specification.

use crate::calendar::{Calendar, Due};
use crate::model::{AssignmentRole, Publishers, Rating};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Policy {
    /// 申请调整 window after assignment, calendar days.
    pub return_window_days: u32,
    pub first_consultation_working_days: u32,
    pub co_opinion_months: u32,
    pub reply_months: u32,
    /// An extended reply deadline may reach at most this many months after assignment.
    pub extension_max_months: u32,
    pub evaluation_working_days: u32,
    pub rehandling_months: u32,
    pub publication_working_days: u32,
    /// How many re-handlings an assignment gets before the office decides.
    pub max_rehandlings: u32,
    /// Besides an `unsatisfied` result, these also send an assignment back to re-handling.
    pub rehandle_on_unsatisfied_handling: bool,
    pub rehandle_on_basically_satisfied: bool,
    /// The office checks each reply (grade and substance) before it is sent.
    pub office_checks_replies: bool,
    pub grade_d_enabled: bool,
    pub publishers: Publishers,
    /// A clock turns yellow when less than this share of its time is left.
    pub yellow_fraction: f64,
    /// An uploaded or imported .xlsx may inflate to at most this many MiB (a zip bomb is
    /// refused before it is read); the default fits 100,000 rows of long texts.
    pub import_max_inflated_mib: u32,
    /// …and its sheet may hold at most this many cells (100,000 rows × 30 columns).
    pub import_max_cells: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            return_window_days: 10,
            first_consultation_working_days: 15,
            co_opinion_months: 1,
            reply_months: 3,
            extension_max_months: 6,
            evaluation_working_days: 15,
            rehandling_months: 1,
            publication_working_days: 20,
            max_rehandlings: 1,
            rehandle_on_unsatisfied_handling: false,
            rehandle_on_basically_satisfied: false,
            office_checks_replies: false,
            grade_d_enabled: false,
            publishers: Publishers::Both,
            yellow_fraction: 0.2,
            import_max_inflated_mib: 256,
            import_max_cells: 3_000_000,
        }
    }
}

/// The clocks that start when a unit is assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AssignmentDues {
    pub return_by: NaiveDate,
    pub first_consultation_by: NaiveDate,
    pub co_opinion_by: Option<NaiveDate>,
    pub reply_by: Option<NaiveDate>,
    pub provisional: bool,
}

impl Policy {
    pub fn assignment_dues(
        &self,
        cal: &Calendar,
        role: AssignmentRole,
        on: NaiveDate,
    ) -> AssignmentDues {
        let ret = cal.add_calendar_days(on, self.return_window_days);
        let consult = cal.add_working_days(on, self.first_consultation_working_days);
        let doc: Due = if role.owes_reply() {
            cal.add_months(on, self.reply_months)
        } else {
            cal.add_months(on, self.co_opinion_months)
        };
        AssignmentDues {
            return_by: ret.date,
            first_consultation_by: consult.date,
            co_opinion_by: (!role.owes_reply()).then_some(doc.date),
            reply_by: role.owes_reply().then_some(doc.date),
            provisional: ret.provisional || consult.provisional || doc.provisional,
        }
    }

    /// The latest date an extension may reach.
    pub fn extension_limit(&self, cal: &Calendar, assigned_on: NaiveDate) -> Due {
        cal.add_months(assigned_on, self.extension_max_months)
    }

    pub fn evaluation_due(&self, cal: &Calendar, sent_on: NaiveDate) -> Due {
        cal.add_working_days(sent_on, self.evaluation_working_days)
    }

    pub fn publication_due(&self, cal: &Calendar, sent_on: NaiveDate) -> Due {
        cal.add_working_days(sent_on, self.publication_working_days)
    }

    pub fn rehandling_due(&self, cal: &Calendar, rated_on: NaiveDate) -> Due {
        cal.add_months(rated_on, self.rehandling_months)
    }

    /// Whether a rating sends the assignment back for re-handling.
    pub fn triggers_rehandling(&self, handling: Rating, result: Rating) -> bool {
        result == Rating::Unsatisfied
            || (self.rehandle_on_unsatisfied_handling && handling == Rating::Unsatisfied)
            || (self.rehandle_on_basically_satisfied
                && (result == Rating::BasicallySatisfied || handling == Rating::BasicallySatisfied))
    }

    pub fn office_may_publish(&self) -> bool {
        matches!(self.publishers, Publishers::Office | Publishers::Both)
    }

    pub fn signer_may_publish(&self) -> bool {
        matches!(self.publishers, Publishers::Signer | Publishers::Both)
    }

    /// Checks the numbers make sense before an admin saves them.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if self.reply_months == 0 || self.reply_months > 12 {
            return Err(("reply_months", "答复期限须在1至12个月之间"));
        }
        if self.extension_max_months < self.reply_months {
            return Err(("extension_max_months", "延期上限不能短于答复期限"));
        }
        if !(0.0..=1.0).contains(&self.yellow_fraction) {
            return Err(("yellow_fraction", "黄灯比例须在0到1之间"));
        }
        if self.evaluation_working_days == 0 {
            return Err(("evaluation_working_days", "评价期限须大于0"));
        }
        if !(1..=4096).contains(&self.import_max_inflated_mib) {
            return Err((
                "import_max_inflated_mib",
                "导入文件解压后大小上限须在1至4096 MiB之间",
            ));
        }
        if !(1..=50_000_000).contains(&self.import_max_cells) {
            return Err((
                "import_max_cells",
                "导入表格单元格数上限须在1至50,000,000之间",
            ));
        }
        Ok(())
    }
}

/// The categories a new organisation starts with.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "经济建设",
    "政治建设",
    "文化建设",
    "社会建设",
    "生态文明建设",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn default_clocks_for_a_lead_assignment() {
        let cal = Calendar::bundled();
        let p = Policy::default();
        let due = p.assignment_dues(&cal, AssignmentRole::Lead, d("2023-03-01"));
        // 10 calendar days → Saturday 03-11 moves to Monday 03-13.
        assert_eq!(due.return_by, d("2023-03-13"));
        assert_eq!(due.reply_by, Some(d("2023-06-01")));
        assert_eq!(due.co_opinion_by, None);
        assert!(!due.provisional);
        let co = p.assignment_dues(&cal, AssignmentRole::Co, d("2023-03-01"));
        assert_eq!(
            co.co_opinion_by,
            Some(d("2023-04-03")),
            "04-01 is a Saturday"
        );
        assert_eq!(co.reply_by, None);
    }

    #[test]
    fn a_deadline_in_an_unloaded_year_is_provisional() {
        let cal = Calendar::bundled();
        let due = Policy::default().assignment_dues(&cal, AssignmentRole::Lead, d("2026-11-20"));
        assert!(due.provisional);
    }

    #[test]
    fn only_an_unsatisfied_result_triggers_rehandling_by_default() {
        let p = Policy::default();
        assert!(p.triggers_rehandling(Rating::Satisfied, Rating::Unsatisfied));
        assert!(!p.triggers_rehandling(Rating::Unsatisfied, Rating::Satisfied));
        assert!(!p.triggers_rehandling(Rating::BasicallySatisfied, Rating::BasicallySatisfied));
        let strict = Policy {
            rehandle_on_unsatisfied_handling: true,
            ..Policy::default()
        };
        assert!(strict.triggers_rehandling(Rating::Unsatisfied, Rating::Satisfied));
    }

    #[test]
    fn policy_json_fills_missing_numbers_with_defaults() {
        let p: Policy = serde_json::from_str(r#"{"reply_months": 2}"#).unwrap();
        assert_eq!(p.reply_months, 2);
        assert_eq!(p.evaluation_working_days, 15);
        assert!(Policy {
            extension_max_months: 1,
            ..Policy::default()
        }
        .validate()
        .is_err());
    }
}
