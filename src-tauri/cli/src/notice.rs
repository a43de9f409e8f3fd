use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use huiqi_core::notice::{self, Notice, NoticeKind, Target};
use huiqi_core::progress::Progress;
use huiqi_core::store::Db;
use huiqi_core::{Error, Result};
use serde::Serialize;

use crate::out::{pad, Out};

/// What the notice is about: one of --grant, --reward, --cert.
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct Subject {
    /// A rent-subsidy grant (approval notice, or rejection when the grant was rejected).
    #[arg(long)]
    grant: Option<i64>,
    /// A certification reward.
    #[arg(long)]
    reward: Option<i64>,
    /// A certification (expiry reminder letter).
    #[arg(long)]
    cert: Option<i64>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// A preview (样稿 watermark, no number); nothing is written to the register.
    Preview {
        #[command(flatten)]
        subject: Subject,
        /// Date of the notice (default today).
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Issue: take the next document number, store the PDF with its SHA-256, write a copy.
    Issue {
        #[command(flatten)]
        subject: Subject,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every approved grant and reward without a notice: --preview for one 样稿 PDF, else issue
    /// them all (one transaction) and write one combined PDF for printing.
    Batch {
        #[arg(long)]
        preview: bool,
        #[arg(long)]
        date: Option<String>,
        /// The combined PDF (default: 公文批量-DATE.pdf, or 样稿 for a preview).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write each issued notice as its own PDF into this folder.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The stored PDF of a notice (id or document number), byte for byte.
    Reprint {
        notice: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Void a notice: the number stays taken, the PDF stays stored.
    Void {
        notice: String,
        #[arg(long)]
        reason: String,
    },
    /// Correct a notice: a new notice from today's data supersedes it (the old one is voided).
    Correct {
        notice: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Is this PDF an issued notice of this register? (Or give the footer's --code.)
    Verify {
        #[arg(required_unless_present = "code")]
        file: Option<PathBuf>,
        #[arg(long)]
        code: Option<String>,
    },
    /// Issued notices, newest first.
    List {
        #[arg(long)]
        uscc: Option<String>,
        /// Number, subject or enterprise contains this.
        #[arg(long, short)]
        query: Option<String>,
    },
    /// The document-number register (发文登记): last number per prefix and year, gaps.
    Register,
    /// Templates in use, or every version of one kind.
    Templates {
        #[arg(long)]
        kind: Option<String>,
    },
    /// 公示: publish approved grants and rewards as a list before they are paid; objections; close.
    #[command(subcommand)]
    Publicity(PubCmd),
    /// Save a new version of a template (rent_approval, rent_reduction, rent_rejection, reward,
    /// reward_top_up, expiry_reminder, publicity).
    TemplateSave {
        kind: String,
        #[arg(long)]
        genre: String,
        #[arg(long)]
        title: String,
        /// A text file: one paragraph per line, placeholders in {braces}.
        #[arg(long)]
        body_file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum PubCmd {
    /// Publish a list: the approved, unpaid grants and rewards not published before (or those
    /// given), numbered from the register; writes the PDF (--out) and the list as xlsx (--xlsx).
    Create {
        /// Grant ids (comma-separated); with --reward, only these are listed.
        #[arg(long, value_delimiter = ',')]
        grant: Vec<i64>,
        #[arg(long, value_delimiter = ',')]
        reward: Vec<i64>,
        /// First day of the period (default today; a weekend moves to Monday).
        #[arg(long)]
        date: Option<String>,
        /// Working days (default: the office setting, 5).
        #[arg(long)]
        days: Option<i64>,
        /// Who takes objections (default: the office setting).
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// The lists, newest first.
    List,
    /// One list: its items, their outcome, the objections.
    Show { id: i64 },
    /// Record an objection against an item (--grant or --reward), or resolve one (--resolve ID
    /// --outcome kept|dropped|amended --reason … [--amount 元]).
    Object {
        id: i64,
        #[arg(long)]
        grant: Option<i64>,
        #[arg(long)]
        reward: Option<i64>,
        /// What the objection says.
        #[arg(long)]
        text: Option<String>,
        /// Who raised it.
        #[arg(long, default_value = "")]
        by: String,
        /// The day it was received (default today).
        #[arg(long)]
        date: Option<String>,
        /// Resolve this objection instead of recording one.
        #[arg(long)]
        resolve: Option<i64>,
        /// kept | dropped | amended
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        /// The amended amount, in 元
        #[arg(long)]
        amount: Option<String>,
    },
    /// Close a list whose period has ended (as of today): items without an open objection are
    /// cleared for payment.
    Close { id: i64 },
}

pub fn is_write(c: &Cmd) -> bool {
    matches!(c, Cmd::Issue { .. } | Cmd::Batch { preview: false, .. } | Cmd::Void { .. } | Cmd::Correct { .. } | Cmd::TemplateSave { .. })
        || matches!(c, Cmd::Publicity(p) if !matches!(p, PubCmd::List | PubCmd::Show { .. }))
}

/// What `--format json` prints for a notice written to a file.
#[derive(Serialize)]
struct Written<'a> {
    id: i64,
    doc_number: &'a str,
    kind: NoticeKind,
    subject: &'a str,
    enterprise_name: &'a str,
    uscc: &'a str,
    sha256: &'a str,
    verification: &'a str,
    status: &'a str,
    path: String,
}

fn written<'a>(n: &'a Notice, path: &Path) -> Written<'a> {
    Written {
        id: n.id,
        doc_number: &n.doc_number,
        kind: n.kind,
        subject: &n.subject,
        enterprise_name: &n.enterprise_name,
        uscc: &n.uscc,
        sha256: &n.sha256,
        verification: &n.verification,
        status: &n.status,
        path: path.display().to_string(),
    }
}

fn date(s: Option<&str>) -> Result<NaiveDate> {
    match s {
        None => Ok(huiqi_core::cert::today()),
        Some(s) => huiqi_core::import::normalize::parse_date_text(s).ok_or_else(|| {
            Error::invalid("bad_date", format!("“{s}”不是有效日期，请写成 2026-03-05。"), format!("“{s}” is not a date: use 2026-03-05."))
                .with_details(serde_json::json!({"field": "date"}))
        }),
    }
}

fn target(db: &Db, s: &Subject) -> Result<Target> {
    match (s.grant, s.reward, s.cert) {
        (Some(g), _, _) => notice::target_for_grant(db, g),
        (_, Some(r), _) => notice::target_for_reward(db, r),
        (_, _, Some(c)) => Ok(Target { kind: NoticeKind::ExpiryReminder, id: c }),
        _ => Err(Error::invalid("usage", "请指定 --grant、--reward 或 --cert。", "Give --grant, --reward or --cert.")),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Write beside, then rename: a reader never sees half a PDF, and a failed write (a full disk)
    // leaves nothing behind.
    let tmp = path.with_extension("pdf.part");
    let done = std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e)).and_then(|_| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// The notices are issued (numbers taken, PDFs stored); only the copy on disk failed: say so, and
/// how to get the file once there is room.
fn issued_but_not_written(e: Error, count: u64, numbers: &[&str], path: &Path, lang: huiqi_core::Lang) -> Error {
    let why = e.message(lang);
    let first = numbers.first().copied().unwrap_or_default();
    Error::refused(
        e.code(),
        format!("已发文 {count} 份（编号已取，PDF 已存档），但合并打印文件“{}”未能写入：{why}。腾出空间或换一个位置后，用“huiqi notice reprint {first}”等逐份重印，或在应用的公文登记簿中打印。", path.display()),
        format!("{count} notices were issued (numbers taken, PDFs stored), but the combined PDF “{}” could not be written: {why}. Once there is room, reprint them (`huiqi notice reprint {first}` …) or print from the register in the app.", path.display()),
    )
    .with_details(serde_json::json!({"issued": numbers}))
}

fn kind_arg(s: &str) -> Result<NoticeKind> {
    NoticeKind::parse(s)
        .ok_or_else(|| Error::invalid("bad_kind", format!("公文类别“{s}”无效：可用 {}。", kinds()), format!("Unknown kind “{s}”: {}.", kinds())))
}

fn kinds() -> String {
    NoticeKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join("、")
}

fn publicity(db: &mut Db, cmd: PubCmd, out: &Out) -> Result<()> {
    use huiqi_core::notice::publicity::{self as p, ObjectionStatus, Publicity};
    let show = |x: &Publicity| {
        println!(
            "#{} {} {}  {} {} {} {} · {}",
            x.id,
            x.doc_number.clone().unwrap_or_default(),
            x.subject,
            x.starts_on,
            out.pick("至", "to"),
            x.ends_on,
            if x.status == "open" { out.pick("公示中", "running") } else { out.pick("已结束", "closed") },
            x.items.len()
        );
        for it in &x.items {
            println!(
                "  {} {} {} {} 元 [{}]",
                it.grant_id.map(|g| format!("补贴#{g}")).or(it.reward_id.map(|r| format!("奖励#{r}"))).unwrap_or_default(),
                pad(&it.enterprise_name, 34),
                pad(&it.program_name_zh, 28),
                huiqi_core::money::fmt_yuan(it.amount_fen),
                if out.zh() { it.outcome.label_zh() } else { it.outcome.as_str() }
            );
            for o in &it.objections {
                println!(
                    "      {} #{} {} {}：{} [{}]",
                    out.pick("异议", "objection"),
                    o.id,
                    o.received_on,
                    o.objector,
                    o.text,
                    if out.zh() { o.status.label_zh() } else { o.status.as_str() }
                );
            }
        }
    };
    match cmd {
        PubCmd::Create { grant, reward, date: d, days, contact, out: path, xlsx } => {
            let today = huiqi_core::cert::today();
            let input = p::PublicityInput { grants: grant, rewards: reward, starts_on: d, days, contact };
            let (x, pdf) = p::create(db, &input, today)?;
            let path = path.unwrap_or_else(|| PathBuf::from(format!("{}.pdf", huiqi_core::text::safe_file_name(&x.subject))));
            write(&path, &pdf)?;
            if let Some(xp) = &xlsx {
                p::export_xlsx(db, x.id, xp)?;
            }
            let v = serde_json::json!({"publicity": x, "path": path.display().to_string(), "xlsx": xlsx.map(|p| p.display().to_string())});
            out.emit(&v, |_| {
                show(&x);
                println!("  → {}", path.display());
            });
        }
        PubCmd::List => {
            let v = p::list(db)?;
            out.emit(&v, |v| v.iter().for_each(show));
        }
        PubCmd::Show { id } => {
            let x = p::get(db, id)?;
            out.emit(&x, show);
        }
        PubCmd::Object { id, grant, reward, text, by, date: d, resolve, outcome, reason, amount } => {
            let x = if let Some(oid) = resolve {
                let status = match outcome.as_deref() {
                    Some("kept") => ObjectionStatus::Kept,
                    Some("dropped") => ObjectionStatus::Dropped,
                    Some("amended") => ObjectionStatus::Amended,
                    _ => {
                        return Err(Error::invalid(
                            "usage",
                            "请用 --outcome 指定处理结果：kept（维持）、dropped（取消支持）或 amended（调整金额）。",
                            "Give --outcome kept, dropped or amended.",
                        ))
                    }
                };
                let amount = amount.as_deref().map(|a| crate::rent::yuan(a, "amount")).transpose()?;
                p::resolve(db, oid, status, reason.as_deref().unwrap_or(""), amount)?
            } else {
                if grant.is_none() && reward.is_none() {
                    return Err(Error::invalid("usage", "请用 --grant 或 --reward 指定异议针对的事项。", "Give --grant or --reward."));
                }
                p::object(db, id, grant, reward, text.as_deref().unwrap_or(""), &by, date(d.as_deref())?)?
            };
            out.emit(&x, show);
        }
        PubCmd::Close { id } => {
            let x = p::close(db, id, huiqi_core::cert::today())?;
            out.emit(&x, show);
        }
    }
    Ok(())
}

/// Progress on stderr for people (nothing in JSON mode).
struct Stderr<'a>(&'a Out);
impl Progress for Stderr<'_> {
    fn report(&self, stage: &str, done: u64, total: u64) {
        if self.0.format == crate::out::Format::Text && total > 0 && done > 0 && (done == total || done.is_multiple_of(100)) {
            eprint!("\r{stage} {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    }
}

fn line(out: &Out, n: &Notice) {
    let status = if n.status == "issued" { out.pick("有效", "issued") } else { out.pick("已作废", "voided") };
    println!(
        "#{:<5} {} {} {} {} {}",
        n.id,
        pad(&n.doc_number, 22),
        pad(&n.enterprise_name, 34),
        pad(status, 8),
        n.issued_at.get(..10).unwrap_or(""),
        n.subject
    );
}

pub fn run(db: &mut Db, cmd: Cmd, out: &Out) -> Result<i32> {
    match cmd {
        Cmd::Preview { subject, date: d, out: path } => {
            let t = target(db, &subject)?;
            let (draft, pdf) = notice::preview(db, t, date(d.as_deref())?)?;
            let path = path.unwrap_or_else(|| PathBuf::from(format!("样稿 {}.pdf", draft.enterprise_name)));
            write(&path, &pdf)?;
            #[derive(Serialize)]
            struct P<'a> {
                kind: NoticeKind,
                subject: &'a str,
                enterprise_name: &'a str,
                uscc: &'a str,
                amount_fen: Option<i64>,
                template_version: i64,
                citation: &'a str,
                path: String,
            }
            let p = P {
                kind: t.kind,
                subject: &draft.subject,
                enterprise_name: &draft.enterprise_name,
                uscc: &draft.uscc,
                amount_fen: draft.amount_fen,
                template_version: draft.template_version,
                citation: &draft.clause.citation,
                path: path.display().to_string(),
            };
            out.emit(&p, |p| println!("{} {} → {}", out.pick("样稿（未编号）", "Preview (not numbered)"), p.subject, p.path));
        }
        Cmd::Issue { subject, date: d, out: path } => {
            let t = target(db, &subject)?;
            let n = notice::issue(db, t, date(d.as_deref())?)?;
            let path = path.unwrap_or_else(|| PathBuf::from(notice::file_name(&n)));
            write(&path, &notice::pdf(db, n.id)?)?;
            let w = written(&n, &path);
            out.emit(&w, |w| println!("{} {} {} → {}\n  SHA-256 {}", out.pick("已发文", "Issued"), w.doc_number, w.subject, w.path, w.sha256));
        }
        Cmd::Batch { preview, date: d, out: path, dir } => {
            let day = date(d.as_deref())?;
            let cands = notice::candidates(db, day)?;
            let ready: Vec<Target> = cands.iter().filter(|c| c.problem.is_none()).map(|c| c.target).collect();
            let blocked: Vec<_> = cands.iter().filter(|c| c.problem.is_some()).collect();
            if out.format == crate::out::Format::Text {
                for c in &blocked {
                    eprintln!("{} {}：{}", out.pick("跳过", "Skipped"), c.enterprise_name, c.problem.clone().unwrap_or_default());
                }
            }
            if ready.is_empty() {
                return Err(Error::refused("nothing_to_issue", "没有待出具公文的已批准事项。", "No approved grant or reward is waiting for a notice.")
                    .with_details(serde_json::json!({"blocked": blocked.len()})));
            }
            let progress = Stderr(out);
            if preview {
                let pdf = notice::batch_preview(db, &ready, day, &progress)?;
                let path = path.unwrap_or_else(|| PathBuf::from(format!("公文批量样稿-{day}.pdf")));
                write(&path, &pdf)?;
                out.emit(&serde_json::json!({"preview": true, "count": ready.len(), "blocked": blocked.len(), "path": path.display().to_string()}), |_| {
                    println!("{} {} {} → {}", out.pick("样稿", "Preview of"), ready.len(), out.pick("份（未编号）", "notices (not numbered)"), path.display())
                });
            } else {
                let (b, combined) = notice::batch_issue(db, &ready, day, &progress)?;
                let path = path.unwrap_or_else(|| PathBuf::from(format!("公文批量-{day}.pdf")));
                if let Err(e) = write(&path, &combined) {
                    let numbers: Vec<&str> = b.notices.iter().map(|n| n.doc_number.as_str()).collect();
                    return Err(issued_but_not_written(e, b.count as u64, &numbers, &path, out.lang));
                }
                let mut each = Vec::with_capacity(b.notices.len());
                for n in &b.notices {
                    let p = match &dir {
                        Some(d) => {
                            let p = d.join(notice::file_name(n));
                            write(&p, &notice::pdf(db, n.id)?)?;
                            p
                        }
                        None => PathBuf::new(),
                    };
                    each.push(written(n, &p));
                }
                out.emit(
                    &serde_json::json!({"preview": false, "count": b.count, "blocked": blocked.len(), "path": path.display().to_string(), "notices": each}),
                    |_| {
                        for n in &b.notices {
                            line(out, n);
                        }
                        println!("{} {} {} → {}", out.pick("已发文", "Issued"), b.count, out.pick("份，合并打印文件", "notices; combined PDF"), path.display());
                    },
                );
            }
        }
        Cmd::Reprint { notice: key, out: path } => {
            let n = notice::find(db, &key)?;
            let path = path.unwrap_or_else(|| PathBuf::from(notice::file_name(&n)));
            write(&path, &notice::pdf(db, n.id)?)?;
            let w = written(&n, &path);
            out.emit(&w, |w| println!("{} {} → {}", out.pick("已重印", "Reprinted"), w.doc_number, w.path));
        }
        Cmd::Void { notice: key, reason } => {
            let n = notice::find(db, &key)?;
            let n = notice::void(db, n.id, &reason)?;
            out.emit(&n, |n| println!("{} {}：{}", out.pick("已作废", "Voided"), n.doc_number, n.void_reason));
        }
        Cmd::Correct { notice: key, reason, date: d, out: path } => {
            let old = notice::find(db, &key)?;
            let n = notice::correct(db, old.id, &reason, date(d.as_deref())?)?;
            let path = path.unwrap_or_else(|| PathBuf::from(notice::file_name(&n)));
            write(&path, &notice::pdf(db, n.id)?)?;
            let w = written(&n, &path);
            out.emit(&w, |w| println!("{} {} {} {} → {}", out.pick("已更正", "Corrected"), old.doc_number, out.pick("由", "by"), w.doc_number, w.path));
        }
        Cmd::Verify { file, code } => {
            let v = match (&file, &code) {
                (Some(f), _) => {
                    let meta = std::fs::metadata(f).map_err(|e| Error::io(f, e))?;
                    if meta.len() > 64 * 1024 * 1024 {
                        return Err(Error::invalid("file_too_large", "文件超过 64 MB，不是本系统出具的公文。", "Over 64 MB: not a notice of this register.")
                            .with_details(serde_json::json!({"path": f.display().to_string()})));
                    }
                    notice::verify_bytes(db, &std::fs::read(f).map_err(|e| Error::io(f, e))?)?
                }
                (None, Some(c)) => notice::verify_code(db, c)?,
                _ => unreachable!("clap requires one"),
            };
            out.emit(&v, |v| println!("{}", if out.zh() { &v.message_zh } else { &v.message_en }));
            // Scripts can tell: exit 1 when not found or voided.
            return Ok(if v.found && !v.voided { 0 } else { 1 });
        }
        Cmd::List { uscc, query } => {
            let e = uscc.map(|u| huiqi_core::enterprise::find(db, &u)).transpose()?;
            let v = notice::list(db, e.map(|e| e.id), query.as_deref())?;
            out.emit(&v, |v| v.iter().for_each(|n| line(out, n)));
        }
        Cmd::Register => {
            let v = notice::register(db)?;
            out.emit(&v, |v| {
                for r in v {
                    println!(
                        "{}〔{}〕 {} {} · {} {} · {} {} · {}",
                        r.prefix,
                        r.year,
                        out.pick("已用至", "last"),
                        r.last_no,
                        out.pick("有效", "issued"),
                        r.issued,
                        out.pick("作废", "voided"),
                        r.voided,
                        if r.gaps.is_empty() { out.pick("无空号", "no gaps").to_string() } else { format!("{:?}", r.gaps) }
                    );
                }
            });
        }
        Cmd::Templates { kind } => {
            let v = match kind {
                Some(k) => notice::template_versions(db, kind_arg(&k)?)?,
                None => notice::templates(db)?,
            };
            out.emit(&v, |v| {
                for t in v {
                    println!(
                        "{} v{} {} {} {}\n{}\n",
                        t.kind.as_str(),
                        t.version,
                        t.genre,
                        if t.current { "●" } else { " " },
                        t.title.replace('\n', ""),
                        t.body
                    );
                }
            });
        }
        Cmd::TemplateSave { kind, genre, title, body_file } => {
            let body = std::fs::read_to_string(&body_file).map_err(|e| Error::io(&body_file, e))?;
            let t = notice::save_template(db, kind_arg(&kind)?, &genre, &title.replace("\\n", "\n"), &body)?;
            out.emit(&t, |t| println!("{} {} v{}", out.pick("已保存模板", "Saved template"), t.kind.as_str(), t.version));
        }
        Cmd::Publicity(p) => publicity(db, p, out)?,
    }
    Ok(0)
}
