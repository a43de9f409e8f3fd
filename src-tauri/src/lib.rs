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

/// Why the window cannot open, in Chinese and English, and what to do: printed instead of a GTK
/// panic with its stack trace. The process exits with 1.
fn cannot_open_window(zh: &str, en: &str) -> ! {
    eprintln!(
        "惠企台账无法打开窗口：{zh}。\n请在有图形桌面的电脑上启动；若桌面正常，可能是 WebKitGTK 组件损坏，请重新安装 libwebkit2gtk-4.1-0。命令行工具 huiqi 不需要窗口，可照常使用（huiqi --help）。"
    );
    eprintln!(
        "Huiqi Ledger cannot open its window: {en}.\nStart it on a computer with a graphical desktop; if the desktop works, WebKitGTK may be broken: reinstall libwebkit2gtk-4.1-0. The command-line tool huiqi needs no window and works as usual (huiqi --help)."
    );
    std::process::exit(1)
}

pub fn run() {
    #[cfg(target_os = "linux")]
    {
        let unset = |v: &str| std::env::var_os(v).is_none_or(|d| d.is_empty());
        if unset("DISPLAY") && unset("WAYLAND_DISPLAY") {
            cannot_open_window("没有图形显示（DISPLAY 和 WAYLAND_DISPLAY 都没有设置）", "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)");
        }
    }
    // Until the window exists, a panic (GTK cannot open the display, WebKit cannot start) is told
    // as a message, not a stack trace; afterwards panics are reported as usual.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let p = info.payload();
        let why = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
        // The panic's first clause ("Failed to initialize gtk backend!"), not the debug dump after it.
        let why: String = why.split(": ").next().unwrap_or_default().chars().take(120).collect();
        cannot_open_window(&format!("图形界面无法启动（{why}）"), &format!("the graphical interface did not start ({why})"));
    }));
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
    std::panic::set_hook(default_hook);
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
