//! The public portal in a real browser: headless Chromium driven over WebDriver by
//! chromedriver, against the real server on SQLite. What DESIGN §6 promises a reader —
//! breadcrumb, facts, font size, 简/繁, print view, commitments, a QR code of the page's own
//! address — is checked as rendered, with no script on the page and nothing loaded from
//! another host; axe-core checks accessibility (no serious or critical violation) at desktop
//! and phone size.
//!
//! Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and chromium-driver)
//! and, for the accessibility test, axe-core in crates/banli/tests/browser/node_modules
//! (`npm ci --prefix crates/banli/tests/browser`); `.ci/run` installs all three. Without
//! them a test prints a NOTICE and passes, except under CI=true, where it fails.
//! With BANLI_SCREENSHOTS=1 the tests also rewrite docs/screenshots/portal-{reply,home}.png.

use crate::harness::*;
use base64::Engine;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ARROW_DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";

pub(crate) fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when the browser tools are installed; under CI=true their absence is a failure,
/// elsewhere a NOTICE and a skip.
fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if ci() {
        panic!("CI=true but {} missing: the browser tests cannot be skipped in CI. Install them with: apt-get install -y chromium chromium-driver", missing.join(" and "));
    }
    eprintln!(
        "NOTICE: {} missing (apt-get install chromium chromium-driver); skipping this browser test",
        missing.join(" and ")
    );
    false
}

/// The axe-core bundle that `.ci/run` installs with npm, or None (skip) when absent outside CI.
pub(crate) fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) if ci() => panic!("CI=true but axe-core is missing at {} ({e}): run npm ci --prefix crates/banli/tests/browser", path.display()),
        Err(_) => {
            eprintln!("NOTICE: {} is missing (npm ci --prefix crates/banli/tests/browser); skipping the accessibility test", path.display());
            None
        }
    }
}

// ---- chromedriver and a minimal WebDriver client ----

/// A chromedriver process on a free loopback port; killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    async fn start() -> Driver {
        let http = reqwest::Client::new();
        for _ in 0..3 {
            // A port the kernel just handed out and we released; retried if someone takes it first.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            let child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
            let mut driver = Driver { child, port };
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(r) = http
                    .get(format!("http://127.0.0.1:{port}/status"))
                    .send()
                    .await
                {
                    if r.json::<Value>()
                        .await
                        .is_ok_and(|v| v["value"]["ready"] == true)
                    {
                        return driver;
                    }
                }
                if driver.child.try_wait().ok().flatten().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            drop(driver);
        }
        panic!("chromedriver did not become ready on a loopback port (three tries)");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reference to an element on the current page.
#[derive(Clone, Debug)]
pub(crate) struct El(pub(crate) String);

impl El {
    pub(crate) fn json(&self) -> Value {
        json!({ ELEMENT: self.0 })
    }
}

/// One headless Chromium session. On drop the session is deleted (which ends Chromium), the
/// Chromium process is killed if it is still there, chromedriver is killed and the profile
/// folder removed.
pub(crate) struct Browser {
    http: reqwest::Client,
    session: String,
    chromium_pid: Option<u32>,
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Chromium with the flags that work on these machines: headless, no sandbox (root), no
    /// GPU, and nothing that talks to Google (the network is closed); a new empty profile.
    async fn open() -> Browser {
        let driver = Driver::start().await;
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1366,768".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
            "timeouts": {"script": 120_000, "pageLoad": 30_000, "implicit": 0},
        }}});
        let http = reqwest::Client::new();
        let r = http
            .post(format!("http://127.0.0.1:{}/session", driver.port))
            .json(&caps)
            .send()
            .await
            .expect("new session request");
        let v: Value = r.json().await.expect("new session answer");
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver could not start Chromium: {v}"))
            .to_string();
        let chromium_pid = v["value"]["capabilities"]["goog:processID"]
            .as_u64()
            .map(|p| p as u32);
        Browser {
            http,
            session,
            chromium_pid,
            driver,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/session/{}{path}",
            self.driver.port, self.session
        )
    }

    /// A WebDriver command; panics with the driver's error message on failure.
    pub(crate) async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let mut req = self.http.request(method.clone(), self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        } else if method == reqwest::Method::POST {
            req = req.json(&json!({}));
        }
        let r = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let ok = r.status().is_success();
        let v: Value = r
            .json()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: bad answer: {e}"));
        assert!(ok, "WebDriver {method} {path} failed: {}", v["value"]);
        v["value"].clone()
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Value {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    pub(crate) async fn current_url(&self) -> String {
        self.get("/url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub(crate) async fn find_by(&self, using: &str, value: &str) -> El {
        let v = self
            .post("/element", json!({"using": using, "value": value}))
            .await;
        El(v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {value}"))
            .to_string())
    }

    pub(crate) async fn find(&self, css: &str) -> El {
        self.find_by("css selector", css).await
    }

    pub(crate) async fn find_all(&self, css: &str) -> Vec<El> {
        let v = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| El(e[ELEMENT].as_str().unwrap().to_string()))
            .collect()
    }

    /// The link with exactly this visible text inside `scope` (an XPath step such as
    /// `div[@class='tools']`).
    async fn link(&self, scope: &str, text: &str) -> El {
        self.find_by(
            "xpath",
            &format!("//{scope}//a[normalize-space()='{text}']"),
        )
        .await
    }

    /// The element's rendered text (what a reader sees; hidden text is left out).
    pub(crate) async fn text(&self, el: &El) -> String {
        self.get(&format!("/element/{}/text", el.0))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub(crate) async fn displayed(&self, el: &El) -> bool {
        self.get(&format!("/element/{}/displayed", el.0))
            .await
            .as_bool()
            .unwrap_or(false)
    }

    pub(crate) async fn click(&self, el: &El) {
        self.post(&format!("/element/{}/click", el.0), json!({}))
            .await;
    }

    pub(crate) async fn keys(&self, el: &El, keys: &str) {
        self.post(&format!("/element/{}/value", el.0), json!({"text": keys}))
            .await;
    }

    /// Clicks (or presses Enter on) `el` and waits until the browser has loaded a new address
    /// containing `expect`.
    async fn follow(&self, el: &El, expect: &str, by_keyboard: bool) -> String {
        let before = self.current_url().await;
        if by_keyboard {
            self.keys(el, ENTER).await;
        } else {
            self.click(el).await;
        }
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.current_url().await;
            if url != before
                && url.contains(expect)
                && self.js("return document.readyState", json!([])).await == "complete"
            {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "no navigation to an address containing {expect:?}; still at {url}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    pub(crate) async fn js_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    pub(crate) async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({"cmd": cmd, "params": params}))
            .await
    }

    pub(crate) async fn window(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await;
    }

    /// A phone: a 390×844 CSS-pixel touch viewport at device pixel ratio 3. (A headless window
    /// cannot be made narrower than 500 pixels, so the viewport is emulated.)
    pub(crate) async fn phone(&self, on: bool) {
        if on {
            self.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": true}),
            )
            .await;
        } else {
            self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
                .await;
        }
    }

    pub(crate) fn png(v: Value) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("base64 screenshot"))
            .expect("screenshot is base64")
    }

    /// A screenshot of one element, scrolled into view first (chromedriver clips the shot to
    /// the viewport).
    async fn element_png(&self, el: &El) -> Vec<u8> {
        self.js(
            "arguments[0].scrollIntoView({block: 'center'})",
            json!([el.json()]),
        )
        .await;
        Self::png(self.get(&format!("/element/{}/screenshot", el.0)).await)
    }

    /// The whole page, not just the viewport, at the current width.
    async fn full_page_png(&self) -> Vec<u8> {
        let size = self
            .js(
                "return [window.innerWidth, Math.ceil(document.documentElement.scrollHeight)]",
                json!([]),
            )
            .await;
        let (w, h) = (
            size[0].as_u64().unwrap(),
            size[1].as_u64().unwrap().min(4000),
        );
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": w, "height": h, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        let png = Self::png(self.get("/screenshot").await);
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        png
    }

    /// The browser console since the last call (chromedriver's log extension).
    pub(crate) async fn console(&self) -> Vec<Value> {
        self.post("/se/log", json!({"type": "browser"}))
            .await
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The page ran no script and loaded nothing from another origin, and the console shows no
    /// error: no JavaScript error, no Content-Security-Policy refusal, no failed load. (The
    /// portal has no favicon; Chromium's own request for /favicon.ico is not the page's.)
    async fn assert_clean(&self, what: &str) {
        let v = self
            .js(
                "const names = performance.getEntriesByType('resource').map(e => e.name);
                 return {scripts: document.scripts.length, origin: location.origin, resources: names,
                         foreign: names.filter(n => new URL(n, location.href).origin !== location.origin)};",
                json!([]),
            )
            .await;
        assert_eq!(v["scripts"], 0, "{what}: the page carries a script");
        assert_eq!(
            v["foreign"],
            json!([]),
            "{what}: requests to other hosts (origin {})",
            v["origin"]
        );
        assert!(
            v["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().ends_with("/static/portal.css")),
            "{what}: the style sheet was not loaded: {}",
            v["resources"]
        );
        let problems: Vec<Value> = self
            .console()
            .await
            .into_iter()
            .filter(|e| {
                !(e["source"] == "network"
                    && e["message"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("/favicon.ico"))
            })
            .filter(|e| {
                e["level"] == "SEVERE"
                    || e["level"] == "WARNING"
                    || e["source"] == "javascript"
                    || e["source"] == "security"
            })
            .collect();
        assert!(problems.is_empty(), "{what}: console errors: {problems:#?}");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop cannot await: end the session with one plain blocking request.
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.driver.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.session, self.driver.port
            );
            // chromedriver answers once the browser has quit, and may keep the connection open:
            // read the status line and headers only.
            let (mut got, mut buf) = (Vec::new(), [0u8; 1024]);
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                    _ => break,
                }
            }
        }
        // Give Chromium a moment to exit (chromedriver reaps it), then, as a backstop, kill by
        // id a Chromium the session could not end.
        if let Some(pid) = self.chromium_pid {
            let alive = || {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                stat.contains("(chromium)") && !stat.contains(") Z ")
            };
            let deadline = Instant::now() + Duration::from_secs(5);
            while alive() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if alive() {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        }
    }
}

/// Headless Chromium, or None when it is not installed (skip; a failure under CI=true).
pub(crate) async fn browser() -> Option<Browser> {
    if !browser_installed() {
        return None;
    }
    Some(Browser::open().await)
}

/// Decodes the one QR code in a PNG screenshot.
fn decode_qr(png_bytes: &[u8]) -> String {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * channels..];
        match channels {
            1 | 2 => p[0],
            _ => ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8,
        }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the {w}×{h} screenshot");
    grids[0].decode().expect("the QR code decodes").1
}

/// Writes a screenshot into docs/screenshots when BANLI_SCREENSHOTS=1.
fn keep_screenshot(name: &str, png: &[u8]) {
    if std::env::var("BANLI_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    let no_cjk_font = Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .map(|o| o.stdout.is_empty())
        .unwrap_or(true);
    if no_cjk_font {
        eprintln!("NOTICE: no Chinese font is installed (fc-list :lang=zh); {name} shows boxes. apt-get install fonts-noto-cjk");
    }
    std::fs::write(dir.join(name), png).expect("write screenshot");
    eprintln!("wrote docs/screenshots/{name}");
}

// ---- the data: published replies ----

/// An item of `who`'s replied by `unit` (through its staff and signer); returns (item, reply).
async fn replied(
    t: &TestApp,
    w: &World,
    unit: (i64, &str),
    title: &str,
    reply: Value,
) -> (i64, i64) {
    let (unit_id, prefix) = unit;
    let id = submitted_item(t, w, "p1", title).await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let a = t
        .post(
            "office",
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": unit_id}),
        )
        .await
        .ok()["assignments"][0]["id"]
        .as_i64()
        .unwrap();
    t.post(
        &format!("{prefix}_staff"),
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        &format!("{prefix}_staff"),
        &format!("/api/v1/assignments/{a}/reply"),
        reply,
    )
    .await
    .ok();
    let r = t
        .post(
            &format!("{prefix}_signer"),
            &format!("/api/v1/assignments/{a}/reply/approve"),
            json!({}),
        )
        .await
        .id();
    (id, r)
}

fn reply(body: &str, disclosure: &str, summary: Option<&str>) -> Value {
    let mut v = json!({"body": body, "grade": "B", "disclosure": disclosure, "contact_name": "联系人甲", "contact_phone": "0731-12345678", "commitments": [{"text": "年底前建成示范点", "due_on": "2026-12-31"}]});
    if let Some(s) = summary {
        v["summary"] = json!(s);
    }
    if disclosure == "not_public" {
        v["disclosure_reason"] = json!("涉及国家秘密");
    }
    v
}

const BODY: &str = "感谢您的提案。她的头发很长，经济发展很快，干部下乡，天气干燥。\n我们将认真落实，年底前建成示范点。";

struct Published {
    w: World,
    /// The public reply (with a progress note on its commitment) and the summary-mode one.
    public: i64,
    summary: i64,
    /// A reply by another unit, and a not_public one that cannot be published.
    other_unit: i64,
    secret_item_title: &'static str,
    secret: i64,
}

async fn publish_replies(t: &TestApp) -> Published {
    let w = world(t).await;
    t.set_today("2026-03-02");
    let lead = (w.lead, "lead");
    let (item, public) = replied(
        t,
        &w,
        lead,
        "关于公开答复的提案",
        reply(BODY, "public", None),
    )
    .await;
    let (_, summary) = replied(
        t,
        &w,
        lead,
        "关于摘要公开的提案",
        reply(
            "全文不公开的内容XYZ",
            "summary",
            Some("摘要：已列入年度计划"),
        ),
    )
    .await;
    let (_, other_unit) = replied(
        t,
        &w,
        (w.co, "co"),
        "关于财政支持的提案",
        reply("财政厅的答复正文。", "public", None),
    )
    .await;
    let secret_item_title = "关于不予公开的提案";
    let (_, secret) = replied(
        t,
        &w,
        lead,
        secret_item_title,
        reply("机密正文ABC", "not_public", None),
    )
    .await;
    t.post(
        "office",
        &format!("/api/v1/replies/{public}/publish"),
        json!({"editor": "王编辑", "source": "省发展改革委"}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{summary}/publish"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{other_unit}/publish"),
        json!({}),
    )
    .await
    .ok();
    t.post(
        "office",
        &format!("/api/v1/replies/{secret}/publish"),
        json!({}),
    )
    .await
    .status(422);
    // Progress on the public reply's commitment, shown live beside the published document.
    t.set_today("2026-04-15");
    let commitment = t.get("p1", &format!("/api/v1/items/{item}")).await.ok()["commitments"][0]
        ["id"]
        .as_i64()
        .unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/commitments/{commitment}/progress"),
        json!({"note": "示范点选址已完成", "percent": 30}),
    )
    .await
    .ok();
    Published {
        w,
        public,
        summary,
        other_unit,
        secret_item_title,
        secret,
    }
}

/// The open-data record of a published document (what the page must show).
async fn record(t: &TestApp, id: i64) -> Value {
    let (_, _, text) = t.public("/open-data/replies.json", &[]).await;
    let all: Value = serde_json::from_str(&text).unwrap();
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["document_id"] == id)
        .unwrap_or_else(|| panic!("reply {id} is not in the open data"))
        .clone()
}

// ---- the tests ----

/// The addresses the home page lists, in order.
async fn hrefs(b: &Browser) -> Vec<String> {
    let v = b.js("return [...document.querySelectorAll('ul.docs li a')].map(a => new URL(a.href).pathname)", json!([])).await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

async fn sqlite() -> TestApp {
    on(Backend::Sqlite).await.unwrap()
}

const FACTS_JS: &str = "return Object.fromEntries([...document.querySelectorAll('.facts > div')]
    .filter(d => d.checkVisibility())
    .map(d => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]));";
const BODY_FONT_JS: &str =
    "return parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize);";

/// The reply page as a reader uses it: every field of DESIGN §6, the font size and script
/// switches, the print view, the commitments, and a QR code that scans to the page itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_page_in_chromium() {
    let Some(b) = browser().await else { return };
    let t = sqlite().await;
    let p = publish_replies(&t).await;
    let rec = record(&t, p.public).await;
    let page_url = format!("{}/replies/{}", t.base, p.public);
    b.window(1366, 768).await;
    b.goto(&page_url).await;
    b.assert_clean("reply page").await;

    assert_eq!(
        b.text(&b.find("nav.crumbs").await).await,
        "首页 › 政务公开 › 建议提案办理"
    );
    assert_eq!(
        b.text(&b.find("article.doc h1").await).await,
        rec["title"].as_str().unwrap()
    );
    assert_eq!(
        b.js("return document.title", json!([])).await,
        format!("{} - 湖南省政协", rec["title"].as_str().unwrap())
    );
    let facts = b.js(FACTS_JS, json!([])).await;
    assert_eq!(facts["发布机构"], "湖南省发展和改革委员会", "{facts}");
    assert_eq!(facts["发布机构"], rec["unit"]);
    assert_eq!(
        facts["发布时间"].as_str().unwrap(),
        &banli_domain::clock::local_date(rec["published_at"].as_str().unwrap()),
        "{facts}"
    );
    assert_eq!(facts["来源"], "省发展改革委", "{facts}");
    assert_eq!(facts["责任编辑"], "王编辑", "{facts}");
    assert_eq!(facts["文号"], rec["doc_number"], "{facts}");
    let body = b.text(&b.find(".body").await).await;
    assert!(
        body.contains("头发")
            && body.contains("发展")
            && body.contains("干部")
            && body.contains("干燥"),
        "{body}"
    );
    assert!(
        !b.text(&b.find("main").await)
            .await
            .contains("0731-12345678"),
        "contact details stay out of the public page"
    );
    for tool in ["大", "中", "小", "简", "繁", "打印"] {
        assert!(
            b.displayed(&b.link("div[@class='tools']", tool).await)
                .await,
            "the {tool} link is visible"
        );
    }

    // The commitment and its progress, as the table shows them.
    let rows = b.find_all(".commitments tbody tr").await;
    assert_eq!(rows.len(), 1);
    let row = b.text(&rows[0]).await;
    for needle in [
        "年底前建成示范点",
        "2026-12-31",
        "办理中（30%）",
        "2026-04-15",
        "示范点选址已完成",
    ] {
        assert!(row.contains(needle), "commitment row lacks {needle}: {row}");
    }

    // The QR code, as drawn, scans to the page's own absolute address.
    let qr = b.find("svg.qr").await;
    assert!(b.displayed(&qr).await);
    let scanned = decode_qr(&b.element_png(&qr).await);
    assert_eq!(scanned, page_url);
    assert_eq!(
        scanned,
        b.js("return location.origin + location.pathname", json!([]))
            .await
            .as_str()
            .unwrap()
    );
    assert_eq!(
        b.text(&b.find(".docfoot .url").await).await,
        format!("本页地址：{page_url}")
    );

    if std::env::var("BANLI_SCREENSHOTS").as_deref() == Ok("1") {
        keep_screenshot("portal-reply.png", &b.full_page_png().await);
    }

    // 大 makes the body text visibly larger; 小 smaller.
    let medium = b.js(BODY_FONT_JS, json!([])).await.as_f64().unwrap();
    b.follow(&b.link("div[@class='tools']", "大").await, "size=l", false)
        .await;
    b.assert_clean("large print").await;
    let large = b.js(BODY_FONT_JS, json!([])).await.as_f64().unwrap();
    assert!(
        large >= medium + 2.0,
        "大 enlarges the body text: {medium}px → {large}px"
    );
    assert_eq!(
        b.js(
            "return document.querySelector('.tools a[aria-current]').textContent",
            json!([])
        )
        .await,
        "大"
    );

    // 繁: phrase-aware Traditional Chinese, marked as such; the font size is kept.
    let url = b
        .follow(
            &b.link("div[@class='tools']", "繁").await,
            "script=hant",
            false,
        )
        .await;
    assert!(
        url.contains("size=l"),
        "the size survives the switch: {url}"
    );
    b.assert_clean("traditional page").await;
    assert_eq!(
        b.js("return document.documentElement.lang", json!([]))
            .await,
        "zh-Hant"
    );
    let body = b.text(&b.find(".body").await).await;
    for needle in ["頭髮", "發展", "幹部", "乾燥"] {
        assert!(
            body.contains(needle),
            "traditional body lacks {needle}: {body}"
        );
    }
    assert_eq!(
        b.text(&b.find("nav.crumbs").await).await,
        "首頁 › 政務公開 › 建議提案辦理"
    );
    assert_eq!(b.js(BODY_FONT_JS, json!([])).await.as_f64().unwrap(), large);
    // …and back to Simplified (the whole page is converted, so the link reads 簡) at normal size.
    b.follow(&b.link("div[@class='tools']", "簡").await, "size=l", false)
        .await;
    assert_eq!(
        b.js("return document.documentElement.lang", json!([]))
            .await,
        "zh-Hans"
    );
    b.follow(
        &b.link("div[@class='tools']", "中").await,
        &format!("/replies/{}", p.public),
        false,
    )
    .await;
    assert_eq!(
        b.js(BODY_FONT_JS, json!([])).await.as_f64().unwrap(),
        medium
    );
    b.follow(&b.link("div[@class='tools']", "小").await, "size=s", false)
        .await;
    assert!(
        b.js(BODY_FONT_JS, json!([])).await.as_f64().unwrap() < medium,
        "小 makes the text smaller"
    );
    b.follow(
        &b.link("div[@class='tools']", "中").await,
        &format!("/replies/{}", p.public),
        false,
    )
    .await;

    // The print view: the document, its facts, commitments and QR code, without the site's
    // navigation or the tools.
    b.follow(
        &b.link("div[@class='tools']", "打印").await,
        "print=1",
        false,
    )
    .await;
    b.assert_clean("print view").await;
    assert!(b
        .js(
            "return document.body.classList.contains('print')",
            json!([])
        )
        .await
        .as_bool()
        .unwrap());
    assert_eq!(
        b.find_all("header.site").await.len()
            + b.find_all(".tools").await.len()
            + b.find_all(".share").await.len(),
        0
    );
    assert_eq!(
        b.text(&b.find("article.doc h1").await).await,
        rec["title"].as_str().unwrap()
    );
    assert!(b.text(&b.find(".body").await).await.contains("头发"));
    assert!(b
        .text(&b.find(".commitments").await)
        .await
        .contains("示范点选址已完成"));
    assert_eq!(
        decode_qr(&b.element_png(&b.find("svg.qr").await).await),
        page_url,
        "the printed QR code still opens the page itself"
    );

    // A summary-mode reply shows the summary, never the full text.
    b.goto(&format!("{}/replies/{}", t.base, p.summary)).await;
    b.assert_clean("summary-mode reply").await;
    let main = b.text(&b.find("main").await).await;
    assert!(
        main.contains("本件为摘要公开") && main.contains("摘要：已列入年度计划"),
        "{main}"
    );
    assert!(!main.contains("全文不公开的内容XYZ"), "{main}");
    assert_eq!(
        decode_qr(&b.element_png(&b.find("svg.qr").await).await),
        format!("{}/replies/{}", t.base, p.summary)
    );
    t.finish().await;
}

/// The portal home lists what is public and nothing else, and its filter form works from the
/// keyboard: choose a unit with the arrow keys, press Enter on 筛选, and the list narrows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_lists_and_filters_by_keyboard() {
    let Some(b) = browser().await else { return };
    let t = sqlite().await;
    let p = publish_replies(&t).await;
    b.window(1366, 768).await;
    b.goto(&format!("{}/", t.base)).await;
    b.assert_clean("home").await;
    assert_eq!(
        b.text(&b.find("nav.crumbs").await).await,
        "首页 › 政务公开 › 建议提案办理"
    );

    let all = hrefs(&b).await;
    for id in [p.public, p.summary, p.other_unit] {
        assert!(
            all.contains(&format!("/replies/{id}")),
            "home lists reply {id}: {all:?}"
        );
    }
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(!all.contains(&format!("/replies/{}", p.secret)));
    let main = b.text(&b.find("main").await).await;
    assert!(
        !main.contains(p.secret_item_title) && !main.contains("机密正文ABC"),
        "the not_public reply is not listed: {main}"
    );
    assert!(main.contains("关于公开答复的提案"), "{main}");
    assert!(main.contains("共 3 件"), "{main}");
    // Each reply is named by its item's subject, the official title beside it; a search box
    // sits in the header.
    let link = b
        .text(
            &b.find(&format!("ul.docs a[href='/replies/{}']", p.public))
                .await,
        )
        .await;
    assert_eq!(link, "关于公开答复的提案");
    let official = b.text(&b.find("ul.docs li p.official").await).await;
    assert!(
        official.starts_with("关于湖南省政协") && official.ends_with("的答复"),
        "{official}"
    );
    b.find("header form[role=search] input[name=q]").await;

    if std::env::var("BANLI_SCREENSHOTS").as_deref() == Ok("1") {
        keep_screenshot("portal-home.png", &b.full_page_png().await);
    }

    // Choose 湖南省财政厅 by keyboard: arrow down through the options until it is selected.
    let select = b.find("select[name=unit_id]").await;
    let target = p.w.co.to_string();
    for _ in 0..10 {
        if b.js("return arguments[0].value", json!([select.json()]))
            .await
            == target.as_str()
        {
            break;
        }
        b.keys(&select, ARROW_DOWN).await;
    }
    assert_eq!(
        b.js("return arguments[0].value", json!([select.json()]))
            .await,
        target.as_str(),
        "the arrow keys reach the unit"
    );
    assert_eq!(
        b.js(
            "return document.activeElement === arguments[0]",
            json!([select.json()])
        )
        .await,
        true
    );
    let button = b
        .find_by(
            "xpath",
            "//form[@class='filters']//button[normalize-space()='筛选']",
        )
        .await;
    let url = b.follow(&button, &format!("unit_id={target}"), true).await;
    assert!(
        url.starts_with(&format!("{}/?", t.base)),
        "the form submits to the home page: {url}"
    );
    b.assert_clean("filtered home").await;
    assert_eq!(
        hrefs(&b).await,
        vec![format!("/replies/{}", p.other_unit)],
        "the list narrows to the unit's reply"
    );
    assert!(b.text(&b.find("main").await).await.contains("共 1 件"));
    let meta = b.text(&b.find("ul.docs li .meta").await).await;
    assert!(meta.starts_with("湖南省财政厅"), "{meta}");
    // The choice stays selected on the result page.
    assert_eq!(
        b.js(
            "return document.querySelector('select[name=unit_id]').value",
            json!([])
        )
        .await,
        target.as_str()
    );
    t.finish().await;
}

/// axe-core on the home page, a reply page, its Traditional version and its print view at
/// 1366×768, and on the reply page at phone size: no serious or critical violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_axe() {
    let Some(axe) = axe_source() else { return };
    let Some(b) = browser().await else { return };
    let t = sqlite().await;
    let p = publish_replies(&t).await;
    let reply = format!("{}/replies/{}", t.base, p.public);
    let pages = [
        ("home", format!("{}/", t.base), false),
        ("reply", reply.clone(), false),
        ("traditional", format!("{reply}?script=hant"), false),
        ("print", format!("{reply}?print=1"), false),
        ("reply at 390×844", reply.clone(), true),
    ];
    b.window(1366, 768).await;
    let mut failures = Vec::new();
    for (name, url, phone) in pages {
        b.phone(phone).await;
        b.goto(&url).await;
        b.assert_clean(name).await;
        if phone {
            let w = b
                .js(
                    "return [innerWidth, document.documentElement.scrollWidth]",
                    json!([]),
                )
                .await;
            assert_eq!(w[0], 390, "phone viewport: {w}");
            assert!(
                w[1].as_u64().unwrap() <= 390,
                "the page fits a phone without sideways scrolling: {w}"
            );
        }
        // Injected by WebDriver, which the page's Content-Security-Policy does not govern.
        b.js(&format!("{axe}\n;return typeof axe;"), json!([]))
            .await;
        let v = b
            .js_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                   .then(r => done({passes: r.passes.length, incomplete: r.incomplete.map(i => i.id),
                        violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary}))}))}))
                   .catch(e => done({error: String(e)}));",
                json!([]),
            )
            .await;
        let violations = v["violations"]
            .as_array()
            .unwrap_or_else(|| panic!("axe failed on {name}: {v}"));
        let passes = v["passes"].as_u64().unwrap_or(0);
        assert!(passes > 10, "axe ran on {name}: {v}");
        eprintln!(
            "axe [{name}]: {passes} rules passed, {} violated, needs review: {}",
            violations.len(),
            v["incomplete"]
        );
        for vi in violations {
            let serious = matches!(vi["impact"].as_str(), Some("serious" | "critical"));
            let mut report = format!(
                "[{name}] {} ({}): {} — {}\n",
                vi["id"].as_str().unwrap(),
                vi["impact"].as_str().unwrap_or("?"),
                vi["help"].as_str().unwrap(),
                vi["helpUrl"].as_str().unwrap()
            );
            for n in vi["nodes"].as_array().unwrap() {
                report += &format!(
                    "    {}  {}\n      {}\n",
                    n["target"].as_str().unwrap(),
                    n["html"].as_str().unwrap(),
                    n["summary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', "\n      ")
                );
            }
            eprint!("{}{report}", if serious { "VIOLATION " } else { "note " });
            if serious {
                failures.push(report);
            }
        }
    }
    b.phone(false).await;
    assert!(
        failures.is_empty(),
        "axe found serious or critical violations:\n{}",
        failures.join("")
    );
    t.finish().await;
}
