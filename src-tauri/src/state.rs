//! App state: the database (opened lazily, off the UI thread) and the UI language.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use huiqi_core::error::ErrorPayload;
use huiqi_core::store::{Db, OpenOptions};
use huiqi_core::{Error, Lang};

use crate::error::to_ipc;

enum Slot {
    Closed,
    // Boxed: the database handle is large, the closed slot is nothing.
    Open(Box<Db>),
}

pub struct AppState {
    pub db_path: PathBuf,
    slot: Arc<Mutex<Slot>>,
    lang: Arc<Mutex<Lang>>,
}

impl AppState {
    pub fn new(db_path: PathBuf) -> Self {
        AppState { db_path, slot: Arc::new(Mutex::new(Slot::Closed)), lang: Arc::new(Mutex::new(Lang::Zh)) }
    }

    pub fn lang(&self) -> Lang {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_lang(&self, l: Lang) {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner()) = l;
    }

    /// Run `f` with the database on a blocking worker thread (never the UI thread). The database is
    /// opened on first use; a failure to open is returned to the UI, which shows why.
    pub async fn with_db<T, F>(&self, f: F) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> huiqi_core::Result<T> + Send + 'static,
    {
        let slot = self.slot.clone();
        let lang = self.lang.clone();
        let path = self.db_path.clone();
        let out = tauri::async_runtime::spawn_blocking(move || {
            let mut g = slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Slot::Closed = *g {
                let db = Db::open(&path, OpenOptions::default())?;
                if let Ok(l) = huiqi_core::system::lang(&db) {
                    *lang.lock().unwrap_or_else(|p| p.into_inner()) = l;
                }
                *g = Slot::Open(Box::new(db));
            }
            match &mut *g {
                Slot::Open(db) => f(db),
                Slot::Closed => Err(Error::Internal("database not open".into())),
            }
        })
        .await;
        let l = self.lang();
        match out {
            Ok(r) => r.map_err(|e| to_ipc(e, l)),
            Err(e) => Err(to_ipc(Error::Internal(format!("worker failed: {e}")), l)),
        }
    }

    /// Run `f` on the open database, on this thread, if it is open (exit handling).
    pub fn if_open<T>(&self, f: impl FnOnce(&mut Db) -> T) -> Option<T> {
        let mut g = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *g {
            Slot::Open(db) => Some(f(db)),
            Slot::Closed => None,
        }
    }

    /// Run `f` with the database closed (restore and recovery replace the file), on a blocking
    /// worker; the next command opens the database again.
    pub async fn with_closed<T, F>(&self, f: F) -> Result<T, ErrorPayload>
    where
        T: Send + 'static,
        F: FnOnce(&std::path::Path) -> huiqi_core::Result<T> + Send + 'static,
    {
        let slot = self.slot.clone();
        let path = self.db_path.clone();
        let out = tauri::async_runtime::spawn_blocking(move || {
            let mut g = slot.lock().unwrap_or_else(|p| p.into_inner());
            *g = Slot::Closed;
            f(&path)
        })
        .await;
        let l = self.lang();
        match out {
            Ok(r) => r.map_err(|e| to_ipc(e, l)),
            Err(e) => Err(to_ipc(Error::Internal(format!("worker failed: {e}")), l)),
        }
    }

    /// Close the database (on exit, before a restore). Releases the writer lock.
    pub fn close(&self) {
        let mut g = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        *g = Slot::Closed;
    }
}
