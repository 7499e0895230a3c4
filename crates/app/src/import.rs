//! `banli import`: a session's items from an office spreadsheet (DESIGN §9 import columns),
//! all or nothing. Every row is checked first and every problem reported with its row,
//! column and reason; only a clean file is written, in one transaction, so a failure or a
//! kill half-way leaves the database as it was.

use crate::events::{record, Event};
use crate::rows::*;
use crate::{Actor, App, AppError, AppResult};
use banli_docs::Table;
use banli_domain::limits::{BODY_MAX, TITLE_MAX};
use banli_domain::model::{AssignmentRole, ItemState, Origin};
use banli_domain::paper;
use banli_domain::rights::Capability;
use banli_store::import as store;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub const COLUMNS: &[&str] = &[
    "案号",
    "标题",
    "提案人",
    "提出方式",
    "类别",
    "内容",
    "提交日期",
    "主办单位",
    "会办单位",
    "分办单位",
];
const REQUIRED: &[&str] = &["标题", "提案人", "提出方式", "内容", "提交日期"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportIssue {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub filed: usize,
    pub submitted: usize,
    pub assignments: usize,
    pub dry_run: bool,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file has problems; nothing was written.
    Rows(Vec<ImportIssue>),
    App(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::App(e)
    }
}

impl From<banli_store::Error> for ImportError {
    fn from(e: banli_store::Error) -> Self {
        ImportError::App(e.into())
    }
}

/// A checked row, ready to write.
struct Row {
    number: Option<i64>,
    title: String,
    body: String,
    origin: Origin,
    collective: Option<String>,
    proposers: Vec<i64>,
    category_id: Option<i64>,
    submitted_on: NaiveDate,
    lead: Option<i64>,
    co: Vec<i64>,
    separate: Vec<i64>,
}

fn push(issues: &mut Vec<ImportIssue>, row: usize, column: &str, reason: String) {
    issues.push(ImportIssue {
        row,
        column: column.to_string(),
        reason,
    });
}

impl App {
    /// Checks (and unless `dry_run`, writes) a table of items for `session_id`.
    /// How large a spreadsheet this organisation takes in one import (its policy).
    pub async fn import_limits(&self) -> AppResult<banli_docs::Limits> {
        let p = self.policy(self.org_id).await?;
        Ok(banli_docs::Limits {
            max_inflated_bytes: u64::from(p.import_max_inflated_mib) << 20,
            max_cells: u64::from(p.import_max_cells),
        })
    }

    pub async fn import_items(
        &self,
        actor: &Actor,
        session_id: i64,
        table: &Table,
        dry_run: bool,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<ImportReport, ImportError> {
        actor.require(Capability::ImportItems)?;
        let mut issues = Vec::new();
        for h in &table.headers {
            if !COLUMNS.contains(&h.as_str()) {
                push(
                    &mut issues,
                    1,
                    h,
                    format!("多余的列“{h}”；允许的列：{}", COLUMNS.join("、")),
                );
            }
        }
        for c in REQUIRED {
            if !table.headers.iter().any(|h| h == c) {
                push(&mut issues, 1, c, "缺少这一列".into());
            }
        }
        let session = {
            let mut tx = self.db.read().await?;
            let s = crate::load_session(&mut tx, session_id).await?;
            tx.commit().await?;
            s
        };
        let Some(session) = session.filter(|s| s.org_id == self.org_id) else {
            return Err(AppError::rule("session", format!("届次会议 {session_id} 不存在")).into());
        };
        if session.closed_on.is_some() {
            return Err(AppError::rule("session", crate::items::SESSION_CLOSED).into());
        }
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        // Look-up tables, once.
        let users = store::members(&self.db.pool, self.org_id).await?;
        let units = self.list_units().await?;
        let categories: HashMap<String, i64> = self
            .categories()
            .await?
            .into_iter()
            .map(|(id, n)| (n, id))
            .collect();
        let taken: BTreeSet<i64> = store::numbers_taken(&self.db.pool, session_id)
            .await?
            .into_iter()
            .collect();
        let today = self.today();
        let person = |name: &str| -> Result<i64, String> {
            let by_user: Vec<i64> = users.iter().filter(|u| u.1 == name).map(|u| u.0).collect();
            let by_name: Vec<i64> = users.iter().filter(|u| u.2 == name).map(|u| u.0).collect();
            match (by_user.as_slice(), by_name.as_slice()) {
                ([id], _) | ([], [id]) => Ok(*id),
                ([], []) => Err(format!("找不到委员“{name}”")),
                _ => Err(format!("“{name}”对应多位委员，请改用用户名")),
            }
        };
        let unit = |name: &str| {
            units
                .iter()
                .find(|u| u.name == name || u.short_name.as_deref() == Some(name))
                .map(|u| u.id)
                .ok_or_else(|| format!("找不到承办单位“{name}”"))
        };
        let mut seen_numbers: BTreeMap<i64, usize> = BTreeMap::new();
        let mut rows = Vec::with_capacity(table.rows.len());
        for (i, r) in table.rows.iter().enumerate() {
            let n = Table::row_number(i);
            let get = |c: &str| table.get(r, c).trim().to_string();
            let number = match get("案号") {
                s if s.is_empty() => None,
                s => match paper::case_number(&s) {
                    None => {
                        push(&mut issues, n, "案号", format!("“{s}”不是有效的案号"));
                        None
                    }
                    Some(x) if taken.contains(&x) => {
                        push(
                            &mut issues,
                            n,
                            "案号",
                            format!("案号 {x:04} 已被本届次其他提案使用"),
                        );
                        None
                    }
                    Some(x) => {
                        if let Some(first) = seen_numbers.insert(x, n) {
                            push(
                                &mut issues,
                                n,
                                "案号",
                                format!("案号 {x:04} 与第{first}行重复"),
                            );
                        }
                        Some(x)
                    }
                },
            };
            let title = get("标题");
            if title.is_empty() {
                push(&mut issues, n, "标题", "标题为空".into())
            } else if title.chars().count() > TITLE_MAX {
                push(&mut issues, n, "标题", format!("标题超过{TITLE_MAX}个字符"))
            }
            let body = get("内容");
            if body.is_empty() {
                push(&mut issues, n, "内容", "内容为空".into())
            } else if body.chars().count() > BODY_MAX {
                push(&mut issues, n, "内容", format!("内容超过{BODY_MAX}个字符"))
            }
            let origin = match get("提出方式").as_str() {
                "个人" => Some(Origin::Individual),
                "联名" => Some(Origin::Joint),
                "集体" => Some(Origin::Collective),
                other => {
                    push(
                        &mut issues,
                        n,
                        "提出方式",
                        format!("“{other}”应为 个人、联名 或 集体"),
                    );
                    None
                }
            };
            let mut names = paper::names(&get("提案人"));
            // A collective item names the body first, then the contact member who acts for it.
            let collective =
                (origin == Some(Origin::Collective) && !names.is_empty()).then(|| names.remove(0));
            let mut proposers = Vec::new();
            for name in &names {
                match person(name) {
                    Ok(id) if proposers.contains(&id) => {
                        push(&mut issues, n, "提案人", format!("“{name}”重复"))
                    }
                    Ok(id) => proposers.push(id),
                    Err(e) => push(&mut issues, n, "提案人", e),
                }
            }
            match origin {
                _ if names.is_empty() => push(
                    &mut issues,
                    n,
                    "提案人",
                    if collective.is_some() {
                        "集体提案须在集体名称后写联系人".into()
                    } else {
                        "提案人为空".into()
                    },
                ),
                Some(Origin::Individual) if names.len() > 1 => push(
                    &mut issues,
                    n,
                    "提出方式",
                    "个人提案只能有一位提案人".into(),
                ),
                Some(Origin::Joint) if names.len() < 2 => push(
                    &mut issues,
                    n,
                    "提出方式",
                    "联名提案至少需要两位提案人".into(),
                ),
                _ => {}
            }
            let category_id = match get("类别") {
                c if c.is_empty() => None,
                c => match categories.get(&c) {
                    Some(id) => Some(*id),
                    None => {
                        push(&mut issues, n, "类别", format!("没有“{c}”这个类别"));
                        None
                    }
                },
            };
            let submitted_on = match paper::date(&get("提交日期")) {
                Some(d) if d > today => {
                    push(&mut issues, n, "提交日期", "提交日期不能晚于今天".into());
                    d
                }
                Some(d) => d,
                None => {
                    push(
                        &mut issues,
                        n,
                        "提交日期",
                        format!("“{}”不是有效日期（应为 YYYY-MM-DD）", get("提交日期")),
                    );
                    today
                }
            };
            let resolve = |column: &str, issues: &mut Vec<ImportIssue>| -> Vec<i64> {
                paper::names(&get(column))
                    .iter()
                    .filter_map(|u| match unit(u) {
                        Ok(id) => Some(id),
                        Err(e) => {
                            push(issues, n, column, e);
                            None
                        }
                    })
                    .collect()
            };
            let leads = resolve("主办单位", &mut issues);
            let co = resolve("会办单位", &mut issues);
            let separate = resolve("分办单位", &mut issues);
            if leads.len() > 1 {
                push(&mut issues, n, "主办单位", "主办单位只能有一个".into())
            }
            if !co.is_empty() && leads.is_empty() {
                push(
                    &mut issues,
                    n,
                    "会办单位",
                    "有会办单位时须填写主办单位".into(),
                )
            }
            if !separate.is_empty() && !leads.is_empty() {
                push(&mut issues, n, "分办单位", "分办不能与主办同时填写".into())
            }
            let all: Vec<i64> = leads.iter().chain(&co).chain(&separate).copied().collect();
            if all.iter().collect::<BTreeSet<_>>().len() != all.len() {
                push(&mut issues, n, "会办单位", "同一单位重复交办".into())
            }
            if let Some(o) = origin {
                rows.push(Row {
                    number,
                    title,
                    body,
                    origin: o,
                    collective,
                    proposers,
                    category_id,
                    submitted_on,
                    lead: leads.first().copied(),
                    co,
                    separate,
                });
            }
        }
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        let mut report = ImportReport {
            rows: rows.len(),
            dry_run,
            ..Default::default()
        };
        for r in &rows {
            let assigned = r.lead.is_some() || !r.separate.is_empty();
            if r.number.is_some() || assigned {
                report.filed += 1
            } else {
                report.submitted += 1
            }
            report.assignments += r.lead.iter().count() + r.co.len() + r.separate.len();
        }
        if dry_run {
            return Ok(report);
        }
        self.write_import(actor, &session, rows, &mut progress)
            .await?;
        Ok(report)
    }

    async fn write_import(
        &self,
        actor: &Actor,
        session: &SessionRow,
        rows: Vec<Row>,
        progress: &mut impl FnMut(usize, usize),
    ) -> AppResult<()> {
        let mut tx = self.begin().await?;
        let cal = crate::calendar::load(&mut tx, self.org_id).await?;
        let policy = crate::load_policy(&mut tx, self.org_id).await?;
        let today = self.today();
        // Given numbers are kept; numbers handed out here continue after the highest.
        let highest = rows.iter().filter_map(|r| r.number).max().unwrap_or(0);
        store::reserve_numbers_up_to(&mut tx, session.id, highest).await?;
        // Numbers for the assigned items that came without one, in one step.
        let wanted = rows
            .iter()
            .filter(|r| r.number.is_none() && (r.lead.is_some() || !r.separate.is_empty()))
            .count() as i64;
        let mut next = if wanted > 0 {
            banli_store::items::take_numbers(&mut tx, session.id, wanted).await?
        } else {
            0
        };
        let items: Vec<store::ImportedItem> = rows
            .iter()
            .map(|r| {
                let assigned = r.lead.is_some() || !r.separate.is_empty();
                let number = match r.number {
                    Some(n) => Some(n),
                    None if assigned => {
                        next += 1;
                        Some(next - 1)
                    }
                    None => None,
                };
                let state = if assigned {
                    ItemState::Handling
                } else if number.is_some() {
                    ItemState::Filed
                } else {
                    ItemState::Submitted
                };
                let assignments = r
                    .lead
                    .iter()
                    .map(|u| (*u, AssignmentRole::Lead))
                    .chain(r.co.iter().map(|u| (*u, AssignmentRole::Co)))
                    .chain(r.separate.iter().map(|u| (*u, AssignmentRole::Separate)))
                    .map(|(u, role)| (u, role, policy.assignment_dues(&cal, role, today)))
                    .collect();
                store::ImportedItem {
                    item: banli_store::items::NewItem {
                        org_id: self.org_id,
                        session_id: session.id,
                        kind: &session.kind,
                        title: &r.title,
                        body: &r.body,
                        origin: r.origin,
                        category_id: r.category_id,
                        collective_name: r.collective.as_deref(),
                        first_proposer_id: r.proposers[0],
                        state,
                        number,
                        submitted_on: Some(r.submitted_on),
                        on_paper: true,
                        created_by: actor.user_id,
                        scan_ref: None,
                    },
                    proposers: &r.proposers,
                    assignments,
                }
            })
            .collect();
        let total = items.len();
        store::write_items(
            &mut tx,
            self.db.backend,
            actor.user_id,
            today,
            &items,
            |done| progress(done, total),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The import template: the columns, one example row and the rules, as an .xlsx.
pub fn template() -> Result<Vec<u8>, banli_docs::SheetError> {
    banli_docs::write_xlsx(&[
        banli_docs::Sheet {
            name: "提案",
            headers: COLUMNS,
            rows: vec![vec![
                "0001".into(),
                "关于加快湘江科学城建设的提案".into(),
                "member01、member02".into(),
                "联名".into(),
                "经济建设".into(),
                "湘江科学城建设……（提案正文）".into(),
                "2026-01-20".into(),
                "省发展改革委".into(),
                "省科技厅、省财政厅".into(),
                "".into(),
            ]],
        },
        banli_docs::Sheet {
            name: "填写说明",
            headers: &["列", "说明"],
            rows: vec![
                vec!["案号".into(), "可空；纸质提案已有案号的照填（如 0239），导入后在线立案从最大案号之后继续".into()],
                vec!["标题、内容".into(), "必填；标题不超过200字，内容不超过50000字".into()],
                vec!["提案人".into(), "用户名或姓名，第一提案人在前，以“、”或“,”分隔；集体提案先写集体名称，再写联系人".into()],
                vec!["提出方式".into(), "个人、联名 或 集体".into()],
                vec!["类别".into(), "可空；须为已有类别，如 经济建设".into()],
                vec!["提交日期".into(), "必填，YYYY-MM-DD，不晚于今天".into()],
                vec!["主办单位、会办单位、分办单位".into(), "可空；单位全称或简称；会办以“、”分隔；填写承办单位的提案同时立案并交办".into()],
                vec!["其他".into(), "不能有多余的列；任何一行有误则整个文件都不导入，并列出每个问题的行和列".into()],
            ],
        },
    ])
}

pub const UNIT_COLUMNS: &[&str] = &[
    "单位名称",
    "简称",
    "上级单位",
    "提案答复文号前缀",
    "建议答复文号前缀",
];
pub const USER_COLUMNS: &[&str] = &["用户名", "姓名", "角色", "所属单位", "界别", "初始密码"];

fn check_headers(table: &Table, allowed: &[&str], required: &[&str]) -> Vec<ImportIssue> {
    let mut issues = Vec::new();
    for h in &table.headers {
        if !allowed.contains(&h.as_str()) {
            push(
                &mut issues,
                1,
                h,
                format!("多余的列“{h}”；允许的列：{}", allowed.join("、")),
            );
        }
    }
    for c in required {
        if !table.headers.iter().any(|h| h == c) {
            push(&mut issues, 1, c, "缺少这一列".into());
        }
    }
    issues
}

impl App {
    /// Units from a spreadsheet, all or nothing; parents may be earlier rows of the same file.
    pub async fn import_units(
        &self,
        actor: &Actor,
        table: &Table,
        dry_run: bool,
    ) -> Result<usize, ImportError> {
        actor.require(Capability::Administer)?;
        let mut issues = check_headers(table, UNIT_COLUMNS, &["单位名称"]);
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        let existing = self.list_units().await?;
        let mut names: Vec<String> = existing
            .iter()
            .flat_map(|u| std::iter::once(u.name.clone()).chain(u.short_name.clone()))
            .collect();
        for (i, r) in table.rows.iter().enumerate() {
            let n = Table::row_number(i);
            let name = table.get(r, "单位名称").trim().to_string();
            let short = table.get(r, "简称").trim().to_string();
            let parent = table.get(r, "上级单位").trim().to_string();
            if name.is_empty() {
                push(&mut issues, n, "单位名称", "单位名称为空".into())
            }
            for (col, v) in [("单位名称", &name), ("简称", &short)] {
                if !v.is_empty() && names.contains(v) {
                    push(&mut issues, n, col, format!("“{v}”已有同名单位"))
                }
                if v.chars().count() > banli_domain::limits::NAME_MAX {
                    push(&mut issues, n, col, "超过100个字符".into())
                }
            }
            if !parent.is_empty() && !names.contains(&parent) {
                push(
                    &mut issues,
                    n,
                    "上级单位",
                    format!("找不到上级单位“{parent}”（须已存在或在前面的行）"),
                )
            }
            for col in ["提案答复文号前缀", "建议答复文号前缀"] {
                if table.get(r, col).chars().count() > 20 {
                    push(&mut issues, n, col, "不超过20个字符".into())
                }
            }
            names.push(name);
            if !short.is_empty() {
                names.push(short)
            }
        }
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        if dry_run {
            return Ok(table.rows.len());
        }
        let mut tx = self.begin().await?;
        let mut ids: HashMap<String, i64> = existing
            .iter()
            .flat_map(|u| {
                std::iter::once((u.name.clone(), u.id))
                    .chain(u.short_name.clone().map(|s| (s, u.id)))
            })
            .collect();
        for r in &table.rows {
            let opt = |c: &str| Some(table.get(r, c).trim().to_string()).filter(|v| !v.is_empty());
            let name = table.get(r, "单位名称").trim().to_string();
            let short = opt("简称");
            let parent = opt("上级单位").and_then(|p| ids.get(&p).copied());
            let (p1, p2) = (opt("提案答复文号前缀"), opt("建议答复文号前缀"));
            let id = banli_store::orgs::insert_unit(
                &mut tx,
                &banli_store::orgs::NewUnit {
                    name: &name,
                    short_name: short.as_deref(),
                    parent_id: parent,
                    doc_prefix: p1.as_deref(),
                    doc_prefix_suggestion: p2.as_deref(),
                },
            )
            .await?
            .id;
            ids.insert(table.get(r, "单位名称").trim().to_string(), id);
            if let Some(s) = opt("简称") {
                ids.insert(s, id);
            }
            record(
                &mut tx,
                Some(actor),
                Event {
                    action: "unit_created",
                    data: Some(serde_json::json!({"unit_id": id, "imported": true})),
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(table.rows.len())
    }

    /// Users from a spreadsheet, all or nothing; each gets the initial password given.
    pub async fn import_users(
        &self,
        actor: &Actor,
        table: &Table,
        dry_run: bool,
    ) -> Result<usize, ImportError> {
        actor.require(Capability::Administer)?;
        let mut issues =
            check_headers(table, USER_COLUMNS, &["用户名", "姓名", "角色", "初始密码"]);
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        let units = self.list_units().await?;
        let taken: BTreeSet<String> = store::usernames(&self.db.pool).await?.into_iter().collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut checked = Vec::new();
        for (i, r) in table.rows.iter().enumerate() {
            let n = Table::row_number(i);
            let get = |c: &str| table.get(r, c).trim().to_string();
            let username = get("用户名");
            if username.is_empty()
                || !username
                    .chars()
                    .all(|c| c.is_alphanumeric() || "._-".contains(c))
            {
                push(
                    &mut issues,
                    n,
                    "用户名",
                    format!("“{username}”不是有效的用户名（字母、数字和 . _ -）"),
                )
            }
            if taken.contains(&username) {
                push(
                    &mut issues,
                    n,
                    "用户名",
                    format!("用户名“{username}”已被使用"),
                )
            }
            if let Some(first) = seen.insert(username.clone(), n) {
                push(&mut issues, n, "用户名", format!("与第{first}行重复"))
            }
            if get("姓名").is_empty() {
                push(&mut issues, n, "姓名", "姓名为空".into())
            }
            let role = paper::role(&get("角色"));
            if role.is_none() {
                push(
                    &mut issues,
                    n,
                    "角色",
                    format!(
                        "“{}”应为 委员、提案办、经办人、签发人 或 管理员",
                        get("角色")
                    ),
                )
            }
            let unit_name = get("所属单位");
            let unit = units
                .iter()
                .find(|u| {
                    u.name == unit_name || u.short_name.as_deref() == Some(unit_name.as_str())
                })
                .map(|u| u.id);
            match (role.map(|r| r.needs_unit()), unit_name.is_empty(), unit) {
                (Some(true), true, _) => push(
                    &mut issues,
                    n,
                    "所属单位",
                    "承办单位用户须填写所属单位".into(),
                ),
                (Some(true), false, None) => push(
                    &mut issues,
                    n,
                    "所属单位",
                    format!("找不到单位“{unit_name}”"),
                ),
                (Some(false), false, _) => push(
                    &mut issues,
                    n,
                    "所属单位",
                    "只有承办单位用户才填写所属单位".into(),
                ),
                _ => {}
            }
            if get("初始密码").chars().count() < banli_domain::limits::PASSWORD_MIN {
                push(
                    &mut issues,
                    n,
                    "初始密码",
                    format!("至少{}个字符", banli_domain::limits::PASSWORD_MIN),
                )
            }
            if let Some(role) = role {
                checked.push((
                    username,
                    get("姓名"),
                    role,
                    unit,
                    Some(get("界别")).filter(|s| !s.is_empty()),
                    get("初始密码"),
                ));
            }
        }
        if !issues.is_empty() {
            return Err(ImportError::Rows(issues));
        }
        if dry_run {
            return Ok(checked.len());
        }
        // Hash first (slow on purpose), then write everything in one transaction.
        let mut hashed = Vec::with_capacity(checked.len());
        for c in checked {
            let h = crate::auth::hash_password(&c.5)?;
            hashed.push((c, h));
        }
        let mut tx = self.begin().await?;
        for ((username, display, role, unit, sector, _), hash) in &hashed {
            let org = (!role.needs_unit()).then_some(self.org_id);
            banli_store::users::insert(
                &mut tx,
                &banli_store::users::NewUser {
                    username,
                    display_name: display,
                    password_hash: hash,
                    role: *role,
                    unit_id: *unit,
                    org_id: org,
                    sector: sector.as_deref(),
                    email: None,
                    phone: None,
                },
            )
            .await?;
            record(
                &mut tx,
                Some(actor),
                Event {
                    org_id: org,
                    action: "user_created",
                    data: Some(
                        serde_json::json!({"username": username, "role": role, "imported": true}),
                    ),
                    ..Default::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(hashed.len())
    }
}
