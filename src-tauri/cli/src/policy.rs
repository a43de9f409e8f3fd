use clap::Subcommand;
use huiqi_core::policy::{self, ClauseEdit};
use huiqi_core::store::Db;
use huiqi_core::{money, Error, Result};

use crate::out::{pad, Out};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// The clauses in force (article, titles, text, version).
    Clauses {
        /// Only clauses whose number or text matches.
        #[arg(long, short)]
        query: Option<String>,
    },
    /// Every version of one clause.
    Versions { article: i64 },
    /// Edit a clause: makes a new version (what was issued keeps citing its own version).
    Edit {
        article: i64,
        #[arg(long)]
        title_zh: Option<String>,
        #[arg(long)]
        text_zh: Option<String>,
        #[arg(long)]
        text_en: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Enter the official Chinese text of a clause (pasted from the published document): a new
    /// version; notices quote it from then on. --file reads it from a text file.
    Official {
        article: i64,
        #[arg(long, required_unless_present = "file")]
        text: Option<String>,
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
    /// The clauses notices cite whose official text is not entered yet.
    Missing,
}

#[derive(Subcommand, Debug)]
pub enum ProgramCmd {
    /// The support programs, with their clause and cap.
    List,
    /// Budgets of a year: allocated, approved, disbursed, remaining.
    Budgets {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Set a program's budget for a year (amount in yuan as typed).
    SetBudget { code: String, year: i32, yuan: String },
    /// Set the amount a reward program pays (the district's standard within the clause's cap, or
    /// the amount it decides, e.g. software_revenue_100m); --clear removes it.
    SetAmount {
        code: String,
        /// Amount in 元 as typed
        yuan: Option<String>,
        #[arg(long)]
        clear: bool,
    },
}

pub fn is_write(c: &Cmd) -> bool {
    matches!(c, Cmd::Edit { .. } | Cmd::Official { .. })
}

pub fn run(db: &mut Db, cmd: Cmd, out: &Out) -> Result<()> {
    match cmd {
        Cmd::Clauses { query } => {
            let list: Vec<_> = match query {
                Some(q) => policy::search_clauses(db, &q)?.into_iter().map(|c| c.article).collect(),
                None => vec![],
            };
            let v: Vec<_> = policy::listing(db)?.into_iter().filter(|c| list.is_empty() || list.contains(&c.article)).collect();
            out.emit(&v, |v| {
                for c in v {
                    println!("第{}条 v{}  {}  —  {}", c.article, c.version, c.title_zh, c.title_en);
                }
            });
        }
        Cmd::Versions { article } => {
            let v = policy::clause_versions(db, article)?;
            out.emit(&v, |v| {
                for c in v {
                    println!(
                        "v{} {} {} {}{}",
                        c.version,
                        c.created_at,
                        c.created_by,
                        c.title_zh,
                        if c.current { out.pick("（现行）", " (in force)") } else { "" }
                    );
                    if !c.official_zh.is_empty() {
                        println!("   {} {}", out.pick("正式文本：", "Official text:"), c.official_zh);
                    } else if !c.text_zh.is_empty() {
                        println!("   {} {}", out.pick("回译参考（尚未录入正式文本）：", "Back-translation (no official text yet):"), c.text_zh);
                    }
                }
            });
        }
        Cmd::Official { article, text, file } => {
            let text = match (text, file) {
                (Some(t), _) => t,
                (None, Some(f)) => std::fs::read_to_string(&f).map_err(|e| huiqi_core::Error::io(&f, e))?,
                (None, None) => unreachable!("clap requires one"),
            };
            let c = policy::set_official_text(db, article, &text)?;
            out.emit(&c, |c| {
                println!("{} 第{}条 v{}（{} {}）", out.pick("已录入正式文本", "Official text entered"), c.article, c.version, c.created_by, c.created_at)
            });
        }
        Cmd::Missing => {
            let v = policy::clauses_without_official_text(db)?;
            out.emit(&v, |v| {
                if v.is_empty() {
                    println!("{}", out.pick("公文引用的条款都已录入正式文本。", "Every clause notices cite has its official text."));
                }
                for c in v {
                    println!(
                        "第{}条  {}  {}",
                        c.article,
                        c.title_zh,
                        out.pick("尚无正式文本：公文只引用条款序号，不引用原文", "no official text yet: cited without a quotation")
                    );
                }
            });
        }
        Cmd::Edit { article, title_zh, text_zh, text_en, note } => {
            let c = policy::edit_clause(db, article, &ClauseEdit { title_zh, text_zh, text_en, note })?;
            out.emit(&c, |c| println!("{} 第{}条 v{}", out.pick("已保存新版本", "New version saved:"), c.article, c.version));
        }
    }
    Ok(())
}

pub fn is_write_program(c: &ProgramCmd) -> bool {
    matches!(c, ProgramCmd::SetBudget { .. } | ProgramCmd::SetAmount { .. })
}

pub fn run_program(db: &mut Db, cmd: ProgramCmd, out: &Out) -> Result<()> {
    let year_now = chrono::Datelike::year(&huiqi_core::cert::today());
    match cmd {
        ProgramCmd::List => {
            let v = policy::programs(db)?;
            out.emit(&v, |v| {
                for p in v {
                    println!(
                        "{} 第{}条  {}  {}",
                        pad(&p.code, 28),
                        p.article,
                        pad(&p.name_zh, 36),
                        p.cap_fen
                            .map(|c| format!("{} {} 元", out.pick("上限", "cap"), money::fmt_yuan(c)))
                            .unwrap_or_else(|| out.pick("上限由区确定", "cap set by the district").into())
                    );
                }
            });
        }
        ProgramCmd::Budgets { year } => {
            let v = policy::budgets(db, year.unwrap_or(year_now))?;
            out.emit(&v, |v| {
                for b in v {
                    println!(
                        "{} {}  {} {}{} · {} {} · {} {} · {} {}",
                        b.year,
                        pad(&b.program_name_zh, 36),
                        out.pick("预算", "allocated"),
                        money::fmt_yuan(b.allocated_fen),
                        b.inherited_from.map(|y| format!("（{}{y}{}）", out.pick("沿用", "from "), out.pick("年", ""))).unwrap_or_default(),
                        out.pick("已批", "approved"),
                        money::fmt_yuan(b.approved_fen),
                        out.pick("已拨", "paid"),
                        money::fmt_yuan(b.disbursed_fen),
                        out.pick("剩余", "left"),
                        money::fmt_yuan(b.remaining_fen)
                    );
                }
            });
        }
        ProgramCmd::SetAmount { code, yuan, clear } => {
            let fen = match (yuan, clear) {
                (Some(y), false) => Some(crate::rent::yuan(&y, "yuan")?),
                (None, true) => None,
                _ => return Err(Error::invalid("usage", "请给出金额（元），或用 --clear 清除。", "Give an amount in yuan, or --clear.")),
            };
            let p = policy::set_program_amount(db, &code, fen)?;
            out.emit(&p, |p| {
                println!(
                    "{} {}: {}",
                    out.pick("已设置奖励金额", "Amount set"),
                    p.name_zh,
                    p.default_amount_fen.map(money::fmt_yuan).unwrap_or_else(|| out.pick("（未设置）", "(none)").into())
                )
            });
        }
        ProgramCmd::SetBudget { code, year, yuan } => {
            let fen = crate::rent::yuan(&yuan, "yuan")?;
            let b = policy::set_budget(db, &code, year, fen)?;
            out.emit(&b, |b| println!("{} {} {}: {}", out.pick("已设置预算", "Budget set"), b.year, b.program_name_zh, money::fmt_yuan(b.allocated_fen)));
        }
    }
    Ok(())
}
