//! Backups: list, create now (with progress), the second folder (dialog opened here), restore,
//! and recovery of a damaged database. Periodic and exit backups are started in `lib.rs`.

use huiqi_core::backup::{self, BackupInfo, BackupKind, BackupReport, BackupSettings, RecoveryPlan, RestoreReport};
use huiqi_core::progress::{CancelFlag, FnProgress, ProgressReport};
use tauri::ipc::Channel;
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Runtime, State};

use crate::dialogs;
use crate::error::{to_ipc, IpcResult};
use crate::state::AppState;

#[tauri::command]
async fn list(state: State<'_, AppState>) -> IpcResult<Vec<BackupInfo>> {
    let path = state.db_path.clone();
    let l = state.lang();
    tauri::async_runtime::spawn_blocking(move || backup::list(&path))
        .await
        .map_err(|e| to_ipc(huiqi_core::Error::Internal(e.to_string()), l))?
        .map_err(|e| to_ipc(e, l))
}

#[tauri::command]
async fn settings(state: State<'_, AppState>) -> IpcResult<BackupSettings> {
    state.with_db(|db| backup::settings(db)).await
}

#[tauri::command]
async fn create(state: State<'_, AppState>, progress: Channel<ProgressReport>) -> IpcResult<BackupReport> {
    state
        .with_db(move |db| {
            let p = FnProgress {
                f: move |r| {
                    let _ = progress.send(r);
                },
                cancel: CancelFlag::new(),
            };
            backup::create_with(db, BackupKind::Manual, &p)
        })
        .await
}

/// Choose the second backup folder (a USB drive); None when the dialog was cancelled.
#[tauri::command]
async fn choose_second_folder<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<Option<BackupSettings>> {
    let Some(folder) = dialogs::pick_folder(&app, "选择第二备份文件夹（如U盘）").await else { return Ok(None) };
    state.with_db(move |db| backup::set_second_folder(db, Some(&folder)).map(Some)).await
}

#[tauri::command]
async fn clear_second_folder(state: State<'_, AppState>) -> IpcResult<BackupSettings> {
    state.with_db(|db| backup::set_second_folder(db, None)).await
}

/// Restore a backup (by its file name, looked up in the backup folders). The current database is
/// saved first; the app reopens the restored one on the next command.
#[tauri::command]
async fn restore(state: State<'_, AppState>, file_name: String) -> IpcResult<RestoreReport> {
    state.with_closed(move |path| backup::restore(path, &backup::locate(path, &file_name)?)).await
}

/// The database failed its check at open: what is damaged, which backup would be used, what
/// would be lost. Changes nothing.
#[tauri::command]
async fn recovery_plan(state: State<'_, AppState>) -> IpcResult<RecoveryPlan> {
    state.with_closed(backup::recover).await
}

/// Move the damaged database aside and put the backup in its place.
#[tauri::command]
async fn recover(state: State<'_, AppState>, file_name: String) -> IpcResult<RestoreReport> {
    state.with_closed(move |path| backup::restore_for_recovery(path, &backup::locate(path, &file_name)?)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("backup")
        .invoke_handler(tauri::generate_handler![list, settings, create, choose_second_folder, clear_second_folder, restore, recovery_plan, recover])
        .build()
}
