//! Replays the planned story through the use cases of `banli_app`, in date order, moving
//! the app's clock to each step's day. No SQL: every step is checked by the real rules.

use super::catalog::*;
use super::plan::{Op, Planner, Sess, Step, PROGRESS_NOTES};
use anyhow::Context;
use banli_app::assignments::{
    ConsultationInput, DecideInput, DelegateInput, ExtensionInput, ReturnInput,
};
use banli_app::documents::{
    CoOpinionInput, CommitmentInput, EvaluationInput, ProgressInput, ReplyInput,
};
use banli_app::items::{
    AssignInput, CosignInput, FileInput, ItemInput, KeyInput, MergeInput, ReasonInput, RejectInput,
    SupervisionInput,
};
use banli_app::publish::PublishInput;
use banli_app::{Actor, App};
use banli_domain::model::{Disclosure, EvaluationSource, Grade, Origin};
use chrono::{Datelike, Duration};
use std::collections::HashMap;

/// The accounts and ids the story acts with.
pub(super) struct World {
    pub office: Actor,
    /// PROPOSERS order.
    pub members: Vec<Actor>,
    /// UNITS order.
    pub staff: Vec<Actor>,
    pub signers: Vec<Actor>,
    pub units: Vec<i64>,
    pub past_session: i64,
    pub current_session: i64,
}

/// What an item has become in the database so far.
struct Live {
    id: i64,
    title: String,
    /// Unit index → its (latest) assignment on the item.
    asg: HashMap<usize, i64>,
    /// Unit index → its latest sent reply.
    reply: HashMap<usize, i64>,
    /// Unit index → its sent co-opinion.
    co_doc: HashMap<usize, i64>,
}

const REVISION: &str = "\n\n补充说明：根据提案委员会意见，提案人补充了近三年相关工作的调研数据，并将建议进一步细化为可操作的具体措施。";
const DELEGATION_NOTE: &str =
    "请结合职责牵头研究提出办理意见，与提案人做好沟通，形成书面材料报市政府办公室汇总。";
const EXTENSION_REASON: &str =
    "该提案涉及多个部门和市州，需开展专题调研并协调年度资金安排，难以在规定期限内答复，申请延期。";
const EXTENSION_NOTE: &str = "同意延期，请在延期期限内办结并答复提案人。";
const CO_REJECT_REASON: &str =
    "会办意见过于原则，请结合我单位职责提出具体措施和时间安排后重新报送。";
const WAIVE_REASON: &str = "会办单位已通过书面材料向主办单位反馈意见，经研究同意免于会签。";
const REPLY_REJECT_REASONS: &[&str] = &[
    "答复内容与提案所提建议对应不够，请逐条回应并明确时间节点。",
    "承诺事项表述笼统，请细化完成时限和责任处室后重新报签。",
];
const NOT_PUBLIC_REASON: &str = "答复涉及尚未公开的财政资金安排和内部工作方案，依法不予公开。";
const CORRECTION_NOTE: &str = "更正答复函正文中的个别文字错误。";
const UNPUBLISH_REASON: &str = "答复函中含有未脱敏的个人信息，撤回后重新审核。";

pub(super) fn phone(unit: usize) -> String {
    format!("0731-8{:03}{:04}", 210 + unit * 7, 1000 + unit * 137)
}

fn grade_of(c: char) -> Grade {
    Grade::parse(&c.to_string()).expect("catalog grades are A, B or C")
}

fn reply_summary(g: Grade, title: &str) -> String {
    match g {
        Grade::A => format!("《{title}》所提建议已被采纳，相关措施已落实到位（A类：已解决或采纳）。"),
        Grade::B => format!("《{title}》所提建议已列入工作计划并正在推进，承诺事项将按期完成并向提案人通报（B类：正在解决或列入计划）。"),
        _ => format!("《{title}》所提建议因政策和条件限制暂难实施，已留作今后工作参考（C类：因条件限制留作参考）。"),
    }
}

pub(super) async fn run(app: &App, w: &World, plan: &Planner) -> anyhow::Result<()> {
    let by_unit_id: HashMap<i64, usize> =
        w.units.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut live: Vec<Option<Live>> = (0..plan.items.len()).map(|_| None).collect();
    let mut quarter = None;
    let total = plan.steps.len();
    for (n, step) in plan.steps.iter().enumerate() {
        let q = (step.date.year(), step.date.month0() / 3 + 1);
        if quarter != Some(q) {
            quarter = Some(q);
            tracing::info!(
                "演示数据：办理推进到 {} 年第 {} 季度（{n}/{total} 步）",
                q.0,
                q.1
            );
        }
        app.set_today(Some(step.date));
        let spec = &plan.items[step.item];
        apply(app, w, plan, &by_unit_id, &mut live, step)
            .await
            .with_context(|| {
                format!(
                    "{}：第{}件《{}》的步骤 {:?} 被拒绝",
                    step.date, step.item, spec.title, step.op
                )
            })?;
    }
    Ok(())
}

fn item<'a>(live: &'a mut [Option<Live>], step: &Step) -> anyhow::Result<&'a mut Live> {
    live[step.item].as_mut().context("提案尚未创建")
}

fn asg(l: &Live, unit: usize) -> anyhow::Result<i64> {
    l.asg
        .get(&unit)
        .copied()
        .with_context(|| format!("{}没有交办件", UNITS[unit].short_name))
}

async fn apply(
    app: &App,
    w: &World,
    plan: &Planner,
    by_unit_id: &HashMap<i64, usize>,
    live: &mut [Option<Live>],
    step: &Step,
) -> anyhow::Result<()> {
    let spec = &plan.items[step.item];
    let today = step.date;
    let office = &w.office;
    let first = &w.members[spec.first];
    let drafter = if spec.paper.is_some() { office } else { first };
    let input = |title: &str, body: &str| {
        let names = |v: &[usize]| {
            v.iter()
                .map(|m| w.members[*m].username.clone())
                .collect::<Vec<_>>()
        };
        ItemInput {
            session_id: if spec.session == Sess::Past {
                w.past_session
            } else {
                w.current_session
            },
            title: title.to_string(),
            body: body.to_string(),
            origin: spec.origin,
            category: Some(spec.category.to_string()),
            cosigners: (spec.paper.is_none() && spec.origin == Origin::Joint)
                .then(|| names(&spec.cosigners)),
            collective_name: spec.collective.map(str::to_string),
            proposers: spec.paper.map(|_| {
                std::iter::once(spec.first)
                    .chain(spec.cosigners.iter().copied())
                    .map(|m| w.members[m].username.clone())
                    .collect()
            }),
            submitted_on: spec.paper,
            scan: spec
                .paper
                .map(|d| format!("scans/{}/{}.pdf", d.format("%Y"), step.item + 1)),
        }
    };
    match &step.op {
        Op::Create => {
            let out = app
                .create_item(drafter, input(&spec.title, &spec.body).into())
                .await?;
            live[step.item] = Some(Live {
                id: out.id,
                title: spec.title.clone(),
                asg: HashMap::new(),
                reply: HashMap::new(),
                co_doc: HashMap::new(),
            });
        }
        Op::Cosign { member, accept } => {
            let l = item(live, step)?;
            app.cosign(
                &w.members[*member],
                l.id,
                CosignInput { accept: *accept }.into(),
            )
            .await?;
        }
        Op::Submit => {
            let l = item(live, step)?;
            app.submit_item(drafter, l.id).await?;
        }
        Op::Revise => {
            let l = item(live, step)?;
            let body = format!("{}{REVISION}", spec.body);
            app.update_item(drafter, l.id, input(&l.title, &body).into())
                .await?;
        }
        Op::Withdraw { reason } => {
            let l = item(live, step)?;
            app.withdraw_item(
                drafter,
                l.id,
                ReasonInput {
                    reason: reason.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::Return { reason } => {
            let l = item(live, step)?;
            app.return_item(
                office,
                l.id,
                ReasonInput {
                    reason: reason.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::File { title } => {
            let l = item(live, step)?;
            app.file_item(
                office,
                l.id,
                FileInput {
                    category: None,
                    title: title.clone(),
                }
                .into(),
            )
            .await?;
            if let Some(t) = title {
                l.title = t.clone();
            }
        }
        Op::Reject {
            reason,
            disposition,
            unit,
        } => {
            let l = item(live, step)?;
            let i = RejectInput {
                reason: REJECT_REASONS[*reason].to_string(),
                disposition: *disposition,
                unit_id: unit.map(|u| w.units[u]),
            };
            app.reject_item(office, l.id, i.into()).await?;
        }
        Op::Merge { into } => {
            let target = live[*into].as_ref().context("目标提案尚未创建")?.id;
            let l = item(live, step)?;
            app.merge_item(office, l.id, MergeInput { into: target }.into())
                .await?;
        }
        Op::Assign { lead, co, separate } => {
            let l = item(live, step)?;
            let i = AssignInput {
                lead: lead.map(|u| w.units[u]),
                co: co.iter().map(|u| w.units[*u]).collect(),
                separate: separate.iter().map(|u| w.units[*u]).collect(),
            };
            let out = app.assign_item(office, l.id, i.into()).await?;
            for a in out.assignments {
                l.asg.insert(by_unit_id[&a.unit_id], a.id);
            }
        }
        Op::Key { leader } => {
            let l = item(live, step)?;
            app.set_key(
                office,
                l.id,
                KeyInput {
                    key: true,
                    leader: Some(leader.to_string()),
                }
                .into(),
            )
            .await?;
        }
        Op::Supervise { note, due_in } => {
            let l = item(live, step)?;
            let i = SupervisionInput {
                note: SUPERVISION_NOTES[*note].to_string(),
                due_on: due_in.map(|n| today + Duration::days(n)),
            };
            app.add_supervision(office, l.id, i.into()).await?;
        }
        Op::Accept { unit } => {
            let l = item(live, step)?;
            app.accept_assignment(&w.staff[*unit], asg(l, *unit)?)
                .await?;
        }
        Op::RequestReturn {
            unit,
            reason,
            proposal,
        } => {
            let l = item(live, step)?;
            let i = ReturnInput {
                reason: RETURN_REASONS[*reason].to_string(),
                proposal: proposal.clone(),
            };
            app.request_return(&w.staff[*unit], asg(l, *unit)?, i.into())
                .await?;
        }
        Op::DecideReturn {
            unit,
            approve,
            note,
        } => {
            let l = item(live, step)?;
            app.decide_return(
                office,
                asg(l, *unit)?,
                DecideInput {
                    approve: *approve,
                    note: Some(note.to_string()),
                }
                .into(),
            )
            .await?;
        }
        Op::Delegate { unit, sub, due_in } => {
            let l = item(live, step)?;
            let i = DelegateInput {
                unit_id: w.units[*sub],
                note: Some(DELEGATION_NOTE.to_string()),
                due_on: Some(today + Duration::days(*due_in)),
            };
            app.delegate(&w.staff[*unit], asg(l, *unit)?, i.into())
                .await?;
        }
        Op::RequestExtension { unit, until } => {
            let l = item(live, step)?;
            app.request_extension(
                &w.staff[*unit],
                asg(l, *unit)?,
                ExtensionInput {
                    until: *until,
                    reason: EXTENSION_REASON.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::DecideExtension { unit, approve } => {
            let l = item(live, step)?;
            app.decide_extension(
                office,
                asg(l, *unit)?,
                DecideInput {
                    approve: *approve,
                    note: Some(EXTENSION_NOTE.to_string()),
                }
                .into(),
            )
            .await?;
        }
        Op::Consult {
            unit,
            by,
            method,
            summary,
        } => {
            let l = item(live, step)?;
            let i = ConsultationInput {
                method: *method,
                date: today,
                summary: CONSULTATION_SUMMARIES[*summary].to_string(),
            };
            app.add_consultation(&w.staff[*by], asg(l, *unit)?, i.into())
                .await?;
        }
        Op::CoDraft { unit, text, public } => {
            let l = item(live, step)?;
            let staff = &w.staff[*unit];
            let i = CoOpinionInput {
                body: CO_OPINION_TEXTS[*text].replace("{title}", &l.title),
                contact_name: staff.display_name.clone(),
                contact_phone: phone(*unit),
                disclosure: public.then_some(Disclosure::Public),
                disclosure_reason: None,
                summary: None,
            };
            app.draft_co_opinion(staff, asg(l, *unit)?, i.into())
                .await?;
        }
        Op::CoReject { unit } => {
            let l = item(live, step)?;
            app.reject_document(
                &w.signers[*unit],
                asg(l, *unit)?,
                "co_opinion",
                ReasonInput {
                    reason: CO_REJECT_REASON.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::CoApprove { unit } => {
            let l = item(live, step)?;
            let out = app
                .approve_document(&w.signers[*unit], asg(l, *unit)?, "co_opinion")
                .await?;
            l.co_doc.insert(*unit, out.id);
        }
        Op::Waive { unit } => {
            let l = item(live, step)?;
            app.waive_co_opinion(
                office,
                asg(l, *unit)?,
                ReasonInput {
                    reason: WAIVE_REASON.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::ReplyDraft {
            unit,
            text,
            disclosure,
            commitments,
        } => {
            let l = item(live, step)?;
            let staff = &w.staff[*unit];
            let t = &REPLY_TEXTS[*text];
            let grade = grade_of(t.grade);
            let i = ReplyInput {
                body: t.body.replace("{title}", &l.title),
                grade,
                disclosure: *disclosure,
                disclosure_reason: (*disclosure == Disclosure::NotPublic)
                    .then(|| NOT_PUBLIC_REASON.to_string()),
                summary: Some(reply_summary(grade, &l.title)),
                contact_name: staff.display_name.clone(),
                contact_phone: phone(*unit),
                commitments: commitments
                    .iter()
                    .map(|(text, due_on)| CommitmentInput {
                        text: text.to_string(),
                        due_on: *due_on,
                    })
                    .collect(),
            };
            app.draft_reply(staff, asg(l, *unit)?, i.into()).await?;
        }
        Op::ReplyReject { unit, reason } => {
            let l = item(live, step)?;
            app.reject_document(
                &w.signers[*unit],
                asg(l, *unit)?,
                "reply",
                ReasonInput {
                    reason: REPLY_REJECT_REASONS[*reason].to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::ReplyApprove { unit } => {
            let l = item(live, step)?;
            let out = app
                .approve_document(&w.signers[*unit], asg(l, *unit)?, "reply")
                .await?;
            l.reply.insert(*unit, out.id);
        }
        Op::Evaluate {
            unit,
            handling,
            result,
            comment,
            paper,
        } => {
            let l = item(live, step)?;
            let i = EvaluationInput {
                handling: *handling,
                result: *result,
                comment: Some(EVALUATION_COMMENTS[*comment].to_string()),
                source: paper.then_some(EvaluationSource::Paper),
                scan: paper.then(|| {
                    format!(
                        "征询意见表/{}/{}-{}.pdf",
                        today.year(),
                        l.id,
                        UNITS[*unit].short_name
                    )
                }),
            };
            let actor = if *paper { office } else { first };
            app.evaluate(actor, asg(l, *unit)?, i.into()).await?;
        }
        Op::Close => {
            let l = item(live, step)?;
            app.close_item(office, l.id).await?;
        }
        Op::Publish {
            unit,
            co,
            by_signer,
            summary,
        } => {
            let l = item(live, step)?;
            let (doc, kind) = if *co {
                (l.co_doc.get(unit), "co_opinion")
            } else {
                (l.reply.get(unit), "reply")
            };
            let doc = *doc.context("没有可公开的文件")?;
            let actor = if *by_signer {
                &w.signers[*unit]
            } else {
                office
            };
            let i = PublishInput {
                source: None,
                editor: None,
                disclosure: summary.then_some(Disclosure::Summary),
                note: None,
            };
            app.publish(actor, doc, kind, i.into()).await?;
        }
        Op::Republish { unit } => {
            let l = item(live, step)?;
            let doc = *l.reply.get(unit).context("没有答复")?;
            let i = PublishInput {
                source: None,
                editor: None,
                disclosure: None,
                note: Some(CORRECTION_NOTE.to_string()),
            };
            app.publish(office, doc, "reply", i.into()).await?;
        }
        Op::Unpublish { unit } => {
            let l = item(live, step)?;
            let doc = *l.reply.get(unit).context("没有答复")?;
            app.withdraw_publication(
                office,
                doc,
                "reply",
                ReasonInput {
                    reason: UNPUBLISH_REASON.to_string(),
                }
                .into(),
            )
            .await?;
        }
        Op::Progress {
            unit,
            text,
            note,
            percent,
            status,
        } => {
            let l = item(live, step)?;
            let detail = app.get_item(office, l.id).await?;
            let unit_id = w.units[*unit];
            let c = detail
                .commitments
                .iter()
                .filter(|c| c.unit_id == unit_id && c.text == *text && c.status == "open")
                .max_by_key(|c| c.document_id)
                .with_context(|| format!("找不到承诺事项“{text}”"))?;
            debug_assert!(PROGRESS_NOTES.contains(note));
            let i = ProgressInput {
                note: note.to_string(),
                percent: *percent,
                status: Some(*status),
            };
            app.commitment_progress(&w.staff[*unit], c.id, i.into())
                .await?;
        }
    }
    Ok(())
}
