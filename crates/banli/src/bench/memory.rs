//! `banli bench memory`: what `banli serve` keeps resident over a database of a million
//! handled items with their search index, at rest and under a mixed load of readers, with
//! the heap (anonymous pages: malloc's arenas, thread stacks) apart from mapped files (the
//! search index's segments, the binary itself). Linux only: it reads /proc/PID/smaps.
//!
//! The data directory is made on the first run (database, published replies, search index,
//! a few minutes at a million items) and reused by later runs given the same `--dir`.

use super::{pct_ms, progress, thousands};
use crate::config::Config;
use anyhow::{bail, Context};
use banli_app::admin::NewUser;
use banli_app::publish::PublishInput;
use banli_domain::model::Role;
use banli_store::{sqlx, Db};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Args, Clone, Debug)]
pub struct MemoryArgs {
    /// Handled items in the database.
    #[arg(long, default_value_t = 1_000_000)]
    pub items: usize,
    /// The data directory served: made on the first run, reused by later runs (default: a
    /// temporary directory, removed after).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Seconds of mixed load.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Concurrent clients during the load.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Replies published on the portal (pages the load reads).
    #[arg(long, default_value_t = 2000)]
    pub published: usize,
}

/// Written into the data directory once it is complete: what it holds.
const MARKER: &str = "bench-memory.txt";
const USER: &str = "bench-office";
const PASSWORD: &str = "bench-password";
/// Words the load searches for: one, two, three-to-four characters and two words.
const WORDS: [&str; 8] = [
    "水",
    "养老",
    "社区",
    "城乡供水",
    "民生实事",
    "营商环境",
    "养老 服务",
    "供水 一体化",
];

pub async fn run(cfg: &Config, a: &MemoryArgs) -> anyhow::Result<()> {
    if a.items < super::data::SESSION_ITEMS || a.seconds == 0 || a.clients == 0 {
        bail!(
            "--items 须至少 {}，--seconds 与 --clients 须大于0",
            super::data::SESSION_ITEMS
        );
    }
    if !Path::new("/proc/self/smaps_rollup").exists() {
        bail!("此基准读取 /proc/PID/smaps，只能在 Linux 上运行");
    }
    let temp;
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => {
            temp = tempfile::tempdir().context("无法创建临时目录")?;
            temp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    let marker = dir.join(MARKER);
    let started = Instant::now();
    match std::fs::read_to_string(&marker) {
        Ok(held) if held.trim() == a.items.to_string() => {
            println!(
                "(reusing the data directory {}: {held} items)",
                dir.display()
            )
        }
        Ok(held) => bail!(
            "目录 {} 中已有 {} 件的基准数据：请用 --items {} 或换一个目录",
            dir.display(),
            held.trim(),
            held.trim()
        ),
        Err(_) if dir.join("banli.sqlite3").exists() => bail!(
            "目录 {} 中已有不是此基准生成的数据库：请换一个空目录",
            dir.display()
        ),
        Err(_) => {
            prepare(cfg, a, &dir).await?;
            std::fs::write(&marker, a.items.to_string())?;
        }
    }
    let prepared = started.elapsed();
    let (published, session) = targets(&dir).await?;
    println!("# banli bench memory — {}", super::machine());
    println!(
        "{} items, {} published replies; data directory ready in {:.0} s",
        thousands(a.items as u64),
        thousands(published.len() as u64),
        prepared.as_secs_f64()
    );
    measure(cfg, a, &dir, published, session).await
}

/// The database (the handled items of `bench lists`, facts and list keys built), a user for
/// the load, published replies, and the search index built by `banli reindex`.
async fn prepare(cfg: &Config, a: &MemoryArgs, dir: &Path) -> anyhow::Result<()> {
    let app = super::data::demo_org(&Db::sqlite_url(dir), cfg).await?;
    super::data::handled_items(&app, a.items).await?;
    app.insert_user(
        None,
        NewUser {
            username: USER.into(),
            password: PASSWORD.into(),
            display_name: "基准提案办".into(),
            role: Role::Office,
            unit_id: None,
            sector: None,
            email: None,
            phone: None,
        },
    )
    .await?;
    let office = app.actor_by_name(USER).await?;
    let docs: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM documents WHERE kind = 'reply' AND state = 'sent' ORDER BY id DESC LIMIT $1",
    )
    .bind(a.published as i64)
    .fetch_all(&app.db.pool)
    .await?;
    let bar = progress(
        docs.len() as u64,
        "公开 [{bar:40}] {pos}/{len} 份答复 {per_sec}",
    );
    for (id,) in docs {
        let input = PublishInput {
            source: None,
            editor: Some("基准编辑".into()),
            disclosure: None,
            note: None,
        };
        app.publish(&office, id, "reply", input.into())
            .await
            .map_err(|e| anyhow::anyhow!("公开答复 {id} 失败：{e:?}"))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    app.db.close().await;
    let status = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--data-dir")
        .arg(dir)
        .arg("--organisation")
        .arg(&cfg.organisation)
        .arg("reindex")
        .env("RUST_LOG", "error")
        .status()
        .await?;
    if !status.success() {
        bail!("banli reindex 失败（{status}）");
    }
    Ok(())
}

/// The published replies' page paths and the large session's id.
async fn targets(dir: &Path) -> anyhow::Result<(Vec<String>, i64)> {
    let db = Db::connect(&Db::sqlite_url(dir)).await?;
    let pages: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT document_id FROM publications WHERE withdrawn_at IS NULL ORDER BY document_id",
    )
    .fetch_all(&db.pool)
    .await?;
    let (session,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM sessions")
        .fetch_one(&db.pool)
        .await?;
    db.close().await;
    if pages.is_empty() {
        bail!("数据目录中没有已公开的答复：请删除它重新生成");
    }
    Ok((
        pages
            .into_iter()
            .map(|(id,)| format!("/replies/{id}"))
            .collect(),
        session,
    ))
}

/// Resident memory of a process, from /proc/PID/smaps, in bytes.
#[derive(Clone, Copy, Default)]
struct Resident {
    total: u64,
    /// Anonymous pages: the heap and the threads' stacks.
    heap: u64,
    /// Pages of mapped files under the search index directory.
    index: u64,
    /// Pages of every other mapped file (the binary, shared libraries).
    other_files: u64,
}

impl Resident {
    fn read(pid: u32, index_dir: &Path) -> Option<Resident> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).ok()?;
        let index_dir = index_dir.to_string_lossy();
        let mut r = Resident::default();
        let mut file: Option<bool> = None; // Some(in the index) for a file mapping
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            let first = parts.next().unwrap_or_default();
            if first.contains('-') && !first.ends_with(':') {
                // A mapping's header: address perms offset dev inode [path]
                let path = parts.nth(4).unwrap_or_default();
                file = path
                    .starts_with('/')
                    .then(|| path.starts_with(index_dir.as_ref()));
                continue;
            }
            let mut kb = || -> u64 { parts.next().and_then(|v| v.parse().ok()).unwrap_or(0) };
            match first {
                "Rss:" => {
                    let v = kb() * 1024;
                    r.total += v;
                    match file {
                        Some(true) => r.index += v,
                        Some(false) => r.other_files += v,
                        None => {}
                    }
                }
                "Anonymous:" => r.heap += kb() * 1024,
                _ => {}
            }
        }
        Some(r)
    }

    fn max(self, o: Resident) -> Resident {
        Resident {
            total: self.total.max(o.total),
            heap: self.heap.max(o.heap),
            index: self.index.max(o.index),
            other_files: self.other_files.max(o.other_files),
        }
    }
}

fn mb(b: u64) -> String {
    format!("{:.0} MB", b as f64 / 1e6)
}

async fn measure(
    cfg: &Config,
    a: &MemoryArgs,
    dir: &Path,
    published: Vec<String>,
    session: i64,
) -> anyhow::Result<()> {
    let port = super::page::free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(dir.join("serve.log"))?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--data-dir")
        .arg(dir)
        .arg("--organisation")
        .arg(&cfg.organisation)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .context("无法启动 banli serve")?;
    let pid = child.id().context("banli serve 已退出")?;
    let http = reqwest::Client::new();
    let up = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        if up.elapsed() > Duration::from_secs(120) || child.try_wait()?.is_some() {
            bail!(
                "banli serve 未能在 120 秒内就绪：见 {}",
                dir.join("serve.log").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let index_dir = dir.join("index");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rest = Resident::read(pid, &index_dir).context("读不到 banli serve 的 /proc/PID/smaps")?;

    let token: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": USER, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"]
        .as_str()
        .context("基准用户无法登录")?
        .to_string();
    let pages = (a.items / 50).max(1);
    let paths: Arc<Vec<String>> = Arc::new(published);
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(vec![Vec::new(); KINDS.len()]));
    let next = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(Mutex::new(rest));
    let sampler = {
        let peak = peak.clone();
        let index_dir = index_dir.clone();
        tokio::spawn(async move {
            while Instant::now() < deadline {
                if let Some(r) = Resident::read(pid, &index_dir) {
                    let mut p = peak.lock().expect("peak");
                    *p = p.max(r);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let bar = progress(a.seconds, "负载 [{bar:40}] {pos}/{len} 秒");
    let mut clients = Vec::new();
    for c in 0..a.clients {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        let (paths, done, failed, latencies, next) = (
            paths.clone(),
            done.clone(),
            failed.clone(),
            latencies.clone(),
            next.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ (c as u64 + 1);
            let mut rand = move |n: usize| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % n.max(1) as u64) as usize
            };
            while Instant::now() < deadline {
                let k = next.fetch_add(1, Ordering::Relaxed) % KINDS.len();
                let word = WORDS[rand(WORDS.len())];
                let (path, staff) = match k {
                    0 => ("/".to_string(), false),
                    1 => (paths[rand(paths.len())].clone(), false),
                    2 => (format!("{}?script=hant", paths[rand(paths.len())]), false),
                    3 => (format!("/search?q={word}"), false),
                    4 => (
                        format!("/api/v1/items?page={}&per_page=50", rand(pages) + 1),
                        true,
                    ),
                    5 => (
                        format!("/api/v1/assignments?page={}&per_page=50", rand(pages) + 1),
                        true,
                    ),
                    6 => (format!("/api/v1/items?q={word}&per_page=20"), true),
                    _ => (format!("/api/v1/stats?session_id={session}"), true),
                };
                let mut req = http.get(format!("{base}{path}"));
                if staff {
                    req = req.bearer_auth(&token);
                }
                let t = Instant::now();
                let ok = match req.send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let took = t.elapsed();
                done.fetch_add(1, Ordering::Relaxed);
                if ok {
                    latencies.lock().expect("latencies")[k].push(took);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        bar.inc(1);
    }
    for c in clients {
        c.await?;
    }
    sampler.await?;
    bar.finish_and_clear();
    let peak = *peak.lock().expect("peak");
    tokio::time::sleep(Duration::from_secs(10)).await;
    let after = Resident::read(pid, &index_dir).context("banli serve 在负载中退出")?;
    child.kill().await.ok();

    let total = done.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    println!(
        "load: {} clients, {} s, {} requests ({:.0}/s), {} failed",
        a.clients,
        a.seconds,
        thousands(total),
        total as f64 / a.seconds as f64,
        failed
    );
    println!("| request | answered | p50 | p95 |");
    println!("| --- | ---: | ---: | ---: |");
    let mut latencies = latencies.lock().expect("latencies").clone();
    for (k, l) in latencies.iter_mut().enumerate() {
        l.sort();
        println!(
            "| {} | {} | {:.1} ms | {:.1} ms |",
            KINDS[k],
            thousands(l.len() as u64),
            pct_ms(l, 0.5),
            pct_ms(l, 0.95)
        );
    }
    println!();
    println!("| serve | RSS | heap (anonymous) | search index pages | other mapped files |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (label, r) in [
        ("at rest (5 s after start)", rest),
        ("peak under load (each column its own maximum)", peak),
        ("10 s after the load", after),
    ] {
        println!(
            "| {label} | {} | {} | {} | {} |",
            mb(r.total),
            mb(r.heap),
            mb(r.index),
            mb(r.other_files)
        );
    }
    let index_size = super::search::dir_size(&index_dir);
    println!("search index on disk: {}", mb(index_size));
    if failed > 0 {
        bail!(
            "{failed} 个请求失败：见 {}",
            dir.join("serve.log").display()
        );
    }
    Ok(())
}

/// What each request of the load's round asks for.
const KINDS: [&str; 8] = [
    "portal home",
    "reply page (简)",
    "reply page (繁)",
    "portal search",
    "/api/v1/items, a random page",
    "/api/v1/assignments, a random page",
    "/api/v1/items?q= (search)",
    "/api/v1/stats (large session)",
];
