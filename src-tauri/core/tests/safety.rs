//! Hostile text in cells and forms: formula-like text is stored as typed and exported inert;
//! bidi and zero-width characters and NUL are stripped on the way in (import and registry);
//! a 10,000-character name is refused with a clear message on both paths; SQL-looking text is
//! stored as typed.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use huiqi_core::enterprise::{self, EnterpriseInput, EnterpriseQuery};
use huiqi_core::import::{self, ImportOptions, RowStatus};
use huiqi_core::progress::NoProgress;
use huiqi_core::store::Db;

const HEAD: &str = "企业名称,统一社会信用代码,联系人,注册地址\n";

fn csv(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{HEAD}{body}")).unwrap();
    p
}

#[test]
fn formula_like_cells_are_stored_as_text_and_exported_inert() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let file = csv(
        t.path(),
        "formulas.csv",
        concat!(
            "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"点我\"\")\",914403001922038216,@SUM(1),+1+1\n",
            "南京公式科技有限公司,91440300708461136T,\"\t=1\",-2+3\n",
        ),
    );
    let r = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 2, "{:?}", r.rows.iter().flat_map(|x| x.errors.clone()).collect::<Vec<_>>());
    let a = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!(a.name, "=HYPERLINK(\"http://evil.example\",\"点我\")", "stored exactly as typed");
    assert_eq!(a.contact_name, "@SUM(1)");
    assert_eq!(a.address, "+1+1");
    let b = enterprise::find(&db, "91440300708461136T").unwrap();
    assert_eq!(b.contact_name, "=1", "a leading tab is white space: stripped, the rest kept as text");
    assert_eq!(b.address, "-2+3");

    // xlsx: every one of them is a string cell, no formula anywhere.
    let x = t.path().join("out.xlsx");
    huiqi_core::enterprise::export(&db, &EnterpriseQuery::default(), &x).unwrap();
    let mut wb = open_workbook_auto(&x).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let strings: Vec<String> = range.used_cells().filter_map(|(_, _, c)| if let Data::String(s) = c { Some(s.clone()) } else { None }).collect();
    for s in ["=HYPERLINK(\"http://evil.example\",\"点我\")", "@SUM(1)", "+1+1", "=1", "-2+3"] {
        assert!(strings.iter().any(|x| x == s), "{s} written as a string cell");
    }
    assert!(wb.worksheet_formula(&sheet).unwrap().used_cells().all(|(_, _, f)| f.is_empty()), "no formula cells");

    // CSV: a leading apostrophe keeps each inert when a spreadsheet opens the file.
    let c = t.path().join("out.csv");
    huiqi_core::enterprise::export(&db, &EnterpriseQuery::default(), &c).unwrap();
    let text = std::fs::read_to_string(&c).unwrap();
    for s in ["'=HYPERLINK(", "'@SUM(1)", "'+1+1", "'=1", "'-2+3"] {
        assert!(text.contains(s), "{s} guarded in {text}");
    }
    for line in text.lines().skip(1) {
        for field in line.split(',') {
            let f = field.trim_start_matches('"');
            assert!(!huiqi_core::text::is_formula_like(f), "an unguarded field: {field}");
        }
    }
}

#[test]
fn bidi_zero_width_and_nul_are_stripped_on_import_and_in_the_registry() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let nasty = "\u{202E}南京\u{200B}隐形\u{200F}科技\u{2066}有限\u{2069}公司\u{0}\u{202A}\u{202B}\u{202C}\u{202D}\u{2067}\u{2068}\u{200C}\u{200D}\u{200E}";
    let file = csv(t.path(), "bidi.csv", &format!("{nasty},914403001922038216,张\u{200B}三,地址\u{202E}txt.exe\n"));
    let r = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 1);
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!(e.name, "南京隐形科技有限公司");
    assert_eq!(e.contact_name, "张三");
    assert_eq!(e.address, "地址txt.exe");

    let saved = enterprise::create(
        &mut db,
        &EnterpriseInput {
            uscc: "91440300708461136T".into(),
            name: nasty.replace("隐形", "表单"),
            address: Some("\u{0}路\u{feff}1号".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(saved.enterprise.name, "南京表单科技有限公司");
    assert_eq!(saved.enterprise.address, "路1号");
    for e in enterprise::search(&db, &EnterpriseQuery::default()).unwrap().rows {
        assert!(!e.name.chars().any(huiqi_core::text::is_invisible), "{:?}", e.name);
    }
    // A file name made from such text is safe too.
    assert_eq!(huiqi_core::text::safe_file_name("\u{202E}公司/../x\u{0}.pdf"), "公司_.._x.pdf");
}

#[test]
fn a_ten_thousand_character_name_is_refused_with_a_clear_message() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let long = "南".repeat(10_000);
    // The registry form.
    let e = enterprise::create(&mut db, &EnterpriseInput { uscc: "914403001922038216".into(), name: long.clone(), ..Default::default() }).unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e:?}");
    let d = e.details().unwrap().to_string();
    assert!(d.contains("too_long") && d.contains("10000") && d.contains("200"), "{d}");
    // The import: the row is rejected with the column and the limit named; nothing written.
    let file = csv(t.path(), "long.csv", &format!("{long},914403001922038216,,\n南京正常科技有限公司,91440300708461136T,,\n"));
    let r = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!((r.summary.accepted, r.summary.rejected), (1, 1));
    let row = r.rows.iter().find(|x| x.status == RowStatus::Rejected).unwrap();
    assert_eq!(row.errors[0].code, "too_long");
    assert!(
        row.errors[0].message.contains("企业名称") && row.errors[0].message.contains("10000") && row.errors[0].message.contains("200"),
        "{}",
        row.errors[0].message
    );
    assert!(row.errors[0].value.chars().count() < 30, "the report does not carry the 10,000 characters");
    assert!(enterprise::find(&db, "914403001922038216").is_err());
    // An over-long address is refused the same way (2,000 characters at most).
    let file = csv(t.path(), "addr.csv", &format!("南京地址科技有限公司,91110108551385082Q,,{}\n", "路".repeat(3000)));
    let r = import::analyze(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.rejected, 1);
}

#[test]
fn sql_looking_text_is_stored_as_typed() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let evil = "'; DROP TABLE enterprise; --";
    enterprise::create(
        &mut db,
        &EnterpriseInput {
            uscc: "914403001922038216".into(),
            name: evil.into(),
            notes: Some("Robert'); DROP TABLE audit_event;--".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let file = csv(t.path(), "sql.csv", "\"x\"\" OR 1=1; --\",91440300708461136T,'; DELETE FROM setting; --,\n");
    import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    let e = enterprise::find(&db, "914403001922038216").unwrap();
    assert_eq!(e.name, evil);
    assert_eq!(e.notes, "Robert'); DROP TABLE audit_event;--");
    assert_eq!(enterprise::find(&db, "91440300708461136T").unwrap().contact_name, "'; DELETE FROM setting; --");
    // Searching for it finds it and harms nothing.
    let page = enterprise::search(&db, &EnterpriseQuery { q: Some(evil.into()), ..Default::default() }).unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(enterprise::count(&db).unwrap(), 2);
    assert!(db.check().unwrap().ok);
}

/// Found by the csv_reader fuzz target: a lone CR ends a record for the CSV reader but was not
/// counted as a line, so rows got the same number — and a file with classic Mac line endings
/// (CR only) had every row on "line 1", under the header: nothing imported, silently.
#[test]
fn csv_with_cr_only_line_endings_numbers_rows_like_an_editor() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let p = t.path().join("mac.csv");
    std::fs::write(&p, "企业名称,统一社会信用代码\r南京某某科技有限公司,914403001922038216\r南京某甲科技有限公司,91440300708461136T\r").unwrap();
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 2, "{:?}", r.summary);
    assert_eq!(r.rows.iter().map(|x| x.row).collect::<Vec<_>>(), vec![2, 3]);
    // Mixed: a lone CR in the middle of a CRLF file is a line break too.
    std::fs::write(&p, "企业名称,统一社会信用代码\r\n南京某某科技有限公司,914403001922038216\r南京某甲科技有限公司,91440300708461136T\r\n").unwrap();
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.rows.iter().map(|x| x.row).collect::<Vec<_>>(), vec![2, 3]);
}

/// Rows are record numbers: a quoted address over two lines is one row (the next row is not
/// pushed down, and no phantom blank row is counted), a blank line is one blank row — with LF,
/// CRLF and CR line ends alike.
#[test]
fn csv_rows_are_records_a_multi_line_field_is_one_row() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let p = t.path().join("multi.csv");
    for eol in ["\n", "\r\n", "\r"] {
        let text = [
            "企业名称,统一社会信用代码,注册地址",
            "南京某某科技有限公司,914403001922038216,\"江宁区{EOL}5号楼\"",
            "",
            "",
            "南京某甲科技有限公司,91440300708461136T,秦淮区",
            "",
        ]
        .join(eol)
        .replace("{EOL}", eol);
        std::fs::write(&p, &text).unwrap();
        let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
        assert_eq!(r.rows.iter().map(|x| x.row).collect::<Vec<_>>(), vec![2, 5], "{eol:?}");
        assert_eq!(r.summary.skipped, 2, "two blank lines, {eol:?}: {:?}", r.summary);
        let rec = serde_json::to_value(r.rows[0].record.as_ref().unwrap()).unwrap();
        assert_eq!(rec["address"], "江宁区 5号楼", "{eol:?}");
    }
}

#[test]
fn a_stray_quote_inside_a_field_of_a_large_csv_is_a_character_not_the_start_of_a_record() {
    // The record-size guard must follow the csv reader's quoting: `5"号楼` does not open a quoted
    // field, so a 6 MB file with it in row 2 is read whole, not refused as one giant record.
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let mut body = String::from("南京某某科技有限公司,914403001922038216,张三,江宁区5\"号楼\n");
    let filler = "南京填充科技有限公司,不是代码,李四,秦淮区中山路1号\n";
    while body.len() < 6 * 1024 * 1024 {
        body.push_str(filler);
    }
    let p = csv(t.path(), "big.csv", &body);
    let r = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.summary.accepted, 1);
    let a = r.rows.iter().find(|x| x.row == 2).unwrap();
    assert_eq!(a.status, RowStatus::Accepted);
    assert!(r.summary.rows > 80_000, "every row read: {:?}", r.summary);
}

#[test]
fn one_csv_record_larger_than_the_limit_is_refused_naming_the_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("s.db")).unwrap();
    let huge = "很".repeat(2 * 1024 * 1024); // 6 MB of text in one unquoted cell
    let p = csv(t.path(), "one-line.csv", &format!("南京某某科技有限公司,914403001922038216,{huge},地址\n"));
    let e = import::analyze(&mut db, &p, &ImportOptions::default(), &NoProgress).unwrap_err();
    assert_eq!(e.code(), "too_many_cells");
    let msg = e.to_string();
    assert!(msg.contains("one-line.csv") && msg.contains("第 2 行"), "{msg}");
}

#[test]
fn inputs_that_once_broke_the_fuzzer_read_without_panicking() {
    // tests/fixtures/fuzz-regressions: crashes found by src-tauri/core/fuzz, kept after the fix.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/fuzz-regressions");
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        n += 1;
        // A content.xml for the .ods look-ahead (named after its fuzz target).
        if p.file_name().is_some_and(|f| f.to_string_lossy().starts_with("ods_scan-")) {
            let _ = import::ods::scan_xml(std::fs::read(&p).unwrap().as_slice());
            continue;
        }
        let Ok(mut book) = import::read::open(&p) else { continue };
        let sheets = book.sheet_names();
        let mut last = 0u32;
        let _ = book.for_each_row(&sheets[0], |row, cells| {
            assert!(row > last, "{}: row numbers increase", p.display());
            last = row;
            for c in cells {
                let _ = c.display();
            }
            Ok(true)
        });
    }
    assert!(n > 0);
}

#[test]
fn gbk_detected_when_the_first_chinese_text_comes_late_and_in_a_long_file() {
    let (gbk, _, _) = encoding_rs::GBK.encode("南京云帆星河信息技术有限公司,914403001922038216\n");
    // 400 KB of ASCII first, then GBK rows (the detector must not stop before it sees them)…
    let mut late = b"name,uscc\n".to_vec();
    while late.len() < 400 * 1024 {
        late.extend_from_slice(b"x,1\n");
    }
    late.extend_from_slice(&gbk);
    let (text, enc) = import::read::decode_text(&late);
    assert_eq!(enc, "gbk");
    assert!(text.ends_with("南京云帆星河信息技术有限公司,914403001922038216\n"));
    // …and a long file whose GBK text starts at once is decoded whole, past what the detector saw.
    let many: Vec<u8> = std::iter::repeat_n(gbk.as_ref(), 30_000).flatten().copied().collect();
    let (text, enc) = import::read::decode_text(&many);
    assert_eq!(enc, "gbk");
    assert_eq!(text.matches("南京云帆星河").count(), 30_000);
}
