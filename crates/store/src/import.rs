//! What the Excel imports read and write: items received on paper, units, users.

use crate::{Error, Tx};
use banli_domain::model::{ProposerStatus, Role};
use sqlx::AnyPool;

/// Active members of the organisation: (id, username, name).
pub async fn members(pool: &AnyPool, org_id: i64) -> Result<Vec<(i64, String, String)>, Error> {
    sqlx::query_as("SELECT id, username, display_name FROM users WHERE role = 'proposer' AND org_id = $1 AND disabled = 0")
        .bind(org_id)
        .fetch_all(pool)
        .await
}

/// The case numbers already given in the session.
pub async fn numbers_taken(pool: &AnyPool, session_id: i64) -> Result<Vec<i64>, Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT number FROM items WHERE session_id = $1 AND number IS NOT NULL")
            .bind(session_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every username in use.
pub async fn usernames(pool: &AnyPool) -> Result<Vec<String>, Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT username FROM users")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Numbers handed out online continue after the highest imported one.
pub async fn reserve_numbers_up_to(
    tx: &mut Tx,
    session_id: i64,
    highest: i64,
) -> Result<(), Error> {
    sqlx::query("UPDATE sessions SET next_number = CASE WHEN next_number > $1 THEN next_number ELSE $1 + 1 END WHERE id = $2")
        .bind(highest)
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// An item received on paper with its proposers (the first one first); returns its id.
pub async fn insert_paper_item(
    tx: &mut Tx,
    item: &crate::items::NewItem<'_>,
    proposers: &[i64],
) -> Result<i64, Error> {
    let id = crate::items::insert(tx, item).await?;
    let people: Vec<(i64, ProposerStatus)> = proposers
        .iter()
        .enumerate()
        .map(|(k, u)| {
            let status = if k == 0 {
                ProposerStatus::First
            } else {
                ProposerStatus::Paper
            };
            (*u, status)
        })
        .collect();
    crate::items::set_proposers(tx, id, &people).await?;
    Ok(id)
}

/// A unit as the unit sheet gives it; returns its id.
pub async fn insert_unit(tx: &mut Tx, u: &crate::orgs::NewUnit<'_>) -> Result<i64, Error> {
    Ok(crate::orgs::insert_unit(tx, u).await?.id)
}

/// A user as the user sheet gives them (no e-mail or phone there).
#[allow(clippy::too_many_arguments)]
pub async fn insert_user(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
    unit_id: Option<i64>,
    org_id: Option<i64>,
    sector: Option<&str>,
) -> Result<i64, Error> {
    crate::users::insert(
        tx,
        &crate::users::NewUser {
            username,
            display_name,
            password_hash,
            role,
            unit_id,
            org_id,
            sector,
            email: None,
            phone: None,
        },
    )
    .await
}
