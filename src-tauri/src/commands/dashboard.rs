use huiqi_core::dashboard::{self, Dashboard};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, State};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn load(state: State<'_, AppState>) -> IpcResult<Dashboard> {
    state.with_db(|db| dashboard::load(db)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("dashboard").invoke_handler(tauri::generate_handler![load]).build()
}
