//! The plain types of every domain, at the bottom of the core: the store reads and writes them,
//! the services decide with them, the app and the CLI show them. A model module knows no store and
//! no service; besides the types it holds what is pure about them: parsing the shipped seeds, dates
//! and Chinese numerals.

pub mod backup;
pub mod calendar;
pub mod cert;
pub mod date;
pub mod enterprise;
pub mod import;
pub mod notice;
pub mod policy;
pub mod publicity;
pub mod rent;
