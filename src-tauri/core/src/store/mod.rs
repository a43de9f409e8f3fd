//! The store: one SQLite database file, opened safely, migrated in IMMEDIATE transactions, written
//! only through [`Db::write`] so that every change appends a hash-chained audit event in the same
//! transaction. All SQL of the app lives in this module tree, one file per domain.

/// A SELECT list declared once, each column with the name its row mapper reads it by:
/// `columns!(KIND_COLS, kind_col { code = "code", name_zh = "name_zh", … });` makes the const
/// `KIND_COLS` ("code, name_zh, …") and the positions `kind_col::code` (0), `kind_col::name_zh` (1)…
/// `columns!(CERT_SQL = "SELECT ", cert_col { … }, " FROM …");` puts the list inside a statement.
macro_rules! columns {
    ($vis:vis $list:ident, $m:ident { $first:ident = $fsql:literal $(, $name:ident = $sql:literal)* $(,)? }) => {
        $vis const $list: &str = concat!($fsql $(, ", ", $sql)*);
        columns!(@mod $m; $first $(, $name)*);
    };
    ($vis:vis $list:ident = $pre:literal, $m:ident { $first:ident = $fsql:literal $(, $name:ident = $sql:literal)* $(,)? }, $post:literal) => {
        $vis const $list: &str = concat!($pre, $fsql $(, ", ", $sql)*, $post);
        columns!(@mod $m; $first $(, $name)*);
    };
    (@mod $m:ident; $($name:ident),+) => {
        #[allow(non_upper_case_globals, dead_code)]
        mod $m {
            columns!(@at 0usize; $($name),+);
        }
    };
    (@at $n:expr; $head:ident $(, $tail:ident)*) => {
        pub const $head: usize = $n;
        columns!(@at $n + 1usize; $($tail),*);
    };
    (@at $n:expr;) => {};
}

pub mod audit;
pub mod backup;
pub mod cert;
pub mod enterprise;
pub mod import;
mod lock;
pub mod migrations;
pub mod notice;
pub mod policy;
pub mod publicity;
pub mod rent;
pub mod settings;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};
pub use audit::{AuditEvent, ChainReport};
pub use lock::WriterLock;

/// The app identifier: the app-data folder name on every OS (same as tauri.conf.json `identifier`).
pub const APP_IDENTIFIER: &str = "org.huiqi.ledger";
pub const DB_FILE_NAME: &str = "huiqi.db";

/// The page cache of a connection, in KiB.
pub const CACHE_KIB: i64 = 32 * 1024;
/// The page size of a database this program creates (see `configure`).
pub const PAGE_SIZE: i64 = 16 * 1024;

/// The default database path: `<OS app-data folder>/org.huiqi.ledger/huiqi.db`, overridden by `HUIQI_DB`.
/// Same folder Tauri's `app_data_dir()` gives, so the app and the CLI agree.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("HUIQI_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    data_dir().join(APP_IDENTIFIER).join(DB_FILE_NAME)
}

fn data_dir() -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from).unwrap_or_else(home)
    } else if cfg!(target_os = "macos") {
        home().join("Library/Application Support")
    } else {
        std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()).map(PathBuf::from).unwrap_or_else(|| home().join(".local/share"))
    }
}

/// Who is writing: the configured user name, else the OS user.
pub fn os_user() -> String {
    for k in ["USER", "USERNAME", "LOGNAME"] {
        if let Ok(v) = std::env::var(k) {
            if !v.trim().is_empty() {
                return v.trim().to_string();
            }
        }
    }
    #[cfg(unix)]
    if let Some(name) = unix_user_name() {
        return name;
    }
    "unknown".into()
}

/// The login name of this process's user from /etc/passwd (when no USER variable is set).
#[cfg(unix)]
fn unix_user_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status.lines().find(|l| l.starts_with("Uid:"))?.split_whitespace().nth(1)?.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _pw = f.next()?;
        (f.next()? == uid).then(|| name.to_string())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Take the writer lock (waiting up to `lock_wait`), check, migrate.
    Write,
    /// Open read-only: no lock, no migration. Refuses a database whose schema is not current.
    Read,
}

#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub mode: Mode,
    pub lock_wait: Duration,
    /// Take a `VACUUM INTO` copy before migrating a non-empty database (on by default).
    pub backup_before_migrate: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { mode: Mode::Write, lock_wait: Duration::from_secs(0), backup_before_migrate: true }
    }
}

/// What happened while opening: shown by `huiqi init` and the app's start screen.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OpenReport {
    pub created: bool,
    pub from_version: i64,
    pub to_version: i64,
    pub pre_migration_copy: Option<String>,
}

pub struct Db {
    conn: Connection,
    path: PathBuf,
    _lock: Option<WriterLock>,
    read_only: bool,
    actor: String,
    pub report: OpenReport,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).field("read_only", &self.read_only).finish()
    }
}

impl Db {
    pub fn open(path: impl AsRef<Path>, opts: OpenOptions) -> Result<Db> {
        let path = path.as_ref().to_path_buf();
        match opts.mode {
            Mode::Write => Self::open_write(path, &opts),
            Mode::Read => Self::open_read(path),
        }
    }

    /// Open for writing with default options (no lock wait).
    pub fn open_rw(path: impl AsRef<Path>) -> Result<Db> {
        Self::open(path, OpenOptions::default())
    }

    fn open_write(path: PathBuf, opts: &OpenOptions) -> Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let lock = WriterLock::acquire(&path, opts.lock_wait).map_err(read_only_fs)?;
        let existed = path.exists() && std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false);
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| open_error(&path, e))?;
        // SQLite quietly falls back to read-only for a file it cannot write (read-only file
        // system, immutable or read-only file): say so now instead of failing at the first write.
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(Error::ReadOnly);
        }
        // Refuse a newer or damaged file before touching it (even the WAL switch writes the header).
        let v = migrations::user_version(Conn(&conn)).map_err(classify)?;
        if v > migrations::latest() {
            return Err(Error::TooNew { found: v, supported: migrations::latest() });
        }
        quick_check(Conn(&conn))?;
        configure(Conn(&conn), false).map_err(classify)?;
        let mut report = migrations::migrate(Conn(&conn), &path, opts.backup_before_migrate)?;
        report.created = !existed;
        let actor = settings::get(Conn(&conn), settings::USER_NAME)?.filter(|s| !s.trim().is_empty()).unwrap_or_else(os_user);
        let mut db = Db { conn, path, _lock: Some(lock), read_only: false, actor, report };
        // The full integrity + foreign-key check, weekly (quick_check ran above).
        if existed {
            backup::full_check_if_due(&mut db)?;
        }
        // Data a new database starts with (the policy catalog, programs, rule version 1): an
        // audited write, once.
        policy::ensure_seeded(&mut db)?;
        cert::ensure_kinds_seeded(&mut db)?;
        notice::ensure_templates_seeded(&mut db)?;
        Ok(db)
    }

    fn open_read(path: PathBuf) -> Result<Db> {
        if !path.exists() {
            return Err(Error::NotFound { entity: "database", key: path.display().to_string() });
        }
        let mut conn =
            Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(|e| open_error(&path, e))?;
        // Readers do not run quick_check: they change nothing, and a reader of a damaged file
        // fails on the damaged page. Every writer checks at open; `huiqi check` checks fully.
        if let Err(e) = configure(Conn(&conn), true) {
            // A write cut off in rollback-journal mode (`write_bulk`) left a hot journal: only a
            // writer can roll it back. Never read such a file as immutable below (that would show
            // the half-written pages).
            if needs_recovery(&e) || (backup::cannot_open(&e) && backup::has_journal_data(&path)) {
                return Err(recovery_needed(&path, e));
            }
            // A read-only folder (CD, write-protected share): SQLite cannot create the -shm a WAL
            // reader needs. When no WAL content is waiting, nobody can be writing there: read the
            // file as immutable (read-only mode) instead of failing.
            if !backup::cannot_open(&e) || backup::has_wal_data(&path) {
                return Err(classify(e));
            }
            conn = backup::open_frozen(&path)?.0;
            configure(Conn(&conn), true).map_err(classify)?;
        }
        let v = migrations::user_version(Conn(&conn)).map_err(|e| if needs_recovery(&e) { recovery_needed(&path, e) } else { classify(e) })?;
        let latest = migrations::latest();
        if v > latest {
            return Err(Error::TooNew { found: v, supported: latest });
        }
        if v < latest {
            return Err(Error::refused(
                "database_needs_migration",
                format!("数据库结构版本 {v} 较旧，需要升级到 {latest}。请先关闭惠企台账，再运行 huiqi init。"),
                format!("The database schema ({v}) is older than {latest}. Close the app and run `huiqi init` to migrate."),
            ));
        }
        let actor = settings::get(Conn(&conn), settings::USER_NAME)?.filter(|s| !s.trim().is_empty()).unwrap_or_else(os_user);
        let report = OpenReport { created: false, from_version: v, to_version: v, pre_migration_copy: None };
        Ok(Db { conn, path, _lock: None, read_only: true, actor, report })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
    pub fn actor(&self) -> &str {
        &self.actor
    }
    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }

    /// The page cache, in KiB (an import uses less: its rows are each read once).
    pub fn set_cache_kib(&self, kib: i64) -> Result<()> {
        self.conn.execute_batch(&format!("PRAGMA cache_size=-{kib}"))?;
        Ok(())
    }

    /// The handle the store's query functions read through.
    pub(crate) fn conn(&self) -> Conn<'_> {
        Conn(&self.conn)
    }

    /// THE write path. Runs `f` in one IMMEDIATE transaction; `f` records audit events through
    /// [`Tx::audit`]; commit happens only if `f` succeeds, so data and journal never diverge.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.write_in_batch(None, f)
    }

    pub fn write_in_batch<T>(&mut self, batch: Option<i64>, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        let actor = self.actor.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut t = Tx { tx, actor, batch, last: None, at: now_utc(), park_ids: Default::default() };
        let out = f(&mut t)?;
        t.tx.commit()?;
        Ok(out)
    }

    /// [`write`](Self::write) for one very large transaction (a first import of a big file into a
    /// small registry): while it runs, SQLite keeps a rollback journal instead of the WAL. Every
    /// page then goes to the database file once, instead of into the WAL and again into the file
    /// at the checkpoint (measured on a first import of 100,000 rows: 2.28 → 1.90 s). The journal
    /// is as safe: with `synchronous=FULL` a crash leaves a hot journal, which the next writer to
    /// open the file rolls back (a reader is refused with `database_needs_recovery`; the CLI then
    /// opens as a writer, as it does to migrate). Nothing changes when another process has the
    /// file open (the switch is refused at once): the transaction then runs in WAL as usual. WAL
    /// is back when this returns, whether `f` committed or not; should another process hold the
    /// file at that moment, the next writer to open it switches back.
    pub fn write_bulk<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        if !self.set_journal_mode("delete", Duration::ZERO) {
            return self.write(f);
        }
        let out = self.write(f);
        self.set_journal_mode("wal", BUSY_TIMEOUT);
        out
    }

    /// Switch the journal mode, waiting at most `wait` for other connections; true when done.
    fn set_journal_mode(&self, mode: &str, wait: Duration) -> bool {
        let waited = self.conn.busy_timeout(wait);
        let got = waited.and_then(|_| self.conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |r| r.get::<_, String>(0)));
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        matches!(got, Ok(m) if m.eq_ignore_ascii_case(mode))
    }

    /// The journal mode in force (`wal`, or `delete` during [`write_bulk`](Self::write_bulk)):
    /// what the tests of `write_bulk` and of the import look at.
    #[cfg(test)]
    pub(crate) fn journal_mode(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` + `foreign_key_check` + the audit chain: what `huiqi check` runs.
    pub fn check(&self) -> Result<CheckReport> {
        let quick = pragma_lines(Conn(&self.conn), "PRAGMA quick_check")?;
        let integrity = pragma_lines(Conn(&self.conn), "PRAGMA integrity_check")?;
        let mut fk = Vec::new();
        {
            let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let table: String = r.get(0)?;
                let rowid: Option<i64> = r.get(1)?;
                let parent: String = r.get(2)?;
                fk.push(format!("{table} row {} → {parent}", rowid.map(|v| v.to_string()).unwrap_or_default()));
            }
        }
        let chain = audit::verify_chain(Conn(&self.conn))?;
        let ok = quick == ["ok"] && integrity == ["ok"] && fk.is_empty() && chain.ok;
        Ok(CheckReport {
            ok,
            quick_check: quick.join("; "),
            integrity_check: integrity.join("; "),
            foreign_key_violations: fk,
            schema_version: migrations::user_version(Conn(&self.conn))?,
            audit: chain,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct CheckReport {
    pub ok: bool,
    pub quick_check: String,
    pub integrity_check: String,
    pub foreign_key_violations: Vec<String>,
    pub schema_version: i64,
    pub audit: ChainReport,
}

/// What the store's functions read through: the database of a [`Db`], or the transaction of a
/// [`Tx`] that is writing. Services get one from `db.conn()` / `tx.conn()` and hand it to the store
/// unopened; what it is inside (SQLite today) is the store's business — the seam a second backend
/// plugs into (ARCHITECTURE.md). `tests/architecture.rs` checks that no code outside `store/`
/// runs SQL through it.
#[derive(Clone, Copy)]
pub struct Conn<'a>(pub(in crate::store) &'a Connection);

/// A database file the store opened apart from the app's [`Db`] (a backup, a file to recover):
/// read through [`Handle::conn`].
pub struct Handle(pub(in crate::store) Connection);

impl Handle {
    pub fn conn(&self) -> Conn<'_> {
        Conn(&self.0)
    }
}

impl<'a> Conn<'a> {
    /// A handle on a connection a test or a tool opened itself (to read a file beside the app).
    pub fn over(c: &'a Connection) -> Conn<'a> {
        Conn(c)
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.0
    }
}

/// A write transaction. Store functions take `&mut Tx` and call [`Tx::audit`] for every change.
pub struct Tx<'a> {
    pub(crate) tx: rusqlite::Transaction<'a>,
    actor: String,
    batch: Option<i64>,
    last: Option<(i64, String)>,
    at: String,
    /// Park ids by name, looked up or created in this transaction (parks are never renamed or
    /// deleted; an import names the same few parks on every row).
    park_ids: std::collections::HashMap<String, i64>,
}

impl Tx<'_> {
    /// Who the journal names for the rest of this transaction (the demo data set's loader).
    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_string();
    }

    /// The handle the store's query functions read through, inside this transaction.
    pub(crate) fn conn(&self) -> Conn<'_> {
        Conn(&self.tx)
    }
    /// The SQLite connection of this transaction, for the store's own statements.
    pub(in crate::store) fn sql(&self) -> &Connection {
        &self.tx
    }
    pub fn actor(&self) -> &str {
        &self.actor
    }
    pub fn batch(&self) -> Option<i64> {
        self.batch
    }
    pub fn set_batch(&mut self, batch: Option<i64>) {
        self.batch = batch;
    }
    /// Timestamp shared by every event of this transaction (UTC, RFC 3339).
    pub fn at(&self) -> &str {
        &self.at
    }
    /// Append one audit event whose before/after are already JSON text (hot paths: imports).
    pub fn audit_json(&mut self, entity: &str, entity_id: impl ToString, action: &str, before: Option<&str>, after: Option<&str>) -> Result<i64> {
        let (id, hash) = audit::append_raw(self, entity, &entity_id.to_string(), action, before, after)?;
        self.last = Some((id, hash));
        Ok(id)
    }
    /// Append one audit event (hash-chained) in this transaction.
    pub fn audit(
        &mut self,
        entity: &str,
        entity_id: impl ToString,
        action: &str,
        before: Option<&serde_json::Value>,
        after: Option<&serde_json::Value>,
    ) -> Result<i64> {
        let (id, hash) = audit::append(self, entity, &entity_id.to_string(), action, before, after)?;
        self.last = Some((id, hash));
        Ok(id)
    }
    pub(crate) fn last_event_cached(&self) -> Option<(i64, &str)> {
        self.last.as_ref().map(|(i, h)| (*i, h.as_str()))
    }
}

pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// How long a statement waits for another connection's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn configure(conn: Conn<'_>, read_only: bool) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every statement of the store is prepared once and reused (imports run each per row).
    conn.set_prepared_statement_cache_capacity(256);
    // Query-planner stability: a plan does not depend on the values bound. Without it SQLite marks
    // most `col = ?` statements "re-prepare when rebound", and the statement cache clears the
    // bindings of every statement it takes back: each reuse was parsed and planned again (measured:
    // 100,000 lookups by USCC in an import, 99,999 re-preparations, 38 µs each instead of 10). The
    // store has no statistics tables and no prefix LIKE, so no plan is lost.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    if !read_only {
        // 16 KB pages for a new database (SQLite fixes the size when it writes the first page; an
        // existing database keeps its own). Measured on a first import of 100,000 enterprises:
        // 4 KB 3.45 s, 8 KB 3.2 s, 16 KB 3.05 s, 32 KB 3.0 s, and a 10 % smaller file (fewer,
        // fuller pages: fewer B-tree splits and WAL frames); search a little faster (`huiqi bench
        // search`: p50 1.52 -> 1.36 ms, p95 9.5 -> 7.4 ms).
        conn.execute_batch(&format!("PRAGMA page_size={PAGE_SIZE}"))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Internal(format!("journal_mode is {mode}, WAL expected")));
        }
    }
    // A 32 MB page cache: the registry's tables and search index of 100,000 enterprises stay in
    // memory between searches. (An import lowers it while it runs: `import::run`.)
    conn.execute_batch(&format!("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-{CACHE_KIB}; PRAGMA temp_store=MEMORY;"))?;
    Ok(())
}

/// The check every writer runs at open: `quick_check` of every B-tree (the schema, each table
/// and its indexes, the search index's shadow tables), one table at a time. Not the whole-file
/// `PRAGMA quick_check`: since SQLite 3.44 that also runs FTS5's own consistency check of the
/// search index, which re-reads every entry (at 100,000 enterprises it made each open of the
/// ledger 0.4–0.7 s slower). What is left out — that check of a derived index, and the pages no
/// table uses — is in the weekly full check (`integrity_check`, `backup::full_check_if_due`) and
/// in `huiqi check`.
fn quick_check(conn: Conn<'_>) -> Result<()> {
    let tables: Vec<String> = {
        let mut st =
            conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'").map_err(|e| classify(e.into()))?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(|e| classify(e.into()))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| classify(e.into()))?
    };
    let mut lines = Vec::new();
    for t in std::iter::once("sqlite_schema".to_string()).chain(tables) {
        // A PRAGMA takes no bound parameter: the name comes from the schema, quoted.
        let got = pragma_lines(conn, &format!("PRAGMA quick_check(\"{}\")", t.replace('"', "\"\""))).map_err(classify)?;
        lines.extend(got.into_iter().filter(|l| l != "ok"));
    }
    if !lines.is_empty() {
        return Err(Error::Corrupt(lines.into_iter().take(5).collect::<Vec<_>>().join("; ")));
    }
    Ok(())
}

/// The lock file cannot be created or written because the folder (or its file system) is
/// read-only or not ours: the database cannot be written, say so plainly.
fn read_only_fs(e: Error) -> Error {
    match &e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied || source.raw_os_error() == Some(30) => Error::ReadOnly,
        _ => e,
    }
}

/// SQLite's "not a database" and "malformed" become [`Error::Corrupt`].
fn classify(e: Error) -> Error {
    match e {
        Error::Sqlite(rusqlite::Error::SqliteFailure(f, m))
            if f.code == rusqlite::ErrorCode::NotADatabase || f.code == rusqlite::ErrorCode::DatabaseCorrupt =>
        {
            Error::Corrupt(m.unwrap_or_else(|| f.to_string()))
        }
        other => other,
    }
}

/// SQLite refused a read-only connection because a hot journal waits to be rolled back.
fn needs_recovery(e: &Error) -> bool {
    matches!(e, Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
}

fn recovery_needed(path: &Path, e: Error) -> Error {
    Error::refused(
        "database_needs_recovery",
        format!("上次写入数据库时被中断（例如导入时断电或强制退出），需要先恢复：请打开惠企台账，或运行 huiqi check，会自动撤回未完成的写入。（{}：{e}）", path.display()),
        format!("A write to the database was cut off (a power cut or a forced quit during an import). Open the app or run `huiqi check`: either rolls the unfinished write back. ({}: {e})", path.display()),
    )
}

fn pragma_lines(conn: Conn<'_>, sql: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            Error::Corrupt(format!("{} is not a SQLite database", path.display()))
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen || f.code == rusqlite::ErrorCode::ReadOnly => {
            Error::io(path, std::io::Error::new(std::io::ErrorKind::PermissionDenied, e.to_string()))
        }
        _ => Error::Sqlite(e),
    }
}

/// One integer from a query (tests and diagnostics).
pub fn query_one_i64(db: &Db, sql: &str) -> Result<i64> {
    Ok(db.conn().query_row(sql, [], |r| r.get(0))?)
}

/// The bundled SQLite's version.
pub fn sqlite_version() -> String {
    rusqlite::version().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_statement_is_not_prepared_again_when_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_rw(dir.path().join("q.db")).unwrap();
        let sql = "SELECT e.id FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.uscc = ?1";
        for u in ["91320114282331851X", "914403001922038216", "91110108551385082Q"] {
            let mut st = db.conn.prepare_cached(sql).unwrap();
            assert!(st.query([u]).unwrap().next().unwrap().is_none());
        }
        let st = db.conn.prepare_cached(sql).unwrap();
        assert_eq!(st.get_status(rusqlite::StatementStatus::RePrepare), 0, "reused without being parsed again");
    }

    #[test]
    fn open_sets_pragmas_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_rw(dir.path().join("a.db")).unwrap();
        let mode: String = db.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = db.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = db.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        assert_eq!(migrations::user_version(db.conn()).unwrap(), migrations::latest());
        assert!(db.report.created);
        let page: i64 = db.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        assert_eq!(page, PAGE_SIZE, "a new database gets the larger pages");
    }

    #[test]
    fn an_existing_database_keeps_its_page_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("PRAGMA page_size=4096; PRAGMA journal_mode=WAL;").unwrap();
            c.execute_batch(include_str!("migrations/0001_foundation.sql")).unwrap();
            c.execute_batch("PRAGMA user_version = 1;").unwrap();
        }
        let mut db = Db::open_rw(&p).unwrap();
        let page: i64 = db.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        assert_eq!(page, 4096);
        db.write(|tx| tx.audit("setting", "x", "update", None, Some(&serde_json::json!({"v": 1})))).unwrap();
        assert!(db.check().unwrap().ok);
    }

    #[test]
    fn second_writer_is_refused_with_holder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        let _a = Db::open_rw(&p).unwrap();
        let err = Db::open_rw(&p).unwrap_err();
        assert_eq!(err.code(), "database_locked", "{err}");
        assert!(err.message(crate::i18n::Lang::Zh).contains("另一个"));
        // a reader is still fine
        let r = Db::open(&p, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
        assert!(r.is_read_only());
    }

    #[test]
    fn read_only_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        drop(Db::open_rw(&p).unwrap());
        let mut r = Db::open(&p, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
        let e = r.write(|_| Ok(())).unwrap_err();
        assert_eq!(e.code(), "database_read_only");
    }

    /// A write cut off in rollback-journal mode (what `write_bulk` uses): the file and its hot
    /// journal as a crash leaves them. A reader is refused with `database_needs_recovery` (never
    /// shown the half-written pages); the next writer rolls the write back and returns to WAL.
    #[test]
    fn a_write_cut_off_in_rollback_journal_mode_is_rolled_back_by_the_next_writer() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("r.db");
        let before = {
            let mut db = Db::open_rw(&p).unwrap();
            db.write(|tx| tx.sql().execute_batch("INSERT INTO park (name, created_at) VALUES ('甲园区', '2026-01-01')").map_err(Into::into)).unwrap();
            query_one_i64(&db, "SELECT count(*) FROM park").unwrap()
        };
        // A big write in rollback-journal mode, its cache small enough to spill pages into the
        // file before commit; the file and journal are copied as they stand, as a crash leaves them.
        let crashed = t.path().join("crashed");
        std::fs::create_dir(&crashed).unwrap();
        {
            let c = Connection::open(&p).unwrap();
            let m: String = c.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0)).unwrap();
            assert_eq!(m, "delete");
            c.execute_batch("PRAGMA synchronous=FULL; PRAGMA cache_size=4; BEGIN IMMEDIATE;").unwrap();
            for i in 0..3000 {
                c.execute("INSERT INTO park (name, created_at) VALUES (?1, '2026-01-01')", [format!("园区{i:05}{}", "x".repeat(200))]).unwrap();
            }
            assert!(backup::has_journal_data(&p), "the journal holds the original pages");
            std::fs::copy(&p, crashed.join("r.db")).unwrap();
            std::fs::copy(t.path().join("r.db-journal"), crashed.join("r.db-journal")).unwrap();
        }
        let q = crashed.join("r.db");
        let e = Db::open(&q, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap_err();
        assert_eq!(e.code(), "database_needs_recovery", "{e}");
        assert!(e.to_string().contains("huiqi check"), "{e}");
        let db = Db::open_rw(&q).unwrap();
        assert_eq!(query_one_i64(&db, "SELECT count(*) FROM park").unwrap(), before, "the cut-off write is gone");
        assert_eq!(db.journal_mode().unwrap(), "wal");
        assert!(db.check().unwrap().ok);
        drop(db);
        assert!(!backup::has_journal_data(&q));
        let r = Db::open(&q, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
        assert_eq!(query_one_i64(&r, "SELECT count(*) FROM park").unwrap(), before);
    }

    /// `write_bulk` uses the rollback journal only when nobody else has the file open, and leaves
    /// the database in WAL whatever `f` did.
    #[test]
    fn write_bulk_returns_to_wal_and_stays_in_it_when_another_connection_reads() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("b.db");
        let mut db = Db::open_rw(&p).unwrap();
        let mode_inside = |db: &mut Db| {
            db.write_bulk(|tx| {
                tx.sql().execute_batch("INSERT INTO park (name, created_at) VALUES ('乙园区', '2026-01-01')")?;
                Ok(tx.sql().query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))?)
            })
        };
        let seen = db.write_bulk(|tx| {
            tx.sql().execute_batch("INSERT INTO park (name, created_at) VALUES ('甲园区', '2026-01-01')")?;
            Ok(backup::has_journal_data(&p))
        });
        assert!(seen.unwrap(), "the write went through a rollback journal");
        assert_eq!(db.journal_mode().unwrap(), "wal");
        // A failed write: rolled back, and WAL again.
        let e = db.write_bulk(|tx| -> Result<()> {
            tx.sql().execute_batch("INSERT INTO park (name, created_at) VALUES ('丙园区', '2026-01-01')")?;
            Err(Error::Cancelled)
        });
        assert_eq!(e.unwrap_err().code(), "cancelled");
        assert_eq!(db.journal_mode().unwrap(), "wal");
        assert_eq!(query_one_i64(&db, "SELECT count(*) FROM park WHERE name = '丙园区'").unwrap(), 0);
        // Another connection has the file open: the switch is refused at once, WAL as usual.
        let reader = Db::open(&p, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
        assert_eq!(query_one_i64(&reader, "SELECT count(*) FROM park WHERE name = '甲园区'").unwrap(), 1);
        let t0 = std::time::Instant::now();
        assert_eq!(mode_inside(&mut db).unwrap(), "wal");
        assert!(t0.elapsed() < BUSY_TIMEOUT, "no waiting for the reader");
        assert_eq!(query_one_i64(&reader, "SELECT count(*) FROM park WHERE name = '乙园区'").unwrap(), 1);
        drop(reader);
        assert_eq!(db.journal_mode().unwrap(), "wal");
    }

    #[test]
    fn garbage_file_is_reported_corrupt_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        std::fs::write(&p, b"this is not a database, just text that is long enough to have a header......").unwrap();
        let before = std::fs::read(&p).unwrap();
        let e = Db::open_rw(&p).unwrap_err();
        assert_eq!(e.code(), "database_corrupt", "{e:?}");
        assert_eq!(std::fs::read(&p).unwrap(), before);
    }
}
