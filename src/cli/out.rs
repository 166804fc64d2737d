//! Everything the command line prints goes through here: to a locked standard output, with
//! write errors returned instead of panicking. A reader that closed the pipe early (`| head`)
//! ends the output quietly, as `cat` does; any other failure (`> /dev/full`) is an error that
//! names standard output. Text for a terminal never carries control characters raw.

use std::io::{ErrorKind, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::output::{self, Destination};
use crate::text::{escape_json_controls, sanitize, sanitize_lines};

/// Set once the reader of standard output has gone: nothing more is written.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `bytes` to standard output as they are.
pub fn raw(bytes: &[u8]) -> Result<()> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::io("standard output", "cannot write", e)),
    }
}

/// Messages and tables (they quote ids, labels, names): control characters made visible,
/// newlines kept.
pub fn text(text: &str) -> Result<()> {
    raw(sanitize_lines(text).as_bytes())
}

/// JSON: the same value, with what a terminal would act on escaped.
pub fn json(json: &str) -> Result<()> {
    raw(escape_json_controls(json).as_bytes())
}

/// Data (CSV, Markdown, YAML...): exact into a pipe or a file, made safe for a terminal.
pub fn data(bytes: &[u8]) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        return raw(bytes);
    }
    let text = String::from_utf8_lossy(bytes);
    let mut safe = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix("\r\n") {
            Some(body) => (body, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            },
        };
        safe.push_str(&sanitize(body));
        safe.push_str(end);
    }
    raw(safe.as_bytes())
}

/// A message on standard error, control characters made visible; a failure to write it is
/// ignored (there is nowhere left to say so).
pub fn message(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", sanitize_lines(text));
}

/// One line on standard error for each coder file read as a newer codebook than it was
/// written under ([`crate::project::LoadedCoder::read_as`]); the commands that only read say
/// it, and write none of them.
pub fn read_as(coders: &[crate::project::LoadedCoder]) {
    for coder in coders {
        if let Some(text) = coder.read_as() {
            message(&text);
        }
    }
}

/// A path for a message.
pub fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Writes an output command's `bytes` to `destination`: standard output as [`data`], anything
/// else through [`output::write`].
pub fn deliver(destination: &Destination, bytes: &[u8]) -> Result<()> {
    match destination {
        Destination::Stdout => data(bytes),
        other => output::write(other, bytes),
    }
}

/// `println!` to standard output through [`text`]; evaluates to a `Result` to pass on with `?`.
macro_rules! say {
    () => {
        $crate::cli::out::text("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::out::text(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` through [`message`].
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::out::message(&format!($($arg)*))
    };
}

pub(crate) use {note, say};
