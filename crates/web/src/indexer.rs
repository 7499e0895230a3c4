//! Keeps this instance's search index caught up with the database through the outbox.
//! Each instance has its own index in its data directory; a new or outdated index is
//! rebuilt from the database, a restarted one continues from the watermark in its last
//! commit. Rows are re-read a window behind the watermark because on PostgreSQL a row can
//! commit after a row with a higher id; re-indexing an item twice is harmless.

use banli_app::App;
use banli_search::SearchIndex;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// How far behind the watermark rows are read again.
const LATE_WINDOW: i64 = 500;
const BATCH: i64 = 2000;

/// Re-indexes every item of the organisation; `progress(done, total)` after each.
pub async fn rebuild(
    app: &App,
    index: &SearchIndex,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<usize> {
    // The watermark first: changes made during the rebuild are picked up again afterwards.
    // Past the pruning horizon too, or an outbox pruned empty would ask for rebuilds forever.
    let watermark = app
        .latest_outbox_id()
        .await?
        .max(app.outbox_pruned_below().await? - 1);
    index.clear()?;
    let ids = app.all_item_ids().await?;
    for (k, id) in ids.iter().enumerate() {
        let d = app.item_docs(*id).await?;
        index.upsert(&d.docs)?;
        progress(k + 1, ids.len());
    }
    index.commit(watermark)?;
    Ok(ids.len())
}

/// One pass: index what changed since the watermark, and rows in the late window not seen
/// before. `seen` remembers the window's rows between passes. Returns the items touched.
pub async fn catch_up(
    app: &App,
    index: &SearchIndex,
    seen: &mut BTreeSet<i64>,
) -> anyhow::Result<usize> {
    let watermark = index.watermark().unwrap_or(0);
    if watermark + 1 < app.outbox_pruned_below().await? {
        // Rows this index never saw were pruned while it was away.
        tracing::info!(
            watermark,
            "the outbox was pruned past the index: rebuilding it"
        );
        seen.clear();
        app.db.note_change();
        return rebuild(app, index, |_, _| {}).await;
    }
    let floor = (watermark - LATE_WINDOW).max(0);
    let rows: Vec<(i64, String, i64)> = app
        .outbox_after(floor, BATCH)
        .await?
        .into_iter()
        .filter(|r| !seen.contains(&r.0))
        .collect();
    if rows.iter().any(|(_, topic, _)| topic == "reindex") {
        tracing::info!("rebuilding the search index on request");
        seen.extend(rows.iter().map(|r| r.0));
        return rebuild(app, index, |_, _| {}).await;
    }
    if !rows.is_empty() {
        // A change, perhaps another instance's: pages rendered before it are stale.
        app.db.note_change();
    }
    let newest = rows.iter().map(|r| r.0).max().unwrap_or(watermark);
    seen.extend(rows.iter().map(|r| r.0));
    seen.retain(|id| *id > floor);
    let items: BTreeSet<i64> = rows
        .iter()
        .filter(|(_, topic, _)| topic == "item")
        .map(|r| r.2)
        .collect();
    for id in &items {
        let d = app.item_docs(*id).await?;
        let keep: BTreeSet<&str> = d.docs.iter().map(|x| x.key.as_str()).collect();
        let gone: Vec<String> = d
            .all_keys
            .iter()
            .filter(|k| !keep.contains(k.as_str()))
            .cloned()
            .collect();
        index.delete(&gone)?;
        index.upsert(&d.docs)?;
    }
    if !items.is_empty() || newest > watermark {
        index.commit(newest.max(watermark))?;
    }
    Ok(items.len())
}

/// Whether the index has seen every outbox row (for /healthz).
pub async fn caught_up(app: &App, index: &SearchIndex) -> anyhow::Result<bool> {
    Ok(index.watermark().unwrap_or(-1) >= app.latest_outbox_id().await?)
}

/// The background task of `banli serve`: rebuild when needed, then poll every second.
pub async fn run(app: App, index: Arc<SearchIndex>) {
    if index.watermark().is_none() {
        let started = std::time::Instant::now();
        match rebuild(&app, &index, |_, _| {}).await {
            Ok(n) => tracing::info!(
                items = n,
                seconds = started.elapsed().as_secs_f64(),
                "search index built"
            ),
            Err(e) => tracing::error!(error = %e, "search index rebuild failed"),
        }
    }
    let mut seen = BTreeSet::new();
    loop {
        if let Err(e) = catch_up(&app, &index, &mut seen).await {
            tracing::warn!(error = %e, "search index catch-up failed; retrying");
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
}
