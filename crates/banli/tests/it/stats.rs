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
    agree(t, w.session, &["2023-04-21", "2023-09-01", "2024-01-01"]).await;
}

/// The fast figures (summed from the facts each event refreshes) equal the reference
/// arithmetic over the records one by one, for every date asked.
async fn agree(t: &TestApp, session: i64, days: &[&str]) {
    let office = t.app.actor_by_name("office").await.unwrap();
    for d in days {
        t.set_today(d);
        for (from, to) in [(None, None), (Some("2023-02-01"), Some("2023-03-31"))] {
            let q = banli_app::stats::StatsQuery {
                session_id: session,
                from: from.map(|f: &str| f.parse().unwrap()),
                to: to.map(|f: &str| f.parse().unwrap()),
            };
            let fast = t.app.stats(&office, q.clone()).await.unwrap();
            let reference = t.app.stats_reference(&office, q).await.unwrap();
            assert_eq!(fast, reference, "on {d}, filed {from:?}..{to:?}");
        }
    }
}

/// The office's lists read through the list keys and totals (kept per event) equal the same
/// lists read from the records: every total, and every row in its order, for each filter and
/// sort; the work lists likewise for each unit, state and deadline.
async fn lists_agree(t: &TestApp, session: i64, day: &str) {
    use banli_app::view::{AssignmentQuery, ItemQuery};
    let office = t.app.actor_by_name("office").await.unwrap();
    let pool = &t.app.db.pool;
    let ids = |rows: Vec<(i64,)>| rows.into_iter().map(|(id,)| id).collect::<Vec<i64>>();
    let all = ids(banli_store::sqlx::query_as("SELECT id FROM items")
        .fetch_all(pool)
        .await
        .unwrap());
    let filters: [(Option<i64>, Option<&str>, Option<&str>); 5] = [
        (None, None, None),
        (Some(session), None, None),
        (None, Some("handling"), None),
        (Some(session), Some("filed"), Some("经济建设")),
        (None, None, Some("社会建设")),
    ];
    for sort in ["number", "updated", "submitted"] {
        for (session_id, state, category) in filters {
            for page in [1, 2] {
                let q = ItemQuery {
                    session_id,
                    state: state.map(Into::into),
                    category: category.map(Into::into),
                    sort: Some(sort.into()),
                    page: Some(page),
                    per_page: Some(4),
                    ..Default::default()
                };
                let keyed = t.app.list_items(&office, q.clone()).await.unwrap();
                // Only these ids: the query over the records themselves.
                let reference = t
                    .app
                    .list_items(
                        &office,
                        ItemQuery {
                            ids: Some(all.clone()),
                            ..q
                        },
                    )
                    .await
                    .unwrap();
                let what =
                    format!("on {day}: {sort}, {session_id:?} {state:?} {category:?}, page {page}");
                assert_eq!(keyed.total, reference.total, "{what}");
                let order = |p: &banli_app::view::ItemPage| {
                    p.items.iter().map(|i| i.id).collect::<Vec<_>>()
                };
                assert_eq!(order(&keyed), order(&reference), "{what}");
            }
        }
    }
    let units = ids(banli_store::sqlx::query_as(
        "SELECT DISTINCT unit_id FROM assignments ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap());
    // A unit's items: the office's "handled by" filter, and the unit's staff's own list.
    for staff in ["lead_staff", "co_staff", "other_staff", "sub_staff"] {
        let who = t.app.actor_by_name(staff).await.unwrap();
        let unit_id = who.unit_id;
        assert!(unit_id.is_some(), "{staff} belongs to a unit");
        for sort in ["number", "updated"] {
            for (actor, filter) in [(&office, unit_id), (&who, None), (&who, unit_id)] {
                for (session_id, state, _) in filters {
                    let q = ItemQuery {
                        unit_id: filter,
                        session_id,
                        state: state.map(Into::into),
                        sort: Some(sort.into()),
                        per_page: Some(200),
                        ..Default::default()
                    };
                    let keyed = t.app.list_items(actor, q.clone()).await.unwrap();
                    let reference = t
                        .app
                        .list_items(
                            actor,
                            ItemQuery {
                                ids: Some(all.clone()),
                                ..q
                            },
                        )
                        .await
                        .unwrap();
                    let what = format!("on {day}: {staff} {unit_id:?} as {:?}, filter {filter:?}, {sort}, {session_id:?} {state:?}", actor.role);
                    assert_eq!(keyed.total, reference.total, "{what}");
                    let order = |p: &banli_app::view::ItemPage| {
                        p.items.iter().map(|i| i.id).collect::<Vec<_>>()
                    };
                    assert_eq!(order(&keyed), order(&reference), "{what}");
                }
            }
        }
    }
    let due =
        "COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by, '')";
    for unit in std::iter::once(None).chain(units.into_iter().map(Some)) {
        for state in [None, Some("accepted"), Some("assigned")] {
            for due_before in [None, Some("2023-05-01")] {
                let page = t
                    .app
                    .list_assignments(
                        &office,
                        AssignmentQuery {
                            unit_id: unit,
                            state: state.map(Into::into),
                            due_before: due_before.map(|d| d.parse().unwrap()),
                            page: Some(1),
                            per_page: Some(200),
                        },
                    )
                    .await
                    .unwrap();
                let mut sql = format!("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = {}", t.app.org_id);
                if let Some(u) = unit {
                    sql += &format!(" AND (a.unit_id = {u} OR a.id IN (SELECT assignment_id FROM delegations WHERE unit_id = {u}))");
                }
                if let Some(s) = state {
                    sql += &format!(" AND a.state = '{s}'");
                }
                if let Some(d) = due_before {
                    sql += &format!(" AND {due} <> '' AND {due} <= '{d}'");
                }
                sql += &format!(" ORDER BY {due}, a.id");
                let reference = ids(banli_store::sqlx::query_as(&sql)
                    .fetch_all(pool)
                    .await
                    .unwrap());
                let what = format!("on {day}: unit {unit:?}, {state:?}, due before {due_before:?}");
                assert_eq!(page.total, reference.len() as i64, "{what}");
                assert_eq!(
                    page.items.iter().map(|a| a.id).collect::<Vec<_>>(),
                    reference,
                    "{what}"
                );
            }
        }
    }
}

/// A small deterministic generator, so a failing story can be replayed from its seed.
struct Dice(u64);
impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

on_both!(fast_statistics_equal_the_reference_over_random_stories);
async fn fast_statistics_equal_the_reference_over_random_stories(t: &TestApp) {
    let w = world(t).await;
    t.user("sub_signer", "unit_signer", Some(w.sub)).await;
    let units = [
        (w.lead, "lead_staff", "lead_signer"),
        (w.co, "co_staff", "co_signer"),
        (w.other, "other_staff", "other_signer"),
        (w.sub, "sub_staff", "sub_signer"),
    ];
    let cats = ["经济建设", "社会建设", "文化建设"];
    let days = [
        "2023-02-01",
        "2023-02-20",
        "2023-03-10",
        "2023-04-15",
        "2023-05-20",
        "2023-06-25",
        "2023-08-01",
        "2023-10-01",
    ];
    let seed = std::env::var("BANLI_STATS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026_u64);
    let mut dice = Dice(seed);
    t.set_today(days[0]);
    let mut items = Vec::new();
    for k in 0..14 {
        let id = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": format!("关于随机场景第{k}件的提案"), "body": "建议加快推进相关工作。", "origin": "individual", "category": cats[dice.roll(cats.len())]})).await.id();
        t.post("p1", &format!("/api/v1/items/{id}/submit"), json!({}))
            .await
            .ok();
        items.push(id);
    }
    // (assignment, unit index, co unit) of every assignment made.
    let mut assignments: Vec<(i64, usize, bool)> = Vec::new();
    for (step, day) in days.iter().enumerate().skip(1) {
        t.set_today(day);
        for _ in 0..30 {
            let item = items[dice.roll(items.len())];
            let co: Vec<(i64, usize, bool)> = assignments.iter().copied().filter(|a| a.2).collect();
            let answering: Vec<(i64, usize, bool)> =
                assignments.iter().copied().filter(|a| !a.2).collect();
            match [0, 1, 1, 2, 2, 2, 3, 9, 9, 4, 4, 4, 6, 7, 8][dice.roll(15)] {
                0 => {
                    t.post("office", &format!("/api/v1/items/{item}/file"), json!({}))
                        .await;
                }
                1 => {
                    let (lead, co) = (dice.roll(units.len()), dice.roll(units.len()));
                    let body = if dice.roll(3) == 0 && lead != co {
                        json!({"separate": [units[lead].0, units[co].0]})
                    } else if lead != co {
                        json!({"lead": units[lead].0, "co": [units[co].0]})
                    } else {
                        json!({"lead": units[lead].0})
                    };
                    let r = t
                        .post("office", &format!("/api/v1/items/{item}/assign"), body)
                        .await;
                    if r.status.is_success() {
                        for a in r.body["assignments"].as_array().unwrap() {
                            let u = units.iter().position(|u| a["unit_id"] == u.0).unwrap();
                            assignments.push((a["id"].as_i64().unwrap(), u, a["role"] == "co"));
                        }
                    }
                }
                _ if assignments.is_empty() => {}
                2 => {
                    let (a, u, _) = assignments[dice.roll(assignments.len())];
                    t.post(
                        units[u].1,
                        &format!("/api/v1/assignments/{a}/accept"),
                        json!({}),
                    )
                    .await;
                }
                3 => {
                    let (a, u, _) = assignments[dice.roll(assignments.len())];
                    let method = ["face_to_face", "phone", "visit", "forum"][dice.roll(4)];
                    t.post(
                        units[u].1,
                        &format!("/api/v1/assignments/{a}/consultations"),
                        json!({"method": method, "date": day, "summary": "沟通"}),
                    )
                    .await;
                }
                9 if !co.is_empty() => {
                    let (a, u, _) = co[dice.roll(co.len())];
                    t.post(
                        units[u].1,
                        &format!("/api/v1/assignments/{a}/co-opinion"),
                        json!({"body": "同意", "contact_name": "乙", "contact_phone": "2"}),
                    )
                    .await;
                    t.post(
                        units[u].2,
                        &format!("/api/v1/assignments/{a}/co-opinion/approve"),
                        json!({}),
                    )
                    .await;
                }
                4 if !answering.is_empty() => {
                    let (a, u, _) = answering[dice.roll(answering.len())];
                    let grade = ["A", "B", "C"][dice.roll(3)];
                    let due = (dice.roll(2) == 0).then_some(days[(step + 1).min(days.len() - 1)]);
                    // Refused where the step is not open (a co unit, an unaccepted assignment).
                    let mut body = json!({"body": "答复正文", "grade": grade, "disclosure": "public", "contact_name": "甲", "contact_phone": "1"});
                    if let Some(d) = due {
                        body["commitments"] = json!([{"text": "承诺事项", "due_on": d}]);
                    }
                    t.post(units[u].1, &format!("/api/v1/assignments/{a}/reply"), body)
                        .await;
                    t.post(
                        units[u].2,
                        &format!("/api/v1/assignments/{a}/reply/approve"),
                        json!({}),
                    )
                    .await;
                }
                6 if !answering.is_empty() => {
                    let (a, _, _) = answering[dice.roll(answering.len())];
                    let r = ["satisfied", "basically_satisfied", "unsatisfied"];
                    t.post(
                        "p1",
                        &format!("/api/v1/assignments/{a}/evaluation"),
                        json!({"handling": r[dice.roll(3)], "result": r[dice.roll(3)]}),
                    )
                    .await;
                }
                7 => {
                    let detail = t.get("office", &format!("/api/v1/items/{item}")).await;
                    let c = detail.body["commitments"]
                        .as_array()
                        .and_then(|c| c.first().cloned());
                    if let Some(id) = c.and_then(|c| c["id"].as_i64()) {
                        for staff in ["lead_staff", "co_staff", "other_staff", "sub_staff"] {
                            t.post(
                                staff,
                                &format!("/api/v1/commitments/{id}/progress"),
                                json!({"note": "已完成", "status": "done"}),
                            )
                            .await;
                        }
                    }
                }
                8 => {
                    t.post(
                        "office",
                        &format!("/api/v1/items/{item}/reject"),
                        json!({"reason": "不符合立案条件", "disposition": "letter"}),
                    )
                    .await;
                }
                _ => {}
            }
        }
        agree(t, w.session, &[day, days[days.len() - 1]]).await;
        lists_agree(t, w.session, day).await;
    }
    let office = t.app.actor_by_name("office").await.unwrap();
    let q = banli_app::stats::StatsQuery {
        session_id: w.session,
        from: None,
        to: None,
    };
    let s = t.app.stats(&office, q).await.unwrap();
    assert!(
        s.overall.filed >= 2 && s.overall.replied > 0 && !s.per_unit.is_empty(),
        "the story reaches filed and replied items (seed {seed:#x}): {:?}",
        s.overall
    );
}
