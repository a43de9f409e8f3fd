//! The registry exported to xlsx or CSV.

use super::*;

/// The columns of the registry export.
pub(super) const ENTERPRISE_HEADERS: &[(&str, f64)] = &[
    ("统一社会信用代码", 22.0),
    ("企业名称", 36.0),
    ("成立日期", 12.0),
    // In 万元, as the registry shows it (and as parks' rosters give it).
    ("注册资本（万元）", 16.0),
    ("所属园区", 22.0),
    ("产业领域", 14.0),
    ("联系人", 10.0),
    ("联系电话", 16.0),
    ("注册地址", 36.0),
    ("状态", 8.0),
    ("高新技术企业", 12.0),
    ("备注", 30.0),
];

pub(super) fn enterprise_cells(e: Enterprise) -> Vec<crate::export::Cell> {
    use crate::export::Cell;
    vec![
        Cell::Text(e.uscc),
        Cell::Text(e.name),
        Cell::Date(e.founded_on),
        Cell::Wan(e.registered_capital_fen),
        Cell::Text(e.park.unwrap_or_default()),
        Cell::Text(e.sector),
        Cell::Text(e.contact_name),
        Cell::Text(e.contact_phone),
        Cell::Text(e.address),
        Cell::Text(e.status.label_zh().into()),
        Cell::Text(if e.high_tech { "是" } else { "否" }.into()),
        Cell::Text(e.notes),
    ]
}

/// Export the enterprises matching `q` to `path` (.csv → CSV, anything else → xlsx). Returns rows.
pub fn export(db: &Db, q: &EnterpriseQuery, path: &std::path::Path) -> Result<u64> {
    use crate::export::{write_csv, write_xlsx, Cell, Sheet};
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let fill = |sink: &mut dyn FnMut(Vec<Cell>) -> Result<()>| for_each_match(db, q, |e| sink(enterprise_cells(e)));
    if csv {
        let h: Vec<&str> = ENTERPRISE_HEADERS.iter().map(|h| h.0).collect();
        write_csv(path, &h, fill)
    } else {
        write_xlsx(path, &Sheet { name: "企业台账", headers: ENTERPRISE_HEADERS.to_vec() }, fill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_auto, Data, Reader};

    #[test]
    fn xlsx_and_csv_keep_codes_as_text_and_formulas_inert() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(dir.path().join("x.db")).unwrap();
        let input = EnterpriseInput {
            uscc: "914403001922038216".into(),
            name: "=HYPERLINK(\"http://x\",\"点我\")".into(),
            founded_on: Some("2020-05-01".into()),
            registered_capital_fen: Some(123456),
            contact_phone: Some("02583370923".into()),
            notes: Some("@SUM(1)".into()),
            ..Default::default()
        };
        create(&mut db, &input).unwrap();
        let x = dir.path().join("out.xlsx");
        assert_eq!(export(&db, &EnterpriseQuery::default(), &x).unwrap(), 1);
        let mut wb = open_workbook_auto(&x).unwrap();
        let r = wb.worksheet_range("企业台账").unwrap();
        assert_eq!(r.get_value((1, 0)), Some(&Data::String("914403001922038216".into())));
        assert_eq!(r.get_value((1, 1)), Some(&Data::String("=HYPERLINK(\"http://x\",\"点我\")".into())));
        assert!(matches!(r.get_value((1, 2)), Some(Data::DateTime(_))));
        // 1,234.56 元 is 0.123456 万元, as the registry shows it.
        assert_eq!(r.get_value((0, 3)), Some(&Data::String("注册资本（万元）".into())));
        assert_eq!(r.get_value((1, 3)), Some(&Data::Float(0.123456)));
        assert_eq!(r.get_value((1, 7)), Some(&Data::String("02583370923".into())));
        let formulas = wb.worksheet_formula("企业台账").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cells");

        let c = dir.path().join("out.csv");
        export(&db, &EnterpriseQuery::default(), &c).unwrap();
        let text = std::fs::read_to_string(&c).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("'@SUM(1)"));
        assert!(text.contains("'914403001922038216"));
        assert!(text.contains(",0.123456,"), "{text}");
        assert!(!dir.path().read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".part-")));
    }
}
