//! Reads, in the caller's transaction, the facts the permission decision needs about one item
//! (`banli_domain::rights`), and asks it. Every use case goes through [`App::permit`] before
//! it reads its input; the item page asks the same facts for its buttons.

use crate::rows::ItemRow;
use crate::{Actor, App, AppResult};
use banli_domain::model::RequestState;
use banli_domain::rights::{decide, Action, AssignmentFacts, Facts};
use banli_store::{facts, Tx};

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
        self.facts_for_unit(tx, actor.unit_id, item).await
    }

    /// The facts for a principal of this unit (whether it has sub-units to delegate to is
    /// the one fact that depends on who asks).
    pub(crate) async fn facts_for_unit(
        &self,
        tx: &mut Tx,
        unit_id: Option<i64>,
        item: &ItemRow,
    ) -> AppResult<Facts> {
        let id = item.id;
        let state = item.state;
        let proposers = facts::proposers(tx, id).await?;
        let merged_proposers = facts::merged_proposers(tx, id).await?;
        let today = self.today();
        let cosign_open = facts::cosign_cutoff(tx, item.session_id)
            .await?
            .is_none_or(|c| c >= today);
        let rows = crate::item_assignments(tx, id).await?;
        let delegations = facts::delegations(tx, id).await?;
        let requests = facts::requests(tx, id).await?;
        let mut assignments = Vec::new();
        for a in &rows {
            let has = |extension: bool, pending: bool| {
                requests.iter().any(|r| {
                    r.extension == extension
                        && r.assignment_id == a.id
                        && (!pending || r.state == RequestState::Pending)
                })
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
                pending_adjustment: has(false, true),
                pending_extension: has(true, true),
                extension_asked: has(true, false),
            });
        }

        let documents = facts::documents(tx, id).await?;
        let commitments = facts::commitments(tx, id).await?;
        let principal_has_sub_units = match unit_id {
            Some(u) => facts::has_sub_units(tx, u).await?,
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
