//! The enterprise and what is said about it: the record, a registry row, the input a form or an
//! import gives, the query of the registry, parks, history and merge plans.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseStatus {
    /// 在册
    #[default]
    Active,
    /// 迁出
    MovedOut,
    /// 注销
    Deregistered,
    /// merged into another record (kept, hidden from lists)
    Merged,
}

impl EnterpriseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnterpriseStatus::Active => "active",
            EnterpriseStatus::MovedOut => "moved_out",
            EnterpriseStatus::Deregistered => "deregistered",
            EnterpriseStatus::Merged => "merged",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "moved_out" | "迁出" => EnterpriseStatus::MovedOut,
            "deregistered" | "注销" => EnterpriseStatus::Deregistered,
            "merged" | "已合并" => EnterpriseStatus::Merged,
            _ => EnterpriseStatus::Active,
        }
    }
    pub fn from_input(s: &str) -> Option<Self> {
        match s.trim() {
            "active" | "在册" => Some(EnterpriseStatus::Active),
            "moved_out" | "迁出" => Some(EnterpriseStatus::MovedOut),
            "deregistered" | "注销" => Some(EnterpriseStatus::Deregistered),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            EnterpriseStatus::Active => "在册",
            EnterpriseStatus::MovedOut => "迁出",
            EnterpriseStatus::Deregistered => "注销",
            EnterpriseStatus::Merged => "已合并",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Enterprise {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    /// ISO date
    pub founded_on: Option<String>,
    pub registered_capital_fen: Option<i64>,
    pub park_id: Option<i64>,
    pub park: Option<String>,
    pub sector: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub status: EnterpriseStatus,
    pub notes: String,
    pub high_tech: bool,
    /// The GB 11714 organisation-code check inside the USCC failed (saved anyway, flagged).
    pub uscc_org_code_warning: bool,
    pub merged_into: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub revision: i64,
}

/// One line of the registry table.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EnterpriseRow {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub park: Option<String>,
    pub sector: String,
    pub status: EnterpriseStatus,
    pub contact_name: String,
    pub contact_phone: String,
    pub founded_on: Option<String>,
    pub registered_capital_fen: Option<i64>,
    pub high_tech: bool,
    pub uscc_org_code_warning: bool,
    pub updated_at: String,
}

/// What a form, the CLI or an import gives to create or update an enterprise.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct EnterpriseInput {
    pub uscc: String,
    pub name: String,
    pub founded_on: Option<String>,
    pub registered_capital_fen: Option<i64>,
    pub park: Option<String>,
    pub sector: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub status: Option<EnterpriseStatus>,
    pub notes: Option<String>,
    pub high_tech: Option<bool>,
}

/// An input that passed validation, normalised.
#[derive(Debug, Clone)]
pub struct Validated {
    pub uscc: String,
    pub uscc_org_code_warning: bool,
    pub name: String,
    pub name_key: String,
    pub founded_on: Option<String>,
    pub registered_capital_fen: Option<i64>,
    pub park: Option<String>,
    pub sector: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub status: EnterpriseStatus,
    pub notes: String,
    pub high_tech: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Warning {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
    /// Other enterprises this warning is about (duplicates).
    pub enterprise_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SaveResult {
    pub enterprise: Enterprise,
    pub changed: bool,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Id,
    Name,
    Uscc,
    FoundedOn,
    RegisteredCapital,
    Park,
    Sector,
    Status,
    UpdatedAt,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct EnterpriseQuery {
    pub q: Option<String>,
    pub park: Option<String>,
    pub status: Option<EnterpriseStatus>,
    pub sector: Option<String>,
    /// Only enterprises holding a certification of this kind.
    pub cert_kind: Option<String>,
    pub sort: Option<SortKey>,
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub desc: bool,
    #[serde(default)]
    #[ts(as = "Option<i64>", optional)]
    pub offset: i64,
    #[serde(default = "default_limit")]
    #[ts(as = "Option<i64>", optional)]
    pub limit: i64,
}

fn default_limit() -> i64 {
    200
}

impl Default for EnterpriseQuery {
    fn default() -> Self {
        EnterpriseQuery { q: None, park: None, status: None, sector: None, cert_kind: None, sort: None, desc: false, offset: 0, limit: 200 }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EnterprisePage {
    /// Rows matching (for a text search, at most 1,000: see `more`).
    pub total: i64,
    /// A text search matched more than `total` rows: type more to narrow it.
    pub more: bool,
    pub offset: i64,
    pub rows: Vec<EnterpriseRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Park {
    pub id: i64,
    pub name: String,
    pub district: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub enterprise_count: i64,
}

/// One field change in the history timeline.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FieldChange {
    pub field: String,
    #[ts(type = "unknown")]
    pub before: serde_json::Value,
    #[ts(type = "unknown")]
    pub after: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct HistoryEntry {
    pub event_id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub batch_id: Option<i64>,
    pub changes: Vec<FieldChange>,
    pub undone: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EnterpriseDetail {
    pub enterprise: Enterprise,
    pub history: Vec<HistoryEntry>,
}

/// Which record's value to keep for a field when merging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    Survivor,
    Loser,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct MergePlan {
    pub survivor_id: i64,
    pub loser_id: i64,
    /// field name → which side to keep; fields not named keep the survivor's value.
    pub picks: std::collections::BTreeMap<String, Pick>,
}

/// What Ctrl+Z (or Ctrl+Shift+Z) would do, said before it is done: the change, its enterprise,
/// its fields ("联系电话 A → B": what the change did), in a sentence to confirm.
#[derive(Debug, Clone, Serialize, TS)]
pub struct UndoPreview {
    /// The change undone (for a redo: the undo that is redone): what `undo`/`redo` are given back.
    pub event_id: i64,
    /// update, create or merge
    pub action: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub changes: Vec<FieldChange>,
    pub text_zh: String,
    pub text_en: String,
}

/// The journal's actor of the demo data set: its records are not changes made by hand, and
/// Ctrl+Z never undoes them.
pub const DEMO_ACTOR: &str = "演示数据";

#[derive(Debug, Clone, Serialize, TS)]
pub struct UndoResult {
    pub undone_event: i64,
    pub action: String,
    pub enterprise_id: i64,
    pub summary_zh: String,
    pub summary_en: String,
}

pub const MAX_NAME: usize = 200;

pub const MAX_TEXT: usize = 2000;

pub fn normalize_query(q: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let s: String = text::clean(q).nfkc().collect();
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    // Codes are typed in lower case too.
    if compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        compact.to_ascii_uppercase()
    } else {
        s.trim().to_string()
    }
}
