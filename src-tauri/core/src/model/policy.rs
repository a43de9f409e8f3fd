//! The policy: its clauses (versioned; the official Chinese text once entered), the support
//! programs bound to them with their caps, budgets, and the shipped catalog they start from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const CATALOG_JSON: &str = include_str!("../../../../assets/policy/catalog.json");

pub const PROGRAMS_JSON: &str = include_str!("../../../../assets/policy/programs.json");

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Policy {
    pub id: i64,
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    pub doc_number: String,
    pub issuer_zh: String,
    pub issued_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Clause {
    pub id: i64,
    pub article: i64,
    pub version: i64,
    pub chapter: i64,
    pub title_zh: String,
    pub title_en: String,
    pub text_zh: String,
    pub text_en: String,
    pub note: String,
    pub current: bool,
    pub created_at: String,
    pub created_by: String,
    /// The official Chinese text the office entered (pasted from the published document); empty
    /// until then. Only this text is quoted in notices: `text_zh` is a back-translation.
    #[serde(default)]
    pub official_zh: String,
}

/// What `huiqi policy clauses --format json` prints per clause.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ClauseListing {
    pub article: i64,
    pub title_zh: String,
    pub title_en: String,
    pub text_zh: String,
    pub text_en: String,
    pub version: i64,
    pub chapter: i64,
    pub official_zh: String,
    /// Who entered the official text, and when (the version that carries it).
    pub official_by: Option<String>,
    pub official_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct ClauseEdit {
    pub title_zh: Option<String>,
    pub text_zh: Option<String>,
    pub text_en: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Program {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// rent_subsidy | reward
    pub kind: String,
    pub article: i64,
    /// The clause's cap (null: none written; the district decides).
    pub cap_fen: Option<i64>,
    pub default_amount_fen: Option<i64>,
    pub cert_kind: Option<String>,
    pub stacking_group: Option<String>,
    pub allow_stacking: bool,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Budget {
    pub program_id: i64,
    pub program_code: String,
    pub program_name_zh: String,
    pub year: i32,
    pub allocated_fen: i64,
    /// Approved, not yet revoked (includes what is already paid).
    pub approved_fen: i64,
    pub disbursed_fen: i64,
    /// allocated − approved
    pub remaining_fen: i64,
    /// No budget was set for this year yet: the figures are the latest earlier year's (copied
    /// into this year on its first approval).
    pub inherited_from: Option<i32>,
}

#[derive(Deserialize)]
pub(crate) struct CatalogFile {
    pub policy: CatalogPolicy,
    pub articles: Vec<CatalogArticle>,
}

#[derive(Deserialize)]
pub(crate) struct CatalogPolicy {
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    pub doc_number: String,
    pub issuer_zh: String,
    pub issued_on: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct CatalogArticle {
    pub article: i64,
    pub chapter: i64,
    pub title_zh: String,
    pub title_en: String,
    pub text_en: String,
    pub text_zh: String,
    #[serde(default)]
    pub text_zh_is_translation: bool,
}

#[derive(Deserialize)]
pub(crate) struct ProgramsFile {
    pub programs: Vec<ProgramSeed>,
}

#[derive(Deserialize)]
pub(crate) struct ProgramSeed {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub article: i64,
    pub cap_fen: Option<i64>,
    pub default_amount_fen: Option<i64>,
    pub cert_kind: Option<String>,
    pub stacking_group: Option<String>,
    pub allow_stacking: bool,
    pub budget_fen: i64,
}

pub(crate) fn catalog() -> CatalogFile {
    serde_json::from_str(CATALOG_JSON).expect("assets/policy/catalog.json is valid")
}

pub(crate) fn program_seeds() -> ProgramsFile {
    serde_json::from_str(PROGRAMS_JSON).expect("assets/policy/programs.json is valid")
}
