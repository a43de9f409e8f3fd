//! The demo data set: about 50 enterprises of Nanjing parks with valid USCCs, plus what the other
//! areas need to show something real (leases, growth reports, certifications). Deterministic: the
//! app's first-run screen and `huiqi init --demo` load exactly the same set.

use crate::enterprise::{self, EnterpriseInput, EnterpriseStatus};
use crate::error::Result;
use crate::store::Db;
use crate::uscc;

pub const PARKS: &[(&str, &str, &str, &str)] = &[
    ("江宁经济技术开发区", "江宁区", "王丽", "025-52101234"),
    ("麒麟科技创新园", "江宁区", "陈刚", "025-84201122"),
    ("中国（南京）软件谷", "雨花台区", "刘洋", "025-52882200"),
    ("南京高新技术产业开发区", "江北新区", "张敏", "025-58201111"),
    ("紫金山科技城", "玄武区", "赵静", "025-84591166"),
    ("徐庄高新区", "玄武区", "孙涛", "025-84321010"),
];

const PREFIX: &[&str] = &["钟山", "紫峰", "秦淮", "玄武", "金陵", "云帆", "星河", "瀚海", "启明", "睿驰", "凌波", "华鼎", "天衡", "智谷", "微纳", "翼动"];
const MIDDLE: &[&str] = &["致远", "博睿", "合创", "恒拓", "清源", "芯视", "数联", "灵犀", "光启", "锐思"];
const SECTORS: &[(&str, &str)] = &[
    ("集成电路", "微电子有限公司"),
    ("人工智能", "智能科技有限公司"),
    ("生物医药", "生物医药科技有限公司"),
    ("软件和信息服务", "信息技术有限公司"),
    ("智能电网", "电力科技有限公司"),
    ("新能源汽车", "新能源科技有限公司"),
    ("新材料", "新材料科技有限公司"),
];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超", "霞", "平"];
const ROADS: &[&str] = &["秣周东路", "软件大道", "仙林大道", "江东中路", "星火路", "徐庄路", "天元中路", "将军大道"];

/// xorshift64*: small, deterministic, good enough for demo data.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

/// A valid organisation code (GB 11714): 8 characters and its check character.
fn org_code(rng: &mut Rng) -> String {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let newer = rng.below(2) == 0;
    let mut s = String::new();
    if newer {
        s.push_str("MA");
    }
    while s.len() < 8 {
        let c = if newer { ALNUM[rng.below(ALNUM.len() as u64) as usize] } else { b'0' + rng.below(10) as u8 };
        s.push(c as char);
    }
    for check in "0123456789X".chars() {
        let cand = format!("{s}{check}");
        if uscc::org_code_ok(&cand) {
            return cand;
        }
    }
    unreachable!("one of 0-9, X is always the check character")
}

/// A valid USCC of a Nanjing enterprise (登记管理部门 9, 类别 1, 行政区划 3201xx).
pub fn make_uscc(rng: &mut Rng) -> String {
    const DISTRICTS: &[&str] = &["02", "04", "05", "06", "11", "13", "14", "15", "16"];
    let first17 = format!("913201{}{}", rng.pick(DISTRICTS), org_code(rng));
    uscc::complete(&first17).expect("17 valid characters")
}

const THIRD: &[&str] = &[
    "远航", "新创", "博远", "汇智", "科达", "天成", "弘业", "盛景", "安泰", "中联", "嘉禾", "恒信", "永新", "华创", "东方", "万象", "鼎盛", "九州", "中科",
    "大成", "金石", "银河", "长江", "紫金", "石城", "江海", "同创", "益达", "宏图", "泰和", "德润", "信达", "明远", "新元", "卓越", "先锋", "开元", "景泰",
    "丰和", "润泽",
];
const REGION: &[&str] = &["南京", "江苏", "金陵"];

pub fn make_name(rng: &mut Rng, used: &mut std::collections::HashSet<String>) -> (String, &'static str) {
    // Short two-word names while they last (the demo set), then three words (large generated sets).
    for _ in 0..20 {
        let (sector, suffix) = *rng.pick(SECTORS);
        let a = rng.pick(PREFIX);
        let b = rng.pick(MIDDLE);
        let name = if rng.below(6) == 0 { format!("{a}{b}（南京）{}", suffix.trim_start_matches("有限公司")) } else { format!("南京{a}{b}{suffix}") };
        let name = if name.ends_with("有限公司") { name } else { format!("{name}有限公司") };
        if used.insert(name.clone()) {
            return (name, sector);
        }
    }
    let mut attempt = 0u64;
    loop {
        let (sector, suffix) = *rng.pick(SECTORS);
        let mut name = format!("{}{}{}{}{suffix}", rng.pick(REGION), rng.pick(PREFIX), rng.pick(MIDDLE), rng.pick(THIRD));
        attempt += 1;
        if attempt > 50 {
            // The name space is exhausted for this size: number the branch.
            name = name.replace("有限公司", &format!("第{}分公司", used.len()));
        }
        if used.insert(name.clone()) {
            return (name, sector);
        }
    }
}

pub fn make_person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

pub fn make_phone(rng: &mut Rng) -> String {
    let p = ["138", "139", "150", "151", "177", "186", "189"];
    format!("{}{:08}", rng.pick(&p), rng.below(100_000_000))
}

/// Generated enterprise inputs (also used by the search benchmark at 100,000).
pub fn enterprises(n: usize, seed: u64) -> Vec<EnterpriseInput> {
    let mut rng = Rng::new(seed);
    let mut used = std::collections::HashSet::new();
    let mut codes = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (name, sector) = make_name(&mut rng, &mut used);
        let uscc = loop {
            let c = make_uscc(&mut rng);
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let park = rng.pick(PARKS);
        let year = 2016 + rng.below(10) as i32;
        let founded = chrono::NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).unwrap();
        let capital_wan = [50, 100, 200, 300, 500, 1000, 1500, 3000][rng.below(8) as usize];
        out.push(EnterpriseInput {
            uscc,
            name,
            founded_on: Some(founded.format("%Y-%m-%d").to_string()),
            registered_capital_fen: Some(capital_wan * 1_000_000),
            park: Some(park.0.to_string()),
            sector: Some(sector.to_string()),
            contact_name: Some(make_person(&mut rng)),
            contact_phone: Some(make_phone(&mut rng)),
            address: Some(format!("南京市{}{}{}号", park.1, rng.pick(ROADS), 1 + rng.below(300))),
            status: Some(if i % 23 == 22 { EnterpriseStatus::MovedOut } else { EnterpriseStatus::Active }),
            notes: None,
            high_tech: Some(rng.below(2) == 0),
        });
    }
    out
}

pub const DEMO_SIZE: usize = 52;
pub const DEMO_SEED: u64 = 20_260_305;

/// Load the demo set in one transaction. Refused when enterprises already exist.
pub fn load(db: &mut Db) -> Result<usize> {
    if enterprise::count(db)? > 0 {
        return Err(crate::Error::refused(
            "demo_needs_empty",
            "数据库里已有企业数据，不能再载入演示数据。",
            "The database already holds enterprises; the demo set loads into an empty one only.",
        ));
    }
    let sectors = enterprise::sectors(db)?;
    let inputs = enterprises(DEMO_SIZE, DEMO_SEED);
    let validated: Vec<_> = inputs
        .iter()
        .map(|i| enterprise::validate(i, &sectors).map_err(|e| crate::Error::Internal(format!("demo data invalid: {e:?}"))))
        .collect::<Result<_>>()?;
    db.write(|tx| {
        // The journal says who made these records: not a hand change, never undone by Ctrl+Z.
        tx.set_actor(crate::model::enterprise::DEMO_ACTOR);
        for (name, district, contact, phone) in PARKS {
            crate::store::enterprise::upsert_park(
                tx,
                &enterprise::Park {
                    id: 0,
                    name: name.to_string(),
                    district: district.to_string(),
                    contact_name: contact.to_string(),
                    contact_phone: phone.to_string(),
                    enterprise_count: 0,
                },
            )?;
        }
        let mut ids = Vec::new();
        for v in &validated {
            ids.push(crate::store::enterprise::insert(tx, v)?);
        }
        add_demo_activity(tx, &ids)?;
        Ok(())
    })?;
    // The settings notices need, filled with sample values marked as such (示例), so that a demo
    // ledger issues notices at once; an office replaces them with its own in 设置 → 单位信息.
    let office = crate::system::office(db)?;
    let sample = |v: &str, s: &str| if v.trim().is_empty() { s.to_string() } else { v.to_string() };
    crate::system::save_office(
        db,
        &crate::system::OfficeSettings {
            rule_name: sample(&office.rule_name, "江宁区高新技术创业企业房租补贴实施细则（示例）"),
            rule_doc_number: sample(&office.rule_doc_number, "示例科规〔2025〕1号"),
            review_body: sample(&office.review_body, "南京市江宁区人民政府（示例）"),
            court: sample(&office.court, "南京市江宁区人民法院（示例）"),
            cc: sample(&office.cc, "区财政局（示例）"),
            printer: sample(&office.printer, "南京市江宁区科学技术局办公室（示例）"),
            publicity_contact: sample(&office.publicity_contact, "区科技局产业科，电话025-00000000（示例）"),
            ..office
        },
    )?;
    Ok(validated.len())
}

/// Leases, rent applications and certifications of the demo enterprises, dated around today so
/// that the reminders, the calculator and the reward scan have something real to show.
fn add_demo_activity(tx: &mut crate::store::Tx<'_>, ents: &[crate::enterprise::Enterprise]) -> Result<()> {
    use crate::import::validate::{CertRecord, RentRecord};
    use chrono::{Datelike, Duration};
    let today = crate::model::date::today();
    let y = today.year();
    let mut rng = Rng::new(DEMO_SEED + 1);
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let date = |yy: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(yy, m, d).expect("valid demo date");
    let mut two_year_histories = 2;
    for (i, e) in ents.iter().enumerate() {
        let cert = |kind: &str, issued: chrono::NaiveDate, expires: Option<chrono::NaiveDate>, no: String| CertRecord {
            uscc: e.uscc.clone(),
            name: e.name.clone(),
            kind: kind.into(),
            certificate_no: Some(no),
            issued_on: Some(iso(issued)),
            expires_on: expires.map(iso),
            expiry_differs_from_rule: None,
            expiry_from_rule: false,
            level: None,
        };
        // Nothing happens to a firm before it exists: certificates come at least half a year after
        // the founding date, leases start after it (DESIGN §2: `lease_before_founding`).
        let founded = e.founded_on.as_deref().and_then(crate::model::date::parse_date_text).unwrap_or(date(y - 6, 1, 1));
        let settled = founded + Duration::days(180);
        // Most enterprises hold a high-tech or tech-SME status (the rent subsidy needs one).
        let mut certified_from: Option<chrono::NaiveDate> = None;
        match i % 4 {
            0 | 1 => {
                // 高企: some expire within the coming weeks (renewal reminders).
                let issued = if i % 8 == 0 { today - Duration::days(365 * 3 - 20 - i as i64) } else { date(y - 2, 1 + (i % 12) as u32, 10) };
                let issued = issued.max(settled);
                if issued <= today - Duration::days(30) {
                    let expires = issued.with_year(issued.year() + 3).and_then(|d| d.pred_opt());
                    crate::store::import::insert_certification(
                        tx,
                        e.id,
                        &cert("high_tech_enterprise", issued, expires, format!("GR{}3200{:04}", issued.year(), 1000 + i)),
                        "",
                        "demo",
                    )?;
                    certified_from = Some(issued);
                }
            }
            2 => {
                // Evaluated (入库) each spring since it could be: valid from then to 31 December.
                for yy in [y - 2, y - 1, y] {
                    let issued = date(yy, 3, 5 + (i % 20) as u32);
                    if issued >= settled && issued <= today {
                        let no = format!("{}3201{:05}", yy, 20000 + i);
                        crate::store::import::insert_certification(tx, e.id, &cert("tech_sme", issued, Some(date(yy, 12, 31)), no), "", "demo")?;
                        certified_from.get_or_insert(issued);
                    }
                }
            }
            _ => {}
        }
        // Titles that the policy rewards (free for the reward scan).
        let reward_kinds =
            ["green_factory", "tech_innovation_demo", "quality_benchmark", "little_giant_national", "specialized_sme_provincial", "green_supply_chain"];
        if i % 5 == 3 {
            let k = reward_kinds[(i / 5) % reward_kinds.len()];
            let issued = date(y, 1 + (i % 9) as u32, 20).min(today);
            let expires = match k {
                "little_giant_national" | "specialized_sme_provincial" => issued.with_year(issued.year() + 3).and_then(|d| d.pred_opt()),
                _ => None,
            };
            if issued >= settled {
                crate::store::import::insert_certification(tx, e.id, &cert(k, issued, expires, format!("{}-{:03}", y, 100 + i)), "", "demo")?;
            }
        }
        // Rent applications of young, certified enterprises: a year's lease from a month's first
        // day (some from the 15th), after the founding date. Two enterprises applied the year
        // before as well: their second application is their second year.
        if let (Some(from), true) = (certified_from, i % 4 != 3 && founded.year() >= y - 4 && i % 3 != 2) {
            let day = if i % 5 == 1 { 15 } else { 1 };
            // The first of the month after the certificate (leases begin after the firm exists).
            let earliest = (from.max(founded) + Duration::days(31)).with_day(1).expect("the first of a month");
            let (m, one_year) = (1 + (i % 12) as u32, date(y - 1, 1 + (i % 12) as u32, day).max(earliest));
            // A 高企 holder with room for it has a year before this one (its second year now).
            let first = date(y - 2, m, day).max(earliest);
            let starts: Vec<chrono::NaiveDate> = match first.with_year(first.year() + 1) {
                Some(second) if two_year_histories > 0 && i % 4 < 2 && second + Duration::days(60) <= today => {
                    two_year_histories -= 1;
                    vec![first, second]
                }
                _ => vec![one_year],
            };
            let area = 8_000 + rng.below(60_000) as i64;
            let unit = [3_500, 4_200, 4_800, 5_500, 6_500, 7_200][rng.below(6) as usize];
            let address = format!("{}{}号楼", e.address, 1 + i % 9);
            for (n, &s) in starts.iter().enumerate() {
                let end = s.with_year(s.year() + 1).and_then(|d| d.pred_opt()).expect("a year's lease");
                let annual = area * unit * 12 / 100;
                let prev = 50_000_000 + rng.below(400_000_000) as i64;
                let growth_bp = [4_500, 2_200, 800, -500, 3_100, 1_600][(i + n) % 6];
                let curr = prev + prev * growth_bp / 10_000;
                let rate = if growth_bp >= 3_000 {
                    10_000
                } else if growth_bp >= 1_500 {
                    8_000
                } else {
                    5_000
                };
                let rec = RentRecord {
                    uscc: e.uscc.clone(),
                    name: e.name.clone(),
                    lease_address: Some(address.clone()),
                    area_centi_m2: Some(area),
                    unit_rent_fen: Some(unit),
                    lease_start: Some(iso(s)),
                    lease_end: Some(iso(end)),
                    annual_rent_fen: Some(annual),
                    revenue_prev_fen: Some(prev),
                    revenue_curr_fen: Some(curr),
                    subsidy_year: Some(n as i64 + 1),
                    requested_fen: Some(annual * rate / 10_000),
                };
                crate::store::import::insert_rent(tx, e.id, e.park_id, &rec, "demo")?;
            }
        }
    }
    Ok(())
}

/// First-run choice: start empty, or load the demo data set.
pub fn finish_first_run(db: &mut Db, demo: bool) -> Result<crate::system::AppStatus> {
    use crate::store::settings;
    if demo {
        load(db)?;
    }
    db.write(|tx| settings::set(tx, settings::FIRST_RUN_DONE, if demo { "demo" } else { "empty" }).map(|_| ()))?;
    crate::system::status(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_valid_and_unique() {
        let v = enterprises(500, 7);
        let mut seen = std::collections::HashSet::new();
        for e in &v {
            let u = uscc::parse(&e.uscc).unwrap();
            assert!(!u.org_code_warning, "{}", e.uscc);
            assert!(seen.insert(e.uscc.clone()));
        }
    }

    #[test]
    fn demo_loads_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(dir.path().join("d.db")).unwrap();
        assert_eq!(load(&mut db).unwrap(), DEMO_SIZE);
        assert_eq!(enterprise::count(&db).unwrap(), DEMO_SIZE as i64);
        let apps = crate::rent::applications(&db, true).unwrap();
        assert!(apps.len() >= 8, "demo rent applications: {}", apps.len());
        let certs = crate::store::query_one_i64(&db, "SELECT count(*) FROM certification").unwrap();
        assert!(certs >= 30, "demo certifications: {certs}");
        // Drafting every demo application works, and most are eligible.
        let drafts = crate::rent::draft_all(&mut db).unwrap();
        assert!(drafts.iter().filter(|g| g.explanation.eligible).count() >= 4);
        // The data is coherent: no lease before its firm existed, no certificate either, and the
        // typed subsidy years agree with the ledger.
        for g in &drafts {
            let codes: Vec<&str> = g.explanation.reasons.iter().map(|r| r.code.as_str()).collect();
            assert!(!codes.contains(&"lease_before_founding"), "{}: {codes:?}", g.enterprise_name);
            assert!(g.explanation.warnings.is_empty(), "{}: {:?}", g.enterprise_name, g.explanation.warnings);
        }
        assert!(drafts.iter().any(|g| g.subsidy_year == 2), "a second year");
        assert!(drafts.iter().any(|g| g.period_start.ends_with("-15")), "a lease from the 15th");
        for e in enterprise::search(&db, &Default::default()).unwrap().rows {
            let founded = e.founded_on.clone().unwrap_or_default();
            for c in crate::cert::list(&db, Some(e.id), None, None).unwrap() {
                assert!(c.issued_on > founded, "{}: certified {} before founded {founded}", e.name, c.issued_on);
            }
        }
        assert_eq!(load(&mut db).unwrap_err().code(), "demo_needs_empty");
        assert!(db.check().unwrap().ok);
    }
}
