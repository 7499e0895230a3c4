//! What the search index holds, built from the database. Each item yields a staff document
//! for itself and for each of its replies and co-opinions (visible to the units and proposers
//! who may read them), and a public document for each live publication carrying exactly the
//! approved content. Changes reach the index through the outbox: every event with an item
//! appends a row, and the indexer re-reads the item.

use crate::portal::PublicDocument;
use crate::publish::document_title;
use crate::{App, AppError, AppResult};
use banli_domain::model::Role;
use banli_domain::rights::{decide, Action, Facts, Principal};
use banli_search::Doc;
use banli_store::{documents, events, orgs};

/// How long followed outbox rows and sent messages are kept (the notifications stay).
pub const RETENTION_DAYS: i64 = 30;

/// The documents an item contributes now, and every key it may have contributed before (so
/// the caller deletes those that no longer exist, e.g. a withdrawn publication).
pub struct ItemDocs {
    pub docs: Vec<Doc>,
    pub all_keys: Vec<String>,
}

impl App {
    /// Outbox rows after `after` (the caller re-reads a window behind its watermark, since on
    /// PostgreSQL a row can commit after a higher id).
    pub async fn outbox_after(&self, after: i64, limit: i64) -> AppResult<Vec<(i64, String, i64)>> {
        Ok(events::outbox_after(&self.db.pool, after, limit).await?)
    }

    /// The public address of an item's live published reply, if it has one.
    pub async fn published_reply_url(&self, item_id: i64) -> AppResult<Option<String>> {
        let row = banli_store::items::published_reply(&self.db.pool, item_id).await?;
        Ok(row.map(|id| {
            format!(
                "{}/replies/{id}",
                self.settings.public_base_url.trim_end_matches('/')
            )
        }))
    }

    pub async fn latest_outbox_id(&self) -> AppResult<i64> {
        Ok(events::latest_outbox_id(&self.db.pool).await?)
    }

    /// Outbox rows below this id may have been pruned: an index that has not seen them all
    /// must be rebuilt.
    pub async fn outbox_pruned_below(&self) -> AppResult<i64> {
        Ok(events::pruned_below(&self.db.pool).await?)
    }

    /// Deletes the outbox rows and the sent e-mails and text messages older than
    /// [`RETENTION_DAYS`] (after the daily reminder): (outbox rows, messages) deleted.
    pub async fn prune_delivered(&self) -> AppResult<(u64, u64)> {
        let before = self.today() - chrono::Duration::days(RETENTION_DAYS);
        let before = before.format("%Y-%m-%d").to_string();
        let mut tx = self.begin().await?;
        let outbox = events::prune(&mut tx, &before).await?;
        let sent = banli_store::notices::prune_sent(&mut tx, &before).await?;
        tx.commit().await?;
        Ok((outbox, sent))
    }

    /// Asks whichever server holds the index to rebuild it (used by `banli reindex`).
    pub async fn request_reindex(&self) -> AppResult<()> {
        events::request_reindex(self.db.writer(), &self.now_ts()).await?;
        Ok(())
    }

    pub async fn all_item_ids(&self) -> AppResult<Vec<i64>> {
        Ok(banli_store::items::ids_of_org(&self.db.pool, self.org_id).await?)
    }

    /// Unit names and short names, for the segmenter's dictionary.
    pub async fn dictionary_words(&self) -> AppResult<Vec<String>> {
        let mut words = Vec::new();
        for u in self.list_units().await? {
            words.push(u.name);
            words.extend(u.short_name);
        }
        Ok(words)
    }

    pub async fn item_docs(&self, item_id: i64) -> AppResult<ItemDocs> {
        let mut tx = self.db.read().await?;
        let item = match crate::load_item(&mut tx, item_id).await {
            Ok(i) => i,
            Err(AppError::NotFound(_)) => {
                return Ok(ItemDocs {
                    docs: vec![],
                    all_keys: vec![format!("item:{item_id}")],
                })
            }
            Err(e) => return Err(e),
        };
        let session = crate::load_session(&mut tx, item.session_id)
            .await?
            .ok_or(AppError::NotFound("届次会议"))?;
        let category = match item.category_id {
            Some(c) => orgs::category_name(&mut tx, c).await?,
            None => None,
        }
        .unwrap_or_default();
        let assignments = crate::item_assignments(&mut tx, item_id).await?;
        // Who may see what is the permission decision's answer for each possible reader:
        // the office, each unit with a part in the item, each proposer (of it or of an item
        // merged into it) — all named in the facts the decision reads.
        let facts = self.facts_for_unit(&mut tx, None, &item).await?;
        let mut units: Vec<i64> = facts
            .assignments
            .iter()
            .flat_map(|a| std::iter::once(a.unit_id).chain(a.delegated_to.iter().copied()))
            .chain(item.disposition_unit_id)
            .collect();
        units.sort();
        units.dedup();
        let mut users: Vec<i64> = facts
            .proposers
            .iter()
            .map(|p| p.user_id)
            .chain(facts.merged_proposers.iter().copied())
            .collect();
        users.sort();
        users.dedup();
        let readers = Readers {
            org_id: item.org_id,
            units,
            users,
        };
        let (office, units, users) = readers.of(&facts, Action::View);
        let base = Doc {
            key: format!("item:{item_id}"),
            kind: "item".into(),
            item_id,
            document_id: None,
            title: item.title.clone(),
            item_title: item.title.clone(),
            body: item.body.clone(),
            unit_id: None,
            unit_name: String::new(),
            session_id: item.session_id,
            category: category.clone(),
            grade: String::new(),
            published_at: String::new(),
            public: false,
            office,
            unit_ids: units,
            user_ids: users,
            org_id: item.org_id,
            commitments: String::new(),
        };
        let mut docs = Vec::new();
        let mut all_keys = vec![base.key.clone()];
        let docs_rows = documents::of_item(&mut tx, item_id).await?;
        let mut units_named = std::collections::HashMap::new();
        let mut commitments_of = std::collections::HashMap::new();
        for d in &docs_rows {
            if let Some(a) = assignments.iter().find(|a| a.id == d.assignment_id) {
                if let Some(u) = orgs::unit(&mut tx, a.unit_id).await? {
                    units_named.insert(a.unit_id, u.name);
                }
            }
            let texts: Vec<String> = documents::commitments(&mut tx, d.id)
                .await?
                .into_iter()
                .map(|c| c.text)
                .collect();
            commitments_of.insert(d.id, texts.join("\n"));
        }
        tx.commit().await?;
        for d in docs_rows {
            all_keys.push(format!("{}:{}", d.kind, d.id));
            all_keys.push(format!("pub:{}:{}", d.kind, d.id));
            let Some(a) = assignments.iter().find(|a| a.id == d.assignment_id) else {
                continue;
            };
            let unit_name = units_named.get(&a.unit_id).cloned().unwrap_or_default();
            let (office, unit_ids, user_ids) = readers.of(&facts, Action::SeeDocument(d.id));
            let commitments = commitments_of.remove(&d.id).unwrap_or_default();
            docs.push(Doc {
                key: format!("{}:{}", d.kind, d.id),
                kind: d.kind.as_str().to_string(),
                document_id: Some(d.id),
                title: document_title(
                    &session.body_name,
                    &session.name,
                    item.number,
                    item.kind,
                    d.kind,
                ),
                body: d.body.clone(),
                unit_id: Some(a.unit_id),
                unit_name: unit_name.clone(),
                grade: d.grade.clone().unwrap_or_default(),
                office,
                unit_ids,
                user_ids,
                commitments: commitments.clone(),
                ..base.clone()
            });
            // The public copy: only a live publication, only its approved content.
            match self.public_document(d.kind.as_str(), d.id).await {
                Ok(p) => docs.push(public_doc(&base, &p, a.unit_id, commitments)),
                Err(AppError::NotFound(_)) => {}
                // One unreadable publication must not stop the index for every item: it
                // stays out of public search, and the log says which.
                Err(e) => {
                    tracing::error!(document = d.id, error = %e, "a publication could not be read; left out of public search")
                }
            }
        }
        docs.push(base);
        Ok(ItemDocs { docs, all_keys })
    }
}

fn public_doc(base: &Doc, p: &PublicDocument, unit_id: i64, commitments: String) -> Doc {
    Doc {
        key: format!("pub:{}:{}", p.summary.kind, p.summary.document_id),
        kind: p.summary.kind.clone(),
        document_id: Some(p.summary.document_id),
        title: p.summary.title.clone(),
        body: p.body.clone(),
        unit_id: Some(unit_id),
        unit_name: p.summary.unit.clone(),
        grade: p.summary.grade.clone().unwrap_or_default(),
        published_at: p.summary.published_at.clone(),
        public: true,
        office: false,
        unit_ids: vec![],
        user_ids: vec![],
        commitments,
        ..base.clone()
    }
}

/// The possible readers of an item's index documents.
struct Readers {
    org_id: i64,
    units: Vec<i64>,
    users: Vec<i64>,
}

impl Readers {
    /// Whether the office may, and which of the units and users may, take `action`.
    fn of(&self, facts: &Facts, action: Action) -> (bool, Vec<i64>, Vec<i64>) {
        let may = |role, user_id, unit_id, org_id| {
            let p = Principal {
                role,
                user_id,
                unit_id,
                org_id,
            };
            decide(&p, action, facts).is_ok()
        };
        let office = may(Role::Office, 0, None, Some(self.org_id));
        let units = self
            .units
            .iter()
            .copied()
            .filter(|u| {
                may(Role::UnitStaff, 0, Some(*u), None) || may(Role::UnitSigner, 0, Some(*u), None)
            })
            .collect();
        let users = self
            .users
            .iter()
            .copied()
            .filter(|u| may(Role::Proposer, *u, None, Some(self.org_id)))
            .collect();
        (office, units, users)
    }
}
