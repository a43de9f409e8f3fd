//! huiqi-core: everything Huiqi Ledger does, without Tauri. The desktop app (`src-tauri/src`) and the
//! CLI (`src-tauri/cli`) are thin shells over this crate. See ARCHITECTURE.md.

pub mod backup;
pub mod bench;
pub mod cert;
pub mod dashboard;
pub mod demo;
pub mod enterprise;
pub mod error;
pub mod export;
pub mod i18n;
pub mod import;
pub mod model;
pub mod money;
pub mod notice;
pub mod payout;
pub mod policy;
pub mod progress;
pub mod rent;
pub mod store;
pub mod system;
pub mod text;
pub mod uscc;

#[cfg(test)]
mod bindings;

pub use error::{Error, Result};
pub use i18n::Lang;
pub use store::Db;
