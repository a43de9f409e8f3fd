//! Certifications and rewards: the kinds (shipped as data, with their validity, wording and level),
//! certificates, reminders, and rewards from the scan's proposal to payment.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::rent::{ClauseRef, Step};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Certification {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub park: Option<String>,
    pub sector: String,
    pub kind: String,
    pub certificate_no: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    /// The given expiry disagrees with the kind's validity rule (kept as given).
    pub expiry_differs_from_rule: bool,
    pub level: String,
    /// manual | import | demo
    pub source: String,
    pub batch_id: Option<i64>,
    pub revoked: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CertInput {
    /// The enterprise, by USCC.
    pub uscc: String,
    pub kind: String,
    pub certificate_no: Option<String>,
    pub issued_on: String,
    /// Derived from the kind's validity rule when absent.
    pub expires_on: Option<String>,
    pub level: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// 有效期届满
    Expiry,
    /// 开始准备复审/重新认定
    RenewalPrep,
    /// 高企年报（5月31日前）
    AnnualReport,
    /// 科技型中小企业评价
    EvaluationWindow,
    /// 专精特新复核
    Review,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Milestone {
    pub date: String,
    pub kind: MilestoneKind,
    /// Days from today (negative: overdue).
    pub days: i64,
    pub overdue: bool,
    pub certification_id: i64,
    pub cert_kind: String,
    pub certificate_no: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub park: Option<String>,
    pub text_zh: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReminderSettings {
    /// Look ahead this many days (default 90).
    pub window_days: i64,
    /// Renewal preparation starts this many days before expiry (default 180).
    pub renewal_lead_days: i64,
    /// An expiry or deadline passed within this many days still shows (overdue).
    pub overdue_days: i64,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings { window_days: 90, renewal_lead_days: 180, overdue_days: 60 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct Validity {
    /// Valid this many years from the issue date (expires the day before the anniversary).
    pub years: Option<u32>,
    /// Valid until 31 December of the year of issue (evaluation year).
    pub calendar_year: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CertKind {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub synonyms: Vec<String>,
    /// None: the certification does not expire (a one-off title).
    pub validity: Option<Validity>,
    #[serde(default)]
    pub annual_report: Option<MonthDay>,
    #[serde(default)]
    pub evaluation_window: Option<EvalWindow>,
    #[serde(default)]
    pub review: Option<bool>,
    /// How a notice says the enterprise got it: 获评 (default: a title with its certificate),
    /// 入选 (a published list: `list_name`, the certificate number optional), 首次突破.
    #[serde(default)]
    pub wording: Option<String>,
    #[serde(default)]
    pub list_name: Option<String>,
    /// The level of the title: "national" or "provincial" (None: the name carries no level, e.g.
    /// 科技型中小企业, which provinces evaluate under a national rule).
    #[serde(default)]
    pub level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EvalWindow {
    pub from: MonthDay,
    pub to: MonthDay,
}

#[derive(Deserialize)]
struct Catalog {
    kinds: Vec<CertKind>,
}

pub const DEFAULT_JSON: &str = include_str!("../../../../assets/policy/cert-kinds.json");

pub fn defaults() -> Vec<CertKind> {
    serde_json::from_str::<Catalog>(DEFAULT_JSON).expect("assets/policy/cert-kinds.json is valid").kinds
}

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

/// What a reward is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RewardBasis {
    /// A title the program rewards (获评 / 入选 / 首次突破).
    Title,
    /// The difference (补差): a higher title of a 就高不重复 group after a lower one was rewarded.
    TopUp,
    /// A performance-based amount the office sets with its scoring note, within the cap.
    Performance,
}

impl RewardBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardBasis::Title => "title",
            RewardBasis::TopUp => "top_up",
            RewardBasis::Performance => "performance",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "top_up" => RewardBasis::TopUp,
            "performance" => RewardBasis::Performance,
            _ => RewardBasis::Title,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Reward {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    /// The certification rewarded (none for a performance-based reward).
    pub certification_id: Option<i64>,
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
    pub basis: RewardBasis,
    /// The earlier reward of the same group whose amount this 补差 completes.
    pub tops_up: Option<i64>,
    /// The scoring note (performance-based) or why less than the standard was approved.
    pub note: String,
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
    /// What is paid now: the program's amount, or the difference to what the group already gave.
    pub amount_fen: i64,
    pub cap_fen: Option<i64>,
    pub basis: RewardBasis,
    /// The program's amount for this title (before the difference).
    pub full_amount_fen: i64,
    /// What the enterprise already received in the same 就高不重复 group.
    pub already_fen: i64,
    pub tops_up: Option<i64>,
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

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RewardPick {
    pub certification_id: i64,
    pub program_id: i64,
}
