//! Backups in the real window: 设置 → 备份与恢复, back up now, a change, restore (the change is
//! gone, the database as it was is kept as a backup); and a damaged database opens on the recovery
//! screen, which says what would be lost and restores the newest good backup.

use crate::harness::*;
use huiqi_core::backup::{self, BackupKind};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::store::{Db, Mode, OpenOptions};

fn ro(w: &World) -> Db {
    Db::open(w.db(), OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap()
}

fn add(db: &mut Db, uscc: &str, name: &str) {
    enterprise::create(db, &EnterpriseInput { uscc: uscc.into(), name: name.into(), ..Default::default() }).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_up_change_restore() {
    let _g = crate::serial();
    let w = World::new();
    {
        let mut db = Db::open_rw(w.db()).unwrap();
        huiqi_core::demo::finish_first_run(&mut db, false).unwrap();
        add(&mut db, "914403001922038216", "南京备份之前科技有限公司");
    }
    let s = w.launch().await;
    s.find("[data-testid=shell]").await;
    s.click("[data-testid=nav-settings]").await;
    s.click_text(".el-tabs__item", "备份与恢复").await;
    s.find("[data-testid=backup-panel]").await;
    s.click("[data-testid=backup-now]").await;
    s.wait_text("已备份").await;
    s.wait_text("1 家企业").await;
    let made = backup::list(&w.db()).unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind, BackupKind::Manual);

    // A change after the backup: a second enterprise, through the registry.
    s.click("[data-testid=nav-enterprise]").await;
    s.find("[data-testid=enterprise-view]").await;
    s.click("[data-testid=new-enterprise]").await;
    s.fill("[data-testid=f-uscc]", "91110108551385082Q").await;
    s.fill("[data-testid=f-name]", "南京备份之后科技有限公司").await;
    s.click("[data-testid=save]").await;
    s.wait_text("2 家企业").await;
    s.press(&ESCAPE.to_string()).await;
    s.wait_js(
        "return !document.querySelector('.el-drawer__open, .el-drawer.open') || !document.querySelector('[data-testid=enterprise-form]')?.offsetParent",
        10,
    )
    .await;

    // Restore: confirm what will happen; afterwards the change is gone.
    s.click("[data-testid=nav-settings]").await;
    s.click_text(".el-tabs__item", "备份与恢复").await;
    s.click_until(&format!("[data-testid='backup-restore-{}']", made[0].file_name), "return document.body.innerText.includes('当前数据库会先另存为')").await;
    s.shot("60-backup-restore-confirm").await;
    s.confirm_box().await;
    s.wait_text("已恢复到").await;
    s.confirm_box().await;
    s.wait_text("恢复前").await;
    s.shot("61-backups").await;
    s.click("[data-testid=nav-enterprise]").await;
    s.wait_text("1 家企业").await;
    s.wait_no_text("南京备份之后科技有限公司").await;
    s.quit().await;

    let db = ro(&w);
    assert_eq!(enterprise::count(&db).unwrap(), 1);
    assert!(db.check().unwrap().ok);
    let kinds: Vec<BackupKind> = backup::list(&w.db()).unwrap().iter().map(|b| b.kind).collect();
    assert!(kinds.contains(&BackupKind::Restore), "the database before the restore is kept: {kinds:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_database_opens_on_the_recovery_screen() {
    let _g = crate::serial();
    let w = World::new();
    {
        let mut db = Db::open_rw(w.db()).unwrap();
        huiqi_core::demo::finish_first_run(&mut db, true).unwrap();
        backup::create(&db, BackupKind::Periodic).unwrap();
        add(&mut db, "91110108551385082Q", "南京备份之后科技有限公司");
    }
    // Closing folded the WAL into the file; damage pages in the middle (a bad sector).
    {
        let wal = w.db().with_extension("db-wal");
        assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0, "the WAL was checkpointed on close");
        let mut bytes = std::fs::read(w.db()).unwrap();
        for (i, b) in bytes.iter_mut().enumerate().take(4096 * 10).skip(4096 * 4) {
            *b = (i * 7 % 253) as u8;
        }
        std::fs::write(w.db(), &bytes).unwrap();
    }
    let damaged = std::fs::read(w.db()).unwrap();

    let s = w.launch().await;
    s.find("[data-testid=recovery]").await;
    s.find("[data-testid=recovery-candidate]").await;
    s.wait_text("52 家企业").await;
    // What would be lost: the change after the backup (or, when the damage hides it, a warning).
    s.wait_js("return !!document.querySelector('[data-testid=recovery-loss]') || document.body.innerText.includes('可能需要重新录入')", 20).await;
    s.shot("62-recovery").await;
    s.click("[data-testid=recovery-go]").await;
    s.wait_text("损坏的文件已保留在").await;
    // (a click can land while the box is still opening and be lost: clicked until the shell shows)
    s.click_until(".el-message-box__btns .el-button--primary", "return !!document.querySelector('[data-testid=shell]')").await;
    s.find("[data-testid=shell]").await;
    s.quit().await;

    let db = ro(&w);
    assert!(db.check().unwrap().ok);
    assert_eq!(enterprise::count(&db).unwrap(), 52, "the backup's data");
    // The damaged file is kept, byte for byte, beside the database.
    let kept = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .any(|e| std::fs::read(e.path()).map(|b| b == damaged).unwrap_or(false));
    assert!(kept, "the damaged database is kept aside");
}
