use huiqi_core::store::{Db, Mode, OpenOptions};
use huiqi_core::{system, Result};

use crate::out::Out;

pub fn init(path: &std::path::Path, opts: OpenOptions, demo: bool, out: &Out) -> Result<()> {
    let mut db = Db::open(path, opts)?;
    let report = db.report.clone();
    let loaded = if demo { Some(huiqi_core::demo::finish_first_run(&mut db, true)?.enterprise_count) } else { None };
    let status = system::status(&db)?;
    let v = serde_json::json!({
        "db": status.db_path,
        "created": report.created,
        "from_version": report.from_version,
        "schema_version": status.schema_version,
        "pre_migration_copy": report.pre_migration_copy,
        "demo_enterprises": loaded,
        "enterprises": status.enterprise_count,
    });
    out.emit(&v, |_| {
        if report.created {
            println!("{} {}", out.pick("已创建数据库", "Created database"), status.db_path);
        } else if report.from_version != status.schema_version {
            println!("{} {} → {}", out.pick("已升级数据库结构", "Migrated the schema"), report.from_version, status.schema_version);
            if let Some(c) = &report.pre_migration_copy {
                println!("  {} {c}", out.pick("升级前的副本：", "Copy taken before migrating:"));
            }
        } else {
            println!("{} {}", out.pick("数据库已是最新：", "The database is up to date:"), status.db_path);
        }
        if let Some(n) = loaded {
            println!("{} {n}", out.pick("已载入演示企业：", "Demo enterprises loaded:"));
        }
    });
    Ok(())
}

/// quick_check, integrity_check, foreign_key_check and the audit chain. Exit 3 when anything fails.
pub fn check(path: &std::path::Path, out: &Out) -> Result<bool> {
    let db = match Db::open(path, OpenOptions { mode: Mode::Read, ..Default::default() }) {
        Ok(db) => db,
        Err(e) if crate::needs_writer(&e) => Db::open(path, OpenOptions::default())?,
        Err(e) => return Err(e),
    };
    let r = db.check()?;
    out.emit(&r, |r| {
        let ok = |b: bool| if b { "ok" } else { "FAILED" };
        println!("quick_check        {}", if r.quick_check == "ok" { "ok".to_string() } else { r.quick_check.clone() });
        println!("integrity_check    {}", if r.integrity_check == "ok" { "ok".to_string() } else { r.integrity_check.clone() });
        println!("foreign_key_check  {}", ok(r.foreign_key_violations.is_empty()));
        for v in &r.foreign_key_violations {
            println!("  {v}");
        }
        match r.audit.first_broken {
            None => println!("audit chain        ok ({} {})", r.audit.events, out.pick("条事件", "events")),
            Some(id) => println!(
                "audit chain        FAILED {} #{id}: {}",
                out.pick("第一个被改动的事件", "first broken event"),
                r.audit.reason.clone().unwrap_or_default()
            ),
        }
        println!("schema_version     {}", r.schema_version);
    });
    Ok(r.ok)
}

pub fn version(out: &Out) {
    let v = serde_json::json!({
        "version": system::VERSION,
        "schema_version": huiqi_core::store::migrations::latest(),
        "sqlite": rusqlite_version(),
    });
    out.emit(&v, |v| println!("huiqi {} (schema {}, SQLite {})", v["version"].as_str().unwrap(), v["schema_version"], v["sqlite"].as_str().unwrap()));
}

fn rusqlite_version() -> String {
    huiqi_core::store::sqlite_version()
}
