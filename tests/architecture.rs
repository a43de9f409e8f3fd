//! The house rules, checked: the core knows no Tauri; the web view's permissions are exactly the
//! reviewed list; the CSP admits no remote origin and no inline script; no command takes a file
//! path from the UI; every command declared for access control exists and vice versa.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reviewed permissions of the main window. A new one fails this test until it is reviewed here.
const REVIEWED: &[&str] = &[
    "system:default",
    "enterprise:default",
    "import:default",
    "policy:default",
    "rent:default",
    "cert:default",
    "dashboard:default",
    "notice:default",
    "backup:default",
];

#[test]
fn core_does_not_depend_on_tauri() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "-p", "huiqi-core", "-e", "normal", "--offline", "--prefix", "none"])
        .current_dir(root())
        .output()
        .expect("cargo tree");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().count() > 10, "cargo tree printed the dependency tree");
    let bad: Vec<&str> = tree.lines().filter(|l| l.starts_with("tauri") || l.starts_with("wry ") || l.starts_with("tao ")).collect();
    assert!(bad.is_empty(), "huiqi-core must not depend on Tauri: {bad:?}");
}

#[test]
fn capabilities_are_the_reviewed_list() {
    let mut granted = Vec::new();
    for e in std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap() {
        let p = e.unwrap().path();
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert_eq!(v["windows"], serde_json::json!(["main"]), "{}: capabilities apply to the main window only", p.display());
        assert!(v.get("remote").is_none(), "no remote URL may use a capability");
        for perm in v["permissions"].as_array().unwrap() {
            granted.push(perm.as_str().expect("permission identifiers only, no inline scopes").to_string());
        }
    }
    granted.sort();
    let mut reviewed: Vec<String> = REVIEWED.iter().map(|s| s.to_string()).collect();
    reviewed.sort();
    assert_eq!(granted, reviewed, "a permission was added or removed: review it and update REVIEWED");
}

#[test]
fn csp_and_security_config() {
    let conf: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join("tauri.conf.json")).unwrap()).unwrap();
    let sec = &conf["app"]["security"];
    assert_eq!(conf["app"]["withGlobalTauri"], serde_json::json!(false));
    assert_eq!(sec["freezePrototype"], serde_json::json!(true));
    assert_eq!(conf["build"]["frontendDist"], serde_json::json!("ui/dist"));
    let csp = sec["csp"].as_object().expect("CSP set as directives");
    for (directive, value) in csp {
        let v = value.as_str().unwrap();
        for token in v.split_whitespace() {
            let remote = token.starts_with("http:") || token.starts_with("https:") || token == "*" || token.starts_with("ws");
            let allowed_ipc = token == "http://ipc.localhost" || token == "ipc:";
            assert!(!remote || allowed_ipc, "{directive} admits a remote origin: {token}");
        }
    }
    let script = csp["script-src"].as_str().unwrap();
    assert!(!script.contains("unsafe-inline") && !script.contains("unsafe-eval"), "no inline or eval'd script");
    assert_eq!(csp["object-src"].as_str(), Some("'none'"));
    assert_eq!(csp["default-src"].as_str(), Some("'self'"));
}

fn command_sources() -> Vec<(String, String)> {
    let dir = root().join("src-tauri/src/commands");
    let mut v = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if name != "mod" {
            v.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    v.sort();
    v
}

/// The `#[tauri::command]` functions of a source file: (name, parameter list).
fn commands(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("#[tauri::command]") {
        rest = &rest[i..];
        let f = rest.find("fn ").unwrap();
        let after = &rest[f + 3..];
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let open = after.find('(').unwrap();
        let close = after.find(") ->").or_else(|| after.find(")\n")).unwrap();
        out.push((name, after[open + 1..close].to_string()));
        rest = &rest[f..];
    }
    out
}

#[test]
fn no_command_takes_a_path_from_the_ui() {
    for (domain, src) in command_sources() {
        for (name, params) in commands(&src) {
            for p in params.split(',') {
                let p = p.trim();
                let lower = p.to_lowercase();
                assert!(
                    !(lower.contains("pathbuf")
                        || lower.contains("&path")
                        || lower.starts_with("path:")
                        || lower.starts_with("file:")
                        || lower.contains("_path:")),
                    "{domain}::{name} takes a path from the UI ({p}): open a dialog in Rust instead"
                );
            }
        }
    }
}

#[test]
fn access_control_lists_match_the_commands() {
    let build = std::fs::read_to_string(root().join("src-tauri/build.rs")).unwrap();
    for (domain, src) in command_sources() {
        let at = build.find(&format!("\"{domain}\",")).unwrap_or_else(|| panic!("build.rs does not declare domain {domain}"));
        let start = at + build[at..].find("&[").unwrap();
        let list = &build[start..start + build[start..].find(']').unwrap()];
        for (name, _) in commands(&src) {
            assert!(list.contains(&format!("\"{name}\"")), "build.rs does not declare {domain}:{name}");
        }
        let declared = list.matches('"').count() / 2;
        assert_eq!(declared, commands(&src).len(), "build.rs declares commands of {domain} that do not exist");
    }
    // Each domain has the same name in the UI's IPC wrappers and views.
    for (domain, _) in command_sources() {
        assert!(Path::new(&root().join(format!("ui/src/ipc/{domain}.ts"))).exists(), "ui/src/ipc/{domain}.ts");
    }
}
