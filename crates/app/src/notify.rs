//! Notifications (DESIGN §8): every step that hands work to someone leaves them an in-app
//! notification and, when they have an address, an e-mail (and a text message where the
//! organisation turned those on). The step records who hears and the words' values in its
//! own transaction (`crate::handover`), so nothing is announced that rolled back; the
//! notifications are written from the outbox afterwards (`App::follow_events`), exactly once.
//! A daily run reminds the responsible users of clocks turning yellow and red. Delivery is
//! the `banli-notify` crate's.

use crate::events::Event;
use crate::handover::{self, unit_name, vars_for, Handover};
use crate::rows::*;
use crate::{format_number, iso, Actor, App, AppError, AppResult};
use banli_domain::clock::{colour_with_threshold, Colour};
use banli_domain::model::{ItemKind, Role};
pub use banli_domain::notices::plan;
use banli_domain::notices::{template, Settled, CLOCK_LABELS};
use banli_domain::policy::Policy;
use banli_domain::rights::Capability;
use banli_store::events::{self, EventRow, Pending};
use banli_store::notices::{self, NewNotice, People, Recipient};
use banli_store::Tx;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

pub use banli_domain::model::Lang;

fn opencc() -> &'static ferrous_opencc::OpenCC {
    static CC: OnceLock<ferrous_opencc::OpenCC> = OnceLock::new();
    CC.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t)
            .expect("bundled OpenCC s2t config loads")
    })
}

pub use banli_domain::notices::Vars;

/// Title and body of a notification in the recipient's language.
pub fn render(kind: &str, lang: Lang, v: &Vars) -> (String, String) {
    let t = template(kind);
    let en = lang == Lang::En;
    let (title, body) = if en { t.en } else { t.zh };
    let item_kind = v.item_kind;
    let item = match (en, v.item_number) {
        (false, Some(n)) => format!(
            "第{}号{}《{}》",
            format_number(n),
            item_kind.label(),
            v.item_title
        ),
        (false, None) => format!("{}《{}》", item_kind.label(), v.item_title),
        (true, n) => {
            let k = if item_kind == ItemKind::Suggestion {
                "suggestion"
            } else {
                "proposal"
            };
            match n {
                Some(n) => format!("{k} No. {} “{}”", format_number(n), v.item_title),
                None => format!("{k} “{}”", v.item_title),
            }
        }
    };
    let reason = match &v.reason {
        Some(r) if en => format!("\nReason: {r}"),
        Some(r) => format!("\n理由：{r}"),
        None => String::new(),
    };
    let clock = v
        .clock
        .as_deref()
        .map(|c| {
            CLOCK_LABELS
                .iter()
                .find(|l| l.0 == c)
                .map(|l| if en { l.2 } else { l.1 })
                .unwrap_or(c)
        })
        .unwrap_or_default();
    let fill = |s: &str| {
        s.replace("{item}", &item)
            .replace("{unit}", &v.unit)
            .replace("{actor}", &v.actor)
            .replace("{clock}", clock)
            .replace("{due}", v.due.as_deref().unwrap_or_default())
            .replace("{reason}", &reason)
    };
    let (title, body) = (fill(title), fill(body));
    match lang {
        Lang::Hant => (opencc().convert(&title), opencc().convert(&body)),
        _ => (title, body),
    }
}

/// The text of an e-mail around a notification's body, in the recipient's language.
pub fn email_text(locale: &str, name: &str, body: &str, url: &str) -> String {
    frame("email", locale, name, "", body, url)
}

/// The text of an SMS for a notification's title.
pub fn sms_text(locale: &str, title: &str, url: &str) -> String {
    frame("sms", locale, "", title, "", url)
}

fn frame(kind: &str, locale: &str, name: &str, title: &str, body: &str, url: &str) -> String {
    let lang = Lang::parse(locale);
    let t = template(kind);
    let text = if lang == Lang::En { t.en.1 } else { t.zh.1 };
    // Convert the frame before filling it: the body was converted when it was written.
    let text = if lang == Lang::Hant {
        opencc().convert(text)
    } else {
        text.to_string()
    };
    text.replace("{name}", name)
        .replace("{title}", title)
        .replace("{url}", url)
        .replace("{body}", body)
}

/// Where a notification leads in the staff web app.
pub fn item_link(item_id: i64) -> String {
    format!("/app/items/{item_id}")
}

/// One notification for each recipient (first template wins for someone in two audiences),
/// never for the actor, with its e-mail and SMS rows. Returns how many were written.
#[allow(clippy::too_many_arguments)]
async fn deliver(
    tx: &mut Tx,
    at: &str,
    event_id: Option<i64>,
    item_id: i64,
    sms: bool,
    actor_id: Option<i64>,
    sends: Vec<(&str, Vec<Recipient>)>,
    vars: &Vars,
    seen: &mut Vec<i64>,
) -> AppResult<usize> {
    let link = item_link(item_id);
    let mut n = 0;
    for (kind, people) in sends {
        for r in people {
            if Some(r.id) == actor_id || seen.contains(&r.id) {
                continue;
            }
            seen.push(r.id);
            let (title, body) = render(kind, Lang::parse(&r.locale), vars);
            let notice = NewNotice {
                user_id: r.id,
                event_id,
                item_id,
                kind,
                title: &title,
                body: &body,
                link: &link,
                at,
            };
            let nid = notices::insert(tx, &notice).await?;
            n += 1;
            let email = r.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
            let phone = r
                .phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty() && sms);
            for (channel, to) in [("email", email), ("sms", phone)] {
                if let Some(to) = to {
                    notices::queue_message(tx, channel, to, &r, &notice, nid).await?;
                }
            }
        }
    }
    Ok(n)
}

/// The notifications of one recorded event, in the follower's transaction: who hears and the
/// words' values as the step left them (its handover), or, for an event recorded without
/// one (a bulk import), as they stand now.
async fn on_event(tx: &mut Tx, e: &EventRow, handover: Option<&str>) -> AppResult<()> {
    settle(tx, e).await?;
    let h = match handover {
        Some(json) => serde_json::from_str::<Handover>(json).map_err(|err| {
            AppError::Internal(format!(
                "outbox: the handover of event {} cannot be read: {err}",
                e.id
            ))
        })?,
        None => match handover::of_event(tx, e).await? {
            Some(h) => h,
            None => return Ok(()),
        },
    };
    let Some(item_id) = e.item_id else {
        return Ok(());
    };
    let mut sends = Vec::new();
    for (kind, people) in &h.sends {
        sends.push((kind.as_str(), notices::recipients_by_ids(tx, people).await?));
    }
    let mut seen = Vec::new();
    deliver(
        tx,
        &e.at,
        Some(e.id),
        item_id,
        h.sms,
        e.actor_id,
        sends,
        &h.vars,
        &mut seen,
    )
    .await?;
    Ok(())
}

/// Marks done the work notifications the event completes (`notices::settles`), after the
/// notifications of every earlier event were written (the outbox's order).
async fn settle(tx: &mut Tx, e: &EventRow) -> AppResult<()> {
    let Some(item_id) = e.item_id else {
        return Ok(());
    };
    let settled = banli_domain::notices::settles(&e.action);
    // The acting unit, read once, when some kind is settled for it alone.
    let unit = match e.assignment_id {
        Some(a) if settled.iter().any(|(_, w)| *w == Settled::Unit) => {
            Some(crate::load_assignment(tx, a).await?.unit_id)
        }
        _ => None,
    };
    for &(kind, whose) in settled {
        let only = match whose {
            Settled::All => None,
            Settled::Unit if unit.is_some() => unit,
            Settled::Unit => continue,
        };
        notices::settle(tx, item_id, kind, only, &e.at).await?;
    }
    Ok(())
}

impl App {
    /// Writes the notifications that recorded events owe (DESIGN §3: whoever a step hands
    /// work to hears of it). Events reach the notifier through the outbox, oldest first;
    /// each is taken by exactly one instance, in the same transaction that writes its
    /// notifications, so none is lost or sent twice. The server runs this continually; the
    /// notification pages run it first, so a user always sees what their last step caused.
    /// Returns how many events were handled.
    pub async fn follow_events(&self) -> AppResult<usize> {
        self.follow(usize::MAX).await
    }

    /// Up to `batches` batches of events.
    async fn follow(&self, batches: usize) -> AppResult<usize> {
        let mut done = 0;
        let mut left = batches;
        while left > 0 && events::notices_waiting(&self.db.pool).await? {
            left -= 1;
            let mut tx = self.begin().await?;
            let batch = events::pending_notices(&mut tx, 200).await?;
            if batch.is_empty() {
                break;
            }
            match notify_all(&mut tx, &batch).await {
                Ok(n) => {
                    tx.commit().await?;
                    done += n;
                }
                Err(AppError::Busy) => return Err(AppError::Busy),
                Err(e) => {
                    tx.rollback().await?;
                    tracing::warn!(error = %e, "a batch of notifications failed; writing them one event at a time");
                    done += self.follow_one_by_one(&batch).await?;
                }
            }
        }
        Ok(done)
    }

    /// Each event in its own transaction; one whose notifications cannot be written is set
    /// aside (outbox topic `event_failed`, logged), so that it never holds up the others.
    async fn follow_one_by_one(&self, batch: &[Pending]) -> AppResult<usize> {
        let mut done = 0;
        for one in batch {
            let mut tx = self.begin().await?;
            match notify_all(&mut tx, std::slice::from_ref(one)).await {
                Ok(n) => {
                    tx.commit().await?;
                    done += n;
                }
                Err(AppError::Busy) => return Err(AppError::Busy),
                Err(e) => {
                    tx.rollback().await?;
                    let mut tx = self.begin().await?;
                    events::set_aside(&mut tx, one.outbox_id).await?;
                    tx.commit().await?;
                    tracing::error!(outbox = one.outbox_id, error = %e, "the notifications of an event could not be written; set aside as event_failed");
                }
            }
        }
        Ok(done)
    }

    /// Follows before a read of the actor's notifications: one batch at most (a backlog, say
    /// after an import, is the server loop's work, not a page view's), and a failure is
    /// logged, never shown in place of the page.
    async fn follow_quietly(&self) {
        if let Err(e) = self.follow(1).await {
            tracing::warn!(error = %e, "could not write the notifications of recent events yet");
        }
    }
}

/// Takes each outbox row and writes its event's notifications, in the caller's transaction.
async fn notify_all(tx: &mut Tx, batch: &[Pending]) -> AppResult<usize> {
    let mut done = 0;
    for p in batch {
        if !events::take(tx, p.outbox_id).await? {
            continue;
        }
        if let Some(e) = &p.event {
            on_event(tx, e, p.handover.as_deref()).await?;
        }
        done += 1;
    }
    Ok(done)
}

// ---- what the web app shows ----

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationOut {
    pub id: i64,
    /// The template, e.g. `assigned`, `reply_to_sign`, `reminder_red`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// A path in the staff web app, e.g. /app/items/12.
    pub link: Option<String>,
    pub item_id: Option<i64>,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<NotificationOut>,
    pub total: i64,
    pub unread: i64,
    pub page: i64,
    pub per_page: i64,
}

/// A reminder the daily run owes: one clock in one colour.
struct Due {
    key: String,
    colour: Colour,
    clock: &'static str,
    due: String,
    item: ItemRow,
    unit_id: i64,
}

impl App {
    /// The actor's notifications, newest first, with how many are unread.
    pub async fn notifications(
        &self,
        actor: &Actor,
        page: i64,
        per_page: i64,
    ) -> AppResult<NotificationPage> {
        let (page, per_page) = crate::view::paging(Some(page), Some(per_page))?;
        self.follow_quietly().await;
        let mut tx = self.db.read().await?;
        let (rows, total, unread) =
            notices::page(&mut tx, actor.user_id, per_page, (page - 1) * per_page).await?;
        tx.commit().await?;
        let items = rows
            .into_iter()
            .map(|n| NotificationOut {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                item_id: n.item_id,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect();
        Ok(NotificationPage {
            items,
            total,
            unread,
            page,
            per_page,
        })
    }

    /// How many of the actor's notifications are unread (the badge in the web app).
    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        self.follow_quietly().await;
        Ok(notices::unread(&self.db.pool, actor.user_id).await?)
    }

    /// Marks the actor's own notifications read: the given ones, or all with `None`. Ids of
    /// other users' notifications are ignored. Returns how many changed.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        ids: Option<Vec<i64>>,
    ) -> AppResult<u64> {
        if let Some(ids) = &ids {
            if ids.is_empty() {
                return Ok(0);
            }
            if ids.len() > 1000 {
                return Err(AppError::bad("ids", "一次最多标记1000条通知"));
            }
        }
        let mut tx = self.begin().await?;
        let n = notices::mark_read(&mut tx, actor.user_id, ids.as_deref()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Admin: turns text messages on or off for this organisation (they are sent only when
    /// the server also has an SMS webhook configured).
    pub async fn set_sms_notifications(&self, actor: &Actor, enabled: bool) -> AppResult<()> {
        actor.require(Capability::Administer)?;
        let mut tx = self.begin().await?;
        notices::set_sms_enabled(&mut tx, self.org_id, enabled).await?;
        crate::events::record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                action: "sms_notifications_set",
                data: Some(serde_json::json!({"enabled": enabled})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sms_notifications_enabled(&self) -> AppResult<bool> {
        let mut tx = self.db.read().await?;
        let on = notices::sms_enabled(&mut tx, self.org_id).await?;
        tx.commit().await?;
        Ok(on)
    }

    /// Whether the daily reminder already ran on this day (on any instance).
    pub async fn daily_reminders_ran(&self, day: NaiveDate) -> AppResult<bool> {
        Ok(notices::reminders_ran(&self.db.pool, &iso(day)).await?)
    }

    /// The daily reminder: every open clock (an assignment's return window, first
    /// consultation, co-opinion and reply due dates, extended or re-handling ones included;
    /// a sent reply's evaluation due date) that is yellow or red today and has not been
    /// reminded in that colour yet notifies who must act — the unit's staff (the first
    /// proposer for an evaluation); red ones also the office. Running it again the same day
    /// (or on another instance) sends nothing new. Returns the notifications written.
    pub async fn send_daily_reminders(&self) -> AppResult<usize> {
        let today = self.today();
        let mut written = 0;
        // Page by page, so the sweep holds a page of open work in memory, not all of it (a
        // million items' open assignments with their items took a gigabyte).
        let mut after = Some(0);
        while let Some(id) = after {
            let (dues, next) = self.assignment_dues(today, id).await?;
            written += self.remind(today, dues).await?;
            after = next;
        }
        let mut after = Some(0);
        while let Some(id) = after {
            let (dues, next) = self.evaluation_dues(today, id).await?;
            written += self.remind(today, dues).await?;
            after = next;
        }
        let mut tx = self.begin().await?;
        notices::record_reminder_run(&mut tx, &iso(today), written as i64).await?;
        tx.commit().await?;
        if written > 0 {
            tracing::info!(written, day = %today, "daily reminders written");
        }
        Ok(written)
    }

    /// Notifies each of these clocks not yet reminded in its colour today.
    async fn remind(&self, today: NaiveDate, dues: Vec<Due>) -> AppResult<usize> {
        let mut written = 0;
        for d in dues {
            let mut tx = self.begin().await?;
            // The key claims the reminder: a second run (or instance) conflicts and skips.
            if !notices::claim_reminder(&mut tx, &d.key, colour_name(d.colour), &iso(today)).await?
            {
                tx.rollback().await?;
                continue;
            }
            let mut vars = vars_for(&d.item);
            vars.unit = unit_name(&mut tx, d.unit_id).await?;
            vars.clock = Some(d.clock.to_string());
            vars.due = Some(d.due.clone());
            let mut sends = Vec::new();
            match (d.clock, d.colour) {
                ("evaluation", Colour::Red) => sends.push((
                    "evaluation_lapsed_office",
                    notices::recipients(
                        &mut tx,
                        People::Office {
                            org_id: d.item.org_id,
                        },
                    )
                    .await?,
                )),
                ("evaluation", _) => sends.push((
                    "evaluation_reminder",
                    notices::recipients(&mut tx, People::User(d.item.first_proposer_id)).await?,
                )),
                (_, Colour::Red) => {
                    sends.push((
                        "reminder_red",
                        notices::recipients(
                            &mut tx,
                            People::Unit {
                                unit_id: d.unit_id,
                                role: Role::UnitStaff,
                            },
                        )
                        .await?,
                    ));
                    sends.push((
                        "reminder_red_office",
                        notices::recipients(
                            &mut tx,
                            People::Office {
                                org_id: d.item.org_id,
                            },
                        )
                        .await?,
                    ));
                }
                _ => sends.push((
                    "reminder_yellow",
                    notices::recipients(
                        &mut tx,
                        People::Unit {
                            unit_id: d.unit_id,
                            role: Role::UnitStaff,
                        },
                    )
                    .await?,
                )),
            }
            let mut seen = Vec::new();
            let at = tx.now();
            let sms = notices::sms_enabled(&mut tx, d.item.org_id).await?;
            written += deliver(
                &mut tx, &at, None, d.item.id, sms, None, sends, &vars, &mut seen,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(written)
    }

    /// The yellow and red clocks of a page of open assignments (after the id `after`),
    /// read in one snapshot (the writes come after), and the id the next page starts after.
    async fn assignment_dues(
        &self,
        today: NaiveDate,
        after: i64,
    ) -> AppResult<(Vec<Due>, Option<i64>)> {
        let mut tx = self.db.read().await?;
        let mut policies: HashMap<i64, Policy> = HashMap::new();
        let mut items: HashMap<i64, ItemRow> = HashMap::new();
        let mut out = Vec::new();
        let rows = notices::open_assignments(&mut tx, after, SWEEP_PAGE).await?;
        let next = next_page(rows.len(), rows.last().map(|a| a.id));
        let consulted = banli_store::assignments::context(&mut tx, &rows)
            .await?
            .consulted;
        for a in rows {
            let item = cached_item(&mut tx, &mut items, a.item_id).await?;
            let policy = cached_policy(&mut tx, &mut policies, item.org_id).await?;
            // The same clocks, coloured the same way, as the work queue shows.
            let view = crate::view::assignment_out(
                &policy,
                a.clone(),
                String::new(),
                item.number,
                item.title.clone(),
                consulted.contains(&a.id),
                today,
            );
            for c in view.clocks {
                if c.colour == Colour::Green {
                    continue;
                }
                let Some(clock) = CLOCK_LABELS.iter().map(|l| l.0).find(|n| *n == c.name) else {
                    continue;
                };
                out.push(Due {
                    key: format!("assignment:{}:{}:{}", a.id, c.name, c.due),
                    colour: c.colour,
                    clock,
                    due: c.due,
                    item: item.clone(),
                    unit_id: a.unit_id,
                });
            }
        }
        tx.commit().await?;
        Ok((out, next))
    }

    /// The yellow and red rating windows of a page of sent replies not yet rated, on items
    /// not closed (after the document id `after`), and the id the next page starts after.
    async fn evaluation_dues(
        &self,
        today: NaiveDate,
        after: i64,
    ) -> AppResult<(Vec<Due>, Option<i64>)> {
        let mut tx = self.db.read().await?;
        let mut policies: HashMap<i64, Policy> = HashMap::new();
        let mut items: HashMap<i64, ItemRow> = HashMap::new();
        let mut out = Vec::new();
        let rows = notices::unrated_replies(&mut tx, after, SWEEP_PAGE).await?;
        let next = next_page(rows.len(), rows.last().map(|r| r.document_id));
        for r in rows {
            let item = cached_item(&mut tx, &mut items, r.item_id).await?;
            let fraction = cached_policy(&mut tx, &mut policies, item.org_id)
                .await?
                .yellow_fraction;
            let colour = colour_with_threshold(r.sent_on, r.evaluation_due, today, fraction);
            if colour != Colour::Green {
                let due = iso(r.evaluation_due);
                out.push(Due {
                    key: format!("reply:{}:evaluation:{due}", r.document_id),
                    colour,
                    clock: "evaluation",
                    due,
                    item,
                    unit_id: r.unit_id,
                });
            }
        }
        tx.commit().await?;
        Ok((out, next))
    }
}

/// Rows read per page of the daily reminder's sweep.
const SWEEP_PAGE: i64 = 1_000;

/// The id the next page starts after: none once a page came back short.
fn next_page(rows: usize, last_id: Option<i64>) -> Option<i64> {
    if rows as i64 == SWEEP_PAGE {
        last_id
    } else {
        None
    }
}

async fn cached_item(
    tx: &mut Tx,
    items: &mut HashMap<i64, ItemRow>,
    id: i64,
) -> AppResult<ItemRow> {
    if let Some(i) = items.get(&id) {
        return Ok(i.clone());
    }
    let i = crate::load_item(tx, id).await?;
    items.insert(id, i.clone());
    Ok(i)
}

async fn cached_policy(
    tx: &mut Tx,
    policies: &mut HashMap<i64, Policy>,
    org_id: i64,
) -> AppResult<Policy> {
    if let Some(p) = policies.get(&org_id) {
        return Ok(p.clone());
    }
    let p = crate::load_policy(tx, org_id).await?;
    policies.insert(org_id, p.clone());
    Ok(p)
}

fn colour_name(c: Colour) -> &'static str {
    match c {
        Colour::Green => "green",
        Colour::Yellow => "yellow",
        Colour::Red => "red",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use banli_domain::notices::TEMPLATES;

    #[test]
    fn the_reminder_sweep_reads_on_until_a_page_comes_back_short() {
        assert_eq!(next_page(SWEEP_PAGE as usize, Some(4711)), Some(4711));
        assert_eq!(next_page(SWEEP_PAGE as usize - 1, Some(4711)), None);
        assert_eq!(next_page(0, None), None);
    }

    #[test]
    fn every_planned_template_and_clock_exists() {
        let actions = [
            "submitted",
            "returned",
            "filed",
            "not_filed",
            "merged",
            "assigned",
            "reopened",
            "rehandling",
            "return_approved",
            "return_refused",
            "extension_approved",
            "extension_refused",
            "return_requested",
            "extension_requested",
            "co_opinion_drafted",
            "reply_drafted",
            "co_opinion_rejected",
            "reply_rejected",
            "reply_check_rejected",
            "co_opinion_sent",
            "reply_sent",
            "evaluated",
            "delegated",
        ];
        for a in actions {
            for (_, kind) in plan(a, Some("checking")) {
                template(kind);
            }
        }
        for kind in [
            "reminder_yellow",
            "reminder_red",
            "reminder_red_office",
            "evaluation_reminder",
            "evaluation_lapsed_office",
            "email",
            "sms",
        ] {
            template(kind);
        }
        // Kinds are unique, so the table has one wording per kind.
        for (i, t) in TEMPLATES.iter().enumerate() {
            assert!(
                TEMPLATES[..i].iter().all(|o| o.kind != t.kind),
                "duplicate template {}",
                t.kind
            );
        }
    }

    fn vars() -> Vars {
        Vars {
            unit: "湖南省发展和改革委员会".into(),
            reason: Some("请补充数据".into()),
            ..Vars::new(ItemKind::Proposal, Some(239), "关于加快发展的提案".into())
        }
    }

    #[test]
    fn wording_follows_the_recipients_language() {
        let (title, body) = render("assigned", Lang::Hans, &vars());
        assert_eq!(title, "新交办：第0239号提案《关于加快发展的提案》");
        assert!(body.contains("已交湖南省发展和改革委员会办理"), "{body}");
        let (title, _) = render("assigned", Lang::Hant, &vars());
        assert_eq!(title, "新交辦：第0239號提案《關於加快發展的提案》");
        let (title, body) = render("assigned", Lang::En, &vars());
        assert_eq!(
            title,
            "New assignment: proposal No. 0239 “关于加快发展的提案”"
        );
        assert!(body.starts_with("proposal No. 0239"), "{body}");
        assert_eq!(Lang::parse("fr"), Lang::Hans);
    }

    #[test]
    fn reasons_and_clocks_are_filled_in() {
        let (_, body) = render("item_returned", Lang::Hans, &vars());
        assert!(body.ends_with("\n理由：请补充数据"), "{body}");
        let mut v = vars();
        v.reason = None;
        v.clock = Some("reply".into());
        v.due = Some("2023-06-01".into());
        let (title, body) = render("reminder_red", Lang::Hans, &v);
        assert_eq!(title, "已逾期：第0239号提案《关于加快发展的提案》");
        assert!(body.contains("答复期限（2023-06-01）已过"), "{body}");
        assert!(!body.contains('{'), "{body}");
        let (_, body) = render("reminder_yellow", Lang::En, &v);
        assert!(body.contains("reply due date"), "{body}");
    }

    #[test]
    fn an_unnumbered_suggestion_is_named_by_its_title() {
        let v = Vars::new(ItemKind::Suggestion, None, "关于广场舞的建议".into());
        assert_eq!(
            render("item_submitted", Lang::Hans, &v).0,
            "待审查：建议《关于广场舞的建议》"
        );
    }

    #[test]
    fn messages_frame_the_body_with_the_link() {
        let mail = email_text(
            "zh-Hans",
            "张三",
            "正文",
            "https://banli.example/app/items/1",
        );
        assert!(
            mail.starts_with("张三，您好：\n\n正文\n\n查看详情：https://banli.example/app/items/1"),
            "{mail}"
        );
        let hant = email_text("zh-Hant", "張三", "正文", "u");
        assert!(
            hant.contains("本郵件由提案建議辦理系統自動發送，請勿直接回"),
            "{hant}"
        );
        assert!(email_text("en", "Zhang", "Body", "u").starts_with("Dear Zhang,"));
        assert_eq!(
            sms_text("zh-Hans", "新交办：x", "u"),
            "新交办：x（详情：u）"
        );
    }
}
