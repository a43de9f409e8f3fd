//! File dialogs, opened from Rust: the UI never hands us a path. Tests of the real window cannot
//! click a native dialog, so when `HUIQI_TEST_DIALOG_DIR` is set (only the test harness sets it)
//! the "save" dialog answers `<dir>/<suggested name>` and the "open" dialog answers the path written
//! in `<dir>/next-open.txt` (consumed).

use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

fn test_dir() -> Option<PathBuf> {
    std::env::var_os("HUIQI_TEST_DIALOG_DIR").map(PathBuf::from)
}

pub async fn save_file<R: Runtime>(app: &AppHandle<R>, suggested: &str, ext: &str) -> Option<PathBuf> {
    if let Some(dir) = test_dir() {
        return Some(dir.join(huiqi_core::text::safe_file_name(suggested)));
    }
    let app = app.clone();
    let suggested = suggested.to_string();
    let ext = ext.to_string();
    tauri::async_runtime::spawn_blocking(move || {
        let filter_name = match ext.as_str() {
            "xlsx" => "Excel 工作簿",
            "csv" => "CSV",
            "pdf" => "PDF",
            "db" => "数据库",
            _ => "文件",
        };
        let mut d = app.dialog().file().set_file_name(suggested).add_filter(filter_name, &[ext.as_str()]);
        // Start in 文档 (Documents), where an office keeps what it sends on, not in the folder
        // the app was started from.
        if let Some(docs) = app.path().document_dir().ok().filter(|p| p.is_dir()) {
            d = d.set_directory(docs);
        }
        d.blocking_save_file().and_then(|p| p.into_path().ok())
    })
    .await
    .ok()
    .flatten()
}

/// Test seam for the open and folder dialogs: with the test folder set, the answer is the path in
/// `<dir>/next-open.txt` (read once), or "cancelled" when there is none.
fn test_open_answer() -> Option<Option<PathBuf>> {
    let dir = test_dir()?;
    let f = dir.join("next-open.txt");
    let p = std::fs::read_to_string(&f).ok();
    let _ = std::fs::remove_file(&f);
    Some(p.map(|p| PathBuf::from(p.trim())))
}

pub async fn open_file<R: Runtime>(app: &AppHandle<R>, title: &str, filters: &[(&str, &[&str])]) -> Option<PathBuf> {
    if let Some(answer) = test_open_answer() {
        return answer;
    }
    let app = app.clone();
    let title = title.to_string();
    let filters: Vec<(String, Vec<String>)> = filters.iter().map(|(n, e)| (n.to_string(), e.iter().map(|s| s.to_string()).collect())).collect();
    tauri::async_runtime::spawn_blocking(move || {
        let mut d = app.dialog().file().set_title(title);
        for (n, e) in &filters {
            let e: Vec<&str> = e.iter().map(String::as_str).collect();
            d = d.add_filter(n, &e);
        }
        d.blocking_pick_file().and_then(|p| p.into_path().ok())
    })
    .await
    .ok()
    .flatten()
}

/// Choose a folder (the second backup folder). Test seam: the path in `<dir>/next-open.txt`.
pub async fn pick_folder<R: Runtime>(app: &AppHandle<R>, title: &str) -> Option<PathBuf> {
    if let Some(answer) = test_open_answer() {
        return answer;
    }
    let app = app.clone();
    let title = title.to_string();
    tauri::async_runtime::spawn_blocking(move || app.dialog().file().set_title(title).blocking_pick_folder().and_then(|p| p.into_path().ok()))
        .await
        .ok()
        .flatten()
}
