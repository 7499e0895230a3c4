//! Starts Banli in-process on a random port against a fresh database of either kind.

use banli_app::{App, Settings};
use banli_store::{sqlx, Db};
use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    /// The database URL, for spawning the binary against the same data.
    pub db_url: String,
    client: reqwest::Client,
    tokens: Mutex<HashMap<String, String>>,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
}

impl Resp {
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(
            self.status.is_success(),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        &self.body
    }
    #[track_caller]
    pub fn status(&self, s: u16) -> &Value {
        assert_eq!(self.status.as_u16(), s, "body: {}", self.body);
        &self.body
    }
    /// The `field` of an error answer.
    pub fn field(&self) -> Option<&str> {
        self.body["error"]["field"].as_str()
    }
    pub fn id(&self) -> i64 {
        self.ok()["id"].as_i64().expect("id")
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL URL for tests, or None (with a printed notice) when it is not configured.
/// In CI a missing PostgreSQL is a failure, not a skip.
pub fn pg_url() -> Option<String> {
    match std::env::var("BANLI_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but BANLI_TEST_PG_URL is not set: the PostgreSQL half of the suite cannot be skipped in CI");
            }
            eprintln!(
                "NOTICE: BANLI_TEST_PG_URL is not set; skipping the PostgreSQL run of this test"
            );
            None
        }
    }
}

/// Runs a test story on one backend; on PostgreSQL only when it is configured.
pub async fn on(backend: Backend) -> Option<TestApp> {
    match backend {
        Backend::Sqlite => Some(TestApp::start_sqlite().await),
        Backend::Postgres => {
            let url = pg_url()?;
            Some(TestApp::start_postgres(&url).await)
        }
    }
}

impl TestApp {
    async fn start_sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = Db::sqlite_url(dir.path());
        Self::start(&url, dir, None).await
    }

    async fn start_postgres(base_url: &str) -> TestApp {
        use sqlx::Connection;
        let name = format!(
            "banli_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let mut admin =
            sqlx::postgres::PgConnection::connect(base_url).await.unwrap_or_else(|e| panic!("cannot reach PostgreSQL at BANLI_TEST_PG_URL={base_url}: {e}. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = replace_db(base_url, &name);
        Self::start(
            &url,
            tempfile::tempdir().expect("temp dir"),
            Some((base_url.to_string(), name)),
        )
        .await
    }

    async fn start(url: &str, dir: tempfile::TempDir, pg: Option<(String, String)>) -> TestApp {
        let db = Db::connect(url).await.expect("connect and migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let app = App::open(
            db,
            "湖南省政协",
            Settings {
                public_base_url: base.clone(),
                backups: Some(banli_app::backups::BackupSettings {
                    dir: dir.path().join("backups"),
                    every: None,
                    keep: 2,
                }),
            },
        )
        .await
        .expect("open app");
        // A real index in the test's own directory, kept caught up by the real indexer.
        let index_dir = dir.path().join("index");
        std::fs::create_dir_all(&index_dir).expect("index dir");
        let index = std::sync::Arc::new(
            banli_search::SearchIndex::open_or_create(&index_dir).expect("index"),
        );
        tokio::spawn(banli_web::indexer::run(app.clone(), index.clone()));
        let router = banli_web::router(app.clone(), None, Some(index));
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        TestApp {
            base,
            app,
            db_url: url.to_string(),
            client: reqwest::Client::new(),
            tokens: Mutex::new(HashMap::new()),
            _dir: dir,
            pg,
        }
    }

    /// Drops the PostgreSQL database made for this test.
    pub async fn finish(self) {
        if let Some((base, name)) = &self.pg {
            use sqlx::Connection;
            self.app.db.close().await;
            if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(base).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        }
    }

    pub fn set_today(&self, d: &str) {
        self.app
            .set_today(Some(d.parse::<NaiveDate>().expect("date")));
    }

    /// Creates the first admin directly (as `banli user add` does) and signs in.
    pub async fn bootstrap_admin(&self) {
        self.app
            .insert_user(
                None,
                banli_app::admin::NewUser {
                    username: "admin".into(),
                    password: "admin-pass-1".into(),
                    display_name: "系统管理员".into(),
                    role: banli_domain::model::Role::Admin,
                    unit_id: None,
                    sector: None,
                    email: None,
                    phone: None,
                },
            )
            .await
            .expect("admin");
        self.login("admin", "admin-pass-1").await;
    }

    pub async fn login(&self, user: &str, password: &str) {
        let r = self
            .raw(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": user, "password": password}).to_string()),
            )
            .await;
        let token = r.ok()["token"].as_str().expect("token").to_string();
        self.tokens.lock().unwrap().insert(user.to_string(), token);
    }

    /// Creates a user through the API as admin, and signs them in.
    pub async fn user(&self, username: &str, role: &str, unit_id: Option<i64>) -> i64 {
        let id = self.post("admin", "/api/v1/users", json!({"username": username, "password": "password-123", "display_name": format!("用户{username}"), "role": role, "unit_id": unit_id})).await.id();
        self.login(username, "password-123").await;
        id
    }

    pub fn token(&self, user: &str) -> Option<String> {
        self.tokens.lock().unwrap().get(user).cloned()
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        as_user: Option<&str>,
        body: Option<String>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(u) = as_user {
            let t = self
                .token(u)
                .unwrap_or_else(|| panic!("{u} is not signed in"));
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp { status, body }
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> Resp {
        self.raw(Method::POST, path, Some(user), Some(body.to_string()))
            .await
    }

    pub async fn put(&self, user: &str, path: &str, body: Value) -> Resp {
        self.raw(Method::PUT, path, Some(user), Some(body.to_string()))
            .await
    }

    /// A public GET with extra headers; returns status, headers and body text.
    pub async fn public(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut req = self.client.get(format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.expect("request");
        let (status, h) = (r.status(), r.headers().clone());
        (status, h, r.text().await.unwrap_or_default())
    }

    pub async fn get(&self, user: &str, path: &str) -> Resp {
        self.raw(Method::GET, path, Some(user), None).await
    }
}

fn replace_db(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = head.rfind('/').expect("database url has a path");
    format!("{}/{name}{query}", &head[..cut])
}

/// An organisation to act in: units, users of every role, a session.
pub struct World {
    pub session: i64,
    pub lead: i64,
    pub co: i64,
    pub other: i64,
    pub sub: i64,
}

pub async fn world(t: &TestApp) -> World {
    t.bootstrap_admin().await;
    let unit = |name: &str, short: &str, prefix: &str, parent: Option<i64>| json!({"name": name, "short_name": short, "doc_prefix": prefix, "parent_id": parent});
    let lead = t
        .post(
            "admin",
            "/api/v1/units",
            unit("湖南省发展和改革委员会", "省发展改革委", "湘发改提", None),
        )
        .await
        .id();
    let co = t
        .post(
            "admin",
            "/api/v1/units",
            unit("湖南省财政厅", "省财政厅", "湘财提", None),
        )
        .await
        .id();
    let other = t
        .post(
            "admin",
            "/api/v1/units",
            unit("湘潭市人民政府", "湘潭市政府", "潭政提", None),
        )
        .await
        .id();
    let sub = t
        .post(
            "admin",
            "/api/v1/units",
            unit(
                "湘潭市发展和改革委员会",
                "湘潭市发展改革委",
                "潭发改提",
                Some(other),
            ),
        )
        .await
        .id();
    t.user("office", "office", None).await;
    for p in ["p1", "p2", "p3"] {
        t.user(p, "proposer", None).await;
    }
    t.user("lead_staff", "unit_staff", Some(lead)).await;
    t.user("lead_signer", "unit_signer", Some(lead)).await;
    t.user("co_staff", "unit_staff", Some(co)).await;
    t.user("co_signer", "unit_signer", Some(co)).await;
    t.user("other_staff", "unit_staff", Some(other)).await;
    t.user("other_signer", "unit_signer", Some(other)).await;
    t.user("sub_staff", "unit_staff", Some(sub)).await;
    let session = t.post("admin", "/api/v1/sessions", json!({"name": "十三届一次会议", "body_name": "湖南省政协", "kind": "proposal", "term": 13, "sitting": 1, "opened_on": "2023-01-10", "cosign_cutoff": "2023-02-28"})).await.id();
    World {
        session,
        lead,
        co,
        other,
        sub,
    }
}

/// A submitted individual item by `who`.
/// An item of `who`'s, filed, assigned to the lead unit alone and accepted by its staff:
/// (item, assignment).
pub async fn accepted_by_lead(t: &TestApp, w: &World, who: &str, title: &str) -> (i64, i64) {
    let id = submitted_item(t, w, who, title).await;
    t.post("office", &format!("/api/v1/items/{id}/file"), json!({}))
        .await
        .ok();
    let a = t
        .post(
            "office",
            &format!("/api/v1/items/{id}/assign"),
            json!({"lead": w.lead}),
        )
        .await
        .ok()["assignments"][0]["id"]
        .as_i64()
        .unwrap();
    t.post(
        "lead_staff",
        &format!("/api/v1/assignments/{a}/accept"),
        json!({}),
    )
    .await
    .ok();
    (id, a)
}

pub async fn submitted_item(t: &TestApp, w: &World, who: &str, title: &str) -> i64 {
    let id = t.post(who, "/api/v1/items", json!({"session_id": w.session, "title": title, "body": "建议加快推进相关工作。", "origin": "individual", "category": "经济建设"})).await.id();
    t.post(who, &format!("/api/v1/items/{id}/submit"), json!({}))
        .await
        .ok();
    id
}
