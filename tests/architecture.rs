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

// ---- the core's layers (ARCHITECTURE.md "Layers") -------------------------------------------

/// The core's source files: (top-level module, path under src/, text without comments and without
/// the trailing test module — clippy's `items_after_test_module` keeps test modules last).
fn core_sources() -> Vec<(String, String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = root().join("src-tauri/core/src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let mut v = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        // Test files of a module (rent/tests.rs, notice/tests.rs) and the bindings generator.
        if rel.ends_with("/tests.rs") || rel == "bindings.rs" {
            continue;
        }
        let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let code = without_test_module(&text);
        let code: String = code.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join("\n");
        v.push((top, rel, code));
    }
    v
}

/// A source without its inline test module (`#[cfg(test)]` then `mod tests {` at the start of a
/// line: clippy's `items_after_test_module` keeps it last). A `#[cfg(test)]` before `mod tests;`
/// (a file of its own) or before an item does not end the code.
fn without_test_module(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]\nmod ") {
        let at = from + i;
        let line_end = text[at + 13..].find('\n').map_or(text.len(), |e| at + 13 + e);
        if (at == 0 || text.as_bytes()[at - 1] == b'\n') && text[at + 13..line_end].trim_end().ends_with('{') {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// The top-level modules a source refers to (`crate::x…`, `use crate::{x, y::z}`).
fn refers_to(code: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_').collect::<String>();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + 7..];
        if let Some(list) = rest.strip_prefix('{') {
            let end = list.find('}').unwrap_or(list.len());
            for item in list[..end].split(',') {
                let name = ident(item.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Modules every layer may use: errors, language, text, money, the USCC check, progress.
const BASE: &[&str] = &["error", "i18n", "text", "money", "uscc", "progress", "Result", "Error", "Lang"];

#[test]
fn the_core_layers_run_one_way() {
    use std::collections::{BTreeMap, BTreeSet};
    let sources = core_sources();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (top, rel, code) in &sources {
        let refs = refers_to(code);
        // model: plain types only.
        if top == "model" {
            let bad: Vec<&String> = refs.iter().filter(|r| !BASE.contains(&r.as_str()) && *r != "model").collect();
            assert!(bad.is_empty(), "model/{rel} uses {bad:?}: the model knows no store and no service");
        }
        // store: SQLite, on the model.
        if top == "store" {
            let bad: Vec<&String> = refs.iter().filter(|r| !BASE.contains(&r.as_str()) && *r != "model" && *r != "store").collect();
            assert!(bad.is_empty(), "{rel} uses {bad:?}: the store imports only the model (and the base modules)");
        }
        let e = graph.entry(top.clone()).or_default();
        for r in refs {
            if r != *top && sources.iter().any(|(t, _, _)| *t == r) {
                e.insert(r);
            }
        }
    }
    assert!(graph.len() > 15, "the walk found the core's modules: {:?}", graph.keys());
    // No cycle between top-level modules (Tarjan's strongly connected components).
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        knots: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        let g = t.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.stack.contains(&w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.knots.push(comp);
            }
        }
    }
    let mut t = T { g: &graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), knots: Vec::new() };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    assert!(t.knots.is_empty(), "modules that use each other in a circle: {:?}\n{graph:#?}", t.knots);
}

#[test]
fn only_the_store_speaks_sql() {
    const SQL_CALLS: &[&str] = &[".prepare(", ".prepare_cached(", ".query_row(", ".query_map(", ".execute(", ".execute_batch(", ".pragma_"];
    const SQL_WORDS: &[&str] = &["\"SELECT ", "\"UPDATE ", "\"INSERT ", "\"DELETE ", "\"PRAGMA ", "\"CREATE ", "\"DROP ", "\"ALTER "];
    for (top, rel, code) in core_sources() {
        if top == "store" {
            continue;
        }
        // error.rs carries the driver's error (and says what a full disk or a busy file is).
        if rel != "error.rs" {
            assert!(!code.contains("rusqlite"), "{rel} names rusqlite: only the store may");
        }
        for w in SQL_CALLS.iter().chain(SQL_WORDS) {
            assert!(!code.contains(w), "{rel} runs SQL ({w}): put it behind a store function");
        }
    }
}

#[test]
fn store_rows_are_read_by_name() {
    // Past the third column a row is read through a `columns!` position or by its column name,
    // never by a bare number.
    for (top, rel, code) in core_sources() {
        if top != "store" {
            continue;
        }
        let mut rest = code.as_str();
        while let Some(i) = rest.find(".get") {
            rest = &rest[i + 4..];
            let args = rest.strip_prefix("::<").map_or(rest, |r| r.split_once(">(").map_or(r, |x| x.1));
            let args = args.strip_prefix('(').unwrap_or(args);
            let n: String = args.chars().take_while(|c| c.is_ascii_digit()).collect();
            if let Ok(n) = n.parse::<u32>() {
                assert!(n < 3, "{rel}: a row read by position ({n}): use columns! or the column's name");
            }
        }
    }
}

// ---- long functions (ARCHITECTURE.md "Long functions") ----------------------------------------

/// A core function longer than this is split by job, or named below with the reason it stays
/// whole (and in ARCHITECTURE.md).
const LONG_FN_LINES: usize = 90;

/// (file under core/src, function): each explained in ARCHITECTURE.md's "Long functions" table.
const EXPLAINED_LONG_FUNCTIONS: &[(&str, &str)] = &[
    ("import/read.rs", "rows"),
    ("import/ods.rs", "scan_xml"),
    ("import/xls.rs", "scan"),
    ("notice/layout/font.rs", "run"),
    ("notice/layout/font.rs", "build_cff"),
    ("notice/layout/font.rs", "build_otf"),
    ("notice/layout/pdf.rs", "write_pdf"),
    ("import/validate.rs", "parse_field"),
    ("import/validate.rs", "validate_row"),
    ("import/undo.rs", "undo"),
    ("import/table.rs", "find_table"),
    ("import/pipeline.rs", "run_with"),
    ("enterprise/validate.rs", "validate"),
    ("enterprise/history.rs", "undo_event"),
    ("demo.rs", "add_demo_activity"),
    ("cert/reward.rs", "scan"),
    ("notice/publicity.rs", "create"),
    ("rent/engine.rs", "revenue_rate"),
    ("error.rs", "message"),
];

/// The functions of a source file with their length in lines: (name, lines). Strings and
/// comments are skipped when braces are counted; test modules (from `#[cfg(test)]`) are not read.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let code = without_test_module(text);
    // Each line without its string and char literals and its comment.
    let lines: Vec<String> = code
        .lines()
        .map(|l| {
            let mut out = String::new();
            let mut chars = l.chars().peekable();
            let mut in_str = false;
            while let Some(c) = chars.next() {
                if in_str {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => in_str = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '/' if chars.peek() == Some(&'/') => break,
                    '\'' => {
                        // a char literal ('{', '\'') or a lifetime ('a): skip a literal whole
                        let rest: String = chars.clone().take(3).collect();
                        if rest.starts_with('\\') {
                            chars.next();
                            chars.next();
                            for x in chars.by_ref() {
                                if x == '\'' {
                                    break;
                                }
                            }
                        } else if rest.chars().nth(1) == Some('\'') {
                            chars.next();
                            chars.next();
                        }
                    }
                    _ => out.push(c),
                }
            }
            out
        })
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim_start();
        let after_fn = l.split_once("fn ").filter(|(head, _)| {
            let h = head.trim();
            h.is_empty() || h.split_whitespace().all(|w| matches!(w, "pub" | "const" | "async" | "unsafe") || w.starts_with("pub("))
        });
        if let Some((_, rest)) = after_fn {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let (mut depth, mut opened, mut j) = (0i64, false, i);
            while j < lines.len() {
                for c in lines[j].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if (opened && depth == 0) || (!opened && lines[j].trim_end().ends_with(';')) {
                    break;
                }
                j += 1;
            }
            if opened && !name.is_empty() {
                found.push((name, j - i + 1));
            }
        }
        i += 1;
    }
    found
}

#[test]
fn long_functions_are_split_or_explained() {
    let src = root().join("src-tauri/core/src");
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut long = Vec::new();
    for (_, rel, _) in core_sources() {
        let text = std::fs::read_to_string(src.join(&rel)).unwrap();
        for (name, n) in function_lengths(&text) {
            if n > LONG_FN_LINES {
                long.push((rel.clone(), name, n));
            }
        }
    }
    assert!(long.len() >= 5, "the scan finds functions: {long:?}");
    for (rel, name, n) in &long {
        assert!(
            EXPLAINED_LONG_FUNCTIONS.contains(&(rel.as_str(), name.as_str())),
            "{rel}: fn {name} has {n} lines (over {LONG_FN_LINES}): split it by job, or explain why it stays whole in \
             ARCHITECTURE.md's \"Long functions\" and EXPLAINED_LONG_FUNCTIONS"
        );
    }
    for (rel, name) in EXPLAINED_LONG_FUNCTIONS {
        assert!(long.iter().any(|(r, n, _)| r == rel && n == name), "{rel}: fn {name} is no longer long: take it off EXPLAINED_LONG_FUNCTIONS");
        assert!(arch.contains(&format!("`{name}`")), "ARCHITECTURE.md's \"Long functions\" does not explain {rel} `{name}`");
    }
}

#[test]
fn the_function_scan_measures_what_it_reads() {
    let text = "fn a() {\n    let s = \"}{\";\n    let c = '{';\n    // }\n}\n\npub(crate) fn b<'x>(v: &'x str) -> usize {\n    v.len()\n}\nfn decl();\n";
    assert_eq!(function_lengths(text), vec![("a".to_string(), 5), ("b".to_string(), 3)]);
}

#[test]
fn a_test_module_ends_the_code_but_a_test_item_does_not() {
    let text = "fn a() {}\n#[cfg(test)]\nmod tests;\n    #[cfg(test)]\n    fn b() {}\nfn c() {}\n#[cfg(test)]\nmod tests {\n    fn d() {}\n}\n";
    let code = without_test_module(text);
    assert!(code.contains("fn c()") && !code.contains("fn d()"), "{code}");
}
