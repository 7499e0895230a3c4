//! Notifications: in-app, by e-mail through a real SMTP server (Python's aiosmtpd, started
//! here), an SMTP outage during which mail waits in the queue, the SMS webhook, and the daily
//! reminder of yellow and red clocks. On SQLite and PostgreSQL.

use crate::harness::*;
use crate::lifecycle::on_both;
use banli_notify::{Deliverer, MailConfig, Options, Security, SmsConfig};
use banli_store::sqlx;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// aiosmtpd on a port of its own, writing each accepted message as a JSON line.
struct SmtpSink {
    port: u16,
    out: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    /// A sink on a free port, not yet running; None (with a notice) without aiosmtpd, which
    /// fails the test in CI.
    fn new() -> Option<SmtpSink> {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but Python's aiosmtpd is missing: python3 -m pip install aiosmtpd (.ci/run does)");
            }
            eprintln!("NOTICE: Python's aiosmtpd is not installed (python3 -m pip install aiosmtpd); skipping this e-mail test");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        Some(SmtpSink {
            port: free_port(),
            out: dir.path().join("mail.jsonl"),
            child: None,
            _dir: dir,
        })
    }

    fn start(&mut self) {
        assert!(self.child.is_none(), "sink already running");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.out)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn to(&self, address: &str) -> Vec<Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt_tos"] == json!([address]))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

fn deliverer(t: &TestApp, port: u16, retry_base: Duration) -> Deliverer {
    let mail = MailConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        username: None,
        password: None,
        from: "湖南省政协提案委员会 <tian@zx.example.gov.cn>".into(),
        security: Security::None,
    };
    Deliverer::new(t.app.clone(), Some(mail), SmsConfig::default())
        .expect("deliverer")
        .with_options(Options {
            retry_base,
            timeout: Duration::from_secs(10),
            ..Options::default()
        })
}

/// A user with an e-mail address (and optionally a phone), created by the admin and signed in.
async fn user_with(
    t: &TestApp,
    name: &str,
    role: &str,
    unit: Option<i64>,
    email: &str,
    phone: Option<&str>,
) {
    t.post("admin", "/api/v1/users", json!({"username": name, "password": "password-123", "display_name": format!("用户{name}"), "role": role, "unit_id": unit, "email": email, "phone": phone}))
        .await
        .status(201);
    t.login(name, "password-123").await;
}

async fn notes(t: &TestApp, user: &str) -> banli_app::notify::NotificationPage {
    let actor = t.app.actor_by_name(user).await.unwrap();
    t.app.notifications(&actor, 1, 200).await.unwrap()
}

async fn kinds(t: &TestApp, user: &str) -> Vec<String> {
    notes(t, user)
        .await
        .items
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

async fn filed_and_assigned(t: &TestApp, w: &World, title: &str, assign: Value) -> (i64, Vec<i64>) {
    let id = submitted_item(t, w, "p1", title).await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let a = t
        .post("office", &format!("/api/v1/items/{id}/assign"), assign)
        .await;
    let ids = a.ok()["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    (id, ids)
}

/// The outgoing queue as the server has it: the server writes the notifications (and their
/// e-mails) of recorded events as it follows them, so follow first.
async fn queue(t: &TestApp) -> Vec<(String, String, i64, Option<String>, Option<String>)> {
    t.app.follow_events().await.unwrap();
    sqlx::query_as(
        "SELECT recipient, state, attempts, last_error, sent_at FROM outgoing_messages ORDER BY id",
    )
    .fetch_all(&t.app.db.pool)
    .await
    .unwrap()
}

on_both!(an_assignment_reaches_the_unit_in_app_and_by_mail);
/// Assigning an item notifies the unit's staff in the app and by e-mail, in each one's
/// language; the office hears of the submission; nobody else hears anything.
async fn an_assignment_reaches_the_unit_in_app_and_by_mail(t: &TestApp) {
    let Some(mut smtp) = SmtpSink::new() else {
        return;
    };
    smtp.start();
    let w = world(t).await;
    user_with(
        t,
        "mail_staff",
        "unit_staff",
        Some(w.lead),
        "staff@fgw.example.gov.cn",
        None,
    )
    .await;
    user_with(
        t,
        "hant_staff",
        "unit_staff",
        Some(w.lead),
        "hant@fgw.example.gov.cn",
        None,
    )
    .await;
    user_with(
        t,
        "en_staff",
        "unit_staff",
        Some(w.lead),
        "en@fgw.example.gov.cn",
        None,
    )
    .await;
    user_with(
        t,
        "mail_other",
        "unit_staff",
        Some(w.other),
        "staff@xt.example.gov.cn",
        None,
    )
    .await;
    user_with(
        t,
        "mail_office",
        "office",
        None,
        "office@zx.example.gov.cn",
        None,
    )
    .await;
    sqlx::query("UPDATE users SET locale = 'zh-Hant' WHERE username = 'hant_staff'")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET locale = 'en' WHERE username = 'en_staff'")
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    t.set_today("2023-02-01");
    let (id, _) = filed_and_assigned(
        t,
        &w,
        "关于加快湘江科学城建设的提案",
        json!({"lead": w.lead}),
    )
    .await;

    // In the app: the unit's staff, with a link to the item.
    let page = notes(t, "mail_staff").await;
    assert_eq!(page.unread, 1);
    let n = &page.items[0];
    assert_eq!(n.kind, "assigned");
    assert_eq!(
        n.title,
        "新交办：第0001号提案《关于加快湘江科学城建设的提案》"
    );
    assert!(n.body.contains("湖南省发展和改革委员会"), "{}", n.body);
    assert_eq!(n.link.as_deref(), Some(format!("/app/items/{id}").as_str()));
    assert_eq!(
        kinds(t, "lead_staff").await,
        ["assigned"],
        "staff without an address are notified in the app"
    );
    assert_eq!(
        notes(t, "hant_staff").await.items[0].title,
        "新交辦：第0001號提案《關於加快湘江科學城建設的提案》"
    );
    assert_eq!(
        notes(t, "en_staff").await.items[0].title,
        "New assignment: proposal No. 0001 “关于加快湘江科学城建设的提案”"
    );
    assert_eq!(kinds(t, "p1").await, ["item_filed"]);
    assert_eq!(kinds(t, "mail_office").await, ["item_submitted"]);
    // The office acted (filed, assigned): it heard only of the proposer's submission.
    assert_eq!(kinds(t, "office").await, ["item_submitted"]);
    for nobody in [
        "mail_other",
        "other_staff",
        "lead_signer",
        "co_staff",
        "p2",
        "admin",
    ] {
        assert_eq!(
            notes(t, nobody).await.total,
            0,
            "{nobody} has nothing to do with this item"
        );
    }

    // By mail: one message per address, at the SMTP server.
    let d = deliverer(t, smtp.port, Duration::from_secs(60));
    assert_eq!(d.run_once().await.unwrap(), (4, 0));
    assert_eq!(d.run_once().await.unwrap(), (0, 0), "nothing is sent twice");
    let m = smtp.to("staff@fgw.example.gov.cn");
    assert_eq!(m.len(), 1, "{:?}", smtp.messages());
    assert_eq!(
        m[0]["subject"],
        "新交办：第0001号提案《关于加快湘江科学城建设的提案》"
    );
    assert_eq!(m[0]["mail_from"], "tian@zx.example.gov.cn");
    assert!(
        m[0]["to"].as_str().unwrap().contains("用户mail_staff"),
        "{}",
        m[0]["to"]
    );
    let body = m[0]["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(body.starts_with("用户mail_staff，您好："), "{body}");
    assert!(
        body.contains(&format!("查看详情：{}/app/items/{id}", t.base)),
        "{body}"
    );
    assert_eq!(
        smtp.to("hant@fgw.example.gov.cn")[0]["subject"],
        "新交辦：第0001號提案《關於加快湘江科學城建設的提案》"
    );
    assert!(smtp.to("en@fgw.example.gov.cn")[0]["body"]
        .as_str()
        .unwrap()
        .starts_with("Dear 用户en_staff,"));
    assert_eq!(
        smtp.to("office@zx.example.gov.cn")[0]["subject"],
        "待审查：提案《关于加快湘江科学城建设的提案》"
    );
    assert!(smtp.to("staff@xt.example.gov.cn").is_empty());
    assert_eq!(smtp.messages().len(), 4);
    assert!(queue(t)
        .await
        .iter()
        .all(|r| r.1 == "sent" && r.2 == 1 && r.4.is_some()));

    // Reading: only one's own notifications are marked.
    let staff = t.app.actor_by_name("mail_staff").await.unwrap();
    let theirs = notes(t, "lead_staff").await.items[0].id;
    let mine = notes(t, "mail_staff").await.items[0].id;
    assert_eq!(
        t.app
            .mark_notifications_read(&staff, Some(vec![theirs, mine]))
            .await
            .unwrap(),
        1
    );
    assert_eq!(t.app.unread_notifications(&staff).await.unwrap(), 0);
    assert!(notes(t, "mail_staff").await.items[0].read_at.is_some());
    let lead = t.app.actor_by_name("lead_staff").await.unwrap();
    assert_eq!(t.app.unread_notifications(&lead).await.unwrap(), 1);
    assert_eq!(t.app.mark_notifications_read(&lead, None).await.unwrap(), 1);
    assert_eq!(t.app.unread_notifications(&lead).await.unwrap(), 0);

    // Sent messages are kept for the retention period, then pruned; notifications stay.
    assert_eq!(t.app.prune_delivered().await.unwrap().1, 0);
    assert_eq!(queue(t).await.len(), 4);
    t.set_today("2099-01-01");
    assert_eq!(t.app.prune_delivered().await.unwrap().1, 4);
    assert!(queue(t).await.is_empty());
    assert_eq!(notes(t, "mail_staff").await.items.len(), 1);
}

/// A unit clerk with an e-mail address, and an item assigned to the clerk's unit: one
/// e-mail to the clerk follows.
async fn one_mail_for_the_lead_unit(t: &TestApp) -> World {
    let w = world(t).await;
    user_with(
        t,
        "mail_staff",
        "unit_staff",
        Some(w.lead),
        "staff@fgw.example.gov.cn",
        None,
    )
    .await;
    t.set_today("2023-02-01");
    filed_and_assigned(
        t,
        &w,
        "关于加快湘江科学城建设的提案",
        json!({"lead": w.lead}),
    )
    .await;
    w
}

on_both!(mail_waits_out_an_smtp_outage);
/// With the SMTP server down, sending fails, the message stays queued with the error and
/// waits its backoff; once the server is back it is delivered exactly once.
async fn mail_waits_out_an_smtp_outage(t: &TestApp) {
    let Some(mut smtp) = SmtpSink::new() else {
        return;
    };
    let w = one_mail_for_the_lead_unit(t).await;

    // The server is down: the attempt fails and is recorded; the row is not due again yet.
    let d = deliverer(t, smtp.port, Duration::from_secs(60));
    assert_eq!(d.run_once().await.unwrap(), (0, 1));
    let q = queue(t).await;
    assert_eq!(q.len(), 1);
    let (to, state, attempts, error, sent) = &q[0];
    assert_eq!(
        (to.as_str(), state.as_str(), *attempts, sent),
        ("staff@fgw.example.gov.cn", "queued", 1, &None)
    );
    assert!(
        error.as_deref().is_some_and(|e| e.contains("邮件发送失败")),
        "{error:?}"
    );
    let (next,): (String,) = sqlx::query_as("SELECT next_attempt_at FROM outgoing_messages")
        .fetch_one(&t.app.db.pool)
        .await
        .unwrap();
    assert!(
        next > banli_store::now_ts(),
        "the retry waits its backoff: {next}"
    );
    assert_eq!(d.run_once().await.unwrap(), (0, 0));

    // Back up: still waiting for the backoff, until the operator says retry now.
    smtp.start();
    assert_eq!(d.run_once().await.unwrap(), (0, 0));
    assert!(smtp.messages().is_empty());
    assert_eq!(d.retry_now().await.unwrap(), 1);
    assert_eq!(d.run_once().await.unwrap(), (1, 0));
    assert_eq!(d.run_once().await.unwrap(), (0, 0));
    let q = queue(t).await;
    assert_eq!((q[0].1.as_str(), q[0].2), ("sent", 2));
    assert!(q[0].4.is_some());
    let m = smtp.to("staff@fgw.example.gov.cn");
    assert_eq!(m.len(), 1, "delivered exactly once");
    assert!(m[0]["subject"].as_str().unwrap().contains("第0001号提案"));

    // A second outage with a zero backoff (as configured for tests): the next run delivers.
    smtp.stop();
    filed_and_assigned(
        t,
        &w,
        "关于支持湘潭竹埠港片区治理的提案",
        json!({"lead": w.lead}),
    )
    .await;
    let quick = deliverer(t, smtp.port, Duration::ZERO);
    assert_eq!(quick.run_once().await.unwrap(), (0, 1));
    assert_eq!(
        quick.run_once().await.unwrap(),
        (0, 1),
        "still down: another attempt, still queued"
    );
    smtp.start();
    assert_eq!(quick.run_once().await.unwrap(), (1, 0));
    let q = queue(t).await;
    assert_eq!((q[1].1.as_str(), q[1].2), ("sent", 3));
    assert_eq!(smtp.messages().len(), 2);
    assert!(smtp.messages()[1]["subject"]
        .as_str()
        .unwrap()
        .contains("第0002号提案"));
}

on_both!(a_message_caught_mid_send_by_a_crash_is_never_sent_twice);
/// An instance that dies after handing a message over but before recording it leaves the row
/// `sending`: while its claim holds nobody touches it, and after that it is marked failed
/// (perhaps delivered) instead of being sent a second time.
async fn a_message_caught_mid_send_by_a_crash_is_never_sent_twice(t: &TestApp) {
    let Some(smtp) = SmtpSink::new() else {
        return;
    };
    one_mail_for_the_lead_unit(t).await;
    let d = deliverer(t, smtp.port, Duration::from_secs(60));
    // The notices of the events become messages; a dead instance claimed the one for mail.
    t.app.follow_events().await.unwrap();
    let later = banli_store::ts(chrono::Utc::now() + chrono::Duration::minutes(5));
    let taken = banli_store::notices::claim_outgoing(&t.app.db, "dead#0", &later, &["email"], 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    let id = taken[0].id;
    assert!(banli_store::notices::start_sending(&t.app.db, id)
        .await
        .unwrap());
    assert!(
        !banli_store::notices::start_sending(&t.app.db, id)
            .await
            .unwrap(),
        "taken once"
    );
    // The dead instance's claim still holds: the live one leaves the row alone.
    assert_eq!(d.run_once().await.unwrap(), (0, 0));
    assert_eq!(queue(t).await[0].1, "sending");
    // The claim expires: the row is set aside as perhaps delivered, and never sent again.
    sqlx::query("UPDATE outgoing_messages SET claimed_until = $1 WHERE id = $2")
        .bind("2000-01-01T00:00:00.000000Z")
        .bind(id)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    assert_eq!(d.run_once().await.unwrap(), (0, 0));
    assert_eq!(d.run_once().await.unwrap(), (0, 0));
    let q = queue(t).await;
    assert_eq!(q[0].1, "failed");
    assert_eq!(q[0].3.as_deref(), Some(banli_store::notices::INTERRUPTED));
    assert!(smtp.messages().is_empty(), "nothing was sent a second time");
}

on_both!(daily_reminders_once_per_clock_and_colour);
/// The reply clock turns yellow, then red: the unit's staff are reminded once for each
/// colour (red also the office), however often the reminder runs; then the evaluation clock
/// reminds the proposer, and its lapse the office.
async fn daily_reminders_once_per_clock_and_colour(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-03-01");
    let (id, a) = filed_and_assigned(
        t,
        &w,
        "关于加快湘江科学城建设的提案",
        json!({"lead": w.lead}),
    )
    .await;
    let la = a[0];
    let ap = |s: &str| format!("/api/v1/assignments/{la}/{s}");
    // Accepted and consulted: only the reply clock (due 2023-06-01) is left open.
    t.post("lead_staff", &ap("accept"), json!({})).await.ok();
    t.set_today("2023-03-02");
    t.post(
        "lead_staff",
        &ap("consultations"),
        json!({"method": "face_to_face", "date": "2023-03-02", "summary": "与提案人面商"}),
    )
    .await
    .status(201);
    let before = notes(t, "lead_staff").await.total;

    t.set_today("2023-05-01");
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        0,
        "31 of 92 days left: green"
    );
    t.set_today("2023-05-20");
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        1,
        "12 days left: yellow"
    );
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        0,
        "the same day again: nothing new"
    );
    let page = notes(t, "lead_staff").await;
    assert_eq!(page.total, before + 1);
    assert_eq!(page.items[0].kind, "reminder_yellow");
    assert_eq!(
        page.items[0].title,
        "即将到期：第0001号提案《关于加快湘江科学城建设的提案》"
    );
    assert!(
        page.items[0].body.contains("答复期限为2023-06-01"),
        "{}",
        page.items[0].body
    );
    assert!(t
        .app
        .daily_reminders_ran("2023-05-20".parse().unwrap())
        .await
        .unwrap());
    t.set_today("2023-05-25");
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        0,
        "still yellow: reminded already"
    );
    assert!(
        !kinds(t, "office")
            .await
            .iter()
            .any(|k| k.starts_with("reminder")),
        "yellow is the unit's business"
    );

    t.set_today("2023-06-02");
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        2,
        "red: the unit's staff and the office"
    );
    assert_eq!(t.app.send_daily_reminders().await.unwrap(), 0);
    assert_eq!(notes(t, "lead_staff").await.items[0].kind, "reminder_red");
    let office = notes(t, "office").await;
    assert_eq!(office.items[0].kind, "reminder_red_office");
    assert!(
        office.items[0].body.contains("答复期限（2023-06-01）已过"),
        "{}",
        office.items[0].body
    );
    for nobody in ["other_staff", "co_staff", "lead_signer", "p2"] {
        assert!(
            !kinds(t, nobody)
                .await
                .iter()
                .any(|k| k.contains("reminder")),
            "{nobody}"
        );
    }

    // The reply goes out late; the proposer is reminded to rate it, then the office of the lapse.
    t.post("lead_staff", &ap("reply"), json!({"body": "感谢您的提案。", "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888"})).await.ok();
    t.post("lead_signer", &ap("reply/approve"), json!({}))
        .await
        .ok();
    assert_eq!(kinds(t, "p1").await[0], "reply_to_rate");
    let d = t.get("p1", &format!("/api/v1/items/{id}")).await;
    let due: chrono::NaiveDate = d.ok()["replies"][0]["evaluation_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    t.set_today(&(due - chrono::Duration::days(2)).to_string());
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        1,
        "the rating is due soon"
    );
    assert_eq!(t.app.send_daily_reminders().await.unwrap(), 0);
    let p1 = notes(t, "p1").await;
    assert_eq!(p1.items[0].kind, "evaluation_reminder");
    assert!(
        p1.items[0].body.contains(&format!("评价期限为{due}")),
        "{}",
        p1.items[0].body
    );
    t.set_today(&(due + chrono::Duration::days(1)).to_string());
    assert_eq!(
        t.app.send_daily_reminders().await.unwrap(),
        1,
        "lapsed: the office, who may enter a paper form"
    );
    assert_eq!(kinds(t, "office").await[0], "evaluation_lapsed_office");
    assert_eq!(
        notes(t, "p1").await.total,
        p1.total,
        "the proposer can no longer rate online"
    );
    assert_eq!(t.app.send_daily_reminders().await.unwrap(), 0);
}

on_both!(nobody_is_told_of_their_own_step);
/// Each handover reaches whoever must act next and never the one who acted; another unit
/// hears nothing.
async fn nobody_is_told_of_their_own_step(t: &TestApp) {
    let w = world(t).await;
    t.user("office2", "office", None).await;
    t.set_today("2023-02-01");
    // The office enters a paper item and submits it: its colleague is told, it is not.
    let id = t
        .post("office", "/api/v1/items", json!({"session_id": w.session, "title": "关于完善城乡养老服务体系的提案", "body": "建议加大投入。", "origin": "joint", "proposers": ["p1", "p2"], "submitted_on": "2023-01-20"}))
        .await
        .id();
    t.post("office", &format!("/api/v1/items/{id}/submit"), json!({}))
        .await
        .ok();
    assert_eq!(kinds(t, "office2").await, ["item_submitted"]);
    assert!(kinds(t, "office").await.is_empty());
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    assert_eq!(kinds(t, "p1").await, ["item_filed"]);
    assert_eq!(
        kinds(t, "p2").await,
        ["item_filed"],
        "a co-signer on paper is a proposer too"
    );
    let a = t
        .post(
            "office",
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    let list = a.ok()["assignments"].as_array().unwrap().clone();
    let la = list.iter().find(|x| x["role"] == "lead").unwrap()["id"]
        .as_i64()
        .unwrap();
    let ca = list.iter().find(|x| x["role"] == "co").unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(kinds(t, "lead_staff").await, ["assigned"]);
    assert_eq!(kinds(t, "co_staff").await, ["assigned"]);
    let ap = |a: i64, s: &str| format!("/api/v1/assignments/{a}/{s}");
    t.post("lead_staff", &ap(la, "accept"), json!({}))
        .await
        .ok();
    t.post("co_staff", &ap(ca, "accept"), json!({})).await.ok();
    // Drafts go to the unit's own signer; the signer's rejection back to its staff.
    t.post(
        "co_staff",
        &ap(ca, "co-opinion"),
        json!({"body": "同意主办单位意见。", "contact_name": "李四", "contact_phone": "0731-1"}),
    )
    .await
    .ok();
    assert_eq!(kinds(t, "co_signer").await, ["co_opinion_to_sign"]);
    assert!(kinds(t, "lead_signer").await.is_empty());
    t.post(
        "co_signer",
        &ap(ca, "co-opinion/reject"),
        json!({"reason": "请写明资金安排"}),
    )
    .await
    .ok();
    let co = notes(t, "co_staff").await;
    assert_eq!(co.items[0].kind, "co_opinion_rejected");
    assert!(
        co.items[0].body.ends_with("理由：请写明资金安排"),
        "{}",
        co.items[0].body
    );
    t.post("co_staff", &ap(ca, "co-opinion"), json!({"body": "同意主办单位意见，资金由省财政统筹。", "contact_name": "李四", "contact_phone": "0731-1"})).await.ok();
    t.post("co_signer", &ap(ca, "co-opinion/approve"), json!({}))
        .await
        .ok();
    assert_eq!(
        kinds(t, "lead_staff").await[0],
        "co_opinion_received",
        "the co-opinion goes to the lead unit"
    );
    assert!(
        !kinds(t, "p1")
            .await
            .contains(&"co_opinion_received".to_string()),
        "never to the proposer"
    );
    // A request goes to the office; its decision back to the unit.
    t.post(
        "lead_staff",
        &ap(la, "extension"),
        json!({"until": "2023-06-15", "reason": "需开展实地调研"}),
    )
    .await
    .status(201);
    assert_eq!(kinds(t, "office").await[0], "extension_requested");
    assert_eq!(kinds(t, "office2").await[0], "extension_requested");
    t.post(
        "office2",
        &ap(la, "extension/decide"),
        json!({"approve": true}),
    )
    .await
    .ok();
    assert_eq!(kinds(t, "lead_staff").await[0], "extension_approved");
    assert_eq!(
        kinds(t, "office2").await[0],
        "extension_requested",
        "the deciding officer is not told of the decision"
    );
    // The reply: signer, then the first proposer to rate and the co-signer informed.
    t.post("lead_staff", &ap(la, "reply"), json!({"body": "感谢您的提案。", "grade": "A", "disclosure": "public", "contact_name": "张三", "contact_phone": "0731-88888888"})).await.ok();
    assert_eq!(kinds(t, "lead_signer").await, ["reply_to_sign"]);
    t.post("lead_signer", &ap(la, "reply/approve"), json!({}))
        .await
        .ok();
    assert_eq!(kinds(t, "p1").await[0], "reply_to_rate");
    assert_eq!(kinds(t, "p2").await[0], "reply_copied");
    t.post(
        "p1",
        &ap(la, "evaluation"),
        json!({"handling": "satisfied", "result": "satisfied"}),
    )
    .await
    .status(201);
    assert_eq!(kinds(t, "lead_staff").await[0], "evaluated");
    assert_eq!(
        kinds(t, "p1").await[0],
        "reply_to_rate",
        "the rater is not told of their own rating"
    );
    for nobody in ["other_staff", "other_signer", "sub_staff", "p3", "admin"] {
        assert_eq!(notes(t, nobody).await.total, 0, "{nobody}");
    }
    // No one got a notification of an event they caused.
    t.app.follow_events().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications n JOIN events e ON e.id = n.event_id WHERE e.actor_id = n.user_id").fetch_one(&t.app.db.pool).await.unwrap();
    assert_eq!(n, 0);
}

on_both!(text_messages_go_to_the_webhook_when_turned_on);
/// SMS is off by default; once the admin turns it on, users with a phone get a text posted
/// as JSON to the configured webhook.
async fn text_messages_go_to_the_webhook_when_turned_on(t: &TestApp) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = got.clone();
    let hook = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

    let w = world(t).await;
    user_with(
        t,
        "sms_staff",
        "unit_staff",
        Some(w.lead),
        "staff@fgw.example.gov.cn",
        Some("13800000000"),
    )
    .await;
    t.set_today("2023-02-01");
    filed_and_assigned(
        t,
        &w,
        "关于加快湘江科学城建设的提案",
        json!({"lead": w.lead}),
    )
    .await;
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outgoing_messages WHERE channel = 'sms'")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 0, "off by default");

    let admin = t.app.actor_by_name("admin").await.unwrap();
    let staff = t.app.actor_by_name("sms_staff").await.unwrap();
    assert!(
        t.app.set_sms_notifications(&staff, true).await.is_err(),
        "only an admin turns it on"
    );
    t.app.set_sms_notifications(&admin, true).await.unwrap();
    filed_and_assigned(
        t,
        &w,
        "关于支持湘潭竹埠港片区治理的提案",
        json!({"lead": w.lead}),
    )
    .await;
    // Without a webhook the text waits; e-mail is not configured here either.
    let idle = Deliverer::new(t.app.clone(), None, SmsConfig::default()).unwrap();
    assert!(idle.channels().is_empty());
    assert_eq!(idle.run_once().await.unwrap(), (0, 0));
    let d = Deliverer::new(
        t.app.clone(),
        None,
        SmsConfig {
            webhook_url: Some(url),
        },
    )
    .unwrap();
    assert_eq!(d.channels(), ["sms"]);
    assert_eq!(d.run_once().await.unwrap(), (1, 0));
    let texts = got.lock().unwrap().clone();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["to"], "13800000000");
    let text = texts[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("新交办：第0002号提案《关于支持湘潭竹埠港片区治理的提案》"),
        "{text}"
    );
    assert!(text.contains(&format!("{}/app/items/", t.base)), "{text}");
    // The e-mails wait in the queue for a mail server.
    let (queued,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outgoing_messages WHERE channel = 'email' AND state = 'queued'",
    )
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(queued, 2);
    assert!(Deliverer::new(
        t.app.clone(),
        None,
        SmsConfig {
            webhook_url: Some("ftp://x".into())
        }
    )
    .is_err());
}

on_both!(each_event_is_notified_once_however_many_instances_follow);
/// Notifications follow events through the outbox: several instances following at once
/// write each event's notifications exactly once, and nothing is left waiting.
async fn each_event_is_notified_once_however_many_instances_follow(t: &TestApp) {
    let w = world(t).await;
    for k in 0..6 {
        filed_and_assigned(
            t,
            &w,
            &format!("关于跟随事件{k}的提案"),
            json!({"lead": w.lead, "co": [w.co]}),
        )
        .await;
    }
    let waiting = |t: &TestApp| {
        let pool = t.app.db.pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE topic = 'event'")
                .fetch_one(&pool)
                .await
                .unwrap();
            n
        }
    };
    assert!(waiting(t).await > 0, "events wait for the notifier");
    let (a, b, c) = (t.app.clone(), t.app.clone(), t.app.clone());
    let (ra, rb, rc) = tokio::join!(a.follow_events(), b.follow_events(), c.follow_events());
    let handled = ra.unwrap() + rb.unwrap() + rc.unwrap();
    assert!(handled > 0);
    assert_eq!(waiting(t).await, 0, "every event was taken");
    let (dupes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT event_id, user_id FROM notifications WHERE event_id IS NOT NULL GROUP BY event_id, user_id HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(dupes, 0, "no notification written twice");
    // Each assignment reached its unit's staff once.
    let (assigned,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE kind = 'assigned'")
            .fetch_one(&t.app.db.pool)
            .await
            .unwrap();
    let (staff,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE role = 'unit_staff' AND disabled = 0 AND unit_id IN ($1, $2)",
    )
    .bind(w.lead)
    .bind(w.co)
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    assert_eq!(assigned, 6 * staff);
    assert_eq!(
        t.app.follow_events().await.unwrap(),
        0,
        "a second pass finds nothing"
    );
}

on_both!(an_event_whose_notifications_fail_is_set_aside_and_holds_up_nothing);
/// One event whose notifications cannot be written (here: it names an assignment that does
/// not exist) is set aside with its outbox row kept for inspection; the events after it are
/// notified as usual, and the pages that follow events keep working.
async fn an_event_whose_notifications_fail_is_set_aside_and_holds_up_nothing(t: &TestApp) {
    let w = world(t).await;
    let item = submitted_item(t, &w, "p1", "关于规范电动自行车停放充电的提案").await;
    t.app.follow_events().await.unwrap();
    let (bad,): (i64,) = sqlx::query_as(
        "INSERT INTO events (org_id, item_id, assignment_id, at, action, to_state) VALUES ($1, $2, 999999, '2023-02-01T01:00:00.000000Z', 'assigned', 'assigned') RETURNING id",
    )
    .bind(t.app.org_id)
    .bind(item)
    .fetch_one(&t.app.db.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO outbox (topic, ref_id, created_at) VALUES ('event', $1, '2023-02-01T01:00:00.000000Z')")
        .bind(bad)
        .execute(&t.app.db.pool)
        .await
        .unwrap();
    t.post("office", &format!("/api/v1/items/{item}/file"), json!({}))
        .await
        .ok();
    // The page that follows first still opens, and the filing reached the proposer.
    assert_eq!(kinds(t, "p1").await[0], "item_filed");
    let count = |topic: &'static str| {
        let pool = t.app.db.pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE topic = $1")
                .bind(topic)
                .fetch_one(&pool)
                .await
                .unwrap();
            n
        }
    };
    assert_eq!(count("event_failed").await, 1, "set aside, not lost");
    assert_eq!(count("event").await, 0, "nothing left waiting behind it");
}

on_both!(the_step_decides_who_hears_however_late_the_notices_are_written);
/// Who hears of a step is decided in the step: a co-signer invited at submission is told of
/// the invitation even when the item was filed (and the invitation lapsed) before the
/// notifications were written, and the submission is announced without the number that
/// filing gave later.
async fn the_step_decides_who_hears_however_late_the_notices_are_written(t: &TestApp) {
    let w = world(t).await;
    let id = t
        .post("p1", "/api/v1/items", json!({"session_id": w.session, "title": "关于推进老旧小区加装电梯的提案", "body": "建议简化审批。", "origin": "joint", "cosigners": ["p2"]}))
        .await
        .id();
    t.post("p1", &format!("/api/v1/items/{id}/submit"), json!({}))
        .await
        .ok();
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    // Nothing has followed the events yet; now the notifier writes them.
    assert!(t.app.follow_events().await.unwrap() >= 2);
    assert!(kinds(t, "p2").await.contains(&"cosign_invited".to_string()));
    let office = notes(t, "office").await;
    let submitted = office
        .items
        .iter()
        .find(|n| n.kind == "item_submitted")
        .expect("the office heard of the submission");
    assert!(!submitted.title.contains("第0001号"), "{}", submitted.title);
}

on_both!(work_notifications_clear_when_the_work_is_done);
/// A notification about work is marked done by the step that does it, so an unread count is
/// work still waiting: filing answers the office's 待审查, accepting the lead unit's 新交办
/// (while the co unit's stays open until it accepts too).
async fn work_notifications_clear_when_the_work_is_done(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let unread = |user: &'static str| async move {
        let actor = t.app.actor_by_name(user).await.unwrap();
        t.app.follow_events().await.unwrap();
        t.app.unread_notifications(&actor).await.unwrap()
    };
    let id = submitted_item(t, &w, "p1", "关于清理待办通知的提案").await;
    assert_eq!(unread("office").await, 1, "待审查 waits");
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    assert_eq!(unread("office").await, 0, "filing answered it");
    let office = notes(t, "office").await.items;
    assert!(office[0].read_at.is_some() && office[0].kind == "item_submitted");
    assert_eq!(
        unread("p1").await,
        1,
        "the proposer's 已立案 is news, not work: it stays"
    );
    t.post(
        "office",
        &format!("/api/v1/items/{id}/assign"),
        json!({"lead": w.lead, "co": [w.co]}),
    )
    .await
    .ok();
    assert_eq!(unread("lead_staff").await, 1);
    assert_eq!(unread("co_staff").await, 1);
    let a = t.get("lead_staff", "/api/v1/assignments").await.ok()["items"][0]["id"]
        .as_i64()
        .unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
    )
    .await
    .ok();
    assert_eq!(unread("lead_staff").await, 0, "accepting answered 新交办");
    assert_eq!(
        unread("co_staff").await,
        1,
        "another unit's work stays open"
    );
}
