//! A backup as one portable zip file: per table a file of newline-delimited JSON (one array
//! of values per row) and `manifest.json` with each table's columns, row count and SHA-256,
//! and the SHA-256 of all table files together. Both backends read it: a backup of SQLite
//! restores into PostgreSQL and back, so an office can move its records as well as keep
//! them. The search index is not in it: it is rebuilt from the database.

use crate::db::{now_ts, Backend, Db};
use crate::migrate::MIGRATIONS;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Column, Row};
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: i64 = 2;
const MANIFEST: &str = "manifest.json";

/// What the first start of a server writes into an empty database (the default
/// organisation and its categories): a database holding only these counts as empty.
const SEED_TABLES: &[&str] = &["organisations", "categories"];

/// Self-references written after all rows, so rows may point forward (an item merged into a
/// later one, a unit under a parent created after it).
const LATE_COLUMNS: &[(&str, &str)] = &[("items", "merged_into"), ("units", "parent_id")];

/// The backup's table of contents, checked in full before a restore writes anything.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub banli_backup: i64,
    /// The schema version (last migration) the rows were written with.
    pub schema: i64,
    pub created_at: String,
    /// `sqlite` or `postgres`: where the copy was taken from.
    pub source: String,
    pub tables: Vec<TableEntry>,
    pub rows: u64,
    /// SHA-256 of the table files, concatenated in the order of `tables`.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableEntry {
    pub name: String,
    /// The file inside the zip: `tables/<name>.jsonl`.
    pub file: String,
    pub columns: Vec<String>,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("读写备份文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("不是 banli 备份文件（无法按 zip 读取：{0}）；请使用 banli backup 写出的 .zip 文件")]
    Zip(#[from] zip::result::ZipError),
    #[error("备份文件中 {place} 无法读取：{message}")]
    Format { place: String, message: String },
    #[error("备份文件已损坏：{what} 的 SHA-256 与清单不符；请使用另一份备份")]
    Damaged { what: String },
    #[error(
        "备份文件不完整：{table} 表按清单应有 {expected} 行，实有 {found} 行；请使用另一份备份"
    )]
    Count {
        table: String,
        expected: u64,
        found: u64,
    },
    #[error("备份来自更新的版本（数据结构 {found}，本程序支持到 {supported}）；请先升级 banli")]
    TooNew { found: i64, supported: i64 },
    #[error("目标数据库已有数据（{table} 表有 {rows} 行）；恢复只写入空数据库：请指定新的数据目录或数据库，或加 --force 删除现有数据后恢复")]
    NotEmpty { table: String, rows: i64 },
}

fn bad(place: impl Into<String>, message: impl Into<String>) -> BackupError {
    BackupError::Format {
        place: place.into(),
        message: message.into(),
    }
}

/// The schema as the migrations declare it: tables in the order they were created
/// (referenced tables first, derived ones left out), and which columns hold integers (the
/// rest hold text).
pub struct Schema {
    pub tables: Vec<String>,
    integers: Vec<(String, String)>,
}

impl Schema {
    pub fn read() -> Schema {
        let mut tables: Vec<String> = Vec::new();
        let mut integers = Vec::new();
        for (_, _, sql) in MIGRATIONS {
            for stmt in sql.split(';') {
                let lines: Vec<&str> = stmt
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with("--"))
                    .collect();
                let Some(head) = lines.first() else { continue };
                let words: Vec<&str> = head.split_whitespace().collect();
                match words.as_slice() {
                    ["CREATE", "TABLE", rest @ ..] => {
                        let name = rest
                            .iter()
                            .find(|w| !matches!(**w, "IF" | "NOT" | "EXISTS"))
                            .map(|w| w.trim_end_matches('(').to_string())
                            .unwrap_or_default();
                        for l in &lines[1..] {
                            let mut w = l.split_whitespace();
                            let (Some(col), Some(ty)) = (w.next(), w.next()) else {
                                continue;
                            };
                            if matches!(ty, "{id}," | "{id}" | "BIGINT" | "BIGINT,") {
                                integers.push((name.clone(), col.to_string()));
                            }
                        }
                        let derived = crate::derived::is_derived(&name);
                        if !tables.contains(&name) && !derived {
                            tables.push(name);
                        }
                    }
                    ["ALTER", "TABLE", table, "ADD", "COLUMN", col, ty, ..]
                        if ty.starts_with("BIGINT") =>
                    {
                        integers.push((table.to_string(), col.to_string()));
                    }
                    _ => {}
                }
            }
        }
        Schema { tables, integers }
    }

    fn is_integer(&self, table: &str, column: &str) -> bool {
        self.integers.iter().any(|(t, c)| t == table && c == column)
    }
}

fn schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

fn cell(row: &crate::Row, i: usize) -> Value {
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v.map_or(Value::Null, Value::from);
    }
    match row.try_get::<Option<f64>, _>(i) {
        Ok(v) => v.map_or(Value::Null, Value::from),
        Err(_) => Value::Null,
    }
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes every table into a zip on `out`. Reads in one transaction, so the copy is
/// consistent while the server goes on writing; rows stream from the database to the file.
/// `progress(table, rows so far)` after each table.
pub async fn backup<W: Write + Seek>(
    db: &Db,
    out: W,
    mut progress: impl FnMut(&str, u64),
) -> Result<Manifest, BackupError> {
    let mut zip = zip::ZipWriter::new(out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut tx = db.read().await?;
    let mut all = Sha256::new();
    let mut manifest = Manifest {
        banli_backup: FORMAT,
        schema: schema_version(),
        created_at: now_ts(),
        source: match db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        tables: Vec::new(),
        rows: 0,
        sha256: String::new(),
    };
    for table in Schema::read().tables {
        let file = format!("tables/{table}.jsonl");
        zip.start_file(file.as_str(), opts)?;
        let mut one = Sha256::new();
        let mut entry = TableEntry {
            name: table.clone(),
            file,
            columns: Vec::new(),
            rows: 0,
            sha256: String::new(),
        };
        // A fixed order, so a backup of a restored copy holds the same tables.
        let sql = format!("SELECT * FROM {table} ORDER BY 1, 2, 3");
        let mut rows = sqlx::query(&sql).fetch(&mut *tx);
        while let Some(r) = rows.try_next().await? {
            if entry.columns.is_empty() {
                entry.columns = r.columns().iter().map(|c| c.name().to_string()).collect();
            }
            let values: Vec<Value> = (0..entry.columns.len()).map(|i| cell(&r, i)).collect();
            let mut line = serde_json::to_vec(&values).map_err(std::io::Error::other)?;
            line.push(b'\n');
            zip.write_all(&line)?;
            one.update(&line);
            all.update(&line);
            entry.rows += 1;
        }
        drop(rows);
        entry.sha256 = hex(one.finalize());
        manifest.rows += entry.rows;
        manifest.tables.push(entry);
        progress(&table, manifest.rows);
    }
    tx.commit().await?;
    manifest.sha256 = hex(all.finalize());
    zip.start_file(MANIFEST, opts)?;
    serde_json::to_writer_pretty(&mut zip, &manifest).map_err(std::io::Error::other)?;
    zip.finish()?.flush()?;
    Ok(manifest)
}

/// Reads and checks the manifest and every table file (digests, counts, row shapes) without
/// touching a database: a damaged, cut-off or foreign file is refused before a restore begins.
pub fn verify<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<Manifest, BackupError> {
    let manifest: Manifest = {
        let f = zip
            .by_name(MANIFEST)
            .map_err(|_| bad(MANIFEST, "缺少清单；这不是 banli backup 写出的文件"))?;
        serde_json::from_reader(f).map_err(|e| bad(MANIFEST, e.to_string()))?
    };
    if manifest.banli_backup != FORMAT {
        return Err(bad(
            MANIFEST,
            format!("不支持的备份格式 {}", manifest.banli_backup),
        ));
    }
    if manifest.schema > schema_version() {
        return Err(BackupError::TooNew {
            found: manifest.schema,
            supported: schema_version(),
        });
    }
    let known = Schema::read().tables;
    let mut all = Sha256::new();
    for t in &manifest.tables {
        if !known.contains(&t.name) {
            return Err(bad(MANIFEST, format!("未知的表“{}”", t.name)));
        }
        // Column names go into the INSERT: plain identifiers only.
        if let Some(c) = t.columns.iter().find(|c| {
            c.is_empty()
                || !c
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }) {
            return Err(bad(MANIFEST, format!("{} 表的列名“{c}”无效", t.name)));
        }
        let mut one = Sha256::new();
        let mut found = 0u64;
        for_each_row(zip, t, |line, _| {
            one.update(line);
            all.update(line);
            found += 1;
            Ok(())
        })?;
        if found != t.rows {
            return Err(BackupError::Count {
                table: t.name.clone(),
                expected: t.rows,
                found,
            });
        }
        if hex(one.finalize()) != t.sha256 {
            return Err(BackupError::Damaged {
                what: t.file.clone(),
            });
        }
    }
    if hex(all.finalize()) != manifest.sha256 {
        return Err(BackupError::Damaged {
            what: "全部数据".into(),
        });
    }
    let total: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    if total != manifest.rows {
        return Err(bad(MANIFEST, "总行数与各表行数之和不符"));
    }
    Ok(manifest)
}

/// `verify` of a whole backup file: what `banli restore --check` prints.
pub fn check<R: Read + Seek>(input: R) -> Result<Manifest, BackupError> {
    verify(&mut zip::ZipArchive::new(input)?)
}

/// Calls `f(raw line with its newline, values)` for each row of one table file.
fn for_each_row<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    t: &TableEntry,
    mut f: impl FnMut(&[u8], Vec<Value>) -> Result<(), BackupError>,
) -> Result<(), BackupError> {
    let file = zip
        .by_name(&t.file)
        .map_err(|_| bad(t.file.as_str(), "清单列出的文件不在备份中"))?;
    let mut input = BufReader::new(file);
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        n += 1;
        let place = || format!("{} 第 {n} 行", t.file);
        let values: Vec<Value> =
            serde_json::from_slice(&line).map_err(|e| bad(place(), e.to_string()))?;
        if values.len() != t.columns.len() {
            return Err(bad(
                place(),
                format!("有 {} 个值，应为 {} 个", values.len(), t.columns.len()),
            ));
        }
        f(&line, values)?;
    }
}

/// Restores a backup into a migrated database, all or nothing. The database must be empty
/// (beyond what a first start seeds) unless `force`, which deletes what it holds — in the
/// same transaction, so a failed restore leaves it as it was.
pub async fn restore<R: Read + Seek>(
    db: &Db,
    input: R,
    force: bool,
    mut progress: impl FnMut(&str, u64),
) -> Result<Manifest, BackupError> {
    let mut zip = zip::ZipArchive::new(input)?;
    let manifest = verify(&mut zip)?;
    let schema = Schema::read();
    let mut tx = db.begin().await?;
    if !force {
        for table in &schema.tables {
            if SEED_TABLES.contains(&table.as_str()) {
                continue;
            }
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut *tx)
                .await?;
            if n > 0 {
                return Err(BackupError::NotEmpty {
                    table: table.clone(),
                    rows: n,
                });
            }
        }
    }
    // Children before parents. Without --force only the seed (a first start's default
    // organisation and categories) is there: the backup's own replace it.
    for table in schema.tables.iter().rev() {
        if force || SEED_TABLES.contains(&table.as_str()) {
            for (t, c) in LATE_COLUMNS.iter().filter(|(t, _)| t == table) {
                sqlx::query(&format!("UPDATE {t} SET {c} = NULL"))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
    }
    let mut done = 0u64;
    let mut late: Vec<(String, String, i64, i64)> = Vec::new();
    for t in &manifest.tables {
        let cols = t.columns.join(", ");
        let marks: Vec<String> = (1..=t.columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({cols}) VALUES ({})",
            t.name,
            marks.join(", ")
        );
        let id_at = t.columns.iter().position(|c| c == "id");
        // One table at a time in memory: the zip is read synchronously, the rows written after.
        let mut rows: Vec<Vec<Value>> = Vec::new();
        for_each_row(&mut zip, t, |_, values| {
            rows.push(values);
            Ok(())
        })?;
        for row in rows {
            let mut q = sqlx::query(&sql);
            for (c, v) in t.columns.iter().zip(&row) {
                let deferred = LATE_COLUMNS.contains(&(t.name.as_str(), c.as_str()));
                let v = match (deferred, v.as_i64(), id_at.and_then(|i| row[i].as_i64())) {
                    (true, Some(target), Some(id)) => {
                        late.push((t.name.clone(), c.clone(), id, target));
                        &Value::Null
                    }
                    _ => v,
                };
                // Typed as the schema declares, so PostgreSQL takes a NULL for either.
                q = if schema.is_integer(&t.name, c) {
                    match v {
                        Value::Null => q.bind(None::<i64>),
                        Value::Number(n) if n.is_i64() => q.bind(n.as_i64()),
                        other => {
                            return Err(bad(
                                t.file.as_str(),
                                format!("{c} 列应为整数，却是 {other}"),
                            ))
                        }
                    }
                } else {
                    match v {
                        Value::Null => q.bind(None::<String>),
                        Value::String(s) => q.bind(Some(s.clone())),
                        other => q.bind(Some(other.to_string())),
                    }
                };
            }
            q.execute(&mut *tx).await?;
            done += 1;
        }
        progress(&t.name, done);
    }
    for (table, column, id, target) in late {
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
            .bind(target)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if db.backend == Backend::Postgres {
        // Explicit ids leave the sequences behind: move each past its table's highest id.
        for table in &schema.tables {
            if schema.is_integer(table, "id") {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    // The statistics facts and list keys are derived, not backed up: rebuilt from the
    // restored records.
    crate::derived::refresh(&mut tx, None).await?;
    tx.commit().await?;
    Ok(manifest)
}

/// Writes a backup to `path` through `path.partial`, renamed at the end: a failed backup
/// never leaves a half file under the name of a good one.
pub async fn to_file(
    db: &Db,
    path: &Path,
    progress: impl FnMut(&str, u64),
) -> Result<Manifest, BackupError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let out = std::fs::File::create(&partial)?;
    match backup(db, std::io::BufWriter::new(out), progress).await {
        Ok(m) => {
            std::fs::rename(&partial, path)?;
            Ok(m)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// A backup kept in the backup directory (scheduled or made from the admin page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredBackup {
    /// `banli-YYYYMMDD-HHMMSS.zip` (UTC), so names sort by time.
    pub name: String,
    pub bytes: u64,
}

impl StoredBackup {
    /// The UTC instant in the name, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn taken_at(&self) -> Option<String> {
        let stamp = self.name.strip_prefix("banli-")?.strip_suffix(".zip")?;
        let t = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()?;
        Some(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}

/// Writes a new backup into `dir` and deletes the oldest beyond `keep` (none when `keep` is
/// 0). Only files named like Banli's own are ever deleted.
pub async fn to_dir(db: &Db, dir: &Path, keep: usize) -> Result<StoredBackup, BackupError> {
    std::fs::create_dir_all(dir)?;
    // Two backups in one second: the second takes the next free second, so names stay in
    // time order and each still reads as a time.
    let mut at = chrono::Utc::now();
    let mut name = format!("banli-{}.zip", at.format("%Y%m%d-%H%M%S"));
    while dir.join(&name).exists() {
        at += chrono::Duration::seconds(1);
        name = format!("banli-{}.zip", at.format("%Y%m%d-%H%M%S"));
    }
    to_file(db, &dir.join(&name), |_, _| {}).await?;
    if keep > 0 {
        for old in list(dir)?.into_iter().skip(keep) {
            std::fs::remove_file(dir.join(&old.name))?;
        }
    }
    let bytes = std::fs::metadata(dir.join(&name))?.len();
    Ok(StoredBackup { name, bytes })
}

/// The backups in `dir`, newest first (an absent directory holds none).
pub fn list(dir: &Path) -> std::io::Result<Vec<StoredBackup>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if is_backup_name(&name) {
            found.push(StoredBackup {
                name,
                bytes: e.metadata()?.len(),
            });
        }
    }
    found.sort_by(|a, b| b.name.cmp(&a.name));
    Ok(found)
}

/// Whether `name` is one of Banli's backup names, `banli-YYYYMMDD-HHMMSS.zip` (and so safe
/// to join to the directory).
pub fn is_backup_name(name: &str) -> bool {
    StoredBackup {
        name: name.to_string(),
        bytes: 0,
    }
    .taken_at()
    .is_some()
}

/// The organisations a database holds, by name (a restore names the one to serve).
pub async fn organisations(db: &Db) -> Result<Vec<String>, BackupError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT name FROM organisations ORDER BY id")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}
