//! Who hears of a step, and in which words (DESIGN §3: whoever a step hands work to hears of
//! it). Pure: the application finds the people and sends the words.

/// Who receives a notification, relative to the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Office users of the item's organisation.
    Office,
    /// Co-signers invited online who have not answered yet.
    InvitedCosigners,
    /// The first proposer (for a collective item: its contact user).
    FirstProposer,
    /// Everyone still on the item: first proposer, confirmed and paper co-signers.
    Proposers,
    /// Those a reply is copied to: confirmed and paper co-signers, and the first proposers of
    /// items merged into this one.
    CopyRecipients,
    /// unit_staff of the event's assignment's unit.
    UnitStaff,
    /// unit_signer of the event's assignment's unit.
    UnitSigners,
    /// unit_staff of the item's live lead unit.
    LeadUnitStaff,
    /// unit_staff of the sub-unit an assignment was delegated to (`data.unit_id`).
    DelegateStaff,
}

/// Whom an event hands work to (or informs), and with which template. Events not listed
/// hand nothing to anyone.
pub fn plan(action: &str, to_state: Option<&str>) -> &'static [(Audience, &'static str)] {
    use Audience::*;
    match action {
        "submitted" => &[
            (Office, "item_submitted"),
            (InvitedCosigners, "cosign_invited"),
        ],
        "returned" => &[(FirstProposer, "item_returned")],
        "filed" => &[(Proposers, "item_filed")],
        "not_filed" => &[(Proposers, "item_not_filed")],
        "merged" => &[(Proposers, "item_merged")],
        "assigned" => &[(UnitStaff, "assigned")],
        "reopened" | "rehandling" => &[(UnitStaff, "rehandling")],
        "return_approved" => &[(UnitStaff, "return_approved")],
        "return_refused" => &[(UnitStaff, "return_refused")],
        "extension_approved" => &[(UnitStaff, "extension_approved")],
        "extension_refused" => &[(UnitStaff, "extension_refused")],
        "return_requested" => &[(Office, "return_requested")],
        "extension_requested" => &[(Office, "extension_requested")],
        "co_opinion_drafted" => &[(UnitSigners, "co_opinion_to_sign")],
        "reply_drafted" => &[(UnitSigners, "reply_to_sign")],
        "co_opinion_rejected" => &[(UnitStaff, "co_opinion_rejected")],
        "reply_rejected" | "reply_check_rejected" => &[(UnitStaff, "reply_rejected")],
        "co_opinion_sent" => &[(LeadUnitStaff, "co_opinion_received")],
        // Approved by the signer but held for the office's check (policy).
        "reply_approved" if to_state == Some("checking") => &[(Office, "reply_to_check")],
        "reply_sent" => &[
            (FirstProposer, "reply_to_rate"),
            (CopyRecipients, "reply_copied"),
        ],
        "evaluated" => &[(UnitStaff, "evaluated")],
        "delegated" => &[(DelegateStaff, "delegated")],
        _ => &[],
    }
}

/// Whose notifications of a kind an event marks done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Everyone's on the item (the kind only ever goes to the ones who could act).
    All,
    /// Those of the event's assignment's unit (another unit's work on the item stays open).
    Unit,
}

/// The work notifications an event completes on its item: filing answers the office's 待审查,
/// signing the signer's 待签发, accepting the unit's 新交办 … They are marked read, so that an
/// unread notification is work still waiting (issue #12 item 6).
pub fn settles(action: &str) -> &'static [(&'static str, Settled)] {
    use Settled::*;
    match action {
        "submitted" => &[("item_returned", All)],
        "filed" | "returned" | "not_filed" | "merged" | "withdrawn" => &[("item_submitted", All)],
        "accepted" | "return_requested" => &[("assigned", Unit)],
        "return_approved" | "return_refused" => &[("return_requested", All)],
        "extension_approved" | "extension_refused" => &[("extension_requested", All)],
        "co_opinion_drafted" => &[("co_opinion_rejected", Unit)],
        "reply_drafted" => &[("reply_rejected", Unit), ("rehandling", Unit)],
        "co_opinion_sent" => &[
            ("co_opinion_to_sign", Unit),
            ("reminder_yellow", Unit),
            ("reminder_red", Unit),
        ],
        "co_opinion_rejected" => &[("co_opinion_to_sign", Unit)],
        "reply_approved" | "reply_rejected" => &[("reply_to_sign", Unit)],
        "reply_check_rejected" => &[("reply_to_check", All)],
        "reply_sent" => &[
            ("reply_to_sign", Unit),
            ("reply_to_check", All),
            ("reminder_yellow", Unit),
            ("reminder_red", Unit),
            ("reminder_red_office", All),
        ],
        "evaluated" => &[("reply_to_rate", All), ("evaluation_reminder", All)],
        _ => &[],
    }
}

/// One wording: Simplified Chinese (Traditional is converted from it) and English.
/// Placeholders: {item} {unit} {actor} {reason} (a whole line, or nothing) {clock} {due};
/// in the e-mail and SMS frames {name} {title} {body} {url}.
pub struct Template {
    pub kind: &'static str,
    pub zh: (&'static str, &'static str),
    pub en: (&'static str, &'static str),
}

pub const TEMPLATES: &[Template] = &[
    Template {
        kind: "item_submitted", zh: ("待审查：{item}", "{actor}提交了{item}，请审查后立案、退回修改或不予立案。"), en: ("To review: {item}", "{actor} submitted {item}. Please review it and file, return or decline it.")
    },
    Template {
        kind: "cosign_invited",
        zh: ("联名邀请：{item}", "{actor}邀请您联名{item}，请在联名截止日期前确认或谢绝。"),
        en: ("Co-signing invitation: {item}", "{actor} invites you to co-sign {item}. Please confirm or decline before the co-signing deadline."),
    },
    Template {
        kind: "item_returned", zh: ("退回修改：{item}", "提案办将{item}退回修改，请修改后重新提交。{reason}"), en: ("Returned for revision: {item}", "The office returned {item} for revision. Please revise and submit it again.{reason}")
    },
    Template { kind: "item_filed", zh: ("已立案：{item}", "{item}已立案，将交有关单位办理。"), en: ("Filed: {item}", "{item} has been filed and will be assigned to the handling units.") },
    Template { kind: "item_not_filed", zh: ("不予立案：{item}", "{item}经审查不予立案。{reason}"), en: ("Not filed: {item}", "{item} was not filed.{reason}") },
    Template { kind: "item_merged", zh: ("已并案：{item}", "{item}已并入其他提案一并办理，您将收到该提案的答复。"), en: ("Merged: {item}", "{item} was merged into another item; you will receive that item's reply.") },
    Template {
        kind: "assigned",
        zh: ("新交办：{item}", "{item}已交{unit}办理，请及时签收；如不属于本单位职责，请在申请调整期限内申请调整。"),
        en: ("New assignment: {item}", "{item} has been assigned to {unit}. Please accept it, or ask for an adjustment within the adjustment window if it is not yours."),
    },
    Template {
        kind: "rehandling", zh: ("重新办理：{item}", "{item}需要{unit}重新办理，请在新的期限内重新答复。{reason}"), en: ("Handle again: {item}", "{unit} needs to handle {item} again and reply by the new due date.{reason}")
    },
    Template {
        kind: "return_approved",
        zh: ("调整申请已同意：{item}", "提案办同意了{unit}对{item}的调整申请，本单位不再承办。{reason}"),
        en: ("Adjustment approved: {item}", "The office approved the adjustment {unit} asked for on {item}; the unit no longer handles it.{reason}"),
    },
    Template {
        kind: "return_refused",
        zh: ("调整申请未同意：{item}", "提案办未同意{unit}对{item}的调整申请，请继续办理。{reason}"),
        en: ("Adjustment refused: {item}", "The office refused the adjustment {unit} asked for on {item}. Please carry on handling it.{reason}"),
    },
    Template { kind: "extension_approved", zh: ("延期申请已同意：{item}", "提案办同意了{unit}办理{item}的答复延期。{reason}"), en: ("Extension approved: {item}", "The office approved {unit}'s extension for {item}.{reason}") },
    Template {
        kind: "extension_refused",
        zh: ("延期申请未同意：{item}", "提案办未同意{unit}办理{item}的延期申请，请按原期限答复。{reason}"),
        en: ("Extension refused: {item}", "The office refused {unit}'s extension for {item}. Please reply by the original due date.{reason}"),
    },
    Template { kind: "return_requested", zh: ("申请调整：{item}", "{unit}申请调整{item}，请审核决定。{reason}"), en: ("Adjustment requested: {item}", "{unit} asks for an adjustment of {item}. Please decide.{reason}") },
    Template { kind: "extension_requested", zh: ("申请延期：{item}", "{unit}申请延期答复{item}，请审核决定。{reason}"), en: ("Extension requested: {item}", "{unit} asks for an extension for {item}. Please decide.{reason}") },
    Template {
        kind: "co_opinion_to_sign",
        zh: ("会办意见待签发：{item}", "{actor}起草了{unit}关于{item}的会办意见，请审核签发。"),
        en: ("Co-opinion to approve: {item}", "{actor} drafted {unit}'s co-opinion on {item}. Please review and approve it."),
    },
    Template { kind: "reply_to_sign", zh: ("答复待签发：{item}", "{actor}起草了{unit}对{item}的答复，请审核签发。"), en: ("Reply to approve: {item}", "{actor} drafted {unit}'s reply to {item}. Please review and approve it.") },
    Template {
        kind: "co_opinion_rejected",
        zh: ("会办意见被退回：{item}", "{unit}关于{item}的会办意见被签发人退回，请修改后重新提交。{reason}"),
        en: ("Co-opinion sent back: {item}", "The signer sent back {unit}'s co-opinion on {item}. Please revise it.{reason}"),
    },
    Template {
        kind: "reply_rejected", zh: ("答复被退回：{item}", "{unit}对{item}的答复被退回，请修改后重新提交。{reason}"), en: ("Reply sent back: {item}", "{unit}'s reply to {item} was sent back. Please revise it.{reason}")
    },
    Template { kind: "co_opinion_received", zh: ("收到会办意见：{item}", "{unit}已发来{item}的会办意见。"), en: ("Co-opinion received: {item}", "{unit} sent its co-opinion on {item}.") },
    Template {
        kind: "reply_to_check",
        zh: ("答复待审核：{item}", "{unit}对{item}的答复已签发，请审核答复类别和内容。"),
        en: ("Reply to check: {item}", "{unit}'s reply to {item} has been approved by its signer. Please check its grade and substance."),
    },
    Template {
        kind: "reply_to_rate",
        zh: ("收到答复，请评价：{item}", "{unit}已答复{item}，请查看答复并对办理态度和办理结果作出评价。"),
        en: ("Reply received, please rate: {item}", "{unit} replied to {item}. Please read the reply and rate the handling and the result."),
    },
    Template { kind: "reply_copied", zh: ("收到答复：{item}", "{unit}已答复{item}，抄送您知悉。"), en: ("Reply received: {item}", "{unit} replied to {item}; this copy is for your information.") },
    Template { kind: "evaluated", zh: ("提案人已评价：{item}", "提案人已对{unit}关于{item}的答复作出评价。"), en: ("Rated: {item}", "The proposer rated {unit}'s reply to {item}.") },
    Template { kind: "delegated", zh: ("内部交办：{item}", "{unit}将{item}的部分办理工作交由贵单位办理。{reason}"), en: ("Delegated to you: {item}", "{unit} delegated part of the work on {item} to your unit.{reason}") },
    Template { kind: "reminder_yellow", zh: ("即将到期：{item}", "{unit}办理{item}的{clock}为{due}，即将到期，请抓紧办理。"), en: ("Due soon: {item}", "The {clock} of {unit} for {item} is {due}. Please act soon.") },
    Template { kind: "reminder_red", zh: ("已逾期：{item}", "{unit}办理{item}的{clock}（{due}）已过，请尽快办理。"), en: ("Overdue: {item}", "The {clock} of {unit} for {item} ({due}) has passed. Please act now.") },
    Template { kind: "reminder_red_office", zh: ("逾期提醒：{item}", "{unit}办理{item}的{clock}（{due}）已过，请督办。"), en: ("Overdue: {item}", "The {clock} of {unit} for {item} ({due}) has passed. Please follow up.") },
    Template {
        kind: "evaluation_reminder",
        zh: ("请尽快评价：{item}", "您对{unit}关于{item}答复的评价期限为{due}，逾期未评价的将记为未反馈。"),
        en: ("Please rate soon: {item}", "Your rating of {unit}'s reply to {item} is due on {due}; a reply not rated by then is recorded as no feedback."),
    },
    Template {
        kind: "evaluation_lapsed_office",
        zh: ("评价已逾期：{item}", "{unit}关于{item}的答复评价期限（{due}）已过，提案人未评价，记为未反馈；收到纸质征询意见表的，请录入。"),
        en: ("Rating lapsed: {item}", "The rating of {unit}'s reply to {item} was due on {due} and was not given: recorded as no feedback. Enter a paper form if one arrives."),
    },
    // The frames of the outgoing messages.
    Template {
        kind: "email",
        zh: ("{title}", "{name}，您好：\n\n{body}\n\n查看详情：{url}\n\n——\n本邮件由提案建议办理系统自动发送，请勿直接回复。"),
        en: ("{title}", "Dear {name},\n\n{body}\n\nDetails: {url}\n\n--\nSent automatically by Banli. Please do not reply to this message."),
    },
    Template { kind: "sms", zh: ("{title}", "{title}（详情：{url}）"), en: ("{title}", "{title} ({url})") },
];

/// The clocks' names in reminders: (clock, Chinese, English).
pub const CLOCK_LABELS: &[(&str, &str, &str)] = &[
    ("return_window", "申请调整期限", "adjustment window"),
    (
        "first_consultation",
        "首次沟通期限",
        "first consultation due date",
    ),
    ("co_opinion", "会办意见期限", "co-opinion due date"),
    ("reply", "答复期限", "reply due date"),
    ("evaluation", "评价期限", "rating due date"),
];

/// The wording of a kind of notification (every kind `plan` names has one).
pub fn template(kind: &str) -> &'static Template {
    TEMPLATES
        .iter()
        .find(|t| t.kind == kind)
        .unwrap_or_else(|| panic!("no notification template {kind}"))
}

/// The values a template is filled with.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Vars {
    pub item_kind: crate::model::ItemKind,
    pub item_number: Option<i64>,
    pub item_title: String,
    pub unit: String,
    pub actor: String,
    pub reason: Option<String>,
    pub clock: Option<String>,
    pub due: Option<String>,
}

impl Vars {
    /// The item's values; the step's own (unit, actor, reason, clock) are added after.
    pub fn new(
        item_kind: crate::model::ItemKind,
        item_number: Option<i64>,
        item_title: String,
    ) -> Vars {
        Vars {
            item_kind,
            item_number,
            item_title,
            unit: String::new(),
            actor: String::new(),
            reason: None,
            clock: None,
            due: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;

    #[test]
    fn each_handover_reaches_whoever_must_act_next() {
        assert_eq!(
            plan("submitted", Some("submitted")),
            &[
                (Office, "item_submitted"),
                (InvitedCosigners, "cosign_invited")
            ]
        );
        assert_eq!(
            plan("returned", Some("returned")),
            &[(FirstProposer, "item_returned")]
        );
        for a in ["filed", "not_filed", "merged"] {
            assert_eq!(plan(a, None)[0].0, Proposers, "{a}");
        }
        for a in [
            "assigned",
            "reopened",
            "rehandling",
            "return_approved",
            "return_refused",
            "extension_approved",
            "extension_refused",
            "co_opinion_rejected",
            "reply_rejected",
            "reply_check_rejected",
            "evaluated",
        ] {
            assert_eq!(plan(a, None)[0].0, UnitStaff, "{a}");
        }
        for a in ["return_requested", "extension_requested"] {
            assert_eq!(plan(a, None), &[(Office, a)]);
        }
        assert_eq!(
            plan("co_opinion_drafted", None),
            &[(UnitSigners, "co_opinion_to_sign")]
        );
        assert_eq!(
            plan("reply_drafted", None),
            &[(UnitSigners, "reply_to_sign")]
        );
        assert_eq!(
            plan("co_opinion_sent", Some("co_opinion_sent")),
            &[(LeadUnitStaff, "co_opinion_received")]
        );
        assert_eq!(
            plan("reply_sent", Some("replied")),
            &[
                (FirstProposer, "reply_to_rate"),
                (CopyRecipients, "reply_copied")
            ]
        );
        assert_eq!(plan("delegated", None), &[(DelegateStaff, "delegated")]);
    }

    #[test]
    fn the_office_checks_a_reply_only_when_it_is_held_for_checking() {
        assert_eq!(
            plan("reply_approved", Some("checking")),
            &[(Office, "reply_to_check")]
        );
        assert!(plan("reply_approved", None).is_empty());
    }

    #[test]
    fn the_step_that_does_the_work_settles_its_notification() {
        // Every settled kind is a kind some step sends, and the step that settles it is
        // not the one that sends it.
        let actions = [
            "submitted",
            "filed",
            "returned",
            "not_filed",
            "merged",
            "withdrawn",
            "accepted",
            "return_requested",
            "return_approved",
            "return_refused",
            "extension_approved",
            "extension_refused",
            "co_opinion_drafted",
            "reply_drafted",
            "co_opinion_sent",
            "co_opinion_rejected",
            "reply_approved",
            "reply_rejected",
            "reply_check_rejected",
            "reply_sent",
            "evaluated",
        ];
        for a in actions {
            assert!(!settles(a).is_empty(), "{a} settles nothing");
            for (kind, _) in settles(a) {
                template(kind);
                assert!(
                    !plan(a, None).iter().any(|(_, k)| k == kind),
                    "{a} would settle what it sends"
                );
            }
        }
        assert_eq!(settles("filed"), [("item_submitted", Settled::All)]);
        assert!(settles("reply_sent").contains(&("reply_to_sign", Settled::Unit)));
        assert!(settles("consulted").is_empty());
    }

    #[test]
    fn bookkeeping_events_notify_nobody() {
        for a in [
            "drafted",
            "edited",
            "accepted",
            "consultation",
            "state_derived",
            "handling",
            "cosign_confirmed",
            "published",
            "closed",
            "user_created",
            "merged_in",
            "supervision",
            "commitment_progress",
        ] {
            assert!(plan(a, None).is_empty(), "{a}");
        }
    }
}
