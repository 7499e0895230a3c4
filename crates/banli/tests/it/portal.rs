//! The public portal over HTTP: fields, 简/繁, caching, visibility by disclosure mode, and
//! `banli integrity` finding altered and injected content.

use crate::harness::*;
use crate::lifecycle::on_both;
use serde_json::json;

/// An item replied by the lead unit with the given reply; returns (assignment, reply id).
pub(crate) async fn replied(
    t: &TestApp,
    w: &World,
    title: &str,
    reply: serde_json::Value,
) -> (i64, i64) {
    let (_, a, r) = replied_item(t, w, title, reply).await;
    (a, r)
}

/// The same, with the item: (item, assignment, reply id).
async fn replied_item(
    t: &TestApp,
    w: &World,
    title: &str,
    reply: serde_json::Value,
) -> (i64, i64, i64) {
    let (item, a) = accepted_by_lead(t, w, "p1", title).await;
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{a}/reply"),
        reply,
    )
    .await
    .ok();
    let r = t
        .post(
            "lead_signer",
            &format!("/api/v1/assignments/{a}/reply/approve"),
            json!({}),
        )
        .await
        .id();
    (item, a, r)
}

pub(crate) fn reply(body: &str, disclosure: &str, summary: Option<&str>) -> serde_json::Value {
    let mut v = json!({"body": body, "grade": "B", "disclosure": disclosure, "contact_name": "联系人甲", "contact_phone": "0731-12345678", "commitments": [{"text": "年底前建成示范点", "due_on": "2026-12-31"}]});
    if let Some(s) = summary {
        v["summary"] = json!(s);
    }
    if disclosure == "not_public" {
        v["disclosure_reason"] = json!("涉及国家秘密");
    }
    v
}

on_both!(portal_pages_visibility_and_caching);
async fn portal_pages_visibility_and_caching(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let body = "感谢您的提案。她的头发很长，经济发展很快，干部下乡，天气干燥。\n我们将认真落实。";
    let (_, public) = replied(t, &w, "关于公开答复的提案", reply(body, "public", None)).await;
    let (_, summary) = replied(
        t,
        &w,
        "关于摘要公开的提案",
        reply("全文不公开的内容XYZ", "summary", Some("摘要：已列入计划")),
    )
    .await;
    let (_, secret) = replied(
        t,
        &w,
        "关于不予公开的提案",
        reply("机密正文ABC", "not_public", None),
    )
    .await;
    let (_, on_request) = replied(
        t,
        &w,
        "关于依申请公开的提案",
        reply("依申请正文DEF", "on_request", None),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{public}/publish"),
        json!({"editor": "王编辑", "source": "省发展改革委"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{summary}/publish"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{secret}/publish"),
        json!({}),
    )
    .await
    .status(422);
    t.post(
        "office",
        &format!("/api/v1/replies/{on_request}/publish"),
        json!({}),
    )
    .await
    .status(422);
    // The office may override a mode, but never into the portal for a not_public reply it did not choose.
    t.post(
        "lead_signer",
        &format!("/api/v1/replies/{on_request}/publish"),
        json!({"disclosure": "public"}),
    )
    .await
    .status(422);

    // The reply page carries everything DESIGN §6 lists.
    let (status, headers, html) = t.public(&format!("/replies/{public}"), &[]).await;
    assert_eq!(status, 200);
    for needle in [
        "首页",
        "政务公开",
        "建议提案办理",
        "关于湖南省政协十三届一次会议第0001号提案的答复",
        "湖南省发展和改革委员会",
        "发布时间",
        "来源",
        "责任编辑",
        "王编辑",
        "字体",
        ">大<",
        ">中<",
        ">小<",
        ">简<",
        ">繁<",
        "打印",
        "class=\"qr\"",
        "微博",
        "年底前建成示范点",
        "湘发改提〔2026〕1号",
        // The letter as a PDF, and a search box as on every portal page.
        &format!("href=\"/replies/{public}.pdf\""),
        "role=\"search\"",
    ] {
        assert!(html.contains(needle), "reply page lacks {needle}");
    }
    // Lists and the feed name a reply by its item's subject, the official title beside it.
    let (_, _, home) = t.public("/", &[]).await;
    let entry = home.split("<ul class=\"docs\">").nth(1).unwrap_or_default();
    assert!(
        entry.contains(&format!(
            "href=\"/replies/{public}\">关于公开答复的提案</a>"
        )) && entry
            .contains("<p class=\"official\">关于湖南省政协十三届一次会议第0001号提案的答复</p>"),
        "{entry}"
    );
    assert!(
        home.contains("role=\"search\""),
        "a search box on the home page"
    );
    let (_, _, feed) = t.public("/feed.atom", &[]).await;
    assert!(feed.contains("<title>关于公开答复的提案</title>"), "{feed}");
    assert!(
        !html.contains("0731-12345678"),
        "contact details are removed from a public document"
    );
    // The QR code encodes the page's own absolute address.
    let url = format!("{}/replies/{public}", t.base);
    assert!(html.contains(&banli_web::portal::qr_svg(&url)));
    assert!(headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    // Traditional Chinese, phrase-aware.
    let (_, _, hant) = t
        .public(&format!("/replies/{public}?script=hant"), &[])
        .await;
    for needle in ["頭髮", "發展", "幹部", "乾燥", "lang=\"zh-Hant\""] {
        assert!(hant.contains(needle), "traditional page lacks {needle}");
    }
    // Font size and print view.
    assert!(t
        .public(&format!("/replies/{public}?size=l"), &[])
        .await
        .2
        .contains("size-l"));
    let (_, _, print) = t.public(&format!("/replies/{public}?print=1"), &[]).await;
    assert!(
        print.contains("class=\"size-m print\"")
            && !print.contains("<nav aria-label=\"网站导航\">")
    );
    // Caching: ETag and Last-Modified, and 304 when unchanged.
    let etag = headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert!(headers.get("last-modified").is_some());
    let (status, _, _) = t
        .public(&format!("/replies/{public}"), &[("if-none-match", &etag)])
        .await;
    assert_eq!(status, 304);
    // Compressed on request.
    let (_, gz, _) = t
        .public(
            &format!("/replies/{public}"),
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(gz.get("content-encoding").unwrap(), "gzip");
    // Summary mode shows only the summary.
    let (_, _, s) = t.public(&format!("/replies/{summary}"), &[]).await;
    assert!(s.contains("摘要：已列入计划") && !s.contains("全文不公开的内容XYZ"));
    // Never public: not_public and on_request appear nowhere.
    for id in [secret, on_request] {
        assert_eq!(t.public(&format!("/replies/{id}"), &[]).await.0, 404);
    }
    for path in [
        "/",
        "/feed.atom",
        "/open-data/replies.csv",
        "/open-data/replies.json",
    ] {
        let (status, _, text) = t.public(path, &[]).await;
        assert_eq!(status, 200, "{path}");
        for secret_text in [
            "机密正文ABC",
            "依申请正文DEF",
            "关于不予公开的提案",
            "关于依申请公开的提案",
            "全文不公开的内容XYZ",
        ] {
            assert!(!text.contains(secret_text), "{path} leaks {secret_text}");
        }
        assert!(
            text.contains(&format!("/replies/{public}")),
            "{path} lists the public reply"
        );
    }
    let (_, _, json) = t.public("/open-data/replies.json", &[]).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["total"],
        2
    );
    // Withdrawal takes the page down everywhere.
    t.post(
        "office",
        &format!("/api/v1/replies/{summary}/withdraw"),
        json!({"reason": "内容需复核"}),
    )
    .await
    .ok();
    assert_eq!(t.public(&format!("/replies/{summary}"), &[]).await.0, 404);
    assert!(!t
        .public("/", &[])
        .await
        .2
        .contains(&format!("/replies/{summary}\"")));
    // User text is escaped.
    let (_, escaped) = replied(
        t,
        &w,
        "关于<script>alert(1)</script>的提案",
        reply(
            "<script>alert(2)</script><a href=\"https://spam.example\">x</a>",
            "public",
            None,
        ),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{escaped}/publish"),
        json!({}),
    )
    .await
    .ok();
    let (_, _, html) = t.public(&format!("/replies/{escaped}"), &[]).await;
    assert!(
        !html.contains("<script>alert(2)") && html.contains("alert(2)"),
        "the text is shown, escaped"
    );
    assert!(!html.contains("href=\"https://spam.example\""));
}

on_both!(integrity_finds_altered_and_injected_content);
async fn integrity_finds_altered_and_injected_content(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let (_, a) = replied(
        t,
        &w,
        "关于完整性一的提案",
        reply("批准的正文一", "public", None),
    )
    .await;
    let (_, b) = replied(
        t,
        &w,
        "关于完整性二的提案",
        reply("批准的正文二", "public", None),
    )
    .await;
    let (_, c) = replied(
        t,
        &w,
        "关于完整性三的提案",
        reply("批准的正文三", "public", None),
    )
    .await;
    for id in [a, b, c] {
        t.post(
            "office",
            &format!("/api/v1/replies/{id}/publish"),
            json!({}),
        )
        .await
        .ok();
    }
    let (n, findings) = t.app.integrity_check().await.unwrap();
    assert_eq!((n, findings.len()), (3, 0));
    // Someone edits the sent document in the database, and someone else the published copy.
    banli_store::sqlx::query("UPDATE documents SET body = '被篡改的正文' WHERE id = $1")
        .bind(a)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    banli_store::sqlx::query("UPDATE publications SET content = REPLACE(content, '批准的正文二', '访问 spam.example 领取奖金') WHERE document_id = $1").bind(b).execute(&t.app.db.pool).await.unwrap();
    let (_, findings) = t.app.integrity_check().await.unwrap();
    let ids: Vec<i64> = findings.iter().map(|f| f.document_id).collect();
    assert!(
        ids.contains(&a) && ids.contains(&b) && !ids.contains(&c),
        "{findings:?}"
    );

    // A proxy in front of the portal that injects a script and a link into page c.
    let real = t.base.clone();
    let target = format!("/replies/{c}");
    let proxy = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let (real, target) = (real.clone(), target.clone());
        async move {
            let html = reqwest::get(format!("{real}{}", uri.path())).await.unwrap().text().await.unwrap();
            let html = if uri.path() == target { html.replace("</main>", "<script src=\"https://evil.example/x.js\"></script><a href=\"https://casino.example/\">在线博彩</a></main>") } else { html };
            axum::response::Html(html)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, proxy).await.unwrap() });
    // The real binary, against the same database, checking the live site through the proxy.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_banli"))
        .args([
            "--database-url",
            &t.db_url,
            "integrity",
            "--url",
            &proxy_url,
        ])
        .env("BANLI_PUBLIC_BASE_URL", &t.base)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "integrity exits non-zero when it finds a problem: {stdout}"
    );
    let line_c = stdout
        .lines()
        .find(|l| l.starts_with(&format!("/replies/{c}\t")))
        .unwrap_or_else(|| panic!("page c not reported: {stdout}"));
    assert!(
        line_c.contains("<script")
            && line_c.contains("casino.example")
            && line_c.contains("在线博彩"),
        "{line_c}"
    );
    assert!(
        stdout.contains(&format!("/replies/{a}\t")),
        "the altered document is reported: {stdout}"
    );
}

on_both!(kept_pages_change_with_the_next_event);
async fn kept_pages_change_with_the_next_event(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let (item, _, r) = replied_item(
        t,
        &w,
        "关于缓存页面的提案",
        reply("我们将认真落实。", "public", None),
    )
    .await;
    t.post("office", &format!("/api/v1/replies/{r}/publish"), json!({}))
        .await
        .ok();
    let page = format!("/replies/{r}");
    let hant = format!("/replies/{r}?script=hant");
    let (_, first_headers, first) = t.public(&page, &[]).await;
    let (_, _, first_hant) = t.public(&hant, &[]).await;
    let (_, _, home) = t.public("/", &[]).await;
    assert!(home.contains(&page));
    // Kept: the page is the rendered bytes, so an edit behind Banli's back is not seen...
    banli_store::sqlx::query("UPDATE publications SET editor = '后台改动' WHERE document_id = $1")
        .bind(r)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let (_, again_headers, again) = t.public(&page, &[]).await;
    assert_eq!(again, first, "served from the kept bytes");
    assert_eq!(again_headers.get("etag"), first_headers.get("etag"));
    // ...while the next step taken in Banli shows at once, in both scripts, with a new tag.
    let detail = t.get("office", &format!("/api/v1/items/{item}")).await;
    let commitment = detail.ok()["commitments"][0]["id"].as_i64().unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "示范点已经建成", "status": "done"}),
    )
    .await
    .ok();
    let (status, headers, now) = t
        .public(
            &page,
            &[("if-none-match", first_headers["etag"].to_str().unwrap())],
        )
        .await;
    assert_eq!(status, 200, "the old tag no longer matches");
    assert_ne!(headers.get("etag"), first_headers.get("etag"));
    assert!(now.contains("示范点已经建成"), "commitment progress shows");
    assert!(now.contains("后台改动"), "re-rendered from the database");
    let (_, _, now_hant) = t.public(&hant, &[]).await;
    assert_ne!(now_hant, first_hant);
    assert!(now_hant.contains("示範點已經建成"));
    // Withdrawal takes the kept home page and the page itself down with it.
    t.post(
        "office",
        &format!("/api/v1/replies/{r}/withdraw"),
        json!({"reason": "内容需复核"}),
    )
    .await
    .ok();
    assert_eq!(t.public(&page, &[]).await.0, 404);
    assert!(!t.public("/", &[]).await.2.contains(&page));
}
