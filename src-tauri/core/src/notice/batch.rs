//! Notices in batches: what is waiting for a notice, previews and issue of many, a combined reprint.

use super::*;

/// Approved (or paid) grants and rewards that have no live notice.
pub fn candidates(db: &Db, date: NaiveDate) -> Result<Vec<Candidate>> {
    let office = crate::system::office(db)?;
    let mut targets = Vec::new();
    for id in sql::without_notice(db.conn())? {
        targets.push(id);
    }
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        match compose(db, t, &office, date) {
            Ok(d) => out.push(Candidate {
                target: t,
                enterprise_name: d.enterprise_name,
                uscc: d.uscc,
                subject: d.subject,
                amount_fen: d.amount_fen,
                problem: None,
                problem_code: None,
            }),
            Err(e @ (Error::Invalid { .. } | Error::Refused { .. })) => {
                let (name, uscc) = sql::target_enterprise(db.conn(), t)?;
                out.push(Candidate {
                    target: t,
                    enterprise_name: name,
                    uscc,
                    subject: String::new(),
                    amount_fen: None,
                    problem: Some(e.message(crate::Lang::Zh)),
                    problem_code: Some(e.code().into()),
                })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

pub(super) fn compose_all(db: &Db, targets: &[Target], date: NaiveDate, progress: &dyn Progress) -> Result<Vec<Draft>> {
    if targets.is_empty() {
        return Err(Error::invalid("nothing_selected", "没有选择要出具的公文。", "No notice selected."));
    }
    let office = crate::system::office(db)?;
    let total = targets.len() as u64;
    let mut drafts = Vec::with_capacity(targets.len());
    for (i, t) in targets.iter().enumerate() {
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        refuse_if_issued(db, *t)?;
        drafts.push(compose(db, *t, &office, date)?);
        progress.report("compose", i as u64 + 1, total);
    }
    Ok(drafts)
}

/// One combined PDF of previews (样稿, no numbers); nothing is written.
pub fn batch_preview(db: &Db, targets: &[Target], date: NaiveDate, progress: &dyn Progress) -> Result<Vec<u8>> {
    let drafts = compose_all(db, targets, date, progress)?;
    let docs: Vec<NoticeDoc> = drafts.iter().map(preview_doc).collect();
    progress.report("render", 0, 1);
    let pdf = layout::render_many(&docs, fonts()?).map_err(layout_error)?;
    progress.report("render", 1, 1);
    Ok(pdf)
}

/// Issue every target in one transaction (numbers in order), store each PDF, and return one
/// combined PDF for printing. Cancelling (or any failure) rolls everything back: no number taken.
pub fn batch_issue(db: &mut Db, targets: &[Target], date: NaiveDate, progress: &dyn Progress) -> Result<(BatchIssued, Vec<u8>)> {
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = targets.iter().find(|t| !seen.insert(**t)) {
        return Err(Error::invalid("duplicate_target", "同一事项选择了两次。", "The same item is selected twice.")
            .with_details(json!({"kind": dup.kind.as_str(), "id": dup.id})));
    }
    let drafts = compose_all(db, targets, date, progress)?;
    let fonts = fonts()?;
    let total = drafts.len() as u64;
    let (ids, docs) = db.write(|tx| {
        let mut ids = Vec::with_capacity(drafts.len());
        let mut docs = Vec::with_capacity(drafts.len());
        for (i, d) in drafts.iter().enumerate() {
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            let (id, doc, _) = issue_in(tx, d, fonts, None)?;
            ids.push(id);
            docs.push(doc);
            progress.report("issue", i as u64 + 1, total);
        }
        Ok((ids, docs))
    })?;
    progress.report("render", 0, 1);
    let combined = layout::render_many(&docs, fonts).map_err(layout_error)?;
    progress.report("render", 1, 1);
    let notices = ids.iter().map(|id| get(db, *id)).collect::<Result<Vec<_>>>()?;
    Ok((BatchIssued { count: notices.len() as i64, notices }, combined))
}

/// The combined PDF of stored notices (reprinting a batch): their stored documents, one file.
pub fn combined_reprint(db: &Db, ids: &[i64]) -> Result<Vec<u8>> {
    let mut docs = Vec::with_capacity(ids.len());
    for id in ids {
        let json: String = sql::fields_json(db.conn(), *id)?;
        let v: serde_json::Value = serde_json::from_str(&json)?;
        docs.push(serde_json::from_value::<NoticeDoc>(v["doc"].clone())?);
    }
    layout::render_many(&docs, fonts()?).map_err(layout_error)
}

/// A file name for a notice: its number, safe on every system.
pub fn file_name(n: &Notice) -> String {
    let name: String = n.enterprise_name.chars().take(30).collect();
    format!("{}.pdf", crate::text::safe_file_name(&format!("{} {name}", n.doc_number)))
}
