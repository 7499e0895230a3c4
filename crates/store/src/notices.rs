//! Notifications in the web app, the outgoing e-mails and text messages they queue, and the
//! daily reminder's bookkeeping.

use crate::rows::{all_typed, date, AssignmentRow, ASSIGNMENT_COLS};
use crate::{Error, Sql, Tx};
use banli_domain::model::Role;
use banli_domain::notices::Audience;
use chrono::NaiveDate;
use sqlx::AnyPool;

/// Who a notification goes to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: i64,
    pub display_name: String,
    pub locale: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The groups of people a step can hand work to (each an active user's id set).
pub enum People {
    User(i64),
    Office {
        org_id: i64,
    },
    Unit {
        unit_id: i64,
        role: Role,
    },
    /// The item's proposers whose co-signature is in one of these states.
    Proposers {
        item_id: i64,
        statuses: &'static [&'static str],
    },
    /// The first proposers of the items merged into this one.
    MergedProposers {
        item_id: i64,
    },
    /// The staff of the item's live lead unit.
    LeadUnitStaff {
        item_id: i64,
    },
}

pub async fn recipients(tx: &mut Tx, who: People) -> Result<Vec<Recipient>, Error> {
    let mut sql = Sql::new(
        "SELECT u.id, u.display_name, u.locale, u.email, u.phone FROM users u WHERE u.disabled = 0 AND ",
    );
    match who {
        People::User(id) => {
            sql.push("u.id = ").bind(id);
        }
        People::Office { org_id } => {
            sql.push("u.role = 'office' AND u.org_id = ").bind(org_id);
        }
        People::Unit { unit_id, role } => {
            sql.push("u.role = ")
                .bind(role.as_str())
                .push(" AND u.unit_id = ")
                .bind(unit_id);
        }
        People::Proposers { item_id, statuses } => {
            sql.push("u.id IN (SELECT p.user_id FROM item_proposers p WHERE p.item_id = ")
                .bind(item_id)
                .push(" AND p.status IN ")
                .bind_list(statuses.iter().copied())
                .push(")");
        }
        People::MergedProposers { item_id } => {
            sql.push("u.id IN (SELECT m.first_proposer_id FROM items m WHERE m.merged_into = ")
                .bind(item_id)
                .push(")");
        }
        People::LeadUnitStaff { item_id } => {
            sql.push("u.role = 'unit_staff' AND u.unit_id IN (SELECT l.unit_id FROM assignments l WHERE l.item_id = ")
                .bind(item_id)
                .push(" AND l.role = 'lead' AND l.state <> 'returned')");
        }
    }
    sql.push(" ORDER BY u.id");
    sql.query_as::<Recipient>().fetch_all(&mut **tx).await
}

/// Where an event happened, as far as its audiences go.
pub struct Place {
    pub item_id: i64,
    pub org_id: i64,
    pub first_proposer_id: i64,
    /// The unit of the event's assignment.
    pub unit_id: Option<i64>,
    /// The sub-unit the step delegated to.
    pub delegated_to: Option<i64>,
}

/// The active users an audience of `banli_domain::notices` stands for at this place.
pub async fn audience(tx: &mut Tx, who: Audience, at: &Place) -> Result<Vec<Recipient>, Error> {
    use Audience::*;
    let item_id = at.item_id;
    let unit = |unit_id: Option<i64>, role| unit_id.map(|unit_id| People::Unit { unit_id, role });
    let people = match who {
        Office => Some(People::Office { org_id: at.org_id }),
        InvitedCosigners => Some(People::Proposers {
            item_id,
            statuses: &["invited"],
        }),
        FirstProposer => Some(People::User(at.first_proposer_id)),
        Proposers => Some(People::Proposers {
            item_id,
            statuses: &["first", "confirmed", "paper"],
        }),
        CopyRecipients => {
            let mut out = recipients(
                tx,
                People::Proposers {
                    item_id,
                    statuses: &["confirmed", "paper"],
                },
            )
            .await?;
            out.extend(recipients(tx, People::MergedProposers { item_id }).await?);
            return Ok(out);
        }
        UnitStaff => unit(at.unit_id, Role::UnitStaff),
        UnitSigners => unit(at.unit_id, Role::UnitSigner),
        LeadUnitStaff => Some(People::LeadUnitStaff { item_id }),
        DelegateStaff => unit(at.delegated_to, Role::UnitStaff),
    };
    match people {
        Some(p) => recipients(tx, p).await,
        None => Ok(vec![]),
    }
}

/// These users, if still active (the recipients a step's handover named).
pub async fn recipients_by_ids(tx: &mut Tx, ids: &[i64]) -> Result<Vec<Recipient>, Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut sql = Sql::new(
        "SELECT u.id, u.display_name, u.locale, u.email, u.phone FROM users u WHERE u.disabled = 0 AND u.id IN ",
    );
    sql.bind_list(ids.iter().copied()).push(" ORDER BY u.id");
    sql.query_as::<Recipient>().fetch_all(&mut **tx).await
}

/// Whether the organisation sends text messages.
pub async fn sms_enabled(tx: &mut Tx, org_id: i64) -> Result<bool, Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT sms_enabled FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some_and(|(f,)| f == 1))
}

pub async fn set_sms_enabled(tx: &mut Tx, org_id: i64, enabled: bool) -> Result<(), Error> {
    sqlx::query("UPDATE organisations SET sms_enabled = $1 WHERE id = $2")
        .bind(enabled as i64)
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A notification to write.
pub struct NewNotice<'a> {
    pub user_id: i64,
    pub event_id: Option<i64>,
    pub item_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    /// When what it tells of happened (the event's instant).
    pub at: &'a str,
}

pub async fn insert(tx: &mut Tx, n: &NewNotice<'_>) -> Result<i64, Error> {
    let (id,): (i64,) = sqlx::query_as("INSERT INTO notifications (user_id, event_id, item_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(n.user_id)
        .bind(n.event_id)
        .bind(n.item_id)
        .bind(n.kind)
        .bind(n.title)
        .bind(n.body)
        .bind(n.link)
        .bind(n.at)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

/// Queues an e-mail or text message of a notification, due at the transaction's instant.
pub async fn queue_message(
    tx: &mut Tx,
    channel: &str,
    to: &str,
    r: &Recipient,
    n: &NewNotice<'_>,
    notification_id: i64,
) -> Result<(), Error> {
    // Due by the wall clock the deliverer claims by (not the app's, which tests move).
    let now = crate::now_ts();
    sqlx::query(
        "INSERT INTO outgoing_messages (channel, recipient, recipient_name, locale, subject, body, link, notification_id, state, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $9, $10)",
    )
    .bind(channel)
    .bind(to)
    .bind(&r.display_name)
    .bind(&r.locale)
    .bind(n.title)
    .bind(n.body)
    .bind(n.link)
    .bind(notification_id)
    .bind(&now)
    .bind(n.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notification as the web app lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub item_id: Option<i64>,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A page of the user's notifications, newest first, with the total and the unread count.
pub async fn page(
    tx: &mut Tx,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<NoticeRow>, i64, i64), Error> {
    let (total, unread): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) FROM notifications WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    let rows = sqlx::query_as::<_, NoticeRow>("SELECT id, kind, title, body, link, item_id, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3")
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut **tx)
        .await?;
    Ok((rows, total, unread))
}

pub async fn unread(pool: &AnyPool, user_id: i64) -> Result<i64, Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Marks the unread notifications of this kind on an item read, at `at` (the work they asked
/// for is done): everyone's, or only those of the users of `unit_id`.
pub async fn settle(
    tx: &mut Tx,
    item_id: i64,
    kind: &str,
    unit_id: Option<i64>,
    at: &str,
) -> Result<u64, Error> {
    let mut sql = Sql::new("UPDATE notifications SET read_at = ");
    sql.bind(at.to_string())
        .push(" WHERE read_at IS NULL AND item_id = ")
        .bind(item_id)
        .push(" AND kind = ")
        .bind(kind.to_string());
    if let Some(u) = unit_id {
        sql.push(" AND user_id IN (SELECT id FROM users WHERE unit_id = ")
            .bind(u)
            .push(")");
    }
    Ok(sql.query().execute(&mut **tx).await?.rows_affected())
}

/// Marks the user's own unread notifications read: these ids, or all with `None`.
pub async fn mark_read(tx: &mut Tx, user_id: i64, ids: Option<&[i64]>) -> Result<u64, Error> {
    let mut sql = Sql::new("UPDATE notifications SET read_at = ");
    sql.bind(tx.now())
        .push(" WHERE read_at IS NULL AND user_id = ")
        .bind(user_id);
    if let Some(ids) = ids {
        sql.push(" AND id IN ").bind_list(ids.iter().copied());
    }
    Ok(sql.query().execute(&mut **tx).await?.rows_affected())
}

pub async fn reminders_ran(pool: &AnyPool, day: &str) -> Result<bool, Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT day FROM reminder_runs WHERE day = $1")
        .bind(day)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

/// Claims one clock's reminder in one colour: false when a run (on any instance) already
/// sent it.
pub async fn claim_reminder(
    tx: &mut Tx,
    key: &str,
    colour: &str,
    day: &str,
) -> Result<bool, Error> {
    Ok(sqlx::query("INSERT INTO clock_reminders (clock_key, colour, reminded_on) VALUES ($1, $2, $3) ON CONFLICT (clock_key, colour) DO NOTHING")
        .bind(key)
        .bind(colour)
        .bind(day)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}

pub async fn record_reminder_run(tx: &mut Tx, day: &str, written: i64) -> Result<(), Error> {
    let now = crate::now_ts();
    sqlx::query("INSERT INTO reminder_runs (day, ran_at, notifications) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET ran_at = excluded.ran_at, notifications = reminder_runs.notifications + excluded.notifications")
        .bind(day)
        .bind(now)
        .bind(written)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Open work on items in handling: the assignments whose clocks the daily reminder watches,
/// up to `limit` of them after the id `after`, in id order.
pub async fn open_assignments(
    tx: &mut Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<AssignmentRow>, Error> {
    let cols = ASSIGNMENT_COLS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols} FROM assignments a JOIN items i ON i.id = a.item_id
         WHERE i.state IN ('handling', 'replied') AND a.state IN ('assigned', 'accepted', 'return_requested', 'rehandling')
         AND a.id > $1 ORDER BY a.id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    all_typed("assignments", rows)
}

/// A sent reply not yet rated, on an item not closed.
pub struct Unrated {
    pub document_id: i64,
    pub item_id: i64,
    pub unit_id: i64,
    pub sent_on: NaiveDate,
    pub evaluation_due: NaiveDate,
}

/// Up to `limit` of them after the document id `after`, in id order.
pub async fn unrated_replies(tx: &mut Tx, after: i64, limit: i64) -> Result<Vec<Unrated>, Error> {
    let rows: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
        "SELECT d.id, a.item_id, a.unit_id, d.sent_on, d.evaluation_due FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
         WHERE d.kind = 'reply' AND d.state = 'sent' AND d.evaluation_due IS NOT NULL AND d.sent_on IS NOT NULL AND i.state <> 'closed'
         AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.document_id = d.id)
         AND d.id > $1 ORDER BY d.id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(document_id, item_id, unit_id, sent, due)| {
            let bad = |e: Error| {
                Error::Decode(format!("documents 表 id={document_id} 的数据无法读取：{e}").into())
            };
            Ok(Unrated {
                document_id,
                item_id,
                unit_id,
                sent_on: date(&sent).map_err(bad)?,
                evaluation_due: date(&due).map_err(bad)?,
            })
        })
        .collect()
}

/// An e-mail or text message waiting to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub recipient_name: Option<String>,
    pub locale: String,
    pub subject: String,
    pub body: String,
    pub link: Option<String>,
    pub attempts: i64,
}

/// Takes up to `limit` due messages of these channels for `token` alone until `until`.
/// Rows are picked and marked in one statement: on PostgreSQL a row another instance claimed
/// meanwhile fails the re-checked condition; SQLite runs one writer at a time.
pub async fn claim_outgoing(
    db: &crate::Db,
    token: &str,
    until: &str,
    channels: &[&str],
    limit: i64,
) -> Result<Vec<Outgoing>, Error> {
    let mut tx = db.begin().await?;
    let now = tx.now();
    // Caught mid-send by a crash: perhaps delivered, so never sent again automatically.
    sqlx::query(
        "UPDATE outgoing_messages SET state = 'failed', last_error = $1, claimed_by = NULL, claimed_until = NULL
         WHERE state = 'sending' AND claimed_until < $2",
    )
    .bind(INTERRUPTED)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let mut sql = Sql::new("UPDATE outgoing_messages SET claimed_by = ");
    sql.bind(token).push(", claimed_until = ").bind(until);
    sql.push(" WHERE state = 'queued' AND (claimed_until IS NULL OR claimed_until < ")
        .bind(now.clone())
        .push(")");
    sql.push(" AND id IN (SELECT id FROM outgoing_messages WHERE state = 'queued' AND next_attempt_at <= ").bind(now.clone());
    sql.push(" AND (claimed_until IS NULL OR claimed_until < ")
        .bind(now)
        .push(") AND channel IN ")
        .bind_list(channels.iter().copied());
    sql.push(" ORDER BY next_attempt_at, id LIMIT ")
        .bind(limit)
        .push(")");
    sql.query().execute(&mut *tx).await?;
    let rows = sqlx::query("SELECT id, channel, recipient, recipient_name, locale, subject, body, link, attempts FROM outgoing_messages WHERE claimed_by = $1 AND state = 'queued' ORDER BY id")
        .bind(token)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    all_typed("outgoing_messages", rows)
}

/// Why a message caught mid-send by a crash was not sent again.
pub const INTERRUPTED: &str = "发送过程中实例意外停止，可能已送达；为免重复，不再自动重发";

/// Marks a claimed message as being handed over now (its own commit, before the hand-over);
/// false when it is no longer `queued` (another instance took it after this claim expired).
pub async fn start_sending(db: &crate::Db, id: i64) -> Result<bool, Error> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE outgoing_messages SET state = 'sending' WHERE id = $1 AND state = 'queued'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// Records how a send ended: `sent`, `failed`, or `queued` again (due at `next`).
pub async fn finish_outgoing(
    db: &crate::Db,
    id: i64,
    state: &str,
    error: Option<&str>,
    next: Option<&str>,
) -> Result<(), Error> {
    let mut tx = db.begin().await?;
    let now = tx.now();
    sqlx::query(
        "UPDATE outgoing_messages SET state = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at),
         sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END, claimed_by = NULL, claimed_until = NULL WHERE id = $5",
    )
    .bind(state)
    .bind(error)
    .bind(next)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes every queued message due now.
pub async fn retry_all_now(db: &crate::Db) -> Result<u64, Error> {
    let mut tx = db.begin().await?;
    let now = tx.now();
    let n = sqlx::query("UPDATE outgoing_messages SET next_attempt_at = $1 WHERE state = 'queued' AND next_attempt_at > $1")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Deletes e-mails and text messages sent before `before` (the notifications in the app stay;
/// messages that failed are kept for the operator). Returns the messages deleted.
pub async fn prune_sent(tx: &mut Tx, before: &str) -> Result<u64, Error> {
    Ok(
        sqlx::query("DELETE FROM outgoing_messages WHERE state = 'sent' AND sent_at < $1")
            .bind(before)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}
