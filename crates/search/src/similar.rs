//! Similar items: a ranked OR over the salient words of a text, re-scored by
//! the cosine similarity of weighted word vectors.
//!
//! 1. **Words.** The text is analysed as indexed text is (its title and
//!    its body each up to [`MAX_SIMILAR_CHARS`] characters); its words of two
//!    or more characters are counted: jieba's words and their sub-words
//!    (水污染 gives 水污染 and 污染), no single characters, no numbers
//!    (2023年, 0239号), no [`STOP_WORDS`] and none of their sub-words.
//! 2. **Weights.** `w(t) = (1 + ln tf) · idf(t)` with the index's own
//!    document frequencies: `idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))`,
//!    `N` the documents in the index, `df` the documents holding `t` in their
//!    searched text (titles, body, commitments, unit). So on a large index the words every
//!    document uses weigh next to nothing; the stop words weigh nothing even
//!    on a small one.
//! 3. **Candidates.** The [`MAX_TERMS`] heaviest words that occur in the index
//!    become SHOULD clauses (a term of the searched text each, BM25,
//!    boosted by `1 + ln tf`), of which at least 2 must match (1 when the
//!    text has only one or two) — one shared word is not enough; AND the
//!    caller's visibility AND the kinds, AND NOT the excluded keys. The best
//!    30–150 by BM25 (3 × the limit) are re-scored.
//! 4. **Score.** Each candidate's own text is weighed the same way — its
//!    title and item title as the title, its body; a draft's first line is
//!    its title when more follows — title words weigh double
//!    ([`TITLE_FACTOR`]). The score is the cosine of the two vectors,
//!    `Σ q·d / (|q| |d|)`, in 0..=1: 1 = the same words in the same
//!    proportions (a copy, or the same sentences reordered). Hits are ranked
//!    by it, those below [`MIN_SIMILAR_SCORE`] dropped, and a document
//!    indexed twice (its staff and its public copy) appears once.
//!
//! Measured (tests/similar.rs, 16 proposals and 18 replies): a proposal
//! with a sentence dropped and the rest reordered scores ≥ 0.92; other
//! proposals on the same subject 0.08–0.5; proposals on other subjects ≤
//! 0.08. Over 4,613 real paragraphs (tests/quality.rs) a perturbed
//! paragraph finds its original first 20 times out of 20, scoring 0.79–0.99
//! (mean 0.93); the best other paragraph scores 0.36 on average (laws repeat
//! their penalty clauses).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::analyzer::{is_han, Analyzer};
use crate::{Hit, Query, Result, Scope, SearchIndex, MAX_PER_PAGE};

/// Characters of a text (and of each candidate) that are compared.
pub const MAX_SIMILAR_CHARS: usize = 5_000;
/// Words of the text in the candidate query.
const MAX_TERMS: usize = 32;
/// A first line up to this long is a draft's title.
const MAX_TITLE_CHARS: usize = 100;
/// A title word weighs this many times a body word.
const TITLE_FACTOR: f32 = 2.0;
/// At least this many of the candidate query's words must match.
const MIN_MATCH: usize = 2;
/// Candidates re-scored: 3 × the limit, within these bounds.
const MIN_POOL: usize = 30;
const MAX_POOL: usize = 150;
/// Hits scoring less are not returned.
pub const MIN_SIMILAR_SCORE: f32 = 0.05;
/// Documents with a unit looked at by [`SearchIndex::suggest_units`].
const UNIT_DOCS: usize = 30;
/// A co unit's co-opinion counts this much of a lead (or separate) reply.
const CO_OPINION_WEIGHT: f32 = 0.5;
/// Words highlighted in a snippet.
const SNIPPET_WORDS: usize = 8;

/// Words that say nothing about the subject of a proposal or a reply: its
/// genre (建议, 提案, 答复…), the administration's everyday verbs and nouns
/// (加强, 推进, 工作, 问题, 部门…) and function words. They weigh 0 whatever
/// the index's statistics say (on a small index they are not yet frequent
/// enough to weigh little). Only words of ≥ 2 characters: single
/// characters are never compared.
#[rustfmt::skip]
pub const STOP_WORDS: &[&str] = &[
    // The genre and its formulas.
    "关于", "建议", "提案", "议案", "意见", "答复", "办理", "委员", "代表", "政协", "人大",
    "会议", "收悉", "现将", "如下", "感谢", "关心", "关注", "提出", "您好", "来信", "同志",
    "现状", "对策", "思考", "若干", "报告",
    // Who: governments and departments in general.
    "省委", "省政府", "市委", "市政府", "县委", "县政府", "我省", "我市", "我县", "我区",
    "全省", "全市", "全县", "全区", "各地", "各级", "各类", "有关", "相关", "部门", "单位",
    "政府", "人民政府", "国家", "我国", "全国", "地方", "有关部门", "相关部门", "职能部门",
    "主管部门", "群众", "人民", "人民群众",
    // The administration's verbs and nouns.
    "加强", "推进", "推动", "促进", "加快", "加大", "强化", "深化", "优化", "完善", "健全",
    "建立", "建设", "发展", "管理", "服务", "保障", "支持", "落实", "实施", "开展", "做好",
    "抓好", "确保", "提高", "提升", "改进", "改善", "规范", "坚持", "围绕", "结合", "充分",
    "发挥", "作用", "重视", "重要", "重点", "主要", "领导", "组织", "负责", "工作", "问题",
    "情况", "方面", "措施", "机制", "体系", "制度", "政策", "力度", "水平", "能力", "实现",
    "形成", "具有", "造成", "导致", "影响", "提供", "给予", "予以", "取得", "成效", "成绩",
    "工作机制", "体制机制", "长效机制", "有关规定", "相关规定",
    // Adverbs, connectives, pronouns.
    "进一步", "下一步", "一步", "切实", "积极", "不断", "全面", "深入", "大力", "着力", "努力", "持续", "有效",
    "逐步", "尽快", "及时", "目前", "当前", "现在", "近年来", "近年", "今年", "去年", "已经",
    "正在", "需要", "应当", "应该", "可以", "能够", "必须", "存在", "没有", "不够", "不足",
    "较大", "比较", "较为", "一定", "一些", "这些", "那些", "其中", "通过", "进行", "对于",
    "由于", "根据", "按照", "为了", "同时", "以及", "并且", "而且", "但是", "因此", "所以",
    "因为", "如果", "虽然", "还是", "或者", "我们", "他们", "你们", "自己", "一是", "二是",
    "三是", "四是", "五是", "六是", "一方面", "另一方面", "其次", "首先", "最后", "此外",
    "另外", "特别", "尤其", "非常", "十分", "更加", "进而", "从而", "显著", "明显", "突出",
];

fn stop_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
}

/// A word worth comparing: not a stop word, not a number (a digit without a
/// letter: 2023, 2023年, 0239号; 5g stays).
fn salient(term: &str) -> bool {
    if stop_words().contains(term) {
        return false;
    }
    let digit = term.chars().any(char::is_numeric);
    let letter = term.chars().any(|c| c.is_alphabetic() && !is_han(c));
    !digit || letter
}

/// The compared words of `text` added to `counts`. The sub-words of a stop
/// word are left out too (一步 of 进一步).
fn count_words(analyzer: &Analyzer, text: &str, counts: &mut HashMap<String, u32>) {
    // Pieces come sorted by position, longer first.
    let mut stop_until = 0;
    for p in analyzer.analyze(text) {
        if p.len < 2 || p.pos + p.len <= stop_until {
            continue;
        }
        if stop_words().contains(p.text.as_str()) {
            stop_until = p.pos + p.len;
        } else if salient(&p.text) {
            *counts.entry(p.text).or_insert(0) += 1;
        }
    }
}

/// The compared words of a title and a body (each cut to
/// [`MAX_SIMILAR_CHARS`]): their counts, and which occur in the title.
struct Words {
    counts: HashMap<String, u32>,
    title: HashSet<String>,
}

impl Words {
    fn new(analyzer: &Analyzer, title: &str, body: &str) -> Words {
        let cut = |s: &str| -> String { s.chars().take(MAX_SIMILAR_CHARS).collect() };
        let mut counts = HashMap::new();
        count_words(analyzer, &cut(title), &mut counts);
        let title = counts.keys().cloned().collect();
        count_words(analyzer, &cut(body), &mut counts);
        Words { counts, title }
    }
}

/// A draft's title and body: its first line is the title when more follows
/// and it is at most [`MAX_TITLE_CHARS`] long.
fn split_title(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.split_once('\n') {
        Some((first, rest))
            if first.chars().count() <= MAX_TITLE_CHARS && !rest.trim().is_empty() =>
        {
            (first, rest)
        }
        _ => ("", text),
    }
}

fn tf_weight(tf: u32) -> f32 {
    1.0 + (tf.max(1) as f32).ln()
}

/// A weighted word vector.
struct Vector {
    weights: HashMap<String, f32>,
    norm: f32,
}

impl Vector {
    fn cosine(&self, other: &Vector) -> f32 {
        if self.norm <= 0.0 || other.norm <= 0.0 {
            return 0.0;
        }
        let (small, large) = if self.weights.len() <= other.weights.len() {
            (self, other)
        } else {
            (other, self)
        };
        let dot: f32 = small
            .weights
            .iter()
            .filter_map(|(t, a)| large.weights.get(t).map(|b| a * b))
            .sum();
        (dot / (self.norm * other.norm)).clamp(0.0, 1.0)
    }
}

/// Inverse document frequencies from the index, cached for one request.
struct Idf<'a> {
    searcher: &'a Searcher,
    field: Field,
    n: f32,
    cache: HashMap<String, (f32, u64)>,
}

impl<'a> Idf<'a> {
    fn new(searcher: &'a Searcher, field: Field) -> Self {
        Idf {
            searcher,
            field,
            n: searcher.num_docs() as f32,
            cache: HashMap::new(),
        }
    }

    /// (idf, df) of a word.
    fn get(&mut self, term: &str) -> Result<(f32, u64)> {
        if let Some(&v) = self.cache.get(term) {
            return Ok(v);
        }
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(self.field, term))?;
        let d = df as f32;
        let idf = (1.0 + (self.n - d + 0.5).max(0.0) / (d + 0.5)).ln();
        self.cache.insert(term.to_string(), (idf, df));
        Ok((idf, df))
    }

    /// `(1 + ln tf) · idf`, doubled for a title word.
    fn vector(&mut self, words: &Words) -> Result<Vector> {
        let mut weights = HashMap::with_capacity(words.counts.len());
        let mut norm = 0.0f32;
        for (t, &tf) in &words.counts {
            let title = if words.title.contains(t) {
                TITLE_FACTOR
            } else {
                1.0
            };
            let w = tf_weight(tf) * self.get(t)?.0 * title;
            if w > 0.0 {
                norm += w * w;
                weights.insert(t.clone(), w);
            }
        }
        Ok(Vector {
            weights,
            norm: norm.sqrt(),
        })
    }
}

/// The title (title and item title) and the body of a stored document.
fn doc_words(analyzer: &Analyzer, doc: &TantivyDocument, f: &crate::Fields) -> Words {
    let get = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    let (title, item_title) = (get(f.title), get(f.item_title));
    let title = if title == item_title {
        title.to_string()
    } else {
        format!("{title}\n{item_title}")
    };
    Words::new(analyzer, &title, get(f.body))
}

impl SearchIndex {
    /// The visible documents most similar to `text`, best first, at most
    /// `limit` (≤ [`MAX_PER_PAGE`]): for a draft, the items of this and
    /// past sessions on the same subject; for an item, its likely
    /// duplicates. `kind` keeps one kind (`item`, `reply`, `co_opinion`);
    /// `exclude_keys` leaves documents out (the item itself). The score is
    /// the cosine similarity in 0..=1 (see the `similar` module: 1 = the
    /// same words in the same proportions); hits below
    /// [`MIN_SIMILAR_SCORE`] are not returned. A text of stop words only
    /// (加强 推进 工作 的 建议) finds nothing. Snippets highlight the text's
    /// most salient words.
    ///
    /// Pass a draft or an item as its title, a newline and its body: a
    /// first line of at most 100 characters followed by more is read as the
    /// title, whose words weigh double (as do the titles of the documents).
    pub fn similar(
        &self,
        text: &str,
        scope: &Scope,
        kind: Option<&str>,
        exclude_keys: &[String],
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let kinds: Vec<&str> = kind.into_iter().collect();
        self.similar_docs(
            text,
            scope,
            &kinds,
            exclude_keys,
            limit.min(MAX_PER_PAGE),
            true,
        )
    }

    /// The units that handled the past items most similar to `text`, best
    /// first, at most `limit`: `(unit_id, unit_name, score)`.
    ///
    /// The 30 visible replies and co-opinions most similar to
    /// `text` (with score ≥ [`MIN_SIMILAR_SCORE`]) stand for their items; an
    /// item's similarity `s_i` is that of its best document. A unit's score
    /// is the similarity-weighted share of these items it handled:
    /// `Σ_{i handled by u} r · s_i / Σ_i s_i`, with `r` = 1 for a reply and
    /// 0.5 for a co-opinion only — in 0..=1, 1 = it answered every one of
    /// them.
    pub fn suggest_units(
        &self,
        text: &str,
        scope: &Scope,
        limit: usize,
    ) -> Result<Vec<(i64, String, f32)>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let hits =
            self.similar_docs(text, scope, &["reply", "co_opinion"], &[], UNIT_DOCS, false)?;
        let mut item_score: HashMap<i64, f32> = HashMap::new();
        // unit → (name, item → role weight)
        let mut units: HashMap<i64, (String, HashMap<i64, f32>)> = HashMap::new();
        for h in &hits {
            let Some(unit) = h.unit_id else { continue };
            let s = item_score.entry(h.item_id).or_insert(0.0);
            *s = s.max(h.score);
            let r = if h.kind == "co_opinion" {
                CO_OPINION_WEIGHT
            } else {
                1.0
            };
            let (name, items) = units
                .entry(unit)
                .or_insert_with(|| (h.unit_name.clone(), HashMap::new()));
            if name.is_empty() {
                name.clone_from(&h.unit_name);
            }
            let w = items.entry(h.item_id).or_insert(0.0);
            *w = w.max(r);
        }
        let total: f32 = item_score.values().sum();
        if total <= 0.0 {
            return Ok(Vec::new());
        }
        let mut out: Vec<(i64, String, f32)> = units
            .into_iter()
            .map(|(unit, (name, items))| {
                let s: f32 = items.iter().map(|(i, r)| r * item_score[i]).sum();
                (unit, name, (s / total).min(1.0))
            })
            .collect();
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        Ok(out)
    }

    fn similar_docs(
        &self,
        text: &str,
        scope: &Scope,
        kinds: &[&str],
        exclude_keys: &[String],
        limit: usize,
        snippets: bool,
    ) -> Result<Vec<Hit>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut idf = Idf::new(&searcher, f.text);
        let (title, body) = split_title(text);
        let words = Words::new(&self.analyzer, title, body);
        let query = idf.vector(&words)?;
        // The heaviest words that occur in the index.
        let mut salient: Vec<(&str, u32, f32)> = Vec::new();
        for (t, &w) in &query.weights {
            if idf.get(t)?.1 > 0 {
                salient.push((t, words.counts[t], w));
            }
        }
        if salient.is_empty() {
            return Ok(Vec::new());
        }
        salient.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(b.0)));
        salient.truncate(MAX_TERMS);

        let term =
            |t: Term| -> Box<dyn TQuery> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        let clauses: Vec<(Occur, Box<dyn TQuery>)> = salient
            .iter()
            .map(|&(t, tf, _)| {
                let q: Box<dyn TQuery> = Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.text, t),
                        IndexRecordOption::WithFreqs,
                    )),
                    tf_weight(tf),
                ));
                (Occur::Should, q)
            })
            .collect();
        // One shared word is not enough (unless the text has no more).
        let min_match = if clauses.len() <= MIN_MATCH {
            1
        } else {
            MIN_MATCH
        };
        let mut all: Vec<(Occur, Box<dyn TQuery>)> = vec![(
            Occur::Must,
            Box::new(BooleanQuery::with_minimum_required_clauses(
                clauses, min_match,
            )),
        )];
        for filter in self.filters(&Query::new("", scope.clone())) {
            all.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        if !kinds.is_empty() {
            let any: Vec<(Occur, Box<dyn TQuery>)> = kinds
                .iter()
                .map(|k| {
                    let t = Term::from_field_text(f.filter, &format!("kind:{k}"));
                    (Occur::Should, term(t))
                })
                .collect();
            all.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0)),
            ));
        }
        for k in exclude_keys {
            all.push((Occur::MustNot, term(Term::from_field_text(f.key, k))));
        }
        let pool = (limit * 3).clamp(MIN_POOL, MAX_POOL);
        let top = searcher.search(
            &BooleanQuery::new(all),
            &TopDocs::with_limit(pool).order_by_score(),
        )?;

        let marked = if snippets {
            let w: Vec<&str> = salient.iter().take(SNIPPET_WORDS).map(|s| s.0).collect();
            self.analyzer.query_words(&w.join(" "))
        } else {
            Vec::new()
        };
        let mut scored: Vec<(f32, TantivyDocument)> = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let score = query.cosine(&idf.vector(&doc_words(&self.analyzer, &doc, &f))?);
            if score >= MIN_SIMILAR_SCORE {
                scored.push((score, doc));
            }
        }
        // Best first; the candidates' BM25 order breaks ties.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut hits = Vec::with_capacity(limit);
        for (score, doc) in scored {
            let hit = self.hit(&doc, score, &marked);
            // The staff and the public copy of one document count once.
            let id = match hit.document_id {
                Some(d) => (hit.kind.clone(), d.to_string()),
                None => (String::new(), hit.key.clone()),
            };
            if seen.insert(id) {
                hits.push(hit);
                if hits.len() == limit {
                    break;
                }
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut counts = HashMap::new();
        count_words(&Analyzer::new(&[]), text, &mut counts);
        let mut w: Vec<String> = counts.into_keys().collect();
        w.sort();
        w
    }

    #[test]
    fn stop_words_numbers_and_single_characters_are_not_compared() {
        assert_eq!(
            words("关于进一步加强湘江水污染治理的建议"),
            ["水污染", "污染", "治理", "湘江"]
        );
        assert!(words("2023年第0239号提案 加强 推进 工作 的 建议").is_empty());
        assert!(salient("5g"));
        assert!(!salient("2023年"));
    }

    #[test]
    fn the_first_line_is_the_title() {
        assert_eq!(split_title("标题\n正文。"), ("标题", "正文。"));
        assert_eq!(split_title("只有一行"), ("", "只有一行"));
        assert_eq!(split_title("标题\n  "), ("", "标题\n  "));
        let long = "长".repeat(MAX_TITLE_CHARS + 1) + "\n正文";
        assert_eq!(split_title(&long).0, "");
    }
}
