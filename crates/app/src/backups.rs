//! Backups the server keeps in its backup directory: written on a schedule
//! (`serve --backup-every`) or from the admin page, listed and downloaded by the admin only.
//! The file format and restore live in `banli_store::backup`.

use crate::{Actor, App, AppError, AppResult};
use banli_domain::rights::Capability;
use banli_store::backup::{self, StoredBackup};
use std::path::PathBuf;
use std::time::Duration;

/// Where and how often the server backs up (absent: the server keeps no backups itself).
#[derive(Debug, Clone)]
pub struct BackupSettings {
    pub dir: PathBuf,
    /// `None`: only when the admin asks.
    pub every: Option<Duration>,
    /// How many to keep; older ones are deleted after each new backup (0 keeps all).
    pub keep: usize,
}

/// The admin's backup page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupsView {
    pub dir: String,
    /// `24h`, `30m` …; `None` when no schedule is set.
    pub every: Option<String>,
    pub keep: usize,
    /// Newest first.
    pub backups: Vec<BackupOut>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupOut {
    pub name: String,
    pub bytes: u64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub taken_at: Option<String>,
}

impl From<StoredBackup> for BackupOut {
    fn from(b: StoredBackup) -> Self {
        BackupOut {
            taken_at: b.taken_at(),
            name: b.name,
            bytes: b.bytes,
        }
    }
}

/// `86400 s` as the admin typed it: `24h`, `30m`, `7d`, `90s`.
pub fn duration_label(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn unavailable() -> AppError {
    AppError::Conflict(
        "本服务器未设置备份目录：请用 banli serve 启动（备份写入数据目录下的 backups），或用命令 banli backup 文件名".into(),
    )
}

impl App {
    fn backup_settings(&self) -> AppResult<&BackupSettings> {
        self.settings.backups.as_ref().ok_or_else(unavailable)
    }

    pub async fn backups(&self, actor: &Actor) -> AppResult<BackupsView> {
        actor.require(Capability::Administer)?;
        let s = self.backup_settings()?;
        let list = backup::list(&s.dir).map_err(|e| {
            AppError::Internal(format!("无法读取备份目录 {}：{e}", s.dir.display()))
        })?;
        Ok(BackupsView {
            dir: s.dir.display().to_string(),
            every: s.every.map(duration_label),
            keep: s.keep,
            backups: list.into_iter().map(Into::into).collect(),
        })
    }

    /// A backup now, beside the scheduled ones (and counted in what is kept).
    pub async fn backup_now(&self, actor: &Actor) -> AppResult<BackupOut> {
        actor.require(Capability::Administer)?;
        Ok(self.scheduled_backup().await?.into())
    }

    /// The server's own backup (the schedule has no actor).
    pub async fn scheduled_backup(&self) -> AppResult<StoredBackup> {
        let s = self.backup_settings()?;
        backup::to_dir(&self.db, &s.dir, s.keep)
            .await
            .map_err(|e| match e {
                backup::BackupError::Db(e) => AppError::from(e),
                other => AppError::Internal(format!(
                    "备份失败：{other}；请检查备份目录 {} 是否可写、磁盘空间是否足够",
                    s.dir.display()
                )),
            })
    }

    /// The file of one listed backup, for download; any other name is not found.
    pub async fn backup_file(&self, actor: &Actor, name: &str) -> AppResult<PathBuf> {
        actor.require(Capability::Administer)?;
        let s = self.backup_settings()?;
        if !backup::is_backup_name(name) {
            return Err(AppError::NotFound("备份"));
        }
        let path = s.dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(AppError::NotFound("备份"))
        }
    }
}
