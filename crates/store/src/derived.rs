//! The tables derived from the records (statistics facts, list keys and totals): rewritten
//! for the items a transaction touched, left out of backups and rebuilt after a restore.

use crate::Error;
use sqlx::AnyConnection;

/// Every derived table.
pub fn is_derived(table: &str) -> bool {
    crate::stats::DERIVED_TABLES.contains(&table) || crate::list_keys::TABLES.contains(&table)
}

/// Rewrites what derives from these items (everything with `None`).
pub async fn refresh(conn: &mut AnyConnection, items: Option<&[i64]>) -> Result<(), Error> {
    crate::stats::refresh(conn, items).await?;
    crate::list_keys::refresh(conn, items).await
}

/// Writes what derives from items written in this transaction, which have nothing derived
/// yet (a bulk import): the same rows as `refresh`, without looking for old ones; the list
/// totals are added to `totals` for the caller to write once.
pub async fn add_new(
    conn: &mut AnyConnection,
    items: &[i64],
    totals: &mut crate::list_keys::Totals,
) -> Result<(), Error> {
    crate::stats::add_new(conn, items).await?;
    crate::list_keys::add_new(conn, items, totals).await
}
