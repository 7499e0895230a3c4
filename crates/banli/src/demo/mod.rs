//! The demo organisation of `banli serve --demo`: 湖南省政协 with its past session
//! (十三届一次会议, nearly all closed) and its current session (十三届二次会议, items in
//! every state), ~37 units, and a user of every role.
//!
//! Everything goes through the use cases of `banli_app` — never SQL — so the demo obeys the
//! real rules: `plan.rs` writes the story as dated steps, `exec.rs` replays them in date
//! order while moving the app's clock. Loading is idempotent: on a data directory that
//! already has items only the (missing) users are created and the list is returned.

mod catalog;
mod exec;
mod plan;

use anyhow::Context;
use banli_app::admin::{NewSession, NewUnit, NewUser};
use banli_app::view::ItemQuery;
use banli_app::{Actor, App};
use banli_domain::model::{ItemKind, Role};
use catalog::*;

pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub role: String,
    pub display_name: String,
    pub unit: Option<String>,
}

/// Every demo account's password.
pub const PASSWORD: &str = "banli-demo";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
    "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪",
];
const STAFF_GIVEN: &[&str] = &[
    "敏", "静", "丽娟", "晓明", "雪梅", "红英", "春华", "秀兰", "文涛", "玉梅", "婷", "磊", "洋",
    "艳", "杰", "娟", "涛", "超", "霞", "佳琪", "思远", "雨欣", "子涵", "浩然", "欣怡", "晓东",
    "亚楠", "倩", "鹏", "琳",
];
const SIGNER_GIVEN: &[&str] = &[
    "建国", "海涛", "志勇", "卫国", "国强", "建平", "立新", "振宇", "伟民", "德明", "湘平", "永红",
    "正刚", "光辉", "长青", "明亮", "新华", "跃进", "学军", "少华", "汉林", "春生", "爱国", "庆丰",
    "云峰", "家驹", "铁军",
];

fn staff_name(unit: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[(unit * 5 + 3) % SURNAMES.len()],
        STAFF_GIVEN[(unit * 7 + 1) % STAFF_GIVEN.len()]
    )
}

fn signer_name(unit: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[(unit * 11 + 17) % SURNAMES.len()],
        SIGNER_GIVEN[(unit * 5 + 2) % SIGNER_GIVEN.len()]
    )
}

fn member_username(i: usize) -> String {
    format!("member{:02}", i + 1)
}

/// The demo's accounts, in print order; `unit` is an index into UNITS.
struct Account {
    username: String,
    display_name: String,
    role: Role,
    unit: Option<usize>,
    sector: Option<&'static str>,
}

fn accounts() -> Vec<Account> {
    let mut out = vec![
        Account {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            role: Role::Admin,
            unit: None,
            sector: None,
        },
        Account {
            username: "office".into(),
            display_name: "提案委员会办公室 王立新".into(),
            role: Role::Office,
            unit: None,
            sector: None,
        },
    ];
    for (i, p) in PROPOSERS.iter().enumerate() {
        out.push(Account {
            username: member_username(i),
            display_name: p.display_name.into(),
            role: Role::Proposer,
            unit: None,
            sector: Some(p.sector),
        });
    }
    for i in 0..UNITS.len() {
        out.push(Account {
            username: format!("u{:02}staff", i + 1),
            display_name: staff_name(i),
            role: Role::UnitStaff,
            unit: Some(i),
            sector: None,
        });
        out.push(Account {
            username: format!("u{:02}signer", i + 1),
            display_name: signer_name(i),
            role: Role::UnitSigner,
            unit: Some(i),
            sector: None,
        });
    }
    out
}

pub async fn load(app: &App) -> anyhow::Result<Vec<DemoUser>> {
    let accounts = accounts();
    let demo_users: Vec<DemoUser> = accounts
        .iter()
        .map(|a| DemoUser {
            username: a.username.clone(),
            password: PASSWORD.to_string(),
            role: a.role.as_str().to_string(),
            display_name: a.display_name.clone(),
            unit: a.unit.map(|u| UNITS[u].name.to_string()),
        })
        .collect();

    // The first admin, without an acting admin.
    if app.user_by_name("admin").await?.is_none() {
        app.insert_user(
            None,
            NewUser {
                username: "admin".into(),
                password: PASSWORD.into(),
                display_name: "系统管理员".into(),
                role: Role::Admin,
                unit_id: None,
                sector: None,
                email: None,
                phone: None,
            },
        )
        .await?;
    }
    let admin = app.actor_by_name("admin").await?;

    // Units: parents before sub-units.
    let mut units: Vec<Option<i64>> = vec![None; UNITS.len()];
    let existing = app.list_units().await?;
    for (i, u) in UNITS.iter().enumerate() {
        units[i] = existing
            .iter()
            .find(|x| x.short_name.as_deref() == Some(u.short_name) || x.name == u.name)
            .map(|x| x.id);
    }
    for pass in [false, true] {
        for (i, u) in UNITS.iter().enumerate() {
            if units[i].is_some() || u.parent.is_some() != pass {
                continue;
            }
            let parent_id = match u.parent {
                Some(p) => Some(
                    units[UNITS
                        .iter()
                        .position(|x| x.short_name == p)
                        .context("上级单位不在目录中")?]
                    .context("上级单位尚未创建")?,
                ),
                None => None,
            };
            let nu = NewUnit {
                name: u.name.into(),
                short_name: Some(u.short_name.into()),
                parent_id,
                doc_prefix: Some(u.doc_prefix.into()),
                doc_prefix_suggestion: Some(u.doc_prefix_suggestion.into()),
            };
            units[i] = Some(
                app.create_unit(&admin, nu.into())
                    .await
                    .with_context(|| format!("创建单位“{}”失败", u.name))?
                    .id,
            );
        }
    }
    let units: Vec<i64> = units
        .into_iter()
        .map(|u| u.expect("every unit exists"))
        .collect();
    tracing::info!("演示数据：{} 个承办单位就绪", units.len());

    // Users: argon2 hashing is the fixed cost, so missing users are created in parallel.
    let mut tasks = tokio::task::JoinSet::new();
    let mut created = 0;
    for a in &accounts {
        if app.user_by_name(&a.username).await?.is_some() {
            continue;
        }
        created += 1;
        let (app, admin) = (app.clone(), admin.clone());
        let nu = NewUser {
            username: a.username.clone(),
            password: PASSWORD.into(),
            display_name: a.display_name.clone(),
            role: a.role,
            unit_id: a.unit.map(|u| units[u]),
            sector: a.sector.map(str::to_string),
            email: None,
            phone: None,
        };
        tasks.spawn(async move {
            let name = nu.username.clone();
            app.create_user(&admin, nu.into())
                .await
                .with_context(|| format!("创建用户 {name} 失败"))
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.context("创建用户的任务失败")??;
    }
    tracing::info!(
        "演示数据：{} 个用户就绪（新建 {created} 个）",
        accounts.len()
    );

    let office = app.actor_by_name("office").await?;
    if app
        .list_items(
            &office,
            ItemQuery {
                per_page: Some(1),
                ..Default::default()
            },
        )
        .await?
        .total
        > 0
    {
        tracing::info!("演示数据：机构中已有提案，不再重复载入");
        return Ok(demo_users);
    }

    // Categories: the organisation starts with the catalog's (DESIGN §2).
    let have: Vec<String> = app.categories().await?.into_iter().map(|c| c.1).collect();
    if let Some(missing) = CATEGORIES.iter().find(|c| !have.iter().any(|h| h == *c)) {
        anyhow::bail!("机构缺少类别“{missing}”，无法载入演示数据");
    }
    tracing::info!(
        "演示数据：为{}（{ORGANISATION_NAME}）载入两次会议的提案",
        ORGANISATION_FULL_NAME
    );

    // Sessions.
    let sessions = app.list_sessions().await?;
    let mut session_ids = vec![];
    for (name, term, sitting, opened_on, cutoff) in [
        (
            PAST_SESSION.0,
            PAST_SESSION.1,
            PAST_SESSION.2,
            plan::d(2025, 1, 12),
            plan::d(2025, 1, 20),
        ),
        (
            CURRENT_SESSION.0,
            CURRENT_SESSION.1,
            CURRENT_SESSION.2,
            plan::d(2026, 1, 18),
            plan::d(2026, 1, 25),
        ),
    ] {
        let id = match sessions
            .iter()
            .find(|s| s.kind == "proposal" && s.term == term as i64 && s.sitting == sitting as i64)
        {
            Some(s) => s.id,
            None => {
                let ns = NewSession {
                    name: name.into(),
                    body_name: ORGANISATION_NAME.into(),
                    kind: ItemKind::Proposal,
                    term: term as i64,
                    sitting: sitting as i64,
                    opened_on,
                    cosign_cutoff: Some(cutoff),
                };
                app.create_session(&admin, ns.into()).await?.id
            }
        };
        session_ids.push(id);
    }

    // The story.
    let mut planner = plan::Planner::new(app.calendar().await?);
    planner.build();
    if !planner.errors.is_empty() {
        anyhow::bail!("演示剧本有误：\n{}", planner.errors.join("\n"));
    }
    tracing::info!(
        "演示数据：剧本共 {} 件提案、{} 个步骤，开始办理",
        planner.items.len(),
        planner.steps.len()
    );

    let actor = |name: String| async move {
        app.actor_by_name(&name)
            .await
            .with_context(|| format!("找不到用户 {name}"))
    };
    let mut members: Vec<Actor> = vec![];
    for i in 0..PROPOSERS.len() {
        members.push(actor(member_username(i)).await?);
    }
    let (mut staff, mut signers) = (vec![], vec![]);
    for i in 0..UNITS.len() {
        staff.push(actor(format!("u{:02}staff", i + 1)).await?);
        signers.push(actor(format!("u{:02}signer", i + 1)).await?);
    }
    let world = exec::World {
        office,
        members,
        staff,
        signers,
        units,
        past_session: session_ids[0],
        current_session: session_ids[1],
    };
    let result = exec::run(app, &world, &planner).await;
    // The past session is closed out: a new item goes to the current one (on the story's
    // last day, while the demo's clock still stands there).
    let closed = match result {
        Ok(()) => app
            .close_session(&admin, world.past_session, true)
            .await
            .map(drop)
            .map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    app.set_today(None);
    closed?;
    tracing::info!("演示数据：{} 件提案已按剧本办理完毕", planner.items.len());
    Ok(demo_users)
}

/// Pads to a display width, counting CJK characters as two columns.
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// One account per role, then how the other accounts are named (not a hundred lines).
pub fn print_users(users: &[DemoUser], cfg: &crate::config::Config, took: std::time::Duration) {
    eprintln!(
        "演示数据已载入（{:.1} 秒）。打开 {} ，用以下账号登录（密码均为 {PASSWORD}）：",
        took.as_secs_f64(),
        cfg.public_base_url
    );
    let role_label = |r: &str| match r {
        "admin" => "系统管理员",
        "office" => "提案委员会",
        "proposer" => "委员",
        "unit_staff" => "承办单位经办人",
        "unit_signer" => "承办单位签发人",
        _ => "",
    };
    for role in ["admin", "office", "proposer", "unit_staff", "unit_signer"] {
        if let Some(u) = users.iter().find(|u| u.role == role) {
            eprintln!(
                "  {} {:<12} 密码 {:<11} {}{}",
                pad(role_label(role), 14),
                u.username,
                u.password,
                u.display_name,
                u.unit
                    .as_deref()
                    .map(|x| format!("（{x}）"))
                    .unwrap_or_default()
            );
        }
    }
    let members = users.iter().filter(|u| u.role == "proposer").count();
    let units = users.iter().filter(|u| u.role == "unit_staff").count();
    eprintln!("  其余账号：委员 member01…member{members:02}；每个承办单位有经办人 uNNstaff 和签发人 uNNsigner（NN 为下列单位序号，01…{units:02}）：");
    let mut line = String::new();
    for (i, u) in UNITS.iter().enumerate() {
        line.push_str(&format!("{:02} {}  ", i + 1, u.short_name));
        if (i + 1) % 6 == 0 || i + 1 == UNITS.len() {
            eprintln!("    {}", line.trim_end());
            line.clear();
        }
    }
}
