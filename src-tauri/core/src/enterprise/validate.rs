//! Checking what a form, the CLI or an import gives before it is saved: each field, and the\n//! duplicates the registry already holds.

use super::*;

pub(super) fn fe(field: &str, code: &str, zh: String, en: String) -> FieldError {
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

pub(super) fn invalid(errs: Vec<FieldError>) -> Error {
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

pub(super) fn warnings_for(db_conn: crate::store::Conn<'_>, v: &Validated, self_id: Option<i64>) -> Result<Vec<Warning>> {
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

pub(super) fn uscc_taken(other: &Enterprise) -> FieldError {
    fe(
        "uscc",
        "uscc_exists",
        format!("统一社会信用代码已登记给“{}”。请打开那条记录修改，或核对代码。", other.name),
        format!("This USCC is already registered to “{}”. Open that record, or check the code.", other.name),
    )
}
