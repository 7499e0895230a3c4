//! The staff app's three languages. Templates are written in Simplified Chinese and wrap
//! every piece of interface text in `t.s("…")`; English comes from `en.tsv` (one
//! "Chinese<TAB>English" line each), Traditional from converting the whole rendered page
//! with OpenCC (phrase-aware, so 发展→發展 but 头发→頭髮), which also converts the data.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Hans,
    Hant,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        match code {
            "zh-Hant" => Lang::Hant,
            "en" => Lang::En,
            _ => Lang::Hans,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Hans => "zh-Hans",
            Lang::Hant => "zh-Hant",
            Lang::En => "en",
        }
    }
}

fn english() -> &'static HashMap<&'static str, &'static str> {
    static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    EN.get_or_init(|| {
        // One file per part of the app, so each can be kept beside its templates.
        [
            include_str!("en.tsv"),
            include_str!("en_admin.tsv"),
            include_str!("en_dashboard.tsv"),
        ]
        .into_iter()
        .flat_map(str::lines)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
    })
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    /// Interface text in the user's language (Traditional is converted later, page-wide).
    pub fn s<'a>(&self, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::En => english().get(zh).copied().unwrap_or(zh),
            _ => zh,
        }
    }

    /// A label of one of the glossary's codes (states, roles, grades …), translated.
    pub fn code(&self, code: &str) -> String {
        let zh = super::labels::zh(code);
        if zh.is_empty() {
            return code.to_string();
        }
        match self.lang {
            Lang::En => english().get(zh).copied().unwrap_or(zh).to_string(),
            _ => zh.to_string(),
        }
    }

    /// A stored UTC timestamp as local time (UTC+8), to the minute.
    pub fn time(&self, ts: &str) -> String {
        banli_domain::clock::local_minute(ts)
    }

    /// What an event of the timeline is called.
    pub fn event(&self, action: &str) -> String {
        let zh = super::labels::event_zh(action);
        if zh.is_empty() {
            return action.to_string();
        }
        match self.lang {
            Lang::En => english().get(zh).copied().unwrap_or(zh).to_string(),
            _ => zh.to_string(),
        }
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work queue's section titles (crates/app/src/queue.rs), shown through `t.s`.
    const QUEUE_TITLES: &[&str] = &[
        "待审查立案",
        "待交办",
        "单位申请调整",
        "延期申请",
        "待审核答复",
        "待公开审查的答复",
        "已逾期",
        "新交办（请签收或在期限内申请调整）",
        "待起草会办意见",
        "待起草答复",
        "待更新的承诺事项",
        "待签发",
        "待会办（会办意见齐备后方能签发）",
        "草稿和退回修改的提案",
        "邀请我联名",
        "待评价的答复",
        "答复中的承诺事项",
    ];

    /// Every `t.s("…")` in the templates and every glossary label has an English text, so an
    /// English page never falls back to Chinese interface text.
    #[test]
    fn every_interface_text_has_an_english_translation() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/staff");
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("templates/staff") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for part in text.split("t.s(\"").skip(1) {
                let zh = part.split("\")").next().expect("closing");
                seen += 1;
                if !english().contains_key(zh) {
                    missing.push(format!(
                        "{}: {zh}",
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
        let labels = super::super::labels::CODES
            .iter()
            .map(|c| super::super::labels::zh(c));
        let events = super::super::labels::EVENT_CODES
            .iter()
            .map(|c| super::super::labels::event_zh(c));
        let chrome = super::super::session::NAV_LABELS
            .iter()
            .chain(super::super::session::FLASHES)
            .copied();
        for zh in labels
            .chain(events)
            .chain(chrome)
            .chain(QUEUE_TITLES.iter().copied())
        {
            let code = zh;
            if !english().contains_key(zh) {
                missing.push(format!("label {code}: {zh}"));
            }
        }
        missing.sort();
        missing.dedup();
        assert!(seen > 50, "templates use t.s(): {seen}");
        assert!(
            missing.is_empty(),
            "no English for:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn english_and_simplified() {
        assert_eq!(Tr { lang: Lang::En }.s("退出"), "Sign out");
        assert_eq!(Tr { lang: Lang::Hans }.s("退出"), "退出");
        assert_eq!(Tr { lang: Lang::En }.code("handling"), "In handling");
    }
}
