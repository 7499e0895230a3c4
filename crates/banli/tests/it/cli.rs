//! The binary itself: commands on an empty data directory, configuration, help.

use std::io::Write;
use std::process::{Command, Stdio};

fn banli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_banli"))
}

#[test]
fn user_add_works_on_an_empty_data_directory_and_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = banli()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "user",
            "add",
            "zhang.wei",
            "--role",
            "office",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("zhang.wei"));
    assert!(dir.path().join("banli.sqlite3").exists());
    // The same name again is refused with a reason; a unit role without a unit too.
    let mut again = banli()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "user",
            "add",
            "zhang.wei",
            "--role",
            "office",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    again
        .stdin
        .take()
        .unwrap()
        .write_all(b"a-long-password\n")
        .unwrap();
    let out = again.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("用户名已被使用"));
    // A token can be issued for the new user.
    let out = banli()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "user",
            "token",
            "zhang.wei",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("bl_"));
}

#[test]
fn bad_arguments_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = banli()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "user",
            "add",
            "x",
            "--role",
            "root",
            "--password-stdin",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("proposer"),
        "names the valid roles"
    );
    let out = banli()
        .args(["--database-url", "mysql://x", "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://"));
    // Every command has --help.
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "add", "--help"],
        vec!["migrate", "--help"],
        vec!["bench", "--help"],
    ] {
        let out = banli().args(&cmd).output().unwrap();
        assert!(out.status.success(), "{cmd:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn configuration_comes_from_the_toml_file_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = dir.path().join("from-file");
    let cfg = dir.path().join("banli.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = \"{}\"\norganisation = \"湖南省人大常委会\"\n",
            from_file.display()
        ),
    )
    .unwrap();
    let out = banli()
        .args(["--config", cfg.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(from_file.join("banli.sqlite3").exists());
    let flag_dir = dir.path().join("from-flag");
    let out = banli()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "--data-dir",
            flag_dir.to_str().unwrap(),
            "migrate",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(flag_dir.join("banli.sqlite3").exists());
    // An unknown key is an error that names the file.
    std::fs::write(&cfg, "databse_url = \"x\"\n").unwrap();
    let out = banli()
        .args(["--config", cfg.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("banli.toml"));
}

#[test]
fn serve_answers_health_and_metrics_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = banli()
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--backup-every",
            "24h",
        ])
        .env("BANLI_ORGANISATION", "测试政协")
        .env("BANLI_METRICS_TOKEN", "scrape-secret-1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let ok = rt.block_on(async {
        for _ in 0..100 {
            if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
                return Some(r.text().await.unwrap());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    });
    assert!(ok.expect("server came up").contains("\"database\":\"ok\""));
    // With no backup yet, the first scheduled one is written at start, and it is a good one.
    let backups = dir.path().join("backups");
    let first = (0..100)
        .find_map(|_| {
            let found = std::fs::read_dir(&backups).ok().and_then(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "zip"))
            });
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            found
        })
        .expect("a scheduled backup at start");
    let checked = banli()
        .args(["restore", "--check"])
        .arg(&first)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains("备份完好"),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // Only a scraper with the token reads the metrics.
    let client = reqwest::Client::new();
    let stranger = rt.block_on(async {
        client
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(stranger, 401);
    let wrong = rt.block_on(async {
        client
            .get(format!("{base}/metrics"))
            .bearer_auth("scrape-secret-2")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(wrong, 401);
    let metrics = rt.block_on(async {
        client
            .get(format!("{base}/metrics"))
            .bearer_auth("scrape-secret-1")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(metrics.contains("banli_http_requests_total"), "{metrics}");
    assert!(metrics.contains("banli_overdue_assignments"));
    let doc = rt.block_on(async {
        reqwest::get(format!("{base}/api/v1/openapi.json"))
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    assert!(doc["components"]["schemas"]["ReplyInput"].is_object());
    // SIGTERM: a graceful stop with exit code 0.
    send_sigterm(child.id());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0");
}

fn send_sigterm(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

/// Starts `banli serve` with the given extra arguments and waits for /healthz.
fn start_serve(dir: &std::path::Path, extra: &[&str]) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut args = vec![
        "--data-dir".to_string(),
        dir.to_str().unwrap().to_string(),
        "serve".into(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let child = banli().args(&args).stderr(Stdio::piped()).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let up = rt.block_on(async {
        for _ in 0..1200 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    });
    assert!(up, "server did not come up");
    (child, base)
}

#[test]
fn serve_demo_loads_every_state_and_restarts_without_duplicating() {
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = start_serve(dir.path(), &["--demo"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = |base: String| {
        rt.block_on(async move {
            let c = reqwest::Client::new();
            let tok: serde_json::Value = c
                .post(format!("{base}/api/v1/auth/token"))
                .header("content-type", "application/json")
                .body(r#"{"username":"office","password":"banli-demo"}"#)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = tok["token"]
                .as_str()
                .expect("the demo office user signs in with the printed password")
                .to_string();
            let mut states = std::collections::BTreeMap::<String, usize>::new();
            let mut page = 1;
            loop {
                let v: serde_json::Value = c
                    .get(format!("{base}/api/v1/items?per_page=200&page={page}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                for i in v["items"].as_array().unwrap() {
                    *states
                        .entry(i["state"].as_str().unwrap().to_string())
                        .or_default() += 1;
                }
                if v["items"].as_array().unwrap().len() < 200 {
                    break;
                }
                page += 1;
            }
            let asg: serde_json::Value = c
                .get(format!("{base}/api/v1/assignments?per_page=200"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (states, asg["total"].as_i64().unwrap())
        })
    };
    let (states, assignments) = count(base.clone());
    for s in [
        "draft",
        "submitted",
        "returned",
        "withdrawn",
        "filed",
        "not_filed",
        "merged",
        "handling",
        "replied",
        "closed",
    ] {
        assert!(
            states.get(s).copied().unwrap_or(0) > 0,
            "the demo has no {s} item: {states:?}"
        );
    }
    let total: usize = states.values().sum();
    assert!(total >= 250, "a few hundred items: {total}");
    assert!(assignments >= 300);
    send_sigterm(child.id());
    let stderr = child.wait_with_output().unwrap().stderr;
    let printed = String::from_utf8_lossy(&stderr);
    assert!(
        printed.contains("banli-demo") && printed.contains("office"),
        "the demo users and password are printed: {printed}"
    );
    // A restart on the same data directory keeps the same organisation.
    let (mut again, base) = start_serve(dir.path(), &["--demo"]);
    let (states_again, _) = count(base);
    assert_eq!(states, states_again);
    send_sigterm(again.id());
    again.wait().unwrap();
}

/// `banli backup` and `banli restore` as an operator runs them: a user added in one data
/// directory signs in from another after the move; a second restore and a missing file are
/// refused with what to do, and no half file is left under the backup's name.
#[test]
fn backup_then_restore_into_a_new_data_directory() {
    let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run = |dir: &std::path::Path, args: &[&str], stdin: &[u8]| {
        let mut cmd = banli();
        // The old installation had its own organisation; the new one is started without it.
        if dir == from.path() {
            cmd.env("BANLI_ORGANISATION", "湘潭市政协");
        }
        let mut child = cmd
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    };
    let add = [
        "user",
        "add",
        "li.na",
        "--role",
        "office",
        "--password-stdin",
    ];
    assert!(run(from.path(), &add, b"a-long-password\n")
        .status
        .success());
    let file = from.path().join("banli-backup.zip");
    let file_arg = file.to_str().unwrap();
    let out = run(from.path(), &["backup", file_arg], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已备份"));
    assert!(file.exists() && !from.path().join("banli-backup.zip.partial").exists());

    let out = run(to.path(), &["restore", file_arg], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("已恢复") && said.contains("已重建搜索索引"),
        "{said}"
    );
    assert!(said.contains("--organisation 湘潭市政协"), "{said}");
    // The restored user is there: adding the same name again is refused.
    let again = run(to.path(), &add, b"a-long-password\n");
    assert!(!again.status.success());
    // Restoring twice is refused with what to do; so is a file that does not exist.
    let twice = run(to.path(), &["restore", file_arg], b"");
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("新的数据目录"));
    let missing = run(to.path(), &["restore", "/nonexistent/backup.zip"], b"");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("无法读取备份文件"));
}
