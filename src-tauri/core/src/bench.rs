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

/// The headers of the realistic roster: the registry's columns in a park's own order and words,
/// and three it does not know (经营范围, 企业邮箱, 统计口径).
const REAL_HEADERS: [&str; 17] = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "注册地址",
    "经营范围",
    "成立日期",
    "注册资本（万元）",
    "所属园区",
    "产业领域",
    "企业邮箱",
    "联系人",
    "联系电话",
    "是否高新技术企业",
    "从业人数",
    "上年营业收入（万元）",
    "统计口径",
    "备注",
];

/// One cell of the realistic roster: typed as a park types it.
enum Real {
    Text(String),
    Number(f64),
    Date(chrono::NaiveDate),
    Blank,
}

const SCOPE: &str = "技术开发、技术咨询、技术服务、技术转让；软件开发；信息系统集成服务；数据处理和存储支持服务；计算机软硬件及辅助设备零售；\
     电子产品销售；会议及展览服务；企业管理咨询；物联网技术研发；人工智能应用软件开发（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）";

/// A roster as parks really send it (the shape of the files issue 22 measured, not of ours):
/// rows in random order, 成立日期 mostly as date cells with a few typed dates in three
/// spellings, three columns the registry does not know, long addresses and business scopes, amounts
/// as numbers or as text with 万元, phones as numbers, and about one row in fifty that the import
/// must reject (a wrong check character, no name, an impossible date, a repeated code).
pub fn gen_import_realistic(rows: usize, dir: &Path) -> Result<String> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut ents = demo::enterprises(rows, 2027);
    let mut rng = Rng::new(13);
    for i in (1..ents.len()).rev() {
        ents.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut lines: Vec<Vec<Real>> = Vec::with_capacity(rows);
    for (i, e) in ents.iter().enumerate() {
        lines.push(real_row(&mut rng, i, e, &ents));
    }
    let path = dir.join(format!("roster-realistic-{rows}.xlsx"));
    write_real_xlsx(&path, &lines)?;
    Ok(path.display().to_string())
}

fn real_row(rng: &mut Rng, i: usize, e: &enterprise::EnterpriseInput, all: &[enterprise::EnterpriseInput]) -> Vec<Real> {
    let t = |s: &Option<String>| s.clone().map(Real::Text).unwrap_or(Real::Blank);
    let founded = chrono::NaiveDate::parse_from_str(e.founded_on.as_deref().unwrap_or("2020-01-01"), "%Y-%m-%d").unwrap_or_default();
    let mut uscc = Real::Text(e.uscc.clone());
    let mut name = Real::Text(e.name.clone());
    let mut date = match rng.below(10) {
        0 => Real::Text(founded.format("%Y/%-m/%-d").to_string()),
        1 => Real::Text(founded.format("%Y年%-m月%-d日").to_string()),
        2 => Real::Text(founded.format("%Y.%m.%d").to_string()),
        _ => Real::Date(founded),
    };
    // About one row in fifty is wrong, four ways.
    match (rng.below(200), i) {
        (0, _) => uscc = Real::Text(format!("{}{}", &e.uscc[..17], if e.uscc.ends_with('0') { '1' } else { '0' })),
        (1, _) => name = Real::Blank,
        (2, _) => date = Real::Text(format!("{}-13-45", founded.format("%Y"))),
        (3, i) if i > 0 => uscc = Real::Text(all[rng.below(i as u64) as usize].uscc.clone()),
        _ => {}
    }
    let capital = e.registered_capital_fen.unwrap_or(0) as f64 / 1_000_000.0;
    let capital = if rng.below(5) == 0 { Real::Text(format!("{capital}万元")) } else { Real::Number(capital) };
    let revenue = 50.0 + rng.below(500_000) as f64 / 100.0;
    let revenue = if rng.below(4) == 0 { Real::Text(format!("{revenue:.2}")) } else { Real::Number(revenue) };
    let phone = e.contact_phone.clone().unwrap_or_default();
    let phone = if rng.below(2) == 0 { Real::Number(phone.parse().unwrap_or(0.0)) } else { Real::Text(phone) };
    let address = format!(
        "{}{}幢{}室（{}科技园{}号楼）",
        e.address.clone().unwrap_or_default(),
        1 + rng.below(30),
        101 + rng.below(1800),
        demo::PARKS[i % demo::PARKS.len()].1,
        1 + rng.below(12)
    );
    let scope_len = 40 + rng.below(SCOPE.chars().count() as u64 - 40) as usize;
    vec![
        Real::Number((i + 1) as f64),
        uscc,
        name,
        Real::Text(address),
        Real::Text(SCOPE.chars().take(scope_len).collect()),
        date,
        capital,
        t(&e.park),
        t(&e.sector),
        Real::Text(format!("hr{}@{}.com.cn", rng.below(1000), e.uscc[8..14].to_lowercase())),
        t(&e.contact_name),
        phone,
        Real::Text(if e.high_tech == Some(true) { "是" } else { "否" }.into()),
        Real::Number((5 + rng.below(300)) as f64),
        revenue,
        Real::Text(["规上", "规下", "个体"][rng.below(3) as usize].into()),
        if rng.below(20) == 0 { Real::Text("2025年新入驻".into()) } else { Real::Blank },
    ]
}

fn write_real_xlsx(path: &Path, lines: &[Vec<Real>]) -> Result<()> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let xe = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.to_string());
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().map_err(xe)?;
    ws.set_name("入驻企业").map_err(xe)?;
    ws.write_string(0, 0, "江北新区研创园2026年在园企业名录（第四季度）").map_err(xe)?;
    for (c, h) in REAL_HEADERS.iter().enumerate() {
        ws.write_string(1, c as u16, *h).map_err(xe)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        for (c, v) in l.iter().enumerate() {
            let c = c as u16;
            match v {
                Real::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                Real::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                Real::Date(d) => {
                    use chrono::Datelike;
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(xe)?;
                    ws.write_datetime_with_format(r, c, &dt, &date_fmt).map(|_| ())
                }
                Real::Blank => Ok(()),
            }
            .map_err(xe)?;
        }
    }
    wb.save(path).map_err(xe)?;
    Ok(())
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
