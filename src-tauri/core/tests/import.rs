//! The import as a whole: commit, re-import, blank cells, park resubmissions, undo with and
//! without later edits, fixing a cell in place, the error export, encodings and refusals.

use std::path::{Path, PathBuf};

use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::import::{self, Action, CellEdit, ImportOptions, RowStatus};
use huiqi_core::progress::NoProgress;
use huiqi_core::store::Db;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/park-sheets")
}

fn db(dir: &Path) -> Db {
    Db::open_rw(dir.join("i.db")).unwrap()
}

fn write_csv(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const HEAD: &str = "序号,企业名称,统一社会信用代码,成立日期,注册资本（万元）,所属园区,联系人,联系电话\n";

#[test]
fn commit_then_reimport_changes_nothing_and_undo_removes_the_batch() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let file = fixtures().join("enterprises-roster.xlsx");
    let r1 = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!((r1.summary.rows, r1.summary.accepted, r1.summary.rejected, r1.summary.new), (61, 49, 12, 49));
    assert_eq!(enterprise::count(&db).unwrap(), 49);
    assert_eq!(r1.park.as_deref(), Some("中国（南京）软件谷"), "the park is read from the 填报单位 line");
    let e = enterprise::find(&db, "91320114282331851X").unwrap();
    assert_eq!(e.registered_capital_fen, Some(500_500_000));
    assert_eq!(e.founded_on.as_deref(), Some("2020-07-05"));
    let events_before = huiqi_core::store::audit::count_for_test(&db);

    let r2 = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!((r2.summary.new, r2.summary.updated, r2.summary.unchanged), (0, 0, 49));
    assert!(r1.previous_import.is_none());
    // The file is hashed beside the import and the hash stored with the batch at its end: the
    // second import finds the first (not itself).
    assert_eq!(r2.previous_import.as_ref().map(|p| p.batch_id), r1.batch_id, "the same file was imported before");
    assert_eq!(r2.file_sha256, r1.file_sha256);
    assert_eq!(r2.file_sha256.len(), 64);
    // Only the batch's own bookkeeping event was added: no enterprise changed.
    assert_eq!(huiqi_core::store::audit::count_for_test(&db), events_before + 1);

    let u = import::undo(&mut db, r2.batch_id.unwrap(), false).unwrap();
    assert_eq!(u.removed, 0);
    assert_eq!(enterprise::count(&db).unwrap(), 49);
    let u = import::undo(&mut db, r1.batch_id.unwrap(), false).unwrap();
    assert_eq!(u.removed, 49);
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert!(import::undo(&mut db, r1.batch_id.unwrap(), false).is_err(), "a batch is undone once");
    assert!(db.check().unwrap().ok);
}

#[test]
fn blank_cells_never_overwrite_and_changes_are_listed() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020-05-01,500,软件谷,王五,13800000000\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,800,软件谷,,13900000000\n"));
    let dry = import::analyze(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    let row = &dry.rows[0];
    assert_eq!(row.action, Some(Action::Updated));
    let fields: Vec<&str> = row.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["contact_phone", "registered_capital_fen"]);
    assert_eq!(row.changes[1].before, serde_json::json!(500_000_000));
    assert_eq!(row.changes[1].after, serde_json::json!(800_000_000));
    // The dry run wrote nothing.
    assert_eq!(enterprise::find(&db, "914403001922038216").unwrap().registered_capital_fen, Some(500_000_000));
    import::commit(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!(e.registered_capital_fen, Some(800_000_000));
    assert_eq!(e.founded_on.as_deref(), Some("2020-05-01"), "a blank cell kept the founding date");
    assert_eq!(e.contact_name, "王五", "a blank cell kept the contact");
}

#[test]
fn undo_with_later_edits_asks_then_keeps_them() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020-05-01,500,软件谷,王五,13800000000\n"));
    let r = import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    enterprise::update(&mut db, e.id, &EnterpriseInput { contact_name: Some("赵六".into()), ..enterprise::to_input(&e) }, None).unwrap();
    let err = import::undo(&mut db, r.batch_id.unwrap(), false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    assert!(err.message(huiqi_core::Lang::Zh).contains("南京甲乙科技有限公司"), "{}", err.message(huiqi_core::Lang::Zh));
    assert_eq!(enterprise::count(&db).unwrap(), 1, "nothing was undone");
    let u = import::undo(&mut db, r.batch_id.unwrap(), true).unwrap();
    assert_eq!(u.dependents.len(), 1);
    // As promised, the later edit is kept: so is the enterprise it was made on.
    assert_eq!(enterprise::find(&db, "914403001922038216").unwrap().contact_name, "赵六");
    assert!(u.kept.iter().any(|k| k.contains("导入后又被修改过，保留")), "{:?}", u.kept);
    assert!(db.check().unwrap().ok);
}

const CONTACT_HEAD: &str = "企业名称,统一社会信用代码,联系人,联系电话,注册地址\n";

#[test]
fn undoing_batches_in_any_order_ends_where_none_had_happened() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let files =
        ["甲公司,914403001922038216,张一,13000000001,地址A\n", "甲公司,914403001922038216,张二,13000000002,\n", "甲公司,914403001922038216,张三,,地址C\n"];
    let mut ids = vec![];
    for (i, row) in files.iter().enumerate() {
        let f = write_csv(t.path(), &format!("o{i}.csv"), &format!("{CONTACT_HEAD}{row}"));
        ids.push(import::commit(&mut db, &f, &ImportOptions { park: Some("P".into()), ..Default::default() }, &NoProgress).unwrap().batch_id.unwrap());
    }
    let now = |db: &Db| {
        let e = enterprise::find(db, "914403001922038216").unwrap();
        (e.contact_name, e.contact_phone, e.address)
    };
    // The middle batch first: the last batch's 张三 and 地址C stay, batch 2's phone goes.
    import::undo(&mut db, ids[1], true).unwrap();
    assert_eq!(now(&db), ("张三".into(), "13000000001".into(), "地址C".into()));
    // Then the last: its 张三 was written over batch 2's 张二, which is undone — so 张一.
    let u = import::undo(&mut db, ids[2], false).expect("batch 2's own undo is not a later change to ask about");
    assert!(u.dependents.is_empty(), "{:?}", u.dependents);
    assert_eq!(now(&db), ("张一".into(), "13000000001".into(), "地址A".into()));
    // The registry's history marks the undone batches' changes.
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    let h = enterprise::detail(&db, e.id).unwrap().history;
    let imports: Vec<(Option<i64>, bool)> = h.iter().filter(|x| x.action == "import").map(|x| (x.batch_id, x.undone)).collect();
    assert_eq!(imports, [(Some(ids[2]), true), (Some(ids[1]), true)]);
    assert!(db.check().unwrap().ok);
}

#[test]
fn undoing_a_batch_asks_about_records_a_later_file_linked_to_its_enterprises() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let roster = import::commit(&mut db, &fixtures().join("enterprises-roster.xlsx"), &ImportOptions::default(), &NoProgress).unwrap();
    let certs = import::commit(&mut db, &fixtures().join("certifications.ods"), &ImportOptions::default(), &NoProgress).unwrap();
    let linked: Vec<String> =
        certs.rows.iter().filter_map(|r| r.record.as_ref()).map(|r| r.uscc().to_string()).filter(|u| enterprise::find(&db, u).is_ok()).collect();
    let from_roster: std::collections::HashSet<String> = roster.rows.iter().filter_map(|r| r.record.as_ref()).map(|r| r.uscc().to_string()).collect();
    assert!(linked.iter().any(|u| from_roster.contains(u)), "the certification file names enterprises of the roster");
    let err = import::undo(&mut db, roster.batch_id.unwrap(), false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    assert!(err.message(huiqi_core::Lang::Zh).contains("认定记录 #"), "{}", err.message(huiqi_core::Lang::Zh));
    let n = enterprise::count(&db).unwrap();
    // Forced: the enterprises the certifications stand on stay; the others go.
    let u = import::undo(&mut db, roster.batch_id.unwrap(), true).unwrap();
    assert!(u.kept.iter().any(|k| k.contains("已有其他关联记录")), "{:?}", u.kept);
    assert!(u.removed > 0 && enterprise::count(&db).unwrap() == n - u.removed as i64);
    assert!(db.check().unwrap().ok);
}

#[test]
fn undoing_a_rent_file_keeps_the_enterprises_a_roster_filled_in_since() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let rent = import::commit(&mut db, &fixtures().join("rent-subsidy-applications.xlsx"), &ImportOptions::default(), &NoProgress).unwrap();
    let created = enterprise::count(&db).unwrap();
    let roster = import::commit(&mut db, &fixtures().join("enterprises-roster.xlsx"), &ImportOptions::default(), &NoProgress).unwrap();
    assert!(roster.summary.updated > 0, "the roster fills in enterprises the rent file created");
    let err = import::undo(&mut db, rent.batch_id.unwrap(), false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    let u = import::undo(&mut db, rent.batch_id.unwrap(), true).unwrap();
    // Every enterprise the roster updated is still there, with what the roster wrote.
    for r in roster.rows.iter().filter(|r| r.action == Some(Action::Updated)) {
        let rec = r.record.as_ref().unwrap();
        let e = enterprise::find(&db, rec.uscc()).unwrap_or_else(|_| panic!("{} was kept", rec.uscc()));
        assert_eq!(e.name, rec.name());
    }
    assert_eq!(enterprise::count(&db).unwrap(), created + roster.summary.new as i64 - (u.removed as i64 - rent.summary.accepted as i64));
    assert!(db.check().unwrap().ok);
}

#[test]
fn undoing_a_batch_whose_enterprise_another_was_merged_into_keeps_it() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,91320102910863147J,2020-05-01,500,软件谷,王五,13800000000\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020-05-01,500,软件谷,王五,13800000000\n"));
    let r = import::commit(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    let survivor = enterprise::find(&db, "914403001922038216").unwrap();
    let loser = enterprise::find(&db, "91320102910863147J").unwrap();
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: survivor.id, loser_id: loser.id, picks: Default::default() }).unwrap();
    let err = import::undo(&mut db, r.batch_id.unwrap(), false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    let u = import::undo(&mut db, r.batch_id.unwrap(), true).unwrap();
    assert_eq!(u.removed, 0);
    assert!(enterprise::find(&db, "914403001922038216").is_ok());
    assert!(db.check().unwrap().ok);
}

#[test]
fn undo_keeps_the_applications_grants_were_drafted_from_and_says_so() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let r = import::commit(&mut db, &fixtures().join("rent-subsidy-applications.xlsx"), &ImportOptions::default(), &NoProgress).unwrap();
    let batch = r.batch_id.unwrap();
    let apps_before = huiqi_core::rent::applications(&db, false).unwrap().len();
    // A grant drafted from one application.
    let first = huiqi_core::rent::applications(&db, true).unwrap()[0].id;
    let grants = [huiqi_core::rent::draft(&mut db, first).unwrap()];
    let reader = rusqlite::Connection::open(t.path().join("i.db")).unwrap();
    let events = || huiqi_core::store::audit::last_events(huiqi_core::store::Conn::over(&reader), "rent_application", 100_000).unwrap().len();
    let events_before = events();
    // Asked first: the grants are named.
    let err = import::undo(&mut db, batch, false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    let msg = err.message(huiqi_core::Lang::Zh);
    assert!(msg.contains(&format!("房租补贴 #{}", grants[0].id)), "{msg}");
    assert_eq!(events(), events_before, "nothing written");
    // Undone anyway: what the grants stand on stays, the rest goes, and the file is whole.
    let u = import::undo(&mut db, batch, true).unwrap();
    let drafted: std::collections::HashSet<i64> = grants.iter().filter_map(|g| g.application_id).collect();
    let left = huiqi_core::rent::applications(&db, false).unwrap();
    assert!(drafted.len() < apps_before, "some applications had no grant");
    assert_eq!(left.len(), drafted.len(), "only the applications with grants are kept");
    assert!(left.iter().all(|a| drafted.contains(&a.id)));
    assert!(u.kept.iter().any(|k| k.contains("房租补贴申请已用于房租补贴")), "{:?}", u.kept);
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_blank_expiry_cell_leaves_the_stored_expiry_be() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "企业名称,统一社会信用代码,认定类型,证书编号,发证日期,有效期至\n";
    let a = write_csv(t.path(), "a.csv", &format!("{head}南京甲乙科技有限公司,914403001922038216,高新技术企业,GR202332001234,2023-11-06,2026-12-31\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    // The park resends the row with the expiry left blank: nothing changes.
    let b = write_csv(t.path(), "b.csv", &format!("{head}南京甲乙科技有限公司,914403001922038216,高新技术企业,GR202332001234,2023-11-06,\n"));
    let r = import::commit(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.unchanged, 1, "{:?}", r.rows[0]);
    assert_eq!(r.rows[0].action, Some(Action::Unchanged));
    // A new issue date with a blank expiry: the date changes, the stored expiry stays.
    let c = write_csv(t.path(), "c.csv", &format!("{head}南京甲乙科技有限公司,914403001922038216,高新技术企业,GR202332001234,2023-11-07,\n"));
    let r = import::commit(&mut db, &c, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.updated, 1);
    let fields: Vec<&str> = r.rows[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["issued_on"]);
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    let certs = huiqi_core::cert::list(&db, Some(e.id), None, None).unwrap();
    assert_eq!(certs[0].expires_on.as_deref(), Some("2026-12-31"));
    assert_eq!(certs[0].issued_on, "2023-11-07");
}

#[test]
fn undo_of_an_update_batch_restores_only_untouched_fields() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020-05-01,500,软件谷,王五,13800000000\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020-05-01,800,软件谷,钱七,13900000000\n"));
    let r = import::commit(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    enterprise::update(&mut db, e.id, &EnterpriseInput { contact_phone: Some("025-12345678".into()), ..enterprise::to_input(&e) }, None).unwrap();
    import::undo(&mut db, r.batch_id.unwrap(), true).unwrap();
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!(e.registered_capital_fen, Some(500_000_000), "the batch's change is undone");
    assert_eq!(e.contact_name, "王五");
    assert_eq!(e.contact_phone, "025-12345678", "the later edit is kept");
}

#[test]
fn each_park_a_file_names_is_created_once_and_journalled_once() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let parks_before = enterprise::parks(&db).unwrap().len();
    let a = write_csv(
        t.path(),
        "a.csv",
        &format!(
            "{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,软件谷,,\n2,深圳乙丙有限公司,91440300708461136T,,,麒麟科技创新园,,\n3,南京丙丁科技有限公司,91320114282331851X,,,软件谷,,\n"
        ),
    );
    let r = import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.new, 3);
    let parks = enterprise::parks(&db).unwrap();
    assert_eq!(parks.len(), parks_before + 2);
    let e1 = enterprise::find(&db, "914403001922038216").unwrap();
    let e3 = enterprise::find(&db, "91320114282331851X").unwrap();
    assert!(e1.park_id.is_some());
    assert_eq!(e1.park_id, e3.park_id, "rows of one park share its record");
    // The journal, read through a second connection.
    let reader = rusqlite::Connection::open(t.path().join("i.db")).unwrap();
    let created: Vec<String> = huiqi_core::store::audit::last_events(huiqi_core::store::Conn::over(&reader), "park", 10)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "create")
        .map(|e| e.after.unwrap()["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created.len(), 2, "{created:?}");
    assert!(created.contains(&"软件谷".to_string()) && created.contains(&"麒麟科技创新园".to_string()));
    // A later import naming a known park finds it (no second record, no second event).
    let fourth = huiqi_core::uscc::complete("91320100MA1MFG8N2").unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京戊己科技有限公司,{fourth},,,软件谷,,\n"));
    let r = import::commit(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!((r.summary.new, r.summary.rejected), (1, 0));
    assert_eq!(enterprise::parks(&db).unwrap().len(), parks_before + 2);
    assert_eq!(enterprise::find(&db, &fourth).unwrap().park_id, e1.park_id);
    let events = huiqi_core::store::audit::last_events(huiqi_core::store::Conn::over(&reader), "park", 10).unwrap();
    assert_eq!(events.iter().filter(|e| e.action == "create").count(), 2);
    assert!(db.check().unwrap().ok);
}

#[test]
fn park_resubmission_lists_who_disappeared() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let opts = ImportOptions { park: Some("麒麟科技创新园".into()), ..Default::default() };
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n2,深圳乙丙有限公司,91440300708461136T,,,,,\n"));
    import::commit(&mut db, &a, &opts, &NoProgress).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n"));
    let r = import::analyze(&mut db, &b, &opts, &NoProgress).unwrap();
    assert_eq!(r.disappeared.len(), 1);
    assert_eq!(r.disappeared[0].uscc, "91440300708461136T");
    // A row the file still has, rejected for a wrong date (its code typed in lower case with a
    // space): the enterprise has not left.
    let c =
        write_csv(t.path(), "c.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n2,深圳乙丙有限公司,91440300708461136t ,2020-13-45,,,,\n"));
    let r = import::analyze(&mut db, &c, &opts, &NoProgress).unwrap();
    assert_eq!(r.rows[1].status, RowStatus::Rejected);
    assert_eq!(r.rows[1].errors[0].code, "bad_date");
    assert!(r.disappeared.is_empty(), "{:?}", r.disappeared);
    // A commit of a file whose rows were all rejected imported nobody: the comparison stays
    // with the last file that did.
    let bad = write_csv(t.path(), "bad.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038217,,,,,\n"));
    assert_eq!(import::commit(&mut db, &bad, &opts, &NoProgress).unwrap().summary.accepted, 0);
    let r = import::analyze(&mut db, &b, &opts, &NoProgress).unwrap();
    assert_eq!(r.disappeared.len(), 1, "{:?}", r.disappeared);
}

#[test]
fn a_parks_rent_resubmission_lists_who_disappeared_too() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let opts = ImportOptions { park: Some("麒麟科技创新园".into()), ..Default::default() };
    let head = "企业名称,统一社会信用代码,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,申请补贴年度\n";
    let a = write_csv(
        t.path(),
        "a.csv",
        &format!("{head}甲公司,914403001922038216,100,50,2025-01-01,2025-12-31,1\n乙公司,91440300708461136T,100,50,2025-01-01,2025-12-31,1\n"),
    );
    import::commit(&mut db, &a, &opts, &NoProgress).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{head}甲公司,914403001922038216,100,50,2025-01-01,2025-12-31,1\n"));
    let r = import::analyze(&mut db, &b, &opts, &NoProgress).unwrap();
    assert_eq!(r.disappeared.iter().map(|d| d.uscc.as_str()).collect::<Vec<_>>(), ["91440300708461136T"]);
}

#[test]
fn the_park_a_file_comes_from_fills_a_blank_park_and_never_moves_an_enterprise() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,江宁园,,\n2,深圳乙丙有限公司,91440300708461136T,,,,,\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    // The same enterprises in another park's file, their 所属园区 cells blank.
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n2,深圳乙丙有限公司,91440300708461136T,,,,,\n"));
    let r = import::commit(&mut db, &b, &ImportOptions { park: Some("麒麟园".into()), ..Default::default() }, &NoProgress).unwrap();
    assert_eq!(r.rows[0].action, Some(Action::Unchanged), "{:?}", r.rows[0].changes);
    assert_eq!(enterprise::find(&db, "914403001922038216").unwrap().park.as_deref(), Some("江宁园"));
    assert_eq!(enterprise::find(&db, "91440300708461136T").unwrap().park.as_deref(), Some("麒麟园"), "a blank park is filled");
}

#[test]
fn fix_a_cell_in_place_and_revalidate() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038217,2020-05-01,500,,,\n"));
    let r = import::analyze(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.rows[0].status, RowStatus::Rejected);
    assert_eq!(r.rows[0].errors[0].code, "uscc_checksum");
    let opts = ImportOptions { edits: vec![CellEdit { row: 2, field: "uscc".into(), value: "914403001922038216".into() }], ..Default::default() };
    let r = import::commit(&mut db, &a, &opts, &NoProgress).unwrap();
    assert_eq!(r.rows[0].status, RowStatus::Accepted);
    assert!(enterprise::find(&db, "914403001922038216").is_ok());
}

#[test]
fn rejected_rows_export_with_an_error_column() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let r = import::analyze(&mut db, &fixtures().join("enterprises-roster.xlsx"), &ImportOptions::default(), &NoProgress).unwrap();
    let out = t.path().join("errors.xlsx");
    assert_eq!(import::export_rejected(&r, &out).unwrap(), 12);
    use calamine::{open_workbook_auto, Data, Reader};
    let mut wb = open_workbook_auto(&out).unwrap();
    let range = wb.worksheet_range("错误行").unwrap();
    let last_col = range.width() - 1;
    assert_eq!(range.get_value((0, last_col as u32)), Some(&Data::String("错误说明".into())));
    assert_eq!(range.get_value((1, 0)), Some(&Data::Float(13.0)));
    let msg = range.get_value((1, last_col as u32)).unwrap().to_string();
    assert!(msg.contains("校验位错误"), "{msg}");
}

#[test]
fn utf8_with_a_bad_byte_is_refused_at_its_line_not_read_as_gbk() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let rows: String = (0..30).map(|i| format!("{i},南京甲乙科技有限公司,914403001922038216,,,,,\n")).collect();
    let good = format!("{HEAD}{rows}");
    // A stray byte on line 5; a file cut off inside its last character; the same with a BOM.
    let mut stray = good.clone().into_bytes();
    let line5 = good.match_indices('\n').nth(3).unwrap().0 + 3;
    stray.insert(line5, 0xA0);
    let unfinished = format!("{good}31,南京甲");
    let cut = unfinished.as_bytes()[..unfinished.len() - 1].to_vec();
    let mut bom_cut = b"\xEF\xBB\xBF".to_vec();
    bom_cut.extend_from_slice(&cut);
    for (name, bytes, line) in [("stray.csv", stray, 5), ("cut.csv", cut, 32), ("bom-cut.csv", bom_cut, 32)] {
        let p = t.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let err = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap_err();
        assert_eq!(err.code(), "bad_encoding", "{name}");
        let msg = err.message(huiqi_core::Lang::Zh);
        assert!(msg.contains(name) && msg.contains(&format!("第 {line} 行")), "{msg}");
    }
    // GBK is still GBK (its bytes are invalid UTF-8 almost everywhere).
    let (gbk, _, _) = encoding_rs::GBK.encode(&good);
    let p = t.path().join("gbk.csv");
    std::fs::write(&p, &gbk).unwrap();
    assert_eq!(import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap().encoding.as_deref(), Some("gbk"));
}

#[test]
fn units_in_headers_and_above_the_table_are_applied() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    // 万 alone, 万元/年, a rent per ㎡ per day.
    let head = "企业名称,统一社会信用代码,租赁地址,租赁面积（平方米）,租金单价（元/㎡/天）,租期起,租期止,年租金（万元/年）,上年营业收入（万）,本年营业收入（万）,申请补贴年度,申请补贴金额（万元）\n";
    let a = write_csv(t.path(), "a.csv", &format!("{head}南京甲乙科技有限公司,914403001922038216,软件大道1号,100,3,2024-01-01,2024-12-31,10.8,500,800,1,5\n"));
    let r = import::analyze(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.rows[0].status, RowStatus::Accepted, "{:?}", r.rows[0].errors);
    let rec = serde_json::to_value(r.rows[0].record.as_ref().unwrap()).unwrap();
    assert_eq!(rec["unit_rent_fen"], 9125, "3 元/㎡/天 × 365 ÷ 12 = 91.25 元/㎡/月");
    assert_eq!(rec["annual_rent_fen"], 10_800_000);
    assert_eq!(rec["revenue_prev_fen"], 500_000_000);
    assert_eq!(rec["requested_fen"], 5_000_000);
    // "金额单位：万元" above a header that states no unit.
    let b = write_csv(
        t.path(),
        "b.csv",
        "2024年在册企业名单\n填报单位：麒麟园,,金额单位：万元\n企业名称,统一社会信用代码,注册资本\n南京甲乙科技有限公司,914403001922038216,500\n",
    );
    let r = import::analyze(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.header_row, 3);
    let rec = serde_json::to_value(r.rows[0].record.as_ref().unwrap()).unwrap();
    assert_eq!(rec["registered_capital_fen"], 500_000_000);
}

#[test]
fn a_header_row_the_user_names_is_read_wherever_it_is() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    // Below the 40 rows searched automatically.
    let preamble = "填表说明：请逐项填写\n".repeat(45);
    let a = write_csv(t.path(), "deep.csv", &format!("{preamble}企业名称,统一社会信用代码\n南京甲乙科技有限公司,914403001922038216\n"));
    assert_eq!(import::analyze(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap_err().code(), "header_not_found");
    let r = import::analyze(&mut db, &a, &ImportOptions { header_row: Some(46), ..Default::default() }, &NoProgress).unwrap();
    assert_eq!(r.mapping.len(), 2);
    assert_eq!((r.rows[0].row, r.rows[0].status), (47, RowStatus::Accepted));
    let err = import::analyze(&mut db, &a, &ImportOptions { header_row: Some(900), ..Default::default() }, &NoProgress).unwrap_err();
    assert_eq!(err.code(), "header_row_out_of_range");
    assert_eq!(import::analyze(&mut db, &a, &ImportOptions { header_row: Some(0), ..Default::default() }, &NoProgress).unwrap_err().code(), "bad_header_row");
    // A header row named without a sheet: the sheet where that row is a header, not the first.
    let p = t.path().join("two-sheets.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet().set_name("填报说明").unwrap();
    for r in 0..5 {
        notes.write_string(r, 0, "请按要求填写").unwrap();
    }
    let data = wb.add_worksheet().set_name("企业名单").unwrap();
    data.write_string(0, 0, "2024年企业名单").unwrap();
    data.write_string(2, 0, "企业名称").unwrap();
    data.write_string(2, 1, "统一社会信用代码").unwrap();
    data.write_string(3, 0, "南京甲乙科技有限公司").unwrap();
    data.write_string(3, 1, "914403001922038216").unwrap();
    wb.save(&p).unwrap();
    let r = import::analyze(&mut db, &p, &ImportOptions { header_row: Some(3), ..Default::default() }, &NoProgress).unwrap();
    assert_eq!((r.sheet.as_str(), r.summary.accepted), ("企业名单", 1));
}

/// An .ods holding `table` (a `<table:table>` element), as LibreOffice lays the package out.
fn write_ods(path: &Path, table: &str) {
    use std::io::Write;
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"
    );
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    z.start_file("content.xml", stored).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    z.finish().unwrap();
}

#[test]
fn ods_merged_cells_carry_their_value_down() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let s = |v: &str| format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>");
    let merged = |v: &str| format!("<table:table-cell table:number-rows-spanned=\"2\" office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>");
    let row = |cells: String| format!("<table:table-row>{cells}</table:table-row>");
    let table = format!(
        "<table:table table:name=\"租赁\">{}{}{}</table:table>",
        row(["企业名称", "统一社会信用代码", "租赁地址", "租赁面积", "租金单价", "租期起", "租期止", "申请补贴年度"].map(s).concat()),
        row(format!(
            "{}{}{}",
            merged("南京甲乙科技有限公司"),
            merged("914403001922038216"),
            ["1号楼", "100", "50", "2024-01-01", "2024-12-31", "1"].map(s).concat()
        )),
        row(format!("<table:covered-table-cell/><table:covered-table-cell/>{}", ["2号楼", "80", "50", "2025-01-01", "2025-12-31", "2"].map(s).concat())),
    );
    let p = t.path().join("merged.ods");
    write_ods(&p, &table);
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.rows, 2);
    for row in &r.rows {
        let rec = serde_json::to_value(row.record.as_ref().unwrap_or_else(|| panic!("{:?}", row.errors))).unwrap();
        assert_eq!((rec["uscc"].as_str(), rec["name"].as_str()), (Some("914403001922038216"), Some("南京甲乙科技有限公司")));
    }
}

/// An .xlsx with one sheet of the given `<sheetData>` content, written by hand (a program that
/// does not calculate writes formulas without results; rust_xlsxwriter always writes one).
fn write_xlsx(path: &Path, sheet_data: &str) {
    use std::io::Write;
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ];
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body) in parts {
        z.start_file(name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_formula_without_its_result_or_an_error_value_is_an_error_not_a_blank() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let s = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    let rows = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}<c r="C2"><f>B5*2</f></c></row><row r="3">{}{}<c r="C3" t="e"><v>#N/A</v></c></row><row r="4">{}{}<c r="C4"><f>1+1</f><v>2</v></c></row>"#,
        s("A1", "企业名称"),
        s("B1", "统一社会信用代码"),
        s("C1", "注册资本（万元）"),
        s("A2", "南京甲乙科技有限公司"),
        s("B2", "914403001922038216"),
        s("A3", "深圳乙丙有限公司"),
        s("B3", "91440300708461136T"),
        s("A4", "南京某某科技有限公司"),
        s("B4", "91320114282331851X"),
    );
    let p = t.path().join("formulas.xlsx");
    write_xlsx(&p, &rows);
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    let e = &r.rows[0].errors[0];
    assert_eq!((e.code.as_str(), e.value.as_str()), ("formula_error", "=B5*2"));
    assert!(e.message.contains("没有保存计算结果"), "{}", e.message);
    let e = &r.rows[1].errors[0];
    assert_eq!((e.code.as_str(), e.value.as_str()), ("formula_error", "#N/A"));
    // A formula with its result reads as the result.
    assert_eq!(r.rows[2].status, RowStatus::Accepted);
    assert_eq!(serde_json::to_value(r.rows[2].record.as_ref().unwrap()).unwrap()["registered_capital_fen"], 2_000_000);
}

#[test]
fn a_two_row_header_reads_the_same_found_or_named_by_either_row() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let text = "企业名称,统一社会信用代码,租赁面积,租金单价（元/㎡/天）,租赁期限,,申请补贴年度,申请补贴金额（元）\n\
                ,,,,起始日期,截止日期,,\n\
                南京甲乙科技有限公司,914403001922038216,1000,1.3,2024-01-01,2024-12-31,1,474500\n";
    let a = write_csv(t.path(), "two-rows.csv", text);
    // Found, and named by its top row or by its lower row (what the wizard sends back).
    for named in [None, Some(1), Some(2)] {
        let r = import::analyze(&mut db, &a, &ImportOptions { header_row: named, ..Default::default() }, &NoProgress).unwrap();
        assert_eq!(r.header_row, 2, "{named:?}");
        assert_eq!(r.rows.len(), 1, "{named:?}");
        // 1,000 ㎡ at 1.3 元 a day is 474,500 元 a year: the whole year's rent may be asked for,
        // although the unit rent is kept per month to the fen (3,954 fen).
        assert_eq!(r.rows[0].status, RowStatus::Accepted, "{named:?}: {:?}", r.rows[0].errors);
    }
    // A title line over an ordinary header is not a two-row header.
    let b = write_csv(t.path(), "title.csv", &format!("2024年名单,,,,,,,\n{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n"));
    let r = import::analyze(&mut db, &b, &ImportOptions { header_row: Some(2), ..Default::default() }, &NoProgress).unwrap();
    assert!(r.unknown_columns.is_empty(), "{:?}", r.unknown_columns);
    assert_eq!(r.rows[0].status, RowStatus::Accepted);
}

#[test]
fn gbk_csv_is_detected_and_read_without_mojibake() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let text = format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,2020年5月1日,12.5,麒麟科技创新园,张三,025-83370923\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let p = t.path().join("gbk.csv");
    std::fs::write(&p, &gbk).unwrap();
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.encoding.as_deref(), Some("gbk"));
    assert_eq!(r.rows[0].status, RowStatus::Accepted, "{:?}", r.rows[0].errors);
    let rec = serde_json::to_value(r.rows[0].record.as_ref().unwrap()).unwrap();
    assert_eq!(rec["name"], "南京甲乙科技有限公司");
    assert_eq!(rec["registered_capital_fen"], 12_500_000);
    assert_eq!(rec["park"], "麒麟科技创新园");
}

#[test]
fn legacy_xls_and_ods_read() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let r = import::commit(&mut db, &fixtures().join("rent-subsidy-applications-legacy.xls"), &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 18);
    let r = import::commit(&mut db, &fixtures().join("certifications.ods"), &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 29);
    assert!(db.check().unwrap().ok);
}

#[test]
fn unreadable_files_are_refused_with_the_file_named() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let fake = t.path().join("renamed.xlsx");
    std::fs::write(&fake, "这不是表格，只是改了扩展名的文本").unwrap();
    let e = import::analyze(&mut db, &fake, &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "not_a_spreadsheet");
    assert!(e.message(huiqi_core::Lang::Zh).contains("renamed.xlsx"));
    let real = std::fs::read(fixtures().join("enterprises-roster.xlsx")).unwrap();
    let trunc = t.path().join("truncated.xlsx");
    std::fs::write(&trunc, &real[..real.len() / 2]).unwrap();
    let e = import::analyze(&mut db, &trunc, &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "file_unreadable", "{e}");
    let e = import::analyze(&mut db, &t.path().join("missing.csv"), &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "file_error");
    assert_eq!(e.exit_code(), 1);
    assert_eq!(enterprise::count(&db).unwrap(), 0);
}

fn quirk(name: &str) -> import::ImportReport {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let file = fixtures().join("../import-quirks").join(name);
    import::analyze(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn field_of(r: &import::ImportReport, column: &str) -> Option<String> {
    r.columns.iter().find(|c| c.column == column).and_then(|c| c.field.clone())
}

#[test]
fn a_column_that_names_a_field_exactly_takes_it_from_one_that_only_begins_like_it() {
    // 企业类型 | 企业名称 | …: the name is 企业名称's, not 企业类型's.
    let r = quirk("prefix-header.xlsx");
    assert_eq!(field_of(&r, "企业类型"), None);
    assert_eq!(field_of(&r, "企业名称").as_deref(), Some("name"));
    assert_eq!(r.rows[0].record.as_ref().unwrap().name(), "南京甲科技有限公司");
    // 编号 (the line number) | … | 证书编号: the certificate number is 证书编号's.
    let r = quirk("cert-number-column.xlsx");
    assert_eq!(field_of(&r, "证书编号").as_deref(), Some("certificate_no"));
    assert_eq!(field_of(&r, "编号"), None);
}

#[test]
fn the_table_is_the_visible_data_sheet_not_a_hidden_or_instruction_sheet_with_the_same_header() {
    let r = quirk("hidden_sheet.xlsx");
    assert_eq!((r.sheet.as_str(), r.summary.rows), ("2024年", 5));
    let r = quirk("instr_tie.xlsx");
    assert_eq!((r.sheet.as_str(), r.summary.rows), ("企业名单", 10));
}

#[test]
fn money_in_another_currency_or_in_thousands_is_refused_not_read_as_yuan() {
    for (file, column, unit) in [("capital-usd.xlsx", "注册资本（万美元）", "万美元"), ("revenue-yi.xlsx", "上年营业收入（亿元）", "亿元")]
    {
        let r = quirk(file);
        assert!(r.summary.accepted == 0 && r.summary.rejected > 0, "{file}");
        let e = r.rows[0].errors.iter().find(|e| e.column == column).unwrap_or_else(|| panic!("{file}: {:?}", r.rows[0].errors));
        assert_eq!(e.code, "bad_amount");
        assert!(e.message.contains(&format!("单位是{unit}")) && e.message.contains("换算"), "{}", e.message);
    }
}

#[test]
fn rent_and_certification_tables_with_roster_columns_keep_their_kind() {
    assert_eq!(quirk("cert_with_ent.xlsx").kind, import::schema::Kind::Certifications);
    assert_eq!(quirk("rent_with_ent_cols.xlsx").kind, import::schema::Kind::RentApplications);
}

#[test]
fn a_request_merged_over_an_enterprises_two_leases_is_asked_once() {
    let r = quirk("merged_total2.xlsx");
    let asked: Vec<Option<i64>> = r
        .rows
        .iter()
        .map(|x| match x.record.as_deref() {
            Some(import::validate::Record::Rent(a)) => a.requested_fen,
            _ => panic!("{x:?}"),
        })
        .collect();
    assert_eq!(asked, [Some(5_000_000), None]);
    // The code and name merged over both rows still name the enterprise on both.
    assert!(r.rows.iter().all(|x| x.record.as_ref().unwrap().uscc() == "91320114398259791M"));
}

#[test]
fn seal_signature_and_date_lines_under_the_table_are_skipped_and_the_park_read_from_a_sealed_line() {
    let r = quirk("footer.xlsx");
    assert_eq!((r.summary.rows, r.summary.rejected, r.summary.skipped), (3, 0, 9));
    assert_eq!(quirk("park_seal.xlsx").park.as_deref(), Some("麒麟科创园"));
}

#[test]
fn a_row_naming_an_enterprise_merged_into_another_is_refused_and_points_to_the_survivor() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a =
        write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲乙科技有限公司,914403001922038216,,,,,\n2,南京甲乙科技有限公司（旧）,91320102910863147J,,,,,\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let (s, l) = (enterprise::find(&db, "914403001922038216").unwrap(), enterprise::find(&db, "91320102910863147J").unwrap());
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: s.id, loser_id: l.id, picks: Default::default() }).unwrap();
    let b = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲乙科技有限公司（旧）,91320102910863147J,,,,王五,\n"));
    let r = import::analyze(&mut db, &b, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.rejected, 1);
    let e = &r.rows[0].errors[0];
    assert_eq!(e.code, "merged_enterprise");
    assert!(e.message.contains("914403001922038216") && e.message.contains("南京甲乙科技有限公司"), "{}", e.message);
    assert_eq!(r.rows[0].cells.get(2).unwrap(), "91320102910863147J", "the row's cells are kept for the error export");
}

#[test]
fn a_duplicate_row_quotes_its_code_as_the_file_writes_it() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,甲公司,914403001922038216,,,,,\n2,甲公司,9144 0300 1922 0382 16,,,,,\n"));
    let r = import::analyze(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let e = &r.rows[1].errors[0];
    assert_eq!((e.code.as_str(), e.value.as_str(), e.duplicate_of_row), ("duplicate_in_file", "9144 0300 1922 0382 16", Some(2)));
    assert!(e.message.contains("914403001922038216"), "{}", e.message);
}

#[test]
fn the_dry_run_of_a_rent_file_says_which_rows_add_an_enterprise_to_the_registry() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let a = write_csv(t.path(), "a.csv", &format!("{HEAD}1,甲公司,914403001922038216,,,,,\n"));
    import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let head = "企业名称,统一社会信用代码,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,申请补贴年度\n";
    let rent = write_csv(
        t.path(),
        "r.csv",
        &format!("{head}甲公司,914403001922038216,100,50,2025-01-01,2025-12-31,1\n乙公司,91440300708461136T,100,50,2025-01-01,2025-12-31,1\n乙公司,91440300708461136T,80,50,2025-03-01,2026-02-28,1\n"),
    );
    let dry = import::analyze(&mut db, &rent, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(dry.rows.iter().map(|r| r.new_enterprise).collect::<Vec<_>>(), [false, true, false]);
    assert_eq!(dry.new_enterprises, 1);
    // What the commit does is what the dry run said.
    let done = import::commit(&mut db, &rent, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(done.new_enterprises, 1);
    assert_eq!(enterprise::count(&db).unwrap(), 2);
}

#[test]
fn tab_and_semicolon_files_with_a_title_line_are_read_by_the_delimiter_their_table_uses() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    for (name, d) in [("tab.csv", "\t"), ("semi.csv", ";")] {
        let rows = ["企业名称", "统一社会信用代码", "成立日期"].join(d)
            + "\n"
            + &["甲公司，一分公司", "914403001922038216", "2020-01-01"].join(d)
            + "\n"
            + &["乙公司", "91440300708461136T", "2021-02-03"].join(d)
            + "\n";
        let f = write_csv(t.path(), name, &format!("2024年度企业名录（第一批，麒麟园）\n{rows}"));
        let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!((r.header_row, r.summary.accepted), (2, 2), "{name}");
        assert_eq!(r.rows[0].record.as_ref().unwrap().name(), "甲公司，一分公司");
    }
    // A comma file whose cells hold semicolons or quoted tabs; a semicolon file under a title
    // line with commas.
    let cases = [
        ("c7.csv", "企业名称,统一社会信用代码,产业领域\n甲公司,914403001922038216,软件;人工智能;大数据\n乙公司,91440300708461136T,软件;集成电路;芯片\n", 1),
        ("c8.csv", "企业名称,统一社会信用代码,注册地址\n甲公司,914403001922038216,\"南京市\t玄武区\t徐庄\"\n乙公司,91440300708461136T,\"南京\t江宁\"\n", 1),
        (
            "c6.csv",
            "说明：代码,名称,日期均必填\n企业名称;统一社会信用代码;成立日期\n甲公司;914403001922038216;2020-01-01\n乙公司;91440300708461136T;2021-02-03\n",
            2,
        ),
    ];
    for (name, text, header) in cases {
        let f = write_csv(t.path(), name, text);
        let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!((r.header_row, r.summary.accepted), (header, 2), "{name}");
    }
}

#[test]
fn an_amount_whose_cell_format_shows_wan_is_read_in_wan() {
    // 注册资本 with no unit in the header: 500 formatted 0"万元" is 500万; 12345678 formatted
    // 0!.0000"万" (shown as 1234.5678万) is stored in 元; a plain number is 元.
    let r = quirk("capital-format-wan.xlsx");
    let capital: Vec<Option<i64>> = r
        .rows
        .iter()
        .map(|x| match x.record.as_deref() {
            Some(import::validate::Record::Enterprise(e)) => e.registered_capital_fen,
            _ => panic!("{x:?}"),
        })
        .collect();
    assert_eq!(capital, [Some(500_000_000), Some(1_200_500_000), Some(1_234_567_800), Some(300_000)]);
}

const CERT_HEAD: &str = "企业名称,统一社会信用代码,认定类型,证书编号,发证日期,有效期至\n";

fn commits(db: &mut Db, dir: &Path, head: &str, rows: &[&str]) -> Vec<i64> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let f = write_csv(dir, &format!("f{i}.csv"), &format!("{head}{row}\n"));
            import::commit(db, &f, &ImportOptions::default(), &NoProgress).unwrap().batch_id.unwrap()
        })
        .collect()
}

#[test]
fn certification_updates_undone_in_any_order_end_where_none_had_happened() {
    let rows = [
        "甲公司,914403001922038216,高新技术企业,GR202332001234,2023-03-20,2026-03-19",
        "甲公司,914403001922038216,高新技术企业,GR202332001234,2023-03-20,2030-01-01",
        "甲公司,914403001922038216,高新技术企业,GR202332001234,2023-03-20,2031-01-01",
    ];
    for order in [[1usize, 2], [2, 1]] {
        let t = tempfile::tempdir().unwrap();
        let mut db = db(t.path());
        let ids = commits(&mut db, t.path(), CERT_HEAD, &rows);
        let expiry = |db: &Db| {
            let e = enterprise::find(db, "914403001922038216").unwrap();
            huiqi_core::cert::list(db, Some(e.id), None, None).unwrap()[0].expires_on.clone()
        };
        let first = import::undo(&mut db, ids[order[0]], true).unwrap();
        if order[0] == 1 {
            assert_eq!(expiry(&db).as_deref(), Some("2031-01-01"), "batch 3's later value is kept");
            assert!(first.kept.iter().any(|k| k.contains("expires_on")), "{:?}", first.kept);
        }
        import::undo(&mut db, ids[order[1]], true).unwrap();
        assert_eq!(expiry(&db).as_deref(), Some("2026-03-19"), "order {order:?}");
        assert!(db.check().unwrap().ok);
    }
}

#[test]
fn undoing_the_batch_that_created_a_record_first_leaves_the_later_batches_undoable_and_nothing_behind() {
    let rows = [
        "甲公司,914403001922038216,高新技术企业,GR202332001234,2023-03-20,2026-03-19",
        "甲公司,914403001922038216,高新技术企业,GR202332001234,2023-03-20,2030-01-01",
    ];
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let ids = commits(&mut db, t.path(), CERT_HEAD, &rows);
    let u = import::undo(&mut db, ids[0], true).unwrap();
    assert!(!u.kept.is_empty(), "the certification batch 2 changed is kept: {u:?}");
    // Batch 2 can still be undone; with it, nothing of either batch is left.
    import::undo(&mut db, ids[1], true).expect("no raw database error");
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert!(db.check().unwrap().ok);
}

#[test]
fn an_enterprise_created_by_a_batch_goes_once_every_batch_that_touched_it_is_undone_in_any_order() {
    let rows = ["甲公司,914403001922038216,张一,13000000001,地址A", "甲公司,914403001922038216,张二,13000000002,", "甲公司,914403001922038216,张三,,地址C"];
    for order in [[0usize, 1, 2], [2, 0, 1], [1, 0, 2]] {
        let t = tempfile::tempdir().unwrap();
        let mut db = db(t.path());
        let ids = commits(&mut db, t.path(), CONTACT_HEAD, &rows);
        for i in order {
            import::undo(&mut db, ids[i], true).unwrap();
        }
        assert_eq!(enterprise::count(&db).unwrap(), 0, "order {order:?}");
        assert!(db.check().unwrap().ok);
    }
}

#[test]
fn undo_looks_past_batches_and_edits_undone_since_whatever_undid_them() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let e = enterprise::create(
        &mut db,
        &EnterpriseInput { uscc: "914403001922038216".into(), name: "甲公司".into(), contact_name: Some("原人".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    let contact = |db: &Db| enterprise::find(db, "914403001922038216").unwrap().contact_name;
    // Batches 1 and 2, batch 2 undone, batch 3, batch 1 undone (its field kept: batch 3 changed it), batch 3 undone.
    let ids = commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,,", "甲公司,914403001922038216,张二,,"]);
    import::undo(&mut db, ids[1], false).unwrap();
    let three = commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张三,,"])[0];
    import::undo(&mut db, ids[0], true).unwrap();
    import::undo(&mut db, three, true).unwrap();
    assert_eq!(contact(&db), "原人");
    // An edit, a batch, the batch undone (the edit's field kept), then Ctrl+Z of the edit: 原人.
    let t2 = tempfile::tempdir().unwrap();
    let mut db2 = Db::open_rw(t2.path().join("i.db")).unwrap();
    let e2 = enterprise::create(
        &mut db2,
        &EnterpriseInput { uscc: "914403001922038216".into(), name: "甲公司".into(), contact_name: Some("原人".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    let b = commits(&mut db2, t2.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,,"])[0];
    let now = enterprise::find(&db2, "914403001922038216").unwrap();
    enterprise::update(&mut db2, e2.id, &EnterpriseInput { contact_name: Some("手工人".into()), ..enterprise::to_input(&now) }, None).unwrap();
    import::undo(&mut db2, b, true).unwrap();
    enterprise::undo_last(&mut db2).unwrap();
    assert_eq!(contact(&db2), "原人");
    let _ = e;
    assert!(db.check().unwrap().ok && db2.check().unwrap().ok);
}

#[test]
fn undoing_a_change_to_an_application_a_grant_was_drafted_from_asks_and_keeps_it() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "企业名称,统一社会信用代码,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,申请补贴年度\n";
    let ids = commits(
        &mut db,
        t.path(),
        head,
        &["甲公司,914403001922038216,100,50,2025-01-01,2025-12-31,1", "甲公司,914403001922038216,200,50,2025-01-01,2025-12-31,1"],
    );
    let app = huiqi_core::rent::applications(&db, false).unwrap()[0].id;
    let grant = huiqi_core::rent::draft(&mut db, app).unwrap();
    let err = import::undo(&mut db, ids[1], false).unwrap_err();
    assert_eq!(err.code(), "import_undo_conflict");
    assert!(err.message(huiqi_core::Lang::Zh).contains(&format!("房租补贴 #{}", grant.id)), "{}", err.message(huiqi_core::Lang::Zh));
    assert!(!err.message(huiqi_core::Lang::En).contains("修改"), "{}", err.message(huiqi_core::Lang::En));
    let u = import::undo(&mut db, ids[1], true).unwrap();
    assert!(u.kept.iter().any(|k| k.contains("已用于房租补贴")), "{:?}", u.kept);
    let stored = huiqi_core::rent::applications(&db, false).unwrap();
    assert_eq!(stored[0].id, app);
    assert!(db.check().unwrap().ok);
}

#[test]
fn second_review_shapes_read_as_before_the_first_round_of_fixes() {
    // A template's blank 填报单位 line names no park (it used to give “填报日期：”).
    assert_eq!(quirk("park-line-blank.xlsx").park, None);
    // Rosters that also list a certification's type and date, or an area and a unit rent, stay rosters.
    for f in ["roster-with-cert-columns.xlsx", "roster-with-area-columns.xlsx"] {
        let r = quirk(f);
        assert_eq!((r.kind, r.summary.rejected), (import::schema::Kind::Enterprises, 0), "{f}");
    }
    // A template the park filled in is the table, not a sheet with one row.
    let r = quirk("template-sheet-filled.xlsx");
    assert_eq!((r.sheet.as_str(), r.summary.rows), ("企业名录填报模板", 5));
    // Names that begin like footer lines (审核…, 制表…) with a code written '9132… or with a
    // hyphen are enterprises' rows.
    let r = quirk("names-like-notes.csv");
    assert_eq!((r.summary.skipped, r.summary.accepted), (0, 4), "{:?}", r.rows);
}

const RENT_HEAD: &str = "企业名称,统一社会信用代码,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,申请补贴年度\n";

#[test]
fn ctrl_z_of_a_merge_moves_back_only_the_links_still_at_the_survivor() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let first = commits(&mut db, t.path(), RENT_HEAD, &["乙公司,91320102910863147J,100,50,2025-01-01,2025-12-31,1"])[0];
    let s =
        enterprise::create(&mut db, &EnterpriseInput { uscc: "914403001922038216".into(), name: "甲公司".into(), ..Default::default() }).unwrap().enterprise;
    let l = enterprise::find(&db, "91320102910863147J").unwrap();
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: s.id, loser_id: l.id, picks: Default::default() }).unwrap();
    import::undo(&mut db, first, true).unwrap();
    // Another enterprise's application may now carry the removed one's id.
    let dir2 = t.path().join("z");
    std::fs::create_dir(&dir2).unwrap();
    commits(&mut db, &dir2, RENT_HEAD, &["丙公司,91440300708461136T,100,50,2025-01-01,2025-12-31,1"]);
    let third = enterprise::find(&db, "91440300708461136T").unwrap();
    enterprise::undo_last(&mut db).unwrap();
    let apps = huiqi_core::rent::applications(&db, false).unwrap();
    assert_eq!(apps.iter().map(|a| a.enterprise_id).collect::<Vec<_>>(), [third.id], "丙公司's application stays its own");
    assert!(db.check().unwrap().ok);
}

#[test]
fn ctrl_z_of_a_merge_keeps_what_a_later_import_wrote_on_the_survivor() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,13000000001,地址A"]);
    let l = enterprise::create(
        &mut db,
        &EnterpriseInput { uscc: "91320102910863147J".into(), name: "乙公司".into(), notes: Some("乙备注".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    let s = enterprise::find(&db, "914403001922038216").unwrap();
    let picks = [("notes".to_string(), enterprise::Pick::Loser)].into_iter().collect();
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: s.id, loser_id: l.id, picks }).unwrap();
    let dir2 = t.path().join("z");
    std::fs::create_dir(&dir2).unwrap();
    commits(&mut db, &dir2, CONTACT_HEAD, &["甲公司,914403001922038216,张二,13000000002,地址B"]);
    assert_eq!(enterprise::undo_last(&mut db).unwrap().action, "merge");
    let s = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!((s.contact_name.as_str(), s.address.as_str(), s.notes.as_str()), ("张二", "地址B", ""), "the later import stays; the merged note goes");
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_later_edit_that_writes_the_batchs_value_again_is_kept_on_undo() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let ids = commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,,", "甲公司,914403001922038216,张二,,"]);
    for name in ["张三", "张二"] {
        let e = enterprise::find(&db, "914403001922038216").unwrap();
        enterprise::update(&mut db, e.id, &EnterpriseInput { contact_name: Some(name.into()), ..enterprise::to_input(&e) }, None).unwrap();
    }
    let u = import::undo(&mut db, ids[1], true).unwrap();
    assert_eq!(enterprise::find(&db, "914403001922038216").unwrap().contact_name, "张二");
    assert!(u.kept.iter().any(|k| k.contains("联系人")), "{:?}", u.kept);
}

#[test]
fn ctrl_z_of_a_merge_whose_freed_code_was_taken_since_refuses_with_the_holder_named() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let s =
        enterprise::create(&mut db, &EnterpriseInput { uscc: "91320102910863147J".into(), name: "乙公司".into(), ..Default::default() }).unwrap().enterprise;
    commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,,"]);
    let l = enterprise::find(&db, "914403001922038216").unwrap();
    let picks = [("uscc".to_string(), enterprise::Pick::Loser), ("name".to_string(), enterprise::Pick::Loser)].into_iter().collect();
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: s.id, loser_id: l.id, picks }).unwrap();
    let dir2 = t.path().join("z");
    std::fs::create_dir(&dir2).unwrap();
    commits(&mut db, &dir2, CONTACT_HEAD, &["丙公司,91320102910863147J,丙人,,"]);
    let e = enterprise::undo_last(&mut db).unwrap_err();
    assert_ne!(e.code(), "database_error");
    assert!(e.message(huiqi_core::Lang::Zh).contains("丙公司"), "{}", e.message(huiqi_core::Lang::Zh));
    assert!(db.check().unwrap().ok);
}

#[test]
fn ctrl_z_of_the_last_edit_on_an_enterprise_an_undone_batch_made_removes_it() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let b = commits(&mut db, t.path(), CONTACT_HEAD, &["甲公司,914403001922038216,张一,,地址A"])[0];
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    enterprise::update(&mut db, e.id, &EnterpriseInput { notes: Some("手工备注".into()), ..enterprise::to_input(&e) }, None).unwrap();
    import::undo(&mut db, b, true).unwrap();
    assert_eq!(enterprise::count(&db).unwrap(), 1, "kept for the edit");
    enterprise::undo_last(&mut db).unwrap();
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert!(db.check().unwrap().ok);
}

fn record_field(r: &import::ImportReport, i: usize, field: &str) -> serde_json::Value {
    serde_json::to_value(r.rows[i].record.as_ref().unwrap_or_else(|| panic!("row {i}: {:?}", r.rows[i]))).unwrap()[field].clone()
}

#[test]
fn third_review_shapes() {
    // 0\.0000"万元" only shows 元 in 万: the value is 元.
    assert_eq!(record_field(&quirk("r3-fmt0.xlsx"), 0, "registered_capital_fen"), 500_000_000);
    // "金额单位：万元  面积单位：平方米" above the table.
    assert_eq!(record_field(&quirk("r3-unit_line.xlsx"), 0, "registered_capital_fen"), 500_000_000);
    // 有效期起 | 有效期止: the expiry is the end.
    let r = quirk("r3-cert_yxq.xlsx");
    assert_eq!(field_of(&r, "有效期止").as_deref(), Some("expires_on"));
    assert_eq!(field_of(&r, "有效期起"), None);
    assert_eq!(record_field(&r, 0, "expires_on"), "2026-11-05");
    // A range in one 有效期 cell is no date.
    let r = quirk("r3-cert_range.xlsx");
    assert!(r.rows.iter().all(|x| x.errors.iter().any(|e| e.code == "bad_date")), "{:?}", r.rows);
    // The park's sheet, not the instructions or example sheet.
    assert_eq!(quirk("r3-sh1.xlsx").sheet, "企业名录填报模板");
    assert_eq!(quirk("r3-sh3.xlsx").sheet, "麒麟科创园");
    // 填报单位：麒麟科创园（盖章） names 麒麟科创园; a line of underscores names none.
    assert_eq!(quirk("r3-park0.xlsx").park.as_deref(), Some("麒麟科创园"));
    assert_eq!(quirk("r3-park11.xlsx").park, None);
    // 申请补贴月数, 申请补贴面积（㎡） are no amounts.
    for f in ["r3-months.xlsx", "r3-area2.xlsx"] {
        let r = quirk(f);
        assert!(r.mapping.iter().all(|m| m.field != "requested_fen"), "{f}: {:?}", r.mapping);
    }
    // 元/（㎡·天） is per day (2.5 a day is 76.04 a month); 元/㎡/季度 is refused.
    assert_eq!(record_field(&quirk("r3-day.xlsx"), 0, "unit_rent_fen"), 7604);
    assert_eq!(quirk("r3-q.xlsx").rows[0].errors[0].code, "bad_amount");
    // 企业名称（英文） before 企业名称（中文）: the Chinese name; 联系人手机 is the phone.
    assert_eq!(record_field(&quirk("r3-en.xlsx"), 0, "name"), "南京甲科技有限公司");
    assert_eq!(field_of(&quirk("r3-phone.xlsx"), "联系人手机").as_deref(), Some("contact_phone"));
    // Rows whose name begins like 合计/说明 but that carry a code are validated, not skipped.
    let r = quirk("r3-skip1.xlsx");
    assert_eq!((r.summary.rows, r.summary.skipped), (6, 2), "{:?}", r.rows.iter().map(|x| x.row).collect::<Vec<_>>());
}

#[test]
fn units_a_field_cannot_have_are_refused_and_a_yearly_unit_rent_is_kept_per_month() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "企业名称,统一社会信用代码,租赁面积（㎡）,年租金单价（元/㎡）,租期起,租期止,申请补贴年度,2022年营业收入（万元）,2023年营业收入（万元）\n";
    let f = write_csv(t.path(), "a.csv", &format!("{head}甲公司,914403001922038216,100,600,2025-01-01,2025-12-31,1,100,150\n"));
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(record_field(&r, 0, "unit_rent_fen"), 5000, "600 元/㎡ a year is 50 元/㎡ a month");
    assert_eq!(
        (record_field(&r, 0, "revenue_prev_fen"), record_field(&r, 0, "revenue_curr_fen")),
        (100_000_000.into(), 150_000_000.into()),
        "100 and 150 万元"
    );
    for (col, cell) in [("租赁面积（亩）", "1.5"), ("年租金（元/㎡）", "600")] {
        let head = format!(
            "企业名称,统一社会信用代码,{col},租金单价（元/㎡/月）,租期起,租期止,申请补贴年度{}\n",
            if col.starts_with("租赁面积") { "" } else { ",租赁面积" }
        );
        let extra = if col.starts_with("租赁面积") { "" } else { ",100" };
        let f = write_csv(t.path(), "b.csv", &format!("{head}甲公司,914403001922038216,{cell},50,2025-01-01,2025-12-31,1{extra}\n"));
        let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
        let e = r.rows[0].errors.iter().find(|e| e.column == col).unwrap_or_else(|| panic!("{col}: {:?}", r.rows[0]));
        assert!(e.message.contains("单位是"), "{}", e.message);
    }
}

#[test]
fn ctrl_z_of_a_merge_after_the_losers_batch_was_undone_removes_the_loser() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let b = commits(&mut db, t.path(), RENT_HEAD, &["乙公司,91320102910863147J,100,50,2025-01-01,2025-12-31,1"])[0];
    let s =
        enterprise::create(&mut db, &EnterpriseInput { uscc: "914403001922038216".into(), name: "甲公司".into(), ..Default::default() }).unwrap().enterprise;
    let l = enterprise::find(&db, "91320102910863147J").unwrap();
    enterprise::merge(&mut db, &enterprise::MergePlan { survivor_id: s.id, loser_id: l.id, picks: Default::default() }).unwrap();
    import::undo(&mut db, b, true).unwrap();
    assert_eq!(enterprise::undo_last(&mut db).unwrap().action, "merge");
    assert!(enterprise::find(&db, "91320102910863147J").is_err(), "nothing that counts made or changed 乙公司");
    assert_eq!(enterprise::count(&db).unwrap(), 1);
    assert!(db.check().unwrap().ok);
}

/// 取消 pressed while a park's small file commits (it has fewer rows than the periodic check
/// needs): the commit stops before the batch is finished and nothing is kept. The progress bar's
/// total is the rows the file declares below its header.
#[test]
fn a_cancel_during_a_small_commit_keeps_nothing_and_progress_has_a_total() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    struct CancelOnceReading {
        reading: AtomicBool,
        total: AtomicU64,
    }
    impl huiqi_core::progress::Progress for CancelOnceReading {
        fn report(&self, stage: &str, _: u64, total: u64) {
            if stage == "open" {
                self.reading.store(true, Ordering::SeqCst);
            }
            self.total.fetch_max(total, Ordering::SeqCst);
        }
        // The backup before the import is not cancelled; the import itself is.
        fn cancelled(&self) -> bool {
            self.reading.load(Ordering::SeqCst)
        }
    }
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let file = fixtures().join("enterprises-roster.xlsx");
    let p = CancelOnceReading { reading: AtomicBool::new(false), total: AtomicU64::new(0) };
    let e = import::commit(&mut db, &file, &ImportOptions::default(), &p).unwrap_err();
    assert_eq!(e.code(), "cancelled");
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert!(import::batches(&db, 10).unwrap().is_empty(), "no batch is left behind");

    // Not cancelled: the rows come with the file's count below the header (61 data rows and the
    // lines under them), so the bar can show a percentage.
    struct Totals(AtomicU64, AtomicU64);
    impl huiqi_core::progress::Progress for Totals {
        fn report(&self, stage: &str, done: u64, total: u64) {
            if stage == "done" {
                self.0.store(done, Ordering::SeqCst);
            } else if stage == "validate" || stage == "commit" {
                self.1.fetch_max(total, Ordering::SeqCst);
            }
        }
    }
    let many = t.path().join("many.xlsx");
    huiqi_core::bench::gen_import(4_500, &t.path().join("gen")).map(|(x, _)| std::fs::copy(x, &many)).unwrap().unwrap();
    let p = Totals(AtomicU64::new(0), AtomicU64::new(0));
    import::analyze(&mut db, &many, &ImportOptions::default(), &p).unwrap();
    let (done, total) = (p.0.load(Ordering::SeqCst), p.1.load(Ordering::SeqCst));
    assert_eq!(done, 4_500);
    assert!(total >= done && total < done + 10, "total {total} for {done} rows");
}

fn codes(r: &import::RowReport) -> Vec<&str> {
    r.errors.iter().map(|e| e.code.as_str()).collect()
}

/// Real date cells are held to the years a table can mean, like dates typed as text: a 0 shown
/// as a date (1899-12-31), 9999-12-31, and a formula on a blank cell (有效期至 − 1095 → 1896) are
/// refused, saying why. A certificate issued in the future is refused too.
#[test]
fn date_cells_outside_plausible_years_and_future_issue_dates_are_refused() {
    let r = quirk("cert-dates-out-of-range.xlsx");
    let by_row = |n: u32| r.rows.iter().find(|x| x.row == n).unwrap();
    for n in [2, 3] {
        let row = by_row(n);
        assert_eq!(row.status, RowStatus::Rejected, "row {n}: {:?}", row.record);
        assert_eq!(codes(row), ["bad_date"], "row {n}");
        assert!(row.errors[0].message.contains("年份不合理"), "{}", row.errors[0].message);
    }
    // 2099-06-01: a real date, but not yet.
    let row = by_row(4);
    assert_eq!(codes(row), ["out_of_range"]);
    assert!(row.errors[0].message.contains("发证日期（2099-06-01）晚于今天"), "{}", row.errors[0].message);

    let r = quirk("cert-formula-date-on-blank.xlsx");
    let row = r.rows.iter().find(|x| x.row == 3).unwrap();
    assert_eq!(codes(row), ["bad_date"]);
    assert!(r.rows.iter().all(|x| x.record.as_ref().is_none_or(|rec| !format!("{rec:?}").contains("1896"))));
}

/// A date written in the right form that is not on the calendar says so (not "write it as
/// 2023-05-01", which it already is).
#[test]
fn a_date_that_is_not_on_the_calendar_says_so() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let f = write_csv(
        t.path(),
        "d.csv",
        &format!("{HEAD}1,南京甲科技有限公司,91320114282331851X,2023-02-29,100,,,\n2,南京乙科技有限公司,91320114417776314B,2023.13.01,100,,,\n"),
    );
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    for row in &r.rows {
        assert_eq!(codes(row), ["bad_date"]);
        assert!(row.errors[0].message.contains("不是日历上的日期"), "{}", row.errors[0].message);
    }
}

/// A CSV line with more cells than its header (an unquoted comma in 1,234): the row is refused
/// and says why, instead of storing 1 元 and the address "234". Its cells, the extra one too, are
/// kept for the error export.
#[test]
fn a_csv_line_longer_than_its_header_is_refused_not_shifted() {
    let r = quirk("csv-unquoted-comma.csv");
    assert_eq!(r.summary.accepted, 0);
    let row = &r.rows[0];
    assert_eq!(row.status, RowStatus::Rejected);
    assert_eq!(codes(row)[0], "extra_cells");
    assert!(row.errors[0].message.contains("比表头多 1 格"), "{}", row.errors[0].message);
    assert!(row.errors[0].message.contains("“南京市江宁区”"), "{}", row.errors[0].message);
    assert_eq!(row.cells.last(), Some("南京市江宁区"));
    assert_eq!(row.cells.len(), 5);
}

/// A GBK file with one damaged byte is refused, naming the line (a name with a replacement
/// character must not reach the registry).
#[test]
fn a_gbk_file_with_a_damaged_byte_is_refused_naming_the_line() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let file = fixtures().join("../import-quirks/gbk-damaged-byte.csv");
    let e = import::analyze(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "bad_encoding");
    let msg = e.message(huiqi_core::Lang::Zh);
    assert!(msg.contains("第 3 行"), "{msg}");
}

/// Text saved as UTF-16 without its byte-order mark ("Unicode text" of some programs) is read,
/// little- and big-endian alike, not refused as binary.
#[test]
fn utf16_text_without_a_byte_order_mark_is_read() {
    for f in ["utf16le-no-bom.csv", "utf16be-no-bom.csv"] {
        let r = quirk(f);
        assert_eq!(r.summary.accepted, 3, "{f}");
        let rec = serde_json::to_value(r.rows[0].record.as_ref().unwrap()).unwrap();
        assert_eq!(rec["name"], "南京甲科技有限公司", "{f}");
    }
}

/// A required field no column maps to: each row says the column is missing from the mapping
/// (not that the park left its cells empty). 止租日期 is a name for 租期止.
#[test]
fn a_required_field_without_a_column_is_blamed_on_the_mapping() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "统一社会信用代码,企业名称,租赁面积（㎡）,租金单价（元/㎡/月）,起租日期,申请补贴年度\n";
    let f = write_csv(t.path(), "r.csv", &format!("{head}91320114282331851X,南京甲科技有限公司,100,40,2024-01-01,1\n"));
    let r = import::analyze(&mut db, &f, &ImportOptions { kind: Some(import::schema::Kind::RentApplications), ..Default::default() }, &NoProgress).unwrap();
    let e = r.rows[0].errors.iter().find(|e| e.field == "lease_end").unwrap();
    assert_eq!(e.code, "missing_required");
    assert!(e.message.contains("文件中没有对应到“租期止”的列"), "{}", e.message);

    let f = write_csv(t.path(), "r2.csv", "统一社会信用代码,企业名称,租赁面积（㎡）,租金单价（元/㎡/月）,起租日期,止租日期,申请补贴年度\n91320114282331851X,南京甲科技有限公司,100,40,2024-01-01,2026-12-31,1\n");
    let r = import::analyze(&mut db, &f, &ImportOptions { kind: Some(import::schema::Kind::RentApplications), ..Default::default() }, &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 1, "{:?}", r.rows[0].errors);
}

/// Two rent rows of one enterprise are the same only with the same lease start and year: the
/// message says so (they may be two leases otherwise).
#[test]
fn a_duplicate_rent_row_names_what_makes_it_the_same() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "统一社会信用代码,企业名称,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,申请补贴年度\n";
    let line = "91320114282331851X,南京甲科技有限公司,100,40,2024-01-01,2026-12-31,1\n";
    let f = write_csv(t.path(), "r.csv", &format!("{head}{line}{line}"));
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    let e = &r.rows[1].errors[0];
    assert_eq!(e.code, "duplicate_in_file");
    assert!(e.message.contains("租期起 2024-01-01，第1年的补贴"), "{}", e.message);
}

/// Formula errors (#N/A, #DIV/0!) are no data in any format: a .ods error cell comes as text and
/// used to become a company name or a phone number; it is refused as in the .xlsx of the same
/// table.
#[test]
fn formula_error_values_are_refused_in_ods_as_in_xlsx() {
    let ods = quirk("ods-error-cells.ods");
    let xlsx = quirk("xlsx-error-cells.xlsx");
    for r in [&ods, &xlsx] {
        let bad: Vec<(u32, Vec<&str>)> = r.rows.iter().filter(|x| x.status == RowStatus::Rejected).map(|x| (x.row, codes(x))).collect();
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), [2, 4], "{bad:?}");
        assert!(bad.iter().all(|(_, c)| c.iter().all(|c| *c == "formula_error")), "{bad:?}");
    }
    assert_eq!(ods.rows.iter().map(|r| codes(r).len()).collect::<Vec<_>>(), xlsx.rows.iter().map(|r| codes(r).len()).collect::<Vec<_>>());
}

/// "—", "/", "无" are how parks write "nothing": a blank cell, which never overwrites what the
/// registry holds and lets an optional amount stay empty; under a required field they are asked
/// about by name.
#[test]
fn dashes_slashes_and_wu_are_blank_cells() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let first = write_csv(t.path(), "a.csv", &format!("{HEAD}1,南京甲科技有限公司,91320114282331851X,2020-01-01,100,,李四,025-84123456\n"));
    import::commit(&mut db, &first, &ImportOptions::default(), &NoProgress).unwrap();
    let second = write_csv(t.path(), "b.csv", &format!("{HEAD}1,南京甲科技有限公司,91320114282331851X,—,,/,无,—\n2,—,91320114417776314B,2020-01-01,100,,,\n"));
    let r = import::analyze(&mut db, &second, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.rows[0].action, Some(Action::Unchanged), "{:?}", r.rows[0].changes);
    let e = &r.rows[1].errors[0];
    assert_eq!((e.code.as_str(), e.value.as_str()), ("missing_required", "—"));
    assert!(e.message.contains("填的是“—”"), "{}", e.message);

    let head = "统一社会信用代码,企业名称,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,上年营业收入（万元）,申请补贴年度\n";
    // Under an amount a dash or 无 is asked about: an accounting format writes 0 as " -  ", and
    // 0 and "no figure" give different subsidies. The message says which to write.
    let f = write_csv(t.path(), "r.csv", &format!("{head}91320114282331851X,南京甲科技有限公司,100,40,2024-01-01,2026-12-31,无,1\n91320114417776314B,南京乙科技有限公司,100,40,2024-01-01,2026-12-31, -   ,1\n"));
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    for row in &r.rows {
        let e = &row.errors[0];
        assert_eq!(e.code, "bad_amount");
        assert!(e.message.contains("金额为 0 请填 0，没有这项数据请留空"), "{}", e.message);
    }

    // A yes/no column: a dash is blank, 无 is 否.
    let f = write_csv(
        t.path(),
        "h.csv",
        "统一社会信用代码,企业名称,是否高新技术企业\n91320114282331851X,南京甲科技有限公司,— —\n91320114417776314B,南京乙科技有限公司,无\n",
    );
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 2, "{:?}", r.rows.iter().map(|x| &x.errors).collect::<Vec<_>>());
    let ht = |i: usize| serde_json::to_value(r.rows[i].record.as_ref().unwrap()).unwrap()["high_tech"].clone();
    assert_eq!((ht(0), ht(1)), (serde_json::Value::Null, serde_json::json!(false)));
}

/// A certificate without an end (长期有效, or 9999-12-31 as registries export it) keeps that as its
/// expiry, instead of being refused as an implausible date.
#[test]
fn a_long_term_certificate_keeps_9999_12_31_as_its_expiry() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "统一社会信用代码,企业名称,认定类型,证书编号,发证日期,有效期至\n";
    let f = write_csv(t.path(), "c.csv", &format!("{head}91320114282331851X,南京甲科技有限公司,国家知识产权示范企业,ZS2023001,2023-11-06,长期有效\n91320114417776314B,南京乙科技有限公司,国家级绿色工厂,LS2023002,2023-11-06,9999-12-31\n"));
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    for row in &r.rows {
        assert_eq!(row.status, RowStatus::Accepted, "{:?}", row.errors);
        assert_eq!(serde_json::to_value(row.record.as_ref().unwrap()).unwrap()["expires_on"], "9999-12-31");
    }
    // A kind the policy gives a term (高企: three years) is not long-term: its renewal and review
    // reminders would never come. The message gives the rule's date.
    let f = write_csv(t.path(), "h.csv", &format!("{head}91320115MAUM78Q231,南京丙科技有限公司,高新技术企业,GR202332001236,2023-11-06,长期有效\n"));
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    let e = &r.rows[0].errors[0];
    assert_eq!((e.code.as_str(), e.field.as_str()), ("out_of_range", "expires_on"));
    assert!(e.message.contains("按发证日期推算到 2026-11-05"), "{}", e.message);
}

/// What an eighth review found: a quote closed lines later swallowing whole records; an amount
/// cut at an unquoted thousands comma under a header with blank trailing cells; 万 shown rounded
/// in an .ods (and LibreOffice's rewrite of Excel's scaled 万 format) read alike in all formats; an
/// .ods sheet whose name holds "&" keeps its merged cells and 万 cells.
#[test]
fn eighth_review_csv_quotes_split_amounts_and_wan_across_formats() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let e =
        import::analyze(&mut db, &fixtures().join("../import-quirks/csv-quote-closed-lines-later.csv"), &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "file_unreadable");
    assert!(e.message(huiqi_core::Lang::Zh).contains("第 2 行有一个引号没有在本格结束"), "{}", e.message(huiqi_core::Lang::Zh));

    let r = quirk("csv-thousands-comma-under-blank-header.csv");
    let split: Vec<&import::RowReport> = r.rows.iter().filter(|x| x.errors.iter().any(|e| e.code == "extra_cells")).collect();
    assert!(!split.is_empty() && split.iter().all(|x| x.record.is_none()), "{:?}", r.rows);
    assert!(split[0].errors[0].message.contains("千分位逗号"), "{}", split[0].errors[0].message);

    let fen = |f: &str| -> Vec<Option<i64>> {
        quirk(f).rows.iter().map(|r| r.record.as_ref().and_then(|x| serde_json::to_value(x).unwrap()["registered_capital_fen"].as_i64())).collect()
    };
    let xlsx = fen("capital-wan-rounded.xlsx");
    assert_eq!(fen("capital-wan-rounded.xls"), xlsx);
    assert_eq!(fen("capital-wan-rounded.ods"), xlsx);
    let amp: Vec<String> = ["xlsx", "xls", "ods"]
        .iter()
        .map(|e| {
            format!(
                "{:?}",
                quirk(&format!("sheet-name-with-ampersand.{e}"))
                    .rows
                    .iter()
                    .map(|r| r.record.as_ref().map(|x| serde_json::to_value(x).unwrap()))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    assert_eq!(amp[1], amp[0]);
    assert_eq!(amp[2], amp[0]);
}

/// Legitimate CSV shapes the stricter reading must not refuse: a quoted multi-line note holding
/// commas, notes in a column the header leaves unnamed (its line ends with a comma), Excel's
/// CRLF lines counted once against the cell limit.
#[test]
fn legitimate_csv_shapes_are_still_read() {
    let r = quirk("csv-multiline-note-with-commas.csv");
    assert_eq!((r.summary.accepted, r.summary.rejected), (2, 0), "{:?}", r.rows);
    let r = quirk("csv-unnamed-notes-column.csv");
    assert_eq!((r.summary.accepted, r.summary.rejected), (3, 0), "{:?}", r.rows.iter().map(|x| &x.errors).collect::<Vec<_>>());

    // 4,900,000 cells in CRLF lines (wide ones: fewer rows to read): under the limit.
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let mut text = String::from(HEAD).replace('\n', "\r\n");
    let line = format!("1,南京甲科技有限公司,91320114282331851X,2020-01-01,100,,,{}\r\n", ",".repeat(392));
    text.extend(std::iter::repeat_n(line.as_str(), 4_900_000 / 400));
    let f = write_csv(t.path(), "crlf.csv", &text);
    let e = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).map(|r| r.summary.rows);
    assert!(e.is_ok(), "{:?}", e.err().map(|e| e.code()));
}

/// A quote left open in a CSV swallowed the next records into one address: the file is refused,
/// naming the line where the quote opened.
#[test]
fn an_unclosed_quote_in_a_csv_is_refused_naming_its_line() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let file = fixtures().join("../import-quirks/csv-unclosed-quote.csv");
    let e = import::analyze(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "file_unreadable");
    let msg = e.message(huiqi_core::Lang::Zh);
    assert!(msg.contains("第 2 行有一个引号没有成对"), "{msg}");
    // A quoted address over two lines is a cell, not a damaged file.
    let ok = write_csv(t.path(), "ok.csv", &format!("{HEAD}1,南京甲科技有限公司,91320114282331851X,2020-01-01,100,,李四,\"南京市江宁区,\n秣陵街道1号\"\n"));
    assert_eq!(import::analyze(&mut db, &ok, &ImportOptions::default(), &NoProgress).unwrap().summary.accepted, 1);
}

/// An amount over a trillion yuan says it is too large (a unit mistake, most likely), not that it
/// is no amount.
#[test]
fn an_amount_over_the_cap_says_it_is_too_large() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let f = write_csv(
        t.path(),
        "a.csv",
        &format!("{HEAD}1,南京甲科技有限公司,91320114282331851X,2020-01-01,123456789.125,,,\n2,南京乙科技有限公司,91320114417776314B,2020-01-01,12x,,,\n"),
    );
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    assert!(r.rows[0].errors[0].message.contains("超过一万亿元"), "{}", r.rows[0].errors[0].message);
    assert!(r.rows[1].errors[0].message.contains("不是金额"), "{}", r.rows[1].errors[0].message);
}

/// Over 5 million cells is refused before any row is read (the report grows with the rows: a
/// file refused only when the count ran over took 770 MB). A sheet that merely declares a huge
/// dimension around three cells is read as usual.
#[test]
fn too_many_cells_are_refused_before_rows_are_read_and_a_lying_dimension_is_not() {
    use std::sync::atomic::{AtomicU64, Ordering};
    struct Rows(AtomicU64);
    impl huiqi_core::progress::Progress for Rows {
        fn report(&self, stage: &str, done: u64, _: u64) {
            if stage == "validate" {
                self.0.fetch_max(done, Ordering::SeqCst);
            }
        }
    }
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let mut text = String::from(HEAD);
    let line = "1,南京甲科技有限公司,91320114282331851X,2020-01-01,100,,,\n";
    text.extend(std::iter::repeat_n(line, 5_000_000 / 8 + 10));
    let f = write_csv(t.path(), "big.csv", &text);
    let p = Rows(AtomicU64::new(0));
    let e = import::analyze(&mut db, &f, &ImportOptions::default(), &p).unwrap_err();
    assert_eq!(e.code(), "too_many_cells");
    assert_eq!(p.0.load(Ordering::SeqCst), 0, "refused before rows were validated");

    let r = quirk("dimension-xfd-three-cells.xlsx");
    assert_eq!(r.summary.accepted, 1);
}

/// The column mapping a user chose is remembered per park and kind, offered at that park's next
/// file (marked as such), not at another park's, and set aside on request.
#[test]
fn a_chosen_column_mapping_is_remembered_per_park_and_offered_next_time() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "企业名称,统一社会信用代码,主营方向\n";
    let f = write_csv(t.path(), "a.csv", &format!("{head}南京甲科技有限公司,91320114282331851X,软件\n"));
    let at = |park: &str| ImportOptions { park: Some(park.into()), ..Default::default() };
    let auto = import::analyze(&mut db, &f, &at("江宁园"), &NoProgress).unwrap();
    let col = auto.columns.iter().find(|c| c.column == "主营方向").unwrap();
    assert_eq!(col.field, None, "not a synonym of anything");
    let chosen = ImportOptions { columns: Some(vec![import::ColumnChoice { index: col.index, field: Some("sector".into()) }]), ..at("江宁园") };
    import::commit(&mut db, &f, &chosen, &NoProgress).unwrap();

    let g = write_csv(t.path(), "b.csv", &format!("{head}南京乙科技有限公司,91320114417776314B,集成电路\n"));
    let next = import::analyze(&mut db, &g, &at("江宁园"), &NoProgress).unwrap();
    let c = next.columns.iter().find(|c| c.column == "主营方向").unwrap();
    assert_eq!((c.field.as_deref(), c.remembered), (Some("sector"), true));
    assert!(!next.columns.iter().filter(|c| c.column != "主营方向").any(|c| c.remembered), "only what differs from the header's own mapping is marked");
    let rec = serde_json::to_value(next.rows[0].record.as_ref().unwrap()).unwrap();
    assert_eq!(rec["sector"], "集成电路");

    let other = import::analyze(&mut db, &g, &at("麒麟园"), &NoProgress).unwrap();
    assert_eq!(other.columns.iter().find(|c| c.column == "主营方向").unwrap().field, None);
    // A column set aside by choice is not "unknown".
    let set_aside = ImportOptions { columns: Some(vec![import::ColumnChoice { index: c.index, field: None }]), ..at("江宁园") };
    let r = import::analyze(&mut db, &g, &set_aside, &NoProgress).unwrap();
    assert!(r.unknown_columns.is_empty(), "{:?}", r.unknown_columns);
    assert_eq!(import::analyze(&mut db, &g, &at("麒麟园"), &NoProgress).unwrap().unknown_columns, ["主营方向"]);
    let fresh = import::analyze(&mut db, &g, &ImportOptions { auto_columns: Some(true), ..at("江宁园") }, &NoProgress).unwrap();
    let c = fresh.columns.iter().find(|c| c.column == "主营方向").unwrap();
    assert_eq!((c.field.as_deref(), c.remembered), (None, false));
}

/// A chart sheet before the table (it cannot be read as cells) is passed over, not a reason to
/// refuse the file.
#[test]
fn a_chart_sheet_is_passed_over() {
    let r = quirk("chart-sheet-first.xlsx");
    assert!(r.summary.accepted > 0, "{:?}", r.summary);
}

/// Amounts formatted to print with 万 (`0"万元"`, `#,##0.00"万"`) under a header without a unit are
/// in 万 in .xls and .ods as in .xlsx (they were read as 元: 10,000 times too small). The xls
/// formats come from its FORMAT and XF records; an .ods cell shows its value with 万 in its text.
#[test]
fn amounts_shown_in_wan_read_alike_in_xlsx_xls_and_ods() {
    let fen = |f: &str| -> Vec<Option<i64>> {
        quirk(f).rows.iter().map(|r| serde_json::to_value(r.record.as_ref().unwrap()).unwrap()["registered_capital_fen"].as_i64()).collect()
    };
    let xlsx = fen("capital-shown-in-wan.xlsx");
    assert_eq!(xlsx, [Some(500_000_000), Some(12_500_000)]);
    assert_eq!(fen("capital-shown-in-wan.xls"), xlsx);
    assert_eq!(fen("capital-shown-in-wan.ods"), xlsx);
}

/// A header that says 元 over cells formatted to show 万 (“500万元”): what the cell shows wins, as
/// it does for a cell typed “500万元” — alike in .xlsx, .xls and .ods (all three stored 500 元).
#[test]
fn cells_shown_in_wan_win_over_a_yuan_header_in_every_format() {
    // The third row's 500 is a text cell: a number format does not show it otherwise.
    for e in ["xlsx", "xls", "ods"] {
        let r = quirk(&format!("capital-yuan-header-wan-cells.{e}"));
        let fen: Vec<Option<i64>> =
            r.rows.iter().map(|r| r.record.as_ref().and_then(|x| serde_json::to_value(x).unwrap()["registered_capital_fen"].as_i64())).collect();
        assert_eq!(fen, [Some(500_000_000), Some(500_000_000), Some(50_000), Some(500_000_000)], "{e}");
    }
}

/// A park's rent file against the ledger: a typed subsidy year the months do not support is a
/// warning on its cell (the row is imported; the grant will use the ledger's year), and a lease
/// that starts before the registry's founding date is refused, naming the column.
#[test]
fn rent_rows_are_checked_against_the_ledger() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    huiqi_core::enterprise::create(
        &mut db,
        &huiqi_core::enterprise::EnterpriseInput {
            uscc: "914403001922038216".into(),
            name: "南京甲乙科技有限公司".into(),
            founded_on: Some("2024-06-01".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let head = "企业名称,统一社会信用代码,租赁地址,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,上年营业收入（元）,本年营业收入（元）,申请补贴年度\n";
    let f = write_csv(
        t.path(),
        "r.csv",
        &format!(
            "{head}南京甲乙科技有限公司,914403001922038216,秣周东路9号,250.5,45,2024-03-01,2025-02-28,100,140,1\n\
             南京甲乙科技有限公司,914403001922038216,秣周东路9号,250.5,45,2025-03-01,2026-02-28,100,140,3\n\
             南京丙丁科技有限公司,91440300708461136T,软件大道1号,100,40,2025-01-01,2025-12-31,100,140,2\n"
        ),
    );
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.rows[0].status, RowStatus::Rejected);
    assert_eq!(r.rows[0].errors[0].code, "lease_before_founding");
    assert_eq!(r.rows[0].errors[0].column, "租期起");
    assert!(r.rows[0].errors[0].message.contains("2024-06-01"), "{}", r.rows[0].errors[0].message);
    assert!(!r.rows[0].cells.is_empty(), "the refused row keeps its cells for the preview");
    for (i, typed, derived) in [(1, "3", "第1年"), (2, "2", "第1年")] {
        assert_eq!(r.rows[i].status, RowStatus::Accepted);
        // (the rows also say what the subsidy lacks: no certification here, see the next test)
        let w: Vec<_> = r.rows[i].warnings.iter().filter(|w| w.code != "subsidy_data_missing").collect();
        assert_eq!(w.len(), 1, "row {}: {w:?}", r.rows[i].row);
        assert_eq!((w[0].code.as_str(), w[0].field.as_str(), w[0].value.as_str()), ("subsidy_year_mismatch", "subsidy_year", typed));
        assert!(w[0].message.contains(derived), "{}", w[0].message);
    }
    let c = import::commit(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!((c.summary.accepted, c.summary.rejected), (2, 1));
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_level_column_that_contradicts_the_kind_rejects_the_row_and_is_kept_otherwise() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let head = "企业名称,统一社会信用代码,认定类型,级别,证书编号,发证日期\n";
    let a = write_csv(
        t.path(),
        "a.csv",
        &format!(
            "{head}南京甲乙科技有限公司,914403001922038216,国家级工业设计中心,省级,S-1,2025-03-01\n\
             南京甲乙科技有限公司,914403001922038216,绿色工厂,国家级,G-1,2025-03-02\n\
             南京丙丁科技有限公司,91440300708461136T,专精特新中小企业,国家级,Z-1,2025-03-03\n\
             南京丙丁科技有限公司,91440300708461136T,专精特新中小企业,江苏省,Z-2,2025-03-04\n\
             南京丙丁科技有限公司,91440300708461136T,省级绿色供应链管理企业,,L-1,2025-03-05\n"
        ),
    );
    let r = import::commit(&mut db, &a, &ImportOptions::default(), &NoProgress).unwrap();
    let codes: Vec<Vec<(&str, &str)>> = r.rows.iter().map(|row| row.errors.iter().map(|e| (e.code.as_str(), e.column.as_str())).collect()).collect();
    assert_eq!(
        codes,
        vec![vec![("kind_level_mismatch", "级别")], vec![], vec![("kind_level_mismatch", "级别")], vec![], vec![("kind_level_mismatch", "认定类型")]],
        "{:?}",
        r.rows
    );
    let m = &r.rows[0].errors[0].message;
    assert!(m.contains("省级") && m.contains("国家级工业设计中心"), "{m}");
    // The rows kept keep their level.
    let certs = huiqi_core::cert::list(&db, None, None, None).unwrap();
    let mut levels: Vec<(&str, &str)> = certs.iter().map(|c| (c.kind.as_str(), c.level.as_str())).collect();
    levels.sort();
    assert_eq!(levels, [("green_factory", "国家级"), ("specialized_sme_provincial", "江苏省")]);
}

/// A rent file whose rows would be calculated as 0.00 — an enterprise the registry lacks, or one
/// without a founding date or a qualifying certification during the lease — says so before the
/// commit, on the row, with what to do; a row with both has no such note.
#[test]
fn rent_rows_say_what_the_subsidy_lacks_before_the_commit() {
    let t = tempfile::tempdir().unwrap();
    let mut db = db(t.path());
    let ok = enterprise::create(
        &mut db,
        &EnterpriseInput {
            uscc: "914403001922038216".into(),
            name: "南京甲乙科技有限公司".into(),
            founded_on: Some("2022-06-01".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .enterprise;
    huiqi_core::cert::add(
        &mut db,
        &huiqi_core::cert::CertInput {
            uscc: ok.uscc.clone(),
            kind: "high_tech_enterprise".into(),
            certificate_no: Some("GR2024".into()),
            issued_on: "2024-12-01".into(),
            ..Default::default()
        },
    )
    .unwrap();
    enterprise::create(&mut db, &EnterpriseInput { uscc: "91440300708461136T".into(), name: "南京丙丁科技有限公司".into(), ..Default::default() }).unwrap();
    let head = "企业名称,统一社会信用代码,租赁地址,租赁面积（㎡）,租金单价（元/㎡/月）,租期起,租期止,上年营业收入（元）,本年营业收入（元）,申请补贴年度\n";
    let f = write_csv(
        t.path(),
        "r.csv",
        &format!(
            "{head}南京甲乙科技有限公司,914403001922038216,秣周东路9号,250.5,45,2025-01-01,2025-12-31,100,140,1\n\
             南京丙丁科技有限公司,91440300708461136T,软件大道1号,100,40,2025-01-01,2025-12-31,100,140,1\n\
             南京戊己科技有限公司,91110108551385082Q,软件大道2号,100,40,2025-01-01,2025-12-31,100,140,1\n"
        ),
    );
    let r = import::analyze(&mut db, &f, &ImportOptions::default(), &NoProgress).unwrap();
    let lacks = |i: usize| r.rows[i].warnings.iter().find(|w| w.code == "subsidy_data_missing").map(|w| w.message.clone());
    assert_eq!(lacks(0), None, "founded and certified: nothing to say");
    let m = lacks(1).expect("no founding date, no certification");
    assert!(m.contains("台账中这家企业缺少成立日期和租期内有效的高新技术企业或科技型中小企业资格") && m.contains("补贴会测算为0"), "{m}");
    let m = lacks(2).expect("a new enterprise");
    assert!(m.starts_with("台账中没有这家企业，导入后将新建"), "{m}");
    let w = r.rows[2].warnings.iter().find(|w| w.code == "subsidy_data_missing").unwrap();
    assert_eq!((w.field.as_str(), w.column.as_str()), ("uscc", "统一社会信用代码"));
    assert!(r.rows.iter().all(|x| x.status == RowStatus::Accepted), "a note, not a refusal");
}
