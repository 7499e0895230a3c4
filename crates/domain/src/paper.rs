//! How offices write things on paper and in spreadsheets: several names in one cell, case
//! numbers with or without 第…号, dates in three notations, roles by their Chinese names.

use crate::model::Role;
use chrono::NaiveDate;

/// The names of one cell, split at 、 , ， ; ；.
pub fn names(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// 0239, 239, 第0239号 → 239.
pub fn case_number(s: &str) -> Option<i64> {
    let digits: String = s
        .trim()
        .trim_start_matches('第')
        .trim_end_matches('号')
        .trim()
        .to_string();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// 2023-01-15, 2023/01/15 or 2023年1月15日.
pub fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y年%m月%d日"))
        .ok()
}

/// A role by the Chinese name offices use, or by its code.
pub fn role(s: &str) -> Option<Role> {
    Role::parse(s).or(match s {
        "委员" | "代表" | "提案人" => Some(Role::Proposer),
        "提案办" | "提案委员会" | "代表工委" => Some(Role::Office),
        "经办人" | "承办单位经办人" => Some(Role::UnitStaff),
        "签发人" => Some(Role::UnitSigner),
        "管理员" | "系统管理员" => Some(Role::Admin),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_offices_write_them() {
        assert_eq!(names("王建华、李明, 张三；"), ["王建华", "李明", "张三"]);
        assert_eq!(case_number("第0239号"), Some(239));
        assert_eq!(case_number("0239"), Some(239));
        assert_eq!(case_number("0"), None);
        assert_eq!(case_number("二三九"), None);
        let d = NaiveDate::from_ymd_opt(2023, 1, 15);
        assert_eq!(date("2023-01-15"), d);
        assert_eq!(date("2023/01/15"), d);
        assert_eq!(date("2023年1月15日"), d);
        assert_eq!(date("15.01.2023"), None);
        assert_eq!(role("签发人"), Some(Role::UnitSigner));
        assert_eq!(role("unit_staff"), Some(Role::UnitStaff));
        assert_eq!(role("主任"), None);
    }
}
