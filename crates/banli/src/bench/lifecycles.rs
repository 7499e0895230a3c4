//! `banli bench lifecycles` (and plain `banli bench`): lifecycles run over real HTTP against an
//! in-process server on a fresh database (SQLite in a temporary directory; PostgreSQL in a
//! database made for the run and dropped after), then the demo organisation is built and timed.

use super::{drop_pg, fresh_pg, open, pct_ms, progress, Client, Org};
use crate::config::Config;
use anyhow::{bail, Context};
use banli_store::{sqlx, Db};
use clap::Args;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Clone, Debug)]
pub struct LifecycleArgs {
    /// Lifecycles to run (each: draft → submit → file → assign → accept → reply → approve → evaluate → close).
    #[arg(long, default_value_t = 200)]
    pub lifecycles: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Also measure PostgreSQL: a fresh database is created from this URL and dropped after.
    #[arg(long, env = "BANLI_BENCH_PG_URL")]
    pub pg_url: Option<String>,
    /// Do not time the demo build.
    #[arg(long)]
    pub skip_demo: bool,
}

pub async fn run(cfg: &Config, o: &LifecycleArgs) -> anyhow::Result<()> {
    if o.lifecycles == 0 || o.concurrency == 0 {
        bail!("--lifecycles 和 --concurrency 须大于0");
    }
    println!(
        "# banli bench — {} lifecycles, {} concurrent clients, {} cores",
        o.lifecycles,
        o.concurrency,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let sqlite = Db::sqlite_url(dir.path());
    lifecycles("SQLite", &sqlite, cfg, o).await?;
    if let Some(pg) = &o.pg_url {
        let (url, name) = fresh_pg(pg).await?;
        let r = lifecycles("PostgreSQL", &url, cfg, o).await;
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
        let (items,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM items")
            .fetch_one(&app.db.pool)
            .await?;
        println!(
            "demo build (SQLite): {:.2} s for {items} items and {} users",
            took.as_secs_f64(),
            users.len()
        );
    }
    Ok(())
}

async fn lifecycles(label: &str, url: &str, cfg: &Config, o: &LifecycleArgs) -> anyhow::Result<()> {
    let org = Org::start(url, cfg).await?;
    let (c, tokens, session, unit) = (org.c.clone(), org.tokens.clone(), org.session, org.unit);
    let bar = progress(
        o.lifecycles as u64,
        "{msg:>10} [{bar:40}] {pos}/{len} lifecycles {per_sec}",
    )
    .with_message(label.to_string());
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..o.concurrency {
        let (c, tokens, next, bar, total) = (
            c.clone(),
            tokens.clone(),
            next.clone(),
            bar.clone(),
            o.lifecycles,
        );
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
    println!(
        "{label}: {} lifecycles in {:.2} s = {:.1} lifecycles/s ({:.0} requests/s); request latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        o.lifecycles,
        took.as_secs_f64(),
        o.lifecycles as f64 / took.as_secs_f64(),
        all.len() as f64 / took.as_secs_f64(),
        pct_ms(&all, 0.50),
        pct_ms(&all, 0.95),
        pct_ms(&all, 0.99)
    );
    org.stop().await;
    Ok(())
}

/// draft → submit → file → assign → accept → consultation → reply → approve → evaluate → close.
async fn one_lifecycle(
    c: &Client,
    t: &[String; 4],
    session: i64,
    unit: i64,
    lat: &mut Vec<Duration>,
) -> anyhow::Result<()> {
    let [office, member, staff, signer] = t.each_ref().map(|s| Some(s.as_str()));
    let id = c.call(member, "/api/v1/items", json!({"session_id": session, "title": "关于持续优化营商环境的提案", "body": "建议进一步深化“一网通办”改革，压减审批时限。", "origin": "individual", "category": "经济建设"}), lat).await?["id"].as_i64().unwrap_or_default();
    c.call(
        member,
        &format!("/api/v1/items/{id}/submit"),
        json!({}),
        lat,
    )
    .await?;
    c.call(office, &format!("/api/v1/items/{id}/file"), json!({}), lat)
        .await?;
    let a = c
        .call(
            office,
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": unit}),
            lat,
        )
        .await?["assignments"][0]["id"]
        .as_i64()
        .unwrap_or_default();
    c.call(
        staff,
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
        lat,
    )
    .await?;
    c.call(
        staff,
        &format!("/api/v1/assignments/{a}/consultations"),
        json!({"method": "face_to_face", "date": "2025-03-03", "summary": "面商"}),
        lat,
    )
    .await?;
    c.call(staff, &format!("/api/v1/assignments/{a}/reply"), json!({"body": "感谢您的提案。我们已出台相关措施。", "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888"}), lat).await?;
    c.call(
        signer,
        &format!("/api/v1/assignments/{a}/reply/approve"),
        json!({}),
        lat,
    )
    .await?;
    c.call(
        member,
        &format!("/api/v1/assignments/{a}/evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
        lat,
    )
    .await?;
    c.call(office, &format!("/api/v1/items/{id}/close"), json!({}), lat)
        .await?;
    Ok(())
}
