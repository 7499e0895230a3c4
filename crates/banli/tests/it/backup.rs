//! `banli backup` / `banli restore`: a backup restores every row, into either backend, and a
//! damaged, cut or foreign file, or a database in use, changes nothing.

use crate::harness::*;
use crate::lifecycle::on_both;
use crate::rights_matrix::{reach, Stage};
use banli_store::backup::{backup, restore, verify, BackupError, Manifest};
use serde_json::json;
use std::io::{Cursor, Read, Write};

async fn dump(t: &TestApp) -> (Vec<u8>, Manifest) {
    let mut out = Cursor::new(Vec::new());
    let m = backup(&t.app.db, &mut out, |_, _| {})
        .await
        .expect("backup");
    (out.into_inner(), m)
}

/// The manifest without what differs between two copies of the same rows (when, from where).
fn content(m: &Manifest) -> Manifest {
    Manifest {
        created_at: String::new(),
        source: String::new(),
        ..m.clone()
    }
}

/// The zip with each entry passed through `edit` (None drops the entry).
fn rezip(zip: &[u8], edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = edit(&name, bytes) {
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn text_edit(
    entry: &'static str,
    f: impl Fn(String) -> String,
) -> impl Fn(&str, Vec<u8>) -> Option<Vec<u8>> {
    move |name, bytes| {
        Some(if name == entry {
            f(String::from_utf8(bytes).unwrap()).into_bytes()
        } else {
            bytes
        })
    }
}

on_both!(a_backup_restores_every_row_into_either_backend);
async fn a_backup_restores_every_row_into_either_backend(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    let ids = reach(t, &w, Stage::Closed).await;
    t.post(
        "office",
        &format!("/api/v1/replies/{}/publish", ids.reply),
        json!({}),
    )
    .await
    .ok();
    let before = answers(t, &ids, w.session).await;
    let (first, manifest) = dump(t).await;
    assert!(
        manifest.rows > 60 && manifest.tables.len() > 20,
        "{manifest:?}"
    );
    assert_eq!(manifest.sha256.len(), 64);
    let items = manifest.tables.iter().find(|e| e.name == "items").unwrap();
    assert!(items.rows >= 1 && items.columns.contains(&"title".to_string()));
    // The manifest is readable as it stands, and the rows are plain JSON lines.
    let mut zip = zip::ZipArchive::new(Cursor::new(&first)).unwrap();
    let mut lines = String::new();
    zip.by_name("tables/items.jsonl")
        .unwrap()
        .read_to_string(&mut lines)
        .unwrap();
    assert!(lines.contains("关于推进湘江科学城建设的提案"), "{lines}");
    assert_eq!(verify(&mut zip).unwrap(), manifest);

    for target in [Backend::Sqlite, Backend::Postgres] {
        let Some(fresh) = on(target).await else {
            continue;
        };
        let restored = restore(&fresh.app.db, Cursor::new(&first), false, |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("restore into {target:?}: {e}"));
        assert_eq!(restored, manifest);
        // Every row, byte for byte: a backup of the copy has the same digests.
        let (_, again) = dump(&fresh).await;
        assert_eq!(
            content(&again),
            content(&manifest),
            "round trip into {target:?}"
        );
        // The restored installation answers as the original did: lists, the item with its
        // events and documents, users, the published page with its hash, open data.
        fresh.set_today("2023-02-01");
        fresh.login("office", "password-123").await;
        fresh.login("admin", "admin-pass-1").await;
        let after = answers(&fresh, &ids, w.session).await;
        for ((path, a), (_, b)) in before.iter().zip(&after) {
            assert_eq!(a, b, "{path} after a restore into {target:?}");
        }
        // The copy works: its ids go on after the restored ones (PostgreSQL sequences).
        let (next,): (i64,) = banli_store::sqlx::query_as(
            "INSERT INTO supervisions (item_id, note, created_by, created_at) VALUES ($1, '恢复后督办', 1, '2023-02-02T00:00:00Z') RETURNING id",
        )
        .bind(ids.item)
        .fetch_one(&fresh.app.db.pool)
        .await
        .expect("insert after restore");
        assert!(next > 0);
        // A second restore into the same database refuses, says how to force it, and leaves
        // the database as it is.
        let e = restore(&fresh.app.db, Cursor::new(&first), false, |_, _| {})
            .await
            .unwrap_err();
        assert!(matches!(e, BackupError::NotEmpty { .. }), "{e}");
        assert!(e.to_string().contains("已有数据") && e.to_string().contains("--force"));
        let (_, kept) = dump(&fresh).await;
        assert_ne!(
            content(&kept),
            content(&manifest),
            "the new supervision is still there"
        );
        // --force replaces what is there with the backup, exactly.
        restore(&fresh.app.db, Cursor::new(&first), true, |_, _| {})
            .await
            .expect("forced restore");
        let (_, forced) = dump(&fresh).await;
        assert_eq!(content(&forced), content(&manifest));
        fresh.finish().await;
    }
}

/// What users and the public see, with the server's own address taken out.
async fn answers(
    t: &TestApp,
    ids: &crate::rights_matrix::Ids,
    session: i64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (who, path) in [
        ("office", "/api/v1/items".to_string()),
        ("office", format!("/api/v1/items/{}", ids.item)),
        ("office", "/api/v1/assignments".to_string()),
        ("admin", "/api/v1/users".to_string()),
        ("office", format!("/api/v1/stats?session_id={session}")),
    ] {
        let r = t.get(who, &path).await;
        out.push((path, r.ok().to_string().replace(&t.base, "BASE")));
    }
    for path in [
        "/".to_string(),
        format!("/replies/{}", ids.reply),
        "/open-data/replies.csv".to_string(),
    ] {
        let (status, _, body) = t.public(&path, &[]).await;
        assert_eq!(status, 200, "{path}");
        let encoded = t.base.replace(':', "%3A").replace('/', "%2F");
        let body = body.replace(&t.base, "BASE").replace(&encoded, "BASE");
        out.push((path, without_qr(&body)));
    }
    out
}

/// The page without its QR codes (they encode the server's address).
fn without_qr(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("</svg>")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

on_both!(a_damaged_cut_or_foreign_file_is_refused_and_nothing_is_written);
async fn a_damaged_cut_or_foreign_file_is_refused_and_nothing_is_written(t: &TestApp) {
    let w = world(t).await;
    t.set_today("2023-02-01");
    reach(t, &w, Stage::Replied).await;
    let (good, _) = dump(t).await;
    let fresh = on(Backend::Sqlite).await.unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (good[..good.len() / 2].to_vec(), "不是 banli 备份文件"),
        (
            rezip(&good, |name, b| (name != "manifest.json").then_some(b)),
            "缺少清单",
        ),
        (
            rezip(
                &good,
                text_edit("tables/items.jsonl", |s| {
                    s.replace(
                        "关于推进湘江科学城建设的提案",
                        "关于推进湘江科学城建设的提议",
                    )
                }),
            ),
            "tables/items.jsonl 的 SHA-256 与清单不符",
        ),
        (
            rezip(
                &good,
                text_edit("tables/events.jsonl", |s| {
                    s.lines().skip(1).map(|l| format!("{l}\n")).collect()
                }),
            ),
            "events 表按清单应有",
        ),
        (
            rezip(
                &good,
                text_edit("tables/items.jsonl", |s| format!("{s}[1, 2]\n")),
            ),
            "tables/items.jsonl 第",
        ),
        (
            rezip(
                &good,
                text_edit("manifest.json", |s| {
                    s.replacen("\"schema\":", "\"schema\": 9999, \"was\":", 1)
                }),
            ),
            "更新的版本",
        ),
        (
            rezip(
                &good,
                text_edit("manifest.json", |s| {
                    s.replacen("\"name\": \"items\"", "\"name\": \"items_x\"", 1)
                }),
            ),
            "未知的表",
        ),
        (
            rezip(
                &good,
                text_edit("manifest.json", |s| {
                    s.replacen(
                        "\"title\"",
                        "\"title) VALUES (1); DROP TABLE users; --\"",
                        1,
                    )
                }),
            ),
            "列名",
        ),
    ];
    for (file, says) in cases {
        let e = restore(&fresh.app.db, Cursor::new(file), false, |_, _| {})
            .await
            .unwrap_err();
        assert!(e.to_string().contains(says), "expected “{says}”: {e}");
        let (n,): (i64,) = banli_store::sqlx::query_as("SELECT COUNT(*) FROM items")
            .fetch_one(&fresh.app.db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "a refused restore writes nothing");
    }
    fresh.finish().await;
}
