//! The scheduled backup of `serve --backup-every`: the first one as soon as the newest kept
//! backup is older than the interval (or there is none), then one per interval. A failure is
//! logged with what to check and tried again at the next turn; the server keeps serving.

use banli_app::App;
use std::time::Duration;
use tokio::sync::watch;

pub async fn schedule(app: App, mut stop: watch::Receiver<bool>) {
    let Some(settings) = app.settings.backups.clone() else {
        return;
    };
    let Some(every) = settings.every else {
        return;
    };
    let mut wait = first_wait(&settings.dir, every);
    tracing::info!(every = ?every, first_in = ?wait, dir = %settings.dir.display(), "backups scheduled");
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        match app.scheduled_backup().await {
            Ok(b) => tracing::info!(file = %b.name, bytes = b.bytes, "backup written"),
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
        wait = every;
    }
}

/// Time until the next backup is due, from the newest one in `dir`.
fn first_wait(dir: &std::path::Path, every: Duration) -> Duration {
    let newest = banli_store::backup::list(dir)
        .ok()
        .and_then(|l| l.into_iter().next())
        .and_then(|b| b.taken_at())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok());
    match newest {
        Some(t) => {
            let age = (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
                .to_std()
                .unwrap_or_default();
            every.saturating_sub(age)
        }
        None => Duration::ZERO,
    }
}
