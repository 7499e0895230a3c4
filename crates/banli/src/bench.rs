//! `banli bench`: the core measured end to end. Lifecycles run over real HTTP against an
//! in-process server on a fresh database (SQLite in a temporary directory; PostgreSQL in a
//! database made for the run and dropped after), then the demo organisation is built and
//! timed. Numbers are printed for BENCHMARKS.md, never asserted.

use crate::config::Config;
use anyhow::{bail, Context};
use banli_app::{App, Settings};
use banli_store::{sqlx, Db};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Options {
    pub lifecycles: usize,
    pub concurrency: usize,
    pub pg_url: Option<String>,
    pub skip_demo: bool,
}

pub async fn run(cfg: &Config, o: Options) -> anyhow::Result<()> {
    if o.lifecycles == 0 || o.concurrency == 0 {
        bail!("--lifecycles 和 --concurrency 须大于0");
    }
    println!("# banli bench — {} lifecycles, {} concurrent clients, {} cores", o.lifecycles, o.concurrency, std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let sqlite = Db::sqlite_url(dir.path());
    lifecycles("SQLite", &sqlite, cfg, &o).await?;
    if let Some(pg) = &o.pg_url {
        let (url, name) = fresh_pg(pg).await?;
        let r = lifecycles("PostgreSQL", &url, cfg, &o).await;
        drop_pg(pg, &name).await;
        r?;
    } else {
        println!("(PostgreSQL skipped: pass --pg-url postgres://… to measure it too)");
    }
    if !o.skip_demo {
        let demo_dir = tempfile::tempdir()?;
        let app = open(&Db::sqlite_url(demo_dir.path()), cfg).await?;
        let started = Instant::now();
        let users = crate::demo::load(&app).await?;
        let took = started.elapsed();
        let (items,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM items").fetch_one(&app.db.pool).await?;
        println!("demo build (SQLite): {:.2} s for {items} items and {} users", took.as_secs_f64(), users.len());
    }
    Ok(())
}

async fn open(url: &str, cfg: &Config) -> anyhow::Result<App> {
    let db = Db::connect(url).await?;
    Ok(App::open(db, &cfg.organisation, Settings { public_base_url: "http://bench.invalid".into() }).await?)
}

async fn fresh_pg(base: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("banli_bench_{}", std::process::id());
    let mut c = sqlx::postgres::PgConnection::connect(base).await.with_context(|| format!("无法连接 PostgreSQL {base}"))?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut c).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await?;
    let (head, _) = base.rsplit_once('/').context("PostgreSQL 地址缺少数据库名")?;
    Ok((format!("{head}/{name}"), name))
}

async fn drop_pg(base: &str, name: &str) {
    use sqlx::Connection;
    if let Ok(mut c) = sqlx::postgres::PgConnection::connect(base).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(&self, token: Option<&str>, path: &str, body: Value, lat: &mut Vec<Duration>) -> anyhow::Result<Value> {
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

async fn lifecycles(label: &str, url: &str, cfg: &Config, o: &Options) -> anyhow::Result<()> {
    let app = open(url, cfg).await?;
    app.set_today(Some("2025-03-03".parse()?));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = banli_web::router(app.clone(), None, None);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let c = Arc::new(Client { http: reqwest::Client::new(), base });
    // The organisation: an admin, one unit with staff and signer, an office user, proposers.
    use banli_app::admin::NewUser;
    use banli_domain::model::Role;
    app.insert_user(None, NewUser { username: "bench-admin".into(), password: "bench-password".into(), display_name: "管理员".into(), role: Role::Admin, unit_id: None, sector: None }).await?;
    let mut lat = Vec::new();
    let login = |u: &'static str| {
        let c = c.clone();
        async move {
            let mut l = Vec::new();
            let v = c.call(None, "/api/v1/auth/token", json!({"username": u, "password": "bench-password"}), &mut l).await?;
            anyhow::Ok(v["token"].as_str().unwrap_or_default().to_string())
        }
    };
    let admin = login("bench-admin").await?;
    let unit = c.call(Some(&admin), "/api/v1/units", json!({"name": "湖南省发展和改革委员会", "short_name": "省发展改革委", "doc_prefix": "湘发改提"}), &mut lat).await?["id"].as_i64().unwrap_or_default();
    for (u, role, unit_id) in [("bench-office", "office", None), ("bench-member", "proposer", None), ("bench-staff", "unit_staff", Some(unit)), ("bench-signer", "unit_signer", Some(unit))] {
        c.call(Some(&admin), "/api/v1/users", json!({"username": u, "password": "bench-password", "display_name": u, "role": role, "unit_id": unit_id}), &mut lat).await?;
    }
    let session = c.call(Some(&admin), "/api/v1/sessions", json!({"name": "十三届三次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 3, "opened_on": "2025-01-12"}), &mut lat).await?["id"].as_i64().unwrap_or_default();
    let tokens = Arc::new([login("bench-office").await?, login("bench-member").await?, login("bench-staff").await?, login("bench-signer").await?]);

    let bar = ProgressBar::new(o.lifecycles as u64).with_message(label.to_string());
    bar.set_style(ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} lifecycles {per_sec}").unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..o.concurrency {
        let (c, tokens, next, bar, total) = (c.clone(), tokens.clone(), next.clone(), bar.clone(), o.lifecycles);
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < total {
                one_lifecycle(&c, &tokens, session, unit, &mut lat).await?;
                bar.inc(1);
            }
            anyhow::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    let took = started.elapsed();
    bar.finish_and_clear();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "{label}: {} lifecycles in {:.2} s = {:.1} lifecycles/s ({:.0} requests/s); request latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        o.lifecycles,
        took.as_secs_f64(),
        o.lifecycles as f64 / took.as_secs_f64(),
        all.len() as f64 / took.as_secs_f64(),
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
    server.abort();
    app.db.close().await;
    Ok(())
}

/// draft → submit → file → assign → accept → consultation → reply → approve → evaluate → close.
async fn one_lifecycle(c: &Client, t: &[String; 4], session: i64, unit: i64, lat: &mut Vec<Duration>) -> anyhow::Result<()> {
    let [office, member, staff, signer] = t.each_ref().map(|s| Some(s.as_str()));
    let id = c.call(member, "/api/v1/items", json!({"session_id": session, "title": "关于持续优化营商环境的提案", "body": "建议进一步深化“一网通办”改革，压减审批时限。", "origin": "individual", "category": "经济建设"}), lat).await?["id"].as_i64().unwrap_or_default();
    c.call(member, &format!("/api/v1/items/{id}/submit"), json!({}), lat).await?;
    c.call(office, &format!("/api/v1/items/{id}/file"), json!({}), lat).await?;
    let a = c.call(office, &format!("/api/v1/items/{id}/assign"), json!({"lead": unit}), lat).await?["assignments"][0]["id"].as_i64().unwrap_or_default();
    c.call(staff, &format!("/api/v1/assignments/{a}/accept"), json!({}), lat).await?;
    c.call(staff, &format!("/api/v1/assignments/{a}/consultations"), json!({"method": "face_to_face", "date": "2025-03-03", "summary": "面商"}), lat).await?;
    c.call(staff, &format!("/api/v1/assignments/{a}/reply"), json!({"body": "感谢您的提案。我们已出台相关措施。", "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888"}), lat).await?;
    c.call(signer, &format!("/api/v1/assignments/{a}/reply/approve"), json!({}), lat).await?;
    c.call(member, &format!("/api/v1/assignments/{a}/evaluation"), json!({"handling": "satisfied", "result": "satisfied"}), lat).await?;
    c.call(office, &format!("/api/v1/items/{id}/close"), json!({}), lat).await?;
    Ok(())
}
