//! The leak sweep of issue #13: everything that must not be public is marked with a token
//! (an unsubmitted draft, a returned item and its reason, a reply that is not public, one that
//! was published and withdrawn, an unapproved reply, an unapproved co-opinion, consultation
//! and supervision notes), then every public URL — the portal's pages in 简 and 繁 and print
//! view, every reply and co-opinion id that exists or not, their PDFs, the feed, the open
//! data, a search for each token, the anonymous API, and every link found on those pages — is
//! fetched, and no answer may contain a token.

use crate::harness::*;
use crate::lifecycle::on_both;
use crate::portal::{replied, reply};
use serde_json::json;
use std::collections::{BTreeSet, VecDeque};

/// Marks of what must never be public; ASCII, so 简→繁 conversion leaves them as they are.
const MARKS: &[&str] = &[
    "LEAKDRAFT",
    "LEAKRETURNED",
    "LEAKREASON",
    "LEAKNOTPUBLIC",
    "LEAKNPTITLE",
    "LEAKWITHDRAWN",
    "LEAKWDTITLE",
    "LEAKUNAPPROVED",
    "LEAKCOOPINION",
    "LEAKCONSULT",
    "LEAKSUPERVISE",
];

on_both!(no_public_url_shows_what_is_not_public);
async fn no_public_url_shows_what_is_not_public(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    // What the public may see: one published reply (its consultation and supervision notes
    // are internal).
    let (public_item, public_reply) = replied(
        t,
        &w,
        "关于公开答复的提案",
        reply("公开答复正文", "public", None),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{public_reply}/publish"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{public_item}/supervision"),
        json!({"note": "督办意见LEAKSUPERVISE"}),
    )
    .await
    .ok();
    // Not public: a reply whose mode is not_public, and one published then withdrawn.
    let (_, np) = replied(
        t,
        &w,
        "关于LEAKNPTITLE的提案",
        reply("LEAKNOTPUBLIC正文", "not_public", None),
    )
    .await;
    let _ = t
        .post(
            "office",
            &format!("/api/v1/replies/{np}/publish"),
            json!({}),
        )
        .await;
    let (_, wd) = replied(
        t,
        &w,
        "关于LEAKWDTITLE的提案",
        reply("LEAKWITHDRAWN正文", "public", None),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{wd}/publish"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{wd}/withdraw"),
        json!({"reason": "内容需复核"}),
    )
    .await
    .ok();
    // A draft never submitted, and an item returned with a reason.
    t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于LEAKDRAFT的提案", "body": "草稿LEAKDRAFT", "origin": "individual"}))
        .await
        .ok();
    let returned = submitted_item(t, &w, "p1", "关于LEAKRETURNED的提案").await;
    t.post(
        "office",
        &format!("/api/v1/items/{returned}/return"),
        json!({"reason": "请补充LEAKREASON"}),
    )
    .await
    .ok();
    // An item in handling: a consultation, an unapproved reply, an unapproved co-opinion.
    let open = submitted_item(t, &w, "p1", "关于办理中事项的提案").await;
    t.post("office", &format!("/api/v1/items/{open}/file"), json!({}))
        .await
        .ok();
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{open}/assign"),
            json!({"lead": w.lead, "co": [w.other]}),
        )
        .await
        .ok()
        .clone();
    for a in asg["assignments"].as_array().unwrap() {
        let (id, lead) = (a["id"].as_i64().unwrap(), a["role"] == "lead");
        let staff = if lead { "lead_staff" } else { "other_staff" };
        t.post(
            staff,
            &format!("/api/v1/assignments/{id}/accept"),
            json!({}),
        )
        .await
        .ok();
        if lead {
            t.post(
                staff,
                &format!("/api/v1/assignments/{id}/consultations"),
                json!({"method": "phone", "date": "2023-02-01", "summary": "电话沟通LEAKCONSULT"}),
            )
            .await
            .ok();
            t.post(
                staff,
                &format!("/api/v1/assignments/{id}/reply"),
                reply("LEAKUNAPPROVED正文", "public", None),
            )
            .await
            .ok();
        } else {
            t.post(staff, &format!("/api/v1/assignments/{id}/co-opinion"), json!({"body": "LEAKCOOPINION会办", "contact_name": "李四", "contact_phone": "0731-58888888", "disclosure": "public"})).await.ok();
        }
    }

    // The search index has taken in every change above (drafts included) before the sweep.
    let mut caught_up = false;
    for _ in 0..100 {
        if t.public("/healthz", &[]).await.2.contains("\"caught_up\"") {
            caught_up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(caught_up, "the search index caught up");

    // Every public URL: the fixed ones, every document id (and a few past the end), the
    // searches, and every same-site link found on the pages, breadth first.
    let mut queue: VecDeque<String> = VecDeque::new();
    for path in [
        "/",
        "/search",
        "/feed.atom",
        "/open-data/replies.csv",
        "/open-data/replies.json",
    ] {
        queue.push_back(path.to_string());
    }
    for id in 1..=(wd.max(np).max(public_reply) + 3) {
        for kind in ["replies", "co-opinions"] {
            queue.push_back(format!("/{kind}/{id}"));
            queue.push_back(format!("/{kind}/{id}?script=hant"));
            queue.push_back(format!("/{kind}/{id}?print=1"));
        }
        queue.push_back(format!("/replies/{id}.pdf"));
    }
    // The home page's filters are a form, not links: every unit, the session, each grade,
    // a page past the end, in both scripts.
    for script in ["", "&script=hant"] {
        for unit in [w.lead, w.co, w.other, w.sub] {
            queue.push_back(format!("/?unit_id={unit}{script}"));
        }
        queue.push_back(format!("/?session_id={}{script}", w.session));
        for grade in ["A", "B", "C"] {
            queue.push_back(format!("/?grade={grade}{script}"));
        }
        queue.push_back(format!("/?page=2{script}"));
        for word in ["提案", "答复", "湘江", "正文"] {
            queue.push_back(format!("/search?q={word}{script}"));
        }
    }
    for mark in MARKS {
        queue.push_back(format!("/search?q={mark}"));
        queue.push_back(format!("/search?q={mark}&script=hant"));
    }
    for id in [public_item, returned, open] {
        queue.push_back(format!("/api/v1/items/{id}"));
    }
    queue.push_back("/api/v1/items".into());
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut found_public = false;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 3000 {
            continue;
        }
        let (status, _, body) = t.public(&path, &[]).await;
        assert!(status.as_u16() < 500, "{path}: {status}");
        for mark in MARKS {
            // A search page repeats its own query (in the box and the heading): as often as
            // it repeats a word that is nowhere, and not once more.
            let echoed = if path.contains(&format!("q={mark}")) {
                let control = path.replace(mark, "ZZNOSUCHWORD");
                t.public(&control, &[])
                    .await
                    .2
                    .matches("ZZNOSUCHWORD")
                    .count()
            } else {
                0
            };
            assert!(
                body.matches(mark).count() <= echoed,
                "{path} ({status}) shows {mark}"
            );
        }
        found_public |= body.contains("公开答复正文");
        // Same-site links, except the staff app, the API and static files.
        for part in body.split("href=\"").skip(1) {
            let href = part.split('"').next().unwrap_or("").replace("&amp;", "&");
            if href.starts_with('/')
                && !href.starts_with("//")
                && !href.starts_with("/app")
                && !href.starts_with("/api")
                && !href.starts_with("/static")
                && !seen.contains(&href)
            {
                queue.push_back(href);
            }
        }
    }
    assert!(found_public, "the sweep reached the published reply");
    assert!(seen.len() >= 100, "only {} URLs swept", seen.len());
    eprintln!(
        "leak sweep: {} public URLs, {} marks, none shown",
        seen.len(),
        MARKS.len()
    );
}
