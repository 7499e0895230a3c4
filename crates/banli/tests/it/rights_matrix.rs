//! The permission decision, cell by cell (issue #9): every principal × every action × every
//! stage of an item's life. In each cell the staff page offers the action's form exactly
//! when the API accepts a valid request for it, and the API answers 2xx or a refusal
//! (401/403/404/409) — never a validation error for a valid request, never a 5xx.
//!
//! The page is read on a probe item at the stage; a refused request leaves the probe as it
//! was, and an accepted one is sent to a fresh item brought to the same stage.

use crate::harness::*;
use crate::lifecycle::on_both;
use crate::staff_web::Web;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

const TODAY: &str = "2023-02-01";

/// Principals: anonymous; the first proposer, a co-signer and a stranger; the office and the
/// admin; the lead unit's staff and signer; the co unit's staff and signer (湘潭市政府);
/// another unit's staff; a sub-unit of the co unit that part of the work is delegated to.
const PRINCIPALS: &[&str] = &[
    "none",
    "p1",
    "p2",
    "p3",
    "office",
    "admin",
    "lead_staff",
    "lead_signer",
    "other_staff",
    "other_signer",
    "co_staff",
    "sub_staff",
];

#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub(crate) enum Stage {
    Draft,
    Submitted,
    Returned,
    Filed,
    Assigned,
    Working,
    CoOpinionSent,
    Replied,
    Closed,
}

const STAGES: &[Stage] = &[
    Stage::Draft,
    Stage::Submitted,
    Stage::Returned,
    Stage::Filed,
    Stage::Assigned,
    Stage::Working,
    Stage::CoOpinionSent,
    Stage::Replied,
    Stage::Closed,
];

/// The ids of one item brought to a stage.
#[derive(Default, Clone)]
pub(crate) struct Ids {
    pub item: i64,
    lead: i64,
    co: i64,
    pub reply: i64,
    co_opinion: i64,
    commitment: i64,
}

async fn ok(t: &TestApp, who: &str, path: &str, body: Value) -> Value {
    let r = t.post(who, path, body).await;
    assert!(
        r.status.is_success(),
        "{who} {path}: {} {}",
        r.status,
        r.body
    );
    r.body.clone()
}

/// A fresh joint item by p1 (p2 invited), brought to `stage` through the API.
pub(crate) async fn reach(t: &TestApp, w: &World, stage: Stage) -> Ids {
    let mut ids = Ids {
        item: ok(t, "p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于推进湘江科学城建设的提案", "body": "建议加快湘江科学城建设。", "origin": "joint", "cosigners": ["p2"]}))
            .await["id"]
            .as_i64()
            .unwrap(),
        ..Default::default()
    };
    let item = ids.item;
    if stage == Stage::Draft {
        return ids;
    }
    ok(t, "p1", &format!("/api/v1/items/{item}/submit"), json!({})).await;
    if stage == Stage::Returned {
        ok(
            t,
            "office",
            &format!("/api/v1/items/{item}/return"),
            json!({"reason": "请补充调研数据"}),
        )
        .await;
        return ids;
    }
    if stage == Stage::Submitted {
        return ids;
    }
    ok(
        t,
        "office",
        &format!("/api/v1/items/{item}/file"),
        json!({}),
    )
    .await;
    if stage == Stage::Filed {
        return ids;
    }
    let asg = ok(
        t,
        "office",
        &format!("/api/v1/items/{item}/assign"),
        json!({"lead": w.lead, "co": [w.other]}),
    )
    .await;
    for a in asg["assignments"].as_array().unwrap() {
        let id = a["id"].as_i64().unwrap();
        if a["role"] == "lead" {
            ids.lead = id;
        } else {
            ids.co = id;
        }
    }
    if stage == Stage::Assigned {
        return ids;
    }
    let (lead, co) = (ids.lead, ids.co);
    ok(
        t,
        "lead_staff",
        &format!("/api/v1/assignments/{lead}/accept"),
        json!({}),
    )
    .await;
    ok(
        t,
        "other_staff",
        &format!("/api/v1/assignments/{co}/accept"),
        json!({}),
    )
    .await;
    ok(
        t,
        "other_staff",
        &format!("/api/v1/assignments/{co}/delegate"),
        json!({"unit_id": w.sub, "note": "请市发展改革委提供材料"}),
    )
    .await;
    ok(
        t,
        "lead_staff",
        &format!("/api/v1/assignments/{lead}/reply"),
        reply_body(),
    )
    .await;
    ok(
        t,
        "other_staff",
        &format!("/api/v1/assignments/{co}/co-opinion"),
        co_opinion_body(),
    )
    .await;
    if stage >= Stage::CoOpinionSent {
        ok(
            t,
            "other_signer",
            &format!("/api/v1/assignments/{co}/co-opinion/approve"),
            json!({}),
        )
        .await;
    }
    if stage >= Stage::Replied {
        ok(
            t,
            "lead_signer",
            &format!("/api/v1/assignments/{lead}/reply/approve"),
            json!({}),
        )
        .await;
    }
    if stage >= Stage::Closed {
        ok(
            t,
            "p1",
            &format!("/api/v1/assignments/{lead}/evaluation"),
            json!({"handling": "satisfied", "result": "satisfied"}),
        )
        .await;
        ok(
            t,
            "office",
            &format!("/api/v1/items/{item}/close"),
            json!({}),
        )
        .await;
    }
    let d = t.get("office", &format!("/api/v1/items/{item}")).await;
    let d = d.ok();
    let all = |k: &str| d[k].as_array().cloned().unwrap_or_default();
    ids.reply = all("replies")
        .first()
        .map_or(0, |x| x["id"].as_i64().unwrap());
    ids.co_opinion = all("co_opinions")
        .first()
        .map_or(0, |x| x["id"].as_i64().unwrap());
    ids.commitment = all("commitments")
        .first()
        .map_or(0, |x| x["id"].as_i64().unwrap());
    // Drafts are not on the office's page: read them as their units see them.
    if ids.reply == 0 {
        let d = t.get("lead_staff", &format!("/api/v1/items/{item}")).await;
        ids.reply = d.ok()["replies"]
            .as_array()
            .and_then(|r| r.first())
            .map_or(0, |x| x["id"].as_i64().unwrap());
    }
    if ids.co_opinion == 0 {
        let d = t.get("other_staff", &format!("/api/v1/items/{item}")).await;
        ids.co_opinion = d.ok()["co_opinions"]
            .as_array()
            .and_then(|r| r.first())
            .map_or(0, |x| x["id"].as_i64().unwrap());
    }
    ids
}

fn reply_body() -> Value {
    json!({"body": "感谢您的提案。我委将加快推进湘江科学城建设。", "grade": "B", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": [{"text": "年底前完成规划编制", "due_on": "2023-12-31"}]})
}

fn co_opinion_body() -> Value {
    json!({"body": "同意主办单位意见，我市将配合推进。", "contact_name": "李四", "contact_phone": "0731-58888888", "disclosure": "public"})
}

/// One action: its name, the form's address on the staff page, the API request with a valid
/// body for whoever sends it. `None` when the stage has no such target (no reply yet …).
struct Cell {
    action: &'static str,
    form: String,
    method: Method,
    api: String,
    body: Value,
}

fn cells(ids: &Ids, w: &World, who: &str, stage: Stage) -> Vec<Cell> {
    let (i, l, c) = (ids.item, ids.lead, ids.co);
    let mut v = Vec::new();
    let mut add = |action: &'static str, form: String, method: Method, api: String, body: Value| {
        v.push(Cell {
            action,
            form,
            method,
            api: format!("/api/v1{api}"),
            body,
        })
    };
    let reason = || json!({"reason": "理由"});
    let post = Method::POST;
    add(
        "edit",
        format!("/app/items/{i}/edit"),
        Method::PUT,
        format!("/items/{i}"),
        json!({"session_id": w.session, "title": "关于推进湘江科学城建设的提案（修改）", "body": "建议加快湘江科学城建设。", "origin": "joint", "cosigners": ["p2"]}),
    );
    add(
        "submit",
        format!("/app/items/{i}/submit"),
        post.clone(),
        format!("/items/{i}/submit"),
        json!({}),
    );
    add(
        "withdraw",
        format!("/app/items/{i}/withdraw"),
        post.clone(),
        format!("/items/{i}/withdraw"),
        reason(),
    );
    add(
        "cosign",
        format!("/app/items/{i}/cosign"),
        post.clone(),
        format!("/items/{i}/cosign"),
        json!({"accept": true}),
    );
    add(
        "file",
        format!("/app/items/{i}/file"),
        post.clone(),
        format!("/items/{i}/file"),
        json!({}),
    );
    add(
        "return",
        format!("/app/items/{i}/return"),
        post.clone(),
        format!("/items/{i}/return"),
        reason(),
    );
    add(
        "reject",
        format!("/app/items/{i}/reject"),
        post.clone(),
        format!("/items/{i}/reject"),
        json!({"disposition": "opinion", "reason": "理由"}),
    );
    let assign = if stage >= Stage::Assigned {
        json!({"co": [w.co]})
    } else {
        json!({"lead": w.lead})
    };
    add(
        "assign",
        format!("/app/items/{i}/assign"),
        post.clone(),
        format!("/items/{i}/assign"),
        assign,
    );
    add(
        "key",
        format!("/app/items/{i}/key"),
        post.clone(),
        format!("/items/{i}/key"),
        json!({"key": true, "leader": "王副主席"}),
    );
    add(
        "supervise",
        format!("/app/items/{i}/supervision"),
        post.clone(),
        format!("/items/{i}/supervision"),
        json!({"note": "请加快办理"}),
    );
    add(
        "close",
        format!("/app/items/{i}/close"),
        post.clone(),
        format!("/items/{i}/close"),
        json!({}),
    );
    if stage < Stage::Assigned {
        return v;
    }
    let consult = json!({"method": "phone", "date": TODAY, "summary": "电话沟通了办理思路"});
    add(
        "accept lead",
        format!("/app/assignments/{l}/accept"),
        post.clone(),
        format!("/assignments/{l}/accept"),
        json!({}),
    );
    add(
        "accept co",
        format!("/app/assignments/{c}/accept"),
        post.clone(),
        format!("/assignments/{c}/accept"),
        json!({}),
    );
    add(
        "ask adjustment",
        format!("/app/assignments/{l}/return"),
        post.clone(),
        format!("/assignments/{l}/return"),
        reason(),
    );
    add(
        "delegate",
        format!("/app/assignments/{c}/delegate"),
        post.clone(),
        format!("/assignments/{c}/delegate"),
        json!({"unit_id": w.sub}),
    );
    add(
        "consult lead",
        format!("/app/assignments/{l}/consultations"),
        post.clone(),
        format!("/assignments/{l}/consultations"),
        consult.clone(),
    );
    add(
        "consult co",
        format!("/app/assignments/{c}/consultations"),
        post.clone(),
        format!("/assignments/{c}/consultations"),
        consult,
    );
    add(
        "draft co-opinion",
        format!("/app/assignments/{c}/co-opinion"),
        post.clone(),
        format!("/assignments/{c}/co-opinion"),
        co_opinion_body(),
    );
    add(
        "approve co-opinion",
        format!("/app/assignments/{c}/co-opinion/approve"),
        post.clone(),
        format!("/assignments/{c}/co-opinion/approve"),
        json!({}),
    );
    add(
        "send back co-opinion",
        format!("/app/assignments/{c}/co-opinion/reject"),
        post.clone(),
        format!("/assignments/{c}/co-opinion/reject"),
        reason(),
    );
    add(
        "waive",
        format!("/app/assignments/{c}/co-opinion/waive"),
        post.clone(),
        format!("/assignments/{c}/co-opinion/waive"),
        reason(),
    );
    add(
        "draft reply",
        format!("/app/assignments/{l}/reply"),
        post.clone(),
        format!("/assignments/{l}/reply"),
        reply_body(),
    );
    add(
        "approve reply",
        format!("/app/assignments/{l}/reply/approve"),
        post.clone(),
        format!("/assignments/{l}/reply/approve"),
        json!({}),
    );
    add(
        "send back reply",
        format!("/app/assignments/{l}/reply/reject"),
        post.clone(),
        format!("/assignments/{l}/reply/reject"),
        reason(),
    );
    add(
        "check reply",
        format!("/app/assignments/{l}/reply/check"),
        post.clone(),
        format!("/assignments/{l}/reply/check"),
        json!({"approve": true}),
    );
    let rating = if who == "office" {
        json!({"handling": "satisfied", "result": "satisfied", "source": "paper"})
    } else {
        json!({"handling": "satisfied", "result": "satisfied"})
    };
    add(
        "evaluate",
        format!("/app/assignments/{l}/evaluation"),
        post.clone(),
        format!("/assignments/{l}/evaluation"),
        rating,
    );
    add(
        "reopen lead",
        format!("/app/assignments/{l}/reopen"),
        post.clone(),
        format!("/assignments/{l}/reopen"),
        reason(),
    );
    add(
        "reopen co",
        format!("/app/assignments/{c}/reopen"),
        post.clone(),
        format!("/assignments/{c}/reopen"),
        reason(),
    );
    if ids.reply != 0 {
        let r = ids.reply;
        add(
            "publish reply",
            format!("/app/documents/reply/{r}/publish"),
            post.clone(),
            format!("/replies/{r}/publish"),
            json!({}),
        );
        add(
            "withdraw reply",
            format!("/app/documents/reply/{r}/withdraw"),
            post.clone(),
            format!("/replies/{r}/withdraw"),
            reason(),
        );
    }
    if ids.co_opinion != 0 {
        let o = ids.co_opinion;
        add(
            "publish co-opinion",
            format!("/app/documents/co_opinion/{o}/publish"),
            post.clone(),
            format!("/co-opinions/{o}/publish"),
            json!({}),
        );
    }
    if ids.commitment != 0 {
        let m = ids.commitment;
        add(
            "progress",
            format!("/app/commitments/{m}/progress"),
            post,
            format!("/commitments/{m}/progress"),
            json!({"note": "已启动规划编制", "percent": 20}),
        );
    }
    v
}

on_both!(page_forms_match_what_the_api_accepts);
async fn page_forms_match_what_the_api_accepts(t: &TestApp) {
    let w = world(t).await;
    t.set_today(TODAY);
    let mut webs: HashMap<&str, Web> = HashMap::new();
    for who in PRINCIPALS.iter().filter(|p| **p != "none") {
        let password = if *who == "admin" {
            "admin-pass-1"
        } else {
            "password-123"
        };
        webs.insert(who, Web::sign_in(t, who, password).await);
    }
    let (mut count, mut accepted) = (0, 0);
    let mut failures = Vec::new();
    for stage in STAGES {
        let mut probe = reach(t, &w, *stage).await;
        for who in PRINCIPALS {
            let page = match webs.get(who) {
                Some(web) => web.get(&format!("/app/items/{}", probe.item)).await,
                None => Web::new(t).get(&format!("/app/items/{}", probe.item)).await,
            };
            // Viewing is a cell too: the page opens exactly when the API shows the item.
            let api_view = if *who == "none" {
                t.raw(
                    Method::GET,
                    &format!("/api/v1/items/{}", probe.item),
                    None,
                    None,
                )
                .await
                .status
            } else {
                t.get(who, &format!("/api/v1/items/{}", probe.item))
                    .await
                    .status
            };
            count += 1;
            if api_view.is_success() != (page.status == 200) {
                failures.push(format!(
                    "{stage:?} {who} view: page {} api {api_view}",
                    page.status
                ));
            }
            // Listing is a cell too: the item is in the viewer's list (the SQL form of the
            // same decision, which search and similar items filter through) exactly when
            // its page opens.
            if *who != "none" {
                count += 1;
                // The first proposer sees their item at every stage.
                let mine = t.get("p1", &format!("/api/v1/items/{}", probe.item)).await;
                let state = mine.ok()["state"].as_str().unwrap().to_string();
                let list = t
                    .get(
                        who,
                        &format!(
                            "/api/v1/items?session_id={}&state={state}&sort=updated&per_page=200",
                            w.session
                        ),
                    )
                    .await;
                let list = list.ok();
                let listed = list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["id"].as_i64() == Some(probe.item));
                assert!(
                    list["total"].as_i64().unwrap() < 200,
                    "the page holds them all"
                );
                if listed != api_view.is_success() {
                    failures.push(format!(
                        "{stage:?} {who} list: listed {listed} but api view {api_view}"
                    ));
                }
            }
            let shown: Vec<String> = cells(&probe, &w, who, *stage)
                .into_iter()
                .filter(|c| page.body.contains(&format!("action=\"{}\"", c.form)))
                .map(|c| c.action.to_string())
                .collect();
            for cell in cells(&probe, &w, who, *stage) {
                count += 1;
                let offered = shown.iter().any(|a| a == cell.action);
                // An offered action is tried on a fresh item at the same stage.
                let target = if offered {
                    reach(t, &w, *stage).await
                } else {
                    probe.clone()
                };
                let c = cells(&target, &w, who, *stage)
                    .into_iter()
                    .find(|c| c.action == cell.action)
                    .expect("same cells");
                let user = (*who != "none").then_some(*who);
                let r = t
                    .raw(c.method.clone(), &c.api, user, Some(c.body.to_string()))
                    .await;
                let status = r.status.as_u16();
                let refused = matches!(status, 401 | 403 | 404 | 409);
                if r.status.is_success() {
                    accepted += 1;
                    if !offered {
                        // The probe changed: bring a new one to the stage for the next cells.
                        probe = reach(t, &w, *stage).await;
                    }
                }
                let fine = if offered {
                    r.status.is_success()
                } else {
                    refused
                };
                if !fine {
                    failures.push(format!(
                        "{stage:?} {who} {}: form {} but API {status} {}",
                        cell.action,
                        if offered { "shown" } else { "hidden" },
                        r.body
                    ));
                }
            }
        }
    }
    println!(
        "permission matrix: {count} cells over {} principals and {} stages, {accepted} accepted",
        PRINCIPALS.len(),
        STAGES.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cells disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Sanity: the matrix exercised both sides.
    assert!(
        accepted > 40 && count > 2000,
        "{accepted} accepted of {count}"
    );
}
