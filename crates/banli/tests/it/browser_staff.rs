//! The staff web app (/app) in headless Chromium, used as a person uses it: signing in on the
//! login page, typing into the fields, choosing radios and options, opening <details> by
//! clicking their <summary>, pressing buttons — never posting a form behind the page's back.
//!
//! - `one_item_from_draft_to_closed_{sqlite,postgres}`: one joint proposal from the proposer's
//!   draft to 已办结, through every role's pages, checking after each step what that user sees
//!   (the state, the queue entry, the document number, the timeline), and ending with the
//!   interface switched to English on the account page. (PostgreSQL when BANLI_TEST_PG_URL is
//!   set, as in the rest of the suite.)
//! - `refusals_in_the_pages`: a unit that is not assigned gets the 无权访问 page (403), a
//!   proposer is refused the unit list, and a signed-out visitor is sent to sign in and back.
//! - `accessibility_of_every_staff_page`: axe-core (no serious or critical violation) on every
//!   staff template, with every <details> open and in the refused-form state, at 1366×768 and
//!   at phone size (390×844, without sideways scrolling); no page carries or runs a script, and
//!   the console shows no error.
//!
//! Needs what browser.rs needs (Chromium, chromedriver, axe-core from npm); skips with a
//! NOTICE without them, and fails under CI=true. With BANLI_SCREENSHOTS=<dir> (relative to the
//! workspace root; `1` means docs/screenshots) the SQLite story saves 1366×768 screenshots of each
//! role's main pages as <dir>/staff-*.png: see docs/screenshots/staff.sh.

use crate::browser::{axe_source, browser, Browser, El};
use crate::harness::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PASSWORD: &str = "password-123";
const TITLE: &str = "关于加快湘江科学城建设的提案";
const FILED_TITLE: &str = "关于加快推进湘江科学城建设的提案";
const LEAD: &str = "湖南省发展和改革委员会";
const CO: &str = "湖南省财政厅";
const COMMITMENT: &str = "年底前出台支持湘江科学城建设的专项政策";

// ---- driving the pages ----

/// Marks the current document, so that the page which replaces it can be told apart.
async fn mark(b: &Browser) {
    b.js(
        "document.documentElement.setAttribute('data-test-old-page', '1')",
        json!([]),
    )
    .await;
}

/// Waits until a new document (without the mark) has loaded completely.
async fn wait_new_page(b: &Browser, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = b.js("return document.readyState === 'complete' && !document.documentElement.hasAttribute('data-test-old-page')", json!([])).await;
        if v == true {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: no new page loaded; still at {}",
            b.current_url().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks a button or link that loads another page, and waits for that page.
async fn press(b: &Browser, el: &El, what: &str) {
    mark(b).await;
    b.click(el).await;
    wait_new_page(b, what).await;
}

async fn open(b: &Browser, url: &str) {
    mark(b).await;
    b.goto(url).await;
    wait_new_page(b, url).await;
}

async fn xpath_all(b: &Browser, xp: &str) -> Vec<El> {
    let v = b
        .post("/elements", json!({"using": "xpath", "value": xp}))
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            El(e.as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .as_str()
                .unwrap()
                .to_string())
        })
        .collect()
}

/// The one element at `xp`; otherwise a failure that says where the browser is and what it shows.
async fn one(b: &Browser, xp: &str) -> El {
    let mut all = xpath_all(b, xp).await;
    if all.len() != 1 {
        let main = b
            .js(
                "return (document.querySelector('main') || document.body).innerText",
                json!([]),
            )
            .await;
        panic!(
            "expected one element at {xp}, found {} on {}:\n{}",
            all.len(),
            b.current_url().await,
            main.as_str().unwrap_or_default()
        );
    }
    all.remove(0)
}

/// A button with this visible text inside `scope` (an XPath such as `//section[@id='a-3']`).
async fn button(b: &Browser, scope: &str, text: &str) -> El {
    one(b, &format!("{scope}//button[normalize-space()='{text}']")).await
}

async fn link(b: &Browser, scope: &str, text: &str) -> El {
    one(b, &format!("{scope}//a[normalize-space()='{text}']")).await
}

/// Replaces what a field holds with `text`, typed.
async fn fill(b: &Browser, css: &str, text: &str) {
    let el = b.find(css).await;
    b.post(&format!("/element/{}/clear", el.0), json!({})).await;
    b.keys(&el, text).await;
    let v = b.js("return arguments[0].value", json!([el.json()])).await;
    assert_eq!(
        v.as_str().unwrap_or_default().replace("\r\n", "\n"),
        text,
        "typed into {css}"
    );
}

/// Types a date into an `<input type="date">` as a person does: the digits in the order the
/// browser's locale shows the fields (month/day/year in en-US, year/month/day in zh-CN).
async fn fill_date(b: &Browser, el: &El, iso: &str) {
    let order = b.js("return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2023, 11, 31)).map(p => p.type).filter(t => t !== 'literal')", json!([])).await;
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let keys: String = order
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p.as_str().unwrap() {
            "year" => y,
            "month" => m,
            _ => d,
        })
        .collect();
    b.post(&format!("/element/{}/clear", el.0), json!({})).await;
    b.keys(el, &keys).await;
    assert_eq!(
        b.js("return arguments[0].value", json!([el.json()])).await,
        iso,
        "date typed as {keys} ({order})"
    );
}

/// Clicks the label of a radio button (or checkbox) in the fieldset with this legend.
async fn choose(b: &Browser, scope: &str, legend: &str, label: &str) {
    let xp = format!("{scope}//fieldset[legend[normalize-space()='{legend}']]//label[normalize-space()='{label}']");
    b.click(&one(b, &xp).await).await;
    let input = one(b, &format!("{xp}//input")).await;
    assert_eq!(
        b.js("return arguments[0].checked", json!([input.json()]))
            .await,
        true,
        "{legend}: {label} is chosen"
    );
}

/// Chooses the option with this text in a select.
async fn pick(b: &Browser, select_css: &str, option: &str) {
    let select = b.find(select_css).await;
    let opt = one(
        b,
        &format!(
            "//select[@id='{}']/option[normalize-space()='{option}']",
            select_css.trim_start_matches('#')
        ),
    )
    .await;
    b.click(&opt).await;
    let shown = b
        .js(
            "return arguments[0].selectedOptions[0].textContent.trim()",
            json!([select.json()]),
        )
        .await;
    assert_eq!(shown, option, "{select_css}");
}

/// Opens the <details> whose summary reads `summary` by clicking the summary (unless the page
/// has it open already); returns its XPath.
async fn open_details(b: &Browser, scope: &str, summary: &str) -> String {
    let xp = format!("{scope}//details[summary[normalize-space()='{summary}']]");
    let d = one(b, &xp).await;
    if b.js("return arguments[0].open", json!([d.json()])).await != true {
        b.click(&one(b, &format!("{xp}/summary")).await).await;
    }
    assert_eq!(
        b.js("return arguments[0].open", json!([d.json()])).await,
        true,
        "{summary} is open"
    );
    xp
}

async fn text_of(b: &Browser, css: &str) -> String {
    let all = b.find_all(css).await;
    assert_eq!(all.len(), 1, "one {css} on {}", b.current_url().await);
    b.text(&all[0]).await
}

async fn h1(b: &Browser) -> String {
    text_of(b, "main h1").await
}

async fn state(b: &Browser) -> String {
    text_of(b, "#item-state").await
}

async fn flash(b: &Browser) -> String {
    text_of(b, "main .flash").await
}

/// A work-queue section's text (`q-to_file`, `q-replies` …).
async fn queue(b: &Browser, key: &str) -> String {
    text_of(b, &format!("#q-{key}")).await
}

/// The item page's facts, label → value.
async fn facts(b: &Browser) -> Value {
    b.js("return Object.fromEntries([...document.querySelectorAll('.facts > div')].map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))", json!([])).await
}

/// The timeline's entries (what happened), in order.
async fn timeline(b: &Browser) -> Vec<String> {
    let v = b.js("return [...document.querySelectorAll('.timeline li strong')].map(s => s.textContent.trim())", json!([])).await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[track_caller]
fn assert_has(hay: &str, needles: &[&str], what: &str) {
    for n in needles {
        assert!(hay.contains(n), "{what} lacks {n:?}:\n{hay}");
    }
}

/// The assignment sections of the item page: (id, heading).
async fn assignments(b: &Browser) -> Vec<(i64, String)> {
    let v = b.js("return [...document.querySelectorAll('section.assignment')].map(s => [s.id, s.querySelector('h3').textContent.trim()])", json!([])).await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str()
                    .unwrap()
                    .trim_start_matches("a-")
                    .parse()
                    .unwrap(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn assignment_text(b: &Browser, id: i64) -> String {
    text_of(b, &format!("#a-{id}")).await
}

async fn assignment_heading(b: &Browser, id: i64) -> String {
    text_of(b, &format!("#a-{id} h3")).await
}

/// The HTTP status of the page on screen.
async fn status(b: &Browser) -> u64 {
    b.js(
        "return performance.getEntriesByType('navigation')[0].responseStatus",
        json!([]),
    )
    .await
    .as_u64()
    .unwrap_or(0)
}

/// Signs in on the login page (signing out through the header's form first when someone is
/// still signed in) and checks the landing page is this user's work queue.
/// Signs in through the login page (signing out whoever was signed in) and lands on 工作台.
pub(crate) async fn sign_in(b: &Browser, t: &TestApp, user: &str, password: &str) {
    open(b, &format!("{}/app/login", t.base)).await;
    if !b.current_url().await.contains("/app/login") {
        press(
            b,
            &one(b, "//header//form[@action='/app/logout']//button").await,
            "sign out",
        )
        .await;
        assert!(
            b.current_url().await.contains("/app/login"),
            "sign-out leads to the login page: {}",
            b.current_url().await
        );
    }
    clean(b, "login page", false).await;
    fill(b, "#username", user).await;
    fill(b, "#password", password).await;
    press(b, &button(b, "//main", "登录").await, "sign in").await;
    let url = b.current_url().await;
    // The admin has no work queue and lands on the organisation's overview.
    let (home, heading) = if user == "admin" {
        ("/app/admin", "系统管理")
    } else {
        ("/app", "工作台")
    };
    assert!(url.ends_with(home), "{user} lands on {home}: {url}");
    clean(b, "landing page", false).await;
    assert_eq!(h1(b).await, heading);
    let who = text_of(b, "header .who span").await;
    let name = if user == "admin" {
        "系统管理员".to_string()
    } else {
        format!("用户{user}")
    };
    assert!(who.starts_with(&name), "the header names {user}: {who}");
}

/// Opens the item from a work-queue section by clicking its title.
async fn from_queue(b: &Browser, key: &str, title: &str) {
    press(
        b,
        &link(b, &format!("//section[@id='q-{key}']"), title).await,
        "open from the queue",
    )
    .await;
    clean(b, "item page", false).await;
    assert_eq!(h1(b).await, title);
}

// ---- what every page must be: no script, our style sheet, a clean console ----

/// The page carries no script (no script element, no inline handler, no javascript: link),
/// loads nothing from another host, has its style sheet, and the console shows no JavaScript
/// error or CSP refusal. `error_status`: the page itself is a 4xx answer (its own load is
/// logged as a failed resource, which is expected).
async fn clean(b: &Browser, what: &str, error_status: bool) {
    let v = b
        .js(
            "const names = performance.getEntriesByType('resource').map(e => e.name);
             const handlers = [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).map(e => e.outerHTML.slice(0, 80));
             const jsLinks = [...document.querySelectorAll('[href^=\"javascript:\" i], [action^=\"javascript:\" i]')].length;
             const sheet = [...document.styleSheets].find(s => (s.href || '').endsWith('/static/staff.css'));
             return {scripts: document.scripts.length, handlers, jsLinks, lang: document.documentElement.lang, title: document.title,
                     rules: sheet ? sheet.cssRules.length : 0,
                     foreign: names.filter(n => new URL(n, location.href).origin !== location.origin)};",
            json!([]),
        )
        .await;
    let url = b.current_url().await;
    assert_eq!(v["scripts"], 0, "{what} ({url}): the page carries a script");
    assert_eq!(
        v["handlers"],
        json!([]),
        "{what} ({url}): inline event handlers"
    );
    assert_eq!(v["jsLinks"], 0, "{what} ({url}): javascript: links");
    assert_eq!(
        v["foreign"],
        json!([]),
        "{what} ({url}): requests to other hosts"
    );
    assert!(
        v["rules"].as_u64().unwrap_or(0) > 20,
        "{what} ({url}): staff.css is not applied: {v}"
    );
    assert!(
        !v["lang"].as_str().unwrap_or_default().is_empty()
            && !v["title"].as_str().unwrap_or_default().is_empty(),
        "{what} ({url}): lang and title: {v}"
    );
    let problems: Vec<Value> = b
        .console()
        .await
        .into_iter()
        .filter(|e| {
            !(error_status
                && e["source"] == "network"
                && e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("status of 4"))
        })
        .filter(|e| {
            e["level"] == "SEVERE"
                || e["level"] == "WARNING"
                || e["source"] == "javascript"
                || e["source"] == "security"
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{what} ({url}): console errors: {problems:#?}"
    );
}

// ---- viewports and screenshots ----

async fn desktop(b: &Browser) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": false}),
    )
    .await;
}

async fn phone(b: &Browser) {
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true}),
    )
    .await;
}

/// Where BANLI_SCREENSHOTS asks the screenshots to go (relative to the workspace root).
fn screenshot_dir() -> Option<PathBuf> {
    let v = std::env::var("BANLI_SCREENSHOTS")
        .ok()
        .filter(|v| !v.trim().is_empty())?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    Some(if v == "1" {
        root.join("docs/screenshots")
    } else if Path::new(&v).is_absolute() {
        PathBuf::from(v)
    } else {
        root.join(v)
    })
}

/// With BANLI_SCREENSHOTS set, saves the 1366×768 viewport as staff-{name}.png, scrolled so
/// that `at` (an XPath) is `above` pixels below the top, or at the top of the page.
async fn shot(b: &Browser, name: &str, at: Option<(&str, i64)>) {
    let Some(dir) = screenshot_dir() else { return };
    match at {
        Some((xp, above)) => {
            let el = one(b, xp).await;
            b.js(
                "arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -arguments[1]);",
                json!([el.json(), above]),
            )
            .await;
        }
        None => {
            b.js("window.scrollTo(0, 0)", json!([])).await;
        }
    }
    let png = Browser::png(b.get("/screenshot").await);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let no_cjk_font = Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .map(|o| o.stdout.is_empty())
        .unwrap_or(true);
    if no_cjk_font {
        eprintln!("NOTICE: no Chinese font is installed (fc-list :lang=zh); staff-{name}.png shows boxes. apt-get install fonts-noto-cjk");
    }
    let path = dir.join(format!("staff-{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("wrote {}", path.display());
    b.js("window.scrollTo(0, 0)", json!([])).await;
}

// ---- 1. the story ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_item_from_draft_to_closed_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_item_from_draft_to_closed_postgres() {
    story(Backend::Postgres).await;
}

/// One joint proposal from draft to 已办结 through the pages alone. The SQLite run takes the
/// screenshots.
async fn story(backend: Backend) {
    let Some(b) = browser().await else { return };
    let Some(t) = on(backend).await else { return };
    let shots = backend == Backend::Sqlite;
    world(&t).await;
    desktop(&b).await;
    let base = t.base.clone();

    // p1 drafts a joint proposal inviting p2, asking for similar items first.
    t.set_today("2023-01-16");
    sign_in(&b, &t, "p1", PASSWORD).await;
    assert_has(&queue(&b, "drafts").await, &["暂无"], "p1's drafts");
    press(&b, &link(&b, "//header//nav", "新建提案").await, "new item").await;
    clean(&b, "new item", false).await;
    assert_eq!(h1(&b).await, "新建提案");
    fill(&b, "#new-title", TITLE).await;
    fill(
        &b,
        "#new-body",
        "湘江科学城是长株潭一体化的重要平台。\n建议设立专项资金，统筹推进基础设施建设。",
    )
    .await;
    choose(&b, "//main", "提出方式", "联名").await;
    pick(&b, "#new-category", "经济建设").await;
    fill(&b, "#new-cosigners", "p2").await;
    press(
        &b,
        &button(&b, "//main", "查找相似提案").await,
        "similar items",
    )
    .await;
    clean(&b, "new item with similar items", false).await;
    assert_has(
        &text_of(&b, "section.hint").await,
        &["相似提案", "未找到相似的提案"],
        "the similar-items box",
    );
    let kept = b.js("return [document.querySelector('#new-title').value, document.querySelector('input[name=origin]:checked').value, document.querySelector('#new-cosigners').value, document.querySelector('#new-category').value]", json!([])).await;
    assert_eq!(
        kept,
        json!([TITLE, "joint", "p2", "经济建设"]),
        "what was typed is kept"
    );
    press(
        &b,
        &button(&b, "//main", "保存草稿").await,
        "save the draft",
    )
    .await;
    clean(&b, "new draft", false).await;
    let url = b.current_url().await;
    assert!(url.contains("done=created"), "{url}");
    let id: i64 = url
        .split("/app/items/")
        .nth(1)
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let item_url = format!("{base}/app/items/{id}");
    assert_eq!(flash(&b).await, "已创建");
    assert_eq!(state(&b).await, "草稿");
    let f = facts(&b).await;
    assert_eq!(f["提出方式"], "联名", "{f}");
    assert_eq!(f["类别"], "经济建设", "{f}");
    assert_eq!(f["提案人"], "用户p1、用户p2（待确认）", "{f}");
    assert_eq!(timeline(&b).await, vec!["起草"]);

    // p2 finds the invitation in the queue and confirms co-signing.
    t.set_today("2023-01-17");
    sign_in(&b, &t, "p2", PASSWORD).await;
    assert_has(
        &queue(&b, "cosign").await,
        &[TITLE, "用户p1"],
        "p2's invitations",
    );
    from_queue(&b, "cosign", TITLE).await;
    assert_has(
        &text_of(&b, "main").await,
        &["您被邀请联名本提案"],
        "p2's item page",
    );
    press(
        &b,
        &button(&b, "//main", "确认联名").await,
        "confirm co-signing",
    )
    .await;
    clean(&b, "co-signed", false).await;
    assert_eq!(flash(&b).await, "操作成功");
    assert_eq!(facts(&b).await["提案人"], "用户p1、用户p2");
    assert!(timeline(&b).await.contains(&"确认联名".to_string()));

    // p1 submits.
    sign_in(&b, &t, "p1", PASSWORD).await;
    assert_has(&queue(&b, "drafts").await, &[TITLE], "p1's drafts");
    from_queue(&b, "drafts", TITLE).await;
    press(&b, &button(&b, "//main", "提交提案").await, "submit").await;
    clean(&b, "submitted", false).await;
    assert_eq!(state(&b).await, "已提交");
    assert_eq!(facts(&b).await["提交日期"], "2023-01-17");
    assert!(timeline(&b).await.contains(&"提交".to_string()));
    assert!(
        queue_after(&b, &base, "drafts").await.contains("暂无"),
        "the draft left p1's queue"
    );

    // The office files it (tidying the title) and assigns the lead and the co unit by name.
    t.set_today("2023-01-18");
    sign_in(&b, &t, "office", PASSWORD).await;
    assert_has(
        &queue(&b, "to_file").await,
        &[TITLE, "用户p1"],
        "the office's queue",
    );
    if shots {
        shot(&b, "office-queue", None).await;
    }
    from_queue(&b, "to_file", TITLE).await;
    let filing = open_details(&b, "//main", "立案").await;
    fill(&b, "#file-title", FILED_TITLE).await;
    press(&b, &button(&b, &filing, "立案").await, "file").await;
    clean(&b, "filed", false).await;
    assert_eq!(state(&b).await, "已立案");
    assert_eq!(h1(&b).await, FILED_TITLE);
    assert_eq!(text_of(&b, "main .crumbs").await, "提案 › 第0001号");
    assert!(timeline(&b).await.contains(&"立案".to_string()));
    let assigning = open_details(&b, "//main", "交办").await;
    fill(&b, "#assign-lead", LEAD).await;
    fill(&b, "#assign-co", CO).await;
    if shots {
        shot(&b, "office-item", None).await;
    }
    press(&b, &button(&b, &assigning, "交办").await, "assign").await;
    clean(&b, "assigned", false).await;
    assert_eq!(state(&b).await, "办理中");
    let asg = assignments(&b).await;
    assert_eq!(asg.len(), 2, "{asg:?}");
    let (la, lead_h) = asg
        .iter()
        .find(|(_, h)| h.starts_with(LEAD))
        .cloned()
        .unwrap();
    let (ca, co_h) = asg
        .iter()
        .find(|(_, h)| h.starts_with(CO))
        .cloned()
        .unwrap();
    assert_eq!(lead_h, format!("{LEAD} · 主办 · 待签收"));
    assert_eq!(co_h, format!("{CO} · 会办 · 待签收"));
    assert!(timeline(&b).await.contains(&"交办".to_string()));

    // Each unit's clerk finds it among the new assignments, with the return window, and accepts.
    t.set_today("2023-01-19");
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "new_assignments").await,
        &[FILED_TITLE, "0001", "申请调整期限"],
        "the lead clerk's queue",
    );
    if shots {
        shot(&b, "unit-queue", None).await;
    }
    from_queue(&b, "new_assignments", FILED_TITLE).await;
    assert!(
        b.find_all("form[action$='/file'], form[action$='/assign']")
            .await
            .is_empty(),
        "a clerk has no office forms"
    );
    press(
        &b,
        &button(&b, &format!("//section[@id='a-{la}']"), "签收").await,
        "accept (lead)",
    )
    .await;
    clean(&b, "accepted", false).await;
    assert_eq!(
        assignment_heading(&b, la).await,
        format!("{LEAD} · 主办 · 已签收")
    );
    sign_in(&b, &t, "co_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "new_assignments").await,
        &[FILED_TITLE],
        "the co clerk's queue",
    );
    from_queue(&b, "new_assignments", FILED_TITLE).await;
    press(
        &b,
        &button(&b, &format!("//section[@id='a-{ca}']"), "签收").await,
        "accept (co)",
    )
    .await;
    clean(&b, "accepted", false).await;
    assert_eq!(
        assignment_heading(&b, ca).await,
        format!("{CO} · 会办 · 已签收")
    );
    assert!(timeline(&b).await.contains(&"签收".to_string()));

    // The lead clerk records a face-to-face consultation held on the 19th.
    t.set_today("2023-01-30");
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    from_queue(&b, "replies", FILED_TITLE).await;
    let lead_scope = format!("//section[@id='a-{la}']");
    let consult = open_details(&b, &lead_scope, "记录沟通协商").await;
    choose(&b, &consult, "方式", "面商").await;
    let date = b.find(&format!("#consultations-{la}-date")).await;
    assert_eq!(
        b.js("return arguments[0].value", json!([date.json()]))
            .await,
        "2023-01-30",
        "the date starts at today"
    );
    fill_date(&b, &date, "2023-01-19").await;
    fill(
        &b,
        &format!("#consultations-{la}-summary"),
        "与提案人面商，听取对专项资金的意见",
    )
    .await;
    press(
        &b,
        &button(&b, &consult, "保存").await,
        "record the consultation",
    )
    .await;
    clean(&b, "consultation recorded", false).await;
    assert_has(
        &assignment_text(&b, la).await,
        &["面商 2023-01-19：与提案人面商，听取对专项资金的意见"],
        "the lead section",
    );
    assert!(timeline(&b).await.contains(&"沟通协商".to_string()));

    // The co clerk drafts the co-opinion; the co unit's signer sends it to the lead unit.
    t.set_today("2023-02-01");
    sign_in(&b, &t, "co_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "co_opinions").await,
        &[FILED_TITLE],
        "the co clerk's queue",
    );
    from_queue(&b, "co_opinions", FILED_TITLE).await;
    let co_scope = format!("//section[@id='a-{ca}']");
    let drafting = open_details(&b, &co_scope, "起草会办意见").await;
    fill(
        &b,
        &format!("#co-opinion-{ca}-body"),
        "同意主办单位意见。\n省财政将统筹安排专项资金予以支持。",
    )
    .await;
    fill(&b, &format!("#co-opinion-{ca}-contact_name"), "李四").await;
    fill(
        &b,
        &format!("#co-opinion-{ca}-contact_phone"),
        "0731-85165000",
    )
    .await;
    press(
        &b,
        &button(&b, &drafting, "保存草稿并送签发").await,
        "draft the co-opinion",
    )
    .await;
    clean(&b, "co-opinion drafted", false).await;
    assert_has(
        &assignment_text(&b, ca).await,
        &[
            "会办意见 · 草稿",
            "省财政将统筹安排专项资金予以支持。",
            "李四",
        ],
        "the co section",
    );

    // The lead clerk drafts the reply while the co-opinion still lies with the co signer
    // (grade B with one commitment): the page says before sending that the reply will wait.
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "replies").await,
        &[FILED_TITLE],
        "the lead clerk's queue",
    );
    from_queue(&b, "replies", FILED_TITLE).await;
    assert_has(
        &text_of(&b, &format!("[data-awaiting='{la}']")).await,
        &[
            "待会办单位意见",
            CO,
            "答复可以先起草并送签发，但须待以上会办意见齐备",
        ],
        "the clerk is told the reply will wait",
    );
    let reply = draft_reply(
        &b,
        la,
        "感谢您的提案。\n我们正会同省财政厅研究设立专项资金，年底前出台支持政策。",
        "B",
        Some((COMMITMENT, "2023-12-31")),
    )
    .await;
    if shots {
        shot(
            &b,
            "reply-editor",
            Some((&format!("({reply}//fieldset)[1]"), 60)),
        )
        .await;
    }
    press(
        &b,
        &button(&b, &reply, "保存草稿并送签发").await,
        "draft the reply",
    )
    .await;
    clean(&b, "reply drafted", false).await;
    assert_has(
        &assignment_text(&b, la).await,
        &[
            "答复 · 草稿 · 答复类别 B",
            &format!("{COMMITMENT}（2023-12-31，进行中 0%）"),
        ],
        "the lead section",
    );

    // The lead signer finds it apart, under 待会办, and the item says why there is no 签发.
    sign_in(&b, &t, "lead_signer", PASSWORD).await;
    assert!(
        queue(&b, "to_approve").await.contains("暂无"),
        "a reply that waits for a co-opinion is not offered for signing"
    );
    assert_has(
        &queue(&b, "awaiting_co_opinions").await,
        &[FILED_TITLE, &format!("答复（{LEAD}）")],
        "the lead signer's 待会办",
    );
    from_queue(&b, "awaiting_co_opinions", FILED_TITLE).await;
    assert_has(
        &text_of(&b, &format!("[data-awaiting='{la}']")).await,
        &[CO, "答复已送签发，须待以上会办意见齐备"],
        "the signer is told what the reply waits for",
    );
    assert!(
        xpath_all(
            &b,
            &format!("{lead_scope}//button[normalize-space()='签发答复']")
        )
        .await
        .is_empty(),
        "no 签发 while the co-opinion is missing"
    );

    t.set_today("2023-02-02");
    sign_in(&b, &t, "co_signer", PASSWORD).await;
    assert_has(
        &queue(&b, "to_approve").await,
        &[FILED_TITLE, &format!("会办意见（{CO}）")],
        "the co signer's queue",
    );
    from_queue(&b, "to_approve", FILED_TITLE).await;
    press(
        &b,
        &button(&b, &co_scope, "签发会办意见").await,
        "approve the co-opinion",
    )
    .await;
    clean(&b, "co-opinion sent", false).await;
    assert_has(
        &assignment_text(&b, ca).await,
        &["会办意见 · 已发出 · 湘财提函〔2023〕1号"],
        "the co section",
    );
    assert_eq!(
        assignment_heading(&b, ca).await,
        format!("{CO} · 会办 · 会办意见已发")
    );
    assert!(
        queue_after(&b, &base, "to_approve").await.contains("暂无"),
        "nothing left to approve"
    );

    // The co-opinion is in: the lead signer approves, the reply is sent with its number.
    t.set_today("2023-02-07");
    sign_in(&b, &t, "lead_signer", PASSWORD).await;
    assert!(
        queue(&b, "awaiting_co_opinions").await.contains("暂无"),
        "nothing waits for a co-opinion any more"
    );
    assert_has(
        &queue(&b, "to_approve").await,
        &[FILED_TITLE, &format!("答复（{LEAD}）")],
        "the lead signer's queue",
    );
    from_queue(&b, "to_approve", FILED_TITLE).await;
    if shots {
        shot(&b, "signer", Some((&lead_scope, 12))).await;
    }
    press(
        &b,
        &button(&b, &lead_scope, "签发答复").await,
        "approve the reply",
    )
    .await;
    clean(&b, "reply sent", false).await;
    assert_has(
        &assignment_text(&b, la).await,
        &[
            "答复 · 已发出 · 湘发改提〔2023〕1号 · 答复类别 B",
            "关于湖南省政协十三届一次会议第0001号提案的答复",
        ],
        "the lead section",
    );
    assert_eq!(state(&b).await, "已答复");
    assert!(timeline(&b).await.contains(&"答复已发出".to_string()));
    assert_has(
        &assignment_text(&b, ca).await,
        &["湘财提函〔2023〕1号"],
        "the lead unit sees the co-opinion",
    );
    assert!(
        xpath_all(&b, "//*[@data-awaiting]").await.is_empty(),
        "no co-opinion awaited any more"
    );

    // p1 rates: handling satisfied, result unsatisfied — the lead unit must handle it again.
    t.set_today("2023-02-10");
    sign_in(&b, &t, "p1", PASSWORD).await;
    assert_has(
        &queue(&b, "to_rate").await,
        &[FILED_TITLE, LEAD],
        "p1's replies to rate",
    );
    if shots {
        shot(&b, "proposer-queue", None).await;
    }
    from_queue(&b, "to_rate", FILED_TITLE).await;
    let main = text_of(&b, "main").await;
    assert_has(
        &main,
        &["湘发改提〔2023〕1号", COMMITMENT],
        "p1's item page",
    );
    assert!(
        !main.contains("湘财提函") && !main.contains("省财政将统筹安排"),
        "a co-opinion never reaches the proposer:\n{main}"
    );
    let rating = rate(
        &b,
        la,
        "满意",
        "不满意",
        Some("措施不够具体，请明确资金规模"),
    )
    .await;
    if shots {
        shot(&b, "evaluation", Some((&rating, 240))).await;
    }
    press(&b, &button(&b, &rating, "提交评价").await, "rate the reply").await;
    clean(&b, "rated", false).await;
    assert_eq!(
        assignment_heading(&b, la).await,
        format!("{LEAD} · 主办 · 重新办理")
    );
    assert_has(
        &assignment_text(&b, la).await,
        &["评价：办理态度 满意 · 办理结果 不满意（在线）：措施不够具体，请明确资金规模"],
        "the lead section",
    );
    assert_eq!(state(&b).await, "办理中");
    let tl = timeline(&b).await;
    assert!(
        tl.contains(&"评价".to_string()) && tl.contains(&"重新办理".to_string()),
        "{tl:?}"
    );

    // Re-handling: a new reply, grade A, approved and sent as No. 2; the first is superseded.
    t.set_today("2023-02-14");
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "replies").await,
        &[FILED_TITLE],
        "the lead clerk's queue after the rating",
    );
    from_queue(&b, "replies", FILED_TITLE).await;
    assert_eq!(
        assignment_heading(&b, la).await,
        format!("{LEAD} · 主办 · 重新办理")
    );
    let reply = draft_reply(
        &b,
        la,
        "经重新研究，省财政已安排专项资金2亿元。\n支持政策已于2月印发。",
        "A",
        None,
    )
    .await;
    press(
        &b,
        &button(&b, &reply, "保存草稿并送签发").await,
        "draft the new reply",
    )
    .await;
    clean(&b, "new reply drafted", false).await;
    assert_has(
        &assignment_text(&b, la).await,
        &["答复 · 草稿 · 答复类别 A"],
        "the lead section",
    );
    t.set_today("2023-02-15");
    sign_in(&b, &t, "lead_signer", PASSWORD).await;
    from_queue(&b, "to_approve", FILED_TITLE).await;
    press(
        &b,
        &button(&b, &lead_scope, "签发答复").await,
        "approve the new reply",
    )
    .await;
    clean(&b, "new reply sent", false).await;
    assert_has(
        &assignment_text(&b, la).await,
        &[
            "答复 · 已发出 · 湘发改提〔2023〕2号 · 答复类别 A",
            "答复 · 已被替代 · 湘发改提〔2023〕1号",
        ],
        "the lead section",
    );
    assert_eq!(state(&b).await, "已答复");

    // p1 is satisfied this time.
    t.set_today("2023-02-20");
    sign_in(&b, &t, "p1", PASSWORD).await;
    from_queue(&b, "to_rate", FILED_TITLE).await;
    let rating = rate(&b, la, "满意", "满意", None).await;
    press(
        &b,
        &button(&b, &rating, "提交评价").await,
        "rate the new reply",
    )
    .await;
    clean(&b, "rated again", false).await;
    let lead_text = assignment_text(&b, la).await;
    assert_has(
        &lead_text,
        &["评价：办理态度 满意 · 办理结果 满意（在线）"],
        "the lead section",
    );
    assert!(
        b.find_all(&format!("form[action='/app/assignments/{la}/evaluation']"))
            .await
            .is_empty(),
        "nothing left to rate"
    );
    assert_eq!(
        assignment_heading(&b, la).await,
        format!("{LEAD} · 主办 · 已答复")
    );

    // The lead clerk records that the commitment is done.
    t.set_today("2023-02-21");
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    assert_has(
        &queue(&b, "commitments").await,
        &[FILED_TITLE, COMMITMENT],
        "the lead clerk's commitments",
    );
    from_queue(&b, "commitments", FILED_TITLE).await;
    let row_id = b.js("return document.querySelector('#h-commitments').closest('section').querySelector('tbody tr').id", json!([])).await;
    let row = format!("//tr[@id='{}']", row_id.as_str().unwrap());
    let cid = row_id
        .as_str()
        .unwrap()
        .trim_start_matches("c-")
        .to_string();
    let progress = open_details(&b, &row, "更新进展").await;
    fill(&b, &format!("#progress-{cid}-note"), "支持政策已印发实施").await;
    fill(&b, &format!("#progress-{cid}-percent"), "100").await;
    pick(&b, &format!("#progress-{cid}-status"), "已完成").await;
    press(&b, &button(&b, &progress, "保存").await, "record progress").await;
    clean(&b, "progress recorded", false).await;
    assert_has(
        &text_of(&b, &format!("#c-{cid}")).await,
        &[COMMITMENT, LEAD, "2023-12-31", "已完成 100%"],
        "the commitment row",
    );
    assert!(timeline(&b).await.contains(&"承诺事项进展".to_string()));

    // The office closes the item.
    t.set_today("2023-02-22");
    sign_in(&b, &t, "office", PASSWORD).await;
    open(&b, &item_url).await;
    clean(&b, "item page", false).await;
    press(&b, &button(&b, "//main", "办结").await, "close").await;
    clean(&b, "closed", false).await;
    assert_eq!(state(&b).await, "已办结");
    // The whole story, in order, on the office's timeline.
    let tl = timeline(&b).await;
    let story = [
        "起草",
        "确认联名",
        "提交",
        "立案",
        "交办",
        "签收",
        "沟通协商",
        "起草会办意见",
        "起草答复",
        "会办意见已发",
        "答复已发出",
        "评价",
        "重新办理",
        "答复已发出",
        "评价",
        "承诺事项进展",
        "办结",
    ];
    let mut rest = tl.iter();
    for step in story {
        assert!(
            rest.any(|e| e == step),
            "the timeline lacks {step} in order: {tl:?}"
        );
    }
    assert!(queue_after(&b, &base, "to_file").await.contains("暂无"));
    open(&b, &format!("{base}/app/items?state=closed")).await;
    clean(&b, "closed items", false).await;
    assert_has(
        &text_of(&b, "table.list tbody").await,
        &["0001", FILED_TITLE, "用户p1", "已办结"],
        "the list of closed items",
    );

    // The admin's overview, where it exists.
    sign_in(&b, &t, "admin", "admin-pass-1").await;
    open(&b, &format!("{base}/app/admin")).await;
    if status(&b).await == 200 {
        clean(&b, "admin overview", false).await;
        if shots {
            shot(&b, "admin", None).await;
        }
    } else {
        eprintln!(
            "NOTICE: /app/admin answers {}; no admin screenshot",
            status(&b).await
        );
    }

    // English, chosen on the account page, for the office.
    sign_in(&b, &t, "office", PASSWORD).await;
    press(&b, &link(&b, "//header//nav", "个人设置").await, "account").await;
    clean(&b, "account", false).await;
    choose(&b, "//main", "界面语言", "English").await;
    let language_form = "//main//form[@action='/app/account/language']";
    press(
        &b,
        &one(&b, &format!("{language_form}//button")).await,
        "switch to English",
    )
    .await;
    clean(&b, "account in English", false).await;
    assert_eq!(
        b.js("return document.documentElement.lang", json!([]))
            .await,
        "en"
    );
    open(&b, &item_url).await;
    clean(&b, "item page in English", false).await;
    if shots {
        shot(&b, "en-item", None).await;
    }
    let header = text_of(&b, "header").await;
    assert!(
        header.contains("Sign out"),
        "the interface is in English: {header}"
    );
    assert_eq!(state(&b).await, "Closed");
    t.finish().await;
}

/// The work queue's section `key`, after opening the work queue again.
async fn queue_after(b: &Browser, base: &str, key: &str) -> String {
    open(b, &format!("{base}/app")).await;
    clean(b, "work queue", false).await;
    queue(b, key).await
}

/// Fills the reply form of assignment `a` (opening it if needed); returns its XPath.
async fn draft_reply(
    b: &Browser,
    a: i64,
    body: &str,
    grade: &str,
    commitment: Option<(&str, &str)>,
) -> String {
    let scope = format!("//section[@id='a-{a}']");
    let form = open_details(b, &scope, "起草答复").await;
    fill(b, &format!("#reply-{a}-body"), body).await;
    choose(b, &form, "答复类别", grade).await;
    let public = one(b, &format!("{form}//fieldset[legend[normalize-space()='公开属性']]//label[normalize-space()='主动公开']//input")).await;
    assert_eq!(
        b.js("return arguments[0].checked", json!([public.json()]))
            .await,
        true,
        "主动公开 is proposed by default"
    );
    // 不予公开的理由 and the summary show only with the mode that needs them.
    let shown = |id: String| async move {
        b.js(
            "return getComputedStyle(document.getElementById(arguments[0]).closest('.field')).display !== 'none'",
            json!([id]),
        )
        .await
    };
    let (reason, summary) = (
        format!("reply-{a}-disclosure_reason"),
        format!("reply-{a}-summary"),
    );
    assert_eq!(shown(reason.clone()).await, false, "no reason for 主动公开");
    assert_eq!(
        shown(summary.clone()).await,
        false,
        "no summary for 主动公开"
    );
    choose(b, &form, "公开属性", "不予公开").await;
    assert_eq!(shown(reason.clone()).await, true, "a reason for 不予公开");
    choose(b, &form, "公开属性", "摘要公开").await;
    assert_eq!(shown(summary.clone()).await, true, "a summary for 摘要公开");
    assert_eq!(shown(reason).await, false);
    choose(b, &form, "公开属性", "主动公开").await;
    fill(b, &format!("#reply-{a}-contact_name"), "张三").await;
    fill(b, &format!("#reply-{a}-contact_phone"), "0731-88888888").await;
    if let Some((text, due)) = commitment {
        let row = format!("({form}//table[contains(@class, 'commitments')]//tbody/tr)[1]");
        let text_input = one(b, &format!("{row}//input[@name='c_text']")).await;
        b.keys(&text_input, text).await;
        fill_date(
            b,
            &one(b, &format!("{row}//input[@name='c_due']")).await,
            due,
        )
        .await;
    }
    form
}

/// Fills the rating form of assignment `a`; returns its XPath.
async fn rate(b: &Browser, a: i64, handling: &str, result: &str, comment: Option<&str>) -> String {
    let form = open_details(b, &format!("//section[@id='a-{a}']"), "评价答复").await;
    choose(b, &form, "办理态度", handling).await;
    choose(b, &form, "办理结果", result).await;
    if let Some(c) = comment {
        fill(b, &format!("#evaluation-{a}-comment"), c).await;
    }
    form
}

// ---- 2. refusals ----

/// A unit that is not assigned cannot open the item (the 无权访问 page, 403); a proposer cannot
/// open the unit list and is not offered it; a signed-out visitor is sent to sign in, then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_in_the_pages() {
    let Some(b) = browser().await else { return };
    let t = on(Backend::Sqlite).await.unwrap();
    let w = world(&t).await;
    t.set_today("2023-02-01");
    let id = submitted_item(&t, &w, "p1", "关于完善社区养老服务的提案").await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{id}/assign"),
        json!({"lead": w.lead}),
    )
    .await
    .ok();
    desktop(&b).await;
    let item_url = format!("{}/app/items/{id}", t.base);
    // The pages are sent with a policy that forbids every script.
    let (_, headers, _) = t.public("/app/login", &[]).await;
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "CSP of the staff pages: {csp:?}"
    );

    // Signed out: the item page asks for a sign-in and comes back to the item.
    open(&b, &item_url).await;
    let url = b.current_url().await;
    assert!(url.contains("/app/login?next="), "{url}");
    clean(&b, "login", false).await;
    fill(&b, "#username", "lead_staff").await;
    fill(&b, "#password", PASSWORD).await;
    press(&b, &button(&b, "//main", "登录").await, "sign in").await;
    assert_eq!(
        b.current_url().await,
        item_url,
        "back to the page asked for"
    );
    clean(&b, "item page", false).await;
    assert_eq!(h1(&b).await, "关于完善社区养老服务的提案");

    // Another unit: refused, in the app's frame, with a way back.
    sign_in(&b, &t, "other_staff", PASSWORD).await;
    open(&b, &item_url).await;
    clean(&b, "refused item", true).await;
    assert_eq!(status(&b).await, 403);
    assert_eq!(h1(&b).await, "无权访问");
    assert!(text_of(&b, "main").await.contains("无权"));
    assert!(
        !text_of(&b, "main")
            .await
            .contains("关于完善社区养老服务的提案"),
        "nothing of the item shows"
    );
    press(&b, &link(&b, "//main", "返回工作台").await, "back").await;
    assert_eq!(h1(&b).await, "工作台");
    // A mistyped address: a page in the app's frame, not JSON, with the same way back.
    open(&b, &format!("{}/app/itemz/{id}", t.base)).await;
    clean(&b, "unknown page", true).await;
    assert_eq!(status(&b).await, 404);
    assert_eq!(h1(&b).await, "页面不存在");
    press(&b, &link(&b, "//main", "返回工作台").await, "back").await;
    assert_eq!(h1(&b).await, "工作台");
    open(&b, &format!("{}/app/items", t.base)).await;
    clean(&b, "items of another unit", false).await;
    assert!(
        !text_of(&b, "main")
            .await
            .contains("关于完善社区养老服务的提案"),
        "another unit's list leaves it out"
    );

    // A proposer: no 交办件 in the navigation, and the address refused.
    sign_in(&b, &t, "p1", PASSWORD).await;
    assert!(
        xpath_all(&b, "//header//nav//a[normalize-space()='交办件']")
            .await
            .is_empty()
    );
    open(&b, &format!("{}/app/assignments", t.base)).await;
    clean(&b, "assignments for a proposer", true).await;
    assert_eq!(status(&b).await, 403);
    assert_eq!(h1(&b).await, "无权访问");
    // …but their own item opens.
    open(&b, &item_url).await;
    clean(&b, "own item", false).await;
    assert_eq!(state(&b).await, "办理中");
    // A new session opens and the old one is closed: the new-item form starts at the open
    // one and does not offer the closed one; the assignments list writes the number with its
    // session.
    t.post("admin", "/api/v1/sessions", json!({"name": "十三届二次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 2, "opened_on": "2024-01-15"})).await.ok();
    t.post(
        "admin",
        &format!("/api/v1/sessions/{}/close", w.session),
        json!({}),
    )
    .await
    .ok();
    open(&b, &format!("{}/app/items/new", t.base)).await;
    clean(&b, "new item", false).await;
    let offered = b
        .js(
            "return Array.from(document.querySelectorAll('#new-session_id option')).map(o => (o.selected ? '*' : '') + o.textContent)",
            json!([]),
        )
        .await;
    assert_eq!(offered, json!(["*十三届二次会议（提案）"]), "{offered}");
    // The collective's name and the co-signers show only with the way of proposing that
    // needs them.
    let shown = |id: &'static str| {
        let b = &b;
        async move {
            b.js(
                "return getComputedStyle(document.getElementById(arguments[0]).closest('.field')).display !== 'none'",
                json!([id]),
            )
            .await
        }
    };
    assert_eq!(
        shown("new-collective_name").await,
        false,
        "个人: no collective"
    );
    assert_eq!(shown("new-cosigners").await, false, "个人: no co-signers");
    choose(&b, "//main", "提出方式", "集体").await;
    assert_eq!(shown("new-collective_name").await, true);
    choose(&b, "//main", "提出方式", "联名").await;
    assert_eq!(shown("new-cosigners").await, true);
    assert_eq!(shown("new-collective_name").await, false);
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    open(&b, &format!("{}/app/assignments", t.base)).await;
    clean(&b, "assignments", false).await;
    assert!(text_of(&b, "main").await.contains("十三届一次会议第0001号"));
    t.finish().await;
}

// ---- 3. accessibility of every template ----

const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
    axe.run(document, {resultTypes: ['violations']})
      .then(r => done({passes: r.passes.length, incomplete: r.incomplete.map(i => i.id),
           violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
           nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}))}))
      .catch(e => done({error: String(e)}));";

/// axe-core on the page on screen; serious and critical violations go into `failures`.
async fn axe_check(b: &Browser, axe: &str, name: &str, failures: &mut Vec<String>) {
    b.js(&format!("{axe}\n;return typeof axe;"), json!([]))
        .await;
    let v = b.js_async(AXE_RUN, json!([])).await;
    let url = b.current_url().await;
    let violations = v["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("axe failed on {name} ({url}): {v}"));
    let passes = v["passes"].as_u64().unwrap_or(0);
    assert!(passes > 10, "axe ran on {name}: {v}");
    eprintln!(
        "axe [{name}]: {passes} rules passed, {} violated, needs review: {}",
        violations.len(),
        v["incomplete"]
    );
    for vi in violations {
        let serious = matches!(vi["impact"].as_str(), Some("serious" | "critical"));
        let mut report = format!(
            "[{name}] {url}\n  {} ({}): {} — {}\n",
            vi["id"].as_str().unwrap(),
            vi["impact"].as_str().unwrap_or("?"),
            vi["help"].as_str().unwrap(),
            vi["helpUrl"].as_str().unwrap()
        );
        for n in vi["nodes"].as_array().unwrap() {
            report += &format!(
                "    {}  {}\n      {}\n",
                n["target"].as_str().unwrap(),
                n["html"].as_str().unwrap(),
                n["summary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', "\n      ")
            );
        }
        eprint!("{}{report}", if serious { "VIOLATION " } else { "note " });
        if serious {
            failures.push(report);
        }
    }
}

/// The page on screen at 1366×768 and at 390×844: clean, every <details> opened, axe-core,
/// and no sideways scrolling on the phone.
async fn check_page(
    b: &Browser,
    axe: &str,
    name: &str,
    error_status: bool,
    failures: &mut Vec<String>,
) {
    clean(b, name, error_status).await;
    b.js(
        "document.querySelectorAll('details').forEach(d => d.open = true)",
        json!([]),
    )
    .await;
    desktop(b).await;
    axe_check(b, axe, name, failures).await;
    phone(b).await;
    let w = b.js("return [innerWidth, document.documentElement.scrollWidth, [...document.querySelectorAll('main *, header *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1).slice(0, 5).map(e => e.outerHTML.slice(0, 120))]", json!([])).await;
    assert_eq!(w[0], 390, "phone viewport: {w}");
    if w[1].as_u64().unwrap() > 390 {
        failures.push(format!(
            "[{name} at 390×844] {}: the page scrolls sideways ({}px wide); too wide: {}\n",
            b.current_url().await,
            w[1],
            w[2]
        ));
    }
    axe_check(b, axe, &format!("{name} at 390×844"), failures).await;
    desktop(b).await;
}

/// Visits `path` and checks it; a page that does not exist (yet) is a NOTICE when `optional`.
async fn visit(
    b: &Browser,
    t: &TestApp,
    axe: &str,
    name: &str,
    path: &str,
    optional: bool,
    failures: &mut Vec<String>,
) {
    open(b, &format!("{}{path}", t.base)).await;
    let s = status(b).await;
    if optional && s == 404 {
        eprintln!("NOTICE: {path} answers 404 (not built yet?); not checked");
        return;
    }
    assert_eq!(s, 200, "{name}: {path} answers {s}");
    check_page(b, axe, name, false, failures).await;
}

/// Every staff template as each role meets it: the queues, lists, forms (open, and refused),
/// the item page in every role's state, notifications, account, error pages, and the
/// admin/statistics/import pages where they exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_of_every_staff_page() {
    let Some(axe) = axe_source() else { return };
    let Some(b) = browser().await else { return };
    let t = on(Backend::Sqlite).await.unwrap();
    let w = world(&t).await;
    let ap = |a: i64, s: &str| format!("/api/v1/assignments/{a}/{s}");
    // A draft with an open invitation, a submitted item, one in handling with drafts waiting
    // for both signers and an extension request, and one replied with a commitment.
    t.set_today("2023-01-16");
    let draft = t
        .post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于发展社区食堂的提案", "body": "建议增加社区食堂。", "origin": "joint", "cosigners": ["p2"], "category": "社会建设"}))
        .await
        .id();
    let submitted = submitted_item(&t, &w, "p3", "关于规范广场舞噪音的提案").await;
    let handling = submitted_item(&t, &w, "p1", "关于加快湘江科学城建设的提案").await;
    let replied = submitted_item(&t, &w, "p1", "关于完善城乡医保衔接的提案").await;
    let empty = submitted_item(&t, &w, "p2", "关于建设智慧农业示范区的提案").await;
    for id in [handling, replied, empty] {
        t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
            .await
            .ok();
    }
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{handling}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let list = asg.ok()["assignments"].as_array().unwrap().clone();
    let la = list.iter().find(|a| a["role"] == "lead").unwrap()["id"]
        .as_i64()
        .unwrap();
    let ca = list.iter().find(|a| a["role"] == "co").unwrap()["id"]
        .as_i64()
        .unwrap();
    let ra = t
        .post(
            "office",
            &format!("/api/v1/items/{replied}/assign"),
            json!({"lead": w.lead}),
        )
        .await
        .ok()["assignments"][0]["id"]
        .as_i64()
        .unwrap();
    let ea = t
        .post(
            "office",
            &format!("/api/v1/items/{empty}/assign"),
            json!({"lead": w.lead}),
        )
        .await
        .ok()["assignments"][0]["id"]
        .as_i64()
        .unwrap();
    t.set_today("2023-01-20");
    for a in [la, ra, ea] {
        t.post("lead_staff", &ap(a, "accept"), json!({})).await.ok();
    }
    t.post("co_staff", &ap(ca, "accept"), json!({})).await.ok();
    t.post(
        "lead_staff",
        &ap(la, "consultations"),
        json!({"method": "phone", "date": "2023-01-19", "summary": "电话沟通"}),
    )
    .await
    .status(201);
    t.post(
        "lead_staff",
        &ap(la, "extension"),
        json!({"until": "2023-06-30", "reason": "需开展实地调研"}),
    )
    .await
    .status(201);
    t.post(
        "co_staff",
        &ap(ca, "co-opinion"),
        json!({"body": "同意主办单位意见。", "contact_name": "李四", "contact_phone": "0731-1"}),
    )
    .await
    .ok();
    let commitment = json!([{"text": "年底前出台支持政策", "due_on": "2023-12-31"}]);
    t.post(
        "lead_staff",
        &ap(la, "reply"),
        json!({"body": "感谢您的提案。", "grade": "B", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": commitment}),
    )
    .await
    .ok();
    t.post(
        "lead_staff",
        &ap(ra, "reply"),
        json!({"body": "感谢您的提案，我们正在推进。", "grade": "B", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": commitment}),
    )
    .await
    .ok();
    t.post("lead_signer", &ap(ra, "reply/approve"), json!({}))
        .await
        .ok();
    t.set_today("2023-01-30");
    let mut failures = Vec::new();
    let f = &mut failures;
    let item = |id: i64| format!("/app/items/{id}");

    // Signed out: the login page, and its refused state.
    open(&b, &format!("{}/app/login", t.base)).await;
    check_page(&b, &axe, "login", false, f).await;
    fill(&b, "#username", "p1").await;
    fill(&b, "#password", "wrong-password").await;
    press(&b, &button(&b, "//main", "登录").await, "bad sign-in").await;
    assert!(text_of(&b, "#login-error")
        .await
        .contains("用户名或密码不正确"));
    check_page(&b, &axe, "login refused", true, f).await;

    // The proposer: queue, lists, the draft form (and refused), own items, notifications, account.
    sign_in(&b, &t, "p1", PASSWORD).await;
    check_page(&b, &axe, "proposer queue", false, f).await;
    visit(&b, &t, &axe, "proposer items", "/app/items", false, f).await;
    visit(&b, &t, &axe, "new item", "/app/items/new", false, f).await;
    press(&b, &button(&b, "//main", "保存草稿").await, "empty draft").await;
    assert!(
        !b.find_all("main .ferr, main .error").await.is_empty(),
        "the empty draft is refused with a message"
    );
    check_page(&b, &axe, "new item refused", true, f).await;
    visit(&b, &t, &axe, "proposer's draft", &item(draft), false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "proposer rating a reply",
        &item(replied),
        false,
        f,
    )
    .await;
    press(
        &b,
        &button(&b, &format!("//section[@id='a-{ra}']"), "提交评价").await,
        "empty rating",
    )
    .await;
    check_page(&b, &axe, "rating refused", true, f).await;
    visit(
        &b,
        &t,
        &axe,
        "notifications",
        "/app/notifications",
        false,
        f,
    )
    .await;
    visit(&b, &t, &axe, "account", "/app/account", false, f).await;
    fill(&b, "#old_password", "not-my-password").await;
    press(
        &b,
        &button(
            &b,
            "//main//form[@action='/app/account/password']",
            "修改密码",
        )
        .await,
        "wrong password",
    )
    .await;
    check_page(&b, &axe, "account refused", true, f).await;
    choose(&b, "//main", "界面语言", "繁體中文").await;
    press(
        &b,
        &one(&b, "//main//form[@action='/app/account/language']//button").await,
        "switch to Traditional",
    )
    .await;
    assert_eq!(
        b.js("return document.documentElement.lang", json!([]))
            .await,
        "zh-Hant"
    );
    check_page(&b, &axe, "account in Traditional", false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "proposer items in Traditional",
        "/app/items",
        false,
        f,
    )
    .await;
    visit(
        &b,
        &t,
        &axe,
        "proposer item in Traditional",
        &item(replied),
        false,
        f,
    )
    .await;
    open(&b, &format!("{}/app/assignments", t.base)).await;
    assert_eq!(status(&b).await, 403);
    check_page(&b, &axe, "error page (403)", true, f).await;
    open(&b, &format!("{}/app/items/999999", t.base)).await;
    assert_eq!(status(&b).await, 404);
    check_page(&b, &axe, "error page (404)", true, f).await;

    // The invited co-signer.
    sign_in(&b, &t, "p2", PASSWORD).await;
    visit(
        &b,
        &t,
        &axe,
        "co-signer's invitation",
        &item(draft),
        false,
        f,
    )
    .await;

    // The office: queue, lists, paper entry, the filing forms, handling and replied items.
    sign_in(&b, &t, "office", PASSWORD).await;
    check_page(&b, &axe, "office queue", false, f).await;
    visit(&b, &t, &axe, "office items", "/app/items", false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "office assignments",
        "/app/assignments",
        false,
        f,
    )
    .await;
    visit(
        &b,
        &t,
        &axe,
        "office paper entry",
        "/app/items/new",
        false,
        f,
    )
    .await;
    visit(&b, &t, &axe, "office filing", &item(submitted), false, f).await;
    let return_form = open_details(
        &b,
        "//section[contains(@class, 'actions-panel')]",
        "退回修改",
    )
    .await;
    press(
        &b,
        &button(&b, &return_form, "退回提案人修改").await,
        "return without a reason",
    )
    .await;
    assert!(
        status(&b).await >= 400,
        "a return without a reason is refused"
    );
    check_page(&b, &axe, "return refused", true, f).await;
    visit(&b, &t, &axe, "office handling", &item(handling), false, f).await;
    visit(&b, &t, &axe, "office replied", &item(replied), false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "office replies ledger",
        "/app/replies",
        false,
        f,
    )
    .await;
    visit(
        &b,
        &t,
        &axe,
        "office commitments ledger",
        "/app/commitments",
        false,
        f,
    )
    .await;
    visit(&b, &t, &axe, "office statistics", "/app/stats", true, f).await;
    visit(&b, &t, &axe, "office import", "/app/import", true, f).await;

    // The lead unit's clerk: queue, list, every handling form, the reply refused, progress.
    sign_in(&b, &t, "lead_staff", PASSWORD).await;
    check_page(&b, &axe, "unit queue", false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "unit assignments",
        "/app/assignments",
        false,
        f,
    )
    .await;
    visit(&b, &t, &axe, "unit items", "/app/items", false, f).await;
    visit(&b, &t, &axe, "unit handling", &item(handling), false, f).await;
    visit(&b, &t, &axe, "unit reply editor", &item(empty), false, f).await;
    let reply = open_details(&b, &format!("//section[@id='a-{ea}']"), "起草答复").await;
    press(
        &b,
        &button(&b, &reply, "保存草稿并送签发").await,
        "empty reply",
    )
    .await;
    assert!(
        !b.find_all(&format!("#a-{ea} .ferr, #a-{ea} .error"))
            .await
            .is_empty(),
        "the empty reply is refused beside the form"
    );
    check_page(&b, &axe, "reply refused", true, f).await;
    visit(&b, &t, &axe, "unit commitments", &item(replied), false, f).await;

    // The signers, and the co unit's clerk.
    sign_in(&b, &t, "lead_signer", PASSWORD).await;
    check_page(&b, &axe, "signer queue", false, f).await;
    visit(
        &b,
        &t,
        &axe,
        "signer approving a reply",
        &item(handling),
        false,
        f,
    )
    .await;
    sign_in(&b, &t, "co_signer", PASSWORD).await;
    visit(
        &b,
        &t,
        &axe,
        "signer approving a co-opinion",
        &item(handling),
        false,
        f,
    )
    .await;
    sign_in(&b, &t, "co_staff", PASSWORD).await;
    check_page(&b, &axe, "co clerk queue", false, f).await;
    visit(&b, &t, &axe, "co clerk", &item(handling), false, f).await;

    // The admin, where those pages exist.
    sign_in(&b, &t, "admin", "admin-pass-1").await;
    check_page(&b, &axe, "admin overview", false, f).await;
    for page in [
        "",
        "/sessions",
        "/units",
        "/users",
        "/categories",
        "/policy",
        "/calendar",
    ] {
        visit(
            &b,
            &t,
            &axe,
            &format!("admin{page}"),
            &format!("/app/admin{page}"),
            true,
            f,
        )
        .await;
    }
    visit(&b, &t, &axe, "admin statistics", "/app/stats", true, f).await;

    assert!(
        failures.is_empty(),
        "{} accessibility failures:\n{}",
        failures.len(),
        failures.join("")
    );
    t.finish().await;
}
