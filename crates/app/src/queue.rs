//! "What needs me now": each role's work queue (the web app's landing page), as sections of
//! rows that link to the item, with the open clock's due date and colour where there is one.

use crate::view::{AssignmentOut, Clock};
use crate::{Actor, App, AppResult};
use banli_domain::clock::colour_with_threshold;
use banli_domain::model::{AssignmentRole, Role};
use banli_domain::policy::Policy;
use banli_store::queues::{self, DatedSection, ItemSection, WorkSection};
use banli_store::Tx;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct QueueRow {
    pub item_id: i64,
    /// The case number with its session (十三届二次会议第0097号): a queue mixes sessions.
    pub number: Option<String>,
    pub title: String,
    /// The unit, proposer or document the row is about.
    pub detail: String,
    /// The clock that matters most for this row (the earliest open one).
    pub clock: Option<Clock>,
}

#[derive(Debug, Serialize)]
pub struct QueueSection {
    /// Stable key (tests and anchors): `to_file`, `new_assignments` …
    pub key: &'static str,
    pub title: &'static str,
    pub rows: Vec<QueueRow>,
}

/// Rows per section on the landing page; the lists behind them page through the rest.
const LIMIT: i64 = 50;

/// A row about an item; its case number is filled in for the whole queue at once.
fn item_row(id: i64, title: String, detail: String) -> QueueRow {
    QueueRow {
        item_id: id,
        number: None,
        title,
        detail,
        clock: None,
    }
}

fn assignment_row(a: &AssignmentOut, detail: String) -> QueueRow {
    let clock = a.clocks.iter().min_by(|x, y| x.due.cmp(&y.due)).cloned();
    QueueRow {
        item_id: a.item_id,
        number: a.item_case_number.clone(),
        title: a.item_title.clone(),
        detail,
        clock,
    }
}

/// What the sections read: one snapshot, the organisation's policy and today.
struct Reader<'a> {
    app: &'a App,
    tx: Tx,
    policy: Policy,
    today: NaiveDate,
}

impl Reader<'_> {
    async fn items(&mut self, s: ItemSection) -> AppResult<Vec<QueueRow>> {
        Ok(queues::items(&mut self.tx, s, LIMIT)
            .await?
            .into_iter()
            .map(|l| item_row(l.item_id, l.title, l.detail))
            .collect())
    }

    /// Rows with a clock of their own; `name` is the clock's (`evaluation`, `commitment`).
    async fn dated(&mut self, s: DatedSection, name: &str) -> AppResult<Vec<QueueRow>> {
        let (today, fraction) = (self.today, self.policy.yellow_fraction);
        Ok(queues::dated(&mut self.tx, s, LIMIT)
            .await?
            .into_iter()
            .map(|d| {
                let l = d.line;
                let mut row = item_row(l.item_id, l.title, l.detail);
                if let (Some(start), Some(due)) = (d.start, d.due) {
                    row.clock = Some(Clock {
                        name: name.to_string(),
                        due: crate::iso(due),
                        colour: colour_with_threshold(start, due, today, fraction),
                        overdue: today > due,
                        provisional: d.provisional,
                    });
                }
                row
            })
            .collect())
    }

    /// Assignment rows, the earliest clock first (`sorted`) or in the section's own order.
    async fn work(
        &mut self,
        s: WorkSection,
        sorted: bool,
        detail: impl Fn(&AssignmentOut) -> String,
    ) -> AppResult<Vec<QueueRow>> {
        let ids = queues::assignments(&mut self.tx, s, LIMIT).await?;
        let mut rows = banli_store::assignments::by_ids(&mut self.tx, &ids).await?;
        // `by_ids` reads in id order; keep the section's.
        rows.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
        let mut outs = self
            .app
            .assignment_outs(&mut self.tx, &self.policy, rows, self.today)
            .await?;
        if sorted {
            let due = |x: &AssignmentOut| {
                x.clocks
                    .iter()
                    .map(|c| c.due.clone())
                    .min()
                    .unwrap_or_else(|| "9999".into())
            };
            outs.sort_by_key(due);
        }
        Ok(outs.iter().map(|a| assignment_row(a, detail(a))).collect())
    }
}

impl App {
    /// The sections of the actor's work queue; empty sections are kept so the page can say "nothing here".
    pub async fn work_queue(&self, actor: &Actor) -> AppResult<Vec<QueueSection>> {
        let org_id = actor.org_id.unwrap_or(self.org_id);
        let unit_id = actor.unit_id.unwrap_or(-1);
        let user_id = actor.user_id;
        let role_name = |a: &AssignmentOut| {
            let role = match a.role {
                AssignmentRole::Lead => "主办",
                AssignmentRole::Co => "会办",
                AssignmentRole::Separate => "分办",
            };
            format!("{}（{role}）", a.unit_name)
        };
        // The signer's rows: which document awaits signing, for which unit.
        let signed_doc = |a: &AssignmentOut| {
            let doc = if a.role.owes_reply() {
                "答复"
            } else {
                "会办意见"
            };
            format!("{doc}（{}）", a.unit_name)
        };
        let mut tx = self.db.read().await?;
        let policy = crate::load_policy(&mut tx, org_id).await?;
        let mut r = Reader {
            app: self,
            tx,
            policy,
            today: self.today(),
        };
        let today = r.today;
        let section = |key, title, rows| QueueSection { key, title, rows };
        let out = match actor.role {
            Role::Office => vec![
                section(
                    "to_file",
                    "待审查立案",
                    r.items(ItemSection::ToFile { org_id }).await?,
                ),
                section(
                    "to_assign",
                    "待交办",
                    r.items(ItemSection::ToAssign { org_id }).await?,
                ),
                section(
                    "adjustments",
                    "单位申请调整",
                    r.work(WorkSection::Adjustments { org_id }, true, role_name)
                        .await?,
                ),
                section(
                    "extensions",
                    "延期申请",
                    r.work(WorkSection::Extensions { org_id }, true, role_name)
                        .await?,
                ),
                section(
                    "to_check",
                    "待审核答复",
                    r.work(WorkSection::ToCheck { org_id }, true, role_name)
                        .await?,
                ),
                section(
                    "to_publish",
                    "待公开审查的答复",
                    r.items(ItemSection::ToPublish { org_id }).await?,
                ),
                section(
                    "overdue",
                    "已逾期",
                    r.work(WorkSection::Overdue { org_id, today }, false, role_name)
                        .await?,
                ),
            ],
            Role::UnitStaff => vec![
                section(
                    "new_assignments",
                    "新交办（请签收或在期限内申请调整）",
                    r.work(WorkSection::NewAssignments { unit_id }, true, role_name)
                        .await?,
                ),
                section(
                    "co_opinions",
                    "待起草会办意见",
                    r.work(WorkSection::CoOpinions { unit_id }, true, role_name)
                        .await?,
                ),
                section(
                    "replies",
                    "待起草答复",
                    r.work(WorkSection::Replies { unit_id }, true, role_name)
                        .await?,
                ),
                section(
                    "delegated",
                    "上级单位内部交办的工作",
                    r.work(WorkSection::Delegated { unit_id }, true, role_name)
                        .await?,
                ),
                section(
                    "commitments",
                    "待更新的承诺事项",
                    r.dated(DatedSection::UnitCommitments { unit_id }, "commitment")
                        .await?,
                ),
            ],
            Role::UnitSigner => vec![
                section(
                    "to_approve",
                    "待签发",
                    r.work(WorkSection::ToApprove { unit_id }, true, signed_doc)
                        .await?,
                ),
                section(
                    "awaiting_co_opinions",
                    "待会办（会办意见齐备后方能签发）",
                    r.work(
                        WorkSection::AwaitingCoOpinions { unit_id },
                        true,
                        signed_doc,
                    )
                    .await?,
                ),
            ],
            Role::Proposer => vec![
                section(
                    "drafts",
                    "草稿和退回修改的提案",
                    r.items(ItemSection::Drafts { user_id }).await?,
                ),
                section(
                    "cosign",
                    "邀请我联名",
                    r.items(ItemSection::Cosign { user_id }).await?,
                ),
                section(
                    "to_rate",
                    "待评价的答复",
                    r.dated(DatedSection::ToRate { user_id }, "evaluation")
                        .await?,
                ),
                section(
                    "commitments",
                    "答复中的承诺事项",
                    r.dated(DatedSection::ProposerCommitments { user_id }, "commitment")
                        .await?,
                ),
            ],
            Role::Admin => vec![],
        };
        // Rows about items get their case numbers in one query (assignment rows carry theirs).
        let mut out = out;
        let ids: Vec<i64> = out
            .iter()
            .flat_map(|s| s.rows.iter().filter(|r| r.number.is_none()))
            .map(|r| r.item_id)
            .collect();
        let numbers = crate::case_numbers(&mut r.tx, &ids).await?;
        for row in out.iter_mut().flat_map(|s| s.rows.iter_mut()) {
            if row.number.is_none() {
                row.number = numbers.get(&row.item_id).cloned();
            }
        }
        r.tx.commit().await?;
        Ok(out)
    }
}
