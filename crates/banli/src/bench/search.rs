//! `banli bench search`: full-text search over synthetic items and replies made from the
//! government-text corpus, measured the same way on three engines in one run:
//!
//! - **banli-search**: Banli's own index (tantivy + the jieba-based analyzer), through the same
//!   `upsert`/`commit`/`search` calls the server makes: top 10 by BM25, the total count and the
//!   highlighted snippets of each hit.
//! - **SQLite FTS5, trigram tokenizer** (SQLite as bundled with sqlx): one FTS5 table holding
//!   title, item title and body; `MATCH '"w1" "w2"' ORDER BY rank LIMIT 10`, returning title and
//!   body. The trigram tokenizer cannot look up a word shorter than 3 characters.
//! - **PostgreSQL pg_trgm** (with `--pg-url`; Debian's postgresql-contrib, no other extension):
//!   `to_tsvector` cannot cut Chinese into words, so the only Chinese-capable full-text
//!   facility is a trigram GIN index answering `txt LIKE '%w1%' AND txt LIKE '%w2%' LIMIT 10`,
//!   unranked. In a fresh database, dropped after.
//!
//! Items are deterministic (an LCG seeded by the item's number): a title 关于…的提案 made of a
//! verb, a topic taken from the corpus's document titles and a suffix; a body of 3–6 corpus
//! paragraphs; and a reply quoting the title with 2–4 more paragraphs. N items → 2N documents.
//! Every engine gets the same documents and the same queries.

use super::{
    drop_pg, fresh_pg, machine, pct_ms, proc_status_bytes, progress, reset_peak_rss, thousands,
};
use anyhow::{bail, Context};
use banli_store::sqlx;
use clap::Args;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args, Clone, Debug)]
pub struct SearchArgs {
    /// Synthetic items (each gives two documents: the item and its reply).
    #[arg(long, default_value_t = 100_000)]
    pub items: usize,
    /// Also measure PostgreSQL (pg_trgm): a fresh database is created from this URL and dropped after.
    #[arg(long, env = "BANLI_BENCH_PG_URL")]
    pub pg_url: Option<String>,
    /// Timed queries per engine: the query set is run in whole rounds (after one untimed warm-up round) until at least this many have run.
    #[arg(long, default_value_t = 600)]
    pub queries: usize,
    /// The corpus (gzip JSON lines with `title` and `text`); default: data/corpus/cn-gov-text.jsonl.gz in the repository.
    #[arg(long, env = "BANLI_CORPUS")]
    pub corpus: Option<PathBuf>,
    /// Engines to measure, comma-separated: banli, fts5, pg (pg only with --pg-url).
    #[arg(long, value_delimiter = ',', default_value = "banli,fts5,pg")]
    pub engines: Vec<String>,
    /// Where to build the indexes (default: a temporary directory, removed after).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// With --dir: query the banli index a previous run left there (same --items) instead
    /// of building it again.
    #[arg(long, requires = "dir")]
    pub reuse: bool,
    /// Also take each banli query apart (analysis, top 10, count, both, stored documents,
    /// snippets) and print where the time goes.
    #[arg(long)]
    pub profile: bool,
}

/// The query set: 60 queries in four groups, drawn from crates/search/tests/queries.txt.
const QUERIES: [(&str, &[&str]); 4] = [
    ("1 char", &["水", "税", "林", "矿", "港", "粮", "药", "桥"]),
    (
        "2 chars",
        &[
            "民政", "华人", "人大", "项目", "生态", "教育", "养老", "医保", "海关", "审计", "农村",
            "就业", "住房", "信访", "国有", "市场",
        ],
    ),
    (
        "3–4 chars",
        &[
            "营商环境",
            "科技创新",
            "重大事故",
            "安全生产",
            "人民政府",
            "行政许可",
            "知识产权",
            "食品安全",
            "社会保险",
            "国务院",
            "义务教育",
            "公共卫生",
            "乡村振兴",
            "污染防治",
            "洞庭湖",
            "事故隐患",
            "残疾人",
            "突发事件",
            "数字经济",
            "农民工",
        ],
    ),
    (
        "multi-word",
        &[
            "生态 环境",
            "安全生产 责任",
            "重大事故 隐患",
            "项目 审批",
            "教育 经费",
            "农村 土地 承包",
            "食品 安全 监督",
            "知识产权 保护",
            "水 污染",
            "养老 保险",
            "税 减免",
            "交通 事故 责任",
            "森林 防火",
            "住房 公积金",
            "突发事件 应急 预案",
            "市场 监管",
        ],
    ),
];

const VERBS: [&str; 12] = [
    "加强",
    "完善",
    "推进",
    "进一步优化",
    "加快",
    "健全",
    "规范",
    "深化",
    "支持",
    "强化",
    "切实做好",
    "统筹推进",
];
const SUFFIXES: [&str; 10] = [
    "工作",
    "机制建设",
    "体系建设",
    "监督管理",
    "制度落实",
    "保障措施",
    "配套政策",
    "基层治理",
    "执法检查",
    "宣传教育",
];

pub async fn run(a: &SearchArgs) -> anyhow::Result<()> {
    if a.items == 0 {
        bail!("--items 须大于0");
    }
    for e in &a.engines {
        if !["banli", "fts5", "pg"].contains(&e.as_str()) {
            bail!("未知引擎“{e}”：可选 banli、fts5、pg");
        }
    }
    let path = corpus_path(a.corpus.as_deref())?;
    let corpus = Corpus::load(&path)?;
    let queries = query_set();
    let docs = 2 * a.items as u64;
    let chars: u64 = (0..a.items as u64)
        .map(|i| {
            corpus
                .item(i)
                .iter()
                .map(|d| d.text().chars().count() as u64)
                .sum::<u64>()
        })
        .sum();
    let present = queries
        .iter()
        .filter(|q| {
            corpus
                .paras
                .iter()
                .any(|p| q.words.iter().all(|w| p.contains(w.as_str())))
        })
        .count();

    let scratch = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            Scratch::Kept(d.clone())
        }
        None => Scratch::Temp(tempfile::tempdir().context("无法创建临时目录")?),
    };
    let rounds = a.queries.div_ceil(queries.len()).max(1);
    println!("# banli bench search — {}", machine());
    println!(
        "{} items → {} documents, {:.1} M characters (from {} corpus paragraphs, {} title topics); {} queries × {} timed rounds after 1 warm-up round; {}/{} queries have all their words in at least one corpus paragraph\n",
        thousands(a.items as u64),
        thousands(docs),
        chars as f64 / 1e6,
        thousands(corpus.paras.len() as u64),
        corpus.topics.len(),
        queries.len(),
        rounds,
        present,
        queries.len()
    );

    let mut results = Vec::new();
    let wants = |e: &str| a.engines.iter().any(|x| x == e);
    if wants("banli") {
        results
            .push(bench_banli(&corpus, a, &queries, rounds, &scratch.path().join("banli")).await?);
        report_early(&results[results.len() - 1]);
    }
    if wants("fts5") {
        results.push(
            bench_fts5(
                &corpus,
                a.items,
                &queries,
                rounds,
                &scratch.path().join("fts5.sqlite3"),
            )
            .await?,
        );
        report_early(&results[results.len() - 1]);
    }
    if wants("pg") {
        match &a.pg_url {
            Some(pg) => {
                let (url, name) = fresh_pg(pg).await?;
                let r = bench_pg(&corpus, a.items, &queries, rounds, &url).await;
                drop_pg(pg, &name).await;
                results.push(r?);
                report_early(&results[results.len() - 1]);
            }
            None => println!(
                "(PostgreSQL skipped: pass --pg-url postgres://… to measure pg_trgm too)\n"
            ),
        }
    }
    print_tables(&results, a.items, docs);
    Ok(())
}

/// One line on standard error as soon as an engine is done, so a run stopped half-way keeps
/// what it measured (the tables are printed at the end).
fn report_early(r: &EngineResult) {
    let p50: Vec<String> = r
        .groups
        .iter()
        .enumerate()
        .map(|(g, gr)| format!("{} {}", QUERIES[g].0, ms(pct_ms(&gr.lat, 0.5))))
        .collect();
    eprintln!(
        "{}: built in {:.1} s, {:.0} MB on disk, peak RSS {:.0} MB; p50 {}",
        r.name,
        r.build.as_secs_f64(),
        r.size as f64 / 1e6,
        r.peak_rss.unwrap_or(0) as f64 / 1e6,
        p50.join(", ")
    );
}

enum Scratch {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl Scratch {
    fn path(&self) -> &Path {
        match self {
            Scratch::Temp(t) => t.path(),
            Scratch::Kept(p) => p,
        }
    }
}

fn corpus_path(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    let candidates = [
        PathBuf::from("data/corpus/cn-gov-text.jsonl.gz"),
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/corpus/cn-gov-text.jsonl.gz"
        )),
    ];
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .context("找不到语料 cn-gov-text.jsonl.gz：请用 --corpus PATH 或 BANLI_CORPUS 指定")
}

// ---- the synthetic documents ----

struct Corpus {
    /// Paragraphs of 50–600 characters.
    paras: Vec<String>,
    /// Topics for titles, from the corpus's document titles.
    topics: Vec<String>,
}

/// One generated document.
struct GenDoc {
    kind: &'static str,
    title: String,
    item_title: String,
    body: String,
}

impl GenDoc {
    /// Everything an engine searches.
    fn text(&self) -> String {
        format!("{}\n{}\n{}", self.title, self.item_title, self.body)
    }
}

/// A 64-bit LCG (Knuth's MMIX constants), seeded per item through splitmix64.
struct Lcg(u64);

impl Lcg {
    fn seeded(n: u64) -> Lcg {
        let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Lcg(z ^ (z >> 31))
    }
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u64 * n as u64) >> 32) as usize
    }
}

impl Corpus {
    fn load(path: &Path) -> anyhow::Result<Corpus> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("无法打开语料 {}", path.display()))?;
        let reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
        let mut paras = Vec::new();
        let mut topics = BTreeSet::new();
        for line in reader.lines() {
            let line = line.with_context(|| format!("无法读取语料 {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(&line).context("语料的一行不是 JSON")?;
            if let Some(t) = v["title"].as_str().and_then(topic) {
                topics.insert(t);
            }
            for p in v["text"].as_str().unwrap_or_default().split('\n') {
                let p = p.trim();
                if (50..=600).contains(&p.chars().count()) {
                    paras.push(p.to_string());
                }
            }
        }
        if paras.len() < 100 || topics.len() < 10 {
            bail!("语料太小：{} 段，{} 个标题主题", paras.len(), topics.len());
        }
        Ok(Corpus {
            paras,
            topics: topics.into_iter().collect(),
        })
    }

    /// Item `i`: its item document and its reply.
    fn item(&self, i: u64) -> [GenDoc; 2] {
        let mut r = Lcg::seeded(i);
        let title = format!(
            "关于{}{}{}的提案",
            VERBS[r.below(VERBS.len())],
            self.topics[r.below(self.topics.len())],
            SUFFIXES[r.below(SUFFIXES.len())]
        );
        let n = 3 + r.below(4);
        let body = (0..n)
            .map(|_| self.paras[r.below(self.paras.len())].as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let m = 2 + r.below(3);
        let mut reply = format!("您提出的《{title}》收悉。经认真研究，现答复如下：");
        for _ in 0..m {
            reply.push('\n');
            reply.push_str(&self.paras[r.below(self.paras.len())]);
        }
        reply.push_str("\n感谢您对我们工作的关心和支持。");
        [
            GenDoc {
                kind: "item",
                title: title.clone(),
                item_title: String::new(),
                body,
            },
            GenDoc {
                kind: "reply",
                title: format!("对十三届三次会议第{}号提案的答复", i + 1),
                item_title: title,
                body: reply,
            },
        ]
    }

    /// Document `id` (2i: item i; 2i + 1: its reply).
    fn doc(&self, id: u64) -> GenDoc {
        let [item, reply] = self.item(id / 2);
        if id.is_multiple_of(2) {
            item
        } else {
            reply
        }
    }
}

/// A topic from a corpus title: "中华人民共和国安全生产法(2021-06-10)" → 安全生产;
/// "国务院关于鼓励外商投资的规定" → 鼓励外商投资.
fn topic(title: &str) -> Option<String> {
    let t = title.split(['(', '（']).next()?.trim();
    let t = t.strip_prefix("中华人民共和国").unwrap_or(t);
    let t = match t.find("关于") {
        Some(at) => {
            let rest = &t[at + "关于".len()..];
            &rest[..rest.rfind('的')?]
        }
        None => ["实施细则", "实施条例", "条例", "规定", "办法", "决定", "法"]
            .iter()
            .find_map(|s| t.strip_suffix(s))
            .unwrap_or(t),
    };
    let n = t.chars().count();
    ((2..=12).contains(&n) && t.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .then(|| t.to_string())
}

struct Q {
    group: usize,
    text: String,
    words: Vec<String>,
}

fn query_set() -> Vec<Q> {
    QUERIES
        .iter()
        .enumerate()
        .flat_map(|(g, (_, qs))| {
            qs.iter().map(move |q| Q {
                group: g,
                text: q.to_string(),
                words: q.split_whitespace().map(String::from).collect(),
            })
        })
        .collect()
}

// ---- measuring ----

struct EngineResult {
    name: String,
    /// What exactly was measured.
    note: String,
    build: Duration,
    size: u64,
    /// Peak resident memory of the process doing the work, and what that process was.
    peak_rss: Option<u64>,
    rss_of: &'static str,
    groups: Vec<GroupResult>,
}

struct GroupResult {
    lat: Vec<Duration>,
    queries: usize,
    hits: usize,
    good: usize,
    zero: usize,
}

/// Runs the query set: one warm-up round (checking every top-10 hit against the generated
/// text), then `rounds` timed rounds.
async fn measure<E: Engine>(
    engine: &mut E,
    corpus: &Corpus,
    queries: &[Q],
    rounds: usize,
    label: &str,
) -> anyhow::Result<Vec<GroupResult>> {
    let mut groups: Vec<GroupResult> = QUERIES
        .iter()
        .map(|(_, qs)| GroupResult {
            lat: Vec::new(),
            queries: qs.len(),
            hits: 0,
            good: 0,
            zero: 0,
        })
        .collect();
    let bar = progress(
        (queries.len() * (rounds + 1)) as u64,
        "{msg:>12} [{bar:40}] {pos}/{len} queries {per_sec} {eta}",
    )
    .with_message(format!("{label} query"));
    for q in queries {
        let ids = engine
            .query(q)
            .await
            .with_context(|| format!("{label}: 查询“{}”失败", q.text))?;
        let g = &mut groups[q.group];
        g.hits += ids.len();
        g.zero += ids.is_empty() as usize;
        g.good += ids
            .iter()
            .filter(|&&id| {
                let text = corpus.doc(id).text();
                q.words.iter().all(|w| text.contains(w.as_str()))
            })
            .count();
        bar.inc(1);
    }
    for _ in 0..rounds {
        for q in queries {
            let started = Instant::now();
            engine.query(q).await?;
            groups[q.group].lat.push(started.elapsed());
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    for g in &mut groups {
        g.lat.sort();
    }
    Ok(groups)
}

trait Engine {
    /// The ids of the top 10 documents.
    async fn query(&mut self, q: &Q) -> anyhow::Result<Vec<u64>>;
}

/// Bytes of the regular files directly in `dir`.
pub(super) fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

// ---- banli-search ----

struct Banli(banli_search::SearchIndex);

impl Engine for Banli {
    async fn query(&mut self, q: &Q) -> anyhow::Result<Vec<u64>> {
        let page = self.0.search(&banli_search::Query::new(
            q.text.clone(),
            banli_search::Scope::Public,
        ))?;
        Ok(page
            .hits
            .iter()
            .filter_map(|h| h.key.strip_prefix("d:")?.parse().ok())
            .collect())
    }
}

async fn bench_banli(
    corpus: &Corpus,
    a: &SearchArgs,
    queries: &[Q],
    rounds: usize,
    dir: &Path,
) -> anyhow::Result<EngineResult> {
    let items = a.items;
    if a.reuse {
        let index =
            banli_search::SearchIndex::open_or_create(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
        if index.num_docs() != 2 * items as u64 {
            bail!(
                "{} 中的索引有 {} 条文档，不是 --items {items} 的 {} 条：去掉 --reuse 重建",
                dir.display(),
                index.num_docs(),
                2 * items
            );
        }
        return query_banli(index, corpus, a, queries, rounds, dir, Duration::ZERO).await;
    }
    let _ = std::fs::remove_dir_all(dir);
    reset_peak_rss();
    let index =
        banli_search::SearchIndex::open_or_create(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bar = progress(
        items as u64,
        "{msg:>12} [{bar:40}] {pos}/{len} items {per_sec} {elapsed_precise} (eta {eta})",
    )
    .with_message("banli index");
    let started = Instant::now();
    let mut batch = Vec::with_capacity(2000);
    for i in 0..items as u64 {
        for (k, d) in corpus.item(i).into_iter().enumerate() {
            let id = 2 * i + k as u64;
            batch.push(banli_search::Doc {
                key: format!("d:{id}"),
                kind: d.kind.into(),
                item_id: i as i64,
                document_id: (k == 1).then_some(id as i64),
                title: d.title,
                item_title: d.item_title,
                body: d.body,
                session_id: 1,
                public: true,
                org_id: 1,
                ..Default::default()
            });
        }
        if batch.len() >= 2000 {
            index.upsert(&batch)?;
            batch.clear();
            bar.set_position(i + 1);
        }
    }
    index.upsert(&batch)?;
    bar.set_message("banli commit");
    index.commit(1)?;
    let build = started.elapsed();
    bar.finish_and_clear();
    // tantivy merges segments in the background after a commit; let the merges finish (the
    // directory stops changing), then commit again so the reader sees the merged segments.
    settle(dir).await;
    index.commit(2)?;
    settle(dir).await;
    query_banli(index, corpus, a, queries, rounds, dir, build).await
}

async fn query_banli(
    index: banli_search::SearchIndex,
    corpus: &Corpus,
    a: &SearchArgs,
    queries: &[Q],
    rounds: usize,
    dir: &Path,
    build: Duration,
) -> anyhow::Result<EngineResult> {
    let size = dir_size(dir);
    let mut engine = Banli(index);
    let groups = measure(&mut engine, corpus, queries, rounds, "banli").await?;
    if a.profile {
        profile_banli(&engine.0, queries)?;
    }
    Ok(EngineResult {
        name: "banli-search (tantivy + jieba analyzer)".into(),
        note: "upsert in batches of 2,000 documents, one commit; query = top 10 by BM25 + total count + snippets".into(),
        build,
        size,
        peak_rss: proc_status_bytes("self", "VmHWM:"),
        rss_of: "this process (index writer, mmap'd index)",
        groups,
    })
}

/// Waits until the directory's size and file count have not changed for 3 seconds (at most 5 minutes).
async fn settle(dir: &Path) {
    let started = Instant::now();
    let state = || {
        let n = std::fs::read_dir(dir).map(|rd| rd.count()).unwrap_or(0);
        (n, dir_size(dir))
    };
    let mut last = state();
    let mut stable = 0;
    while stable < 3 && started.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = state();
        stable = if now == last { stable + 1 } else { 0 };
        last = now;
    }
}

// ---- SQLite FTS5 trigram ----

struct Fts5(sqlx::sqlite::SqliteConnection);

impl Engine for Fts5 {
    async fn query(&mut self, q: &Q) -> anyhow::Result<Vec<u64>> {
        let m = q
            .words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ");
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT rowid, title, body FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10",
        )
        .bind(m)
        .fetch_all(&mut self.0)
        .await?;
        Ok(rows.into_iter().map(|r| r.0 as u64).collect())
    }
}

async fn bench_fts5(
    corpus: &Corpus,
    items: usize,
    queries: &[Q],
    rounds: usize,
    path: &Path,
) -> anyhow::Result<EngineResult> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::{ConnectOptions, Connection};
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    reset_peak_rss();
    let mut c = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .disable_statement_logging()
        .connect()
        .await?;
    let (version,): (String,) = sqlx::query_as("SELECT sqlite_version()")
        .fetch_one(&mut c)
        .await?;
    sqlx::query(
        "CREATE VIRTUAL TABLE docs USING fts5(title, item_title, body, tokenize = 'trigram')",
    )
    .execute(&mut c)
    .await
    .context("SQLite 的 FTS5 不支持 trigram 分词器")?;
    let bar = progress(
        items as u64,
        "{msg:>12} [{bar:40}] {pos}/{len} items {per_sec} {elapsed_precise} (eta {eta})",
    )
    .with_message("fts5 insert");
    let started = Instant::now();
    let mut i = 0u64;
    while i < items as u64 {
        let end = (i + 1000).min(items as u64);
        let mut tx = c.begin().await?;
        for n in i..end {
            for (k, d) in corpus.item(n).into_iter().enumerate() {
                sqlx::query(
                    "INSERT INTO docs(rowid, title, item_title, body) VALUES (?1, ?2, ?3, ?4)",
                )
                .bind((2 * n + k as u64) as i64)
                .bind(d.title)
                .bind(d.item_title)
                .bind(d.body)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        i = end;
        bar.set_position(i);
    }
    bar.set_message("fts5 optimize");
    sqlx::query("INSERT INTO docs(docs) VALUES ('optimize')")
        .execute(&mut c)
        .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut c)
        .await?;
    let build = started.elapsed();
    bar.finish_and_clear();
    let size = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    let mut engine = Fts5(c);
    let groups = measure(&mut engine, corpus, queries, rounds, "fts5").await?;
    let peak_rss = proc_status_bytes("self", "VmHWM:");
    let _ = engine.0.close().await;
    Ok(EngineResult {
        name: format!("SQLite {version} FTS5 trigram"),
        note: "one FTS5 table (title, item title, body), WAL, inserts in transactions of 2,000 documents, then 'optimize' (included); query = MATCH of the quoted words ORDER BY rank (bm25) LIMIT 10, returning title and body".into(),
        build,
        size,
        peak_rss,
        rss_of: "this process (SQLite in-process, default 2 MB page cache)",
        groups,
    })
}

// ---- PostgreSQL pg_trgm ----

struct Pg(sqlx::postgres::PgConnection);

impl Engine for Pg {
    async fn query(&mut self, q: &Q) -> anyhow::Result<Vec<u64>> {
        let cond = (1..=q.words.len())
            .map(|n| format!("txt LIKE ${n}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let sql = format!("SELECT id, txt FROM docs WHERE {cond} LIMIT 10");
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for w in &q.words {
            query = query.bind(format!(
                "%{}%",
                w.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ));
        }
        Ok(query
            .fetch_all(&mut self.0)
            .await?
            .into_iter()
            .map(|r| r.0 as u64)
            .collect())
    }
}

async fn bench_pg(
    corpus: &Corpus,
    items: usize,
    queries: &[Q],
    rounds: usize,
    url: &str,
) -> anyhow::Result<EngineResult> {
    use sqlx::{ConnectOptions, Connection};
    // Statement logging off: the slow-statement warnings would drown the progress bars.
    let options: sqlx::postgres::PgConnectOptions = url.parse()?;
    let mut c = options
        .disable_statement_logging()
        .connect()
        .await
        .with_context(|| format!("无法连接 PostgreSQL {url}"))?;
    let (version,): (String,) = sqlx::query_as("SHOW server_version")
        .fetch_one(&mut c)
        .await?;
    let version = version
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
        .fetch_one(&mut c)
        .await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .execute(&mut c)
        .await
        .context("CREATE EXTENSION pg_trgm 失败：需要 postgresql-contrib")?;
    sqlx::query("CREATE TABLE docs (id bigint PRIMARY KEY, txt text NOT NULL)")
        .execute(&mut c)
        .await?;
    sqlx::query("SET maintenance_work_mem = '512MB'")
        .execute(&mut c)
        .await?;
    let bar = progress(
        items as u64,
        "{msg:>12} [{bar:40}] {pos}/{len} items {per_sec} {elapsed_precise} (eta {eta})",
    )
    .with_message("pg insert");
    let started = Instant::now();
    let mut i = 0u64;
    while i < items as u64 {
        let end = (i + 1000).min(items as u64);
        let (mut ids, mut txts) = (Vec::with_capacity(2000), Vec::with_capacity(2000));
        for n in i..end {
            for (k, d) in corpus.item(n).into_iter().enumerate() {
                ids.push((2 * n + k as u64) as i64);
                txts.push(d.text());
            }
        }
        sqlx::query("INSERT INTO docs (id, txt) SELECT * FROM UNNEST($1::bigint[], $2::text[])")
            .bind(ids)
            .bind(txts)
            .execute(&mut c)
            .await?;
        i = end;
        bar.set_position(i);
    }
    bar.set_message("pg GIN index");
    bar.tick();
    let spinner = bar.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            spinner.tick();
        }
    });
    let r = sqlx::query("CREATE INDEX docs_trgm ON docs USING gin (txt gin_trgm_ops)")
        .execute(&mut c)
        .await;
    ticker.abort();
    r?;
    sqlx::query("ANALYZE docs").execute(&mut c).await?;
    let build = started.elapsed();
    bar.finish_and_clear();
    let (size,): (i64,) = sqlx::query_as("SELECT pg_total_relation_size('docs')")
        .fetch_one(&mut c)
        .await?;
    let mut engine = Pg(c);
    let groups = measure(&mut engine, corpus, queries, rounds, "pg").await?;
    let peak_rss = proc_status_bytes(&pid.to_string(), "VmHWM:");
    let _ = engine.0.close().await;
    Ok(EngineResult {
        name: format!("PostgreSQL {version} pg_trgm"),
        note: "one table (id, text = title + item title + body), bulk INSERT … UNNEST of 2,000 rows, then a GIN gin_trgm_ops index (maintenance_work_mem 512MB) and ANALYZE (included); query = txt LIKE '%w%' for every word, LIMIT 10, unranked; size = table + TOAST + indexes".into(),
        build,
        size: size as u64,
        peak_rss,
        rss_of: "the PostgreSQL backend process (includes shared buffers it touched)",
        groups,
    })
}

// ---- the report ----

fn print_tables(results: &[EngineResult], items: usize, docs: u64) {
    println!(
        "### {} items ({} documents)\n",
        thousands(items as u64),
        thousands(docs)
    );
    println!("| engine | build | documents/s | size on disk | peak RSS |");
    println!("|---|---:|---:|---:|---:|");
    for r in results {
        println!(
            "| {} | {:.1} s | {} | {:.0} MB | {} |",
            r.name,
            r.build.as_secs_f64(),
            thousands((docs as f64 / r.build.as_secs_f64()) as u64),
            r.size as f64 / 1e6,
            r.peak_rss
                .map(|b| format!("{:.0} MB", b as f64 / 1e6))
                .unwrap_or_else(|| "n/a".into())
        );
    }
    println!();
    let base = results.first();
    println!("| engine | queries | p50 | p95 | p99 | p50 ÷ {} | top-10 hits containing every query word | queries with no hit |", base.map(|b| short(&b.name)).unwrap_or_default());
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for r in results {
        for (g, gr) in r.groups.iter().enumerate() {
            let ratio = if gr.zero == gr.queries {
                "— (answers nothing)".to_string()
            } else {
                base.map(|b| pct_ms(&gr.lat, 0.5) / pct_ms(&b.groups[g].lat, 0.5))
                    .map(|x| format!("{x:.1}×"))
                    .unwrap_or_default()
            };
            let share = if gr.hits == 0 {
                "— (no hits)".to_string()
            } else {
                format!(
                    "{:.0} % of {}",
                    100.0 * gr.good as f64 / gr.hits as f64,
                    gr.hits
                )
            };
            println!(
                "| {} | {} ({}) | {} | {} | {} | {} | {} | {}/{} |",
                short(&r.name),
                QUERIES[g].0,
                gr.queries,
                ms(pct_ms(&gr.lat, 0.50)),
                ms(pct_ms(&gr.lat, 0.95)),
                ms(pct_ms(&gr.lat, 0.99)),
                ratio,
                share,
                gr.zero,
                gr.queries
            );
        }
    }
    println!();
    for r in results {
        println!("- {}: {}; peak RSS of {}.", r.name, r.note, r.rss_of);
    }
    println!();
}

fn short(name: &str) -> String {
    name.split(" (").next().unwrap_or(name).to_string()
}

fn ms(x: f64) -> String {
    if x < 1.0 {
        format!("{:.0} µs", x * 1000.0)
    } else if x < 100.0 {
        format!("{x:.1} ms")
    } else {
        format!("{x:.0} ms")
    }
}

/// Each query taken apart five times (the median of each stage kept), then per query class
/// the 95th percentile of each stage over its queries: what a slow search spends its time on.
fn profile_banli(index: &banli_search::SearchIndex, queries: &[Q]) -> anyhow::Result<()> {
    let mut per_group: Vec<Vec<banli_search::Profile>> = vec![Vec::new(); QUERIES.len()];
    for q in queries {
        let query = banli_search::Query::new(q.text.clone(), banli_search::Scope::Public);
        let mut runs = (0..5)
            .map(|_| index.profile(&query))
            .collect::<Result<Vec<_>, _>>()?;
        let median = |f: fn(&banli_search::Profile) -> Duration,
                      runs: &mut Vec<banli_search::Profile>| {
            runs.sort_by_key(f);
            f(&runs[runs.len() / 2])
        };
        let p = banli_search::Profile {
            analyze: median(|p| p.analyze, &mut runs),
            top: median(|p| p.top, &mut runs),
            count: median(|p| p.count, &mut runs),
            top_and_count: median(|p| p.top_and_count, &mut runs),
            fetch: median(|p| p.fetch, &mut runs),
            snippets: median(|p| p.snippets, &mut runs),
            ..runs[0]
        };
        eprintln!(
            "profile {:<12} matches {:>9} top {:>7.2} ms count {:>7.2} ms both {:>7.2} ms fetch {:.2} ms snippets {:.2} ms",
            q.text,
            p.matches,
            p.top.as_secs_f64() * 1e3,
            p.count.as_secs_f64() * 1e3,
            p.top_and_count.as_secs_f64() * 1e3,
            p.fetch.as_secs_f64() * 1e3,
            p.snippets.as_secs_f64() * 1e3
        );
        per_group[q.group].push(p);
    }
    let segments = per_group
        .iter()
        .flatten()
        .map(|p| p.segments)
        .next()
        .unwrap_or(0);
    println!("Where a banli query spends its time ({segments} segments; p95 over the class's queries of each stage's median of 5 runs):\n");
    println!("| queries | matches (p50) | analysis | top 10 alone | count alone | top 10 + count (as searched) | stored documents | snippets |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (g, profiles) in per_group.iter().enumerate() {
        let p95 = |f: fn(&banli_search::Profile) -> Duration| {
            let mut v: Vec<Duration> = profiles.iter().map(f).collect();
            v.sort();
            pct_ms(&v, 0.95)
        };
        let mut matches: Vec<usize> = profiles.iter().map(|p| p.matches).collect();
        matches.sort();
        println!(
            "| {} ({}) | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            QUERIES[g].0,
            profiles.len(),
            thousands(matches.get(matches.len() / 2).copied().unwrap_or(0) as u64),
            p95(|p| p.analyze),
            p95(|p| p.top),
            p95(|p| p.count),
            p95(|p| p.top_and_count),
            p95(|p| p.fetch),
            p95(|p| p.snippets),
        );
    }
    println!();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_from_titles() {
        assert_eq!(topic("安全生产法(2021-06-10)").as_deref(), Some("安全生产"));
        assert_eq!(
            topic("中华人民共和国国家安全法").as_deref(),
            Some("国家安全")
        );
        assert_eq!(
            topic("国务院关于鼓励外商投资的规定(1986-10-11)").as_deref(),
            Some("鼓励外商投资")
        );
        assert_eq!(topic("_index"), None);
    }

    #[test]
    fn items_are_deterministic() {
        let corpus = Corpus {
            paras: (0..200).map(|i| format!("第{i}段内容")).collect(),
            topics: (0..20).map(|i| format!("主题{i}")).collect(),
        };
        let a = corpus.item(7);
        let b = corpus.item(7);
        assert_eq!(a[0].text(), b[0].text());
        assert_eq!(a[1].text(), corpus.doc(15).text());
        assert!(a[0].title.starts_with("关于") && a[0].title.ends_with("的提案"));
        assert!(a[1].body.contains(&a[0].title));
        let paragraphs = a[0].body.split('\n').count();
        assert!((3..=6).contains(&paragraphs));
    }
}
