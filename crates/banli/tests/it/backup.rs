//! `banli backup` / `banli restore`: a backup restores every row, into either backend, and a
//! bad file or a database in use changes nothing.

use crate::harness::*;
use crate::lifecycle::on_both;
use crate::rights_matrix::{reach, Stage};
use banli_store::backup::{backup, restore, BackupError};

async fn dump(t: &TestApp) -> String {
    let mut out = Vec::new();
    backup(&t.app.db, &mut out, |_, _| {})
        .await
        .expect("backup");
    String::from_utf8(out).unwrap()
}

/// The backup without its header line (which carries the time it was made).
fn body(b: &str) -> &str {
    b.split_once('\n').unwrap().1
}

on_both!(a_backup_restores_every_row_into_either_backend);
async fn a_backup_restores_every_row_into_either_backend(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let ids = reach(t, &w, Stage::Closed).await;
    let first = dump(t).await;
    assert!(first.lines().count() > 60, "{first}");
    assert!(first.contains("关于推进湘江科学城建设的提案"));

    for target in [Backend::Sqlite, Backend::Postgres] {
        let Some(fresh) = on(target).await else {
            continue;
        };
        let sum = restore(&fresh.app.db, first.as_bytes(), |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("restore into {target:?}: {e}"));
        assert!(sum.rows > 60 && sum.tables > 20, "{sum:?}");
        // Every row, byte for byte: a backup of the copy is the backup itself.
        let again = dump(&fresh).await;
        assert_eq!(body(&again), body(&first), "round trip into {target:?}");
        // The copy works: its ids go on after the restored ones (PostgreSQL sequences).
        let (next,): (i64,) = banli_store::sqlx::query_as(
            "INSERT INTO supervisions (item_id, note, created_by, created_at) VALUES ($1, '恢复后督办', 1, '2023-02-02T00:00:00Z') RETURNING id",
        )
        .bind(ids.item)
        .fetch_one(&fresh.app.db.pool)
        .await
        .expect("insert after restore");
        assert!(next > 0);
        // A second restore into the same database refuses and leaves it as it is.
        let e = restore(&fresh.app.db, first.as_bytes(), |_, _| {})
            .await
            .unwrap_err();
        assert!(matches!(e, BackupError::NotEmpty { .. }), "{e}");
        assert!(e.to_string().contains("已有数据"));
        fresh.finish().await;
    }
}

on_both!(a_cut_or_foreign_file_is_refused_and_nothing_is_written);
async fn a_cut_or_foreign_file_is_refused_and_nothing_is_written(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    reach(t, &w, Stage::Replied).await;
    let good = dump(t).await;
    let cut: String = good
        .lines()
        .take(good.lines().count() / 2)
        .collect::<Vec<_>>()
        .join("\n");
    let fresh = on(Backend::Sqlite).await.unwrap();
    let cases: Vec<(String, &str)> = vec![
        (cut, "不完整"),
        ("{\"hello\": 1}\n".to_string(), "不是 banli 备份文件"),
        (
            good.replacen("\"table\":\"items\"", "\"table\":\"items_x\"", 1),
            "未知的表",
        ),
        (
            good.replacen("\"schema\":", "\"schema\":9999,\"was\":", 1),
            "更新的版本",
        ),
    ];
    for (file, says) in cases {
        let e = restore(&fresh.app.db, file.as_bytes(), |_, _| {})
            .await
            .unwrap_err();
        assert!(e.to_string().contains(says), "{e}");
        let (n,): (i64,) = banli_store::sqlx::query_as("SELECT COUNT(*) FROM items")
            .fetch_one(&fresh.app.db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "a refused restore writes nothing");
    }
    fresh.finish().await;
}
