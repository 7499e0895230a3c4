//! Search through the real index: public search sees only what is published, staff search
//! only what the caller may see, changes arrive within seconds, `banli reindex` rebuilds.

use crate::harness::*;
use crate::lifecycle::on_both;
use serde_json::json;
use std::time::{Duration, Instant};

/// Polls until `check` holds (the index catches up within about a second); panics after 5 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 5 s: {what}");
}

async fn replied(
    t: &TestApp,
    w: &World,
    who: &str,
    title: &str,
    body: &str,
    unit: (&str, &str, i64),
) -> (i64, i64) {
    let id = submitted_item(t, w, who, title).await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let a = t
        .post(
            "office",
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": unit.2}),
        )
        .await
        .ok()["assignments"][0]["id"]
        .as_i64()
        .unwrap();
    t.post(
        unit.0,
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
    )
    .await
    .ok();
    t.post(unit.0, &format!("/api/v1/assignments/{a}/reply"), json!({"body": body, "grade": "A", "disclosure": "public", "contact_name": "甲", "contact_phone": "1"})).await.ok();
    let r = t
        .post(
            unit.1,
            &format!("/api/v1/assignments/{a}/reply/approve"),
            json!({}),
        )
        .await
        .id();
    (id, r)
}

on_both!(search_respects_publication_and_visibility);
async fn search_respects_publication_and_visibility(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let lead = ("lead_staff", "lead_signer", w.lead);
    let co = ("co_staff", "co_signer", w.co);
    let (i1, r1) = replied(
        t,
        &w,
        "p1",
        "关于加强民政服务的提案",
        "我们将进一步完善民政救助体系，提升养老服务水平。",
        lead,
    )
    .await;
    let (i2, _r2) = replied(
        t,
        &w,
        "p2",
        "关于湘江科学城建设的提案",
        "湘江科学城建设已纳入省重点项目，未公开的内部意见。",
        co,
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{r1}/publish"),
        json!({}),
    )
    .await
    .ok();
    // Public search finds the published reply, highlighted, and nothing unpublished.
    eventually("the published reply is searchable", || async {
        t.public("/search?q=民政", &[])
            .await
            .2
            .contains(&format!("/replies/{r1}"))
    })
    .await;
    let (_, _, html) = t.public("/search?q=民政", &[]).await;
    assert!(html.contains("<mark>民政</mark>"), "the hit is highlighted");
    let (_, _, html) = t.public("/search?q=湘江科学城", &[]).await;
    assert!(
        !html.contains("内部意见") && !html.contains("/replies/"),
        "an unpublished reply never appears in public search"
    );
    // 民政 must not match 人民政府.
    let (i3, r3) = replied(
        t,
        &w,
        "p1",
        "关于人民政府信息公开的提案",
        "省人民政府将进一步推进信息公开。",
        lead,
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{r3}/publish"),
        json!({}),
    )
    .await
    .ok();
    eventually("the second publication is searchable", || async {
        t.public("/search?q=信息公开", &[])
            .await
            .2
            .contains(&format!("/replies/{r3}"))
    })
    .await;
    assert!(!t
        .public("/search?q=民政", &[])
        .await
        .2
        .contains(&format!("/replies/{r3}")));
    // Staff search over the API, within what each caller may see.
    let titles = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    eventually(
        "staff search finds the unpublished reply's item for the office",
        || async {
            titles(t.get("office", "/api/v1/items?q=湘江科学城").await.ok()).contains(&i2)
        },
    )
    .await;
    assert!(titles(t.get("co_staff", "/api/v1/items?q=湘江科学城").await.ok()).contains(&i2));
    assert!(
        !titles(t.get("lead_staff", "/api/v1/items?q=湘江科学城").await.ok()).contains(&i2),
        "another unit never sees it"
    );
    assert!(
        !titles(t.get("p1", "/api/v1/items?q=湘江科学城").await.ok()).contains(&i2),
        "another proposer never sees it"
    );
    assert!(titles(t.get("p2", "/api/v1/items?q=湘江科学城").await.ok()).contains(&i2));
    assert_eq!(
        titles(t.get("lead_staff", "/api/v1/items?q=民政").await.ok()),
        vec![i1]
    );
    let _ = i3;
    // Withdrawal leaves public search quickly.
    t.post(
        "office",
        &format!("/api/v1/replies/{r1}/withdraw"),
        json!({"reason": "复核"}),
    )
    .await
    .ok();
    eventually("the withdrawn reply leaves public search", || async {
        !t.public("/search?q=民政", &[])
            .await
            .2
            .contains(&format!("/replies/{r1}"))
    })
    .await;
}

on_both!(the_office_does_not_search_a_units_unsent_draft);
/// The index's scopes are the permission decision's answers: a word that is only in a unit's
/// unsent draft reply finds the item for that unit's staff, not for the office (which reads
/// replies once signed); once the reply is sent the office finds it too.
async fn the_office_does_not_search_a_units_unsent_draft(t: &TestApp) {
    let w = world(t).await;
    let (id, a) = accepted_by_lead(t, &w, "p1", "关于完善社区嵌入式托育服务的提案").await;
    t.post("lead_staff", &format!("/api/v1/assignments/{a}/reply"), json!({"body": "拟在望城区试点普惠托育驿站。", "grade": "A", "disclosure": "public", "contact_name": "甲", "contact_phone": "1"}))
        .await
        .ok();
    let ids = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    eventually("the drafting unit finds its draft's words", || async {
        ids(t.get("lead_staff", "/api/v1/items?q=托育驿站").await.ok()).contains(&id)
    })
    .await;
    assert!(
        !ids(t.get("office", "/api/v1/items?q=托育驿站").await.ok()).contains(&id),
        "the office does not search inside an unsent draft"
    );
    // The item's own words the office finds as always.
    assert!(ids(t.get("office", "/api/v1/items?q=嵌入式托育").await.ok()).contains(&id));
    t.post(
        "lead_signer",
        &format!("/api/v1/assignments/{a}/reply/approve"),
        json!({}),
    )
    .await
    .ok();
    eventually("the sent reply's words reach the office", || async {
        ids(t.get("office", "/api/v1/items?q=托育驿站").await.ok()).contains(&id)
    })
    .await;
}

#[test]
fn reindex_rebuilds_the_index_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_banli"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "reindex"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已重建搜索索引"));
    assert!(dir.path().join("index").exists());
}

on_both!(similar_items_for_drafting_merging_and_assigning);
async fn similar_items_for_drafting_merging_and_assigning(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let lead = ("lead_staff", "lead_signer", w.lead);
    let co = ("co_staff", "co_signer", w.co);
    let water =
        "湘江流域水污染治理亟须加强，建议建立跨市水质监测和生态补偿机制，整治沿江工业排污口。";
    let (i1, r1) = replied(t, &w, "p1", "关于加强湘江流域水污染治理的提案", water, lead).await;
    let (_i2, _) = replied(
        t,
        &w,
        "p2",
        "关于提高乡村教师待遇的提案",
        "乡村教师工资待遇偏低，建议提高乡镇工作补贴，改善教师周转宿舍条件。",
        co,
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{r1}/publish"),
        json!({}),
    )
    .await
    .ok();
    // A duplicate submitted later.
    let dup = t.post("p3", "/api/v1/items", json!({"session_id": w.session, "title": "关于湘江流域水污染治理的建议", "body": "建议整治湘江沿江工业排污口，建立跨市水质监测和生态补偿机制。", "origin": "individual"})).await.id();
    t.post("p3", &format!("/api/v1/items/{dup}/submit"), json!({}))
        .await
        .ok();
    // Indexed once the reply's public copy (published before the duplicate was written) is
    // found; similar items of the duplicate alone come back as soon as i1 and i2 are in.
    eventually("the publication and the duplicate are indexed", || async {
        let r = t
            .post(
                "p2",
                "/api/v1/items/similar",
                json!({"text": "关于湘江水污染和排污口整治的建议"}),
            )
            .await;
        r.status.is_success() && r.body["items"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    // The office sees the likely duplicate first and the unit that answered it.
    let r = t
        .post("office", "/api/v1/items/similar", json!({"item_id": dup}))
        .await;
    let items = r.ok()["items"].as_array().unwrap().clone();
    assert_eq!(items[0]["id"], i1, "{items:?}");
    assert!(
        items.iter().all(|i| i["id"] != dup),
        "an item is not similar to itself"
    );
    assert!(items[0]["reply_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/replies/{r1}")));
    assert_eq!(r.ok()["suggested_units"][0]["unit_id"], w.lead);
    // A proposer drafting sees earlier items through their published replies only.
    let r = t
        .post(
            "p2",
            "/api/v1/items/similar",
            json!({"text": "关于湘江水污染和排污口整治的建议"}),
        )
        .await;
    let ids: Vec<i64> = r.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![i1]);
    assert_eq!(r.ok()["suggested_units"], json!([]));
    // Bad input and rights.
    t.post("p2", "/api/v1/items/similar", json!({}))
        .await
        .status(400);
    t.post("p2", "/api/v1/items/similar", json!({"item_id": dup}))
        .await
        .status(403);
}

/// Two server instances on one PostgreSQL database, each with its own index: a change made
/// through one is found through the other, an instance restarted on its old index catches up
/// from its watermark, and one whose missed rows were pruned meanwhile rebuilds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_the_database_and_keep_their_own_indexes() {
    let Some(a) = on(Backend::Postgres).await else {
        return;
    };
    let w = world(&a).await;
    a.set_today("2026-03-02");
    // A second instance: same database, its own data directory and index.
    let db = banli_store::Db::connect(&a.db_url).await.unwrap();
    let app_b = banli_app::App::open(
        db,
        "湖南省政协",
        banli_app::Settings {
            public_base_url: "http://b.invalid".into(),
            backups: None,
        },
    )
    .await
    .unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let index_b =
        std::sync::Arc::new(banli_search::SearchIndex::open_or_create(dir_b.path()).unwrap());
    let indexer = tokio::spawn(banli_web::indexer::run(app_b.clone(), index_b.clone()));
    let public = |index: &banli_search::SearchIndex, q: &str| {
        index
            .search(&banli_search::Query::new(q, banli_search::Scope::Public))
            .unwrap()
            .hits
            .iter()
            .filter_map(|h| h.document_id)
            .collect::<Vec<_>>()
    };
    let (_, r) = replied(
        &a,
        &w,
        "p1",
        "关于洞庭湖湿地保护的提案",
        "洞庭湖湿地保护将纳入省级生态补偿。",
        ("lead_staff", "lead_signer", w.lead),
    )
    .await;
    a.post("office", &format!("/api/v1/replies/{r}/publish"), json!({}))
        .await
        .ok();
    eventually("instance B indexes what instance A published", || async {
        public(&index_b, "洞庭湖").contains(&r)
    })
    .await;
    // B stops; meanwhile A withdraws the publication; B restarts on its old index.
    indexer.abort();
    let _ = indexer.await;
    let watermark = index_b.watermark().unwrap();
    drop(index_b);
    a.post(
        "office",
        &format!("/api/v1/replies/{r}/withdraw"),
        json!({"reason": "复核"}),
    )
    .await
    .ok();
    let index_b =
        std::sync::Arc::new(banli_search::SearchIndex::open_or_create(dir_b.path()).unwrap());
    assert_eq!(
        index_b.watermark(),
        Some(watermark),
        "the watermark survives a restart"
    );
    assert!(
        public(&index_b, "洞庭湖").contains(&r),
        "still stale before catching up"
    );
    let indexer = tokio::spawn(banli_web::indexer::run(app_b.clone(), index_b.clone()));
    eventually("the restarted instance catches up", || async {
        !public(&index_b, "洞庭湖").contains(&r)
    })
    .await;
    // B stops again; A publishes another reply, and a month on prunes the outbox rows that
    // told of it: the restarted B finds its watermark below the pruning horizon and rebuilds.
    indexer.abort();
    let _ = indexer.await;
    let (_, r2) = replied(
        &a,
        &w,
        "p1",
        "关于湘江流域禁渔的提案",
        "湘江流域禁渔期将延长至三年。",
        ("lead_staff", "lead_signer", w.lead),
    )
    .await;
    a.post(
        "office",
        &format!("/api/v1/replies/{r2}/publish"),
        json!({}),
    )
    .await
    .ok();
    a.set_today("2026-04-20");
    let (pruned, _) = a.app.prune_delivered().await.unwrap();
    assert!(pruned > 0, "the month-old rows are pruned");
    assert!(a.app.outbox_pruned_below().await.unwrap() > index_b.watermark().unwrap() + 1);
    assert!(!public(&index_b, "禁渔").contains(&r2));
    let indexer = tokio::spawn(banli_web::indexer::run(app_b.clone(), index_b.clone()));
    eventually("the instance rebuilds past the pruned rows", || async {
        public(&index_b, "禁渔").contains(&r2)
    })
    .await;
    indexer.abort();
    app_b.db.close().await;
    a.finish().await;
}

on_both!(an_unsubmitted_draft_never_shows_through_similar_items_or_search);
/// The office may not open a proposer's unsubmitted draft; similar items and staff search must
/// not show its id or title either, although the index holds it.
async fn an_unsubmitted_draft_never_shows_through_similar_items_or_search(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let draft = t.post("p2", "/api/v1/items", json!({"session_id": w.session, "title": "关于洞庭湖湿地候鸟保护的草稿提案", "body": "洞庭湖湿地候鸟栖息地保护亟须加强，建议设立候鸟保护专项资金。", "origin": "individual"})).await.id();
    t.get("office", &format!("/api/v1/items/{draft}"))
        .await
        .status(403);
    // A submitted item on the same subject, written after the draft: once it is indexed, so is the draft.
    let sent = submitted_item(t, &w, "p3", "关于洞庭湖湿地候鸟栖息地保护的提案").await;
    eventually("the submitted item is indexed", || async {
        let r = t
            .post(
                "office",
                "/api/v1/items/similar",
                json!({"text": "洞庭湖湿地候鸟栖息地保护专项资金"}),
            )
            .await;
        r.status.is_success()
            && r.body["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i["id"] == sent))
    })
    .await;
    let r = t
        .post(
            "office",
            "/api/v1/items/similar",
            json!({"text": "洞庭湖湿地候鸟栖息地保护专项资金"}),
        )
        .await;
    let text = r.ok().to_string();
    assert!(
        !text.contains("草稿提案")
            && !r.ok()["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == draft),
        "the draft leaked: {text}"
    );
    let list = t.get("office", "/api/v1/items?q=候鸟").await;
    let ids: Vec<i64> = list.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.contains(&sent) && !ids.contains(&draft),
        "staff search: {ids:?}"
    );
    // Its author still finds it.
    let mine = t.get("p2", "/api/v1/items?q=候鸟").await;
    assert!(mine.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == draft));
}
