//! Storage for Banli: SQLite (the embedded default) and PostgreSQL through one code path.
//!
//! Every query is written once, with `$N` placeholders that both databases accept, against
//! `sqlx::Any`. Because `Any` has no date or JSON types, dates are stored as `YYYY-MM-DD`
//! text, timestamps as fixed-width RFC 3339 UTC text (both sort as they compare), flags as
//! 0/1 integers and structured values as JSON text.

pub mod assignments;
pub mod backup;
pub mod calendar;
mod db;
pub mod derived;
pub mod documents;
pub mod events;
pub mod facts;
pub mod import;
pub mod items;
pub mod list_keys;
pub mod lists;
mod migrate;
pub mod notices;
pub mod orgs;
pub mod publications;
pub mod queues;
pub mod rows;
pub mod signin;
pub mod sql;
pub mod stats;
pub mod users;

pub use db::{is_busy, now_ts, ts, Backend, Db, Tx, WRITE_WAIT};
pub use sql::{Arg, Sql};
pub use sqlx;
pub use sqlx::any::AnyRow as Row;
pub use sqlx::Row as RowExt;

pub type Error = sqlx::Error;
