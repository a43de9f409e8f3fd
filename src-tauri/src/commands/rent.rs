use huiqi_core::rent::{
    self, Application, ApplicationInput, BatchApproval, CalcInput, CalcResult, Grant, GrantStatus, GrowthReport, Lease, LeaseInput, Payment, RentRules,
    RuleVersion, Timeline,
};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, State};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn calc(state: State<'_, AppState>, input: CalcInput) -> IpcResult<CalcResult> {
    state.with_db(move |db| rent::calculate(db, &input)).await
}

#[tauri::command]
async fn calc_for(state: State<'_, AppState>, uscc: String, from: Option<String>, to: Option<String>) -> IpcResult<CalcResult> {
    state.with_db(move |db| rent::calculate_for(db, &uscc, from.as_deref(), to.as_deref())).await
}

#[tauri::command]
async fn applications(state: State<'_, AppState>, open: bool) -> IpcResult<Vec<Application>> {
    state.with_db(move |db| rent::applications(db, open)).await
}

#[tauri::command]
async fn application_add(state: State<'_, AppState>, input: ApplicationInput) -> IpcResult<Application> {
    state.with_db(move |db| rent::add_application(db, &input)).await
}

#[tauri::command]
async fn leases(state: State<'_, AppState>, enterprise: i64) -> IpcResult<Vec<Lease>> {
    state.with_db(move |db| rent::leases(db, enterprise)).await
}

#[tauri::command]
async fn lease_add(state: State<'_, AppState>, enterprise: i64, lease: LeaseInput) -> IpcResult<Lease> {
    state.with_db(move |db| rent::add_lease(db, enterprise, &lease)).await
}

#[tauri::command]
async fn growth(state: State<'_, AppState>, enterprise: i64) -> IpcResult<Vec<GrowthReport>> {
    state.with_db(move |db| rent::growth(db, enterprise)).await
}

#[tauri::command]
async fn growth_set(state: State<'_, AppState>, report: GrowthReport) -> IpcResult<()> {
    state.with_db(move |db| rent::set_growth(db, &report)).await
}

#[tauri::command]
async fn grants(state: State<'_, AppState>, status: Option<GrantStatus>) -> IpcResult<Vec<Grant>> {
    state.with_db(move |db| rent::grants(db, status)).await
}

#[tauri::command]
async fn grant(state: State<'_, AppState>, id: i64) -> IpcResult<(Grant, Vec<Payment>)> {
    state.with_db(move |db| Ok((rent::grant(db, id)?, rent::payments(db, id)?))).await
}

#[tauri::command]
async fn draft(state: State<'_, AppState>, application: Option<i64>) -> IpcResult<Vec<Grant>> {
    state
        .with_db(move |db| match application {
            Some(a) => Ok(vec![rent::draft(db, a)?]),
            None => rent::draft_all(db),
        })
        .await
}

#[tauri::command]
async fn submit(state: State<'_, AppState>, id: i64) -> IpcResult<Grant> {
    state.with_db(move |db| rent::submit(db, id)).await
}

#[tauri::command]
async fn recalculate(state: State<'_, AppState>, id: i64) -> IpcResult<Grant> {
    state.with_db(move |db| rent::recalculate(db, id)).await
}

#[tauri::command]
async fn approve(state: State<'_, AppState>, id: i64, amount: Option<i64>, reason: Option<String>, confirm: bool) -> IpcResult<Grant> {
    state.with_db(move |db| rent::approve(db, id, amount, reason.as_deref(), confirm)).await
}

#[tauri::command]
async fn timeline(state: State<'_, AppState>, enterprise: i64) -> IpcResult<Timeline> {
    state.with_db(move |db| rent::timeline(db, enterprise)).await
}

#[tauri::command]
async fn approve_many(state: State<'_, AppState>, ids: Vec<i64>, confirm: bool) -> IpcResult<BatchApproval> {
    state.with_db(move |db| rent::approve_many(db, &ids, confirm)).await
}

#[tauri::command]
async fn reject(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Grant> {
    state.with_db(move |db| rent::reject(db, id, &reason)).await
}

#[tauri::command]
async fn pay(state: State<'_, AppState>, id: i64, amount: i64, date: String, reference: String) -> IpcResult<Grant> {
    state.with_db(move |db| rent::pay(db, id, amount, &date, &reference)).await
}

#[tauri::command]
async fn revoke(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Grant> {
    state.with_db(move |db| rent::revoke(db, id, &reason)).await
}

#[tauri::command]
async fn rules(state: State<'_, AppState>) -> IpcResult<Vec<RuleVersion>> {
    state.with_db(|db| rent::rule_versions(db)).await
}

#[tauri::command]
async fn rules_save(state: State<'_, AppState>, rules: RentRules, note: String) -> IpcResult<RuleVersion> {
    state.with_db(move |db| rent::save_rules(db, &rules, &note)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("rent")
        .invoke_handler(tauri::generate_handler![
            calc,
            calc_for,
            applications,
            application_add,
            leases,
            lease_add,
            growth,
            growth_set,
            grants,
            grant,
            draft,
            submit,
            recalculate,
            approve,
            approve_many,
            reject,
            pay,
            revoke,
            rules,
            rules_save,
            timeline
        ])
        .build()
}
