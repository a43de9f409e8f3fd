//! The enterprise registry: parks and enterprises keyed by USCC. Validation, duplicate warnings,
//! history, undo (compensating events) and merge. Enterprises are never hard-deleted by a user.

use serde_json::json;

use crate::error::{Error, Result};
pub use crate::model::enterprise::*;
use crate::store::{audit, enterprise as sql, Db};
use crate::{text, uscc};

mod export;
mod history;
mod merge;
mod validate;
pub use export::*;
pub use history::*;
pub use merge::*;
pub use validate::*;

pub fn sectors(db: &Db) -> Result<Vec<String>> {
    sql::sectors(db.conn())
}

pub fn create(db: &mut Db, input: &EnterpriseInput) -> Result<SaveResult> {
    let sectors = sql::sectors(db.conn())?;
    let v = validate(input, &sectors).map_err(invalid)?;
    if let Some(other) = sql::get_by_uscc(db.conn(), &v.uscc)? {
        return Err(invalid(vec![uscc_taken(&other)]));
    }
    let warnings = warnings_for(db.conn(), &v, None)?;
    let e = db.write(|tx| sql::insert(tx, &v))?;
    Ok(SaveResult { enterprise: e, changed: true, warnings })
}

pub fn update(db: &mut Db, id: i64, input: &EnterpriseInput, expected_revision: Option<i64>) -> Result<SaveResult> {
    let current = sql::get(db.conn(), id)?.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })?;
    if current.status == EnterpriseStatus::Merged {
        return Err(Error::refused(
            "enterprise_merged",
            "这条记录已合并到另一家企业，不能再修改。请修改合并后的记录。",
            "This record was merged into another; edit the surviving record.",
        ));
    }
    if let Some(rev) = expected_revision {
        if rev != current.revision {
            return Err(Error::refused(
                "stale_revision",
                "这条记录已被修改过（可能在另一窗口或由导入修改）。请重新打开后再编辑。",
                "This record changed since you opened it (another window or an import). Reopen it and edit again.",
            ));
        }
    }
    let sectors = sql::sectors(db.conn())?;
    let mut input = input.clone();
    if input.status.is_none() {
        input.status = Some(current.status);
    }
    let v = validate(&input, &sectors).map_err(invalid)?;
    if let Some(other) = sql::get_by_uscc(db.conn(), &v.uscc)? {
        if other.id != id {
            return Err(invalid(vec![uscc_taken(&other)]));
        }
    }
    let warnings = warnings_for(db.conn(), &v, Some(id))?;
    let out = db.write(|tx| sql::update(tx, id, &v, "update"))?;
    Ok(match out {
        Some(e) => SaveResult { enterprise: e, changed: true, warnings },
        None => SaveResult { enterprise: current, changed: false, warnings },
    })
}

pub fn get(db: &Db, id: i64) -> Result<Enterprise> {
    sql::get(db.conn(), id)?.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })
}

/// By USCC (normalised first) or, failing that, by numeric id.
pub fn find(db: &Db, key: &str) -> Result<Enterprise> {
    let code = uscc::normalize(key);
    if let Some(e) = sql::get_by_uscc(db.conn(), &code)? {
        return Ok(e);
    }
    if let Ok(id) = key.trim().parse::<i64>() {
        if let Some(e) = sql::get(db.conn(), id)? {
            return Ok(e);
        }
    }
    Err(Error::NotFound { entity: "enterprise", key: key.to_string() })
}

pub fn detail(db: &Db, id: i64) -> Result<EnterpriseDetail> {
    let enterprise = get(db, id)?;
    let events = audit::events_for(db.conn(), "enterprise", &id.to_string())?;
    let done = audit::Undone::load(db.conn())?;
    let mut history = Vec::with_capacity(events.len());
    for ev in events.into_iter().rev() {
        // Undone by Ctrl+Z, or an import's change whose batch was undone since.
        let undone = done.events.contains(&ev.id) || (ev.action == "import" && ev.batch_id.is_some_and(|b| done.batches.contains(&b)));
        history.push(HistoryEntry {
            event_id: ev.id,
            changes: diff(ev.before.as_ref(), ev.after.as_ref()),
            at: ev.at,
            actor: ev.actor,
            action: ev.action,
            batch_id: ev.batch_id,
            undone,
        });
    }
    Ok(EnterpriseDetail { enterprise, history })
}

pub fn search(db: &Db, q: &EnterpriseQuery) -> Result<EnterprisePage> {
    let (total, rows, more) = sql::search(db.conn(), q)?;
    Ok(EnterprisePage { total, more, offset: q.offset.max(0), rows })
}

pub fn parks(db: &Db) -> Result<Vec<Park>> {
    sql::parks(db.conn())
}

pub fn save_park(db: &mut Db, p: &Park) -> Result<Park> {
    let name = text::clean(&p.name);
    if name.is_empty() {
        return Err(Error::invalid("missing_required", "请填写园区名称。", "Enter the park name."));
    }
    let p = Park {
        name,
        district: text::clean(&p.district),
        contact_name: text::clean(&p.contact_name),
        contact_phone: text::clean(&p.contact_phone),
        ..p.clone()
    };
    db.write(|tx| sql::upsert_park(tx, &p))
}

pub fn set_sectors(db: &mut Db, names: &[String]) -> Result<()> {
    let mut clean: Vec<String> = Vec::new();
    for n in names.iter().map(|n| text::clean(n)).filter(|n| !n.is_empty()) {
        if !clean.contains(&n) {
            clean.push(n);
        }
    }
    if clean.is_empty() {
        return Err(Error::invalid("missing_required", "产业领域列表不能为空。", "The sector list cannot be empty."));
    }
    db.write(|tx| sql::set_sectors(tx, &clean))
}

/// Change the status (在册 / 迁出 / 注销). Never deletes.
pub fn set_status(db: &mut Db, id: i64, status: EnterpriseStatus) -> Result<SaveResult> {
    let e = get(db, id)?;
    let input = to_input(&e);
    update(db, id, &EnterpriseInput { status: Some(status), ..input }, None)
}

pub fn to_input(e: &Enterprise) -> EnterpriseInput {
    EnterpriseInput {
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        founded_on: e.founded_on.clone(),
        registered_capital_fen: e.registered_capital_fen,
        park: e.park.clone(),
        sector: Some(e.sector.clone()),
        contact_name: Some(e.contact_name.clone()),
        contact_phone: Some(e.contact_phone.clone()),
        address: Some(e.address.clone()),
        status: Some(e.status),
        notes: Some(e.notes.clone()),
        high_tech: Some(e.high_tech),
    }
}

/// Validated form of a stored record (used by undo and merge, which restore known-good values).
pub fn validated_of(e: &Enterprise) -> Validated {
    Validated {
        uscc: e.uscc.clone(),
        uscc_org_code_warning: e.uscc_org_code_warning,
        name: e.name.clone(),
        name_key: text::name_key(&e.name),
        founded_on: e.founded_on.clone(),
        registered_capital_fen: e.registered_capital_fen,
        park: e.park.clone(),
        sector: e.sector.clone(),
        contact_name: e.contact_name.clone(),
        contact_phone: e.contact_phone.clone(),
        address: e.address.clone(),
        status: e.status,
        notes: e.notes.clone(),
        high_tech: e.high_tech,
    }
}

pub fn count(db: &Db) -> Result<i64> {
    sql::count(db.conn())
}

pub fn for_each_match(db: &Db, q: &EnterpriseQuery, f: impl FnMut(Enterprise) -> Result<()>) -> Result<()> {
    sql::for_each_match(db.conn(), q, f)
}
