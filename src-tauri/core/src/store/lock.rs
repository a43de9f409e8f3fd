//! One writer: an OS file lock on `<db>.lock`, held for as long as a writer has the database open.
//! The OS drops the lock when the process dies, so a lock file left by a crash is simply taken over;
//! the file's text (pid, host, time) only serves the message shown to whoever finds it held.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

pub fn lock_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

impl WriterLock {
    pub fn acquire(db: &Path, wait: Duration) -> Result<WriterLock> {
        let path = lock_path(db);
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(|e| Error::io(&path, e))?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        let mut holder = String::new();
                        let _ = file.seek(SeekFrom::Start(0));
                        let _ = file.read_to_string(&mut holder);
                        let holder = holder.trim().to_string();
                        return Err(Error::Locked { holder: if holder.is_empty() { "unknown".into() } else { holder } });
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
        // We hold it: record who we are (a crash leaves this text behind, harmlessly).
        let who = format!(
            "pid {} · {} · {}",
            std::process::id(),
            std::env::args().next().map(|a| Path::new(&a).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or(a)).unwrap_or_default(),
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = file.write_all(who.as_bytes());
        let _ = file.sync_all();
        Ok(WriterLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
