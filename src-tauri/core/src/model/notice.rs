//! Notices: the kinds, templates (shipped as data) and their placeholders, what a notice is about,
//! the quoted clause, the register, verification and batch issue.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const TEMPLATES_JSON: &str = include_str!("../../../../assets/notice/templates.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    RentApproval,
    /// An approval below the computed amount (核减): the reason and the remedies.
    RentReduction,
    RentRejection,
    Reward,
    /// A reward approved below its amount ("up to" amounts): the reason and the remedies.
    RewardReduction,
    /// The difference (补差) when a higher title of a 就高不重复 group follows a lower one.
    RewardTopUp,
    ExpiryReminder,
    /// 公示: the list of grants and rewards proposed, before they are paid.
    Publicity,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 8] = [
        NoticeKind::RentApproval,
        NoticeKind::RentReduction,
        NoticeKind::RentRejection,
        NoticeKind::Reward,
        NoticeKind::RewardReduction,
        NoticeKind::RewardTopUp,
        NoticeKind::ExpiryReminder,
        NoticeKind::Publicity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::RentApproval => "rent_approval",
            NoticeKind::RentReduction => "rent_reduction",
            NoticeKind::RentRejection => "rent_rejection",
            NoticeKind::Reward => "reward",
            NoticeKind::RewardReduction => "reward_reduction",
            NoticeKind::RewardTopUp => "reward_top_up",
            NoticeKind::ExpiryReminder => "expiry_reminder",
            NoticeKind::Publicity => "publicity",
        }
    }
    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            NoticeKind::RentApproval => "房租补贴拨付通知",
            NoticeKind::RentReduction => "房租补贴核减通知",
            NoticeKind::RentRejection => "房租补贴不予补贴通知",
            NoticeKind::Reward => "认定奖励通知",
            NoticeKind::RewardReduction => "奖励核减通知",
            NoticeKind::RewardTopUp => "奖励补差通知",
            NoticeKind::ExpiryReminder => "资格到期提醒函",
            NoticeKind::Publicity => "拟支持企业名单公示",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            NoticeKind::RentApproval => "Rent subsidy approval",
            NoticeKind::RentReduction => "Rent subsidy reduction",
            NoticeKind::RentRejection => "Rent subsidy refusal",
            NoticeKind::Reward => "Reward notice",
            NoticeKind::RewardReduction => "Reward reduction",
            NoticeKind::RewardTopUp => "Reward difference notice",
            NoticeKind::ExpiryReminder => "Expiry reminder letter",
            NoticeKind::Publicity => "Public announcement of the list",
        }
    }
    /// A refusal or a reduction: the notice states the remedies (行政复议, 行政诉讼).
    pub fn needs_remedies(self) -> bool {
        matches!(self, NoticeKind::RentReduction | NoticeKind::RentRejection | NoticeKind::RewardReduction)
    }
    pub fn is_rent(self) -> bool {
        matches!(self, NoticeKind::RentApproval | NoticeKind::RentReduction | NoticeKind::RentRejection)
    }
    /// The placeholders a template of this kind may use (beyond the common ones).
    pub fn own_fields(self) -> &'static [&'static str] {
        match self {
            NoticeKind::RentApproval => {
                &["lease_address", "area", "area_text", "period", "cut_note", "rule_version", "rule_citation", "rate", "months", "amount", "amount_line"]
            }
            NoticeKind::RentReduction => &[
                "lease_address",
                "area",
                "area_text",
                "period",
                "cut_note",
                "rule_version",
                "rule_citation",
                "rate",
                "months",
                "amount",
                "amount_line",
                "computed",
                "reduced",
                "reason",
                "remedies",
            ],
            NoticeKind::RentRejection => &["lease_address", "area", "area_text", "period", "rule_version", "rule_citation", "reason", "remedies"],
            NoticeKind::Reward => &["program", "cert_name", "certificate_no", "issued_on", "achievement", "funds", "amount", "amount_line"],
            NoticeKind::RewardReduction => &[
                "program",
                "cert_name",
                "certificate_no",
                "issued_on",
                "achievement",
                "funds",
                "amount",
                "amount_line",
                "full_amount",
                "reduced",
                "reason",
                "remedies",
            ],
            NoticeKind::RewardTopUp => {
                &["program", "cert_name", "certificate_no", "issued_on", "achievement", "funds", "amount", "amount_line", "earlier", "full_amount"]
            }
            NoticeKind::ExpiryReminder => {
                &["cert_name", "certificate_no", "issued_on", "expires_on", "expiry_phrase", "due", "cert_ref", "renewal", "support_note"]
            }
            NoticeKind::Publicity => &["subject", "what", "days", "starts_on", "ends_on", "contact", "list"],
        }
    }
    /// Placeholders every template of this kind must contain.
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            NoticeKind::RentApproval => &["enterprise", "legal_basis", "rule_citation", "amount", "amount_line"],
            NoticeKind::RentReduction => &["enterprise", "legal_basis", "rule_citation", "amount", "amount_line", "reason", "remedies"],
            NoticeKind::RentRejection => &["enterprise", "rule_citation", "reason", "remedies"],
            NoticeKind::Reward | NoticeKind::RewardTopUp => &["enterprise", "legal_basis", "achievement", "amount", "amount_line"],
            NoticeKind::RewardReduction => &["enterprise", "legal_basis", "achievement", "amount", "amount_line", "reason", "remedies"],
            NoticeKind::ExpiryReminder => &["enterprise", "expiry_phrase"],
            NoticeKind::Publicity => &["list", "days", "starts_on", "ends_on", "contact"],
        }
    }
}

/// One version of a template. Placeholders are `{name}`; each line of `body` is a paragraph.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Template {
    pub kind: NoticeKind,
    pub version: i64,
    /// 通知 or 函
    pub genre: String,
    pub title: String,
    pub body: String,
    pub current: bool,
    pub created_at: String,
    pub created_by: String,
}

/// What a template editor may use: the placeholders of a kind with their labels.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Placeholder {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub required: bool,
}

pub struct TemplateSeed {
    pub kind: NoticeKind,
    pub genre: String,
    pub title: String,
    pub body: String,
}

#[derive(Deserialize)]
struct SeedFile {
    templates: Vec<SeedEntry>,
    #[serde(default)]
    superseded: Vec<SeedEntry>,
}

#[derive(Deserialize)]
struct SeedEntry {
    kind: NoticeKind,
    genre: String,
    title: String,
    body: String,
}

/// The shipped templates (assets/notice/templates.json), and those shipped before them: a
/// database whose current template is one of the earlier ones, unchanged, gets the new one as its
/// next version; a template the office edited is left as it is.
pub fn template_seeds() -> (Vec<TemplateSeed>, Vec<TemplateSeed>) {
    let f: SeedFile = serde_json::from_str(TEMPLATES_JSON).expect("assets/notice/templates.json is valid (tested)");
    let conv = |v: Vec<SeedEntry>| v.into_iter().map(|t| TemplateSeed { kind: t.kind, genre: t.genre, title: t.title, body: t.body }).collect();
    (conv(f.templates), conv(f.superseded))
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Target {
    pub kind: NoticeKind,
    /// A grant (rent kinds), a reward or a certification (expiry reminder).
    pub id: i64,
}

/// The cited clause as it was when the notice was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ClauseSnapshot {
    pub policy_title: String,
    pub policy_doc_number: String,
    pub article: i64,
    pub version: i64,
    pub title_zh: String,
    /// The sentence of the clause's official text quoted in the notice; empty while the office
    /// has not entered the official text (the article is then cited without a quotation).
    pub quote: String,
    /// 《…》（宁委发〔2022〕1号）第二条
    pub citation: String,
    /// The quote comes from the official text (false: no quotation).
    #[serde(default)]
    pub official: bool,
}

/// An issued notice (what lists, the register and `verify` show; the PDF is fetched apart).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Notice {
    pub id: i64,
    pub doc_number: String,
    pub kind: NoticeKind,
    pub subject: String,
    /// None for a 公示 list, which names many enterprises (`publicity_id` says which list).
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub uscc: String,
    pub grant_id: Option<i64>,
    pub reward_id: Option<i64>,
    pub certification_id: Option<i64>,
    pub publicity_id: Option<i64>,
    pub template_version: i64,
    pub clause: ClauseSnapshot,
    /// First 12 hex digits of the content hash, printed in the footer.
    pub verification: String,
    /// SHA-256 of the stored PDF bytes.
    pub sha256: String,
    /// issued | voided
    pub status: String,
    pub void_reason: String,
    pub voided_at: Option<String>,
    pub supersedes: Option<i64>,
    pub superseded_by: Option<i64>,
    pub issued_at: String,
    pub issued_by: String,
    /// PDF size in bytes.
    pub size: i64,
}

/// One prefix and year of the register.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RegisterLine {
    pub prefix: String,
    pub year: i32,
    pub last_no: i64,
    pub issued: i64,
    pub voided: i64,
    /// Numbers taken but without a stored notice (always empty: numbers are taken in the issuing
    /// transaction; `huiqi check`-style proof).
    pub gaps: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Verification {
    /// The file (or code) is an issued notice of this register.
    pub found: bool,
    pub voided: bool,
    /// sha256 (the exact file) or code (the footer's verification code).
    pub matched_by: String,
    pub sha256: String,
    pub notice: Option<Notice>,
    pub message_zh: String,
    pub message_en: String,
}

/// An approved grant or reward without a notice, ready (or not) for the batch.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Candidate {
    pub target: Target,
    pub enterprise_name: String,
    pub uscc: String,
    pub subject: String,
    pub amount_fen: Option<i64>,
    /// Why it cannot be issued (a missing field…); None: ready.
    pub problem: Option<String>,
    pub problem_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BatchIssued {
    pub notices: Vec<Notice>,
    /// Pages of the combined PDF.
    pub count: i64,
}
