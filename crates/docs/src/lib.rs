//! Spreadsheets as offices exchange them: a table read from the first sheet of an `.xlsx`
//! or from a `.csv` (UTF-8, with or without BOM), and `.xlsx` workbooks written with a bold
//! header row, frozen panes and sensible widths. No knowledge of proposals lives here.

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("无法读取文件 {0}：{1}")]
    Io(String, String),
    #[error("不支持的文件类型“{0}”：请使用 .xlsx 或 .csv")]
    Kind(String),
    #[error("文件内容无法解析：{0}")]
    Parse(String),
    #[error("表格是空的：第一行应为列名")]
    Empty,
    #[error("写入 Excel 失败：{0}")]
    Write(String),
}

/// A table: the header row and the data rows as text, trimmed. `row_number(i)` is the
/// spreadsheet row of data row `i` (the header is row 1), for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn row_number(i: usize) -> usize {
        i + 2
    }

    /// The value of a named column in a row ("" when the column or cell is absent).
    pub fn get<'a>(&'a self, row: &'a [String], column: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| row.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// Reads `.xlsx` or `.csv` by the file's extension.
pub fn read_table(path: &Path) -> Result<Table, SheetError> {
    let bytes = std::fs::read(path)
        .map_err(|e| SheetError::Io(path.display().to_string(), e.to_string()))?;
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => read_xlsx(&bytes),
        Some("csv") => read_csv(&bytes),
        other => Err(SheetError::Kind(other.unwrap_or("").to_string())),
    }
}

pub fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| SheetError::Parse(e.to_string()))?;
    let first = wb.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    let range = wb
        .worksheet_range(&first)
        .map_err(|e| SheetError::Parse(e.to_string()))?;
    let mut rows = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
    table(rows.next(), rows.collect())
}

pub fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut all = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| SheetError::Parse(e.to_string()))?;
        all.push(rec.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>());
    }
    let mut it = all.into_iter();
    table(it.next(), it.collect())
}

fn table(header: Option<Vec<String>>, rows: Vec<Vec<String>>) -> Result<Table, SheetError> {
    let headers: Vec<String> = header
        .ok_or(SheetError::Empty)?
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(SheetError::Empty);
    }
    // Trailing blank rows are common in hand-edited sheets; they are not data.
    let mut rows: Vec<Vec<String>> = rows;
    while rows.last().is_some_and(|r| r.iter().all(|c| c.is_empty())) {
        rows.pop();
    }
    Ok(Table { headers, rows })
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| d.to_string()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// One sheet of a workbook to write.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: Vec<Vec<String>>,
}

/// A workbook with a bold, frozen header row on each sheet; cells are text.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, SheetError> {
    let w = |e: rust_xlsxwriter::XlsxError| SheetError::Write(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#EEEEEE");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).map_err(w)?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(w)?;
            let widest = s
                .rows
                .iter()
                .map(|r| r.get(c).map(|v| v.chars().count()).unwrap_or(0))
                .max()
                .unwrap_or(0)
                .max(h.chars().count());
            ws.set_column_width(c as u16, (widest as f64 * 2.0).clamp(8.0, 60.0))
                .map_err(w)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string((r + 1) as u32, c as u16, v).map_err(w)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(w)?;
    }
    wb.save_to_buffer().map_err(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_with_its_rows() {
        let bytes = write_xlsx(&[Sheet {
            name: "提案",
            headers: &["标题", "提交日期"],
            rows: vec![
                vec!["关于湘江的提案".into(), "2026-01-20".into()],
                vec!["".into(), "".into()],
            ],
        }])
        .unwrap();
        let t = read_xlsx(&bytes).unwrap();
        assert_eq!(t.headers, vec!["标题", "提交日期"]);
        assert_eq!(
            t.rows,
            vec![vec!["关于湘江的提案".to_string(), "2026-01-20".to_string()]],
            "trailing blank rows are dropped"
        );
        assert_eq!(t.get(&t.rows[0], "标题"), "关于湘江的提案");
        assert_eq!(Table::row_number(0), 2);
    }

    #[test]
    fn csv_with_a_bom_and_quotes() {
        let t = read_csv(
            "\u{feff}标题,提案人\n\"关于“一网通办”,的提案\",member01、member02\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.headers, vec!["标题", "提案人"]);
        assert_eq!(t.rows[0][0], "关于“一网通办”,的提案");
        assert!(matches!(read_csv(b""), Err(SheetError::Empty)));
    }
}
