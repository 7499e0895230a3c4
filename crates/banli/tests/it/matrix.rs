//! The authorisation matrix: every API route × every kind of caller gets exactly the expected
//! allow or deny. A route missing from the table fails the test, so a new route needs a row.

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::Method;
use serde_json::json;

/// Callers: no token, then every role, with the proposer and unit roles in each relation to
/// the target item (first proposer, invited co-signer, stranger; lead, co and unrelated unit).
const CALLERS: &[&str] = &[
    "none",
    "admin",
    "office",
    "p1",
    "p2",
    "p3",
    "lead_staff",
    "lead_signer",
    "co_staff",
    "co_signer",
    "other_staff",
];
const SIGNED_IN: &[&str] = &[
    "admin",
    "office",
    "p1",
    "p2",
    "p3",
    "lead_staff",
    "lead_signer",
    "co_staff",
    "co_signer",
    "other_staff",
];
const PUBLIC: &[&str] = &[
    "none",
    "admin",
    "office",
    "p1",
    "p2",
    "p3",
    "lead_staff",
    "lead_signer",
    "co_staff",
    "co_signer",
    "other_staff",
];

/// (method, path as documented, who may act). `{item}` is a filed item assigned to the lead
/// unit with the co unit; `{lead}`/`{co}` their assignments; `{reply}`, `{co_opinion}` and
/// `{commitment}` the documents sent on them.
const TABLE: &[(&str, &str, &[&str])] = &[
    ("POST", "/auth/token", PUBLIC),
    ("GET", "/openapi.json", PUBLIC),
    ("GET", "/me", SIGNED_IN),
    ("POST", "/units", &["admin"]),
    ("GET", "/units", SIGNED_IN),
    ("POST", "/users", &["admin"]),
    ("GET", "/users", &["admin", "office"]),
    ("POST", "/users/{user}/unlock", &["admin"]),
    ("POST", "/sessions", &["admin"]),
    ("GET", "/sessions", SIGNED_IN),
    // Closed, then reopened by the admin: the rows after these find it open.
    ("POST", "/sessions/{session}/close", &["admin"]),
    ("POST", "/sessions/{session}/reopen", &["admin"]),
    ("GET", "/policy", &["admin", "office"]),
    ("PUT", "/policy", &["admin"]),
    ("GET", "/calendar/due", SIGNED_IN),
    ("POST", "/calendar/years", &["admin"]),
    ("POST", "/calendar/days-off", &["admin"]),
    ("POST", "/items", &["office", "p1", "p2", "p3"]),
    ("GET", "/items", SIGNED_IN),
    (
        "GET",
        "/items/{item}",
        &[
            "admin",
            "office",
            "p1",
            "p2",
            "lead_staff",
            "lead_signer",
            "co_staff",
            "co_signer",
        ],
    ),
    ("PUT", "/items/{item}", &["office", "p1"]),
    ("POST", "/items/{item}/cosign", &["p2"]),
    ("POST", "/items/{item}/submit", &["p1"]),
    ("POST", "/items/{item}/withdraw", &["p1"]),
    ("POST", "/items/{item}/file", &["office"]),
    ("POST", "/items/{item}/return", &["office"]),
    ("POST", "/items/{item}/reject", &["office"]),
    ("POST", "/items/{item}/merge", &["office"]),
    ("POST", "/items/{item}/assign", &["office"]),
    ("POST", "/items/{item}/key", &["office"]),
    ("POST", "/items/{item}/supervision", &["office"]),
    ("POST", "/items/{item}/close", &["office"]),
    (
        "GET",
        "/assignments",
        &[
            "admin",
            "office",
            "lead_staff",
            "lead_signer",
            "co_staff",
            "co_signer",
            "other_staff",
        ],
    ),
    ("POST", "/assignments/{lead}/accept", &["lead_staff"]),
    ("POST", "/assignments/{lead}/return", &["lead_staff"]),
    ("POST", "/assignments/{lead}/return/decide", &["office"]),
    ("POST", "/assignments/{lead}/delegate", &["lead_staff"]),
    ("POST", "/assignments/{lead}/extension", &["lead_staff"]),
    ("POST", "/assignments/{lead}/extension/decide", &["office"]),
    ("POST", "/assignments/{lead}/consultations", &["lead_staff"]),
    ("POST", "/assignments/{lead}/reopen", &["office"]),
    ("POST", "/assignments/{co}/co-opinion", &["co_staff"]),
    (
        "POST",
        "/assignments/{co}/co-opinion/approve",
        &["co_signer"],
    ),
    (
        "POST",
        "/assignments/{co}/co-opinion/reject",
        &["co_signer"],
    ),
    ("POST", "/assignments/{co}/co-opinion/waive", &["office"]),
    ("POST", "/assignments/{lead}/reply", &["lead_staff"]),
    (
        "POST",
        "/assignments/{lead}/reply/approve",
        &["lead_signer"],
    ),
    ("POST", "/assignments/{lead}/reply/reject", &["lead_signer"]),
    ("POST", "/assignments/{lead}/reply/check", &["office"]),
    (
        "GET",
        "/assignments/{lead}/reply.pdf",
        &["admin", "office", "p1", "p2", "lead_staff", "lead_signer"],
    ),
    (
        "GET",
        "/assignments/{co}/co-opinion.pdf",
        &[
            "admin",
            "office",
            "lead_staff",
            "lead_signer",
            "co_staff",
            "co_signer",
        ],
    ),
    (
        "GET",
        "/assignments/{lead}/feedback-form.pdf",
        &["admin", "office", "p1", "p2", "lead_staff", "lead_signer"],
    ),
    ("POST", "/assignments/{lead}/evaluation", &["office", "p1"]),
    (
        "POST",
        "/commitments/{commitment}/progress",
        &["lead_staff"],
    ),
    (
        "POST",
        "/replies/{reply}/publish",
        &["office", "lead_signer"],
    ),
    (
        "POST",
        "/replies/{reply}/withdraw",
        &["office", "lead_signer"],
    ),
    (
        "POST",
        "/co-opinions/{co_opinion}/publish",
        &["office", "co_signer"],
    ),
    (
        "POST",
        "/co-opinions/{co_opinion}/withdraw",
        &["office", "co_signer"],
    ),
    ("GET", "/stats", &["admin", "office"]),
    ("POST", "/items/similar", SIGNED_IN),
    ("GET", "/stats.xlsx", &["admin", "office"]),
    ("GET", "/items.xlsx", SIGNED_IN),
    (
        "GET",
        "/assignments.xlsx",
        &[
            "admin",
            "office",
            "lead_staff",
            "lead_signer",
            "co_staff",
            "co_signer",
            "other_staff",
        ],
    ),
];

#[test]
fn every_documented_route_has_a_row() {
    let doc = banli_web::openapi();
    let mut missing = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("DELETE", item.delete.is_some()),
            ("PATCH", item.patch.is_some()),
        ];
        for (m, present) in methods {
            if !present {
                continue;
            }
            let covered = TABLE
                .iter()
                .any(|(tm, tp, _)| *tm == m && normalise(tp) == normalise(path));
            if !covered {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a row in the authorisation matrix: {missing:?}"
    );
    assert!(
        doc.paths.paths.len() >= 45,
        "the API documents every route of DESIGN §9"
    );
}

/// `/items/{item}` and `/items/{id}` name the same route.
fn normalise(p: &str) -> String {
    p.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

on_both!(authorisation_matrix);
async fn authorisation_matrix(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    // A filed item by p1 with p2 invited, assigned to lead + co, both documents sent.
    let item = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于矩阵测试的提案", "body": "正文", "origin": "joint", "cosigners": ["p2"]})).await.id();
    t.post(
        "p2",
        &format!("/api/v1/items/{item}/cosign"),
        json!({"accept": true}),
    )
    .await
    .ok();
    t.post("p1", &format!("/api/v1/items/{item}/submit"), json!({}))
        .await
        .ok();
    t.post("office", &format!("/api/v1/items/{item}/file"), json!({}))
        .await
        .ok();
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{item}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let ids: Vec<(String, i64)> = asg.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["role"].as_str().unwrap().to_string(),
                a["id"].as_i64().unwrap(),
            )
        })
        .collect();
    let lead = ids.iter().find(|(r, _)| r == "lead").unwrap().1;
    let co = ids.iter().find(|(r, _)| r == "co").unwrap().1;
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{lead}/accept"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "co_staff",
        &format!("/api/v1/assignments/{co}/accept"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "co_staff",
        &format!("/api/v1/assignments/{co}/co-opinion"),
        json!({"body": "同意", "contact_name": "甲", "contact_phone": "1", "disclosure": "public"}),
    )
    .await
    .ok();
    let co_opinion = t
        .post(
            "co_signer",
            &format!("/api/v1/assignments/{co}/co-opinion/approve"),
            json!({}),
        )
        .await
        .id();
    t.post("lead_staff", &format!("/api/v1/assignments/{lead}/reply"), json!({"body": "答复", "grade": "B", "disclosure": "public", "contact_name": "乙", "contact_phone": "2", "commitments": [{"text": "年内完成", "due_on": "2023-12-31"}]}))
        .await
        .ok();
    let reply = t
        .post(
            "lead_signer",
            &format!("/api/v1/assignments/{lead}/reply/approve"),
            json!({}),
        )
        .await
        .id();
    let detail = t.get("office", &format!("/api/v1/items/{item}")).await;
    let commitment = detail.ok()["commitments"][0]["id"].as_i64().unwrap();
    let user = t
        .get("admin", "/api/v1/users")
        .await
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "p3")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let mut failures = Vec::new();
    for (method, path, allowed) in TABLE {
        let concrete = path
            .replace("{item}", &item.to_string())
            .replace("{lead}", &lead.to_string())
            .replace("{co}", &co.to_string())
            .replace("{reply}", &reply.to_string())
            .replace("{co_opinion}", &co_opinion.to_string())
            .replace("{commitment}", &commitment.to_string())
            .replace("{user}", &user.to_string())
            .replace("{session}", &w.session.to_string());
        let url = match *path {
            "/calendar/due" => format!("/api/v1{concrete}?from=2023-01-19&working_days=5"),
            "/stats" | "/stats.xlsx" => format!("/api/v1{concrete}?session_id={}", w.session),
            _ => format!("/api/v1{concrete}"),
        };
        for caller in CALLERS {
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            // An empty object: enough to pass authorisation, never a complete valid request for a write.
            let body = (*method != "GET").then(|| "{}".to_string());
            let user = (*caller != "none").then_some(*caller);
            let r = t.raw(m, &url, user, body).await;
            let status = r.status.as_u16();
            let expect_allowed = allowed.contains(caller);
            let denied = status == 401 || status == 403;
            let ok = if *caller == "none" && !expect_allowed {
                status == 401
            } else if expect_allowed {
                !denied
            } else {
                status == 403
            };
            if !ok {
                failures.push(format!(
                    "{method} {path} as {caller}: got {status} {}, expected {}",
                    r.body,
                    if expect_allowed {
                        "allowed"
                    } else if *caller == "none" {
                        "401"
                    } else {
                        "403"
                    }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix mismatches:\n{}",
        failures.join("\n")
    );
}
