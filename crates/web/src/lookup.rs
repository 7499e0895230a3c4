//! Lookups answered by the search index, shared by the API and the staff app: staff
//! full-text search within what the caller may see, and similar items with suggested units.

use crate::AppState;
use banli_app::{Actor, AppError};
use banli_domain::rights::Capability;

/// The ids of the items matching `text` that the caller may see, best first; `None` without
/// a query or without an index (the list then falls back to substring matching).
pub async fn search_ids(
    s: &AppState,
    actor: &Actor,
    text: Option<&str>,
    session_id: Option<i64>,
) -> Result<Option<Vec<i64>>, AppError> {
    let (Some(text), Some(index)) = (text.map(str::trim).filter(|t| !t.is_empty()), &s.search)
    else {
        return Ok(None);
    };
    // Within what the caller may see; the database checks visibility once more.
    let scope = banli_search::Scope::Staff {
        org_id: s.app.org_id,
        all: actor.may(Capability::SearchOrganisation),
        unit_id: actor.unit_id,
        user_id: actor.user_id,
    };
    let mut ids = Vec::new();
    for page in 1..=5 {
        let mut query = banli_search::Query::new(text.to_string(), scope.clone());
        query.session_id = session_id;
        query.page = page;
        query.per_page = banli_search::MAX_PER_PAGE;
        let found = index
            .search(&query)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let n = found.hits.len();
        for h in found.hits {
            if !ids.contains(&h.item_id) {
                ids.push(h.item_id);
            }
        }
        if n < banli_search::MAX_PER_PAGE {
            break;
        }
    }
    // The index's scope is coarse; the item page's own rule has the last word.
    Ok(Some(s.app.visible_items(actor, &ids).await?))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SimilarItem {
    pub id: i64,
    /// Its number with its session (十三届一次会议第0012号); `null` before filing.
    pub case_number: Option<String>,
    pub title: String,
    /// 0..1, 1 = near-identical.
    pub score: f32,
    /// The item's published reply on the portal, when it has one.
    pub reply_url: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SuggestedUnit {
    pub unit_id: i64,
    pub name: String,
    pub score: f32,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SimilarOut {
    pub items: Vec<SimilarItem>,
    /// For the office: the units that answered the most similar past items.
    pub suggested_units: Vec<SuggestedUnit>,
}

/// Items like `text` and, for the office, the units that answered the most similar past items.
/// `exclude` holds index keys (`item:{id}`) of the item itself.
pub async fn similar(
    s: &AppState,
    actor: &Actor,
    text: &str,
    exclude: &[String],
) -> Result<SimilarOut, AppError> {
    let Some(index) = &s.search else {
        return Err(AppError::Internal("search index unavailable".into()));
    };
    let internal = |e: banli_search::Error| AppError::Internal(e.to_string());
    let office = actor.may(Capability::SearchOrganisation);
    let mut items = Vec::new();
    let mut suggested_units = Vec::new();
    if office {
        let scope = banli_search::Scope::Staff {
            org_id: s.app.org_id,
            all: true,
            unit_id: None,
            user_id: actor.user_id,
        };
        // Ask for more than shown: hits the actor may not open (a proposer's unsubmitted
        // draft) are dropped by the item page's own rule, never shown by id or title.
        let hits = index
            .similar(text, &scope, Some("item"), exclude, 30)
            .map_err(internal)?;
        let ids: Vec<i64> = hits.iter().map(|h| h.item_id).collect();
        let visible = s.app.visible_items(actor, &ids).await?;
        for h in hits
            .into_iter()
            .filter(|h| visible.contains(&h.item_id))
            .take(10)
        {
            items.push(SimilarItem {
                id: h.item_id,
                case_number: None,
                title: h.item_title,
                score: h.score,
                reply_url: s.app.published_reply_url(h.item_id).await?,
            });
        }
        for (unit_id, name, score) in index.suggest_units(text, &scope, 5).map_err(internal)? {
            suggested_units.push(SuggestedUnit {
                unit_id,
                name,
                score,
            });
        }
    } else {
        // Everyone else sees earlier items through their published replies.
        for h in index
            .similar(text, &banli_search::Scope::Public, Some("reply"), &[], 10)
            .map_err(internal)?
        {
            if exclude.contains(&format!("item:{}", h.item_id))
                || items.iter().any(|i: &SimilarItem| i.id == h.item_id)
            {
                continue;
            }
            let Some(url) = s.app.published_reply_url(h.item_id).await? else {
                continue;
            };
            items.push(SimilarItem {
                id: h.item_id,
                case_number: None,
                title: h.item_title,
                score: h.score,
                reply_url: Some(url),
            });
        }
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut numbers = s.app.case_numbers(&ids).await?;
    for i in &mut items {
        i.case_number = numbers.remove(&i.id);
    }
    Ok(SimilarOut {
        items,
        suggested_units,
    })
}
