use clap::Subcommand;
use huiqi_core::rent::{self, ApplicationInput, CalcInput, CalcResult, GrantStatus, LeaseInput};
use huiqi_core::store::Db;
use huiqi_core::{money, Error, Result};

use crate::out::{pad, Out};

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// The calculator: either --uscc X (reads the registry) or explicit what-if inputs.
    Calc(CalcArgs),
    /// Grants: list, draft, submit, approve, reject, pay, revoke, show.
    #[command(subcommand)]
    Grants(GrantCmd),
    /// Applications (from imports or entered by hand): list them, or add one (`applications add`).
    #[command(args_conflicts_with_subcommands = true)]
    Applications {
        #[command(subcommand)]
        cmd: Option<AppCmd>,
        /// Only those without a grant yet.
        #[arg(long)]
        open: bool,
    },
    /// The enterprise's subsidised time: leases, the days each live grant covers (area, months),
    /// what was cut and why, the 36 months used and left.
    Timeline {
        #[arg(long)]
        uscc: String,
    },
    /// The rule scheme in force (and its versions).
    Rules,
}

#[derive(clap::Args, Debug)]
pub struct CalcArgs {
    #[arg(long)]
    pub uscc: Option<String>,
    /// Area in ㎡ as typed (250.5)
    #[arg(long)]
    pub area: Option<String>,
    /// Unit rent in 元/㎡/月 as typed (45)
    #[arg(long)]
    pub unit_rent: Option<String>,
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub to: Option<String>,
    /// Revenue of the previous year, in 元
    #[arg(long)]
    pub revenue_prev: Option<String>,
    /// Revenue of the current year, in 元
    #[arg(long)]
    pub revenue_curr: Option<String>,
    #[arg(long)]
    pub founded: Option<String>,
    /// Holds a valid 高新技术企业 or 科技型中小企业 status
    #[arg(long)]
    pub certified: Option<bool>,
    #[arg(long, default_value_t = 0)]
    pub months_before: i64,
    #[arg(long)]
    pub year: Option<i64>,
    /// The amount requested, in 元
    #[arg(long)]
    pub requested: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AppCmd {
    /// The applications (--open: only those without a grant yet).
    List {
        #[arg(long)]
        open: bool,
    },
    /// Enter an application by hand: the lease (new, or --lease ID) and the period applied for.
    Add(Box<AddArgs>),
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The enterprise (USCC); it must be in the registry.
    #[arg(long)]
    pub uscc: String,
    /// An existing lease of the enterprise (instead of the lease fields below).
    #[arg(long)]
    pub lease: Option<i64>,
    /// The premises' address (the same address means the same premises).
    #[arg(long, alias = "lease-address")]
    pub address: Option<String>,
    /// Leased area in ㎡ as typed (250.5)
    #[arg(long)]
    pub area: Option<String>,
    /// Unit rent in 元/㎡/月 as typed (45)
    #[arg(long)]
    pub unit_rent: Option<String>,
    /// First day of the lease
    #[arg(long, alias = "lease-from")]
    pub lease_start: Option<String>,
    /// Last day of the lease
    #[arg(long, alias = "lease-to")]
    pub lease_end: Option<String>,
    /// Annual rent in 元 (informative)
    #[arg(long)]
    pub annual_rent: Option<String>,
    /// First day applied for (default: the lease's first day)
    #[arg(long, alias = "period-start")]
    pub from: Option<String>,
    /// Last day applied for (default: the lease's last day)
    #[arg(long, alias = "period-end")]
    pub to: Option<String>,
    /// Revenue of the year before the period's first year (上年), in 元
    #[arg(long)]
    pub revenue_prev: Option<String>,
    /// Revenue of the period's first calendar year (本年), in 元
    #[arg(long)]
    pub revenue_curr: Option<String>,
    /// The subsidy year the application names (第几年, 1–3); the ledger derives its own
    #[arg(long, alias = "subsidy-year", default_value_t = 1)]
    pub year: i64,
    /// The amount requested, in 元
    #[arg(long)]
    pub requested: Option<String>,
    /// Draft the grant at once (as `rent grants draft --application`).
    #[arg(long)]
    pub draft: bool,
}

#[derive(Subcommand, Debug)]
pub enum GrantCmd {
    List {
        /// draft | submitted | approved | rejected | disbursed | revoked
        #[arg(long)]
        status: Option<String>,
    },
    Show {
        id: i64,
    },
    /// Draft grants for every application without one (or for one application).
    Draft {
        #[arg(long)]
        application: Option<i64>,
    },
    Submit {
        id: i64,
    },
    /// Calculate a draft again from today's registry and ledger (after a correction, or when a
    /// grant that covered its days was rejected or revoked).
    #[command(alias = "recalculate")]
    Recalc {
        id: i64,
    },
    /// Approve one or many grants (ids separated by commas); --all-drafts approves every eligible draft.
    Approve {
        #[arg(value_delimiter = ',')]
        ids: Vec<i64>,
        #[arg(long)]
        all_drafts: bool,
        /// Approved amount in 元 (one grant only; default: the computed amount)
        #[arg(long)]
        amount: Option<String>,
        /// Why less than the computed amount is approved (核减; required then)
        #[arg(long)]
        reason: Option<String>,
        /// Approve even past the program's yearly budget (recorded)
        #[arg(long)]
        over_budget: bool,
    },
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Record a payment (partial payments add up to the approved amount at most).
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

/// Yuan as typed by a person ("1,234.5") → fen.
pub fn yuan(s: &str, field: &str) -> Result<i64> {
    huiqi_core::money::parse_yuan(s).ok_or_else(|| {
        Error::invalid("bad_amount", format!("“{s}”不是金额（元）。"), format!("“{s}” is not an amount in yuan."))
            .with_details(serde_json::json!({"field": field}))
    })
}

fn centi(s: &str, field: &str) -> Result<i64> {
    huiqi_core::import::normalize::parse_area_text(s).ok_or_else(|| {
        Error::invalid("bad_number", format!("“{s}”不是面积（平方米）。"), format!("“{s}” is not an area in square metres."))
            .with_details(serde_json::json!({"field": field}))
    })
}

fn missing(field: &str) -> Error {
    Error::invalid(
        "missing_required",
        format!("缺少 --{field}（或改用 --uscc 从台账读取）。"),
        format!("--{field} is required (or use --uscc to read the registry)."),
    )
}

pub fn is_write(c: &Cmd) -> bool {
    matches!(c, Cmd::Grants(g) if !matches!(g, GrantCmd::List { .. } | GrantCmd::Show { .. }))
        || matches!(c, Cmd::Applications { cmd: Some(AppCmd::Add(_)), .. })
}

fn add_application(db: &mut Db, a: Box<AddArgs>, out: &Out) -> Result<()> {
    let e = huiqi_core::enterprise::find(db, &a.uscc)?;
    let lease = match a.lease {
        Some(id) => {
            let l = rent::leases(db, e.id)?.into_iter().find(|l| l.id == id).ok_or_else(|| {
                Error::invalid("not_found", format!("“{}”没有编号为 {id} 的租赁记录。", e.name), format!("“{}” has no lease #{id}.", e.name))
                    .with_details(serde_json::json!({"field": "lease"}))
            })?;
            l
        }
        None => rent::add_lease(
            db,
            e.id,
            &LeaseInput {
                address: a.address.clone(),
                area_centi_m2: centi(a.area.as_deref().ok_or_else(|| missing_lease("area"))?, "area")?,
                unit_rent_fen: yuan(a.unit_rent.as_deref().ok_or_else(|| missing_lease("unit-rent"))?, "unit_rent")?,
                start_on: a.lease_start.clone().ok_or_else(|| missing_lease("lease-start"))?,
                end_on: a.lease_end.clone().ok_or_else(|| missing_lease("lease-end"))?,
                annual_rent_fen: a.annual_rent.as_deref().map(|s| yuan(s, "annual_rent")).transpose()?,
            },
        )?,
    };
    let app = rent::add_application(
        db,
        &ApplicationInput {
            lease_id: lease.id,
            subsidy_year: a.year,
            period_start: a.from.clone().unwrap_or_else(|| lease.start_on.clone()),
            period_end: a.to.clone().unwrap_or_else(|| lease.end_on.clone()),
            revenue_prev_fen: a.revenue_prev.as_deref().map(|s| yuan(s, "revenue_prev")).transpose()?,
            revenue_curr_fen: a.revenue_curr.as_deref().map(|s| yuan(s, "revenue_curr")).transpose()?,
            requested_fen: a.requested.as_deref().map(|s| yuan(s, "requested")).transpose()?,
        },
    )?;
    if a.draft {
        let g = rent::draft(db, app.id)?;
        out.emit(&g, |g| {
            println!("{} #{} → {} #{}", out.pick("已登记申请", "Application"), app.id, out.pick("补贴草稿", "draft grant"), g.id);
            print_calc(&g.explanation, out);
        });
    } else {
        out.emit(&app, |a| {
            println!(
                "{} #{} {} {}~{} {}",
                out.pick("已登记申请", "Application"),
                a.id,
                a.enterprise_name,
                a.period_start,
                a.period_end,
                out.pick("（用 huiqi rent grants draft 测算）", "(draft it with huiqi rent grants draft)")
            )
        });
    }
    Ok(())
}

fn missing_lease(field: &str) -> Error {
    Error::invalid("missing_required", format!("缺少 --{field}（或用 --lease 指定已登记的租赁）。"), format!("--{field} is required (or give --lease ID)."))
        .with_details(serde_json::json!({"field": field}))
}

fn print_timeline(t: &rent::Timeline, out: &Out) {
    println!(
        "{} {}  {} {}{}",
        t.uscc,
        t.name,
        out.pick("成立", "founded"),
        t.founded_on.clone().unwrap_or_else(|| "—".into()),
        t.young_until.as_ref().map(|y| format!("（{} {y}）", out.pick("创业企业至", "young until"))).unwrap_or_default()
    );
    for l in &t.leases {
        println!(
            "  {} #{:<4} {} ~ {}  {}  {}",
            out.pick("租赁", "lease"),
            l.id,
            l.start_on,
            l.end_on,
            crate::out::pad(&l.address, 30),
            rent::area_text(l.area_centi_m2)
        );
    }
    for s in &t.stretches {
        println!(
            "  {} #{:<4} {} ~ {}  {:>11}  {} {}  [{}]",
            out.pick("补贴", "grant"),
            s.grant_id,
            s.start,
            s.end,
            rent::area_text(s.area_centi_m2),
            rent::calendar::months_text(s.month_units),
            out.pick("个月", "months"),
            s.status.label_zh()
        );
    }
    for c in &t.cuts {
        println!(
            "  {} #{:<4} {} ~ {}  [{}] {}",
            out.pick("不予补贴", "not paid"),
            c.grant_id,
            c.start,
            c.end,
            c.reason,
            if out.zh() { &c.message_zh } else { &c.message_en }
        );
    }
    println!(
        "{} {} {} · {} {} {}",
        out.pick("已补贴", "Used"),
        rent::calendar::months_text(t.month_units_used),
        out.pick("个月", "months"),
        out.pick("剩余", "left"),
        rent::calendar::months_text(t.month_units_left),
        out.pick("个月", "months")
    );
}

fn print_calc(r: &CalcResult, out: &Out) {
    for s in &r.steps {
        println!("  {} {}  [{}]", pad(&s.title_zh, 14), s.text_zh, s.basis.reference);
    }
    for w in &r.warnings {
        println!("  ! [{}] {}", w.code, if out.zh() { &w.message_zh } else { &w.message_en });
    }
    if r.eligible {
        println!("{} {} 元", out.pick("补贴金额：", "Amount:"), money::fmt_yuan(r.amount_fen));
    } else {
        println!("{}", out.pick("不符合条件：", "Not eligible:"));
        for x in &r.reasons {
            println!("  - [{}] {}", x.code, if out.zh() { &x.message_zh } else { &x.message_en });
        }
    }
}

pub fn run(db: &mut Db, cmd: Cmd, out: &Out) -> Result<()> {
    match cmd {
        Cmd::Calc(a) => {
            let r = if let Some(u) = &a.uscc {
                rent::calculate_for(db, u, a.from.as_deref(), a.to.as_deref())?
            } else {
                let input = CalcInput {
                    area_centi_m2: centi(a.area.as_deref().ok_or_else(|| missing("area"))?, "area")?,
                    unit_rent_fen: yuan(a.unit_rent.as_deref().ok_or_else(|| missing("unit-rent"))?, "unit_rent")?,
                    period_start: a.from.clone().ok_or_else(|| missing("from"))?,
                    period_end: a.to.clone().ok_or_else(|| missing("to"))?,
                    revenue_prev_fen: a.revenue_prev.as_deref().map(|s| yuan(s, "revenue_prev")).transpose()?,
                    revenue_curr_fen: a.revenue_curr.as_deref().map(|s| yuan(s, "revenue_curr")).transpose()?,
                    founded_on: a.founded.clone(),
                    certifications: if a.certified == Some(true) { vec!["high_tech_enterprise".into()] } else { vec![] },
                    months_before: a.months_before,
                    subsidy_year: a.year,
                    requested_fen: a.requested.as_deref().map(|s| yuan(s, "requested")).transpose()?,
                    ..Default::default()
                };
                rent::calculate(db, &input)?
            };
            out.emit(&r, |r| print_calc(r, out));
        }
        Cmd::Applications { cmd: Some(AppCmd::Add(a)), .. } => add_application(db, a, out)?,
        Cmd::Applications { cmd, open } => {
            let open = open || matches!(cmd, Some(AppCmd::List { open: true }));
            let v = rent::applications(db, open)?;
            out.emit(&v, |v| {
                for a in v {
                    println!(
                        "#{:<5} {} {} 第{}年 {}~{} {} {}",
                        a.id,
                        a.uscc,
                        pad(&a.enterprise_name, 36),
                        a.subsidy_year,
                        a.period_start,
                        a.period_end,
                        a.requested_fen.map(money::fmt_yuan).unwrap_or_default(),
                        a.grant_id.map(|g| format!("→ #{g}")).unwrap_or_default()
                    );
                }
            });
        }
        Cmd::Timeline { uscc } => {
            let e = huiqi_core::enterprise::find(db, &uscc)?;
            let t = rent::timeline(db, e.id)?;
            out.emit(&t, |t| print_timeline(t, out));
        }
        Cmd::Rules => {
            let v = rent::rule_versions(db)?;
            out.emit(&v, |v| {
                for r in v {
                    println!("v{} {} {} {}", r.version, r.created_at, r.created_by, r.note);
                    println!("   {}", serde_json::to_string(&r.rules).unwrap_or_default());
                }
            });
        }
        Cmd::Grants(g) => grants(db, g, out)?,
    }
    Ok(())
}

fn grants(db: &mut Db, cmd: GrantCmd, out: &Out) -> Result<()> {
    let line = |g: &rent::Grant| {
        println!(
            "#{:<5} {} {} 第{}年 {} {} {} {}",
            g.id,
            g.uscc,
            pad(&g.enterprise_name, 34),
            g.subsidy_year,
            pad(g.status.label_zh(), 6),
            money::fmt_yuan(g.computed_fen),
            g.approved_fen.map(|a| format!("{} {}", out.pick("批", "approved"), money::fmt_yuan(a))).unwrap_or_default(),
            if g.paid_fen > 0 { format!("{} {}", out.pick("拨", "paid"), money::fmt_yuan(g.paid_fen)) } else { String::new() }
        )
    };
    match cmd {
        GrantCmd::List { status } => {
            let st = match status.as_deref() {
                None => None,
                Some(s) => {
                    Some(GrantStatus::parse(s).ok_or_else(|| Error::invalid("bad_status", format!("状态“{s}”无效。"), format!("Unknown status “{s}”.")))?)
                }
            };
            let v = rent::grants(db, st)?;
            out.emit(&v, |v| v.iter().for_each(line));
        }
        GrantCmd::Show { id } => {
            let g = rent::grant(db, id)?;
            let p = rent::payments(db, id)?;
            let v = serde_json::json!({"grant": g, "payments": p});
            out.emit(&v, |_| {
                line(&g);
                print_calc(&g.explanation, out);
                for x in &p {
                    println!("  {} {} {} {}", out.pick("拨付", "paid"), x.paid_on, money::fmt_yuan(x.amount_fen), x.reference);
                }
            });
        }
        GrantCmd::Draft { application } => {
            let v = match application {
                Some(a) => vec![rent::draft(db, a)?],
                None => rent::draft_all(db)?,
            };
            out.emit(&v, |v| {
                println!("{} {}", out.pick("已生成草稿：", "Drafts:"), v.len());
                v.iter().for_each(line);
            });
        }
        GrantCmd::Submit { id } => {
            let g = rent::submit(db, id)?;
            out.emit(&g, line);
        }
        GrantCmd::Recalc { id } => {
            let g = rent::recalculate(db, id)?;
            out.emit(&g, |g| {
                line(g);
                print_calc(&g.explanation, out);
            });
        }
        GrantCmd::Approve { ids, all_drafts, amount, reason, over_budget } => {
            let ids: Vec<i64> = if all_drafts {
                rent::grants(db, Some(GrantStatus::Draft))?.into_iter().filter(|g| g.explanation.eligible).map(|g| g.id).collect()
            } else {
                ids
            };
            if ids.is_empty() {
                return Err(Error::invalid("missing_required", "请给出要批准的补贴编号，或使用 --all-drafts。", "Give grant ids, or --all-drafts."));
            }
            if ids.len() == 1 {
                let amount = amount.as_deref().map(|s| yuan(s, "amount")).transpose()?;
                let g = rent::approve(db, ids[0], amount, reason.as_deref(), over_budget)?;
                out.emit(&g, line);
            } else {
                let r = rent::approve_many(db, &ids, over_budget)?;
                out.emit(&r, |r| {
                    println!("{} {} · {} {} 元", out.pick("已批准", "Approved"), r.approved, out.pick("合计", "total"), money::fmt_yuan(r.total_fen))
                });
            }
        }
        GrantCmd::Reject { id, reason } => {
            let g = rent::reject(db, id, &reason)?;
            out.emit(&g, line);
        }
        GrantCmd::Pay { id, amount, date, reference } => {
            let d = date.unwrap_or_else(|| huiqi_core::cert::today().to_string());
            let g = rent::pay(db, id, yuan(&amount, "amount")?, &d, &reference)?;
            out.emit(&g, line);
        }
        GrantCmd::Revoke { id, reason } => {
            let g = rent::revoke(db, id, &reason)?;
            out.emit(&g, line);
        }
    }
    Ok(())
}
