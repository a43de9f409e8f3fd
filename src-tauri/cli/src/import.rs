use std::path::PathBuf;

use clap::{Args, Subcommand};
use huiqi_core::import::{self, schema::Kind, ImportOptions, RowStatus};
use huiqi_core::progress::Progress;
use huiqi_core::store::Db;
use huiqi_core::{Error, Result};

use crate::out::{Format, Out};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub cmd: Option<Sub>,
    /// The park's spreadsheet: xlsx, xls, ods or csv (UTF-8 or GBK).
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// enterprises | rent_applications | certifications (detected from the headers when absent)
    #[arg(long, value_parser = ["enterprises", "rent_applications", "certifications"])]
    pub kind: Option<String>,
    #[arg(long)]
    pub sheet: Option<String>,
    /// 1-based row number of the header (detected when absent)
    #[arg(long)]
    pub header_row: Option<u32>,
    /// The park that sent the file (read from a 填报单位 line when absent)
    #[arg(long)]
    pub park: Option<String>,
    /// Check and compare only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the rejected rows to this xlsx (with an error column) so the park can fix them.
    #[arg(long)]
    pub errors_out: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Sub {
    /// Import batches, newest first.
    Batches {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One batch with its rows.
    Show { batch: i64 },
    /// Undo a whole batch (compensating events). Later edits are listed and the undo refused
    /// unless --force.
    Undo {
        batch: i64,
        #[arg(long)]
        force: bool,
    },
}

struct Stderr(bool);
impl Progress for Stderr {
    fn report(&self, stage: &str, done: u64, _total: u64) {
        if self.0 && done > 0 && stage != "done" {
            eprint!("\r{stage} {done}…");
        }
    }
}

pub fn is_write(a: &ImportArgs) -> bool {
    match &a.cmd {
        Some(Sub::Undo { .. }) => true,
        Some(_) => false,
        None => !a.dry_run,
    }
}

pub fn run(db: &mut Db, a: ImportArgs, out: &Out) -> Result<()> {
    match a.cmd {
        Some(Sub::Batches { limit }) => {
            let v = import::batches(db, limit)?;
            out.emit(&v, |v| {
                for b in v {
                    println!(
                        "#{:<4} {}  {:<18} {:<12} {}{}",
                        b.id,
                        b.created_at.get(..16).unwrap_or(&b.created_at),
                        b.kind,
                        b.park.clone().unwrap_or_default(),
                        b.file_name,
                        if b.undone_at.is_some() { out.pick("（已撤销）", " (undone)") } else { "" }
                    );
                }
            });
            Ok(())
        }
        Some(Sub::Show { batch }) => {
            let (b, items) = import::batch(db, batch)?;
            let v = serde_json::json!({"batch": b, "items": items});
            out.emit(&v, |_| {
                println!("#{} {} {} ({})", b.id, b.file_name, b.kind, b.created_at);
                for i in &items {
                    println!("  {:>5} {} {} {}", i.row, i.uscc, i.action, i.name);
                }
            });
            Ok(())
        }
        Some(Sub::Undo { batch, force }) => {
            let r = import::undo(db, batch, force)?;
            out.emit(&r, |r| {
                println!(
                    "{} #{}: {} {}, {} {}",
                    out.pick("已撤销导入批次", "Undid batch"),
                    r.batch_id,
                    out.pick("删除", "removed"),
                    r.removed,
                    out.pick("恢复", "restored"),
                    r.restored
                );
                for k in &r.kept {
                    println!("  {k}");
                }
            });
            Ok(())
        }
        None => {
            let file = a.file.expect("clap requires FILE");
            let kind = match a.kind.as_deref() {
                None => None,
                Some(k) => Some(Kind::parse(k).ok_or_else(|| {
                    Error::invalid(
                        "bad_kind",
                        format!("导入类型“{k}”无效：enterprises、rent_applications 或 certifications。"),
                        format!("Unknown kind “{k}”: enterprises, rent_applications or certifications."),
                    )
                })?),
            };
            let opts = ImportOptions { kind, sheet: a.sheet, header_row: a.header_row, park: a.park, columns: None, edits: vec![], auto_columns: None };
            let progress = Stderr(out.format == Format::Text);
            let rep = if a.dry_run { import::analyze(db, &file, &opts, &progress)? } else { import::commit(db, &file, &opts, &progress)? };
            if let Some(p) = &a.errors_out {
                import::export_rejected(&rep, p)?;
            }
            out.emit(&rep, |r| {
                eprint!("\r");
                println!(
                    "{}  [{}] {} {} · {} {}",
                    r.file,
                    r.sheet,
                    out.pick("表头第", "header row"),
                    r.header_row,
                    r.kind.label_zh(),
                    if r.dry_run { out.pick("（试导入，未写入）", "(dry run, nothing written)") } else { "" }
                );
                let s = &r.summary;
                println!(
                    "{} {} · {} {} · {} {} · {} {} ({} {} / {} {} / {} {})",
                    out.pick("数据行", "rows"),
                    s.rows,
                    out.pick("接受", "accepted"),
                    s.accepted,
                    out.pick("拒绝", "rejected"),
                    s.rejected,
                    out.pick("跳过", "skipped"),
                    s.skipped,
                    out.pick("新增", "new"),
                    s.new,
                    out.pick("更新", "updated"),
                    s.updated,
                    out.pick("未变", "unchanged"),
                    s.unchanged
                );
                if !r.unknown_columns.is_empty() {
                    println!("{} {}", out.pick("未识别的列：", "Unknown columns:"), r.unknown_columns.join("、"));
                }
                for row in r.rows.iter().filter(|x| x.status == RowStatus::Rejected) {
                    for e in &row.errors {
                        println!("  {} {} [{}] {}", out.pick("第", "row"), row.row, e.code, if out.zh() { &e.message } else { &e.message_en });
                    }
                }
                for row in r.rows.iter().filter(|x| !x.warnings.is_empty()) {
                    for w in &row.warnings {
                        println!(
                            "  {} {} {} [{}] {}",
                            out.pick("第", "row"),
                            row.row,
                            out.pick("（提醒）", "(note)"),
                            w.code,
                            if out.zh() { &w.message } else { &w.message_en }
                        );
                    }
                }
                for d in &r.disappeared {
                    println!("  {} {} {}", out.pick("上次报送有、本次没有：", "Missing since the park's last file:"), d.uscc, d.name);
                }
                if let Some(p) = &r.previous_import {
                    println!("{} #{} ({})", out.pick("注意：这个文件以前导入过，批次", "Note: this file was imported before, batch"), p.batch_id, p.at);
                }
                if let Some(b) = r.batch_id {
                    println!("{} #{b}", out.pick("已提交为导入批次", "Committed as batch"));
                }
            });
            // The process ends next: freeing a 100,000-row report string by string takes ~20 ms
            // and gives nothing back to anyone.
            std::mem::forget(rep);
            Ok(())
        }
    }
}
