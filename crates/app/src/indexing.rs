//! What the search index holds, built from the database. Each item yields a staff document
//! for itself and for each of its replies and co-opinions (visible to the units and proposers
//! who may read them), and a public document for each live publication carrying exactly the
//! approved content. Changes reach the index through the outbox: every event with an item
//! appends a row, and the indexer re-reads the item.

use crate::portal::PublicDocument;
use crate::publish::document_title;
use crate::rows::*;
use crate::{App, AppError, AppResult};
use banli_domain::model::DocKind;
use banli_search::Doc;
use banli_store::sqlx;

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
        Ok(sqlx::query_as(
            "SELECT id, topic, ref_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?)
    }

    /// The public address of an item's live published reply, if it has one.
    pub async fn published_reply_url(&self, item_id: i64) -> AppResult<Option<String>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT p.document_id FROM publications p JOIN documents d ON d.id = p.document_id JOIN assignments a ON a.id = d.assignment_id
             WHERE a.item_id = $1 AND d.kind = 'reply' AND p.withdrawn_at IS NULL AND p.disclosure IN ('public', 'summary') ORDER BY p.document_id DESC",
        )
        .bind(item_id)
        .fetch_optional(&self.db.pool)
        .await?;
        Ok(row.map(|(id,)| {
            format!(
                "{}/replies/{id}",
                self.settings.public_base_url.trim_end_matches('/')
            )
        }))
    }

    pub async fn latest_outbox_id(&self) -> AppResult<i64> {
        let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM outbox")
            .fetch_one(&self.db.pool)
            .await?;
        Ok(max.unwrap_or(0))
    }

    /// Asks whichever server holds the index to rebuild it (used by `banli reindex`).
    pub async fn request_reindex(&self) -> AppResult<()> {
        sqlx::query("INSERT INTO outbox (topic, ref_id, created_at) VALUES ('reindex', 0, $1)")
            .bind(self.now_ts())
            .execute(self.db.writer())
            .await?;
        Ok(())
    }

    pub async fn all_item_ids(&self) -> AppResult<Vec<i64>> {
        Ok(
            sqlx::query_as::<_, (i64,)>("SELECT id FROM items WHERE org_id = $1 ORDER BY id")
                .bind(self.org_id)
                .fetch_all(&self.db.pool)
                .await?
                .into_iter()
                .map(|(i,)| i)
                .collect(),
        )
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
        let category: Option<(String,)> = match item.category_id {
            Some(c) => {
                sqlx::query_as("SELECT name FROM categories WHERE id = $1")
                    .bind(c)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => None,
        };
        let category = category.map(|c| c.0).unwrap_or_default();
        let assignments = crate::item_assignments(&mut tx, item_id).await?;
        let delegated: Vec<(i64,)> = sqlx::query_as("SELECT d.unit_id FROM delegations d JOIN assignments a ON a.id = d.assignment_id WHERE a.item_id = $1").bind(item_id).fetch_all(&mut *tx).await?;
        let proposers: Vec<(i64,)> = sqlx::query_as("SELECT user_id FROM item_proposers WHERE item_id = $1 OR item_id IN (SELECT id FROM items WHERE merged_into = $1)").bind(item_id).fetch_all(&mut *tx).await?;
        let mut units: Vec<i64> = assignments
            .iter()
            .map(|a| a.unit_id)
            .chain(delegated.into_iter().map(|d| d.0))
            .chain(item.disposition_unit_id)
            .collect();
        units.sort();
        units.dedup();
        let users: Vec<i64> = proposers.into_iter().map(|p| p.0).collect();
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
            unit_ids: units.clone(),
            user_ids: users.clone(),
            org_id: item.org_id,
            commitments: String::new(),
        };
        let mut docs = Vec::new();
        let mut all_keys = vec![base.key.clone()];
        let docs_rows = sqlx::query_as::<_, DocumentRow>(&format!("SELECT {DOCUMENT_COLS} FROM documents WHERE assignment_id IN (SELECT id FROM assignments WHERE item_id = $1) ORDER BY id")).bind(item_id).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        for d in docs_rows {
            all_keys.push(format!("{}:{}", d.kind, d.id));
            all_keys.push(format!("pub:{}:{}", d.kind, d.id));
            let Some(a) = assignments.iter().find(|a| a.id == d.assignment_id) else {
                continue;
            };
            let (unit_name,): (String,) = sqlx::query_as("SELECT name FROM units WHERE id = $1")
                .bind(a.unit_id)
                .fetch_one(&self.db.pool)
                .await?;
            let sent = matches!(d.state.as_str(), "sent" | "superseded");
            // Inside: the unit that wrote it, the lead unit for a sent co-opinion, the proposers for a sent reply.
            let mut doc_units = vec![a.unit_id];
            if d.kind == DocKind::CoOpinion && sent {
                doc_units.extend(
                    assignments
                        .iter()
                        .filter(|x| {
                            x.role() == banli_domain::model::AssignmentRole::Lead
                                && x.state().is_live()
                        })
                        .map(|x| x.unit_id),
                );
            }
            let commitments: Vec<(String,)> =
                sqlx::query_as("SELECT text FROM commitments WHERE document_id = $1 ORDER BY id")
                    .bind(d.id)
                    .fetch_all(&self.db.pool)
                    .await?;
            let commitments = commitments
                .into_iter()
                .map(|c| c.0)
                .collect::<Vec<_>>()
                .join("\n");
            docs.push(Doc {
                key: format!("{}:{}", d.kind, d.id),
                kind: d.kind.as_str().to_string(),
                document_id: Some(d.id),
                title: document_title(
                    &session.body_name,
                    &session.name,
                    item.number,
                    item.kind.as_str(),
                    d.kind.as_str(),
                ),
                body: d.body.clone(),
                unit_id: Some(a.unit_id),
                unit_name: unit_name.clone(),
                grade: d.grade.clone().unwrap_or_default(),
                unit_ids: doc_units,
                user_ids: if d.kind == DocKind::Reply && sent {
                    users.clone()
                } else {
                    vec![]
                },
                commitments: commitments.clone(),
                ..base.clone()
            });
            // The public copy: only a live publication, only its approved content.
            if let Ok(p) = self.public_document(d.kind.as_str(), d.id).await {
                docs.push(public_doc(&base, &p, a.unit_id, commitments));
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
        unit_ids: vec![],
        user_ids: vec![],
        commitments,
        ..base.clone()
    }
}
