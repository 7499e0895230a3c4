//! Reads, in the caller's transaction, the facts the permission decision needs about one item
//! (`banli_domain::rights`), and asks it. Every use case goes through [`App::permit`] before
//! it reads its input; the item page asks the same facts for its buttons.

use crate::rows::{date, ItemRow};
use crate::{Actor, App, AppError, AppResult};
use banli_domain::model::{CommitmentStatus, DocKind, DocState, ProposerStatus};
use banli_domain::rights::{
    decide, Action, AssignmentFacts, CommitmentFacts, DocumentFacts, Facts, Proposer,
};
use banli_store::{sqlx, Tx};

/// A stored code the program cannot read: named with its table and row, never defaulted.
pub(crate) fn parse<T>(
    table: &str,
    id: i64,
    column: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> AppResult<T> {
    parse(value).ok_or_else(|| {
        AppError::Internal(format!(
            "{table} #{id}: {column} 的值“{value}”无法识别（数据库由更新的版本写入，或被手工修改）"
        ))
    })
}

impl App {
    /// Decides `action` for `actor` on the item, from facts read in `tx`: 403/404/409 when the
    /// rules refuse. Returns the item row and the facts for the use case to go on with.
    pub(crate) async fn permit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        item_id: i64,
        action: Action,
    ) -> AppResult<(ItemRow, Facts)> {
        let item = crate::load_item(tx, item_id).await?;
        let facts = self.facts(tx, actor, &item).await?;
        decide(&actor.principal(), action, &facts)?;
        Ok((item, facts))
    }

    /// Everything `banli_domain::rights::decide` needs to know about `item`, as of now.
    pub(crate) async fn facts(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        item: &ItemRow,
    ) -> AppResult<Facts> {
        let id = item.id;
        let state = item.state;
        let mut proposers = Vec::new();
        for (user_id, status) in sqlx::query_as::<_, (i64, String)>(
            "SELECT user_id, status FROM item_proposers WHERE item_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        {
            proposers.push(Proposer {
                user_id,
                status: parse(
                    "item_proposers",
                    id,
                    "status",
                    &status,
                    ProposerStatus::parse,
                )?,
            });
        }
        let merged_proposers: Vec<i64> = sqlx::query_as::<_, (i64,)>(
            "SELECT p.user_id FROM item_proposers p JOIN items m ON m.id = p.item_id WHERE m.merged_into = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(u,)| u)
        .collect();
        let cutoff: Option<(Option<String>,)> =
            sqlx::query_as("SELECT cosign_cutoff FROM sessions WHERE id = $1")
                .bind(item.session_id)
                .fetch_optional(&mut **tx)
                .await?;
        let today = self.today();
        let cutoff = cutoff.and_then(|(c,)| c).as_deref().map(date).transpose()?;
        let cosign_open = cutoff.is_none_or(|c| c >= today);

        let rows = crate::item_assignments(tx, id).await?;
        let delegations: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT d.assignment_id, d.unit_id FROM delegations d JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let requests: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT 'adjustment', r.assignment_id, r.state FROM adjustments r JOIN assignments a ON a.id = r.assignment_id WHERE a.item_id = $1
             UNION ALL
             SELECT 'extension', r.assignment_id, r.state FROM extensions r JOIN assignments a ON a.id = r.assignment_id WHERE a.item_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let mut assignments = Vec::new();
        for a in &rows {
            let has = |kind: &str, pending: bool| {
                requests
                    .iter()
                    .any(|(k, aid, s)| k == kind && *aid == a.id && (!pending || s == "pending"))
            };
            assignments.push(AssignmentFacts {
                id: a.id,
                unit_id: a.unit_id,
                role: a.role,
                state: a.state,
                delegated_to: delegations
                    .iter()
                    .filter(|(aid, _)| *aid == a.id)
                    .map(|(_, u)| *u)
                    .collect(),
                return_by: a.return_by,
                pending_adjustment: has("adjustment", true),
                pending_extension: has("extension", true),
                extension_asked: has("extension", false),
            });
        }

        let mut documents = Vec::new();
        for (doc_id, assignment_id, kind, doc_state, evaluation_due, rated, published) in
            sqlx::query_as::<_, (i64, i64, String, String, Option<String>, i64, i64)>(
                "SELECT d.id, d.assignment_id, d.kind, d.state, d.evaluation_due,
                        (SELECT COUNT(*) FROM evaluations e WHERE e.document_id = d.id),
                        (SELECT COUNT(*) FROM publications p WHERE p.document_id = d.id AND p.withdrawn_at IS NULL)
                 FROM documents d JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1 ORDER BY d.id",
            )
            .bind(id)
            .fetch_all(&mut **tx)
            .await?
        {
            documents.push(DocumentFacts {
                id: doc_id,
                assignment_id,
                kind: parse("documents", doc_id, "kind", &kind, DocKind::parse)?,
                state: parse("documents", doc_id, "state", &doc_state, DocState::parse)?,
                evaluation_due: evaluation_due.as_deref().map(date).transpose()?,
                rated: rated > 0,
                published: published > 0,
            });
        }
        let mut commitments = Vec::new();
        for (cid, document_id, unit_id, status) in sqlx::query_as::<_, (i64, i64, i64, String)>(
            "SELECT c.id, c.document_id, c.unit_id, c.status FROM commitments c JOIN documents d ON d.id = c.document_id JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        {
            commitments.push(CommitmentFacts {
                id: cid,
                document_id,
                unit_id,
                status: parse("commitments", cid, "status", &status, CommitmentStatus::parse)?,
            });
        }
        let principal_has_sub_units = match actor.unit_id {
            Some(u) => {
                sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM units WHERE parent_id = $1")
                    .bind(u)
                    .fetch_one(&mut **tx)
                    .await?
                    .0
                    > 0
            }
            None => false,
        };
        Ok(Facts {
            org_id: item.org_id,
            state,
            on_paper: item.on_paper == 1,
            has_number: item.number.is_some(),
            first_proposer_id: item.first_proposer_id,
            proposers,
            merged_proposers,
            disposition_unit_id: item.disposition_unit_id,
            cosign_open,
            assignments,
            documents,
            commitments,
            principal_has_sub_units,
            policy: crate::load_policy(tx, item.org_id).await?,
            today,
        })
    }
}
