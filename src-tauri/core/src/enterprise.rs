//! The enterprise registry: parks and enterprises keyed by USCC. Validation, duplicate warnings,
//! history, undo (compensating events) and merge. Enterprises are never hard-deleted by a user.

use serde_json::json;

use crate::error::{Error, Result};
pub use crate::model::enterprise::*;
use crate::store::{audit, enterprise as sql, Db};
use crate::{text, uscc};

fn fe(field: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError { field: field.into(), code: code.into(), message_zh: zh, message_en: en }
}

/// Parse an ISO or common Chinese date into ISO form.
pub fn parse_date_input(s: &str) -> Option<chrono::NaiveDate> {
    crate::model::date::parse_date_text(s)
}

/// Validate without touching the database (the form calls this as the user types).
pub fn validate(input: &EnterpriseInput, sectors: &[String]) -> std::result::Result<Validated, Vec<FieldError>> {
    let mut errs = Vec::new();
    let u = match uscc::parse(&input.uscc) {
        Ok(u) => Some(u),
        Err(p) => {
            errs.push(fe("uscc", p.code(), p.message_zh(), p.message_en()));
            None
        }
    };
    let name = text::clean(&input.name);
    if name.is_empty() {
        errs.push(fe("name", "missing_required", "请填写企业名称。".into(), "Enter the enterprise name.".into()));
    } else if name.chars().count() > MAX_NAME {
        errs.push(fe(
            "name",
            "too_long",
            format!("企业名称过长（{}个字），最多{}个字。", name.chars().count(), MAX_NAME),
            format!("The name is too long ({} characters; at most {}).", name.chars().count(), MAX_NAME),
        ));
    }
    let founded_on = match input.founded_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match parse_date_input(s) {
            Some(d) if d > crate::model::date::today() => {
                errs.push(fe("founded_on", "out_of_range", "成立日期不能晚于今天。".into(), "The founding date cannot be in the future.".into()));
                None
            }
            Some(d) if chrono::Datelike::year(&d) < 1949 => {
                errs.push(fe("founded_on", "out_of_range", "成立日期不应早于1949年。".into(), "The founding date should not be before 1949.".into()));
                None
            }
            Some(d) => Some(d.format("%Y-%m-%d").to_string()),
            None => {
                errs.push(fe(
                    "founded_on",
                    "bad_date",
                    format!("“{s}”不是有效日期，请按 2023-05-01 的格式填写。"),
                    format!("“{s}” is not a date; use the form 2023-05-01."),
                ));
                None
            }
        },
    };
    if let Some(c) = input.registered_capital_fen {
        if c < 0 {
            errs.push(fe("registered_capital_fen", "out_of_range", "注册资本不能为负数。".into(), "Registered capital cannot be negative.".into()));
        }
    }
    let sector = input.sector.as_deref().map(text::clean).unwrap_or_default();
    if !sector.is_empty() && !sectors.is_empty() && !sectors.contains(&sector) {
        errs.push(fe(
            "sector",
            "unknown_sector",
            format!("产业领域“{sector}”不在列表中，请从列表中选择（列表可在“设置”中修改）。"),
            format!("Sector “{sector}” is not in the list; pick one (the list is edited in Settings)."),
        ));
    }
    let phone = input.contact_phone.as_deref().map(text::clean).unwrap_or_default();
    if !phone.is_empty()
        && (phone.chars().count() > 30 || !phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')' | '转' | '，' | ',' | '/')))
    {
        errs.push(fe(
            "contact_phone",
            "bad_phone",
            "联系电话只能包含数字和“-”，例如 025-83370923 或 13800000000。".into(),
            "A phone number holds digits and '-', e.g. 025-83370923.".into(),
        ));
    }
    let mut long = |field: &str, v: &str| {
        if v.chars().count() > MAX_TEXT {
            errs.push(fe(field, "too_long", format!("内容过长，最多{MAX_TEXT}个字。"), format!("Too long: at most {MAX_TEXT} characters.")));
        }
    };
    let contact_name = input.contact_name.as_deref().map(text::clean).unwrap_or_default();
    let address = input.address.as_deref().map(text::clean).unwrap_or_default();
    let notes = input.notes.as_deref().map(|s| s.replace('\0', "").trim().to_string()).unwrap_or_default();
    long("contact_name", &contact_name);
    long("address", &address);
    long("notes", &notes);
    let park = input.park.as_deref().map(text::clean).filter(|s| !s.is_empty());
    if let Some(p) = &park {
        long("park", p);
    }
    if input.status == Some(EnterpriseStatus::Merged) {
        errs.push(fe("status", "out_of_range", "“已合并”状态只能通过合并操作产生。".into(), "The merged status is set by merging only.".into()));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let u = u.expect("no errors means a valid code");
    Ok(Validated {
        uscc: u.code,
        uscc_org_code_warning: u.org_code_warning,
        name_key: text::name_key(&name),
        name,
        founded_on,
        registered_capital_fen: input.registered_capital_fen,
        park,
        sector,
        contact_name,
        contact_phone: phone,
        address,
        status: input.status.unwrap_or_default(),
        notes,
        high_tech: input.high_tech.unwrap_or(false),
    })
}

fn invalid(errs: Vec<FieldError>) -> Error {
    let first = errs.first().cloned();
    let (zh, en) = match &first {
        Some(f) => (f.message_zh.clone(), f.message_en.clone()),
        None => ("输入有误。".into(), "Invalid input.".into()),
    };
    let code: &'static str = match first.as_ref().map(|f| f.code.as_str()) {
        Some("uscc_checksum") => "uscc_checksum",
        Some("uscc_format") => "uscc_format",
        Some("missing_required") => "missing_required",
        Some("bad_date") => "bad_date",
        _ => "invalid_input",
    };
    Error::invalid(code, zh, en).with_details(json!({ "fields": errs }))
}

fn warnings_for(db_conn: crate::store::Conn<'_>, v: &Validated, self_id: Option<i64>) -> Result<Vec<Warning>> {
    let mut w = Vec::new();
    let dups: Vec<Enterprise> = sql::find_by_name_key(db_conn, &v.name_key)?.into_iter().filter(|e| Some(e.id) != self_id).collect();
    if !dups.is_empty() {
        let names: Vec<String> = dups.iter().map(|e| format!("{}（{}）", e.name, e.uscc)).collect();
        w.push(Warning {
            code: "possible_duplicate".into(),
            message_zh: format!("已有名称相同的企业：{}。如是同一家企业，请使用“合并”。", names.join("、")),
            message_en: format!("An enterprise with the same name exists: {}. If it is the same one, merge them.", names.join(", ")),
            enterprise_ids: dups.iter().map(|e| e.id).collect(),
        });
    }
    if v.uscc_org_code_warning {
        w.push(Warning {
            code: "uscc_org_code".into(),
            message_zh: "统一社会信用代码中的组织机构代码（第9–17位）校验未通过，已保存并标记，请核对营业执照。".into(),
            message_en: "The organisation code inside the USCC (characters 9–17) fails its check; saved and flagged — check the licence.".into(),
            enterprise_ids: vec![],
        });
    }
    Ok(w)
}

pub fn sectors(db: &Db) -> Result<Vec<String>> {
    sql::sectors(db.conn())
}

/// Validate and report field errors and warnings (no write).
pub fn check_input(db: &Db, input: &EnterpriseInput, id: Option<i64>) -> Result<(Vec<FieldError>, Vec<Warning>)> {
    let sectors = sql::sectors(db.conn())?;
    match validate(input, &sectors) {
        Err(errs) => Ok((errs, vec![])),
        Ok(v) => {
            let mut errs = Vec::new();
            if let Some(other) = sql::get_by_uscc(db.conn(), &v.uscc)? {
                if Some(other.id) != id {
                    errs.push(uscc_taken(&other));
                }
            }
            Ok((errs, warnings_for(db.conn(), &v, id)?))
        }
    }
}

fn uscc_taken(other: &Enterprise) -> FieldError {
    fe(
        "uscc",
        "uscc_exists",
        format!("统一社会信用代码已登记给“{}”。请打开那条记录修改，或核对代码。", other.name),
        format!("This USCC is already registered to “{}”. Open that record, or check the code.", other.name),
    )
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

const HIDDEN_FIELDS: &[&str] = &["id", "updated_at", "created_at", "revision", "park_id"];

/// Field-by-field difference of two JSON objects (before → after).
pub fn diff(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !HIDDEN_FIELDS.contains(&k.as_str()))
        .filter_map(|k| {
            let bv = b.get(k).cloned().unwrap_or(serde_json::Value::Null);
            let av = a.get(k).cloned().unwrap_or(serde_json::Value::Null);
            (bv != av).then(|| FieldChange { field: k.clone(), before: bv, after: av })
        })
        .collect()
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

/// A record with the fields of one change put back.
pub struct Reverted {
    pub record: Validated,
    /// Fields put back.
    pub reverted: Vec<&'static str>,
    /// Fields the change made that were changed again since: left as they are.
    pub kept: Vec<&'static str>,
}

/// Put back the fields change `ev` made on enterprise `current` ([`audit::Undone::revert`]: only
/// where they still hold what it wrote, to what was there before anything undone since).
pub fn revert_fields(conn: crate::store::Conn<'_>, undone: &audit::Undone, current: &Enterprise, ev: &audit::AuditEvent) -> Result<Reverted> {
    let history = audit::events_for(conn, "enterprise", &current.id.to_string())?;
    let fields: Vec<&'static str> = MERGE_FIELDS.iter().copied().chain(["status"]).collect();
    let r = undone.revert(&serde_json::to_value(current)?, ev, &history, &fields);
    let e: Enterprise = serde_json::from_value(r.record)?;
    Ok(Reverted { record: validated_of(&e), reverted: r.reverted, kept: r.kept })
}

/// Remove an enterprise an undone import made, when nothing that still counts changed it since and
/// nothing stands on it: what its batch's undo would have taken, had something not held it then.
/// True when removed.
pub(crate) fn remove_if_left_by_undone(tx: &mut crate::store::Tx<'_>, id: i64, action: &str) -> Result<bool> {
    if sql::get(tx.conn(), id)?.is_none() || sql::is_held(tx.conn(), id)? {
        return Ok(false);
    }
    let history = audit::events_for(tx.conn(), "enterprise", &id.to_string())?;
    if !audit::Undone::load(tx.conn())?.created_and_changed_only_by_undone(&history) {
        return Ok(false);
    }
    sql::remove_created(tx, id, action)?;
    Ok(true)
}

/// Field names as the registry labels them, joined with 、.
pub fn labels_zh(fields: &[&str]) -> String {
    let label = |f: &str| match f {
        "status" => "状态",
        "notes" => "备注",
        _ => crate::model::import::Kind::Enterprises.field(f).map(|d| d.label_zh).unwrap_or("其他"),
    };
    fields.iter().map(|f| label(f)).collect::<Vec<_>>().join("、")
}

/// Fields a merge can take from either side.
pub const MERGE_FIELDS: &[&str] =
    &["uscc", "name", "founded_on", "registered_capital_fen", "park", "sector", "contact_name", "contact_phone", "address", "notes", "high_tech"];

/// Merge two records of the same enterprise: pick field by field, move the loser's links to the
/// survivor, mark the loser merged. Both sides are audited; the whole merge is one transaction.
pub fn merge(db: &mut Db, plan: &MergePlan) -> Result<Enterprise> {
    if plan.survivor_id == plan.loser_id {
        return Err(Error::invalid("merge_same", "不能把一家企业与它自己合并。", "Cannot merge a record with itself."));
    }
    let s = get(db, plan.survivor_id)?;
    let l = get(db, plan.loser_id)?;
    for e in [&s, &l] {
        if e.status == EnterpriseStatus::Merged {
            return Err(Error::refused("enterprise_merged", format!("“{}”已经被合并过。", e.name), format!("“{}” was already merged.", e.name)));
        }
    }
    for k in plan.picks.keys() {
        if !MERGE_FIELDS.contains(&k.as_str()) {
            return Err(Error::invalid("unknown_field", format!("不能合并字段“{k}”。"), format!("Field “{k}” cannot be merged.")));
        }
    }
    let take = |f: &str| plan.picks.get(f).copied().unwrap_or(Pick::Survivor) == Pick::Loser;
    let mut v = validated_of(&s);
    if take("uscc") {
        v.uscc = l.uscc.clone();
        v.uscc_org_code_warning = l.uscc_org_code_warning;
    }
    if take("name") {
        v.name = l.name.clone();
        v.name_key = text::name_key(&l.name);
    }
    if take("founded_on") {
        v.founded_on = l.founded_on.clone();
    }
    if take("registered_capital_fen") {
        v.registered_capital_fen = l.registered_capital_fen;
    }
    if take("park") {
        v.park = l.park.clone();
    }
    if take("sector") {
        v.sector = l.sector.clone();
    }
    if take("contact_name") {
        v.contact_name = l.contact_name.clone();
    }
    if take("contact_phone") {
        v.contact_phone = l.contact_phone.clone();
    }
    if take("address") {
        v.address = l.address.clone();
    }
    if take("notes") {
        v.notes = l.notes.clone();
    }
    if take("high_tech") {
        v.high_tech = l.high_tech;
    }
    let (sid, lid) = (s.id, l.id);
    db.write(|tx| {
        let moved = sql::move_links(tx, lid, sid)?;
        // Taking the loser's USCC frees it on the loser first (USCC is unique).
        sql::mark_merged(tx, lid, sid, v.uscc == l.uscc)?;
        let survivor = sql::update(tx, sid, &v, "merge")?.unwrap_or_else(|| s.clone());
        let summary = json!({"survivor_id": sid, "loser_id": lid, "picks": plan.picks, "moved_links": moved});
        tx.audit("merge", format!("{sid}<-{lid}"), "merge", None, Some(&summary))?;
        Ok(survivor)
    })
}

/// Undo the most recent enterprise change that has not been undone yet, by writing compensating
/// changes and events. History is never rewritten.
pub fn undo_last(db: &mut Db) -> Result<UndoResult> {
    let candidates = audit::last_events(db.conn(), "enterprise", 200)?;
    let mut target = None;
    for ev in candidates {
        if ev.action.starts_with("undo") || ev.batch_id.is_some() {
            continue;
        }
        if sql::is_undone(db.conn(), ev.id)? {
            continue;
        }
        target = Some(ev);
        break;
    }
    let ev = target.ok_or_else(|| Error::refused("nothing_to_undo", "没有可以撤销的修改。", "There is nothing to undo."))?;
    undo_event(db, ev)
}

fn undo_event(db: &mut Db, ev: audit::AuditEvent) -> Result<UndoResult> {
    let id: i64 = ev.entity_id.parse().map_err(|_| Error::Internal("bad entity id".into()))?;
    let before: Option<Enterprise> = ev.before.clone().map(serde_json::from_value).transpose()?;
    let current = sql::get(db.conn(), id)?;
    let name = current.as_ref().or(before.as_ref()).map(|e| e.name.clone()).unwrap_or_default();
    let ev_id = ev.id;
    match ev.action.as_str() {
        "merged_into" => {
            // The loser's side of a merge: undo the merge (its summary is the next `merge` event).
            let summary = audit::next_event_of(db.conn(), "merge", ev_id)?.ok_or_else(|| Error::Internal("merge summary missing".into()))?;
            undo_merge(db, summary)
        }
        "create" => {
            // Changed since by something that still counts (an import, an edit): removing it would
            // take that with it.
            let history = audit::events_for(db.conn(), "enterprise", &id.to_string())?;
            let undone = audit::Undone::load(db.conn())?;
            if let Some(later) = history.iter().find(|e| e.id > ev_id && !e.action.starts_with("undo") && !undone.covers(e)) {
                let by = match later.batch_id {
                    Some(b) => (format!("导入批次 #{b}"), format!("import batch #{b}")),
                    None => ("之后的修改".to_string(), "a later edit".to_string()),
                };
                return Err(Error::refused(
                    "enterprise_changed_since",
                    format!("企业“{name}”新增后又被{}改过，不能直接撤销新增。请先撤销那次改动，或在企业页面把它标为注销。", by.0),
                    format!("“{name}” was changed by {} after it was added; undo that first.", by.1),
                ));
            }
            db.write(|tx| {
                sql::remove_created(tx, id, "undo_create")?;
                let by = tx.audit("undo", ev_id, "undo", None, Some(&json!({"event": ev_id})))?;
                sql::mark_undone(tx, ev_id, by)
            })?;
            Ok(UndoResult {
                undone_event: ev_id,
                action: "create".into(),
                enterprise_id: id,
                summary_zh: format!("已撤销新增企业“{name}”。"),
                summary_en: format!("Undid adding “{name}”."),
            })
        }
        "merge" => undo_merge(db, ev_id + 1),
        "update" => {
            if ev.before.is_none() {
                return Err(Error::Internal("update event without before".into()));
            }
            // Only the fields this change made, and only where they still hold what it wrote:
            // an import or an edit since keeps its values.
            let current = current.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })?;
            let r = revert_fields(db.conn(), &audit::Undone::load(db.conn())?, &current, &ev)?;
            let v = r.record;
            if let Some(other) = sql::get_by_uscc(db.conn(), &v.uscc)? {
                if other.id != id {
                    return Err(invalid(vec![uscc_taken(&other)]));
                }
            }
            let changed = !r.reverted.is_empty();
            let removed = db.write(|tx| {
                if changed {
                    sql::update(tx, id, &v, "undo_update")?;
                }
                let by = tx.audit("undo", ev_id, "undo", None, Some(&json!({"event": ev_id, "kept": r.kept})))?;
                sql::mark_undone(tx, ev_id, by)?;
                remove_if_left_by_undone(tx, id, "undo_update")
            })?;
            if removed {
                return Ok(UndoResult {
                    undone_event: ev_id,
                    action: "update".into(),
                    enterprise_id: id,
                    summary_zh: format!("已撤销对“{name}”的修改；它由已撤销的导入新增，现一并移除。"),
                    summary_en: format!("Undid the change to “{name}”; it came from an import undone before, so it is removed too."),
                });
            }
            let kept_zh = if r.kept.is_empty() { String::new() } else { format!("（{}之后又被修改，保留现值）", labels_zh(&r.kept)) };
            let kept_en = if r.kept.is_empty() { String::new() } else { format!(" ({} changed since: kept)", r.kept.join(", ")) };
            Ok(UndoResult {
                undone_event: ev_id,
                action: "update".into(),
                enterprise_id: id,
                summary_zh: format!("已撤销对“{name}”的修改{kept_zh}。"),
                summary_en: format!("Undid the change to “{name}”{kept_en}."),
            })
        }
        other => Err(Error::refused(
            "cannot_undo",
            format!("这类修改（{other}）不能直接撤销。"),
            format!("This kind of change ({other}) cannot be undone directly."),
        )),
    }
}

/// Undo a merge from its summary event (`merge`, written last): the links go back, both rows
/// are put back as they were, and both sides' events are marked undone.
fn undo_merge(db: &mut Db, summary_event: i64) -> Result<UndoResult> {
    let summary = audit::event(db.conn(), summary_event)?
        .filter(|e| e.entity == "merge")
        .and_then(|e| e.after)
        .ok_or_else(|| Error::Internal("merge summary missing".into()))?;
    let survivor_id = summary["survivor_id"].as_i64().ok_or_else(|| Error::Internal("merge summary".into()))?;
    let loser_id = summary["loser_id"].as_i64().ok_or_else(|| Error::Internal("merge summary".into()))?;
    let moved: Vec<(String, Vec<i64>)> = serde_json::from_value(summary["moved_links"].clone())?;
    // The survivor's own event, right before the summary: absent when the merge took nothing
    // from the loser (the survivor did not change).
    let survivor_event =
        audit::event(db.conn(), summary_event - 1)?.filter(|e| e.entity == "enterprise" && e.action == "merge" && e.entity_id == survivor_id.to_string());
    let surv_before: Option<Enterprise> = survivor_event.as_ref().and_then(|e| e.before.clone()).map(serde_json::from_value).transpose()?;
    let loser_event = audit::events_for(db.conn(), "enterprise", &loser_id.to_string())?
        .into_iter()
        .rev()
        .find(|e| e.action == "merged_into" && e.id < summary_event)
        .ok_or_else(|| Error::Internal("loser before".into()))?;
    let loser_before: Enterprise = loser_event.before.clone().map(serde_json::from_value).transpose()?.ok_or_else(|| Error::Internal("loser before".into()))?;
    let survivor = sql::get(db.conn(), survivor_id)?.ok_or(Error::NotFound { entity: "enterprise", key: survivor_id.to_string() })?;
    let name = surv_before.as_ref().map_or(survivor.name.clone(), |s| s.name.clone());
    // The survivor: only the fields the merge took, where they still hold what it wrote (a later
    // import or edit keeps its values).
    let survivor_back = match &survivor_event {
        Some(e) => Some(revert_fields(db.conn(), &audit::Undone::load(db.conn())?, &survivor, e)?.record),
        None => None,
    };
    // Both codes must be free again: a code the merge freed may have been taken since.
    for (id, uscc) in [(survivor_id, survivor_back.as_ref().map(|v| v.uscc.clone())), (loser_id, Some(loser_before.uscc.clone()))] {
        if let Some(other) = uscc.as_deref().map(|u| sql::get_by_uscc(db.conn(), u)).transpose()?.flatten() {
            if other.id != id && other.id != survivor_id && other.id != loser_id {
                return Err(invalid(vec![uscc_taken(&other)]));
            }
        }
    }
    db.write(|tx| {
        sql::move_links_back(tx, &moved, survivor_id, loser_id)?;
        // Free the survivor's code if it took the loser's, then put both rows back.
        if let Some(v) = &survivor_back {
            sql::update(tx, survivor_id, v, "undo_merge")?;
        }
        sql::update(tx, loser_id, &validated_of(&loser_before), "undo_merge")?;
        sql::clear_merged_into(tx, loser_id)?;
        let by = tx.audit("undo", summary_event, "undo", None, Some(&json!({"event": summary_event})))?;
        if let Some(e) = &survivor_event {
            sql::mark_undone(tx, e.id, by)?;
        }
        sql::mark_undone(tx, loser_event.id, by)?;
        // A loser an undone import made goes now, as that batch's undo would have taken it had
        // the merge not held it.
        remove_if_left_by_undone(tx, loser_id, "undo_merge")?;
        Ok(())
    })?;
    Ok(UndoResult {
        undone_event: survivor_event.as_ref().map_or(loser_event.id, |e| e.id),
        action: "merge".into(),
        enterprise_id: survivor_id,
        summary_zh: format!("已撤销对“{name}”的合并。"),
        summary_en: format!("Undid the merge into “{name}”."),
    })
}

pub fn count(db: &Db) -> Result<i64> {
    sql::count(db.conn())
}

pub fn for_each_match(db: &Db, q: &EnterpriseQuery, f: impl FnMut(Enterprise) -> Result<()>) -> Result<()> {
    sql::for_each_match(db.conn(), q, f)
}

// ---- export --------------------------------------------------------------------------------------

/// The columns of the registry export.
const ENTERPRISE_HEADERS: &[(&str, f64)] = &[
    ("统一社会信用代码", 22.0),
    ("企业名称", 36.0),
    ("成立日期", 12.0),
    ("注册资本（元）", 16.0),
    ("所属园区", 22.0),
    ("产业领域", 14.0),
    ("联系人", 10.0),
    ("联系电话", 16.0),
    ("注册地址", 36.0),
    ("状态", 8.0),
    ("高新技术企业", 12.0),
    ("备注", 30.0),
];

fn enterprise_cells(e: Enterprise) -> Vec<crate::export::Cell> {
    use crate::export::Cell;
    vec![
        Cell::Text(e.uscc),
        Cell::Text(e.name),
        Cell::Date(e.founded_on),
        Cell::Money(e.registered_capital_fen),
        Cell::Text(e.park.unwrap_or_default()),
        Cell::Text(e.sector),
        Cell::Text(e.contact_name),
        Cell::Text(e.contact_phone),
        Cell::Text(e.address),
        Cell::Text(e.status.label_zh().into()),
        Cell::Text(if e.high_tech { "是" } else { "否" }.into()),
        Cell::Text(e.notes),
    ]
}

/// Export the enterprises matching `q` to `path` (.csv → CSV, anything else → xlsx). Returns rows.
pub fn export(db: &Db, q: &EnterpriseQuery, path: &std::path::Path) -> Result<u64> {
    use crate::export::{write_csv, write_xlsx, Cell, Sheet};
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let fill = |sink: &mut dyn FnMut(Vec<Cell>) -> Result<()>| for_each_match(db, q, |e| sink(enterprise_cells(e)));
    if csv {
        let h: Vec<&str> = ENTERPRISE_HEADERS.iter().map(|h| h.0).collect();
        write_csv(path, &h, fill)
    } else {
        write_xlsx(path, &Sheet { name: "企业台账", headers: ENTERPRISE_HEADERS.to_vec() }, fill)
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use calamine::{open_workbook_auto, Data, Reader};

    #[test]
    fn xlsx_and_csv_keep_codes_as_text_and_formulas_inert() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(dir.path().join("x.db")).unwrap();
        let input = EnterpriseInput {
            uscc: "914403001922038216".into(),
            name: "=HYPERLINK(\"http://x\",\"点我\")".into(),
            founded_on: Some("2020-05-01".into()),
            registered_capital_fen: Some(123456),
            contact_phone: Some("02583370923".into()),
            notes: Some("@SUM(1)".into()),
            ..Default::default()
        };
        create(&mut db, &input).unwrap();
        let x = dir.path().join("out.xlsx");
        assert_eq!(export(&db, &EnterpriseQuery::default(), &x).unwrap(), 1);
        let mut wb = open_workbook_auto(&x).unwrap();
        let r = wb.worksheet_range("企业台账").unwrap();
        assert_eq!(r.get_value((1, 0)), Some(&Data::String("914403001922038216".into())));
        assert_eq!(r.get_value((1, 1)), Some(&Data::String("=HYPERLINK(\"http://x\",\"点我\")".into())));
        assert!(matches!(r.get_value((1, 2)), Some(Data::DateTime(_))));
        assert_eq!(r.get_value((1, 3)), Some(&Data::Float(1234.56)));
        assert_eq!(r.get_value((1, 7)), Some(&Data::String("02583370923".into())));
        let formulas = wb.worksheet_formula("企业台账").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula cells");

        let c = dir.path().join("out.csv");
        export(&db, &EnterpriseQuery::default(), &c).unwrap();
        let text = std::fs::read_to_string(&c).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("'@SUM(1)"));
        assert!(text.contains("'914403001922038216"));
        assert!(!dir.path().read_dir().unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".part-")));
    }
}
