//! Finding and loading the fonts once: Debian's Noto CJK as the stand-in, and whatever
//! licensed fonts (仿宋_GB2312, 方正小标宋 …) a deployment puts in its own directory.

use crate::{PdfError, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use typst::foundations::{Bytes, Dict, IntoValue};
use typst::text::Font;

/// Where fonts come from.
#[derive(Debug, Clone)]
pub struct FontSource {
    /// Debian's fonts-noto-cjk directory; only its CJK Regular and Bold files are read
    /// (the extra weights of fonts-noto-cjk-extra would cost memory for nothing).
    pub system_dir: PathBuf,
    /// A deployment's own fonts: every .ttf/.otf/.ttc below it is read.
    pub extra_dir: Option<PathBuf>,
}

impl FontSource {
    pub const DEBIAN_NOTO: &'static str = "/usr/share/fonts/opentype/noto";

    pub fn new(extra_dir: Option<PathBuf>) -> FontSource {
        FontSource {
            system_dir: PathBuf::from(Self::DEBIAN_NOTO),
            extra_dir,
        }
    }
}

impl Default for FontSource {
    fn default() -> Self {
        FontSource::new(None)
    }
}

/// The families used for each role, best first; later ones fill in missing glyphs.
#[derive(Debug, Clone)]
pub struct Faces {
    /// 仿宋: the body.
    pub body: Vec<String>,
    /// 小标宋: masthead and titles.
    pub title: Vec<String>,
    /// The stand-in for 小标宋 is a bold serif; the real face is used at its own weight.
    pub title_bold: bool,
    /// 黑体: the grade mark and form labels.
    pub hei: Vec<String>,
    /// 宋体: page numbers.
    pub song: Vec<String>,
}

impl Faces {
    pub(crate) fn to_dict(&self) -> Dict {
        let mut d = Dict::new();
        d.insert("body".into(), self.body.clone().into_value());
        d.insert("title".into(), self.title.clone().into_value());
        d.insert(
            "title_weight".into(),
            (if self.title_bold { "bold" } else { "regular" }).into_value(),
        );
        d.insert("hei".into(), self.hei.clone().into_value());
        d.insert("song".into(), self.song.clone().into_value());
        d
    }
}

impl std::fmt::Display for Faces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "正文 {}；标题 {}；黑体 {}；宋体 {}",
            self.body[0], self.title[0], self.hei[0], self.song[0]
        )
    }
}

// Family names as fonts report them, English and Chinese, most specific first.
const FANGSONG: &[&str] = &[
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FZFangSong-Z02S",
    "方正仿宋简体",
    "FangSong",
    "仿宋",
    "STFangsong",
    "华文仿宋",
];
const XIAOBIAOSONG: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "FZXiaoBiaoSong-B05",
    "方正小标宋_GBK",
    "方正小标宋",
];
const HEITI: &[&str] = &["FZHei-B01S", "方正黑体简体", "SimHei", "黑体"];
const SONGTI: &[&str] = &["SimSun", "宋体", "FZShuSong-Z01S", "方正书宋简体"];
const NOTO_SERIF: &str = "Noto Serif CJK SC";
const NOTO_SANS: &str = "Noto Sans CJK SC";

fn is_font_file(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "ttf" | "otf" | "ttc" | "otc"
        )
    })
}

/// Every font file below `dir` (a few levels deep, as vendors ship them in sub-folders).
fn walk(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if depth < 3 {
                walk(&p, depth + 1, out)?;
            }
        } else if is_font_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}

pub(crate) fn load(source: &FontSource) -> Result<(Vec<Font>, Faces)> {
    let mut files = Vec::new();
    // The system directory is optional: its absence is reported as "no CJK font" below.
    if let Ok(entries) = std::fs::read_dir(&source.system_dir) {
        for p in entries.flatten().map(|e| e.path()) {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if is_font_file(&p)
                && stem.contains("CJK")
                && (stem.ends_with("-Regular") || stem.ends_with("-Bold"))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    if let Some(dir) = &source.extra_dir {
        let mut extra = Vec::new();
        walk(dir, 0, &mut extra).map_err(|e| PdfError::FontDir {
            path: dir.display().to_string(),
            error: e.to_string(),
        })?;
        extra.sort();
        // The deployment's own fonts come first, so a family present in both is taken from them.
        extra.extend(files);
        files = extra;
    }
    let mut fonts = Vec::new();
    for p in &files {
        // An unreadable or broken file is skipped, not fatal: the others may still do.
        let Ok(data) = std::fs::read(p) else { continue };
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    // Family (lower case) → (name as reported, covers Chinese).
    let mut families: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for f in &fonts {
        let info = f.info();
        let cjk = info.coverage.contains('中' as u32) && info.coverage.contains('办' as u32);
        let e = families
            .entry(info.family.to_lowercase())
            .or_insert_with(|| (info.family.clone(), false));
        e.1 |= cjk;
    }
    let find = |name: &str| {
        families
            .get(&name.to_lowercase())
            .filter(|(_, cjk)| *cjk)
            .map(|(n, _)| n.clone())
    };
    let first_of = |names: &[&str]| names.iter().find_map(|n| find(n));
    let any_cjk = families
        .values()
        .find(|(_, cjk)| *cjk)
        .map(|(n, _)| n.clone());
    let Some(any_cjk) = any_cjk else {
        let mut searched = vec![source.system_dir.display().to_string()];
        searched.extend(source.extra_dir.iter().map(|d| d.display().to_string()));
        return Err(PdfError::NoCjkFont {
            searched: searched.join(", "),
        });
    };
    let serif = find(NOTO_SERIF);
    let sans = find(NOTO_SANS);
    let stand_in = serif.clone().or(sans.clone()).unwrap_or(any_cjk);
    // The fallbacks after the chosen face: Noto for glyphs a GB2312-era font lacks.
    let with_fallbacks = |first: String| {
        let mut v = vec![first];
        for f in [serif.clone(), sans.clone()].into_iter().flatten() {
            if !v.contains(&f) {
                v.push(f);
            }
        }
        v
    };
    let body = first_of(FANGSONG).unwrap_or_else(|| stand_in.clone());
    let (title, title_bold) = match first_of(XIAOBIAOSONG) {
        Some(t) => (t, false),
        None => (stand_in.clone(), true),
    };
    let hei = first_of(HEITI)
        .or(sans.clone())
        .unwrap_or_else(|| stand_in.clone());
    let song = first_of(SONGTI).unwrap_or_else(|| stand_in.clone());
    let faces = Faces {
        body: with_fallbacks(body),
        title: with_fallbacks(title),
        title_bold,
        hei: with_fallbacks(hei),
        song: with_fallbacks(song),
    };
    Ok((fonts, faces))
}
