//! Delivery of what Banli queues in its database (`outgoing_messages`, written with each
//! action by `banli_app::notify`): e-mail over SMTP and text messages through an HTTP
//! webhook, retried with backoff so that an outage of the mail server loses nothing; and the
//! loop that runs the daily reminder.
//!
//! Several instances may share one PostgreSQL database: each claims rows before sending them
//! (a claim column set in a write transaction, since SQLite has no `SKIP LOCKED`), and a claim
//! that outlives a crashed instance expires. A message is marked `sending` in its own commit
//! before it is handed to the mail server or the SMS gateway, and only a `queued` row can be
//! marked: so no message goes out twice, even when an instance dies between the server's
//! acceptance and the record of it. Such a row, found `sending` after its claim expired, may
//! or may not have arrived; it is marked failed with that reason (visible to the
//! administrator, who may send it again) rather than sent a second time.

use banli_app::App;
use banli_store::ts;

use chrono::{Duration as Span, FixedOffset, Timelike, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::response::{Category, Severity};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Deserialize;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP (a relay on the local network; port 25).
    None,
    /// STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl FromStr for Security {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Ok(Security::None),
            "starttls" => Ok(Security::Starttls),
            "tls" | "ssl" | "smtps" => Ok(Security::Tls),
            other => Err(Error::Config(format!(
                "未知的 SMTP 加密方式“{other}”：可选 none、starttls、tls"
            ))),
        }
    }
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    /// Default: 25, 587 or 465 by `security`.
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `提案办 <tian@zx.example.gov.cn>`.
    pub from: String,
    pub security: Security,
}

/// Text messages go to an HTTP webhook (POST JSON `{"to", "text"}`); off without a URL.
#[derive(Debug, Clone, Default)]
pub struct SmsConfig {
    pub webhook_url: Option<String>,
}

/// Everything `banli serve` hands the notification tasks.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// None: notifications stay in-app (e-mails wait in the queue until mail is configured).
    pub mail: Option<MailConfig>,
    pub sms: SmsConfig,
    /// The hour (0–23, organisation time) of the daily reminder.
    pub reminder_hour: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("通知配置有误：{0}")]
    Config(String),
    #[error("数据库错误：{0}")]
    Db(#[from] banli_store::Error),
    #[error("{0}")]
    App(#[from] banli_app::AppError),
}

/// Retry and batching knobs. Tests use a zero `retry_base`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The first retry waits this long; each further one twice as long as the one before…
    pub retry_base: Duration,
    /// …up to this. Rows are never dropped: they retry at this interval for as long as it takes.
    pub retry_cap: Duration,
    /// A message the server refuses outright (5xx about the message itself) is marked
    /// `failed` after this many attempts.
    pub max_refusals: i64,
    pub batch: i64,
    /// How often the loop looks for due rows.
    pub poll_every: Duration,
    /// How long a claim holds before another instance may take the row over.
    pub claim_for: Duration,
    /// Per send (connect, SMTP dialogue, webhook call).
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retry_base: Duration::from_secs(60),
            retry_cap: Duration::from_secs(3600),
            max_refusals: 3,
            batch: 50,
            poll_every: Duration::from_secs(10),
            claim_for: Duration::from_secs(300),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The wait before the next attempt after `attempts` failed ones (1, 2, 4 … × base, capped).
pub fn backoff(opts: &Options, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 30) as u32 - 1;
    opts.retry_base
        .checked_mul(1u32 << exp.min(20))
        .unwrap_or(opts.retry_cap)
        .min(opts.retry_cap)
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

type HttpsClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    http_body_util::Full<hyper::body::Bytes>,
>;

struct Webhook {
    client: HttpsClient,
    url: hyper::Uri,
}

type Row = banli_store::notices::Outgoing;

/// How one send ended.
enum Outcome {
    Sent,
    /// Worth trying again later (server down, timeout, 4xx, authentication).
    Retry(String),
    /// The server refused this message itself (bad address, 5xx about the mailbox).
    Refused(String),
}

/// Sends the queued messages.
pub struct Deliverer {
    app: App,
    mail: Option<Mailer>,
    sms: Option<Webhook>,
    opts: Options,
    instance: String,
    claims: AtomicU64,
}

static INSTANCES: AtomicU64 = AtomicU64::new(0);

impl Deliverer {
    /// Checks the configuration (addresses, URL) up front, so a typo fails at start.
    pub fn new(app: App, mail: Option<MailConfig>, sms: SmsConfig) -> Result<Deliverer, Error> {
        let opts = Options::default();
        let mail = mail.map(|m| build_mailer(&m, opts.timeout)).transpose()?;
        let sms = sms
            .webhook_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(build_webhook)
            .transpose()?;
        let instance = format!(
            "{}:{}:{}",
            hostname(),
            std::process::id(),
            INSTANCES.fetch_add(1, Ordering::Relaxed)
        );
        Ok(Deliverer {
            app,
            mail,
            sms,
            opts,
            instance,
            claims: AtomicU64::new(0),
        })
    }

    pub fn with_options(mut self, opts: Options) -> Deliverer {
        self.opts = opts;
        self
    }

    /// The channels this deliverer can send; rows of other channels wait in the queue.
    pub fn channels(&self) -> Vec<&'static str> {
        let mut c = Vec::new();
        if self.mail.is_some() {
            c.push("email");
        }
        if self.sms.is_some() {
            c.push("sms");
        }
        c
    }

    /// Claims the due rows, sends them and records each outcome. Returns (sent, failed):
    /// failed counts every unsuccessful attempt, whether it will be retried or not.
    pub async fn run_once(&self) -> Result<(usize, usize), Error> {
        // Notifications follow the events recorded since the last pass (this loop is the
        // server's follower of the outbox's event rows); mail already queued goes out even
        // when that fails.
        if let Err(e) = self.app.follow_events().await {
            tracing::warn!(error = %e, "could not write the notifications of recent events; retrying");
        }
        let channels = self.channels();
        if channels.is_empty() {
            return Ok((0, 0));
        }
        let rows = self.claim(&channels).await?;
        let (mut sent, mut failed) = (0, 0);
        // Once the mail server is unreachable, the rest of this batch waits for the next try
        // instead of each timing out in turn.
        let mut mail_down: Option<String> = None;
        for row in rows {
            if !banli_store::notices::start_sending(&self.app.db, row.id).await? {
                continue; // another instance took it after this claim expired
            }
            let outcome = match row.channel.as_str() {
                "email" => match &mail_down {
                    Some(e) => Outcome::Retry(e.clone()),
                    None => {
                        let o = self.send_mail(&row).await;
                        if let Outcome::Retry(e) = &o {
                            mail_down = Some(e.clone());
                        }
                        o
                    }
                },
                "sms" => self.send_sms(&row).await,
                other => Outcome::Refused(format!("未知的发送渠道 {other}")),
            };
            match outcome {
                Outcome::Sent => {
                    self.finish(&row, "sent", None, None).await?;
                    sent += 1;
                }
                Outcome::Retry(e) => {
                    self.finish(
                        &row,
                        "queued",
                        Some(&e),
                        Some(backoff(&self.opts, row.attempts + 1)),
                    )
                    .await?;
                    failed += 1;
                }
                Outcome::Refused(e) if row.attempts + 1 >= self.opts.max_refusals => {
                    tracing::warn!(id = row.id, channel = %row.channel, error = %e, "message refused; marked failed");
                    self.finish(&row, "failed", Some(&e), None).await?;
                    failed += 1;
                }
                Outcome::Refused(e) => {
                    self.finish(
                        &row,
                        "queued",
                        Some(&e),
                        Some(backoff(&self.opts, row.attempts + 1)),
                    )
                    .await?;
                    failed += 1;
                }
            }
        }
        if let Some(e) = mail_down {
            tracing::warn!(error = %e, "mail server unreachable; e-mails stay queued and are retried");
        }
        Ok((sent, failed))
    }

    /// Makes every queued row due now (after fixing the mail server, or in tests).
    pub async fn retry_now(&self) -> Result<u64, Error> {
        Ok(banli_store::notices::retry_all_now(&self.app.db).await?)
    }

    /// Sends until `shutdown` turns true; a batch in flight is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if let Ok(true) = self.app.sms_notifications_enabled().await {
            if self.sms.is_none() {
                tracing::warn!("text messages are on for the organisation but no SMS webhook is configured (BANLI_SMS_WEBHOOK): they wait in the queue");
            }
        }
        while !*shutdown.borrow() {
            let full = match self.run_once().await {
                Ok((sent, failed)) => {
                    if sent + failed > 0 {
                        tracing::info!(sent, failed, "outgoing messages");
                    }
                    (sent + failed) as i64 >= self.opts.batch
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not deliver outgoing messages; will try again");
                    false
                }
            };
            if full {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.opts.poll_every) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Takes up to a batch of due rows for this call alone.
    async fn claim(&self, channels: &[&str]) -> Result<Vec<Row>, Error> {
        let until =
            ts(Utc::now() + Span::from_std(self.opts.claim_for).unwrap_or(Span::minutes(5)));
        let token = format!(
            "{}#{}",
            self.instance,
            self.claims.fetch_add(1, Ordering::Relaxed)
        );
        Ok(banli_store::notices::claim_outgoing(
            &self.app.db,
            &token,
            &until,
            channels,
            self.opts.batch,
        )
        .await?)
    }

    async fn finish(
        &self,
        row: &Row,
        state: &str,
        error: Option<&str>,
        retry_in: Option<Duration>,
    ) -> Result<(), Error> {
        let now = Utc::now();
        let next = retry_in.map(|d| ts(now + Span::from_std(d).unwrap_or(Span::hours(1))));
        let error = error.map(|e| e.chars().take(1000).collect::<String>());
        banli_store::notices::finish_outgoing(
            &self.app.db,
            row.id,
            state,
            error.as_deref(),
            next.as_deref(),
        )
        .await?;
        Ok(())
    }

    fn url(&self, row: &Row) -> String {
        format!(
            "{}{}",
            self.app.settings.public_base_url.trim_end_matches('/'),
            row.link.as_deref().unwrap_or("/app")
        )
    }

    async fn send_mail(&self, row: &Row) -> Outcome {
        let Some(m) = &self.mail else {
            return Outcome::Retry("未配置邮件服务器".into());
        };
        let to = match row.recipient.parse::<lettre::Address>() {
            Ok(a) => Mailbox::new(row.recipient_name.clone(), a),
            Err(e) => return Outcome::Refused(format!("收件地址“{}”无效：{e}", row.recipient)),
        };
        let text = banli_app::notify::email_text(
            &row.locale,
            row.recipient_name.as_deref().unwrap_or(&row.recipient),
            &row.body,
            &self.url(row),
        );
        let domain = m.from.email.domain().to_string();
        let message = Message::builder()
            .from(m.from.clone())
            .to(to)
            // One id per queued row: a resend after a crash is recognisably the same message.
            .message_id(Some(format!("<banli-{}@{domain}>", row.id)))
            .subject(row.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(text);
        let message = match message {
            Ok(msg) => msg,
            Err(e) => return Outcome::Refused(format!("无法生成邮件：{e}")),
        };
        match tokio::time::timeout(self.opts.timeout, m.transport.send(message)).await {
            Err(_) => Outcome::Retry("连接邮件服务器超时".into()),
            Ok(Ok(_)) => Outcome::Sent,
            // 5x5 (mailbox unavailable, not allowed …) is about this message; anything else —
            // connection, authentication, a full queue — about the server.
            Ok(Err(e)) => match e.status() {
                Some(c)
                    if c.severity == Severity::PermanentNegativeCompletion
                        && c.category == Category::MailSystem =>
                {
                    Outcome::Refused(format!("邮件服务器拒收：{e}"))
                }
                _ => Outcome::Retry(format!("邮件发送失败：{e}")),
            },
        }
    }

    async fn send_sms(&self, row: &Row) -> Outcome {
        let Some(w) = &self.sms else {
            return Outcome::Retry("未配置短信网关".into());
        };
        let text = banli_app::notify::sms_text(&row.locale, &row.subject, &self.url(row));
        let body = serde_json::json!({"to": row.recipient, "text": text}).to_string();
        let req = hyper::Request::post(w.url.clone())
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(hyper::body::Bytes::from(body)));
        let req = match req {
            Ok(r) => r,
            Err(e) => return Outcome::Refused(format!("无法生成短信请求：{e}")),
        };
        match tokio::time::timeout(self.opts.timeout, w.client.request(req)).await {
            Err(_) => Outcome::Retry("短信网关超时".into()),
            Ok(Err(e)) => Outcome::Retry(format!("短信网关不可达：{e}")),
            Ok(Ok(resp)) => {
                let s = resp.status();
                if s.is_success() {
                    Outcome::Sent
                } else if s.is_client_error() && s.as_u16() != 408 && s.as_u16() != 429 {
                    Outcome::Refused(format!("短信网关拒绝：HTTP {s}"))
                } else {
                    Outcome::Retry(format!("短信网关返回 HTTP {s}"))
                }
            }
        }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "banli".into())
}

fn build_mailer(m: &MailConfig, timeout: Duration) -> Result<Mailer, Error> {
    let host = m.host.trim();
    if host.is_empty() {
        return Err(Error::Config(
            "SMTP 主机为空：请设置 [mail] host 或 BANLI_SMTP_HOST".into(),
        ));
    }
    let from: Mailbox = m.from.trim().parse().map_err(|e| Error::Config(format!("发件人“{}”无效（{e}）：请设置 [mail] from 或 BANLI_SMTP_FROM，例如 提案办 <tian@example.gov.cn>", m.from)))?;
    let builder = match m.security {
        Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| Error::Config(format!("SMTP STARTTLS 设置失败：{e}")))?,
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|e| Error::Config(format!("SMTP TLS 设置失败：{e}")))?,
    };
    let mut builder = builder
        .port(m.port.unwrap_or(m.security.default_port()))
        .timeout(Some(timeout));
    match (&m.username, &m.password) {
        (Some(u), Some(p)) if !u.is_empty() => {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()))
        }
        (Some(u), None) if !u.is_empty() => {
            return Err(Error::Config(
                "设置了 SMTP 用户名但没有密码：请设置 BANLI_SMTP_PASSWORD".into(),
            ))
        }
        _ => {}
    }
    Ok(Mailer {
        transport: builder.build(),
        from,
    })
}

fn build_webhook(url: &str) -> Result<Webhook, Error> {
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| Error::Config(format!("短信网关地址“{url}”无效：{e}")))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(Error::Config(format!(
            "短信网关地址“{url}”须以 http:// 或 https:// 开头"
        )));
    }
    // ring named explicitly: the process-wide rustls default is left alone.
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| Error::Config(format!("短信网关 TLS 设置失败：{e}")))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    Ok(Webhook { client, url: uri })
}

/// Starts the notification tasks of `banli serve`: the deliverer (which also writes the
/// notifications of new events, so it runs even with no mail or SMS configured) and the
/// daily reminder. They stop when `shutdown` turns true.
pub fn spawn(
    app: App,
    cfg: NotifyConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<Running, Error> {
    let mut handles = Vec::new();
    if cfg.mail.is_none() {
        tracing::info!("e-mail is not configured (BANLI_SMTP_HOST or [mail] host): notifications stay in-app; e-mails wait in the queue");
    }
    let deliverer = Deliverer::new(app.clone(), cfg.mail, cfg.sms)?;
    if !deliverer.channels().is_empty() {
        tracing::info!(channels = ?deliverer.channels(), "delivering notifications");
    }
    handles.push(tokio::spawn(deliverer.run(shutdown.clone())));
    handles.push(tokio::spawn(run_daily_reminders(
        app,
        cfg.reminder_hour.min(23),
        shutdown,
    )));
    Ok(Running { handles })
}

/// The running notification tasks.
pub struct Running {
    handles: Vec<JoinHandle<()>>,
}

impl Running {
    /// Waits for the tasks to finish (after shutdown was signalled).
    pub async fn wait(self) {
        for h in self.handles {
            let _ = h.await;
        }
    }
}

/// `work`, unless shutdown is signalled first (then `None`): a day's reminder sweep over a
/// large organisation takes minutes, and a stopping server must not wait for it.
async fn stoppable<T>(
    shutdown: &mut watch::Receiver<bool>,
    work: impl std::future::Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        done = work => Some(done),
        _ = shutdown.wait_for(|stop| *stop) => None,
    }
}

/// Runs the daily reminder now if it has not run today, then every day at `hour`
/// (organisation time, UTC+8), until `shutdown` turns true.
pub async fn run_daily_reminders(app: App, hour: u32, mut shutdown: watch::Receiver<bool>) {
    let tz = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let mut first = true;
    while !*shutdown.borrow() {
        let now = Utc::now().with_timezone(&tz);
        let due = first || now.hour() >= hour;
        first = false;
        let mut wait = until_hour(now, hour);
        if due {
            match app.daily_reminders_ran(app.today()).await {
                Ok(true) => {}
                Ok(false) => match stoppable(&mut shutdown, app.send_daily_reminders()).await {
                    // Shutting down: the reminders written so far stay (each is its own
                    // transaction); the day's run is recorded only at its end, so the next
                    // start goes on from there.
                    None => break,
                    Some(sweep) => match sweep {
                        Ok(n) => {
                            tracing::info!(notifications = n, "daily reminder done");
                            match app.prune_delivered().await {
                                Ok((outbox, sent)) => {
                                    tracing::info!(
                                        outbox,
                                        sent,
                                        "old outbox rows and sent messages pruned"
                                    )
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "pruning failed; trying again tomorrow")
                                }
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "daily reminder failed; trying again in 10 minutes");
                            wait = Duration::from_secs(600);
                        }
                    },
                },
                Err(e) => {
                    tracing::warn!(error = %e, "could not check the daily reminder; trying again in 10 minutes");
                    wait = Duration::from_secs(600);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Time until the next `hour`:00 after `now` (at least a minute, so a run never repeats).
fn until_hour(now: chrono::DateTime<FixedOffset>, hour: u32) -> Duration {
    let today_at = now
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .expect("valid hour");
    let mut next = today_at;
    if now.naive_local() >= today_at {
        next += Span::days(1);
    }
    (next - now.naive_local())
        .to_std()
        .unwrap_or(Duration::from_secs(60))
        .max(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let o = Options::default();
        assert_eq!(backoff(&o, 1), Duration::from_secs(60));
        assert_eq!(backoff(&o, 2), Duration::from_secs(120));
        assert_eq!(backoff(&o, 3), Duration::from_secs(240));
        assert_eq!(backoff(&o, 7), Duration::from_secs(3600));
        assert_eq!(backoff(&o, 1000), Duration::from_secs(3600));
        let zero = Options {
            retry_base: Duration::ZERO,
            ..Options::default()
        };
        assert_eq!(backoff(&zero, 5), Duration::ZERO);
    }

    #[test]
    fn security_names() {
        assert_eq!("STARTTLS".parse::<Security>().unwrap(), Security::Starttls);
        assert_eq!("ssl".parse::<Security>().unwrap(), Security::Tls);
        assert_eq!("none".parse::<Security>().unwrap().default_port(), 25);
        assert!("smtp".parse::<Security>().is_err());
    }

    #[test]
    fn the_next_reminder_hour() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let at = |h, m| {
            chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
                .and_local_timezone(tz)
                .unwrap()
        };
        assert_eq!(until_hour(at(7, 30), 8), Duration::from_secs(30 * 60));
        assert_eq!(until_hour(at(8, 0), 8), Duration::from_secs(24 * 3600));
        assert_eq!(until_hour(at(9, 0), 8), Duration::from_secs(23 * 3600));
    }
}
