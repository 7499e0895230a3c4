//! Whole lifecycles over HTTP, the same story on SQLite and PostgreSQL.

use crate::harness::*;
use serde_json::{json, Value};

macro_rules! on_both {
    ($story:ident) => {
        mod $story {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = on(Backend::Sqlite).await.unwrap();
                super::$story(&t).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(t) = on(Backend::Postgres).await {
                    super::$story(&t).await;
                    t.finish().await;
                }
            }
        }
    };
}
pub(crate) use on_both;

fn actions(detail: &Value) -> Vec<String> {
    detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

on_both!(full_lifecycle);
/// One item through every state: draft with a co-signer, return for revision, filing, a merged
/// duplicate, lead + co assignment, extension, consultation, the co-opinion gate, signer
/// rejections, the reply, an unsatisfied rating, re-handling, a second reply, closing,
/// commitments and publication.
async fn full_lifecycle(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-01-16");
    let item = t
        .post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于加快湘江科学城建设的提案", "body": "湘江科学城建设需要统筹推进。", "origin": "joint", "cosigners": ["p2"], "category": "经济建设"}))
        .await;
    assert_eq!(item.status(201)["state"], "draft");
    let id = item.id();
    let path = |s: &str| format!("/api/v1/items/{id}/{s}");
    // The co-signer confirms online; a stranger cannot.
    t.post("p3", &path("cosign"), json!({"accept": true}))
        .await
        .status(403);
    t.post("p2", &path("cosign"), json!({"accept": true}))
        .await
        .ok();
    // Only the first proposer submits.
    t.post("p2", &path("submit"), json!({})).await.status(403);
    assert_eq!(
        t.post("p1", &path("submit"), json!({})).await.ok()["state"],
        "submitted"
    );
    // The office returns it for revision; the proposer edits and submits again.
    assert_eq!(
        t.post(
            "office",
            &path("return"),
            json!({"reason": "请补充具体建议"})
        )
        .await
        .ok()["state"],
        "returned"
    );
    t.put("p1", &format!("/api/v1/items/{id}"), json!({"session_id": w.session, "title": "关于加快湘江科学城建设的提案", "body": "湘江科学城建设需要统筹推进。建议设立专项资金。", "origin": "joint", "cosigners": ["p2"], "category": "经济建设"}))
        .await
        .ok();
    t.post("p1", &path("submit"), json!({})).await.ok();
    // A duplicate by another member is merged into it.
    let dup = submitted_item(t, &w, "p3", "关于湘江科学城建设的建议").await;
    t.post(
        "office",
        &format!("/api/v1/items/{dup}/merge"),
        json!({"into": id}),
    )
    .await
    .ok();
    // Filing numbers the item.
    t.set_today("2023-02-01");
    let filed = t
        .post(
            "office",
            &path("file"),
            json!({"title": "关于加快推进湘江科学城建设的提案"}),
        )
        .await;
    assert_eq!(filed.ok()["number"], "0001");
    assert_eq!(filed.ok()["state"], "filed");
    // The merged item's proposer now sees the surviving item.
    t.get("p3", &format!("/api/v1/items/{id}")).await.ok();
    // Lead + co assignment with the clocks of DESIGN §4.
    t.set_today("2023-03-01");
    let assigned = t
        .post(
            "office",
            &path("assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let list = assigned.ok()["assignments"].as_array().unwrap().clone();
    let lead = list.iter().find(|a| a["role"] == "lead").unwrap();
    let co = list.iter().find(|a| a["role"] == "co").unwrap();
    assert_eq!(lead["due"]["reply_by"], "2023-06-01");
    assert_eq!(
        lead["due"]["return_by"], "2023-03-13",
        "10 calendar days, Saturday moves to Monday"
    );
    assert_eq!(co["due"]["co_opinion_by"], "2023-04-03");
    assert_eq!(lead["due"]["provisional"], false);
    let (la, ca) = (lead["id"].as_i64().unwrap(), co["id"].as_i64().unwrap());
    let ap = |a: i64, s: &str| format!("/api/v1/assignments/{a}/{s}");
    // Each unit accepts its own assignment only.
    t.post("co_staff", &ap(la, "accept"), json!({}))
        .await
        .status(403);
    t.post("lead_staff", &ap(la, "accept"), json!({}))
        .await
        .ok();
    t.post("co_staff", &ap(ca, "accept"), json!({})).await.ok();
    // One extension, approved by the office.
    t.set_today("2023-03-10");
    t.post(
        "lead_staff",
        &ap(la, "extension"),
        json!({"until": "2023-07-15", "reason": "需开展实地调研"}),
    )
    .await
    .status(201);
    t.post(
        "lead_staff",
        &ap(la, "extension"),
        json!({"until": "2023-07-20", "reason": "再次申请"}),
    )
    .await
    .status(409);
    t.post(
        "office",
        &ap(la, "extension/decide"),
        json!({"approve": true}),
    )
    .await
    .ok();
    // A consultation in person.
    t.post(
        "lead_staff",
        &ap(la, "consultations"),
        json!({"method": "face_to_face", "date": "2023-03-08", "summary": "与提案人面商"}),
    )
    .await
    .status(201);
    // The reply cannot be sent before the co-opinion (会签).
    t.set_today("2023-04-20");
    t.post("lead_staff", &ap(la, "reply"), json!({"body": "感谢您的提案。", "grade": "B", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": []})).await.status(422);
    t.post("lead_staff", &ap(la, "reply"), json!({"body": "感谢您的提案。我们正在推进。", "grade": "B", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888", "commitments": [{"text": "年底前出台支持政策", "due_on": "2023-12-31"}]}))
        .await
        .ok();
    t.post("lead_signer", &ap(la, "reply/approve"), json!({}))
        .await
        .status(409);
    // The co unit's signer rejects the first draft, approves the second.
    t.post(
        "co_staff",
        &ap(ca, "co-opinion"),
        json!({"body": "同意主办单位意见。", "contact_name": "李四", "contact_phone": "0731-1"}),
    )
    .await
    .ok();
    t.post(
        "co_signer",
        &ap(ca, "co-opinion/reject"),
        json!({"reason": "请写明资金安排"}),
    )
    .await
    .ok();
    t.post("co_signer", &ap(ca, "co-opinion/approve"), json!({}))
        .await
        .status(409);
    t.post("co_staff", &ap(ca, "co-opinion"), json!({"body": "同意主办单位意见，资金由省财政统筹。", "contact_name": "李四", "contact_phone": "0731-1"})).await.ok();
    let co_sent = t
        .post("co_signer", &ap(ca, "co-opinion/approve"), json!({}))
        .await;
    assert_eq!(co_sent.ok()["doc_number"], "湘财提函〔2023〕1号");
    // A lead signer cannot approve for another unit; the lead's own signer sends.
    t.post("co_signer", &ap(la, "reply/approve"), json!({}))
        .await
        .status(403);
    let sent = t
        .post("lead_signer", &ap(la, "reply/approve"), json!({}))
        .await;
    assert_eq!(sent.ok()["state"], "sent");
    assert_eq!(sent.ok()["doc_number"], "湘发改提〔2023〕1号");
    let first_reply = sent.id();
    let d = t.get("office", &format!("/api/v1/items/{id}")).await;
    assert_eq!(d.ok()["state"], "replied");
    // The proposer never sees the co-opinion; the lead unit does.
    assert_eq!(
        t.get("p1", &format!("/api/v1/items/{id}")).await.ok()["co_opinions"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        t.get("lead_staff", &format!("/api/v1/items/{id}"))
            .await
            .ok()["co_opinions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Only the first proposer rates; never a unit or a co-signer.
    t.set_today("2023-04-25");
    let rating =
        json!({"handling": "satisfied", "result": "unsatisfied", "comment": "措施不够具体"});
    t.post("lead_staff", &ap(la, "evaluation"), rating.clone())
        .await
        .status(403);
    t.post("p2", &ap(la, "evaluation"), rating.clone())
        .await
        .status(403);
    t.post("office", &ap(la, "evaluation"), rating.clone())
        .await
        .status(422);
    let ev = t.post("p1", &ap(la, "evaluation"), rating.clone()).await;
    assert_eq!(ev.status(201)["rehandling"], true);
    assert_eq!(ev.ok()["reply_id"], first_reply);
    t.post("p1", &ap(la, "evaluation"), rating)
        .await
        .status(409);
    let d = t.get("office", &format!("/api/v1/items/{id}")).await;
    assert_eq!(d.ok()["state"], "handling");
    let lead_now = d.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == la)
        .unwrap()
        .clone();
    assert_eq!(lead_now["state"], "rehandling");
    assert_eq!(lead_now["due"]["rehandling_reply_by"], "2023-05-25");
    // Re-handling: a new reply supersedes the old without erasing it; the signer rejects once.
    t.post("lead_staff", &ap(la, "reply"), json!({"body": "经重新研究，已出台支持政策。", "grade": "A", "disclosure": "summary", "summary": "已出台支持政策", "contact_name": "张三", "contact_phone": "0731-88888888"}))
        .await
        .ok();
    t.post(
        "lead_signer",
        &ap(la, "reply/reject"),
        json!({"reason": "请补充政策文号"}),
    )
    .await
    .ok();
    t.post("lead_staff", &ap(la, "reply"), json!({"body": "经重新研究，已出台支持政策（湘政发〔2023〕5号）。", "grade": "A", "disclosure": "summary", "summary": "已出台支持政策", "contact_name": "张三", "contact_phone": "0731-88888888"}))
        .await
        .ok();
    let second = t
        .post("lead_signer", &ap(la, "reply/approve"), json!({}))
        .await;
    assert_eq!(second.ok()["doc_number"], "湘发改提〔2023〕2号");
    t.post(
        "p1",
        &ap(la, "evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await
    .status(201);
    // Commitments outlive closing.
    let d = t.get("p1", &format!("/api/v1/items/{id}")).await;
    let replies = d.ok()["replies"].as_array().unwrap().clone();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0]["state"], "superseded");
    assert_eq!(replies[1]["state"], "sent");
    assert_eq!(
        replies[0]["title"],
        "关于湖南省政协十三届一次会议第0001号提案的答复"
    );
    let commitment = d.ok()["commitments"][0]["id"].as_i64().unwrap();
    assert_eq!(
        t.post("office", &path("close"), json!({})).await.ok()["state"],
        "closed"
    );
    t.post(
        "co_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "x"}),
    )
    .await
    .status(403);
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "政策已印发", "status": "done"}),
    )
    .await
    .ok();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "再次更新"}),
    )
    .await
    .status(409);
    // Publication: the lead reply in summary mode; the co-opinion was proposed not public.
    let publish = t
        .post(
            "office",
            &format!("/api/v1/replies/{}/publish", second.id()),
            json!({"editor": "王编辑"}),
        )
        .await;
    assert_eq!(publish.ok()["version"], 1);
    assert_eq!(publish.ok()["sha256"].as_str().unwrap().len(), 64);
    assert!(publish.ok()["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/replies/{}", second.id())));
    t.post(
        "co_signer",
        &format!("/api/v1/co-opinions/{}/publish", co_sent.id()),
        json!({}),
    )
    .await
    .status(422);
    t.post(
        "lead_staff",
        &format!("/api/v1/replies/{}/publish", second.id()),
        json!({}),
    )
    .await
    .status(403);
    // A correction needs a note; withdrawal takes the page down.
    t.post(
        "lead_signer",
        &format!("/api/v1/replies/{}/publish", second.id()),
        json!({}),
    )
    .await
    .status(422);
    assert_eq!(
        t.post(
            "lead_signer",
            &format!("/api/v1/replies/{}/publish", second.id()),
            json!({"note": "更正错别字"})
        )
        .await
        .ok()["version"],
        2
    );
    t.post(
        "office",
        &format!("/api/v1/replies/{}/withdraw", second.id()),
        json!({"reason": "内容需复核"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{}/withdraw", second.id()),
        json!({"reason": "again"}),
    )
    .await
    .status(409);
    // The event log holds every step, in order.
    let d = t.get("office", &format!("/api/v1/items/{id}")).await;
    let acts = actions(d.ok());
    for a in [
        "drafted",
        "cosign_confirmed",
        "submitted",
        "returned",
        "edited",
        "merged_in",
        "filed",
        "assigned",
        "accepted",
        "extension_requested",
        "extension_approved",
        "consultation",
        "co_opinion_rejected",
        "co_opinion_sent",
        "reply_sent",
        "evaluated",
        "rehandling",
        "reply_rejected",
        "closed",
        "commitment_progress",
        "published",
        "publication_withdrawn",
    ] {
        assert!(acts.iter().any(|x| x == a), "missing event {a} in {acts:?}");
    }
    // The proposer's timeline leaves out the units' internal drafting.
    let p_acts = actions(t.get("p1", &format!("/api/v1/items/{id}")).await.ok());
    assert!(!p_acts
        .iter()
        .any(|a| a == "co_opinion_rejected" || a == "reply_drafted"));
}

on_both!(adjustment_rejection_and_lapsed_rating);
/// The side exits: not filed with a disposition, withdrawal, an adjustment approved and the
/// item reassigned, separate assignments, delegation to a sub-unit, and a rating window that
/// lapses into 未反馈 before closing.
async fn adjustment_rejection_and_lapsed_rating(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let a = submitted_item(t, &w, "p1", "关于规范广场舞噪音的提案").await;
    t.post(
        "office",
        &format!("/api/v1/items/{a}/reject"),
        json!({"reason": "属于具体问题", "disposition": "reference"}),
    )
    .await
    .status(422);
    let r = t.post("office", &format!("/api/v1/items/{a}/reject"), json!({"reason": "属于具体问题，转有关单位参考", "disposition": "reference", "unit_id": w.other})).await;
    assert_eq!(r.ok()["state"], "not_filed");
    // The reference unit can read it; no clock runs for it.
    t.get("other_staff", &format!("/api/v1/items/{a}"))
        .await
        .ok();
    let b = submitted_item(t, &w, "p1", "关于撤回的提案").await;
    t.post(
        "p1",
        &format!("/api/v1/items/{b}/withdraw"),
        json!({"reason": "已在其他渠道解决"}),
    )
    .await
    .ok();
    t.post("office", &format!("/api/v1/items/{b}/file"), json!({}))
        .await
        .status(409);
    // Adjustment: the assigned unit asks to be replaced within the return window.
    let c = submitted_item(t, &w, "p1", "关于湘潭竹埠港片区治理的提案").await;
    t.post("office", &format!("/api/v1/items/{c}/file"), json!({}))
        .await
        .ok();
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{c}/assign"),
            json!({"lead": w.lead}),
        )
        .await;
    let la = asg.ok()["assignments"][0]["id"].as_i64().unwrap();
    t.set_today("2023-02-05");
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/return"),
        json!({"reason": "属地事项", "proposal": "建议由湘潭市人民政府主办"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/assignments/{la}/return/decide"),
        json!({"approve": true, "note": "同意"}),
    )
    .await
    .ok();
    let re = t
        .post(
            "office",
            &format!("/api/v1/items/{c}/assign"),
            json!({"lead": w.other}),
        )
        .await;
    let oa = re.ok()["assignments"][0]["id"].as_i64().unwrap();
    assert_eq!(
        re.ok()["assignments"][0]["due"]["reply_by"],
        "2023-05-05",
        "the new unit's clock starts at its own assignment"
    );
    // The returned unit no longer acts; the new one delegates to its sub-unit.
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/accept"),
        json!({}),
    )
    .await
    .status(409);
    t.post(
        "other_staff",
        &format!("/api/v1/assignments/{oa}/accept"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "other_staff",
        &format!("/api/v1/assignments/{oa}/delegate"),
        json!({"unit_id": w.lead}),
    )
    .await
    .status(422);
    t.post(
        "other_staff",
        &format!("/api/v1/assignments/{oa}/delegate"),
        json!({"unit_id": w.sub, "note": "请市发改委提供材料"}),
    )
    .await
    .status(201);
    t.get("sub_staff", &format!("/api/v1/items/{c}")).await.ok();
    // The sub-unit has the work in its own queue, in the API's list and on its landing page
    // alike; a unit with no part in it has it in neither.
    for (who, has) in [("sub_staff", true), ("lead_staff", false)] {
        let list = t.get(who, "/api/v1/assignments?per_page=200").await;
        let listed = list.ok()["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"].as_i64() == Some(oa));
        assert_eq!(listed, has, "{who}: API work list");
        let web = crate::staff_web::Web::sign_in(t, who, "password-123").await;
        let page = web.get("/app").await;
        let section = page
            .body
            .split("id=\"q-delegated\"")
            .nth(1)
            .map(|s| s.split("</section>").next().unwrap_or("").to_string())
            .unwrap_or_default();
        assert_eq!(
            section.contains(&format!("/app/items/{c}\"")),
            has,
            "{who}: the landing page's delegated work"
        );
    }
    t.post(
        "sub_staff",
        &format!("/api/v1/assignments/{oa}/consultations"),
        json!({"method": "phone", "date": "2023-02-05", "summary": "电话沟通"}),
    )
    .await
    .status(201);
    t.post("other_staff", &format!("/api/v1/assignments/{oa}/reply"), json!({"body": "已完成治理。", "grade": "A", "disclosure": "not_public", "disclosure_reason": "涉及企业信息", "contact_name": "赵五", "contact_phone": "0731-2"})).await.ok();
    let sent = t
        .post(
            "other_signer",
            &format!("/api/v1/assignments/{oa}/reply/approve"),
            json!({}),
        )
        .await;
    assert_eq!(sent.ok()["state"], "sent");
    // Not public: never publishable.
    t.post(
        "office",
        &format!("/api/v1/replies/{}/publish", sent.id()),
        json!({}),
    )
    .await
    .status(422);
    // Closing waits while the rating window is open.
    t.post("office", &format!("/api/v1/items/{c}/close"), json!({}))
        .await
        .status(409);
    // 15 working days pass without a rating: 未反馈, never satisfied.
    t.set_today("2023-03-15");
    let d = t.get("office", &format!("/api/v1/items/{c}")).await;
    assert_eq!(d.ok()["replies"][0]["no_feedback"], true);
    assert_eq!(d.ok()["replies"][0]["evaluation_due"], "2023-02-24");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{oa}/evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await
    .status(409);
    t.post("office", &format!("/api/v1/items/{c}/close"), json!({}))
        .await
        .ok();
    // Swapping lead and co after an approved adjustment: the co unit becomes lead.
    let e = submitted_item(t, &w, "p2", "关于主协办互换的提案").await;
    t.post("office", &format!("/api/v1/items/{e}/file"), json!({}))
        .await
        .ok();
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{e}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let el = asg.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "lead")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{el}/return"),
        json!({"reason": "主要职能在财政厅", "proposal": "主协办互换"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/assignments/{el}/return/decide"),
        json!({"approve": true}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{e}/assign"),
        json!({"lead": w.co, "co": [w.co]}),
    )
    .await
    .status(422);
    let swapped = t
        .post(
            "office",
            &format!("/api/v1/items/{e}/assign"),
            json!({"lead": w.co, "co": [w.lead]}),
        )
        .await;
    swapped.ok();
    let d = t.get("office", &format!("/api/v1/items/{e}")).await;
    let live: Vec<(i64, String)> = d.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] != "returned")
        .map(|a| {
            (
                a["unit_id"].as_i64().unwrap(),
                a["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(live.len(), 2);
    assert!(
        live.contains(&(w.co, "lead".into())) && live.contains(&(w.lead, "co".into())),
        "{live:?}"
    );
    // Separate assignments: each unit answers on its own; the item is replied when all have.
    let d2 = submitted_item(t, &w, "p2", "关于完善城乡医保衔接的提案").await;
    t.post("office", &format!("/api/v1/items/{d2}/file"), json!({}))
        .await
        .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{d2}/assign"),
        json!({"separate": [w.lead], "lead": w.co}),
    )
    .await
    .status(422);
    let sep = t
        .post(
            "office",
            &format!("/api/v1/items/{d2}/assign"),
            json!({"separate": [w.lead, w.co]}),
        )
        .await;
    let ids: Vec<i64> = sep.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    for (k, (staff, signer)) in [("lead_staff", "lead_signer"), ("co_staff", "co_signer")]
        .into_iter()
        .enumerate()
    {
        t.post(
            staff,
            &format!("/api/v1/assignments/{}/accept", ids[k]),
            json!({}),
        )
        .await
        .ok();
        t.post(staff, &format!("/api/v1/assignments/{}/reply", ids[k]), json!({"body": "答复正文", "grade": "C", "disclosure": "public", "contact_name": "甲", "contact_phone": "1"})).await.ok();
        t.post(
            signer,
            &format!("/api/v1/assignments/{}/reply/approve", ids[k]),
            json!({}),
        )
        .await
        .ok();
        let state = t.get("office", &format!("/api/v1/items/{d2}")).await.ok()["state"].clone();
        assert_eq!(state, if k == 0 { "handling" } else { "replied" });
    }
    // Key item and supervision.
    t.post(
        "office",
        &format!("/api/v1/items/{d2}/key"),
        json!({"key": true, "leader": "副主席"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{d2}/supervision"),
        json!({"note": "请加快办理", "due_on": "2023-04-01"}),
    )
    .await
    .status(201);
    assert_eq!(
        t.get("office", &format!("/api/v1/items/{d2}")).await.ok()["is_key"],
        true
    );
    // Unit queues: a unit sees only its own; the office filters by unit.
    let q = t.get("lead_staff", "/api/v1/assignments").await;
    assert!(q.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["unit_id"] == w.lead));
    t.get(
        "lead_staff",
        &format!("/api/v1/assignments?unit_id={}", w.co),
    )
    .await
    .status(403);
    assert!(
        t.get("office", &format!("/api/v1/assignments?unit_id={}", w.co))
            .await
            .ok()["total"]
            .as_i64()
            .unwrap()
            >= 1
    );
}

on_both!(concurrent_filing_numbers_have_no_gaps);
/// Twenty items filed at once get 0001…0020: no gap, no duplicate.
async fn concurrent_filing_numbers_have_no_gaps(t: &TestApp) {
    let w = world(t).await;
    let mut ids = Vec::new();
    for k in 0..20 {
        ids.push(submitted_item(t, &w, "p1", &format!("关于第{k}件事的提案")).await);
    }
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/items/{id}/file"))
        .collect();
    let futures = paths.iter().map(|p| t.post("office", p, json!({})));
    let results = futures::future::join_all(futures).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| r.ok()["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("{n:04}")).collect();
    assert_eq!(numbers, expected);
}

on_both!(paper_collective_office_check_and_rehandling_limit);
/// The office's paths: an item received on paper and rated on paper, a collective item, the
/// co-sign cut-off, the office's check of replies when the policy asks for it, a waived
/// co-opinion, a commitment carried over, and the re-handling limit after which the office
/// decides (bringing a co unit back in).
async fn paper_collective_office_check_and_rehandling_limit(t: &TestApp) {
    let w = world(t).await;
    // The policy: the office checks replies before they are sent.
    let mut policy = t.get("admin", "/api/v1/policy").await.ok().clone();
    policy["office_checks_replies"] = json!(true);
    t.put("office", "/api/v1/policy", policy.clone())
        .await
        .status(403);
    t.put("admin", "/api/v1/policy", json!({"reply_months": 0}))
        .await
        .status(422);
    t.put("admin", "/api/v1/policy", policy.clone()).await.ok();
    // A PUT changes the fields it names and keeps the others; an empty body or an unknown
    // rule changes nothing.
    let changed = t
        .put("admin", "/api/v1/policy", json!({"return_window_days": 12}))
        .await
        .ok()
        .clone();
    assert_eq!(changed["return_window_days"], 12);
    assert_eq!(changed["office_checks_replies"], true);
    for body in [json!({}), json!({"no_such_rule": 1})] {
        t.put("admin", "/api/v1/policy", body).await.status(400);
    }
    let kept = t.get("admin", "/api/v1/policy").await.ok().clone();
    assert_eq!(kept, changed);
    t.put("admin", "/api/v1/policy", policy).await.ok();
    // Paper item: the office enters it with its proposers and the date it arrived.
    t.set_today("2023-01-20");
    let paper = t
        .post("office", "/api/v1/items", json!({"session_id": w.session, "title": "关于洞庭湖生态补偿的提案", "body": "纸质提案正文", "origin": "joint", "proposers": ["p1", "p2"], "submitted_on": "2023-01-15", "scan": "scans/paper-0001.pdf"}))
        .await;
    let pid = paper.id();
    t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "t", "body": "b", "origin": "individual", "proposers": ["p1"]})).await.status(422);
    t.post("office", &format!("/api/v1/items/{pid}/submit"), json!({}))
        .await
        .ok();
    let d = t.get("p2", &format!("/api/v1/items/{pid}")).await;
    assert_eq!(d.ok()["on_paper"], true);
    assert_eq!(d.ok()["scan"], "scans/paper-0001.pdf");
    assert_eq!(d.ok()["submitted_on"], "2023-01-15");
    assert_eq!(d.ok()["proposers"][1]["status"], "paper");
    // A collective item acts through its contact; a declined co-signer drops off.
    let coll = t.post("p3", "/api/v1/items", json!({"session_id": w.session, "title": "关于职业教育的集体提案", "body": "b", "origin": "collective"})).await;
    assert_eq!(coll.status(422)["error"]["field"], "collective_name");
    let cid = t.post("p3", "/api/v1/items", json!({"session_id": w.session, "title": "关于职业教育的集体提案", "body": "b", "origin": "collective", "collective_name": "民盟湖南省委会"})).await.id();
    assert_eq!(
        t.get("p3", &format!("/api/v1/items/{cid}")).await.ok()["first_proposer"],
        "民盟湖南省委会"
    );
    let joint = t.post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于联名的提案", "body": "b", "origin": "joint", "cosigners": ["p2", "p3"]})).await.id();
    t.post(
        "p3",
        &format!("/api/v1/items/{joint}/cosign"),
        json!({"accept": false}),
    )
    .await
    .ok();
    // After the cut-off nobody can co-sign any more.
    t.set_today("2023-03-01");
    t.post(
        "p2",
        &format!("/api/v1/items/{joint}/cosign"),
        json!({"accept": true}),
    )
    .await
    .status(409);
    // File and assign the paper item to lead + co.
    t.set_today("2023-03-01");
    t.post("office", &format!("/api/v1/items/{pid}/file"), json!({}))
        .await
        .ok();
    let asg = t
        .post(
            "office",
            &format!("/api/v1/items/{pid}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let find = |role: &str| {
        asg.ok()["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["role"] == role)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (la, ca) = (find("lead"), find("co"));
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/accept"),
        json!({}),
    )
    .await
    .ok();
    // The office waives the silent co unit, with a reason.
    t.post(
        "office",
        &format!("/api/v1/assignments/{ca}/co-opinion/waive"),
        json!({}),
    )
    .await
    .status(400);
    t.post(
        "office",
        &format!("/api/v1/assignments/{ca}/co-opinion/waive"),
        json!({"reason": "会办单位职能已调整"}),
    )
    .await
    .ok();
    let reply = json!({"body": "答复正文", "grade": "B", "disclosure": "public", "contact_name": "甲", "contact_phone": "1", "commitments": [{"text": "明年启动试点", "due_on": "2024-06-30"}]});
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/reply"),
        reply.clone(),
    )
    .await
    .ok();
    // Approved by the signer, the reply waits for the office's check.
    let r = t
        .post(
            "lead_signer",
            &format!("/api/v1/assignments/{la}/reply/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.ok()["state"], "checking");
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/reply"),
        reply.clone(),
    )
    .await
    .status(409);
    t.post(
        "office",
        &format!("/api/v1/assignments/{la}/reply/check"),
        json!({"approve": false}),
    )
    .await
    .status(422);
    t.post(
        "office",
        &format!("/api/v1/assignments/{la}/reply/check"),
        json!({"approve": false, "note": "承诺事项不具体"}),
    )
    .await
    .ok();
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/reply"),
        reply.clone(),
    )
    .await
    .ok();
    t.post(
        "lead_signer",
        &format!("/api/v1/assignments/{la}/reply/approve"),
        json!({}),
    )
    .await
    .ok();
    let sent = t
        .post(
            "office",
            &format!("/api/v1/assignments/{la}/reply/check"),
            json!({"approve": true}),
        )
        .await;
    assert_eq!(sent.ok()["state"], "sent");
    // A paper feedback form: only the office enters it, with source paper; unsatisfied → re-handling.
    t.set_today("2023-03-10");
    t.post(
        "p1",
        &format!("/api/v1/assignments/{la}/evaluation"),
        json!({"handling": "satisfied", "result": "satisfied", "source": "paper"}),
    )
    .await
    .status(422);
    let ev = t.post("office", &format!("/api/v1/assignments/{la}/evaluation"), json!({"handling": "basically_satisfied", "result": "unsatisfied", "source": "paper", "scan": "scans/0001.pdf"})).await;
    assert_eq!(ev.status(201)["rehandling"], true);
    // The office brings the co unit back for the re-handling.
    t.post(
        "office",
        &format!("/api/v1/assignments/{ca}/reopen"),
        json!({"reason": "请会办单位补充资金意见"}),
    )
    .await
    .ok();
    t.post(
        "co_staff",
        &format!("/api/v1/assignments/{ca}/co-opinion"),
        json!({"body": "补充意见", "contact_name": "乙", "contact_phone": "2"}),
    )
    .await
    .ok();
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{la}/reply"),
        reply.clone(),
    )
    .await
    .ok();
    t.post(
        "lead_signer",
        &format!("/api/v1/assignments/{la}/reply/approve"),
        json!({}),
    )
    .await
    .status(409);
    t.post(
        "co_signer",
        &format!("/api/v1/assignments/{ca}/co-opinion/approve"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "lead_signer",
        &format!("/api/v1/assignments/{la}/reply/approve"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/assignments/{la}/reply/check"),
        json!({"approve": true}),
    )
    .await
    .ok();
    // A second unsatisfied result: the automatic re-handling is used up; the office decides.
    let ev = t
        .post(
            "office",
            &format!("/api/v1/assignments/{la}/evaluation"),
            json!({"handling": "satisfied", "result": "unsatisfied", "source": "paper"}),
        )
        .await;
    assert_eq!(ev.status(201)["rehandling"], false);
    let d = t.get("office", &format!("/api/v1/items/{pid}")).await;
    assert_eq!(d.ok()["state"], "replied");
    assert!(actions(d.ok())
        .iter()
        .any(|a| a == "rehandling_limit_reached"));
    t.post(
        "office",
        &format!("/api/v1/assignments/{la}/reopen"),
        json!({"reason": "主任会议决定再次办理"}),
    )
    .await
    .ok();
    assert_eq!(
        t.get("office", &format!("/api/v1/items/{pid}")).await.ok()["state"],
        "handling"
    );
    // A commitment carried over keeps its reason.
    let commitment = d.ok()["commitments"][0]["id"].as_i64().unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "受资金影响，转入下年度", "status": "carried_over", "percent": 40}),
    )
    .await
    .ok();
    let d = t.get("p1", &format!("/api/v1/items/{pid}")).await;
    let c = d.ok()["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == commitment)
        .unwrap()
        .clone();
    assert_eq!(c["status"], "carried_over");
    assert_eq!(c["percent"], 40);
}
