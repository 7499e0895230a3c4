//! The stored rows the use cases read (`banli_store::rows`), and dates of tuple queries as
//! the use cases' errors.

pub use banli_store::rows::*;

/// A stored `YYYY-MM-DD` read outside a row type (a tuple query); an error, never 1970-01-01.
pub fn date(s: &str) -> crate::AppResult<chrono::NaiveDate> {
    Ok(banli_store::rows::date(s)?)
}
