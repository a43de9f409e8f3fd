//! Merging two records of the same enterprise: the survivor keeps the links, fields are picked.

use super::*;

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
