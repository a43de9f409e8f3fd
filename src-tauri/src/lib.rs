//! The Tauri shell of Huiqi Ledger: state, commands (one inlined plugin per domain), dialogs.
//! Everything the app does is in `huiqi-core`; this crate only wires it to the window.

pub mod commands;
pub mod dialogs;
pub mod error;
pub mod state;

use std::path::PathBuf;

use tauri::{Manager, RunEvent, Runtime};

use crate::state::AppState;

/// `--db PATH` on the command line, else `HUIQI_DB`, else the OS app-data folder.
pub fn db_path_from_args(args: &[String]) -> PathBuf {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--db" {
            if let Some(p) = it.next() {
                return PathBuf::from(p);
            }
        } else if let Some(p) = a.strip_prefix("--db=") {
            return PathBuf::from(p);
        }
    }
    huiqi_core::store::default_db_path()
}

/// A D-Bus name per database file: a second launch on the same database focuses the first window;
/// two different databases (tests, a second office) may run side by side.
fn instance_id(db: &std::path::Path) -> String {
    let canon = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let h = huiqi_core::store::audit::sha256_hex(canon.to_string_lossy().as_bytes());
    format!("org.huiqi.ledger.db{}", &h[..16])
}

/// Register the app's plugins and commands on a builder (shared by `run` and the IPC tests).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(commands::system::init())
        .plugin(commands::enterprise::init())
        .plugin(commands::import::init())
        .plugin(commands::policy::init())
        .plugin(commands::rent::init())
        .plugin(commands::cert::init())
        .plugin(commands::dashboard::init())
        .plugin(commands::notice::init())
        .plugin(commands::backup::init())
}

pub fn run() {
    let args: Vec<String> = std::env::args().collect();
    let db_path = db_path_from_args(&args);
    let builder = tauri::Builder::default()
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&db_path))
                .callback(|app, _argv, _cwd| {
                    if let Some(w) = app.get_webview_window("main") {
                        let _ = w.unminimize();
                        let _ = w.show();
                        let _ = w.set_focus();
                    }
                })
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::new(db_path));
    let app = with_commands(builder)
        .setup(|app| {
            periodic_backups(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("error while building the Huiqi Ledger app");
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            let state = handle.state::<AppState>();
            // A backup when something changed since the last one, then release the database
            // (and its writer lock) cleanly.
            if let Some(Err(e)) = state.if_open(|db| huiqi_core::backup::create_if_changed(db, huiqi_core::backup::BackupKind::Exit)) {
                eprintln!("exit backup failed: {e}");
            }
            state.close();
        }
    });
}

/// Every minute: when something changed and the newest backup is 15 minutes old, make one. Only
/// while the database is open (never opens it by itself: a damaged database waits for recovery).
fn periodic_backups<R: Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            let app = app.clone();
            let _ = tauri::async_runtime::spawn_blocking(move || {
                let state = app.state::<AppState>();
                state.if_open(|db| {
                    let latest = huiqi_core::backup::latest(db.path()).ok().flatten();
                    if huiqi_core::backup::due(db, latest.as_ref()).unwrap_or(false) {
                        if let Err(e) = huiqi_core::backup::create(db, huiqi_core::backup::BackupKind::Periodic) {
                            eprintln!("periodic backup failed: {e}");
                        }
                    }
                })
            })
            .await;
        }
    });
}
