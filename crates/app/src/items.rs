//! Items from draft to filing, merging, assignment and closing (DESIGN §3 Submit, File,
//! Assign, Close).

use crate::events::{record, Event};
use crate::rows::*;
use crate::{
    format_number, item_assignments, load_item, load_unit, Actor, App, AppError, AppResult, Input,
};
use banli_domain::lifecycle::{derived_item_state, item_next, ItemAction};
use banli_domain::limits::{optional, required, BODY_MAX, NAME_MAX, REASON_MAX, TITLE_MAX};
use banli_domain::model::{
    AssignmentRole, AssignmentState, Disposition, ItemState, Origin, ProposerStatus,
};
use banli_domain::rights::Action;
use banli_domain::rights::Capability;
use banli_store::items as store;
use banli_store::Tx;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub session_id: i64,
    pub title: String,
    pub body: String,
    pub origin: Origin,
    /// Category name, e.g. 经济建设.
    pub category: Option<String>,
    /// Usernames invited to co-sign (joint items drafted online).
    pub cosigners: Option<Vec<String>>,
    /// 党派/团体/界别/专委会 for a collective item.
    pub collective_name: Option<String>,
    /// Office only, for an item received on paper: the proposers, first proposer first.
    pub proposers: Option<Vec<String>>,
    /// Office only, for an item received on paper.
    pub submitted_on: Option<NaiveDate>,
    /// Office only: where the scan of the paper original is kept.
    pub scan: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemStateOut {
    pub id: i64,
    pub state: ItemState,
    /// Zero-padded case number once filed, e.g. "0239".
    pub number: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CosignInput {
    pub accept: bool,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub category: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    pub reason: String,
    pub disposition: Disposition,
    /// The unit an item goes to for reference (`disposition: reference`).
    pub unit_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub into: i64,
}

/// `{lead, co:[…]}` or `{separate:[…]}`. To reassign after an approved adjustment, name only
/// the new units: units already live on the item are refused.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub lead: Option<i64>,
    #[serde(default)]
    pub co: Vec<i64>,
    #[serde(default)]
    pub separate: Vec<i64>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignOut {
    pub assignments: Vec<crate::view::AssignmentOut>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyInput {
    pub key: bool,
    /// 领衔督办领导.
    pub leader: Option<String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupervisionInput {
    pub note: String,
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub id: i64,
}

fn out(item: &ItemRow, state: ItemState) -> ItemStateOut {
    ItemStateOut {
        id: item.id,
        state,
        number: item.number.map(format_number),
    }
}

async fn set_state(
    tx: &mut Tx,
    actor: &Actor,
    item: &ItemRow,
    to: ItemState,
    action: &str,
    reason: Option<&str>,
    data: Option<serde_json::Value>,
) -> AppResult<()> {
    banli_store::items::set_state(tx, item.id, to).await?;
    record(
        tx,
        Some(actor),
        Event {
            org_id: Some(item.org_id),
            item_id: Some(item.id),
            action,
            from: Some(item.state.as_str()),
            to: Some(to.as_str()),
            reason,
            data,
            ..Default::default()
        },
    )
    .await
}

/// Brings an item in handling in line with its assignments (DESIGN §3: `replied` is derived).
pub(crate) async fn refresh_item_state(tx: &mut Tx, actor: &Actor, item_id: i64) -> AppResult<()> {
    let item = load_item(tx, item_id).await?;
    let current = item.state();
    if !matches!(
        current,
        ItemState::Filed | ItemState::Handling | ItemState::Replied
    ) {
        return Ok(());
    }
    let states: Vec<AssignmentState> = item_assignments(tx, item_id)
        .await?
        .iter()
        .filter(|a| a.role().owes_reply())
        .map(|a| a.state())
        .collect();
    let derived = derived_item_state(&states);
    let action = match (current, derived) {
        (ItemState::Handling, ItemState::Replied) => ItemAction::AllReplied,
        (ItemState::Replied, ItemState::Handling) => ItemAction::Reopen,
        _ => return Ok(()),
    };
    let to = item_next(current, action)?;
    set_state(tx, actor, &item, to, "state_derived", None, None).await
}

/// A new assignment with its clocks, and its `assigned` event (shared with the import).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_assignment(
    tx: &mut Tx,
    actor: &Actor,
    item: &ItemRow,
    unit: i64,
    role: AssignmentRole,
    on: NaiveDate,
    due: &banli_domain::policy::AssignmentDues,
) -> AppResult<i64> {
    let aid = banli_store::assignments::insert(tx, item.id, unit, role, on, due).await?;
    record(
        tx,
        Some(actor),
        Event {
            org_id: Some(item.org_id),
            item_id: Some(item.id),
            assignment_id: Some(aid),
            action: "assigned",
            to: Some("assigned"),
            data: Some(serde_json::json!({"unit_id": unit, "role": role, "due": due})),
            ..Default::default()
        },
    )
    .await?;
    Ok(aid)
}

async fn users_by_name(
    tx: &mut Tx,
    field: &str,
    names: &[String],
    org_id: i64,
) -> AppResult<Vec<UserRow>> {
    let mut out: Vec<UserRow> = Vec::new();
    for n in names {
        let u = store::proposer_by_username(tx, org_id, n.trim())
            .await?
            .ok_or_else(|| AppError::rule(field, format!("找不到委员“{n}”")))?;
        if out.iter().any(|o| o.id == u.id) {
            return Err(AppError::rule(field, format!("“{n}”重复")));
        }
        out.push(u);
    }
    Ok(out)
}

async fn category_id(tx: &mut Tx, org_id: i64, name: Option<&str>) -> AppResult<Option<i64>> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let found = banli_store::orgs::category_id(tx, org_id, name).await?;
    found
        .map(Some)
        .ok_or_else(|| AppError::rule("category", format!("没有“{name}”这个类别")))
}

struct Checked {
    title: String,
    body: String,
    category_id: Option<i64>,
    collective: Option<String>,
    first: i64,
    /// (user, status) after the first proposer.
    others: Vec<(i64, ProposerStatus)>,
    submitted_on: Option<NaiveDate>,
    on_paper: bool,
    scan: Option<String>,
}

/// Why a closed session refuses a new item, and what to do.
pub(crate) const SESSION_CLOSED: &str =
    "该届次会议已闭会，不再接收新提案：请选择正在进行的届次会议（补录纸质提案须先由管理员重新开放该会议）";

impl App {
    async fn check_item_input(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        i: &ItemInput,
    ) -> AppResult<Checked> {
        let title = required("title", &i.title, TITLE_MAX)?;
        let body = required("body", &i.body, BODY_MAX)?;
        let collective = optional("collective_name", i.collective_name.as_deref(), NAME_MAX)?;
        let session = crate::load_session(tx, i.session_id).await?;
        if session.as_ref().is_none_or(|s| s.org_id != self.org_id) {
            return Err(AppError::rule("session_id", "届次会议不存在"));
        }
        let category_id = category_id(tx, self.org_id, i.category.as_deref()).await?;
        let (first, others, on_paper) = if actor.may(Capability::EnterPaperRecords) {
            let names = i.proposers.clone().unwrap_or_default();
            if names.is_empty() {
                return Err(AppError::rule("proposers", "代录纸质提案须填写提案人"));
            }
            if i.cosigners.as_ref().is_some_and(|c| !c.is_empty()) {
                return Err(AppError::rule(
                    "cosigners",
                    "纸质提案的联名人请写入 proposers",
                ));
            }
            let people = users_by_name(tx, "proposers", &names, self.org_id).await?;
            let others = people[1..]
                .iter()
                .map(|u| (u.id, ProposerStatus::Paper))
                .collect::<Vec<_>>();
            (people[0].id, others, true)
        } else {
            if i.proposers.is_some() {
                return Err(AppError::rule("proposers", "只有提案办可以代录提案人"));
            }
            if i.submitted_on.is_some() {
                return Err(AppError::rule("submitted_on", "只有提案办可以填写提交日期"));
            }
            if i.scan.is_some() {
                return Err(AppError::rule("scan", "只有提案办可以登记纸质原件扫描件"));
            }
            let names = i.cosigners.clone().unwrap_or_default();
            let people = users_by_name(tx, "cosigners", &names, self.org_id).await?;
            if people.iter().any(|u| u.id == actor.user_id) {
                return Err(AppError::rule("cosigners", "不能邀请自己联名"));
            }
            (
                actor.user_id,
                people
                    .iter()
                    .map(|u| (u.id, ProposerStatus::Invited))
                    .collect(),
                false,
            )
        };
        match i.origin {
            Origin::Individual if !others.is_empty() => {
                return Err(AppError::rule("origin", "个人提案不能有联名人"))
            }
            Origin::Joint if others.is_empty() => {
                return Err(AppError::rule("cosigners", "联名提案至少需要一位联名人"))
            }
            Origin::Collective if collective.is_none() => {
                return Err(AppError::rule("collective_name", "集体提案须写明提出单位"))
            }
            _ => {}
        }
        if i.origin != Origin::Collective && collective.is_some() {
            return Err(AppError::rule(
                "collective_name",
                "只有集体提案填写提出单位",
            ));
        }
        if let Some(d) = i.submitted_on {
            if d > self.today() {
                return Err(AppError::rule("submitted_on", "提交日期不能晚于今天"));
            }
        }
        let scan = optional("scan", i.scan.as_deref(), 500)?;
        Ok(Checked {
            title,
            body,
            category_id,
            collective,
            first,
            others,
            submitted_on: i.submitted_on,
            on_paper,
            scan,
        })
    }

    async fn write_proposers(&self, tx: &mut Tx, item_id: i64, c: &Checked) -> AppResult<()> {
        // Keep the answers of co-signers who stay on the list.
        let previous = store::proposers(tx, item_id).await?;
        let mut rows = vec![(c.first, ProposerStatus::First)];
        for (uid, status) in &c.others {
            let status = *status;
            let kept = previous.iter().find(|(p, s)| {
                p == uid
                    && status == ProposerStatus::Invited
                    && matches!(s, ProposerStatus::Confirmed | ProposerStatus::Declined)
            });
            rows.push((*uid, kept.map(|(_, s)| *s).unwrap_or(status)));
        }
        store::set_proposers(tx, item_id, &rows).await?;
        Ok(())
    }

    /// `POST /items`: a proposer's draft, or an item the office enters from paper.
    pub async fn create_item(
        &self,
        actor: &Actor,
        input: Input<ItemInput>,
    ) -> AppResult<ItemStateOut> {
        actor.require(Capability::CreateItem)?;
        let i = input.get()?;
        let mut tx = self.begin().await?;
        let c = self.check_item_input(&mut tx, actor, &i).await?;
        let session = crate::load_session(&mut tx, i.session_id)
            .await?
            .ok_or(AppError::NotFound("届次会议"))?;
        if session.closed_on.is_some() {
            return Err(AppError::rule("session_id", SESSION_CLOSED));
        }
        let id = banli_store::items::insert(
            &mut tx,
            &banli_store::items::NewItem {
                org_id: self.org_id,
                session_id: i.session_id,
                kind: &session.kind,
                title: &c.title,
                body: &c.body,
                origin: i.origin,
                category_id: c.category_id,
                collective_name: c.collective.as_deref(),
                first_proposer_id: c.first,
                state: ItemState::Draft,
                number: None,
                submitted_on: c.submitted_on,
                on_paper: c.on_paper,
                created_by: actor.user_id,
                scan_ref: c.scan.as_deref(),
            },
        )
        .await?;
        self.write_proposers(&mut tx, id, &c).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(self.org_id),
                item_id: Some(id),
                action: "drafted",
                to: Some("draft"),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ItemStateOut {
            id,
            state: ItemState::Draft,
            number: None,
        })
    }

    /// `PUT /items/{id}`: the first proposer while draft/returned; the office while reviewing.
    pub async fn update_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ItemInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, f) = self.permit(&mut tx, actor, id, Action::Edit).await?;
        let state = f.state;
        let i = input.get()?;
        if i.session_id != item.session_id {
            return Err(AppError::rule("session_id", "不能更换届次会议"));
        }
        // The office tidies an online item's text; origin and proposers stay as the drafter
        // left them.
        let tidying = actor.may(Capability::EnterPaperRecords) && item.on_paper == 0;
        let c = if tidying {
            let title = required("title", &i.title, TITLE_MAX)?;
            let body = required("body", &i.body, BODY_MAX)?;
            let category_id = category_id(&mut tx, self.org_id, i.category.as_deref()).await?;
            Checked {
                title,
                body,
                category_id,
                collective: item.collective_name.clone(),
                first: item.first_proposer_id,
                others: vec![],
                submitted_on: None,
                on_paper: false,
                scan: None,
            }
        } else {
            self.check_item_input(&mut tx, actor, &i).await?
        };
        store::edit(
            &mut tx,
            id,
            &store::DraftEdit {
                title: &c.title,
                body: &c.body,
                category_id: c.category_id,
                origin: if tidying { item.origin } else { i.origin },
                collective_name: c.collective.as_deref(),
            },
        )
        .await?;
        if !tidying {
            self.write_proposers(&mut tx, id, &c).await?;
        }
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(id),
                action: "edited",
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out(&item, state))
    }

    /// `POST /items/{id}/cosign`: an invited co-signer confirms or declines before the cut-off.
    pub async fn cosign(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<CosignInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Cosign).await?;
        let i = input.get()?;
        let status = if i.accept {
            ProposerStatus::Confirmed
        } else {
            ProposerStatus::Declined
        };
        store::answer_cosign(&mut tx, id, actor.user_id, status).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(id),
                action: if i.accept {
                    "cosign_confirmed"
                } else {
                    "cosign_declined"
                },
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out(&item, item.state()))
    }

    async fn simple_transition(
        &self,
        actor: &Actor,
        id: i64,
        action: ItemAction,
        event: &str,
        permission: Action,
        reason: impl FnOnce() -> AppResult<String>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, permission).await?;
        let reason = Some(reason()?);
        let to = item_next(item.state(), action)?;
        set_state(&mut tx, actor, &item, to, event, reason.as_deref(), None).await?;
        tx.commit().await?;
        Ok(out(&item, to))
    }

    /// `POST /items/{id}/submit`.
    pub async fn submit_item(&self, actor: &Actor, id: i64) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Submit).await?;
        let to = item_next(item.state(), ItemAction::Submit)?;
        if item.origin == Origin::Joint {
            let n = store::cosigner_count(&mut tx, id).await?;
            if n == 0 {
                return Err(AppError::rule("cosigners", "联名提案至少需要一位联名人"));
            }
        }
        store::mark_submitted(&mut tx, id, self.today()).await?;
        set_state(&mut tx, actor, &item, to, "submitted", None, None).await?;
        tx.commit().await?;
        Ok(out(&item, to))
    }

    /// `POST /items/{id}/withdraw`: the first proposer, before filing.
    pub async fn withdraw_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ReasonInput>,
    ) -> AppResult<ItemStateOut> {
        self.simple_transition(
            actor,
            id,
            ItemAction::Withdraw,
            "withdrawn",
            Action::Withdraw,
            || Ok(required("reason", &input.get()?.reason, REASON_MAX)?),
        )
        .await
    }

    /// `POST /items/{id}/return`: back to the proposer for revision.
    pub async fn return_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<ReasonInput>,
    ) -> AppResult<ItemStateOut> {
        self.simple_transition(
            actor,
            id,
            ItemAction::Return,
            "returned",
            Action::Return,
            || Ok(required("reason", &input.get()?.reason, REASON_MAX)?),
        )
        .await
    }

    /// `POST /items/{id}/file`: 立案, with the next number of the session.
    pub async fn file_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<FileInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::File).await?;
        let i = input.get()?;
        let title = optional("title", i.title.as_deref(), TITLE_MAX)?;
        let to = item_next(item.state(), ItemAction::File)?;
        let category = category_id(&mut tx, item.org_id, i.category.as_deref()).await?;
        let number = store::take_number(&mut tx, item.session_id, item.number).await?;
        store::file(&mut tx, id, number, title.as_deref(), category).await?;
        set_state(
            &mut tx,
            actor,
            &item,
            to,
            "filed",
            None,
            Some(serde_json::json!({"number": format_number(number)})),
        )
        .await?;
        tx.commit().await?;
        Ok(ItemStateOut {
            id,
            state: to,
            number: Some(format_number(number)),
        })
    }

    /// `POST /items/{id}/reject`: not filed, with a disposition.
    pub async fn reject_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<RejectInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Reject).await?;
        let i = input.get()?;
        let reason = required("reason", &i.reason, REASON_MAX)?;
        let to = item_next(item.state(), ItemAction::Reject)?;
        match (i.disposition, i.unit_id) {
            (Disposition::Reference, None) => {
                return Err(AppError::rule("unit_id", "转有关单位参考须指定单位"))
            }
            (Disposition::Reference, Some(u)) => {
                load_unit(&mut tx, u)
                    .await?
                    .ok_or_else(|| AppError::rule("unit_id", "单位不存在"))?;
            }
            (_, Some(_)) => {
                return Err(AppError::rule("unit_id", "只有转有关单位参考时才指定单位"))
            }
            _ => {}
        }
        store::set_disposition(&mut tx, id, i.disposition, i.unit_id).await?;
        set_state(
            &mut tx,
            actor,
            &item,
            to,
            "not_filed",
            Some(&reason),
            Some(serde_json::json!({"disposition": i.disposition, "unit_id": i.unit_id})),
        )
        .await?;
        tx.commit().await?;
        Ok(out(&item, to))
    }

    /// `POST /items/{id}/merge`: 并案 into another item of the same session.
    pub async fn merge_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<MergeInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Merge).await?;
        let i = input.get()?;
        if i.into == id {
            return Err(AppError::rule("into", "不能并入自身"));
        }
        let target = load_item(&mut tx, i.into)
            .await
            .map_err(|_| AppError::rule("into", "目标提案不存在"))?;
        if target.session_id != item.session_id {
            return Err(AppError::rule("into", "只能并入同一届次会议的提案"));
        }
        if !matches!(
            target.state(),
            ItemState::Submitted | ItemState::Filed | ItemState::Handling | ItemState::Replied
        ) {
            return Err(AppError::rule("into", "目标提案已结束或未提交，不能并入"));
        }
        let to = item_next(item.state(), ItemAction::Merge)?;
        store::merge_into(&mut tx, id, i.into).await?;
        set_state(
            &mut tx,
            actor,
            &item,
            to,
            "merged",
            None,
            Some(serde_json::json!({"into": i.into})),
        )
        .await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(i.into),
                action: "merged_in",
                data: Some(serde_json::json!({"from": id})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out(&item, to))
    }

    /// `POST /items/{id}/assign`: lead + co units, or separate units; also reassignment.
    pub async fn assign_item(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<AssignInput>,
    ) -> AppResult<AssignOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Assign).await?;
        let i = input.get()?;
        if !i.separate.is_empty() && (i.lead.is_some() || !i.co.is_empty()) {
            return Err(AppError::rule("separate", "分办不能与主办、会办同时指定"));
        }
        if i.separate.is_empty() && i.lead.is_none() && i.co.is_empty() {
            return Err(AppError::rule("lead", "请指定承办单位"));
        }
        let to = item_next(item.state(), ItemAction::Assign)?;
        let existing = item_assignments(&mut tx, id).await?;
        let live: Vec<&AssignmentRow> = existing.iter().filter(|a| a.state().is_live()).collect();
        let mut wanted: Vec<(i64, AssignmentRole, &str)> = Vec::new();
        if let Some(l) = i.lead {
            wanted.push((l, AssignmentRole::Lead, "lead"));
        }
        wanted.extend(i.co.iter().map(|u| (*u, AssignmentRole::Co, "co")));
        wanted.extend(
            i.separate
                .iter()
                .map(|u| (*u, AssignmentRole::Separate, "separate")),
        );
        let has_live = |r: AssignmentRole| live.iter().any(|a| a.role() == r);
        if i.lead.is_some() && has_live(AssignmentRole::Lead) {
            return Err(AppError::rule("lead", "本提案已有主办单位"));
        }
        if !i.separate.is_empty() && has_live(AssignmentRole::Lead)
            || i.lead.is_some() && has_live(AssignmentRole::Separate)
        {
            return Err(AppError::rule("separate", "同一提案不能既主办又分办"));
        }
        if !i.co.is_empty() && i.lead.is_none() && !has_live(AssignmentRole::Lead) {
            return Err(AppError::rule("lead", "会办单位须配合主办单位"));
        }
        for (k, (u, _, field)) in wanted.iter().enumerate() {
            if load_unit(&mut tx, *u).await?.is_none() {
                return Err(AppError::rule(field, format!("单位 {u} 不存在")));
            }
            if wanted[..k].iter().any(|(o, _, _)| o == u)
                || live
                    .iter()
                    .any(|a| a.unit_id == *u && a.role() == wanted[k].1)
            {
                return Err(AppError::rule(field, format!("单位 {u} 重复交办")));
            }
        }
        let cal = crate::calendar::load(&mut tx, item.org_id).await?;
        let policy = crate::load_policy(&mut tx, item.org_id).await?;
        let today = self.today();
        let mut created = Vec::new();
        // A unit live in another role changes role (e.g. lead and co swapped after an
        // approved adjustment): its old assignment ends, a new one starts its own clocks.
        for a in live.iter().filter(|a| {
            wanted
                .iter()
                .any(|(u, r, _)| *u == a.unit_id && *r != a.role())
        }) {
            banli_store::assignments::set_state(&mut tx, a.id, AssignmentState::Returned).await?;
            record(
                &mut tx,
                Some(actor),
                Event {
                    org_id: Some(item.org_id),
                    item_id: Some(id),
                    assignment_id: Some(a.id),
                    action: "role_changed",
                    from: Some(a.state.as_str()),
                    to: Some("returned"),
                    ..Default::default()
                },
            )
            .await?;
        }
        for (unit, role, _) in wanted {
            let due = policy.assignment_dues(&cal, role, today);
            let aid = insert_assignment(&mut tx, actor, &item, unit, role, today, &due).await?;
            created.push(aid);
        }
        if to != item.state() {
            set_state(&mut tx, actor, &item, to, "handling", None, None).await?;
        }
        tx.commit().await?;
        let all = self.assignments_by_id(&created).await?;
        Ok(AssignOut { assignments: all })
    }

    /// `POST /items/{id}/key`: mark or unmark a key item.
    pub async fn set_key(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<KeyInput>,
    ) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Key).await?;
        let i = input.get()?;
        let leader = optional("leader", i.leader.as_deref(), NAME_MAX)?;
        store::set_key(&mut tx, id, i.key, leader.as_deref()).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(id),
                action: if i.key { "key_set" } else { "key_unset" },
                data: Some(serde_json::json!({"leader": leader})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out(&item, item.state()))
    }

    /// `POST /items/{id}/supervision`: a 督办 note, at any time after submission.
    pub async fn add_supervision(
        &self,
        actor: &Actor,
        id: i64,
        input: Input<SupervisionInput>,
    ) -> AppResult<Created> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Supervise).await?;
        let i = input.get()?;
        let note = required("note", &i.note, REASON_MAX)?;
        if let Some(d) = i.due_on {
            if d < self.today() {
                return Err(AppError::rule("due_on", "督办期限不能早于今天"));
            }
        }
        let sid = store::add_supervision(&mut tx, id, &note, i.due_on, actor.user_id).await?;
        record(
            &mut tx,
            Some(actor),
            Event {
                org_id: Some(item.org_id),
                item_id: Some(id),
                action: "supervision",
                reason: Some(&note),
                data: Some(serde_json::json!({"due_on": i.due_on})),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Created { id: sid })
    }

    /// `POST /items/{id}/close`: 办结, once every reply is sent and each rating is in or past due.
    pub async fn close_item(&self, actor: &Actor, id: i64) -> AppResult<ItemStateOut> {
        let mut tx = self.begin().await?;
        let (item, _) = self.permit(&mut tx, actor, id, Action::Close).await?;
        let to = item_next(item.state(), ItemAction::Close)?;
        set_state(&mut tx, actor, &item, to, "closed", None, None).await?;
        tx.commit().await?;
        Ok(out(&item, to))
    }
}
