//! The OpenAPI document describes exactly what the server sends and accepts: real answers of a
//! whole lifecycle are validated against the schemas the document gives for that route and
//! status, so a generated client can decode every one of them.

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::Method;
use serde_json::{json, Value};

/// Validates `body` against the document's schema for `method path` answering `status`.
fn check(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let op = &doc["paths"][path][method.to_ascii_lowercase()];
    assert!(op.is_object(), "{method} {path} is not in the document");
    let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON body for {status}"
    );
    // The whole document as the root, so `#/components/schemas/…` references resolve.
    let mut root = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "components": doc["components"].clone()});
    root["allOf"] = json!([schema]);
    let v = jsonschema::draft202012::new(&root)
        .unwrap_or_else(|e| panic!("{method} {path}: the document's schema does not compile: {e}"));
    let errors: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} → {status} does not match the document:\n{}\nbody: {body}",
        errors.join("\n")
    );
}

struct Calls<'a> {
    t: &'a TestApp,
    doc: Value,
    checked: usize,
}

impl Calls<'_> {
    async fn call(
        &mut self,
        user: &str,
        method: Method,
        template: &str,
        url: &str,
        body: Option<Value>,
    ) -> Value {
        let r = self
            .t
            .raw(
                method.clone(),
                &format!("/api/v1{url}"),
                Some(user),
                body.map(|b| b.to_string()),
            )
            .await;
        assert!(
            r.status.is_success(),
            "{method} {url} as {user}: {} {}",
            r.status,
            r.body
        );
        check(
            &self.doc,
            method.as_str(),
            template,
            r.status.as_u16(),
            &r.body,
        );
        self.checked += 1;
        r.body
    }
}

on_both!(real_answers_match_the_documented_schemas);
async fn real_answers_match_the_documented_schemas(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let (status, _, text) = t.public("/api/v1/openapi.json", &[]).await;
    assert_eq!(status, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["servers"][0]["url"], "/api/v1",
        "paths resolve against /api/v1"
    );
    // Enumerations are the wire values, complete.
    let states: Vec<&str> = doc["components"]["schemas"]["ItemState"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for s in [
        "draft",
        "submitted",
        "returned",
        "withdrawn",
        "filed",
        "not_filed",
        "merged",
        "handling",
        "replied",
        "closed",
    ] {
        assert!(states.contains(&s), "ItemState lacks {s}: {states:?}");
    }
    assert!(doc["components"]["schemas"]["Origin"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("individual")));
    assert!(
        !text.contains("\"Individual\""),
        "no Rust variant names in the document"
    );
    // Filters of the lists are query parameters (a generated client sends them there), with
    // the ranges the server holds to.
    for path in [
        "/items",
        "/assignments",
        "/stats",
        "/items.xlsx",
        "/stats.xlsx",
    ] {
        for p in doc["paths"][path]["get"]["parameters"].as_array().unwrap() {
            assert_eq!(p["in"], "query", "{path} {}", p["name"]);
        }
    }
    let page = doc["paths"]["/items"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap();
    assert_eq!(page["schema"]["minimum"], 1);
    // The PDF downloads are documented with their media type.
    for pdf in ["reply.pdf", "co-opinion.pdf", "feedback-form.pdf"] {
        let op = &doc["paths"][format!("/assignments/{{id}}/{pdf}")]["get"];
        assert!(
            op["responses"]["200"]["content"]["application/pdf"].is_object(),
            "{pdf}: {op}"
        );
    }

    let mut c = Calls { t, doc, checked: 0 };
    let item = c.call("p1", Method::POST, "/items", "/items", Some(json!({"session_id": w.session, "title": "关于文档校验的提案", "body": "正文", "origin": "joint", "cosigners": ["p2"], "category": "经济建设"}))).await;
    let id = item["id"].as_i64().unwrap();
    c.call(
        "p2",
        Method::POST,
        "/items/{id}/cosign",
        &format!("/items/{id}/cosign"),
        Some(json!({"accept": true})),
    )
    .await;
    c.call(
        "p1",
        Method::POST,
        "/items/{id}/submit",
        &format!("/items/{id}/submit"),
        Some(json!({})),
    )
    .await;
    c.call(
        "office",
        Method::POST,
        "/items/{id}/file",
        &format!("/items/{id}/file"),
        Some(json!({})),
    )
    .await;
    t.set_today("2023-03-01");
    let asg = c
        .call(
            "office",
            Method::POST,
            "/items/{id}/assign",
            &format!("/items/{id}/assign"),
            Some(json!({"lead": w.lead, "co": [w.co]})),
        )
        .await;
    let find = |role: &str| {
        asg["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["role"] == role)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (la, ca) = (find("lead"), find("co"));
    c.call(
        "lead_staff",
        Method::POST,
        "/assignments/{id}/accept",
        &format!("/assignments/{la}/accept"),
        Some(json!({})),
    )
    .await;
    c.call(
        "co_staff",
        Method::POST,
        "/assignments/{id}/accept",
        &format!("/assignments/{ca}/accept"),
        Some(json!({})),
    )
    .await;
    c.call(
        "lead_staff",
        Method::POST,
        "/assignments/{id}/consultations",
        &format!("/assignments/{la}/consultations"),
        Some(json!({"method": "phone", "date": "2023-03-01", "summary": "电话沟通"})),
    )
    .await;
    c.call(
        "co_staff",
        Method::POST,
        "/assignments/{id}/co-opinion",
        &format!("/assignments/{ca}/co-opinion"),
        Some(json!({"body": "同意", "contact_name": "甲", "contact_phone": "1"})),
    )
    .await;
    c.call(
        "co_signer",
        Method::POST,
        "/assignments/{id}/co-opinion/approve",
        &format!("/assignments/{ca}/co-opinion/approve"),
        Some(json!({})),
    )
    .await;
    t.set_today("2023-04-20");
    c.call(
        "lead_staff",
        Method::POST,
        "/assignments/{id}/reply",
        &format!("/assignments/{la}/reply"),
        Some(json!({"body": "答复正文", "grade": "A", "disclosure": "public", "contact_name": "乙", "contact_phone": "2", "commitments": [{"text": "年内完成", "due_on": "2023-12-31"}]})),
    )
    .await;
    let sent = c
        .call(
            "lead_signer",
            Method::POST,
            "/assignments/{id}/reply/approve",
            &format!("/assignments/{la}/reply/approve"),
            Some(json!({})),
        )
        .await;
    let reply = sent["id"].as_i64().unwrap();
    c.call(
        "p1",
        Method::POST,
        "/assignments/{id}/evaluation",
        &format!("/assignments/{la}/evaluation"),
        Some(json!({"handling": "satisfied", "result": "basically_satisfied", "comment": "较好"})),
    )
    .await;
    c.call(
        "office",
        Method::POST,
        "/replies/{id}/publish",
        &format!("/replies/{reply}/publish"),
        Some(json!({})),
    )
    .await;
    for (user, template, url) in [
        ("p1", "/me", "/me".to_string()),
        ("p1", "/units", "/units".into()),
        ("admin", "/users", "/users".into()),
        ("p1", "/sessions", "/sessions".into()),
        ("office", "/policy", "/policy".into()),
        ("office", "/items", "/items".into()),
        ("p1", "/items", "/items?state=replied".into()),
        ("office", "/items/{id}", format!("/items/{id}")),
        ("p1", "/items/{id}", format!("/items/{id}")),
        ("lead_staff", "/items/{id}", format!("/items/{id}")),
        ("office", "/assignments", "/assignments".into()),
        ("lead_staff", "/assignments", "/assignments".into()),
        (
            "office",
            "/stats",
            format!("/stats?session_id={}", w.session),
        ),
        (
            "p1",
            "/calendar/due",
            "/calendar/due?from=2023-01-19&working_days=5".into(),
        ),
    ] {
        c.call(user, Method::GET, template, &url, None).await;
    }
    c.call(
        "office",
        Method::POST,
        "/items/similar",
        "/items/similar",
        Some(json!({"text": "关于文档校验的提案"})),
    )
    .await;
    c.call(
        "office",
        Method::POST,
        "/items/{id}/close",
        &format!("/items/{id}/close"),
        Some(json!({})),
    )
    .await;
    eprintln!("{} answers matched the OpenAPI document", c.checked);
}
