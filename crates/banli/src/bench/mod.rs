//! `banli bench`: Banli measured end to end, numbers printed for BENCHMARKS.md, never asserted.
//!
//! - `banli bench lifecycles` (also plain `banli bench`, as before): item lifecycles over real
//!   HTTP against an in-process server, on SQLite and optionally PostgreSQL, and the demo build.
//! - `banli bench search`: the search index over synthetic items and replies made from the
//!   government-text corpus, side by side with SQLite FTS5 (trigram) and PostgreSQL pg_trgm.
//! - `banli bench page`: the public reply page under wrk, next to nginx serving the same HTML.
//! - `banli bench import` / `banli bench stats`: an Excel import of 10k–100k rows, and the §7
//!   statistics over 10k–1M handled items.
//! - `banli bench lists`: the item and assignment lists, filtered and sorted, at 1M items.
//! - `banli bench memory`: `banli serve`'s resident heap and mapped index at rest and under
//!   load at 1M items.

mod data;
mod lifecycles;
mod memory;
mod page;
mod search;

use crate::config::Config;
use anyhow::{bail, Context};
use banli_app::{App, Settings};
use banli_store::{sqlx, Db};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use data::{ImportArgs, ListsArgs, StatsArgs};
pub use lifecycles::LifecycleArgs;
pub use memory::MemoryArgs;
pub use page::PageArgs;
pub use search::SearchArgs;

/// `banli bench [lifecycles|search|page]`; without a subcommand the lifecycle bench runs with
/// the flags given (`banli bench --lifecycles 50` works as it always did).
#[derive(Args, Clone, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: Option<BenchCommand>,
    #[command(flatten)]
    lifecycles: LifecycleArgs,
}

#[derive(Subcommand, Clone, Debug)]
enum BenchCommand {
    /// Lifecycles per second through the API (SQLite, and PostgreSQL with --pg-url), and the demo build time.
    Lifecycles(LifecycleArgs),
    /// Search over synthetic items and replies made from the corpus: banli-search vs SQLite FTS5 trigram (and PostgreSQL pg_trgm with --pg-url).
    Search(SearchArgs),
    /// The public reply page under wrk, next to nginx serving the same HTML as a static file.
    Page(PageArgs),
    /// An .xlsx of N items written, read and imported (all rows checked, one transaction), with units assigned.
    Import(ImportArgs),
    /// The statistics of DESIGN §7 for a 10k-item session in databases of 10k to 1M handled items.
    Stats(StatsArgs),
    /// The item and assignment lists (API and staff pages) with filters and sorts at 1M items.
    Lists(ListsArgs),
    /// Resident memory of `banli serve` (heap apart from the mapped index) at rest and under load at 1M items.
    Memory(MemoryArgs),
}

pub async fn run(cfg: &Config, args: &BenchArgs) -> anyhow::Result<()> {
    match &args.command {
        None => lifecycles::run(cfg, &args.lifecycles).await,
        Some(BenchCommand::Lifecycles(a)) => lifecycles::run(cfg, a).await,
        Some(BenchCommand::Search(a)) => search::run(a).await,
        Some(BenchCommand::Page(a)) => page::run(cfg, a).await,
        Some(BenchCommand::Import(a)) => data::run_import(cfg, a).await,
        Some(BenchCommand::Stats(a)) => data::run_stats(cfg, a).await,
        Some(BenchCommand::Lists(a)) => data::run_lists(cfg, a).await,
        Some(BenchCommand::Memory(a)) => memory::run(cfg, a).await,
    }
}

// ---- shared helpers ----

async fn open(url: &str, cfg: &Config) -> anyhow::Result<App> {
    let db = Db::connect(url).await?;
    Ok(App::open(
        db,
        &cfg.organisation,
        Settings {
            public_base_url: "http://bench.invalid".into(),
            backups: None,
        },
    )
    .await?)
}

/// A fresh database next to the one `base` names: (its URL, its name).
async fn fresh_pg(base: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("banli_bench_{}", std::process::id());
    let mut c = sqlx::postgres::PgConnection::connect(base)
        .await
        .with_context(|| format!("无法连接 PostgreSQL {base}"))?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut c)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await?;
    let (head, _) = base
        .rsplit_once('/')
        .context("PostgreSQL 地址缺少数据库名")?;
    Ok((format!("{head}/{name}"), name))
}

async fn drop_pg(base: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut c) = sqlx::postgres::PgConnection::connect(base).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .await;
    }
}

fn progress(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// The value at quantile `p` (0..=1) of sorted durations, in milliseconds.
fn pct_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One line about the machine: cores, CPU model, memory.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    format!(
        "{} cores ({}), {:.1} GiB memory",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        model,
        mem_kb as f64 / 1024.0 / 1024.0
    )
}

/// A `VmHWM`/`VmRSS`-style field of /proc/PID/status, in bytes.
fn proc_status_bytes(pid: &str, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Resets this process's peak RSS to its current RSS (Linux: `5` → /proc/self/clear_refs).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(
        &self,
        token: Option<&str>,
        path: &str,
        body: Value,
        lat: &mut Vec<Duration>,
    ) -> anyhow::Result<Value> {
        let started = Instant::now();
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let v: Value = resp.json().await?;
        lat.push(started.elapsed());
        if !status.is_success() {
            bail!("{path} → {status}: {v}");
        }
        Ok(v)
    }
}

/// A real server in-process on a loopback port, with an organisation made through the API:
/// an admin, one unit with staff and signer, an office user, a proposer, and a session.
struct Org {
    app: App,
    c: Arc<Client>,
    /// office, member, staff, signer.
    tokens: Arc<[String; 4]>,
    session: i64,
    unit: i64,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Org {
    async fn start(url: &str, cfg: &Config) -> anyhow::Result<Org> {
        let app = open(url, cfg).await?;
        app.set_today(Some("2025-03-03".parse()?));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let router = banli_web::router(app.clone(), None, None);
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let c = Arc::new(Client {
            http: reqwest::Client::new(),
            base,
        });
        use banli_app::admin::NewUser;
        use banli_domain::model::Role;
        app.insert_user(
            None,
            NewUser {
                username: "bench-admin".into(),
                password: "bench-password".into(),
                display_name: "管理员".into(),
                role: Role::Admin,
                unit_id: None,
                sector: None,
                email: None,
                phone: None,
            },
        )
        .await?;
        let mut lat = Vec::new();
        let login = |u: &'static str| {
            let c = c.clone();
            async move {
                let mut l = Vec::new();
                let v = c
                    .call(
                        None,
                        "/api/v1/auth/token",
                        json!({"username": u, "password": "bench-password"}),
                        &mut l,
                    )
                    .await?;
                anyhow::Ok(v["token"].as_str().unwrap_or_default().to_string())
            }
        };
        let admin = login("bench-admin").await?;
        let unit = c.call(Some(&admin), "/api/v1/units", json!({"name": "湖南省发展和改革委员会", "short_name": "省发展改革委", "doc_prefix": "湘发改提"}), &mut lat).await?["id"].as_i64().unwrap_or_default();
        for (u, role, unit_id) in [
            ("bench-office", "office", None),
            ("bench-member", "proposer", None),
            ("bench-staff", "unit_staff", Some(unit)),
            ("bench-signer", "unit_signer", Some(unit)),
        ] {
            c.call(Some(&admin), "/api/v1/users", json!({"username": u, "password": "bench-password", "display_name": u, "role": role, "unit_id": unit_id}), &mut lat).await?;
        }
        let session = c.call(Some(&admin), "/api/v1/sessions", json!({"name": "十三届三次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 3, "opened_on": "2025-01-12"}), &mut lat).await?["id"].as_i64().unwrap_or_default();
        let tokens = Arc::new([
            login("bench-office").await?,
            login("bench-member").await?,
            login("bench-staff").await?,
            login("bench-signer").await?,
        ]);
        Ok(Org {
            app,
            c,
            tokens,
            session,
            unit,
            server,
        })
    }

    async fn stop(self) {
        self.server.abort();
        self.app.db.close().await;
    }
}
