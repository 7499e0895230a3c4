//! The staff web app over HTTP, as a browser without JavaScript uses it: sign-in, the CSRF
//! check, session expiry and sign-out, lock-out, the work queues, forms that refuse bad input
//! beside the field, and pages a role may not see. (The full story in Chromium is in browser.rs.)

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;

/// A cookie-keeping client that does not follow redirects, so tests see each 303.
pub struct Web {
    base: String,
    client: reqwest::Client,
    cookies: Mutex<HashMap<String, String>>,
    pub csrf: Mutex<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

fn csrf_in(html: &str) -> Option<String> {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(str::to_string)
}

impl Web {
    pub fn new(t: &TestApp) -> Web {
        Web {
            base: t.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Mutex::new(HashMap::new()),
            csrf: Mutex::new(String::new()),
        }
    }

    fn keep(&self, headers: &HeaderMap) {
        let mut jar = self.cookies.lock().unwrap();
        for v in headers.get_all(SET_COOKIE) {
            let text = v.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_string(), v.to_string());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        let (status, headers) = (r.status(), r.headers().clone());
        self.keep(&headers);
        let body = r.text().await.unwrap_or_default();
        if let Some(token) = csrf_in(&body) {
            *self.csrf.lock().unwrap() = token;
        }
        Page {
            status,
            headers,
            body,
        }
    }

    /// A form post exactly as sent (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        let (status, headers) = (r.status(), r.headers().clone());
        self.keep(&headers);
        Page {
            status,
            headers,
            body: r.text().await.unwrap_or_default(),
        }
    }

    /// A form post with the session's CSRF token, as every page's forms carry it.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.lock().unwrap().clone();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A GET whose body is a file (a workbook).
    pub async fn bytes(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        let (status, headers) = (r.status(), r.headers().clone());
        (
            status,
            headers,
            r.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }

    pub async fn try_sign_in(&self, user: &str, password: &str) -> Page {
        self.get("/app/login").await;
        let token = self.csrf.lock().unwrap().clone();
        self.post_raw(
            "/app/login",
            &[
                ("_csrf", &token),
                ("username", user),
                ("password", password),
                ("next", "/app"),
            ],
        )
        .await
    }

    pub async fn sign_in(t: &TestApp, user: &str, password: &str) -> Web {
        let w = Web::new(t);
        let p = w.try_sign_in(user, password).await;
        assert_eq!(
            p.status,
            StatusCode::SEE_OTHER,
            "sign-in of {user} failed: {}",
            p.body
        );
        let home = w.get("/app").await;
        if user == "admin" {
            // No work queue for the admin: the organisation's overview.
            assert_eq!(home.status, StatusCode::SEE_OTHER);
            assert_eq!(home.location(), "/app/admin");
        } else {
            assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        }
        w
    }
}

async fn item_state(t: &TestApp, id: i64) -> String {
    t.get("office", &format!("/api/v1/items/{id}")).await.ok()["state"]
        .as_str()
        .unwrap()
        .to_string()
}

on_both!(forms_need_the_sessions_csrf_token);
async fn forms_need_the_sessions_csrf_token(t: &TestApp) {
    let w = world(t).await;
    let id = submitted_item(t, &w, "p1", "关于完善社区养老服务的提案").await;
    let office = Web::sign_in(t, "office", "password-123").await;
    let page = office.get(&format!("/app/items/{id}")).await;
    assert!(
        page.body.contains("立案"),
        "the office sees the filing form"
    );
    // No token, and a token of another session: refused, nothing changes.
    let r = office
        .post_raw(
            &format!("/app/items/{id}/file"),
            &[("title", "关于完善社区养老服务的提案")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("CSRF"));
    let other = Web::sign_in(t, "office", "password-123").await;
    let foreign = other.csrf.lock().unwrap().clone();
    let r = office
        .post_raw(&format!("/app/items/{id}/file"), &[("_csrf", &foreign)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(item_state(t, id).await, "submitted");
    // With the page's own token it works.
    let r = office
        .post(
            &format!("/app/items/{id}/file"),
            &[("category", "社会建设")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(item_state(t, id).await, "filed");
    // The login form has its own token too.
    let fresh = Web::new(t);
    let r = fresh
        .post_raw(
            "/app/login",
            &[("username", "office"), ("password", "password-123")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!fresh.cookie_header().contains("banli_session"));
}

on_both!(sessions_expire_and_sign_out_ends_them);
async fn sessions_expire_and_sign_out_ends_them(t: &TestApp) {
    world(t).await;
    t.set_today("2023-03-01");
    let web = Web::sign_in(t, "p1", "password-123").await;
    let session_cookie = web.cookie_header();
    assert!(session_cookie.contains("banli_session="));
    // The cookie is HttpOnly and SameSite.
    let again = Web::new(t);
    let p = again.try_sign_in("p1", "password-123").await;
    let set = p
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("banli_session="))
        .expect("session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    // A day later (past the idle and the absolute limit) the session is over.
    t.set_today("2023-03-02");
    let p = web.get("/app").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location().starts_with("/app/login"), "{}", p.location());
    // Sign-out ends the session on the server, not just in the browser.
    let w2 = Web::sign_in(t, "p1", "password-123").await;
    let cookie = w2.cookie_header();
    assert_eq!(
        w2.post("/app/logout", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = replay
        .get(format!("{}/app", t.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "a signed-out cookie must not work"
    );
    // Pages need a session at all.
    let anon = Web::new(t);
    assert_eq!(anon.get("/app/items").await.status, StatusCode::SEE_OTHER);
}

on_both!(repeated_failures_lock_the_account);
async fn repeated_failures_lock_the_account(t: &TestApp) {
    world(t).await;
    t.set_today("2023-03-01");
    let web = Web::new(t);
    for _ in 0..5 {
        assert_eq!(
            web.try_sign_in("p2", "wrong-password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Now even the right password is refused for a while, on the pages and on the API.
    let p = web.try_sign_in("p2", "password-123").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{}", p.body);
    assert!(p.body.contains("锁定"));
    let api = t
        .raw(
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "p2", "password": "password-123"}).to_string()),
        )
        .await;
    assert_eq!(api.status.as_u16(), 429);
    // Unknown names lock the same way (nothing to learn about which names exist).
    for _ in 0..5 {
        web.try_sign_in("nobody", "x").await;
    }
    assert_eq!(
        web.try_sign_in("nobody", "x").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another user is not affected; after the lock runs out the right password works.
    Web::sign_in(t, "p1", "password-123").await;
    t.set_today("2023-03-02");
    Web::sign_in(t, "p2", "password-123").await;
}

on_both!(queues_forms_and_refusals);
async fn queues_forms_and_refusals(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-01-16");
    // A proposer drafts through the form; a missing title comes back beside the field with
    // what was typed kept.
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    let session = w.session.to_string();
    let bad = p1
        .post(
            "/app/items",
            &[
                ("session_id", &session),
                ("title", ""),
                ("body", "建议增加社区食堂。"),
                ("origin", "individual"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("id=\"new-title-err\""),
        "the error sits beside the title field"
    );
    assert!(
        bad.body.contains("建议增加社区食堂。"),
        "what was typed is kept"
    );
    let ok = p1
        .post(
            "/app/items",
            &[
                ("session_id", &session),
                ("title", "关于发展社区食堂的提案"),
                ("body", "建议增加社区食堂。"),
                ("origin", "individual"),
                ("category", "社会建设"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let id: i64 = ok
        .location()
        .trim_start_matches("/app/items/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The draft is in the proposer's queue; they submit it from the item page.
    assert!(p1.get("/app").await.body.contains("关于发展社区食堂的提案"));
    assert!(p1
        .get(&format!("/app/items/{id}"))
        .await
        .body
        .contains("提交提案"));
    assert_eq!(
        p1.post(&format!("/app/items/{id}/submit"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(item_state(t, id).await, "submitted");
    // The office sees it to file, files it, and assigns by unit name.
    let office = Web::sign_in(t, "office", "password-123").await;
    let home = office.get("/app").await;
    assert!(home.body.contains("id=\"q-to_file\"") && home.body.contains("关于发展社区食堂的提案"));
    assert_eq!(
        office
            .post(&format!("/app/items/{id}/file"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let unknown = office
        .post(
            &format!("/app/items/{id}/assign"),
            &[("lead", "不存在的厅")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("id=\"assign-lead-err\"") && unknown.body.contains("不存在的厅"));
    let r = office
        .post(
            &format!("/app/items/{id}/assign"),
            &[
                ("lead", "湖南省发展和改革委员会"),
                ("co", "省财政厅"),
                ("co", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(item_state(t, id).await, "handling");
    // The lead unit's clerk finds it in their queue with its return window and accepts it.
    let staff = Web::sign_in(t, "lead_staff", "password-123").await;
    let queue = staff.get("/app").await.body;
    assert!(queue.contains("id=\"q-new_assignments\"") && queue.contains("关于发展社区食堂的提案"));
    let detail = t.get("office", &format!("/api/v1/items/{id}")).await;
    let lead = detail.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "lead")
        .unwrap()
        .clone();
    let lead_assignment = lead["id"].as_i64().unwrap();
    // 10 calendar days, moved past the Spring Festival holiday to the next working day.
    let return_by = lead["due"]["return_by"].as_str().unwrap();
    assert_eq!(return_by, "2023-01-28");
    assert!(
        queue.contains(&format!("申请调整期限 {return_by}")),
        "the return window is shown with its date"
    );
    let r = staff
        .post(
            &format!("/app/assignments/{lead_assignment}/accept"),
            &[("item", &id.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Buttons follow the rights: the clerk sees no filing form, the proposer no accept button.
    let page = staff.get(&format!("/app/items/{id}")).await.body;
    assert!(page.contains("起草答复") && !page.contains("/file\""));
    assert!(!p1
        .get(&format!("/app/items/{id}"))
        .await
        .body
        .contains("/accept\""));
    // Another unit cannot see the item at all, nor act on it by posting directly.
    let other = Web::sign_in(t, "other_staff", "password-123").await;
    assert_eq!(
        other.get(&format!("/app/items/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    let r = other
        .post(
            &format!("/app/assignments/{lead_assignment}/consultations"),
            &[
                ("item", &id.to_string()),
                ("method", "phone"),
                ("date", "2023-01-16"),
                ("summary", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A proposer cannot open the unit queue or file.
    assert_eq!(
        p1.get("/app/assignments").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        p1.post(&format!("/app/items/{id}/close"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // English and Traditional pages.
    assert_eq!(
        staff
            .post("/app/account/language", &[("locale", "en")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let en = staff.get("/app").await.body;
    assert!(
        en.contains("lang=\"en\"") && en.contains("Sign out"),
        "English interface: {en}"
    );
    staff
        .post("/app/account/language", &[("locale", "zh-Hant")])
        .await;
    let hant = staff.get(&format!("/app/items/{id}")).await.body;
    assert!(
        hant.contains("關於發展社區食堂的提案") && hant.contains("辦理"),
        "Traditional page, data included"
    );
}

/// The value of the input named `name` in the form posting to `action`.
fn input_value(html: &str, action: &str, name: &str) -> Option<String> {
    let form = html
        .split(&format!("action=\"{action}\""))
        .nth(1)?
        .split("</form>")
        .next()?;
    let tag = form
        .split(&format!("name=\"{name}\""))
        .nth(1)?
        .split('>')
        .next()?;
    tag.split("value=\"")
        .nth(1)?
        .split('"')
        .next()
        .map(str::to_string)
}

on_both!(edits_keep_co_signers_and_traditional_pages_post_stored_text);
async fn edits_keep_co_signers_and_traditional_pages_post_stored_text(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-01-16");
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    let session = w.session.to_string();
    let r = p1
        .post(
            "/app/items",
            &[
                ("session_id", &session),
                ("title", "关于头发护理产业发展的提案"),
                ("body", "建议支持发展干部培训。"),
                ("origin", "joint"),
                ("category", "社会建设"),
                ("cosigners", "p2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r
        .location()
        .trim_start_matches("/app/items/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let edit = format!("/app/items/{id}/edit");
    // The edit form carries the invited co-signer, so saving a joint draft keeps it.
    let page = p1.get(&format!("/app/items/{id}")).await.body;
    assert_eq!(
        input_value(&page, &edit, "cosigners").as_deref(),
        Some("p2"),
        "{page}"
    );
    let r = p1
        .post(
            &edit,
            &[
                ("session_id", &session),
                ("title", "关于头发护理产业发展的提案（修改）"),
                ("body", "建议支持发展干部培训。"),
                ("origin", "joint"),
                ("category", "社会建设"),
                ("cosigners", "p2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = t
        .get("p1", &format!("/api/v1/items/{id}"))
        .await
        .ok()
        .clone();
    assert_eq!(item["title"], "关于头发护理产业发展的提案（修改）");
    assert!(
        item["proposers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["username"] == "p2"),
        "{item}"
    );
    // In 繁體 the page reads in Traditional, but what the forms send back stays as stored.
    p1.post("/app/account/language", &[("locale", "zh-Hant")])
        .await;
    let page = p1.get(&format!("/app/items/{id}")).await.body;
    assert!(page.contains("頭髮護理"), "the page is Traditional");
    let title = input_value(&page, &edit, "title").unwrap();
    assert_eq!(
        title, "关于头发护理产业发展的提案（修改）",
        "the title field keeps the stored text"
    );
    assert!(
        page.contains("<option value=\"社会建设\" selected>社會建設</option>"),
        "{page}"
    );
    let body = page
        .split("id=\"edit-body\"")
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split("</textarea")
        .next()
        .unwrap();
    assert_eq!(body, "建议支持发展干部培训。");
    let r = p1
        .post(
            &edit,
            &[
                ("session_id", &session),
                ("title", &title),
                ("body", body),
                ("origin", "joint"),
                ("category", "社会建设"),
                ("cosigners", "p2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = t
        .get("p1", &format!("/api/v1/items/{id}"))
        .await
        .ok()
        .clone();
    assert_eq!(
        item["title"], "关于头发护理产业发展的提案（修改）",
        "a 繁體 save does not convert stored text"
    );
    assert_eq!(item["category"], "社会建设");
}

on_both!(a_password_change_ends_api_tokens_too);
async fn a_password_change_ends_api_tokens_too(t: &TestApp) {
    let _w = world(t).await;
    t.get("p1", "/api/v1/me").await.ok();
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    p1.get("/app/account").await;
    let r = p1
        .post(
            "/app/account/password",
            &[
                ("old_password", "password-123"),
                ("new_password", "password-456"),
                ("repeat", "password-456"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.get("p1", "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "the old token no longer works"
    );
    assert_eq!(
        p1.get("/app").await.status,
        StatusCode::OK,
        "the session that changed it stays signed in"
    );
    // An admin's reset ends the new token as well.
    t.login("p1", "password-456").await;
    t.get("p1", "/api/v1/me").await.ok();
    let p1_id = t.get("p1", "/api/v1/me").await.ok()["id"].as_i64().unwrap();
    let admin = Web::sign_in(t, "admin", "admin-pass-1").await;
    admin.get("/app/admin/users").await;
    let r = admin
        .post(
            &format!("/app/admin/users/{p1_id}/password"),
            &[("password", "password-789")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.get("p1", "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        p1.get("/app").await.status,
        StatusCode::SEE_OTHER,
        "the web session ended with the reset"
    );
}

on_both!(ledgers_of_replies_and_commitments);
async fn ledgers_of_replies_and_commitments(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let (_, public) = crate::portal::replied(
        t,
        &w,
        "关于台账公开答复的提案",
        crate::portal::reply("感谢您的提案。", "public", None),
    )
    .await;
    crate::portal::replied(
        t,
        &w,
        "关于台账依申请公开的提案",
        crate::portal::reply("依申请公开的正文。", "on_request", None),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{public}/publish"),
        json!({}),
    )
    .await
    .ok();
    let office = Web::sign_in(t, "office", "password-123").await;
    // Replies: both, one of them on the portal; filtered by grade; a bad grade is refused.
    let page = office.get("/app/replies").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("关于台账公开答复的提案")
            && page.body.contains("关于台账依申请公开的提案")
    );
    assert_eq!(page.body.matches("已在门户公开").count(), 1);
    assert!(
        page.body.contains("十三届一次会议第0001号"),
        "the ledger writes the number with its session"
    );
    assert!(office
        .get("/app/replies?status=A")
        .await
        .body
        .contains("没有符合条件的答复"));
    assert_eq!(
        office.get("/app/replies?status=Z").await.status,
        StatusCode::BAD_REQUEST
    );
    let (status, headers, bytes) = office.bytes("/app/replies?status=B&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let sheet = banli_docs::read_xlsx(&bytes).unwrap();
    assert_eq!(sheet.rows.len(), 2);
    assert!(
        sheet
            .rows
            .iter()
            .any(|r| r.contains(&"已公开".to_string()) && r.contains(&"主动公开".to_string())),
        "{:?}",
        sheet.rows
    );
    // Commitments: both open; past their due date they show as overdue, on the page and in the workbook.
    t.set_today("2027-01-05");
    // (A new day: the earlier web session has expired.)
    let office = Web::sign_in(t, "office", "password-123").await;
    let page = office.get("/app/commitments").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body.matches("年底前建成示范点").count(), 2);
    assert_eq!(page.body.matches("已逾期").count(), 2);
    assert!(office
        .get("/app/commitments?status=done")
        .await
        .body
        .contains("没有符合条件的承诺事项"));
    let (_, _, bytes) = office.bytes("/app/commitments?format=xlsx").await;
    let sheet = banli_docs::read_xlsx(&bytes).unwrap();
    assert_eq!(sheet.rows.len(), 2);
    assert!(
        sheet
            .rows
            .iter()
            .all(|r| r.contains(&"逾期未完成".to_string())),
        "{:?}",
        sheet.rows
    );
    // A unit sees its own; another unit sees none and may not ask for the lead unit's; a proposer is refused.
    let lead = Web::sign_in(t, "lead_staff", "password-123").await;
    assert_eq!(
        lead.get("/app/commitments")
            .await
            .body
            .matches("年底前建成示范点")
            .count(),
        2
    );
    let other = Web::sign_in(t, "other_staff", "password-123").await;
    assert!(other
        .get("/app/replies")
        .await
        .body
        .contains("没有符合条件的答复"));
    assert_eq!(
        other
            .get(&format!("/app/commitments?unit_id={}", w.lead))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    assert_eq!(p1.get("/app/replies").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        p1.bytes("/app/commitments?format=xlsx").await.0,
        StatusCode::FORBIDDEN
    );
}

on_both!(pages_offer_what_the_capabilities_allow);
/// The pages ask the capabilities, as the use cases do: the office's new-item form takes a
/// paper item's proposers, date and scan, a member's invites co-signers; a unit's staff get no
/// new-item form at all; the office filters work lists by any unit, a unit's staff neither see
/// that filter nor get another unit's rows by asking.
async fn pages_offer_what_the_capabilities_allow(t: &TestApp) {
    let w = world(t).await;
    let office = Web::sign_in(t, "office", "password-123").await;
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    let staff = Web::sign_in(t, "lead_staff", "password-123").await;
    let paper = office.get("/app/items/new").await;
    assert_eq!(paper.status, StatusCode::OK);
    for field in [
        "name=\"proposers\"",
        "name=\"submitted_on\"",
        "name=\"scan\"",
    ] {
        assert!(paper.body.contains(field), "office form lacks {field}");
    }
    // An address that does not exist: a page in the user's language with a way back under
    // /app, JSON under /api, the portal's page elsewhere.
    let lost = p1.get("/app/no-such-page").await;
    assert_eq!(lost.status, StatusCode::NOT_FOUND);
    assert!(lost.headers[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        lost.body.contains("页面不存在") && lost.body.contains("href=\"/app\""),
        "{}",
        lost.body
    );
    let api = p1.get("/api/v1/no-such-route").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.body.contains("\"not_found\""), "{}", api.body);
    let portal = p1.get("/no-such-page").await;
    assert_eq!(portal.status, StatusCode::NOT_FOUND);
    assert!(portal.body.contains("返回首页"), "{}", portal.body);
    let stranger = Web::new(t).get("/app/no-such-page").await;
    assert_eq!(
        stranger.status,
        StatusCode::SEE_OTHER,
        "signed out: to the login first"
    );
    assert!(stranger.location().starts_with("/app/login"));
    let own = p1.get("/app/items/new").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("name=\"cosigners\""));
    assert!(!own.body.contains("name=\"proposers\""));
    // A newer session opens and the old one closes: the form offers the open one first
    // (selected by default) and the closed one not at all.
    let newer = t.post("admin", "/api/v1/sessions", json!({"name": "十三届二次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 2, "opened_on": "2024-01-15"})).await.id();
    let options = |html: &str| -> Vec<String> {
        let select = html
            .split("id=\"new-session_id\"")
            .nth(1)
            .unwrap_or_default();
        let select = select.split("</select>").next().unwrap_or_default();
        select
            .split("<option value=\"")
            .skip(1)
            .map(|o| o.split('"').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        options(&p1.get("/app/items/new").await.body),
        [newer.to_string(), w.session.to_string()],
        "the newest first"
    );
    t.post(
        "admin",
        &format!("/api/v1/sessions/{}/close", w.session),
        json!({}),
    )
    .await
    .ok();
    assert_eq!(
        options(&p1.get("/app/items/new").await.body),
        [newer.to_string()],
        "a closed session is not offered"
    );
    assert_eq!(
        staff.get("/app/items/new").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(office
        .get("/app/assignments")
        .await
        .body
        .contains("id=\"f-unit\""));
    let own_list = staff.get("/app/assignments").await;
    assert_eq!(own_list.status, StatusCode::OK);
    assert!(!own_list.body.contains("id=\"f-unit\""));
    assert_eq!(
        staff
            .get(&format!("/app/assignments?unit_id={}", w.other))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    t.get(
        "lead_staff",
        &format!("/api/v1/assignments?unit_id={}", w.other),
    )
    .await
    .status(403);
}

on_both!(case_numbers_carry_their_session);
/// Numbers restart every session, so wherever sessions mix (the queue, the lists, the API) a
/// case number is written with its session: 十三届一次会议第0001号 beside 十三届二次会议第0001号.
async fn case_numbers_carry_their_session(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2024-01-20");
    let second = t.post("admin", "/api/v1/sessions", json!({"name": "十三届二次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 2, "opened_on": "2024-01-15"})).await.id();
    let first_item = submitted_item(t, &w, "p1", "关于第一次会议的提案").await;
    let w2 = World {
        session: second,
        ..w
    };
    let second_item = submitted_item(t, &w2, "p2", "关于第二次会议的提案").await;
    for id in [first_item, second_item] {
        t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
            .await
            .ok();
    }
    let office = Web::sign_in(t, "office", "password-123").await;
    let queue = office.get("/app").await.body;
    let to_assign = queue.split("id=\"q-to_assign\"").nth(1).unwrap_or_default();
    assert!(
        to_assign.contains("十三届一次会议第0001号")
            && to_assign.contains("十三届二次会议第0001号"),
        "{to_assign}"
    );
    let list = office.get("/app/items").await.body;
    assert!(list.contains("十三届一次会议第0001号") && list.contains("十三届二次会议第0001号"));
    let api = t.get("office", "/api/v1/items").await;
    let numbers: Vec<&str> = api.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["case_number"].as_str())
        .collect();
    assert!(numbers.contains(&"十三届二次会议第0001号"), "{numbers:?}");
    t.post(
        "office",
        &format!("/api/v1/items/{second_item}/assign"),
        json!({"lead": w.lead}),
    )
    .await
    .ok();
    let mine = t.get("lead_staff", "/api/v1/assignments").await;
    assert_eq!(
        mine.ok()["items"][0]["item_case_number"],
        "十三届二次会议第0001号",
        "{}",
        mine.body
    );
    let page = Web::sign_in(t, "lead_staff", "password-123")
        .await
        .get("/app/assignments")
        .await
        .body;
    assert!(page.contains("十三届二次会议第0001号"));
}

on_both!(notifications_are_grouped_per_item);
/// The notifications page shows one entry per item, its newest on top and the item's earlier
/// ones folded under it; the returned item's 退回修改 was marked done by resubmitting.
async fn notifications_are_grouped_per_item(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let id = submitted_item(t, &w, "p1", "关于通知分组的提案").await;
    t.post(
        "office",
        &format!("/api/v1/items/{id}/return"),
        json!({"reason": "请补充具体措施"}),
    )
    .await
    .ok();
    t.post("p1", &format!("/api/v1/items/{id}/submit"), json!({}))
        .await
        .ok();
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let p1 = Web::sign_in(t, "p1", "password-123").await;
    let page = p1.get("/app/notifications").await.body;
    let list = page
        .split("<ul class=\"notes\">")
        .nth(1)
        .unwrap_or_default();
    assert_eq!(
        list.matches("<details class=\"earlier\">").count(),
        1,
        "{list}"
    );
    let newest = list.find("已立案").expect("已立案 shown");
    let folded = list
        .find("同一提案的更早通知 1")
        .expect("one earlier folded");
    let returned = list.find("退回修改").expect("退回修改 kept");
    assert!(newest < folded && folded < returned, "{list}");
    assert!(
        page.contains("未读：1"),
        "the 退回修改 was settled by resubmitting: {page}"
    );
}
