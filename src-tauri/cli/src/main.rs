//! `huiqi`: every job of Huiqi Ledger, headless. A thin shell over huiqi-core: it parses arguments,
//! opens the database, calls core, prints text or `--format json`.
//! Exit codes: 0 done · 1 input or operation refused · 2 usage · 3 database problem.

mod backup;
mod bench;
mod cert;
mod enterprise;
mod import;
mod notice;
mod out;
mod policy;
mod rent;
mod system;

use std::path::PathBuf;
use std::time::Duration;

/// mimalloc (its 2.x line) instead of the C library's allocator: an import allocates each row's
/// text on its reading thread and frees it on its writing thread, which glibc serialises on an
/// arena lock. Measured on 100,000 rows: commit 2.62 -> 2.43 s (xlsx), 2.84 -> 2.45 s (GBK csv),
/// peak memory lower or equal (mimalloc 3.x was as fast but kept up to 45 MB more).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use huiqi_core::store::{self, Db, Mode, OpenOptions};
use huiqi_core::{Lang, Result};

use crate::out::{Format, Out};

#[derive(Parser, Debug)]
#[command(name = "huiqi", version, about = "惠企台账 Huiqi Ledger — command line", disable_help_subcommand = true)]
struct Cli {
    /// Database file (default: $HUIQI_DB, else the app's data folder).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// zh or en (default: from $HUIQI_LANG, else Chinese).
    #[arg(long, global = true)]
    lang: Option<String>,
    /// Seconds to wait for the writer lock when the app or another command holds it.
    #[arg(long, global = true, default_value_t = 3)]
    wait: u64,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Create or migrate the database; --demo loads the demo data set.
    Init {
        #[arg(long)]
        demo: bool,
    },
    /// quick_check, integrity_check, foreign_key_check and the audit chain.
    Check,
    /// Program and schema versions.
    Version,
    /// The enterprise registry.
    #[command(subcommand)]
    Enterprise(enterprise::Cmd),
    /// Import a park's spreadsheet (or list / show / undo import batches).
    Import(import::ImportArgs),
    /// The policy catalog: clauses and their versions.
    #[command(subcommand)]
    Policy(policy::Cmd),
    /// Support programs and their yearly budgets.
    #[command(subcommand)]
    Program(policy::ProgramCmd),
    /// The rent subsidy: calculator, applications, grants, rules.
    #[command(subcommand)]
    Rent(rent::Cmd),
    /// Certifications and their reminders.
    #[command(subcommand)]
    Cert(cert::Cmd),
    /// Rewards for certifications (免申即享 scan, confirm, approve, pay).
    #[command(subcommand)]
    Reward(cert::RewardCmd),
    /// Official notices: preview, issue, batch, reprint, void, correct, verify, list, register, templates.
    #[command(subcommand)]
    Notice(notice::Cmd),
    /// Backups: create, list, restore, prune, recover from a damaged database; the second folder.
    #[command(subcommand)]
    Backup(backup::Cmd),
    /// Benchmarks (measured figures, not tests).
    #[command(subcommand)]
    Bench(bench::Cmd),
}

fn main() {
    // `huiqi … | head` closes the pipe early: end quietly, as Unix tools do, instead of panicking.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let lang = cli.lang.clone().or_else(|| std::env::var("HUIQI_LANG").ok()).map(|l| Lang::parse(&l)).unwrap_or(Lang::Zh);
    let out = Out { format: cli.format, lang };
    let code = match run(cli, &out) {
        Ok(code) => code,
        Err(e) => out.fail(&e),
    };
    exit(code)
}

/// End the process once stdout and stderr are flushed (the database was closed when `run`
/// returned), without the C library's exit handlers: the allocator's walks every heap to free
/// what the process is about to give back whole (~20 ms after a large import).
fn exit(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    unsafe {
        libc::_exit(code)
    }
    #[cfg(not(unix))]
    std::process::exit(code)
}

fn run(cli: Cli, out: &Out) -> Result<i32> {
    let path = cli.db.clone().unwrap_or_else(store::default_db_path);
    let write_opts = OpenOptions { mode: Mode::Write, lock_wait: Duration::from_secs(cli.wait), backup_before_migrate: true };
    match cli.cmd {
        Cmd::Init { demo } => system::init(&path, write_opts, demo, out).map(|_| 0),
        Cmd::Check => system::check(&path, out).map(|ok| if ok { 0 } else { 3 }),
        Cmd::Version => {
            system::version(out);
            Ok(0)
        }
        Cmd::Enterprise(cmd) => {
            let mut db = open(&path, enterprise::is_write(&cmd), write_opts)?;
            enterprise::run(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Bench(cmd) => bench::run(cmd, out).map(|_| 0),
        Cmd::Backup(cmd) => {
            let mut db = backup::open_for(&path, &backup::needs(&cmd), write_opts, open)?;
            backup::run(&path, db.as_mut(), cmd, out)
        }
        Cmd::Cert(cmd) => {
            let mut db = open(&path, cert::is_write(&cmd), write_opts)?;
            cert::run(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Reward(cmd) => {
            let mut db = open(&path, cert::is_write_reward(&cmd), write_opts)?;
            cert::run_reward(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Notice(cmd) => {
            let mut db = open(&path, notice::is_write(&cmd), write_opts)?;
            notice::run(&mut db, cmd, out)
        }
        Cmd::Policy(cmd) => {
            let mut db = open(&path, policy::is_write(&cmd), write_opts)?;
            policy::run(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Program(cmd) => {
            let mut db = open(&path, policy::is_write_program(&cmd), write_opts)?;
            policy::run_program(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Rent(cmd) => {
            let mut db = open(&path, rent::is_write(&cmd), write_opts)?;
            rent::run(&mut db, cmd, out).map(|_| 0)
        }
        Cmd::Import(args) => {
            let mut db = open(&path, import::is_write(&args), write_opts)?;
            import::run(&mut db, args, out).map(|_| 0)
        }
    }
}

/// A read-only open refused because only a writer can put the file right (migrate it, or roll
/// back a write that was cut off).
pub(crate) fn needs_writer(e: &huiqi_core::Error) -> bool {
    matches!(e.code(), "database_needs_migration" | "database_needs_recovery")
}

/// Writers take the lock (waiting `--wait` seconds). Readers use it when free and fall back to a
/// read-only connection while the app holds it.
fn open(path: &std::path::Path, write: bool, opts: OpenOptions) -> Result<Db> {
    if !path.exists() {
        return Err(huiqi_core::Error::refused(
            "database_missing",
            format!("数据库 {} 不存在。请先运行 huiqi init。", path.display()),
            format!("No database at {}. Run `huiqi init` first.", path.display()),
        ));
    }
    if write {
        return Db::open(path, opts);
    }
    // Readers open read-only (fast, and fine while the app holds the writer lock); a database
    // that needs migrating, or recovering from a write cut off, is opened as a writer once.
    match Db::open(path, OpenOptions { mode: Mode::Read, ..opts }) {
        Err(e) if needs_writer(&e) => Db::open(path, OpenOptions { lock_wait: Duration::ZERO, ..opts }),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
