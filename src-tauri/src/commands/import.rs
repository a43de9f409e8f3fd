//! The import wizard's commands. The file is chosen in a dialog opened here (the UI never sends a
//! path); the UI holds a token for it. Reports stay on this side; the UI pages through rows.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use huiqi_core::import::{self, BatchInfo, BatchItem, FileChoice, ImportOptions, ImportReport, KindInfo, ReportHead, RowFilter, RowPage, UndoReport};
use huiqi_core::progress::{CancelFlag, FnProgress, ProgressReport};
use tauri::ipc::Channel;
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::dialogs;
use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

struct Session {
    path: PathBuf,
    report: Option<ImportReport>,
    cancel: CancelFlag,
    /// The batch this file was committed as: a second commit of the same choice is refused (a
    /// double click, or a click racing the first commit).
    committed: Option<i64>,
}

fn sessions<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Sessions> {
    app.state::<Sessions>()
}

#[tauri::command]
async fn kinds() -> IpcResult<Vec<KindInfo>> {
    Ok(import::kinds())
}

#[tauri::command]
async fn choose_file<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<Option<FileChoice>> {
    let (title, filter) = match state.lang() {
        huiqi_core::Lang::En => ("Choose the table a park sent", "Spreadsheets"),
        _ => ("选择园区报送的表格", "表格"),
    };
    let Some(path) = dialogs::open_file(&app, title, &[(filter, &["xlsx", "xls", "ods", "csv"])]).await else { return Ok(None) };
    let token = huiqi_core::store::audit::sha256_hex(format!("{}{:?}", path.display(), std::time::SystemTime::now()).as_bytes())[..16].to_string();
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    {
        let st = sessions(&app);
        st.0.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), Session { path, report: None, cancel: CancelFlag::new(), committed: None });
    }
    Ok(Some(FileChoice { token, file_name }))
}

/// The session's file and a new cancel flag for the run about to start (取消 stops that run).
fn start_run<R: Runtime>(app: &AppHandle<R>, token: &str, lang: huiqi_core::Lang) -> IpcResult<(PathBuf, CancelFlag)> {
    let st = sessions(app);
    let mut g = st.0.lock().unwrap_or_else(|p| p.into_inner());
    match g.get_mut(token) {
        Some(s) => {
            if let Some(id) = s.committed {
                return Err(huiqi_core::Error::refused(
                    "import_already_committed",
                    format!("这个文件已导入为第 {id} 批，没有再次导入。如需重新导入，请先撤销该批次，或重新选择文件。"),
                    format!("This file was already imported as batch {id}; it was not imported again. Undo that batch or choose the file again."),
                )
                .payload(lang));
            }
            s.cancel = CancelFlag::new();
            Ok((s.path.clone(), s.cancel.clone()))
        }
        None => Err(huiqi_core::Error::refused("import_session_expired", "请重新选择文件。", "Choose the file again.").payload(lang)),
    }
}

/// Keep the run's report for paging (moved, not copied: a report holds every row) and answer
/// with its head.
fn store_report<R: Runtime>(app: &AppHandle<R>, token: &str, mut r: ImportReport) -> ReportHead {
    let h = ReportHead::of(&mut r);
    let st = sessions(app);
    let mut g = st.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = g.get_mut(token) {
        if r.batch_id.is_some() {
            s.committed = r.batch_id;
        }
        s.report = Some(r);
    }
    h
}

#[tauri::command]
async fn analyze<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: String,
    options: ImportOptions,
    progress: Channel<ProgressReport>,
) -> IpcResult<ReportHead> {
    let (path, cancel) = start_run(&app, &token, state.lang())?;
    let r = state
        .with_db(move |db| {
            import::analyze(
                db,
                &path,
                &options,
                &FnProgress {
                    f: move |p| {
                        let _ = progress.send(p);
                    },
                    cancel,
                },
            )
        })
        .await?;
    Ok(store_report(&app, &token, r))
}

#[tauri::command]
async fn commit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    token: String,
    options: ImportOptions,
    progress: Channel<ProgressReport>,
) -> IpcResult<ReportHead> {
    let (path, cancel) = start_run(&app, &token, state.lang())?;
    let r = state
        .with_db(move |db| {
            import::commit(
                db,
                &path,
                &options,
                &FnProgress {
                    f: move |p| {
                        let _ = progress.send(p);
                    },
                    cancel,
                },
            )
        })
        .await?;
    Ok(store_report(&app, &token, r))
}

#[tauri::command]
async fn cancel<R: Runtime>(app: AppHandle<R>, token: String) -> IpcResult<()> {
    let st = sessions(&app);
    let g = st.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = g.get(&token) {
        s.cancel.cancel();
    }
    Ok(())
}

/// Forget a chosen file and its report (the wizard starts again, chooses another file or closes).
#[tauri::command]
async fn close<R: Runtime>(app: AppHandle<R>, token: String) -> IpcResult<()> {
    sessions(&app).0.lock().unwrap_or_else(|p| p.into_inner()).remove(&token);
    Ok(())
}

/// A page of the last report's rows; `filter`: all | errors | accepted | changed.
#[tauri::command]
async fn rows<R: Runtime>(app: AppHandle<R>, token: String, offset: usize, limit: usize, filter: RowFilter) -> IpcResult<RowPage> {
    let st = sessions(&app);
    let g = st.0.lock().unwrap_or_else(|p| p.into_inner());
    Ok(g.get(&token).and_then(|s| s.report.as_ref()).map_or(RowPage { total: 0, rows: vec![] }, |r| RowPage::of(r, filter, offset, limit)))
}

/// Save the rejected rows as an xlsx (dialog opened here).
#[tauri::command]
async fn export_errors<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, token: String) -> IpcResult<Option<String>> {
    let report = {
        let st = sessions(&app);
        let g = st.0.lock().unwrap_or_else(|p| p.into_inner());
        g.get(&token).and_then(|s| s.report.clone())
    };
    let Some(report) = report else { return Ok(None) };
    let stem = std::path::Path::new(&report.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(path) = dialogs::save_file(&app, &format!("{stem}-错误行.xlsx"), "xlsx").await else { return Ok(None) };
    state.with_db(move |_| import::export_rejected(&report, &path).map(|_| Some(path.display().to_string()))).await
}

#[tauri::command]
async fn undo(state: State<'_, AppState>, batch: i64, force: bool) -> IpcResult<UndoReport> {
    state.with_db(move |db| import::undo(db, batch, force)).await
}

#[tauri::command]
async fn batches(state: State<'_, AppState>) -> IpcResult<Vec<BatchInfo>> {
    state.with_db(|db| import::batches(db, 200)).await
}

#[tauri::command]
async fn batch(state: State<'_, AppState>, id: i64) -> IpcResult<(BatchInfo, Vec<BatchItem>)> {
    state.with_db(move |db| import::batch(db, id)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("import")
        .invoke_handler(tauri::generate_handler![kinds, choose_file, analyze, commit, cancel, close, rows, export_errors, undo, batches, batch])
        .setup(|app, _| {
            app.manage(Sessions::default());
            Ok(())
        })
        .build()
}
