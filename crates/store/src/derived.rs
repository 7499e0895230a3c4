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
