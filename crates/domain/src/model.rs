//! The vocabulary of DESIGN §1–2 as closed enums. Each has one string form, used alike in
//! JSON, in the database and in the event log.

use serde::{Deserialize, Serialize};

/// Declares a string-valued enum: serde in snake_case, `as_str`, `parse` and `ALL`.
macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }

        // By hand, not derived: the derive cannot read `rename = $s` through the macro and
        // documented the variants' Rust names (`Individual`), which the server never accepts.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// How a stored value is read back: a value the code does not know is an error that
        /// names it, never a default.
        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(s: String) -> Result<Self, UnknownValue> {
                $name::parse(&s).ok_or(UnknownValue { kind: stringify!($name), value: s })
            }
        }
    };
}

/// A case number as it is written: 0239.
pub fn format_number(n: i64) -> String {
    format!("{n:04}")
}

/// A case number with its session, as lists that mix sessions write it:
/// 十三届二次会议第0097号 (a number alone repeats in every session).
pub fn case_number(session_name: &str, n: i64) -> String {
    format!("{session_name}第{n:04}号")
}

/// 关于湖南省政协十三届一次会议第0239号提案的答复 / …的会办意见.
pub fn document_title(
    body_name: &str,
    session_name: &str,
    number: Option<i64>,
    item_kind: ItemKind,
    doc_kind: DocKind,
) -> String {
    let kind = item_kind.label();
    let n = number.map(format_number).unwrap_or_default();
    let what = if doc_kind == DocKind::CoOpinion {
        "会办意见"
    } else {
        "答复"
    };
    format!("关于{body_name}{session_name}第{n}号{kind}的{what}")
}

/// The recipient's language: Simplified Chinese unless they chose Traditional or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Hans,
    Hant,
    En,
}

impl Lang {
    pub fn parse(locale: &str) -> Lang {
        match locale {
            "en" => Lang::En,
            "zh-Hant" => Lang::Hant,
            _ => Lang::Hans,
        }
    }
}

/// A stored string that is none of an enum's values (a database written by a newer version,
/// or edited by hand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "数据库中的值“{}”不是有效的 {}", self.value, self.kind)
    }
}

impl std::error::Error for UnknownValue {}

str_enum!(
    /// Who a signed-in user is; the public has no account and no role.
    Role { Proposer = "proposer", Office = "office", UnitStaff = "unit_staff", UnitSigner = "unit_signer", Admin = "admin" }
);

impl Role {
    /// Unit roles must belong to a unit; the others must not.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitStaff | Role::UnitSigner)
    }
}

str_enum!(
    /// 提案 (CPPCC) or 建议 (people's congress).
    ItemKind { Proposal = "proposal", Suggestion = "suggestion" }
);

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Proposal => "提案",
            ItemKind::Suggestion => "建议",
        }
    }

    /// Who submits it: 委员 (CPPCC proposals) or 代表 (congress suggestions).
    pub fn member_title(self) -> &'static str {
        match self {
            ItemKind::Proposal => "委员",
            ItemKind::Suggestion => "代表",
        }
    }
}

str_enum!(
    /// 提出方式.
    Origin { Individual = "individual", Joint = "joint", Collective = "collective" }
);

str_enum!(
    /// The item's own state (DESIGN §3). `handling` and `replied` are derived from its assignments.
    ItemState {
        Draft = "draft", Submitted = "submitted", Returned = "returned", Withdrawn = "withdrawn",
        Filed = "filed", NotFiled = "not_filed", Merged = "merged", Handling = "handling",
        Replied = "replied", Closed = "closed",
    }
);

str_enum!(
    /// Where an item that is not filed goes.
    Disposition { Opinion = "opinion", Letter = "letter", Reference = "reference" }
);

str_enum!(
    /// 主办, 会办/协办 or 分办.
    AssignmentRole { Lead = "lead", Co = "co", Separate = "separate" }
);

impl AssignmentRole {
    /// Lead and separate assignments owe a reply; co assignments owe a co-opinion.
    pub fn owes_reply(self) -> bool {
        !matches!(self, AssignmentRole::Co)
    }
}

str_enum!(
    /// The state of one item × unit assignment (DESIGN §3).
    AssignmentState {
        Assigned = "assigned", Accepted = "accepted", ReturnRequested = "return_requested",
        Returned = "returned", Replied = "replied", Rehandling = "rehandling",
        CoOpinionSent = "co_opinion_sent", Waived = "waived",
    }
);

impl AssignmentState {
    /// A returned assignment is out of the item for good; every other one is live.
    pub fn is_live(self) -> bool {
        self != AssignmentState::Returned
    }
}

str_enum!(
    /// 答复类别.
    Grade { A = "A", B = "B", C = "C", D = "D" }
);

str_enum!(
    /// Disclosure mode of a reply or co-opinion.
    Disclosure { Public = "public", Summary = "summary", OnRequest = "on_request", NotPublic = "not_public" }
);

impl Disclosure {
    /// Only `public` and `summary` documents may ever appear on the portal.
    pub fn publishable(self) -> bool {
        matches!(self, Disclosure::Public | Disclosure::Summary)
    }
}

str_enum!(
    /// A proposer's rating of handling or of result.
    Rating { Satisfied = "satisfied", BasicallySatisfied = "basically_satisfied", Unsatisfied = "unsatisfied" }
);

str_enum!(
    /// Where a rating came from.
    EvaluationSource { Online = "online", Paper = "paper" }
);

str_enum!(
    /// 沟通协商 method.
    ConsultationMethod { FaceToFace = "face_to_face", Phone = "phone", Visit = "visit", Forum = "forum" }
);

impl ConsultationMethod {
    /// 面商, 走访 and 座谈 count as in person for the consultation rate; a phone call does not.
    pub fn in_person(self) -> bool {
        !matches!(self, ConsultationMethod::Phone)
    }
}

str_enum!(
    /// A reply or co-opinion document: drafted, rejected by the signer, waiting for the office's
    /// check (when the policy asks), sent, or superseded by a re-handling reply.
    DocState {
        Draft = "draft", Rejected = "rejected", Checking = "checking", Sent = "sent", Superseded = "superseded",
    }
);

str_enum!(
    /// A reply (答复) or a co-opinion (会办意见).
    DocKind { Reply = "reply", CoOpinion = "co_opinion" }
);

str_enum!(
    /// A proposer's place on an item: the first proposer, an invited co-signer and their
    /// answer, a co-signer whose invitation lapsed, or one entered from paper by the office.
    ProposerStatus {
        First = "first", Invited = "invited", Confirmed = "confirmed", Declined = "declined",
        Lapsed = "lapsed", Paper = "paper",
    }
);

str_enum!(
    /// A commitment's end.
    CommitmentStatus { Open = "open", Done = "done", CarriedOver = "carried_over" }
);

str_enum!(
    /// An adjustment or extension request.
    RequestState { Pending = "pending", Approved = "approved", Refused = "refused" }
);

str_enum!(
    /// Who may press publish (DESIGN §3, policy).
    Publishers { Office = "office", Signer = "signer", Both = "both" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips_through_its_string_and_json() {
        for s in ItemState::ALL {
            assert_eq!(ItemState::parse(s.as_str()), Some(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for s in AssignmentState::ALL {
            assert_eq!(AssignmentState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Role::parse("unit_staff"), Some(Role::UnitStaff));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn phone_is_not_in_person() {
        assert!(!ConsultationMethod::Phone.in_person());
        assert!(ConsultationMethod::Visit.in_person());
        assert!(ConsultationMethod::Forum.in_person());
    }
}
