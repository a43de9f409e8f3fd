//! Import batches: the history, what later records hang on a batch, and undoing one.

use super::*;

pub fn batches(db: &Db, limit: i64) -> Result<Vec<BatchInfo>> {
    isql::batches(db.conn(), limit)
}

pub fn batch(db: &Db, id: i64) -> Result<(BatchInfo, Vec<BatchItem>)> {
    let b = isql::batch(db.conn(), id)?.ok_or(Error::NotFound { entity: "import_batch", key: id.to_string() })?;
    Ok((b, isql::items(db.conn(), id)?))
}

/// Later changes (outside the batch) to what the batch wrote.
pub fn dependents(db: &Db, id: i64) -> Result<Vec<Dependent>> {
    let events = audit::events_in_batch(db.conn(), id)?;
    let last = events.last().map(|e| e.id).unwrap_or(0);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let created: std::collections::HashSet<(String, i64)> =
        events.iter().filter(|e| e.action == "create").filter_map(|e| Some((e.entity.clone(), e.entity_id.parse().ok()?))).collect();
    // Later changes that still count: not this batch's, nor what was undone since.
    let undone = audit::Undone::load(db.conn())?;
    for ev in &events {
        let Ok(eid) = ev.entity_id.parse::<i64>() else { continue };
        if !matches!(ev.entity.as_str(), "enterprise" | "rent_application" | "certification") || !seen.insert((ev.entity.clone(), eid)) {
            continue;
        }
        let later = audit::events_for(db.conn(), &ev.entity, &ev.entity_id)?
            .into_iter()
            .filter(|e| e.id > last && e.batch_id != Some(id) && !e.action.starts_with("undo") && !undone.covers(e));
        for e in later {
            let name = ev.after.as_ref().or(ev.before.as_ref()).and_then(|v| v.get("name")).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Dependent { entity: ev.entity.clone(), entity_id: eid, name, event_id: e.id, action: e.action, at: e.at, actor: e.actor });
        }
        // Records from outside the batch linked to an enterprise the batch created (a later rent
        // or certification file, a grant, a merge into it).
        if ev.entity == "enterprise" && ev.action == "create" {
            let name = ev.after.as_ref().and_then(|v| v.get("name")).and_then(|v| v.as_str()).unwrap_or("").to_string();
            for (table, rid) in esql::links_outside_batch(db.conn(), eid, id)? {
                if created.contains(&(table.to_string(), rid)) || !seen.insert((table.to_string(), rid)) {
                    continue;
                }
                let (event_id, action, at, actor) = isql::first_event(db.conn(), table, rid)?.unwrap_or((0, "create".into(), String::new(), String::new()));
                out.push(Dependent { entity: table.into(), entity_id: rid, name: format!("{name} {} #{rid}", made_label(table)), event_id, action, at, actor });
            }
        }
        // Grants, rewards and notices made from a record the batch created or changed (undoing the
        // change would pull the record from under them).
        if matches!(ev.action.as_str(), "create" | "update") {
            for (table, rid, name) in isql::made_from(db.conn(), &ev.entity, eid)? {
                if !seen.insert((table.to_string(), rid)) {
                    continue;
                }
                let (event_id, action, at, actor) = isql::first_event(db.conn(), table, rid)?.unwrap_or((0, "create".into(), String::new(), String::new()));
                out.push(Dependent { entity: table.into(), entity_id: rid, name: format!("{name} {} #{rid}", made_label(table)), event_id, action, at, actor });
            }
        }
    }
    Ok(out)
}

pub(super) fn made_label(table: &str) -> &'static str {
    match table {
        "rent_grant" => "房租补贴",
        "reward" => "认定奖励",
        "notice" => "公文",
        "rent_application" => "房租补贴申请",
        "certification" => "认定记录",
        "growth_report" => "成长数据",
        "lease" => "租赁合同",
        "enterprise" => "并入的企业",
        _ => "记录",
    }
}

/// A record the batch created that later grants, rewards or notices were made from: kept by
/// undo, with the reason. None when nothing holds it.
pub(super) fn held_by(conn: crate::store::Conn<'_>, entity: &str, id: i64) -> Result<Option<String>> {
    let made = isql::made_from(conn, entity, id)?;
    let Some((_, _, name)) = made.first() else { return Ok(None) };
    let what: Vec<String> = made.iter().map(|(t, rid, _)| format!("{} #{rid}", made_label(t))).collect();
    let record = if entity == "rent_application" { "房租补贴申请" } else { "认定记录" };
    Ok(Some(format!("{name}：{record}已用于{}，保留", what.join("、"))))
}

/// Undo a whole batch with compensating changes (newest first). When later edits depend on it,
/// nothing happens unless `force`: then created rows are removed unless something links to them,
/// and updated fields are put back only where nobody changed them since.
pub fn undo(db: &mut Db, id: i64, force: bool) -> Result<UndoReport> {
    let (b, _) = batch(db, id)?;
    if b.undone_at.is_some() {
        return Err(Error::refused(
            "batch_already_undone",
            format!("导入批次 #{id} 已于 {} 撤销。", b.undone_at.unwrap_or_default()),
            format!("Batch #{id} was already undone."),
        ));
    }
    let deps = dependents(db, id)?;
    if !deps.is_empty() && !force {
        let action_zh = |a: &str| match a {
            "create" | "draft" => "生成",
            "update" | "import" => "修改",
            "merge" => "合并",
            "delete" | "remove" => "删除",
            "approve" => "审核通过",
            _ => "变更",
        };
        let action_en = |a: &str| match a {
            "create" | "draft" => "made",
            "update" | "import" => "changed",
            "merge" => "merged",
            "delete" | "remove" => "removed",
            "approve" => "approved",
            _ => "changed",
        };
        let label = |d: &Dependent| if d.name.is_empty() { format!("{} #{}", made_label(&d.entity), d.entity_id) } else { d.name.clone() };
        let when = |d: &Dependent| d.at.get(..16).unwrap_or(&d.at).replace('T', " ");
        let names: Vec<String> = deps.iter().take(5).map(|d| format!("{}（{} {}）", label(d), when(d), action_zh(&d.action))).collect();
        let names_en: Vec<String> = deps.iter().take(5).map(|d| format!("{} ({} {})", label(d), action_en(&d.action), when(d))).collect();
        return Err(Error::refused(
            "import_undo_conflict",
            format!(
                "本批次导入的数据之后又被修改或使用过 {} 处：{}{}。确定撤销吗？之后的修改会保留，其余恢复为导入前的状态。",
                deps.len(),
                names.join("、"),
                if deps.len() > 5 { "等" } else { "" }
            ),
            format!(
                "{} later changes depend on this batch: {}. Undo anyway? Later edits are kept; the rest returns to its state before the import.",
                deps.len(),
                names_en.join(", ")
            ),
        )
        .with_details(json!({"dependents": deps})));
    }
    let events = audit::events_in_batch(db.conn(), id)?;
    let dep_keys: std::collections::HashSet<(String, i64)> = deps.iter().map(|d| (d.entity.clone(), d.entity_id)).collect();
    let mut report = UndoReport { batch_id: id, removed: 0, restored: 0, kept: vec![], dependents: deps };
    db.write(|tx| {
        // The compensating events belong to the batch they undo.
        tx.set_batch(Some(id));
        // What was undone before this batch (nothing in this loop changes it).
        let undone = audit::Undone::load(tx.conn())?;
        for ev in events.iter().rev() {
            let Ok(eid) = ev.entity_id.parse::<i64>() else { continue };
            match (ev.entity.as_str(), ev.action.as_str()) {
                (entity @ ("rent_application" | "certification"), "create") => {
                    if !isql::exists(tx.conn(), entity, eid)? {
                        continue;
                    }
                    if let Some(why) = held_by(tx.conn(), entity, eid)? {
                        report.kept.push(why);
                        continue;
                    }
                    if dep_keys.contains(&(entity.to_string(), eid)) {
                        report.kept.push(format!("{} #{eid}：导入后又被修改过，保留", made_label(entity)));
                        continue;
                    }
                    isql::remove_record(tx, entity, eid, "undo_import")?;
                    report.removed += 1;
                }
                (entity @ ("rent_application" | "certification"), "update") => {
                    // Removed since (its creating batch undone first): nothing to put back.
                    if !isql::exists(tx.conn(), entity, eid)? {
                        continue;
                    }
                    if let Some(why) = held_by(tx.conn(), entity, eid)? {
                        report.kept.push(why);
                        continue;
                    }
                    let rent = entity == "rent_application";
                    let current = if rent { isql::rent_application_json(tx.conn(), eid)? } else { isql::certification_json(tx.conn(), eid)? };
                    let history = audit::events_for(tx.conn(), entity, &eid.to_string())?;
                    let r = undone.revert(&current, ev, &history, if rent { RENT_UPDATE_FIELDS } else { CERT_UPDATE_FIELDS });
                    if !r.kept.is_empty() {
                        report.kept.push(format!("{} #{eid}：{}之后又被修改，保留现值", made_label(entity), r.kept.join("、")));
                    }
                    if !r.reverted.is_empty() {
                        if rent {
                            isql::restore_rent(tx, &r.record, "undo_import")?;
                        } else {
                            isql::restore_certification(tx, &r.record, "undo_import")?;
                        }
                        report.restored += 1;
                    }
                }
                ("enterprise", "create") => {
                    let Some(e) = esql::get(tx.conn(), eid)? else { continue };
                    if esql::is_held(tx.conn(), eid)? {
                        report.kept.push(format!("{}：已有其他关联记录，保留", e.name));
                    } else if dep_keys.contains(&("enterprise".to_string(), eid)) {
                        report.kept.push(format!("{}：导入后又被修改过，保留", e.name));
                    } else {
                        esql::remove_created(tx, eid, "undo_import")?;
                        report.removed += 1;
                    }
                }
                ("enterprise", "import") => {
                    let Some(current) = esql::get(tx.conn(), eid)? else { continue };
                    let r = crate::enterprise::revert_fields(tx.conn(), &undone, &current, ev)?;
                    if !r.kept.is_empty() {
                        report.kept.push(format!("{}：{}之后又被修改，保留现值", current.name, crate::enterprise::labels_zh(&r.kept)));
                    }
                    if !r.reverted.is_empty() {
                        esql::update(tx, eid, &r.record, "undo_import")?;
                        report.restored += 1;
                    }
                }
                _ => {}
            }
        }
        isql::mark_undone(tx, id)?;
        // Records kept by an earlier undo because this batch had changed them since: with this
        // batch undone too, nothing that counts is left of them.
        report.removed += remove_left_by_undone(tx, &events)?;
        let summary = json!({"removed": report.removed, "restored": report.restored, "kept": report.kept});
        tx.audit("import_batch", id, "undo", None, Some(&summary))?;
        Ok(())
    })?;
    Ok(report)
}

/// Remove what an undone batch created and only undone work changed since, among the records
/// this batch's events touch (and the enterprises of its applications and certifications):
/// applications and certifications first, then enterprises nothing links to. Returns how many.
pub(super) fn remove_left_by_undone(tx: &mut Tx<'_>, events: &[audit::AuditEvent]) -> Result<u64> {
    let undone = audit::Undone::load(tx.conn())?;
    let mut records: Vec<(String, i64)> = Vec::new();
    let mut enterprises: Vec<i64> = Vec::new();
    for ev in events {
        let Ok(id) = ev.entity_id.parse::<i64>() else { continue };
        match ev.entity.as_str() {
            "enterprise" => enterprises.push(id),
            "rent_application" | "certification" => {
                records.push((ev.entity.clone(), id));
                if let Some(e) = ev.after.as_ref().or(ev.before.as_ref()).and_then(|v| v.get("enterprise_id")).and_then(|v| v.as_i64()) {
                    enterprises.push(e);
                }
            }
            _ => {}
        }
    }
    records.sort();
    records.dedup();
    enterprises.sort_unstable();
    enterprises.dedup();
    let mut removed = 0;
    for (entity, id) in records {
        if !isql::exists(tx.conn(), &entity, id)? || held_by(tx.conn(), &entity, id)?.is_some() {
            continue;
        }
        if undone.created_and_changed_only_by_undone(&audit::events_for(tx.conn(), &entity, &id.to_string())?) {
            isql::remove_record(tx, &entity, id, "undo_import")?;
            removed += 1;
        }
    }
    for id in enterprises {
        removed += u64::from(crate::enterprise::remove_if_left_by_undone(tx, id, "undo_import")?);
    }
    Ok(removed)
}
