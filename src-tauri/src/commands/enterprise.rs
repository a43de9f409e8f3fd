use huiqi_core::enterprise::{
    self, Enterprise, EnterpriseDetail, EnterpriseInput, EnterprisePage, EnterpriseQuery, EnterpriseStatus, FieldError, MergePlan, Park, SaveResult,
    UndoPreview, UndoResult, Warning,
};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Runtime, State};

use crate::dialogs;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn search(state: State<'_, AppState>, query: EnterpriseQuery) -> IpcResult<EnterprisePage> {
    state.with_db(move |db| enterprise::search(db, &query)).await
}

#[tauri::command]
async fn get(state: State<'_, AppState>, id: i64) -> IpcResult<Enterprise> {
    state.with_db(move |db| enterprise::get(db, id)).await
}

#[tauri::command]
async fn detail(state: State<'_, AppState>, id: i64) -> IpcResult<EnterpriseDetail> {
    state.with_db(move |db| enterprise::detail(db, id)).await
}

#[tauri::command]
async fn validate(state: State<'_, AppState>, input: EnterpriseInput, id: Option<i64>) -> IpcResult<(Vec<FieldError>, Vec<Warning>)> {
    state.with_db(move |db| enterprise::check_input(db, &input, id)).await
}

#[tauri::command]
async fn create(state: State<'_, AppState>, input: EnterpriseInput) -> IpcResult<SaveResult> {
    state.with_db(move |db| enterprise::create(db, &input)).await
}

#[tauri::command]
async fn update(state: State<'_, AppState>, id: i64, input: EnterpriseInput, revision: Option<i64>) -> IpcResult<SaveResult> {
    state.with_db(move |db| enterprise::update(db, id, &input, revision)).await
}

#[tauri::command]
async fn set_status(state: State<'_, AppState>, id: i64, status: EnterpriseStatus) -> IpcResult<SaveResult> {
    state.with_db(move |db| enterprise::set_status(db, id, status)).await
}

/// What Ctrl+Z would undo, in words (None: nothing made by hand to undo).
#[tauri::command]
async fn undo_preview(state: State<'_, AppState>) -> IpcResult<Option<UndoPreview>> {
    state.with_db(|db| enterprise::undo_preview(db)).await
}

/// Undo the change the preview named (`event_id`); refused when another came first.
#[tauri::command]
async fn undo(state: State<'_, AppState>, event_id: i64) -> IpcResult<UndoResult> {
    state.with_db(move |db| enterprise::undo_confirmed(db, event_id)).await
}

/// What Ctrl+Shift+Z would redo, in words (None: nothing to redo).
#[tauri::command]
async fn redo_preview(state: State<'_, AppState>) -> IpcResult<Option<UndoPreview>> {
    state.with_db(|db| enterprise::redo_preview(db)).await
}

/// Redo the undo the preview named (`event_id`).
#[tauri::command]
async fn redo(state: State<'_, AppState>, event_id: i64) -> IpcResult<UndoResult> {
    state.with_db(move |db| enterprise::redo(db, Some(event_id))).await
}

#[tauri::command]
async fn merge(state: State<'_, AppState>, plan: MergePlan) -> IpcResult<Enterprise> {
    state.with_db(move |db| enterprise::merge(db, &plan)).await
}

#[tauri::command]
async fn parks(state: State<'_, AppState>) -> IpcResult<Vec<Park>> {
    state.with_db(|db| enterprise::parks(db)).await
}

#[tauri::command]
async fn park_save(state: State<'_, AppState>, park: Park) -> IpcResult<Park> {
    state.with_db(move |db| enterprise::save_park(db, &park)).await
}

#[tauri::command]
async fn sectors(state: State<'_, AppState>) -> IpcResult<Vec<String>> {
    state.with_db(|db| enterprise::sectors(db)).await
}

#[tauri::command]
async fn sectors_save(state: State<'_, AppState>, sectors: Vec<String>) -> IpcResult<()> {
    state.with_db(move |db| enterprise::set_sectors(db, &sectors)).await
}

/// Export the filtered list: the save dialog is opened here, in Rust; the UI never sends a path.
#[tauri::command]
async fn export<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, query: EnterpriseQuery, format: String) -> IpcResult<Option<String>> {
    let ext = if format == "csv" { "csv" } else { "xlsx" };
    let default_name = format!("企业台账-{}.{ext}", chrono::Local::now().format("%Y%m%d"));
    let Some(path) = dialogs::save_file(&app, &default_name, ext).await else { return Ok(None) };
    state
        .with_db(move |db| {
            let q = EnterpriseQuery { offset: 0, limit: i64::MAX, ..query };
            huiqi_core::enterprise::export(db, &q, &path)?;
            Ok(Some(path.display().to_string()))
        })
        .await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("enterprise")
        .invoke_handler(tauri::generate_handler![
            search,
            get,
            detail,
            validate,
            create,
            update,
            set_status,
            undo_preview,
            undo,
            redo_preview,
            redo,
            merge,
            parks,
            park_save,
            sectors,
            sectors_save,
            export
        ])
        .build()
}
