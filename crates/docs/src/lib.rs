//! Spreadsheets as offices exchange them: a table read from the first sheet of an `.xlsx`
//! or from a `.csv` (UTF-8, with or without BOM), and `.xlsx` workbooks written with a bold
//! header row, frozen panes and sensible widths. No knowledge of proposals lives here.

use calamine::{Data, DataRef, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use std::io::{Cursor, Read};
use std::path::Path;

mod csv_out;
pub use csv_out::write_csv;

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
    /// More than the limits allow (a zip bomb, or simply too big for one import).
    #[error("{0}")]
    TooLarge(String),
}

/// How much one spreadsheet may hold before it is read (from the organisation's policy).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes all parts of an .xlsx may inflate to together.
    pub max_inflated_bytes: u64,
    /// Cells in the sheet (or fields in a .csv).
    pub max_cells: u64,
}

impl Default for Limits {
    /// Enough for 100,000 rows of long texts.
    fn default() -> Self {
        Limits {
            max_inflated_bytes: 256 << 20,
            max_cells: 3_000_000,
        }
    }
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
pub fn read_table(path: &Path, limits: Limits) -> Result<Table, SheetError> {
    let bytes = std::fs::read(path)
        .map_err(|e| SheetError::Io(path.display().to_string(), e.to_string()))?;
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => read_xlsx_limited(&bytes, limits),
        Some("csv") => read_csv_limited(&bytes, limits),
        other => Err(SheetError::Kind(other.unwrap_or("").to_string())),
    }
}

/// Reads an .xlsx written by Banli or another trusted program, with the default limits.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    read_xlsx_limited(bytes, Limits::default())
}

/// Reads the first sheet of an .xlsx, refusing one that would inflate or hold more than
/// `limits` before reading it: the sizes in the zip directory are checked first (instant),
/// then each part is inflated once, stopping as soon as it passes its declared size (a part
/// that lies about its size is refused at that point), and the cells are read one by one so
/// that memory stays bounded by the limits.
pub fn read_xlsx_limited(bytes: &[u8], limits: Limits) -> Result<Table, SheetError> {
    check_inflated_size(bytes, limits.max_inflated_bytes)?;
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::Parse(e.to_string()))?;
    let first = wb.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    let mut cells = wb
        .worksheet_cells_reader(&first)
        .map_err(|e| SheetError::Parse(e.to_string()))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut count = 0u64;
    let mut first_col = usize::MAX;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| SheetError::Parse(e.to_string()))?
    {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        count += 1;
        if count > limits.max_cells {
            return Err(too_many_cells(limits.max_cells));
        }
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        first_col = first_col.min(c);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    // A sheet whose used range starts below row 1 or right of column A still has its header
    // first and its first column at index 0.
    let start = rows.iter().position(|r| !r.is_empty()).unwrap_or(0);
    let mut it = rows.into_iter().skip(start).map(|mut r| {
        r.drain(..first_col.min(r.len()));
        r
    });
    table(it.next(), it.collect())
}

fn too_many_cells(max: u64) -> SheetError {
    SheetError::TooLarge(format!("表格超过 {max} 个单元格，超出单次导入的上限：请分成几个文件导入，或由管理员在“规则设置”中调高上限"))
}

/// Refuses an .xlsx whose parts would inflate to more than `max` bytes.
fn check_inflated_size(bytes: &[u8], max: u64) -> Result<(), SheetError> {
    let too_big = || {
        SheetError::TooLarge(format!("文件解压后超过 {} MiB，超出单次导入的上限（可能是损坏或恶意构造的文件）：请检查文件，或分成几个文件导入", max >> 20))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| SheetError::Parse(format!("不是有效的 .xlsx 文件（{e}）")))?;
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0u64, u64::saturating_add);
    if declared > max {
        return Err(too_big());
    }
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| SheetError::Parse(e.to_string()))?;
        let size = part.size();
        let mut seen = 0u64;
        loop {
            let n = part
                .read(&mut buf)
                .map_err(|e| SheetError::Parse(e.to_string()))?;
            if n == 0 {
                break;
            }
            seen += n as u64;
            if seen > size {
                return Err(too_big());
            }
        }
    }
    Ok(())
}

/// Reads a .csv with the default limits.
pub fn read_csv(bytes: &[u8]) -> Result<Table, SheetError> {
    read_csv_limited(bytes, Limits::default())
}

pub fn read_csv_limited(bytes: &[u8], limits: Limits) -> Result<Table, SheetError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut all = Vec::new();
    let mut count = 0u64;
    for rec in r.records() {
        let rec = rec.map_err(|e| SheetError::Parse(e.to_string()))?;
        count += rec.len() as u64;
        if count > limits.max_cells {
            return Err(too_many_cells(limits.max_cells));
        }
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

fn cell_text(c: &DataRef) -> String {
    match c {
        DataRef::SharedString(s) => s.trim().to_string(),
        other => data_text(&Data::from(other.clone())),
    }
}

fn data_text(c: &Data) -> String {
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

    /// A workbook whose sheet XML is padded with `pad` bytes of spaces (deflates ~1000:1).
    fn padded_workbook(pad: usize) -> Vec<u8> {
        use std::io::Write;
        let plain = write_xlsx(&[Sheet {
            name: "提案",
            headers: &["标题"],
            rows: vec![vec!["甲".into()]],
        }])
        .unwrap();
        let mut src = zip::ZipArchive::new(Cursor::new(&plain)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            out.start_file(name.as_str(), opts).unwrap();
            if name.starts_with("xl/worksheets/") {
                let text = String::from_utf8(data).unwrap();
                let padded =
                    text.replacen("<sheetData>", &format!("<sheetData>{}", " ".repeat(pad)), 1);
                out.write_all(padded.as_bytes()).unwrap();
            } else {
                out.write_all(&data).unwrap();
            }
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_read() {
        let limits = Limits {
            max_inflated_bytes: 1 << 20,
            max_cells: 100,
        };
        let bomb = padded_workbook(8 << 20);
        assert!(
            bomb.len() < 100 << 10,
            "the bomb is small on disk: {}",
            bomb.len()
        );
        assert!(
            matches!(read_xlsx_limited(&bomb, limits), Err(SheetError::TooLarge(m)) if m.contains("1 MiB"))
        );
        // The same sheet without padding reads.
        assert_eq!(
            read_xlsx_limited(&padded_workbook(0), limits).unwrap().rows,
            vec![vec!["甲".to_string()]]
        );
    }

    #[test]
    fn a_part_that_lies_about_its_size_is_refused() {
        let mut bomb = padded_workbook(4 << 20);
        // Declare every part as 100 bytes, in the local headers and in the central directory.
        let patch = |b: &mut Vec<u8>, sig: &[u8], at: usize| {
            let mut i = 0;
            while let Some(p) = b[i..].windows(4).position(|w| w == sig) {
                let o = i + p + at;
                b[o..o + 4].copy_from_slice(&100u32.to_le_bytes());
                i = i + p + 4;
            }
        };
        patch(&mut bomb, b"PK\x03\x04", 22);
        patch(&mut bomb, b"PK\x01\x02", 24);
        let limits = Limits {
            max_inflated_bytes: 1 << 20,
            max_cells: 100,
        };
        assert!(
            read_xlsx_limited(&bomb, limits).is_err(),
            "a part larger than it says is not read"
        );
    }

    #[test]
    fn too_many_cells_are_refused_with_the_limit() {
        let rows: Vec<Vec<String>> = (0..50)
            .map(|i| vec![format!("标题{i}"), "内容".into()])
            .collect();
        let bytes = write_xlsx(&[Sheet {
            name: "提案",
            headers: &["标题", "内容"],
            rows,
        }])
        .unwrap();
        let limits = Limits {
            max_inflated_bytes: 1 << 20,
            max_cells: 60,
        };
        assert!(
            matches!(read_xlsx_limited(&bytes, limits), Err(SheetError::TooLarge(m)) if m.contains("60"))
        );
        let csv = "标题,内容\n".to_string() + &"甲,乙\n".repeat(40);
        assert!(matches!(
            read_csv_limited(csv.as_bytes(), limits),
            Err(SheetError::TooLarge(_))
        ));
        assert_eq!(
            read_csv_limited(
                csv.as_bytes(),
                Limits {
                    max_inflated_bytes: 1,
                    max_cells: 82
                }
            )
            .unwrap()
            .rows
            .len(),
            40
        );
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
