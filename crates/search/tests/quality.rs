//! Search quality over real Chinese government text.
//!
//! Reads the corpus from `$BANLI_CORPUS`, default
//! `data/corpus/cn-gov-text.jsonl.gz` in the repository (5 MB, committed).
//! Absent (a trimmed checkout): a notice and a pass, except under `CI=true`,
//! where it fails.
//!
//! The corpus is split into paragraphs of 50–600 characters, every k-th kept
//! (at most 60k: today all 50,739; ~5 s to index in a debug build), indexed, and the labelled queries of
//! `tests/queries.txt` are run. For each query the ground truth is the set
//! of paragraphs that contain every query word as a string (after masking
//! the labelled non-word contexts). Reported, overall and per group:
//! - recall@10: relevant hits in the top 10 ÷ min(10, relevant paragraphs);
//! - MRR: 1 / rank of the first relevant hit in the top 10 (0 if none);
//! - precision@10: relevant hits ÷ hits in the top 10;
//! - and over every match (not only the top 10): recall and precision.
//!
//! A second test checks similar items: about 5,000 of the paragraphs are
//! indexed and 20 perturbed ones must find their original first.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use banli_search::{Doc, Query, Scope, SearchIndex};

const MAX_PARAGRAPHS: usize = 60_000;

fn corpus_path() -> PathBuf {
    match std::env::var_os("BANLI_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus/cn-gov-text.jsonl.gz")
        }
    }
}

fn paragraphs(path: &PathBuf) -> Vec<String> {
    let file = std::fs::File::open(path).expect("open corpus");
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut all = Vec::new();
    for line in reader.lines() {
        let line = line.expect("read corpus");
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line).expect("corpus line is JSON");
        let text = v["text"].as_str().unwrap_or_default();
        for p in text.split('\n') {
            let p = p.trim();
            let n = p.chars().count();
            if (50..=600).contains(&n) {
                all.push(p.to_string());
            }
        }
    }
    let step = all.len().div_ceil(MAX_PARAGRAPHS).max(1);
    all.into_iter().step_by(step).collect()
}

struct Labelled {
    line: String,
    words: Vec<String>,
    masks: Vec<String>,
}

fn queries() -> Vec<Labelled> {
    let text = include_str!("queries.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (q, masks) = l.split_once(" | ").unwrap_or((l, ""));
            Labelled {
                line: q.to_string(),
                words: q.split_whitespace().map(String::from).collect(),
                masks: masks.split_whitespace().map(String::from).collect(),
            }
        })
        .collect()
}

fn relevant(paragraph: &str, q: &Labelled) -> bool {
    let mut text = paragraph.to_string();
    for m in &q.masks {
        text = text.replace(m.as_str(), "□");
    }
    q.words.iter().all(|w| text.contains(w.as_str()))
}

fn relevant_raw(paragraph: &str, q: &Labelled) -> bool {
    q.words.iter().all(|w| paragraph.contains(w.as_str()))
}

#[derive(Default, Clone, Copy)]
struct Sums {
    n: usize,
    recall10: f64,
    mrr: f64,
    n_prec: usize,
    prec10: f64,
    prec10_raw: f64,
    recall_all: f64,
    n_prec_all: usize,
    prec_all: f64,
}

impl Sums {
    fn line(&self, name: &str) -> String {
        let d = |x: f64, n: usize| if n == 0 { f64::NAN } else { x / n as f64 };
        format!(
            "{name:<12} queries {:>3}  recall@10 {:.3}  MRR {:.3}  precision@10 {:.3} (raw substring {:.3})  | all matches: recall {:.3} precision {:.3}",
            self.n,
            d(self.recall10, self.n),
            d(self.mrr, self.n),
            d(self.prec10, self.n_prec),
            d(self.prec10_raw, self.n_prec),
            d(self.recall_all, self.n),
            d(self.prec_all, self.n_prec_all),
        )
    }
    fn recall10(&self) -> f64 {
        self.recall10 / self.n as f64
    }
    fn mrr(&self) -> f64 {
        self.mrr / self.n as f64
    }
    fn prec10(&self) -> f64 {
        self.prec10 / self.n_prec as f64
    }
    fn recall_all(&self) -> f64 {
        self.recall_all / self.n as f64
    }
    fn prec_all(&self) -> f64 {
        self.prec_all / self.n_prec_all as f64
    }
}

/// The corpus, or None with a printed notice; in CI a missing corpus is a failure.
fn corpus_or_skip(what: &str) -> Option<PathBuf> {
    let path = corpus_path();
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {} (set BANLI_CORPUS)", path.display());
    }
    println!(
        "NOTICE: corpus not found at {}; {what} skipped (set BANLI_CORPUS)",
        path.display()
    );
    None
}

#[test]
fn search_quality_on_government_corpus() {
    let Some(path) = corpus_or_skip("search quality test") else {
        return;
    };
    let paras = paragraphs(&path);
    assert!(paras.len() > 1000, "too few paragraphs: {}", paras.len());

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("banli-search-quality-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = SearchIndex::open_or_create(&dir).expect("open index");
    let started = Instant::now();
    let docs: Vec<Doc> = paras
        .iter()
        .enumerate()
        .map(|(i, p)| Doc {
            key: format!("p:{i}"),
            kind: "reply".into(),
            item_id: i as i64,
            document_id: Some(i as i64),
            body: p.clone(),
            session_id: 1,
            public: true,
            org_id: 1,
            ..Doc::default()
        })
        .collect();
    for chunk in docs.chunks(2000) {
        index.upsert(chunk).expect("upsert");
    }
    index.commit(paras.len() as i64).expect("commit");
    let build = started.elapsed();
    let chars: usize = paras.iter().map(|p| p.chars().count()).sum();
    println!(
        "indexed {} paragraphs ({:.1} M chars) in {:.2} s",
        paras.len(),
        chars as f64 / 1e6,
        build.as_secs_f64()
    );
    assert_eq!(index.num_docs(), paras.len() as u64);
    let bytes: u64 = std::fs::read_dir(&dir)
        .expect("index dir")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!("index size on disk: {:.1} MB", bytes as f64 / 1e6);

    let qs = queries();
    assert!(qs.len() >= 50, "at least 50 labelled queries");
    let mut groups = [Sums::default(); 4]; // all, 1–2 chars, 3–8 chars, several words
    let names = ["overall", "1-2 chars", "3-8 chars", "multi-word"];
    let mut query_time = Duration::ZERO;
    println!(
        "{:<16} {:>6} {:>6} {:>5} {:>6} {:>5} {:>6} {:>6}",
        "query", "truth", "found", "r@10", "rr", "p@10", "rAll", "pAll"
    );
    for q in &qs {
        let truth: HashSet<String> = paras
            .iter()
            .enumerate()
            .filter(|(_, p)| relevant(p, q))
            .map(|(i, _)| format!("p:{i}"))
            .collect();
        let t = Instant::now();
        let page = index
            .search(&Query::new(&q.line, Scope::Public))
            .expect("search");
        query_time += t.elapsed();
        let all: HashSet<String> = index
            .matching_keys(&Query::new(&q.line, Scope::Public))
            .expect("keys")
            .into_iter()
            .collect();
        assert_eq!(all.len(), page.total, "{}: total", q.line);
        let top: Vec<&str> = page.hits.iter().map(|h| h.key.as_str()).collect();
        let is_rel = |k: &str| truth.contains(k);
        let rel_top = top.iter().filter(|k| is_rel(k)).count();
        let rel_top_raw = page
            .hits
            .iter()
            .filter(|h| {
                let i: usize = h.key[2..].parse().unwrap();
                relevant_raw(&paras[i], q)
            })
            .count();
        let rr = top
            .iter()
            .position(|k| is_rel(k))
            .map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
        let found = all.intersection(&truth).count();
        let group = if q.words.len() > 1 {
            3
        } else if q.words[0].chars().count() <= 2 {
            1
        } else {
            2
        };
        let r10 = if truth.is_empty() {
            f64::NAN
        } else {
            rel_top as f64 / truth.len().min(10) as f64
        };
        let p10 = if top.is_empty() {
            f64::NAN
        } else {
            rel_top as f64 / top.len() as f64
        };
        let r_all = if truth.is_empty() {
            f64::NAN
        } else {
            found as f64 / truth.len() as f64
        };
        let p_all = if all.is_empty() {
            f64::NAN
        } else {
            found as f64 / all.len() as f64
        };
        println!(
            "{:<16} {:>6} {:>6} {:>5.2} {:>6.2} {:>5.2} {:>6.3} {:>6.3}",
            q.line,
            truth.len(),
            all.len(),
            r10,
            rr,
            p10,
            r_all,
            p_all
        );
        // Show what the engine missed (and matched wrongly), for tuning.
        for (k, what) in truth
            .difference(&all)
            .map(|k| (k, "missed"))
            .chain(all.difference(&truth).map(|k| (k, "extra")))
            .take(3)
        {
            let i: usize = k[2..].parse().unwrap();
            let p: Vec<char> = paras[i].chars().collect();
            let w: Vec<char> = q.words[0].chars().collect();
            let at = (0..p.len()).find(|&j| p[j..].starts_with(&w)).unwrap_or(0);
            let ctx: String = p[at.saturating_sub(8)..(at + w.len() + 8).min(p.len())]
                .iter()
                .collect();
            println!("    {what} {k}: …{ctx}…");
        }
        for g in [0, group] {
            let s = &mut groups[g];
            if !truth.is_empty() {
                s.n += 1;
                s.recall10 += r10;
                s.mrr += rr;
                s.recall_all += r_all;
            }
            if !top.is_empty() {
                s.n_prec += 1;
                s.prec10 += p10;
                s.prec10_raw += rel_top_raw as f64 / top.len() as f64;
            }
            if !all.is_empty() {
                s.n_prec_all += 1;
                s.prec_all += p_all;
            }
        }
        // The precision traps: no hit in the top 10 may be a non-word match.
        if !q.masks.is_empty() {
            assert_eq!(
                rel_top,
                top.len(),
                "{}: a top-10 hit only has the string across a word boundary",
                q.line
            );
        }
    }
    for (s, name) in groups.iter().zip(names) {
        println!("{}", s.line(name));
    }
    println!(
        "{} queries in {:.1} ms ({:.2} ms a query, debug build, with snippets)",
        qs.len(),
        query_time.as_secs_f64() * 1e3,
        query_time.as_secs_f64() * 1e3 / qs.len() as f64
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Floors a little below the first honest measurement. Measured on the
    // whole corpus (50,739 paragraphs, 99 queries): recall@10, MRR and
    // precision@10 1.000 overall and in every group; over all matches recall
    // 0.997 (1-2 chars 0.992: the misses are mostly boundary-straddling
    // strings such as 各项|目标 for 项目, 我国|有 for 国有) and precision 1.000.
    // Without the finer tiling (T2) 3-8-char recall over all matches was
    // 0.973 (重大事故 0.676) and multi-word recall@10 0.965.
    let [all, short, mid, multi] = groups;
    let floors = [
        (all.recall10(), 0.97, "overall recall@10"),
        (all.mrr(), 0.97, "overall MRR"),
        (all.prec10(), 0.98, "overall precision@10"),
        (short.recall10(), 0.97, "1-2 chars recall@10"),
        (short.prec10(), 0.98, "1-2 chars precision@10"),
        (mid.recall10(), 0.97, "3-8 chars recall@10"),
        (multi.recall10(), 0.97, "multi-word recall@10"),
        (multi.prec10(), 0.98, "multi-word precision@10"),
        (all.recall_all(), 0.97, "overall recall over all matches"),
        (
            short.recall_all(),
            0.96,
            "1-2 chars recall over all matches",
        ),
        (mid.recall_all(), 0.98, "3-8 chars recall over all matches"),
        (all.prec_all(), 0.99, "overall precision over all matches"),
    ];
    for (value, floor, name) in floors {
        assert!(
            value >= floor,
            "{name} {value:.3} is below its floor {floor}"
        );
    }
}

/// The sentences of a paragraph (ending in 。；！？), without empty ones.
fn sentences(p: &str) -> Vec<String> {
    p.split_inclusive(['。', '；', '！', '？'])
        .map(str::trim)
        .filter(|s| s.chars().count() >= 2)
        .map(String::from)
        .collect()
}

/// Similar items over real text: about 5,000 paragraphs are indexed, 20 of
/// them (of at least 3 sentences) are perturbed — one sentence dropped, the
/// rest rotated — and each perturbed text must find its original first.
#[test]
fn similar_finds_the_original_of_a_perturbed_paragraph() {
    let Some(path) = corpus_or_skip("similar-items test") else {
        return;
    };
    let all = paragraphs(&path);
    let step = all.len().div_ceil(5_000).max(1);
    let paras: Vec<String> = all.into_iter().step_by(step).collect();
    let index = SearchIndex::in_ram().expect("index");
    let docs: Vec<Doc> = paras
        .iter()
        .enumerate()
        .map(|(i, p)| Doc {
            key: format!("p:{i}"),
            kind: "item".into(),
            item_id: i as i64,
            body: p.clone(),
            session_id: 1,
            public: true,
            org_id: 1,
            ..Doc::default()
        })
        .collect();
    index.upsert(&docs).expect("upsert");
    index.commit(1).expect("commit");

    let candidates: Vec<usize> = (0..paras.len())
        .filter(|&i| sentences(&paras[i]).len() >= 3 && paras[i].chars().count() >= 100)
        .collect();
    assert!(candidates.len() >= 20, "{} candidates", candidates.len());
    let picked: Vec<usize> = (0..20)
        .map(|k| candidates[k * candidates.len() / 20])
        .collect();
    let mut first = 0;
    let mut own_scores = Vec::new();
    let mut other_best = Vec::new();
    let started = Instant::now();
    for &i in &picked {
        let mut s = sentences(&paras[i]);
        s.remove(1);
        s.rotate_left(1);
        let draft = s.concat();
        let hits = index
            .similar(&draft, &Scope::Public, Some("item"), &[], 5)
            .expect("similar");
        let own = format!("p:{i}");
        // A paragraph that occurs twice in the corpus (laws repeat
        // themselves) is found if either copy comes first.
        let is_own = |k: &str| k == own || paras[k[2..].parse::<usize>().unwrap()] == paras[i];
        let rank = hits.iter().position(|h| is_own(&h.key));
        if rank == Some(0) {
            first += 1;
        }
        if let Some(r) = rank {
            own_scores.push(hits[r].score);
        }
        let other = hits
            .iter()
            .find(|h| !is_own(&h.key))
            .map_or(0.0, |h| h.score);
        other_best.push(other);
        println!(
            "{own:<8} rank {:<4} own {:.3} best other {:.3}  {}",
            rank.map_or("-".to_string(), |r| (r + 1).to_string()),
            rank.map_or(0.0, |r| hits[r].score),
            other,
            draft.chars().take(40).collect::<String>()
        );
    }
    let elapsed = started.elapsed();
    let rate = first as f64 / picked.len() as f64;
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
    let min_own = own_scores.iter().copied().fold(1.0f32, f32::min);
    let max_other = other_best.iter().copied().fold(0.0f32, f32::max);
    println!(
        "similar: {} paragraphs indexed; original first for {first}/{} perturbed paragraphs ({rate:.2}); \
         its score mean {:.3} min {min_own:.3}; best other hit mean {:.3} max {max_other:.3}; \
         {:.1} ms a query (debug build)",
        paras.len(),
        picked.len(),
        mean(&own_scores),
        mean(&other_best),
        elapsed.as_secs_f64() * 1e3 / picked.len() as f64
    );
    // Generic words find nothing here either.
    assert!(index
        .similar("加强 推进 工作 的 建议", &Scope::Public, None, &[], 10)
        .expect("similar")
        .is_empty());
    // Floors a little below the measurement (see the crate's notes).
    assert!(rate >= 0.95, "original first for only {rate:.2}");
    assert!(min_own >= 0.7, "lowest score of an original {min_own:.3}");
}
