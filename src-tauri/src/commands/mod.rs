//! IPC commands, one inlined plugin per domain (the names match core modules, CLI subcommands and
//! UI views). Each command is a few lines: arguments → core → DTO. All are async: database and file
//! work runs on a blocking worker via `AppState::with_db`.

pub mod backup;
pub mod cert;
pub mod dashboard;
pub mod enterprise;
pub mod import;
pub mod notice;
pub mod policy;
pub mod rent;
pub mod system;
