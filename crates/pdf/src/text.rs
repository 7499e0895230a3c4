//! Preparing user text for the templates: one-line fields, paragraphs, balanced title lines
//! (typst does not balance them) and dates as GB/T 9704 writes them.

use chrono::{Datelike, NaiveDate};

/// Half-width units per title line: a 22 pt (二号) title on the 156 mm type area holds 20
/// full-width characters; two units to spare for wide digits and punctuation.
pub(crate) const TITLE_UNITS: usize = 38;

/// A one-line field: controls and line breaks become spaces, ends trimmed.
pub(crate) fn clean_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.trim().to_string()
}

/// The body's paragraphs: every non-empty line. Leading spaces (also 全角) are dropped, as the
/// layout indents each paragraph by two characters itself.
pub(crate) fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n")
        .split(['\n', '\r'])
        .map(clean_line)
        .filter(|p| !p.is_empty())
        .collect()
}

/// 2026年3月5日: Arabic numerals, no leading zeros.
pub(crate) fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A `YYYY-MM-DD` date as [`chinese_date`]; anything else as given.
pub(crate) fn date_text(s: &str) -> String {
    match s.trim().parse::<NaiveDate>() {
        Ok(d) => chinese_date(d),
        Err(_) => clean_line(s),
    }
}

fn width(c: char) -> usize {
    if (c as u32) < 0x1100 || ('\u{FF61}'..='\u{FFDC}').contains(&c) {
        1
    } else {
        2
    }
}

const CLOSING: &str = "，。、；：！？）》」』”’〕】…,.;:!?)";
const OPENING: &str = "（《「『“‘〔【(";

/// May a line break fall before `chars[i]`?
fn allowed(chars: &[char], i: usize) -> bool {
    let (a, b) = (chars[i - 1], chars[i]);
    let inside_a_word = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
    !(inside_a_word || CLOSING.contains(b) || OPENING.contains(a))
}

/// Natural places to break a title: after …会议 (before 第0239号), after a comma.
fn bonus(chars: &[char], i: usize) -> i64 {
    if i >= 2 && chars[i - 2] == '会' && chars[i - 1] == '议' {
        14
    } else if matches!(chars[i - 1], '，' | '、') {
        8
    } else {
        0
    }
}

/// Breaks a title into as few lines of at most `max` units as needed, balanced in length and
/// preferring natural break points (GB/T 9704: 梯形或菱形, words kept whole).
pub(crate) fn split_title(title: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = title.chars().collect();
    let w: Vec<usize> = chars.iter().map(|c| width(*c)).collect();
    let total: usize = w.iter().sum();
    if total <= max {
        return vec![title.to_string()];
    }
    let n = total.div_ceil(max);
    let mut lines = Vec::new();
    let mut start = 0;
    for k in 1..n {
        let left = n - k + 1;
        let rest_width: usize = w[start..].iter().sum();
        let target = (rest_width / left) as i64;
        let mut best: Option<(i64, usize)> = None;
        let mut acc = 0;
        for i in start + 1..chars.len() {
            acc += w[i - 1];
            if acc > max {
                break;
            }
            if !allowed(&chars, i) || rest_width - acc > max * (left - 1) {
                continue;
            }
            let cost = (acc as i64 - target).abs() - bonus(&chars, i);
            if best.is_none_or(|(c, _)| cost < c) {
                best = Some((cost, i));
            }
        }
        // No allowed break within reach: leave the rest to typst's own line breaking.
        let Some((_, i)) = best else { break };
        lines.push(chars[start..i].iter().collect());
        start = i;
    }
    lines.push(chars[start..].iter().collect());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_break_after_the_session_name() {
        assert_eq!(
            split_title(
                "关于湖南省政协十三届一次会议第0239号提案的答复",
                TITLE_UNITS
            ),
            ["关于湖南省政协十三届一次会议", "第0239号提案的答复"]
        );
        assert_eq!(
            split_title(
                "关于湖南省人大常委会十四届三次会议第0005号建议的会办意见",
                TITLE_UNITS
            ),
            [
                "关于湖南省人大常委会十四届三次会议",
                "第0005号建议的会办意见"
            ]
        );
        assert_eq!(
            split_title("关于某事的答复", TITLE_UNITS),
            ["关于某事的答复"]
        );
    }

    #[test]
    fn long_titles_are_balanced_and_fit() {
        let t = "关于中国人民政治协商会议湖南省委员会十三届一次会议第0239号提案（关于加快推进湘江科学城建设的提案）的答复";
        let lines = split_title(t, TITLE_UNITS);
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.concat(), t);
        for l in &lines {
            assert!(l.chars().map(width).sum::<usize>() <= TITLE_UNITS, "{l}");
            assert!(!l.starts_with(['）', '，']), "{l}");
        }
        // Digits stay together.
        assert!(lines.iter().any(|l| l.contains("0239")));
    }

    #[test]
    fn paragraphs_drop_blank_lines_and_indents() {
        assert_eq!(
            paragraphs("　　第一段。\r\n\r\n  第二段。\n\n\n第三段\t。"),
            ["第一段。", "第二段。", "第三段 。"]
        );
        assert_eq!(date_text("2026-03-05"), "2026年3月5日");
        assert_eq!(date_text("年底前"), "年底前");
    }
}
