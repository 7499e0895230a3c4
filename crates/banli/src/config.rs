//! Configuration: command-line flags, then `BANLI_*` variables, then the `--config` TOML
//! file, then defaults.

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    /// The organisation the CLI and the API act in (e.g. 湖南省政协).
    pub organisation: Option<String>,
    pub public_base_url: Option<String>,
    pub log: Option<String>,
    /// `[mail]`: the SMTP server notifications are e-mailed through.
    pub mail: Option<MailFile>,
    /// `[sms]`: the webhook text messages are posted to.
    pub sms: Option<SmsFile>,
    /// `[reminders]`: when the daily reminder of yellow and red clocks runs.
    pub reminders: Option<RemindersFile>,
    /// A directory of the deployment's licensed fonts (仿宋_GB2312, 方正小标宋) for the PDF
    /// letters, used before Debian's Noto CJK.
    pub pdf_font_dir: Option<PathBuf>,
    /// The bearer token a Prometheus scraper sends for `/metrics` (`BANLI_METRICS_TOKEN`
    /// overrides it); without one, `/metrics` is not served.
    pub metrics_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFile {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// e.g. "提案办 <tian@zx.example.gov.cn>"
    pub from: Option<String>,
    /// none | starttls | tls
    pub security: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    pub webhook_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindersFile {
    /// 0–23, organisation time (default 8).
    pub hour: Option<u32>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("读取配置文件 {} 失败", path.display()))?;
        toml::from_str(&text).with_context(|| format!("配置文件 {} 格式有误", path.display()))
    }
}

/// Everything a command needs, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    pub organisation: String,
    pub public_base_url: String,
}

/// `BANLI_METRICS_TOKEN` over the file's `metrics_token`; empty means none.
pub fn metrics_token(file: &FileConfig) -> Option<String> {
    std::env::var("BANLI_METRICS_TOKEN")
        .ok()
        .or_else(|| file.metrics_token.clone())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// `BANLI_PDF_FONT_DIR` over the file's `pdf_font_dir`.
pub fn pdf_font_dir(file: &FileConfig) -> Option<PathBuf> {
    std::env::var_os("BANLI_PDF_FONT_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| file.pdf_font_dir.clone())
}

pub const DEFAULT_ORGANISATION: &str = "湖南省政协";

/// Notification settings for `serve`: `BANLI_SMTP_*`, `BANLI_SMS_WEBHOOK` and
/// `BANLI_REMINDER_HOUR` over `[mail]`, `[sms]` and `[reminders]` of the file. Mail is on when a
/// host is set; its security defaults by port (465 tls, 25 none, otherwise starttls).
pub fn notify(file: &FileConfig) -> anyhow::Result<banli_notify::NotifyConfig> {
    notify_from(file, |k| std::env::var(k).ok())
}

fn notify_from(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<banli_notify::NotifyConfig> {
    let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let m = file.mail.as_ref();
    let pick = |var: &str, from_file: Option<&String>| env(var).or_else(|| from_file.cloned());
    let mail = match pick("BANLI_SMTP_HOST", m.and_then(|m| m.host.as_ref())) {
        None => None,
        Some(host) => {
            let port = match env("BANLI_SMTP_PORT") {
                Some(p) => Some(
                    p.trim()
                        .parse::<u16>()
                        .with_context(|| format!("BANLI_SMTP_PORT“{p}”不是端口号（1–65535）"))?,
                ),
                None => m.and_then(|m| m.port),
            };
            let security = match pick("BANLI_SMTP_SECURITY", m.and_then(|m| m.security.as_ref())) {
                Some(s) => s.parse::<banli_notify::Security>()?,
                None => match port {
                    Some(465) => banli_notify::Security::Tls,
                    Some(25) => banli_notify::Security::None,
                    _ => banli_notify::Security::Starttls,
                },
            };
            let from = pick("BANLI_SMTP_FROM", m.and_then(|m| m.from.as_ref())).context("已设置邮件服务器但没有发件人：请设置 BANLI_SMTP_FROM 或 [mail] from，例如 提案办 <tian@example.gov.cn>")?;
            Some(banli_notify::MailConfig {
                host,
                port,
                username: pick("BANLI_SMTP_USERNAME", m.and_then(|m| m.username.as_ref())),
                password: pick("BANLI_SMTP_PASSWORD", m.and_then(|m| m.password.as_ref())),
                from,
                security,
            })
        }
    };
    let webhook_url = pick(
        "BANLI_SMS_WEBHOOK",
        file.sms.as_ref().and_then(|s| s.webhook_url.as_ref()),
    );
    let reminder_hour = match env("BANLI_REMINDER_HOUR") {
        Some(h) => h
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|h| *h < 24)
            .with_context(|| format!("BANLI_REMINDER_HOUR“{h}”须是0到23之间的整数"))?,
        None => file.reminders.as_ref().and_then(|r| r.hour).unwrap_or(8),
    };
    if reminder_hour > 23 {
        anyhow::bail!("[reminders] hour = {reminder_hour}：须是0到23之间的整数");
    }
    Ok(banli_notify::NotifyConfig {
        mail,
        sms: banli_notify::SmsConfig { webhook_url },
        reminder_hour,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn file(toml_text: &str) -> FileConfig {
        toml::from_str(toml_text).expect("valid config")
    }

    #[test]
    fn mail_is_off_without_a_host() {
        let n = notify_from(&FileConfig::default(), |_| None).unwrap();
        assert!(n.mail.is_none());
        assert!(n.sms.webhook_url.is_none());
        assert_eq!(n.reminder_hour, 8);
    }

    #[test]
    fn variables_override_the_file() {
        let f = file("[mail]\nhost = \"smtp.file\"\nport = 2525\nfrom = \"a@file.example\"\nusername = \"u\"\npassword = \"p\"\n[sms]\nwebhook_url = \"http://sms.file/send\"\n[reminders]\nhour = 7\n");
        let n = notify_from(&f, |_| None).unwrap();
        let m = n.mail.unwrap();
        assert_eq!(
            (m.host.as_str(), m.port, m.security),
            ("smtp.file", Some(2525), banli_notify::Security::Starttls)
        );
        assert_eq!(n.reminder_hour, 7);
        let env: HashMap<&str, &str> = [
            ("BANLI_SMTP_HOST", "smtp.env"),
            ("BANLI_SMTP_PORT", "465"),
            ("BANLI_SMTP_PASSWORD", "secret"),
            ("BANLI_SMS_WEBHOOK", "https://sms.env/x"),
            ("BANLI_REMINDER_HOUR", "6"),
            ("BANLI_SMTP_FROM", ""),
        ]
        .into();
        let n = notify_from(&f, |k| env.get(k).map(|v| v.to_string())).unwrap();
        let m = n.mail.unwrap();
        assert_eq!(
            (m.host.as_str(), m.port, m.security),
            ("smtp.env", Some(465), banli_notify::Security::Tls),
            "port 465 means TLS"
        );
        assert_eq!(m.password.as_deref(), Some("secret"));
        assert_eq!(m.username.as_deref(), Some("u"));
        assert_eq!(
            m.from, "a@file.example",
            "an empty variable does not blank the file's value"
        );
        assert_eq!(n.sms.webhook_url.as_deref(), Some("https://sms.env/x"));
        assert_eq!(n.reminder_hour, 6);
    }

    #[test]
    fn bad_values_say_what_to_fix() {
        let host = |extra: &'static str| {
            move |k: &str| match k {
                "BANLI_SMTP_HOST" => Some("smtp.example".to_string()),
                "BANLI_SMTP_FROM" if extra != "nofrom" => Some("a@example.gov.cn".to_string()),
                "BANLI_SMTP_PORT" if extra == "port" => Some("smtp".to_string()),
                "BANLI_SMTP_SECURITY" if extra == "security" => Some("ssl3".to_string()),
                "BANLI_REMINDER_HOUR" if extra == "hour" => Some("24".to_string()),
                _ => None,
            }
        };
        let f = FileConfig::default();
        assert!(notify_from(&f, host("nofrom"))
            .unwrap_err()
            .to_string()
            .contains("BANLI_SMTP_FROM"));
        assert!(notify_from(&f, host("port"))
            .unwrap_err()
            .to_string()
            .contains("BANLI_SMTP_PORT"));
        assert!(notify_from(&f, host("security"))
            .unwrap_err()
            .to_string()
            .contains("starttls"));
        assert!(notify_from(&f, host("hour"))
            .unwrap_err()
            .to_string()
            .contains("BANLI_REMINDER_HOUR"));
        let m = notify_from(&f, host("")).unwrap().mail.unwrap();
        assert_eq!(m.security, banli_notify::Security::Starttls);
    }
}

/// `--backup-every`: a whole number with a unit, `30m`, `24h` or `7d` (at least a minute).
pub fn parse_every(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("“{s}”不是时间间隔：请写成 30m、24h 或 7d"))?;
    let secs = match unit {
        "m" => n * 60,
        "h" => n * 3_600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "“{s}”的单位须为 m（分钟）、h（小时）或 d（天），如 24h"
            ))
        }
    };
    if secs < 60 {
        return Err("备份间隔至少 1 分钟（1m）".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod every_tests {
    use super::parse_every;
    use std::time::Duration;

    #[test]
    fn intervals_read_as_an_admin_writes_them() {
        assert_eq!(parse_every("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_every("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_every("7d"), Ok(Duration::from_secs(604_800)));
        for bad in ["", "24", "h", "0m", "1.5h", "-1h", "24 hours"] {
            assert!(parse_every(bad).is_err(), "{bad} accepted");
        }
    }
}
