//! The admin pages of the staff web app (/app/admin), driven over HTTP as a browser would:
//! sign in with the login form's CSRF cookie, post forms with the session's CSRF token, follow
//! nothing automatically (each redirect is checked), and see the effect through the API.
//! Only the admin may see or use these pages; anyone else gets 403 and nothing changes.

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// A browser without JavaScript: keeps cookies, never follows redirects by itself.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: Mutex<BTreeMap<String, String>>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Page {
    /// The CSRF token in the page's forms.
    fn csrf(&self) -> String {
        let start = self
            .body
            .find("name=\"_csrf\" value=\"")
            .unwrap_or_else(|| panic!("no _csrf field in: {}", self.body))
            + "name=\"_csrf\" value=\"".len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
    #[track_caller]
    fn see_other(&self, to: &str) {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect to {to}: {}",
            self.body
        );
        let loc = self.location.as_deref().unwrap_or("");
        assert!(loc.starts_with(to), "redirected to {loc}, expected {to}");
    }
    /// The error shown beside a field of a form.
    fn field_error(&self, form: &str, field: &str) -> Option<String> {
        let marker = format!("id=\"{form}-{field}-err\">");
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('<').next().unwrap().to_string())
    }
}

fn encode(fields: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Browser {
    fn new(t: &TestApp) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: t.base.clone(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    /// The session's cookies, as a `cookie` header.
    fn cookie(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let cookie = self.cookie();
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let resp = req.send().await.expect("request");
        for sc in resp.headers().get_all("set-cookie") {
            let sc = sc.to_str().unwrap();
            let (kv, attrs) = sc.split_once(';').unwrap_or((sc, ""));
            let (k, v) = kv.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                jar.remove(k.trim());
            } else {
                jar.insert(k.trim().to_string(), v.to_string());
            }
        }
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        Page {
            status,
            location,
            body: resp.text().await.unwrap_or_default(),
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(fields));
        self.send(req).await
    }

    /// A form post with the session's CSRF token (taken from `from`, a page with forms).
    async fn submit(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).await.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Signs in through the login form; the answer of the POST.
    async fn sign_in(&self, user: &str, password: &str) -> Page {
        let form = self.get("/app/login").await;
        assert_eq!(form.status, StatusCode::OK);
        self.post(
            "/app/login",
            &[
                ("_csrf", &form.csrf()),
                ("username", user),
                ("password", password),
                ("next", "/app"),
            ],
        )
        .await
    }
}

fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn api_users(t: &TestApp) -> Vec<Value> {
    t.get("admin", "/api/v1/users")
        .await
        .ok()
        .as_array()
        .unwrap()
        .clone()
}

on_both!(admin_keeps_the_organisation_through_the_web);
async fn admin_keeps_the_organisation_through_the_web(t: &TestApp) {
    t.bootstrap_admin().await;
    let admin = Browser::new(t);
    admin
        .sign_in("admin", "admin-pass-1")
        .await
        .see_other("/app");
    let home = admin.get("/app/admin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.body.contains("湖南省政协"),
        "the organisation is named"
    );
    // Text messages for the organisation: off by default, turned on and off again.
    assert!(home.body.contains("短信通知：已关闭"), "{}", home.body);
    admin
        .submit("/app/admin", "/app/admin/sms", &[("enabled", "1")])
        .await
        .see_other("/app/admin");
    assert!(admin
        .get("/app/admin")
        .await
        .body
        .contains("短信通知：已开启"));
    admin
        .submit("/app/admin", "/app/admin/sms", &[("enabled", "0")])
        .await
        .see_other("/app/admin");
    assert!(admin
        .get("/app/admin")
        .await
        .body
        .contains("短信通知：已关闭"));
    for path in [
        "/app/admin/sessions",
        "/app/admin/units",
        "/app/admin/users",
        "/app/admin/categories",
        "/app/admin/policy",
        "/app/admin/calendar",
    ] {
        let p = admin.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
    }

    // A session.
    let r = admin
        .submit(
            "/app/admin/sessions",
            "/app/admin/sessions",
            &[
                ("name", "十四届一次会议"),
                ("body_name", "湖南省政协"),
                ("kind", "proposal"),
                ("term", "14"),
                ("sitting", "1"),
                ("opened_on", "2026-01-12"),
                ("cosign_cutoff", "2026-01-20"),
            ],
        )
        .await;
    r.see_other("/app/admin/sessions");
    assert!(admin
        .get("/app/admin/sessions")
        .await
        .body
        .contains("十四届一次会议"));
    let sessions = t.get("admin", "/api/v1/sessions").await;
    assert_eq!(sessions.ok()[0]["term"], 14);
    // A session without an opening date: the form again, the message beside the field, the input kept.
    let r = admin
        .submit(
            "/app/admin/sessions",
            "/app/admin/sessions",
            &[
                ("name", "十四届二次会议"),
                ("body_name", "湖南省政协"),
                ("kind", "proposal"),
                ("term", "14"),
                ("sitting", "2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.field_error("session", "opened_on")
            .is_some_and(|m| m.contains("开幕日期")),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"十四届二次会议\""),
        "what was typed is kept"
    );
    // 闭会 from the page, shown in the list; 重新开放 again.
    let id = sessions.ok()[0]["id"].as_i64().unwrap();
    admin
        .submit(
            "/app/admin/sessions",
            &format!("/app/admin/sessions/{id}/close"),
            &[],
        )
        .await
        .see_other("/app/admin/sessions");
    let listed = admin.get("/app/admin/sessions").await.body;
    assert!(listed.contains("已闭会"), "{listed}");
    assert!(listed.contains(&format!("/app/admin/sessions/{id}/reopen")));
    assert!(!t.get("admin", "/api/v1/sessions").await.ok()[0]["closed_on"].is_null());
    admin
        .submit(
            "/app/admin/sessions",
            &format!("/app/admin/sessions/{id}/reopen"),
            &[],
        )
        .await
        .see_other("/app/admin/sessions");
    assert!(admin
        .get("/app/admin/sessions")
        .await
        .body
        .contains("接收提案中"));
    assert!(t.get("admin", "/api/v1/sessions").await.ok()[0]["closed_on"].is_null());

    // A unit: an empty name is refused beside the field, with what was typed kept.
    let r = admin
        .submit(
            "/app/admin/units",
            "/app/admin/units",
            &[
                ("name", ""),
                ("short_name", "省水利厅"),
                ("doc_prefix", "湘水提"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.field_error("unit", "name")
            .is_some_and(|m| m.contains("不能为空")),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"省水利厅\"") && r.body.contains("value=\"湘水提\""));
    assert!(
        t.get("admin", "/api/v1/units")
            .await
            .ok()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was created"
    );
    admin
        .submit(
            "/app/admin/units",
            "/app/admin/units",
            &[
                ("name", "湖南省水利厅"),
                ("short_name", "省水利厅"),
                ("doc_prefix", "湘水提"),
                ("doc_prefix_suggestion", "湘水建"),
            ],
        )
        .await
        .see_other("/app/admin/units");
    let units = t.get("admin", "/api/v1/units").await;
    let unit = units.ok()[0]["id"].as_i64().unwrap();
    assert_eq!(units.ok()[0]["doc_prefix_suggestion"], "湘水建");
    let sub = unit.to_string();
    admin
        .submit(
            "/app/admin/units",
            "/app/admin/units",
            &[("name", "湖南省水文水资源勘测中心"), ("parent_id", &sub)],
        )
        .await
        .see_other("/app/admin/units");
    assert_eq!(
        t.get("admin", "/api/v1/units").await.ok()[1]["parent_id"],
        unit
    );

    // A user of that unit, who can then sign in.
    let uid = unit.to_string();
    let r = admin
        .submit(
            "/app/admin/users",
            "/app/admin/users",
            &[
                ("username", "shuili_staff"),
                ("display_name", "王经办"),
                ("password", "secret-pass-1"),
                ("role", "unit_staff"),
                ("unit_id", &uid),
                ("email", "wang@example.gov.cn"),
            ],
        )
        .await;
    r.see_other("/app/admin/users");
    let users = api_users(t).await;
    let staff_user = users
        .iter()
        .find(|u| u["username"] == "shuili_staff")
        .expect("created");
    assert_eq!(staff_user["role"], "unit_staff");
    assert_eq!(staff_user["unit_id"], unit);
    let staff_id = staff_user["id"].as_i64().unwrap();
    let clerk = Browser::new(t);
    clerk
        .sign_in("shuili_staff", "secret-pass-1")
        .await
        .see_other("/app");
    assert_eq!(clerk.get("/app").await.status, StatusCode::OK);
    t.login("shuili_staff", "secret-pass-1").await;
    t.get("shuili_staff", "/api/v1/me").await.ok();
    // A unit role without a unit is refused beside the unit field; the password is not echoed.
    let r = admin
        .submit(
            "/app/admin/users",
            "/app/admin/users",
            &[
                ("username", "nounit"),
                ("display_name", "无单位"),
                ("password", "secret-pass-2"),
                ("role", "unit_signer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.field_error("user", "unit_id").is_some(), "{}", r.body);
    assert!(r.body.contains("value=\"nounit\"") && !r.body.contains("secret-pass-2"));

    // Disabling ends the user's sessions and tokens, and sign-in fails.
    admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/disable"),
            &[],
        )
        .await
        .see_other("/app/admin/users");
    let after = clerk.get("/app").await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "a disabled user's session is over"
    );
    assert!(after.location.unwrap().starts_with("/app/login"));
    t.get("shuili_staff", "/api/v1/me").await.status(401);
    assert_eq!(
        Browser::new(t)
            .sign_in("shuili_staff", "secret-pass-1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(admin.get("/app/admin/users").await.body.contains("已停用"));
    // Enabled again, a new password set by the admin, a new role and unit.
    admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/enable"),
            &[],
        )
        .await
        .see_other("/app/admin/users");
    let r = admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_error(&format!("password-{staff_id}"), "password")
            .is_some_and(|m| m.contains("8")),
        "{}",
        r.body
    );
    admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/password"),
            &[("password", "new-secret-9")],
        )
        .await
        .see_other("/app/admin/users");
    assert_eq!(
        Browser::new(t)
            .sign_in("shuili_staff", "secret-pass-1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    Browser::new(t)
        .sign_in("shuili_staff", "new-secret-9")
        .await
        .see_other("/app");
    let r = admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/role"),
            &[("role", "unit_signer"), ("unit_id", "不存在的单位")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_error(&format!("role-{staff_id}"), "unit_id")
            .is_some_and(|m| m.contains("找不到承办单位")),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"不存在的单位\""),
        "what was typed is kept"
    );
    // The unit is typed (or picked from the list) by name.
    admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/role"),
            &[("role", "unit_signer"), ("unit_id", "湖南省水利厅")],
        )
        .await
        .see_other("/app/admin/users");
    let r = admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{staff_id}/role"),
            &[("role", "office"), ("unit_id", &uid)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_error(&format!("role-{staff_id}"), "unit_id")
            .is_some_and(|m| m.contains("只有承办单位用户才属于单位")),
        "{}",
        r.body
    );
    let users = api_users(t).await;
    assert_eq!(
        users.iter().find(|u| u["id"] == staff_id).unwrap()["role"],
        "unit_signer"
    );

    // Categories, nested.
    let cats = admin.get("/app/admin/categories").await;
    assert!(cats.body.contains("经济建设"));
    admin
        .submit(
            "/app/admin/categories",
            "/app/admin/categories",
            &[("name", "乡村振兴")],
        )
        .await
        .see_other("/app/admin/categories");
    let r = admin
        .submit(
            "/app/admin/categories",
            "/app/admin/categories",
            &[("name", "乡村振兴")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .field_error("category", "name")
        .is_some_and(|m| m.contains("同名")));
    assert!(admin
        .get("/app/admin/categories")
        .await
        .body
        .contains("乡村振兴"));

    // The policy: every field is on the form; a number is changed and the API shows it.
    let policy = t.get("admin", "/api/v1/policy").await.ok().clone();
    let mut fields: Vec<(String, String)> = Vec::new();
    let page = admin.get("/app/admin/policy").await;
    for (k, v) in policy.as_object().unwrap() {
        assert!(
            page.body.contains(&format!("name=\"{k}\"")),
            "the policy form has {k}"
        );
        match v {
            Value::Bool(true) => fields.push((k.clone(), "1".into())),
            Value::Bool(false) => {}
            Value::String(s) => fields.push((k.clone(), s.clone())),
            other => fields.push((k.clone(), other.to_string())),
        }
    }
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> =
            fields.iter().filter(|(k, _)| k != name).cloned().collect();
        f.push((name.to_string(), value.to_string()));
        f
    };
    let f = with("reply_months", "4");
    admin
        .submit("/app/admin/policy", "/app/admin/policy", &as_refs(&f))
        .await
        .see_other("/app/admin/policy");
    let now = t.get("admin", "/api/v1/policy").await;
    assert_eq!(now.ok()["reply_months"], 4);
    assert_eq!(
        now.ok()["evaluation_working_days"],
        policy["evaluation_working_days"],
        "the other numbers are kept"
    );
    let f = with("reply_months", "四个月");
    let r = admin
        .submit("/app/admin/policy", "/app/admin/policy", &as_refs(&f))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.field_error("policy", "reply_months")
            .is_some_and(|m| m.contains("四个月")),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"四个月\""),
        "what was typed is kept"
    );
    let f = with("extension_max_months", "2");
    let r = admin
        .submit("/app/admin/policy", "/app/admin/policy", &as_refs(&f))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_error("policy", "extension_max_months").is_some(),
        "{}",
        r.body
    );
    assert_eq!(
        t.get("admin", "/api/v1/policy").await.ok()["reply_months"],
        4,
        "refused forms change nothing"
    );

    // The calendar: a local day off counts at once; a new year's data is loaded.
    assert_eq!(
        t.get(
            "admin",
            "/api/v1/calendar/due?from=2026-06-09&working_days=1"
        )
        .await
        .ok()["due"],
        "2026-06-10"
    );
    admin
        .submit(
            "/app/admin/calendar",
            "/app/admin/calendar/days-off",
            &[("date", "2026-06-10"), ("name", "本地放假日")],
        )
        .await
        .see_other("/app/admin/calendar");
    assert_eq!(
        t.get(
            "admin",
            "/api/v1/calendar/due?from=2026-06-09&working_days=1"
        )
        .await
        .ok()["due"],
        "2026-06-11"
    );
    assert!(admin
        .get("/app/admin/calendar")
        .await
        .body
        .contains("本地放假日"));
    let r = admin
        .submit(
            "/app/admin/calendar",
            "/app/admin/calendar/days-off",
            &[("name", "没有日期")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.field_error("dayoff", "date").is_some());
    let r = admin
        .submit(
            "/app/admin/calendar",
            "/app/admin/calendar/years",
            &[("year", "2027"), ("days", "2027-01-01,元旦\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.field_error("year", "days")
            .is_some_and(|m| m.contains("第1行")),
        "{}",
        r.body
    );
    admin
        .submit(
            "/app/admin/calendar",
            "/app/admin/calendar/years",
            &[
                ("year", "2027"),
                (
                    "days",
                    "2027-01-01,元旦,休\n2027-02-06,春节,休\n2027-02-14,春节,班\n",
                ),
            ],
        )
        .await
        .see_other("/app/admin/calendar");
    let cal = admin.get("/app/admin/calendar").await;
    assert!(
        cal.body.contains("2027") && cal.body.contains("管理员添加"),
        "{}",
        cal.body
    );
}

on_both!(only_the_admin_may_use_the_admin_pages);
async fn only_the_admin_may_use_the_admin_pages(t: &TestApp) {
    t.bootstrap_admin().await;
    let office_id = t.user("office", "office", None).await;
    let office = Browser::new(t);
    office
        .sign_in("office", "password-123")
        .await
        .see_other("/app");
    for path in [
        "/app/admin",
        "/app/admin/units",
        "/app/admin/users",
        "/app/admin/policy",
        "/app/admin/calendar",
    ] {
        let p = office.get(path).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }
    let policy = t.get("admin", "/api/v1/policy").await.ok().clone();
    // Valid forms with the office's own CSRF token: 403, and nothing changes.
    let r = office
        .submit("/app", "/app/admin/units", &[("name", "越权单位")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(t
        .get("admin", "/api/v1/units")
        .await
        .ok()
        .as_array()
        .unwrap()
        .is_empty());
    let r = office
        .submit(
            "/app",
            "/app/admin/users",
            &[
                ("username", "sneaky"),
                ("display_name", "x"),
                ("password", "password-999"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!api_users(t).await.iter().any(|u| u["username"] == "sneaky"));
    // Authorisation comes before input: a malformed form is 403 too, not 400.
    let r = office
        .submit(
            "/app",
            "/app/admin/policy",
            &[("reply_months", "not a number")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = office
        .submit(
            "/app",
            "/app/admin/calendar/days-off",
            &[("date", "2026-06-10"), ("name", "越权")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = office
        .submit(
            "/app",
            &format!("/app/admin/users/{office_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = office
        .submit("/app", "/app/admin/sms", &[("enabled", "1")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin_id = api_users(t)
        .await
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = office
        .submit("/app", &format!("/app/admin/users/{admin_id}/disable"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get("admin", "/api/v1/policy").await.ok(), &policy);
    assert_eq!(
        api_users(t)
            .await
            .iter()
            .find(|u| u["id"] == office_id)
            .unwrap()["role"],
        "office"
    );
    assert_eq!(
        t.get(
            "admin",
            "/api/v1/calendar/due?from=2026-06-09&working_days=1"
        )
        .await
        .ok()["due"],
        "2026-06-10"
    );
    t.get("admin", "/api/v1/me").await.ok();

    // The admin without the session's CSRF token: 403 and nothing changes; nor may they disable themselves.
    let admin = Browser::new(t);
    admin
        .sign_in("admin", "admin-pass-1")
        .await
        .see_other("/app");
    let r = admin
        .post(
            "/app/admin/units",
            &[("_csrf", "forged"), ("name", "伪造单位")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(t
        .get("admin", "/api/v1/units")
        .await
        .ok()
        .as_array()
        .unwrap()
        .is_empty());
    let r = admin
        .submit(
            "/app/admin/users",
            &format!("/app/admin/users/{admin_id}/disable"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能停用自己的账户"));
    // Not signed in: to the sign-in page.
    let anon = Browser::new(t).get("/app/admin").await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert!(anon.location.unwrap().starts_with("/app/login"));
}

on_both!(the_admin_backs_up_from_the_page_and_downloads_the_file);
async fn the_admin_backs_up_from_the_page_and_downloads_the_file(t: &TestApp) {
    t.bootstrap_admin().await;
    t.user("office", "office", None).await;
    let admin = Browser::new(t);
    admin
        .sign_in("admin", "admin-pass-1")
        .await
        .see_other("/app");
    let empty = admin.get("/app/admin/backups").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("尚无备份"), "{}", empty.body);
    assert!(
        empty.body.contains("未开启"),
        "no schedule in the test server"
    );
    // Three backups at once; the server keeps two (the harness's keep).
    let mut names = Vec::new();
    for _ in 0..3 {
        admin
            .submit("/app/admin/backups", "/app/admin/backups", &[])
            .await
            .see_other("/app/admin/backups");
        let listed = admin.get("/app/admin/backups").await.body;
        let name = listed
            .split("href=\"/app/admin/backups/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a listed backup")
            .to_string();
        names.push(name);
    }
    // Three in one or two seconds still get three names, in time order.
    assert!(names[0] < names[1] && names[1] < names[2], "{names:?}");
    let page = admin.get("/app/admin/backups").await.body;
    assert_eq!(
        page.matches("href=\"/app/admin/backups/banli-").count(),
        2,
        "{page}"
    );
    assert!(!page.contains(&names[0]), "the oldest was deleted");
    // The overview shows when the last backup was taken (Beijing time, to the minute).
    let overview = admin.get("/app/admin").await.body;
    let last = overview
        .split("id=\"overview-last-backup\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert!(
        last.len() == 16 && last.starts_with("20") && last.contains(' '),
        "{last}"
    );
    // The download is the backup itself: a zip whose manifest checks.
    let url = format!("{}/app/admin/backups/{}", t.base, names[2]);
    let resp = reqwest::Client::new()
        .get(&url)
        .header("cookie", admin.cookie())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    let bytes = resp.bytes().await.unwrap();
    let m = banli_store::backup::check(std::io::Cursor::new(bytes.to_vec())).expect("valid");
    assert!(m.tables.iter().any(|e| e.name == "users" && e.rows >= 2));
    // Anything but a listed name is not found, also a path out of the directory.
    for bad in [
        "banli-20990101-000000.zip",
        "..%2Fbanli.sqlite3",
        "banli.sqlite3",
    ] {
        let p = admin.get(&format!("/app/admin/backups/{bad}")).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Nobody else sees, makes or downloads a backup.
    let office = Browser::new(t);
    office
        .sign_in("office", "password-123")
        .await
        .see_other("/app");
    assert_eq!(
        office.get("/app/admin/backups").await.status,
        StatusCode::FORBIDDEN
    );
    let r = office.submit("/app", "/app/admin/backups", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let p = office
        .get(&format!("/app/admin/backups/{}", names[2]))
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let anon = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_ne!(anon.status(), StatusCode::OK);
    assert_eq!(
        banli_store::backup::list(&t.app.settings.backups.as_ref().unwrap().dir)
            .unwrap()
            .len(),
        2,
        "the refused attempts wrote nothing"
    );
}
