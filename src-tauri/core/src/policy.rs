//! The policy catalog (宁委发〔2022〕1号): versioned clauses, and the support programs bound to
//! them with their caps and yearly budgets. Shipped as data (assets/policy), seeded into a new
//! database, editable: a clause edit makes a new version; what was issued keeps citing its own.

pub use crate::model::policy::*;

use crate::error::{Error, Result};
pub use crate::model::date::chinese_number;
use crate::store::{policy as sql, Db};
use crate::text;

pub fn policy(db: &Db) -> Result<Policy> {
    sql::policy(db.conn())?.ok_or(Error::NotFound { entity: "policy", key: "main".into() })
}

/// The clauses in force, article order.
pub fn clauses(db: &Db) -> Result<Vec<Clause>> {
    sql::current_clauses(db.conn())
}

pub fn listing(db: &Db) -> Result<Vec<ClauseListing>> {
    Ok(clauses(db)?
        .into_iter()
        .map(|c| {
            let has = !c.official_zh.is_empty();
            ClauseListing {
                article: c.article,
                title_zh: c.title_zh,
                title_en: c.title_en,
                text_zh: c.text_zh,
                text_en: c.text_en,
                version: c.version,
                chapter: c.chapter,
                official_zh: c.official_zh,
                official_by: has.then_some(c.created_by),
                official_at: has.then_some(c.created_at),
            }
        })
        .collect())
}

pub fn clause_versions(db: &Db, article: i64) -> Result<Vec<Clause>> {
    sql::clause_versions(db.conn(), article)
}

pub fn current_clause(db: &Db, article: i64) -> Result<Clause> {
    sql::current_clause(db.conn(), article)?.ok_or(Error::NotFound { entity: "clause", key: article.to_string() })
}

/// Search clauses by article number or text (zh or en).
pub fn search_clauses(db: &Db, q: &str) -> Result<Vec<Clause>> {
    let q = text::clean(q).to_lowercase();
    Ok(clauses(db)?
        .into_iter()
        .filter(|c| {
            q.is_empty()
                || q.trim_start_matches('第').trim_end_matches('条').parse::<i64>().ok() == Some(c.article)
                || c.title_zh.to_lowercase().contains(&q)
                || c.title_en.to_lowercase().contains(&q)
                || c.text_zh.to_lowercase().contains(&q)
                || c.text_en.to_lowercase().contains(&q)
        })
        .collect())
}

/// Edit a clause: a new version becomes current; earlier versions stay (and stay cited).
pub fn edit_clause(db: &mut Db, article: i64, edit: &ClauseEdit) -> Result<Clause> {
    let cur = current_clause(db, article)?;
    let next = Clause {
        title_zh: edit.title_zh.as_deref().map(text::clean).unwrap_or(cur.title_zh.clone()),
        text_zh: edit.text_zh.as_deref().map(|s| s.trim().to_string()).unwrap_or(cur.text_zh.clone()),
        text_en: edit.text_en.as_deref().map(|s| s.trim().to_string()).unwrap_or(cur.text_en.clone()),
        note: edit.note.as_deref().map(text::clean).unwrap_or_default(),
        ..cur.clone()
    };
    if next.title_zh == cur.title_zh && next.text_zh == cur.text_zh && next.text_en == cur.text_en {
        return Err(Error::invalid("nothing_changed", "条款内容没有变化。", "The clause did not change."));
    }
    if next.title_zh.is_empty() {
        return Err(Error::invalid("missing_required", "请填写条款标题。", "Enter the clause title."));
    }
    if next.text_zh.chars().count() > 20_000 || next.text_en.chars().count() > 40_000 {
        return Err(Error::invalid("too_long", "条款文本过长。", "The clause text is too long."));
    }
    db.write(|tx| sql::add_clause_version(tx, &cur, &next))
}

/// Enter (paste) the official Chinese text of a clause: a new version of the clause, with who and
/// when; from then on notices quote it. Line breaks and spaces inside are tidied; the text must
/// read as Chinese (a pasted English or empty text is refused).
pub fn set_official_text(db: &mut Db, article: i64, text: &str) -> Result<Clause> {
    let cur = current_clause(db, article)?;
    let text: String = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("");
    let text = text::clean(&text);
    if text.is_empty() {
        return Err(Error::invalid("missing_required", "请粘贴该条款的正式中文文本。", "Paste the clause's official Chinese text.")
            .with_details(serde_json::json!({"field": "official_zh"})));
    }
    let han = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    if han * 2 < text.chars().count() {
        return Err(Error::invalid(
            "not_chinese",
            "正式文本应为中文（从正式印发的文件中复制）。",
            "The official text is the Chinese one, copied from the published document.",
        )
        .with_details(serde_json::json!({"field": "official_zh"})));
    }
    if text.chars().count() > 20_000 {
        return Err(Error::invalid("too_long", "条款文本过长。", "The clause text is too long.").with_details(serde_json::json!({"field": "official_zh"})));
    }
    if text == cur.official_zh {
        return Err(Error::invalid("nothing_changed", "正式文本没有变化。", "The official text did not change."));
    }
    let next = Clause { official_zh: text, note: "录入正式文本".into(), ..cur.clone() };
    db.write(|tx| sql::add_clause_version(tx, &cur, &next))
}

/// The articles notices cite (those the programs are bound to) whose official text is not
/// entered yet: until it is, notices cite them without a quotation.
pub fn clauses_without_official_text(db: &Db) -> Result<Vec<ClauseListing>> {
    let cited: std::collections::BTreeSet<i64> = programs(db)?.iter().map(|p| p.article).collect();
    Ok(listing(db)?.into_iter().filter(|c| cited.contains(&c.article) && c.official_zh.is_empty()).collect())
}

pub fn programs(db: &Db) -> Result<Vec<Program>> {
    sql::programs(db.conn())
}

pub fn program(db: &Db, code: &str) -> Result<Program> {
    sql::program_by_code(db.conn(), code)?.ok_or(Error::NotFound { entity: "program", key: code.into() })
}

pub fn budgets(db: &Db, year: i32) -> Result<Vec<Budget>> {
    sql::budgets(db.conn(), year)
}

pub fn set_budget(db: &mut Db, code: &str, year: i32, allocated_fen: i64) -> Result<Budget> {
    if allocated_fen < 0 {
        return Err(Error::invalid("out_of_range", "预算不能为负数。", "A budget cannot be negative."));
    }
    if !(2000..=2100).contains(&year) {
        return Err(Error::invalid("out_of_range", "预算年度应在2000–2100之间。", "The budget year must be within 2000–2100."));
    }
    let p = program(db, code)?;
    db.write(|tx| sql::set_budget(tx, p.id, year, allocated_fen))?;
    budgets(db, year)?.into_iter().find(|b| b.program_id == p.id).ok_or_else(|| Error::Internal("budget vanished".into()))
}

/// The citation line of a notice: 根据《…》（宁委发〔2022〕1号）第二条
/// The amount a program pays: the standard of an "up to" program, or the amount the district sets
/// where the clause leaves it open (软件企业营业收入首次突破1亿元). Within the clause's cap; None
/// clears it (the reward scan then asks for it).
pub fn set_program_amount(db: &mut Db, code: &str, amount_fen: Option<i64>) -> Result<Program> {
    let p = program(db, code)?;
    if p.kind != "reward" {
        return Err(Error::invalid(
            "not_a_reward",
            format!("“{}”不是奖励项目，没有奖励金额。", p.name_zh),
            format!("“{}” is not a reward program.", p.name_en),
        ));
    }
    if let Some(a) = amount_fen {
        if a <= 0 {
            return Err(
                Error::invalid("out_of_range", "奖励金额必须大于0。", "The amount must be above 0.").with_details(serde_json::json!({"field": "amount_fen"}))
            );
        }
        if let Some(cap) = p.cap_fen.filter(|c| a > *c) {
            return Err(Error::invalid(
                "over_cap",
                format!("“{}”的条款规定最高 {} 元，不能设为 {} 元。", p.name_zh, crate::money::fmt_yuan(cap), crate::money::fmt_yuan(a)),
                format!("The clause caps “{}” at {}.", p.name_en, crate::money::fmt_yuan(cap)),
            )
            .with_details(serde_json::json!({"field": "amount_fen", "cap_fen": cap})));
        }
    }
    db.write(|tx| sql::set_program_amount(tx, p.id, amount_fen))?;
    program(db, code)
}

pub fn citation(p: &Policy, article: i64) -> String {
    format!("《{}》（{}）第{}条", p.title_zh, p.doc_number, chinese_number(article))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_eighteen_articles_and_program_clauses() {
        let c = catalog();
        assert_eq!(c.articles.len(), 18);
        assert!(c.articles[1].text_en.contains("maximum subsidy of 100% for the rent"));
        assert_eq!(c.policy.doc_number, "宁委发〔2022〕1号");
        let p = program_seeds();
        for prog in &p.programs {
            assert!(c.articles.iter().any(|a| a.article == prog.article), "{}", prog.code);
            if let (Some(cap), Some(d)) = (prog.cap_fen, prog.default_amount_fen) {
                assert!(d <= cap, "{}", prog.code);
            }
        }
        assert!(c.articles.iter().filter(|a| a.text_zh_is_translation).count() >= 5);
    }

    #[test]
    fn chinese_article_numbers() {
        assert_eq!(chinese_number(2), "二");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(14), "十四");
        assert_eq!(chinese_number(18), "十八");
        assert_eq!(chinese_number(20), "二十");
    }

    #[test]
    fn seeded_edited_versioned() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(dir.path().join("p.db")).unwrap();
        assert_eq!(listing(&db).unwrap().len(), 18);
        let art2 = current_clause(&db, 2).unwrap();
        assert_eq!(art2.version, 1);
        let e = edit_clause(
            &mut db,
            2,
            &ClauseEdit {
                text_zh: Some("各区（园区）根据企业成长情况给予最高100%房租补贴，最长不超过三年。（正式文本）".into()), ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(e.version, 2);
        assert_eq!(current_clause(&db, 2).unwrap().version, 2);
        let versions = clause_versions(&db, 2).unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].text_zh, art2.text_zh, "the old version is kept as it was");
        assert!(!versions[0].current);
        assert_eq!(programs(&db).unwrap().len(), 12);
        let year = chrono::Datelike::year(&crate::model::date::today());
        let b = budgets(&db, year).unwrap();
        assert_eq!(b.len(), 12);
        assert_eq!(b.iter().find(|x| x.program_code == "rent_subsidy").unwrap().allocated_fen, 500_000_000);
        let nb = set_budget(&mut db, "rent_subsidy", year, 600_000_000).unwrap();
        assert_eq!(nb.remaining_fen, 600_000_000);
        assert_eq!(search_clauses(&db, "第2条").unwrap()[0].article, 2);
        assert!(!search_clauses(&db, "rent").unwrap().is_empty());
        assert!(db.check().unwrap().ok);
    }
}
