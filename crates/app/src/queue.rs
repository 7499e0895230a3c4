//! "What needs me now": each role's work queue (the web app's landing page), as sections of
//! rows that link to the item, with the open clock's due date and colour where there is one.

use crate::view::{AssignmentOut, Clock};
use crate::{format_number, Actor, App, AppResult};
use banli_domain::clock::colour_with_threshold;
use banli_domain::model::{AssignmentRole, Role};
use banli_store::sqlx;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct QueueRow {
    pub item_id: i64,
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

fn item_row(id: i64, number: Option<i64>, title: String, detail: String) -> QueueRow {
    QueueRow {
        item_id: id,
        number: number.map(format_number),
        title,
        detail,
        clock: None,
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn assignment_row(a: &AssignmentOut, detail: String) -> QueueRow {
    let clock = a.clocks.iter().min_by(|x, y| x.due.cmp(&y.due)).cloned();
    QueueRow {
        item_id: a.item_id,
        number: a.item_number.clone(),
        title: a.item_title.clone(),
        detail,
        clock,
    }
}

impl App {
    async fn item_rows(&self, sql: &str, bind: i64) -> AppResult<Vec<QueueRow>> {
        let rows: Vec<(i64, Option<i64>, String, String)> = sqlx::query_as(sql)
            .bind(bind)
            .bind(LIMIT)
            .fetch_all(&self.db.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, n, t, d)| item_row(id, n, t, d))
            .collect())
    }

    /// Rows whose SQL also selects the clock's start, due date and whether it is provisional;
    /// `name` is the clock's (`evaluation`, `commitment`).
    async fn dated_rows(&self, sql: &str, bind: i64, name: &str) -> AppResult<Vec<QueueRow>> {
        type Row = (
            i64,
            Option<i64>,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(sql)
            .bind(bind)
            .bind(LIMIT)
            .fetch_all(&self.db.pool)
            .await?;
        let policy = self.policy(self.org_id).await?;
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|(id, n, t, d, start, due, provisional)| {
                let mut row = item_row(id, n, t, d);
                if let (Some(start), Some(due)) = (
                    start.as_deref().and_then(parse_day),
                    due.as_deref().and_then(parse_day),
                ) {
                    row.clock = Some(Clock {
                        name: name.to_string(),
                        due: crate::iso(due),
                        colour: colour_with_threshold(start, due, today, policy.yellow_fraction),
                        overdue: today > due,
                        provisional: provisional == 1,
                    });
                }
                row
            })
            .collect())
    }

    async fn assignment_rows(
        &self,
        sql: &str,
        bind: i64,
        detail: impl Fn(&AssignmentOut) -> String,
    ) -> AppResult<Vec<QueueRow>> {
        let ids: Vec<(i64,)> = sqlx::query_as(sql)
            .bind(bind)
            .bind(LIMIT)
            .fetch_all(&self.db.pool)
            .await?;
        let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
        let mut outs = self.assignments_by_id(&ids).await?;
        outs.sort_by(|a, b| {
            let due = |x: &AssignmentOut| {
                x.clocks
                    .iter()
                    .map(|c| c.due.clone())
                    .min()
                    .unwrap_or_else(|| "9999".into())
            };
            due(a).cmp(&due(b))
        });
        Ok(outs.iter().map(|a| assignment_row(a, detail(a))).collect())
    }

    /// The sections of the actor's work queue; empty sections are kept so the page can say "nothing here".
    pub async fn work_queue(&self, actor: &Actor) -> AppResult<Vec<QueueSection>> {
        let org = actor.org_id.unwrap_or(self.org_id);
        let unit = actor.unit_id.unwrap_or(-1);
        let role_name = |a: &AssignmentOut| {
            let role = match a.role {
                AssignmentRole::Lead => "主办",
                AssignmentRole::Co => "会办",
                AssignmentRole::Separate => "分办",
            };
            format!("{}（{role}）", a.unit_name)
        };
        let mut out = Vec::new();
        match actor.role {
            Role::Office => {
                out.push(QueueSection {
                    key: "to_file",
                    title: "待审查立案",
                    rows: self
                        .item_rows("SELECT i.id, i.number, i.title, COALESCE(i.collective_name, u.display_name) FROM items i JOIN users u ON u.id = i.first_proposer_id WHERE i.org_id = $1 AND i.state = 'submitted' ORDER BY i.submitted_on, i.id LIMIT $2", org)
                        .await?,
                });
                out.push(QueueSection {
                    key: "to_assign",
                    title: "待交办",
                    rows: self
                        .item_rows("SELECT i.id, i.number, i.title, COALESCE(c.name, '') FROM items i LEFT JOIN categories c ON c.id = i.category_id WHERE i.org_id = $1 AND i.state = 'filed' ORDER BY i.number LIMIT $2", org)
                        .await?,
                });
                out.push(QueueSection {
                    key: "adjustments",
                    title: "单位申请调整",
                    rows: self
                        .assignment_rows("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = $1 AND a.state = 'return_requested' ORDER BY a.id LIMIT $2", org, role_name)
                        .await?,
                });
                out.push(QueueSection {
                    key: "extensions",
                    title: "延期申请",
                    rows: self
                        .assignment_rows("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id JOIN extensions e ON e.assignment_id = a.id WHERE i.org_id = $1 AND e.state = 'pending' ORDER BY e.id LIMIT $2", org, role_name)
                        .await?,
                });
                out.push(QueueSection {
                    key: "to_check",
                    title: "待审核答复",
                    rows: self
                        .assignment_rows("SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id JOIN documents d ON d.assignment_id = a.id WHERE i.org_id = $1 AND d.state = 'checking' ORDER BY d.id LIMIT $2", org, role_name)
                        .await?,
                });
                out.push(QueueSection {
                    key: "to_publish",
                    title: "待公开审查的答复",
                    rows: self
                        .item_rows(
                            "SELECT i.id, i.number, i.title, un.name FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units un ON un.id = a.unit_id
                             WHERE i.org_id = $1 AND d.state = 'sent' AND d.disclosure IN ('public', 'summary') AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.document_id = d.id) ORDER BY d.sent_on, d.id LIMIT $2",
                            org,
                        )
                        .await?,
                });
                let today = crate::iso(self.today());
                let ids: Vec<(i64,)> = sqlx::query_as(
                    "SELECT a.id FROM assignments a JOIN items i ON i.id = a.item_id WHERE i.org_id = $1 AND a.state IN ('assigned', 'accepted', 'rehandling')
                     AND COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by) < $3 ORDER BY COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by, a.co_opinion_by) LIMIT $2",
                )
                .bind(org)
                .bind(LIMIT)
                .bind(today)
                .fetch_all(&self.db.pool)
                .await?;
                let ids: Vec<i64> = ids.into_iter().map(|(i,)| i).collect();
                let outs = self.assignments_by_id(&ids).await?;
                out.push(QueueSection {
                    key: "overdue",
                    title: "已逾期",
                    rows: outs
                        .iter()
                        .map(|a| assignment_row(a, role_name(a)))
                        .collect(),
                });
            }
            Role::UnitStaff => {
                out.push(QueueSection {
                    key: "new_assignments",
                    title: "新交办（请签收或在期限内申请调整）",
                    rows: self.assignment_rows("SELECT id FROM assignments WHERE unit_id = $1 AND state = 'assigned' ORDER BY return_by, id LIMIT $2", unit, role_name).await?,
                });
                out.push(QueueSection {
                    key: "co_opinions",
                    title: "待起草会办意见",
                    rows: self
                        .assignment_rows(
                            "SELECT a.id FROM assignments a WHERE a.unit_id = $1 AND a.role = 'co' AND a.state IN ('accepted', 'rehandling')
                             AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'co_opinion' AND d.state = 'draft') ORDER BY a.co_opinion_by, a.id LIMIT $2",
                            unit,
                            role_name,
                        )
                        .await?,
                });
                out.push(QueueSection {
                    key: "replies",
                    title: "待起草答复",
                    rows: self
                        .assignment_rows(
                            "SELECT a.id FROM assignments a WHERE a.unit_id = $1 AND a.role IN ('lead', 'separate') AND a.state IN ('accepted', 'rehandling')
                             AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.assignment_id = a.id AND d.kind = 'reply' AND d.state IN ('draft', 'checking')) ORDER BY COALESCE(a.rehandling_reply_by, a.extended_reply_by, a.reply_by), a.id LIMIT $2",
                            unit,
                            role_name,
                        )
                        .await?,
                });
                out.push(QueueSection {
                    key: "delegated",
                    title: "上级单位内部交办的工作",
                    rows: self
                        .assignment_rows(
                            "SELECT a.id FROM delegations d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
                             WHERE d.unit_id = $1 AND a.state IN ('accepted', 'rehandling') AND i.state IN ('handling', 'replied') ORDER BY d.due_on, a.id LIMIT $2",
                            unit,
                            role_name,
                        )
                        .await?,
                });
                out.push(QueueSection {
                    key: "commitments",
                    title: "待更新的承诺事项",
                    rows: self
                        .dated_rows(
                            "SELECT i.id, i.number, i.title, c.text, d.sent_on, c.due_on, 0 FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
                             WHERE c.unit_id = $1 AND c.status = 'open' AND d.state IN ('sent', 'superseded') ORDER BY c.due_on, c.id LIMIT $2",
                            unit,
                            "commitment",
                        )
                        .await?,
                });
            }
            Role::UnitSigner => {
                out.push(QueueSection {
                    key: "to_approve",
                    title: "待签发",
                    rows: self
                        .assignment_rows(
                            "SELECT a.id FROM assignments a JOIN documents d ON d.assignment_id = a.id WHERE a.unit_id = $1 AND d.state = 'draft' ORDER BY d.updated_at, d.id LIMIT $2",
                            unit,
                            |a| format!("{}（{}）", if a.role.owes_reply() { "答复" } else { "会办意见" }, a.unit_name),
                        )
                        .await?,
                });
            }
            Role::Proposer => {
                let me = actor.user_id;
                out.push(QueueSection {
                    key: "drafts",
                    title: "草稿和退回修改的提案",
                    rows: self
                        .item_rows("SELECT i.id, i.number, i.title, i.state FROM items i WHERE i.first_proposer_id = $1 AND i.state IN ('draft', 'returned') ORDER BY i.updated_at DESC LIMIT $2", me)
                        .await?,
                });
                out.push(QueueSection {
                    key: "cosign",
                    title: "邀请我联名",
                    rows: self
                        .item_rows(
                            "SELECT i.id, i.number, i.title, u.display_name FROM item_proposers p JOIN items i ON i.id = p.item_id JOIN users u ON u.id = i.first_proposer_id
                             WHERE p.user_id = $1 AND p.status = 'invited' AND i.state IN ('draft', 'submitted', 'returned') ORDER BY i.id LIMIT $2",
                            me,
                        )
                        .await?,
                });
                out.push(QueueSection {
                    key: "to_rate",
                    title: "待评价的答复",
                    rows: self
                        .dated_rows(
                            "SELECT i.id, i.number, i.title, un.name, d.sent_on, d.evaluation_due, d.evaluation_provisional FROM documents d JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id JOIN units un ON un.id = a.unit_id
                             WHERE i.first_proposer_id = $1 AND d.kind = 'reply' AND d.state = 'sent' AND i.state <> 'closed' AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.document_id = d.id) ORDER BY d.sent_on, d.id LIMIT $2",
                            me,
                            "evaluation",
                        )
                        .await?,
                });
                out.push(QueueSection {
                    key: "commitments",
                    title: "答复中的承诺事项",
                    rows: self
                        .dated_rows(
                            "SELECT i.id, i.number, i.title, c.text || '（' || c.percent || '%）', d.sent_on, c.due_on, 0 FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id JOIN items i ON i.id = a.item_id
                             JOIN item_proposers p ON p.item_id = i.id WHERE p.user_id = $1 AND p.status IN ('first', 'confirmed', 'paper') AND c.status = 'open' AND d.state IN ('sent', 'superseded') ORDER BY c.due_on, c.id LIMIT $2",
                            me,
                            "commitment",
                        )
                        .await?,
                });
            }
            Role::Admin => {}
        }
        Ok(out)
    }
}
