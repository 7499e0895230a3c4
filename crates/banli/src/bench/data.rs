//! `banli bench import` and `banli bench stats`: the office's bulk paths at scale.
//!
//! - import: a session's items written to an .xlsx workbook, read back and imported through
//!   the same use case as `banli import` and the upload page (all rows checked, then one
//!   transaction), with lead and co units assigned at once.
//! - stats: the §7 figures (`App::stats`, as `/api/v1/stats` and the dashboard) over
//!   synthetic handled items bulk-inserted with SQL: items, assignments, sent replies,
//!   consultations, evaluations and commitments in realistic shares.
//!
//! Both run on a fresh SQLite database and, with `--pg-url`, a fresh PostgreSQL database,
//! each with the demo organisation (units, members, categories) in it.

use super::{drop_pg, fresh_pg, open, progress, thousands};
use crate::config::Config;
use anyhow::{bail, Context};
use banli_app::admin::NewSession;
use banli_app::stats::StatsQuery;
use banli_app::App;
use banli_domain::model::ItemKind;
use banli_store::{sqlx, Db};
use clap::Args;
use std::time::{Duration, Instant};

#[derive(Args, Clone, Debug)]
pub struct ImportArgs {
    /// Rows per run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    pub rows: Vec<usize>,
    /// Also measure PostgreSQL: a fresh database is created from this URL and dropped after.
    #[arg(long, env = "BANLI_BENCH_PG_URL")]
    pub pg_url: Option<String>,
}

#[derive(Args, Clone, Debug)]
pub struct StatsArgs {
    /// Items in the database per run, comma-separated; each run's session under measure holds
    /// 10,000 of them (a large committee's year), and a second session holds the rest.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub items: Vec<usize>,
    /// Timed calls per session (after one warm-up call).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Also measure PostgreSQL: a fresh database is created from this URL and dropped after.
    #[arg(long, env = "BANLI_BENCH_PG_URL")]
    pub pg_url: Option<String>,
}

/// A fresh database for one run: a SQLite file in its own directory, or a PostgreSQL
/// database made from `pg` (dropped by `Fresh::drop`).
struct Fresh {
    url: String,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Fresh {
    async fn new(pg: Option<&str>) -> anyhow::Result<Fresh> {
        let dir = tempfile::tempdir().context("无法创建临时目录")?;
        Ok(match pg {
            None => Fresh {
                url: Db::sqlite_url(dir.path()),
                pg: None,
                _dir: dir,
            },
            Some(root) => {
                let (url, name) = fresh_pg(root).await?;
                Fresh {
                    url,
                    pg: Some((root.to_string(), name)),
                    _dir: dir,
                }
            }
        })
    }

    async fn drop(self) {
        if let Some((root, name)) = &self.pg {
            drop_pg(root, name).await;
        }
    }
}

/// The backends to measure: SQLite, and PostgreSQL when a URL is given.
fn backends(pg: Option<&str>) -> Vec<(&'static str, Option<&str>)> {
    let mut v = vec![("SQLite", None)];
    match pg {
        Some(url) => v.push(("PostgreSQL", Some(url))),
        None => println!("(PostgreSQL skipped: pass --pg-url postgres://… to measure it too)"),
    }
    v
}

/// The demo organisation (units, members, categories), without its items' timings.
pub(super) async fn demo_org(url: &str, cfg: &Config) -> anyhow::Result<App> {
    let app = open(url, cfg).await?;
    app.set_today(Some("2026-11-30".parse()?));
    crate::demo::load(&app).await.context("载入演示机构失败")?;
    Ok(app)
}

async fn new_session(app: &App, term: i64, sitting: i64) -> anyhow::Result<i64> {
    let admin = app.actor_by_name("admin").await?;
    let s = NewSession {
        name: format!("第{term}届第{sitting}次会议（基准）"),
        body_name: "湖南省政协".into(),
        kind: ItemKind::Proposal,
        term,
        sitting,
        opened_on: "2026-01-10".parse()?,
        cosign_cutoff: None,
    };
    Ok(app.create_session(&admin, s.into()).await?.id)
}

// ---- import ----

pub async fn run_import(cfg: &Config, a: &ImportArgs) -> anyhow::Result<()> {
    if a.rows.is_empty() || a.rows.contains(&0) {
        bail!("--rows 须是正整数，例如 --rows 10000,100000");
    }
    println!("# banli bench import — {}", super::machine());
    println!("| database | rows | assignments | write .xlsx | read .xlsx | check + write | rows/s (read + import) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (label, pg) in backends(a.pg_url.as_deref()) {
        for &rows in &a.rows {
            let db = Fresh::new(pg).await?;
            let app = demo_org(&db.url, cfg).await?;
            let r = import_once(&app, rows).await;
            app.db.close().await;
            db.drop().await;
            let r = r?;
            println!(
                "| {label} | {} | {} | {:.1} s | {:.1} s | {:.1} s | {} |",
                thousands(rows as u64),
                thousands(r.assignments as u64),
                r.write.as_secs_f64(),
                r.read.as_secs_f64(),
                r.import.as_secs_f64(),
                thousands((rows as f64 / (r.read + r.import).as_secs_f64()) as u64)
            );
        }
    }
    Ok(())
}

struct ImportRun {
    write: Duration,
    read: Duration,
    import: Duration,
    assignments: usize,
}

async fn import_once(app: &App, rows: usize) -> anyhow::Result<ImportRun> {
    let session = new_session(app, 14, 1).await?;
    let members: Vec<(String,)> =
        sqlx::query_as("SELECT username FROM users WHERE role = 'proposer' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await?;
    let units: Vec<String> = app
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| u.short_name.unwrap_or(u.name))
        .collect();
    let categories: Vec<String> = app.categories().await?.into_iter().map(|c| c.1).collect();
    if members.len() < 3 || units.len() < 3 || categories.is_empty() {
        bail!("演示机构缺少委员、承办单位或类别");
    }
    let headers: Vec<String> = banli_app::import::COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut data = Vec::with_capacity(rows);
    for i in 0..rows {
        let joint = i % 5 == 0;
        let proposers = if joint {
            format!(
                "{}、{}",
                members[i % members.len()].0,
                members[(i + 1) % members.len()].0
            )
        } else {
            members[i % members.len()].0.clone()
        };
        let lead = &units[i % units.len()];
        let co = if i % 4 == 0 {
            units[(i + 7) % units.len()].clone()
        } else {
            String::new()
        };
        data.push(vec![
            (i + 1).to_string(),
            format!("关于推进第{}项民生实事的提案", i + 1),
            proposers,
            if joint { "联名" } else { "个人" }.to_string(),
            categories[i % categories.len()].clone(),
            format!("建议加快推进城乡供水一体化和社区养老服务设施建设，第{}号提案请有关部门研究办理。当前存在的主要问题是资金投入不足、部门协同不够，建议建立联席会议制度，明确责任分工和时间节点。", i + 1),
            format!("2026-01-{:02}", 10 + i % 10),
            lead.clone(),
            if co == *lead { String::new() } else { co },
            String::new(),
        ]);
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let sheet = banli_docs::Sheet {
        name: "提案",
        headers: &headers,
        rows: data,
    };
    let started = Instant::now();
    let bytes = banli_docs::write_xlsx(&[sheet]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let write = started.elapsed();
    let started = Instant::now();
    let table = banli_docs::read_xlsx(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let read = started.elapsed();
    let office = app.actor_by_name("office").await?;
    let bar = progress(rows as u64, "导入 [{bar:40}] {pos}/{len} 行 {per_sec}");
    let started = Instant::now();
    let report = app
        .import_items(&office, session, &table, false, |done, _| {
            bar.set_position(done as u64)
        })
        .await;
    let import = started.elapsed();
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("导入失败：{e:?}"))?;
    if report.rows != rows {
        bail!("导入了 {} 行，应为 {rows} 行", report.rows);
    }
    Ok(ImportRun {
        write,
        read,
        import,
        assignments: report.assignments,
    })
}

// ---- stats ----

pub async fn run_stats(cfg: &Config, a: &StatsArgs) -> anyhow::Result<()> {
    if a.items.is_empty() || a.items.iter().any(|n| *n < SESSION_ITEMS) || a.rounds == 0 {
        bail!("--items 每项须至少 {SESSION_ITEMS}，--rounds 须大于0");
    }
    println!("# banli bench stats — {}", super::machine());
    println!("| database | items in database | session measured | assignments in it | generate | build facts | reference (one call) | stats p50 | stats max | agree |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (label, pg) in backends(a.pg_url.as_deref()) {
        for &total in &a.items {
            let db = Fresh::new(pg).await?;
            let r = stats_once(&db.url, cfg, total, a.rounds, label).await;
            db.drop().await;
            for line in r? {
                println!("{line}");
            }
        }
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1e3)
    }
}

/// Items in the session whose figures are measured.
pub(super) const SESSION_ITEMS: usize = 10_000;

async fn stats_once(
    url: &str,
    cfg: &Config,
    total: usize,
    rounds: usize,
    label: &str,
) -> anyhow::Result<Vec<String>> {
    let app = demo_org(url, cfg).await?;
    let started = Instant::now();
    let small = new_session(&app, 15, 1).await?;
    generate(&app, small, SESSION_ITEMS, 0).await?;
    let mut sessions = vec![(small, SESSION_ITEMS)];
    if total > SESSION_ITEMS {
        let big = new_session(&app, 15, 2).await?;
        generate(&app, big, total - SESSION_ITEMS, SESSION_ITEMS).await?;
        sessions.push((big, total - SESSION_ITEMS));
    }
    let generated = started.elapsed();
    // The rows went in with plain SQL, past the events that keep the facts: build them all.
    let started = Instant::now();
    let mut tx = app.db.begin().await?;
    banli_store::stats::refresh(&mut tx, None).await?;
    tx.commit().await?;
    let facts = started.elapsed();
    sqlx::query("ANALYZE").execute(&app.db.pool).await?;
    let office = app.actor_by_name("office").await?;
    let mut out = Vec::new();
    for (session, _) in sessions {
        let q = || StatsQuery {
            session_id: session,
            from: None,
            to: None,
        };
        let warm = app.stats(&office, q()).await?;
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let s = app.stats(&office, q()).await?;
            times.push(t.elapsed());
            std::hint::black_box(s);
        }
        times.sort();
        let t = Instant::now();
        let reference = app.stats_reference(&office, q()).await?;
        let reference_time = t.elapsed();
        let agree = if reference == warm { "yes" } else { "**NO**" };
        let assignments: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.session_id = $1").bind(session).fetch_one(&app.db.pool).await?;
        out.push(format!(
            "| {label} | {} | {} items | {} | {:.1} s | {:.1} s | {} | {} | {} | {agree} |",
            thousands(total as u64),
            thousands(warm.overall.filed as u64),
            thousands(assignments.0 as u64),
            generated.as_secs_f64(),
            facts.as_secs_f64(),
            ms(reference_time),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
        ));
    }
    app.db.close().await;
    Ok(out)
}

/// `items` handled items in two sessions (10,000 and the rest) with everything derived from
/// them built, as the database of an office that has worked for years: returns the large
/// session's id.
pub(super) async fn handled_items(app: &App, items: usize) -> anyhow::Result<i64> {
    let small = new_session(app, 15, 1).await?;
    generate(app, small, SESSION_ITEMS, 0).await?;
    let big = new_session(app, 15, 2).await?;
    if items > SESSION_ITEMS {
        generate(app, big, items - SESSION_ITEMS, SESSION_ITEMS).await?;
    }
    // The rows went in with plain SQL, past the events that keep the statistics facts and
    // the list keys: build them.
    let mut tx = app.db.begin().await?;
    banli_store::derived::refresh(&mut tx, None).await?;
    tx.commit().await?;
    // What autovacuum does to a table at rest: PostgreSQL's index-only scans need the
    // visibility map of the freshly loaded keys.
    let settle = match app.db.backend {
        banli_store::Backend::Postgres => "VACUUM ANALYZE",
        banli_store::Backend::Sqlite => "ANALYZE",
    };
    sqlx::query(settle).execute(&app.db.pool).await?;
    Ok(big)
}

/// Inserts `n` handled items into `session` with SQL alone (one statement per table, the
/// same `$N` SQL on both databases): every item filed and assigned to a lead unit, every
/// fourth with a co unit; 80% replied (grades A/B/C, a tenth of them late), half of those
/// consulted in person and rated, grade B replies with a commitment, a third of them done.
async fn generate(app: &App, session: i64, n: usize, offset: usize) -> anyhow::Result<()> {
    let pool = &app.db.pool;
    let ids = |sql: &'static str| async move {
        sqlx::query_as::<_, (i64,)>(sql)
            .fetch_all(pool)
            .await
            .map(|v| v.into_iter().map(|x| x.0).collect::<Vec<i64>>())
    };
    let units = ids("SELECT id FROM units ORDER BY id").await?;
    let cats = ids("SELECT id FROM categories ORDER BY id").await?;
    let members = ids("SELECT id FROM users WHERE role = 'proposer' ORDER BY id").await?;
    let office = ids("SELECT id FROM users WHERE role = 'office' ORDER BY id").await?;
    if units.is_empty() || cats.is_empty() || members.is_empty() || office.is_empty() {
        bail!("演示机构缺少承办单位、类别、委员或提案办用户");
    }
    // Round-robin pick tables (k → id), so one SQL statement can spread rows over them.
    for (table, v) in [
        ("bench_units", &units),
        ("bench_cats", &cats),
        ("bench_members", &members),
    ] {
        sqlx::query(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (k BIGINT PRIMARY KEY, id BIGINT NOT NULL)"
        ))
        .execute(pool)
        .await?;
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(pool)
            .await?;
        for (k, id) in v.iter().enumerate() {
            sqlx::query(&format!("INSERT INTO {table} (k, id) VALUES ($1, $2)"))
                .bind(k as i64)
                .bind(*id)
                .execute(pool)
                .await?;
        }
    }
    let bar = progress(6, "生成 [{bar:40}] {pos}/{len} 张表 {elapsed}");
    let org = app.org_id;
    // Items, numbered 1..=n in the session.
    sqlx::query(
        "WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < $1)
         INSERT INTO items (org_id, session_id, kind, title, body, origin, category_id, first_proposer_id, state, number, submitted_on, filed_at, created_by, created_at, updated_at)
         SELECT $2, $3, 'proposal', '关于推进第' || (s.k + $4) || '项民生实事的提案', '建议加快推进城乡供水一体化和社区养老服务设施建设。', 'individual',
                c.id, m.id, CASE WHEN s.k % 5 = 0 THEN 'handling' WHEN s.k % 5 = 1 THEN 'replied' ELSE 'closed' END, s.k,
                '2026-01-12', '2026-01-20T09:00:00+08:00', $7, '2026-01-12T09:00:00+08:00', '2026-01-20T09:00:00+08:00'
         FROM s JOIN bench_cats c ON c.k = s.k % $5 JOIN bench_members m ON m.k = s.k % $6",
    )
    .bind(n as i64)
    .bind(org)
    .bind(session)
    .bind(offset as i64)
    .bind(cats.len() as i64)
    .bind(members.len() as i64)
    .bind(office[0])
    .execute(pool)
    .await?;
    bar.inc(1);
    // A lead assignment per item and a co assignment for every fourth; lead reply due 2026-04-20.
    sqlx::query(
        "INSERT INTO assignments (item_id, unit_id, role, state, assigned_on, return_by, first_consultation_by, co_opinion_by, reply_by, created_at)
         SELECT i.id, u.id, 'lead', 'accepted', '2026-01-20', '2026-01-27', '2026-02-20', NULL, '2026-04-20', '2026-01-20T09:00:00+08:00'
         FROM items i JOIN bench_units u ON u.k = i.number % $1 WHERE i.session_id = $2
         UNION ALL
         SELECT i.id, u.id, 'co', 'co_opinion_sent', '2026-01-20', '2026-01-27', '2026-02-20', '2026-03-20', NULL, '2026-01-20T09:00:00+08:00'
         FROM items i JOIN bench_units u ON u.k = (i.number + 7) % $1 WHERE i.session_id = $2 AND i.number % 4 = 0",
    )
    .bind(units.len() as i64)
    .bind(session)
    .execute(pool)
    .await?;
    bar.inc(1);
    // Sent replies for replied and closed items; one in ten after the due date.
    sqlx::query(
        "INSERT INTO documents (kind, assignment_id, round, state, body, grade, disclosure, contact_name, contact_phone, doc_number, drafted_by, sent_at, sent_on, evaluation_due, created_at, updated_at)
         SELECT 'reply', a.id, 1, 'sent', '经研究，现答复如下。', CASE i.number % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END, 'public', '张科长', '0731-88880000',
                '湘提〔2026〕' || i.number || '号', $1, '2026-04-01T09:00:00+08:00', CASE WHEN i.number % 10 = 3 THEN '2026-05-06' ELSE '2026-04-01' END,
                '2026-04-22', '2026-03-20T09:00:00+08:00', '2026-04-01T09:00:00+08:00'
         FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.session_id = $2 AND a.role = 'lead' AND i.state IN ('replied', 'closed')",
    )
    .bind(office[0])
    .bind(session)
    .execute(pool)
    .await?;
    bar.inc(1);
    // Consultations in person for half of the lead assignments.
    sqlx::query(
        "INSERT INTO consultations (assignment_id, method, held_on, summary, created_by, created_at)
         SELECT a.id, CASE WHEN i.number % 4 = 1 THEN 'phone' ELSE 'face_to_face' END, '2026-03-01', '当面沟通办理思路。', $1, '2026-03-01T09:00:00+08:00'
         FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.session_id = $2 AND a.role = 'lead' AND i.number % 2 = 1",
    )
    .bind(office[0])
    .bind(session)
    .execute(pool)
    .await?;
    bar.inc(1);
    // Evaluations of closed items' replies: mostly satisfied.
    sqlx::query(
        "INSERT INTO evaluations (assignment_id, document_id, handling, result, comment, source, entered_by, created_at)
         SELECT d.assignment_id, d.id, CASE WHEN i.number % 7 = 0 THEN 'basically_satisfied' ELSE 'satisfied' END,
                CASE WHEN i.number % 11 = 0 THEN 'unsatisfied' WHEN i.number % 7 = 0 THEN 'basically_satisfied' ELSE 'satisfied' END, NULL, 'online', $1, '2026-04-10T09:00:00+08:00'
         FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id WHERE i.session_id = $2 AND i.state = 'closed'",
    )
    .bind(office[0])
    .bind(session)
    .execute(pool)
    .await?;
    bar.inc(1);
    // A commitment per grade B reply, due in the autumn; a third done on time.
    sqlx::query(
        "INSERT INTO commitments (document_id, unit_id, text, due_on, status, percent, done_on, created_at, updated_at)
         SELECT d.id, a.unit_id, '年底前出台实施方案', '2026-10-31', CASE WHEN i.number % 9 = 1 THEN 'done' ELSE 'open' END,
                CASE WHEN i.number % 9 = 1 THEN 100 ELSE 50 END, CASE WHEN i.number % 9 = 1 THEN '2026-09-30' ELSE NULL END,
                '2026-04-01T09:00:00+08:00', '2026-04-01T09:00:00+08:00'
         FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id WHERE i.session_id = $1 AND d.grade = 'B'",
    )
    .bind(session)
    .execute(pool)
    .await?;
    bar.inc(1);
    bar.finish_and_clear();
    Ok(())
}

// ---- lists ----

#[derive(Args, Clone, Debug)]
pub struct ListsArgs {
    /// Handled items in the database (a 10,000-item session and a second with the rest).
    #[arg(long, default_value_t = 1_000_000)]
    pub items: usize,
    /// Timed calls per list (after one warm-up call), each on a page drawn at random.
    #[arg(long, default_value_t = 40)]
    pub rounds: usize,
    /// Also measure PostgreSQL: a fresh database is created from this URL and dropped after.
    #[arg(long, env = "BANLI_BENCH_PG_URL")]
    pub pg_url: Option<String>,
    /// Keep the SQLite database in this directory (and the PostgreSQL one) for a look with
    /// `sqlite3`/`psql` afterwards.
    #[arg(long)]
    pub keep: Option<std::path::PathBuf>,
}

/// `banli bench lists`: the item and assignment lists of the API and the staff pages (the
/// same `App` calls), with the usual filters and sorts, at a million items.
pub async fn run_lists(cfg: &Config, a: &ListsArgs) -> anyhow::Result<()> {
    if a.items < SESSION_ITEMS || a.rounds == 0 {
        bail!("--items 须至少 {SESSION_ITEMS}，--rounds 须大于0");
    }
    println!("# banli bench lists — {}", super::machine());
    println!("| database | items | list | who | p50 | p95 | max | rows on a page |");
    println!("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: |");
    for (label, pg) in backends(a.pg_url.as_deref()) {
        let mut db = Fresh::new(pg).await?;
        if let Some(dir) = &a.keep {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("无法创建目录 {}", dir.display()))?;
            if pg.is_none() {
                db.url = Db::sqlite_url(dir);
            }
        }
        let r = lists_once(&db.url, cfg, a, label).await;
        match &a.keep {
            Some(_) if pg.is_some() => println!("(kept PostgreSQL database: {})", db.url),
            _ => db.drop().await,
        }
        for line in r? {
            println!("{line}");
        }
    }
    Ok(())
}

async fn lists_once(
    url: &str,
    cfg: &Config,
    a: &ListsArgs,
    label: &str,
) -> anyhow::Result<Vec<String>> {
    use banli_app::view::{AssignmentQuery, ItemQuery};
    let app = demo_org(url, cfg).await?;
    let big = handled_items(&app, a.items).await?;
    let name = |role: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            let (n,): (String,) = sqlx::query_as(
                "SELECT username FROM users WHERE role = $1 AND (unit_id IS NOT NULL OR role = 'proposer') ORDER BY id LIMIT 1",
            )
            .bind(role)
            .fetch_one(&pool)
            .await?;
            anyhow::Ok(n)
        }
    };
    let office = app.actor_by_name("office").await?;
    let staff = app.actor_by_name(&name("unit_staff").await?).await?;
    let member = app.actor_by_name(&name("proposer").await?).await?;
    let unit = staff.unit_id;
    let pages = (a.items / 50).max(1);
    let mut seed = 0x2026_1207_u64;
    let mut page = move |limit: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        Some((seed % limit.max(1) as u64) as i64 + 1)
    };
    type Case = (&'static str, &'static str, u8);
    let cases: [Case; 11] = [
        ("/api/v1/items, by number", "office", 0),
        ("/api/v1/items?session_id (the large session)", "office", 1),
        ("/api/v1/items?state=handling", "office", 2),
        ("/api/v1/items?unit_id", "office", 3),
        ("/api/v1/items?category=经济建设", "office", 4),
        ("/api/v1/items?sort=updated", "office", 5),
        ("/api/v1/items (a unit's own)", "unit staff", 6),
        ("/api/v1/items (a member's own)", "member", 7),
        ("/api/v1/assignments", "office", 8),
        ("/api/v1/assignments (a unit's own)", "unit staff", 9),
        (
            "/api/v1/assignments?state=accepted&due_before",
            "office",
            10,
        ),
    ];
    let mut out = Vec::new();
    for (what, who, k) in cases {
        let mut times = Vec::with_capacity(a.rounds);
        let mut rows = 0;
        for round in 0..=a.rounds {
            // Deep pages as well as the first: a random page of the whole list.
            let p = if round == 0 {
                Some(1)
            } else {
                page(pages / 20)
            };
            let item = |q: ItemQuery| ItemQuery {
                page: p,
                per_page: Some(50),
                ..q
            };
            let t = Instant::now();
            let n = match k {
                0..=7 => {
                    let q = match k {
                        1 => item(ItemQuery {
                            session_id: Some(big),
                            ..Default::default()
                        }),
                        2 => item(ItemQuery {
                            state: Some("handling".into()),
                            ..Default::default()
                        }),
                        3 => item(ItemQuery {
                            unit_id: unit,
                            ..Default::default()
                        }),
                        4 => item(ItemQuery {
                            category: Some("经济建设".into()),
                            ..Default::default()
                        }),
                        5 => item(ItemQuery {
                            sort: Some("updated".into()),
                            ..Default::default()
                        }),
                        _ => item(ItemQuery::default()),
                    };
                    let actor = match k {
                        6 => &staff,
                        7 => &member,
                        _ => &office,
                    };
                    app.list_items(actor, q).await?.items.len()
                }
                _ => {
                    let q = AssignmentQuery {
                        page: p,
                        per_page: Some(50),
                        state: (k == 10).then(|| "accepted".into()),
                        due_before: (k == 10).then(|| "2026-06-01".parse().expect("date")),
                        ..Default::default()
                    };
                    let actor = if k == 9 { &staff } else { &office };
                    app.list_assignments(actor, q).await?.items.len()
                }
            };
            if round > 0 {
                times.push(t.elapsed());
            } else {
                rows = n;
            }
        }
        times.sort();
        out.push(format!(
            "| {label} | {} | {what} | {who} | {:.1} ms | {:.1} ms | {:.1} ms | {rows} |",
            thousands(a.items as u64),
            super::pct_ms(&times, 0.5),
            super::pct_ms(&times, 0.95),
            super::pct_ms(&times, 1.0),
        ));
    }
    app.db.close().await;
    Ok(out)
}
