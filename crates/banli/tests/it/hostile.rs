//! Hostile input that the probes of RELIABILITY.md found or tried: formula cells in open data,
//! zip bombs, paging past the end, bodies without a JSON content type, control characters in
//! names, `/metrics` for strangers, and sign-in throttling.

use crate::harness::*;
use crate::lifecycle::on_both;
use crate::portal::{replied, reply};
use reqwest::Method;
use serde_json::json;

on_both!(open_data_csv_cells_never_run_as_formulas);
async fn open_data_csv_cells_never_run_as_formulas(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let titles = [
        "=cmd|' /C calc'!A0",
        "+HYPERLINK(\"http://evil.example\",\"点击\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
    ];
    for title in titles {
        let (_, r) = replied(t, &w, title, reply("感谢您的提案。", "public", None)).await;
        t.post("office", &format!("/api/v1/replies/{r}/publish"), json!({}))
            .await
            .ok();
    }
    let (status, _, csv) = t.public("/open-data/replies.csv", &[]).await;
    assert_eq!(status, 200);
    let mut cells = 0;
    for line in csv.trim_start_matches('\u{feff}').lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell opens as a formula: {line}"
            );
            cells += 1;
        }
    }
    assert!(cells > 15);
    // The titles are still there, as text.
    assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    // The JSON keeps the exact title: only spreadsheets need the guard.
    let (_, _, json) = t.public("/open-data/replies.json", &[]).await;
    assert!(json.contains("=cmd|' /C calc'!A0"));
}

on_both!(pages_past_the_end_never_wrap);
async fn pages_past_the_end_never_wrap(t: &TestApp) {
    let w = world(t).await;
    submitted_item(t, &w, "p1", "关于分页的提案").await;
    let first = t.get("office", "/api/v1/items?page=1").await;
    assert_eq!(first.ok()["items"].as_array().unwrap().len(), 1);
    // Past the last page: an empty list, never page 1's rows.
    let past = t.get("office", "/api/v1/items?page=2").await;
    assert!(past.ok()["items"].as_array().unwrap().is_empty());
    let huge = t.get("office", "/api/v1/items?page=1000000").await;
    assert!(huge.ok()["items"].as_array().unwrap().is_empty());
    for path in [
        "/api/v1/items?page=9223372036854775807",
        "/api/v1/assignments?page=9223372036854775807",
        "/api/v1/items?page=1000001&per_page=200",
    ] {
        let r = t.get("office", path).await;
        assert_eq!(r.status, 422, "{path}: {}", r.body);
        assert_eq!(r.field(), Some("page"));
    }
    // The portal's lists too.
    let (status, _, html) = t.public("/?page=9223372036854775807", &[]).await;
    assert!(status == 200 || status == 422, "{status}");
    assert!(!html.contains("关于分页的提案"));
}

on_both!(api_bodies_must_be_json);
async fn api_bodies_must_be_json(t: &TestApp) {
    let w = world(t).await;
    let body = json!({"session_id": w.session, "title": "关于内容类型的提案", "body": "正文", "origin": "individual"}).to_string();
    let token = t.token("p1").unwrap();
    let client = reqwest::Client::new();
    for kind in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut req = client
            .post(format!("{}/api/v1/items", t.base))
            .bearer_auth(&token)
            .body(body.clone());
        if let Some(k) = kind {
            req = req.header("content-type", k);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 415, "{kind:?}");
        assert!(r.text().await.unwrap().contains("application/json"));
    }
    assert_eq!(
        t.get("p1", "/api/v1/items").await.ok()["total"],
        0,
        "nothing was created"
    );
    // The sign-in endpoint too (a cross-site form could post text/plain there).
    let r = client
        .post(format!("{}/api/v1/auth/token", t.base))
        .header("content-type", "text/plain")
        .body(r#"{"username":"p1","password":"password-123"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // With the charset parameter it is JSON; an action without a body needs no type.
    let r = client
        .post(format!("{}/api/v1/items", t.base))
        .bearer_auth(&token)
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = client
        .post(format!("{}/api/v1/items/{id}/submit", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

on_both!(hidden_characters_are_refused_in_titles_and_names);
async fn hidden_characters_are_refused_in_titles_and_names(t: &TestApp) {
    let w = world(t).await;
    for title in [
        "关于\u{0}的提案",
        "关于\u{202E}案提的\u{202C}建设",
        "关于\u{2066}隔离\u{2069}的提案",
    ] {
        let r = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": title, "body": "正文", "origin": "individual"})).await;
        assert_eq!(r.status, 422, "{title:?}: {}", r.body);
        assert_eq!(r.field(), Some("title"));
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不可见"));
    }
    let r = t.post("admin", "/api/v1/users", json!({"username": "u9", "password": "password-123", "display_name": "张\u{202E}三", "role": "proposer"})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.field(), Some("display_name"));
    let r = t
        .post(
            "admin",
            "/api/v1/units",
            json!({"name": "湖南省\u{0}教育厅", "short_name": "省教育厅", "doc_prefix": "湘教提"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(t.get("p1", "/api/v1/items").await.ok()["total"], 0);
}

on_both!(one_address_cannot_lock_out_everyone_and_an_admin_unlocks);
async fn one_address_cannot_lock_out_everyone_and_an_admin_unlocks(t: &TestApp) {
    let _ = world(t).await;
    let attempt = |user: &'static str, password: &'static str| async move {
        t.raw(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": user, "password": password}).to_string()),
        )
        .await
        .status
        .as_u16()
    };
    // Five failures lock a username (kept: it stops guessing one account's password).
    for _ in 0..5 {
        assert_eq!(attempt("p1", "wrong-password").await, 401);
    }
    assert_eq!(attempt("p1", "password-123").await, 429, "p1 is locked");
    // The admin unlocks p1: the right password works again at once.
    let p1 = t
        .get("admin", "/api/v1/users")
        .await
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "p1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    t.post("office", &format!("/api/v1/users/{p1}/unlock"), json!({}))
        .await
        .status(403);
    t.post("admin", &format!("/api/v1/users/{p1}/unlock"), json!({}))
        .await
        .ok();
    assert_eq!(attempt("p1", "password-123").await, 200);
    // One address that keeps failing across many names is throttled as a whole.
    let mut codes = Vec::new();
    for name in [
        "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
        "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    ] {
        codes.push(attempt(name, "guess").await);
    }
    // p1's five failures count too: 20 in all, then the address waits.
    assert!(codes[..15].iter().all(|c| *c == 401), "{codes:?}");
    assert!(
        codes[15..].iter().all(|c| *c == 429),
        "after 20 failures from one address: {codes:?}"
    );
    assert_eq!(
        attempt("p2", "password-123").await,
        429,
        "that address waits, even with a right password"
    );
}
