//! Real fonts, real typst, and poppler's pdftotext/pdfinfo to read the result back. Without
//! the fonts or poppler the tests skip with a notice — except in CI (CI=true), where that is
//! a failure.

use super::*;
use std::process::Command;
use std::sync::OnceLock;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn skip(what: &str) {
    if in_ci() {
        panic!("CI=true but {what}: the PDF tests cannot be skipped in CI");
    }
    eprintln!("NOTICE: {what}; skipping this PDF test");
}

/// One renderer for the whole test binary: parsing the fonts takes a second in debug builds.
fn renderer() -> Option<&'static Renderer> {
    static R: OnceLock<Option<Renderer>> = OnceLock::new();
    let r = R
        .get_or_init(|| match Renderer::load(FontSource::default()) {
            Ok(r) => Some(r),
            Err(e @ PdfError::NoCjkFont { .. }) => {
                eprintln!("{e}");
                None
            }
            Err(e) => panic!("loading fonts: {e}"),
        })
        .as_ref();
    if r.is_none() {
        skip("no CJK font (apt-get install fonts-noto-cjk)");
    }
    r
}

fn poppler() -> bool {
    let ok = Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if !ok {
        skip("pdftotext/pdfinfo not found (apt-get install poppler-utils)");
    }
    ok
}

/// With BANLI_PDF_OUT=DIR the tests leave their PDFs there, to look at.
fn keep(name: &str, pdf: &[u8]) {
    if let Ok(dir) = std::env::var("BANLI_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), pdf)
            .expect("write pdf");
    }
}

fn run(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "banli-pdf-test-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::write(&path, pdf).expect("write pdf");
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(&path);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().expect("run poppler");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Text without any whitespace: justification and line ends put spaces and breaks anywhere.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn text_of(pdf: &[u8]) -> String {
    squash(&run("pdftotext", pdf, &["-enc", "UTF-8"]))
}

#[track_caller]
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        let n = squash(n);
        match text[from..].find(&n) {
            Some(at) => from += at + n.len(),
            None => panic!("{n:?} missing, or out of order, after byte {from} in:\n{text}"),
        }
    }
}

fn pages(pdf: &[u8]) -> (usize, String) {
    let info = run("pdfinfo", pdf, &[]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().expect("page count"))
        .expect("Pages line");
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("Page size line")
        .trim()
        .to_string();
    (pages, size)
}

fn short_letter() -> Letter {
    Letter {
        body: "您提出的《关于加快推进湘江科学城建设的提案》收悉，现答复如下。\n\n一、关于规划编制。省发展改革委已会同有关部门编制完成总体规划。\n二、关于资金支持。2026年安排专项资金12亿元。".into(),
        commitments: vec![Commitment { text: "年底前出台支持政策".into(), due: "2026-12-31".into() }],
        ..bench_letter()
    }
}

#[test]
fn a_letter_reads_back_in_order_on_a4() {
    let Some(r) = renderer() else { return };
    let pdf = r.render_letter(&short_letter()).expect("render");
    keep("short", &pdf);
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    assert_in_order(
        &text,
        &[
            "湖南省发展和改革委员会",
            "湘发改提〔2026〕12号",
            "关于湖南省政协十三届一次会议第0239号提案的答复",
            "张三委员：",
            "您提出的《关于加快推进湘江科学城建设的提案》收悉，现答复如下。",
            "二、关于资金支持。2026年安排专项资金12亿元。",
            "承诺事项：",
            "1．年底前出台支持政策（完成时限：2026年12月31日）",
            "湖南省发展和改革委员会",
            "2026年5月20日",
            "签发人：王五",
            "联系人：李四",
            "联系电话：0731-88888888",
            "抄送：湖南省政协提案委员会，湖南省财政厅。",
            "2026年5月20日印发",
        ],
    );
    assert!(text.contains('B'), "grade mark");
    assert!(!text.contains("草稿"));
    let (n, size) = pages(&pdf);
    assert!(size.contains("(A4)"), "page size {size}");
    // The 版记 does not fit under the signature: it stands at the foot of page 2.
    assert_eq!(n, 2);
    let without = r
        .render_letter(&Letter {
            copy_to: vec![],
            ..short_letter()
        })
        .expect("render");
    assert_eq!(
        pages(&without).0,
        1,
        "without 抄送 the short letter fits one page"
    );
}

#[test]
fn a_long_body_runs_over_pages_with_page_numbers() {
    let Some(r) = renderer() else { return };
    let para = "近年来，我省坚持把科技创新作为推动高质量发展的核心动力，统筹推进湘江科学城建设，在规划编制、要素保障、平台建设和人才引进等方面做了大量工作，取得了阶段性成效。";
    let body = (1..=14)
        .map(|i| format!("{i}．{para}"))
        .collect::<Vec<_>>()
        .join("\n");
    let pdf = r
        .render_letter(&Letter {
            body,
            ..short_letter()
        })
        .expect("render");
    keep("long", &pdf);
    if !poppler() {
        return;
    }
    let (n, size) = pages(&pdf);
    assert!(n >= 3, "{n} pages");
    assert!(size.contains("(A4)"), "page size {size}");
    let text = text_of(&pdf);
    assert_in_order(
        &text,
        &[
            "1．近年来",
            "— 1 —",
            "— 2 —",
            "14．近年来",
            "签发人：王五",
            "— 3 —",
        ],
    );
    let bench = r.render_letter(&bench_letter()).expect("render");
    assert!(
        pages(&bench).0 >= 3,
        "the benchmark letter is a three-page letter"
    );
}

#[test]
fn the_body_grid_is_22_lines_of_28_characters() {
    let Some(r) = renderer() else { return };
    // 30 paragraphs of exactly 26 characters: with the 2-character indent each fills one line.
    let line = "一二三四五六七八九十一二三四五六七八九十一二三四五六";
    assert_eq!(line.chars().count(), 26);
    let body = std::iter::repeat_n(line, 60).collect::<Vec<_>>().join("\n");
    let pdf = r
        .render_letter(&Letter {
            body,
            commitments: vec![],
            copy_to: vec![],
            ..short_letter()
        })
        .expect("render");
    keep("grid", &pdf);
    if !poppler() {
        return;
    }
    // Page 2 holds body lines only: exactly 22 of them.
    let page2 = run(
        "pdftotext",
        &pdf,
        &["-enc", "UTF-8", "-f", "2", "-l", "2", "-layout"],
    );
    let lines = page2.lines().filter(|l| l.contains(line)).count();
    assert_eq!(lines, 22, "page 2:\n{page2}");
}

#[test]
fn typst_markup_in_user_text_comes_out_verbatim() {
    let Some(r) = renderer() else { return };
    let nasty = r##"特殊字符 #set page(fill: red) $x^2$ *粗* _斜_ `code` [链接] \ @ref <label> #import "x": * #{panic("boom")} // 注释 /* 块 */ = 标题 - 列表 + 编号 ~ --- '引号' "##;
    let letter = Letter {
        title: "关于#eval(\"1+1\")与[方括号]的答复".into(),
        addressee: "张三*委员*".into(),
        body: format!("第一段。\n{nasty}\n最后一段。"),
        signer: Some("王五 #strong[x]".into()),
        contact_name: "$李四$".into(),
        copy_to: vec!["<单位>".into()],
        ..short_letter()
    };
    let pdf = r
        .render_letter(&letter)
        .expect("markup characters must not break rendering");
    keep("markup", &pdf);
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    assert_in_order(
        &text,
        &[
            "关于#eval(\"1+1\")与[方括号]的答复",
            "张三*委员*：",
            "第一段。",
            nasty,
            "最后一段。",
            "签发人：王五#strong[x]",
            "联系人：$李四$",
            "抄送：<单位>。",
        ],
    );
}

#[test]
fn drafts_are_marked_and_have_no_number() {
    let Some(r) = renderer() else { return };
    let pdf = r
        .render_letter(&Letter {
            draft: true,
            doc_number: None,
            signer: None,
            grade: None,
            ..short_letter()
        })
        .expect("render");
    keep("draft", &pdf);
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    // The watermark is set diagonally: poppler reads its two characters apart.
    assert!(text.contains('草') && text.contains('稿'));
    assert!(!text.contains("湘发改提"));
    assert!(!text.contains("签发人"));
}

#[test]
fn a_co_opinion_and_a_very_long_unit_name() {
    let Some(r) = renderer() else { return };
    let long = "中国人民政治协商会议湖南省湘潭市委员会办公室提案工作处";
    let letter = Letter {
        kind: LetterKind::CoOpinion,
        unit_name: long.into(),
        doc_number: Some("湘财提函〔2026〕3号".into()),
        title: "关于湖南省政协十三届一次会议第0239号提案的会办意见".into(),
        addressee: "湖南省发展和改革委员会".into(),
        grade: None,
        commitments: vec![],
        copy_to: vec![],
        ..short_letter()
    };
    let pdf = r.render_letter(&letter).expect("render");
    keep("co_opinion", &pdf);
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    // The masthead shrinks to one line rather than wrapping.
    assert_in_order(
        &text,
        &[
            long,
            "湘财提函〔2026〕3号",
            "会办意见",
            "湖南省发展和改革委员会：",
        ],
    );
    assert!(!text.contains("抄送"));
}

#[test]
fn the_public_version_has_no_salutation_and_may_carry_a_notice() {
    let Some(r) = renderer() else { return };
    let letter = Letter {
        addressee: String::new(),
        contact_name: String::new(),
        contact_phone: String::new(),
        signer: None,
        copy_to: vec![],
        notice: Some("（本件为摘要公开）".into()),
        ..short_letter()
    };
    let pdf = r.render_letter(&letter).expect("render");
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    assert_in_order(
        &text,
        &["第0239号提案的答复", "（本件为摘要公开）", "您提出的"],
    );
    assert!(
        !text.contains("委员：") && !text.contains("联系") && !text.contains("签发人"),
        "{text}"
    );
}

#[test]
fn the_feedback_form() {
    let Some(r) = renderer() else { return };
    let form = FeedbackForm {
        title: "湖南省政协十三届一次会议提案办理情况征询意见表".into(),
        kind_label: "提案".into(),
        proposer_label: "提案人".into(),
        item_number: "0239".into(),
        item_title: "关于加快推进湘江科学城建设的提案".into(),
        proposers: "张三、李四".into(),
        unit_name: "湖南省发展和改革委员会".into(),
        reply_doc_number: "湘发改提〔2026〕12号".into(),
        reply_date: "2026-05-20".into(),
        return_to: "湖南省发展和改革委员会".into(),
        contact_name: "李四".into(),
        contact_phone: "0731-88888888".into(),
        due: Some("2026-06-10".into()),
    };
    let pdf = r.render_feedback_form(&form).expect("render");
    keep("form", &pdf);
    assert!(pdf.starts_with(b"%PDF"));
    if !poppler() {
        return;
    }
    let text = text_of(&pdf);
    assert_in_order(
        &text,
        &[
            "征询意见表",
            "提案号",
            "0239",
            "2026年5月20日",
            "关于加快推进湘江科学城建设的提案",
            "张三、李四",
            "湖南省发展和改革委员会",
            "湘发改提〔2026〕12号",
            "办理态度",
            "□满意",
            "□基本满意",
            "□不满意",
            "办理结果",
            "意见和建议",
            "提案人（签名）",
            "2026年6月10日前",
            "0731-88888888",
        ],
    );
    let (n, size) = pages(&pdf);
    assert_eq!(n, 1);
    assert!(size.contains("(A4)"));
}

#[test]
fn without_cjk_fonts_the_error_names_the_package_and_the_setting() {
    let err = Renderer::load(FontSource {
        system_dir: "/nonexistent/fonts".into(),
        extra_dir: None,
    })
    .err()
    .expect("no fonts");
    let msg = err.to_string();
    assert!(matches!(err, PdfError::NoCjkFont { .. }));
    assert!(
        msg.contains("fonts-noto-cjk")
            && msg.contains("pdf_font_dir")
            && msg.contains("未找到中文字体"),
        "{msg}"
    );
    let err = Renderer::load(FontSource {
        system_dir: "/nonexistent/fonts".into(),
        extra_dir: Some("/nonexistent/extra".into()),
    })
    .err()
    .expect("bad dir");
    assert!(matches!(err, PdfError::FontDir { .. }), "{err}");
}

#[test]
fn the_renderer_is_shared_across_threads() {
    let Some(r) = renderer() else { return };
    std::thread::scope(|s| {
        let a = s.spawn(|| r.render_letter(&short_letter()).expect("render"));
        let b = s.spawn(|| r.render_letter(&short_letter()).expect("render"));
        assert!(a.join().unwrap().starts_with(b"%PDF"));
        assert!(b.join().unwrap().starts_with(b"%PDF"));
    });
}
