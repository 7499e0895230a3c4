//! `banli bench page`: the public reply page, rendered by the real server (in-process, on a
//! temporary SQLite database, the reply made and published through the API), under wrk on
//! loopback; then the same HTML, fetched once and written to a file, served by nginx on another
//! loopback port under the same load. Prints requests per second, p50 and p99 latency, and the
//! ratio. wrk and nginx come from Debian: `apt-get install wrk nginx-light`.

use super::{machine, Org};
use crate::config::Config;
use anyhow::{bail, Context};
use banli_store::Db;
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args, Clone, Debug)]
pub struct PageArgs {
    /// Seconds of load per server.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Open connections (wrk -c).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// wrk threads (wrk -t).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
}

/// A plausible reply body (about 1,000 characters, six paragraphs).
const REPLY_BODY: &str = "您提出的《关于持续优化营商环境推动民营经济高质量发展的提案》收悉。经认真研究，现答复如下：
近年来，我委坚持把优化营商环境作为全面深化改革的重要抓手，会同有关部门深入推进“放管服”改革，持续压减行政许可事项，全面推行证明事项告知承诺制，企业开办时间压缩至1个工作日以内，工程建设项目审批时间压缩至80个工作日以内。
一是完善政策体系。出台《关于进一步优化营商环境更好服务市场主体的若干措施》，从市场准入、要素保障、公平竞争、权益保护等方面提出具体举措，建立政策落实情况季度调度机制。
二是推进“一网通办”。依托全省一体化政务服务平台，推动高频政务服务事项“跨省通办”“省内通办”，实现企业和群众办事“最多跑一次”。下一步将重点推进电子证照互认共享，减少重复提交材料。
三是强化要素保障。设立民营企业纾困专项资金，推动金融机构加大对中小微企业的信贷支持力度，建立拖欠中小企业账款清理长效机制，切实降低企业融资成本和制度性交易成本。
四是加强监督评价。委托第三方机构开展营商环境评价，将评价结果纳入市州绩效考核，对损害营商环境的典型案例进行通报曝光。
您在提案中提出的建立涉企政策统一发布平台、开展政策落实情况“回头看”等建议，对我们改进工作很有帮助，我们将认真吸收采纳，在年度工作计划中予以落实。
感谢您对发展改革工作的关心和支持，欢迎继续提出宝贵意见。";

pub async fn run(cfg: &Config, a: &PageArgs) -> anyhow::Result<()> {
    if a.seconds == 0 || a.connections == 0 || a.threads == 0 {
        bail!("--seconds、--connections 和 --threads 须大于0");
    }
    let wrk = find_program("wrk");
    let nginx = find_program("nginx");
    if wrk.is_none() || nginx.is_none() {
        let missing: Vec<&str> = [("wrk", wrk.is_none()), ("nginx", nginx.is_none())]
            .into_iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect();
        bail!(
            "找不到 {}：在 Debian 上用 `apt-get install wrk nginx-light` 安装后重试",
            missing.join(" 和 ")
        );
    }
    let (wrk, nginx) = (wrk.unwrap_or_default(), nginx.unwrap_or_default());

    // The page, made through the API and published by the office.
    let dir = tempfile::tempdir().context("无法创建临时目录")?;
    let org = Org::start(&Db::sqlite_url(dir.path()), cfg).await?;
    let path = publish_one(&org).await?;
    let banli_url = format!("{}{path}", org.c.base);
    let resp = org.c.http.get(&banli_url).send().await?;
    if !resp.status().is_success() {
        bail!("GET {banli_url} → {}", resp.status());
    }
    let html = resp.bytes().await?;

    // nginx serving the same bytes.
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www)?;
    std::fs::write(www.join("reply.html"), &html)?;
    let port = free_port()?;
    let nginx_child = start_nginx(&nginx, dir.path(), &www, port).await?;
    let nginx_url = format!("http://127.0.0.1:{port}/reply.html");
    let fetched = org.c.http.get(&nginx_url).send().await?.bytes().await?;
    if fetched != html {
        stop_nginx(&nginx, dir.path(), nginx_child).await;
        bail!(
            "nginx 返回的页面与 Banli 的不同（{} 对 {} 字节）",
            fetched.len(),
            html.len()
        );
    }

    println!("# banli bench page — {}", machine());
    println!("wrk -t{} -c{} -d{}s --latency, {} bytes of HTML, loopback; wrk, the server under test and this process share the cores\n", a.threads, a.connections, a.seconds, html.len());
    let r_banli = run_wrk(&wrk, a, &banli_url, "Banli").await;
    let r_nginx = run_wrk(&wrk, a, &nginx_url, "nginx").await;
    stop_nginx(&nginx, dir.path(), nginx_child).await;
    org.stop().await;
    let (b, n) = (r_banli?, r_nginx?);

    println!("| server | what is served | requests/s | p50 latency | p99 latency | errors |");
    println!("|---|---|---:|---:|---:|---:|");
    println!("| Banli (in-process, SQLite) | `GET {path}`: the kept rendered bytes and their ETag (page cache) | {:.0} | {:.2} ms | {:.2} ms | {} |", b.rps, b.p50_ms, b.p99_ms, b.errors);
    println!(
        "| nginx {} | the same HTML as a static file | {:.0} | {:.2} ms | {:.2} ms | {} |",
        nginx_version(&nginx).await,
        n.rps,
        n.p50_ms,
        n.p99_ms,
        n.errors
    );
    println!(
        "| **Banli ÷ nginx** | | **{:.3}×** (nginx serves {:.2}× as many) | {:.1}× | {:.1}× | |",
        b.rps / n.rps,
        n.rps / b.rps,
        b.p50_ms / n.p50_ms,
        b.p99_ms / n.p99_ms
    );
    Ok(())
}

/// An item through submit → file → assign → accept → reply → approve, then published by the
/// office: the page's path.
async fn publish_one(org: &Org) -> anyhow::Result<String> {
    let (c, t) = (&org.c, &org.tokens);
    let [office, member, staff, signer] = t.each_ref().map(|s| Some(s.as_str()));
    let mut lat = Vec::new();
    let id = c.call(member, "/api/v1/items", json!({"session_id": org.session, "title": "关于持续优化营商环境推动民营经济高质量发展的提案", "body": "建议进一步深化“一网通办”改革，压减审批时限，建立涉企政策统一发布平台。", "origin": "individual", "category": "经济建设"}), &mut lat).await?["id"].as_i64().unwrap_or_default();
    c.call(
        member,
        &format!("/api/v1/items/{id}/submit"),
        json!({}),
        &mut lat,
    )
    .await?;
    c.call(
        office,
        &format!("/api/v1/items/{id}/file"),
        json!({}),
        &mut lat,
    )
    .await?;
    let a = c
        .call(
            office,
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": org.unit}),
            &mut lat,
        )
        .await?["assignments"][0]["id"]
        .as_i64()
        .unwrap_or_default();
    c.call(
        staff,
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
        &mut lat,
    )
    .await?;
    c.call(staff, &format!("/api/v1/assignments/{a}/reply"), json!({"body": REPLY_BODY, "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": [{"text": "年底前建成涉企政策统一发布平台", "due_on": "2025-12-31"}]}), &mut lat).await?;
    let reply = c
        .call(
            signer,
            &format!("/api/v1/assignments/{a}/reply/approve"),
            json!({}),
            &mut lat,
        )
        .await?["id"]
        .as_i64()
        .unwrap_or_default();
    c.call(
        office,
        &format!("/api/v1/replies/{reply}/publish"),
        json!({"editor": "王编辑"}),
        &mut lat,
    )
    .await?;
    Ok(format!("/replies/{reply}"))
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub(super) fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// nginx in the foreground with a minimal configuration: one static file, no access log,
/// sendfile, one worker per core.
async fn start_nginx(
    nginx: &Path,
    prefix: &Path,
    www: &Path,
    port: u16,
) -> anyhow::Result<tokio::process::Child> {
    use std::os::unix::fs::PermissionsExt;
    // Workers may run as another user (nobody) when started as root: let them read the file.
    for p in [prefix, www] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::set_permissions(
        www.join("reply.html"),
        std::fs::Permissions::from_mode(0o644),
    )?;
    let conf = format!(
        "daemon off;\nworker_processes auto;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\nevents {{ worker_connections 1024; }}\nhttp {{\n  default_type text/html;\n  charset utf-8;\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 1000000;\n  client_body_temp_path {prefix}/tmp;\n  proxy_temp_path {prefix}/tmp;\n  fastcgi_temp_path {prefix}/tmp;\n  uwsgi_temp_path {prefix}/tmp;\n  scgi_temp_path {prefix}/tmp;\n  server {{\n    listen 127.0.0.1:{port};\n    root {www};\n  }}\n}}\n",
        prefix = prefix.display(),
        www = www.display()
    );
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    std::fs::create_dir_all(prefix.join("tmp"))?;
    let mut child = tokio::process::Command::new(nginx)
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(&conf_path)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("无法启动 {}", nginx.display()))?;
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(child);
        }
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default();
            bail!("nginx 退出（{status}）：{log}");
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill().await;
            bail!("nginx 10 秒内没有开始监听 127.0.0.1:{port}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `nginx -s quit`, so the master takes its workers down with it (a killed master would leave
/// them running); the child is killed only if it has not exited within 5 seconds.
async fn stop_nginx(nginx: &Path, prefix: &Path, mut child: tokio::process::Child) {
    let _ = tokio::process::Command::new(nginx)
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .args(["-s", "quit"])
        .output()
        .await;
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
        let _ = child.wait().await;
    }
}

async fn nginx_version(nginx: &Path) -> String {
    match tokio::process::Command::new(nginx).arg("-v").output().await {
        Ok(o) => String::from_utf8_lossy(&o.stderr)
            .trim()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        Err(_) => String::new(),
    }
}

struct WrkResult {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Non-2xx/3xx responses plus socket errors.
    errors: u64,
}

async fn run_wrk(wrk: &Path, a: &PageArgs, url: &str, label: &str) -> anyhow::Result<WrkResult> {
    eprintln!("wrk → {label} ({url}) for {} s …", a.seconds);
    let out = tokio::process::Command::new(wrk)
        .args([
            format!("-t{}", a.threads),
            format!("-c{}", a.connections),
            format!("-d{}s", a.seconds),
            "--latency".into(),
            url.to_string(),
        ])
        .output()
        .await
        .context("无法运行 wrk")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "wrk 失败（{}）：{}{}",
            out.status,
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse_wrk(&text).with_context(|| format!("无法读懂 wrk 的输出：\n{text}"))
}

fn parse_wrk(text: &str) -> Option<WrkResult> {
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|r| r.trim().parse().ok())?;
    // "Latency Distribution" lines: "     50%  412.00us".
    let at = |p: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(p))
            .and_then(|r| duration_ms(r.trim()))
    };
    let p50_ms = at("50%")?;
    let p99_ms = at("99%")?;
    let mut errors = 0;
    for l in text.lines().map(str::trim) {
        if let Some(r) = l.strip_prefix("Non-2xx or 3xx responses:") {
            errors += r.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(r) = l.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            errors += r
                .split(',')
                .filter_map(|x| x.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Some(WrkResult {
        rps,
        p50_ms,
        p99_ms,
        errors,
    })
}

/// wrk's "412.00us", "1.23ms", "2.00s", "1.00m" in milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let unit_at = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = s.split_at(unit_at);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_wrk_output() {
        let out = "Running 10s test @ http://127.0.0.1:8080/\n  2 threads and 16 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   1.02ms  300.00us   9.00ms   80.00%\n  Latency Distribution\n     50%  412.00us\n     75%    1.00ms\n     90%    1.50ms\n     99%    2.34ms\n  120000 requests in 10.00s, 1.00GB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:  12000.50\nTransfer/sec:    100.00MB\n";
        let r = super::parse_wrk(out).expect("parsed");
        assert_eq!(r.rps, 12000.5);
        assert!((r.p50_ms - 0.412).abs() < 1e-9);
        assert!((r.p99_ms - 2.34).abs() < 1e-9);
        assert_eq!(r.errors, 7);
    }
}
