//! `banli integrity`: proves the portal shows what was approved. Every live publication is
//! checked in the database (its stored content must hash to the hash fixed at approval, and
//! the document must still say the same), then — with `--url` — every public page is fetched
//! from the live site and compared with the page re-rendered here from the database. Any
//! difference is reported, with the injected scripts, frames and links named.

use anyhow::bail;
use banli_app::portal::PortalQuery;
use banli_app::App;
use banli_web::portal::{render_document, View};
use banli_web::AppState;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct Finding {
    pub page: String,
    pub problem: String,
}

pub async fn check(app: &App, url: Option<&str>) -> anyhow::Result<(usize, Vec<Finding>)> {
    let (n, db) = app.integrity_check().await?;
    let mut out: Vec<Finding> = db
        .into_iter()
        .map(|f| Finding {
            page: page_path(&f.kind, f.document_id),
            problem: format!("第{}版：{}", f.version, f.problem),
        })
        .collect();
    if let Some(base) = url {
        let state = AppState {
            app: Arc::new(app.clone()),
            metrics: None,
            search: None,
            pages: Default::default(),
        };
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let mut page = 1;
        loop {
            let list = app
                .public_documents(&PortalQuery {
                    page: Some(page),
                    per_page: Some(100),
                    ..Default::default()
                })
                .await?;
            for d in &list.items {
                let path = page_path(&d.kind, d.document_id);
                let Some((expected, _)) =
                    render_document(&state, &d.kind, d.document_id, &View::default()).await?
                else {
                    continue;
                };
                let live = format!("{}{path}", base.trim_end_matches('/'));
                match client.get(&live).send().await {
                    Ok(r) if r.status().is_success() => {
                        let served = r.text().await.unwrap_or_default();
                        if served != expected {
                            out.push(Finding {
                                page: path.clone(),
                                problem: describe(&expected, &served),
                            });
                        }
                    }
                    Ok(r) => out.push(Finding {
                        page: path.clone(),
                        problem: format!("线上页面返回 {}（应为已公开页面）", r.status()),
                    }),
                    Err(e) => bail!("无法访问 {live}：{e}。请检查 --url 是否为门户的公网地址"),
                }
            }
            if list.items.len() < 100 {
                break;
            }
            page += 1;
        }
    }
    Ok((n, out))
}

fn page_path(kind: &str, id: i64) -> String {
    format!(
        "/{}/{id}",
        if kind == "reply" {
            "replies"
        } else {
            "co-opinions"
        }
    )
}

/// What the served page has that the approved one does not.
fn describe(expected: &str, served: &str) -> String {
    let mut parts = Vec::new();
    for tag in [
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "http-equiv",
    ] {
        let (e, s) = (count(expected, tag), count(served, tag));
        if s > e {
            parts.push(format!("多出 {} 个 {tag}", s - e));
        }
    }
    let (e_links, s_links) = (links(expected), links(served));
    let extra: Vec<&String> = s_links.difference(&e_links).collect();
    if !extra.is_empty() {
        parts.push(format!(
            "多出链接 {}",
            extra
                .iter()
                .take(5)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    let (e_text, s_text) = (text(expected), text(served));
    if e_text != s_text {
        let added: Vec<&str> = s_text
            .iter()
            .filter(|t| !e_text.contains(t))
            .map(|s| s.as_str())
            .take(3)
            .collect();
        parts.push(if added.is_empty() {
            "正文与批准内容不一致".into()
        } else {
            format!("出现未经批准的文字：{}", added.join(" / "))
        });
    }
    if parts.is_empty() {
        parts.push("页面与批准内容不一致".into());
    }
    parts.join("；")
}

fn count(html: &str, needle: &str) -> usize {
    html.to_ascii_lowercase().matches(needle).count()
}

fn links(html: &str) -> BTreeSet<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = BTreeSet::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = lower.as_str();
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.insert(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// The visible text runs of a page, in order.
fn text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                let t = cur.trim();
                if !t.is_empty() {
                    out.push(t.to_string());
                }
                cur.clear();
            }
            '>' => in_tag = false,
            c if !in_tag => cur.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_injected_link_and_script_are_named() {
        let ok = "<p>答复正文</p><a href=\"/\">首页</a>";
        let bad = "<p>答复正文</p><a href=\"/\">首页</a><a href=\"https://spam.example/\">博彩</a><script>x()</script>";
        let d = describe(ok, bad);
        assert!(d.contains("<script"), "{d}");
        assert!(d.contains("spam.example"), "{d}");
        assert!(d.contains("博彩"), "{d}");
    }
}
