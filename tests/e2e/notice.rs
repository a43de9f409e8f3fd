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
        huiqi_core::demo::finish_first_run(&mut db, true).unwrap();
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
    s.wait_js(&format!("return (document.querySelector('[data-testid=notice-number]')?.innerText||'') === {}", serde_json::to_string(&number).unwrap()), 30)
        .await;
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

/// 公示 in the real window: the approved grants are published (a past Monday, so that the period
/// has ended), an objection is recorded against one, the list is closed, the objection resolved
/// (kept), and only then is the grant paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publicity_objection_close_then_pay() {
    let _g = crate::serial();
    let w = World::new();
    let gid = {
        let mut db = Db::open_rw(w.db()).unwrap();
        huiqi_core::demo::finish_first_run(&mut db, true).unwrap();
        let drafts = huiqi_core::rent::draft_all(&mut db).unwrap();
        let ids: Vec<i64> = drafts.iter().filter(|g| g.explanation.eligible).map(|g| g.id).collect();
        huiqi_core::rent::approve_many(&mut db, &ids, true).unwrap();
        ids[0]
    };
    let s = w.launch().await;
    s.find("[data-testid=shell]").await;
    s.click_until("[data-testid=nav-notice]", "return !!document.querySelector('[data-testid=notice-view]')").await;
    s.click_until("#tab-publicity", "return !!document.querySelector('[data-testid=publicity-panel]')").await;

    // Publish from today (the default start): the dialog lists what will be published; the
    // confirmation says what it means.
    s.click_until(
        "[data-testid=publicity-new]",
        "const d = document.querySelector('[data-testid=publicity-create-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    s.find(&format!("[data-testid=publicity-candidate-g{gid}]")).await;
    s.click_until("[data-testid=publicity-create-confirm]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    let pid = {
        let mut found = None;
        for _ in 0..100 {
            if let Some(p) = huiqi_core::notice::publicity::list(&ro(&w)).unwrap().into_iter().next() {
                found = Some(p.id);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        found.expect("the list was published")
    };
    let ends = chrono::NaiveDate::parse_from_str(&huiqi_core::notice::publicity::get(&ro(&w), pid).unwrap().ends_on, "%Y-%m-%d").unwrap();
    // The issued document opens in the viewer.
    s.wait_js(RENDERED, 30).await;
    s.shot("57-publicity-document").await;
    s.press(&ESCAPE.to_string()).await;

    // An objection against the grant, received today, during the period.
    s.click_until(&format!("[data-testid=publicity-open-{pid}]"), &format!("return !!document.querySelector('[data-testid=publicity-detail-{pid}]')")).await;
    s.click_until(
        &format!("[data-testid=publicity-object-g{gid}]"),
        "const d = document.querySelector('[data-testid=objection-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    s.fill("[data-testid=objection-text]", "该企业租赁面积与实际不符").await;
    s.fill("[data-testid=objection-objector]", "园区管委会").await;
    s.click_until(
        "[data-testid=objection-save]",
        &format!("return !!document.querySelector('[data-testid=publicity-objections-g{gid}] [data-testid^=objection-resolve-]')"),
    )
    .await;

    // Paying while the list runs is refused, and says why.
    s.click_until("[data-testid=nav-rent]", "return !!document.querySelector('[data-testid=rent-view]')").await;
    s.click_until(
        &format!("[data-testid=pay-{gid}]"),
        "const d = document.querySelector('[data-testid=pay-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    s.click_until("[data-testid=pay-confirm]", "return !!document.querySelector('[data-testid=pay-refusal]')").await;
    s.wait_js("return (document.querySelector('[data-testid=pay-refusal]')?.innerText||'').includes('异议')", 20).await;
    s.press(&ESCAPE.to_string()).await;
    s.quit().await;

    // The day after the period: close the list; the grant stays held by the open objection.
    let after = (ends + chrono::Duration::days(1)).to_string();
    let s = w.launch_env(&[("HUIQI_TODAY", after.as_str())]).await;
    s.find("[data-testid=shell]").await;
    s.click_until("[data-testid=nav-notice]", "return !!document.querySelector('[data-testid=notice-view]')").await;
    s.click_until("#tab-publicity", "return !!document.querySelector('[data-testid=publicity-panel]')").await;
    s.click_until(&format!("[data-testid=publicity-open-{pid}]"), &format!("return !!document.querySelector('[data-testid=publicity-detail-{pid}]')")).await;
    s.click_until("[data-testid=publicity-close]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.wait_js("return (document.querySelector('[data-testid=publicity-stage]')?.innerText||'').includes('已结束')", 20).await;
    assert_eq!(huiqi_core::notice::publicity::get(&ro(&w), pid).unwrap().status, "closed");
    s.shot("58-publicity-objection").await;

    // Paying now is still refused: the objection is open.
    s.click_until("[data-testid=nav-rent]", "return !!document.querySelector('[data-testid=rent-view]')").await;
    s.click_until(
        &format!("[data-testid=pay-{gid}]"),
        "const d = document.querySelector('[data-testid=pay-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    s.click_until("[data-testid=pay-confirm]", "return !!document.querySelector('[data-testid=pay-refusal]')").await;
    s.wait_js("return (document.querySelector('[data-testid=pay-refusal]')?.innerText||'').includes('异议')", 20).await;
    s.press(&ESCAPE.to_string()).await;

    // Resolve it (kept, with the reason), then pay.
    s.click_until("[data-testid=nav-notice]", "return !!document.querySelector('[data-testid=notice-view]')").await;
    s.click_until("#tab-publicity", "return !!document.querySelector('[data-testid=publicity-panel]')").await;
    s.click_until(&format!("[data-testid=publicity-open-{pid}]"), &format!("return !!document.querySelector('[data-testid=publicity-detail-{pid}]')")).await;
    s.click_until(
        &format!("[data-testid=publicity-objections-g{gid}] [data-testid^=objection-resolve-]"),
        "const d = document.querySelector('[data-testid=resolve-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    s.click("[data-testid=resolve-outcome-kept]").await;
    s.fill("[data-testid=resolve-reason]", "经现场核查，租赁面积属实").await;
    s.click_until("[data-testid=resolve-save]", "return !!document.querySelector('.el-message-box')").await;
    s.confirm_box().await;
    s.wait_js(&format!("return (document.querySelector('[data-testid=publicity-outcome-g{gid}]')?.innerText||'').length > 0 && !document.querySelector('[data-testid=publicity-objections-g{gid}] [data-testid^=objection-resolve-]')"), 20).await;
    s.click_until("[data-testid=nav-rent]", "return !!document.querySelector('[data-testid=rent-view]')").await;
    s.click_until(
        &format!("[data-testid=pay-{gid}]"),
        "const d = document.querySelector('[data-testid=pay-dialog]'); return !!d && d.getClientRects().length > 0",
    )
    .await;
    // The pay date the form offers is the app's day, not this computer's.
    s.wait_js(
        &format!("return document.querySelector('[data-testid=pay-dialog] [data-testid=pay-date] input, [data-testid=pay-date]')?.value === '{after}'"),
        20,
    )
    .await;
    s.click_until("[data-testid=pay-confirm]", "return document.body.innerText.includes('已记录拨付')").await;
    s.quit().await;
    let db = ro(&w);
    assert_eq!(huiqi_core::rent::grant(&db, gid).unwrap().status, huiqi_core::rent::GrantStatus::Disbursed);
    let p = huiqi_core::notice::publicity::get(&db, pid).unwrap();
    let item = p.items.iter().find(|i| i.grant_id == Some(gid)).unwrap();
    assert_eq!(
        (item.outcome, item.objections[0].status),
        (huiqi_core::notice::publicity::Outcome::Cleared, huiqi_core::notice::publicity::ObjectionStatus::Kept)
    );
    assert!(db.check().unwrap().ok);
}
