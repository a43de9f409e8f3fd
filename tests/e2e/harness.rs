//! Drives the real app window: tauri-driver (WebDriver) → WebKitWebDriver → the built app, under
//! Xvfb (tests/run starts it). Each session gets its own database, data folders and driver port.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const APP: &str = env!("CARGO_BIN_EXE_huiqi-ledger");

/// The app under test: this build's, or `HUIQI_E2E_APP` (the benchmarks use the release build).
pub fn app_binary() -> String {
    std::env::var("HUIQI_E2E_APP").unwrap_or_else(|_| APP.to_string())
}

/// One test's world: a temp folder with the database, XDG folders and the dialog answers.
pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::Builder::new().prefix("huiqi-e2e-").tempdir().expect("tempdir");
        for d in ["data", "config", "cache", "dialogs"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        World { dir }
    }
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("huiqi.db")
    }
    pub fn dialogs(&self) -> PathBuf {
        self.dir.path().join("dialogs")
    }
    /// The next "open file" dialog answers `p`.
    pub fn answer_open(&self, p: &Path) {
        std::fs::write(self.dialogs().join("next-open.txt"), p.display().to_string()).unwrap();
    }
    pub async fn launch(&self) -> Session {
        Session::start(self, &[]).await
    }
    /// Launch with more environment, e.g. HUIQI_TODAY: the app on a later day.
    pub async fn launch_env(&self, env: &[(&str, &str)]) -> Session {
        Session::start(self, env).await
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let cargo_bin = home.join(".cargo/bin/tauri-driver");
    if cargo_bin.exists() {
        cargo_bin
    } else {
        PathBuf::from("tauri-driver")
    }
}

pub fn require_display() {
    if std::env::var_os("DISPLAY").is_none() {
        panic!("end-to-end tests need a display: run them through tests/run (it starts Xvfb), or under xvfb-run");
    }
}

pub struct Session {
    pub c: Client,
    driver: Child,
    artifacts: PathBuf,
}

impl Session {
    async fn start(w: &World, env: &[(&str, &str)]) -> Session {
        require_display();
        let port = free_port();
        let native = free_port();
        let root = w.dir.path();
        let mut driver = Command::new(driver_binary());
        // The driver's environment is the app's (through WebKitWebDriver).
        driver.envs(env.iter().copied());
        let driver = driver
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .env("HUIQI_TEST_DIALOG_DIR", w.dialogs())
            .env_remove("HUIQI_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver not found: `cargo install tauri-driver --version '^2' --locked` (tests/run does it)");
        let caps: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "browserName": "wry",
            "tauri:options": { "application": app_binary(), "args": ["--db", w.db().display().to_string()] }
        }))
        .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let c = loop {
            match tokio::time::timeout(Duration::from_secs(30), ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url)).await {
                Ok(Ok(c)) => break c,
                _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(300)).await,
                other => panic!("could not start a WebDriver session on the app: {other:?}"),
            }
        };
        let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/.artifacts");
        std::fs::create_dir_all(&artifacts).unwrap();
        let s = Session { c, driver, artifacts };
        s.wait_js("return !!document.querySelector('[data-testid=shell],[data-testid=first-run],[data-testid=open-error],[data-testid=recovery]')", 30).await;
        s
    }

    /// Close the window (the app exits) and the driver.
    pub async fn quit(self) {
        let _ = self.c.clone().close().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        drop(self);
        // Wait until the app released the database lock.
        tokio::time::sleep(Duration::from_millis(800)).await;
    }

    pub async fn js(&self, script: &str) -> Value {
        self.c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Poll a boolean script until true (or panic after `secs` with a screenshot).
    pub async fn wait_js(&self, script: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(Value::Bool(true)) = self.c.execute(script, vec![]).await {
                return;
            }
            if Instant::now() > deadline {
                self.shot("timeout").await;
                let body = self.body_text().await;
                panic!("timed out waiting for: {script}\n--- page text ---\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn body_text(&self) -> String {
        self.c.execute("return document.body.innerText", vec![]).await.ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }

    /// Wait until the visible page text contains `needle`.
    pub async fn wait_text(&self, needle: &str) {
        let s = format!("return document.body.innerText.includes({})", serde_json::to_string(needle).unwrap());
        self.wait_js(&s, 20).await;
    }

    /// The registry list shows exactly `n` enterprises (after its first search answered: the
    /// count starts at 0 before, and "1 家企业" is also part of "51 家企业").
    pub async fn wait_count(&self, n: u64) {
        let s = format!("const e = document.querySelector('[data-testid=row-count][data-loaded]'); return !!e && e.innerText.trim() === '{n} 家企业'");
        self.wait_js(&s, 20).await;
    }

    /// The import wizard's error count is exactly `n`.
    pub async fn wait_import_errors(&self, n: u64) {
        let s = format!("const e = document.querySelector('[data-testid=import-error-count]'); return !!e && e.innerText.trim().split(/\\s+/).pop() === '{n}' && !document.querySelector('[data-testid=import-progress]')");
        self.wait_js(&s, 20).await;
    }

    pub async fn wait_no_text(&self, needle: &str) {
        let s = format!("return !document.body.innerText.includes({})", serde_json::to_string(needle).unwrap());
        self.wait_js(&s, 20).await;
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// A real click. It waits until the element can take it (shown, enabled, not in a pane that
    /// waits for the app: `inert`, `aria-busy`); while an overlay is still fading out the click is
    /// intercepted: retry a while.
    pub async fn click(&self, css: &str) {
        // Ready: shown, enabled, and in the same place as 100 ms before (a table that lays out
        // its columns again after its rows arrive moves its buttons; a click aimed before the
        // move lands beside them).
        let ready = format!(
            "const e = document.querySelector({}); if (!e || e.getClientRects().length === 0 || e.disabled || e.closest('[inert],[aria-busy=true],.is-disabled')) return null; const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(',')",
            serde_json::to_string(css).unwrap()
        );
        // Not ready after a while: click anyway (the error then names what went wrong).
        let mut last = Value::Null;
        for _ in 0..100 {
            let now = self.js(&ready).await;
            if now != Value::Null && now == last {
                break;
            }
            last = now;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let el = self.find(css).await;
            match el.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    self.shot("click-failed").await;
                    panic!("click {css}: {e:?}")
                }
            }
        }
    }

    /// Confirm the open message box (its primary button) and wait until that box is gone. A
    /// click can land while the box is still opening and be lost: it is clicked again. A box that
    /// opens after it (a second question) is left for the next step.
    pub async fn confirm_box(&self) {
        self.find(".el-message-box__btns .el-button--primary").await;
        // The newest box (an earlier one may still be fading out).
        self.js("[...document.querySelectorAll('.el-message-box')].pop().setAttribute('data-e2e-confirm', '1'); return true").await;
        self.click_until(
            ".el-message-box[data-e2e-confirm] .el-message-box__btns .el-button--primary",
            "return !document.querySelector('.el-message-box[data-e2e-confirm]')",
        )
        .await;
    }

    /// Click `css` until `done` (a boolean script) holds: on a loaded machine a click can land while
    /// an element is still opening and be lost. Clicks again only while `css` is still there.
    pub async fn click_until(&self, css: &str, done: &str) {
        let there = format!("const e = document.querySelector({}); return !!e && e.getClientRects().length > 0", serde_json::to_string(css).unwrap());
        for _ in 0..4 {
            self.click(css).await;
            for _ in 0..40 {
                if self.js(done).await == Value::Bool(true) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            if self.js(&there).await != Value::Bool(true) {
                break;
            }
        }
        self.wait_js(done, 20).await;
    }

    /// The input element at `css` (the element itself, or the first input/textarea inside it).
    pub async fn input(&self, css: &str) -> fantoccini::elements::Element {
        let el = self.find(css).await;
        let tag = el.tag_name().await.unwrap_or_default().to_lowercase();
        if tag == "input" || tag == "textarea" {
            el
        } else {
            el.find(Locator::Css("input, textarea")).await.unwrap_or_else(|e| panic!("no input in {css}: {e}"))
        }
    }

    /// Replace the text of an input: select all, then type (real key events, as a user would).
    pub async fn fill(&self, css: &str, text: &str) {
        // A dialog still opening intercepts the click: retry a while, as `click` does.
        let deadline = Instant::now() + Duration::from_secs(10);
        let el = loop {
            let el = self.input(css).await;
            match el.click().await {
                Ok(()) => break el,
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
                Err(e) => {
                    self.shot("click-failed").await;
                    panic!("fill {css}: {e:?}")
                }
            }
        };
        // Under load WebKitWebDriver now and then loses or doubles a synthesized key: check what
        // the field holds and type again when it is not the text (the app never sees a mangled
        // value as final).
        for attempt in 0..3 {
            el.send_keys(&format!("{CTRL}a{NULL}{BACKSPACE}")).await.unwrap();
            if !text.is_empty() {
                el.send_keys(text).await.unwrap();
            }
            let got = el.prop("value").await.ok().flatten().unwrap_or_default();
            if got == text {
                return;
            }
            eprintln!("fill {css}: typed {text:?}, field holds {got:?} (attempt {})", attempt + 1);
        }
        panic!("fill {css}: the field never held {text:?}");
    }

    pub async fn keys(&self, css: &str, keys: &str) {
        let el = self.find(css).await;
        el.send_keys(keys).await.unwrap();
    }

    /// Keys sent to whatever has focus (body when nothing does).
    pub async fn press(&self, keys: &str) {
        let el = self.c.active_element().await.unwrap();
        el.send_keys(keys).await.unwrap();
    }

    /// A screenshot for people to look at (tests/.artifacts). WebKit's own screenshot can lag
    /// behind the screen, so the X display is captured when ImageMagick's `import` is there.
    pub async fn shot(&self, name: &str) {
        // Let WebKit lay out and paint (two frames), then give the compositor time to reach X.
        let _ = self
            .c
            .execute_async("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)))", vec![])
            .await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let path = self.artifacts.join(format!("{name}.png"));
        let ok = Path::new("/usr/bin/import").exists()
            && Command::new("/usr/bin/import").args(["-window", "root", &path.display().to_string()]).status().is_ok_and(|s| s.success());
        if !ok {
            if let Ok(png) = self.c.screenshot().await {
                let _ = std::fs::write(&path, png);
            }
        }
    }

    /// Click the element whose text is exactly `text` among `css` matches.
    pub async fn click_text(&self, css: &str, text: &str) {
        let script = format!(
            "const els=[...document.querySelectorAll({})].filter(e=>e.offsetParent!==null&&e.innerText.trim()==={});if(!els.length)return false;els[0].click();return true",
            serde_json::to_string(css).unwrap(),
            serde_json::to_string(text).unwrap()
        );
        self.wait_js(&script, 20).await;
    }
}

impl Drop for Session {
    /// A failing test still closes its driver (and with it WebKitWebDriver and the app).
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub const CTRL: char = '\u{E009}';
pub const SHIFT: char = '\u{E008}';
pub const NULL: char = '\u{E000}';
pub const ENTER: char = '\u{E007}';
pub const ESCAPE: char = '\u{E00C}';
pub const BACKSPACE: char = '\u{E003}';
