//! Notices in the real window: approve a grant, open its notice (the 样稿 preview renders through
//! the bundled pdf.js), issue it (the number is assigned), print and save give the stored bytes,
//! the register lists it without gaps, and it is voided with a reason.

use crate::harness::*;
use chrono::Datelike;
use huiqi_core::store::{Db, Mode, OpenOptions};

fn ro(w: &World) -> Db {
    Db::open(w.db(), OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap()
}

const RENDERED: &str = "return !!document.querySelector('[data-testid=notice-dialog] [data-testid=pdf-page][data-rendered=\"1\"]')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_issue_preview_register_reprint_void() {
    let _g = crate::serial();
    let w = World::new();
    // The demo data set with its grants drafted (as the rent clerk would have done).
    let gid = {
        let mut db = Db::open_rw(w.db()).unwrap();
        huiqi_core::system::finish_first_run(&mut db, true).unwrap();
        let drafts = huiqi_core::rent::draft_all(&mut db).unwrap();
        drafts.iter().find(|g| g.explanation.eligible).expect("an eligible draft").id
    };
    let s = w.launch().await;
    s.find("[data-testid=shell]").await;

    // Approve the grant.
    s.click_until("[data-testid=nav-rent]", "return !!document.querySelector('[data-testid=rent-view]')").await;
    s.click_until(&format!("[data-testid=approve-{gid}]"), "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.find(&format!("[data-testid=notice-{gid}]")).await;

    // Its notice: a preview first (watermark, not numbered) drawn by pdf.js.
    s.click_until(&format!("[data-testid=notice-{gid}]"), "return !!document.querySelector('[data-testid=notice-dialog]')").await;
    s.wait_text("样稿 · 未编号").await;
    s.wait_js(RENDERED, 30).await;
    s.shot("50-notice-preview").await;
    assert!(huiqi_core::notice::register(&ro(&w)).unwrap().is_empty(), "a preview takes no number");

    // Issue: the next number of this year.
    s.click_until("[data-testid=notice-issue]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    let year = chrono::Local::now().year();
    let number = format!("江宁科〔{year}〕1号");
    s.wait_js(&format!("return (document.querySelector('[data-testid=notice-number]')?.innerText||'') === {}", serde_json::to_string(&number).unwrap()), 30).await;
    s.wait_js(RENDERED, 30).await;
    s.shot("51-notice-issued").await;
    let n = huiqi_core::notice::list(&ro(&w), None, None).unwrap().remove(0);
    assert_eq!((n.doc_number.as_str(), n.grant_id), (number.as_str(), Some(gid)));
    let stored = huiqi_core::notice::pdf(&ro(&w), n.id).unwrap();

    // Print and save as: both hand out the stored bytes (reprint = original).
    s.click("[data-testid=notice-print]").await;
    s.wait_text("已交给系统的PDF阅读器").await;
    let name = huiqi_core::notice::file_name(&n);
    let printed = std::fs::read(w.dialogs().join("print").join(huiqi_core::text::safe_file_name(&name))).expect("the print copy");
    assert_eq!(printed, stored, "print gives the stored bytes");
    s.click("[data-testid=notice-save]").await;
    s.wait_text("已保存到").await;
    let saved = std::fs::read(w.dialogs().join(huiqi_core::text::safe_file_name(&name))).expect("the saved copy");
    assert_eq!(saved, stored, "save as gives the stored bytes");
    assert!(huiqi_core::notice::verify_bytes(&ro(&w), &saved).unwrap().found);
    s.press(&ESCAPE.to_string()).await;

    // The register (公文 → 发文登记) lists it; the numbers have no gaps.
    s.click_until("[data-testid=nav-notice]", "return !!document.querySelector('[data-testid=notice-view]')").await;
    s.click_text(".el-tabs__item", "发文登记").await;
    s.find("[data-testid=register-table]").await;
    s.wait_text(&number).await;
    s.wait_text("编号连续无空号").await;
    s.shot("52-notice-register").await;

    // Void it with a reason: the number stays, the status says so.
    s.click_until(&format!("[data-testid=notice-open-{}]", n.id), "return !!document.querySelector('[data-testid=notice-dialog]')").await;
    s.wait_js(RENDERED, 30).await;
    s.click("[data-testid=notice-void]").await;
    s.fill(".el-message-box__input input", "租赁面积填写有误").await;
    s.confirm_box().await;
    s.wait_js("return [...document.querySelectorAll('[data-testid=notice-status]')].some((e) => e.innerText.includes('已作废'))", 20).await;
    s.wait_text("租赁面积填写有误").await;
    s.shot("53-notice-voided").await;
    s.press(&ESCAPE.to_string()).await;

    // The voided grant waits for a notice again: batch preview (样稿), then batch issue with a
    // progress bar; the combined PDF goes to the printer.
    s.click_until("#tab-pending", "return !!document.querySelector('[data-testid=candidate-table]')").await;
    s.wait_text("南京").await;
    s.click("[data-testid=candidate-table] .el-table__header .el-checkbox").await;
    // The button enables once the selection reached it (a click on it while disabled is lost).
    s.wait_js("const b = document.querySelector('[data-testid=batch-preview]'); return !!b && !b.disabled", 10).await;
    s.click("[data-testid=batch-preview]").await;
    s.wait_js("return !!document.querySelector('[data-testid=batch-preview-dialog] [data-testid=pdf-page][data-rendered=\"1\"]')", 30).await;
    s.shot("54-notice-batch-preview").await;
    assert_eq!(huiqi_core::notice::register(&ro(&w)).unwrap()[0].last_no, 1, "a batch preview takes no number");
    s.press(&ESCAPE.to_string()).await;
    s.click_until("[data-testid=batch-issue]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.find("[data-testid=batch-result]").await;
    let second = format!("江宁科〔{year}〕2号");
    s.wait_text(&second).await;
    s.shot("55-notice-batch-done").await;
    s.click("[data-testid=batch-print]").await;
    s.wait_text("已交给系统的PDF阅读器").await;
    let printed: Vec<_> = std::fs::read_dir(w.dialogs().join("print")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    // One notice in this batch: the printer gets that notice's stored file.
    assert!(printed.iter().any(|n| n.starts_with(&second)), "{printed:?}");

    s.press(&ESCAPE.to_string()).await;
    s.wait_js("return !document.querySelector('[data-testid=batch-result]')", 10).await;

    // Settings → 公文模板 shows the template with its fields.
    s.click("[data-testid=nav-settings]").await;
    s.click_text(".el-tabs__item", "公文模板").await;
    s.find("[data-testid=notice-templates]").await;
    s.wait_text("{amount_line}").await;
    s.shot("56-notice-templates").await;
    s.quit().await;

    let db = ro(&w);
    let n = huiqi_core::notice::get(&db, n.id).unwrap();
    assert_eq!((n.status.as_str(), n.void_reason.as_str()), ("voided", "租赁面积填写有误"));
    assert_eq!(huiqi_core::notice::pdf(&db, n.id).unwrap(), stored, "a voided notice keeps its PDF");
    let reg = huiqi_core::notice::register(&db).unwrap();
    assert_eq!((reg[0].last_no, reg[0].issued, reg[0].voided, reg[0].gaps.len()), (2, 1, 1, 0));
    assert!(db.check().unwrap().ok);
}
