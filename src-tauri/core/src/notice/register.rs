//! The register of issued notices: numbers, issue, correction, voiding, reprints, verification.

use super::*;

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The document number: 江宁科〔2026〕12号 (full year in 〔〕, no padding, no 第).
pub fn doc_number(prefix: &str, year: i32, seq: i64) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

/// Number, render and store one draft in the caller's transaction.
pub(super) fn issue_in(tx: &mut Tx<'_>, d: &Draft, fonts: &Fonts, supersedes: Option<i64>) -> Result<(i64, NoticeDoc, String)> {
    let seq = sql::next_number(tx, &d.prefix, d.year)?;
    let number = doc_number(&d.prefix, d.year, seq);
    let mut doc = d.doc.clone();
    doc.doc_number = Some(number.clone());
    let content = serde_json::to_vec(&doc)?;
    let verification = sha256_hex(&content)[..12].to_string();
    doc.footer = Some(format!("{number} · 校验码 {verification}"));
    let pdf = layout::render(&doc, fonts).map_err(layout_error)?;
    let sha = sha256_hex(&pdf);
    let (grant_id, reward_id, certification_id) = match d.target.link().0 {
        "grant_id" => (Some(d.target.id), None, None),
        "reward_id" => (None, Some(d.target.id), None),
        "certification_id" => (None, None, Some(d.target.id)),
        _ => (None, None, None),
    };
    let clause_json = serde_json::to_string(&d.clause)?;
    let fields_json = serde_json::to_string(&json!({"fields": d.fields, "doc": doc, "genre": d.genre}))?;
    let id = sql::insert_notice(
        tx,
        &sql::NewNotice {
            doc_number: &number,
            prefix: &d.prefix,
            year: d.year,
            seq,
            kind: d.target.kind,
            subject: &d.subject,
            enterprise_id: (d.enterprise_id > 0).then_some(d.enterprise_id),
            grant_id,
            reward_id,
            certification_id,
            template_version: d.template_version,
            clause_json: &clause_json,
            fields_json: &fields_json,
            verification: &verification,
            pdf: &pdf,
            sha256: &sha,
            supersedes,
        },
    )?;
    Ok((id, doc, number))
}

pub(super) fn refuse_if_issued(db: &Db, target: Target) -> Result<()> {
    let (column, _) = target.link();
    // A reminder may be sent again (a new one each time); grants and rewards get one live notice.
    if target.kind == NoticeKind::ExpiryReminder {
        return Ok(());
    }
    if let Some(id) = sql::live_for(db.conn(), column, target.id)? {
        let n = get(db, id)?;
        // An approval and a reduction (or a reward and its difference) are the same decision.
        let family = |k: NoticeKind| match k {
            NoticeKind::RentApproval | NoticeKind::RentReduction => 1,
            NoticeKind::Reward | NoticeKind::RewardReduction | NoticeKind::RewardTopUp => 2,
            other => 10 + other as i32,
        };
        if family(n.kind) == family(target.kind) {
            return Err(Error::refused(
                "already_issued",
                format!("已出具公文 {}。如需更改，请对它“更正”（作废并重新发文），或先作废。", n.doc_number),
                format!("Notice {} was already issued for this. Correct it or void it first.", n.doc_number),
            )
            .with_details(json!({"notice_id": n.id, "doc_number": n.doc_number})));
        }
    }
    Ok(())
}

/// Issue the notice of `target`: number, PDF and register entry in one transaction.
pub fn issue(db: &mut Db, target: Target, date: NaiveDate) -> Result<Notice> {
    refuse_if_issued(db, target)?;
    let office = crate::system::office(db)?;
    let draft = compose(db, target, &office, date)?;
    let fonts = fonts()?;
    let id = db.write(|tx| issue_in(tx, &draft, fonts, None).map(|(id, _, _)| id))?;
    get(db, id)
}

/// A correction: a new notice for the same grant/reward/certification (from today's data) that
/// supersedes `id`, which is voided with `reason`; one transaction.
pub fn correct(db: &mut Db, id: i64, reason: &str, date: NaiveDate) -> Result<Notice> {
    let reason = need_reason(reason)?;
    let old = get(db, id)?;
    if old.status != "issued" {
        return Err(Error::refused("already_voided", format!("公文 {} 已作废，不能再更正。", old.doc_number), format!("Notice {} is void.", old.doc_number)));
    }
    if old.kind == NoticeKind::Publicity {
        return Err(Error::refused(
            "not_correctable",
            format!("公示名单 {} 不能更正：如名单有误，请作废后重新公示。", old.doc_number),
            format!("A publicity list ({}) is not corrected: void it and publish again.", old.doc_number),
        ));
    }
    // From today's data: an approval amended since is corrected as a reduction (and the reverse).
    let target = match (old.grant_id, old.reward_id, old.certification_id) {
        (Some(g), _, _) => target_for_grant(db, g)?,
        (_, Some(r), _) => target_for_reward(db, r)?,
        (_, _, Some(c)) => Target { kind: NoticeKind::ExpiryReminder, id: c },
        _ => return Err(Error::Internal("notice without a subject".into())),
    };
    let office = crate::system::office(db)?;
    let draft = compose(db, target, &office, date)?;
    let fonts = fonts()?;
    let new_id = db.write(|tx| {
        let (new_id, _, number) = issue_in(tx, &draft, fonts, Some(old.id))?;
        sql::void(tx, old.id, &format!("更正：{reason}（以{number}为准）"))?;
        Ok(new_id)
    })?;
    get(db, new_id)
}

pub(super) fn need_reason(reason: &str) -> Result<String> {
    let r = crate::text::clean_line(reason);
    if r.is_empty() {
        return Err(Error::invalid("reason_required", "请填写作废或更正的原因。", "Give the reason.").with_details(json!({"field": "reason"})));
    }
    Ok(r)
}

/// Void an issued notice: the number stays taken, the PDF stays stored.
pub fn void(db: &mut Db, id: i64, reason: &str) -> Result<Notice> {
    let reason = need_reason(reason)?;
    let n = get(db, id)?;
    if n.status != "issued" {
        return Err(Error::refused(
            "already_voided",
            format!("公文 {} 已于 {} 作废。", n.doc_number, n.voided_at.clone().unwrap_or_default()),
            format!("Notice {} is already void.", n.doc_number),
        ));
    }
    db.write(|tx| sql::void(tx, id, &reason))?;
    get(db, id)
}

pub fn get(db: &Db, id: i64) -> Result<Notice> {
    sql::notice(db.conn(), id)?.ok_or(Error::NotFound { entity: "notice", key: id.to_string() })
}

/// A notice by id or by document number (江宁科〔2026〕12号).
pub fn find(db: &Db, key: &str) -> Result<Notice> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>() {
        return get(db, id);
    }
    sql::by_number(db.conn(), key)?.ok_or(Error::NotFound { entity: "notice", key: key.to_string() })
}

/// The stored PDF, byte for byte.
pub fn pdf(db: &Db, id: i64) -> Result<Vec<u8>> {
    sql::pdf(db.conn(), id)
}

pub fn list(db: &Db, enterprise_id: Option<i64>, q: Option<&str>) -> Result<Vec<Notice>> {
    sql::notices(db.conn(), enterprise_id, q.map(str::trim).filter(|q| !q.is_empty()))
}

pub fn register(db: &Db) -> Result<Vec<RegisterLine>> {
    let mut out = Vec::new();
    for (prefix, year, last_no) in sql::register(db.conn())? {
        let seqs = sql::seqs(db.conn(), &prefix, year)?;
        let issued = seqs.iter().filter(|(_, s)| s == "issued").count() as i64;
        let voided = seqs.len() as i64 - issued;
        let have: std::collections::HashSet<i64> = seqs.iter().map(|(n, _)| *n).collect();
        let gaps = (1..=last_no).filter(|n| !have.contains(n)).collect();
        out.push(RegisterLine { prefix, year, last_no, issued, voided, gaps });
    }
    Ok(out)
}

pub(super) fn verification(n: Option<Notice>, matched_by: &str, sha256: String) -> Verification {
    match n {
        None => Verification {
            found: false,
            voided: false,
            matched_by: matched_by.into(),
            sha256,
            notice: None,
            message_zh: if matched_by == "code" {
                "本登记簿中没有这个校验码的公文。".into()
            } else {
                "这个文件不是本登记簿中出具的公文（或已被改动）。".into()
            },
            message_en: "Not an issued notice of this register (or the file was changed).".into(),
        },
        Some(n) => {
            let voided = n.status != "issued";
            let (zh, en) = if voided {
                (
                    format!(
                        "是本登记簿的公文 {}（{}），但已于 {} 作废：{}",
                        n.doc_number,
                        n.enterprise_name,
                        n.voided_at.clone().unwrap_or_default(),
                        n.void_reason
                    ),
                    format!("Notice {} ({}) of this register, VOIDED: {}", n.doc_number, n.enterprise_name, n.void_reason),
                )
            } else {
                (
                    format!("是本登记簿出具的有效公文 {}（{}，{}）。", n.doc_number, n.enterprise_name, n.subject),
                    format!("Valid issued notice {} ({}).", n.doc_number, n.enterprise_name),
                )
            };
            Verification { found: true, voided, matched_by: matched_by.into(), sha256, notice: Some(n), message_zh: zh, message_en: en }
        }
    }
}

/// Is this file an issued notice of this register? (Exact bytes: SHA-256.)
pub fn verify_bytes(db: &Db, bytes: &[u8]) -> Result<Verification> {
    let sha = sha256_hex(bytes);
    let n = sql::by_sha(db.conn(), &sha)?;
    Ok(verification(n, "sha256", sha))
}

/// The 12-digit code printed in a notice's footer.
pub fn verify_code(db: &Db, code: &str) -> Result<Verification> {
    let code = code.trim().to_ascii_lowercase();
    let n = sql::by_verification(db.conn(), &code)?;
    Ok(verification(n, "code", String::new()))
}
