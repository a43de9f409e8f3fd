use huiqi_core::cert::kinds::CertKind;
use huiqi_core::cert::reward::{self, Reward, RewardPick, RewardStatus, ScanResult};
use huiqi_core::cert::{self, CertInput, Certification, Milestone, ReminderSettings};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Runtime, State};

use crate::dialogs;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn kinds(state: State<'_, AppState>) -> IpcResult<Vec<CertKind>> {
    state.with_db(|db| cert::kinds(db)).await
}

#[tauri::command]
async fn kind_save(state: State<'_, AppState>, kind: CertKind) -> IpcResult<CertKind> {
    state.with_db(move |db| cert::save_kind(db, &kind)).await
}

#[tauri::command]
async fn list(state: State<'_, AppState>, enterprise: Option<i64>, kind: Option<String>, expiring_within: Option<i64>) -> IpcResult<Vec<Certification>> {
    state.with_db(move |db| cert::list(db, enterprise, kind.as_deref(), expiring_within)).await
}

#[tauri::command]
async fn add(state: State<'_, AppState>, input: CertInput) -> IpcResult<Certification> {
    state.with_db(move |db| cert::add(db, &input)).await
}

#[tauri::command]
async fn revoke(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Certification> {
    state.with_db(move |db| cert::revoke(db, id, &reason)).await
}

#[tauri::command]
async fn reminders(state: State<'_, AppState>, within: Option<i64>) -> IpcResult<Vec<Milestone>> {
    state.with_db(move |db| cert::reminders(db, cert::today(), within)).await
}

#[tauri::command]
async fn reminder_settings(state: State<'_, AppState>) -> IpcResult<ReminderSettings> {
    state.with_db(|db| cert::reminder_settings(db)).await
}

#[tauri::command]
async fn reminder_settings_save(state: State<'_, AppState>, settings: ReminderSettings) -> IpcResult<ReminderSettings> {
    state.with_db(move |db| cert::save_reminder_settings(db, &settings)).await
}

/// Save the reminders as an xlsx (dialog opened here).
#[tauri::command]
async fn reminders_export<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, within: Option<i64>) -> IpcResult<Option<String>> {
    let name = format!("认定提醒-{}.xlsx", cert::today().format("%Y%m%d"));
    let Some(path) = dialogs::save_file(&app, &name, "xlsx").await else { return Ok(None) };
    state.with_db(move |db| cert::export_reminders(db, within, &path).map(|_| Some(path.display().to_string()))).await
}

#[tauri::command]
async fn reward_scan(state: State<'_, AppState>) -> IpcResult<ScanResult> {
    state.with_db(|db| reward::scan(db)).await
}

#[tauri::command]
async fn reward_confirm(state: State<'_, AppState>, picks: Vec<RewardPick>, confirm: bool) -> IpcResult<Vec<Reward>> {
    state.with_db(move |db| reward::confirm(db, &picks, confirm)).await
}

#[tauri::command]
async fn rewards(state: State<'_, AppState>, status: Option<RewardStatus>, enterprise: Option<i64>) -> IpcResult<Vec<Reward>> {
    state.with_db(move |db| reward::list(db, status, enterprise)).await
}

#[tauri::command]
async fn reward_approve(state: State<'_, AppState>, id: i64, amount: Option<i64>, reason: Option<String>, confirm: bool) -> IpcResult<Reward> {
    state.with_db(move |db| reward::approve(db, id, amount, reason.as_deref(), confirm)).await
}

#[tauri::command]
async fn reward_add(state: State<'_, AppState>, program: String, uscc: String, amount: i64, note: String) -> IpcResult<Reward> {
    state.with_db(move |db| reward::add_performance(db, &program, &uscc, amount, &note)).await
}

#[tauri::command]
async fn reward_reject(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Reward> {
    state.with_db(move |db| reward::reject(db, id, &reason)).await
}

#[tauri::command]
async fn reward_pay(state: State<'_, AppState>, id: i64, amount: i64, date: String, reference: String) -> IpcResult<Reward> {
    state.with_db(move |db| reward::pay(db, id, amount, &date, &reference)).await
}

#[tauri::command]
async fn reward_revoke(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Reward> {
    state.with_db(move |db| reward::revoke(db, id, &reason)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("cert")
        .invoke_handler(tauri::generate_handler![
            kinds,
            kind_save,
            list,
            add,
            revoke,
            reminders,
            reminder_settings,
            reminder_settings_save,
            reminders_export,
            reward_scan,
            reward_confirm,
            rewards,
            reward_approve,
            reward_add,
            reward_reject,
            reward_pay,
            reward_revoke
        ])
        .build()
}
