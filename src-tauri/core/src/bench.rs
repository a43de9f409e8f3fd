//! Benchmark inputs and baselines (`huiqi bench`): generated registries and park files, and a
//! bare calamine read to compare the import with. Not used by the app itself.

use std::path::Path;
use std::time::Instant;

use calamine::{DataRef, Reader};

use crate::demo::{self, Rng};
use crate::enterprise;
use crate::error::{Error, Result};
use crate::store::Db;

/// Fill `db` with `n` generated enterprises in one transaction (through the audited store path).
pub fn fill(db: &mut Db, n: usize) -> Result<f64> {
    let sectors = enterprise::sectors(db)?;
    let inputs = demo::enterprises(n, 42);
    let t = Instant::now();
    let validated: Vec<_> = inputs.iter().map(|i| enterprise::validate(i, &sectors).map_err(|e| Error::Internal(format!("{e:?}")))).collect::<Result<_>>()?;
    db.write(|tx| {
        for v in &validated {
            crate::store::enterprise::insert(tx, v)?;
        }
        Ok(())
    })?;
    Ok(t.elapsed().as_secs_f64())
}

/// Read every cell of the first sheet with calamine's streaming reader, doing nothing else.
pub fn read_bare(file: &Path) -> Result<u64> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(file).map_err(|e: calamine::XlsxError| Error::Internal(e.to_string()))?;
    let name = wb.sheet_names()[0].clone();
    let mut cells = 0u64;
    let mut r = wb.worksheet_cells_reader(&name).map_err(|e| Error::Internal(e.to_string()))?;
    while let Some(c) = r.next_cell().map_err(|e| Error::Internal(e.to_string()))? {
        if !matches!(c.get_value(), DataRef::Empty) {
            cells += 1;
        }
    }
    Ok(cells)
}

const HEADERS: [&str; 14] = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "成立日期",
    "注册资本（万元）",
    "所属园区",
    "产业领域",
    "联系人",
    "联系电话",
    "注册地址",
    "是否高新技术企业",
    "从业人数",
    "上年营业收入（万元）",
    "备注",
];

/// A roster like the parks send (title, 填报单位 line, header with units, 14 columns, mixed date
/// forms, numbers and text), written as xlsx and as a GBK csv. Returns both paths.
pub fn gen_import(rows: usize, dir: &Path) -> Result<(String, String)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let ents = demo::enterprises(rows, 2026);
    let mut rng = Rng::new(11);
    let xlsx = dir.join(format!("roster-{rows}.xlsx"));
    let csv = dir.join(format!("roster-{rows}-gbk.csv"));
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(rows);
    for (i, e) in ents.iter().enumerate() {
        let founded = e.founded_on.clone().unwrap_or_default();
        let founded = match i % 3 {
            0 => founded,
            1 => founded.replace('-', "."),
            _ => {
                let p: Vec<&str> = founded.split('-').collect();
                format!("{}年{}月{}日", p[0], p[1].trim_start_matches('0'), p[2].trim_start_matches('0'))
            }
        };
        lines.push(vec![
            (i + 1).to_string(),
            e.name.clone(),
            e.uscc.clone(),
            founded,
            format!("{}", e.registered_capital_fen.unwrap_or(0) as f64 / 1_000_000.0),
            e.park.clone().unwrap_or_default(),
            e.sector.clone().unwrap_or_default(),
            e.contact_name.clone().unwrap_or_default(),
            e.contact_phone.clone().unwrap_or_default(),
            e.address.clone().unwrap_or_default(),
            if e.high_tech == Some(true) { "是".into() } else { "否".into() },
            (5 + rng.below(300)).to_string(),
            format!("{}.{}", 50 + rng.below(5000), rng.below(100)),
            String::new(),
        ]);
    }
    write_roster_xlsx(&xlsx, &lines)?;
    let mut text = String::with_capacity(rows * 170);
    text.push_str(&HEADERS.join(","));
    text.push('\n');
    for l in &lines {
        text.push_str(&l.join(","));
        text.push('\n');
    }
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(&csv, &gbk).map_err(|e| Error::io(&csv, e))?;
    Ok((xlsx.display().to_string(), csv.display().to_string()))
}

fn write_roster_xlsx(path: &Path, lines: &[Vec<String>]) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let xe = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.to_string());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
    ws.set_name("企业名录").map_err(xe)?;
    ws.write_string(0, 0, "2026年度园区科技型企业名录").map_err(xe)?;
    ws.write_string(1, 0, "填报单位：麒麟科技创新园").map_err(xe)?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, c as u16, *h).map_err(xe)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 3;
        for (c, v) in l.iter().enumerate() {
            let c = c as u16;
            // Numbers as numbers (as parks type them), the rest as text.
            if matches!(c, 0 | 4 | 11 | 12) {
                if let Ok(f) = v.parse::<f64>() {
                    ws.write_number(r, c, f).map_err(xe)?;
                    continue;
                }
            }
            if !v.is_empty() {
                ws.write_string(r, c, v).map_err(xe)?;
            }
        }
    }
    wb.save(path).map_err(xe)?;
    Ok(())
}
