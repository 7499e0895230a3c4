//! A backup as portable JSON lines: every table of the schema, row by row, readable by
//! both backends. A backup of SQLite restores into PostgreSQL and back, so an office can
//! move its records as well as keep them. The search index is not in it: it is rebuilt from
//! the database.
//!
//! Format: a header line `{"banli_backup": 1, "schema": N, "created_at": …}`, then per table
//! `{"table": t, "columns": [...]}` followed by `{"row": [...]}` lines, and an end line
//! `{"end": {"tables": n, "rows": n}}` so a cut-off file is refused, not half restored.

use crate::db::{now_ts, Backend, Db};
use crate::migrate::MIGRATIONS;
use serde_json::{json, Value};
use sqlx::{Column, Row};
use std::io::{BufRead, Write};

pub const FORMAT: i64 = 1;

/// What the first start of a server writes into an empty database (the default
/// organisation and its categories): a database holding only these counts as empty.
const SEED_TABLES: &[&str] = &["organisations", "categories"];

/// Self-references written after all rows, so rows may point forward (an item merged into a
/// later one, a unit under a parent created after it).
const LATE_COLUMNS: &[(&str, &str)] = &[("items", "merged_into"), ("units", "parent_id")];

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("读写备份文件失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("备份文件第 {line} 行无法读取：{message}")]
    Format { line: usize, message: String },
    #[error("备份文件不完整（缺少结尾行），可能在写入时中断；请使用另一份备份")]
    Truncated,
    #[error("备份来自更新的版本（数据结构 {found}，本程序支持到 {supported}）；请先升级 banli")]
    TooNew { found: i64, supported: i64 },
    #[error("目标数据库已有数据（{table} 表有 {rows} 行）；恢复只写入空数据库，请指定新的数据目录或数据库")]
    NotEmpty { table: String, rows: i64 },
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

/// The schema as the migrations declare it: tables in the order they were created
/// (referenced tables first), and which columns hold integers (the rest hold text).
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
                        if !tables.contains(&name) {
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

/// Writes every table to `out`. Reads in one transaction, so the copy is consistent while
/// the server goes on writing. `progress(table, rows so far)`.
pub async fn backup(
    db: &Db,
    mut out: impl Write,
    mut progress: impl FnMut(&str, u64),
) -> Result<Summary, BackupError> {
    let mut tx = db.read().await?;
    writeln!(
        out,
        "{}",
        json!({"banli_backup": FORMAT, "schema": schema_version(), "created_at": now_ts()})
    )?;
    let mut sum = Summary::default();
    for table in Schema::read().tables {
        // A fixed order, so a backup of a restored copy is the same file.
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3"))
            .fetch_all(&mut *tx)
            .await?;
        let columns: Vec<String> = match rows.first() {
            Some(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
            None => Vec::new(),
        };
        writeln!(out, "{}", json!({"table": table, "columns": columns}))?;
        for r in &rows {
            let values: Vec<Value> = (0..columns.len()).map(|i| cell(r, i)).collect();
            writeln!(out, "{}", json!({ "row": values }))?;
            sum.rows += 1;
        }
        sum.tables += 1;
        progress(&table, sum.rows);
    }
    writeln!(
        out,
        "{}",
        json!({"end": {"tables": sum.tables, "rows": sum.rows}})
    )?;
    out.flush()?;
    tx.commit().await?;
    Ok(sum)
}

struct TableData {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// Reads a whole backup, checking it before anything is written.
fn read(input: impl BufRead) -> Result<Vec<TableData>, BackupError> {
    let mut tables: Vec<TableData> = Vec::new();
    let mut ended = false;
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        let bad = |message: String| BackupError::Format {
            line: n + 1,
            message,
        };
        let v: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        if n == 0 {
            if v["banli_backup"].as_i64() != Some(FORMAT) {
                return Err(bad("不是 banli 备份文件".into()));
            }
            let found = v["schema"].as_i64().unwrap_or(i64::MAX);
            if found > schema_version() {
                return Err(BackupError::TooNew {
                    found,
                    supported: schema_version(),
                });
            }
            continue;
        }
        if ended {
            return Err(bad("结尾行之后还有内容".into()));
        }
        if let Some(t) = v["table"].as_str() {
            let columns = v["columns"]
                .as_array()
                .ok_or_else(|| bad("缺少列名".into()))?
                .iter()
                .map(|c| c.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("列名须为文字".into()))?;
            if !Schema::read().tables.iter().any(|k| k == t) {
                return Err(bad(format!("未知的表“{t}”")));
            }
            tables.push(TableData {
                name: t.to_string(),
                columns,
                rows: Vec::new(),
            });
        } else if let Some(r) = v["row"].as_array() {
            let t = tables
                .last_mut()
                .ok_or_else(|| bad("数据行之前缺少表头".into()))?;
            if r.len() != t.columns.len() {
                return Err(bad(format!(
                    "{} 表的行有 {} 个值，应为 {} 个",
                    t.name,
                    r.len(),
                    t.columns.len()
                )));
            }
            t.rows.push(r.clone());
        } else if v.get("end").is_some() {
            let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
            if v["end"]["rows"].as_u64() != Some(rows as u64) {
                return Err(bad("结尾行的行数与内容不符".into()));
            }
            ended = true;
        } else {
            return Err(bad("无法识别的行".into()));
        }
    }
    if !ended {
        return Err(BackupError::Truncated);
    }
    Ok(tables)
}

/// Restores a backup into an empty, migrated database, all or nothing.
pub async fn restore(
    db: &Db,
    input: impl BufRead,
    mut progress: impl FnMut(&str, u64),
) -> Result<Summary, BackupError> {
    let data = read(input)?;
    let schema = Schema::read();
    let mut tx = db.begin().await?;
    for table in schema.tables.clone() {
        if SEED_TABLES.contains(&table.as_str()) {
            continue;
        }
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *tx)
            .await?;
        if n > 0 {
            return Err(BackupError::NotEmpty { table, rows: n });
        }
    }
    // A data directory started once holds its default organisation and categories and
    // nothing else: the backup's own replace them.
    for table in SEED_TABLES.iter().rev() {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    let mut sum = Summary::default();
    let mut late: Vec<(String, String, i64, Value)> = Vec::new();
    for t in &data {
        let cols = t.columns.join(", ");
        let marks: Vec<String> = (1..=t.columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({cols}) VALUES ({})",
            t.name,
            marks.join(", ")
        );
        let id_at = t.columns.iter().position(|c| c == "id");
        for row in &t.rows {
            let mut q = sqlx::query(&sql);
            for (c, v) in t.columns.iter().zip(row) {
                let deferred = LATE_COLUMNS.contains(&(t.name.as_str(), c.as_str()));
                let v = if deferred && !v.is_null() {
                    if let Some(id) = id_at.and_then(|i| row[i].as_i64()) {
                        late.push((t.name.clone(), c.clone(), id, v.clone()));
                    }
                    &Value::Null
                } else {
                    v
                };
                // Typed as the schema declares, so PostgreSQL takes a NULL for either.
                q = if schema.is_integer(&t.name, c) {
                    match v {
                        Value::Null => q.bind(None::<i64>),
                        Value::Number(n) if n.is_i64() => q.bind(n.as_i64()),
                        other => {
                            return Err(BackupError::Format {
                                line: 0,
                                message: format!("{}.{c} 应为整数，却是 {other}", t.name),
                            })
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
            sum.rows += 1;
        }
        sum.tables += 1;
        progress(&t.name, sum.rows);
    }
    for (table, column, id, v) in late {
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
            .bind(v.as_i64())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if db.backend == Backend::Postgres {
        // Explicit ids leave the sequences behind: move each past its table's highest id.
        for t in &data {
            if schema.is_integer(&t.name, "id") {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                    t.name
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(sum)
}
