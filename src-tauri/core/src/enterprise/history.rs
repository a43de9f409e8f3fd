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

/// Field names as the registry labels them, joined with 、.
pub fn labels_zh(fields: &[&str]) -> String {
    let label = |f: &str| match f {
        "status" => "状态",
        "notes" => "备注",
        _ => crate::model::import::Kind::Enterprises.field(f).map(|d| d.label_zh).unwrap_or("其他"),
    };
    fields.iter().map(|f| label(f)).collect::<Vec<_>>().join("、")
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
