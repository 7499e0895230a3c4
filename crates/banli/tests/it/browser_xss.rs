//! The XSS sweep of issue #13, in headless Chromium: eight payloads go into the texts people
//! type (item titles and bodies, a member's name, a unit's name, replies, summaries,
//! commitments, supervision notes); then every page that each kind of user reaches by
//! following links — the portal anonymously, the staff app as proposers, the office, a unit's
//! clerk and signer, the admin — is loaded, and on none of them may a payload have become
//! markup: no script, frame or object element, no `on…` attribute, no `javascript:` link, and
//! nothing executed. The payloads must also show as plain text (so the sweep did reach them).
//! SQLite only, like the other browser tests; skips without Chromium except under CI=true.

use crate::browser::{browser, Browser};
use crate::browser_staff::sign_in;
use crate::harness::*;
use crate::portal::{replied, reply};
use serde_json::{json, Value};
use std::collections::{BTreeSet, VecDeque};

const PAYLOADS: &[&str] = &[
    "<script>window.__xss=1</script>",
    "\"><img src=x onerror=\"window.__xss=2\">",
    "'><svg onload=window.__xss=3>",
    "javascript:window.__xss=4",
    "</textarea><script>window.__xss=5</script>",
    "<iframe src=\"javascript:window.top.__xss=6\"></iframe>",
    "<a href=\"javascript:window.__xss=7\">链接</a>{{7*7}}",
    "<details open ontoggle=window.__xss=8>",
];

/// Pages per user: enough to reach every kind of page from the queues and lists.
const MAX_PAGES: usize = 70;

const CHECK_JS: &str = r#"
const bad = [];
if (window.__xss) bad.push('executed ' + window.__xss);
for (const e of document.querySelectorAll('script, iframe, object, embed, frame')) bad.push(e.outerHTML.slice(0, 120));
for (const e of document.querySelectorAll('*')) {
  for (const a of e.attributes) {
    if (/^on/i.test(a.name)) bad.push(e.tagName + ' @' + a.name);
    if (/^(href|src|action|formaction|data)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) bad.push(e.tagName + ' @' + a.name + '=' + a.value.slice(0, 60));
  }
}
const text = document.body ? document.body.innerText : '';
return { bad, shown: text.includes('window.__xss'), links: [...document.querySelectorAll('a[href]')].map(a => a.href) };
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payloads_never_become_markup_on_any_page() {
    let Some(b) = browser().await else { return };
    let t = on(Backend::Sqlite).await.unwrap();
    let w = world(&t).await;
    t.set_today("2023-02-01");
    // A member and a unit whose names are payloads.
    t.post("admin", "/api/v1/users", json!({"username": "px", "password": "password-123", "display_name": format!("用户px{}", PAYLOADS[1]), "role": "proposer"})).await.ok();
    t.login("px", "password-123").await;
    t.post("admin", "/api/v1/units", json!({"name": format!("单位{}", PAYLOADS[2]), "short_name": "注入单位", "doc_prefix": "注"})).await.ok();
    let px_item = t
        .post("px", "/api/v1/items", json!({"session_id": w.session, "title": format!("关于{}的提案", PAYLOADS[0]), "body": format!("正文{}", PAYLOADS[4]), "origin": "individual"}))
        .await
        .id();
    t.post("px", &format!("/api/v1/items/{px_item}/submit"), json!({}))
        .await
        .ok();
    // Replied and published items, one payload each in the title, the reply, its summary and
    // its commitment, and a supervision note.
    for (i, p) in PAYLOADS.iter().enumerate() {
        let mut body = reply(&format!("答复正文{p}"), "public", None);
        body["commitments"][0]["text"] = json!(format!("承诺{p}"));
        if i % 2 == 1 {
            body["disclosure"] = json!("summary");
            body["summary"] = json!(format!("摘要{p}"));
        }
        let (item, r) = replied(&t, &w, &format!("关于{p}的提案"), body).await;
        t.post("office", &format!("/api/v1/replies/{r}/publish"), json!({}))
            .await
            .ok();
        t.post(
            "office",
            &format!("/api/v1/items/{item}/supervision"),
            json!({"note": format!("督办{p}")}),
        )
        .await
        .ok();
    }

    let mut pages = 0;
    let mut showing = 0;
    for who in [
        None,
        Some("p1"),
        Some("px"),
        Some("office"),
        Some("lead_staff"),
        Some("lead_signer"),
        Some("admin"),
    ] {
        let start = match who {
            None => "/",
            Some(user) => {
                let password = if user == "admin" {
                    "admin-pass-1"
                } else {
                    "password-123"
                };
                sign_in(&b, &t, user, password).await;
                "/app"
            }
        };
        let (n, shown) = sweep(&b, &t, start, who.unwrap_or("anonymous")).await;
        pages += n;
        showing += shown;
    }
    assert!(pages >= 150, "only {pages} pages swept");
    assert!(
        showing >= 40,
        "the payloads show as text on only {showing} pages"
    );
    eprintln!(
        "XSS sweep: {} payloads, {pages} pages in Chromium over 7 kinds of user, shown as text on {showing}, 0 became markup",
        PAYLOADS.len()
    );
    drop(b);
    t.finish().await;
}

/// Follows same-site links from `start` breadth first; returns (pages, pages showing a
/// payload as text). Every page is checked as it is loaded.
async fn sweep(b: &Browser, t: &TestApp, start: &str, who: &str) -> (usize, usize) {
    let mut queue = VecDeque::from([format!("{}{start}", t.base)]);
    let mut seen = BTreeSet::new();
    let mut shown = 0;
    while let Some(url) = queue.pop_front() {
        if seen.len() >= MAX_PAGES || !seen.insert(url.clone()) {
            continue;
        }
        b.goto(&url).await;
        let v: Value = b.js(CHECK_JS, json!([])).await;
        let bad: Vec<&str> = v["bad"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(bad.is_empty(), "{who} at {url}: {bad:?}");
        shown += usize::from(v["shown"] == true);
        for link in v["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
        {
            let link = link.split('#').next().unwrap_or(link);
            let path = link.strip_prefix(&t.base).unwrap_or("");
            let skip = path.is_empty()
                || path.contains("logout")
                || path.starts_with("/api")
                || path.starts_with("/static")
                || [".pdf", ".xlsx", ".csv", ".json", ".atom", ".zip"]
                    .iter()
                    .any(|x| path.split('?').next().unwrap_or("").ends_with(x));
            if !skip && !seen.contains(link) {
                queue.push_back(link.to_string());
            }
        }
    }
    (seen.len(), shown)
}
