//! One payout lifecycle for rent grants and rewards: draft → (submitted) → approved → disbursed,
//! or rejected / revoked. This module decides — which status allows which step, the amount
//! approved (never above the ceiling; lower only with its reason), an amendment, a payment (its
//! amount, its date, a 公示 that holds it) — and `rent` and `cert::reward` load and save.
//!
//! Where the two copies had drifted, the rule kept is: an amount is above 0; a grant or a reward is
//! paid only while approved (once disbursed there is nothing left to pay); a payment is dated, not
//! after the business day, and never beyond the approved amount.

use chrono::NaiveDate;
use serde_json::json;

use crate::error::{Error, Result};
use crate::model::publicity::Outcome;
use crate::money::fmt_yuan;
use crate::store::Db;

/// Where a grant or a reward stands, as far as paying it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Submitted,
    Approved,
    Disbursed,
    Rejected,
    Revoked,
}

/// What the lifecycle needs to know of a grant or a reward.
#[derive(Debug, Clone)]
pub struct Payout<'a> {
    /// 补贴 / 奖励, and in English.
    pub noun: (&'static str, &'static str),
    pub id: i64,
    pub stage: Stage,
    /// Its status as the user reads it (待审核, 已批准…), for messages.
    pub status_zh: &'a str,
    pub status_en: &'a str,
    /// The most that may be approved: the computed amount of a grant, the amount of a reward.
    pub ceiling_fen: i64,
    /// What the ceiling is called in messages: 测算金额 / 拟奖励金额.
    pub ceiling_zh: &'static str,
    pub approved_fen: Option<i64>,
    pub paid_fen: i64,
}

impl Payout<'_> {
    /// The refusal of a step this status does not allow.
    pub fn wrong(&self, zh: &str, en: &str) -> Error {
        Error::refused(
            "wrong_status",
            format!("{} #{} 当前状态为“{}”，不能{zh}。", self.noun.0, self.id, self.status_zh),
            format!("{} #{} is {}: it cannot be {en}.", capital(self.noun.1), self.id, self.status_en),
        )
    }
    fn approved(&self) -> i64 {
        self.approved_fen.unwrap_or(self.ceiling_fen)
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A reason the user must give (rejecting, revoking, amending, approving lower): cleaned, not empty.
pub fn reason(text: &str) -> Result<String> {
    let r = crate::text::clean(text);
    if r.is_empty() {
        return Err(Error::invalid("reason_required", "请填写理由。", "A reason is required.").with_details(json!({"field": "reason"})));
    }
    Ok(r)
}

/// Can it be approved now (a draft, or a submitted grant)?
pub fn can_approve(p: &Payout<'_>) -> Result<()> {
    if !matches!(p.stage, Stage::Draft | Stage::Submitted) {
        return Err(p.wrong("批准", "approved"));
    }
    Ok(())
}

/// The amount approved and the reason kept with it: the ceiling by default; lower (核减) only
/// with its reason; never above the ceiling, never 0 (refusing is `reject`).
pub fn approve(p: &Payout<'_>, amount_fen: Option<i64>, why: Option<&str>) -> Result<(i64, Option<String>)> {
    can_approve(p)?;
    let amount = amount_fen.unwrap_or(p.ceiling_fen);
    if amount <= 0 || amount > p.ceiling_fen {
        return Err(Error::invalid(
            "out_of_range",
            format!("批准金额 {} 元应大于0，且不超过{} {} 元。", fmt_yuan(amount), p.ceiling_zh, fmt_yuan(p.ceiling_fen)),
            format!("The approved amount ({}) must be above 0 and at most {}.", fmt_yuan(amount), fmt_yuan(p.ceiling_fen)),
        )
        .with_details(json!({"field": "amount_fen"})));
    }
    if amount == p.ceiling_fen {
        return Ok((amount, None));
    }
    let why = crate::text::clean(why.unwrap_or(""));
    if why.is_empty() {
        return Err(Error::invalid(
            "reason_required",
            format!("批准金额 {} 元低于{} {} 元（核减），请填写核减理由。", fmt_yuan(amount), p.ceiling_zh, fmt_yuan(p.ceiling_fen)),
            "An amount below the computed one needs its reason.",
        )
        .with_details(json!({"field": "reason"})));
    }
    Ok((amount, Some(why)))
}

/// Rejecting: only what is not decided yet (a draft, a submitted grant).
pub fn reject(p: &Payout<'_>, why: &str) -> Result<String> {
    let why = reason(why)?;
    if !matches!(p.stage, Stage::Draft | Stage::Submitted) {
        return Err(p.wrong("驳回", "rejected"));
    }
    Ok(why)
}

/// Revoking: anything not already refused or revoked (an approved or even a paid one, with the
/// reason: a recovery of the money is then the office's business).
pub fn revoke(p: &Payout<'_>, why: &str) -> Result<String> {
    let why = reason(why)?;
    if matches!(p.stage, Stage::Rejected | Stage::Revoked) {
        return Err(p.wrong("撤销", "revoked"));
    }
    Ok(why)
}

/// Lowering an approved amount (an objection to its 公示 partly upheld, an "up to" amount
/// decided lower): below the approved amount, not below what was paid.
pub fn amend(p: &Payout<'_>, amount_fen: i64, why: &str) -> Result<String> {
    let why = reason(why)?;
    if p.stage != Stage::Approved {
        return Err(p.wrong("调整金额", "amended"));
    }
    let approved = p.approved();
    if amount_fen <= 0 || amount_fen >= approved || amount_fen < p.paid_fen {
        return Err(Error::invalid(
            "out_of_range",
            format!("调整后的金额应低于批准金额 {} 元、不低于已拨付的 {} 元。", fmt_yuan(approved), fmt_yuan(p.paid_fen)),
            "The new amount must be below the approved one and not below what was paid.",
        )
        .with_details(json!({"field": "amount_fen"})));
    }
    Ok(why)
}

/// A payment that may be recorded: its day, its reference, and whether it completes the amount.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentDecision {
    pub paid_on: NaiveDate,
    pub reference: String,
    /// The approved amount is then paid in full: the grant or reward becomes disbursed.
    pub completes: bool,
}

/// Paying: only an approved one; a real day not after `today`; above 0 and never beyond the
/// approved amount (partial payments add up); never while a 公示 holds it (`hold`).
pub fn pay(p: &Payout<'_>, amount_fen: i64, paid_on: &str, reference: &str, today: NaiveDate, hold: Option<Error>) -> Result<PaymentDecision> {
    if p.stage != Stage::Approved {
        return Err(p.wrong("拨付", "paid"));
    }
    let on = crate::model::date::parse_date_text(paid_on).ok_or_else(|| {
        Error::invalid("bad_date", format!("拨付日期“{paid_on}”不是有效日期。"), format!("“{paid_on}” is not a date."))
            .with_details(json!({"field": "paid_on"}))
    })?;
    if on > today {
        return Err(Error::invalid("out_of_range", format!("拨付日期 {on} 晚于今天（{today}）：请填写实际拨付的日期。"), "The payment date is after today.")
            .with_details(json!({"field": "paid_on"})));
    }
    if let Some(hold) = hold {
        return Err(hold);
    }
    if amount_fen <= 0 {
        return Err(Error::invalid("out_of_range", "拨付金额必须大于0。", "The payment must be above 0.").with_details(json!({"field": "amount_fen"})));
    }
    let approved = p.approved_fen.unwrap_or(0);
    if p.paid_fen + amount_fen > approved {
        return Err(Error::refused(
            "over_approved",
            format!(
                "已拨付 {} 元，再拨 {} 元将超过批准金额 {} 元。最多还能拨付 {} 元。",
                fmt_yuan(p.paid_fen),
                fmt_yuan(amount_fen),
                fmt_yuan(approved),
                fmt_yuan(approved - p.paid_fen)
            ),
            format!("Paying {} would exceed the approved {} ({} already paid).", fmt_yuan(amount_fen), fmt_yuan(approved), fmt_yuan(p.paid_fen)),
        )
        .with_details(json!({"field": "amount_fen", "left_fen": approved - p.paid_fen})));
    }
    Ok(PaymentDecision { paid_on: on, reference: crate::text::clean(reference), completes: p.paid_fen + amount_fen == approved })
}

/// Why a grant or reward cannot be paid yet because of a 公示: its period has not ended, or an
/// objection against it is open. None: nothing holds it (a period that ended without an
/// objection lets its items move on, closed or not).
pub fn hold(db: &Db, grant: Option<i64>, reward: Option<i64>, today: NaiveDate) -> Result<Option<Error>> {
    for (it, p) in crate::store::publicity::items_of(db.conn(), grant, reward)? {
        let name = p.doc_number.clone().unwrap_or_else(|| format!("公示 #{}", p.id));
        if it.outcome == Outcome::Dropped {
            continue;
        }
        if it.open_objections() > 0 {
            return Ok(Some(
                Error::refused(
                    "objection_open",
                    format!("{name}中有对该事项的异议尚未处理，处理（维持、取消或调整）后才能拨付。"),
                    "An objection against it is open: resolve it first.",
                )
                .with_details(json!({"publicity_id": p.id})),
            ));
        }
        let ends = NaiveDate::parse_from_str(&p.ends_on, "%Y-%m-%d").map_err(|_| Error::Internal(format!("公示 #{} ends on “{}”", p.id, p.ends_on)))?;
        if p.status == "open" && today <= ends {
            return Ok(Some(
                Error::refused(
                    "in_publicity",
                    format!("该事项正在公示（{name}，{} 至 {}），公示期满且无异议后才能拨付。", p.starts_on, p.ends_on),
                    format!("It is being published until {}.", p.ends_on),
                )
                .with_details(json!({"publicity_id": p.id, "ends_on": p.ends_on})),
            ));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(stage: Stage, approved: Option<i64>, paid: i64) -> Payout<'static> {
        Payout {
            noun: ("补贴", "grant"),
            id: 7,
            stage,
            status_zh: "状态",
            status_en: "state",
            ceiling_fen: 100_000,
            ceiling_zh: "测算金额",
            approved_fen: approved,
            paid_fen: paid,
        }
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn approving_takes_the_ceiling_or_less_with_a_reason() {
        assert_eq!(approve(&p(Stage::Draft, None, 0), None, None).unwrap(), (100_000, None));
        assert_eq!(approve(&p(Stage::Submitted, None, 0), Some(100_000), Some("x")).unwrap(), (100_000, None), "no reduction, no reason kept");
        assert_eq!(approve(&p(Stage::Draft, None, 0), Some(60_000), None).unwrap_err().code(), "reason_required");
        assert_eq!(approve(&p(Stage::Draft, None, 0), Some(60_000), Some(" 自用面积 ")).unwrap(), (60_000, Some("自用面积".into())));
        for bad in [0, -1, 100_001] {
            assert_eq!(approve(&p(Stage::Draft, None, 0), Some(bad), Some("x")).unwrap_err().code(), "out_of_range", "{bad}");
        }
        for s in [Stage::Approved, Stage::Disbursed, Stage::Rejected, Stage::Revoked] {
            assert_eq!(approve(&p(s, Some(1), 0), None, None).unwrap_err().code(), "wrong_status");
        }
    }

    #[test]
    fn reject_revoke_and_amend_say_what_status_allows_them() {
        assert_eq!(reject(&p(Stage::Draft, None, 0), "  ").unwrap_err().code(), "reason_required");
        assert_eq!(reject(&p(Stage::Approved, Some(1), 0), "x").unwrap_err().code(), "wrong_status");
        assert_eq!(revoke(&p(Stage::Disbursed, Some(1), 1), "追回").unwrap(), "追回");
        assert_eq!(revoke(&p(Stage::Revoked, None, 0), "x").unwrap_err().code(), "wrong_status");
        let a = p(Stage::Approved, Some(80_000), 30_000);
        assert_eq!(amend(&a, 50_000, "异议属实").unwrap(), "异议属实");
        for bad in [80_000, 90_000, 29_999, 0] {
            assert_eq!(amend(&a, bad, "x").unwrap_err().code(), "out_of_range", "{bad}");
        }
        assert_eq!(amend(&p(Stage::Draft, None, 0), 1, "x").unwrap_err().code(), "wrong_status");
    }

    #[test]
    fn a_payment_is_dated_held_and_bounded() {
        let a = p(Stage::Approved, Some(80_000), 30_000);
        let today = day("2026-03-10");
        let ok = pay(&a, 50_000, "2026-03-10", " 凭证1 ", today, None).unwrap();
        assert_eq!(ok, PaymentDecision { paid_on: today, reference: "凭证1".into(), completes: true });
        assert!(!pay(&a, 10_000, "2026年3月9日", "", today, None).unwrap().completes);
        assert_eq!(pay(&a, 50_001, "2026-03-10", "", today, None).unwrap_err().code(), "over_approved");
        assert_eq!(pay(&a, 0, "2026-03-10", "", today, None).unwrap_err().code(), "out_of_range");
        assert_eq!(pay(&a, 1, "2026-03-11", "", today, None).unwrap_err().code(), "out_of_range");
        assert_eq!(pay(&a, 1, "下周", "", today, None).unwrap_err().code(), "bad_date");
        let held = Error::refused("in_publicity", "x", "x");
        assert_eq!(pay(&a, 1, "2026-03-10", "", today, Some(held)).unwrap_err().code(), "in_publicity");
        // Fully paid, or not approved: nothing to pay.
        for s in [Stage::Disbursed, Stage::Draft, Stage::Submitted, Stage::Rejected, Stage::Revoked] {
            assert_eq!(pay(&p(s, Some(80_000), 80_000), 1, "2026-03-10", "", today, None).unwrap_err().code(), "wrong_status");
        }
    }
}
