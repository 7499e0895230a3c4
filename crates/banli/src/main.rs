//! `banli`: the single binary. Serves the API, runs migrations, manages users, loads demo data
//! and measures itself.

mod backups;
mod bench;
mod config;
mod demo;
mod integrity;

use anyhow::{bail, Context};
use banli_app::{App, Settings};
use banli_domain::model::Role;
use banli_store::Db;
use clap::{Parser, Subcommand};
use config::{Config, FileConfig, DEFAULT_ORGANISATION};
use std::io::Read;
use std::path::PathBuf;
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "banli",
    version,
    about = "Banli 办理：提案与建议的提交、交办、答复、评价与公开"
)]
struct Cli {
    /// Data directory: holds banli.sqlite3 (the default database) and the search index.
    #[arg(long, global = true, env = "BANLI_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://…; default: DATA_DIR/banli.sqlite3.
    #[arg(long, global = true, env = "BANLI_DATABASE_URL")]
    database_url: Option<String>,
    /// A TOML file with data_dir, database_url, listen, organisation, public_base_url, log,
    /// pdf_font_dir and the [mail], [sms] and [reminders] tables (see the README).
    #[arg(long, global = true, env = "BANLI_CONFIG")]
    config: Option<PathBuf>,
    /// The organisation the commands act in (created on first use).
    #[arg(long, global = true, env = "BANLI_ORGANISATION")]
    organisation: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and, with --demo, load a demo organisation first).
    Serve {
        #[arg(long, env = "BANLI_LISTEN")]
        listen: Option<String>,
        /// Load a realistic demo organisation (into an empty database) and print its users.
        #[arg(long)]
        demo: bool,
        /// Base URL the public sees (QR codes, feeds, e-mails).
        #[arg(long, env = "BANLI_PUBLIC_BASE_URL")]
        public_base_url: Option<String>,
        /// Write a backup into DATA_DIR/backups this often while serving (e.g. 24h, 30m, 7d).
        #[arg(long, env = "BANLI_BACKUP_EVERY", value_parser = config::parse_every)]
        backup_every: Option<std::time::Duration>,
        /// How many scheduled backups to keep (the oldest beyond are deleted; 0 keeps all).
        #[arg(long, env = "BANLI_BACKUP_KEEP", default_value_t = 14)]
        backup_keep: usize,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Write every record to a backup file (a zip of JSON lines per table with a manifest of
    /// row counts and SHA-256 digests), consistent while the server keeps running. The search
    /// index is rebuilt from the database, not backed up.
    Backup {
        /// The backup file to write (.zip); with --every, the directory to write them into.
        file: PathBuf,
        /// Keep running and write a backup into the directory FILE this often (30m, 24h, 7d);
        /// `serve --backup-every` does the same inside the server.
        #[arg(long, value_parser = config::parse_every)]
        every: Option<std::time::Duration>,
        /// With --every: how many backups to keep in the directory (0 keeps all).
        #[arg(long, default_value_t = 14, requires = "every")]
        keep: usize,
    },
    /// Restore a backup file into an empty database (a new data directory or --database-url),
    /// all or nothing, then rebuild the search index. A backup of SQLite restores into
    /// PostgreSQL and back.
    Restore {
        /// The backup file to read.
        file: PathBuf,
        /// Delete what the database holds and restore over it (in one transaction).
        #[arg(long)]
        force: bool,
        /// Only check the file (manifest, counts, digests); write nothing.
        #[arg(long, conflicts_with = "force")]
        check: bool,
    },
    /// Import a session's items from .xlsx or .csv, all or nothing (see --template for the columns).
    Import {
        /// The .xlsx or .csv file (required unless --template).
        file: Option<PathBuf>,
        /// The session to import into (default: the most recent one).
        #[arg(long)]
        session: Option<i64>,
        /// Check every row and report, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// The office user the import is recorded under.
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
        /// What the file holds: items (default), units or users (units and users: an admin's import).
        #[arg(long, default_value = "items", value_parser = ["items", "units", "users"])]
        kind: String,
        /// Write the import template (.xlsx) to this file and exit.
        #[arg(long, value_name = "FILE.xlsx", conflicts_with_all = ["file", "dry_run"])]
        template: Option<PathBuf>,
    },
    /// Export a list or the statistics as .xlsx, as a user would see them.
    Export {
        /// items, assignments or stats
        what: String,
        /// The .xlsx file to write.
        file: PathBuf,
        /// The session (default: the most recent one).
        #[arg(long)]
        session: Option<i64>,
        /// The user whose view is exported (their role and unit decide what is in it).
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: String,
    },
    /// Rebuild the search index from the database (a running server is asked to do it).
    Reindex,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check that every published page shows exactly what was approved; exit 1 if not.
    Integrity {
        /// The live portal to fetch and compare (e.g. https://zxta.example.gov.cn).
        #[arg(long)]
        url: Option<String>,
        /// Repeat every N seconds (a scheduled check); report and keep going.
        #[arg(long)]
        every: Option<u64>,
    },
    /// Measure Banli: `lifecycles` (the default: lifecycles per second through the API and the
    /// demo build), `search` (the search index against SQLite FTS5 and PostgreSQL) and `page`
    /// (the public reply page against nginx under wrk).
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// The unit (full or short name, or id) of a unit_staff or unit_signer.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Where notifications are e-mailed.
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a new password, read from standard input.
    ResetPassword {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Print a new API token for the user.
    Token { name: String },
}

fn resolve(cli: &Cli, file: &FileConfig, listen: Option<String>, public: Option<String>) -> Config {
    let data_dir = cli
        .data_dir
        .clone()
        .or(file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("./banli-data"));
    let database_url = cli
        .database_url
        .clone()
        .or(file.database_url.clone())
        .unwrap_or_else(|| Db::sqlite_url(&data_dir));
    let listen = listen
        .or(file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let public_base_url = public
        .or(file.public_base_url.clone())
        .unwrap_or_else(|| format!("http://{listen}"));
    Config {
        data_dir,
        database_url,
        listen,
        organisation: cli
            .organisation
            .clone()
            .or(file.organisation.clone())
            .unwrap_or_else(|| DEFAULT_ORGANISATION.into()),
        public_base_url,
    }
}

/// Opens the database (creating the data directory and bringing the schema up to date) and the app.
async fn open(cfg: &Config) -> anyhow::Result<App> {
    if cfg.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", cfg.data_dir.display()))?;
    }
    let db = Db::connect(&cfg.database_url).await.with_context(|| {
        format!(
            "无法连接数据库 {}：请检查 --database-url 或 BANLI_DATABASE_URL",
            redact(&cfg.database_url)
        )
    })?;
    Ok(App::open(
        db,
        &cfg.organisation,
        Settings {
            public_base_url: cfg.public_base_url.clone(),
            backups: None,
        },
    )
    .await?)
}

async fn connect(cfg: &Config) -> anyhow::Result<Db> {
    if cfg.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", cfg.data_dir.display()))?;
    }
    Db::connect(&cfg.database_url).await.with_context(|| {
        format!(
            "无法连接数据库 {}：请检查 --database-url 或 BANLI_DATABASE_URL",
            redact(&cfg.database_url)
        )
    })
}

fn table_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(banli_store::backup::Schema::read().tables.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{what} [{{bar:40}}] {{pos}}/{{len}} 张表 {{msg}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

async fn backup(cfg: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let db = connect(cfg).await?;
    let bar = table_bar("备份");
    let done = banli_store::backup::to_file(&db, file, |table, rows| {
        bar.inc(1);
        bar.set_message(format!("{table}（累计 {rows} 行）"));
    })
    .await;
    bar.finish_and_clear();
    let m = done.with_context(|| {
        format!(
            "未能写入备份 {}：请检查目录是否存在、是否可写、磁盘空间是否足够",
            file.display()
        )
    })?;
    println!(
        "已备份 {} 张表、{} 行到 {}（SHA-256 {}）\n恢复：banli --data-dir 新目录 restore {}",
        m.tables.len(),
        m.rows,
        file.display(),
        m.sha256,
        file.display()
    );
    Ok(())
}

async fn restore(
    cfg: &Config,
    file: &std::path::Path,
    force: bool,
    check: bool,
) -> anyhow::Result<()> {
    let open_file = || {
        std::fs::File::open(file)
            .map(std::io::BufReader::new)
            .with_context(|| format!("无法读取备份文件 {}", file.display()))
    };
    if check {
        let m = banli_store::backup::check(open_file()?)?;
        println!(
            "备份完好：{} 张表、{} 行，取自 {}（{}），SHA-256 {}",
            m.tables.len(),
            m.rows,
            m.source,
            m.created_at,
            m.sha256
        );
        return Ok(());
    }
    let db = connect(cfg).await?;
    let bar = table_bar("恢复");
    let done = banli_store::backup::restore(&db, open_file()?, force, |table, rows| {
        bar.inc(1);
        bar.set_message(format!("{table}（累计 {rows} 行）"));
    })
    .await;
    bar.finish_and_clear();
    let m = done?;
    println!(
        "已恢复 {} 张表、{} 行到 {}（备份取于 {}）",
        m.tables.len(),
        m.rows,
        redact(&cfg.database_url),
        m.created_at
    );
    // The restored organisation, not a new empty one under the configured name: a restore
    // into a fresh data directory usually runs without the old --organisation.
    let names = banli_store::backup::organisations(&db).await?;
    db.close().await;
    let mut cfg = cfg.clone();
    if !names.contains(&cfg.organisation) {
        if let [only] = names.as_slice() {
            println!("备份中的机构为“{only}”：启动服务时请加 --organisation {only}（或在配置文件中设置 organisation）");
            cfg.organisation = only.clone();
        }
    }
    // The search index belongs to the database it was built from: rebuild it now.
    let app = open(&cfg).await?;
    reindex(&app, &cfg).await
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("无法从标准输入读取密码")?;
    let p = s.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        bail!("标准输入中没有密码：例如 echo 'S3cret-pass' | banli user add NAME --role office --password-stdin");
    }
    Ok(p)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("错误：{e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or(file.log.clone())
        .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
    match run(cli, file).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, file: FileConfig) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve {
            listen,
            demo,
            public_base_url,
            backup_every,
            backup_keep,
        } => {
            let cfg = resolve(&cli, &file, listen.clone(), public_base_url.clone());
            let notify = config::notify(&file)?;
            let mut app = open(&cfg).await?;
            app.settings.backups = Some(banli_app::backups::BackupSettings {
                dir: cfg.data_dir.join("backups"),
                every: *backup_every,
                keep: *backup_keep,
            });
            if *demo {
                let started = std::time::Instant::now();
                let users = demo::load(&app).await.context("载入演示数据失败")?;
                demo::print_users(&users, &cfg, started.elapsed());
            }
            let fonts = config::pdf_font_dir(&file);
            serve(app, &cfg, notify, fonts, config::metrics_token(&file)).await
        }
        Command::Import {
            file: input,
            session,
            dry_run,
            as_user,
            template,
            kind,
        } => {
            if let Some(path) = template {
                let bytes = banli_app::import::template().map_err(|e| anyhow::anyhow!("{e}"))?;
                std::fs::write(path, bytes)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
                println!("已写出导入模板 {}", path.display());
                return Ok(());
            }
            let Some(input) = input else {
                bail!("请给出要导入的 .xlsx 或 .csv 文件，或用 --template FILE.xlsx 取得模板")
            };
            let Some(user) = as_user else {
                bail!("请用 --as 指定记录导入的提案办用户，例如 --as office")
            };
            let cfg = resolve(&cli, &file, None, None);
            let app = open(&cfg).await?;
            import(&app, input, kind, *session, *dry_run, user).await
        }
        Command::Export {
            what,
            file: out,
            session,
            as_user,
        } => {
            let cfg = resolve(&cli, &file, None, None);
            let app = open(&cfg).await?;
            let actor = app
                .actor_by_name(as_user)
                .await
                .map_err(|_| anyhow::anyhow!("找不到用户“{as_user}”"))?;
            let session = match session {
                Some(s) => Some(*s),
                None => app.list_sessions().await?.last().map(|s| s.id),
            };
            let bytes = match what.as_str() {
                "items" => {
                    app.items_workbook(
                        &actor,
                        banli_app::view::ItemQuery {
                            session_id: session,
                            ..Default::default()
                        },
                    )
                    .await?
                }
                "assignments" => app.assignments_workbook(&actor, Default::default()).await?,
                "stats" => {
                    app.stats_workbook(
                        &actor,
                        banli_app::stats::StatsQuery {
                            session_id: session.context("还没有届次会议")?,
                            from: None,
                            to: None,
                        },
                    )
                    .await?
                }
                other => bail!("不能导出“{other}”：可选 items、assignments、stats"),
            };
            std::fs::write(out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已导出 {}", out.display());
            Ok(())
        }
        Command::Reindex => {
            let cfg = resolve(&cli, &file, None, None);
            let app = open(&cfg).await?;
            reindex(&app, &cfg).await
        }
        Command::Migrate => {
            let cfg = resolve(&cli, &file, None, None);
            open(&cfg).await?;
            println!("数据库结构已是最新：{}", redact(&cfg.database_url));
            Ok(())
        }
        Command::Backup {
            file: target,
            every: None,
            ..
        } => {
            let cfg = resolve(&cli, &file, None, None);
            backup(&cfg, target).await
        }
        Command::Backup {
            file: dir,
            every: Some(every),
            keep,
        } => {
            let cfg = resolve(&cli, &file, None, None);
            let db = connect(&cfg).await?;
            loop {
                let b = banli_store::backup::to_dir(&db, dir, *keep)
                    .await
                    .with_context(|| format!("未能写入备份目录 {}", dir.display()))?;
                println!(
                    "已备份到 {}（{} 字节）",
                    dir.join(&b.name).display(),
                    b.bytes
                );
                tokio::select! {
                    _ = tokio::time::sleep(*every) => {}
                    _ = shutdown_signal() => return Ok(()),
                }
            }
        }
        Command::Restore {
            file: source,
            force,
            check,
        } => {
            let cfg = resolve(&cli, &file, None, None);
            restore(&cfg, source, *force, *check).await
        }
        Command::User { command } => {
            let cfg = resolve(&cli, &file, None, None);
            let app = open(&cfg).await?;
            user(&app, command).await
        }
        Command::Integrity { url, every } => {
            let cfg = resolve(&cli, &file, None, url.clone());
            let app = open(&cfg).await?;
            loop {
                let (n, findings) = integrity::check(&app, url.as_deref()).await?;
                for f in &findings {
                    println!("{}\t{}", f.page, f.problem);
                }
                println!(
                    "检查了 {n} 份公开文件{}：{}",
                    if url.is_some() {
                        "及其线上页面"
                    } else {
                        ""
                    },
                    if findings.is_empty() {
                        "全部与批准内容一致".to_string()
                    } else {
                        format!("{} 处问题", findings.len())
                    }
                );
                match every {
                    Some(secs) => {
                        tokio::time::sleep(std::time::Duration::from_secs((*secs).max(10))).await
                    }
                    None if findings.is_empty() => return Ok(()),
                    None => bail!(
                        "发现 {} 处公开内容与批准内容不一致，请核查上面列出的页面",
                        findings.len()
                    ),
                }
            }
        }
        Command::Bench(args) => {
            let cfg = resolve(&cli, &file, None, None);
            bench::run(&cfg, args).await
        }
    }
}

async fn user(app: &App, command: &UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            name,
            role,
            unit,
            display_name,
            email,
            ..
        } => {
            let role = Role::parse(role).with_context(|| {
                format!("未知角色“{role}”：可选 proposer、office、unit_staff、unit_signer、admin")
            })?;
            let unit_id = match unit {
                None => None,
                Some(u) => Some(
                    app.list_units()
                        .await?
                        .into_iter()
                        .find(|x| {
                            x.name == *u
                                || x.short_name.as_deref() == Some(u)
                                || x.id.to_string() == *u
                        })
                        .map(|x| x.id)
                        .with_context(|| format!("找不到单位“{u}”"))?,
                ),
            };
            let password = read_password()?;
            let out = app
                .insert_user(
                    None,
                    banli_app::admin::NewUser {
                        username: name.clone(),
                        password,
                        display_name: display_name.clone().unwrap_or_else(|| name.clone()),
                        role,
                        unit_id,
                        sector: None,
                        email: email.clone(),
                        phone: None,
                    },
                )
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{}{e}",
                        e.field().map(|f| format!("{f}: ")).unwrap_or_default()
                    )
                })?;
            println!("已创建用户 {}（{}，id {}）", out.username, out.role, out.id);
            Ok(())
        }
        UserCommand::ResetPassword { name, .. } => {
            let password = read_password()?;
            app.reset_password(None, name, &password).await?;
            println!("已重设 {name} 的密码");
            Ok(())
        }
        UserCommand::Token { name } => {
            let actor = app.actor_by_name(name).await?;
            println!("{}", app.issue_token(actor.user_id, "cli").await?);
            Ok(())
        }
    }
}

/// This instance's search index, in the data directory, with the units' names in its dictionary.
async fn open_index(app: &App, cfg: &Config) -> anyhow::Result<banli_search::SearchIndex> {
    let dir = cfg.data_dir.join("index");
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建索引目录 {}", dir.display()))?;
    let words = app.dictionary_words().await?;
    banli_search::SearchIndex::open_or_create_with_dict(&dir, &words)
        .map_err(|e| anyhow::anyhow!("无法打开搜索索引 {}：{e}", dir.display()))
}

async fn import(
    app: &App,
    path: &std::path::Path,
    kind: &str,
    session: Option<i64>,
    dry_run: bool,
    user: &str,
) -> anyhow::Result<()> {
    let actor = app
        .actor_by_name(user)
        .await
        .map_err(|_| anyhow::anyhow!("找不到用户“{user}”"))?;
    let table = banli_docs::read_table(path, app.import_limits().await?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if kind != "items" {
        let result = if kind == "units" {
            app.import_units(&actor, &table, dry_run).await
        } else {
            app.import_users(&actor, &table, dry_run).await
        };
        return match result {
            Ok(n) => {
                println!(
                    "{}：{n} 行",
                    if dry_run {
                        "检查通过（未写入）"
                    } else {
                        "已导入"
                    }
                );
                Ok(())
            }
            Err(e) => import_failed(e),
        };
    }
    let session = match session {
        Some(s) => s,
        None => app
            .list_sessions()
            .await?
            .last()
            .map(|s| s.id)
            .context("还没有届次会议：请先创建（POST /api/v1/sessions）")?,
    };
    let bar = indicatif::ProgressBar::new(table.rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("导入 [{bar:40}] {pos}/{len} 行 {per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let result = app
        .import_items(&actor, session, &table, dry_run, |done, _| {
            bar.set_position(done as u64)
        })
        .await;
    bar.finish_and_clear();
    match result {
        Ok(r) => {
            let verb = if r.dry_run {
                "检查通过（未写入，去掉 --dry-run 即可导入）"
            } else {
                "已导入"
            };
            println!(
                "{verb}：{} 行，立案 {} 件，待立案 {} 件，交办 {} 个单位次，用时 {:.1} 秒",
                r.rows,
                r.filed,
                r.submitted,
                r.assignments,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e) => import_failed(e),
    }
}

/// Lists every problem of a refused file, then fails.
fn import_failed(e: banli_app::import::ImportError) -> anyhow::Result<()> {
    match e {
        banli_app::import::ImportError::Rows(issues) => {
            for i in &issues {
                eprintln!("第{}行 {}：{}", i.row, i.column, i.reason);
            }
            bail!(
                "{} 处问题，整个文件都没有导入；改正后重新导入",
                issues.len()
            )
        }
        banli_app::import::ImportError::App(e) => Err(anyhow::anyhow!("{e}")),
    }
}

async fn reindex(app: &App, cfg: &Config) -> anyhow::Result<()> {
    let index = match open_index(app, cfg).await {
        Ok(i) => i,
        Err(e) if e.to_string().to_lowercase().contains("lock") => {
            app.request_reindex().await?;
            println!(
                "搜索索引正被运行中的服务器使用：已请求它重建索引（几秒后生效，可查看 /healthz）"
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "重建索引 [{bar:40}] {pos}/{len} 件 {per_sec} 剩余 {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let n = banli_web::indexer::rebuild(app, &index, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "已重建搜索索引：{n} 件提案，用时 {:.1} 秒，共 {} 条索引文档",
        started.elapsed().as_secs_f64(),
        index.num_docs()
    );
    Ok(())
}

async fn serve(
    app: App,
    cfg: &Config,
    notify: banli_notify::NotifyConfig,
    pdf_fonts: Option<std::path::PathBuf>,
    metrics_token: Option<String>,
) -> anyhow::Result<()> {
    // The PDF fonts (~120 MB) load beside the start-up; a missing font is logged with what to
    // install, and only the PDF downloads answer 503 until it is there.
    tokio::task::spawn_blocking(move || {
        if let Err(e) = banli_web::pdf::init_fonts(pdf_fonts) {
            tracing::error!(error = %e, "PDF letters are unavailable");
            eprintln!("警告：{e}");
        }
    });
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .ok()
        .map(|handle| banli_web::Metrics {
            handle,
            token: metrics_token,
        });
    let db = app.db.clone();
    let index = std::sync::Arc::new(open_index(&app, cfg).await.context(
        "另一个 banli 进程可能正在使用同一数据目录的索引；每个实例需要自己的 --data-dir",
    )?);
    tokio::spawn(banli_web::indexer::run(app.clone(), index.clone()));
    let listener = TcpListener::bind(&cfg.listen).await.with_context(|| {
        format!(
            "无法监听 {}：端口可能已被占用，请用 --listen 换一个",
            cfg.listen
        )
    })?;
    // E-mail, SMS and the daily reminder; stopped with the server.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let notifier = banli_notify::spawn(app.clone(), notify, stopping.clone())?;
    tokio::spawn(backups::schedule(app.clone(), stopping));
    let router = banli_web::router(app, metrics, Some(index));
    tracing::info!(listen = %cfg.listen, database = %redact(&cfg.database_url), "Banli is serving");
    eprintln!(
        "Banli 已启动：{}（API 文档 {}/api/v1/openapi.json）",
        cfg.public_base_url, cfg.public_base_url
    );
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await?;
    notifier.wait().await;
    db.close().await;
    tracing::info!("Banli stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
