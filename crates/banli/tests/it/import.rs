//! `banli import`: a good file imports exactly its rows; a bad one imports nothing and names
//! every row and column; a kill half-way leaves the database as it was.

use crate::harness::*;
use crate::lifecycle::on_both;
use serde_json::json;

async fn banli(t: &TestApp, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--database-url", &t.db_url];
    all.extend_from_slice(args);
    tokio::process::Command::new(env!("CARGO_BIN_EXE_banli"))
        .args(&all)
        .output()
        .await
        .unwrap()
}

/// `banli import FILE --session S --as WHO`.
async fn import_file(
    t: &TestApp,
    file: &std::path::Path,
    session: &str,
    who: &str,
) -> std::process::Output {
    banli(
        t,
        &[
            "import",
            file.to_str().unwrap(),
            "--session",
            session,
            "--as",
            who,
        ],
    )
    .await
}

async fn item_count(t: &TestApp) -> i64 {
    t.get("office", "/api/v1/items?per_page=1").await.ok()["total"]
        .as_i64()
        .unwrap()
}

const HEADER: &str = "案号,标题,提案人,提出方式,类别,内容,提交日期,主办单位,会办单位,分办单位";

on_both!(import_is_all_or_nothing);
async fn import_is_all_or_nothing(t: &TestApp) {
    let w = world(t).await;
    let dir = tempfile::tempdir().unwrap();
    let session = w.session.to_string();
    // The template carries the columns.
    let tpl = dir.path().join("template.xlsx");
    assert!(banli(t, &["import", "--template", tpl.to_str().unwrap()])
        .await
        .status
        .success());
    let table = banli_docs::read_table(&tpl, Default::default()).unwrap();
    assert_eq!(table.headers.join(","), HEADER);

    // A good file: a numbered item assigned at once, an item waiting to be filed, a collective item.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{HEADER}\n0007,关于洞庭湖湿地保护的提案,p1、p2,联名,生态文明建设,洞庭湖湿地保护正文,2023-01-15,省发展改革委,省财政厅,\n,关于乡村教师待遇的提案,用户p3,个人,,乡村教师正文,2023/01/16,,,\n,关于职业教育的集体提案,民盟湖南省委会、p1,集体,社会建设,职业教育正文,2023年1月17日,,,\n")).unwrap();
    let dry = banli(
        t,
        &[
            "import",
            good.to_str().unwrap(),
            "--session",
            &session,
            "--as",
            "office",
            "--dry-run",
        ],
    )
    .await;
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(item_count(t).await, 0, "a dry run writes nothing");
    let out = import_file(t, &good, &session, "office").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(item_count(t).await, 3);
    let handling = t.get("office", "/api/v1/items?state=handling").await;
    let item = &handling.ok()["items"][0];
    assert_eq!(
        (item["number"].as_str(), item["origin"].as_str()),
        (Some("0007"), Some("joint"))
    );
    let d = t
        .get("office", &format!("/api/v1/items/{}", item["id"]))
        .await;
    assert_eq!(d.ok()["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(d.ok()["proposers"][1]["status"], "paper");
    // Written as the interactive steps write it: the history, the clocks, the notices.
    let actions: Vec<&str> = d.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["imported", "assigned", "assigned"], "{actions:?}");
    assert!(d.ok()["assignments"][0]["clocks"].as_array().unwrap().len() >= 2);
    let staff = t.app.actor_by_name("lead_staff").await.unwrap();
    let notes = t.app.notifications(&staff, 1, 50).await.unwrap();
    assert!(
        notes
            .items
            .iter()
            .any(|n| n.kind == "assigned" && n.item_id == item["id"].as_i64()),
        "the lead unit hears of its imported assignment"
    );
    assert_eq!(
        t.get("office", "/api/v1/items?state=submitted").await.ok()["total"],
        2
    );
    // Online filing continues after the highest imported number.
    let next = submitted_item(t, &w, "p1", "关于在线提交的提案").await;
    assert_eq!(
        t.post("office", &format!("/api/v1/items/{next}/file"), json!({}))
            .await
            .ok()["number"],
        "0008"
    );

    // A bad file: every problem is named with its row and column, and nothing is imported.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}\n0009,关于一的提案,p1,个人,,正文,2023-01-15,不存在的厅,,\n,关于二的提案,nobody,个人,,正文,2023-01-15,,,\n0009,关于三的提案,p1,个人,,正文,2023-01-15,,,\n,关于四的提案,p1,个人,,正文,2023-02-30,,,\n,,p1,个人,,正文,2023-01-15,,,\n0007,关于六的提案,p1,个人,,正文,2023-01-15,,,\n")).unwrap();
    let out = import_file(t, &bad, &session, "office").await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "第2行 主办单位",
        "第3行 提案人",
        "第4行 案号",
        "第5行 提交日期",
        "第6行 标题",
        "第7行 案号",
        "整个文件都没有导入",
    ] {
        assert!(err.contains(expected), "missing «{expected}» in:\n{err}");
    }
    assert_eq!(item_count(t).await, 4);
    // Extra columns are an error that names the column; so is an .xlsx with a missing one.
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        format!("{HEADER},备注\n,关于的提案,p1,个人,,正文,2023-01-15,,,,x\n"),
    )
    .unwrap();
    let err = String::from_utf8_lossy(&import_file(t, &extra, &session, "office").await.stderr)
        .to_string();
    assert!(err.contains("第1行 备注"), "{err}");
    // Only the office imports.
    let out = import_file(t, &good, &session, "p1").await;
    assert!(!out.status.success());
    assert_eq!(item_count(t).await, 4);
}

on_both!(an_import_writes_what_a_rebuild_would);
async fn an_import_writes_what_a_rebuild_would(t: &TestApp) {
    let w = world(t).await;
    // An item handled online first, its assignment in a total the import adds to.
    let online = submitted_item(t, &w, "p1", "关于在线提交的提案").await;
    t.post("office", &format!("/api/v1/items/{online}/file"), json!({}))
        .await
        .ok();
    t.post(
        "office",
        &format!("/api/v1/items/{online}/assign"),
        json!({"lead": w.lead}),
    )
    .await
    .ok();
    let before = derived_rows(t).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.csv");
    std::fs::write(&file, format!("{HEADER}\n0007,关于洞庭湖湿地保护的提案,p1、p2,联名,生态文明建设,洞庭湖湿地保护正文,2023-01-15,省发展改革委,省财政厅,\n0008,关于营商环境的提案,p2,个人,经济建设,营商环境正文,2023-01-15,省发展改革委,,\n,关于乡村教师待遇的提案,用户p3,个人,,乡村教师正文,2023/01/16,,,\n,关于职业教育的集体提案,民盟湖南省委会、p1,集体,社会建设,职业教育正文,2023年1月17日,,,\n")).unwrap();
    let session = w.session.to_string();
    let out = import_file(t, &file, &session, "office").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = derived_rows(t).await;
    assert!(
        imported.len() > before.len(),
        "the import adds derived rows"
    );
    // The bulk path writes the statistics facts and list keys of new items directly; they
    // must be exactly what the general rewrite makes of the same records.
    let mut tx = t.app.db.begin().await.unwrap();
    banli_store::derived::refresh(&mut tx, None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(derived_rows(t).await, imported);
    let lead_queue = t
        .get("lead_staff", "/api/v1/assignments?per_page=1")
        .await
        .ok()["total"]
        .clone();
    assert_eq!(
        lead_queue, 3,
        "the lead unit's total counts the online and the imported assignments"
    );
}

/// Every row of the tables derived from the records (statistics facts, list keys and
/// non-zero totals), as text, sorted.
async fn derived_rows(t: &TestApp) -> Vec<String> {
    use banli_store::sqlx::{self, Row};
    let tables = banli_store::stats::DERIVED_TABLES
        .iter()
        .chain(banli_store::list_keys::TABLES);
    let mut out = Vec::new();
    for table in tables {
        // A total that went down to zero stays as a row; a rebuild has no row for it.
        let live = if table.ends_with("_counts") {
            " WHERE n <> 0"
        } else {
            ""
        };
        let rows = sqlx::query(&format!("SELECT * FROM {table}{live}"))
            .fetch_all(&t.app.db.pool)
            .await
            .unwrap();
        for row in rows {
            let cells: Vec<String> = (0..row.len())
                .map(|i| {
                    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        format!("{v:?}")
                    } else {
                        format!("{:?}", row.try_get::<Option<f64>, _>(i).unwrap())
                    }
                })
                .collect();
            out.push(format!("{table}: {}", cells.join(", ")));
        }
    }
    out.sort();
    out
}

on_both!(a_killed_import_changes_nothing);
async fn a_killed_import_changes_nothing(t: &TestApp) {
    let w = world(t).await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut text = format!("{HEADER}\n");
    for k in 1..=4000 {
        text.push_str(&format!(
            "{k},关于第{k}件事的提案,p1,个人,经济建设,正文{k},2023-01-15,省发展改革委,,\n"
        ));
    }
    std::fs::write(&big, text).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_banli"))
        .args([
            "--database-url",
            &t.db_url,
            "import",
            big.to_str().unwrap(),
            "--session",
            &w.session.to_string(),
            "--as",
            "office",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    child.kill().await.unwrap();
    let _ = child.wait().await;
    let n = item_count(t).await;
    assert!(
        n == 0 || n == 4000,
        "a killed import leaves all or nothing, found {n}"
    );
}

on_both!(units_and_users_import_the_same_way);
async fn units_and_users_import_the_same_way(t: &TestApp) {
    let _w = world(t).await;
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.csv");
    std::fs::write(&units, "单位名称,简称,上级单位,提案答复文号前缀,建议答复文号前缀\n岳阳市人民政府,岳阳市政府,,岳政提,岳政建\n岳阳市教育局,,岳阳市政府,岳教提,\n").unwrap();
    let out = banli(
        t,
        &[
            "import",
            units.to_str().unwrap(),
            "--kind",
            "units",
            "--as",
            "office",
        ],
    )
    .await;
    assert!(!out.status.success(), "only an admin imports units");
    let out = banli(
        t,
        &[
            "import",
            units.to_str().unwrap(),
            "--kind",
            "units",
            "--as",
            "admin",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = t.get("office", "/api/v1/units").await;
    let all = list.ok().as_array().unwrap().clone();
    let city = all.iter().find(|u| u["name"] == "岳阳市人民政府").unwrap()["id"].clone();
    assert_eq!(
        all.iter().find(|u| u["name"] == "岳阳市教育局").unwrap()["parent_id"],
        city
    );
    // Users: every problem named; nothing imported from a bad file.
    let bad = dir.path().join("bad-users.csv");
    std::fs::write(&bad, "用户名,姓名,角色,所属单位,界别,初始密码\nyy.staff,岳阳经办,经办人,,,password-1\np1,重名,委员,,,password-1\nyy.x,某人,主任,,,password-1\nyy.y,某人,委员,,,short\n").unwrap();
    let out = banli(
        t,
        &[
            "import",
            bad.to_str().unwrap(),
            "--kind",
            "users",
            "--as",
            "admin",
        ],
    )
    .await;
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    for expected in [
        "第2行 所属单位",
        "第3行 用户名",
        "第4行 角色",
        "第5行 初始密码",
    ] {
        assert!(err.contains(expected), "missing «{expected}» in {err}");
    }
    let good = dir.path().join("users.csv");
    std::fs::write(&good, "用户名,姓名,角色,所属单位,界别,初始密码\nyy.staff,岳阳经办,经办人,岳阳市政府,,password-1\nnew.member,新委员,委员,,民盟,password-2\n").unwrap();
    let out = banli(
        t,
        &[
            "import",
            good.to_str().unwrap(),
            "--kind",
            "users",
            "--as",
            "admin",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.login("yy.staff", "password-1").await;
    assert_eq!(t.get("yy.staff", "/api/v1/me").await.ok()["unit_id"], city);
    // And the workbook export as a user sees it.
    let xlsx = dir.path().join("items.xlsx");
    let out = banli(
        t,
        &["export", "items", xlsx.to_str().unwrap(), "--as", "office"],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        banli_docs::read_table(&xlsx, Default::default())
            .unwrap()
            .headers[0],
        "案号"
    );
}

/// `banli import` beside a live server on SQLite: the import holds the write lock while it
/// writes, and the server's writes wait for it and succeed (none 5xx), and the import is whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_import_beside_the_live_server_lets_its_writes_wait_and_succeed() {
    let t = on(Backend::Sqlite).await.unwrap();
    let w = world(&t).await;
    t.set_today("2023-03-01");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.csv");
    let rows: String = (1..=1500).map(|k| format!(",关于第{k}项导入工作的提案,p1,个人,经济建设,导入正文第{k}号,2023-01-15,省发展改革委,,\n")).collect();
    std::fs::write(&file, format!("{HEADER}\n{rows}")).unwrap();
    let session = w.session.to_string();
    let args = [
        "--database-url",
        t.db_url.as_str(),
        "import",
        file.to_str().unwrap(),
        "--session",
        &session,
        "--as",
        "office",
    ];
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_banli"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Write through the API for as long as the import runs.
    let mut during = 0;
    let mut failures = Vec::new();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let r = t.post("p2", "/api/v1/items", json!({"session_id": w.session, "title": format!("关于导入期间第{during}件的提案"), "body": "正文", "origin": "individual"})).await;
        if r.status.as_u16() != 201 {
            failures.push(format!("{} {}", r.status, r.body));
        }
        during += 1;
    };
    let mut err = String::new();
    use tokio::io::AsyncReadExt;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    assert!(status.success(), "the import failed: {err}");
    assert!(
        during >= 2,
        "the API wrote while the import ran ({during} writes)"
    );
    assert!(
        failures.is_empty(),
        "{} of {during} writes during the import failed: {:?}",
        failures.len(),
        failures.first()
    );
    // Every imported row and every acknowledged draft is there (the office never sees drafts).
    assert_eq!(
        t.get("office", "/api/v1/items?per_page=1").await.ok()["total"],
        1500
    );
    assert_eq!(
        t.get("p2", "/api/v1/items?per_page=1").await.ok()["total"],
        during as i64
    );
    t.finish().await;
}

on_both!(a_closed_session_takes_no_import);
/// An import into a closed session (闭会) is refused as a whole, saying what to do; reopened,
/// the same file goes in.
async fn a_closed_session_takes_no_import(t: &TestApp) {
    let w = world(t).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("late.csv");
    std::fs::write(
        &file,
        format!("{HEADER}\n,关于补录纸质提案的提案,p1,个人,,补录正文,2023-01-15,,,\n"),
    )
    .unwrap();
    t.post(
        "admin",
        &format!("/api/v1/sessions/{}/close", w.session),
        json!({}),
    )
    .await
    .ok();
    let session = w.session.to_string();
    let refused = import_file(t, &file, &session, "office").await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("已闭会") && said.contains("重新开放"),
        "{said}"
    );
    assert_eq!(item_count(t).await, 0, "nothing was written");
    t.post(
        "admin",
        &format!("/api/v1/sessions/{}/reopen", w.session),
        json!({}),
    )
    .await
    .ok();
    let out = import_file(t, &file, &session, "office").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(item_count(t).await, 1);
}
