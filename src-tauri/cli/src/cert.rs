use clap::Subcommand;
use huiqi_core::cert::{self, reward, CertInput};
use huiqi_core::store::Db;
use huiqi_core::{money, Error, Result};

use crate::out::{pad, Out};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Certifications; --expiring-within DAYS lists those expiring in that many days.
    List {
        #[arg(long)]
        expiring_within: Option<i64>,
        #[arg(long)]
        kind: Option<String>,
        /// Only this enterprise (USCC).
        #[arg(long)]
        uscc: Option<String>,
    },
    /// Register a certification (expiry derived from the kind's validity when not given).
    Add {
        #[arg(long)]
        uscc: String,
        /// A kind code or its Chinese name (高新技术企业, 科技型中小企业 …)
        #[arg(long)]
        kind: String,
        #[arg(long)]
        number: Option<String>,
        #[arg(long)]
        issued: String,
        #[arg(long)]
        expires: Option<String>,
        #[arg(long)]
        level: Option<String>,
    },
    /// What falls due: expiry, renewal preparation, annual reports, evaluation windows, reviews.
    Reminders {
        #[arg(long)]
        within: Option<i64>,
        /// Write the list to this xlsx.
        #[arg(long)]
        export: Option<std::path::PathBuf>,
    },
    /// The certification kinds (editable data).
    Kinds,
}

#[derive(Subcommand, Debug)]
pub enum RewardCmd {
    /// 免申即享: the rewards not yet given, each with its explanation (nothing is written).
    Scan,
    /// Confirm scan proposals (certification:program pairs, or --all) in one batch: approved.
    Confirm {
        #[arg(value_delimiter = ',')]
        picks: Vec<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        over_budget: bool,
    },
    List {
        #[arg(long)]
        status: Option<String>,
    },
    /// Approve a draft (at its amount, or lower with --amount and --reason).
    Approve {
        id: i64,
        /// Amount in 元, at most the proposed one
        #[arg(long)]
        amount: Option<String>,
        /// Why less than the proposed amount (required then)
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        over_budget: bool,
    },
    /// A performance-based reward (innovation_consortium, generic_tech_platform, two_way_incubation):
    /// the amount the office set after its scoring, within the clause's cap. Drafted.
    Add {
        #[arg(long)]
        program: String,
        #[arg(long)]
        uscc: String,
        /// Amount in 元
        #[arg(long)]
        amount: String,
        /// The scoring note (score, basis)
        #[arg(long)]
        note: String,
    },
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    Pay {
        id: i64,
        /// Amount in 元
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        reference: String,
    },
    Revoke {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

pub fn is_write(c: &Cmd) -> bool {
    matches!(c, Cmd::Add { .. })
}

pub fn is_write_reward(c: &RewardCmd) -> bool {
    !matches!(c, RewardCmd::Scan | RewardCmd::List { .. })
}

pub fn run(db: &mut Db, cmd: Cmd, out: &Out) -> Result<()> {
    match cmd {
        Cmd::List { expiring_within, kind, uscc } => {
            let e = uscc.map(|u| huiqi_core::enterprise::find(db, &u)).transpose()?;
            let v = cert::list(db, e.map(|e| e.id), kind.as_deref(), expiring_within)?;
            let names = kind_names(db, out)?;
            out.emit(&v, |v| {
                for c in v {
                    println!(
                        "#{:<5} {} {} {} {} {}~{}",
                        c.id,
                        c.uscc,
                        pad(&c.enterprise_name, 34),
                        pad(&names(&c.kind), 28),
                        c.certificate_no,
                        c.issued_on,
                        c.expires_on.clone().unwrap_or_else(|| "—".into())
                    );
                }
            });
        }
        Cmd::Add { uscc, kind, number, issued, expires, level } => {
            let c = cert::add(db, &CertInput { uscc, kind, certificate_no: number, issued_on: issued, expires_on: expires, level })?;
            let names = kind_names(db, out)?;
            out.emit(&c, |c| {
                let expiry = c.expires_on.clone().unwrap_or_else(|| out.pick("长期有效", "no expiry").into());
                println!("{} #{} {} {} {} → {}", out.pick("已登记", "Added"), c.id, c.enterprise_name, names(&c.kind), c.issued_on, expiry);
                if c.expiry_differs_from_rule {
                    println!(
                        "  {}",
                        out.pick(
                            "注意：填写的有效期与该类型的规则不一致，已按填写保存并标记。",
                            "Note: the given expiry differs from the kind's rule (kept, flagged)."
                        )
                    );
                }
            });
        }
        Cmd::Reminders { within, export } => {
            if let Some(p) = &export {
                cert::export_reminders(db, within, p)?;
            }
            let v = cert::reminders(db, cert::today(), within)?;
            out.emit(&v, |v| {
                for m in v {
                    println!(
                        "{} {:>5} {} {}",
                        m.date,
                        if m.overdue { format!("-{}", -m.days) } else { format!("+{}", m.days) },
                        pad(&m.enterprise_name, 34),
                        m.text_zh
                    );
                }
            });
        }
        Cmd::Kinds => {
            let v = cert::kinds(db)?;
            out.emit(&v, |v| {
                for k in v {
                    println!("{} {} [{}]", pad(&k.code, 28), k.name_zh, k.synonyms.join("、"));
                }
            });
        }
    }
    Ok(())
}

pub fn run_reward(db: &mut Db, cmd: RewardCmd, out: &Out) -> Result<()> {
    let line = |r: &reward::Reward| {
        println!(
            "#{:<5} {} {} {} {} {}",
            r.id,
            r.uscc,
            pad(&r.enterprise_name, 34),
            pad(&r.program_name_zh, 30),
            money::fmt_yuan(r.amount_fen),
            r.status.label_zh()
        )
    };
    match cmd {
        RewardCmd::Scan => {
            let s = reward::scan(db)?;
            out.emit(&s, |s| {
                for p in &s.proposals {
                    println!(
                        "{}:{}  {} {} {}",
                        p.certification_id,
                        p.program_id,
                        pad(&p.enterprise_name, 34),
                        pad(&p.program_name_zh, 30),
                        money::fmt_yuan(p.amount_fen)
                    );
                    for st in &p.steps {
                        println!("      {} [{}]", st.text_zh, st.basis.reference);
                    }
                }
                for e in &s.excluded {
                    println!("  {} {}", out.pick("不发放：", "Not proposed:"), e.reason_zh);
                }
                println!("{} {} · {} {} 元", out.pick("可发放", "Proposed"), s.proposals.len(), out.pick("合计", "total"), money::fmt_yuan(s.total_fen));
            });
        }
        RewardCmd::Confirm { picks, all, over_budget } => {
            let picks: Vec<reward::RewardPick> = if all {
                reward::scan(db)?.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect()
            } else {
                picks
                    .iter()
                    .map(|s| {
                        let (a, b) = s.split_once(':').ok_or_else(|| {
                            Error::invalid(
                                "usage",
                                format!("“{s}”应写成 认定编号:项目编号（见 huiqi reward scan）。"),
                                format!("“{s}”: use CERT:PROGRAM (see huiqi reward scan)."),
                            )
                        })?;
                        Ok(reward::RewardPick {
                            certification_id: a.parse().map_err(|_| Error::invalid("usage", "编号应为数字。", "Ids are numbers."))?,
                            program_id: b.parse().map_err(|_| Error::invalid("usage", "编号应为数字。", "Ids are numbers."))?,
                        })
                    })
                    .collect::<Result<_>>()?
            };
            let v = reward::confirm(db, &picks, over_budget)?;
            out.emit(&v, |v| v.iter().for_each(line));
        }
        RewardCmd::List { status } => {
            let st = status
                .as_deref()
                .map(|s| {
                    reward::RewardStatus::parse(s).ok_or_else(|| Error::invalid("bad_status", format!("状态“{s}”无效。"), format!("Unknown status “{s}”.")))
                })
                .transpose()?;
            let v = reward::list(db, st, None)?;
            out.emit(&v, |v| v.iter().for_each(line));
        }
        RewardCmd::Approve { id, amount, reason, over_budget } => {
            let amount = amount.as_deref().map(|s| crate::rent::yuan(s, "amount")).transpose()?;
            let r = reward::approve(db, id, amount, reason.as_deref(), over_budget)?;
            out.emit(&r, line);
        }
        RewardCmd::Add { program, uscc, amount, note } => {
            let r = reward::add_performance(db, &program, &uscc, crate::rent::yuan(&amount, "amount")?, &note)?;
            out.emit(&r, line);
        }
        RewardCmd::Reject { id, reason } => {
            let r = reward::reject(db, id, &reason)?;
            out.emit(&r, line);
        }
        RewardCmd::Pay { id, amount, date, reference } => {
            let d = date.unwrap_or_else(|| cert::today().to_string());
            let r = reward::pay(db, id, crate::rent::yuan(&amount, "amount")?, &d, &reference)?;
            out.emit(&r, line);
        }
        RewardCmd::Revoke { id, reason } => {
            let r = reward::revoke(db, id, &reason)?;
            out.emit(&r, line);
        }
    }
    Ok(())
}

/// A kind's name in the output's language (its code when the catalogue has no such kind).
fn kind_names(db: &Db, out: &Out) -> huiqi_core::Result<impl Fn(&str) -> String> {
    let kinds = cert::kinds(db)?;
    let zh = out.zh();
    Ok(move |code: &str| {
        kinds.iter().find(|k| k.code == code).map(|k| if zh { k.name_zh.clone() } else { k.name_en.clone() }).unwrap_or_else(|| code.to_string())
    })
}
