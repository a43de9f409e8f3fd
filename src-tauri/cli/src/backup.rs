//! `huiqi backup create|list|restore|prune|recover|folder`: thin over `huiqi_core::backup`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use huiqi_core::backup::{self, BackupInfo, BackupKind};
use huiqi_core::store::{Db, OpenOptions};
use huiqi_core::{Error, Result};

use crate::out::Out;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Back up the database now (works while the app is open).
    Create {
        /// Why: manual (default), exit, periodic, import, migration, restore.
        #[arg(long, default_value = "manual")]
        kind: String,
        /// Only when something changed since the newest backup.
        #[arg(long)]
        if_changed: bool,
    },
    /// Backups, newest first: date, kind, size, record counts.
    List,
    /// Replace the database with a backup (the current database is saved first). The app must be closed.
    Restore {
        /// A backup's file name (from `huiqi backup list`) or a path to a backup file.
        backup: String,
    },
    /// Apply the retention rule: the last 24, one a day for 90 days, one a month after.
    Prune,
    /// After a failed integrity check: find the newest good backup and say what would be lost.
    /// With --apply, move the damaged file aside (*.corrupt-<time>) and restore that backup.
    Recover {
        #[arg(long)]
        apply: bool,
        /// Restore this backup instead of the newest good one (with --apply).
        #[arg(long)]
        backup: Option<String>,
    },
    /// Show or set the second backup folder (a USB drive); --clear removes it.
    Folder {
        dir: Option<PathBuf>,
        #[arg(long, conflicts_with = "dir")]
        clear: bool,
    },
}

/// How the command needs the database: none of them go through the normal open except
/// create (a reader) and folder (a writer when setting).
pub enum Needs {
    Nothing,
    Reader,
    Writer,
}

pub fn needs(cmd: &Cmd) -> Needs {
    match cmd {
        Cmd::Create { .. } => Needs::Reader,
        Cmd::Folder { dir, clear } if dir.is_some() || *clear => Needs::Writer,
        Cmd::Folder { .. } => Needs::Reader,
        _ => Needs::Nothing,
    }
}

fn size(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MB", b as f64 / 1048576.0)
    } else {
        format!("{:.0} KB", (b as f64 / 1024.0).ceil())
    }
}

fn local(utc: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(utc)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| utc.to_string())
}

fn n(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn line(out: &Out, b: &BackupInfo) -> String {
    let kind = if out.zh() { b.kind.label_zh() } else { b.kind.as_str() };
    let mut s = format!(
        "{}  {:<6} {:>9}  {} {:<6} {} {:<5} {} {:<5} {} {:<5} {} {:<5} v{}  {}",
        local(&b.created_at),
        kind,
        size(b.size_bytes),
        out.pick("企业", "enterprises"),
        n(b.counts.enterprises),
        out.pick("认定", "certs"),
        n(b.counts.certifications),
        out.pick("补贴", "grants"),
        n(b.counts.grants),
        out.pick("奖励", "rewards"),
        n(b.counts.rewards),
        out.pick("公文", "notices"),
        n(b.counts.notices),
        b.schema_version,
        b.file_name
    );
    if b.folder == backup::BackupFolder::Second {
        s.push_str(out.pick("  [第二备份位置]", "  [second folder]"));
    }
    if let Some(p) = &b.problem {
        s.push_str(&format!("  !! {p}"));
    }
    s
}

/// A file name from `list`, or a path.
fn resolve(db_path: &Path, backup: &str) -> Result<PathBuf> {
    let p = Path::new(backup);
    if p.components().count() > 1 || p.is_absolute() {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        return Err(Error::NotFound { entity: "backup", key: backup.to_string() });
    }
    backup::locate(db_path, backup)
}

pub fn run(db_path: &Path, db: Option<&mut Db>, cmd: Cmd, out: &Out) -> Result<i32> {
    match cmd {
        Cmd::Create { kind, if_changed } => {
            let kind = BackupKind::parse(&kind).ok_or_else(|| {
                Error::invalid(
                    "bad_backup_kind",
                    format!("备份类型“{kind}”无效：manual、exit、periodic、import、migration 或 restore。"),
                    format!("Unknown backup kind “{kind}”: manual, exit, periodic, import, migration or restore."),
                )
            })?;
            let db = db.expect("create opens the database");
            let r = if if_changed { backup::create_if_changed(db, kind)? } else { Some(backup::create(db, kind)?) };
            match r {
                None => out.emit(&serde_json::json!({"backup": null, "unchanged": true}), |_| {
                    println!("{}", out.pick("自上次备份以来没有变化，未新建备份。", "Nothing changed since the newest backup; none made."))
                }),
                Some(r) => out.emit(&r, |r| {
                    println!("{} {} ({}, {} ms)", out.pick("已备份：", "Backed up:"), r.backup.path, size(r.backup.size_bytes), r.millis);
                    if let Some(c) = &r.second_copy {
                        println!("  {} {c}", out.pick("第二备份位置：", "Second copy:"));
                    }
                    if let Some(e) = &r.second_copy_error {
                        println!("  {} {e}", out.pick("第二备份位置失败：", "Second copy failed:"));
                    }
                    if r.foreign_key_violations > 0 {
                        println!("  {} {}", out.pick("警告：外键检查发现问题", "Warning: foreign-key violations"), r.foreign_key_violations);
                    }
                    if r.pruned > 0 {
                        println!("  {} {}", out.pick("按保留规则删除旧备份：", "Old backups pruned:"), r.pruned);
                    }
                }),
            }
            Ok(0)
        }
        Cmd::List => {
            let v = backup::list(db_path)?;
            out.emit(&v, |v| {
                if v.is_empty() {
                    println!("{} {}", out.pick("还没有备份。备份文件夹：", "No backups yet. Folder:"), backup::backup_dir(db_path).display());
                }
                for b in v {
                    println!("{}", line(out, b));
                }
            });
            Ok(0)
        }
        Cmd::Restore { backup: b } => {
            let p = resolve(db_path, &b)?;
            let r = backup::restore(db_path, &p)?;
            out.emit(&r, |r| {
                println!("{} {}", out.pick("已恢复备份：", "Restored:"), r.restored.file_name);
                if let Some(s) = &r.safety_backup {
                    println!("  {} {}", out.pick("恢复前的数据库已保存为：", "The database before the restore was saved as:"), s.file_name);
                }
                println!("  integrity_check {} · schema v{}", r.integrity_check, r.schema_version);
            });
            Ok(0)
        }
        Cmd::Prune => {
            let r = backup::prune(db_path)?;
            out.emit(&r, |r| {
                println!("{} {} · {} {} ({})", out.pick("保留", "kept"), r.kept, out.pick("删除", "removed"), r.removed.len(), size(r.freed_bytes));
                for n in &r.removed {
                    println!("  - {n}");
                }
            });
            Ok(0)
        }
        Cmd::Recover { apply, backup: chosen } => {
            let plan = backup::recover(db_path)?;
            if !apply {
                out.emit(&plan, |p| print_plan(out, p));
                return Ok(if plan.damaged && plan.candidate.is_none() { 3 } else { 0 });
            }
            let path = match (&chosen, &plan.candidate) {
                (Some(b), _) => resolve(db_path, b)?,
                (None, Some(c)) => PathBuf::from(&c.path),
                (None, None) => {
                    return Err(Error::refused(
                        "no_good_backup",
                        "没有找到通过完整性检查的备份，无法自动恢复。损坏的数据库没有被改动；请联系技术支持。",
                        "No backup passes the integrity check; nothing was restored and the damaged database was not touched. Contact support.",
                    ))
                }
            };
            let r = backup::restore_for_recovery(db_path, &path)?;
            out.emit(&serde_json::json!({"plan": plan, "restore": r}), |_| {
                print_plan(out, &plan);
                println!("{} {}", out.pick("已恢复备份：", "Restored:"), r.restored.file_name);
                if let Some(d) = &r.damaged_file {
                    println!("  {} {d}", out.pick("损坏的数据库已移到：", "The damaged database was moved to:"));
                }
            });
            Ok(0)
        }
        Cmd::Folder { dir, clear } => {
            let db = db.expect("folder opens the database");
            let s = if clear {
                backup::set_second_folder(db, None)?
            } else if let Some(d) = dir {
                let d = if d.is_absolute() { d } else { std::env::current_dir().map(|c| c.join(&d)).unwrap_or(d) };
                backup::set_second_folder(db, Some(&d))?
            } else {
                backup::settings(db)?
            };
            out.emit(&s, |s| {
                println!("{} {}", out.pick("备份文件夹：", "Backup folder:"), s.folder);
                println!(
                    "{} {}",
                    out.pick("第二备份位置：", "Second folder:"),
                    s.second_folder.clone().unwrap_or_else(|| out.pick("（未设置）", "(none)").into())
                );
                println!("{} {}", out.pick("上次完整检查：", "Last full check:"), s.last_full_check.as_deref().map(local).unwrap_or_else(|| "-".into()));
            });
            Ok(0)
        }
    }
}

fn print_plan(out: &Out, p: &backup::RecoveryPlan) {
    if !p.damaged {
        println!("{}", out.pick("数据库完整性检查通过，不需要修复。", "The database passes its integrity check: nothing to repair."));
        return;
    }
    println!("{} {}", out.pick("数据库已损坏：", "The database is damaged:"), p.problem.clone().unwrap_or_default());
    for r in &p.rejected {
        println!("  {} {} ({})", out.pick("跳过未通过检查的备份", "Skipped backup"), r.file_name, r.reason);
    }
    match &p.candidate {
        None => println!("{}", out.pick("没有可用的备份。", "No usable backup.")),
        Some(b) => {
            println!("{} {}", out.pick("可恢复的最新备份：", "Newest good backup:"), line(out, b));
            let l = &p.loss;
            if l.known {
                println!(
                    "{} {} {} {}",
                    out.pick("将丢失", "Would lose"),
                    l.events_after_backup.unwrap_or(0),
                    out.pick("项改动，时间晚于", "changes made after"),
                    local(l.since.as_deref().unwrap_or(""))
                );
                for c in &l.changes {
                    println!("  {} {} × {}", c.entity, c.action, c.count);
                }
            } else {
                println!(
                    "{} {}",
                    out.pick(
                        "损坏的文件无法读出备份之后的改动；将丢失此时间之后的所有改动：",
                        "The damaged file cannot tell what changed; everything after this time is lost:"
                    ),
                    local(l.since.as_deref().unwrap_or(""))
                );
            }
            println!(
                "{}",
                out.pick(
                    "运行 huiqi backup recover --apply 执行恢复（损坏的文件会保留为 *.corrupt-时间）。",
                    "Run `huiqi backup recover --apply` to restore (the damaged file is kept as *.corrupt-<time>)."
                )
            );
        }
    }
}

/// Open as the command needs: create reads (fine while the app holds the lock).
pub fn open_for(path: &Path, needs: &Needs, write_opts: OpenOptions, open: impl Fn(&Path, bool, OpenOptions) -> Result<Db>) -> Result<Option<Db>> {
    match needs {
        Needs::Nothing => Ok(None),
        Needs::Reader => open(path, false, write_opts).map(Some),
        Needs::Writer => open(path, true, write_opts).map(Some),
    }
}
