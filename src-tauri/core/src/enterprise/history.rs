//! An enterprise's history and undo: the journal's events as field changes, and compensating\n//! events that put a record back (merges included).

use super::*;

pub(super) const HIDDEN_FIELDS: &[&str] = &["id", "updated_at", "created_at", "revision", "park_id"];

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

/// A field's name as the registry labels it, in Chinese or English.
fn field_label(f: &str, zh: bool) -> &'static str {
    match (f, zh) {
        ("status", true) => "状态",
        ("status", false) => "status",
        ("notes", true) => "备注",
        ("notes", false) => "notes",
        _ => match crate::model::import::Kind::Enterprises.field(f) {
            Some(d) if zh => d.label_zh,
            Some(d) => d.label_en,
            None if zh => "其他",
            None => "other",
        },
    }
}

/// Field names as the registry labels them, joined with 、.
pub fn labels_zh(fields: &[&str]) -> String {
    fields.iter().map(|f| field_label(f, true)).collect::<Vec<_>>().join("、")
}

/// The hand change Ctrl+Z would undo: the newest enterprise change made by hand (the form, the
/// CLI, a merge, a redo) that is not undone yet. Never an import batch's change (a batch undoes
/// as a whole), the demo data set's, or a compensation.
fn undo_target(db: &Db) -> Result<Option<audit::AuditEvent>> {
    for ev in audit::last_hand_events(db.conn(), "enterprise", DEMO_ACTOR, 50)? {
        if is_hand_change(db, &ev)? {
            return Ok(Some(ev));
        }
    }
    Ok(None)
}

/// Not the demo data set's: its actor, or (a ledger loaded before the demo wrote its actor) one of
/// many enterprises created in one transaction, which no form or command does.
fn is_hand_change(db: &Db, ev: &audit::AuditEvent) -> Result<bool> {
    Ok(ev.actor != DEMO_ACTOR && !(ev.action == "create" && audit::creates_in_transaction(db.conn(), "enterprise", &ev.at)? > 1))
}

/// The refusal when no change made by hand is left to undo.
pub fn nothing_to_undo() -> Error {
    Error::refused(
        "nothing_to_undo",
        "没有可以撤销的手工修改。导入的数据请在“导入记录”中按批次撤销；演示数据不能撤销。",
        "There is no change made by hand to undo. Imported data is undone by batch under Import history; the demo data set cannot be undone.",
    )
}

/// What Ctrl+Z would undo, in words, before it is done: None when there is nothing.
pub fn undo_preview(db: &Db) -> Result<Option<UndoPreview>> {
    undo_target(db)?.map(|ev| preview_of(db, &ev, false)).transpose()
}

/// Undo the most recent change made by hand, by writing compensating changes and events. History
/// is never rewritten.
pub fn undo_last(db: &mut Db) -> Result<UndoResult> {
    let ev = undo_target(db)?.ok_or_else(nothing_to_undo)?;
    undo_event(db, ev)
}

/// Undo the change a preview named: refused when another change came first since.
pub fn undo_confirmed(db: &mut Db, event_id: i64) -> Result<UndoResult> {
    let ev = undo_target(db)?.ok_or_else(nothing_to_undo)?;
    if ev.id != event_id {
        return Err(stale());
    }
    undo_event(db, ev)
}

fn stale() -> Error {
    Error::refused(
        "undo_stale",
        "台账在确认期间又有了新的修改。请重新操作，以便看到这次将要撤销或重做的内容。",
        "The ledger changed meanwhile; try again to see what will be undone or redone.",
    )
}

/// A change's fields in words: "联系电话 A → B" (what the change did), values as the registry
/// shows them, in Chinese or English.
fn change_text(changes: &[FieldChange], zh: bool) -> String {
    let shown = |f: &str, v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::Null => if zh { "（空）" } else { "(empty)" }.into(),
            serde_json::Value::String(s) if s.is_empty() => if zh { "（空）" } else { "(empty)" }.into(),
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => match (b, zh) {
                (true, true) => "是",
                (false, true) => "否",
                (true, false) => "yes",
                (false, false) => "no",
            }
            .into(),
            serde_json::Value::Number(n) if f.ends_with("_fen") => {
                format!("{}{}", crate::money::fmt_yuan(n.as_i64().unwrap_or(0)), if zh { "元" } else { " yuan" })
            }
            other => other.to_string(),
        }
    };
    let sep = if zh { "；" } else { "; " };
    changes
        .iter()
        .map(|c| format!("{} {} → {}", field_label(&c.field, zh), shown(&c.field, &c.before), shown(&c.field, &c.after)))
        .collect::<Vec<_>>()
        .join(sep)
}

/// What undoing `ev` (or, `redo`, doing it again) changes, in words.
fn preview_of(db: &Db, ev: &audit::AuditEvent, redo: bool) -> Result<UndoPreview> {
    let id: i64 = ev.entity_id.parse().map_err(|_| Error::Internal("bad entity id".into()))?;
    let record = sql::get(db.conn(), id)?;
    let from_event = |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| v.get("name")).and_then(|n| n.as_str()).map(String::from);
    let name = record.as_ref().map(|e| e.name.clone()).or_else(|| from_event(&ev.after)).or_else(|| from_event(&ev.before)).unwrap_or_default();
    let (verb_zh, verb_en) = if redo { ("重做", "Redo") } else { ("撤销", "Undo") };
    let (action, changes, text_zh, text_en) = match ev.action.as_str() {
        "create" | "redo_create" => {
            let uscc = ev.after.as_ref().and_then(|v| v.get("uscc")).and_then(|u| u.as_str()).unwrap_or_default().to_string();
            let (zh, en) = if redo {
                (format!("重做：重新新增企业“{name}”（{uscc}）？"), format!("Redo: add “{name}” ({uscc}) again?"))
            } else {
                (
                    format!("撤销新增企业“{name}”（{uscc}）？这家企业将从台账中移除。"),
                    format!("Undo adding “{name}” ({uscc})? It is removed from the registry."),
                )
            };
            ("create", vec![], zh, en)
        }
        "merge" | "merged_into" => {
            let zh = format!("{verb_zh}合并（涉及“{name}”）？两家企业恢复为合并前的样子，关联记录移回原企业。");
            ("merge", vec![], zh, format!("{verb_en} the merge involving “{name}”? Both enterprises go back to how they were."))
        }
        _ => {
            let changes: Vec<FieldChange> = diff(ev.before.as_ref(), ev.after.as_ref());
            let (zh, en) = (change_text(&changes, true), change_text(&changes, false));
            ("update", changes, format!("{verb_zh}对“{name}”的修改：{zh}？"), format!("{verb_en} the change to “{name}”: {en}?"))
        }
    };
    Ok(UndoPreview { event_id: ev.id, action: action.into(), enterprise_id: id, enterprise_name: name, changes, text_zh, text_en })
}

/// The undo Ctrl+Shift+Z would redo: the newest undo of a hand change that is not redone yet,
/// with no change by hand since (a new change ends what can be redone, as in any editor).
/// Returns the undo event and the change it undid.
fn redo_target(db: &Db) -> Result<Option<(audit::AuditEvent, audit::AuditEvent)>> {
    let Some(undo) = audit::last_undo_to_redo(db.conn())? else { return Ok(None) };
    let original_id = undo.entity_id.parse::<i64>().map_err(|_| Error::Internal("bad undo event".into()))?;
    let Some(original) = audit::event(db.conn(), original_id)?.filter(|e| (e.entity == "enterprise" || e.entity == "merge") && e.batch_id.is_none()) else {
        return Ok(None);
    };
    // A change made by hand since the undo (undone since or not; redos and compensations are not
    // such changes) ends what can be redone.
    if audit::hand_change_after(db.conn(), "enterprise", DEMO_ACTOR, undo.id)? {
        return Ok(None);
    }
    Ok(Some((undo, original)))
}

/// What Ctrl+Shift+Z would redo, in words: None when there is nothing.
pub fn redo_preview(db: &Db) -> Result<Option<UndoPreview>> {
    match redo_target(db)? {
        Some((_, original)) if original.entity == "merge" => Err(cannot_redo()),
        Some((undo, original)) => Ok(Some(UndoPreview { event_id: undo.id, ..preview_of(db, &original, true)? })),
        None => Ok(None),
    }
}

/// The refusal when no undo is left to redo.
pub fn nothing_to_redo() -> Error {
    Error::refused(
        "nothing_to_redo",
        "没有可以重做的撤销。撤销之后又有新的修改时，之前的撤销不能再重做。",
        "There is no undo to redo (a change made since ends what can be redone).",
    )
}

/// Redo the most recent undo (`undo_event_id`, as its preview named it, or the newest).
pub fn redo(db: &mut Db, undo_event_id: Option<i64>) -> Result<UndoResult> {
    let (undo, original) = redo_target(db)?.ok_or_else(nothing_to_redo)?;
    if undo_event_id.is_some_and(|id| id != undo.id) {
        return Err(stale());
    }
    let id: i64 = original.entity_id.parse().map_err(|_| Error::Internal("bad entity id".into()))?;
    let mark = |tx: &mut crate::store::Tx<'_>| -> Result<()> {
        let by = tx.audit("redo", undo.id, "redo", None, Some(&json!({"undo": undo.id, "event": original.id})))?;
        sql::mark_undone(tx, undo.id, by)
    };
    match original.action.as_str() {
        "create" | "redo_create" => {
            let e: Enterprise =
                original.after.clone().map(serde_json::from_value).transpose()?.ok_or_else(|| Error::Internal("create without after".into()))?;
            if sql::get(db.conn(), id)?.is_some() {
                return Err(nothing_to_redo());
            }
            if let Some(other) = sql::get_by_uscc(db.conn(), &e.uscc)? {
                return Err(invalid(vec![uscc_taken(&other)]));
            }
            db.write(|tx| {
                sql::restore(tx, &e, "redo_create")?;
                mark(tx)
            })?;
            Ok(UndoResult {
                undone_event: undo.id,
                action: "create".into(),
                enterprise_id: id,
                summary_zh: format!("已重做：重新新增企业“{}”。", e.name),
                summary_en: format!("Redone: “{}” added again.", e.name),
            })
        }
        "update" | "redo_update" => {
            let current = sql::get(db.conn(), id)?.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })?;
            // The fields the undo put back (not those it kept), where they still hold what it put
            // back: to what the change wrote.
            let kept: Vec<String> =
                undo.after.as_ref().and_then(|a| a.get("kept")).and_then(|k| serde_json::from_value::<Vec<String>>(k.clone()).ok()).unwrap_or_default();
            let mut v = serde_json::to_value(&current)?;
            let mut redone = Vec::new();
            for c in diff(original.before.as_ref(), original.after.as_ref()) {
                if kept.contains(&c.field) || v.get(&c.field) != Some(&c.before) {
                    continue;
                }
                v[c.field.as_str()] = c.after.clone();
                redone.push(c.field);
            }
            let e: Enterprise = serde_json::from_value(v)?;
            let rec = validated_of(&e);
            if let Some(other) = sql::get_by_uscc(db.conn(), &rec.uscc)? {
                if other.id != id {
                    return Err(invalid(vec![uscc_taken(&other)]));
                }
            }
            db.write(|tx| {
                if !redone.is_empty() {
                    sql::update(tx, id, &rec, "redo_update")?;
                }
                mark(tx)
            })?;
            let fields: Vec<&str> = redone.iter().map(String::as_str).collect();
            Ok(UndoResult {
                undone_event: undo.id,
                action: "update".into(),
                enterprise_id: id,
                summary_zh: format!("已重做对“{}”的修改（{}）。", current.name, labels_zh(&fields)),
                summary_en: format!("Redid the change to “{}” ({}).", current.name, redone.join(", ")),
            })
        }
        _ => Err(cannot_redo()),
    }
}

fn cannot_redo() -> Error {
    Error::refused(
        "cannot_redo",
        "合并的撤销不能重做。如仍需合并，请在企业页面重新合并这两家企业。",
        "An undone merge cannot be redone; merge the two enterprises again.",
    )
}

pub(super) fn undo_event(db: &mut Db, ev: audit::AuditEvent) -> Result<UndoResult> {
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
        "create" | "redo_create" => {
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
        "update" | "redo_update" => {
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
pub(super) fn undo_merge(db: &mut Db, summary_event: i64) -> Result<UndoResult> {
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
