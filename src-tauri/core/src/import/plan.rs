//! What a row does to the registry: new, updated (which fields) or unchanged; the rent rows'
//! checks against the ledger; writing a planned row.

use super::*;

pub(super) fn park_key(conn: crate::store::Conn<'_>, park: Option<&str>) -> Result<i64> {
    Ok(match park {
        Some(p) => esql::park_id_by_name(conn, p)?.unwrap_or(-1),
        None => 0,
    })
}

/// Compare one accepted record with the registry: what would happen, and which fields change.
pub(super) struct Plan {
    pub(super) action: Action,
    pub(super) changes: Vec<FieldChange>,
    pub(super) enterprise: Option<Enterprise>,
    /// rent: (application id, lease id); cert: certification id
    pub(super) existing_id: Option<(i64, i64)>,
}

pub(super) fn ch(field: &str, before: Value, after: Value) -> FieldChange {
    FieldChange { field: field.into(), before, after }
}

pub(super) fn enterprise_changes(e: &Enterprise, r: &EnterpriseRecord, park: Option<&str>) -> Vec<FieldChange> {
    let mut v = Vec::new();
    let mut text_field = |name: &str, stored: &str, new: &Option<String>| {
        if let Some(n) = new {
            if n != stored {
                v.push(ch(name, json!(stored), json!(n)));
            }
        }
    };
    text_field("name", &e.name, &Some(r.name.clone()));
    text_field("sector", &e.sector, &r.sector);
    text_field("contact_name", &e.contact_name, &r.contact_name);
    text_field("contact_phone", &e.contact_phone, &r.contact_phone);
    text_field("address", &e.address, &r.address);
    // The file's park (--park, its title) only fills a blank (see enterprise_validated).
    let park_new = r.park.clone().or_else(|| park.filter(|_| e.park.is_none()).map(String::from));
    if let Some(p) = park_new {
        if e.park.as_deref() != Some(p.as_str()) {
            v.push(ch("park", json!(e.park), json!(p)));
        }
    }
    if let Some(d) = &r.founded_on {
        if e.founded_on.as_deref() != Some(d.as_str()) {
            v.push(ch("founded_on", json!(e.founded_on), json!(d)));
        }
    }
    if let Some(c) = r.registered_capital_fen {
        if e.registered_capital_fen != Some(c) {
            v.push(ch("registered_capital_fen", json!(e.registered_capital_fen), json!(c)));
        }
    }
    if let Some(h) = r.high_tech {
        if e.high_tech != h {
            v.push(ch("high_tech", json!(e.high_tech), json!(h)));
        }
    }
    v
}

pub(super) fn plan(conn: crate::store::Conn<'_>, known: &std::collections::HashSet<String>, rec: &Record, park: Option<&str>) -> Result<Plan> {
    let e = if known.contains(rec.uscc()) { esql::get_by_uscc(conn, rec.uscc())? } else { None };
    match rec {
        Record::Enterprise(r) => Ok(match e {
            None => Plan { action: Action::New, changes: vec![], enterprise: None, existing_id: None },
            Some(e) => {
                let changes = enterprise_changes(&e, r, park);
                Plan { action: if changes.is_empty() { Action::Unchanged } else { Action::Updated }, changes, enterprise: Some(e), existing_id: None }
            }
        }),
        Record::Rent(r) => {
            let existing = match &e {
                Some(e) => isql::find_rent_application(conn, e.id, r.lease_start.as_deref().unwrap_or(""), r.subsidy_year.unwrap_or(0))?,
                None => None,
            };
            Ok(match existing {
                None => Plan { action: Action::New, changes: vec![], enterprise: e, existing_id: None },
                Some((app, lease)) => {
                    let stored = isql::rent_application_json(conn, app)?;
                    let mut changes = Vec::new();
                    for (k, v) in [
                        ("lease_address", r.lease_address.as_ref().map(|s| json!(s))),
                        ("area_centi_m2", r.area_centi_m2.map(|x| json!(x))),
                        ("unit_rent_fen", r.unit_rent_fen.map(|x| json!(x))),
                        ("lease_end", r.lease_end.as_ref().map(|s| json!(s))),
                        ("annual_rent_fen", r.annual_rent_fen.map(|x| json!(x))),
                        ("revenue_prev_fen", r.revenue_prev_fen.map(|x| json!(x))),
                        ("revenue_curr_fen", r.revenue_curr_fen.map(|x| json!(x))),
                        ("requested_fen", r.requested_fen.map(|x| json!(x))),
                    ] {
                        if let Some(v) = v {
                            if stored[k] != v {
                                changes.push(ch(k, stored[k].clone(), v));
                            }
                        }
                    }
                    Plan {
                        action: if changes.is_empty() { Action::Unchanged } else { Action::Updated },
                        changes,
                        enterprise: e,
                        existing_id: Some((app, lease)),
                    }
                }
            })
        }
        Record::Cert(c) => {
            let existing = match &e {
                Some(e) => isql::find_certification(conn, e.id, &c.kind, c.certificate_no.as_deref().unwrap_or(""), c.issued_on.as_deref().unwrap_or(""))?,
                None => None,
            };
            Ok(match existing {
                None => Plan { action: Action::New, changes: vec![], enterprise: e, existing_id: None },
                Some(id) => {
                    let stored = isql::certification_json(conn, id)?;
                    let mut changes = Vec::new();
                    if let Some(i) = &c.issued_on {
                        if stored["issued_on"] != json!(i) {
                            changes.push(ch("issued_on", stored["issued_on"].clone(), json!(i)));
                        }
                    }
                    // A blank expiry cell (filled from the kind's rule) leaves a stored one be.
                    if let Some(x) = c.expires_on.as_ref().filter(|_| !c.expiry_from_rule || stored["expires_on"].is_null()) {
                        if stored["expires_on"] != json!(x) {
                            changes.push(ch("expires_on", stored["expires_on"].clone(), json!(x)));
                        }
                    }
                    Plan { action: if changes.is_empty() { Action::Unchanged } else { Action::Updated }, changes, enterprise: e, existing_id: Some((id, 0)) }
                }
            })
        }
    }
}

/// What the ledger says of a rent row. A lease that starts before the registry's founding date of
/// the enterprise is refused (`lease_before_founding`: one of the two dates is wrong). A typed
/// subsidy year (第几年) other than the one the enterprise's subsidised months give at the lease
/// start is a warning (`subsidy_year_mismatch`): the ledger's year is the one the grant will use.
pub(super) fn rent_checks(
    conn: crate::store::Conn<'_>,
    cols: &Columns,
    eligible: &[String],
    r: &validate::RentRecord,
    e: Option<&Enterprise>,
) -> Result<(Option<RowError>, Vec<RowError>)> {
    let field = |name: &str| cols.kind.field(name).expect("a rent field");
    let start = r.lease_start.as_deref().and_then(crate::model::date::parse_date_text);
    let founded = e.and_then(|e| e.founded_on.as_deref()).and_then(crate::model::date::parse_date_text);
    if let (Some(s), Some(f)) = (start, founded) {
        if s < f {
            let f_start = field("lease_start");
            return Ok((
                Some(RowError {
                    code: "lease_before_founding".into(),
                    field: f_start.name.into(),
                    column: cols.header(f_start),
                    value: s.to_string(),
                    message: format!("租期起 {s} 早于台账中该企业的成立日期 {f}：其中一个日期有误。请核对租赁合同或企业成立日期。"),
                    message_en: format!("The lease starts ({s}) before the registry's founding date ({f}): one of them is wrong."),
                    duplicate_of_row: None,
                }),
                vec![],
            ));
        }
    }
    let mut warnings = Vec::new();
    if let (Some(typed), Some(s)) = (r.subsidy_year, start) {
        let spans = match e {
            Some(e) => crate::store::rent::live_spans(conn, e.id)?,
            None => vec![],
        };
        let (year, used) = crate::rent::year_at(&spans, s);
        if typed != year {
            let f_year = field("subsidy_year");
            warnings.push(RowError {
                code: "subsidy_year_mismatch".into(),
                field: f_year.name.into(),
                column: cols.header(f_year),
                value: typed.to_string(),
                message: format!(
                    "填写第{typed}年；台账中该企业在 {s} 之前已补贴 {} 个月，应为第{year}年。测算以台账为准，请向园区核实。",
                    crate::rent::calendar::months_text(used)
                ),
                message_en: format!("Year {typed} typed; the ledger's months make it year {year}."),
                duplicate_of_row: None,
            });
        }
    }
    if let Some(w) = subsidy_data_missing(conn, cols, eligible, r, e, founded)? {
        warnings.push(w);
    }
    Ok((None, warnings))
}

/// A rent row whose enterprise lacks what the subsidy needs — a founding date, a qualifying
/// certification valid during the lease — would be calculated as 0.00 with only its explanation
/// saying why: said before the commit, with what to do (a new enterprise lacks both).
/// `eligible`: the certification kinds of the current rent rule (read once per import).
fn subsidy_data_missing(
    conn: crate::store::Conn<'_>,
    cols: &Columns,
    eligible: &[String],
    r: &validate::RentRecord,
    e: Option<&Enterprise>,
    founded: Option<chrono::NaiveDate>,
) -> Result<Option<RowError>> {
    let (from, to) = (r.lease_start.as_deref().unwrap_or(""), r.lease_end.as_deref().unwrap_or("9999-12-31"));
    let certified = match e {
        Some(e) => crate::store::cert::certifications(conn, Some(e.id), None, None)?
            .iter()
            .any(|c| !c.revoked && eligible.contains(&c.kind) && c.issued_on.as_str() <= to && c.expires_on.as_deref().is_none_or(|x| x >= from)),
        None => false,
    };
    let mut lacks = Vec::new();
    if founded.is_none() {
        lacks.push(("成立日期", "the founding date"));
    }
    if !certified {
        lacks.push(("租期内有效的高新技术企业或科技型中小企业资格", "a high-tech or tech-SME status valid during the lease"));
    }
    if lacks.is_empty() {
        return Ok(None);
    }
    let zh: Vec<&str> = lacks.iter().map(|l| l.0).collect();
    let en: Vec<&str> = lacks.iter().map(|l| l.1).collect();
    let (who_zh, who_en) = if e.is_none() {
        ("台账中没有这家企业，导入后将新建，但缺少", "Not in the registry: it will be added, without ")
    } else {
        ("台账中这家企业缺少", "The registry lacks ")
    };
    let f_uscc = cols.kind.field("uscc").expect("a rent field");
    Ok(Some(RowError {
        code: "subsidy_data_missing".into(),
        field: f_uscc.name.into(),
        column: cols.header(f_uscc),
        value: r.uscc.clone(),
        message: format!("{who_zh}{}：补贴会测算为0。请先在企业台账中补充（可按代码查找），或请园区提供。", zh.join("和")),
        message_en: format!("{who_en}{}: the subsidy would be calculated as 0. Add it in the registry, or ask the park.", en.join(" and ")),
        duplicate_of_row: None,
    }))
}

/// A registry record for an enterprise a file brings: the file's values over the stored ones
/// (a blank cell never overwrites a stored value).
pub(super) fn enterprise_validated(e: Option<&Enterprise>, uscc: &str, name: &str, r: Option<&EnterpriseRecord>, park: Option<&str>) -> ValidEnterprise {
    let u = crate::uscc::parse(uscc).ok();
    let pick = |new: Option<&String>, old: Option<&String>| new.cloned().or_else(|| old.cloned()).unwrap_or_default();
    let name = if name.is_empty() { e.map(|e| e.name.clone()).unwrap_or_default() } else { name.to_string() };
    ValidEnterprise {
        uscc: uscc.to_string(),
        uscc_org_code_warning: u.map(|u| u.org_code_warning).unwrap_or(false),
        name_key: text::name_key(&name),
        name,
        founded_on: r.and_then(|r| r.founded_on.clone()).or_else(|| e.and_then(|e| e.founded_on.clone())),
        registered_capital_fen: r.and_then(|r| r.registered_capital_fen).or_else(|| e.and_then(|e| e.registered_capital_fen)),
        // The file's own cell first; the park the file comes from (--park, its title) only fills
        // a blank: it never moves an enterprise the registry places in another park.
        park: r.and_then(|r| r.park.clone()).or_else(|| e.and_then(|e| e.park.clone())).or(park.map(String::from)),
        sector: pick(r.and_then(|r| r.sector.as_ref()), e.map(|e| &e.sector)),
        contact_name: pick(r.and_then(|r| r.contact_name.as_ref()), e.map(|e| &e.contact_name)),
        contact_phone: pick(r.and_then(|r| r.contact_phone.as_ref()), e.map(|e| &e.contact_phone)),
        address: pick(r.and_then(|r| r.address.as_ref()), e.map(|e| &e.address)),
        status: e.map(|e| e.status).unwrap_or_default(),
        notes: e.map(|e| e.notes.clone()).unwrap_or_default(),
        high_tech: r.and_then(|r| r.high_tech).or(e.map(|e| e.high_tech)).unwrap_or(false),
    }
}

/// Write one accepted record (inside the batch's transaction).
/// `fresh`: the record as a new enterprise, when the reading thread prepared it.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply(
    tx: &mut Tx<'_>,
    batch: i64,
    row: u32,
    rec: &Record,
    p: &Plan,
    park: Option<&str>,
    park_id: Option<i64>,
    fresh: Option<Fresh>,
) -> Result<()> {
    // The enterprise: created when missing (rent and certification files name enterprises too).
    let enterprise_id = match (rec, &p.enterprise) {
        (Record::Enterprise(r), None) => match fresh {
            Some(f) => esql::insert_indexed(tx, f.record, &f.search_body)?.id,
            None => esql::insert(tx, &enterprise_validated(None, &r.uscc, &r.name, Some(r), park))?.id,
        },
        (Record::Enterprise(r), Some(e)) => {
            if p.action == Action::Updated {
                esql::update(tx, e.id, &enterprise_validated(Some(e), &r.uscc, &r.name, Some(r), park), "import")?;
            }
            e.id
        }
        (_, Some(e)) => e.id,
        (other, None) => esql::insert(tx, &enterprise_validated(None, other.uscc(), other.name(), None, park))?.id,
    };
    let (entity, entity_id) = match rec {
        Record::Enterprise(_) => ("enterprise", Some(enterprise_id)),
        Record::Rent(r) => match (p.action, p.existing_id) {
            (Action::New, _) => ("rent_application", Some(isql::insert_rent(tx, enterprise_id, park_id, r, "import")?)),
            (Action::Updated, Some((app, lease))) => {
                isql::update_rent(tx, app, lease, r)?;
                ("rent_application", Some(app))
            }
            (_, e) => ("rent_application", e.map(|x| x.0)),
        },
        Record::Cert(c) => match (p.action, p.existing_id) {
            (Action::New, _) => ("certification", Some(isql::insert_certification(tx, enterprise_id, c, c.level.as_deref().unwrap_or(""), "import")?)),
            (Action::Updated, Some((id, _))) => {
                isql::update_certification_dates(tx, id, c)?;
                ("certification", Some(id))
            }
            (_, e) => ("certification", e.map(|x| x.0)),
        },
    };
    isql::insert_item(tx, batch, row, rec.uscc(), rec.name(), p.action.as_str(), entity, entity_id)
}

pub(super) const RENT_UPDATE_FIELDS: &[&str] =
    &["lease_address", "area_centi_m2", "unit_rent_fen", "lease_end", "period_end", "annual_rent_fen", "revenue_prev_fen", "revenue_curr_fen", "requested_fen"];

pub(super) const CERT_UPDATE_FIELDS: &[&str] = &["issued_on", "expires_on", "expiry_flag"];
