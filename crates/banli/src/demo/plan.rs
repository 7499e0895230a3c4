//! The demo's story: which items exist and what happens to each of them, on which day.
//!
//! Nothing here touches the database. The planner writes, per item, a script of dated
//! steps (submit, file, assign, accept, consult, draft, approve, rate, close, publish …);
//! the executor (`exec.rs`) then replays all scripts in date order through the use cases,
//! moving the app's clock as it goes. Every choice comes from a fixed-seed LCG, so the
//! demo is the same on every run.

use super::catalog::*;
use banli_domain::calendar::Calendar;
use banli_domain::model::{
    CommitmentStatus, ConsultationMethod, Disclosure, Disposition, Grade, Origin, Rating,
};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashMap;

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn plus(day: NaiveDate, n: i64) -> NaiveDate {
    day + Duration::days(n)
}

/// The last simulated day; after it the real clock takes over (real today: 2026-11-28).
pub(super) fn last_day() -> NaiveDate {
    d(2026, 11, 27)
}

/// A small linear congruential generator (Knuth's MMIX constants), seeded with a constant.
pub(super) struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// lo..=hi
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1).max(1) as u64)) as i64
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Sess {
    Past,
    Current,
}

/// What an item is when it is created.
#[derive(Debug, Clone)]
pub(super) struct ItemSpec {
    pub session: Sess,
    pub title: String,
    pub body: String,
    pub category: &'static str,
    pub origin: Origin,
    /// Index into PROPOSERS: the first proposer (for a collective item, its contact).
    pub first: usize,
    /// Co-signers invited online, or (paper items) the other proposers as signed on paper.
    pub cosigners: Vec<usize>,
    pub collective: Option<&'static str>,
    /// Entered by the office from paper, with this submission date.
    pub paper: Option<NaiveDate>,
}

/// One action of the story. Units are indexes into UNITS, members into PROPOSERS, items
/// into the planner's item list.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Create,
    Cosign {
        member: usize,
        accept: bool,
    },
    Submit,
    /// The first proposer revises a returned item.
    Revise,
    Withdraw {
        reason: &'static str,
    },
    Return {
        reason: &'static str,
    },
    File {
        title: Option<String>,
    },
    Reject {
        reason: usize,
        disposition: Disposition,
        unit: Option<usize>,
    },
    Merge {
        into: usize,
    },
    Assign {
        lead: Option<usize>,
        co: Vec<usize>,
        separate: Vec<usize>,
    },
    Key {
        leader: &'static str,
    },
    Supervise {
        note: usize,
        due_in: Option<i64>,
    },
    Accept {
        unit: usize,
    },
    RequestReturn {
        unit: usize,
        reason: usize,
        proposal: Option<String>,
    },
    DecideReturn {
        unit: usize,
        approve: bool,
        note: &'static str,
    },
    Delegate {
        unit: usize,
        sub: usize,
        due_in: i64,
    },
    RequestExtension {
        unit: usize,
        until: NaiveDate,
    },
    DecideExtension {
        unit: usize,
        approve: bool,
    },
    Consult {
        unit: usize,
        by: usize,
        method: ConsultationMethod,
        summary: usize,
    },
    CoDraft {
        unit: usize,
        text: usize,
        public: bool,
    },
    CoReject {
        unit: usize,
    },
    CoApprove {
        unit: usize,
    },
    Waive {
        unit: usize,
    },
    ReplyDraft {
        unit: usize,
        text: usize,
        disclosure: Disclosure,
        commitments: Vec<(&'static str, NaiveDate)>,
    },
    ReplyReject {
        unit: usize,
        reason: usize,
    },
    ReplyApprove {
        unit: usize,
    },
    Evaluate {
        unit: usize,
        handling: Rating,
        result: Rating,
        comment: usize,
        paper: bool,
    },
    Close,
    Publish {
        unit: usize,
        co: bool,
        by_signer: bool,
        summary: bool,
    },
    Republish {
        unit: usize,
    },
    Unpublish {
        unit: usize,
    },
    Progress {
        unit: usize,
        text: &'static str,
        note: &'static str,
        percent: Option<i64>,
        status: CommitmentStatus,
    },
}

impl Op {
    /// Proposers act on any day; offices and units on working days.
    fn any_day(&self) -> bool {
        matches!(
            self,
            Op::Create
                | Op::Cosign { .. }
                | Op::Submit
                | Op::Revise
                | Op::Withdraw { .. }
                | Op::Evaluate { paper: false, .. }
        )
    }
}

#[derive(Debug)]
pub(super) struct Step {
    pub date: NaiveDate,
    pub item: usize,
    pub seq: usize,
    pub op: Op,
}

/// How far an item's handling has got on the last simulated day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Assigned, not yet accepted.
    Assigned,
    /// Accepted, first consultations held.
    Accepted,
    /// Co-opinions under way, no reply drafted.
    Working,
    /// Reply drafted (or rejected by the signer), not approved.
    ReplyPending,
    /// Reply sent, no rating.
    Replied,
    /// Rated (an unsatisfied result leaves it in re-handling).
    Rated,
    /// Re-handling reply sent (and rated as planned).
    Rereplied,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Eval {
    Lapse,
    Online(Rating, Rating),
    Paper(Rating, Rating),
}

impl Eval {
    fn unsatisfied(self) -> bool {
        matches!(
            self,
            Eval::Online(_, Rating::Unsatisfied) | Eval::Paper(_, Rating::Unsatisfied)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CoPlan {
    Sent,
    /// Sent with `public` disclosure and published by the office.
    Public,
    RejectThenSent,
    DraftPending,
    RejectedPending,
    Waived,
    Untouched,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Adjust {
    None,
    Pending,
    Refused,
    /// Approved; the office reassigns the lead to this unit.
    Approved(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ExtKind {
    Pending,
    Approved,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pub {
    None,
    Office,
    Signer,
    /// The office overrides `public` with `summary`.
    OfficeSummary,
    /// Published, then corrected (version 2).
    Correct,
    /// Published, then withdrawn.
    Withdraw,
}

#[derive(Debug, Clone)]
struct Flow {
    assign_on: NaiveDate,
    lead: Option<usize>,
    co: Vec<(usize, CoPlan)>,
    separate: Vec<usize>,
    stop: Stage,
    grades: [Grade; 2],
    evals: [Eval; 2],
    disclosure: Disclosure,
    reply_on: NaiveDate,
    reply_rejected: bool,
    /// The signer's rejection is where it stands (stage ReplyPending).
    reply_rejected_pending: bool,
    /// Separate items: only the first unit has replied.
    stall_others: bool,
    adjust: Adjust,
    ext: Option<(ExtKind, NaiveDate, NaiveDate)>,
    delegate: Option<usize>,
    key: Option<&'static str>,
    publish: Pub,
    close_on: NaiveDate,
    progress: bool,
    late_notes: Vec<(NaiveDate, usize)>,
}

impl Flow {
    fn new(assign_on: NaiveDate, stop: Stage) -> Flow {
        Flow {
            assign_on,
            lead: None,
            co: vec![],
            separate: vec![],
            stop,
            grades: [Grade::A, Grade::A],
            evals: [
                Eval::Online(Rating::Satisfied, Rating::Satisfied),
                Eval::Online(Rating::Satisfied, Rating::Satisfied),
            ],
            disclosure: Disclosure::Public,
            reply_on: plus(assign_on, 50),
            reply_rejected: false,
            reply_rejected_pending: false,
            stall_others: false,
            adjust: Adjust::None,
            ext: None,
            delegate: None,
            key: None,
            publish: Pub::None,
            close_on: assign_on,
            progress: false,
            late_notes: vec![],
        }
    }
}

/// An item's script while it is being written.
struct Sc {
    item: usize,
    last: NaiveDate,
    ops: Vec<(NaiveDate, Op)>,
}

const KEY_LEADERS: &[&str] = &[
    "省政协副主席 刘湘军",
    "省政协副主席 陈立华",
    "省政协副主席 周海涛",
    "省政协秘书长 谭建平",
];

pub(super) const RETURN_ITEM_REASONS: &[&str] = &[
    "提案案由部分缺少调研数据和典型案例支撑，请补充完善后重新提交。",
    "建议部分较为笼统，请围绕一个问题提出具体、可操作的建议后重新提交。",
    "提案标题与内容不够对应，请修改标题并精简案由后重新提交。",
];

const WITHDRAW_REASONS: &[&str] = &[
    "经与有关部门沟通，所提问题已在推进解决，申请撤回本提案。",
    "拟与其他委员联名重新提交，申请撤回本件。",
    "提案内容需进一步调研完善，申请撤回，待下次会议再提。",
];

pub(super) const PROGRESS_NOTES: &[&str] = &[
    "已成立工作专班，完成前期调研，正在起草相关工作方案。",
    "工作方案已形成征求意见稿，正在征求有关部门和提案人意见。",
    "主体工作已基本完成，正在按程序报批，预计按期完成。",
    "承诺事项已按期完成，相关文件已印发实施，并已书面告知提案人。",
    "受上级政策调整和年度资金安排影响，该事项未能在承诺期限内完成，经研究结转至下一年度继续推进，已向提案人说明情况。",
];

pub(super) struct Planner {
    rng: Lcg,
    cal: Calendar,
    pub items: Vec<ItemSpec>,
    pub steps: Vec<Step>,
    unit_ix: HashMap<&'static str, usize>,
    topic_queue: HashMap<Sess, Vec<usize>>,
    uses: HashMap<(Sess, usize), u8>,
    member_cursor: usize,
    method_cursor: usize,
    pub errors: Vec<String>,
}

impl Planner {
    pub fn new(cal: Calendar) -> Planner {
        let unit_ix = UNITS
            .iter()
            .enumerate()
            .map(|(i, u)| (u.short_name, i))
            .collect();
        Planner {
            rng: Lcg::new(0x6261_6e6c_6932_3032),
            cal,
            items: vec![],
            steps: vec![],
            unit_ix,
            topic_queue: HashMap::new(),
            uses: HashMap::new(),
            member_cursor: 0,
            method_cursor: 0,
            errors: vec![],
        }
    }

    fn u(&self, short: &str) -> usize {
        *self
            .unit_ix
            .get(short)
            .unwrap_or_else(|| panic!("演示目录中没有单位“{short}”"))
    }

    fn topic_by(&self, needle: &str) -> usize {
        TOPICS
            .iter()
            .position(|t| t.title.contains(needle))
            .unwrap_or_else(|| panic!("演示目录中没有“{needle}”"))
    }

    // ---------------------------------------------------------------- scripts

    /// The day an action lands on: not before the previous step, on a working day unless a
    /// proposer acts.
    fn day(&self, sc: &Sc, day: NaiveDate, any_day: bool) -> NaiveDate {
        let mut day = day.max(sc.last);
        if !any_day {
            day = self.cal.next_working_day(day).date;
        }
        day
    }

    fn at(&mut self, sc: &mut Sc, day: NaiveDate, op: Op) -> NaiveDate {
        let day = self.day(sc, day, op.any_day());
        if day > last_day() {
            self.errors.push(format!(
                "第{}件《{}》的步骤 {op:?} 排在 {day}，晚于演示截止日",
                sc.item, self.items[sc.item].title
            ));
        }
        sc.ops.push((day, op));
        sc.last = day;
        day
    }

    fn finish(&mut self, sc: Sc) {
        for (seq, (date, op)) in sc.ops.into_iter().enumerate() {
            self.steps.push(Step {
                date,
                item: sc.item,
                seq,
                op,
            });
        }
    }

    // ---------------------------------------------------------------- items

    fn next_topic(&mut self, s: Sess) -> usize {
        let q = self.topic_queue.entry(s).or_default();
        if q.is_empty() {
            let mut all: Vec<usize> = (0..TOPICS.len()).collect();
            self.rng.shuffle(&mut all);
            *self.topic_queue.get_mut(&s).expect("queue") = all;
        }
        self.topic_queue
            .get_mut(&s)
            .expect("queue")
            .pop()
            .expect("topic")
    }

    fn title_for(&mut self, s: Sess, topic: usize) -> String {
        let n = self.uses.entry((s, topic)).or_insert(0);
        let v = *n;
        *n += 1;
        let t = TOPICS[topic].title;
        match v % 4 {
            0 | 3 => t.to_string(),
            1 if t.starts_with("关于进一步") => t.replacen("关于进一步", "关于持续", 1),
            1 => t.replacen("关于", "关于进一步", 1),
            _ if t.starts_with("关于进一步") => t.replacen("关于进一步", "关于着力", 1),
            _ => t.replacen("关于", "关于切实", 1),
        }
    }

    fn next_member(&mut self) -> usize {
        self.member_cursor = (self.member_cursor + 7) % PROPOSERS.len();
        self.member_cursor
    }

    fn others(&mut self, first: usize, n: usize) -> Vec<usize> {
        let mut out = vec![];
        while out.len() < n {
            let m = self.rng.below(PROPOSERS.len());
            if m != first && !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    fn collective_contact(&mut self, k: usize) -> (&'static str, usize) {
        let name = COLLECTIVES[k % COLLECTIVES.len()];
        let sector = match name {
            n if n.starts_with("民盟") => "民盟",
            n if n.starts_with("九三") => "九三学社",
            n if n.starts_with("民建") => "民建",
            n if n.starts_with("农工") => "农工党",
            n if n.contains("经济") => "经济界",
            _ => "教育界",
        };
        let members: Vec<usize> = PROPOSERS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.sector == sector)
            .map(|(i, _)| i)
            .collect();
        (name, members[k % members.len().max(1)])
    }

    fn new_item(&mut self, s: Sess, topic: Option<usize>, origin: Origin, k: usize) -> usize {
        let topic = topic.unwrap_or_else(|| self.next_topic(s));
        let title = self.title_for(s, topic);
        let t = &TOPICS[topic];
        let (first, cosigners, collective) = match origin {
            Origin::Individual => (self.next_member(), vec![], None),
            Origin::Joint => {
                let first = self.next_member();
                let n = 1 + self.rng.below(3);
                (first, self.others(first, n), None)
            }
            Origin::Collective => {
                let (name, contact) = self.collective_contact(k);
                (contact, vec![], Some(name))
            }
        };
        self.items.push(ItemSpec {
            session: s,
            title,
            body: t.body.to_string(),
            category: t.category,
            origin,
            first,
            cosigners,
            collective,
            paper: None,
        });
        self.items.len() - 1
    }

    fn origin_for(&self, k: usize) -> Origin {
        match k % 9 {
            1 | 5 => Origin::Joint,
            4 if k.is_multiple_of(2) => Origin::Collective,
            _ => Origin::Individual,
        }
    }

    fn script(&self, item: usize, start: NaiveDate) -> Sc {
        Sc {
            item,
            last: start,
            ops: vec![],
        }
    }

    /// Create, co-sign (one co-signer declines when `decline`), submit.
    fn submit(&mut self, sc: &mut Sc, created: NaiveDate, submitted: NaiveDate, decline: bool) {
        let spec = self.items[sc.item].clone();
        self.at(sc, created, Op::Create);
        if spec.paper.is_none() {
            let n = spec.cosigners.len();
            for (i, m) in spec.cosigners.iter().enumerate() {
                let accept = !(decline && n > 1 && i == n - 1);
                self.at(sc, plus(created, 1), Op::Cosign { member: *m, accept });
            }
        }
        self.at(sc, submitted, Op::Submit);
    }

    // ---------------------------------------------------------------- handling

    fn method(&mut self) -> ConsultationMethod {
        const M: [ConsultationMethod; 6] = [
            ConsultationMethod::FaceToFace,
            ConsultationMethod::Phone,
            ConsultationMethod::Visit,
            ConsultationMethod::FaceToFace,
            ConsultationMethod::Forum,
            ConsultationMethod::Phone,
        ];
        self.method_cursor += 1;
        M[self.method_cursor % M.len()]
    }

    fn reply_text(&mut self, g: Grade) -> usize {
        let c = g.as_str().chars().next().expect("grade letter");
        let ix: Vec<usize> = REPLY_TEXTS
            .iter()
            .enumerate()
            .filter(|(_, t)| t.grade == c)
            .map(|(i, _)| i)
            .collect();
        ix[self.rng.below(ix.len())]
    }

    fn commitment_due(text: &str, drafted: NaiveDate) -> NaiveDate {
        let y = drafted.year();
        if text.contains("明年上半年") || text.contains("每半年") {
            d(y + 1, 6, 30)
        } else if text.contains("年内") || text.contains("年底") || text.contains("下一年度")
        {
            d(y, 12, 31)
        } else {
            let m = drafted.month0() + 6;
            let (yy, mm) = (y + (m / 12) as i32, m % 12 + 1);
            let next = if mm == 12 {
                d(yy + 1, 1, 1)
            } else {
                d(yy, mm + 1, 1)
            };
            next.pred_opt().expect("month end")
        }
    }

    fn comment_for(&mut self, r: Rating) -> usize {
        let pool: &[usize] = match r {
            Rating::Satisfied => &[0, 1, 6],
            Rating::BasicallySatisfied => &[2, 3, 7],
            Rating::Unsatisfied => &[4, 5],
        };
        pool[self.rng.below(pool.len())]
    }

    fn evaluate(&mut self, sc: &mut Sc, day: NaiveDate, unit: usize, e: Eval) -> NaiveDate {
        match e {
            Eval::Lapse => day,
            Eval::Online(h, r) | Eval::Paper(h, r) => {
                let comment = self.comment_for(r);
                let paper = matches!(e, Eval::Paper(..));
                self.at(
                    sc,
                    day,
                    Op::Evaluate {
                        unit,
                        handling: h,
                        result: r,
                        comment,
                        paper,
                    },
                )
            }
        }
    }

    /// Drafts and (unless `approve` is false) sends a reply; returns the day it was sent and
    /// records its commitments.
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        sc: &mut Sc,
        day: NaiveDate,
        unit: usize,
        g: Grade,
        disclosure: Disclosure,
        approve: bool,
        commits: &mut Vec<(usize, &'static str, NaiveDate, NaiveDate)>,
    ) -> NaiveDate {
        let text = self.reply_text(g);
        let day = self.day(sc, day, false);
        let commitments: Vec<(&'static str, NaiveDate)> = REPLY_TEXTS[text]
            .commitments
            .iter()
            .map(|c| (*c, Self::commitment_due(c, day)))
            .collect();
        self.at(
            sc,
            day,
            Op::ReplyDraft {
                unit,
                text,
                disclosure,
                commitments: commitments.clone(),
            },
        );
        if !approve {
            return day;
        }
        let wait = self.rng.range(1, 3);
        let s = self.at(sc, plus(day, wait), Op::ReplyApprove { unit });
        for (c, due) in commitments {
            commits.push((unit, c, due, s));
        }
        s
    }

    fn publish(
        &mut self,
        sc: &mut Sc,
        day: NaiveDate,
        unit: usize,
        p: Pub,
        disclosure: Disclosure,
    ) {
        if !disclosure.publishable() {
            return;
        }
        match p {
            Pub::None => {}
            Pub::Office | Pub::Signer => {
                self.at(
                    sc,
                    day,
                    Op::Publish {
                        unit,
                        co: false,
                        by_signer: p == Pub::Signer,
                        summary: false,
                    },
                );
            }
            Pub::OfficeSummary => {
                self.at(
                    sc,
                    day,
                    Op::Publish {
                        unit,
                        co: false,
                        by_signer: false,
                        summary: disclosure == Disclosure::Public,
                    },
                );
            }
            Pub::Correct => {
                let p = self.at(
                    sc,
                    day,
                    Op::Publish {
                        unit,
                        co: false,
                        by_signer: false,
                        summary: false,
                    },
                );
                self.at(sc, plus(p, 5), Op::Republish { unit });
            }
            Pub::Withdraw => {
                let p = self.at(
                    sc,
                    day,
                    Op::Publish {
                        unit,
                        co: false,
                        by_signer: true,
                        summary: false,
                    },
                );
                self.at(sc, plus(p, 4), Op::Unpublish { unit });
            }
        }
    }

    fn run_flow(&mut self, sc: &mut Sc, f: &Flow) {
        let mut a = self.at(
            sc,
            f.assign_on,
            Op::Assign {
                lead: f.lead,
                co: f.co.iter().map(|c| c.0).collect(),
                separate: f.separate.clone(),
            },
        );
        if let Some(leader) = f.key {
            self.at(sc, plus(a, 1), Op::Key { leader });
            self.at(
                sc,
                plus(a, 2),
                Op::Supervise {
                    note: 0,
                    due_in: Some(20),
                },
            );
        }
        let mut lead = f.lead;
        let co_units: Vec<usize> = f.co.iter().map(|c| c.0).collect();
        if f.stop == Stage::Assigned {
            if f.adjust == Adjust::Pending {
                let reason = self.rng.below(RETURN_REASONS.len());
                self.at(
                    sc,
                    plus(a, 2),
                    Op::RequestReturn {
                        unit: lead.expect("lead"),
                        reason,
                        proposal: None,
                    },
                );
            }
            return;
        }
        let all: Vec<usize> = lead
            .iter()
            .chain(f.separate.iter())
            .chain(co_units.iter())
            .copied()
            .collect();
        for &u in &all {
            let day = plus(a, self.rng.range(1, 2));
            self.at(sc, day, Op::Accept { unit: u });
        }
        match f.adjust {
            Adjust::None => {}
            Adjust::Pending => {
                self.at(
                    sc,
                    plus(a, 3),
                    Op::RequestReturn {
                        unit: lead.expect("lead"),
                        reason: 0,
                        proposal: None,
                    },
                );
                return;
            }
            Adjust::Refused => {
                self.at(
                    sc,
                    plus(a, 3),
                    Op::RequestReturn {
                        unit: lead.expect("lead"),
                        reason: 2,
                        proposal: Some("建议将主办与会办单位对调".into()),
                    },
                );
                self.at(sc, plus(a, 5), Op::DecideReturn { unit: lead.expect("lead"), approve: false, note: "经研究，该提案所提事项与贵单位职责密切相关，请继续主办，会办单位积极配合。" });
            }
            Adjust::Approved(new) => {
                let old = lead.expect("lead");
                self.at(
                    sc,
                    plus(a, 3),
                    Op::RequestReturn {
                        unit: old,
                        reason: 1,
                        proposal: Some(format!("建议改由{}主办", UNITS[new].short_name)),
                    },
                );
                self.at(
                    sc,
                    plus(a, 5),
                    Op::DecideReturn {
                        unit: old,
                        approve: true,
                        note: "同意调整，另行交办。",
                    },
                );
                a = self.at(
                    sc,
                    plus(a, 6),
                    Op::Assign {
                        lead: Some(new),
                        co: vec![],
                        separate: vec![],
                    },
                );
                self.at(sc, plus(a, 1), Op::Accept { unit: new });
                lead = Some(new);
            }
        }
        if let Some(sub) = f.delegate {
            let parent = self.u(UNITS[sub].parent.expect("sub-unit"));
            self.at(
                sc,
                plus(a, 4),
                Op::Delegate {
                    unit: parent,
                    sub,
                    due_in: 30,
                },
            );
            self.at(
                sc,
                plus(a, 10),
                Op::Consult {
                    unit: parent,
                    by: sub,
                    method: ConsultationMethod::Visit,
                    summary: 2,
                },
            );
        }
        let reply_units: Vec<usize> = lead.iter().chain(f.separate.iter()).copied().collect();
        for &u in &reply_units {
            let m = self.method();
            let s = self.rng.below(CONSULTATION_SUMMARIES.len());
            let day = plus(a, self.rng.range(5, 12));
            self.at(
                sc,
                day,
                Op::Consult {
                    unit: u,
                    by: u,
                    method: m,
                    summary: s,
                },
            );
        }
        if f.stop == Stage::Accepted {
            return;
        }
        for &(u, plan) in &f.co {
            let day = plus(a, self.rng.range(12, 22));
            let text = self.rng.below(CO_OPINION_TEXTS.len());
            match plan {
                CoPlan::Sent | CoPlan::Public => {
                    self.at(
                        sc,
                        day,
                        Op::CoDraft {
                            unit: u,
                            text,
                            public: plan == CoPlan::Public,
                        },
                    );
                    let s = self.at(sc, plus(day, 1), Op::CoApprove { unit: u });
                    if plan == CoPlan::Public {
                        self.at(
                            sc,
                            plus(s, 2),
                            Op::Publish {
                                unit: u,
                                co: true,
                                by_signer: false,
                                summary: false,
                            },
                        );
                    }
                }
                CoPlan::RejectThenSent => {
                    self.at(
                        sc,
                        day,
                        Op::CoDraft {
                            unit: u,
                            text,
                            public: false,
                        },
                    );
                    self.at(sc, plus(day, 1), Op::CoReject { unit: u });
                    self.at(
                        sc,
                        plus(day, 3),
                        Op::CoDraft {
                            unit: u,
                            text: (text + 1) % CO_OPINION_TEXTS.len(),
                            public: false,
                        },
                    );
                    self.at(sc, plus(day, 4), Op::CoApprove { unit: u });
                }
                CoPlan::DraftPending => {
                    self.at(
                        sc,
                        day,
                        Op::CoDraft {
                            unit: u,
                            text,
                            public: false,
                        },
                    );
                }
                CoPlan::RejectedPending => {
                    self.at(
                        sc,
                        day,
                        Op::CoDraft {
                            unit: u,
                            text,
                            public: false,
                        },
                    );
                    self.at(sc, plus(day, 1), Op::CoReject { unit: u });
                }
                CoPlan::Waived => {
                    self.at(sc, plus(a, 33), Op::Waive { unit: u });
                }
                CoPlan::Untouched => {}
            }
        }
        if let Some(leader) = f.key {
            let _ = leader;
            self.at(
                sc,
                plus(a, 40),
                Op::Supervise {
                    note: 2,
                    due_in: None,
                },
            );
        }
        if let Some((kind, on, until)) = f.ext {
            let u = reply_units[0];
            self.at(sc, on, Op::RequestExtension { unit: u, until });
            if kind == ExtKind::Approved {
                self.at(
                    sc,
                    plus(on, 3),
                    Op::DecideExtension {
                        unit: u,
                        approve: true,
                    },
                );
            }
        }
        if f.stop == Stage::Working {
            self.late_notes(sc, f);
            return;
        }
        let mut commits = vec![];
        let mut unrated_sent: Option<NaiveDate> = None;
        for (k, &u) in reply_units.iter().enumerate() {
            if k > 0 && f.stall_others {
                continue;
            }
            let r = if k == 0 {
                f.reply_on
            } else {
                plus(f.reply_on, self.rng.range(2, 10))
            };
            let g = if k == 0 {
                f.grades[0]
            } else if self.rng.chance(50) {
                Grade::A
            } else {
                Grade::B
            };
            let e1 = if k == 0 {
                f.evals[0]
            } else {
                Eval::Online(Rating::Satisfied, Rating::Satisfied)
            };
            let mut r = r;
            if f.reply_rejected && k == 0 {
                let first = self.reply(sc, r, u, g, f.disclosure, false, &mut commits);
                let reason = self.rng.below(2);
                self.at(sc, plus(first, 1), Op::ReplyReject { unit: u, reason });
                if f.reply_rejected_pending {
                    continue;
                }
                r = plus(first, 3);
            }
            let approve = f.stop > Stage::ReplyPending;
            let s = self.reply(sc, r, u, g, f.disclosure, approve, &mut commits);
            if !approve {
                continue;
            }
            if f.stop == Stage::Replied {
                self.publish(sc, plus(s, 3), u, f.publish, f.disclosure);
                unrated_sent = Some(s);
                continue;
            }
            let wait = self.rng.range(3, 9);
            let e = self.evaluate(sc, plus(s, wait), u, e1);
            if e1 == Eval::Lapse {
                unrated_sent = Some(s);
            }
            self.publish(
                sc,
                plus(e, 1),
                u,
                if k == 0 { f.publish } else { Pub::Office },
                f.disclosure,
            );
            if e1.unsatisfied() {
                if f.key.is_some() {
                    self.at(
                        sc,
                        plus(e, 2),
                        Op::Supervise {
                            note: 3,
                            due_in: Some(25),
                        },
                    );
                }
                if f.stop == Stage::Rated {
                    continue;
                }
                let wait = self.rng.range(12, 20);
                let s2 = self.reply(
                    sc,
                    plus(e, wait),
                    u,
                    f.grades[1],
                    f.disclosure,
                    true,
                    &mut commits,
                );
                let wait = self.rng.range(3, 8);
                let e2 = self.evaluate(sc, plus(s2, wait), u, f.evals[1]);
                unrated_sent = if f.evals[1] == Eval::Lapse {
                    Some(s2)
                } else {
                    None
                };
                self.publish(
                    sc,
                    plus(e2, 1),
                    u,
                    if f.publish == Pub::None {
                        Pub::None
                    } else {
                        Pub::Office
                    },
                    f.disclosure,
                );
            }
        }
        if f.stop == Stage::Closed {
            let earliest = match unrated_sent {
                Some(s) => self.cal.add_working_days(s, 16).date,
                None => plus(sc.last, 3),
            };
            self.at(sc, f.close_on.max(earliest), Op::Close);
        }
        if f.progress {
            self.progress(sc, &commits);
        }
        self.late_notes(sc, f);
    }

    fn late_notes(&mut self, sc: &mut Sc, f: &Flow) {
        for &(day, note) in &f.late_notes {
            self.at(
                sc,
                day,
                Op::Supervise {
                    note,
                    due_in: Some(10),
                },
            );
        }
    }

    /// Progress notes on the commitments, ending as done, carried over or still open.
    fn progress(&mut self, sc: &mut Sc, commits: &[(usize, &'static str, NaiveDate, NaiveDate)]) {
        let mut plan: Vec<(NaiveDate, Op)> = vec![];
        for &(unit, text, due, sent) in commits {
            let first = plus(sent.max(sc.last), self.rng.range(20, 50));
            plan.push((
                first,
                Op::Progress {
                    unit,
                    text,
                    note: PROGRESS_NOTES[0],
                    percent: Some(30 + 10 * self.rng.range(0, 2)),
                    status: CommitmentStatus::Open,
                },
            ));
            let fate = self.rng.below(100);
            if fate < 55 {
                let done = plus(due, -self.rng.range(5, 40)).max(plus(first, 20));
                plan.push((
                    plus(first, 15).min(done),
                    Op::Progress {
                        unit,
                        text,
                        note: PROGRESS_NOTES[1],
                        percent: Some(60),
                        status: CommitmentStatus::Open,
                    },
                ));
                plan.push((
                    done,
                    Op::Progress {
                        unit,
                        text,
                        note: PROGRESS_NOTES[3],
                        percent: None,
                        status: CommitmentStatus::Done,
                    },
                ));
            } else if fate < 75 {
                plan.push((
                    plus(due, self.rng.range(3, 20)),
                    Op::Progress {
                        unit,
                        text,
                        note: PROGRESS_NOTES[4],
                        percent: Some(70),
                        status: CommitmentStatus::CarriedOver,
                    },
                ));
            } else {
                plan.push((
                    plus(first.max(plus(due, -30)), 10),
                    Op::Progress {
                        unit,
                        text,
                        note: PROGRESS_NOTES[2],
                        percent: Some(80),
                        status: CommitmentStatus::Open,
                    },
                ));
            }
        }
        plan.sort_by_key(|p| p.0);
        for (day, op) in plan {
            if self.day(sc, day, false) <= last_day() {
                self.at(sc, day, op);
            }
        }
    }

    /// The usual handling of a closed item: lead + co (or separate), varied grades, ratings,
    /// disclosure and publication, with the rarer paths at fixed positions.
    fn vary(&mut self, f: &mut Flow, topic: usize, k: usize) {
        let t = &TOPICS[topic];
        let lead = self.u(t.lead);
        if k % 12 == 6 && !t.co.is_empty() {
            f.separate = vec![lead, self.u(t.co[0])];
        } else {
            f.lead = Some(lead);
            let n = self.rng.below(t.co.len().min(3) + 1);
            f.co = t.co[..n]
                .iter()
                .map(|c| (self.u(c), CoPlan::Sent))
                .collect();
            if k % 7 == 2 && !f.co.is_empty() {
                f.co[0].1 = CoPlan::RejectThenSent;
            }
            if k % 19 == 4 && !f.co.is_empty() {
                let last = f.co.len() - 1;
                f.co[last].1 = CoPlan::Waived;
            }
            if k % 11 == 5 && !f.co.is_empty() {
                f.co[0].1 = CoPlan::Public;
            }
        }
        let roll = self.rng.below(100);
        f.grades[0] = if roll < 35 {
            Grade::A
        } else if roll < 75 {
            Grade::B
        } else {
            Grade::C
        };
        f.grades[1] = if self.rng.chance(50) {
            Grade::A
        } else {
            Grade::B
        };
        use Rating::*;
        f.evals[0] = match k % 20 {
            1 => Eval::Online(BasicallySatisfied, Unsatisfied),
            10 => Eval::Online(Satisfied, Unsatisfied),
            5 | 15 => Eval::Lapse,
            7 => Eval::Paper(Satisfied, BasicallySatisfied),
            13 => Eval::Paper(Satisfied, Satisfied),
            3 | 12 | 17 => Eval::Online(BasicallySatisfied, BasicallySatisfied),
            8 | 18 => Eval::Online(Satisfied, BasicallySatisfied),
            _ => Eval::Online(Satisfied, Satisfied),
        };
        if f.evals[0].unsatisfied() {
            f.grades[0] = if k.is_multiple_of(3) {
                Grade::B
            } else {
                Grade::C
            };
            f.evals[1] = match (k / 20) % 4 {
                0 => Eval::Online(Satisfied, BasicallySatisfied),
                1 => Eval::Online(BasicallySatisfied, BasicallySatisfied),
                2 => Eval::Lapse,
                _ => Eval::Online(Unsatisfied, Unsatisfied),
            };
        }
        let r = self.rng.below(100);
        f.disclosure = if r < 70 {
            Disclosure::Public
        } else if r < 85 {
            Disclosure::Summary
        } else if r < 93 {
            Disclosure::OnRequest
        } else {
            Disclosure::NotPublic
        };
        f.publish = match k % 10 {
            0 | 3 | 6 => Pub::Signer,
            9 => Pub::None,
            _ => Pub::Office,
        };
        if k == 8 {
            f.disclosure = Disclosure::Public;
            f.publish = Pub::Correct;
        }
        if k == 14 {
            f.disclosure = Disclosure::Public;
            f.publish = Pub::OfficeSummary;
        }
        if k == 30 {
            f.disclosure = Disclosure::Public;
            f.publish = Pub::Withdraw;
        }
        f.reply_rejected = k % 13 == 3;
        if k.is_multiple_of(17) {
            f.key = Some(KEY_LEADERS[(k / 17) % KEY_LEADERS.len()]);
        }
        f.reply_on = plus(f.assign_on, self.rng.range(40, 75));
        f.progress = true;
    }

    // ---------------------------------------------------------------- sessions

    pub fn build(&mut self) {
        self.past_session();
        self.current_session();
        self.steps.sort_by_key(|s| (s.date, s.item, s.seq));
    }

    /// Topics whose lead is 湘潭市人民政府, with the sub-unit it delegates to.
    fn xiangtan(&self, n: usize) -> (usize, usize) {
        let pairs = [
            ("湘潭打造先进制造业", "湘潭市发展改革委"),
            ("湘潭市城区义务教育", "湘潭市教育局"),
            ("竹埠港", "湘潭市自然资源规划局"),
            ("湘潭市城区义务教育", "湘潭市住房城乡建设局"),
        ];
        let (t, s) = pairs[n % pairs.len()];
        (self.topic_by(t), self.u(s))
    }

    fn past_session(&mut self) {
        let s = Sess::Past;
        let mut targets = vec![];
        for k in 0..104 {
            let delegate = k == 40 || k == 77;
            let xt = delegate.then(|| self.xiangtan(k));
            let mut origin = self.origin_for(k);
            if k == 50 {
                origin = Origin::Joint;
            }
            let item = self.new_item(s, xt.map(|x| x.0), origin, k);
            if k == 50 {
                self.items[item].paper = Some(d(2025, 1, 15));
            }
            let created = plus(d(2025, 1, 6), (k % 6) as i64);
            let submitted = plus(d(2025, 1, 12), (k % 7) as i64);
            let mut sc = self.script(item, created);
            if k == 50 {
                self.submit(&mut sc, d(2025, 1, 20), d(2025, 1, 20), false);
            } else {
                self.submit(&mut sc, created, submitted, k % 9 == 5);
            }
            let filed = plus(d(2025, 2, 10), (k % 10) as i64);
            self.at(&mut sc, filed, Op::File { title: None });
            if k == 2 || k == 9 {
                targets.push((
                    item,
                    TOPICS
                        .iter()
                        .position(|t| t.body == self.items[item].body)
                        .expect("topic"),
                ));
            }
            let mut f = Flow::new(plus(d(2025, 2, 24), (k % 9) as i64), Stage::Closed);
            let topic = TOPICS
                .iter()
                .position(|t| t.body == self.items[item].body)
                .expect("topic");
            self.vary(&mut f, topic, k);
            if let Some((_, sub)) = xt {
                f.delegate = Some(sub);
                f.separate.clear();
                f.lead = Some(self.u(UNITS[sub].parent.expect("parent")));
                f.co.retain(|c| Some(c.0) != f.lead);
            }
            if k == 11 {
                let alt = f.co.first().map(|c| c.0).unwrap_or(self.u("省发展改革委"));
                f.separate.clear();
                if f.lead.is_none() {
                    f.lead = Some(self.u(TOPICS[topic].lead));
                }
                f.co.retain(|c| c.0 != alt);
                f.adjust = Adjust::Approved(alt);
            }
            if k == 23 && f.lead.is_some() {
                f.adjust = Adjust::Refused;
            }
            if k == 5 && f.lead.is_some() {
                let on = plus(f.assign_on, 60);
                f.ext = Some((ExtKind::Approved, on, plus(f.assign_on, 150)));
                f.reply_on = plus(f.assign_on, 120);
            }
            f.close_on = plus(d(2025, 8, 25), (k % 30) as i64);
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Merged into an earlier item on the same subject, after both were filed.
        for (n, (target, topic)) in targets.into_iter().enumerate() {
            let item = self.new_item(s, Some(topic), Origin::Individual, n);
            let mut sc = self.script(item, d(2025, 1, 10));
            self.submit(&mut sc, d(2025, 1, 10), d(2025, 1, 16), false);
            self.at(&mut sc, d(2025, 2, 13), Op::File { title: None });
            self.at(&mut sc, d(2025, 2, 20), Op::Merge { into: target });
            self.finish(sc);
        }
        // Not filed, one of each disposition.
        for (n, (disposition, reason)) in [
            (Disposition::Opinion, 0),
            (Disposition::Reference, 1),
            (Disposition::Letter, 2),
        ]
        .into_iter()
        .enumerate()
        {
            let item = self.new_item(s, None, Origin::Individual, n);
            let mut sc = self.script(item, d(2025, 1, 11));
            self.submit(&mut sc, d(2025, 1, 11), d(2025, 1, 17), false);
            let unit = (disposition == Disposition::Reference)
                .then(|| self.u(TOPICS[self.topic_of(item)].lead));
            self.at(
                &mut sc,
                d(2025, 2, 14),
                Op::Reject {
                    reason,
                    disposition,
                    unit,
                },
            );
            self.finish(sc);
        }
        let item = self.new_item(s, None, Origin::Individual, 0);
        let mut sc = self.script(item, d(2025, 1, 13));
        self.submit(&mut sc, d(2025, 1, 13), d(2025, 1, 14), false);
        self.at(
            &mut sc,
            d(2025, 1, 27),
            Op::Withdraw {
                reason: WITHDRAW_REASONS[0],
            },
        );
        self.finish(sc);
    }

    fn topic_of(&self, item: usize) -> usize {
        TOPICS
            .iter()
            .position(|t| t.body == self.items[item].body)
            .expect("topic")
    }

    /// Create → submit → file for the current session, with the occasional return and revision.
    #[allow(clippy::too_many_arguments)]
    fn filed_current(
        &mut self,
        topic: Option<usize>,
        origin: Origin,
        k: usize,
        created: NaiveDate,
        submitted: NaiveDate,
        filed: NaiveDate,
        decline: bool,
        revise: bool,
        tidy: bool,
    ) -> Sc {
        let item = self.new_item(Sess::Current, topic, origin, k);
        let mut sc = self.script(item, created);
        self.submit(&mut sc, created, submitted, decline);
        if revise {
            self.at(
                &mut sc,
                plus(submitted, 5),
                Op::Return {
                    reason: RETURN_ITEM_REASONS[k % RETURN_ITEM_REASONS.len()],
                },
            );
            self.at(&mut sc, plus(submitted, 7), Op::Revise);
            self.at(&mut sc, plus(submitted, 8), Op::Submit);
        }
        let title = tidy.then(|| self.items[item].title.clone());
        if tidy {
            // The proposer's own title was informal; the office tidies it when filing.
            let core = self.items[item]
                .title
                .trim_start_matches("关于")
                .trim_end_matches("的提案")
                .to_string();
            self.items[item].title = format!("{core}的建议");
        }
        self.at(&mut sc, filed, Op::File { title });
        sc
    }

    fn basic_flow(&mut self, sc: &Sc, assign_on: NaiveDate, stop: Stage) -> Flow {
        let topic = self.topic_of(sc.item);
        let t = &TOPICS[topic];
        let mut f = Flow::new(assign_on, stop);
        f.lead = Some(self.u(t.lead));
        let n = (1 + self.rng.below(2)).min(t.co.len());
        f.co = t.co[..n]
            .iter()
            .map(|c| (self.u(c), CoPlan::Sent))
            .collect();
        f.grades[0] = [Grade::A, Grade::B, Grade::B, Grade::C][self.rng.below(4)];
        f.disclosure = if self.rng.chance(80) {
            Disclosure::Public
        } else {
            Disclosure::Summary
        };
        f.publish = Pub::None;
        f
    }

    fn current_session(&mut self) {
        let s = Sess::Current;
        let mut targets = vec![];

        // ---- Spring: submitted at the plenary, filed in February, assigned late Feb / early March.
        for k in 0..60 {
            let delegate = k == 25;
            let xt = delegate.then(|| self.xiangtan(2));
            let origin = if k == 20 {
                Origin::Joint
            } else {
                self.origin_for(k)
            };
            let created = plus(d(2026, 1, 12), (k % 6) as i64);
            let submitted = plus(d(2026, 1, 18), (k % 7) as i64);
            let filed = plus(d(2026, 2, 2), (k % 9) as i64);
            let mut sc = if k == 20 {
                let item = self.new_item(s, None, origin, k);
                self.items[item].paper = Some(d(2026, 1, 21));
                let mut sc = self.script(item, d(2026, 1, 26));
                self.submit(&mut sc, d(2026, 1, 26), d(2026, 1, 26), false);
                self.at(&mut sc, filed, Op::File { title: None });
                sc
            } else {
                self.filed_current(
                    xt.map(|x| x.0),
                    origin,
                    k,
                    created,
                    submitted,
                    filed,
                    k % 9 == 1,
                    k == 7 || k == 33,
                    k == 11,
                )
            };
            if k == 3 || k == 16 || k == 31 || k == 44 || k == 52 {
                targets.push(sc.item);
            }
            let topic = self.topic_of(sc.item);
            let mut f = Flow::new(plus(d(2026, 2, 26), (k % 8) as i64), Stage::Closed);
            self.vary(&mut f, topic, k + 3);
            if let Some((_, sub)) = xt {
                f.delegate = Some(sub);
                f.separate.clear();
                f.lead = Some(self.u(UNITS[sub].parent.expect("parent")));
                f.co.retain(|c| Some(c.0) != f.lead);
            }
            if k == 13 {
                let alt = f.co.first().map(|c| c.0).unwrap_or(self.u("省财政厅"));
                f.separate.clear();
                if f.lead.is_none() {
                    f.lead = Some(self.u(TOPICS[topic].lead));
                }
                f.co.retain(|c| c.0 != alt);
                f.adjust = Adjust::Approved(alt);
            }
            if k == 29 && f.lead.is_some() {
                f.adjust = Adjust::Refused;
            }
            if k == 17 && f.lead.is_some() {
                f.ext = Some((
                    ExtKind::Approved,
                    plus(f.assign_on, 55),
                    plus(f.assign_on, 140),
                ));
                f.reply_on = plus(f.assign_on, 110);
            }
            f.close_on = plus(d(2026, 7, 13), (k % 55) as i64);
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Spring items replied but not yet closed by the office.
        for k in 0..5 {
            let mut sc = self.filed_current(
                None,
                self.origin_for(k + 2),
                k,
                d(2026, 1, 14),
                d(2026, 1, 20),
                plus(d(2026, 2, 4), k as i64),
                false,
                false,
                false,
            );
            let mut f = self.basic_flow(&sc, plus(d(2026, 3, 2), k as i64), Stage::Rated);
            f.reply_on = plus(d(2026, 5, 18), 2 * k as i64);
            f.evals[0] = if k % 2 == 0 {
                Eval::Lapse
            } else {
                Eval::Online(Rating::Satisfied, Rating::BasicallySatisfied)
            };
            f.publish = Pub::Office;
            f.progress = true;
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Spring items overdue: accepted in March, still no reply.
        for k in 0..2 {
            let mut sc = self.filed_current(
                None,
                Origin::Individual,
                k,
                d(2026, 1, 15),
                d(2026, 1, 21),
                plus(d(2026, 2, 5), k as i64),
                false,
                false,
                false,
            );
            let mut f = self.basic_flow(&sc, plus(d(2026, 3, 3), k as i64), Stage::Working);
            if k == 0 {
                f.ext = Some((ExtKind::Approved, d(2026, 5, 20), d(2026, 8, 31)));
                f.late_notes = vec![(d(2026, 9, 8), 1), (d(2026, 10, 20), 2)];
                f.key = Some(KEY_LEADERS[1]);
            } else {
                f.late_notes = vec![(d(2026, 6, 10), 1)];
            }
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Separate handling: one unit replied, the other is overdue.
        {
            let topic = self.topic_by("县域经济高质量发展");
            let mut sc = self.filed_current(
                Some(topic),
                Origin::Individual,
                0,
                d(2026, 1, 13),
                d(2026, 1, 19),
                d(2026, 2, 6),
                false,
                false,
                false,
            );
            let mut f = Flow::new(d(2026, 3, 2), Stage::Rated);
            f.separate = vec![self.u("省发展改革委"), self.u("省财政厅")];
            f.stall_others = true;
            f.grades[0] = Grade::B;
            f.reply_on = d(2026, 5, 12);
            f.publish = Pub::Office;
            f.late_notes = vec![(d(2026, 6, 15), 1)];
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Not filed: two of each disposition.
        for (n, (disposition, reason)) in [
            (Disposition::Opinion, 0),
            (Disposition::Reference, 1),
            (Disposition::Letter, 2),
            (Disposition::Opinion, 0),
            (Disposition::Reference, 1),
            (Disposition::Letter, 2),
        ]
        .into_iter()
        .enumerate()
        {
            let item = self.new_item(s, None, Origin::Individual, n);
            let mut sc = self.script(item, d(2026, 1, 16));
            self.submit(
                &mut sc,
                d(2026, 1, 16),
                plus(d(2026, 1, 19), n as i64),
                false,
            );
            let unit = (disposition == Disposition::Reference)
                .then(|| self.u(TOPICS[self.topic_of(item)].lead));
            self.at(
                &mut sc,
                plus(d(2026, 2, 3), n as i64),
                Op::Reject {
                    reason,
                    disposition,
                    unit,
                },
            );
            self.finish(sc);
        }
        // Merged: two before filing (into a submitted item), three after filing.
        for (n, target) in targets.into_iter().enumerate() {
            let topic = self.topic_of(target);
            let item = self.new_item(s, Some(topic), Origin::Individual, n);
            let mut sc = self.script(item, d(2026, 1, 17));
            self.submit(&mut sc, d(2026, 1, 17), d(2026, 1, 22), false);
            if n >= 2 {
                self.at(&mut sc, d(2026, 2, 2), Op::File { title: None });
            }
            self.at(&mut sc, d(2026, 2, 12), Op::Merge { into: target });
            self.finish(sc);
        }
        // Withdrawn: one submitted item, one draft.
        for n in 0..2 {
            let item = self.new_item(s, None, Origin::Individual, n);
            let mut sc = self.script(item, d(2026, 1, 15));
            self.at(&mut sc, d(2026, 1, 15), Op::Create);
            if n == 0 {
                self.at(&mut sc, d(2026, 1, 20), Op::Submit);
            }
            self.at(
                &mut sc,
                d(2026, 1, 28),
                Op::Withdraw {
                    reason: WITHDRAW_REASONS[n + 1],
                },
            );
            self.finish(sc);
        }

        // ---- Summer: items submitted between sessions, assigned early July (due early October).
        for k in 0..17usize {
            let created = plus(d(2026, 5, 6), 2 * k as i64);
            let mut sc = self.filed_current(
                None,
                if k % 4 == 1 {
                    Origin::Collective
                } else {
                    Origin::Individual
                },
                k,
                created,
                plus(created, 1),
                plus(d(2026, 6, 15), (k % 10) as i64),
                false,
                false,
                false,
            );
            let assign = plus(d(2026, 7, 6), (k % 5) as i64);
            let stop = match k {
                0..=5 => Stage::Working,
                6..=11 => Stage::Closed,
                12..=15 => Stage::Rated,
                _ => Stage::Rereplied,
            };
            let mut f = self.basic_flow(&sc, assign, stop);
            match k {
                0 => {
                    f.key = Some(KEY_LEADERS[2]);
                    f.late_notes = vec![(d(2026, 9, 28), 1), (d(2026, 10, 21), 2)];
                }
                1..=4 => f.late_notes = vec![(d(2026, 10, 26), 1)],
                5 => f.ext = Some((ExtKind::Approved, d(2026, 9, 21), d(2026, 12, 31))),
                6..=11 => {
                    f.reply_on = plus(d(2026, 8, 31), 3 * (k as i64 - 6));
                    f.close_on = plus(d(2026, 11, 2), 3 * (k as i64 - 6));
                    f.publish = if k % 2 == 0 { Pub::Office } else { Pub::Signer };
                    f.progress = true;
                }
                12 | 13 => f.reply_on = plus(d(2026, 9, 22), k as i64),
                14 | 15 => {
                    f.reply_on = plus(d(2026, 10, 19), k as i64 - 14);
                    f.evals[0] = Eval::Online(Rating::BasicallySatisfied, Rating::Unsatisfied);
                    f.grades[0] = Grade::C;
                }
                _ => {
                    f.reply_on = d(2026, 9, 24);
                    f.evals = [
                        Eval::Online(Rating::Satisfied, Rating::Unsatisfied),
                        Eval::Lapse,
                    ];
                    f.grades = [Grade::C, Grade::B];
                }
            }
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }

        // ---- Autumn: submitted in August, assigned mid/late September (due mid/late December).
        for k in 0..52usize {
            let created = plus(d(2026, 8, 10), (k % 20) as i64);
            let origin = if k % 7 == 3 {
                Origin::Collective
            } else {
                Origin::Individual
            };
            let delegate = k == 20;
            let xt = delegate.then(|| self.xiangtan(3));
            let mut sc = self.filed_current(
                xt.map(|x| x.0),
                origin,
                k,
                created,
                plus(created, 2),
                plus(d(2026, 9, 7), (k % 6) as i64),
                false,
                false,
                false,
            );
            let assign = plus(d(2026, 9, 14), (k % 10) as i64);
            let stop = match k {
                0..=11 | 17..=20 => Stage::Working,
                12..=16 => Stage::ReplyPending,
                21..=42 => Stage::Replied,
                43..=47 => Stage::Rated,
                48 => Stage::Rated,
                _ => Stage::Closed,
            };
            let mut f = self.basic_flow(&sc, assign, stop);
            if let Some((_, sub)) = xt {
                f.lead = Some(self.u(UNITS[sub].parent.expect("parent")));
                f.co.retain(|c| Some(c.0) != f.lead);
                f.delegate = Some(sub);
            }
            if k <= 11 {
                // Co-opinions at every step on the way.
                let plans = [
                    CoPlan::DraftPending,
                    CoPlan::RejectedPending,
                    CoPlan::Untouched,
                    CoPlan::Sent,
                    CoPlan::Waived,
                    CoPlan::RejectThenSent,
                ];
                if f.co.is_empty() {
                    let extra = TOPICS[self.topic_of(sc.item)]
                        .co
                        .iter()
                        .map(|c| self.u(c))
                        .find(|u| Some(*u) != f.lead);
                    if let Some(u) = extra {
                        f.co.push((u, CoPlan::Sent));
                    }
                }
                if let Some(c) = f.co.first_mut() {
                    c.1 = plans[k % plans.len()];
                }
            }
            match k {
                3 | 9 => f.key = Some(KEY_LEADERS[k % KEY_LEADERS.len()]),
                15 | 16 => {
                    f.reply_rejected = true;
                    f.reply_rejected_pending = true;
                    f.reply_on = plus(d(2026, 11, 16), k as i64 - 15);
                }
                12..=14 => f.reply_on = plus(d(2026, 11, 23), k as i64 - 12),
                17 => f.ext = Some((ExtKind::Pending, d(2026, 11, 20), plus(assign, 150))),
                18 => {
                    let alt = f.co.first().map(|c| c.0).unwrap_or(self.u("省发展改革委"));
                    f.co.retain(|c| c.0 != alt);
                    f.adjust = Adjust::Approved(alt);
                }
                19 => f.adjust = Adjust::Refused,
                21..=42 => {
                    f.reply_on = plus(d(2026, 11, 2), (k as i64 - 21) % 16);
                    f.reply_rejected = k == 24;
                    f.publish = match k % 3 {
                        0 => Pub::Office,
                        1 => Pub::Signer,
                        _ => Pub::None,
                    };
                    if k == 30 {
                        f.disclosure = Disclosure::NotPublic;
                    }
                    if k == 36 {
                        f.disclosure = Disclosure::OnRequest;
                    }
                }
                43..=47 => {
                    f.reply_on = plus(d(2026, 10, 26), k as i64 - 43);
                    f.evals[0] = if k == 45 {
                        Eval::Paper(Rating::Satisfied, Rating::Satisfied)
                    } else {
                        Eval::Online(Rating::Satisfied, Rating::Satisfied)
                    };
                    f.publish = Pub::Office;
                }
                48 => {
                    f.reply_on = d(2026, 10, 20);
                    f.evals[0] = Eval::Online(Rating::Unsatisfied, Rating::Unsatisfied);
                    f.grades[0] = Grade::C;
                    f.key = Some(KEY_LEADERS[0]);
                }
                _ => {
                    f.reply_on = plus(d(2026, 10, 12), k as i64 - 49);
                    f.close_on = plus(d(2026, 11, 16), k as i64 - 49);
                    f.publish = Pub::Office;
                }
            }
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }

        // ---- Late: submitted in October/November.
        // Assigned this week, not yet accepted (two units already ask for an adjustment).
        for k in 0..8usize {
            let created = plus(d(2026, 10, 12), k as i64);
            let mut sc = self.filed_current(
                None,
                Origin::Individual,
                k,
                created,
                plus(created, 8),
                plus(d(2026, 11, 10), (k % 4) as i64),
                false,
                false,
                false,
            );
            let assign = if k < 6 {
                plus(d(2026, 11, 23), (k % 4) as i64)
            } else {
                d(2026, 11, 18)
            };
            let mut f = self.basic_flow(&sc, assign, Stage::Assigned);
            if k == 0 {
                f.key = Some(KEY_LEADERS[3]);
            }
            if k >= 6 {
                f.adjust = Adjust::Pending;
            }
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Accepted last week, first consultations held.
        for k in 0..4usize {
            let created = plus(d(2026, 10, 14), k as i64);
            let mut sc = self.filed_current(
                None,
                Origin::Individual,
                k,
                created,
                plus(created, 6),
                plus(d(2026, 11, 2), k as i64),
                false,
                false,
                false,
            );
            let f = self.basic_flow(&sc, plus(d(2026, 11, 5), k as i64), Stage::Accepted);
            self.run_flow(&mut sc, &f);
            self.finish(sc);
        }
        // Filed, not yet assigned.
        for k in 0..6usize {
            let created = plus(d(2026, 10, 20), k as i64);
            let sc = self.filed_current(
                None,
                if k == 2 {
                    Origin::Collective
                } else {
                    Origin::Individual
                },
                k,
                created,
                plus(created, 7),
                plus(d(2026, 11, 16), 2 * k as i64),
                false,
                false,
                false,
            );
            self.finish(sc);
        }
        // Submitted, waiting for the office.
        for k in 0..8usize {
            let item = self.new_item(
                s,
                None,
                if k == 4 {
                    Origin::Collective
                } else {
                    Origin::Individual
                },
                k,
            );
            let created = plus(d(2026, 10, 28), 2 * k as i64);
            let mut sc = self.script(item, created);
            self.submit(&mut sc, created, plus(created, 5), false);
            self.finish(sc);
        }
        // Returned for revision (and one then withdrawn).
        for k in 0..5usize {
            let item = self.new_item(s, None, Origin::Individual, k);
            let created = plus(d(2026, 10, 19), 2 * k as i64);
            let mut sc = self.script(item, created);
            self.submit(&mut sc, created, plus(created, 3), false);
            self.at(
                &mut sc,
                plus(created, 12),
                Op::Return {
                    reason: RETURN_ITEM_REASONS[k % RETURN_ITEM_REASONS.len()],
                },
            );
            if k == 4 {
                self.at(
                    &mut sc,
                    plus(created, 20),
                    Op::Withdraw {
                        reason: WITHDRAW_REASONS[2],
                    },
                );
            }
            self.finish(sc);
        }
        // Not filed in the autumn review.
        for (n, (disposition, reason)) in [
            (Disposition::Letter, 2),
            (Disposition::Opinion, 0),
            (Disposition::Reference, 1),
        ]
        .into_iter()
        .enumerate()
        {
            let item = self.new_item(s, None, Origin::Individual, n);
            let created = plus(d(2026, 9, 25), 3 * n as i64);
            let mut sc = self.script(item, created);
            self.submit(&mut sc, created, plus(created, 2), false);
            let unit = (disposition == Disposition::Reference)
                .then(|| self.u(TOPICS[self.topic_of(item)].lead));
            self.at(
                &mut sc,
                plus(created, 20),
                Op::Reject {
                    reason,
                    disposition,
                    unit,
                },
            );
            self.finish(sc);
        }
        // Drafts: five proposers are still writing; the office is entering one from paper.
        for k in 0..6usize {
            let origin = if k == 1 {
                Origin::Joint
            } else {
                Origin::Individual
            };
            let item = self.new_item(s, None, origin, k);
            if k == 5 {
                self.items[item].paper = Some(d(2026, 11, 20));
            }
            let mut sc = self.script(item, d(2026, 11, 10));
            self.at(&mut sc, plus(d(2026, 11, 10), 3 * k as i64), Op::Create);
            self.finish(sc);
        }
    }
}
