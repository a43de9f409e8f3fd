//! Certification kinds: code, Chinese name, synonyms, validity rule. Shipped as data
//! (assets/policy/cert-kinds.json) and editable per office.

pub use crate::model::cert::{defaults, CertKind, EvalWindow, MonthDay, Validity, DEFAULT_JSON};

use crate::model::date::zh_date_text;

fn norm(s: &str) -> String {
    crate::text::halfwidth(s).chars().filter(|c| !c.is_whitespace() && !matches!(c, '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '《' | '》')).collect()
}

/// The kind a text names: its code, its Chinese name or a synonym; else the longest name or
/// synonym contained in the text.
pub fn match_kind<'a>(kinds: &'a [CertKind], text: &str) -> Option<&'a CertKind> {
    let t = norm(text);
    if t.is_empty() {
        return None;
    }
    for k in kinds {
        if k.code == text.trim() || norm(&k.name_zh) == t || k.synonyms.iter().any(|s| norm(s) == t) {
            return Some(k);
        }
    }
    let mut best: Option<(&CertKind, usize)> = None;
    for k in kinds {
        for s in std::iter::once(&k.name_zh).chain(k.synonyms.iter()) {
            let s = norm(s);
            if s.chars().count() >= 3 && t.contains(&s) && plain_rest(k, &t.replacen(&s, "", 1)) && best.is_none_or(|(_, l)| s.len() > l) {
                best = Some((k, s.len()));
            }
        }
    }
    best.map(|(k, _)| k)
}

/// What may stand around a kind's name in a cell and leave it that kind: a year, 国家级, (重新)认定,
/// 复审, 入库, 有效期内, a batch, a certificate number, brackets; a province when the kind has a
/// provincial level. Anything else (培育库, 拟认定, 公示中, 未通过, 未入库, 潜在, 省级 for a national
/// kind) makes the cell something else, asked about rather than guessed.
fn plain_rest(kind: &CertKind, rest: &str) -> bool {
    let mut r = rest.to_string();
    if r.contains(['未', '拟', '不']) {
        return false;
    }
    let provincial = std::iter::once(&kind.name_zh).chain(kind.synonyms.iter()).any(|s| s.contains('省'));
    if provincial {
        for w in ["江苏省", "江苏", "省级", "省"] {
            r = r.replace(w, "");
        }
    }
    if !provincial {
        for w in ["国家级", "国家"] {
            r = r.replace(w, "");
        }
    }
    for w in [
        "重新认定",
        "已认定",
        "认定",
        "复审",
        "入库",
        "有效期内",
        "年度",
        "企业",
        "证书",
        "编号",
        "第",
        "批",
        "年",
        "（",
        "）",
        "(",
        ")",
        "、",
        "，",
        ",",
        "：",
        ":",
        " ",
        "-",
        "—",
    ] {
        r = r.replace(w, "");
    }
    r.chars().all(|c| c.is_ascii_alphanumeric() || "一二三四五六七八九十".contains(c))
}

/// Level words: what a cell may say about the level of a title.
const NATIONAL_WORDS: &[&str] = &["国家级", "国家", "全国"];
const LOCAL_WORDS: &[&str] = &["省级", "市级", "区级", "县级", "江苏省", "南京市", "省", "市"];

/// The level word in `text` that contradicts the kind's own level: a 省级/市级/区级 word for a
/// national kind, a 国家/市级/区级 word for a provincial one. None for a kind without a level.
pub fn level_conflict(kind: &CertKind, text: &str) -> Option<&'static str> {
    let t = norm(text);
    match kind.level.as_deref() {
        Some("national") => LOCAL_WORDS.iter().find(|w| t.contains(**w)).copied(),
        Some("provincial") => {
            let t = ["江苏省", "省级"].iter().fold(t, |t, w| t.replace(w, ""));
            NATIONAL_WORDS.iter().chain(&["市级", "区级", "县级", "南京市"]).find(|w| t.contains(**w)).copied()
        }
        _ => None,
    }
}

/// A cell that names a kind's title at another level than the kind's own — 省级工业设计中心 for
/// the national centre, 省级绿色供应链管理企业 for the national list: the kind and the level word
/// the cell uses. (`match_kind` does not take such a cell for the kind.)
pub fn level_mismatch<'a>(kinds: &'a [CertKind], text: &str) -> Option<(&'a CertKind, &'static str)> {
    let t = norm(text);
    for k in kinds.iter().filter(|k| k.level.is_some()) {
        for s in std::iter::once(&k.name_zh).chain(k.synonyms.iter()) {
            let mut core = norm(s);
            for w in NATIONAL_WORDS.iter().chain(LOCAL_WORDS) {
                core = core.replace(w, "");
            }
            if core.chars().count() < 3 || !t.contains(&core) {
                continue;
            }
            if let Some(w) = level_conflict(k, &t.replacen(&core, "", 1)) {
                return Some((k, w));
            }
        }
    }
    None
}

/// The refusal of a cell that names a title at another level (`kind_level_mismatch`), naming both.
pub fn level_mismatch_error(text: &str, kind: &CertKind, level: &str) -> crate::Error {
    let own = if kind.level.as_deref() == Some("provincial") { "省级" } else { "国家级" };
    crate::Error::invalid(
        "kind_level_mismatch",
        format!("“{text}”是{}称号，而“{}”只认{own}：级别不符，不能当作同一项认定。请核对级别，不属于本政策的认定请删除此行。", level_name(level), kind.name_zh),
        format!("“{text}” is a {level} title; “{}” ({}) is another level.", kind.name_zh, kind.code),
    )
    .with_details(serde_json::json!({"field": "kind", "kind": kind.code, "level": level}))
}

/// A level word as a level: 江苏省 → 省级, 南京市 → 市级, 国家 → 国家级.
fn level_name(word: &str) -> &'static str {
    match word {
        "国家级" | "国家" | "全国" => "国家级",
        "省级" | "江苏省" | "省" => "省级",
        "市级" | "南京市" | "市" => "市级",
        "区级" => "区级",
        _ => "县级",
    }
}

/// What the enterprise achieved, as the clause's program names it: 获评 a title, 入选 a published
/// list (its name and date when the list gives no certificate number), 首次突破 a revenue mark.
pub fn achievement(kind: &CertKind, certificate_no: &str, issued_on: &str) -> String {
    let date = zh_date_text(issued_on);
    match kind.wording.as_deref().unwrap_or("获评") {
        "首次突破" => {
            let year = issued_on.get(..4).and_then(|y| y.parse::<i32>().ok()).map(|y| y - 1);
            format!(
                "作为软件企业，{}营业收入首次突破1亿元（{}{}认定）",
                year.map(|y| format!("{y}年度")).unwrap_or_default(),
                if certificate_no.is_empty() { String::new() } else { format!("认定编号：{certificate_no}，") },
                date
            )
        }
        "入选" => {
            let list = kind.list_name.clone().unwrap_or_else(|| format!("{}名单", kind.name_zh));
            if certificate_no.is_empty() {
                format!("入选{list}（{date}公布）")
            } else {
                format!("入选{list}（编号：{certificate_no}，{date}公布）")
            }
        }
        verb => format!("{verb}{}（证书编号：{certificate_no}，{date}发证）", kind.name_zh),
    }
}

/// The expiry date the validity rule gives for an issue date (None: no expiry).
pub fn derived_expiry(kind: &CertKind, issued: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let v = kind.validity.as_ref()?;
    if v.calendar_year == Some(true) {
        return chrono::NaiveDate::from_ymd_opt(issued.year(), 12, 31);
    }
    let years = v.years?;
    let anniversary = issued.with_year(issued.year() + years as i32).or_else(|| chrono::NaiveDate::from_ymd_opt(issued.year() + years as i32, 3, 1))?; // 29 Feb → 1 Mar
    anniversary.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn kinds_match_names_and_synonyms() {
        let k = defaults();
        assert_eq!(k.len(), 13);
        assert_eq!(match_kind(&k, "国家级专精特新“小巨人”企业").unwrap().code, "little_giant_national");
        assert_eq!(match_kind(&k, "专精特新小巨人").unwrap().code, "little_giant_national");
        assert_eq!(match_kind(&k, "高企").unwrap().code, "high_tech_enterprise");
        assert_eq!(match_kind(&k, "江苏省专精特新中小企业").unwrap().code, "specialized_sme_provincial");
        // 国家知识产权示范企业 is another title than the clause's 知识产权运用标杆企业.
        assert_eq!(match_kind(&k, "国家知识产权示范企业").unwrap().code, "ip_demonstration");
        assert_eq!(match_kind(&k, "知识产权运用标杆企业").unwrap().code, "ip_benchmark");
        assert_eq!(match_kind(&k, "科技型中小企业").unwrap().code, "tech_sme");
        assert_eq!(match_kind(&k, "tech_sme").unwrap().code, "tech_sme");
        assert!(match_kind(&k, "优秀企业").is_none());
        // A year or 国家级 around the name is still the kind…
        assert_eq!(match_kind(&k, "2023年度高新技术企业").unwrap().code, "high_tech_enterprise");
        assert_eq!(match_kind(&k, "高新技术企业（2023年第一批）").unwrap().code, "high_tech_enterprise");
        // …a status or another level is not: asked about, never taken for the certification.
        for t in [
            "南京市高新技术企业培育库入库企业",
            "2023年拟认定高新技术企业（公示中）",
            "高新技术企业（未通过）",
            "潜在小巨人企业",
            "科技型中小企业（未入库）",
            "绿色工厂（省级）",
        ] {
            assert!(match_kind(&k, t).is_none(), "{t}");
        }
        // A status that confirms it, a certificate number, a province for a kind with a provincial level.
        for (t, code) in [
            ("国家高新技术企业（复审）", "high_tech_enterprise"),
            ("高新技术企业（重新认定）", "high_tech_enterprise"),
            ("高新技术企业（有效期内）", "high_tech_enterprise"),
            ("高新技术企业 GR202332000001", "high_tech_enterprise"),
            ("高新技术企业，2023年认定", "high_tech_enterprise"),
            ("科技型中小企业（2024年入库）", "tech_sme"),
        ] {
            assert_eq!(match_kind(&k, t).map(|x| x.code.as_str()), Some(code), "{t}");
        }
    }

    #[test]
    fn a_title_at_another_level_is_named_as_such() {
        let k = defaults();
        for (t, code, level) in [
            ("省级工业设计中心", "industrial_design_center", "省级"),
            ("江苏省工业设计中心", "industrial_design_center", "江苏省"),
            ("绿色工厂（省级）", "green_factory", "省级"),
            ("南京市绿色工厂", "green_factory", "南京市"),
            ("国家级专精特新中小企业", "specialized_sme_provincial", "国家级"),
        ] {
            assert!(match_kind(&k, t).is_none(), "{t}");
            let (kind, l) = level_mismatch(&k, t).unwrap_or_else(|| panic!("{t}"));
            assert_eq!((kind.code.as_str(), l), (code, level), "{t}");
        }
        for t in ["国家级工业设计中心", "国家级绿色工厂", "高新技术企业", "南京市高新技术企业培育库入库企业", "优秀企业"]
        {
            assert!(level_mismatch(&k, t).is_none(), "{t}");
        }
        assert_eq!(match_kind(&k, "国家级工业设计中心").unwrap().code, "industrial_design_center");
        assert!(match_kind(&k, "省级工业设计中心").is_none());
    }

    #[test]
    fn expiry_rules() {
        let k = defaults();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let hte = k.iter().find(|x| x.code == "high_tech_enterprise").unwrap();
        assert_eq!(derived_expiry(hte, d(2023, 8, 5)), Some(d(2026, 8, 4)));
        assert_eq!(derived_expiry(hte, d(2024, 2, 29)), Some(d(2027, 2, 28)));
        let sme = k.iter().find(|x| x.code == "tech_sme").unwrap();
        assert_eq!(derived_expiry(sme, d(2024, 3, 25)), Some(d(2024, 12, 31)));
        let gf = k.iter().find(|x| x.code == "green_factory").unwrap();
        assert_eq!(derived_expiry(gf, d(2024, 3, 25)), None);
    }
}
