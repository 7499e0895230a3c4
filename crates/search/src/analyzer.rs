//! The Chinese analyzer: jieba's normal-mode cut, plus the sub-words that lie
//! fully inside each word *along the word's own structure*, plus every Han
//! character on its own. Positions are character offsets, so a query can ask
//! for "term A at offset 0 and term B at offset 2" (a phrase with offsets).
//!
//! Why not jieba's search mode: it emits every dictionary 2- and 3-gram inside
//! a word, including ones that straddle the word's inner boundary: 民政 inside
//! 人民政府 (人民|政府) and 华人 inside 中华人民共和国 (中华|人民|共和国). Here
//! a word of three or more characters is re-segmented with the whole word
//! forbidden (jieba's own max-probability route over the dictionary), and
//! that is repeated on each piece, so only 人民, 政府 (and 中华, 人民, 共和国,
//! 共和) are emitted.
//!
//! A query word is matched as either
//! - T1: its own top-level cut (one term, or a phrase of the cut's words), or
//! - T2: the finest tiling: every top-level word replaced by the leaves of its
//!   decomposition (2-character dictionary words and single characters);
//!   a word jieba does not know (found by the HMM, or a 2-character
//!   non-word) becomes its single characters, i.e. a literal match.
//!
//! T2 finds 重大事故 inside 重大事故隐患 (cut 重大|事故隐患, and 事故隐患 →
//! 事故|隐患), while a 2-character dictionary word is never split, so 民政 is
//! only found where jieba sees the word 民政.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Bump when the analysis changes: an index built with another version is
/// cleared on open (the server then rebuilds it).
pub(crate) const ANALYZER_VERSION: u32 = 2;

/// Government terms the default jieba dictionary does not know as words.
pub const GOV_TERMS: &[&str] = &[
    "营商环境",
    "科技创新",
    "长株潭",
    "一网通办",
    "新质生产力",
    "湘江科学城",
    "洞庭湖",
    "放管服",
    "乡村振兴",
    "高质量发展",
    "河长制",
    "林长制",
    "碳达峰",
    "碳中和",
    "专精特新",
    "数字经济",
    "数字政府",
    "政务服务",
    "一件事一次办",
    "最多跑一次",
    "跨省通办",
    "放管服改革",
    "双随机一公开",
];

/// Use jieba's HMM for words not in the dictionary.
const HMM: bool = true;

/// ln of the total frequency of jieba's default dictionary (≈ 60,101,967);
/// only used to compare re-segmentations of one word.
const LN_TOTAL: f64 = 17.911_6;

pub(crate) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{30000}'..='\u{3134F}')
}

/// Characters that carry meaning for search: Han, letters, digits.
pub(crate) fn is_word_char(c: char) -> bool {
    is_han(c) || c.is_alphanumeric()
}

/// Full-width ASCII → ASCII, upper → lower case; one char for one char, so
/// character offsets are kept.
pub(crate) fn normalize_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else if c.is_uppercase() {
        // Keep one char for one char (a multi-char lowercase is left as is).
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    } else {
        c
    }
}

/// One indexed token: its term, character position and length, byte span in
/// the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub text: String,
    pub pos: usize,
    pub len: usize,
    pub from: usize,
    pub to: usize,
}

/// One alternative way to match a query word: (char offset, term) pairs.
pub(crate) type Tiling = Vec<(usize, String)>;

/// How a query word is matched.
#[derive(Clone, Debug)]
pub(crate) struct WordQuery {
    /// The normalized word, as the user typed it (without separators).
    pub word: String,
    /// Alternatives, at least one; each matches the whole word.
    pub tilings: Vec<Tiling>,
}

pub(crate) struct Analyzer {
    jieba: Jieba,
    /// Decomposition of dictionary words of ≥ 3 characters: the pieces at all
    /// levels (char start, char len), and the leaves of the finest level.
    cache: RwLock<HashMap<String, Arc<Decomposition>>>,
}

#[derive(Debug, Default)]
pub(crate) struct Decomposition {
    /// Every piece of ≥ 2 characters at every level (start, len).
    pieces: Vec<(usize, usize)>,
    /// The finest tiling (start, len): 2-character words and single characters.
    leaves: Vec<(usize, usize)>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").finish_non_exhaustive()
    }
}

/// jieba's dictionary, embedded as plain text. jieba-rs's `default-dict` feature embeds
/// the same file zstd-compressed, and building zstd and its macro cost a newcomer's first
/// build ~40 CPU-seconds (issue #11 part 8); see data/README.md for its origin.
const DICT: &str = include_str!("../data/jieba-dict.txt");

impl Analyzer {
    /// The default dictionary, the government terms and `extra_words` (unit
    /// names and the like).
    pub fn new(extra_words: &[String]) -> Analyzer {
        let mut jieba =
            Jieba::with_dict(&mut DICT.as_bytes()).expect("the embedded dictionary parses");
        for w in GOV_TERMS {
            jieba.add_word(w, None, None);
        }
        for w in extra_words {
            let w: String = w.trim().chars().map(normalize_char).collect();
            if w.chars().count() >= 2 && !w.chars().any(char::is_whitespace) {
                jieba.add_word(&w, None, None);
            }
        }
        Analyzer {
            jieba,
            cache: RwLock::new(HashMap::new()),
        }
    }

    fn ln_freq(&self, word: &str) -> f64 {
        if self.jieba.has_word(word) {
            (self.jieba.suggest_freq(word) as f64).ln()
        } else {
            0.0
        }
    }

    /// Re-segment a dictionary word with the whole word forbidden, then each
    /// piece of ≥ 3 characters again.
    fn decompose(&self, word: &str) -> Arc<Decomposition> {
        if let Some(d) = self.cache.read().ok().and_then(|c| c.get(word).cloned()) {
            return d;
        }
        let mut d = Decomposition::default();
        self.decompose_into(word, 0, &mut d, 0);
        let d = Arc::new(d);
        if let Ok(mut c) = self.cache.write() {
            if c.len() > 200_000 {
                c.clear();
            }
            c.insert(word.to_string(), d.clone());
        }
        d
    }

    fn decompose_into(&self, word: &str, base: usize, out: &mut Decomposition, depth: usize) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let n = chars.len();
        let byte_at = |i: usize| if i == n { word.len() } else { chars[i].0 };
        if n < 3 || depth > 8 || !self.jieba.has_word(word) {
            // A 2-character word is a leaf; so is an unknown run (its chars).
            if n == 2 && self.jieba.has_word(word) {
                out.leaves.push((base, 2));
            } else {
                for i in 0..n {
                    out.leaves.push((base + i, 1));
                }
            }
            return;
        }
        // Every dictionary word inside, except the whole.
        let mut edges: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for t in self.jieba.cut_all(word) {
            let (s, e) = (t.start, t.end);
            if e > s + 1 && !(s == 0 && e == n) && e <= n {
                edges[s].push((e, self.ln_freq(t.word) - LN_TOTAL));
            }
        }
        for (i, e) in edges.iter_mut().enumerate() {
            let c = &word[byte_at(i)..byte_at(i + 1)];
            e.push((i + 1, self.ln_freq(c) - LN_TOTAL));
        }
        // Max-probability route, from the end (as jieba does).
        let mut best = vec![(0.0f64, n); n + 1];
        for i in (0..n).rev() {
            let mut b: Option<(f64, usize)> = None;
            for &(e, lp) in &edges[i] {
                let p = lp + best[e].0;
                if b.is_none_or(|(bp, be)| p > bp || (p == bp && e > be)) {
                    b = Some((p, e));
                }
            }
            best[i] = b.unwrap_or((f64::NEG_INFINITY, i + 1));
        }
        let mut i = 0;
        while i < n {
            let e = best[i].1;
            let len = e - i;
            if len >= 2 {
                out.pieces.push((base + i, len));
            }
            if len >= 3 {
                self.decompose_into(&word[byte_at(i)..byte_at(e)], base + i, out, depth + 1);
            } else if len == 2 {
                out.leaves.push((base + i, 2));
            } else {
                out.leaves.push((base + i, 1));
            }
            i = e;
        }
    }

    /// The tokens to index for `text`, sorted by position.
    pub fn analyze(&self, text: &str) -> Vec<Piece> {
        let norm: String = text.chars().map(normalize_char).collect();
        // Byte offset in the original text of each char (and the end).
        let mut obytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        obytes.push(text.len());
        let nchars: Vec<char> = norm.chars().collect();
        let mut out = Vec::with_capacity(nchars.len() * 2);
        let sub = |s: usize, e: usize| -> String { nchars[s..e].iter().collect() };
        let push = |out: &mut Vec<Piece>, s: usize, e: usize| {
            out.push(Piece {
                text: sub(s, e),
                pos: s,
                len: e - s,
                from: obytes[s],
                to: obytes[e],
            })
        };
        for t in self.jieba.cut(&norm, HMM) {
            // A token may hold punctuation (互联网+, 3.5): each run of word
            // characters is treated as a word of its own.
            let mut s = t.start;
            while s < t.end {
                if !is_word_char(nchars[s]) {
                    s += 1;
                    continue;
                }
                let mut e = s + 1;
                while e < t.end && is_word_char(nchars[e]) {
                    e += 1;
                }
                self.analyze_word(&nchars, s, e, &mut |s, e| push(&mut out, s, e));
                s = e;
            }
        }
        out.sort_by(|a, b| a.pos.cmp(&b.pos).then(b.len.cmp(&a.len)));
        out.dedup_by(|a, b| a.pos == b.pos && a.text == b.text);
        out
    }

    /// The tokens indexed for `text`: [`analyze`](Self::analyze)'s, and a shingle for each pair
    /// of adjacent leaf-sized tokens (see [`leafy`]) that are not two single characters: their
    /// texts joined, at the first one's position. 人民@0 政府@2 add 人民政府@0, so the phrase
    /// a query word's finer tiling asks for is one term in the index (see [`shingled`]): a
    /// phrase of common pieces is checked position by position in every document holding
    /// both, a term is read from its posting list (issue #11 part 2). Pairs of two characters
    /// are left out: they would index every character bigram.
    pub fn index_tokens(&self, text: &str) -> Vec<Piece> {
        let mut pieces = self.analyze(text);
        let mut shingles = Vec::new();
        for a in pieces.iter().filter(|p| leafy(&p.text, p.len)) {
            let next = a.pos + a.len;
            let from = pieces.partition_point(|p| p.pos < next);
            for b in pieces[from..].iter().take_while(|p| p.pos == next) {
                if leafy(&b.text, b.len) && a.len + b.len > 2 {
                    shingles.push(Piece {
                        text: format!("{}{}", a.text, b.text),
                        pos: a.pos,
                        len: a.len + b.len,
                        from: a.from,
                        to: b.to,
                    });
                }
            }
        }
        pieces.extend(shingles);
        pieces.sort_by(|a, b| {
            a.pos
                .cmp(&b.pos)
                .then(b.len.cmp(&a.len))
                .then_with(|| a.text.cmp(&b.text))
        });
        pieces.dedup_by(|a, b| a.pos == b.pos && a.text == b.text);
        pieces
    }

    /// The tokens of one word (characters `s..e` of `chars`, all word
    /// characters): the word, its Han characters and letter/digit runs, and
    /// the decomposition of a dictionary word.
    fn analyze_word(&self, chars: &[char], s: usize, e: usize, push: &mut dyn FnMut(usize, usize)) {
        let n = e - s;
        if n >= 2 {
            push(s, e);
        }
        let mut i = s;
        let mut has_other = false;
        while i < e {
            if is_han(chars[i]) {
                push(i, i + 1);
                i += 1;
            } else {
                has_other = true;
                let mut j = i + 1;
                while j < e && !is_han(chars[j]) {
                    j += 1;
                }
                if !(i == s && j == e && n >= 2) {
                    push(i, j);
                }
                i = j;
            }
        }
        if n >= 3 && !has_other {
            let word: String = chars[s..e].iter().collect();
            if self.jieba.has_word(&word) {
                let d = self.decompose(&word);
                for &(ps, pl) in &d.pieces {
                    push(s + ps, s + ps + pl);
                }
            }
        }
    }

    /// Split a query into words (at whitespace and punctuation) and say how
    /// each is matched.
    pub fn query_words(&self, text: &str) -> Vec<WordQuery> {
        let norm: String = text.chars().map(normalize_char).collect();
        let mut words: Vec<WordQuery> = Vec::new();
        for raw in norm.split(|c: char| !is_word_char(c)) {
            if raw.is_empty() || words.iter().any(|w| w.word == raw) {
                continue;
            }
            if let Some(w) = self.query_word(raw) {
                words.push(w);
            }
        }
        words
    }

    fn query_word(&self, word: &str) -> Option<WordQuery> {
        let chars: Vec<char> = word.chars().collect();
        let sub = |s: usize, e: usize| -> String { chars[s..e].iter().collect() };
        let mut t1: Tiling = Vec::new();
        let mut t2: Tiling = Vec::new();
        for t in self.jieba.cut(word, HMM) {
            let (s, e) = (t.start, t.end);
            let all_han = chars[s..e].iter().all(|&c| is_han(c));
            if !all_han {
                // Letters/digits (possibly mixed with Han): the same runs as
                // `analyze` produces.
                let mut i = s;
                while i < e {
                    if is_han(chars[i]) {
                        t1.push((i, sub(i, i + 1)));
                        t2.push((i, sub(i, i + 1)));
                        i += 1;
                    } else {
                        let mut j = i + 1;
                        while j < e && !is_han(chars[j]) {
                            j += 1;
                        }
                        t1.push((i, sub(i, j)));
                        t2.push((i, sub(i, j)));
                        i = j;
                    }
                }
                continue;
            }
            t1.push((s, t.word.to_string()));
            let n = e - s;
            if n == 1 {
                t2.push((s, t.word.to_string()));
            } else if !self.jieba.has_word(t.word) {
                // Unknown to the dictionary: a literal match.
                for i in s..e {
                    t2.push((i, sub(i, i + 1)));
                }
            } else if n == 2 {
                t2.push((s, t.word.to_string()));
            } else {
                let d = self.decompose(t.word);
                for &(ls, ll) in &d.leaves {
                    t2.push((s + ls, sub(s + ls, s + ls + ll)));
                }
            }
        }
        if t1.is_empty() {
            return None;
        }
        let mut tilings = vec![t1];
        if tilings[0] != t2 {
            tilings.push(t2);
        }
        Some(WordQuery {
            word: word.to_string(),
            tilings,
        })
    }

    /// Character ranges `(start, end, word index)` where a query word
    /// matches among `pieces` (the same rule as the index query), for
    /// highlighting.
    pub fn match_ranges(
        &self,
        pieces: &[Piece],
        words: &[WordQuery],
    ) -> Vec<(usize, usize, usize)> {
        let mut at: HashSet<(usize, &str)> = HashSet::with_capacity(pieces.len());
        let mut by_term: HashMap<&str, Vec<usize>> = HashMap::new();
        for p in pieces {
            at.insert((p.pos, p.text.as_str()));
            by_term.entry(p.text.as_str()).or_default().push(p.pos);
        }
        let mut ranges = Vec::new();
        for (wi, w) in words.iter().enumerate() {
            let wlen = w.word.chars().count();
            for tiling in &w.tilings {
                let (o0, first) = &tiling[0];
                let Some(starts) = by_term.get(first.as_str()) else {
                    continue;
                };
                for &p in starts {
                    if p < *o0 {
                        continue;
                    }
                    let base = p - o0;
                    if tiling
                        .iter()
                        .skip(1)
                        .all(|(o, t)| at.contains(&(base + o, t.as_str())))
                    {
                        ranges.push((base, base + wlen, wi));
                    }
                }
            }
        }
        ranges.sort_unstable();
        ranges.dedup();
        ranges
    }
}

/// A token that may be one half of a shingle: one or two Han characters.
fn leafy(text: &str, len: usize) -> bool {
    (1..=2).contains(&len) && text.chars().all(is_han)
}

/// A tiling as the index holds it: adjacent leaf-sized terms paired, from the left, into
/// the shingles [`Analyzer::index_tokens`] writes (人民@0 政府@2 → 人民政府@0). A document
/// holds the shingled tiling wherever it holds the tiling, so matching it finds the same
/// documents with rarer terms.
pub(crate) fn shingled(tiling: &Tiling) -> Tiling {
    let mut out = Vec::with_capacity(tiling.len());
    let mut i = 0;
    while i < tiling.len() {
        let (o, t) = &tiling[i];
        let n = t.chars().count();
        if let Some((o2, t2)) = tiling.get(i + 1) {
            let n2 = t2.chars().count();
            if *o2 == o + n && leafy(t, n) && leafy(t2, n2) && n + n2 > 2 {
                out.push((*o, format!("{t}{t2}")));
                i += 2;
                continue;
            }
        }
        out.push((*o, t.clone()));
        i += 1;
    }
    out
}

/// The tantivy tokenizer over [`Analyzer`].
#[derive(Clone)]
pub(crate) struct ZhTokenizer {
    pub analyzer: Arc<Analyzer>,
}

pub(crate) struct ZhTokenStream {
    tokens: Vec<Piece>,
    index: usize,
    token: Token,
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokenStream {
        ZhTokenStream {
            tokens: self.analyzer.index_tokens(text),
            index: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for ZhTokenStream {
    fn advance(&mut self) -> bool {
        let Some(p) = self.tokens.get_mut(self.index) else {
            return false;
        };
        self.index += 1;
        self.token.text = std::mem::take(&mut p.text);
        self.token.position = p.pos;
        // Its length in positions, so that the next value of a multi-valued field starts
        // after it (tantivy adds a gap there) and no phrase straddles two values.
        self.token.position_length = p.len;
        self.token.offset_from = p.from;
        self.token.offset_to = p.to;
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(a: &Analyzer, s: &str) -> Vec<String> {
        a.analyze(s)
            .into_iter()
            .filter(|p| p.len >= 2)
            .map(|p| format!("{}@{}", p.text, p.pos))
            .collect()
    }

    #[test]
    fn words_sub_words_and_tilings() {
        let a = Analyzer::new(&[]);
        assert_eq!(
            terms(&a, "中华人民共和国"),
            [
                "中华人民共和国@0",
                "中华@0",
                "人民共和国@2",
                "人民@2",
                "共和国@4",
                "共和@4"
            ]
        );
        // Cut 重大|事故隐患 in context; the sub-word 事故 sits at offset 2…
        assert_eq!(
            terms(&a, "重大事故隐患"),
            ["重大@0", "事故隐患@2", "事故@2", "隐患@4"]
        );
        // …where the finer tiling of the query 重大事故 looks for it.
        let q = a.query_words("重大事故");
        assert_eq!(q.len(), 1);
        assert!(q[0]
            .tilings
            .contains(&vec![(0, "重大".to_string()), (2, "事故".to_string())]));
        // A 2-character word is never split, so it cannot match across words.
        let q = a.query_words("民政");
        assert_eq!(q[0].tilings, [vec![(0, "民政".to_string())]]);
        // Government terms are words.
        assert!(terms(&a, "优化营商环境").contains(&"营商环境@2".to_string()));
        // Separators split a query into words; case and width are normalised.
        let q = a.query_words("安全生产，ＡＢＣ 2023年");
        let words: Vec<&str> = q.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["安全生产", "abc", "2023年"]);
    }

    #[test]
    fn no_straddling_words() {
        let a = Analyzer::new(&[]);
        let t = terms(&a, "中华人民共和国县级以上地方人民政府");
        assert!(!t.iter().any(|x| x.starts_with("华人@")), "{t:?}");
        assert!(!t.iter().any(|x| x.starts_with("民政@")), "{t:?}");
        assert!(t.iter().any(|x| x.starts_with("人民@")), "{t:?}");
        assert!(t.iter().any(|x| x.starts_with("政府@")), "{t:?}");
    }

    #[test]
    fn shingles_join_adjacent_leaves_but_not_two_characters() {
        let a = Analyzer::new(&[]);
        let at = |s: &str| -> Vec<String> {
            a.index_tokens(s)
                .into_iter()
                .map(|p| format!("{}@{}", p.text, p.pos))
                .collect()
        };
        let t = at("重大事故隐患");
        assert!(t.contains(&"重大事故@0".to_string()), "{t:?}");
        assert!(t.contains(&"事故隐患@2".to_string()), "{t:?}");
        // 民@1 政@2 are two characters: no 民政 anywhere in 人民政府.
        assert!(!at("人民政府").iter().any(|x| x.starts_with("民政@")));
        assert_eq!(
            shingled(&vec![(0, "重大".into()), (2, "事故".into())]),
            [(0, "重大事故".to_string())]
        );
        assert_eq!(
            shingled(&vec![(0, "a".into()), (1, "b".into()), (2, "事故".into())]),
            [(0, "a".to_string()), (1, "b".into()), (2, "事故".into())]
        );
    }

    /// Where a query word's tiling is found among `analyze`'s tokens, its shingled tiling is
    /// found among `index_tokens`' at the same place: the index finds what the phrase found.
    #[test]
    fn a_shingled_tiling_matches_wherever_its_tiling_does() {
        let a = Analyzer::new(&[]);
        let texts = [
            "县级以上地方人民政府应当加强安全生产监督管理，防止重大事故隐患。",
            "中华人民共和国国务院关于优化营商环境推进政务服务一网通办的意见",
            "加快推进湘江科学城建设，支持长株潭都市圈生态环境保护和乡村振兴",
            "省发展改革委会同湘潭市人民政府研究办理第0239号提案的答复意见",
        ];
        let mut checked = 0;
        for text in texts {
            let leaves = a.analyze(text);
            let tokens = a.index_tokens(text);
            let chars: Vec<char> = text.chars().collect();
            for len in 2..=6 {
                for s in 0..chars.len().saturating_sub(len) {
                    let word: String = chars[s..s + len].iter().collect();
                    for w in a.query_words(&word) {
                        for tiling in &w.tilings {
                            let plain = starts(&leaves, tiling);
                            let found = starts(&tokens, &shingled(tiling));
                            checked += plain.len();
                            for p in plain {
                                assert!(found.contains(&p), "{word} {tiling:?} at {p}");
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} matches checked");
    }

    /// Positions where every term of `tiling` sits at its offset.
    fn starts(pieces: &[Piece], tiling: &Tiling) -> Vec<usize> {
        let at: HashSet<(usize, &str)> = pieces.iter().map(|p| (p.pos, p.text.as_str())).collect();
        (0..=pieces.last().map_or(0, |p| p.pos))
            .filter(|&b| {
                tiling
                    .iter()
                    .all(|(o, t)| at.contains(&(b + o, t.as_str())))
            })
            .collect()
    }

    #[test]
    fn positions_are_char_offsets_and_bytes_are_original() {
        let a = Analyzer::new(&[]);
        let text = "Ａ项目";
        for p in a.analyze(text) {
            assert_eq!(text[p.from..p.to].chars().count(), p.len);
        }
    }
}
