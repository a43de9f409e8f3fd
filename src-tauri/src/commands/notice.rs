//! Notices: preview, issue, batch, reprint, void, correct, verify, templates. PDFs travel to the
//! window as raw bytes (`ipc::Response`) for the bundled pdf.js viewer; "save as" and "verify"
//! open their dialogs here; "print" hands the stored PDF to the system's viewer.

use std::path::PathBuf;
use std::sync::Mutex;

use huiqi_core::notice::publicity::{self, ObjectionStatus, Publicity, PublicityInput};
use huiqi_core::notice::{self, BatchIssued, Candidate, Draft, Notice, NoticeKind, Placeholder, RegisterLine, Target, Template, Verification};
use huiqi_core::progress::{CancelFlag, FnProgress, ProgressReport};
use huiqi_core::Error;
use tauri::ipc::{Channel, Response};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::dialogs;
use crate::error::{to_ipc, IpcResult};
use crate::state::AppState;

/// The cancel flag of the batch being issued.
#[derive(Default)]
struct Batch(Mutex<Option<CancelFlag>>);

fn today() -> chrono::NaiveDate {
    huiqi_core::cert::today()
}

#[tauri::command]
async fn templates(state: State<'_, AppState>) -> IpcResult<Vec<Template>> {
    state.with_db(|db| notice::templates(db)).await
}

#[tauri::command]
async fn template_versions(state: State<'_, AppState>, kind: NoticeKind) -> IpcResult<Vec<Template>> {
    state.with_db(move |db| notice::template_versions(db, kind)).await
}

#[tauri::command]
async fn template_save(state: State<'_, AppState>, kind: NoticeKind, genre: String, title: String, body: String) -> IpcResult<Template> {
    state.with_db(move |db| notice::save_template(db, kind, &genre, &title, &body)).await
}

#[tauri::command]
fn placeholders(kind: NoticeKind) -> Vec<Placeholder> {
    notice::placeholders(kind)
}

/// The notice a grant gets (approval or rejection, by its status).
#[tauri::command]
async fn target_for_grant(state: State<'_, AppState>, grant: i64) -> IpcResult<Target> {
    state.with_db(move |db| notice::target_for_grant(db, grant)).await
}

/// The notice a reward gets (its difference, 补差, when it tops up an earlier one).
#[tauri::command]
async fn target_for_reward(state: State<'_, AppState>, reward: i64) -> IpcResult<Target> {
    state.with_db(move |db| notice::target_for_reward(db, reward)).await
}

/// Approved, unpaid grants and rewards not published yet: (grants, rewards).
#[tauri::command]
async fn publicity_unpublished(state: State<'_, AppState>) -> IpcResult<(Vec<i64>, Vec<i64>)> {
    state.with_db(|db| publicity::unpublished(db)).await
}

/// Publish a 公示 list (its document numbered from the register).
#[tauri::command]
async fn publicity_create(state: State<'_, AppState>, input: PublicityInput) -> IpcResult<Publicity> {
    state.with_db(move |db| publicity::create(db, &input, today()).map(|(p, _)| p)).await
}

#[tauri::command]
async fn publicity_list(state: State<'_, AppState>) -> IpcResult<Vec<Publicity>> {
    state.with_db(|db| publicity::list(db)).await
}

#[tauri::command]
async fn publicity_object(
    state: State<'_, AppState>,
    id: i64,
    grant: Option<i64>,
    reward: Option<i64>,
    text: String,
    objector: String,
    received_on: String,
) -> IpcResult<Publicity> {
    state
        .with_db(move |db| {
            let day = huiqi_core::import::normalize::parse_date_text(&received_on)
                .ok_or_else(|| Error::invalid("bad_date", "收到日期无效。", "Bad date.").with_details(serde_json::json!({"field": "received_on"})))?;
            publicity::object(db, id, grant, reward, &text, &objector, day)
        })
        .await
}

#[tauri::command]
async fn publicity_resolve(state: State<'_, AppState>, objection: i64, outcome: ObjectionStatus, reason: String, amount: Option<i64>) -> IpcResult<Publicity> {
    state.with_db(move |db| publicity::resolve(db, objection, outcome, &reason, amount)).await
}

#[tauri::command]
async fn publicity_close(state: State<'_, AppState>, id: i64) -> IpcResult<Publicity> {
    state.with_db(move |db| publicity::close(db, id, today())).await
}

/// The list as xlsx for the website, where the user chooses.
#[tauri::command]
async fn publicity_export<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: i64) -> IpcResult<Option<String>> {
    let p = state.with_db(move |db| publicity::get(db, id)).await?;
    let name = format!("{}.xlsx", huiqi_core::text::safe_file_name(&p.subject));
    let Some(path) = dialogs::save_file(&app, &name, "xlsx").await else { return Ok(None) };
    state.with_db(move |db| publicity::export_xlsx(db, id, &path).map(|_| Some(path.display().to_string()))).await
}

/// Compose (checks every field and character; nothing written).
#[tauri::command]
async fn draft(state: State<'_, AppState>, target: Target) -> IpcResult<Draft> {
    state.with_db(move |db| notice::preview(db, target, today()).map(|(d, _)| d)).await
}

/// The preview PDF (样稿, no number), as bytes.
#[tauri::command]
async fn preview_pdf(state: State<'_, AppState>, target: Target) -> IpcResult<Response> {
    state.with_db(move |db| notice::preview(db, target, today()).map(|(_, pdf)| Response::new(pdf))).await
}

#[tauri::command]
async fn issue(state: State<'_, AppState>, target: Target) -> IpcResult<Notice> {
    state.with_db(move |db| notice::issue(db, target, today())).await
}

#[tauri::command]
async fn list(state: State<'_, AppState>, enterprise: Option<i64>, q: Option<String>) -> IpcResult<Vec<Notice>> {
    state.with_db(move |db| notice::list(db, enterprise, q.as_deref())).await
}

#[tauri::command]
async fn get(state: State<'_, AppState>, id: i64) -> IpcResult<Notice> {
    state.with_db(move |db| notice::get(db, id)).await
}

/// The stored PDF, byte for byte (view and reprint).
#[tauri::command]
async fn pdf(state: State<'_, AppState>, id: i64) -> IpcResult<Response> {
    state.with_db(move |db| notice::pdf(db, id).map(Response::new)).await
}

#[tauri::command]
async fn void(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Notice> {
    state.with_db(move |db| notice::void(db, id, &reason)).await
}

#[tauri::command]
async fn correct(state: State<'_, AppState>, id: i64, reason: String) -> IpcResult<Notice> {
    state.with_db(move |db| notice::correct(db, id, &reason, today())).await
}

#[tauri::command]
async fn register(state: State<'_, AppState>) -> IpcResult<Vec<RegisterLine>> {
    state.with_db(|db| notice::register(db)).await
}

#[tauri::command]
async fn candidates(state: State<'_, AppState>) -> IpcResult<Vec<Candidate>> {
    state.with_db(|db| notice::candidates(db, today())).await
}

#[tauri::command]
async fn batch_preview(state: State<'_, AppState>, targets: Vec<Target>) -> IpcResult<Response> {
    state.with_db(move |db| notice::batch_preview(db, &targets, today(), &huiqi_core::progress::NoProgress).map(Response::new)).await
}

/// Issue a batch in one transaction, reporting progress; `batch_cancel` rolls it all back.
#[tauri::command]
async fn batch_issue<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    targets: Vec<Target>,
    progress: Channel<ProgressReport>,
) -> IpcResult<BatchIssued> {
    let cancel = CancelFlag::new();
    *app.state::<Batch>().0.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
    let out = state
        .with_db(move |db| {
            let p = FnProgress {
                f: move |r| {
                    let _ = progress.send(r);
                },
                cancel,
            };
            notice::batch_issue(db, &targets, today(), &p).map(|(b, _)| b)
        })
        .await;
    *app.state::<Batch>().0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    out
}

#[tauri::command]
fn batch_cancel<R: Runtime>(app: AppHandle<R>) {
    if let Some(c) = app.state::<Batch>().0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        c.cancel();
    }
}

/// One PDF of stored notices (a batch, for printing), as bytes.
#[tauri::command]
async fn combined_pdf(state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<Response> {
    state.with_db(move |db| notice::combined_reprint(db, &ids).map(Response::new)).await
}

async fn bytes_and_name(state: &AppState, ids: Vec<i64>) -> IpcResult<(Vec<u8>, String)> {
    state
        .with_db(move |db| match ids.as_slice() {
            [one] => {
                let n = notice::get(db, *one)?;
                Ok((notice::pdf(db, *one)?, notice::file_name(&n)))
            }
            many => Ok((notice::combined_reprint(db, many)?, format!("公文合并打印-{}份-{}.pdf", many.len(), today().format("%Y%m%d")))),
        })
        .await
}

/// Save the stored PDF (one id) or a combined PDF (several) where the user chooses.
#[tauri::command]
async fn save_as<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<Option<String>> {
    let (bytes, name) = bytes_and_name(&state, ids).await?;
    let Some(path) = dialogs::save_file(&app, &name, "pdf").await else { return Ok(None) };
    write(&path, &bytes).map_err(|e| to_ipc(e, state.lang()))?;
    Ok(Some(path.display().to_string()))
}

/// Hand the PDF to the system's PDF viewer (which prints it). Under the test harness the file is
/// only written (no viewer is started).
#[tauri::command]
async fn print<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<String> {
    let (bytes, name) = bytes_and_name(&state, ids).await?;
    let dir = match std::env::var_os("HUIQI_TEST_DIALOG_DIR") {
        Some(d) => PathBuf::from(d).join("print"),
        None => app.path().app_cache_dir().map_err(|e| to_ipc(Error::Internal(e.to_string()), state.lang()))?.join("print"),
    };
    let path = dir.join(huiqi_core::text::safe_file_name(&name));
    write(&path, &bytes).map_err(|e| to_ipc(e, state.lang()))?;
    if std::env::var_os("HUIQI_TEST_DIALOG_DIR").is_none() {
        app.opener().open_path(path.display().to_string(), None::<&str>).map_err(|e| {
            to_ipc(
                Error::refused(
                    "no_pdf_viewer",
                    format!("没有找到可以打开 PDF 的程序（{e}）。请用“另存为”保存后打印。"),
                    format!("No PDF viewer could be started ({e}). Save the file and print it."),
                ),
                state.lang(),
            )
        })?;
    }
    Ok(path.display().to_string())
}

fn write(path: &std::path::Path, bytes: &[u8]) -> huiqi_core::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Choose a PDF (dialog opened here) and say whether it is an issued notice of this register.
#[tauri::command]
async fn verify<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<Option<Verification>> {
    let Some(path) = dialogs::open_file(&app, "选择要核验的公文 PDF", &[("PDF", &["pdf"])]).await else { return Ok(None) };
    state
        .with_db(move |db| {
            let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
            if meta.len() > 64 * 1024 * 1024 {
                return Err(Error::invalid("file_too_large", "文件超过 64 MB，不是本系统出具的公文。", "Over 64 MB: not a notice of this register."));
            }
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            notice::verify_bytes(db, &bytes).map(Some)
        })
        .await
}

#[tauri::command]
async fn verify_code(state: State<'_, AppState>, code: String) -> IpcResult<Verification> {
    state.with_db(move |db| notice::verify_code(db, &code)).await
}

pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("notice")
        .setup(|app, _| {
            app.manage(Batch::default());
            if let Ok(dir) = app.path().resource_dir() {
                notice::set_fonts_dir(dir.join("fonts"));
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            templates,
            template_versions,
            template_save,
            placeholders,
            target_for_grant,
            target_for_reward,
            draft,
            preview_pdf,
            issue,
            list,
            get,
            pdf,
            void,
            correct,
            register,
            candidates,
            batch_preview,
            batch_issue,
            batch_cancel,
            combined_pdf,
            save_as,
            print,
            verify,
            verify_code,
            publicity_unpublished,
            publicity_create,
            publicity_list,
            publicity_object,
            publicity_resolve,
            publicity_close,
            publicity_export
        ])
        .build()
}
