//! The parts of a reply letter or co-opinion that the letter writes itself (DESIGN §5), so
//! that what the clerk types is the body alone and no part is printed twice.

use crate::model::ItemKind;

/// A reply's salutation without its colon: the collective's name for a collective item,
/// otherwise the first proposer's name with 委员 (proposals) or 代表 (suggestions).
pub fn reply_salutation(kind: ItemKind, collective: Option<&str>, first_proposer: &str) -> String {
    match collective {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => format!("{first_proposer}{}", kind.member_title()),
    }
}

/// `body` without a first line that repeats the salutation the letter already writes
/// (王建华委员： or 尊敬的王建华委员：, with either colon), and without the blank lines after
/// it. Any other first line is kept: the body is the clerk's text.
pub fn without_salutation(body: &str, salutation: &str) -> String {
    let salutation = salutation.trim();
    if salutation.is_empty() {
        return body.to_string();
    }
    let start = body.len() - body.trim_start().len();
    let rest = &body[start..];
    let (first, after) = rest.split_once('\n').unwrap_or((rest, ""));
    let line = first.trim();
    let line = line.strip_prefix("尊敬的").unwrap_or(line);
    let repeats = line
        .strip_suffix('：')
        .or_else(|| line.strip_suffix(':'))
        .is_some_and(|name| name.trim() == salutation);
    if repeats {
        after
            .trim_start_matches(['\n', '\r', ' ', '\u{3000}'])
            .to_string()
    } else {
        body.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salutation_names_the_collective_or_the_first_proposer() {
        assert_eq!(
            reply_salutation(ItemKind::Proposal, None, "王建华"),
            "王建华委员"
        );
        assert_eq!(
            reply_salutation(ItemKind::Suggestion, None, "李梅"),
            "李梅代表"
        );
        assert_eq!(
            reply_salutation(ItemKind::Proposal, Some("民盟湖南省委"), "王建华"),
            "民盟湖南省委"
        );
    }

    #[test]
    fn a_typed_salutation_is_dropped_and_nothing_else() {
        let s = "王建华委员";
        for typed in [
            "王建华委员：\n感谢您的提案。",
            "  王建华委员:\r\n\n感谢您的提案。",
            "尊敬的王建华委员：\n感谢您的提案。",
        ] {
            assert_eq!(without_salutation(typed, s), "感谢您的提案。", "{typed:?}");
        }
        for kept in [
            "感谢您的提案。\n王建华委员：",
            "现答复如下：\n一、……",
            "李梅委员：\n感谢您的提案。",
            "王建华委员：感谢您的提案。",
        ] {
            assert_eq!(without_salutation(kept, s), kept);
        }
        assert_eq!(
            without_salutation("王建华委员：\n正文", ""),
            "王建华委员：\n正文"
        );
    }
}
