use huiqi_core::store::CheckReport;
use huiqi_core::system::{self, AppStatus, OfficeSettings};
use huiqi_core::Lang;
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, State};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    state.with_db(|db| system::status(db)).await
}

#[tauri::command]
async fn set_lang(state: State<'_, AppState>, lang: Lang) -> IpcResult<()> {
    state.set_lang(lang);
    state.with_db(move |db| system::set_lang(db, lang)).await
}

#[tauri::command]
async fn finish_first_run(state: State<'_, AppState>, demo: bool) -> IpcResult<AppStatus> {
    state.with_db(move |db| huiqi_core::demo::finish_first_run(db, demo)).await
}

#[tauri::command]
async fn office_get(state: State<'_, AppState>) -> IpcResult<OfficeSettings> {
    state.with_db(|db| system::office(db)).await
}

#[tauri::command]
async fn office_save(state: State<'_, AppState>, office: OfficeSettings) -> IpcResult<OfficeSettings> {
    state.with_db(move |db| system::save_office(db, &office)).await
}

#[tauri::command]
async fn check(state: State<'_, AppState>) -> IpcResult<CheckReport> {
    state.with_db(|db| db.check()).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("system").invoke_handler(tauri::generate_handler![status, set_lang, finish_first_run, office_get, office_save, check]).build()
}
