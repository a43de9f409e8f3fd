//! Certifications in the real window: import the sample certification file, see the reminders,
//! run the 免申即享 scan, confirm the rewards, see the budget and the dashboard change.

use std::path::PathBuf;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_remind_scan_confirm_dashboard() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    s.click("[data-testid=first-run-empty]").await;
    // The dashboard before: nothing approved.
    s.click_until("[data-testid=nav-dashboard]", "return !!document.querySelector('[data-testid=dashboard]')").await;
    s.wait_js("return (document.querySelector('[data-testid=dash-approved]')?.innerText||'') === '0.00元'", 20).await;

    // Import the sample certification file through the wizard.
    s.click("[data-testid=nav-import]").await;
    w.answer_open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/park-sheets/certifications.ods"));
    s.click_until("[data-testid=import-choose]", "return !!document.querySelector('[data-testid=import-progress],[data-testid=import-next-1]')").await;
    // The sheet step, once the file is read (the first step's text names 认定名单 too).
    s.wait_text("自动识别为第 3 行").await;
    s.click_until("[data-testid=import-next-1]", "return !!document.querySelector('[data-testid=import-next-2]')").await;
    s.click_until("[data-testid=import-next-2]", "return !!document.querySelector('[data-testid=import-summary]')").await;
    s.wait_import_errors(1).await;
    s.click_until("[data-testid=import-commit]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.find("[data-testid=import-result]").await;

    // Reminders: some certificates of the file expire within the window.
    s.click_until("[data-testid=nav-cert]", "return !!document.querySelector('[data-testid=reminders]')").await;
    s.click_text("[data-testid=reminder-window] *", "365天").await;
    s.wait_js("return document.querySelectorAll('[data-testid=milestone]').length > 0", 20).await;
    s.shot("40-reminders").await;

    // The scan proposes the rewards not yet given (the file's 国家技术创新示范企业; its two
    // 国家知识产权示范企业 rows are another title than the clause's 运用标杆企业); confirm.
    s.click_text(".el-tabs__item", "奖励（免申即享）").await;
    s.click_until("[data-testid=reward-scan]", "return !!document.querySelector('[data-testid=scan-dialog]')").await;
    s.wait_text("可发放的奖励").await;
    let n = s.js("return document.querySelectorAll('[data-testid=scan-dialog] .el-table__body tr.el-table__row').length").await.as_i64().unwrap();
    assert!(n >= 1, "the sample file has a rewardable certification");
    s.wait_js(&format!("return (document.querySelector('[data-testid=scan-confirm]')?.innerText||'').includes('确认发放 {n} 项')"), 10).await;
    s.shot("41-scan").await;
    s.click_until("[data-testid=scan-confirm]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.wait_text(&format!("已批准 {n} 项奖励")).await;
    s.wait_js(&format!("return document.querySelectorAll('[data-testid=reward-table] .el-table__body tr.el-table__row').length === {n}"), 20).await;

    // The dashboard moved.
    s.click("[data-testid=nav-dashboard]").await;
    s.wait_js("return (document.querySelector('[data-testid=dash-approved]')?.innerText||'0.00元') !== '0.00元'", 20).await;
    s.shot("42-dashboard").await;
    s.quit().await;

    let db = huiqi_core::store::Db::open(w.db(), huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap();
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let approved: i64 = huiqi_core::policy::budgets(&db, year).unwrap().iter().map(|b| b.approved_fen).sum();
    let rewards = huiqi_core::cert::reward::list(&db, None, None).unwrap();
    assert_eq!(rewards.len() as i64, n);
    assert!(rewards.iter().all(|r| r.program_code != "ip_benchmark"), "no 示范企业 rewarded as a 运用标杆企业");
    assert_eq!(approved, rewards.iter().map(|r| r.amount_fen).sum::<i64>(), "the budgets count exactly the rewards");
    assert!(db.check().unwrap().ok);
}
