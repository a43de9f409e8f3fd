use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use huiqi_core::enterprise::{self, EnterpriseInput, EnterpriseQuery, EnterpriseStatus, MergePlan, Pick, UndoPreview, UndoResult};
use huiqi_core::store::Db;
use huiqi_core::{money, Error, Result};

use crate::out::{pad, Out};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Register an enterprise.
    Add(Fields),
    /// One enterprise with its history.
    Show {
        #[arg(value_name = "USCC")]
        key: String,
    },
    /// Search the registry.
    List {
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long)]
        park: Option<String>,
        /// active | moved_out | deregistered (or 在册 / 迁出 / 注销)
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        sector: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    /// Change fields of an enterprise (only the ones given).
    Update {
        /// The enterprise (its USCC)
        #[arg(value_name = "USCC")]
        key: String,
        #[command(flatten)]
        fields: Fields,
        /// active | moved_out | deregistered
        #[arg(long)]
        status: Option<String>,
    },
    /// Merge LOSER into SURVIVOR; `--take field,...` keeps the loser's value for those fields.
    Merge {
        survivor: String,
        loser: String,
        #[arg(long, value_delimiter = ',')]
        take: Vec<String>,
    },
    /// Undo the last change made by hand (form, command, merge): names it, then writes a
    /// compensating event. Imports undo by batch (`import undo`); the demo data set never.
    Undo {
        /// Only say what would be undone.
        #[arg(long)]
        dry_run: bool,
    },
    /// Redo the last undo (when nothing was changed by hand since).
    Redo {
        /// Only say what would be redone.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the (filtered) list to FILE (.xlsx or .csv).
    Export {
        file: PathBuf,
        #[arg(long, short)]
        query: Option<String>,
        #[arg(long)]
        park: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Args, Debug, Default)]
pub struct Fields {
    /// The new USCC (update: only to correct it)
    #[arg(long = "uscc", default_value = "")]
    pub uscc: String,
    #[arg(long, default_value = "")]
    pub name: String,
    /// ISO date or 2023年5月1日 etc.
    #[arg(long)]
    pub founded: Option<String>,
    /// Registered capital in 万元 as typed (e.g. 500.5)
    #[arg(long)]
    pub capital_wan: Option<String>,
    #[arg(long)]
    pub park: Option<String>,
    #[arg(long)]
    pub sector: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    #[arg(long)]
    pub high_tech: Option<bool>,
}

/// What an undo or a redo would do (`--dry-run`), as the app's question says it.
fn preview(out: &Out, p: &UndoPreview) -> Result<()> {
    out.emit(p, |p| println!("{}", if out.zh() { &p.text_zh } else { &p.text_en }));
    Ok(())
}

/// An undo or a redo done: what it was (the question without its question mark), then the result.
fn done(out: &Out, p: &UndoPreview, r: &UndoResult) {
    out.emit(r, |r| {
        println!("{}", if out.zh() { &p.text_zh } else { &p.text_en }.trim_end_matches(['？', '?']));
        println!("{}", if out.zh() { &r.summary_zh } else { &r.summary_en });
    });
}

fn capital(s: &Option<String>) -> Result<Option<i64>> {
    match s {
        None => Ok(None),
        Some(t) => huiqi_core::import::normalize::parse_amount_text(t, huiqi_core::import::normalize::MoneyUnit::Wan)
            .map(Some)
            .ok_or_else(|| Error::invalid("bad_amount", format!("注册资本“{t}”不是数字（万元）。"), format!("Capital “{t}” is not a number (10k yuan)."))),
    }
}

fn status(s: &Option<String>) -> Result<Option<EnterpriseStatus>> {
    match s {
        None => Ok(None),
        Some(t) => EnterpriseStatus::from_input(t).map(Some).ok_or_else(|| {
            Error::invalid(
                "bad_status",
                format!("状态“{t}”无效，可用：active（在册）、moved_out（迁出）、deregistered（注销）。"),
                format!("Unknown status “{t}”: use active, moved_out or deregistered."),
            )
        }),
    }
}

pub fn run(db: &mut Db, cmd: Cmd, out: &Out) -> Result<()> {
    match cmd {
        Cmd::Add(f) => {
            let input = EnterpriseInput {
                uscc: f.uscc,
                name: f.name,
                founded_on: f.founded,
                registered_capital_fen: capital(&f.capital_wan)?,
                park: f.park,
                sector: f.sector,
                contact_name: f.contact,
                contact_phone: f.phone,
                address: f.address,
                status: None,
                notes: f.notes,
                high_tech: f.high_tech,
            };
            let r = enterprise::create(db, &input)?;
            out.emit(&r, |r| {
                println!("{} {}（{}） id={}", out.pick("已新增", "Added"), r.enterprise.name, r.enterprise.uscc, r.enterprise.id);
                for w in &r.warnings {
                    println!("  {}", if out.zh() { &w.message_zh } else { &w.message_en });
                }
            });
        }
        Cmd::Show { key } => {
            let e = enterprise::find(db, &key)?;
            let d = enterprise::detail(db, e.id)?;
            out.emit(&d, |d| {
                let e = &d.enterprise;
                println!("{}  {}", e.name, e.uscc);
                println!("  {}: {}", out.pick("状态", "status"), e.status.label_zh());
                println!("  {}: {}", out.pick("园区", "park"), e.park.clone().unwrap_or_default());
                println!("  {}: {}", out.pick("产业领域", "sector"), e.sector);
                println!("  {}: {}", out.pick("成立日期", "founded"), e.founded_on.clone().unwrap_or_default());
                println!("  {}: {}", out.pick("注册资本（元）", "capital (yuan)"), e.registered_capital_fen.map(money::fmt_yuan).unwrap_or_default());
                println!("  {}: {} {}", out.pick("联系人", "contact"), e.contact_name, e.contact_phone);
                println!("  {}: {}", out.pick("地址", "address"), e.address);
                println!("{}", out.pick("变更记录：", "History:"));
                for h in &d.history {
                    println!("  {} {} {}{}", h.at, h.actor, h.action, if h.undone { out.pick("（已撤销）", " (undone)") } else { "" });
                    for c in &h.changes {
                        if h.action != "create" {
                            println!("      {}: {} → {}", c.field, c.before, c.after);
                        }
                    }
                }
            });
        }
        Cmd::List { query, park, status: st, sector, limit, offset } => {
            let q = EnterpriseQuery { q: query, park, status: status(&st)?, sector, limit, offset, ..Default::default() };
            let page = enterprise::search(db, &q)?;
            out.emit(&page, |p| {
                for r in &p.rows {
                    println!("{}  {}  {}  {}", r.uscc, pad(&r.name, 40), pad(r.park.as_deref().unwrap_or(""), 24), r.status.label_zh());
                }
                println!("{} {} / {}", out.pick("共", "total"), p.rows.len(), p.total);
            });
        }
        Cmd::Update { key, fields: f, status: st } => {
            let e = enterprise::find(db, &key)?;
            let mut input = enterprise::to_input(&e);
            if !f.uscc.is_empty() {
                input.uscc = f.uscc;
            }
            if !f.name.is_empty() {
                input.name = f.name;
            }
            if f.founded.is_some() {
                input.founded_on = f.founded;
            }
            if f.capital_wan.is_some() {
                input.registered_capital_fen = capital(&f.capital_wan)?;
            }
            if f.park.is_some() {
                input.park = f.park;
            }
            if f.sector.is_some() {
                input.sector = f.sector;
            }
            if f.contact.is_some() {
                input.contact_name = f.contact;
            }
            if f.phone.is_some() {
                input.contact_phone = f.phone;
            }
            if f.address.is_some() {
                input.address = f.address;
            }
            if f.notes.is_some() {
                input.notes = f.notes;
            }
            if f.high_tech.is_some() {
                input.high_tech = f.high_tech;
            }
            if let Some(s) = status(&st)? {
                input.status = Some(s);
            }
            let r = enterprise::update(db, e.id, &input, None)?;
            out.emit(&r, |r| {
                println!("{} {}", if r.changed { out.pick("已保存", "Saved") } else { out.pick("没有修改", "Nothing changed") }, r.enterprise.name)
            });
        }
        Cmd::Merge { survivor, loser, take } => {
            let s = enterprise::find(db, &survivor)?;
            let l = enterprise::find(db, &loser)?;
            let picks: BTreeMap<String, Pick> = take.into_iter().map(|f| (f, Pick::Loser)).collect();
            let e = enterprise::merge(db, &MergePlan { survivor_id: s.id, loser_id: l.id, picks })?;
            out.emit(&e, |e| println!("{} {}（{}）", out.pick("已合并到", "Merged into"), e.name, e.uscc));
        }
        Cmd::Undo { dry_run } => {
            let p = enterprise::undo_preview(db)?.ok_or_else(enterprise::nothing_to_undo)?;
            if dry_run {
                return preview(out, &p);
            }
            let r = enterprise::undo_confirmed(db, p.event_id)?;
            done(out, &p, &r);
        }
        Cmd::Redo { dry_run } => {
            let p = enterprise::redo_preview(db)?.ok_or_else(enterprise::nothing_to_redo)?;
            if dry_run {
                return preview(out, &p);
            }
            let r = enterprise::redo(db, Some(p.event_id))?;
            done(out, &p, &r);
        }
        Cmd::Export { file, query, park, status: st } => {
            let q = EnterpriseQuery { q: query, park, status: status(&st)?, limit: i64::MAX, ..Default::default() };
            let t = std::time::Instant::now();
            let n = huiqi_core::enterprise::export(db, &q, &file)?;
            let v = serde_json::json!({"path": file.display().to_string(), "rows": n, "seconds": t.elapsed().as_secs_f64()});
            out.emit(&v, |_| println!("{} {n} → {}", out.pick("已导出", "Exported"), file.display()));
        }
    }
    Ok(())
}

pub fn is_write(cmd: &Cmd) -> bool {
    matches!(cmd, Cmd::Add(_) | Cmd::Update { .. } | Cmd::Merge { .. } | Cmd::Undo { dry_run: false } | Cmd::Redo { dry_run: false })
}
