//! Highlighted snippets: the window of a text with the most query matches,
//! HTML-escaped, the matches wrapped in `<mark>`.
//!
//! Matches are found with the same analysis and the same tilings as the
//! index query (see `analyzer`), so 民政 is not highlighted inside 人民政府.

use crate::analyzer::{normalize_char, Analyzer, WordQuery};

/// Characters of context shown before the first match of the window.
const LEAD: usize = 24;

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c if c.is_whitespace() => out.push(' '),
        c if c.is_control() => {}
        c => out.push(c),
    }
}

/// Context analysed around each literal occurrence of a query word: the
/// segmentation of a window this wide agrees with that of the whole text.
const CONTEXT: usize = 40;
/// At most this many literal occurrences are analysed (bounds the work on a
/// 50,000-character body).
const MAX_OCCURRENCES: usize = 64;

/// The best window of `text` (at most `max_chars` characters) with the
/// matches of `words` marked; `None` when nothing in `text` matches.
pub(crate) fn highlight(
    analyzer: &Analyzer,
    text: &str,
    words: &[WordQuery],
    max_chars: usize,
) -> Option<String> {
    if words.is_empty() || text.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let norm: Vec<char> = chars.iter().map(|&c| normalize_char(c)).collect();
    // Analyse only windows around literal occurrences of the words.
    let mut windows: Vec<(usize, usize)> = Vec::new();
    'words: for w in words {
        let wc: Vec<char> = w.word.chars().collect();
        let mut i = 0;
        while i + wc.len() <= n {
            if norm[i..i + wc.len()] == wc[..] {
                windows.push((i.saturating_sub(CONTEXT), (i + wc.len() + CONTEXT).min(n)));
                if windows.len() >= MAX_OCCURRENCES {
                    break 'words;
                }
                i += wc.len();
            } else {
                i += 1;
            }
        }
    }
    if windows.is_empty() {
        return None;
    }
    let windows = merge(windows);
    let mut ranges = Vec::new();
    for &(ws, we) in &windows {
        let sub: String = chars[ws..we].iter().collect();
        let mut pieces = analyzer.analyze(&sub);
        for p in &mut pieces {
            p.pos += ws;
        }
        ranges.extend(analyzer.match_ranges(&pieces, words));
    }
    if ranges.is_empty() {
        return None;
    }
    // The window with the most distinct query words, then the most matches;
    // the earliest on ties.
    let mut best: Option<(usize, usize, usize)> = None; // (words, matches, start)
    for &(s, _, _) in &ranges {
        let mut start = s.saturating_sub(LEAD);
        // Start after a sentence end inside the lead, if there is one.
        if let Some(k) = (start..s)
            .rev()
            .find(|&i| matches!(chars[i], '。' | '；' | '！' | '？' | '\n' | ';' | '!' | '?'))
        {
            start = k + 1;
        }
        // Use the whole width when the text ends early.
        start = start.min(n.saturating_sub(max_chars));
        let end = (start + max_chars).min(n);
        let inside: Vec<usize> = ranges
            .iter()
            .filter(|r| r.0 >= start && r.1 <= end)
            .map(|r| r.2)
            .collect();
        let mut distinct = inside.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let cand = (distinct.len(), inside.len(), start);
        if best.is_none_or(|b| cand.0 > b.0 || (cand.0 == b.0 && cand.1 > b.1)) {
            best = Some(cand);
        }
    }
    let start = best.map_or(0, |b| b.2);
    let end = (start + max_chars).min(n);
    let marks = merge(ranges.iter().map(|r| (r.0, r.1)).collect());
    Some(render(&chars, start, end, &marks))
}

/// The beginning of `text`, escaped, when nothing matches.
pub(crate) fn plain(text: &str, max_chars: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let end = max_chars.min(chars.len());
    render(&chars, 0, end, &[])
}

fn merge(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.0 <= last.1 => last.1 = last.1.max(r.1),
            _ => out.push(r),
        }
    }
    out
}

fn render(chars: &[char], start: usize, end: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut i = start;
    let mut last_space = false;
    for &(rs, re) in ranges.iter().filter(|r| r.1 > start && r.0 < end) {
        let (rs, re) = (rs.max(start), re.min(end));
        push_run(&mut out, &chars[i..rs], &mut last_space);
        out.push_str("<mark>");
        push_run(&mut out, &chars[rs..re], &mut last_space);
        out.push_str("</mark>");
        i = re;
    }
    push_run(&mut out, &chars[i..end], &mut last_space);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Escaped, with runs of whitespace collapsed to one space.
fn push_run(out: &mut String, chars: &[char], last_space: &mut bool) {
    for &c in chars {
        if c.is_whitespace() {
            if !*last_space {
                out.push(' ');
            }
            *last_space = true;
        } else {
            push_escaped(out, c);
            *last_space = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_html("<script>a&b\"'</script>"),
            "&lt;script&gt;a&amp;b&quot;&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn marks_only_real_words() {
        let a = Analyzer::new(&[]);
        let words = a.query_words("民政");
        assert!(highlight(&a, "县级以上地方人民政府负责", &words, 80).is_none());
        let h = highlight(&a, "县级以上地方人民政府民政部门<b>负责</b>", &words, 80).unwrap();
        assert_eq!(
            h,
            "县级以上地方人民政府<mark>民政</mark>部门&lt;b&gt;负责&lt;/b&gt;"
        );
    }

    #[test]
    fn window_and_ellipsis() {
        let a = Analyzer::new(&[]);
        let words = a.query_words("项目");
        let text = format!("{}。建设项目管理{}", "甲".repeat(100), "乙".repeat(200));
        let h = highlight(&a, &text, &words, 40).unwrap();
        assert!(h.starts_with("…建设<mark>项目</mark>管理"), "{h}");
        assert!(h.ends_with('…'), "{h}");
    }

    #[test]
    fn long_text_and_the_window_with_every_word() {
        let a = Analyzer::new(&[]);
        let words = a.query_words("安全生产 责任");
        let text = format!(
            "{}安全生产很重要。{}落实安全生产责任制度。{}",
            "甲乙丙丁".repeat(5000),
            "戊己庚辛".repeat(100),
            "人民政府".repeat(2000)
        );
        let h = highlight(&a, &text, &words, 60).unwrap();
        assert!(
            h.contains("<mark>安全生产</mark><mark>责任</mark>")
                || h.contains("<mark>安全生产责任</mark>"),
            "{h}"
        );
        // Full-width and case are normalised for matching, not in the text.
        let words = a.query_words("abc");
        assert_eq!(
            highlight(&a, "编号ＡＢＣ项目", &words, 60).unwrap(),
            "编号<mark>ＡＢＣ</mark>项目"
        );
    }
}
