//! The lifecycle state machine of DESIGN §3: which action may move an item or an assignment
//! from which state to which. Every use case asks here before it writes; nothing else in the
//! code base decides a transition.

use crate::model::{AssignmentRole, AssignmentState as A, ItemState as I};
use serde::Serialize;

/// An action on an item as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    Edit,
    Submit,
    Withdraw,
    Return,
    File,
    Reject,
    Merge,
    Assign,
    /// Derived: every live lead/separate assignment has a sent reply.
    AllReplied,
    /// Derived: a re-handling or a new assignment owes a reply again.
    Reopen,
    Close,
}

/// An action on one assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentAction {
    Accept,
    RequestReturn,
    /// The office approves an adjustment: the unit is out.
    ApproveReturn,
    /// The office refuses an adjustment: back to where it was.
    RefuseReturn {
        was_accepted: bool,
    },
    /// Drafting, consultations, delegation and extension requests need a live, accepted assignment.
    Work,
    SendReply,
    SendCoOpinion,
    Waive,
    Rehandle,
    /// The office brings a co unit back in for a re-handling.
    Reopen,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("当前状态“{from}”下不能执行“{action}”")]
pub struct TransitionError {
    pub from: &'static str,
    pub action: String,
}

fn refuse<S: Copy + Into<&'static str>>(from: S, action: impl std::fmt::Debug) -> TransitionError {
    TransitionError {
        from: from.into(),
        action: format!("{action:?}"),
    }
}

impl From<I> for &'static str {
    fn from(s: I) -> Self {
        s.as_str()
    }
}
impl From<A> for &'static str {
    fn from(s: A) -> Self {
        s.as_str()
    }
}

/// The item state an action leads to.
pub fn item_next(from: I, action: ItemAction) -> Result<I, TransitionError> {
    use ItemAction::*;
    let to = match (from, action) {
        (I::Draft | I::Returned, Edit) => from,
        // The office may tidy an item it is reviewing.
        (I::Submitted, Edit) => from,
        (I::Draft | I::Returned, Submit) => I::Submitted,
        (I::Draft | I::Submitted | I::Returned, Withdraw) => I::Withdrawn,
        (I::Submitted, Return) => I::Returned,
        (I::Submitted, File) => I::Filed,
        (I::Submitted, Reject) => I::NotFiled,
        // Merging is allowed before or after filing, but not once units are at work.
        (I::Submitted | I::Filed, Merge) => I::Merged,
        (I::Filed | I::Handling | I::Replied, Assign) => I::Handling,
        (I::Handling, AllReplied) => I::Replied,
        (I::Replied, Reopen) => I::Handling,
        (I::Replied, Close) => I::Closed,
        _ => return Err(refuse(from, action)),
    };
    Ok(to)
}

/// The assignment state an action leads to, for an assignment of the given role.
pub fn assignment_next(
    role: AssignmentRole,
    from: A,
    action: AssignmentAction,
) -> Result<A, TransitionError> {
    use AssignmentAction::*;
    let co = role == AssignmentRole::Co;
    let to = match (from, action) {
        (A::Assigned, Accept) => A::Accepted,
        (A::Assigned | A::Accepted, RequestReturn) => A::ReturnRequested,
        (A::ReturnRequested, ApproveReturn) => A::Returned,
        (A::ReturnRequested, RefuseReturn { was_accepted }) => {
            if was_accepted {
                A::Accepted
            } else {
                A::Assigned
            }
        }
        (A::Accepted | A::Rehandling, Work) => from,
        // Consultations and commitments go on after the reply.
        (A::Replied | A::CoOpinionSent, Work) => from,
        (A::Accepted | A::Rehandling, SendReply) if !co => A::Replied,
        (A::Accepted | A::Rehandling, SendCoOpinion) if co => A::CoOpinionSent,
        (A::Assigned | A::Accepted | A::ReturnRequested | A::Rehandling, Waive) if co => A::Waived,
        (A::Replied, Rehandle) if !co => A::Rehandling,
        (A::CoOpinionSent | A::Waived, Reopen) if co => A::Rehandling,
        _ => return Err(refuse(from, action)),
    };
    Ok(to)
}

/// Whether an assignment in this state still owes its unit's document.
pub fn owes_document(state: A) -> bool {
    matches!(
        state,
        A::Assigned | A::Accepted | A::ReturnRequested | A::Rehandling
    )
}

/// The item state derived from its live lead/separate assignments (DESIGN §3): `replied`
/// when every one of them has a sent reply, otherwise `handling`. Items with no such
/// assignment stay `filed`.
pub fn derived_item_state(reply_assignments: &[A]) -> I {
    let live: Vec<A> = reply_assignments
        .iter()
        .copied()
        .filter(|s| s.is_live())
        .collect();
    if live.is_empty() {
        I::Filed
    } else if live.iter().all(|s| *s == A::Replied) {
        I::Replied
    } else {
        I::Handling
    }
}

/// Whether the lead reply may be sent: every live co assignment has sent its co-opinion or
/// was waived by the office (会签).
pub fn co_opinions_complete(co_states: &[A]) -> bool {
    co_states
        .iter()
        .filter(|s| s.is_live())
        .all(|s| matches!(s, A::CoOpinionSent | A::Waived))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ItemState;
    use proptest::prelude::*;

    const ITEM_ACTIONS: &[ItemAction] = &[
        ItemAction::Edit,
        ItemAction::Submit,
        ItemAction::Withdraw,
        ItemAction::Return,
        ItemAction::File,
        ItemAction::Reject,
        ItemAction::Merge,
        ItemAction::Assign,
        ItemAction::AllReplied,
        ItemAction::Reopen,
        ItemAction::Close,
    ];

    #[test]
    fn the_main_path_runs_from_draft_to_closed() {
        let mut s = I::Draft;
        for a in [
            ItemAction::Submit,
            ItemAction::File,
            ItemAction::Assign,
            ItemAction::AllReplied,
            ItemAction::Close,
        ] {
            s = item_next(s, a).unwrap();
        }
        assert_eq!(s, I::Closed);
    }

    #[test]
    fn an_item_cannot_be_filed_twice_or_closed_before_a_reply() {
        assert!(item_next(I::Filed, ItemAction::File).is_err());
        assert!(item_next(I::Handling, ItemAction::Close).is_err());
        assert!(item_next(I::Filed, ItemAction::Withdraw).is_err());
        let e = item_next(I::Closed, ItemAction::Assign).unwrap_err();
        assert!(e.to_string().contains("closed"));
    }

    #[test]
    fn a_co_unit_never_replies_and_a_lead_unit_never_sends_a_co_opinion() {
        assert!(
            assignment_next(AssignmentRole::Co, A::Accepted, AssignmentAction::SendReply).is_err()
        );
        assert!(assignment_next(
            AssignmentRole::Lead,
            A::Accepted,
            AssignmentAction::SendCoOpinion
        )
        .is_err());
        assert!(
            assignment_next(AssignmentRole::Lead, A::Accepted, AssignmentAction::Waive).is_err()
        );
        assert_eq!(
            assignment_next(
                AssignmentRole::Separate,
                A::Accepted,
                AssignmentAction::SendReply
            ),
            Ok(A::Replied)
        );
    }

    #[test]
    fn a_reply_needs_the_assignment_accepted_first() {
        assert!(assignment_next(
            AssignmentRole::Lead,
            A::Assigned,
            AssignmentAction::SendReply
        )
        .is_err());
        assert!(assignment_next(
            AssignmentRole::Lead,
            A::ReturnRequested,
            AssignmentAction::Work
        )
        .is_err());
    }

    #[test]
    fn a_refused_adjustment_goes_back_where_it_was() {
        let r = AssignmentRole::Lead;
        assert_eq!(
            assignment_next(
                r,
                A::ReturnRequested,
                AssignmentAction::RefuseReturn { was_accepted: true }
            ),
            Ok(A::Accepted)
        );
        assert_eq!(
            assignment_next(
                r,
                A::ReturnRequested,
                AssignmentAction::RefuseReturn {
                    was_accepted: false
                }
            ),
            Ok(A::Assigned)
        );
    }

    #[test]
    fn derived_state_ignores_returned_assignments() {
        assert_eq!(derived_item_state(&[A::Replied, A::Returned]), I::Replied);
        assert_eq!(derived_item_state(&[A::Replied, A::Accepted]), I::Handling);
        assert_eq!(derived_item_state(&[A::Returned]), I::Filed);
        assert!(co_opinions_complete(&[
            A::CoOpinionSent,
            A::Waived,
            A::Returned
        ]));
        assert!(!co_opinions_complete(&[A::CoOpinionSent, A::Accepted]));
    }

    fn reachable_from_draft(target: ItemState) -> bool {
        // Breadth-first over the transition table.
        let mut seen = vec![I::Draft];
        let mut i = 0;
        while i < seen.len() {
            for a in ITEM_ACTIONS {
                if let Ok(n) = item_next(seen[i], *a) {
                    if !seen.contains(&n) {
                        seen.push(n);
                    }
                }
            }
            i += 1;
        }
        seen.contains(&target)
    }

    #[test]
    fn every_item_state_is_reachable_from_draft() {
        for s in ItemState::ALL {
            assert!(reachable_from_draft(*s), "{s} unreachable");
        }
    }

    proptest! {
        /// Any sequence of actions, applied where allowed, keeps the history consistent:
        /// nothing is closed without having been replied, nothing is handled without having
        /// been filed, and the terminal states accept nothing but what the table says.
        #[test]
        fn no_action_sequence_skips_a_required_step(actions in proptest::collection::vec(0usize..ITEM_ACTIONS.len(), 0..40)) {
            let mut s = I::Draft;
            let mut history = vec![s];
            for idx in actions {
                if let Ok(n) = item_next(s, ITEM_ACTIONS[idx]) {
                    s = n;
                    history.push(s);
                }
            }
            let pos = |x: I| history.iter().position(|h| *h == x);
            if let Some(c) = pos(I::Closed) {
                prop_assert!(pos(I::Replied).is_some_and(|r| r < c));
                prop_assert_eq!(c, history.len() - 1, "nothing follows closing");
            }
            if let Some(h) = pos(I::Handling) {
                prop_assert!(pos(I::Filed).is_some_and(|f| f < h));
                prop_assert!(pos(I::Submitted).is_some_and(|f| f < h));
            }
            for terminal in [I::Withdrawn, I::NotFiled, I::Merged, I::Closed] {
                if let Some(t) = pos(terminal) {
                    prop_assert_eq!(t, history.len() - 1);
                }
            }
        }

        /// An assignment reaches `replied` or `co_opinion_sent` only once the unit has taken it
        /// on (accepted it, or been ordered back to work by the office), and a returned
        /// assignment never comes back. A refused adjustment returns to the state it came from.
        #[test]
        fn assignments_are_taken_on_before_their_document(
            role in prop_oneof![Just(AssignmentRole::Lead), Just(AssignmentRole::Co), Just(AssignmentRole::Separate)],
            actions in proptest::collection::vec(0usize..10, 0..40)
        ) {
            let mut s = A::Assigned;
            let mut taken_on = false;
            let mut before_request = A::Assigned;
            for idx in actions {
                let a = match idx {
                    0 => AssignmentAction::Accept,
                    1 => AssignmentAction::RequestReturn,
                    2 => AssignmentAction::ApproveReturn,
                    3 => AssignmentAction::RefuseReturn { was_accepted: before_request == A::Accepted },
                    4 => AssignmentAction::Work,
                    5 => AssignmentAction::SendReply,
                    6 => AssignmentAction::SendCoOpinion,
                    7 => AssignmentAction::Waive,
                    8 => AssignmentAction::Rehandle,
                    _ => AssignmentAction::Reopen,
                };
                if let Ok(n) = assignment_next(role, s, a) {
                    prop_assert!(s != A::Returned, "returned is final");
                    if n == A::Replied || n == A::CoOpinionSent {
                        prop_assert!(taken_on, "document sent before the unit took the assignment on");
                    }
                    if let AssignmentAction::RefuseReturn { .. } = a {
                        prop_assert_eq!(n, before_request);
                    }
                    if n == A::ReturnRequested { before_request = s; }
                    if n == A::Accepted || n == A::Rehandling { taken_on = true; }
                    s = n;
                }
                prop_assert!(!(role == AssignmentRole::Co && s == A::Replied));
                prop_assert!(!(role != AssignmentRole::Co && (s == A::CoOpinionSent || s == A::Waived)));
            }
        }
    }
}
