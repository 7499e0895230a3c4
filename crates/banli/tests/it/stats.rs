//! Statistics (DESIGN §7) from a scripted session with known counts, on both databases.

use crate::harness::*;
use crate::lifecycle::on_both;
use serde_json::{json, Value};

async fn reply(
    t: &TestApp,
    staff: &str,
    signer: &str,
    a: i64,
    grade: &str,
    commitment_due: Option<&str>,
) -> i64 {
    let mut body = json!({"body": "答复正文", "grade": grade, "disclosure": "public", "contact_name": "甲", "contact_phone": "1"});
    if let Some(d) = commitment_due {
        body["commitments"] = json!([{"text": "承诺事项", "due_on": d}]);
    }
    t.post(staff, &format!("/api/v1/assignments/{a}/reply"), body)
        .await
        .ok();
    t.post(
        signer,
        &format!("/api/v1/assignments/{a}/reply/approve"),
        json!({}),
    )
    .await
    .id()
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

fn close(x: &Value, want: f64) -> bool {
    x.as_f64().is_some_and(|v| (v - want).abs() < 1e-9)
}

on_both!(statistics_match_a_scripted_session);
async fn statistics_match_a_scripted_session(t: &TestApp) {
    let w = world(t).await;
    t.user("sub_signer", "unit_signer", Some(w.sub)).await;
    t.set_today("2023-02-01");
    let mut items = Vec::new();
    for k in 0..9 {
        items.push(submitted_item(t, &w, "p1", &format!("关于统计场景第{k}件的提案")).await);
    }
    let [i1, i2, i3, i4, i5, i6, i7, i8, _] = items[..] else {
        unreachable!()
    };
    for i in [i1, i2, i3, i4, i7, i8] {
        t.post("office", &format!("/api/v1/items/{i}/file"), json!({}))
            .await
            .ok();
    }
    t.post(
        "office",
        &format!("/api/v1/items/{i5}/merge"),
        json!({"into": i1}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{i6}/reject"),
        json!({"reason": "不符合一事一案", "disposition": "letter"}),
    )
    .await
    .ok();
    // Assignments on 2023-03-01: replies due 2023-06-01.
    t.set_today("2023-03-01");
    let a1 = t
        .post(
            "office",
            &format!("/api/v1/items/{i1}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let (l1, c1) = (assignment(a1.ok(), w.lead), assignment(a1.ok(), w.co));
    let l2 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{i2}/assign"),
            json!({"lead": w.lead}),
        )
        .await
        .ok(),
        w.lead,
    );
    let a3 = t
        .post(
            "office",
            &format!("/api/v1/items/{i3}/assign"),
            json!({"separate": [w.lead, w.other]}),
        )
        .await;
    let (l3, o3) = (assignment(a3.ok(), w.lead), assignment(a3.ok(), w.other));
    // A sub-unit assigned directly counts for its parent.
    let s7 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{i7}/assign"),
            json!({"lead": w.sub}),
        )
        .await
        .ok(),
        w.sub,
    );
    let c8 = assignment(
        t.post(
            "office",
            &format!("/api/v1/items/{i8}/assign"),
            json!({"lead": w.co}),
        )
        .await
        .ok(),
        w.co,
    );
    for (staff, a) in [
        ("lead_staff", l1),
        ("co_staff", c1),
        ("lead_staff", l2),
        ("lead_staff", l3),
        ("other_staff", o3),
        ("sub_staff", s7),
    ] {
        t.post(staff, &format!("/api/v1/assignments/{a}/accept"), json!({}))
            .await
            .ok();
    }
    t.set_today("2023-03-05");
    t.post(
        "co_staff",
        &format!("/api/v1/assignments/{c8}/return"),
        json!({"reason": "非本单位职责"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/assignments/{c8}/return/decide"),
        json!({"approve": true}),
    )
    .await
    .ok();
    t.set_today("2023-03-08");
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{l1}/consultations"),
        json!({"method": "face_to_face", "date": "2023-03-08", "summary": "面商"}),
    )
    .await
    .status(201);
    t.post(
        "sub_staff",
        &format!("/api/v1/assignments/{s7}/consultations"),
        json!({"method": "phone", "date": "2023-03-08", "summary": "电话"}),
    )
    .await
    .status(201);
    t.set_today("2023-04-20");
    t.post(
        "co_staff",
        &format!("/api/v1/assignments/{c1}/co-opinion"),
        json!({"body": "同意", "contact_name": "乙", "contact_phone": "2"}),
    )
    .await
    .ok();
    t.post(
        "co_signer",
        &format!("/api/v1/assignments/{c1}/co-opinion/approve"),
        json!({}),
    )
    .await
    .ok();
    reply(t, "lead_staff", "lead_signer", l1, "A", None).await;
    reply(t, "lead_staff", "lead_signer", l3, "C", None).await;
    reply(t, "sub_staff", "sub_signer", s7, "B", Some("2023-07-01")).await;
    t.set_today("2023-04-25");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{l1}/evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await
    .status(201);
    t.post(
        "p1",
        &format!("/api/v1/assignments/{s7}/evaluation"),
        json!({"handling": "satisfied", "result": "basically_satisfied"}),
    )
    .await
    .status(201);
    t.set_today("2023-05-01");
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{l2}/consultations"),
        json!({"method": "visit", "date": "2023-05-01", "summary": "走访"}),
    )
    .await
    .status(201);
    // Item 2: the first reply is late, rated unsatisfied, handled again.
    t.set_today("2023-06-10");
    reply(t, "lead_staff", "lead_signer", l2, "B", Some("2023-08-01")).await;
    t.set_today("2023-06-12");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{l2}/evaluation"),
        json!({"handling": "basically_satisfied", "result": "unsatisfied"}),
    )
    .await
    .status(201);
    t.set_today("2023-06-20");
    reply(t, "lead_staff", "lead_signer", l2, "A", None).await;
    t.set_today("2023-07-15");
    let d2 = t.get("office", &format!("/api/v1/items/{i2}")).await;
    let commitment = d2.ok()["commitments"][0]["id"].as_i64().unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "已完成", "status": "done"}),
    )
    .await
    .ok();
    // Item 8 goes to the lead unit after the approved adjustment: not due yet on the stats date.
    t.set_today("2023-08-20");
    t.post(
        "office",
        &format!("/api/v1/items/{i8}/assign"),
        json!({"lead": w.lead}),
    )
    .await
    .ok();

    t.set_today("2023-09-01");
    t.get(
        "lead_staff",
        &format!("/api/v1/stats?session_id={}", w.session),
    )
    .await
    .status(403);
    t.get("office", "/api/v1/stats").await.status(400);
    let s = t
        .get("office", &format!("/api/v1/stats?session_id={}", w.session))
        .await;
    let o = &s.ok()["overall"];
    assert_eq!(o["filed"], 6, "merged and not-filed items are not counted");
    assert_eq!(o["replied"], 3);
    assert!(close(&o["reply_rate"], 0.5), "{o}");
    assert!(
        close(&o["on_time_rate"], 0.6),
        "3 on time of 4 replied + 1 past due: {o}"
    );
    assert!(
        close(&o["consultation_rate"], 0.5),
        "face-to-face and visit count, phone does not: {o}"
    );
    assert_eq!(o["grades"], json!({"A": 2, "B": 1, "C": 1, "D": 0}));
    let r = &o["satisfaction"]["result"];
    assert_eq!(
        (
            r["satisfied"].as_i64(),
            r["basically_satisfied"].as_i64(),
            r["unsatisfied"].as_i64(),
            r["no_feedback"].as_i64()
        ),
        (Some(1), Some(1), Some(0), Some(2))
    );
    assert!(close(&r["rate"], 0.5) && close(&r["basic_rate"], 0.5));
    assert!(close(&o["satisfaction"]["handling"]["rate"], 1.0));
    assert_eq!(
        o["commitments"],
        json!({"due": 2, "done_on_time": 1, "completion_rate": 0.5})
    );
    // Per unit: the co unit's co-opinion and returned assignment do not count; the sub-unit counts for its parent.
    let units = s.ok()["per_unit"].as_array().unwrap();
    let unit = |id: i64| units.iter().find(|u| u["unit_id"] == id).cloned();
    let lead = unit(w.lead).unwrap();
    assert_eq!(
        (lead["filed"].as_i64(), lead["replied"].as_i64()),
        (Some(4), Some(3))
    );
    assert!(close(&lead["on_time_rate"], 2.0 / 3.0), "{lead}");
    let other = unit(w.other).unwrap();
    assert_eq!(
        (other["filed"].as_i64(), other["replied"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(close(&other["on_time_rate"], 0.5));
    assert!(unit(w.co).is_none() && unit(w.sub).is_none());
    assert_eq!(
        (lead["rank"].as_i64(), other["rank"].as_i64()),
        (Some(1), Some(2))
    );
    let cat = &s.ok()["per_category"][0];
    assert_eq!(cat["category"], "经济建设");
    assert_eq!(cat["filed"], 6);
    // The same figures as a workbook: overall, per unit (ranked), per category.
    let url = format!("{}/api/v1/stats.xlsx?session_id={}", t.base, w.session);
    let bytes = reqwest::Client::new()
        .get(url)
        .bearer_auth(t.token("office").unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let sheet = banli_docs::read_xlsx(&bytes).unwrap();
    assert_eq!(sheet.get(&sheet.rows[0], "立案数"), "6");
    assert_eq!(sheet.get(&sheet.rows[0], "办复率"), "50.0%");
    assert_eq!(sheet.get(&sheet.rows[0], "按时办复率"), "60.0%");
    // A date range counts only items filed in it (by the organisation's clock).
    let all = t
        .get(
            "office",
            &format!(
                "/api/v1/stats?session_id={}&from=2023-01-01&to=2023-02-28",
                w.session
            ),
        )
        .await;
    assert_eq!(all.ok()["overall"]["filed"], 6);
    let none = t
        .get(
            "office",
            &format!(
                "/api/v1/stats?session_id={}&from=2023-03-01&to=2023-12-31",
                w.session
            ),
        )
        .await;
    assert_eq!(none.ok()["overall"]["filed"], 0);
    t.get(
        "office",
        &format!(
            "/api/v1/stats?session_id={}&from=2023-03-01&to=2023-01-01",
            w.session
        ),
    )
    .await
    .status(422);
}
