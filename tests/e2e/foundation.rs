//! First start: the shell in Chinese, English switch, demo data from the first-run screen, and
//! everything still there after a restart. A second launch on the same database focuses the first.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_demo_language_and_restart() {
    let _g = crate::serial();
    let w = World::new();
    let s = w.launch().await;
    // The first-run screen, in Chinese.
    s.find("[data-testid=first-run]").await;
    s.wait_text("欢迎使用惠企台账").await;
    s.shot("01-first-run").await;
    // Load the demo data: the shell opens on the dashboard; the registry lists the demo enterprises.
    s.click_until("[data-testid=first-run-demo]", "return !!document.querySelector('[data-testid=shell]')").await;
    s.find("[data-testid=dashboard]").await;
    s.click("[data-testid=nav-enterprise]").await;
    s.wait_text("企业台账").await;
    s.wait_js("return /5\\d 家企业/.test(document.querySelector('[data-testid=row-count]')?.innerText||'')", 20).await;
    s.wait_text("江宁经济技术开发区").await;
    s.shot("02-registry-zh").await;
    // Switch to English.
    s.click_text("[data-testid=lang-switch] *", "English").await;
    s.wait_text("Enterprises").await;
    s.wait_js("return /5\\d enterprises/.test(document.querySelector('[data-testid=row-count]')?.innerText||'')", 20).await;
    assert!(!s.body_text().await.contains("企业台账"), "the navigation switched to English");
    s.shot("03-registry-en").await;
    s.quit().await;

    // Restart: same data, still English, no first-run screen.
    let s = w.launch().await;
    s.find("[data-testid=shell]").await;
    s.click("[data-testid=nav-enterprise]").await;
    s.wait_text("Enterprises").await;
    s.wait_js("return /5\\d enterprises/.test(document.querySelector('[data-testid=row-count]')?.innerText||'')", 20).await;
    assert!(s.js("return !document.querySelector('[data-testid=first-run]')").await.as_bool().unwrap());

    // A second launch on the same database hands over to this window and exits.
    let started = std::time::Instant::now();
    let status = std::process::Command::new(APP)
        .args(["--db", &w.db().display().to_string()])
        .env("XDG_DATA_HOME", w.dir.path().join("data"))
        .env("XDG_CONFIG_HOME", w.dir.path().join("config"))
        .env("XDG_CACHE_HOME", w.dir.path().join("cache"))
        .env("NO_AT_BRIDGE", "1")
        .status()
        .expect("second launch");
    assert!(status.success(), "the second instance exits cleanly");
    assert!(started.elapsed().as_secs() < 20);
    // The first window still works.
    s.click_text("[data-testid=lang-switch] *", "中文").await;
    s.wait_text("企业台账").await;
    s.quit().await;

    // The audit chain of everything the UI did verifies.
    let db = huiqi_core::store::Db::open(w.db(), huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap();
    assert!(db.check().unwrap().ok);
}

/// Started where no window can open (no display at all, or a display that does not answer), the
/// app says so in Chinese and English and what to do, and exits with 1: no GTK panic, no stack
/// trace.
#[test]
fn without_a_display_the_app_says_so_and_exits() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("x.db");
    for display in [None, Some(":987")] {
        let mut c = std::process::Command::new(APP);
        c.arg("--db").arg(&db).env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").env("RUST_BACKTRACE", "1");
        if let Some(d) = display {
            c.env("DISPLAY", d);
        }
        let out = c.output().expect("the app starts");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "DISPLAY={display:?}: {err}");
        assert!(err.contains("惠企台账无法打开窗口") && err.contains("Huiqi Ledger cannot open its window"), "DISPLAY={display:?}: {err}");
        assert!(err.contains("huiqi --help"), "says what still works: {err}");
        assert!(!err.contains("panicked at") && !err.contains("stack backtrace"), "DISPLAY={display:?}: {err}");
    }
    assert!(!db.exists(), "nothing was created");
}
