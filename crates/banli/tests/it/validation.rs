//! Bad input: each gets the right status and a JSON error naming the field, and none leaves a
//! partial change.

use crate::harness::*;
use crate::lifecycle::on_both;
use reqwest::Method;
use serde_json::json;

on_both!(bad_input_is_refused_cleanly);
async fn bad_input_is_refused_cleanly(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let items = "/api/v1/items";
    // Malformed JSON: 400.
    let r = t
        .raw(Method::POST, items, Some("p1"), Some("{\"title\": ".into()))
        .await;
    r.status(400);
    assert_eq!(r.body["error"]["code"], "bad_request");
    // A missing field names it.
    let r = t
        .post(
            "p1",
            items,
            json!({"session_id": w.session, "body": "x", "origin": "individual"}),
        )
        .await;
    r.status(400);
    assert_eq!(r.field(), Some("title"));
    // An unknown field is refused rather than ignored.
    let r = t.post("p1", items, json!({"session_id": w.session, "title": "t", "body": "x", "origin": "individual", "titel": "typo"})).await;
    r.status(400);
    // A wrong enum value names its field.
    let r = t
        .post(
            "p1",
            items,
            json!({"session_id": w.session, "title": "t", "body": "x", "origin": "alone"}),
        )
        .await;
    r.status(400);
    assert_eq!(r.field(), Some("origin"));
    // Over-long title and body: 422 naming the field (characters, not bytes).
    let r = t.post("p1", items, json!({"session_id": w.session, "title": "提".repeat(201), "body": "x", "origin": "individual"})).await;
    r.status(422);
    assert_eq!(r.field(), Some("title"));
    t.post("p1", items, json!({"session_id": w.session, "title": "提".repeat(200), "body": "x", "origin": "individual"})).await.status(201);
    let r = t.post("p1", items, json!({"session_id": w.session, "title": "t", "body": "字".repeat(50_001), "origin": "individual"})).await;
    assert_eq!(r.field(), Some("body"));
    // Unknown references in the body: 422 naming the field.
    let r = t
        .post(
            "p1",
            items,
            json!({"session_id": 9999, "title": "t", "body": "x", "origin": "individual"}),
        )
        .await;
    r.status(422);
    assert_eq!(r.field(), Some("session_id"));
    let r = t.post("p1", items, json!({"session_id": w.session, "title": "t", "body": "x", "origin": "joint", "cosigners": ["nobody"]})).await;
    assert_eq!(r.field(), Some("cosigners"));
    let r = t.post("p1", items, json!({"session_id": w.session, "title": "t", "body": "x", "origin": "individual", "category": "不存在的类别"})).await;
    assert_eq!(r.field(), Some("category"));
    // Unknown or impossible ids in the path: 404.
    t.get("p1", "/api/v1/items/999999").await.status(404);
    t.get("p1", "/api/v1/items/abc").await.status(404);
    t.post("office", "/api/v1/items/-3/file", json!({}))
        .await
        .status(404);
    t.post("lead_staff", "/api/v1/assignments/424242/accept", json!({}))
        .await
        .status(404);
    // A date that does not exist: 400 naming the field.
    let r = t
        .get("p1", "/api/v1/calendar/due?from=2023-02-30&working_days=5")
        .await;
    r.status(400);
    let (id, a) = accepted_by_lead(t, &w, "p1", "关于校验的提案").await;
    let r = t
        .post(
            "lead_staff",
            &format!("/api/v1/assignments/{a}/consultations"),
            json!({"method": "phone", "date": "2023-02-30", "summary": "s"}),
        )
        .await;
    r.status(400);
    assert_eq!(r.field(), Some("date"));
    // Dates a user records may not lie in the future nor before the assignment.
    let r = t
        .post(
            "lead_staff",
            &format!("/api/v1/assignments/{a}/consultations"),
            json!({"method": "phone", "date": "2023-02-02", "summary": "s"}),
        )
        .await;
    r.status(422);
    let r = t
        .post(
            "lead_staff",
            &format!("/api/v1/assignments/{a}/consultations"),
            json!({"method": "phone", "date": "2023-01-31", "summary": "s"}),
        )
        .await;
    r.status(422);
    // Phone numbers are free text up to 40 characters.
    let r = t.post("lead_staff", &format!("/api/v1/assignments/{a}/reply"), json!({"body": "b", "grade": "A", "disclosure": "public", "contact_name": "n", "contact_phone": "1".repeat(41)})).await;
    r.status(422);
    assert_eq!(r.field(), Some("contact_phone"));
    // Wrong state: 409.
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .status(409);
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
    )
    .await
    .status(409);
    // Authorisation comes before validation: garbage from a caller who may not act is 403.
    t.raw(
        Method::POST,
        &format!("/api/v1/items/{id}/file"),
        Some("p1"),
        Some("not json".into()),
    )
    .await
    .status(403);
    t.raw(
        Method::POST,
        "/api/v1/units",
        Some("office"),
        Some("{".into()),
    )
    .await
    .status(403);
    // No token: 401 with the JSON shape.
    let r = t.raw(Method::GET, items, None, None).await;
    r.status(401);
    assert_eq!(r.body["error"]["code"], "unauthorized");
    t.raw(Method::GET, items, Some("p1"), None).await.ok();
    // A refused action leaves nothing behind: the item and its events are as before.
    let before = t
        .get("office", &format!("/api/v1/items/{id}"))
        .await
        .ok()
        .clone();
    t.post(
        "office",
        &format!("/api/v1/items/{id}/assign"),
        json!({"lead": w.co, "co": [99999]}),
    )
    .await
    .status(422);
    t.post("lead_staff", &format!("/api/v1/assignments/{a}/reply"), json!({"body": "b", "grade": "B", "disclosure": "public", "contact_name": "n", "contact_phone": "1", "commitments": [{"text": "", "due_on": "2023-12-01"}]})).await.status(422);
    let after = t
        .get("office", &format!("/api/v1/items/{id}"))
        .await
        .ok()
        .clone();
    assert_eq!(before["assignments"], after["assignments"]);
    assert_eq!(before["events"], after["events"]);
    assert_eq!(after["replies"].as_array().unwrap().len(), 0);
    // The calendar answers the specification's example.
    let r = t
        .get("p1", "/api/v1/calendar/due?from=2023-01-19&working_days=5")
        .await;
    assert_eq!(r.ok()["due"], "2023-01-31");
    assert_eq!(r.ok()["provisional"], false);
    let r = t
        .get("p1", "/api/v1/calendar/due?from=2023-01-31&months=1")
        .await;
    assert_eq!(r.ok()["due"], "2023-02-28");
}

on_both!(calendar_years_make_provisional_dates_final);
/// A due date past the last loaded year is provisional; adding that year recomputes it and
/// records the change.
async fn calendar_years_make_provisional_dates_final(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2026-11-20");
    let id = submitted_item(t, &w, "p1", "关于跨年期限的提案").await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let a = t
        .post(
            "office",
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": w.lead}),
        )
        .await;
    assert_eq!(a.ok()["assignments"][0]["due"]["provisional"], true);
    assert_eq!(
        a.ok()["assignments"][0]["due"]["reply_by"],
        "2027-02-22",
        "2027-02-20 is a Saturday: weekends only"
    );
    let r = t
        .get("p1", "/api/v1/calendar/due?from=2026-12-20&working_days=30")
        .await;
    assert_eq!(r.ok()["provisional"], true);
    // Only an admin loads a year; a bad year is refused with its field.
    let year = json!({"year": 2027, "days": [
        {"name": "春节", "date": "2027-02-22", "isOffDay": true},
        {"name": "春节", "date": "2027-02-23", "isOffDay": true},
        {"name": "春节", "date": "2027-02-20", "isOffDay": false}
    ]});
    t.post("office", "/api/v1/calendar/years", year.clone())
        .await
        .status(403);
    let bad =
        json!({"year": 2027, "days": [{"name": "x", "date": "2030-01-01", "isOffDay": true}]});
    t.post("admin", "/api/v1/calendar/years", bad)
        .await
        .status(422);
    let r = t.post("admin", "/api/v1/calendar/years", year).await;
    assert!(r.status(201)["recomputed"].as_i64().unwrap() >= 1);
    let d = t.get("office", &format!("/api/v1/items/{id}")).await;
    let asg = &d.ok()["assignments"][0];
    assert_eq!(asg["due"]["provisional"], false);
    assert_eq!(
        asg["due"]["reply_by"], "2027-02-20",
        "the make-up Saturday is a working day"
    );
    assert!(d.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "due_dates_recomputed"));
    // A local day off moves a deadline that lands on it.
    t.post(
        "admin",
        "/api/v1/calendar/days-off",
        json!({"date": "2023-01-31", "name": "地方假日"}),
    )
    .await
    .status(201);
    assert_eq!(
        t.get("p1", "/api/v1/calendar/due?from=2023-01-19&working_days=5")
            .await
            .ok()["due"],
        "2023-02-01"
    );
}

on_both!(a_stored_value_the_code_cannot_read_is_an_error_not_a_default);
/// A state, kind or role in the database that the code does not know (a newer version's, or
/// a hand edit) fails the read with an error that names it — never a silent 草稿 or a
/// default role — and the user sees a 500 that says nothing of the internals.
async fn a_stored_value_the_code_cannot_read_is_an_error_not_a_default(t: &TestApp) {
    let w = world(t).await;
    let id = submitted_item(t, &w, "p1", "关于存储值校验的提案").await;
    t.get("office", &format!("/api/v1/items/{id}")).await.ok();
    banli_store::sqlx::query("UPDATE items SET state = 'archived_v9' WHERE id = $1")
        .bind(id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let office = t.app.actor_by_name("office").await.unwrap();
    let Err(e) = t.app.get_item(&office, id).await else {
        panic!("an error, not a default")
    };
    let said = e.to_string();
    // The operator learns the value, the enum, the table and the row to mend.
    assert!(
        said.contains("archived_v9")
            && said.contains("ItemState")
            && said.contains(&format!("items 表 id={id}")),
        "{said}"
    );
    let r = t.get("office", &format!("/api/v1/items/{id}")).await;
    assert_eq!(r.status, 500);
    assert!(!r.body.to_string().contains("archived_v9"));
    // A date that is not one is an error too, never 1970-01-01.
    banli_store::sqlx::query("UPDATE items SET state = 'submitted' WHERE id = $1")
        .bind(id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
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
    banli_store::sqlx::query("UPDATE assignments SET return_by = '2023-02-30' WHERE item_id = $1")
        .bind(id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let Err(e) = t.app.get_item(&office, id).await else {
        panic!("a bad stored date read as a date")
    };
    assert!(
        e.to_string().contains("2023-02-30") && e.to_string().contains("assignments 表 id="),
        "{e}"
    );
    // The work queue and the statistics read the same strictly.
    let Err(e) = t.app.list_assignments(&office, Default::default()).await else {
        panic!("a list read past a bad date")
    };
    assert!(e.to_string().contains("2023-02-30"), "{e}");
    // A role no version knows: the user cannot act as anyone.
    banli_store::sqlx::query("UPDATE users SET role = 'superuser' WHERE username = 'p2'")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let Err(e) = t.app.actor_by_name("p2").await else {
        panic!("no actor with an unknown role")
    };
    assert!(e.to_string().contains("superuser"), "{e}");
}

on_both!(an_unreadable_policy_is_an_error_not_the_default_policy);
async fn an_unreadable_policy_is_an_error_not_the_default_policy(t: &TestApp) {
    t.bootstrap_admin().await;
    banli_store::sqlx::query("UPDATE organisations SET policy = 'reply_months=2' WHERE id = $1")
        .bind(t.app.org_id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    let Err(e) = t.app.policy(t.app.org_id).await else {
        panic!("an error")
    };
    assert!(e.to_string().contains("policy 无法读取"), "{e}");
    assert_eq!(t.get("admin", "/api/v1/policy").await.status, 500);
}

on_both!(a_closed_session_takes_no_new_items);
/// 闭会: once the admin closes a session, neither a member nor the office can put a new item
/// into it (the error names the session field and says what to do); items already in it go on;
/// only the admin closes and reopens; reopened, it takes items again.
async fn a_closed_session_takes_no_new_items(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let draft = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于闭会前起草的提案", "body": "建议加快推进。", "origin": "individual"})).await.id();
    let close = format!("/api/v1/sessions/{}/close", w.session);
    t.post("office", &close, json!({})).await.status(403);
    t.post("p1", &close, json!({})).await.status(403);
    let closed = t.post("admin", &close, json!({})).await;
    assert_eq!(closed.ok()["closed_on"], "2023-02-01");
    let listed = t.get("admin", "/api/v1/sessions").await;
    assert_eq!(listed.ok()[0]["closed_on"], "2023-02-01");
    // Closing it again keeps the day it was closed.
    t.set_today("2023-02-03");
    let again = t.post("admin", &close, json!({})).await;
    assert_eq!(again.ok()["closed_on"], "2023-02-01");

    let member = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于闭会后提交的提案", "body": "建议加快推进。", "origin": "individual"})).await;
    assert_eq!(member.status, 422);
    assert_eq!(member.field(), Some("session_id"));
    assert!(
        member.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("已闭会"),
        "{:?}",
        member.body
    );
    let paper = t.post("office", "/api/v1/items", json!({"session_id": w.session, "title": "关于纸质提案的提案", "body": "建议加快推进。", "origin": "individual", "proposers": ["p2"], "submitted_on": "2023-01-20"})).await;
    assert_eq!(paper.status, 422);
    assert_eq!(paper.field(), Some("session_id"));
    // The draft written before the close is submitted and filed as usual.
    t.post("p1", &format!("/api/v1/items/{draft}/submit"), json!({}))
        .await
        .ok();
    t.post("office", &format!("/api/v1/items/{draft}/file"), json!({}))
        .await
        .ok();
    let items = t
        .get("office", &format!("/api/v1/items?session_id={}", w.session))
        .await;
    assert_eq!(
        items.ok()["total"],
        1,
        "nothing was added by the refused requests"
    );

    let reopened = t
        .post(
            "admin",
            &format!("/api/v1/sessions/{}/reopen", w.session),
            json!({}),
        )
        .await;
    assert!(reopened.ok()["closed_on"].is_null());
    t.post("office", "/api/v1/items", json!({"session_id": w.session, "title": "关于补录纸质提案的提案", "body": "建议加快推进。", "origin": "individual", "proposers": ["p2"], "submitted_on": "2023-01-20"})).await.status(201);
    t.post("admin", "/api/v1/sessions/999999/close", json!({}))
        .await
        .status(404);
}
