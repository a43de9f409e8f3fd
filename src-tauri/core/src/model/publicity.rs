//! 公示: a list of grants and rewards before they are paid, its items and the objections.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// On the list, not yet cleared.
    Listed,
    /// Cleared for payment: the period ended without an open objection.
    Cleared,
    /// An objection was upheld: the grant or reward was revoked.
    Dropped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Listed => "listed",
            Outcome::Cleared => "cleared",
            Outcome::Dropped => "dropped",
        }
    }
    pub fn parse(s: &str) -> Outcome {
        match s {
            "cleared" => Outcome::Cleared,
            "dropped" => Outcome::Dropped,
            _ => Outcome::Listed,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Listed => "公示中",
            Outcome::Cleared => "公示无异议，可拨付",
            Outcome::Dropped => "经异议核实，取消支持",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    /// Looked into: the grant stays as it was.
    Kept,
    /// Upheld: the grant or reward is revoked.
    Dropped,
    /// Partly upheld: the amount is lowered.
    Amended,
}

impl ObjectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Kept => "kept",
            ObjectionStatus::Dropped => "dropped",
            ObjectionStatus::Amended => "amended",
        }
    }
    pub fn parse(s: &str) -> ObjectionStatus {
        match s {
            "kept" => ObjectionStatus::Kept,
            "dropped" => ObjectionStatus::Dropped,
            "amended" => ObjectionStatus::Amended,
            _ => ObjectionStatus::Open,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "待处理",
            ObjectionStatus::Kept => "维持",
            ObjectionStatus::Dropped => "取消支持",
            ObjectionStatus::Amended => "调整金额",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Objection {
    pub id: i64,
    pub item_id: i64,
    pub received_on: String,
    pub objector: String,
    pub text: String,
    pub status: ObjectionStatus,
    pub resolution: String,
    pub amended_fen: Option<i64>,
    pub created_at: String,
    pub created_by: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Item {
    pub id: i64,
    pub publicity_id: i64,
    pub grant_id: Option<i64>,
    pub reward_id: Option<i64>,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub program_name_zh: String,
    pub amount_fen: i64,
    pub outcome: Outcome,
    pub objections: Vec<Objection>,
}

impl Item {
    pub fn open_objections(&self) -> usize {
        self.objections.iter().filter(|o| o.status == ObjectionStatus::Open).count()
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Publicity {
    pub id: i64,
    pub notice_id: Option<i64>,
    pub doc_number: Option<String>,
    pub subject: String,
    pub working_days: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub contact: String,
    /// open | closed
    pub status: String,
    pub created_at: String,
    pub created_by: String,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    pub items: Vec<Item>,
}

/// What to publish: grants and rewards (approved, nothing paid yet), from a day, for some days.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct PublicityInput {
    #[serde(default)]
    pub grants: Vec<i64>,
    #[serde(default)]
    pub rewards: Vec<i64>,
    /// The first day of the period (default today; a weekend moves to the Monday).
    pub starts_on: Option<String>,
    /// Working days (default: the office's setting, 5).
    pub days: Option<i64>,
    /// Who takes objections (default: the office's setting).
    pub contact: Option<String>,
}
