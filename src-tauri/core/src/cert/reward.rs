//! Rewards of the policy for certifications (articles 1, 6, 7, 14), 免申即享: the scan finds
//! the certifications that qualify under a program and have no reward yet, proposes each with its
//! explanation (which certification, which clause, which cap, why not stacked), and the user
//! confirms them in one batch. Lifecycle as grants: draft → approved / rejected → paid; revoke.

pub use crate::model::cert::{Excluded, Proposal, Reward, RewardBasis, RewardPick, RewardStatus, ScanResult};
use std::collections::BTreeMap;

use chrono::Datelike;
use serde_json::json;

use crate::error::{Error, Result};
use crate::model::rent::{Basis, Step};
use crate::money::fmt_yuan;
use crate::payout::{self, Payout, Stage};
use crate::store::{cert as sql, Db};

/// Certifications issued from this year on count as "new" for the scan (this year and last).
fn since_year() -> i32 {
    crate::model::date::today().year() - 1
}

fn step(code: &str, zh: &str, en: &str, inputs: serde_json::Value, result: serde_json::Value, text: String, basis: Basis) -> Step {
    Step { code: code.into(), title_zh: zh.into(), title_en: en.into(), inputs, result, text_zh: text, basis }
}

/// A 就高不重复 group as the office says it (the code when the group is one we do not know).
pub fn group_label(group: &str) -> String {
    match group {
        "national_title" => "国家级称号类奖励（第一条）".into(),
        "service_design" => "服务型制造与工业设计类奖励（第六条）".into(),
        "green" => "绿色制造类支持（第七条）".into(),
        g => format!("同类奖励（{g}）"),
    }
}

pub fn scan(db: &Db) -> Result<ScanResult> {
    let programs: Vec<_> = crate::policy::programs(db)?.into_iter().filter(|p| p.active && p.kind == "reward" && p.cert_kind.is_some()).collect();
    let kinds = crate::cert::kinds(db)?;
    let rewarded = sql::rewarded(db.conn())?;
    let certs = sql::certifications(db.conn(), None, None, None)?;
    let statuses = sql::enterprise_statuses(db.conn())?;
    let since = since_year().to_string();
    let mut candidates: Vec<Proposal> = Vec::new();
    let mut excluded: Vec<Excluded> = Vec::new();
    let exclude = |c: &crate::cert::Certification, p: &crate::policy::Program, code: &str, why: String| Excluded {
        certification_id: c.id,
        program_code: p.code.clone(),
        enterprise_name: c.enterprise_name.clone(),
        code: code.into(),
        reason_zh: why,
    };
    for p in &programs {
        let clause = crate::policy::current_clause(db, p.article)?;
        let art = format!("第{}条（第{}版）", crate::policy::chinese_number(p.article), clause.version);
        for c in certs.iter().filter(|c| Some(&c.kind) == p.cert_kind.as_ref() && c.issued_on[..4] >= *since) {
            if rewarded.by_certification.contains(&(c.id, p.id)) {
                continue;
            }
            let kname = kinds.iter().find(|k| k.code == c.kind).map(|k| k.name_zh.clone()).unwrap_or_else(|| c.kind.clone());
            match statuses.get(&c.enterprise_id).map(String::as_str) {
                Some("active") | None => {}
                Some(st) => {
                    let label = match st {
                        "moved_out" => "已迁出本区",
                        "deregistered" => "已注销",
                        _ => "已合并到其他企业",
                    };
                    excluded.push(exclude(c, p, "enterprise_inactive", format!("企业{label}，不再给予奖励。")));
                    continue;
                }
            }
            if let Some(prev) = rewarded.by_enterprise.get(&(c.enterprise_id, p.id)) {
                excluded.push(exclude(
                    c,
                    p,
                    "already_rewarded",
                    format!("该企业已因“{kname}”获得奖励（奖励 #{prev}）：同一称号只奖励一次，复审或重新认定不是新称号。"),
                ));
                continue;
            }
            if kinds.iter().find(|k| k.code == c.kind).and_then(|k| crate::cert::kinds::level_conflict(k, &c.level)).is_some() {
                excluded.push(exclude(
                    c,
                    p,
                    "kind_level_mismatch",
                    format!("认定记载的级别是“{}”，而“{}”奖励的是{kname}：级别不符，不予奖励。请核对认定记录。", c.level, crate::text::nested(&p.name_zh)),
                ));
                continue;
            }
            let Some(amount) = p.default_amount_fen else {
                excluded.push(exclude(
                    c,
                    p,
                    "amount_not_set",
                    format!(
                        "“{}”的奖励金额由本区确定，尚未设置。请在“设置 → 支持项目与预算”中填写（或 huiqi program set-amount）后再扫描。",
                        crate::text::nested(&p.name_zh)
                    ),
                ));
                continue;
            };
            let capped = p.cap_fen.map_or(amount, |cap| amount.min(cap));
            let said = kinds
                .iter()
                .find(|k| k.code == c.kind)
                .map(|k| crate::cert::kinds::achievement(k, &c.certificate_no, &c.issued_on))
                .unwrap_or_else(|| kname.clone());
            let steps = title_steps(c, p, &said, &art, amount, capped);
            candidates.push(Proposal {
                certification_id: c.id,
                program_id: p.id,
                program_code: p.code.clone(),
                program_name_zh: p.name_zh.clone(),
                article: p.article,
                enterprise_id: c.enterprise_id,
                enterprise_name: c.enterprise_name.clone(),
                uscc: c.uscc.clone(),
                cert_kind: c.kind.clone(),
                certificate_no: c.certificate_no.clone(),
                issued_on: c.issued_on.clone(),
                amount_fen: capped,
                cap_fen: p.cap_fen,
                basis: RewardBasis::Title,
                full_amount_fen: capped,
                already_fen: 0,
                tops_up: None,
                steps,
            });
        }
    }
    let drop = highest_only(db, &programs, &mut candidates, &mut excluded)?;
    let proposals: Vec<Proposal> = candidates.into_iter().zip(drop).filter(|(_, d)| !d).map(|(c, _)| c).collect();
    let total_fen = proposals.iter().map(|p| p.amount_fen).sum();
    Ok(ScanResult { proposals, excluded, total_fen })
}

/// 就高不重复: within a stacking group an enterprise receives the highest title's amount once —
/// the higher of titles that arrive together, and the difference (补差) when a higher title
/// follows one rewarded before. Returns which candidates are dropped (each named in `excluded`).
fn highest_only(db: &Db, programs: &[crate::policy::Program], candidates: &mut [Proposal], excluded: &mut Vec<Excluded>) -> Result<Vec<bool>> {
    let group_of = |code: &str| programs.iter().find(|p| p.code == code).and_then(|p| if p.allow_stacking { None } else { p.stacking_group.clone() });
    let mut groups: BTreeMap<(i64, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter_mut().enumerate() {
        match group_of(&c.program_code) {
            Some(g) => groups.entry((c.enterprise_id, g)).or_default().push(i),
            None => {
                let text = "本项目不与其他奖励互斥。".to_string();
                let basis = Basis { kind: "rule".into(), reference: format!("支持项目 · {}", c.program_name_zh) };
                c.steps.push(step("stacking", "就高不重复", "Highest only", json!({"group": null}), json!(true), text, basis));
            }
        }
    }
    let mut drop = vec![false; candidates.len()];
    for ((eid, group), idx) in &groups {
        let given = sql::group_rewards(db.conn(), *eid, group)?;
        let given_total: i64 = given.iter().map(|g| g.amount_fen).sum();
        let best = *idx.iter().max_by_key(|&&i| (candidates[i].amount_fen, std::cmp::Reverse(i))).expect("non-empty group");
        let labels: Vec<String> = candidates.iter().map(|c| format!("{}（{} 元）", c.program_name_zh, fmt_yuan(c.amount_fen))).collect();
        let label = |i: usize| labels[i].clone();
        let given_text = given.iter().map(|g| format!("{}（奖励 #{}，{} 元）", g.program_name_zh, g.id, fmt_yuan(g.amount_fen))).collect::<Vec<_>>().join("、");
        for &i in idx {
            if i != best {
                drop[i] = true;
                excluded.push(Excluded {
                    certification_id: candidates[i].certification_id,
                    program_code: candidates[i].program_code.clone(),
                    enterprise_name: candidates[i].enterprise_name.clone(),
                    code: "not_stacked".into(),
                    reason_zh: format!("就高不重复：该企业同时符合{}和{}，按较高的一项奖励。", label(best), label(i)),
                });
                continue;
            }
            let full = candidates[i].amount_fen;
            if given_total >= full {
                drop[i] = true;
                excluded.push(Excluded {
                    certification_id: candidates[i].certification_id,
                    program_code: candidates[i].program_code.clone(),
                    enterprise_name: candidates[i].enterprise_name.clone(),
                    code: "not_stacked".into(),
                    reason_zh: format!("就高不重复：该企业已获同类奖励{given_text}，合计 {} 元，不低于{}，不再重复奖励。", fmt_yuan(given_total), label(i)),
                });
                continue;
            }
            let others: Vec<String> = idx.iter().filter(|&&j| j != i).map(|&j| label(j)).collect();
            let c = &mut candidates[i];
            if given_total > 0 {
                c.basis = RewardBasis::TopUp;
                c.already_fen = given_total;
                c.amount_fen = full - given_total;
                c.tops_up = given.iter().max_by_key(|g| (g.amount_fen, g.id)).map(|g| g.id);
                c.steps.push(step(
                    "top_up",
                    "补差",
                    "Difference",
                    json!({"group": group, "already": given.iter().map(|g| json!({"reward_id": g.id, "program": g.program_code, "amount_fen": g.amount_fen})).collect::<Vec<_>>(), "full_amount_fen": full}),
                    json!(full - given_total),
                    format!(
                        "就高不重复：该企业此前已获同类奖励{given_text}，本项{} {} 元较高，补足差额 {} − {} = {} 元。",
                        c.program_name_zh,
                        fmt_yuan(full),
                        fmt_yuan(full),
                        fmt_yuan(given_total),
                        fmt_yuan(full - given_total)
                    ),
                    Basis { kind: "rule".into(), reference: "就高不重复 · 补差".into() },
                ));
            } else {
                c.steps.push(step(
                    "stacking",
                    "就高不重复",
                    "Highest only",
                    json!({"group": group, "others": others}),
                    json!(true),
                    if others.is_empty() {
                        format!("{}中该企业此前未获奖励，本项照标准奖励。", group_label(group))
                    } else {
                        format!("该企业还符合{}，按就高不重复只奖励本项。", others.join("、"))
                    },
                    Basis { kind: "rule".into(), reference: "就高不重复".into() },
                ));
            }
        }
    }
    Ok(drop)
}

/// A title's reward explained: the certification, the program and its clause, the amount.
fn title_steps(c: &crate::cert::Certification, p: &crate::policy::Program, said: &str, art: &str, amount: i64, capped: i64) -> Vec<Step> {
    vec![
        step(
            "certification",
            "认定",
            "Certification",
            json!({"kind": c.kind, "certificate_no": c.certificate_no, "issued_on": c.issued_on}),
            json!(true),
            format!("{}{said}。", c.enterprise_name),
            Basis {
                kind: "input".into(), reference: if c.source == "import" { format!("导入批次 #{}", c.batch_id.unwrap_or(0)) } else { "认定登记".into() }
            },
        ),
        step(
            "program",
            "支持项目",
            "Program",
            json!({"program": p.code, "article": p.article, "cap_fen": p.cap_fen}),
            json!(p.code),
            format!("适用“{}”{}。", crate::text::nested(&p.name_zh), p.cap_fen.map(|c| format!("，条款规定最高 {} 元", fmt_yuan(c))).unwrap_or_default()),
            Basis { kind: "clause".into(), reference: art.to_string() },
        ),
        step(
            "amount",
            "奖励金额",
            "Amount",
            json!({"default_amount_fen": amount, "cap_fen": p.cap_fen}),
            json!(capped),
            if capped < amount {
                format!("本区标准 {} 元，超过上限，按上限 {} 元。", fmt_yuan(amount), fmt_yuan(capped))
            } else {
                format!("按本区标准 {} 元{}。", fmt_yuan(capped), p.cap_fen.map(|_| "，未超过条款上限").unwrap_or(""))
            },
            Basis { kind: "rule".into(), reference: format!("支持项目 · {}", p.name_zh) },
        ),
    ]
}

fn this_year() -> i32 {
    crate::model::date::today().year()
}

/// Check the programs' budgets for these amounts; the over-budget error when passed.
fn budget_check(db: &Db, items: &[(i64, i64)]) -> Result<Option<Error>> {
    let mut by_program: BTreeMap<i64, i64> = BTreeMap::new();
    for (p, a) in items {
        *by_program.entry(*p).or_default() += a;
    }
    for (p, adding) in by_program {
        let (allocated, approved) = crate::store::policy::committed_fen(db.conn(), p, this_year())?;
        if approved + adding > allocated {
            let prog = crate::store::policy::program_by_id(db.conn(), p)?.ok_or(Error::NotFound { entity: "program", key: p.to_string() })?;
            return Ok(Some(
                Error::refused(
                    "over_budget",
                    format!(
                        "{}年“{}”预算 {} 元，已批准 {} 元，本次 {} 元，将超出 {} 元。确认超预算批准吗？此操作会被记录。",
                        this_year(),
                        crate::text::nested(&prog.name_zh),
                        fmt_yuan(allocated),
                        fmt_yuan(approved),
                        fmt_yuan(adding),
                        fmt_yuan(approved + adding - allocated)
                    ),
                    format!("This passes the {} budget of {} by {}.", this_year(), prog.name_en, fmt_yuan(approved + adding - allocated)),
                )
                .with_details(json!({"program": prog.code, "allocated_fen": allocated, "approved_fen": approved, "adding_fen": adding})),
            ));
        }
    }
    Ok(None)
}

/// Confirm scan proposals in one batch: each becomes a reward, approved at its amount.
pub fn confirm(db: &mut Db, picks: &[RewardPick], confirm_over_budget: bool) -> Result<Vec<Reward>> {
    if picks.is_empty() {
        return Err(Error::invalid("missing_required", "请至少选择一项奖励。", "Choose at least one reward."));
    }
    let scan = scan(db)?;
    let mut chosen = Vec::new();
    for p in picks {
        let prop = scan.proposals.iter().find(|x| x.certification_id == p.certification_id && x.program_id == p.program_id).ok_or_else(|| {
            Error::refused(
                "not_proposed",
                "所选奖励已不在待发放名单中（可能已生成或不符合条件），请重新扫描。",
                "That reward is no longer proposed; scan again.",
            )
        })?;
        chosen.push(prop.clone());
    }
    let over = budget_check(db, &chosen.iter().map(|c| (c.program_id, c.amount_fen)).collect::<Vec<_>>())?;
    let flag = over.is_some();
    if let (Some(e), false) = (over, confirm_over_budget) {
        return Err(e);
    }
    let year = this_year();
    let mut clause_ids = BTreeMap::new();
    for c in &chosen {
        if let std::collections::btree_map::Entry::Vacant(e) = clause_ids.entry(c.article) {
            e.insert(crate::policy::current_clause(db, c.article)?.id);
        }
    }
    let ids = db.write(|tx| {
        crate::store::policy::ensure_year_budgets(tx, year)?;
        let mut ids = Vec::new();
        for c in &chosen {
            let id = sql::insert_reward(tx, c, clause_ids[&c.article], year)?;
            sql::set_reward_status(tx, id, RewardStatus::Approved, Some(c.amount_fen), None, Some((year, flag)), "approve")?;
            ids.push(id);
        }
        Ok(ids)
    })?;
    ids.into_iter().map(|id| get(db, id)).collect()
}

pub fn get(db: &Db, id: i64) -> Result<Reward> {
    sql::reward(db.conn(), id)?.ok_or(Error::NotFound { entity: "reward", key: id.to_string() })
}

pub fn list(db: &Db, status: Option<RewardStatus>, enterprise: Option<i64>) -> Result<Vec<Reward>> {
    sql::rewards(db.conn(), status, enterprise)
}

/// A reward as the payout lifecycle sees it.
fn payout_of(r: &Reward) -> Payout<'_> {
    let stage = match r.status {
        RewardStatus::Draft => Stage::Draft,
        RewardStatus::Approved => Stage::Approved,
        RewardStatus::Disbursed => Stage::Disbursed,
        RewardStatus::Rejected => Stage::Rejected,
        RewardStatus::Revoked => Stage::Revoked,
    };
    Payout {
        noun: ("奖励", "reward"),
        id: r.id,
        stage,
        status_zh: r.status.label_zh(),
        status_en: r.status.as_str(),
        ceiling_fen: r.amount_fen,
        ceiling_zh: "拟奖励金额",
        approved_fen: r.approved_fen,
        paid_fen: r.paid_fen,
    }
}

/// Approve a draft at its amount or lower ("up to" programs; a lower amount needs its reason).
/// An approved, unpaid reward approved again lower is amended (not while a 公示 holds it).
pub fn approve(db: &mut Db, id: i64, amount_fen: Option<i64>, reason: Option<&str>, confirm_over_budget: bool) -> Result<Reward> {
    let r = get(db, id)?;
    if let (RewardStatus::Approved, Some(a)) = (r.status, amount_fen) {
        if a < r.approved_fen.unwrap_or(r.amount_fen) {
            if payout::hold(db, None, Some(id), crate::model::date::today())?.is_some() {
                return Err(Error::refused(
                    "in_publicity",
                    "该奖励正在公示或有待处理的异议：调整金额请通过公示异议处理。",
                    "It is on a running 公示 list: amend it by resolving an objection.",
                ));
            }
            return amend(db, id, a, reason.unwrap_or(""));
        }
    }
    let (amount, why_lower) = payout::approve(&payout_of(&r), amount_fen, reason)?;
    let over = budget_check(db, &[(r.program_id, amount)])?;
    let flag = over.is_some();
    if let (Some(e), false) = (over, confirm_over_budget) {
        return Err(e);
    }
    let year = this_year();
    db.write(|tx| {
        crate::store::policy::ensure_year_budgets(tx, year)?;
        sql::set_reward_status(tx, id, RewardStatus::Approved, Some(amount), why_lower.as_deref(), Some((year, flag)), "approve")
    })?;
    get(db, id)
}

/// A performance-based reward (创新联合体, 新型共性技术平台, “双向孵化”): the office sets the amount
/// with its scoring note, within the clause's cap. Drafted; approved like any reward.
pub fn add_performance(db: &mut Db, program_code: &str, uscc: &str, amount_fen: i64, note: &str) -> Result<Reward> {
    let p = crate::policy::program(db, program_code)?;
    if p.kind != "reward" || p.cert_kind.is_some() {
        return Err(Error::invalid(
            "not_performance_based",
            format!("“{}”按认定称号奖励（用“免申即享”扫描），不是由本区评审定额的项目。", crate::text::nested(&p.name_zh)),
            format!("“{}” rewards a title (use the scan), not a performance-based amount.", p.name_en),
        ));
    }
    let note = crate::text::clean(note);
    if note.is_empty() {
        return Err(Error::invalid("reason_required", "请填写评审说明（得分、依据）。", "Enter the scoring note.").with_details(json!({"field": "note"})));
    }
    if amount_fen <= 0 {
        return Err(Error::invalid("out_of_range", "奖励金额必须大于0。", "The amount must be above 0.").with_details(json!({"field": "amount_fen"})));
    }
    if let Some(cap) = p.cap_fen.filter(|c| amount_fen > *c) {
        return Err(Error::invalid(
            "over_cap",
            format!("“{}”的条款规定最高 {} 元，不能给予 {} 元。", crate::text::nested(&p.name_zh), fmt_yuan(cap), fmt_yuan(amount_fen)),
            format!("The clause caps “{}” at {}.", p.name_en, fmt_yuan(cap)),
        )
        .with_details(json!({"field": "amount_fen", "cap_fen": cap})));
    }
    let e = crate::enterprise::find(db, uscc)?;
    let clause = crate::policy::current_clause(db, p.article)?;
    let art = format!("第{}条（第{}版）", crate::policy::chinese_number(p.article), clause.version);
    let steps = vec![
        step(
            "program",
            "支持项目",
            "Program",
            json!({"program": p.code, "article": p.article, "cap_fen": p.cap_fen}),
            json!(p.code),
            format!(
                "适用“{}”{}，按绩效评审确定金额。",
                crate::text::nested(&p.name_zh),
                p.cap_fen.map(|c| format!("，条款规定最高 {} 元", fmt_yuan(c))).unwrap_or_default()
            ),
            Basis { kind: "clause".into(), reference: art },
        ),
        step(
            "amount",
            "奖励金额",
            "Amount",
            json!({"amount_fen": amount_fen, "cap_fen": p.cap_fen, "note": note}),
            json!(amount_fen),
            format!("评审确定 {} 元{}。评审说明：{note}", fmt_yuan(amount_fen), p.cap_fen.map(|_| "，未超过条款上限").unwrap_or("")),
            Basis { kind: "input".into(), reference: "绩效评审".into() },
        ),
    ];
    let prop = Proposal {
        certification_id: 0,
        program_id: p.id,
        program_code: p.code.clone(),
        program_name_zh: p.name_zh.clone(),
        article: p.article,
        enterprise_id: e.id,
        enterprise_name: e.name.clone(),
        uscc: e.uscc.clone(),
        cert_kind: String::new(),
        certificate_no: String::new(),
        issued_on: String::new(),
        amount_fen,
        cap_fen: p.cap_fen,
        basis: RewardBasis::Performance,
        full_amount_fen: amount_fen,
        already_fen: 0,
        tops_up: None,
        steps,
    };
    let year = this_year();
    let id = db.write(|tx| {
        let id = sql::insert_reward(tx, &prop, clause.id, year)?;
        sql::set_reward_note(tx, id, &note)?;
        Ok(id)
    })?;
    get(db, id)
}

pub fn reject(db: &mut Db, id: i64, reason: &str) -> Result<Reward> {
    let r = get(db, id)?;
    let reason = payout::reject(&payout_of(&r), reason)?;
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Rejected, None, Some(&reason), None, "reject"))?;
    get(db, id)
}

pub fn revoke(db: &mut Db, id: i64, reason: &str) -> Result<Reward> {
    let r = get(db, id)?;
    let reason = payout::revoke(&payout_of(&r), reason)?;
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Revoked, None, Some(&reason), None, "revoke"))?;
    get(db, id)
}

/// Lower an approved reward's amount (an objection to its 公示 partly upheld, an "up to" amount
/// decided lower), with the reason.
pub fn amend(db: &mut Db, id: i64, amount_fen: i64, reason: &str) -> Result<Reward> {
    let r = get(db, id)?;
    let reason = payout::amend(&payout_of(&r), amount_fen, reason)?;
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Approved, Some(amount_fen), Some(&reason), None, "amend"))?;
    get(db, id)
}

/// Record a payment; partial payments add up, never beyond the approved amount, never while a
/// 公示 holds the reward.
pub fn pay(db: &mut Db, id: i64, amount_fen: i64, paid_on: &str, reference: &str) -> Result<Reward> {
    let r = get(db, id)?;
    let today = crate::model::date::today();
    let hold = payout::hold(db, None, Some(id), today)?;
    let d = payout::pay(&payout_of(&r), amount_fen, paid_on, reference, today, hold)?;
    db.write(|tx| {
        sql::insert_reward_payment(tx, id, amount_fen, &d.paid_on.to_string(), &d.reference)?;
        if d.completes {
            sql::set_reward_status(tx, id, RewardStatus::Disbursed, None, None, None, "disburse")?;
        }
        Ok(())
    })?;
    get(db, id)
}
