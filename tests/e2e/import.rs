//! The import wizard in the real window: choose the sample roster, fix one bad cell in place,
//! commit, find the enterprises in the registry, undo the import: they are gone.

use std::path::PathBuf;

use crate::harness::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/park-sheets").join(name)
}

/// From the empty first run to the wizard's preview of `file` (the harness answers the file dialog
/// opened in Rust), through the sheet step (header found at `header_row`) and the column step.
async fn preview(w: &World, s: &Session, file: &str, header_row: u32) {
    s.click("[data-testid=first-run-empty]").await;
    s.click_until("[data-testid=nav-import]", "return !!document.querySelector('[data-testid=import-view]')").await;
    w.answer_open(&fixture(file));
    // The dialog's answer is used once: a second click of 选择文件 opens nothing.
    s.click_until("[data-testid=import-choose]", "return !!document.querySelector('[data-testid=import-progress],[data-testid=import-next-1]')").await;
    s.wait_text(file).await;
    s.wait_text(&format!("自动识别为第 {header_row} 行")).await;
    // Each 下一步 reads the file again; a click while it reads is refused by the wizard, so a
    // repeated click is harmless.
    s.click_until("[data-testid=import-next-1]", "return !!document.querySelector('[data-testid=import-next-2]')").await;
    s.wait_text("文件中的列").await;
    s.wait_text("统一社会信用代码").await;
    s.click_until("[data-testid=import-next-2]", "return !!document.querySelector('[data-testid=import-summary]')").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_fix_commit_find_undo() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    preview(&w, &s, "enterprises-roster.xlsx", 3).await;
    s.wait_import_errors(12).await;
    s.shot("20-import-preview").await;

    // Only the errors; fix row 13's check character in place.
    s.click_until("[data-testid=import-only-errors]", "return document.querySelector('[data-testid=import-only-errors]').classList.contains('is-active')")
        .await;
    // Wait for the filtered list (12 rejected rows) before clicking into it.
    s.wait_js("const r = document.querySelectorAll('[data-testid=import-rows] .el-table__body tr'); return r.length === 12 && [...r].every((x) => x.classList.contains('bad-row'))", 20).await;
    s.click_until("[data-testid=cell-error-13-uscc]", "return !!document.querySelector('[data-testid=fix-input]')").await;
    s.wait_text("修正第 13 行的“统一社会信用代码”").await;
    s.wait_text("校验位错误").await;
    let fixed = huiqi_core::uscc::complete("91320116000192882").unwrap();
    s.fill("[data-testid=fix-input]", &fixed).await;
    s.shot("21-import-fix").await;
    s.click_until("[data-testid=fix-apply]", "return !document.querySelector('[data-testid=fix-input]')").await;
    s.wait_import_errors(11).await;

    // Commit: the confirmation states what will change.
    s.click_until("[data-testid=import-commit]", "return !!document.querySelector('.el-message-box')").await;
    s.wait_text("将从“enterprises-roster.xlsx”新增 50 条").await;
    s.confirm_box().await;
    s.find("[data-testid=import-result]").await;
    s.wait_text("已导入（批次 #1）").await;
    s.shot("22-import-result").await;

    // The enterprises are in the registry, the fixed one too.
    s.click_until("[data-testid=nav-enterprise]", "return !!document.querySelector('[data-testid=enterprise-view]')").await;
    s.wait_count(50).await;
    // The data is in the database (a reader beside the app) before the UI is asked for it.
    {
        let db = huiqi_core::store::Db::open(w.db(), huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap();
        let q = huiqi_core::enterprise::EnterpriseQuery { q: Some("云帆星河".into()), ..serde_json::from_str("{}").unwrap() };
        let page = huiqi_core::enterprise::search(&db, &q).unwrap();
        if page.total != 1 {
            let n = |sql: &str| huiqi_core::store::query_one_i64(&db, sql).unwrap();
            let e = huiqi_core::enterprise::find(&db, &fixed).ok();
            panic!(
                "core search for 云帆星河 found {}: enterprises {}, fts rows {}, LIKE {}, fixed uscc {}\n{e:?}",
                page.total,
                n("SELECT count(*) FROM enterprise"),
                n("SELECT count(*) FROM enterprise_fts"),
                n("SELECT count(*) FROM enterprise WHERE name LIKE '%云帆星河%'"),
                n(&format!("SELECT count(*) FROM enterprise WHERE uscc = '{fixed}'")),
            );
        }
    }
    s.fill("[data-testid=search-box]", "云帆星河").await;
    s.wait_text("南京云帆星河信息技术有限公司").await;
    s.wait_text(&fixed).await;

    // Undo the whole import from the history: they are gone.
    s.click_until("[data-testid=nav-import]", "return !!document.querySelector('[data-testid=import-view]')").await;
    s.click_text(".el-tabs__item", "导入记录").await;
    s.find("[data-testid=import-history]").await;
    s.click_text("[data-testid=import-history] button", "撤销").await;
    // The question names the batch's file and what it did.
    s.wait_text("撤销第 1 批导入（“enterprises-roster.xlsx”").await;
    s.wait_text("将删除这批新增的 50 条记录").await;
    s.confirm_box().await;
    // The history marks the batch undone (the toast may be gone on a slow machine).
    s.wait_js("return (document.querySelector('[data-testid=import-history]')?.innerText || '').includes('已撤销')", 20).await;
    s.click_until("[data-testid=nav-enterprise]", "return !!document.querySelector('[data-testid=enterprise-view]')").await;
    s.wait_count(0).await;
    s.quit().await;

    let db = huiqi_core::store::Db::open(w.db(), huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap();
    assert!(db.check().unwrap().ok);
    assert_eq!(huiqi_core::enterprise::count(&db).unwrap(), 0);
}

/// A rent file: every field of the kind has its column in the preview (the subsidy year is the 9th
/// field), and the rent sample's own error — subsidy year 4 — is fixed in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rent_file_error_in_a_late_column_is_fixed_in_place() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    preview(&w, &s, "rent-subsidy-applications.xlsx", 3).await;
    s.wait_import_errors(1).await;
    for col in ["lease_end", "subsidy_year", "requested_fen", "revenue_curr_fen"] {
        s.find(&format!("[data-testid=col-{col}]")).await;
    }
    s.click_until("[data-testid=import-only-errors]", "return document.querySelector('[data-testid=import-only-errors]').classList.contains('is-active')")
        .await;
    s.wait_js("return document.querySelectorAll('[data-testid=import-rows] .el-table__body tr').length === 1", 20).await;
    s.shot("23-import-rent-error").await;
    // The error is in the notes column, kept in view on the right; clicking it opens the fix
    // (the cell itself is further right, past the columns in view).
    s.find("[data-testid=cell-error-10-subsidy_year]").await;
    s.click_until("[data-testid=note-error-10-subsidy_year]", "return !!document.querySelector('[data-testid=fix-input]')").await;
    s.wait_text("修正第 10 行的“申请补贴年度").await;
    s.fill("[data-testid=fix-input]", "3").await;
    s.click_until("[data-testid=fix-apply]", "return !document.querySelector('[data-testid=fix-input]')").await;
    s.wait_import_errors(0).await;
    s.wait_text("导入 40 行").await;
    s.quit().await;
}

/// A park's second file: the wizard offers the column mapping chosen at its last import (marked
/// 沿用上次), and the result page undoes its own batch and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remembered_mapping_is_offered_and_the_result_page_undoes_its_batch() {
    let _g = crate::serial();
    let w = World::new();
    // The park's first file, imported earlier with 联系人 set aside by hand.
    {
        use huiqi_core::import::{self, ColumnChoice, ImportOptions};
        let mut db = huiqi_core::store::Db::open_rw(w.db()).unwrap();
        huiqi_core::demo::finish_first_run(&mut db, false).unwrap();
        let file = fixture("enterprises-roster.xlsx");
        let auto = import::analyze(&mut db, &file, &ImportOptions::default(), &huiqi_core::progress::NoProgress).unwrap();
        let contact = auto.columns.iter().find(|c| c.field.as_deref() == Some("contact_name")).expect("a 联系人 column").index;
        let opts = ImportOptions { columns: Some(vec![ColumnChoice { index: contact, field: None }]), ..Default::default() };
        import::commit(&mut db, &file, &opts, &huiqi_core::progress::NoProgress).unwrap();
    }
    let s = w.launch().await;
    s.click_until("[data-testid=nav-import]", "return !!document.querySelector('[data-testid=import-view]')").await;
    w.answer_open(&fixture("enterprises-roster.xlsx"));
    s.click_until("[data-testid=import-choose]", "return !!document.querySelector('[data-testid=import-progress],[data-testid=import-next-1]')").await;
    s.wait_text("自动识别为第 3 行").await;
    s.click_until("[data-testid=import-next-1]", "return !!document.querySelector('[data-testid=import-next-2]')").await;
    s.wait_text("有 1 列沿用了“中国（南京）软件谷”上次导入时选择的对应").await;
    s.find("[data-testid^=remembered-]").await;
    // Set aside by choice, 联系人 is not listed among the columns the import does not know.
    assert!(!s.body_text().await.contains("这些列不认识"));
    s.shot("24-import-remembered").await;

    s.click_until("[data-testid=import-next-2]", "return !!document.querySelector('[data-testid=import-summary]')").await;
    s.wait_import_errors(12).await;
    s.click_until("[data-testid=import-commit]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.find("[data-testid=import-result]").await;
    s.click_until("[data-testid=import-undo]", "return !!document.querySelector('.el-message-box')").await;
    s.wait_text("撤销第 2 批导入（“enterprises-roster.xlsx”").await;
    s.confirm_box().await;
    s.wait_text("第 2 批导入已撤销").await;
    assert!(s.js("return !document.querySelector('[data-testid=import-undo]')").await == serde_json::Value::Bool(true));
    s.shot("25-import-result-undone").await;
    s.quit().await;
}
