//! The demo organisation of `banli serve --demo`.

mod catalog;

use banli_app::App;

pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub role: String,
    pub display_name: String,
    pub unit: Option<String>,
}

pub async fn load(_app: &App) -> anyhow::Result<Vec<DemoUser>> {
    anyhow::bail!("demo data is not written yet")
}

pub fn print_users(users: &[DemoUser], cfg: &crate::config::Config, took: std::time::Duration) {
    eprintln!("演示数据已载入（{:.1} 秒）。打开 {} ，用以下账号登录：", took.as_secs_f64(), cfg.public_base_url);
    for u in users {
        eprintln!("  {:<12} {:<14} 密码 {:<12} {}{}", u.role, u.username, u.password, u.display_name, u.unit.as_deref().map(|x| format!("（{x}）")).unwrap_or_default());
    }
}
