//! The ledger of an enterprise's subsidised days: its leases, growth reports and applications, what\n//! the live grants already cover, and the timeline the office sees.

use super::*;

pub(super) fn date(s: &str, field: &str) -> Result<NaiveDate> {
    crate::model::date::parse_date_text(s).ok_or_else(|| {
        Error::invalid("bad_date", format!("“{s}”不是有效日期（{field}）。"), format!("“{s}” is not a date ({field}).")).with_details(json!({"field": field}))
    })
}

pub(super) fn founded_on(e: &crate::enterprise::Enterprise) -> Option<NaiveDate> {
    e.founded_on.as_deref().and_then(crate::model::date::parse_date_text)
}

/// A lease cannot start before the firm existed: a data error (`lease_before_founding`).
pub(super) fn check_lease_start(e: &crate::enterprise::Enterprise, start: NaiveDate) -> Result<()> {
    match founded_on(e) {
        Some(f) if start < f => Err(Error::invalid(
            "lease_before_founding",
            format!("租期起 {start} 早于“{}”的成立日期 {f}：数据有误。请核对企业成立日期或租赁合同日期。", e.name),
            format!("The lease starts ({start}) before “{}” was founded ({f}): check the founding date or the lease.", e.name),
        )
        .with_details(json!({"field": "start_on", "founded_on": f.to_string()}))),
        _ => Ok(()),
    }
}

pub fn add_lease(db: &mut Db, enterprise_id: i64, l: &LeaseInput) -> Result<Lease> {
    let ent = crate::enterprise::get(db, enterprise_id)?;
    let s = date(&l.start_on, "start_on")?;
    let e = date(&l.end_on, "end_on")?;
    if e < s {
        return Err(Error::invalid("out_of_range", "租期止早于租期起。", "The lease ends before it starts.").with_details(json!({"field": "end_on"})));
    }
    if l.area_centi_m2 <= 0 || l.unit_rent_fen <= 0 {
        return Err(Error::invalid("out_of_range", "租赁面积和租金单价必须大于0。", "Area and unit rent must be above 0.")
            .with_details(json!({"field": if l.area_centi_m2 <= 0 { "area_centi_m2" } else { "unit_rent_fen" }})));
    }
    check_lease_start(&ent, s)?;
    let l = LeaseInput { start_on: s.to_string(), end_on: e.to_string(), address: l.address.as_deref().map(crate::text::clean), ..l.clone() };
    db.write(|tx| sql::insert_lease(tx, enterprise_id, &l))
}

pub fn leases(db: &Db, enterprise_id: i64) -> Result<Vec<Lease>> {
    sql::leases(db.conn(), enterprise_id)
}

pub fn set_growth(db: &mut Db, g: &GrowthReport) -> Result<()> {
    crate::enterprise::get(db, g.enterprise_id)?;
    if !(1990..=2100).contains(&g.year) {
        return Err(Error::invalid("out_of_range", "年度不正确。", "Wrong year."));
    }
    if g.revenue_fen.is_some_and(|v| v < 0) || g.rd_fen.is_some_and(|v| v < 0) || g.staff.is_some_and(|v| v < 0) {
        return Err(Error::invalid("out_of_range", "营业收入、研发投入和人数不能为负。", "Revenue, R&D and staff cannot be negative."));
    }
    db.write(|tx| sql::upsert_growth(tx, g))
}

pub fn growth(db: &Db, enterprise_id: i64) -> Result<Vec<GrowthReport>> {
    sql::growth(db.conn(), enterprise_id)
}

/// An application for days of a lease: any days within it (not only whole months).
pub fn add_application(db: &mut Db, a: &ApplicationInput) -> Result<Application> {
    let lease = sql::lease(db.conn(), a.lease_id)?.ok_or(Error::NotFound { entity: "lease", key: a.lease_id.to_string() })?;
    let s = date(&a.period_start, "period_start")?;
    let e = date(&a.period_end, "period_end")?;
    if e < s {
        return Err(Error::invalid("out_of_range", format!("补贴期间止（{e}）早于补贴期间起（{s}）。"), "The period ends before it starts.")
            .with_details(json!({"field": "period_end"})));
    }
    let ls = date(&lease.start_on, "start_on")?;
    let le = date(&lease.end_on, "end_on")?;
    if s < ls || e > le {
        return Err(Error::invalid(
            "out_of_range",
            format!("补贴期间须在租期（{} 至 {}）之内。", lease.start_on, lease.end_on),
            "The period must lie within the lease.",
        )
        .with_details(json!({"field": if s < ls { "period_start" } else { "period_end" }})));
    }
    if !(1..=MAX_YEARS).contains(&a.subsidy_year) {
        return Err(Error::invalid(
            "out_of_range",
            format!("申请补贴年度为第{}年，超出第1–3年的范围（政策规定补贴最长不超过三年）。", a.subsidy_year),
            "The subsidy year must be 1, 2 or 3.",
        )
        .with_details(json!({"field": "subsidy_year"})));
    }
    for (v, f) in [(a.revenue_prev_fen, "revenue_prev_fen"), (a.revenue_curr_fen, "revenue_curr_fen"), (a.requested_fen, "requested_fen")] {
        if v.is_some_and(|x| x < 0) {
            return Err(Error::invalid("out_of_range", "营业收入和申请金额不能为负。", "Revenues and the requested amount cannot be negative.")
                .with_details(json!({"field": f})));
        }
    }
    check_lease_start(&crate::enterprise::get(db, lease.enterprise_id)?, ls)?;
    let a = ApplicationInput { period_start: s.to_string(), period_end: e.to_string(), ..a.clone() };
    let id = db.write(|tx| sql::insert_application(tx, lease.enterprise_id, &a))?;
    application(db, id)
}

pub fn application(db: &Db, id: i64) -> Result<Application> {
    sql::application(db.conn(), id)?.ok_or(Error::NotFound { entity: "rent_application", key: id.to_string() })
}

pub fn applications(db: &Db, only_open: bool) -> Result<Vec<Application>> {
    sql::applications(db.conn(), only_open)
}

/// The premises a lease is for, compared across leases: its address without spaces, half-width,
/// lower case. Empty when the lease has no address.
pub fn premises_key(address: &str) -> String {
    crate::text::halfwidth(address).chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Two leases are the same premises when they are the same lease or have the same address. A
/// lease without an address cannot be told apart from any other of the enterprise: it is taken as
/// the same premises, so that no day is paid twice (the explanation names the grant; entering the
/// address and calculating again lifts the cut when the premises differ).
pub fn same_premises(a_lease: i64, a_address: &str, b_lease: i64, b_address: &str) -> bool {
    let (a, b) = (premises_key(a_address), premises_key(b_address));
    a_lease == b_lease || a.is_empty() || b.is_empty() || a == b
}

/// The days the enterprise's live grants subsidise, as the engine reads them for `lease`.
pub(super) fn ledger_for(db: &Db, enterprise_id: i64, lease: &Lease, exclude_grant: Option<i64>) -> Result<Vec<Covered>> {
    Ok(sql::live_spans(db.conn(), enterprise_id)?
        .into_iter()
        .filter(|s| Some(s.grant_id) != exclude_grant)
        .map(|s| Covered {
            grant_id: s.grant_id,
            same_premises: same_premises(lease.id, &lease.address, s.lease_id, &s.address),
            start: s.start,
            end: s.end,
            area_centi_m2: s.area_centi_m2,
        })
        .collect())
}

/// The registry's inputs for an application: founding date, certifications with their validity,
/// the days other live grants of the enterprise already subsidise.
pub(super) fn registry_input(db: &Db, app: &Application, exclude_grant: Option<i64>) -> Result<CalcInput> {
    let e = crate::enterprise::get(db, app.enterprise_id)?;
    Ok(CalcInput {
        area_centi_m2: app.lease.area_centi_m2,
        unit_rent_fen: app.lease.unit_rent_fen,
        period_start: app.period_start.clone(),
        period_end: app.period_end.clone(),
        lease_start: Some(app.lease.start_on.clone()),
        lease_end: Some(app.lease.end_on.clone()),
        revenue_prev_fen: app.revenue_prev_fen,
        revenue_curr_fen: app.revenue_curr_fen,
        founded_on: e.founded_on,
        certifications: Vec::new(),
        cert_spans: Some(sql::cert_spans(db.conn(), app.enterprise_id)?),
        months_before: 0,
        ledger: ledger_for(db, app.enterprise_id, &app.lease, exclude_grant)?,
        subsidy_year: Some(app.subsidy_year),
        requested_fen: app.requested_fen,
    })
}

/// The calculator for a registered enterprise: its latest application (or lease), its growth
/// reports, certifications and the days already subsidised.
pub fn calculate_for(db: &Db, uscc: &str, from: Option<&str>, to: Option<&str>) -> Result<CalcResult> {
    let e = crate::enterprise::find(db, uscc)?;
    let apps: Vec<Application> = applications(db, false)?.into_iter().filter(|a| a.enterprise_id == e.id).collect();
    let mut input = if let Some(app) = apps.last() {
        registry_input(db, app, app.grant_id)?
    } else {
        let lease = leases(db, e.id)?
            .pop()
            .ok_or_else(|| Error::refused("no_lease", format!("“{}”还没有租赁记录。请先登记租赁。", e.name), format!("“{}” has no lease yet.", e.name)))?;
        let start = from.unwrap_or(&lease.start_on).to_string();
        let y = date(&start, "period_start")?.year();
        let g = growth(db, e.id)?;
        let rev = |yr: i32| g.iter().find(|r| r.year == yr).and_then(|r| r.revenue_fen);
        CalcInput {
            area_centi_m2: lease.area_centi_m2,
            unit_rent_fen: lease.unit_rent_fen,
            period_start: start.clone(),
            period_end: to.unwrap_or(&lease.end_on).to_string(),
            lease_start: Some(lease.start_on.clone()),
            lease_end: Some(lease.end_on.clone()),
            revenue_prev_fen: rev(y - 1),
            revenue_curr_fen: rev(y),
            founded_on: e.founded_on.clone(),
            certifications: Vec::new(),
            cert_spans: Some(sql::cert_spans(db.conn(), e.id)?),
            months_before: 0,
            ledger: ledger_for(db, e.id, &lease, None)?,
            subsidy_year: None,
            requested_fen: None,
        }
    };
    if let Some(f) = from {
        input.period_start = f.to_string();
    }
    if let Some(t) = to {
        input.period_end = t.to_string();
    }
    calculate(db, &input)
}

/// The subsidy year (第几年) a period starting on `start` has, from the days the enterprise's live
/// grants subsidise before it, and those months (units).
pub fn year_at(spans: &[sql::LiveSpan], start: NaiveDate) -> (i64, i64) {
    let mut union = calendar::DaySet::new();
    for s in spans {
        if let (Ok(a), Ok(b)) = (NaiveDate::parse_from_str(&s.start, "%Y-%m-%d"), NaiveDate::parse_from_str(&s.end, "%Y-%m-%d")) {
            union.insert(a, b);
        }
    }
    let used = union.units_before(start);
    (used / (12 * calendar::MONTH_UNITS) + 1, used)
}

pub fn timeline(db: &Db, enterprise_id: i64) -> Result<Timeline> {
    let e = crate::enterprise::get(db, enterprise_id)?;
    let rules = current_rules(db)?.rules;
    let spans = sql::live_spans(db.conn(), enterprise_id)?;
    let mut union = calendar::DaySet::new();
    let mut stretches = Vec::new();
    for s in spans {
        let (a, b) = (date(&s.start, "start")?, date(&s.end, "end")?);
        union.insert(a, b);
        let u = calendar::units(a, b);
        stretches.push(TimelineStretch {
            grant_id: s.grant_id,
            status: s.status,
            lease_id: s.lease_id,
            address: s.address,
            start: s.start,
            end: s.end,
            area_centi_m2: s.area_centi_m2,
            month_units: u,
            months: calendar::months_f64(u),
            fractions: calendar::fraction_sum(a, b),
        });
    }
    stretches.sort_by(|a, b| a.start.cmp(&b.start).then(a.grant_id.cmp(&b.grant_id)));
    let mut cuts = Vec::new();
    for g in sql::grants_of(db.conn(), enterprise_id)?.into_iter().filter(|g| g.status.is_live()) {
        for c in g.explanation.cuts {
            cuts.push(TimelineCut {
                grant_id: g.id,
                start: c.start,
                end: c.end,
                reason: c.reason,
                covered_by: c.grant_id,
                months: c.months,
                message_zh: c.message_zh,
                message_en: c.message_en,
            });
        }
    }
    cuts.sort_by(|a, b| a.start.cmp(&b.start));
    let used = union.units();
    let left = (MAX_MONTHS * calendar::MONTH_UNITS - used).max(0);
    let certifications = sql::cert_spans(db.conn(), enterprise_id)?.into_iter().filter(|c| rules.eligible_certifications.contains(&c.kind)).collect();
    Ok(Timeline {
        enterprise_id,
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        founded_on: e.founded_on.clone(),
        young_until: founded_on(&e).map(|f| calendar::last_day_younger_than(f, rules.max_company_age_years).to_string()),
        leases: leases(db, enterprise_id)?,
        certifications,
        stretches,
        cuts,
        month_units_used: used,
        months_used: calendar::months_f64(used),
        month_units_left: left,
        months_left: calendar::months_f64(left),
    })
}
