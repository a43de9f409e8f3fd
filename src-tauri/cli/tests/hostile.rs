//! Hostile files, generated here (never committed): each one goes through a real
//! `huiqi import --dry-run` process, which must refuse it quickly, with a stable code and a message
//! that names the file, in bounded memory (peak RSS < 300 MB). Prints the table of outcomes:
//! `cargo test -p huiqi-cli --test hostile -- --nocapture` (or tests/hostile/run.sh).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;

const MAX_RSS_KB: i64 = 300 * 1024;
/// Debug build on a shared 2-core machine: generous; the table shows the real figures.
const MAX_TIME: Duration = Duration::from_secs(30);

struct Case {
    name: &'static str,
    file: PathBuf,
    /// Accepted outcomes: error codes, or "ok" for a file that is read normally.
    expect: &'static [&'static str],
}

fn big_sheet_bomb(dir: &Path, honest: bool) -> PathBuf {
    // ~200 MB of rows of ten numeric cells, a few hundred KB compressed.
    let head = format!("{SHEET_HEAD}<dimension ref=\"A1:J1\"/><sheetData>");
    let pattern = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c><c><v>4</v></c><c><v>5</v></c><c><v>6</v></c><c><v>7</v></c><c><v>8</v></c><c><v>9</v></c><c><v>0</v></c></row>";
    let (data, size, crc) = deflate_bomb(head.as_bytes(), pattern, 200 * 1024 * 1024 / pattern.len() as u64, b"</sheetData></worksheet>");
    let mut parts = xlsx_parts();
    parts.push(Entry { name: "xl/worksheets/sheet1.xml".into(), data, deflated: true, declared_size: if honest { size } else { 4096 }, crc });
    let p = dir.join(if honest { "zip-bomb.xlsx" } else { "zip-bomb-lying-size.xlsx" });
    write_zip(&p, &parts);
    p
}

/// A BIFF8 workbook stream: globals (BOF, one BOUNDSHEET, EOF), then one sheet substream with
/// `records` between its BOF and EOF.
fn xls_with_sheet(records: &[Vec<u8>]) -> Vec<u8> {
    xls_with(&[], records)
}

/// [`xls_with_sheet`] with `globals` (an SST, say) before the globals' EOF.
fn xls_with(globals: &[Vec<u8>], records: &[Vec<u8>]) -> Vec<u8> {
    let bof = |dt: u16| biff(0x0809, &[0x00, 0x06, dt.to_le_bytes()[0], dt.to_le_bytes()[1], 0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0, 0, 0]);
    let name = "Sheet1";
    let boundsheet = |pos: u32| {
        let mut d = pos.to_le_bytes().to_vec();
        d.extend([0, 0, name.len() as u8, 0]);
        d.extend(name.as_bytes());
        biff(0x0085, &d)
    };
    let globals_len = bof(5).len() + boundsheet(0).len() + globals.iter().map(Vec::len).sum::<usize>() + biff(0x000A, &[]).len();
    let mut wb = bof(5);
    wb.extend(boundsheet(globals_len as u32));
    for g in globals {
        wb.extend(g);
    }
    wb.extend(biff(0x000A, &[]));
    wb.extend(bof(0x10));
    for r in records {
        wb.extend(r);
    }
    wb.extend(biff(0x000A, &[]));
    wb
}

/// An .ods with the given `<table:table>` elements.
fn write_ods(path: &Path, tables: &str) {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    write_zip(
        path,
        &[
            Entry::stored("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
            Entry::stored("content.xml", content.as_bytes()),
            Entry::stored("META-INF/manifest.xml", manifest.as_bytes()),
        ],
    );
}

const ODS_HEADER_ROW: &str = "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>企业名称</text:p></table:table-cell>\
    <table:table-cell office:value-type=\"string\"><text:p>统一社会信用代码</text:p></table:table-cell></table:table-row>";

fn cases(dir: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let mut add = |name: &'static str, file: PathBuf, expect: &'static [&'static str]| v.push(Case { name, file, expect });

    // Control: the generator makes files the importer reads.
    let p = dir.join("valid.xlsx");
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<dimension ref=\"A1:B3\"/><sheetData>{}</sheetData></worksheet>", roster_rows()));
    add("control: a valid generated xlsx", p, &["ok"]);

    add("xlsx zip bomb (200 MB sheet, ratio ≈150, honest sizes)", big_sheet_bomb(dir, true), &["zip_bomb"]);
    add("xlsx zip bomb lying about its size (declares 4 KB)", big_sheet_bomb(dir, false), &["file_unreadable", "too_many_cells", "zip_bomb"]);

    let p = dir.join("dimension-xfd.xlsx");
    write_xlsx_sheet(
        &p,
        &format!("{SHEET_HEAD}<dimension ref=\"A1:XFD1048576\"/><sheetData><row r=\"1\">{}</row></sheetData></worksheet>", inline("A1", "无关内容")),
    );
    add("dimension claims A1:XFD1048576 (one real cell)", p, &["header_not_found"]);

    let p = dir.join("dimension-xfd-table.xlsx");
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<dimension ref=\"A1:XFD1048576\"/><sheetData>{}</sheetData></worksheet>", roster_rows()));
    add("dimension claims A1:XFD1048576 over a real 3-row table", p, &["ok"]);

    let p = dir.join("dimension-beyond.xlsx");
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<dimension ref=\"A1:XFD1048577\"/><sheetData>{}</sheetData></worksheet>", roster_rows()));
    add("dimension beyond Excel (row 1,048,577)", p, &["too_many_cells"]);

    let p = dir.join("cell-beyond.xlsx");
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<sheetData>{}<row r=\"4\">{}</row></sheetData></worksheet>", roster_rows(), inline("XFE4", "x")));
    add("a cell beyond Excel's last column (XFE4)", p, &["too_many_cells"]);

    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>"#;
    let body = format!(
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{}</row></sheetData></worksheet>",
        inline("A1", "&lol9;")
    );
    let p = dir.join("billion-laughs.xlsx");
    write_xlsx_sheet(&p, &format!("{laughs}{body}"));
    add("billion laughs in sheet XML", p, &["hostile_xml"]);

    let p = dir.join("billion-laughs-late.xlsx");
    write_xlsx_sheet(&p, &format!("<?xml version=\"1.0\"?><!--{}-->{}{body}", " ".repeat(20_000), &laughs[21..]));
    add("billion laughs after a 20 KB comment", p, &["hostile_xml"]);

    let p = dir.join("xxe.xlsx");
    let xxe = format!("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">{}</row></sheetData></worksheet>", inline("A1", "&xxe;"));
    write_xlsx_sheet(&p, &xxe);
    add("external entity (XXE) in sheet XML", p, &["hostile_xml"]);

    let p = dir.join("xxe-shared-strings.xlsx");
    let mut parts = xlsx_parts();
    parts.push(Entry::stored("xl/worksheets/sheet1.xml", format!("{SHEET_HEAD}<sheetData>{}</sheetData></worksheet>", roster_rows()).as_bytes()));
    parts.push(Entry::stored("xl/sharedStrings.xml", b"<?xml version=\"1.0\"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>&xxe;</t></si></sst>"));
    write_zip(&p, &parts);
    add("external entity in sharedStrings.xml", p, &["hostile_xml"]);

    let p = dir.join("renamed-png.xlsx");
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..20_000u32).map(|i| (i * 31 % 251) as u8));
    std::fs::write(&p, png).unwrap();
    add("a PNG renamed .xlsx", p, &["not_a_spreadsheet"]);

    let p = dir.join("renamed-text.xls");
    std::fs::write(&p, "这不是电子表格，只是一段文字。\n".repeat(100)).unwrap();
    add("a text file renamed .xls", p, &["not_a_spreadsheet"]);

    let p = dir.join("truncated.xlsx");
    let whole = std::fs::read(fixture("enterprises-roster.xlsx")).unwrap();
    std::fs::write(&p, &whole[..whole.len() * 6 / 10]).unwrap();
    add("a truncated xlsx (60% of a real file)", p, &["file_unreadable"]);

    let p = dir.join("encrypted.xls");
    let mut wb = biff(0x0809, &[0x00, 0x06, 0x05, 0x00, 0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0, 0, 0]);
    let mut filepass = vec![0x01, 0x00, 0x01, 0x00, 0x01, 0x00];
    filepass.extend([0x5Au8; 48]);
    wb.extend(biff(0x002F, &filepass));
    wb.extend(biff(0x000A, &[]));
    write_cfb(&p, &[("Workbook", wb)]);
    add("a password-protected xls (BIFF8 FILEPASS, RC4)", p, &["file_encrypted"]);

    let p = dir.join("encrypted.xlsx");
    let mut info = vec![0x04, 0x00, 0x04, 0x00, 0x40, 0x00, 0x00, 0x00];
    info.extend(b"<?xml version=\"1.0\"?><encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\"/>");
    write_cfb(&p, &[("EncryptionInfo", info), ("EncryptedPackage", vec![0x33; 5000])]);
    add("a password-protected xlsx (OLE EncryptedPackage, agile)", p, &["file_encrypted"]);

    let p = dir.join("one-line-100mb.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        let chunk = "企业名称,".repeat(1 << 16);
        let mut n = 0;
        while n < 100 * 1024 * 1024 {
            f.write_all(chunk.as_bytes()).unwrap();
            n += chunk.len();
        }
    }
    add("a 100 MB CSV on one line", p, &["file_too_large"]);

    let p = dir.join("one-line-49mb-one-field.csv");
    std::fs::write(&p, "a".repeat(49 * 1024 * 1024)).unwrap();
    add("a 49 MB CSV: one line, one field (under the size limit)", p, &["too_many_cells"]);

    let p = dir.join("one-line-49mb-fields.csv");
    std::fs::write(&p, "a,".repeat(49 * 1024 * 1024 / 2)).unwrap();
    add("a 49 MB CSV: one line of 25 million fields", p, &["too_many_cells"]);

    let p = dir.join("duplicate-attributes.xlsx");
    let dup = " t=\"inlineStr\"".repeat(20_000);
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<sheetData><row r=\"1\"><c r=\"A1\"{dup}><is><t>企业名称</t></is></c></row></sheetData></worksheet>"));
    add("20,000 duplicate attributes on a cell", p, &["file_unreadable", "header_not_found"]);

    let p = dir.join("many-attributes.xlsx");
    let many: String = (0..20_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let rows: String = (1..=50).map(|r| format!("<row r=\"{r}\"{many}>{}</row>", inline(&format!("A{r}"), "x"))).collect();
    write_xlsx_sheet(&p, &format!("{SHEET_HEAD}<sheetData>{rows}</sheetData></worksheet>"));
    add("50 rows with 20,000 distinct attributes each", p, &["header_not_found", "file_unreadable"]);

    let p = dir.join("ods-control.ods");
    write_ods(&p, &format!("<table:table table:name=\"名单\">{ODS_HEADER_ROW}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>南京某某科技有限公司</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>914403001922038216</text:p></table:table-cell></table:table-row></table:table>"));
    add("control: a valid generated ods", p, &["ok"]);

    let p = dir.join("ods-repeated-text.ods");
    let cell = format!(
        "<table:table-cell table:number-columns-repeated=\"200\" office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
        "企".repeat(300)
    );
    write_ods(
        &p,
        &format!(
            "<table:table table:name=\"名单\">{ODS_HEADER_ROW}<table:table-row table:number-rows-repeated=\"12000\">{cell}</table:table-row></table:table>"
        ),
    );
    add("ods: a 300-character cell repeated 200 × 12,000 times (2 GB of text)", p, &["too_much_text"]);

    let p = dir.join("ods-repeated-cells.ods");
    write_ods(&p, &format!("<table:table table:name=\"名单\">{ODS_HEADER_ROW}<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell table:number-columns-repeated=\"200\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"));
    add("ods: a one-character cell repeated into 200 million cells", p, &["too_many_cells"]);

    let p = dir.join("ods-spaces.ods");
    write_ods(&p, &format!("<table:table table:name=\"名单\">{ODS_HEADER_ROW}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a<text:s text:c=\"4000000000\"/></text:p></table:table-cell></table:table-row></table:table>"));
    add("ods: one cell of 4 billion repeated spaces", p, &["too_much_text"]);

    let p = dir.join("shared-string-amplified.xlsx");
    let mut parts = xlsx_parts();
    parts[0] = Entry::stored("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#);
    parts[3] = Entry::stored("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
    let sst = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>{}</t></si></sst>", "x".repeat(32_000));
    parts.push(Entry::stored("xl/sharedStrings.xml", sst.as_bytes()));
    let col = |i: usize| -> String {
        if i < 26 {
            ((b'A' + i as u8) as char).to_string()
        } else {
            format!("A{}", (b'A' + (i - 26) as u8) as char)
        }
    };
    let mut rows = format!("<row r=\"1\">{}{}</row>", inline("A1", "企业名称"), inline("B1", "统一社会信用代码"));
    for r in 2..=3001 {
        rows.push_str(&format!("<row r=\"{r}\">"));
        for c in 0..20 {
            rows.push_str(&format!("<c r=\"{}{r}\" t=\"s\"><v>0</v></c>", col(c)));
        }
        rows.push_str("</row>");
    }
    parts.push(Entry::stored("xl/worksheets/sheet1.xml", format!("{SHEET_HEAD}<sheetData>{rows}</sheetData></worksheet>").as_bytes()));
    write_zip(&p, &parts);
    add("xlsx: one 32,000-character shared string in 60,000 cells (1.9 GB once copied)", p, &["too_much_text"]);

    // An .xls whose sheet declares 4 billion rows × 256 columns (calamine reserves what it declares).
    let p = dir.join("xls-dimensions.xls");
    write_cfb(&p, &[("Workbook", xls_with_sheet(&[biff(0x0200, &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0])]))]);
    add("xls: a sheet declaring 4 billion rows × 256 columns", p, &["too_many_cells"]);

    // An .xls whose one 32,000-character shared string (over four SST/CONTINUE records) is named
    // by 2,000 cells: 64 MB once copied from 60 KB, 192 MB as the check counts it (UTF-8 at most).
    let p = dir.join("xls-shared-string.xls");
    let mut sst = 1u32.to_le_bytes().to_vec();
    sst.extend(1u32.to_le_bytes());
    sst.extend(32_000u16.to_le_bytes());
    sst.push(0);
    sst.extend([b'x'; 8000]);
    let mut globals = vec![biff(0x00FC, &sst)];
    for _ in 0..3 {
        let mut part = vec![0u8]; // the flags byte again where the characters run on
        part.extend([b'x'; 8000]);
        globals.push(biff(0x003C, &part));
    }
    let cells: Vec<Vec<u8>> = (0..2_000u32)
        .map(|i| {
            let (row, col) = ((i / 20) as u16, (i % 20) as u16);
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0, 0, 0, 0, 0, 0]);
            biff(0x00FD, &d)
        })
        .collect();
    write_cfb(&p, &[("Workbook", xls_with(&globals, &cells))]);
    add("xls: one 32,000-character shared string in 2,000 cells", p, &["too_much_text"]);
    v
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/park-sheets").join(name)
}

#[test]
fn hostile_files_are_refused_quickly_with_a_clear_message_in_bounded_memory() {
    let t = tempfile::tempdir().unwrap();
    let db = init_db(t.path());
    let dir = t.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let cases = cases(&dir);
    let mut table = vec!["| input | size | outcome (code) | exit | time | peak RSS |".to_string(), "|---|---:|---|---:|---:|---:|".to_string()];
    let mut failures = Vec::new();
    for c in &cases {
        let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", "--dry-run", c.file.to_str().unwrap()]);
        let size = std::fs::metadata(&c.file).unwrap().len();
        let outcome = if r.code == 0 { "ok".to_string() } else { r.error_code() };
        let name = c.file.file_name().unwrap().to_string_lossy().into_owned();
        table.push(format!(
            "| {} | {} | {} | {} | {:.2} s | {:.0} MB |",
            c.name,
            if size >= 1 << 20 { format!("{:.1} MB", size as f64 / 1048576.0) } else { format!("{:.1} KB", size as f64 / 1024.0) },
            if r.code == 0 { "read normally".to_string() } else { format!("refused `{outcome}`") },
            r.code,
            r.elapsed.as_secs_f64(),
            r.max_rss_kb as f64 / 1024.0
        ));
        let mut problems = Vec::new();
        if !c.expect.contains(&outcome.as_str()) {
            problems.push(format!(
                "outcome {outcome} (exit {}), expected one of {:?}: {} {}",
                r.code,
                c.expect,
                r.stdout.chars().take(400).collect::<String>(),
                r.stderr
            ));
        }
        if r.code != 0 {
            if r.code != 1 {
                problems.push(format!("exit {} (refusals exit 1)", r.code));
            }
            if !r.error_message().contains(&name) {
                problems.push(format!("the message does not name the file: {}", r.error_message()));
            }
        }
        if r.elapsed > MAX_TIME {
            problems.push(format!("took {:?}", r.elapsed));
        }
        if r.max_rss_kb > MAX_RSS_KB {
            problems.push(format!("peak RSS {} MB", r.max_rss_kb / 1024));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", c.name, problems.join("; ")));
        }
    }
    let table = table.join("\n");
    println!("\n{table}\n");
    if let Ok(p) = std::env::var("HOSTILE_TABLE") {
        std::fs::write(p, &table).unwrap();
    }
    assert!(failures.is_empty(), "\n{}\n\n{table}", failures.join("\n"));
}
