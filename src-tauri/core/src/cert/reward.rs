//! Rewards of the policy for certifications (articles 1, 6, 7, 14), 免申即享: the scan finds
//! the certifications that qualify under a program and have no reward yet, proposes each with its
//! explanation (which certification, which clause, which cap, why not stacked), and the user
//! confirms them in one batch. Lifecycle as grants: draft → approved / rejected → paid; revoke.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::money::fmt_yuan;
use crate::rent::{Basis, ClauseRef, Step};
use crate::store::{cert as sql, Db};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RewardStatus {
    Draft,
    Approved,
    Rejected,
    Disbursed,
    Revoked,
}

impl RewardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardStatus::Draft => "draft",
            RewardStatus::Approved => "approved",
            RewardStatus::Rejected => "rejected",
            RewardStatus::Disbursed => "disbursed",
            RewardStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => RewardStatus::Draft,
            "approved" => RewardStatus::Approved,
            "rejected" => RewardStatus::Rejected,
            "disbursed" => RewardStatus::Disbursed,
            "revoked" => RewardStatus::Revoked,
            _ => return None,
        })
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RewardStatus::Draft => "草稿",
            RewardStatus::Approved => "已批准",
            RewardStatus::Rejected => "未通过",
            RewardStatus::Disbursed => "已拨付",
            RewardStatus::Revoked => "已撤销",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Reward {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub certification_id: i64,
    pub cert_kind: String,
    pub certificate_no: String,
    pub issued_on: String,
    pub program_id: i64,
    pub program_code: String,
    pub program_name_zh: String,
    pub article: i64,
    pub amount_fen: i64,
    pub cap_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub paid_fen: i64,
    pub status: RewardStatus,
    pub reason: String,
    pub budget_year: i32,
    pub over_budget: bool,
    pub clause: ClauseRef,
    pub steps: Vec<Step>,
    pub created_at: String,
    pub updated_at: String,
}

/// One reward the scan would draft.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Proposal {
    pub certification_id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_name_zh: String,
    pub article: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub cert_kind: String,
    pub certificate_no: String,
    pub issued_on: String,
    pub amount_fen: i64,
    pub cap_fen: Option<i64>,
    pub steps: Vec<Step>,
}

/// A qualifying certification the scan does not propose, and why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Excluded {
    pub certification_id: i64,
    pub program_code: String,
    pub enterprise_name: String,
    pub code: String,
    pub reason_zh: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ScanResult {
    pub proposals: Vec<Proposal>,
    pub excluded: Vec<Excluded>,
    pub total_fen: i64,
}

/// Certifications issued from this year on count as "new" for the scan (this year and last).
fn since_year() -> i32 {
    crate::cert::today().year() - 1
}

pub fn scan(db: &Db) -> Result<ScanResult> {
    let programs: Vec<_> = crate::policy::programs(db)?.into_iter().filter(|p| p.active && p.kind == "reward" && p.cert_kind.is_some()).collect();
    let kinds = crate::cert::kinds(db)?;
    let rewarded = sql::rewarded(db.conn())?;
    let certs = sql::certifications(db.conn(), None, None, None)?;
    let since = since_year().to_string();
    let mut candidates: Vec<Proposal> = Vec::new();
    let mut excluded: Vec<Excluded> = Vec::new();
    for p in &programs {
        let clause = crate::policy::current_clause(db, p.article)?;
        let art = format!("第{}条（第{}版）", crate::policy::chinese_number(p.article), clause.version);
        for c in certs.iter().filter(|c| Some(&c.kind) == p.cert_kind.as_ref() && c.issued_on[..4] >= *since) {
            if rewarded.contains(&(c.id, p.id)) {
                continue;
            }
            let kname = kinds.iter().find(|k| k.code == c.kind).map(|k| k.name_zh.clone()).unwrap_or_else(|| c.kind.clone());
            let Some(amount) = p.default_amount_fen else {
                excluded.push(Excluded {
                    certification_id: c.id,
                    program_code: p.code.clone(),
                    enterprise_name: c.enterprise_name.clone(),
                    code: "amount_not_set".into(),
                    reason_zh: format!("“{}”的奖励金额由本区确定，尚未设置。请在“设置 → 支持项目与预算”中填写后再扫描。", p.name_zh),
                });
                continue;
            };
            let capped = p.cap_fen.map_or(amount, |cap| amount.min(cap));
            let mut steps = vec![
                Step {
                    code: "certification".into(),
                    title_zh: "认定".into(),
                    title_en: "Certification".into(),
                    inputs: json!({"kind": c.kind, "certificate_no": c.certificate_no, "issued_on": c.issued_on}),
                    result: json!(true),
                    text_zh: format!("{}获评{}（证书 {}，{} 发证）。", c.enterprise_name, kname, c.certificate_no, c.issued_on),
                    basis: Basis { kind: "input".into(), reference: if c.source == "import" { format!("导入批次 #{}", c.batch_id.unwrap_or(0)) } else { "认定登记".into() } },
                },
                Step {
                    code: "program".into(),
                    title_zh: "支持项目".into(),
                    title_en: "Program".into(),
                    inputs: json!({"program": p.code, "article": p.article, "cap_fen": p.cap_fen}),
                    result: json!(p.code),
                    text_zh: format!("适用“{}”{}。", p.name_zh, p.cap_fen.map(|c| format!("，条款规定最高 {} 元", fmt_yuan(c))).unwrap_or_default()),
                    basis: Basis { kind: "clause".into(), reference: art.clone() },
                },
                Step {
                    code: "amount".into(),
                    title_zh: "奖励金额".into(),
                    title_en: "Amount".into(),
                    inputs: json!({"default_amount_fen": amount, "cap_fen": p.cap_fen}),
                    result: json!(capped),
                    text_zh: if capped < amount { format!("本区标准 {} 元，超过上限，按上限 {} 元。", fmt_yuan(amount), fmt_yuan(capped)) } else { format!("按本区标准 {} 元{}。", fmt_yuan(capped), p.cap_fen.map(|_| "，未超过条款上限").unwrap_or("")) },
                    basis: Basis { kind: "rule".into(), reference: format!("支持项目 · {}", p.code) },
                },
            ];
            if p.allow_stacking || p.stacking_group.is_none() {
                steps.push(Step {
                    code: "stacking".into(),
                    title_zh: "就高不重复".into(),
                    title_en: "Highest only".into(),
                    inputs: json!({"group": p.stacking_group, "allow_stacking": p.allow_stacking}),
                    result: json!(true),
                    text_zh: if p.allow_stacking { "本项目允许与其他奖励叠加。".into() } else { "本项目不与其他奖励互斥。".into() },
                    basis: Basis { kind: "rule".into(), reference: format!("支持项目 · {}", p.code) },
                });
            }
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
                steps,
            });
        }
    }
    // 就高不重复: within a stacking group, one enterprise and one year get the higher reward only.
    let group_of = |code: &str| programs.iter().find(|p| p.code == code).and_then(|p| if p.allow_stacking { None } else { p.stacking_group.clone() });
    let mut groups: BTreeMap<(i64, String, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        if let Some(g) = group_of(&c.program_code) {
            groups.entry((c.enterprise_id, g, c.issued_on[..4].to_string())).or_default().push(i);
        }
    }
    let mut drop = vec![false; candidates.len()];
    for ((eid, group, year), idx) in &groups {
        let given = sql::group_rewards(db.conn(), *eid, group, year)?;
        let best = *idx.iter().max_by_key(|&&i| (candidates[i].amount_fen, std::cmp::Reverse(i))).expect("non-empty group");
        let labels: Vec<String> = candidates.iter().map(|c| format!("{}（{} 元）", c.program_name_zh, fmt_yuan(c.amount_fen))).collect();
        let names = |i: usize| labels[i].clone();
        for &i in idx {
            if let Some((code, amount)) = given.first() {
                drop[i] = true;
                excluded.push(Excluded {
                    certification_id: candidates[i].certification_id,
                    program_code: candidates[i].program_code.clone(),
                    enterprise_name: candidates[i].enterprise_name.clone(),
                    code: "not_stacked".into(),
                    reason_zh: format!("就高不重复：该企业{year}年已获同类奖励（{code}，{} 元），不再重复奖励。", fmt_yuan(*amount)),
                });
                continue;
            }
            if i != best {
                drop[i] = true;
                excluded.push(Excluded {
                    certification_id: candidates[i].certification_id,
                    program_code: candidates[i].program_code.clone(),
                    enterprise_name: candidates[i].enterprise_name.clone(),
                    code: "not_stacked".into(),
                    reason_zh: format!("就高不重复：该企业{year}年同时符合{}和{}，按较高的一项奖励。", names(best), names(i)),
                });
            } else {
                let others: Vec<String> = idx.iter().filter(|&&j| j != i).map(|&j| names(j)).collect();
                candidates[i].steps.push(Step {
                    code: "stacking".into(),
                    title_zh: "就高不重复".into(),
                    title_en: "Highest only".into(),
                    inputs: json!({"group": group, "others": others}),
                    result: json!(true),
                    text_zh: if others.is_empty() { format!("同类奖励（{group}）中该企业{year}年仅此一项。") } else { format!("该企业{year}年还符合{}，按就高不重复只奖励本项。", others.join("、")) },
                    basis: Basis { kind: "rule".into(), reference: "就高不重复".into() },
                });
            }
        }
    }
    let proposals: Vec<Proposal> = candidates.into_iter().zip(drop).filter(|(_, d)| !d).map(|(c, _)| c).collect();
    let total_fen = proposals.iter().map(|p| p.amount_fen).sum();
    Ok(ScanResult { proposals, excluded, total_fen })
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RewardPick {
    pub certification_id: i64,
    pub program_id: i64,
}

fn this_year() -> i32 {
    crate::cert::today().year()
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
                    format!("{}年“{}”预算 {} 元，已批准 {} 元，本次 {} 元，将超出 {} 元。确认超预算批准吗？此操作会被记录。", this_year(), prog.name_zh, fmt_yuan(allocated), fmt_yuan(approved), fmt_yuan(adding), fmt_yuan(approved + adding - allocated)),
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
            Error::refused("not_proposed", "所选奖励已不在待发放名单中（可能已生成或不符合条件），请重新扫描。", "That reward is no longer proposed; scan again.")
        })?;
        chosen.push(prop.clone());
    }
    let over = budget_check(db, &chosen.iter().map(|c| (c.program_id, c.amount_fen)).collect::<Vec<_>>())?;
    if over.is_some() && !confirm_over_budget {
        return Err(over.unwrap());
    }
    let flag = over.is_some();
    let year = this_year();
    let mut clause_ids = BTreeMap::new();
    for c in &chosen {
        if let std::collections::btree_map::Entry::Vacant(e) = clause_ids.entry(c.article) {
            e.insert(crate::policy::current_clause(db, c.article)?.id);
        }
    }
    let ids = db.write(|tx| {
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

fn wrong(r: &Reward, zh: &str, en: &str) -> Error {
    Error::refused("wrong_status", format!("奖励 #{} 当前状态为“{}”，不能{zh}。", r.id, r.status.label_zh()), format!("Reward #{} is {}: it cannot be {en}.", r.id, r.status.as_str()))
}

pub fn approve(db: &mut Db, id: i64, confirm_over_budget: bool) -> Result<Reward> {
    let r = get(db, id)?;
    if r.status != RewardStatus::Draft {
        return Err(wrong(&r, "批准", "approved"));
    }
    let over = budget_check(db, &[(r.program_id, r.amount_fen)])?;
    if over.is_some() && !confirm_over_budget {
        return Err(over.unwrap());
    }
    let flag = over.is_some();
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Approved, Some(r.amount_fen), None, Some((this_year(), flag)), "approve"))?;
    get(db, id)
}

fn reason_of(s: &str) -> Result<String> {
    let r = crate::text::clean(s);
    if r.is_empty() {
        return Err(Error::invalid("reason_required", "请填写理由。", "A reason is required.").with_details(json!({"field": "reason"})));
    }
    Ok(r)
}

pub fn reject(db: &mut Db, id: i64, reason: &str) -> Result<Reward> {
    let reason = reason_of(reason)?;
    let r = get(db, id)?;
    if r.status != RewardStatus::Draft {
        return Err(wrong(&r, "驳回", "rejected"));
    }
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Rejected, None, Some(&reason), None, "reject"))?;
    get(db, id)
}

pub fn revoke(db: &mut Db, id: i64, reason: &str) -> Result<Reward> {
    let reason = reason_of(reason)?;
    let r = get(db, id)?;
    if matches!(r.status, RewardStatus::Rejected | RewardStatus::Revoked) {
        return Err(wrong(&r, "撤销", "revoked"));
    }
    db.write(|tx| sql::set_reward_status(tx, id, RewardStatus::Revoked, None, Some(&reason), None, "revoke"))?;
    get(db, id)
}

pub fn pay(db: &mut Db, id: i64, amount_fen: i64, paid_on: &str, reference: &str) -> Result<Reward> {
    let r = get(db, id)?;
    if !matches!(r.status, RewardStatus::Approved) {
        return Err(wrong(&r, "拨付", "paid"));
    }
    let approved = r.approved_fen.unwrap_or(0);
    if amount_fen <= 0 || r.paid_fen + amount_fen > approved {
        return Err(Error::refused(
            "over_approved",
            format!("最多还能拨付 {} 元（批准 {} 元，已拨付 {} 元）。", fmt_yuan(approved - r.paid_fen), fmt_yuan(approved), fmt_yuan(r.paid_fen)),
            format!("At most {} can still be paid.", fmt_yuan(approved - r.paid_fen)),
        )
        .with_details(json!({"field": "amount_fen", "left_fen": approved - r.paid_fen})));
    }
    let d = crate::import::normalize::parse_date_text(paid_on).ok_or_else(|| Error::invalid("bad_date", "拨付日期无效。", "Bad payment date."))?;
    let reference = crate::text::clean(reference);
    let done = r.paid_fen + amount_fen == approved;
    db.write(|tx| {
        sql::insert_reward_payment(tx, id, amount_fen, &d.to_string(), &reference)?;
        if done {
            sql::set_reward_status(tx, id, RewardStatus::Disbursed, None, None, None, "disburse")?;
        }
        Ok(())
    })?;
    get(db, id)
}
