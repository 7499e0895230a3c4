//! Banli's full-text search: a tantivy index with a precise Chinese analyzer.
//!
//! A pure library: the server feeds it [`Doc`]s (from the outbox), commits
//! with a watermark (kept in tantivy's commit payload, so it survives a
//! restart together with the documents it covers) and asks it [`Query`]s.
//!
//! - **One writer.** A [`SearchIndex`] holds tantivy's `IndexWriter`; a
//!   second process opening the same directory gets an error (tantivy's lock
//!   file). CLI commands write to the database; the server indexes.
//! - **Visibility** ([`Scope`]) is a clause of the tantivy query, so a page
//!   and its `total` only ever count documents the caller may see.
//! - **Chinese**: see the `analyzer` module — jieba's normal cut plus
//!   non-straddling sub-words and single characters, positions in characters;
//!   every query word must match (AND), as a word or along its sub-words.
//! - **Similar items** ([`SearchIndex::similar`],
//!   [`SearchIndex::suggest_units`]): a ranked OR over the salient words of
//!   a text (weighed by the index's own document frequencies, government
//!   boilerplate in [`STOP_WORDS`] weighing nothing), re-scored by cosine
//!   similarity in 0..=1; see the `similar` module.
//! - Mutations ([`SearchIndex::upsert`], [`SearchIndex::delete`],
//!   [`SearchIndex::clear`]) become visible to [`SearchIndex::search`] at the
//!   next [`SearchIndex::commit`].

mod analyzer;
mod similar;
mod snippet;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use analyzer::GOV_TERMS;
use analyzer::{shingled, Analyzer, Tiling, WordQuery, ZhTokenizer, ANALYZER_VERSION};
pub use similar::{MAX_SIMILAR_CHARS, MIN_SIMILAR_SCORE, STOP_WORDS};
pub use snippet::escape_html;

const TOKENIZER: &str = "banli_zh";
/// Longest query text looked at (characters); the rest is ignored.
const MAX_QUERY_CHARS: usize = 200;
/// At most this many words of a query are used.
const MAX_QUERY_WORDS: usize = 12;
/// Largest page.
pub const MAX_PER_PAGE: usize = 100;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 120;

/// Errors of the search index.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// From tantivy; `TantivyError::LockFailure` means another process holds
    /// the index writer.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index i/o: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One searchable document: a reply, a co-opinion or an item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    /// Unique, e.g. `reply:42`; an upsert with the same key replaces.
    pub key: String,
    /// `reply` | `co_opinion` | `item`.
    pub kind: String,
    pub item_id: i64,
    pub document_id: Option<i64>,
    /// The document's title.
    pub title: String,
    pub item_title: String,
    pub body: String,
    /// The issuing unit.
    pub unit_id: Option<i64>,
    pub unit_name: String,
    pub session_id: i64,
    pub category: String,
    pub grade: String,
    /// RFC 3339; stored and returned, not searched.
    pub published_at: String,
    // Visibility:
    /// Visible to everyone (the public portal).
    pub public: bool,
    /// Visible to the organisation's office and administrators.
    pub office: bool,
    /// Units whose staff may see it.
    pub unit_ids: Vec<i64>,
    /// Users (proposers) who may see it.
    pub user_ids: Vec<i64>,
    pub org_id: i64,
    /// The commitments' texts (indexed with their reply).
    pub commitments: String,
}

/// Who is searching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only documents with `public == true`.
    Public,
    /// Staff of `org_id`. With `all` (office, admin): every document of the
    /// organisation the office may see (`office`). Otherwise only documents
    /// whose `unit_ids` contain `unit_id` or whose `user_ids` contain `user_id`.
    Staff {
        org_id: i64,
        all: bool,
        unit_id: Option<i64>,
        user_id: i64,
    },
}

/// A search. Words are separated by spaces (or punctuation) and all must
/// match. An empty text lists every visible document matching the filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub scope: Scope,
    pub session_id: Option<i64>,
    /// The issuing unit ([`Doc::unit_id`]).
    pub unit_id: Option<i64>,
    pub category: Option<String>,
    pub grade: Option<String>,
    pub kind: Option<String>,
    /// 1-based; 0 is taken as 1.
    pub page: usize,
    /// Clamped to 1..=[`MAX_PER_PAGE`].
    pub per_page: usize,
}

impl Query {
    /// A first page of 10 for `text` in `scope`, without filters.
    pub fn new(text: impl Into<String>, scope: Scope) -> Query {
        Query {
            text: text.into(),
            scope,
            session_id: None,
            unit_id: None,
            category: None,
            grade: None,
            kind: None,
            page: 1,
            per_page: 10,
        }
    }
}

/// One page of results; `total` counts every visible match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub hits: Vec<Hit>,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub key: String,
    pub kind: String,
    pub item_id: i64,
    pub document_id: Option<i64>,
    pub title: String,
    pub item_title: String,
    /// The issuing unit ([`Doc::unit_id`]).
    pub unit_id: Option<i64>,
    pub unit_name: String,
    pub published_at: String,
    /// HTML: the text escaped, the matched words in `<mark>…</mark>`.
    pub snippet_html: String,
    /// [`SearchIndex::search`]: tantivy's BM25 score (only comparable within
    /// one query). [`SearchIndex::similar`]: the similarity in 0..=1.
    pub score: f32,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    item_id: Field,
    document_id: Field,
    title: Field,
    item_title: Field,
    body: Field,
    unit_id: Field,
    unit_name: Field,
    published_at: Field,
    commitments: Field,
    /// The one searched text field: titles (twice: they weigh double), body, commitments,
    /// unit name. One field, so a word is one term and not a union over fields.
    text: Field,
    /// Every filter and visibility value as a term (`public`, `org:3`, `unit:10` …), with
    /// frequencies and without field norms: a query made of such terms and one term per
    /// word is a plain intersection of terms, which tantivy ranks with block-max WAND
    /// (skipping blocks that cannot enter the page) instead of scoring every match.
    filter: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let zh = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let zh_text = TextOptions::default().set_indexing_options(zh);
    let filter = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs)
            .set_fieldnorms(false),
    );
    let f = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STORED),
        item_id: b.add_i64_field("item_id", STORED),
        document_id: b.add_i64_field("document_id", STORED),
        title: b.add_text_field("title", STORED),
        item_title: b.add_text_field("item_title", STORED),
        body: b.add_text_field("body", STORED),
        unit_id: b.add_i64_field("unit_id", STORED),
        unit_name: b.add_text_field("unit_name", STORED),
        published_at: b.add_text_field("published_at", STORED),
        commitments: b.add_text_field("commitments", STORED),
        text: b.add_text_field("text", zh_text),
        filter: b.add_text_field("filter", filter),
    };
    (b.build(), f)
}

/// The commit payload: `banli-search/<analyzer version>[ watermark=<n>]`.
fn payload(watermark: Option<i64>) -> String {
    match watermark {
        Some(w) => format!("banli-search/{ANALYZER_VERSION} watermark={w}"),
        None => format!("banli-search/{ANALYZER_VERSION}"),
    }
}

/// (analyzer version, watermark) from a payload.
fn parse_payload(p: &str) -> (Option<u32>, Option<i64>) {
    let mut parts = p.split_whitespace();
    let version = parts
        .next()
        .and_then(|v| v.strip_prefix("banli-search/"))
        .and_then(|v| v.parse().ok());
    let watermark = parts
        .find_map(|x| x.strip_prefix("watermark="))
        .and_then(|w| w.parse().ok());
    (version, watermark)
}

/// The search index with its writer.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    analyzer: Arc<Analyzer>,
    watermark: Mutex<Option<i64>>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("watermark", &self.watermark())
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Open the index in `dir` (created if missing), with the built-in
    /// dictionary. `dir` belongs to the index: an index of an older schema
    /// found there is deleted and created anew (with no watermark, so the
    /// caller rebuilds it).
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex> {
        Self::open_or_create_with_dict(dir, &[])
    }

    /// As [`open_or_create`](Self::open_or_create), with extra dictionary
    /// words (unit names and other local terms). Changing these words changes
    /// how new text is cut; rebuild the index when they change a lot.
    pub fn open_or_create_with_dict(dir: &Path, extra_words: &[String]) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = match Index::open_or_create(MmapDirectory::open(dir)?, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                // Take the writer lock of the old index first, so that an
                // index in use by another process is never deleted.
                let old = Index::open(MmapDirectory::open(dir)?)?;
                let lock: IndexWriter<TantivyDocument> =
                    old.writer_with_num_threads(1, 20_000_000)?;
                remove_index_files(dir)?;
                drop(lock);
                drop(old);
                Index::create_in_dir(dir, schema)?
            }
            Err(e) => return Err(e.into()),
        };
        Self::from_index(index, fields, extra_words)
    }

    /// An index in memory, for tests.
    pub fn in_ram() -> Result<SearchIndex> {
        Self::in_ram_with_dict(&[])
    }

    /// An index in memory with extra dictionary words, for tests.
    pub fn in_ram_with_dict(extra_words: &[String]) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, extra_words)
    }

    fn from_index(index: Index, fields: Fields, extra_words: &[String]) -> Result<SearchIndex> {
        let analyzer = Arc::new(Analyzer::new(extra_words));
        index.tokenizers().register(
            TOKENIZER,
            ZhTokenizer {
                analyzer: analyzer.clone(),
            },
        );
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 2);
        let writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(threads, threads * 40_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let metas = index.load_metas()?;
        let (version, watermark) = metas
            .payload
            .as_deref()
            .map(parse_payload)
            .unwrap_or((None, None));
        let this = SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer,
            watermark: Mutex::new(watermark),
        };
        let has_docs = this.reader.searcher().num_docs() > 0 || !metas.segments.is_empty();
        if version != Some(ANALYZER_VERSION) && (has_docs || version.is_some()) {
            // Built by another analyzer: its terms would not match ours.
            this.clear()?;
            this.commit_payload(None)?;
        }
        Ok(this)
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter<TantivyDocument>> {
        // A panic while holding the writer leaves it usable for tantivy.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Add or replace documents (by key). Visible after the next commit.
    pub fn upsert(&self, docs: &[Doc]) -> Result<()> {
        let f = &self.fields;
        let writer = self.writer();
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.key, &d.key);
            doc.add_text(f.kind, &d.kind);
            doc.add_i64(f.item_id, d.item_id);
            if let Some(id) = d.document_id {
                doc.add_i64(f.document_id, id);
            }
            doc.add_text(f.title, &d.title);
            doc.add_text(f.item_title, &d.item_title);
            doc.add_text(f.body, &d.body);
            if let Some(u) = d.unit_id {
                doc.add_i64(f.unit_id, u);
            }
            doc.add_text(f.unit_name, &d.unit_name);
            doc.add_text(f.published_at, &d.published_at);
            doc.add_text(f.commitments, &d.commitments);
            for t in [&d.title, &d.title, &d.item_title, &d.item_title] {
                doc.add_text(f.text, t);
            }
            for t in [&d.body, &d.commitments, &d.unit_name] {
                doc.add_text(f.text, t);
            }
            for t in filter_terms(d) {
                doc.add_text(f.filter, t);
            }
            writer.delete_term(Term::from_field_text(f.key, &d.key));
            writer.add_document(doc)?;
        }
        Ok(())
    }

    /// Remove documents by key. Visible after the next commit.
    pub fn delete<K: AsRef<str>>(&self, keys: &[K]) -> Result<()> {
        let writer = self.writer();
        for k in keys {
            writer.delete_term(Term::from_field_text(self.fields.key, k.as_ref()));
        }
        Ok(())
    }

    /// Remove every document, for a rebuild: searches still see the old
    /// documents until the next commit, whose watermark then replaces the old
    /// one. (Dropping the index without a commit keeps the old state.)
    pub fn clear(&self) -> Result<()> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Make every change so far durable and searchable, together with the
    /// outbox position they cover.
    pub fn commit(&self, watermark: i64) -> Result<()> {
        self.commit_payload(Some(watermark))
    }

    fn commit_payload(&self, watermark: Option<i64>) -> Result<()> {
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload(watermark));
            prepared.commit()?;
        }
        *self.watermark.lock().unwrap_or_else(|e| e.into_inner()) = watermark;
        self.reader.reload()?;
        Ok(())
    }

    /// The watermark of the last commit; `None` for a new (or cleared and
    /// committed, or rebuilt-after-upgrade) index.
    pub fn watermark(&self) -> Option<i64> {
        *self.watermark.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Number of committed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// One page of results, best first.
    pub fn search(&self, q: &Query) -> Result<Page> {
        let (query, words) = self.build_query(q);
        let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
        let offset = q.page.max(1).saturating_sub(1).saturating_mul(per_page);
        let searcher = self.reader.searcher();
        // Two passes, not one with both collectors: the page alone may skip blocks that
        // cannot enter it (block-max WAND), which a collector that also counts would forbid;
        // the count alone scores nothing.
        let top = searcher.search(
            &*query,
            &TopDocs::with_limit(per_page)
                .and_offset(offset)
                .order_by_score(),
        )?;
        let total = searcher.search(&*query, &Count)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            hits.push(self.hit(&doc, score, &words));
        }
        Ok(Page { hits, total })
    }

    /// A hit for a stored document, the snippet highlighting `words`.
    fn hit(&self, doc: &TantivyDocument, score: f32, words: &[WordQuery]) -> Hit {
        let f = &self.fields;
        let text = |field: Field| -> String {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let body = text(f.body);
        let commitments = text(f.commitments);
        let snippet_html = snippet::highlight(&self.analyzer, &body, words, SNIPPET_CHARS)
            .or_else(|| snippet::highlight(&self.analyzer, &commitments, words, SNIPPET_CHARS))
            .unwrap_or_else(|| snippet::plain(&body, SNIPPET_CHARS));
        Hit {
            key: text(f.key),
            kind: text(f.kind),
            item_id: doc
                .get_first(f.item_id)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            document_id: doc.get_first(f.document_id).and_then(|v| v.as_i64()),
            title: text(f.title),
            item_title: text(f.item_title),
            unit_id: doc.get_first(f.unit_id).and_then(|v| v.as_i64()),
            unit_name: text(f.unit_name),
            published_at: text(f.published_at),
            snippet_html,
            score,
        }
    }

    /// The keys of every visible match of `q` (ignoring paging), for checks
    /// against the database and for measuring recall.
    pub fn matching_keys(&self, q: &Query) -> Result<Vec<String>> {
        let (query, _) = self.build_query(q);
        let searcher = self.reader.searcher();
        let addrs = searcher.search(&*query, &DocSetCollector)?;
        let mut keys = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(k) = doc.get_first(self.fields.key).and_then(|v| v.as_str()) {
                keys.push(k.to_string());
            }
        }
        Ok(keys)
    }

    /// The tantivy query (text AND filters AND visibility) and the analysed
    /// words (for highlighting).
    fn build_query(&self, q: &Query) -> (Box<dyn TQuery>, Vec<WordQuery>) {
        let f = &self.fields;
        let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let mut words = self.analyzer.query_words(&text);
        words.truncate(MAX_QUERY_WORDS);
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        if words.is_empty() {
            if text.trim().is_empty() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            } else {
                // Only punctuation: nothing to look for.
                return (Box::new(EmptyQuery), words);
            }
        }
        for w in &words {
            let mut tilings: Vec<Tiling> = w.tilings.iter().map(shingled).collect();
            tilings.dedup();
            let mut alternatives: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
            for tiling in &tilings {
                let q: Box<dyn TQuery> = if tiling.len() == 1 {
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.text, &tiling[0].1),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    Box::new(PhraseQuery::new_with_offset(
                        tiling
                            .iter()
                            .map(|(o, t)| (*o, Term::from_field_text(f.text, t)))
                            .collect(),
                    ))
                };
                alternatives.push((Occur::Should, q));
            }
            // A lone term stays a term, so that the whole query can be an intersection of terms.
            let word: Box<dyn TQuery> = if alternatives.len() == 1 {
                alternatives.remove(0).1
            } else {
                Box::new(BooleanQuery::new(alternatives))
            };
            clauses.push((Occur::Must, word));
        }
        for filter in self.filters(q) {
            clauses.push((Occur::Must, filter));
        }
        (Box::new(BooleanQuery::new(clauses)), words)
    }

    /// Filter clauses: the caller's visibility, then the query's filters. Each is a plain
    /// term of the `filter` field where it can be (see [`Fields::filter`]); its score is the
    /// same for every document, so it shifts a page's scores without reordering them.
    fn filters(&self, q: &Query) -> Vec<Box<dyn TQuery>> {
        let field = self.fields.filter;
        let term = |t: &str| -> Box<dyn TQuery> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let mut out = Vec::new();
        match &q.scope {
            Scope::Public => out.push(term(PUBLIC)),
            Scope::Staff {
                org_id,
                all,
                unit_id,
                user_id,
            } => {
                out.push(term(&format!("org:{org_id}")));
                if *all {
                    out.push(term(OFFICE));
                } else {
                    let mut either: Vec<(Occur, Box<dyn TQuery>)> =
                        vec![(Occur::Should, term(&format!("user:{user_id}")))];
                    if let Some(u) = unit_id {
                        either.push((Occur::Should, term(&format!("unit:{u}"))));
                    }
                    out.push(Box::new(ConstScoreQuery::new(
                        Box::new(BooleanQuery::new(either)),
                        0.0,
                    )));
                }
            }
        }
        if let Some(s) = q.session_id {
            out.push(term(&format!("session:{s}")));
        }
        if let Some(u) = q.unit_id {
            out.push(term(&format!("issuer:{u}")));
        }
        if let Some(c) = &q.category {
            out.push(term(&format!("category:{c}")));
        }
        if let Some(g) = &q.grade {
            out.push(term(&format!("grade:{g}")));
        }
        if let Some(k) = &q.kind {
            out.push(term(&format!("kind:{k}")));
        }
        out
    }
}

const PUBLIC: &str = "public";
const OFFICE: &str = "office";

/// The `filter` field's terms of a document (what [`SearchIndex::filters`] asks for).
fn filter_terms(d: &Doc) -> Vec<String> {
    let mut out = vec![
        format!("org:{}", d.org_id),
        format!("session:{}", d.session_id),
        format!("category:{}", d.category),
        format!("grade:{}", d.grade),
        format!("kind:{}", d.kind),
    ];
    if d.public {
        out.push(PUBLIC.to_string());
    }
    if d.office {
        out.push(OFFICE.to_string());
    }
    if let Some(u) = d.unit_id {
        out.push(format!("issuer:{u}"));
    }
    out.extend(d.unit_ids.iter().map(|u| format!("unit:{u}")));
    out.extend(d.user_ids.iter().map(|u| format!("user:{u}")));
    out
}

/// Remove the files of an index in `dir` (regular files: the directory
/// belongs to the index), except tantivy's lock files.
fn remove_index_files(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let is_lock = entry.file_name().to_string_lossy().starts_with(".tantivy-");
        if entry.file_type()?.is_file() && !is_lock {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Where one search spends its time, stage by stage (each stage run on its own), for
/// `banli bench search --profile`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Profile {
    /// The query's words and the tantivy query built from them.
    pub analyze: std::time::Duration,
    /// The best page by score alone.
    pub top: std::time::Duration,
    /// The total alone (no scoring).
    pub count: std::time::Duration,
    /// The best page and the total, as `search` asks for them (two passes).
    pub top_and_count: std::time::Duration,
    /// Reading the hits' stored documents.
    pub fetch: std::time::Duration,
    /// Highlighting the hits' snippets.
    pub snippets: std::time::Duration,
    pub matches: usize,
    pub segments: usize,
}

impl SearchIndex {
    /// [`SearchIndex::search`] taken apart: each stage timed on its own.
    pub fn profile(&self, q: &Query) -> Result<Profile> {
        use std::time::Instant;
        let mut p = Profile::default();
        let t = Instant::now();
        let (query, words) = self.build_query(q);
        p.analyze = t.elapsed();
        let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
        let offset = q.page.max(1).saturating_sub(1).saturating_mul(per_page);
        let searcher = self.reader.searcher();
        p.segments = searcher.segment_readers().len();
        let top = || {
            TopDocs::with_limit(per_page)
                .and_offset(offset)
                .order_by_score()
        };
        let t = Instant::now();
        let hits = searcher.search(&*query, &top())?;
        p.top = t.elapsed();
        let t = Instant::now();
        p.matches = searcher.search(&*query, &Count)?;
        p.count = t.elapsed();
        let t = Instant::now();
        searcher.search(&*query, &top())?;
        searcher.search(&*query, &Count)?;
        p.top_and_count = t.elapsed();
        let t = Instant::now();
        let mut docs = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            docs.push((score, searcher.doc::<TantivyDocument>(addr)?));
        }
        p.fetch = t.elapsed();
        let t = Instant::now();
        for (score, doc) in &docs {
            std::hint::black_box(self.hit(doc, *score, &words));
        }
        p.snippets = t.elapsed();
        Ok(p)
    }
}
