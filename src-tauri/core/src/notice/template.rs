//! Notice templates: the shipped ones and the office's versions, their placeholders and labels.

use super::*;

/// Placeholders that may have nothing to say: a paragraph holding only such a placeholder is left
/// out when it is empty (a reminder for a kind no money depends on cites no clause).
pub(super) const OPTIONAL_FIELDS: [&str; 2] = ["support_note", "cut_note"];

pub(super) const COMMON_FIELDS: [&str; 6] = ["enterprise", "uscc", "citation", "clause_quote", "legal_basis", "authority"];

/// What a placeholder is called in messages.
pub fn field_label(name: &str) -> (&'static str, &'static str) {
    match name {
        "enterprise" => ("企业名称", "enterprise name"),
        "uscc" => ("统一社会信用代码", "USCC"),
        "citation" => ("政策条款引用", "clause citation"),
        "clause_quote" => ("条款原文", "clause text"),
        "authority" => ("发文机关", "issuing authority"),
        "signer" => ("落款（签发机关）", "signer"),
        "doc_prefix" => ("发文字号前缀", "document-number prefix"),
        "lease_address" => ("租赁地址", "lease address"),
        "area" => ("租赁面积", "leased area"),
        "period" => ("补贴期间", "subsidy period"),
        "rule_version" => ("补贴规则版本", "rule version"),
        "rate" => ("补贴比例", "subsidy rate"),
        "months" => ("补贴月数", "months"),
        "amount" => ("金额", "amount"),
        "amount_line" => ("大写金额", "amount in capitals"),
        "reason" => ("不予补贴的原因", "reason"),
        "program" => ("奖励项目", "program"),
        "cert_name" => ("认定类别", "certification"),
        "certificate_no" => ("证书编号", "certificate number"),
        "issued_on" => ("发证日期", "issue date"),
        "expires_on" => ("到期日期", "expiry date"),
        "expiry_phrase" => ("到期情况（将于/已于……到期）", "expiry"),
        "due" => ("即将到期/已到期", "due or past"),
        "legal_basis" => ("政策依据（根据……规定）", "legal basis"),
        "rule_citation" => ("区级补贴细则（名称和文号）", "the district's rule"),
        "area_text" => ("租赁面积及补贴面积", "leased and subsidised area"),
        "computed" => ("测算金额", "computed amount"),
        "reduced" => ("核减金额", "amount reduced"),
        "remedies" => ("救济途径（行政复议、行政诉讼）", "remedies"),
        "achievement" => ("获评/入选/首次突破事项", "what was achieved"),
        "funds" => ("资金名称（奖励资金/支持资金）", "kind of funds"),
        "earlier" => ("此前已获奖励", "earlier reward"),
        "full_amount" => ("本项标准金额", "full amount"),
        "cert_ref" => ("证书或入库信息", "certificate reference"),
        "cut_note" => ("不予补贴的日期及原因", "days not subsidised"),
        "renewal" => ("续期要求", "renewal"),
        "support_note" => ("相关支持政策", "support depending on it"),
        "subject" => ("公示标题", "title"),
        "what" => ("公示事项", "what is announced"),
        "days" => ("公示工作日数", "working days"),
        "starts_on" => ("公示开始日期", "first day"),
        "ends_on" => ("公示结束日期", "last day"),
        "contact" => ("异议受理联系方式", "contact for objections"),
        "list" => ("名单", "list"),
        _ => ("字段", "field"),
    }
}

pub fn placeholders(kind: NoticeKind) -> Vec<Placeholder> {
    COMMON_FIELDS
        .iter()
        .chain(kind.own_fields())
        .map(|n| {
            let (zh, en) = field_label(n);
            Placeholder { name: n.to_string(), label_zh: zh.into(), label_en: en.into(), required: kind.required_fields().contains(n) }
        })
        .collect()
}

pub fn templates(db: &Db) -> Result<Vec<Template>> {
    sql::templates(db.conn())
}

pub fn template_versions(db: &Db, kind: NoticeKind) -> Result<Vec<Template>> {
    sql::template_versions(db.conn(), kind)
}

/// The placeholders used in a text, in order (`{name}`); a `{` without `}` is an error.
pub(super) fn placeholders_in(text: &str) -> std::result::Result<Vec<&str>, usize> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut at = 0;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { return Err(at + i) };
        out.push(&after[..j]);
        at += i + 1 + j + 1;
        rest = &after[j + 1..];
    }
    Ok(out)
}

/// Save a new version of a template (the old versions stay; issued notices keep theirs).
pub fn save_template(db: &mut Db, kind: NoticeKind, genre: &str, title: &str, body: &str) -> Result<Template> {
    let genre = crate::text::clean(genre);
    let title: String = title.lines().map(crate::text::clean_line).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    let body: String = body.lines().map(crate::text::clean_line).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    if genre != "通知" && genre != "函" {
        return Err(Error::invalid(
            "bad_genre",
            "文种只能是“通知”或“函”（给企业的文件不用“批复”）。",
            "The genre is 通知 or 函 (not 批复 for letters to enterprises).",
        )
        .with_details(json!({"field": "genre"})));
    }
    if title.is_empty() || body.is_empty() {
        let field = if title.is_empty() { "title" } else { "body" };
        return Err(
            Error::invalid("missing_required", "标题和正文都不能为空。", "The title and the body cannot be empty.").with_details(json!({"field": field}))
        );
    }
    let allowed: Vec<&str> = COMMON_FIELDS.iter().chain(kind.own_fields()).copied().collect();
    let mut used = Vec::new();
    for (part, text) in [("title", &title), ("body", &body)] {
        let names = placeholders_in(text).map_err(|_| {
            Error::invalid("bad_placeholder", "模板中有未闭合的“{”。占位符写成 {企业字段名} 的形式。", "A “{” is not closed. Placeholders are written {name}.")
                .with_details(json!({"field": part}))
        })?;
        for n in names {
            if !allowed.contains(&n) {
                return Err(Error::invalid(
                    "unknown_placeholder",
                    format!("模板中的占位符“{{{n}}}”不认识。这类公文可用：{}。", allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join("、")),
                    format!("Unknown placeholder {{{n}}}. This kind may use: {}.", allowed.join(", ")),
                )
                .with_details(json!({"field": part, "placeholder": n})));
            }
            used.push(n);
        }
    }
    for r in kind.required_fields() {
        if !used.contains(r) {
            let (zh, en) = field_label(r);
            return Err(Error::invalid(
                "missing_placeholder",
                format!("模板必须包含“{{{r}}}”（{zh}）。"),
                format!("The template must contain {{{r}}} ({en})."),
            )
            .with_details(json!({"field": "body", "placeholder": r})));
        }
    }
    let version = sql::template_versions(db.conn(), kind)?.iter().map(|t| t.version).max().unwrap_or(0) + 1;
    db.write(|tx| sql::insert_template(tx, kind, version, &genre, &title, &body))?;
    sql::template(db.conn(), kind, Some(version))?.ok_or_else(|| Error::Internal("template vanished".into()))
}
