//! Many writers at once: every kind of write, 50 requests in parallel, must succeed — on
//! SQLite the writers queue for the one write connection instead of failing with
//! `database is locked` or a timeout (a timeout once reported failure for a saved change).

use crate::harness::*;
use crate::lifecycle::on_both;
use serde_json::{json, Value};

const N: usize = 50;

/// Sends one request per path at once and returns the answers, failing on anything but 2xx.
async fn all_at_once(
    t: &TestApp,
    step: &str,
    user: &str,
    paths: &[String],
    body: Value,
) -> Vec<Value> {
    let answers =
        futures::future::join_all(paths.iter().map(|p| t.post(user, p, body.clone()))).await;
    let failed: Vec<String> = answers
        .iter()
        .filter(|r| !r.status.is_success())
        .map(|r| format!("{} {}", r.status, r.body))
        .collect();
    assert!(
        failed.is_empty(),
        "{step}: {} of {N} parallel requests failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    answers.into_iter().map(|r| r.body).collect()
}

on_both!(fifty_parallel_writes_of_each_kind);
/// create, submit, file, assign, accept, reply, approve, evaluate, publish: 50 at once each.
async fn fifty_parallel_writes_of_each_kind(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let created =
        futures::future::join_all((0..N).map(|k| t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": format!("关于第{k}项民生工程的提案"), "body": "建议加快推进相关工作。", "origin": "individual", "category": "经济建设"})))).await;
    let failed = created.iter().filter(|r| r.status.as_u16() != 201).count();
    assert_eq!(
        failed,
        0,
        "create: {failed} of {N} failed, e.g. {:?}",
        created
            .iter()
            .find(|r| r.status.as_u16() != 201)
            .map(|r| &r.body)
    );
    let ids: Vec<i64> = created.iter().map(|r| r.id()).collect();
    let item = |s: &str| {
        ids.iter()
            .map(|id| format!("/api/v1/items/{id}/{s}"))
            .collect::<Vec<_>>()
    };
    all_at_once(t, "submit", "p1", &item("submit"), json!({})).await;
    let filed = all_at_once(t, "file", "office", &item("file"), json!({})).await;
    let mut numbers: Vec<&str> = filed
        .iter()
        .map(|f| f["number"].as_str().unwrap())
        .collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), N, "every filed item has its own number");
    t.set_today("2023-03-01");
    let assigned = all_at_once(
        t,
        "assign",
        "office",
        &item("assign"),
        json!({"lead": w.lead}),
    )
    .await;
    let la: Vec<i64> = assigned
        .iter()
        .map(|a| a["assignments"][0]["id"].as_i64().unwrap())
        .collect();
    let asg = |s: &str| {
        la.iter()
            .map(|a| format!("/api/v1/assignments/{a}/{s}"))
            .collect::<Vec<_>>()
    };
    all_at_once(t, "accept", "lead_staff", &asg("accept"), json!({})).await;
    t.set_today("2023-04-20");
    let reply = json!({"body": "感谢您的提案。我们正在推进。", "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": []});
    all_at_once(t, "reply", "lead_staff", &asg("reply"), reply).await;
    let sent = all_at_once(
        t,
        "approve",
        "lead_signer",
        &asg("reply/approve"),
        json!({}),
    )
    .await;
    assert!(sent.iter().all(|s| s["state"] == "sent"));
    t.set_today("2023-04-25");
    all_at_once(
        t,
        "evaluate",
        "p1",
        &asg("evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await;
    let publish: Vec<String> = sent
        .iter()
        .map(|s| format!("/api/v1/replies/{}/publish", s["id"]))
        .collect();
    let published = all_at_once(
        t,
        "publish",
        "office",
        &publish,
        json!({"editor": "王编辑"}),
    )
    .await;
    assert!(published.iter().all(|p| p["version"] == 1));
    // Every change that was answered with success is there.
    let list = t
        .get("office", "/api/v1/items?state=replied&per_page=100")
        .await;
    assert_eq!(list.ok()["total"], N as i64, "all {N} items replied");
}
