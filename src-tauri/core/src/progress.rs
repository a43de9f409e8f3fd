//! Long work (import, batch notices, backup) reports progress and can be cancelled. The app
//! forwards reports to a `tauri::ipc::Channel`; the CLI prints them; tests use [`NoProgress`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProgressReport {
    /// A stable stage code, e.g. `read`, `validate`, `commit`, `render`.
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

pub trait Progress: Send + Sync {
    fn report(&self, stage: &str, done: u64, total: u64);
    fn cancelled(&self) -> bool {
        false
    }
}

pub struct NoProgress;
impl Progress for NoProgress {
    fn report(&self, _: &str, _: u64, _: u64) {}
}

/// A cancel flag the UI can flip while the work runs.
#[derive(Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);
impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst)
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Progress sent to a callback, with a cancel flag.
pub struct FnProgress<F: Fn(ProgressReport) + Send + Sync> {
    pub f: F,
    pub cancel: CancelFlag,
}
impl<F: Fn(ProgressReport) + Send + Sync> Progress for FnProgress<F> {
    fn report(&self, stage: &str, done: u64, total: u64) {
        (self.f)(ProgressReport { stage: stage.to_string(), done, total })
    }
    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}
