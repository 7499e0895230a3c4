//! Who may do what (DESIGN §2–3): the one place a permission is written.
//!
//! Every use case asks [`decide`] before it reads its input; the staff pages offer a form or
//! a button exactly when [`decide`] allows it; the item page shows a document, a consultation
//! or a request only when [`decide`] allows it. The SQL filters of the lists and the search
//! scopes (`store`, `app::view`) are the set form of [`Action::View`] and are tested against
//! it cell by cell.
//!
//! The order of the answers follows DESIGN §2: a principal who may not see the item is refused
//! first, then one whose role or relation does not allow the action (403 whatever they send),
//! then an action the item's state does not allow now (409).

use crate::lifecycle::{
    assignment_next, co_opinions_complete, item_next, AssignmentAction, ItemAction,
};
use crate::model::{
    AssignmentRole, AssignmentState, CommitmentStatus, DocKind, DocState, ItemState,
    ProposerStatus, Role,
};
use crate::policy::Policy;
use chrono::NaiveDate;

/// The signed-in user as the rules see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub user_id: i64,
    pub unit_id: Option<i64>,
    /// Proposers' and office users' organisation. `None` (an office account made before
    /// organisations were recorded) belongs to every organisation of the installation.
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposer {
    pub user_id: i64,
    pub status: ProposerStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFacts {
    pub id: i64,
    pub unit_id: i64,
    pub role: AssignmentRole,
    pub state: AssignmentState,
    /// Sub-units the unit delegated part of this work to (内部交办).
    pub delegated_to: Vec<i64>,
    /// The last day the unit may ask for an adjustment.
    pub return_by: NaiveDate,
    pub pending_adjustment: bool,
    pub pending_extension: bool,
    /// The unit already asked for its one extension.
    pub extension_asked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFacts {
    pub id: i64,
    pub assignment_id: i64,
    pub kind: DocKind,
    pub state: DocState,
    /// For a sent reply: the last day of the proposer's evaluation.
    pub evaluation_due: Option<NaiveDate>,
    pub rated: bool,
    /// A publication of it is live on the portal.
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentFacts {
    pub id: i64,
    pub document_id: i64,
    pub unit_id: i64,
    pub status: CommitmentStatus,
}

/// What the rules need to know about one item, read in the same transaction as the write.
#[derive(Debug, Clone)]
pub struct Facts {
    pub org_id: i64,
    pub state: ItemState,
    pub on_paper: bool,
    /// A case number was given (online filing, or a paper number kept).
    pub has_number: bool,
    pub first_proposer_id: i64,
    pub proposers: Vec<Proposer>,
    /// Proposers of items merged into this one: they follow their item here.
    pub merged_proposers: Vec<i64>,
    /// The unit an unfiled item was passed to as an opinion or letter.
    pub disposition_unit_id: Option<i64>,
    /// The session's co-signing cut-off has not passed.
    pub cosign_open: bool,
    pub assignments: Vec<AssignmentFacts>,
    pub documents: Vec<DocumentFacts>,
    pub commitments: Vec<CommitmentFacts>,
    /// The principal's own unit has sub-units to delegate to.
    pub principal_has_sub_units: bool,
    pub policy: Policy,
    pub today: NaiveDate,
}

/// The co-handling assignments whose opinion the reply of assignment `id` waits for before
/// it may be signed (DESIGN §3: a lead reply goes out only with every live co-opinion sent
/// or waived). Empty for any other assignment. Pages show these to say why 签发 is not
/// offered, and before a clerk sends a reply for signing.
pub fn awaited_co_opinions(f: &Facts, id: i64) -> Vec<i64> {
    let lead = f
        .assignments
        .iter()
        .any(|a| a.id == id && a.role == AssignmentRole::Lead);
    if !lead {
        return Vec::new();
    }
    f.assignments
        .iter()
        .filter(|x| x.role == AssignmentRole::Co && !co_opinions_complete(&[x.state]))
        .map(|x| x.id)
        .collect()
}

/// Everything a principal may ask to do or see on an item. Assignment actions carry the
/// assignment id, document actions the document id, `Progress` the commitment id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open the item page (title, text, proposers, assignments).
    View,
    Edit,
    Submit,
    Withdraw,
    /// An invited co-signer confirms or declines.
    Cosign,
    File,
    Return,
    Reject,
    Merge,
    Assign,
    Key,
    Supervise,
    Close,
    /// See the office's supervision notes.
    SeeSupervision,
    Accept(i64),
    RequestReturn(i64),
    DecideReturn(i64),
    Delegate(i64),
    RequestExtension(i64),
    DecideExtension(i64),
    Consult(i64),
    DraftCoOpinion(i64),
    DraftReply(i64),
    /// The unit's signer signs the draft of the given kind (签发).
    Approve(i64, DocKind),
    /// The unit's signer sends the draft back to the clerk.
    RejectDraft(i64, DocKind),
    CheckReply(i64),
    Waive(i64),
    Evaluate(i64),
    Reopen(i64),
    /// See an assignment's consultations and evaluations.
    SeeWork(i64),
    /// See an assignment's adjustment and extension requests and its internal events.
    SeeInternal(i64),
    /// Read a document (its text, its PDF).
    SeeDocument(i64),
    Publish(i64),
    Unpublish(i64),
    Progress(i64),
}

/// Why a principal may not do something now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The item, assignment or document does not exist for this principal.
    NotFound(&'static str),
    /// The role or the relation to the item never allows it (403).
    Forbidden(String),
    /// The role may, but not in the item's present state (409).
    Conflict(String),
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::NotFound(what) => write!(f, "{what}不存在"),
            Denied::Forbidden(m) | Denied::Conflict(m) => f.write_str(m),
        }
    }
}

fn forbid(m: &str) -> Denied {
    Denied::Forbidden(m.to_string())
}
fn conflict(m: impl Into<String>) -> Denied {
    Denied::Conflict(m.into())
}
fn ensure(ok: bool, denied: impl FnOnce() -> Denied) -> Result<(), Denied> {
    if ok {
        Ok(())
    } else {
        Err(denied())
    }
}

/// How a principal stands to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stand {
    /// The office (or the admin) of the item's organisation.
    Office,
    Proposer {
        first: bool,
        status: Option<ProposerStatus>,
    },
    /// Unit staff or signer whose unit holds an assignment, a delegation or the disposition.
    Unit(i64),
    None,
}

fn stand(p: &Principal, f: &Facts) -> Stand {
    match p.role {
        Role::Office | Role::Admin if p.org_id.is_none_or(|o| o == f.org_id) => Stand::Office,
        Role::Proposer => {
            let status = f
                .proposers
                .iter()
                .find(|x| x.user_id == p.user_id)
                .map(|x| x.status);
            if status.is_some() || f.merged_proposers.contains(&p.user_id) {
                Stand::Proposer {
                    first: f.first_proposer_id == p.user_id,
                    status,
                }
            } else {
                Stand::None
            }
        }
        Role::UnitStaff | Role::UnitSigner => match p.unit_id {
            Some(u)
                if f.disposition_unit_id == Some(u)
                    || f.assignments
                        .iter()
                        .any(|a| a.unit_id == u || a.delegated_to.contains(&u)) =>
            {
                Stand::Unit(u)
            }
            _ => Stand::None,
        },
        _ => Stand::None,
    }
}

/// Whether the item is still being handled, so its units may act on it.
fn open(f: &Facts) -> Result<(), Denied> {
    ensure(
        matches!(f.state, ItemState::Handling | ItemState::Replied),
        || conflict("提案已办结或不在办理中"),
    )
}

fn item_step(f: &Facts, action: ItemAction) -> Result<(), Denied> {
    item_next(f.state, action)
        .map(|_| ())
        .map_err(|e| conflict(e.to_string()))
}

fn step(a: &AssignmentFacts, action: AssignmentAction) -> Result<(), Denied> {
    assignment_next(a.role, a.state, action)
        .map(|_| ())
        .map_err(|e| conflict(e.to_string()))
}

/// The one decision: may `p` do `action` on the item described by `f`, now?
pub fn decide(p: &Principal, action: Action, f: &Facts) -> Result<(), Denied> {
    let who = stand(p, f);
    // Nobody may do anything on an item they may not open.
    let visible = match who {
        Stand::Office => f.state != ItemState::Draft || f.on_paper,
        Stand::None => false,
        _ => true,
    };
    ensure(visible, || forbid("您无权查看这件提案"))?;
    let office = who == Stand::Office && p.role == Role::Office;
    let first = matches!(who, Stand::Proposer { first: true, .. });
    // Who drafts the item: its first proposer, or the office for an item entered from paper.
    let drafter = first || (office && f.on_paper);
    let office_only = || ensure(office, || forbid("只有提案办可以办理此事项"));
    use Action::*;
    match action {
        View => Ok(()),
        Edit => {
            ensure(drafter || office, || forbid("只有第一提案人可以修改本提案"))?;
            item_step(f, ItemAction::Edit)?;
            // The drafter while it is theirs; the office tidies an item it is reviewing.
            let editable = (drafter && matches!(f.state, ItemState::Draft | ItemState::Returned))
                || (office && f.state == ItemState::Submitted);
            ensure(editable, || conflict("当前状态下不能修改提案"))
        }
        Submit => {
            ensure(drafter, || forbid("只有第一提案人可以提交本提案"))?;
            item_step(f, ItemAction::Submit)
        }
        Withdraw => {
            ensure(drafter, || forbid("只有第一提案人可以撤回本提案"))?;
            item_step(f, ItemAction::Withdraw)
        }
        Cosign => {
            let invited = matches!(
                who,
                Stand::Proposer {
                    status: Some(
                        ProposerStatus::Invited
                            | ProposerStatus::Confirmed
                            | ProposerStatus::Declined
                    ),
                    ..
                }
            );
            ensure(invited, || forbid("您没有被邀请联名本提案"))?;
            ensure(
                matches!(
                    f.state,
                    ItemState::Draft | ItemState::Submitted | ItemState::Returned
                ),
                || conflict("提案已立案或结束，联名已截止"),
            )?;
            ensure(f.cosign_open, || conflict("联名截止日期已过"))
        }
        File => office_only().and_then(|_| item_step(f, ItemAction::File)),
        Return => office_only().and_then(|_| item_step(f, ItemAction::Return)),
        Reject => office_only().and_then(|_| item_step(f, ItemAction::Reject)),
        Merge => office_only().and_then(|_| item_step(f, ItemAction::Merge)),
        Assign => office_only().and_then(|_| item_step(f, ItemAction::Assign)),
        Key => {
            office_only()?;
            ensure(f.has_number, || {
                conflict("只有已立案的提案可以列为重点提案")
            })
        }
        Supervise => {
            office_only()?;
            ensure(f.state != ItemState::Draft, || conflict("草稿不能督办"))
        }
        SeeSupervision => ensure(!matches!(who, Stand::Proposer { .. }), || {
            forbid("督办意见只在提案办和承办单位之间")
        }),
        Close => {
            office_only()?;
            item_step(f, ItemAction::Close)?;
            let waiting = f.documents.iter().any(|d| {
                d.kind == DocKind::Reply
                    && d.state == DocState::Sent
                    && !d.rated
                    && d.evaluation_due.is_some_and(|due| due >= f.today)
                    && f.assignments.iter().any(|a| {
                        a.id == d.assignment_id && a.role.owes_reply() && a.state.is_live()
                    })
            });
            ensure(!waiting, || conflict("尚有答复在评价期内未评价，不能办结"))
        }
        SeeDocument(id) => {
            let d = document(f, id)?;
            ensure(sees_document(p, who, f, d), || forbid("您无权查看这份文件"))
        }
        Publish(id) | Unpublish(id) => {
            let d = document(f, id)?;
            let unit = assignment(f, d.assignment_id)?.unit_id;
            let may = match p.role {
                Role::Office => office && f.policy.office_may_publish(),
                Role::UnitSigner => f.policy.signer_may_publish() && p.unit_id == Some(unit),
                _ => false,
            };
            ensure(may, || forbid("您无权公开这份文件"))?;
            if matches!(action, Publish(_)) {
                ensure(
                    matches!(d.state, DocState::Sent | DocState::Superseded),
                    || conflict("文件签发并发出后才能公开"),
                )
            } else {
                ensure(d.published, || conflict("这份文件当前没有公开"))
            }
        }
        Progress(id) => {
            let c = f
                .commitments
                .iter()
                .find(|c| c.id == id)
                .ok_or(Denied::NotFound("承诺事项"))?;
            ensure(
                p.role == Role::UnitStaff && p.unit_id == Some(c.unit_id),
                || forbid("这不是本单位的承诺事项"),
            )?;
            let sent = document(f, c.document_id)
                .is_ok_and(|d| matches!(d.state, DocState::Sent | DocState::Superseded));
            ensure(sent, || conflict("答复发出后才跟踪承诺事项"))?;
            ensure(c.status == CommitmentStatus::Open, || {
                conflict("该承诺事项已完成或已结转")
            })
        }
        Accept(a)
        | RequestReturn(a)
        | DecideReturn(a)
        | Delegate(a)
        | RequestExtension(a)
        | DecideExtension(a)
        | Consult(a)
        | DraftCoOpinion(a)
        | DraftReply(a)
        | Approve(a, _)
        | RejectDraft(a, _)
        | CheckReply(a)
        | Waive(a)
        | Evaluate(a)
        | Reopen(a)
        | SeeWork(a)
        | SeeInternal(a) => {
            let a = assignment(f, a)?;
            decide_on_assignment(p, who, office, first, action, a, f)
        }
    }
}

fn assignment(f: &Facts, id: i64) -> Result<&AssignmentFacts, Denied> {
    f.assignments
        .iter()
        .find(|a| a.id == id)
        .ok_or(Denied::NotFound("交办件"))
}

fn document(f: &Facts, id: i64) -> Result<&DocumentFacts, Denied> {
    f.documents
        .iter()
        .find(|d| d.id == id)
        .ok_or(Denied::NotFound("文件"))
}

/// The unit's own staff, or (`delegated`) staff of a sub-unit the work was delegated to.
fn unit_relation(p: &Principal, a: &AssignmentFacts) -> (bool, bool) {
    let own = p.unit_id == Some(a.unit_id);
    let delegated = p.unit_id.is_some_and(|u| a.delegated_to.contains(&u));
    (own, delegated)
}

fn sees_document(p: &Principal, who: Stand, f: &Facts, d: &DocumentFacts) -> bool {
    let sent = matches!(d.state, DocState::Sent | DocState::Superseded);
    match who {
        Stand::Office => sent || d.state == DocState::Checking,
        Stand::Proposer { .. } => sent && d.kind == DocKind::Reply,
        Stand::Unit(u) => {
            let Some(a) = f.assignments.iter().find(|a| a.id == d.assignment_id) else {
                return false;
            };
            let (own, delegated) = unit_relation(p, a);
            // The lead unit reads the co-opinions it must take into its reply.
            let lead_here = f
                .assignments
                .iter()
                .any(|x| x.unit_id == u && x.role == AssignmentRole::Lead && x.state.is_live());
            own || delegated || (lead_here && d.kind == DocKind::CoOpinion && sent)
        }
        Stand::None => false,
    }
}

fn decide_on_assignment(
    p: &Principal,
    who: Stand,
    office: bool,
    first: bool,
    action: Action,
    a: &AssignmentFacts,
    f: &Facts,
) -> Result<(), Denied> {
    let (own, delegated) = unit_relation(p, a);
    let staff = own && p.role == Role::UnitStaff;
    let signer = own && p.role == Role::UnitSigner;
    let not_ours = || forbid("这不是本单位的交办件");
    let office_only = || ensure(office, || forbid("只有提案办可以办理此事项"));
    let draft_of = |kind: DocKind| {
        f.documents
            .iter()
            .any(|d| d.assignment_id == a.id && d.kind == kind && d.state == DocState::Draft)
    };
    // A reply and a co-opinion are drafted alike: by the unit's own clerk, in the right role,
    // on an open item, while the work is accepted or being re-handled.
    let drafting = |role_fits: bool, wrong_role: &str, document: &str| {
        ensure(staff, not_ours)?;
        ensure(role_fits, || forbid(wrong_role))?;
        open(f)?;
        ensure(
            matches!(
                a.state,
                AssignmentState::Accepted | AssignmentState::Rehandling
            ),
            || conflict(format!("请先签收交办件，或{document}已发出")),
        )
    };
    use Action::*;
    match action {
        SeeWork(_) => ensure(
            matches!(who, Stand::Office | Stand::Proposer { .. }) || own || delegated,
            not_ours,
        ),
        SeeInternal(_) => ensure(who == Stand::Office || own || delegated, not_ours),
        Accept(_) => {
            ensure(staff, not_ours)?;
            open(f)?;
            step(a, AssignmentAction::Accept)
        }
        RequestReturn(_) => {
            ensure(staff, not_ours)?;
            open(f)?;
            step(a, AssignmentAction::RequestReturn)?;
            ensure(f.today <= a.return_by, || {
                conflict(format!(
                    "申请调整期限（{}）已过，请与提案办联系",
                    a.return_by
                ))
            })
        }
        DecideReturn(_) => {
            office_only()?;
            ensure(a.pending_adjustment, || conflict("没有待决定的调整申请"))
        }
        Delegate(_) => {
            ensure(staff, not_ours)?;
            ensure(f.principal_has_sub_units, || {
                conflict("本单位没有下属单位可以交办")
            })?;
            open(f)?;
            step(a, AssignmentAction::Work)
        }
        RequestExtension(_) => {
            ensure(staff, not_ours)?;
            open(f)?;
            ensure(a.role.owes_reply(), || conflict("会办单位不申请答复延期"))?;
            ensure(
                matches!(
                    a.state,
                    AssignmentState::Assigned | AssignmentState::Accepted
                ),
                || conflict("当前状态下不能申请延期"),
            )?;
            ensure(!a.extension_asked, || conflict("每件交办只能申请一次延期"))
        }
        DecideExtension(_) => {
            office_only()?;
            ensure(a.pending_extension, || conflict("没有待决定的延期申请"))
        }
        Consult(_) => {
            ensure(p.role == Role::UnitStaff && (own || delegated), not_ours)?;
            ensure(
                matches!(
                    f.state,
                    ItemState::Handling | ItemState::Replied | ItemState::Closed
                ),
                || conflict("提案不在办理中"),
            )?;
            step(a, AssignmentAction::Work)
        }
        DraftCoOpinion(_) => drafting(
            a.role == AssignmentRole::Co,
            "只有会办单位起草会办意见",
            "会办意见",
        ),
        DraftReply(_) => {
            drafting(
                a.role.owes_reply(),
                "会办单位不直接答复提案人，请起草会办意见",
                "答复",
            )?;
            let checking = f.documents.iter().any(|d| {
                d.assignment_id == a.id && d.kind == DocKind::Reply && d.state == DocState::Checking
            });
            ensure(!checking, || conflict("答复正在提案办审核，不能修改"))
        }
        Approve(_, kind) => {
            ensure(signer, not_ours)?;
            open(f)?;
            ensure(draft_of(kind), || conflict("没有待签发的稿件"))?;
            if kind == DocKind::Reply {
                ensure(awaited_co_opinions(f, a.id).is_empty(), || {
                    conflict("尚有会办单位未提交会办意见，暂不能签发答复（可请提案办免于会签）")
                })?;
            }
            step(
                a,
                if kind == DocKind::Reply {
                    AssignmentAction::SendReply
                } else {
                    AssignmentAction::SendCoOpinion
                },
            )
        }
        RejectDraft(_, kind) => {
            ensure(signer, not_ours)?;
            ensure(draft_of(kind), || conflict("没有待签发的稿件"))
        }
        CheckReply(_) => {
            office_only()?;
            let checking = f.documents.iter().any(|d| {
                d.assignment_id == a.id && d.kind == DocKind::Reply && d.state == DocState::Checking
            });
            ensure(checking, || conflict("没有待审核的答复"))
        }
        Waive(_) => {
            office_only()?;
            open(f)?;
            step(a, AssignmentAction::Waive)
        }
        Reopen(_) => {
            office_only()?;
            open(f)?;
            step(
                a,
                if a.role == AssignmentRole::Co {
                    AssignmentAction::Reopen
                } else {
                    AssignmentAction::Rehandle
                },
            )
        }
        Evaluate(_) => {
            ensure(first || office, || {
                forbid("只有第一提案人（或集体提案联系人）可以评价")
            })?;
            ensure(a.role.owes_reply(), || conflict("会办意见不由提案人评价"))?;
            ensure(f.state != ItemState::Closed, || conflict("提案已办结"))?;
            let latest = f
                .documents
                .iter()
                .filter(|d| {
                    d.assignment_id == a.id && d.kind == DocKind::Reply && d.state == DocState::Sent
                })
                .max_by_key(|d| d.id)
                .ok_or_else(|| conflict("尚未收到答复，不能评价"))?;
            ensure(!latest.rated, || conflict("这份答复已经评价过"))?;
            // The office enters a paper form at any time; online the evaluation period counts.
            let lapsed = latest.evaluation_due.is_some_and(|due| f.today > due);
            ensure(office || !lapsed, || {
                conflict(format!(
                    "评价期限（{}）已过，已记为未反馈",
                    latest.evaluation_due.expect("lapsed has a date")
                ))
            })
        }
        _ => unreachable!("item actions are decided in `decide`"),
    }
}

/// What a principal may do that concerns no single item: the organisation's settings, the
/// lists and figures across items, creating and importing items. Decided by [`may`], the
/// item-independent half of the rules; the item-bound half is [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Units, users, sessions, the policy, the holiday calendar, notification settings,
    /// backups, the admin pages, importing units and users (the admin).
    Administer,
    /// Read the user directory and the policy (the admin and the office).
    ReadDirectory,
    /// The organisation's statistics and their trend (the office and the admin).
    SeeStatistics,
    /// The work lists across items: assignments, ledgers (every staff role; a unit's own rows
    /// only, which the lists' filters decide).
    SeeWorkLists,
    /// Draft a new item (a member for themselves; the office for paper items).
    CreateItem,
    /// Import a session's items from a spreadsheet (the office).
    ImportItems,
    /// Enter what arrived on paper: an item's proposers, submission day and scan, and a
    /// proposer's paper feedback form (the office).
    EnterPaperRecords,
    /// Publish a document in another disclosure mode than the unit proposed (the office).
    OverrideDisclosure,
    /// The work lists and ledgers of every unit, filtered by any unit (the office and the
    /// admin; a unit's staff see their own unit's rows).
    SeeEveryUnitsWork,
    /// Search, find similar items and have units suggested across the whole organisation
    /// (the office and the admin; every result still passes `Action::View`).
    SearchOrganisation,
}

/// Whether the principal may use a capability (403 otherwise, whatever they send).
pub fn may(p: &Principal, c: Capability) -> Result<(), Denied> {
    use Role::*;
    let allowed: &[Role] = match c {
        Capability::Administer => &[Admin],
        Capability::ReadDirectory | Capability::SeeStatistics => &[Admin, Office],
        Capability::SeeWorkLists => &[Admin, Office, UnitStaff, UnitSigner],
        Capability::CreateItem => &[Proposer, Office],
        Capability::ImportItems
        | Capability::EnterPaperRecords
        | Capability::OverrideDisclosure => &[Office],
        Capability::SearchOrganisation | Capability::SeeEveryUnitsWork => &[Admin, Office],
    };
    if allowed.contains(&p.role) {
        Ok(())
    } else {
        Err(forbid("您的角色无权执行此操作"))
    }
}

#[cfg(test)]
mod tests;
