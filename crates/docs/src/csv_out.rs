//! CSV as Banli writes it: UTF-8 with a BOM (so spreadsheet programs read the Chinese), and
//! no cell that a spreadsheet would run as a formula.

/// Writes a header and rows as CSV. A cell that starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is written with a leading `'`, which Excel, WPS and LibreOffice show as
/// text instead of evaluating (`=cmd|' /C calc'!A0`, `+HYPERLINK(…)`).
pub fn write_csv<R, C>(headers: &[&str], rows: R) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    // Writing into memory cannot fail.
    let _ = w.write_record(headers.iter().map(|h| inert(h)));
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(|c| inert(&c)).collect();
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_written_as_text() {
        let out = write_csv(
            &["title"],
            [
                vec!["=cmd|' /C calc'!A0".to_string()],
                vec!["+HYPERLINK(\"x\")".into()],
                vec!["@SUM(1)".into()],
                vec!["-2+3".into()],
                vec!["关于=号的提案".into()],
            ],
        );
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines,
            [
                "title",
                "'=cmd|' /C calc'!A0",
                "\"'+HYPERLINK(\"\"x\"\")\"",
                "'@SUM(1)",
                "'-2+3",
                "关于=号的提案"
            ]
        );
    }
}
