use super::*;
use crate::model::Publishers;

const ORG: i64 = 1;
const LEAD: i64 = 10;
const CO: i64 = 20;
const SUB: i64 = 11; // a sub-unit of LEAD
const OTHER: i64 = 30;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn who(role: Role, user_id: i64, unit_id: Option<i64>, org_id: Option<i64>) -> Principal {
    Principal {
        role,
        user_id,
        unit_id,
        org_id,
    }
}

fn first() -> Principal {
    who(Role::Proposer, 1, None, Some(ORG))
}
fn cosigner() -> Principal {
    who(Role::Proposer, 2, None, Some(ORG))
}
fn stranger() -> Principal {
    who(Role::Proposer, 3, None, Some(ORG))
}
fn office() -> Principal {
    who(Role::Office, 4, None, Some(ORG))
}
fn staff(unit: i64) -> Principal {
    who(Role::UnitStaff, 100 + unit, Some(unit), None)
}
fn signer(unit: i64) -> Principal {
    who(Role::UnitSigner, 200 + unit, Some(unit), None)
}

fn assignment(
    id: i64,
    unit_id: i64,
    role: AssignmentRole,
    state: AssignmentState,
) -> AssignmentFacts {
    AssignmentFacts {
        id,
        unit_id,
        role,
        state,
        delegated_to: vec![],
        return_by: day("2026-03-20"),
        pending_adjustment: false,
        pending_extension: false,
        extension_asked: false,
    }
}

/// An item in handling: lead unit 10 (accepted, delegated to sub-unit 11, a draft reply),
/// co unit 20 (accepted, nothing sent yet).
fn handling() -> Facts {
    let mut lead = assignment(1, LEAD, AssignmentRole::Lead, AssignmentState::Accepted);
    lead.delegated_to = vec![SUB];
    Facts {
        org_id: ORG,
        state: ItemState::Handling,
        on_paper: false,
        has_number: true,
        first_proposer_id: 1,
        proposers: vec![
            Proposer {
                user_id: 1,
                status: ProposerStatus::First,
            },
            Proposer {
                user_id: 2,
                status: ProposerStatus::Confirmed,
            },
        ],
        merged_proposers: vec![],
        disposition_unit_id: None,
        cosign_open: false,
        assignments: vec![
            lead,
            assignment(2, CO, AssignmentRole::Co, AssignmentState::Accepted),
        ],
        documents: vec![DocumentFacts {
            id: 7,
            assignment_id: 1,
            kind: DocKind::Reply,
            state: DocState::Draft,
            evaluation_due: None,
            rated: false,
            published: false,
        }],
        commitments: vec![],
        principal_has_sub_units: false,
        policy: Policy::default(),
        today: day("2026-03-10"),
    }
}

fn forbidden(r: Result<(), Denied>) -> bool {
    matches!(r, Err(Denied::Forbidden(_)))
}
fn conflicting(r: Result<(), Denied>) -> bool {
    matches!(r, Err(Denied::Conflict(_)))
}

#[test]
fn an_unsubmitted_draft_is_only_for_its_proposers() {
    let mut f = handling();
    f.state = ItemState::Draft;
    f.assignments.clear();
    f.documents.clear();
    assert!(decide(&first(), Action::View, &f).is_ok());
    assert!(decide(&cosigner(), Action::View, &f).is_ok());
    assert!(forbidden(decide(&office(), Action::View, &f)));
    assert!(forbidden(decide(&stranger(), Action::View, &f)));
    // A paper item is the office's own draft.
    f.on_paper = true;
    assert!(decide(&office(), Action::Edit, &f).is_ok());
    assert!(decide(&office(), Action::Submit, &f).is_ok());
}

#[test]
fn the_office_of_another_organisation_sees_nothing_and_an_office_without_one_is_at_home() {
    let f = handling();
    let elsewhere = who(Role::Office, 5, None, Some(ORG + 1));
    assert!(forbidden(decide(&elsewhere, Action::View, &f)));
    let unscoped = who(Role::Office, 6, None, None);
    assert!(decide(&unscoped, Action::View, &f).is_ok());
    assert!(decide(&unscoped, Action::Waive(2), &f).is_ok());
}

#[test]
fn who_may_publish_follows_the_policy_and_the_unit() {
    let mut f = handling();
    f.documents[0].state = DocState::Sent;
    let unscoped = who(Role::Office, 6, None, None);
    for publishers in [Publishers::Office, Publishers::Signer, Publishers::Both] {
        f.policy.publishers = publishers;
        let by_office = publishers != Publishers::Signer;
        let by_signer = publishers != Publishers::Office;
        assert_eq!(decide(&office(), Action::Publish(7), &f).is_ok(), by_office);
        assert_eq!(decide(&unscoped, Action::Publish(7), &f).is_ok(), by_office);
        assert_eq!(
            decide(&signer(LEAD), Action::Publish(7), &f).is_ok(),
            by_signer
        );
        assert!(forbidden(decide(&signer(CO), Action::Publish(7), &f)));
        assert!(forbidden(decide(&staff(LEAD), Action::Publish(7), &f)));
    }
    // Nothing to take down while it is not on the portal.
    assert!(conflicting(decide(&signer(LEAD), Action::Unpublish(7), &f)));
}

#[test]
fn a_delegated_sub_unit_sees_and_consults_but_does_not_reply_or_sign() {
    let f = handling();
    let sub = staff(SUB);
    assert!(decide(&sub, Action::View, &f).is_ok());
    assert!(decide(&sub, Action::SeeWork(1), &f).is_ok());
    assert!(decide(&sub, Action::SeeInternal(1), &f).is_ok());
    assert!(decide(&sub, Action::SeeDocument(7), &f).is_ok());
    assert!(decide(&sub, Action::Consult(1), &f).is_ok());
    assert!(forbidden(decide(&sub, Action::DraftReply(1), &f)));
    assert!(forbidden(decide(
        &signer(SUB),
        Action::Approve(1, DocKind::Reply),
        &f
    )));
    // Not the co unit's work, which was not delegated to it.
    assert!(forbidden(decide(&sub, Action::SeeWork(2), &f)));
    assert!(forbidden(decide(&staff(OTHER), Action::View, &f)));
}

#[test]
fn the_co_unit_reads_only_its_own_drafts_and_the_lead_reads_sent_co_opinions() {
    let mut f = handling();
    assert!(forbidden(decide(&staff(CO), Action::SeeDocument(7), &f)));
    assert!(forbidden(decide(&first(), Action::SeeDocument(7), &f)));
    f.documents.push(DocumentFacts {
        id: 8,
        assignment_id: 2,
        kind: DocKind::CoOpinion,
        state: DocState::Draft,
        evaluation_due: None,
        rated: false,
        published: false,
    });
    assert!(forbidden(decide(&staff(LEAD), Action::SeeDocument(8), &f)));
    f.documents[1].state = DocState::Sent;
    assert!(decide(&staff(LEAD), Action::SeeDocument(8), &f).is_ok());
    // Proposers read replies, never co-opinions.
    assert!(forbidden(decide(&first(), Action::SeeDocument(8), &f)));
}

#[test]
fn the_lead_signer_waits_for_co_opinions_and_may_still_send_a_draft_back() {
    let mut f = handling();
    let lead_signer = signer(LEAD);
    assert_eq!(
        awaited_co_opinions(&f, 1),
        [2],
        "the lead waits for co unit 20"
    );
    assert!(
        awaited_co_opinions(&f, 2).is_empty(),
        "a co unit waits for no one"
    );
    assert!(conflicting(decide(
        &lead_signer,
        Action::Approve(1, DocKind::Reply),
        &f
    )));
    assert!(decide(&lead_signer, Action::RejectDraft(1, DocKind::Reply), &f).is_ok());
    f.assignments[1].state = AssignmentState::Waived;
    assert!(awaited_co_opinions(&f, 1).is_empty());
    assert!(decide(&lead_signer, Action::Approve(1, DocKind::Reply), &f).is_ok());
    assert!(forbidden(decide(
        &staff(LEAD),
        Action::Approve(1, DocKind::Reply),
        &f
    )));
}

#[test]
fn evaluation_is_the_first_proposers_within_its_period_and_the_offices_on_paper() {
    let mut f = handling();
    f.state = ItemState::Replied;
    f.assignments[0].state = AssignmentState::Replied;
    f.documents[0].state = DocState::Sent;
    f.documents[0].evaluation_due = Some(day("2026-03-31"));
    assert!(decide(&first(), Action::Evaluate(1), &f).is_ok());
    assert!(forbidden(decide(&cosigner(), Action::Evaluate(1), &f)));
    assert!(forbidden(decide(&staff(LEAD), Action::Evaluate(1), &f)));
    assert!(conflicting(decide(&first(), Action::Evaluate(2), &f)));
    f.today = day("2026-04-01");
    assert!(conflicting(decide(&first(), Action::Evaluate(1), &f)));
    assert!(decide(&office(), Action::Evaluate(1), &f).is_ok());
    // Closing waits while a rating may still come, not after.
    assert!(decide(&office(), Action::Close, &f).is_ok());
    f.today = day("2026-03-20");
    assert!(conflicting(decide(&office(), Action::Close, &f)));
}

#[test]
fn a_co_signer_answers_until_the_cut_off() {
    let mut f = handling();
    f.state = ItemState::Submitted;
    f.assignments.clear();
    f.documents.clear();
    f.proposers[1].status = ProposerStatus::Invited;
    assert!(conflicting(decide(&cosigner(), Action::Cosign, &f)));
    f.cosign_open = true;
    assert!(decide(&cosigner(), Action::Cosign, &f).is_ok());
    assert!(forbidden(decide(&first(), Action::Cosign, &f)));
    assert!(forbidden(decide(&stranger(), Action::Cosign, &f)));
}

/// DESIGN §2: a caller who may not act gets 403 whatever the item's state. A refusal for
/// role or relation therefore never turns into a conflict, or into leave, in another state
/// (as long as the principal still sees the item).
#[test]
fn a_refusal_for_who_you_are_holds_in_every_state() {
    let principals = [
        first(),
        cosigner(),
        office(),
        staff(LEAD),
        signer(LEAD),
        staff(CO),
        signer(CO),
        staff(SUB),
        who(Role::Admin, 9, None, None),
    ];
    let actions = [
        Action::Edit,
        Action::Submit,
        Action::Withdraw,
        Action::Cosign,
        Action::File,
        Action::Return,
        Action::Reject,
        Action::Merge,
        Action::Assign,
        Action::Key,
        Action::Supervise,
        Action::Close,
        Action::Accept(1),
        Action::RequestReturn(1),
        Action::DecideReturn(1),
        Action::Delegate(1),
        Action::RequestExtension(1),
        Action::DecideExtension(1),
        Action::Consult(1),
        Action::DraftCoOpinion(2),
        Action::DraftReply(1),
        Action::Approve(1, DocKind::Reply),
        Action::RejectDraft(1, DocKind::Reply),
        Action::CheckReply(1),
        Action::Waive(2),
        Action::Evaluate(1),
        Action::Reopen(1),
        Action::Publish(7),
        Action::Unpublish(7),
    ];
    let mut cells = 0;
    for p in principals {
        for action in actions {
            let mut verdicts = Vec::new();
            for state in ItemState::ALL {
                for a_state in AssignmentState::ALL {
                    let mut f = handling();
                    f.state = *state;
                    f.assignments[0].state = *a_state;
                    if decide(&p, Action::View, &f).is_err() {
                        continue;
                    }
                    verdicts.push(forbidden(decide(&p, action, &f)));
                    cells += 1;
                }
            }
            assert!(
                verdicts.iter().all(|v| *v) || verdicts.iter().all(|v| !*v),
                "{p:?} {action:?}: forbidden in some states only"
            );
        }
    }
    assert!(cells > 20_000, "{cells}");
}

/// The item-independent rights, role by role, as DESIGN §2 gives them.
#[test]
fn capabilities_by_role() {
    use Capability::*;
    let table: &[(Role, &[Capability])] = &[
        (
            Role::Admin,
            &[
                Administer,
                ReadDirectory,
                SeeStatistics,
                SeeWorkLists,
                SeeEveryUnitsWork,
                SearchOrganisation,
            ],
        ),
        (
            Role::Office,
            &[
                ReadDirectory,
                SeeStatistics,
                SeeWorkLists,
                CreateItem,
                ImportItems,
                EnterPaperRecords,
                OverrideDisclosure,
                SeeEveryUnitsWork,
                SearchOrganisation,
            ],
        ),
        (Role::UnitStaff, &[SeeWorkLists]),
        (Role::UnitSigner, &[SeeWorkLists]),
        (Role::Proposer, &[CreateItem]),
    ];
    let all = [
        Administer,
        ReadDirectory,
        SeeStatistics,
        SeeWorkLists,
        CreateItem,
        ImportItems,
        EnterPaperRecords,
        OverrideDisclosure,
        SeeEveryUnitsWork,
        SearchOrganisation,
    ];
    for (role, allowed) in table {
        let p = who(*role, 1, None, Some(ORG));
        for c in all {
            assert_eq!(may(&p, c).is_ok(), allowed.contains(&c), "{role:?} {c:?}");
            if let Err(d) = may(&p, c) {
                assert!(matches!(d, Denied::Forbidden(_)));
            }
        }
    }
}
