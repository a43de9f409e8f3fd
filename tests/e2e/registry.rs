//! The registry as a user works it: a wrong check character is caught, fixed, saved; search by a
//! name fragment; edit; undo; restart; export to xlsx.

use calamine::{open_workbook_auto, Data, Reader};

use crate::harness::*;

const GOOD: &str = "914403001922038216";
const BAD: &str = "914403001922038217"; // check character should be 6
const NAME: &str = "南京测试钟山科技有限公司";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_fix_search_edit_undo_restart_export() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    s.click("[data-testid=first-run-empty]").await;
    s.click("[data-testid=nav-enterprise]").await;
    s.find("[data-testid=enterprise-view]").await;
    s.wait_text("0 家企业").await;

    // Ctrl+N opens a new form.
    s.press(&format!("{CTRL}n{NULL}")).await;
    s.find("[data-testid=enterprise-form]").await;
    s.fill("[data-testid=f-uscc]", BAD).await;
    s.fill("[data-testid=f-name]", NAME).await;
    s.fill("[data-testid=f-founded]", "2021年3月5日").await;
    s.fill("[data-testid=f-capital]", "500.5").await;
    // The check character is wrong: the field says so, in Chinese, before any save.
    s.wait_text("统一社会信用代码校验位错误：第18位应为“6”").await;
    s.shot("10-uscc-error").await;
    // Saving is refused with the same message; nothing is written.
    s.click("[data-testid=save]").await;
    s.wait_text("校验位错误").await;
    assert!(s.body_text().await.contains("0 家企业"));

    // Fix it and save with Ctrl+S.
    s.fill("[data-testid=f-uscc]", GOOD).await;
    s.wait_no_text("校验位错误").await;
    s.keys("[data-testid=f-uscc]", &format!("{CTRL}s{NULL}")).await;
    s.wait_js("return (document.querySelector('[data-testid=save-state]')?.innerText||'').includes('已保存')", 20).await;
    s.wait_text("1 家企业").await;
    s.shot("11-saved").await;
    s.press(&ESCAPE.to_string()).await;
    s.wait_js("return !document.querySelector('[data-testid=enterprise-form]')?.offsetParent", 10).await;

    // Search by a fragment of the name.
    s.fill("[data-testid=search-box]", "钟山科技").await;
    s.wait_text("1 家企业").await;
    s.wait_text(NAME).await;
    s.fill("[data-testid=search-box]", "不存在的名字").await;
    s.wait_text("0 家企业").await;
    s.fill("[data-testid=search-box]", "钟山").await;
    s.wait_text(NAME).await;

    // Enter opens it; edit the contact; Ctrl+S.
    s.keys("[data-testid=search-box]", &ENTER.to_string()).await;
    s.find("[data-testid=enterprise-form]").await;
    s.wait_js(&format!("return document.querySelector('[data-testid=drawer-title]')?.innerText==={}", serde_json::to_string(NAME).unwrap()), 10).await;
    s.fill("[data-testid=f-contact]", "王测试").await;
    s.wait_text("有未保存的修改").await;
    s.keys("[data-testid=f-contact]", &format!("{CTRL}s{NULL}")).await;
    s.wait_js("return (document.querySelector('[data-testid=save-state]')?.innerText||'').includes('已保存')", 20).await;
    // The history tab shows the change.
    s.click_text(".el-tabs__item", "变更记录").await;
    s.wait_text("王测试").await;
    s.shot("12-history").await;
    s.press(&ESCAPE.to_string()).await;
    s.wait_js("return !document.querySelector('[data-testid=enterprise-form]')?.offsetParent", 10).await;

    // Undo the edit (the toolbar button; Ctrl+Z does the same outside a text field).
    s.click("[data-testid=undo]").await;
    s.wait_text("已撤销对").await;
    {
        let db = ro(&w);
        let e = huiqi_core::enterprise::find(&db, GOOD).unwrap();
        assert_eq!(e.contact_name, "", "the edit was undone");
        assert_eq!(e.registered_capital_fen, Some(500_500_000));
        assert_eq!(e.founded_on.as_deref(), Some("2021-03-05"));
    }
    s.quit().await;

    // Restart: the enterprise is there, as after the undo.
    let s = w.launch().await;
    s.click("[data-testid=nav-enterprise]").await;
    s.find("[data-testid=enterprise-view]").await;
    s.wait_text("1 家企业").await;
    s.wait_text(NAME).await;

    // Export: the dialog (answered by the harness) names a file; calamine reads the row back.
    s.click("[data-testid=export]").await;
    s.click("[data-testid=export-xlsx]").await;
    s.wait_text("已导出").await;
    let file = std::fs::read_dir(w.dialogs()).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|x| x == "xlsx")).expect("an xlsx was written");
    let mut wb = open_workbook_auto(&file).unwrap();
    let r = wb.worksheet_range("企业台账").unwrap();
    assert_eq!(r.get_value((1, 0)), Some(&Data::String(GOOD.into())));
    assert_eq!(r.get_value((1, 1)), Some(&Data::String(NAME.into())));
    s.quit().await;
}

fn ro(w: &World) -> huiqi_core::store::Db {
    huiqi_core::store::Db::open(w.db(), huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap()
}
