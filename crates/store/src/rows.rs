//! Rows as stored, with their enum columns read into the domain's enums: a value the code
//! does not know fails the query with an error naming the table, the row's id, the column
//! and the value, never a silent default.

use banli_domain::model::UnknownValue;
use banli_domain::model::{
    AssignmentRole, AssignmentState, CommitmentStatus, ConsultationMethod, Disclosure, DocKind,
    DocState, EvaluationSource, Grade, ItemKind, ItemState, Origin, Rating, RequestState, Role,
};
use chrono::NaiveDate;
use sqlx::any::{AnyRow, AnyTypeInfo, AnyValueRef};
use sqlx::{Any, Decode, FromRow, Row, Type};

/// A row read into its type; when a column cannot be read the error names the table and the
/// row's id (`items 表 id=12：…`), so an operator can find and mend it.
pub fn typed<T: for<'r> FromRow<'r, AnyRow>>(table: &str, row: &AnyRow) -> Result<T, sqlx::Error> {
    T::from_row(row).map_err(|e| {
        let id = row
            .try_get::<i64, _>("id")
            .map(|i| i.to_string())
            .unwrap_or_else(|_| "?".into());
        sqlx::Error::Decode(format!("{table} 表 id={id} 的数据无法读取：{e}").into())
    })
}

/// [`typed`] over a list.
pub fn all_typed<T: for<'r> FromRow<'r, AnyRow>>(
    table: &str,
    rows: Vec<AnyRow>,
) -> Result<Vec<T>, sqlx::Error> {
    rows.iter().map(|r| typed(table, r)).collect()
}

/// A text column read into a domain enum. Decoding fails with the value and the enum's name
/// (`数据库中的值“x”不是有效的 ItemState`), which sqlx reports with the column's name.
pub struct Stored<T>(pub T);

impl<T> Type<Any> for Stored<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: TryFrom<String, Error = UnknownValue>> Decode<'r, Any> for Stored<T> {
    fn decode(v: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <String as Decode<'r, Any>>::decode(v)?;
        Ok(Stored(T::try_from(s)?))
    }
}

/// A nullable text column read into a domain enum.
pub struct MaybeStored<T>(pub Option<T>);

impl<T> Type<Any> for MaybeStored<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: TryFrom<String, Error = UnknownValue>> Decode<'r, Any> for MaybeStored<T> {
    fn decode(v: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <Option<String> as Decode<'r, Any>>::decode(v)? {
            Some(s) => Ok(MaybeStored(Some(T::try_from(s)?))),
            None => Ok(MaybeStored(None)),
        }
    }
}

impl<T> From<MaybeStored<T>> for Option<T> {
    fn from(s: MaybeStored<T>) -> Option<T> {
        s.0
    }
}

/// A `YYYY-MM-DD` column read as a date; a stored text that is not one fails the query.
pub struct Day(pub NaiveDate);

/// A nullable `YYYY-MM-DD` column.
pub struct MaybeDay(pub Option<NaiveDate>);

fn parse_day(s: &str) -> Result<NaiveDate, sqlx::error::BoxDynError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("数据库中的日期“{s}”无法读取（应为 YYYY-MM-DD）").into())
}

impl Type<Any> for Day {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Day {
    fn decode(v: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Day(parse_day(&<String as Decode<'r, Any>>::decode(v)?)?))
    }
}

impl Type<Any> for MaybeDay {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for MaybeDay {
    fn decode(v: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <Option<String> as Decode<'r, Any>>::decode(v)? {
            Some(s) => Ok(MaybeDay(Some(parse_day(&s)?))),
            None => Ok(MaybeDay(None)),
        }
    }
}

impl From<Day> for NaiveDate {
    fn from(d: Day) -> NaiveDate {
        d.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(d: MaybeDay) -> Option<NaiveDate> {
        d.0
    }
}

macro_rules! stored {
    ($($t:ty),+) => {$(
        impl From<Stored<$t>> for $t {
            fn from(s: Stored<$t>) -> $t {
                s.0
            }
        }
    )+};
}
stored!(
    RequestState,
    Grade,
    Rating,
    EvaluationSource,
    ConsultationMethod,
    CommitmentStatus,
    Role,
    ItemKind,
    Origin,
    ItemState,
    AssignmentRole,
    AssignmentState,
    DocKind,
    DocState,
    Disclosure
);

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    #[sqlx(try_from = "Stored<Role>")]
    pub role: Role,
    pub unit_id: Option<i64>,
    pub org_id: Option<i64>,
    pub disabled: i64,
    pub locale: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub parent_id: Option<i64>,
    pub doc_prefix: Option<String>,
    pub doc_prefix_suggestion: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub body_name: String,
    pub kind: String,
    pub term: i64,
    pub sitting: i64,
    pub opened_on: String,
    pub cosign_cutoff: Option<String>,
    /// The day it was closed (闭会); `None` while it takes items.
    pub closed_on: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub org_id: i64,
    pub session_id: i64,
    #[sqlx(try_from = "Stored<ItemKind>")]
    pub kind: ItemKind,
    pub title: String,
    pub body: String,
    #[sqlx(try_from = "Stored<Origin>")]
    pub origin: Origin,
    pub category_id: Option<i64>,
    pub collective_name: Option<String>,
    pub first_proposer_id: i64,
    #[sqlx(try_from = "Stored<ItemState>")]
    pub state: ItemState,
    pub number: Option<i64>,
    pub submitted_on: Option<String>,
    pub filed_at: Option<String>,
    pub disposition: Option<String>,
    pub disposition_unit_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub is_key: i64,
    pub key_leader: Option<String>,
    pub on_paper: i64,
    pub created_by: i64,
    pub created_at: String,
    pub updated_at: String,
    pub scan_ref: Option<String>,
}

impl ItemRow {
    pub fn state(&self) -> ItemState {
        self.state
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub item_id: i64,
    pub unit_id: i64,
    #[sqlx(try_from = "Stored<AssignmentRole>")]
    pub role: AssignmentRole,
    #[sqlx(try_from = "Stored<AssignmentState>")]
    pub state: AssignmentState,
    #[sqlx(try_from = "Day")]
    pub assigned_on: NaiveDate,
    #[sqlx(try_from = "Day")]
    pub return_by: NaiveDate,
    #[sqlx(try_from = "Day")]
    pub first_consultation_by: NaiveDate,
    #[sqlx(try_from = "MaybeDay")]
    pub co_opinion_by: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub reply_by: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub extended_reply_by: Option<NaiveDate>,
    #[sqlx(try_from = "MaybeDay")]
    pub rehandling_reply_by: Option<NaiveDate>,
    pub provisional: i64,
    pub accepted_at: Option<String>,
    pub rehandlings: i64,
}

impl AssignmentRow {
    pub fn role(&self) -> AssignmentRole {
        self.role
    }
    pub fn state(&self) -> AssignmentState {
        self.state
    }
    pub fn assigned_on(&self) -> NaiveDate {
        self.assigned_on
    }
    /// The reply deadline in force: a re-handling's own, else the extended one, else the first.
    pub fn reply_due(&self) -> Option<NaiveDate> {
        self.rehandling_reply_by
            .or(self.extended_reply_by)
            .or(self.reply_by)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct DocumentRow {
    pub id: i64,
    #[sqlx(try_from = "Stored<DocKind>")]
    pub kind: DocKind,
    pub assignment_id: i64,
    pub round: i64,
    #[sqlx(try_from = "Stored<DocState>")]
    pub state: DocState,
    pub body: String,
    pub grade: Option<String>,
    #[sqlx(try_from = "Stored<Disclosure>")]
    pub disclosure: Disclosure,
    pub disclosure_reason: Option<String>,
    pub summary: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub doc_number: Option<String>,
    pub drafted_by: i64,
    pub approved_by: Option<i64>,
    pub reject_reason: Option<String>,
    pub sent_at: Option<String>,
    pub sent_on: Option<String>,
    pub evaluation_due: Option<String>,
    pub evaluation_provisional: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl DocumentRow {
    pub fn state(&self) -> DocState {
        self.state
    }
}

pub fn role_of(u: &UserRow) -> Role {
    u.role
}

/// A date as stored: `YYYY-MM-DD`.
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored `YYYY-MM-DD` read outside a row type (a tuple query); an error, never 1970-01-01.
pub fn date(s: &str) -> Result<NaiveDate, sqlx::Error> {
    parse_day(s).map_err(sqlx::Error::Decode)
}

pub const ITEM_COLS: &str = "id, org_id, session_id, kind, title, body, origin, category_id, collective_name, first_proposer_id, state, number, submitted_on, filed_at, disposition, disposition_unit_id, merged_into, is_key, key_leader, on_paper, created_by, created_at, updated_at, scan_ref";
pub const ASSIGNMENT_COLS: &str = "id, item_id, unit_id, role, state, assigned_on, return_by, first_consultation_by, co_opinion_by, reply_by, extended_reply_by, rehandling_reply_by, provisional, accepted_at, rehandlings";
pub const DOCUMENT_COLS: &str = "id, kind, assignment_id, round, state, body, grade, disclosure, disclosure_reason, summary, contact_name, contact_phone, doc_number, drafted_by, approved_by, reject_reason, sent_at, sent_on, evaluation_due, evaluation_provisional, created_at, updated_at";
pub const USER_COLS: &str =
    "id, username, display_name, password_hash, role, unit_id, org_id, disabled, locale, email";
pub const UNIT_COLS: &str = "id, name, short_name, parent_id, doc_prefix, doc_prefix_suggestion";
pub const SESSION_COLS: &str =
    "id, org_id, name, body_name, kind, term, sitting, opened_on, cosign_cutoff, closed_on";
