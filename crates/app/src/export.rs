//! Lists and statistics as .xlsx workbooks, with the caller's filters and visibility.

use crate::ledgers::LedgerQuery;
use crate::stats::{StatsOut, StatsQuery};
use crate::view::{AssignmentQuery, ItemQuery};
use crate::{Actor, App, AppError, AppResult};
use banli_docs::{write_xlsx, Sheet};
use banli_domain::stats::Figures;

fn pct(r: Option<f64>) -> String {
    r.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

const FIGURE_HEADERS: &[&str] = &[
    "立案数",
    "已办复",
    "办复率",
    "按时办复率",
    "面商率",
    "办理态度满意率",
    "办理态度基本满意率",
    "办理结果满意率",
    "办理结果基本满意率",
    "未反馈",
    "A类",
    "B类",
    "C类",
    "D类",
    "到期承诺",
    "按期完成",
    "办成率",
];

fn figure_cells(f: &Figures) -> Vec<String> {
    vec![
        f.filed.to_string(),
        f.replied.to_string(),
        pct(f.reply_rate),
        pct(f.on_time_rate),
        pct(f.consultation_rate),
        pct(f.satisfaction.handling.rate),
        pct(f.satisfaction.handling.basic_rate),
        pct(f.satisfaction.result.rate),
        pct(f.satisfaction.result.basic_rate),
        f.satisfaction.result.no_feedback.to_string(),
        f.grades.a.to_string(),
        f.grades.b.to_string(),
        f.grades.c.to_string(),
        f.grades.d.to_string(),
        f.commitments.due.to_string(),
        f.commitments.done_on_time.to_string(),
        pct(f.commitments.completion_rate),
    ]
}

fn with(head: &[&'static str]) -> Vec<&'static str> {
    head.iter().chain(FIGURE_HEADERS).copied().collect()
}

fn xlsx(sheets: &[Sheet]) -> AppResult<Vec<u8>> {
    write_xlsx(sheets).map_err(|e| AppError::Internal(e.to_string()))
}

impl App {
    /// The statistics of §7 as a workbook: overall, per unit (ranked), per category.
    pub async fn stats_workbook(&self, actor: &Actor, q: StatsQuery) -> AppResult<Vec<u8>> {
        let s: StatsOut = self.stats(actor, q).await?;
        let overall_h = with(&["统计日期"]);
        let unit_h = with(&["排名", "承办单位"]);
        let cat_h = with(&["类别"]);
        xlsx(&[
            Sheet {
                name: "总体",
                headers: &overall_h,
                rows: vec![std::iter::once(s.as_of.to_string())
                    .chain(figure_cells(&s.overall))
                    .collect()],
            },
            Sheet {
                name: "分单位",
                headers: &unit_h,
                rows: s
                    .per_unit
                    .iter()
                    .map(|u| {
                        [u.rank.to_string(), u.unit_name.clone()]
                            .into_iter()
                            .chain(figure_cells(&u.figures))
                            .collect()
                    })
                    .collect(),
            },
            Sheet {
                name: "分类别",
                headers: &cat_h,
                rows: s
                    .per_category
                    .iter()
                    .map(|c| {
                        std::iter::once(c.category.clone())
                            .chain(figure_cells(&c.figures))
                            .collect()
                    })
                    .collect(),
            },
        ])
    }

    /// Every item the caller may see with the list's filters (all pages).
    pub async fn items_workbook(&self, actor: &Actor, mut q: ItemQuery) -> AppResult<Vec<u8>> {
        let mut rows = Vec::new();
        q.per_page = Some(200);
        for page in 1.. {
            q.page = Some(page);
            let p = self
                .list_items(
                    actor,
                    ItemQuery {
                        ids: q.ids.clone(),
                        session_id: q.session_id,
                        state: q.state.clone(),
                        unit_id: q.unit_id,
                        category: q.category.clone(),
                        q: q.q.clone(),
                        sort: q.sort.clone(),
                        page: q.page,
                        per_page: q.per_page,
                    },
                )
                .await?;
            let n = p.items.len();
            rows.extend(p.items.into_iter().map(|i| {
                vec![
                    i.number.unwrap_or_default(),
                    i.title,
                    i.first_proposer,
                    i.origin,
                    i.category.unwrap_or_default(),
                    i.state.as_str().to_string(),
                    if i.is_key {
                        "是".into()
                    } else {
                        String::new()
                    },
                    i.submitted_on.unwrap_or_default(),
                ]
            }));
            if n < 200 {
                break;
            }
        }
        xlsx(&[Sheet {
            name: "提案",
            headers: &[
                "案号",
                "标题",
                "第一提案人",
                "提出方式",
                "类别",
                "状态",
                "重点提案",
                "提交日期",
            ],
            rows,
        }])
    }

    /// A unit's queue (or the office's view of it) with due dates and clock colours.
    pub async fn assignments_workbook(
        &self,
        actor: &Actor,
        mut q: AssignmentQuery,
    ) -> AppResult<Vec<u8>> {
        let mut rows = Vec::new();
        q.per_page = Some(200);
        for page in 1.. {
            let p = self
                .list_assignments(
                    actor,
                    AssignmentQuery {
                        unit_id: q.unit_id,
                        state: q.state.clone(),
                        due_before: q.due_before,
                        page: Some(page),
                        per_page: q.per_page,
                    },
                )
                .await?;
            let n = p.items.len();
            rows.extend(p.items.into_iter().map(|a| {
                let clock = a
                    .clocks
                    .iter()
                    .find(|c| c.name == "reply" || c.name == "co_opinion");
                vec![
                    a.item_number.unwrap_or_default(),
                    a.item_title,
                    a.unit_name,
                    a.role.as_str().into(),
                    a.state.as_str().into(),
                    a.assigned_on,
                    clock.map(|c| c.due.clone()).unwrap_or_default(),
                    clock
                        .map(|c| match c.colour {
                            banli_domain::clock::Colour::Green => "绿",
                            banli_domain::clock::Colour::Yellow => "黄",
                            banli_domain::clock::Colour::Red => "红（逾期）",
                        })
                        .unwrap_or("")
                        .into(),
                    if a.due.provisional {
                        "暂定".into()
                    } else {
                        String::new()
                    },
                ]
            }));
            if n < 200 {
                break;
            }
        }
        xlsx(&[Sheet {
            name: "交办件",
            headers: &[
                "案号",
                "标题",
                "承办单位",
                "承办方式",
                "状态",
                "交办日期",
                "办理期限",
                "时限",
                "期限说明",
            ],
            rows,
        }])
    }

    /// The commitments ledger with its filters (all pages).
    pub async fn commitments_workbook(&self, actor: &Actor, q: &LedgerQuery) -> AppResult<Vec<u8>> {
        let today = self.today();
        let mut rows = Vec::new();
        for page in 1.. {
            let p = self
                .list_commitments(
                    actor,
                    &LedgerQuery {
                        page: Some(page),
                        per_page: Some(200),
                        ..q.clone()
                    },
                )
                .await?;
            let n = p.rows.len();
            rows.extend(p.rows.into_iter().map(|c| {
                let state = match c.status.as_str() {
                    "open" if c.overdue(today) => "逾期未完成",
                    "open" => "进行中",
                    "done" => "已完成",
                    _ => "已结转",
                };
                vec![
                    c.number(),
                    c.item_title,
                    c.unit_name,
                    c.doc_number.unwrap_or_default(),
                    c.text,
                    crate::iso(c.due_on),
                    state.into(),
                    format!("{}%", c.percent),
                    c.done_on.unwrap_or_default(),
                ]
            }));
            if n < 200 {
                break;
            }
        }
        xlsx(&[Sheet {
            name: "承诺事项",
            headers: &[
                "案号",
                "标题",
                "承办单位",
                "答复文号",
                "承诺事项",
                "完成期限",
                "状态",
                "进度",
                "完成日期",
            ],
            rows,
        }])
    }

    /// The replies ledger with its filters (all pages).
    pub async fn replies_workbook(&self, actor: &Actor, q: &LedgerQuery) -> AppResult<Vec<u8>> {
        let mut rows = Vec::new();
        for page in 1.. {
            let p = self
                .list_replies(
                    actor,
                    &LedgerQuery {
                        page: Some(page),
                        per_page: Some(200),
                        ..q.clone()
                    },
                )
                .await?;
            let n = p.rows.len();
            rows.extend(p.rows.into_iter().map(|r| {
                let disclosure = match r.disclosure.as_str() {
                    "public" => "主动公开",
                    "summary" => "摘要公开",
                    "on_request" => "依申请公开",
                    _ => "不予公开",
                };
                let result = match r.result.as_deref() {
                    Some("satisfied") => "满意",
                    Some("basically_satisfied") => "基本满意",
                    Some("unsatisfied") => "不满意",
                    _ => "",
                };
                vec![
                    r.number(),
                    r.item_title,
                    r.unit_name,
                    r.doc_number.unwrap_or_default(),
                    r.sent_on.unwrap_or_default(),
                    r.grade.unwrap_or_default(),
                    disclosure.into(),
                    if r.published > 0 {
                        "已公开".into()
                    } else {
                        String::new()
                    },
                    if r.state == banli_domain::model::DocState::Superseded {
                        "已被重新办理的答复取代".into()
                    } else {
                        String::new()
                    },
                    result.into(),
                ]
            }));
            if n < 200 {
                break;
            }
        }
        xlsx(&[Sheet {
            name: "答复",
            headers: &[
                "案号",
                "标题",
                "承办单位",
                "文号",
                "发出日期",
                "答复类别",
                "公开属性",
                "门户",
                "说明",
                "办理结果评价",
            ],
            rows,
        }])
    }
}
