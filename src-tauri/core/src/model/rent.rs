//! The rent subsidy's types: the district's rule scheme and its limits, leases, growth reports,
//! applications, the calculation's input and its explained result, the ledger timeline, grants
//! and payments.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Fixed by the policy (article 2): no version of the district's rule may relax these.
pub const MAX_RATE_BP: i64 = 10_000;

pub const MAX_MONTHS: i64 = 36;

pub const MAX_YEARS: i64 = 3;

pub const RENT_ARTICLE: i64 = 2;

pub const DEFAULT_RULES_JSON: &str = include_str!("../../../../assets/policy/rent-rules.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Tier {
    /// Revenue growth at least this (basis points: 3000 = 30%).
    pub min_growth_bp: i64,
    /// Subsidy rate (basis points: 10000 = 100%).
    pub rate_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RentRules {
    pub max_company_age_years: i64,
    /// Certification kinds that make an enterprise eligible (any one, valid at the period start).
    pub eligible_certifications: Vec<String>,
    /// Highest first.
    pub tiers: Vec<Tier>,
    pub unit_rent_cap_fen: Option<i64>,
    pub area_cap_centi_m2: Option<i64>,
    pub yearly_cap_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RuleVersion {
    pub version: i64,
    pub rules: RentRules,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

pub fn default_rules() -> RentRules {
    serde_json::from_str(DEFAULT_RULES_JSON).expect("assets/policy/rent-rules.json is valid")
}

pub fn default_rules_json() -> String {
    serde_json::to_string(&default_rules()).expect("serialisable")
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RuleProblem {
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Lease {
    pub id: i64,
    pub enterprise_id: i64,
    pub address: String,
    pub area_centi_m2: i64,
    pub unit_rent_fen: i64,
    pub start_on: String,
    pub end_on: String,
    pub annual_rent_fen: Option<i64>,
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeaseInput {
    pub address: Option<String>,
    pub area_centi_m2: i64,
    pub unit_rent_fen: i64,
    pub start_on: String,
    pub end_on: String,
    pub annual_rent_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GrowthReport {
    pub enterprise_id: i64,
    pub year: i32,
    pub revenue_fen: Option<i64>,
    pub rd_fen: Option<i64>,
    pub staff: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Application {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    /// The enterprise's park (today's, from the registry).
    pub park: Option<String>,
    pub lease: Lease,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    pub revenue_prev_fen: Option<i64>,
    pub revenue_curr_fen: Option<i64>,
    pub requested_fen: Option<i64>,
    pub source: String,
    pub batch_id: Option<i64>,
    /// The grant made from it, if any (the latest, whatever its status: a refused application is
    /// not drafted again).
    pub grant_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct ApplicationInput {
    pub lease_id: i64,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    pub revenue_prev_fen: Option<i64>,
    pub revenue_curr_fen: Option<i64>,
    pub requested_fen: Option<i64>,
}

/// Days one live grant subsidises.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TimelineStretch {
    pub grant_id: i64,
    pub status: GrantStatus,
    pub lease_id: i64,
    pub address: String,
    pub start: String,
    pub end: String,
    pub area_centi_m2: i64,
    pub month_units: i64,
    pub months: f64,
    /// The month fractions written out: "17/31 + 11 + 14/31".
    pub fractions: String,
}

/// Days a live grant's application asked for and did not get, and why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TimelineCut {
    /// The grant whose calculation cut these days.
    pub grant_id: i64,
    pub start: String,
    pub end: String,
    pub reason: String,
    /// The grant that already covered them (premises or area), when one did.
    pub covered_by: Option<i64>,
    pub months: f64,
    pub message_zh: String,
    pub message_en: String,
}

/// The enterprise's subsidised time: leases, the days each live grant covers, the cuts, the 36
/// months used and left.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Timeline {
    pub enterprise_id: i64,
    pub uscc: String,
    pub name: String,
    pub founded_on: Option<String>,
    /// The last day the firm is younger than the rule's age limit.
    pub young_until: Option<String>,
    pub leases: Vec<Lease>,
    pub certifications: Vec<CertSpan>,
    pub stretches: Vec<TimelineStretch>,
    pub cuts: Vec<TimelineCut>,
    pub month_units_used: i64,
    pub months_used: f64,
    pub month_units_left: i64,
    pub months_left: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Disbursed,
    Revoked,
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Draft => "draft",
            GrantStatus::Submitted => "submitted",
            GrantStatus::Approved => "approved",
            GrantStatus::Rejected => "rejected",
            GrantStatus::Disbursed => "disbursed",
            GrantStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<GrantStatus> {
        Some(match s {
            "draft" => GrantStatus::Draft,
            "submitted" => GrantStatus::Submitted,
            "approved" => GrantStatus::Approved,
            "rejected" => GrantStatus::Rejected,
            "disbursed" => GrantStatus::Disbursed,
            "revoked" => GrantStatus::Revoked,
            _ => return None,
        })
    }
    /// A live grant covers its days: no other grant pays them again.
    pub fn is_live(self) -> bool {
        matches!(self, GrantStatus::Draft | GrantStatus::Submitted | GrantStatus::Approved | GrantStatus::Disbursed)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            GrantStatus::Draft => "草稿",
            GrantStatus::Submitted => "已提交",
            GrantStatus::Approved => "已批准",
            GrantStatus::Rejected => "未通过",
            GrantStatus::Disbursed => "已拨付",
            GrantStatus::Revoked => "已撤销",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Grant {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    /// The enterprise's park (today's, from the registry): the rent list filters by it.
    pub park: Option<String>,
    pub application_id: Option<i64>,
    pub lease_id: i64,
    pub program_code: String,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    /// Months subsidised (exact when whole; `month_units` is exact always).
    pub months: f64,
    /// Months in units of 1/377,580 month (see `calendar`).
    pub month_units: i64,
    /// 1: whole calendar months (grants made before the ledger rules); 2: calendar days.
    pub method: i64,
    /// Days of the application not subsidised, and why (calendar-day grants).
    pub cuts: Vec<Cut>,
    /// Months of the enterprise other live grants had subsidised when this one was calculated.
    pub months_used_before: f64,
    pub rate_bp: i64,
    pub eligible_unit_rent_fen: i64,
    pub eligible_area_centi_m2: i64,
    pub computed_fen: i64,
    pub requested_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub paid_fen: i64,
    pub status: GrantStatus,
    pub reason: String,
    pub budget_year: i32,
    pub over_budget: bool,
    pub rule_version: i64,
    pub clause: ClauseRef,
    pub explanation: CalcResult,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Payment {
    pub id: i64,
    pub amount_fen: i64,
    pub paid_on: String,
    pub reference: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BatchApproval {
    pub approved: i64,
    pub total_fen: i64,
    pub over_budget: bool,
}

/// The calculation method a grant was made with: 1 = whole calendar months (before the ledger
/// rules; kept by the grants made with it), 2 = calendar days against the ledger.
pub const METHOD_WHOLE_MONTHS: i64 = 1;

pub const METHOD_CALENDAR_DAYS: i64 = 2;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CalcInput {
    pub area_centi_m2: i64,
    /// per ㎡ per month
    pub unit_rent_fen: i64,
    pub period_start: String,
    pub period_end: String,
    /// The lease's own dates: the period is clipped to them (default: the period).
    #[serde(default)]
    pub lease_start: Option<String>,
    #[serde(default)]
    pub lease_end: Option<String>,
    /// Revenue of the year before the period's first year (上年).
    pub revenue_prev_fen: Option<i64>,
    /// Revenue of the period's first calendar year (本年).
    pub revenue_curr_fen: Option<i64>,
    pub founded_on: Option<String>,
    /// Certification kinds held over the whole period (the what-if calculator).
    #[serde(default)]
    pub certifications: Vec<String>,
    /// The enterprise's certifications with their validity (the registry): checked day by day.
    /// When given, `certifications` is not used.
    #[serde(default)]
    pub cert_spans: Option<Vec<CertSpan>>,
    /// Whole months subsidised before, not placed on days (the what-if calculator).
    #[serde(default)]
    pub months_before: i64,
    /// Days the enterprise's live grants already subsidise (the registry).
    #[serde(default)]
    #[ts(as = "Option<Vec<Covered>>", optional)]
    pub ledger: Vec<Covered>,
    /// The year the application names (第几年): compared with the derived year, a warning only.
    pub subsidy_year: Option<i64>,
    pub requested_fen: Option<i64>,
}

/// A certification and the days it is valid (both included; no end: does not expire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CertSpan {
    pub kind: String,
    pub from: String,
    pub to: Option<String>,
}

/// Days a live grant subsidises, with the area it subsidises on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Covered {
    pub grant_id: i64,
    pub start: String,
    pub end: String,
    pub area_centi_m2: i64,
    /// The same premises as the application (same lease, or the same address).
    pub same_premises: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Basis {
    /// clause | rule | policy_limit | input
    pub kind: String,
    /// e.g. "第二条（第1版）" or "补贴规则第1版 · 租金单价上限"
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Step {
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    #[ts(type = "Record<string, unknown>")]
    pub inputs: Value,
    #[ts(type = "unknown")]
    pub result: Value,
    /// One line a program manager reads: what was done, with the numbers.
    pub text_zh: String,
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Reason {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ClauseRef {
    pub article: i64,
    pub version: i64,
}

/// Kept days with one subsidised area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Stretch {
    pub start: String,
    pub end: String,
    pub area_centi_m2: i64,
    /// Month fractions of these days, exact (units of 1/377,580 month).
    pub month_units: i64,
    /// The same as a number of months (exact when whole).
    pub months: f64,
    /// The month fractions written out: "17/31 + 11 + 14/31".
    #[serde(default)]
    pub fractions: String,
}

/// Days of the application that are not subsidised, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Cut {
    pub start: String,
    pub end: String,
    /// company_too_old | not_certified | period_already_subsidised | area_cap_reached | months_exhausted
    pub reason: String,
    /// The grant that already covers these days (premises or area), when one does.
    pub grant_id: Option<i64>,
    pub month_units: i64,
    pub months: f64,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct RevenueYears {
    pub prev: i32,
    pub curr: i32,
}

fn method_v1() -> i64 {
    METHOD_WHOLE_MONTHS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CalcResult {
    pub eligible: bool,
    pub rate_bp: i64,
    /// Months subsidised (exact when whole; see `month_units`).
    pub months: f64,
    /// The unit rent counted (after the cap).
    pub unit_rent_fen: i64,
    /// The largest area counted on any day (after the caps).
    pub area_centi_m2: i64,
    pub amount_fen: i64,
    /// The rent of the days counted, at the actual unit rent and area.
    pub rent_fen: i64,
    pub requested_fen: Option<i64>,
    /// amount − requested
    pub difference_fen: Option<i64>,
    pub rule_version: i64,
    pub clause: ClauseRef,
    pub steps: Vec<Step>,
    pub reasons: Vec<Reason>,
    /// 1: whole months (grants made before the ledger rules); 2: calendar days.
    #[serde(default = "method_v1")]
    pub method: i64,
    #[serde(default)]
    pub month_units: i64,
    /// Months of the enterprise subsidised by its other live grants (and `months_before`).
    #[serde(default)]
    pub months_used_before: f64,
    /// Of the 36 months, what is left after this calculation.
    #[serde(default)]
    pub months_left: f64,
    /// The subsidy year (第几年) derived from the months used before the first kept day.
    #[serde(default)]
    pub subsidy_year: Option<i64>,
    #[serde(default)]
    pub revenue_years: Option<RevenueYears>,
    #[serde(default)]
    pub stretches: Vec<Stretch>,
    #[serde(default)]
    pub cuts: Vec<Cut>,
    /// Not reasons to refuse: what the office should look at (a typed year that disagrees).
    #[serde(default)]
    pub warnings: Vec<Reason>,
}
