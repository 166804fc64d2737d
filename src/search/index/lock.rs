//! One writer at a time across processes: an OS lock on [`LOCK_FILE`](super::LOCK_FILE).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

use super::LOCK_FILE;

/// An exclusive OS lock on the index folder's lock file, held while writing.
pub(super) struct WriteLock {
    _file: File,
}

/// The write lock an opener already holds, and why it made a new index (if it did).
pub(super) struct Held {
    pub(super) lock: WriteLock,
    pub(super) new_index: Option<String>,
}

/// Waits up to `wait` for the write lock; `None` when another process still holds it.
pub(super) fn acquire(dir: &Path, wait: Duration) -> Result<Option<WriteLock>> {
    let path = dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, "cannot open lock file", e))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(WriteLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(&path, "cannot lock", e));
            }
        }
    }
}

pub(super) fn busy_message(dir: &Path) -> String {
    format!(
        "another normcode process is writing the search index in {}",
        dir.display()
    )
}
