//! End-to-end tests of the real window. They run one at a time (one app, one WebKitWebDriver) in
//! the order of the user's day: first start, the registry, import, rent, certifications, notices.

// Each test holds the `serial()` guard across its awaits on purpose: it is what keeps one window
// at a time (the tests run on separate threads of the test harness, not within one runtime).
#![allow(clippy::await_holding_lock)]

mod backup;
mod cert;
mod foundation;
mod harness;
mod import;
mod notice;
mod registry;
mod rent;

use std::sync::Mutex;

/// One window at a time: the machine has two cores and WebKit is heavy.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}
