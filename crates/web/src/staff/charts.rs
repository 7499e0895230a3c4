//! The statistics dashboard's charts as inline SVG, drawn with plotters' SVG backend: plain
//! shapes and `<text>` in the page's sans-serif, no script, no style attribute, nothing
//! loaded from elsewhere (the strict CSP holds). Each chart is an image with a `<title>` and
//! a `<desc>` (`role="img"`, `aria-labelledby`); the page puts the same figures in a table
//! beside it, which is the text equivalent. Callers pass translated text.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours with at least 4.5:1 contrast against white (and white text on them).
pub const BLUE: RGBColor = RGBColor(0x0b, 0x4f, 0x9c);
pub const GREEN: RGBColor = RGBColor(0x1a, 0x7f, 0x37);
pub const RED: RGBColor = RGBColor(0xb4, 0x23, 0x18);
pub const GREY: RGBColor = RGBColor(0x57, 0x60, 0x6a);
const INK: RGBColor = RGBColor(0x1f, 0x23, 0x28);
const RULE: RGBColor = RGBColor(0xd0, 0xd7, 0xde);

const FONT: &str = "sans-serif";
/// plotters writes `font-size` as size ÷ 1.24: 16 → 12.9px.
const TEXT: f64 = 16.0;
const LEGEND_H: u32 = 26;
const WIDTH: u32 = 720;

/// One series (a bar colour with its name in the legend).
pub struct Series {
    pub name: String,
    pub colour: RGBColor,
}

impl Series {
    pub fn new(name: &str, colour: RGBColor) -> Series {
        Series {
            name: name.to_string(),
            colour,
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A rate as the tables show it: 66.7%.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Long unit names are shortened in the chart (the table beside it has them in full).
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// Rough width in pixels of a label at 13px: CJK a full em, Latin about half.
fn text_width(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() { 7 } else { 13 }).sum()
}

/// The finished chart, or `None` (logged) when plotters failed to draw it.
fn finished(
    drawn: Result<(), String>,
    out: String,
    id: &str,
    title: &str,
    desc: &str,
    size: (u32, u32),
) -> Option<String> {
    if let Err(e) = drawn {
        tracing::error!(error = %e, chart = id, "chart failed");
        return None;
    }
    Some(finish(out, id, title, desc, size))
}

/// Makes plotters' `<svg …>` an accessible, scalable inline image.
fn finish(raw: String, id: &str, title: &str, desc: &str, size: (u32, u32)) -> String {
    let Some(end) = raw.find('>') else {
        return String::new();
    };
    let body = &raw[end + 1..];
    let (w, h) = size;
    format!(
        "<svg class=\"chart\" width=\"100%\" viewBox=\"0 0 {w} {h}\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" id=\"{id}\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{body}",
        esc(title),
        esc(desc)
    )
}

fn legend(
    area: &DrawingArea<SVGBackend, Shift>,
    series: &[Series],
    left: i32,
) -> Result<(), String> {
    let mut x = left;
    for s in series {
        area.draw(&Rectangle::new([(x, 8), (x + 12, 20)], s.colour.filled()))
            .map_err(|e| e.to_string())?;
        area.draw(&Text::new(
            s.name.clone(),
            (x + 17, 14),
            (FONT, TEXT)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(|e| e.to_string())?;
        x += 17 + text_width(&s.name) as i32 + 22;
    }
    Ok(())
}

fn label_style(anchor: Pos, colour: RGBColor) -> TextStyle<'static> {
    (FONT, TEXT).into_font().color(&colour).pos(anchor)
}

/// Evenly spaced round ticks from 0 to at least `max` (counts).
fn count_ticks(max: f64) -> (f64, Vec<f64>) {
    let max = max.max(1.0);
    let step = [
        1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    ]
    .into_iter()
    .find(|s| max / s <= 6.0)
    .unwrap_or(10000.0);
    let top = (max / step).ceil() * step;
    let ticks = (0..=((top / step) as usize))
        .map(|k| k as f64 * step)
        .collect();
    (top, ticks)
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Vertical grid lines at the value ticks of a horizontal chart, labelled below the axis.
fn value_axis(
    chart: &mut Plot,
    ticks: &[f64],
    rows: f64,
    label: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    for x in ticks {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*x, 0.0), (*x, rows)],
                RULE.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((*x, 0.0))
                    + Text::new(
                        label(*x),
                        (0, 6),
                        label_style(Pos::new(HPos::Center, VPos::Top), INK),
                    ),
            ))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The row names left of a horizontal chart (first row on top) and the axis line.
fn category_axis(chart: &mut Plot, names: &[String]) -> Result<(), String> {
    let n = names.len();
    for (i, name) in names.iter().enumerate() {
        let y = (n - 1 - i) as f64 + 0.5;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((0.0, y))
                    + Text::new(
                        name.clone(),
                        (-8, 0),
                        label_style(Pos::new(HPos::Right, VPos::Center), INK),
                    ),
            ))
            .map_err(|e| e.to_string())?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, n as f64), (0.0, 0.0)],
            GREY.stroke_width(1),
        )))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Horizontal grouped bars: one row per label (first on top), one bar per series.
/// `values[row][series]` are fractions 0..1 when `percent`, else counts; `None` is drawn as "—".
pub fn hbars(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series],
    values: &[Vec<Option<f64>>],
    percent: bool,
) -> Option<String> {
    if labels.is_empty() || series.is_empty() {
        return None;
    }
    let n = labels.len();
    let m = series.len();
    let row_h = 16 * m as u32 + 14;
    let shown: Vec<String> = labels.iter().map(|l| short(l, 14)).collect();
    let label_w = shown
        .iter()
        .map(|l| text_width(l))
        .max()
        .unwrap_or(40)
        .clamp(40, 220)
        + 12;
    let size = (WIDTH, LEGEND_H + n as u32 * row_h + 34);
    let (x_top, x_ticks) = if percent {
        (1.18, vec![0.0, 0.25, 0.5, 0.75, 1.0])
    } else {
        let max = values
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, b| a.max(*b));
        let (top, ticks) = count_ticks(max);
        (top * 1.15, ticks)
    };
    let mut out = String::new();
    let drawn = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, plot) = root.split_vertically(LEGEND_H);
        legend(&top, series, label_w as i32 + 8)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(12)
            .margin_top(4)
            .margin_left(label_w)
            .margin_bottom(26)
            .build_cartesian_2d(0f64..x_top, 0f64..n as f64)
            .map_err(|e| e.to_string())?;
        let value_label = |x: f64| {
            if percent {
                format!("{:.0}%", x * 100.0)
            } else {
                format!("{x:.0}")
            }
        };
        value_axis(&mut chart, &x_ticks, n as f64, &value_label)?;
        category_axis(&mut chart, &shown)?;
        let band = 0.72 / m as f64;
        for (i, row) in values.iter().enumerate().take(n) {
            let k = (n - 1 - i) as f64;
            for (j, s) in series.iter().enumerate() {
                let y1 = k + 0.86 - j as f64 * band;
                let y0 = y1 - band;
                let yc = (y0 + y1) / 2.0;
                let v = row.get(j).copied().flatten();
                if let Some(v) = v {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(0.0, y0), (v, y1)],
                            s.colour.filled(),
                        )))
                        .map_err(|e| e.to_string())?;
                }
                let text = match v {
                    Some(v) if percent => pct(v),
                    Some(v) => format!("{v:.0}"),
                    None => "—".to_string(),
                };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((v.unwrap_or(0.0), yc))
                            + Text::new(
                                text,
                                (4, 0),
                                label_style(Pos::new(HPos::Left, VPos::Center), INK),
                            ),
                    ))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())
    })();
    finished(drawn, out, id, title, desc, size)
}

/// 100% stacked horizontal bars: per row, the share of each part in the row's total.
pub fn stacked(
    id: &str,
    title: &str,
    desc: &str,
    rows: &[(String, Vec<u64>)],
    parts: &[Series],
) -> Option<String> {
    if rows.is_empty() || parts.is_empty() {
        return None;
    }
    let n = rows.len();
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.0))
        .max()
        .unwrap_or(40)
        .clamp(40, 220)
        + 12;
    let size = (WIDTH, LEGEND_H + n as u32 * 44 + 34);
    let mut out = String::new();
    let drawn = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, plot) = root.split_vertically(LEGEND_H);
        legend(&top, parts, label_w as i32 + 8)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(16)
            .margin_top(4)
            .margin_left(label_w)
            .margin_bottom(26)
            .build_cartesian_2d(0f64..1f64, 0f64..n as f64)
            .map_err(|e| e.to_string())?;
        value_axis(&mut chart, &[0.0, 0.25, 0.5, 0.75, 1.0], n as f64, &|x| {
            format!("{:.0}%", x * 100.0)
        })?;
        let names: Vec<String> = rows.iter().map(|r| short(&r.0, 14)).collect();
        category_axis(&mut chart, &names)?;
        for (i, (_, counts)) in rows.iter().enumerate() {
            let k = (n - 1 - i) as f64;
            let total: u64 = counts.iter().sum();
            let (y0, y1) = (k + 0.2, k + 0.8);
            if total == 0 {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((0.0, k + 0.5))
                            + Text::new(
                                "—".to_string(),
                                (4, 0),
                                label_style(Pos::new(HPos::Left, VPos::Center), INK),
                            ),
                    ))
                    .map_err(|e| e.to_string())?;
                continue;
            }
            let mut at = 0.0;
            for (j, part) in parts.iter().enumerate() {
                let share = counts.get(j).copied().unwrap_or(0) as f64 / total as f64;
                if share <= 0.0 {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(at, y0), (at + share, y1)],
                        part.colour.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                if share >= 0.1 {
                    chart
                        .draw_series(std::iter::once(Text::new(
                            pct(share),
                            (at + share / 2.0, k + 0.5),
                            label_style(Pos::new(HPos::Center, VPos::Center), WHITE),
                        )))
                        .map_err(|e| e.to_string())?;
                }
                at += share;
            }
        }
        root.present().map_err(|e| e.to_string())
    })();
    finished(drawn, out, id, title, desc, size)
}

/// Vertical grouped bars over time: one group per label (left to right), counts.
pub fn columns(
    id: &str,
    title: &str,
    desc: &str,
    labels: &[String],
    series: &[Series],
    values: &[Vec<f64>],
) -> Option<String> {
    if labels.is_empty() || series.is_empty() {
        return None;
    }
    let n = labels.len();
    let m = series.len();
    let size = (WIDTH, 260);
    let max = values.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let (top_v, ticks) = count_ticks(max);
    let mut out = String::new();
    let drawn = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, plot) = root.split_vertically(LEGEND_H);
        legend(&top, series, 48)?;
        let y_top = top_v * 1.12;
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(12)
            .margin_top(8)
            .margin_left(40)
            .margin_bottom(28)
            .build_cartesian_2d(0f64..n as f64, 0f64..y_top)
            .map_err(|e| e.to_string())?;
        for y in &ticks {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, *y), (n as f64, *y)],
                    RULE.stroke_width(1),
                )))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((0.0, *y))
                        + Text::new(
                            format!("{y:.0}"),
                            (-6, 0),
                            label_style(Pos::new(HPos::Right, VPos::Center), INK),
                        ),
                ))
                .map_err(|e| e.to_string())?;
        }
        for (k, l) in labels.iter().enumerate() {
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((k as f64 + 0.5, 0.0))
                        + Text::new(
                            l.clone(),
                            (0, 6),
                            label_style(Pos::new(HPos::Center, VPos::Top), INK),
                        ),
                ))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, y_top), (0.0, 0.0), (n as f64, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        let band = 0.7 / m as f64;
        for (i, row) in values.iter().enumerate().take(n) {
            for (j, s) in series.iter().enumerate() {
                let x0 = i as f64 + 0.15 + j as f64 * band;
                let x1 = x0 + band;
                let v = row.get(j).copied().unwrap_or(0.0);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, v)],
                        s.colour.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(((x0 + x1) / 2.0, v))
                            + Text::new(
                                format!("{v:.0}"),
                                (0, -3),
                                label_style(Pos::new(HPos::Center, VPos::Bottom), INK),
                            ),
                    ))
                    .map_err(|e| e.to_string())?;
            }
        }
        root.present().map_err(|e| e.to_string())
    })();
    finished(drawn, out, id, title, desc, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(svg: &str) {
        assert!(
            svg.starts_with("<svg class=\"chart\""),
            "{}",
            &svg[..80.min(svg.len())]
        );
        assert!(
            svg.contains("role=\"img\"") && svg.contains("<title id=") && svg.contains("<desc id=")
        );
        for bad in [
            "<script",
            "style=",
            "href",
            "@import",
            "url(",
            "<image",
            "<foreignObject",
        ] {
            assert!(!svg.contains(bad), "chart contains {bad}");
        }
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn charts_are_plain_accessible_svg() {
        let labels = vec![
            "湖南省发展和改革委员会<&>".to_string(),
            "湘潭市人民政府".to_string(),
        ];
        let s = hbars(
            "c1",
            "办复率 & 按时办复率",
            "说明",
            &labels,
            &[
                Series::new("办复率", BLUE),
                Series::new("按时办复率", GREEN),
            ],
            &[vec![Some(0.75), Some(2.0 / 3.0)], vec![Some(0.5), None]],
            true,
        )
        .unwrap();
        plain(&s);
        assert!(s.contains("66.7%") && s.contains("75.0%") && s.contains("—"));
        assert!(s.contains("办复率 &amp; 按时办复率"));
        assert!(!s.contains("<&>"), "labels are escaped");
        // First row on top: its label is drawn higher (smaller y) than the second's.
        let y_of = |needle: &str| -> i32 {
            let at = s.find(needle).unwrap();
            let tag = &s[s[..at].rfind("<text").unwrap()..at];
            tag.split("y=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(y_of("湖南省发展和改革") < y_of("湘潭市人民政府"));

        let s = stacked(
            "c2",
            "满意度",
            "说明",
            &[
                ("办理态度".into(), vec![2, 1, 1]),
                ("办理结果".into(), vec![0, 0, 0]),
            ],
            &[
                Series::new("满意", GREEN),
                Series::new("基本满意", BLUE),
                Series::new("不满意", RED),
            ],
        )
        .unwrap();
        plain(&s);
        assert!(s.contains("50.0%") && s.contains("25.0%"));

        let s = columns(
            "c3",
            "办成率",
            "说明",
            &["2023-07".into(), "2023-08".into()],
            &[Series::new("到期", GREY), Series::new("按期完成", GREEN)],
            &[vec![1.0, 1.0], vec![3.0, 0.0]],
        )
        .unwrap();
        plain(&s);
        assert!(s.contains("2023-08"));
        assert!(hbars("c4", "t", "d", &[], &[Series::new("x", BLUE)], &[], true).is_none());
    }

    #[test]
    fn count_ticks_are_round() {
        assert_eq!(count_ticks(0.0), (1.0, vec![0.0, 1.0]));
        assert_eq!(count_ticks(7.0).1, vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(count_ticks(120.0).0, 120.0);
        assert_eq!(count_ticks(121.0).0, 150.0);
    }
}
