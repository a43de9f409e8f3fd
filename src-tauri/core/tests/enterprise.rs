//! The registry: validation with field errors, duplicate-name warnings, history and undo
//! (compensating events), merge (links move, both audited, undoable) and search.

use huiqi_core::enterprise::{self, EnterpriseInput, EnterpriseQuery, EnterpriseStatus, MergePlan, Pick};
use huiqi_core::store::Db;

fn db() -> (tempfile::TempDir, Db) {
    let t = tempfile::tempdir().unwrap();
    let db = Db::open_rw(t.path().join("e.db")).unwrap();
    (t, db)
}

fn input(uscc: &str, name: &str) -> EnterpriseInput {
    EnterpriseInput { uscc: uscc.into(), name: name.into(), ..Default::default() }
}

const A: &str = "914403001922038216";
const B: &str = "91440300708461136T";
const C: &str = "91110108551385082Q";

#[test]
fn validation_reports_every_field() {
    let (_t, mut db) = db();
    let bad = EnterpriseInput {
        uscc: "914403001922038217".into(),
        name: " ".into(),
        founded_on: Some("2023-02-30".into()),
        registered_capital_fen: Some(-1),
        sector: Some("航天".into()),
        contact_phone: Some("call me".into()),
        ..Default::default()
    };
    let err = enterprise::create(&mut db, &bad).unwrap_err();
    assert_eq!(err.code(), "uscc_checksum");
    let fields: Vec<String> = err.details().unwrap()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, vec!["uscc", "name", "founded_on", "registered_capital_fen", "sector", "contact_phone"]);
    assert_eq!(enterprise::count(&db).unwrap(), 0, "nothing written");
    // A taken code is refused and names the holder.
    enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap();
    let e = enterprise::create(&mut db, &input(" 9144 0300 1922 0382 16 ", "另一家")).unwrap_err();
    assert!(e.message(huiqi_core::Lang::Zh).contains("南京甲乙科技有限公司"));
}

#[test]
fn names_differing_in_brackets_and_spaces_warn_as_duplicates() {
    let (_t, mut db) = db();
    enterprise::create(&mut db, &input(A, "南京某某（江苏）科技有限公司 ")).unwrap();
    let r = enterprise::create(&mut db, &input(B, "南京某某(江苏)科技有限公司")).unwrap();
    assert_eq!(r.warnings[0].code, "possible_duplicate");
    assert_eq!(r.enterprise.name, "南京某某(江苏)科技有限公司", "the stored name is what was typed, trimmed");
    let first = enterprise::find(&db, A).unwrap();
    assert_eq!(first.name, "南京某某（江苏）科技有限公司");
}

#[test]
fn history_and_undo_write_compensating_events() {
    let (_t, mut db) = db();
    let e = enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap().enterprise;
    let mut i = enterprise::to_input(&e);
    i.contact_name = Some("王五".into());
    enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap();
    // A stale revision is refused.
    assert_eq!(enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap_err().code(), "stale_revision");
    let d = enterprise::detail(&db, e.id).unwrap();
    assert_eq!(d.history.len(), 2);
    assert_eq!(d.history[0].action, "update");
    assert_eq!(d.history[0].changes[0].field, "contact_name");
    let u = enterprise::undo_last(&mut db).unwrap();
    assert_eq!(u.action, "update");
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_name, "");
    let d = enterprise::detail(&db, e.id).unwrap();
    assert_eq!(d.history.len(), 3, "the undo is a new event");
    assert!(d.history.iter().any(|h| h.undone));
    // Next Ctrl+Z undoes the creation.
    let u = enterprise::undo_last(&mut db).unwrap();
    assert_eq!(u.action, "create");
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert_eq!(enterprise::undo_last(&mut db).unwrap_err().code(), "nothing_to_undo");
    assert!(db.check().unwrap().ok);
}

#[test]
fn status_changes_never_delete() {
    let (_t, mut db) = db();
    let e = enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap().enterprise;
    enterprise::set_status(&mut db, e.id, EnterpriseStatus::Deregistered).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().status, EnterpriseStatus::Deregistered);
    let p = enterprise::search(&db, &EnterpriseQuery { status: Some(EnterpriseStatus::Deregistered), ..Default::default() }).unwrap();
    assert_eq!(p.total, 1);
}

#[test]
fn merge_picks_fields_moves_links_and_can_be_undone() {
    let (t, mut db) = db();
    let s = enterprise::create(&mut db, &EnterpriseInput { contact_name: Some("王五".into()), ..input(A, "南京甲乙科技有限公司") }).unwrap().enterprise;
    let l = enterprise::create(&mut db, &EnterpriseInput { contact_phone: Some("13800000000".into()), ..input(B, "南京甲乙科技公司") }).unwrap().enterprise;
    // The loser has a certification (a link) from an import.
    let csv = t.path().join("c.csv");
    std::fs::write(&csv, format!("企业名称,统一社会信用代码,认定类型,证书编号,发证日期\n南京甲乙科技公司,{B},高新技术企业,GR2024,2024-01-01\n")).unwrap();
    huiqi_core::import::commit(&mut db, &csv, &Default::default(), &huiqi_core::progress::NoProgress).unwrap();
    let mut picks = std::collections::BTreeMap::new();
    picks.insert("contact_phone".to_string(), Pick::Loser);
    let m = enterprise::merge(&mut db, &MergePlan { survivor_id: s.id, loser_id: l.id, picks }).unwrap();
    assert_eq!(m.contact_name, "王五");
    assert_eq!(m.contact_phone, "13800000000");
    let loser = enterprise::get(&db, l.id).unwrap();
    assert_eq!(loser.status, EnterpriseStatus::Merged);
    assert_eq!(loser.merged_into, Some(s.id));
    assert_eq!(enterprise::count(&db).unwrap(), 1, "the merged record is kept but hidden");
    let owner: i64 = huiqi_core::store::query_one_i64(&db, "SELECT enterprise_id FROM certification").unwrap();
    assert_eq!(owner, s.id, "the link moved to the survivor");
    assert!(enterprise::detail(&db, l.id).unwrap().history.iter().any(|h| h.action == "merged_into"));
    // Undo the merge.
    let u = enterprise::undo_last(&mut db).unwrap();
    assert_eq!(u.action, "merge");
    assert_eq!(enterprise::count(&db).unwrap(), 2);
    assert_eq!(enterprise::get(&db, l.id).unwrap().status, EnterpriseStatus::Active);
    let owner: i64 = huiqi_core::store::query_one_i64(&db, "SELECT enterprise_id FROM certification").unwrap();
    assert_eq!(owner, l.id, "the link moved back");
    assert!(db.check().unwrap().ok);
}

#[test]
fn search_by_fragment_code_prefix_contact_park_and_filters() {
    let (_t, mut db) = db();
    enterprise::create(
        &mut db,
        &EnterpriseInput {
            park: Some("麒麟科技创新园".into()),
            contact_name: Some("王小明".into()),
            contact_phone: Some("13912345678".into()),
            sector: Some("人工智能".into()),
            ..input(A, "南京钟山（江苏）智能科技有限公司")
        },
    )
    .unwrap();
    enterprise::create(&mut db, &EnterpriseInput { park: Some("徐庄高新区".into()), sector: Some("新材料".into()), ..input(B, "江苏紫峰新材料有限公司") })
        .unwrap();
    enterprise::create(&mut db, &input(C, "北京某某科技有限公司")).unwrap();
    fn search(db: &Db, s: &str) -> enterprise::EnterprisePage {
        enterprise::search(db, &EnterpriseQuery { q: Some(s.into()), ..Default::default() }).unwrap()
    }
    let q = |s: &str| search(&db, s);
    assert_eq!(q("钟山").total, 1);
    assert_eq!(q("钟山(江苏)").total, 1, "brackets do not matter");
    assert_eq!(q("江苏").total, 2);
    assert_eq!(q("科技有限").total, 2);
    assert_eq!(q("紫").total, 1, "one character");
    assert_eq!(q("司").total, 3, "one character that only ends a name");
    assert_eq!(q("（司").total, 3, "one character and a bracket");
    assert_eq!(q("明").total, 1, "the last character of a contact");
    assert_eq!(q("料").total, 1, "the last character of a sector (and of a name)");
    assert_eq!(q("Z").total, 0, "nothing matches the field separator");
    assert_eq!(q("8").total, 1, "a digit of a phone number");
    assert_eq!(q("9144").total, 2, "USCC prefix");
    assert_eq!(q("91440300708").rows[0].uscc, B);
    assert_eq!(q("914403001922038216").total, 1);
    assert_eq!(q("9144030070846113 6t").total, 1, "typed with a space, lower case");
    assert_eq!(q("王小明").total, 1, "contact");
    assert_eq!(q("13912345").total, 1, "phone");
    assert_eq!(q("麒麟").total, 1, "park name");
    assert_eq!(q("新材料").total, 1);
    assert_eq!(q("不存在").total, 0);
    assert_eq!(q("'; DROP TABLE enterprise; --").total, 0);
    let f = enterprise::search(&db, &EnterpriseQuery { park: Some("徐庄高新区".into()), ..Default::default() }).unwrap();
    assert_eq!(f.total, 1);
    let f = enterprise::search(&db, &EnterpriseQuery { sector: Some("人工智能".into()), q: Some("科技".into()), ..Default::default() }).unwrap();
    assert_eq!(f.total, 1);
    // Sorting and paging.
    let p = enterprise::search(&db, &EnterpriseQuery { sort: Some(enterprise::SortKey::Uscc), desc: true, limit: 2, ..Default::default() }).unwrap();
    assert_eq!(p.total, 3);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0].uscc, B, "descending");
    // An edit re-indexes.
    let e = enterprise::find(&db, C).unwrap();
    enterprise::update(&mut db, e.id, &EnterpriseInput { name: "北京焕新科技有限公司".into(), ..enterprise::to_input(&e) }, None).unwrap();
    assert_eq!(search(&db, "焕新").total, 1);
    assert_eq!(search(&db, "某某").total, 0);
}

#[test]
fn undo_of_an_edit_puts_back_only_its_fields_and_leaves_a_later_import_be() {
    let (t, mut db) = db();
    let csv = |name: &str, text: &str| {
        let p = t.path().join(name);
        std::fs::write(&p, format!("企业名称,统一社会信用代码,产业领域,联系人,联系电话\n{text}\n")).unwrap();
        p
    };
    let opts = huiqi_core::import::ImportOptions::default();
    let none = huiqi_core::progress::NoProgress;
    huiqi_core::import::commit(&mut db, &csv("a.csv", &format!("甲公司,{A},软件和信息服务,张一,13000000001")), &opts, &none).unwrap();
    let e = enterprise::find(&db, A).unwrap();
    enterprise::update(&mut db, e.id, &EnterpriseInput { contact_name: Some("手工联系人".into()), ..enterprise::to_input(&e) }, None).unwrap();
    // A later file changes the phone and the sector (and not the contact).
    huiqi_core::import::commit(&mut db, &csv("b.csv", &format!("甲公司,{A},人工智能,,13900000000")), &opts, &none).unwrap();
    let u = enterprise::undo_last(&mut db).unwrap();
    assert_eq!(u.action, "update");
    let e = enterprise::find(&db, A).unwrap();
    assert_eq!(e.contact_name, "张一", "the edit is undone");
    assert_eq!((e.sector.as_str(), e.contact_phone.as_str()), ("人工智能", "13900000000"), "the later import stays");
    assert!(db.check().unwrap().ok);
}

#[test]
fn undo_of_an_edit_overwritten_since_keeps_the_newer_value_and_says_so() {
    let (t, mut db) = db();
    let e = enterprise::create(&mut db, &EnterpriseInput { contact_name: Some("张一".into()), ..input(A, "甲公司") }).unwrap().enterprise;
    enterprise::update(&mut db, e.id, &EnterpriseInput { contact_name: Some("张二".into()), ..enterprise::to_input(&e) }, None).unwrap();
    let p = t.path().join("c.csv");
    std::fs::write(&p, format!("企业名称,统一社会信用代码,联系人\n甲公司,{A},张三\n")).unwrap();
    huiqi_core::import::commit(&mut db, &p, &Default::default(), &huiqi_core::progress::NoProgress).unwrap();
    let u = enterprise::undo_last(&mut db).unwrap();
    assert!(u.summary_zh.contains("联系人之后又被修改，保留现值"), "{}", u.summary_zh);
    assert_eq!(enterprise::find(&db, A).unwrap().contact_name, "张三");
    assert!(db.check().unwrap().ok);
}

#[test]
fn ctrl_z_of_an_add_an_import_changed_since_refuses_and_says_why() {
    let (t, mut db) = db();
    enterprise::create(&mut db, &EnterpriseInput { contact_name: Some("原人".into()), ..input(A, "甲公司") }).unwrap();
    let p = t.path().join("c.csv");
    std::fs::write(&p, format!("企业名称,统一社会信用代码,联系人\n甲公司,{A},张三\n")).unwrap();
    let r = huiqi_core::import::commit(&mut db, &p, &Default::default(), &huiqi_core::progress::NoProgress).unwrap();
    let e = enterprise::undo_last(&mut db).unwrap_err();
    assert_eq!(e.code(), "enterprise_changed_since");
    assert!(e.message(huiqi_core::Lang::Zh).contains(&format!("导入批次 #{}", r.batch_id.unwrap())), "{}", e.message(huiqi_core::Lang::Zh));
    assert_eq!(enterprise::find(&db, A).unwrap().contact_name, "张三");
}

#[test]
fn ctrl_z_undoes_a_merge_that_took_nothing_from_the_loser() {
    let (_t, mut db) = db();
    let a = enterprise::create(&mut db, &input(A, "甲公司")).unwrap().enterprise;
    let b = enterprise::create(&mut db, &input(B, "乙公司")).unwrap().enterprise;
    enterprise::merge(&mut db, &MergePlan { survivor_id: a.id, loser_id: b.id, picks: Default::default() }).unwrap();
    let u = enterprise::undo_last(&mut db).unwrap();
    assert_eq!(u.action, "merge");
    let b = enterprise::find(&db, B).unwrap();
    assert_eq!((b.status, b.merged_into), (EnterpriseStatus::Active, None));
    // The next Ctrl+Z goes on to the adds, not to the merge again.
    assert_eq!(enterprise::undo_last(&mut db).unwrap().action, "create");
    assert!(db.check().unwrap().ok);
}

#[test]
fn ctrl_z_never_undoes_the_demo_data_set() {
    let (_t, mut db) = db();
    let n = huiqi_core::demo::load(&mut db).unwrap();
    let events = huiqi_core::store::audit::count_for_test(&db);
    assert!(enterprise::undo_preview(&db).unwrap().is_none(), "a demo ledger has no hand change");
    let e = enterprise::undo_last(&mut db).unwrap_err();
    assert_eq!(e.code(), "nothing_to_undo");
    assert!(e.message(huiqi_core::Lang::Zh).contains("手工修改"), "{}", e.message(huiqi_core::Lang::Zh));
    assert_eq!(enterprise::count(&db).unwrap() as usize, n, "nothing removed");
    assert_eq!(huiqi_core::store::audit::count_for_test(&db), events, "nothing written");
    // A hand edit on the demo ledger is undone; then again nothing.
    let id = enterprise::search(&db, &EnterpriseQuery::default()).unwrap().rows[0].id;
    let e = enterprise::get(&db, id).unwrap();
    let mut i = enterprise::to_input(&e);
    i.contact_phone = Some("025-12345678".into());
    enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap();
    assert_eq!(enterprise::undo_last(&mut db).unwrap().action, "update");
    assert_eq!(enterprise::undo_last(&mut db).unwrap_err().code(), "nothing_to_undo");
    assert_eq!(enterprise::count(&db).unwrap() as usize, n);
}

#[test]
fn many_records_created_in_one_transaction_are_not_a_hand_change() {
    // A ledger whose demo data was loaded before the loader named itself in the journal.
    let (_t, mut db) = db();
    let sectors = enterprise::sectors(&db).unwrap();
    let a = enterprise::validate(&input(A, "南京甲乙科技有限公司"), &sectors).unwrap();
    let b = enterprise::validate(&input(B, "南京丙丁科技有限公司"), &sectors).unwrap();
    db.write(|tx| {
        huiqi_core::store::enterprise::insert(tx, &a)?;
        huiqi_core::store::enterprise::insert(tx, &b)
    })
    .unwrap();
    assert_eq!(enterprise::undo_last(&mut db).unwrap_err().code(), "nothing_to_undo");
    assert_eq!(enterprise::count(&db).unwrap(), 2);
    // One created by hand is.
    enterprise::create(&mut db, &input(C, "南京戊己科技有限公司")).unwrap();
    assert_eq!(enterprise::undo_preview(&db).unwrap().unwrap().action, "create");
}

#[test]
fn undo_names_the_change_first_and_redo_puts_it_back() {
    let (_t, mut db) = db();
    let e = enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap().enterprise;
    let mut i = enterprise::to_input(&e);
    i.contact_phone = Some("025-11111111".into());
    let e = enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap().enterprise;
    let mut i = enterprise::to_input(&e);
    i.contact_phone = Some("025-22222222".into());
    i.registered_capital_fen = Some(50_000_000);
    enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap();

    let p = enterprise::undo_preview(&db).unwrap().unwrap();
    assert_eq!(p.action, "update");
    assert_eq!(p.enterprise_name, "南京甲乙科技有限公司");
    assert!(p.text_zh.starts_with("撤销对“南京甲乙科技有限公司”的修改："), "{}", p.text_zh);
    assert!(p.text_zh.contains("联系电话 025-11111111 → 025-22222222"), "{}", p.text_zh);
    assert!(p.text_zh.contains("注册资本 （空） → 500,000.00元"), "{}", p.text_zh);
    assert!(p.text_en.contains("025-11111111 → 025-22222222") && p.text_en.contains("(empty) → 500,000.00 yuan"), "{}", p.text_en);
    assert!(!p.text_en.contains("contact_phone") && !p.text_en.contains('（'), "no field codes or Chinese in English: {}", p.text_en);
    // Previewing changes nothing; a preview made stale by a later change is refused.
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_phone, "025-22222222");
    let cur = enterprise::get(&db, e.id).unwrap();
    let mut i = enterprise::to_input(&cur);
    i.contact_name = Some("王五".into());
    enterprise::update(&mut db, e.id, &i, Some(cur.revision)).unwrap();
    assert_eq!(enterprise::undo_confirmed(&mut db, p.event_id).unwrap_err().code(), "undo_stale");
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_name, "王五", "nothing undone");

    // Undo twice (王五, then the phone and capital), redo twice in order.
    let p1 = enterprise::undo_preview(&db).unwrap().unwrap();
    enterprise::undo_confirmed(&mut db, p1.event_id).unwrap();
    let p2 = enterprise::undo_preview(&db).unwrap().unwrap();
    assert_eq!(p2.event_id, p.event_id);
    enterprise::undo_confirmed(&mut db, p2.event_id).unwrap();
    let now = enterprise::get(&db, e.id).unwrap();
    assert_eq!((now.contact_phone.as_str(), now.contact_name.as_str(), now.registered_capital_fen), ("025-11111111", "", None));

    let r = enterprise::redo_preview(&db).unwrap().unwrap();
    assert!(r.text_zh.starts_with("重做对“南京甲乙科技有限公司”的修改："), "{}", r.text_zh);
    assert!(r.text_zh.contains("联系电话 025-11111111 → 025-22222222"), "{}", r.text_zh);
    enterprise::redo(&mut db, Some(r.event_id)).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_phone, "025-22222222");
    assert_eq!(enterprise::get(&db, e.id).unwrap().registered_capital_fen, Some(50_000_000));
    let r = enterprise::redo_preview(&db).unwrap().unwrap();
    assert!(r.text_zh.contains("联系人 （空） → 王五"), "{}", r.text_zh);
    enterprise::redo(&mut db, None).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_name, "王五");
    assert_eq!(enterprise::redo(&mut db, None).unwrap_err().code(), "nothing_to_redo");
    // A redo is a change like any other: Ctrl+Z undoes it.
    assert!(enterprise::undo_preview(&db).unwrap().unwrap().text_zh.contains("联系人 （空） → 王五"));
    enterprise::undo_last(&mut db).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_name, "");
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_new_change_ends_what_can_be_redone() {
    let (_t, mut db) = db();
    let e = enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap().enterprise;
    let mut i = enterprise::to_input(&e);
    i.contact_phone = Some("025-11111111".into());
    enterprise::update(&mut db, e.id, &i, Some(e.revision)).unwrap();
    enterprise::undo_last(&mut db).unwrap();
    assert!(enterprise::redo_preview(&db).unwrap().is_some());
    let cur = enterprise::get(&db, e.id).unwrap();
    let mut i = enterprise::to_input(&cur);
    i.address = Some("江宁区胜太路1号".into());
    enterprise::update(&mut db, e.id, &i, Some(cur.revision)).unwrap();
    assert!(enterprise::redo_preview(&db).unwrap().is_none());
    assert_eq!(enterprise::redo(&mut db, None).unwrap_err().code(), "nothing_to_redo");
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_phone, "");
    // Undoing that new change and redoing it does not bring back what it ended.
    enterprise::undo_last(&mut db).unwrap();
    enterprise::redo(&mut db, None).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().address, "江宁区胜太路1号");
    assert_eq!(enterprise::redo(&mut db, None).unwrap_err().code(), "nothing_to_redo");
    assert_eq!(enterprise::get(&db, e.id).unwrap().contact_phone, "");
}

#[test]
fn an_undone_creation_is_redone_with_its_id() {
    let (_t, mut db) = db();
    let e = enterprise::create(&mut db, &input(A, "南京甲乙科技有限公司")).unwrap().enterprise;
    let p = enterprise::undo_preview(&db).unwrap().unwrap();
    assert_eq!(p.action, "create");
    assert!(p.text_zh.contains("撤销新增企业“南京甲乙科技有限公司”"), "{}", p.text_zh);
    enterprise::undo_confirmed(&mut db, p.event_id).unwrap();
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    let r = enterprise::redo_preview(&db).unwrap().unwrap();
    assert!(r.text_zh.contains("重新新增企业“南京甲乙科技有限公司”"), "{}", r.text_zh);
    enterprise::redo(&mut db, Some(r.event_id)).unwrap();
    assert_eq!(enterprise::get(&db, e.id).unwrap().uscc, A, "back with its id");
    assert_eq!(enterprise::search(&db, &EnterpriseQuery { q: Some("甲乙".into()), ..Default::default() }).unwrap().total, 1, "and in the search");
    enterprise::undo_last(&mut db).unwrap();
    assert_eq!(enterprise::count(&db).unwrap(), 0);
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_fragment_many_names_have_counts_to_a_thousand_and_says_there_are_more() {
    let (_t, mut db) = db();
    let sectors = enterprise::sectors(&db).unwrap();
    let v: Vec<_> = huiqi_core::demo::enterprises(1_050, 11).iter().map(|i| enterprise::validate(i, &sectors).unwrap()).collect();
    db.write(|tx| v.iter().try_for_each(|x| huiqi_core::store::enterprise::insert(tx, x).map(|_| ()))).unwrap();
    let q = |s: &str| enterprise::search(&db, &EnterpriseQuery { q: Some(s.into()), limit: 50, ..Default::default() }).unwrap();
    let p = q("公司");
    assert_eq!((p.total, p.more, p.rows.len()), (1_000, true, 50), "counted to 1,000, the first page at once");
    let p = q("司");
    assert_eq!((p.total, p.more), (1_000, true));
    let name = &v[7].name;
    let p = q(name);
    assert!(!p.more && p.total >= 1 && p.rows.iter().any(|r| &r.name == name), "a full name is counted exactly");
}
