//! The staff app's statistics dashboard and import page, driven as a browser would: sign in
//! through the pages (cookies, hidden CSRF fields), read the pages, post the multipart form.
//! The figures come from a scripted session with known counts; imports are all or nothing.

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A signed-in browser: the session cookie, sent by hand (no redirects followed).
struct Web {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

/// The value of the first hidden `_csrf` field of a page.
fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with _csrf")
        + "name=\"_csrf\" value=\"".len();
    unescape(&html[at..at + html[at..].find('"').unwrap()])
}

fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|kv| kv.starts_with(&format!("{name}=")))
                .map(str::to_string)
        })
}

async fn sign_in(t: &TestApp, user: &str, password: &str) -> Web {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(format!("{}/app/login", t.base))
        .send()
        .await
        .unwrap();
    let login_cookie = set_cookie(r.headers(), "banli_login").expect("login cookie");
    let token = csrf(&r.text().await.unwrap());
    let r = http
        .post(format!("{}/app/login", t.base))
        .header(COOKIE, login_cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[
            ("_csrf", &token),
            ("next", "/app"),
            ("lang", "zh-Hans"),
            ("username", user),
            ("password", password),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign-in of {user}");
    assert_eq!(r.headers()[LOCATION], "/app");
    let cookie = set_cookie(r.headers(), "banli_session").expect("session cookie");
    Web {
        base: t.base.clone(),
        http,
        cookie,
    }
}

impl Web {
    async fn get(&self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        Page {
            status: r.status(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    async fn bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    /// Posts the import form as multipart/form-data: text fields, then the file.
    async fn upload(&self, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
        let b = "----banli-test-7d1f0c";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
        let r = self
            .http
            .post(format!("{}/app/import", self.base))
            .header(COOKIE, &self.cookie)
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
            .body(body)
            .send()
            .await
            .unwrap();
        Page {
            status: r.status(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }
}

fn assignment(v: &Value, unit: i64) -> i64 {
    v["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["unit_id"] == unit)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn reply(t: &TestApp, staff: &str, signer: &str, a: i64, grade: &str, commitment_due: &str) {
    let body = json!({"body": "答复正文", "grade": grade, "disclosure": "public", "contact_name": "甲", "contact_phone": "1",
        "commitments": [{"text": "承诺事项", "due_on": commitment_due}]});
    t.post(staff, &format!("/api/v1/assignments/{a}/reply"), body)
        .await
        .ok();
    t.post(
        signer,
        &format!("/api/v1/assignments/{a}/reply/approve"),
        json!({}),
    )
    .await
    .ok();
}

/// One row of the overall table: the figure's name and its value.
fn figure(html: &str, name: &str, value: &str) -> bool {
    html.contains(&format!(
        "<tr><th scope=\"row\">{name}</th><td class=\"num\">{value}</td></tr>"
    ))
}

/// A table of the page by its id.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    &html[at..at + html[at..].find("</table>").unwrap()]
}

async fn item_titles(t: &TestApp) -> Vec<String> {
    let r = t.get("office", "/api/v1/items?per_page=100").await;
    r.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

const HEADER: &str = "案号,标题,提案人,提出方式,类别,内容,提交日期,主办单位,会办单位,分办单位";

on_both!(the_dashboard_shows_the_figures_as_charts_and_tables);
async fn the_dashboard_shows_the_figures_as_charts_and_tables(t: &TestApp) {
    let w = world(t).await;
    // Three filed items: item 1 replied on time after a face-to-face meeting, item 2 never
    // replied (past due), item 3 replied late by another unit.
    t.set_today("2023-02-01");
    let mut items = Vec::new();
    for k in 1..=3 {
        let id = submitted_item(t, &w, "p1", &format!("关于看板场景第{k}件的提案")).await;
        t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
            .await
            .ok();
        items.push(id);
    }
    t.set_today("2023-03-01");
    let l1 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{}/assign", items[0]),
            json!({"lead": w.lead}),
        )
        .await
        .ok(),
        w.lead,
    );
    let l2 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{}/assign", items[1]),
            json!({"lead": w.lead}),
        )
        .await
        .ok(),
        w.lead,
    );
    let o3 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{}/assign", items[2]),
            json!({"lead": w.other}),
        )
        .await
        .ok(),
        w.other,
    );
    for (staff, a) in [("lead_staff", l1), ("lead_staff", l2), ("other_staff", o3)] {
        t.post(staff, &format!("/api/v1/assignments/{a}/accept"), json!({}))
            .await
            .ok();
    }
    t.set_today("2023-03-08");
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{l1}/consultations"),
        json!({"method": "face_to_face", "date": "2023-03-08", "summary": "面商"}),
    )
    .await
    .status(201);
    t.set_today("2023-04-20");
    reply(t, "lead_staff", "lead_signer", l1, "A", "2023-07-01").await;
    t.set_today("2023-04-25");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{l1}/evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await
    .status(201);
    t.set_today("2023-06-10");
    reply(t, "other_staff", "other_signer", o3, "B", "2023-08-01").await;
    t.set_today("2023-06-12");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{o3}/evaluation"),
        json!({"handling": "satisfied", "result": "basically_satisfied"}),
    )
    .await
    .status(201);
    t.set_today("2023-06-25");
    let d1 = t
        .get("office", &format!("/api/v1/items/{}", items[0]))
        .await;
    let commitment = d1.ok()["commitments"][0]["id"].as_i64().unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "已完成", "status": "done"}),
    )
    .await
    .ok();
    t.set_today("2023-09-01");

    let office = sign_in(t, "office", "password-123").await;
    let page = office
        .get(&format!("/app/stats?session_id={}", w.session))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    for (name, value) in [
        ("立案数", "3"),
        ("已办复", "2"),
        ("办复率", "66.7%"),
        ("按时办复率", "33.3%"),
        ("面商率", "50.0%"),
        ("办理态度满意率", "100.0%"),
        ("办理结果满意率", "50.0%"),
        ("办理结果基本满意率", "50.0%"),
        ("承诺事项办成率", "50.0%（1/2）"),
    ] {
        assert!(
            figure(html, name, value),
            "overall {name} = {value} not on the page:\n{}",
            table(html, "overall-figures")
        );
    }
    let grades = table(html, "grade-table");
    assert!(
        grades.contains("<td class=\"num\">1</td><td class=\"num\">50.0%</td>"),
        "{grades}"
    );
    let sat = table(html, "satisfaction-table");
    assert!(
        sat.contains(
            "<td class=\"num\">50.0%</td><td class=\"num\">50.0%</td><td class=\"num\">100.0%</td>"
        ),
        "result: satisfied, basic, both: {sat}"
    );
    let trend = table(html, "trend-table");
    assert!(trend.contains("<th scope=\"row\">2023-07</th><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100.0%</td>"), "{trend}");
    assert!(trend.contains("<th scope=\"row\">2023-08</th><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0.0%</td>"), "{trend}");
    // The ranking: the lead unit (on time 1 of 2) before the other (0 of 1).
    let units = table(html, "unit-table");
    let (lead_at, other_at) = (
        units.find("湖南省发展和改革委员会").expect("lead unit"),
        units.find("湘潭市人民政府").expect("other unit"),
    );
    assert!(lead_at < other_at, "ranking order: {units}");
    assert!(units.contains("<td class=\"num\">1</td><th scope=\"row\">湖南省发展和改革委员会</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50.0%</td><td class=\"num\">50.0%</td>"), "{units}");
    // Four charts as inline SVG, each an image with a title; no script anywhere, nothing external.
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        4,
        "charts: units, grades, satisfaction, commitments"
    );
    assert_eq!(html.matches("role=\"img\"").count(), 4);
    assert!(html.contains("<title id=\"chart-units-title\">各承办单位办复率与按时办复率</title>"));
    assert!(!html.contains("<script") && !html.contains(" style=\""));
    assert_eq!(
        html.matches("http").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "nothing from elsewhere"
    );
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    // The numbers are in the charts too (value labels beside the bars).
    let units_chart = &html[html.find("id=\"chart-units\"").unwrap()..];
    let units_chart = &units_chart[..units_chart.find("</svg>").unwrap()];
    assert!(
        units_chart.contains("66.7%") || units_chart.contains("50.0%"),
        "value labels in the chart"
    );
    assert!(
        units_chart.contains("湖南省发展和改革委员会")
            || units_chart.contains("湖南省发展和改革委员…")
    );

    // 导出 Excel: the same figures as a workbook.
    let href_at = html.find("导出 Excel").expect("export link");
    let link = &html[..href_at];
    let link = &link[link.rfind("href=\"").unwrap() + 6..];
    let link = unescape(&link[..link.find('"').unwrap()]);
    assert!(link.starts_with("/app/stats.xlsx?session_id="), "{link}");
    let (status, bytes) = office.bytes(&link).await;
    assert_eq!(status, StatusCode::OK);
    let sheet = banli_docs::read_xlsx(&bytes).expect("a workbook");
    assert_eq!(sheet.get(&sheet.rows[0], "立案数"), "3");
    assert_eq!(sheet.get(&sheet.rows[0], "办复率"), "66.7%");
    assert_eq!(sheet.get(&sheet.rows[0], "按时办复率"), "33.3%");
    // Bad filters are refused with the use case's status.
    assert_eq!(
        office
            .get(&format!(
                "/app/stats?session_id={}&from=2023-12-01&to=2023-01-01",
                w.session
            ))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        office.get("/app/stats?from=2023-02-30").await.status,
        StatusCode::BAD_REQUEST
    );
    // A date range that holds no filed item shows zeroes, and no unit chart.
    let none = office
        .get(&format!(
            "/app/stats?session_id={}&from=2023-03-01&to=2023-12-31",
            w.session
        ))
        .await;
    assert!(
        figure(&none.body, "立案数", "0"),
        "{}",
        table(&none.body, "overall-figures")
    );
    // The admin sees statistics too; a unit clerk gets the use case's 403, page and workbook alike.
    assert_eq!(
        sign_in(t, "admin", "admin-pass-1")
            .await
            .get("/app/stats")
            .await
            .status,
        StatusCode::OK
    );
    let clerk = sign_in(t, "lead_staff", "password-123").await;
    let refused = clerk
        .get(&format!("/app/stats?session_id={}", w.session))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("<svg class=\"chart\""));
    assert_eq!(
        clerk
            .bytes(&format!("/app/stats.xlsx?session_id={}", w.session))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

on_both!(the_import_page_imports_all_or_nothing);
async fn the_import_page_imports_all_or_nothing(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let office = sign_in(t, "office", "password-123").await;
    let page = office.get("/app/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("enctype=\"multipart/form-data\"")
            && page.body.contains("value=\"items\"")
    );
    assert!(
        !page.body.contains("value=\"units\""),
        "units are an admin's import"
    );
    let token = csrf(&page.body);
    // The template to fill in: the columns of DESIGN §9.
    let (status, bytes) = office.bytes("/app/import/template.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        banli_docs::read_xlsx(&bytes).unwrap().headers.join(","),
        HEADER
    );

    let session = w.session.to_string();
    let good = format!("{HEADER}\n0012,关于网页导入湿地保护的提案,p1、p2,联名,生态文明建设,湿地保护正文,2023-01-15,省发展改革委,省财政厅,\n,关于网页导入乡村教师的提案,p3,个人,,乡村教师正文,2023-01-16,,,\n");
    // A dry run says what would be imported and writes nothing.
    let dry = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
                ("dry_run", "1"),
            ],
            Some(("good.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert!(
        dry.body.contains("检查通过") && dry.body.contains("<span id=\"import-rows\">2</span>"),
        "{}",
        dry.body
    );
    assert!(item_titles(t).await.is_empty(), "a dry run writes nothing");
    // The real import.
    let done = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("good.csv", good.as_bytes())),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("导入成功") && done.body.contains("<span id=\"import-rows\">2</span>")
    );
    let mut titles = item_titles(t).await;
    titles.sort();
    assert_eq!(
        titles,
        vec!["关于网页导入乡村教师的提案", "关于网页导入湿地保护的提案"]
    );
    let handling = t.get("office", "/api/v1/items?state=handling").await;
    assert_eq!(handling.ok()["items"][0]["number"], "0012");

    // A bad file: every problem with its row and column, and nothing imported (not even the good row).
    let bad = format!("{HEADER}\n,关于网页导入正确一行的提案,p1,个人,,正文,2023-01-15,,,\n,关于网页导入二的提案,p1,个人,,正文,2023-01-15,不存在的厅,,\n,关于网页导入三的提案,p1,个人,,正文,2023-02-30,,,\n");
    let refused = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("bad.csv", bad.as_bytes())),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let issues = table(&refused.body, "issues");
    assert!(
        issues.contains(
            "<tr><td class=\"num\">3</td><td>主办单位</td><td>找不到承办单位“不存在的厅”</td></tr>"
        ),
        "{issues}"
    );
    assert!(
        issues.contains("<tr><td class=\"num\">4</td><td>提交日期</td>"),
        "{issues}"
    );
    assert!(refused.body.contains("整个文件都没有导入"));
    assert_eq!(item_titles(t).await.len(), 2);
    // An extra column names the column, on row 1.
    let extra = format!("{HEADER},备注\n,关于网页导入的提案,p1,个人,,正文,2023-01-15,,,,x\n");
    let refused = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("extra.csv", extra.as_bytes())),
        )
        .await;
    assert!(table(&refused.body, "issues").contains("<tr><td class=\"num\">1</td><td>备注</td>"));
    // Not a spreadsheet: the message stands beside the file field.
    let odd = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("notes.txt", b"hello")),
        )
        .await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.body.contains("id=\"import-file-err\""));

    // Without the CSRF field, with a wrong one, or not multipart at all: 403, nothing imported.
    let another = format!("{HEADER}\n,关于网页导入伪造的提案,p1,个人,,正文,2023-01-15,,,\n");
    for fields in [
        vec![("kind", "items"), ("session_id", session.as_str())],
        vec![
            ("_csrf", "forged"),
            ("kind", "items"),
            ("session_id", session.as_str()),
        ],
    ] {
        let forged = office
            .upload(&fields, Some(("good.csv", another.as_bytes())))
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
        assert!(forged.body.contains("CSRF"));
    }
    let plain = office
        .http
        .post(format!("{}/app/import", t.base))
        .header(COOKIE, &office.cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("_csrf", &token), ("kind", "items")]))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::FORBIDDEN);
    assert_eq!(item_titles(t).await.len(), 2);

    // A unit clerk may not import, whatever they send: 403 for the page and for an upload.
    let clerk = sign_in(t, "lead_staff", "password-123").await;
    assert_eq!(clerk.get("/app/import").await.status, StatusCode::FORBIDDEN);
    let clerk_token = csrf(&clerk.get("/app").await.body);
    let r = clerk
        .upload(
            &[
                ("_csrf", &clerk_token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("good.csv", another.as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The office may not import units (the admin's import): 403 before the file is read.
    let r = office
        .upload(
            &[("_csrf", &token), ("kind", "units")],
            Some(("units.csv", "单位名称\n湖南省教育厅\n".as_bytes())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(item_titles(t).await.len(), 2);

    // The admin imports units (not items).
    let admin = sign_in(t, "admin", "admin-pass-1").await;
    let page = admin.get("/app/import").await;
    assert!(
        page.body.contains("value=\"units\"")
            && page.body.contains("value=\"users\"")
            && !page.body.contains("value=\"items\"")
    );
    let r = admin
        .upload(
            &[("_csrf", &csrf(&page.body)), ("kind", "units")],
            Some((
                "units.csv",
                "单位名称,简称\n湖南省教育厅,省教育厅\n".as_bytes(),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<span id=\"import-rows\">1</span>"));
    let units = t.get("admin", "/api/v1/units").await;
    assert!(
        units.body.to_string().contains("湖南省教育厅"),
        "{}",
        units.body
    );

    // A zip bomb: a small .xlsx whose sheet inflates past the policy's limit is refused
    // before it is read, beside the file field, and nothing is imported.
    let mut policy = t.get("admin", "/api/v1/policy").await.ok().clone();
    policy["import_max_inflated_mib"] = serde_json::json!(4);
    t.put("admin", "/api/v1/policy", policy).await.ok();
    let bomb = zip_bomb(&banli_app::import::template().unwrap(), 64 << 20);
    assert!(
        bomb.len() < 1 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    let started = std::time::Instant::now();
    let r = office
        .upload(
            &[
                ("_csrf", &token),
                ("kind", "items"),
                ("session_id", &session),
            ],
            Some(("bomb.xlsx", &bomb)),
        )
        .await;
    eprintln!("zip bomb refused in {:?}", started.elapsed());
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("解压后超过 4 MiB") && r.body.contains("id=\"import-file-err\""),
        "{}",
        r.body
    );
    assert_eq!(item_titles(t).await.len(), 2);
}

/// `xlsx` with `pad` spaces added to its sheet XML (spaces deflate about 1000:1).
fn zip_bomb(xlsx: &[u8], pad: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), opts).unwrap();
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(data).unwrap();
            let at = text.find("<sheetData").unwrap();
            out.write_all(&text.as_bytes()[..at]).unwrap();
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..pad >> 20 {
                out.write_all(&spaces).unwrap();
            }
            out.write_all(&text.as_bytes()[at..]).unwrap();
        } else {
            out.write_all(&data).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}
