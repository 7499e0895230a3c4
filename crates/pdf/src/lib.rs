//! Banli's printed documents: the reply letter (答复函), the co-opinion (会办意见) and the
//! proposer's feedback form (征询意见表), typeset by typst in the layout of GB/T 9704.
//!
//! User text never becomes typst markup: every field goes into the template as a string in
//! `sys.inputs`, and a string placed in content is shown verbatim, so a reply body cannot
//! run typst code. Fonts are read once ([`Renderer::load`]); rendering is then pure CPU work
//! (~25 ms a letter in release, ~0.5 s in debug), so call it off the async runtime.

mod fonts;
mod text;

pub use fonts::{Faces, FontSource};

use chrono::NaiveDate;
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::{TypstEngine, TypstTemplateCollection};
use typst_layout::PagedDocument;

const LETTER_TYP: &str = include_str!("letter.typ");
const FORM_TYP: &str = include_str!("form.typ");
const COMMON_TYP: &str = include_str!("common.typ");

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "未找到中文字体，无法生成PDF：请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk），或在配置项 pdf_font_dir（环境变量 BANLI_PDF_FONT_DIR）中指定含仿宋/小标宋字体的目录。已查找：{searched}. \
         No CJK font found, so no PDF can be made: install the Debian package fonts-noto-cjk, or set pdf_font_dir (BANLI_PDF_FONT_DIR) to a directory with the licensed fonts. Searched: {searched}"
    )]
    NoCjkFont { searched: String },
    #[error("字体目录 {path} 无法读取 / cannot read the font directory: {error}")]
    FontDir { path: String, error: String },
    #[error("PDF 排版失败 / typesetting failed: {0}")]
    Render(String),
}

pub type Result<T> = std::result::Result<T, PdfError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterKind {
    /// 答复函, to the proposer(s).
    Reply,
    /// 会办意见, to the lead unit.
    CoOpinion,
}

/// A promise made in a reply, listed after the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    pub text: String,
    /// `YYYY-MM-DD` (printed as 2026年3月5日); any other text is printed as given.
    pub due: String,
}

/// A reply letter or co-opinion, as plain data.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: LetterKind,
    /// The issuing unit: the red masthead and the signature above the date.
    pub unit_name: String,
    /// 文号; `None` until the document is approved.
    pub doc_number: Option<String>,
    pub title: String,
    /// The whole salutation without the colon: `张三委员`, `张三、李四委员`, or the lead unit;
    /// empty for no salutation line (the public version).
    pub addressee: String,
    /// Plain text; each non-empty line is a paragraph (indented by the layout, so leading
    /// spaces are dropped).
    pub body: String,
    /// `A`..`D`, shown top right of the first page.
    pub grade: Option<String>,
    /// 签发人.
    pub signer: Option<String>,
    /// Empty for the public version (contact details removed).
    pub contact_name: String,
    pub contact_phone: String,
    pub date: NaiveDate,
    /// 抄送.
    pub copy_to: Vec<String>,
    pub commitments: Vec<Commitment>,
    /// Not yet approved: a 草稿 watermark.
    pub draft: bool,
    /// A line under the title, e.g. （本件为摘要公开）.
    pub notice: Option<String>,
}

/// The proposer's 征询意见表 for one reply.
#[derive(Debug, Clone)]
pub struct FeedbackForm {
    /// E.g. 湖南省政协十三届一次会议提案办理情况征询意见表.
    pub title: String,
    /// `提案` or `建议`: the labels 提案号 / 建议号 …
    pub kind_label: String,
    /// `提案人` or `代表`.
    pub proposer_label: String,
    pub item_number: String,
    pub item_title: String,
    /// Names joined with 、.
    pub proposers: String,
    pub unit_name: String,
    pub reply_doc_number: String,
    /// `YYYY-MM-DD`.
    pub reply_date: String,
    /// Where the form goes back to (the unit), printed in the notes.
    pub return_to: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `YYYY-MM-DD`: the rating is due by then.
    pub due: Option<String>,
}

/// Loaded fonts and the compiled-in templates; shareable across threads.
pub struct Renderer {
    engine: TypstEngine<TypstTemplateCollection>,
    faces: Faces,
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Renderer>()
};

impl Renderer {
    /// Reads and parses the fonts (~0.2–0.3 s and ~120 MB for Noto CJK in release): do it once.
    pub fn load(source: FontSource) -> Result<Renderer> {
        let (fonts, faces) = fonts::load(&source)?;
        let engine = TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver([
                ("letter.typ", LETTER_TYP),
                ("form.typ", FORM_TYP),
                ("common.typ", COMMON_TYP),
            ])
            // Keep a few rounds of typst's memo cache: the masthead, labels and font lookups
            // repeat from one letter to the next; older entries go.
            .comemo_evict_max_age(Some(2))
            .build();
        Ok(Renderer { engine, faces })
    }

    /// The font families chosen for each role (for the start-up log).
    pub fn faces(&self) -> &Faces {
        &self.faces
    }

    pub fn render_letter(&self, l: &Letter) -> Result<Vec<u8>> {
        let mut d = self.base();
        let date = text::chinese_date(l.date);
        put(&mut d, "draft", l.draft);
        put(&mut d, "title", text::clean_line(&l.title));
        put(
            &mut d,
            "title_lines",
            text::split_title(&text::clean_line(&l.title), text::TITLE_UNITS),
        );
        put(&mut d, "unit_name", text::clean_line(&l.unit_name));
        put(
            &mut d,
            "doc_number",
            l.doc_number
                .as_deref()
                .map(text::clean_line)
                .filter(|s| !s.is_empty()),
        );
        put(
            &mut d,
            "grade",
            l.grade
                .as_deref()
                .map(text::clean_line)
                .filter(|s| !s.is_empty()),
        );
        let addressee = text::clean_line(&l.addressee);
        put(
            &mut d,
            "addressee",
            (!addressee.is_empty()).then(|| format!("{addressee}：")),
        );
        put(
            &mut d,
            "notice",
            l.notice
                .as_deref()
                .map(text::clean_line)
                .filter(|s| !s.is_empty()),
        );
        put(&mut d, "paragraphs", text::paragraphs(&l.body));
        let commitments: Vec<String> = l
            .commitments
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "{}．{}（完成时限：{}）",
                    i + 1,
                    text::clean_line(&c.text),
                    text::date_text(&c.due)
                )
            })
            .collect();
        put(&mut d, "commitments", commitments);
        put(&mut d, "date", date.clone());
        put(
            &mut d,
            "signer",
            l.signer
                .as_deref()
                .map(text::clean_line)
                .filter(|s| !s.is_empty())
                .map(|s| format!("签发人：{s}")),
        );
        let (name, phone) = (
            text::clean_line(&l.contact_name),
            text::clean_line(&l.contact_phone),
        );
        let contact = match (name.is_empty(), phone.is_empty()) {
            (true, true) => None,
            (false, true) => Some(format!("联系人：{name}")),
            (true, false) => Some(format!("联系电话：{phone}")),
            (false, false) => Some(format!("联系人：{name}　　联系电话：{phone}")),
        };
        put(&mut d, "contact", contact);
        let copy: Vec<String> = l
            .copy_to
            .iter()
            .map(|c| text::clean_line(c))
            .filter(|c| !c.is_empty())
            .collect();
        put(
            &mut d,
            "copy_to",
            (!copy.is_empty()).then(|| format!("{}。", copy.join("，"))),
        );
        put(&mut d, "printed", format!("{date}印发"));
        put(
            &mut d,
            "kind",
            if l.kind == LetterKind::Reply {
                "reply"
            } else {
                "co_opinion"
            },
        );
        self.compile("letter.typ", d)
    }

    pub fn render_feedback_form(&self, f: &FeedbackForm) -> Result<Vec<u8>> {
        let mut d = self.base();
        let title = text::clean_line(&f.title);
        put(&mut d, "title", title.clone());
        put(
            &mut d,
            "title_lines",
            text::split_title(&title, text::TITLE_UNITS),
        );
        put(&mut d, "kind_label", text::clean_line(&f.kind_label));
        put(
            &mut d,
            "proposer_label",
            text::clean_line(&f.proposer_label),
        );
        put(&mut d, "item_number", text::clean_line(&f.item_number));
        put(&mut d, "item_title", text::clean_line(&f.item_title));
        put(&mut d, "proposers", text::clean_line(&f.proposers));
        put(&mut d, "unit_name", text::clean_line(&f.unit_name));
        put(
            &mut d,
            "reply_doc_number",
            text::clean_line(&f.reply_doc_number),
        );
        put(&mut d, "reply_date", text::date_text(&f.reply_date));
        let due = f
            .due
            .as_deref()
            .map(text::date_text)
            .filter(|s| !s.is_empty());
        let mut contact = text::clean_line(&f.return_to);
        let (name, phone) = (
            text::clean_line(&f.contact_name),
            text::clean_line(&f.contact_phone),
        );
        if !name.is_empty() || !phone.is_empty() {
            contact.push_str(&format!(
                "（联系人：{name}{}{phone}）",
                if name.is_empty() || phone.is_empty() {
                    ""
                } else {
                    "，联系电话："
                }
            ));
        }
        let notes = vec![
            "请在相应的“□”内打“√”。".to_string(),
            match &due {
                Some(due) => format!("请于{due}前将本表寄回{contact}；也可登录系统直接在线评价。"),
                None => format!("请将本表寄回{contact}；也可登录系统直接在线评价。"),
            },
            "对办理结果不满意的，请在“意见和建议”栏写明理由，以便重新办理。".to_string(),
        ];
        put(&mut d, "notes", notes);
        put(&mut d, "due", due);
        self.compile("form.typ", d)
    }

    fn base(&self) -> Dict {
        let mut d = Dict::new();
        put(&mut d, "fonts", self.faces.to_dict());
        d
    }

    fn compile(&self, main: &str, inputs: Dict) -> Result<Vec<u8>> {
        let doc: PagedDocument = self
            .engine
            .compile_with_input(main, inputs)
            .output
            .map_err(|e| PdfError::Render(e.to_string()))?;
        let options = typst_pdf::PdfOptions {
            tagged: false,
            ..Default::default()
        };
        typst_pdf::pdf(&doc, &options).map_err(|errs| {
            PdfError::Render(
                errs.iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

fn put(d: &mut Dict, key: &str, value: impl IntoValue) {
    d.insert(key.into(), value.into_value());
}

/// A realistic three-page reply, for benchmarks and examples.
pub fn bench_letter() -> Letter {
    let para = "近年来，我省坚持把科技创新作为推动高质量发展的核心动力，统筹推进湘江科学城建设，在规划编制、要素保障、平台建设和人才引进等方面做了大量工作。\
下一步，我们将会同省直有关部门和相关市州，进一步完善政策体系，加大财政资金支持力度，推动重大科技基础设施和创新平台落地，切实把您的建议转化为具体举措。";
    let body = (1..=10)
        .map(|i| format!("{i}．{para}"))
        .collect::<Vec<_>>()
        .join("\n");
    Letter {
        kind: LetterKind::Reply,
        unit_name: "湖南省发展和改革委员会".into(),
        doc_number: Some("湘发改提〔2026〕12号".into()),
        title: "关于湖南省政协十三届一次会议第0239号提案的答复".into(),
        addressee: "张三委员".into(),
        body: format!("您提出的《关于加快推进湘江科学城建设的提案》收悉。经认真研究，并商省财政厅，现答复如下：\n{body}\n衷心感谢您对发展改革工作的关心和支持，欢迎继续提出宝贵意见。"),
        grade: Some("B".into()),
        signer: Some("王五".into()),
        contact_name: "李四".into(),
        contact_phone: "0731-88888888".into(),
        date: NaiveDate::from_ymd_opt(2026, 5, 20).expect("valid date"),
        copy_to: vec!["湖南省政协提案委员会".into(), "湖南省财政厅".into()],
        commitments: vec![Commitment { text: "2026年底前出台湘江科学城建设支持政策".into(), due: "2026-12-31".into() }],
        draft: false,
        notice: None,
    }
}

#[cfg(test)]
mod tests;
