//! IPC tests through Tauri's mock runtime, with the app's real config and capabilities: the
//! commands answer through the access control, errors have the pinned `{code, message, details}`
//! shape, and what the capability does not grant is refused.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

fn app(db: &std::path::Path) -> (tauri::App<tauri::test::MockRuntime>, WebviewWindow<tauri::test::MockRuntime>) {
    let app = huiqi_app::with_commands(mock_builder())
        .plugin(tauri_plugin_dialog::init())
        .manage(huiqi_app::state::AppState::new(db.to_path_buf()))
        .build(tauri::generate_context!())
        .expect("mock app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

fn invoke(w: &WebviewWindow<tauri::test::MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn status_first_run_and_language() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("ipc.db"));
    let s = invoke(&w, "plugin:system|status", json!({})).unwrap();
    assert_eq!(s["first_run"], json!(true));
    assert_eq!(s["lang"], json!("zh-CN"));
    let s = invoke(&w, "plugin:system|finish_first_run", json!({"demo": true})).unwrap();
    assert_eq!(s["first_run"], json!(false));
    assert!(s["enterprise_count"].as_i64().unwrap() >= 50);
    invoke(&w, "plugin:system|set_lang", json!({"lang": "en"})).unwrap();
    assert_eq!(invoke(&w, "plugin:system|status", json!({})).unwrap()["lang"], json!("en"));
}

#[test]
fn enterprise_create_search_and_pinned_error_shape() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("ipc.db"));
    // A wrong check character: the error is {code, message, details} with field errors, in Chinese.
    let err = invoke(&w, "plugin:enterprise|create", json!({"input": {"uscc": "914403001922038217", "name": "南京甲乙科技有限公司"}})).unwrap_err();
    assert_eq!(err["code"], json!("uscc_checksum"));
    assert!(err["message"].as_str().unwrap().contains("校验位错误"));
    assert_eq!(err["details"]["fields"][0]["field"], json!("uscc"));
    assert_eq!(err.as_object().unwrap().keys().collect::<Vec<_>>(), vec!["code", "details", "message"]);

    let ok = invoke(&w, "plugin:enterprise|create", json!({"input": {"uscc": "914403001922038216", "name": "南京甲乙科技有限公司", "founded_on": "2020.5.1"}}))
        .unwrap();
    assert_eq!(ok["enterprise"]["founded_on"], json!("2020-05-01"));
    let page = invoke(&w, "plugin:enterprise|search", json!({"query": {"q": "甲乙"}})).unwrap();
    assert_eq!(page["total"], json!(1));
    assert_eq!(page["rows"][0]["uscc"], json!("914403001922038216"));

    // Messages follow the UI language.
    invoke(&w, "plugin:system|set_lang", json!({"lang": "en"})).unwrap();
    let err = invoke(&w, "plugin:enterprise|get", json!({"id": 999})).unwrap_err();
    assert_eq!(err["code"], json!("not_found"));
    assert!(err["message"].as_str().unwrap().starts_with("No enterprise"));
}

#[test]
fn what_the_capability_does_not_grant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("ipc.db"));
    // The dialog plugin is registered (dialogs open from Rust) but the web view may not call it.
    let err = invoke(&w, "plugin:dialog|open", json!({"options": {}})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
    // No file-system plugin at all.
    assert!(invoke(&w, "plugin:fs|read_file", json!({"path": "/etc/passwd"})).is_err());
    // A command that does not exist.
    assert!(invoke(&w, "plugin:enterprise|drop_everything", json!({})).is_err());
}

#[test]
fn another_window_label_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _w) = app(&dir.path().join("ipc.db"));
    let other = WebviewWindowBuilder::new(&app, "intruder", Default::default()).build().unwrap();
    let err = invoke(&other, "plugin:system|status", json!({})).unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

/// The wizard's file session: a commit happens once per chosen file (a double click on 导入 or a
/// click racing the first commit does not make a second batch), and a closed session is gone.
/// The only test here that answers the file dialog (through the harness's test folder).
#[test]
fn an_import_session_commits_once_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("HUIQI_TEST_DIALOG_DIR", dir.path());
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/park-sheets/enterprises-roster.xlsx");
    std::fs::write(dir.path().join("next-open.txt"), sample.display().to_string()).unwrap();
    let (_app, w) = app(&dir.path().join("ipc.db"));
    let chosen = invoke(&w, "plugin:import|choose_file", json!({})).unwrap();
    let token = chosen["token"].as_str().unwrap().to_string();
    assert_eq!(chosen["file_name"], json!("enterprises-roster.xlsx"));
    let run = |cmd: &str| invoke(&w, cmd, json!({"token": token, "options": {}, "progress": "__CHANNEL__:1"}));

    let head = run("plugin:import|analyze").unwrap();
    assert_eq!(head["dry_run"], json!(true));
    let first = run("plugin:import|commit").unwrap();
    let batch = first["batch_id"].as_i64().unwrap();
    assert!(first["summary"]["new"].as_u64().unwrap() > 0);
    let again = run("plugin:import|commit").unwrap_err();
    assert_eq!(again["code"], json!("import_already_committed"));
    assert!(again["message"].as_str().unwrap().contains(&format!("第 {batch} 批")), "{again}");
    let batches = invoke(&w, "plugin:import|batches", json!({})).unwrap();
    assert_eq!(batches.as_array().unwrap().len(), 1, "one batch, not two");
    // The committed report still pages.
    let page = invoke(&w, "plugin:import|rows", json!({"token": token, "offset": 0, "limit": 5, "filter": "all"})).unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 5);

    invoke(&w, "plugin:import|close", json!({"token": token})).unwrap();
    let page = invoke(&w, "plugin:import|rows", json!({"token": token, "offset": 0, "limit": 5, "filter": "all"})).unwrap();
    assert_eq!(page["total"], json!(0));
    assert_eq!(run("plugin:import|analyze").unwrap_err()["code"], json!("import_session_expired"));
}
