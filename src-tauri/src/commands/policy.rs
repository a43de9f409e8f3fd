use huiqi_core::policy::{self, Budget, Clause, ClauseEdit, ClauseListing, Policy, Program};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, State};

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
async fn info(state: State<'_, AppState>) -> IpcResult<Policy> {
    state.with_db(|db| policy::policy(db)).await
}

#[tauri::command]
async fn clauses(state: State<'_, AppState>, query: Option<String>) -> IpcResult<Vec<Clause>> {
    state.with_db(move |db| policy::search_clauses(db, query.as_deref().unwrap_or(""))).await
}

#[tauri::command]
async fn clause_versions(state: State<'_, AppState>, article: i64) -> IpcResult<Vec<Clause>> {
    state.with_db(move |db| policy::clause_versions(db, article)).await
}

#[tauri::command]
async fn clause_edit(state: State<'_, AppState>, article: i64, edit: ClauseEdit) -> IpcResult<Clause> {
    state.with_db(move |db| policy::edit_clause(db, article, &edit)).await
}

#[tauri::command]
async fn programs(state: State<'_, AppState>) -> IpcResult<Vec<Program>> {
    state.with_db(|db| policy::programs(db)).await
}

#[tauri::command]
async fn budgets(state: State<'_, AppState>, year: i32) -> IpcResult<Vec<Budget>> {
    state.with_db(move |db| policy::budgets(db, year)).await
}

#[tauri::command]
async fn budget_set(state: State<'_, AppState>, code: String, year: i32, allocated: i64) -> IpcResult<Budget> {
    state.with_db(move |db| policy::set_budget(db, &code, year, allocated)).await
}

#[tauri::command]
async fn clause_official(state: State<'_, AppState>, article: i64, text: String) -> IpcResult<Clause> {
    state.with_db(move |db| policy::set_official_text(db, article, &text)).await
}

#[tauri::command]
async fn clauses_missing(state: State<'_, AppState>) -> IpcResult<Vec<ClauseListing>> {
    state.with_db(|db| policy::clauses_without_official_text(db)).await
}

#[tauri::command]
async fn program_amount_set(state: State<'_, AppState>, code: String, amount: Option<i64>) -> IpcResult<Program> {
    state.with_db(move |db| policy::set_program_amount(db, &code, amount)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("policy")
        .invoke_handler(tauri::generate_handler![
            info,
            clauses,
            clause_versions,
            clause_edit,
            programs,
            budgets,
            budget_set,
            program_amount_set,
            clause_official,
            clauses_missing
        ])
        .build()
}
