//! The coding workspace: a terminal UI over the core. One app state ([`app::App`]) in one of
//! its modes ([`modes::Mode`]); keys become the mode's actions (one table, [`action`]); one
//! event loop ([`event`]) feeds [`App::step`]; [`ui::render`] draws. Saving, search and
//! loading run on worker threads that wake the loop.

pub mod action;
pub mod app;
pub mod codebook_changes;
pub mod disk;
pub mod event;
pub mod fuzzy;
pub mod keymap;
pub mod modes;
pub mod navigate;
pub mod panes;
pub mod position;
pub mod review;
pub(crate) mod saver;
pub mod search;
pub mod session;
pub mod split;
pub mod startup;
pub mod text;
pub mod theme;
pub mod ui;
pub mod widgets;

use std::io::{IsTerminal, stdout};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use std::sync::mpsc::{Receiver, RecvTimeoutError};

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TerminalEvent, KeyCode, KeyModifiers,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::{DefaultTerminal, Terminal, backend::CrosstermBackend};

use crate::annotations::{CoderLock, CoderName};
use crate::error::{Error, Result};
use crate::project::ANNOTATIONS_DIR;

pub use crate::config::Config;
pub use app::App;

/// How long after the last change the worker saves: quick enough that a crash loses under a
/// second of work, slow enough not to write on every key of a burst.
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(300);

/// The longest a change waits for its save while changes keep coming (each one restarts
/// [`AUTOSAVE_DELAY`]): steady coding is saved at least this often.
pub const AUTOSAVE_MAX_WAIT: Duration = Duration::from_millis(700);

/// Where the work is saved, for the panic message.
static SAVED_TO: OnceLock<PathBuf> = OnceLock::new();

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen
    );
}

/// Restores the terminal however the UI ends, panics included.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // The search worker catches its panics and shows them in the search pane: the
        // workspace goes on, in its raw terminal, undisturbed by a message on stderr.
        // So do tantivy's search threads, whose panics reach the worker.
        if std::thread::current()
            .name()
            .is_some_and(|name| name == search::THREAD_NAME || name.starts_with("tantivy-search"))
        {
            return;
        }
        restore_terminal();
        previous(info);
        if let Some(path) = SAVED_TO.get() {
            eprintln!(
                "\nnormcode stopped on an internal error. Your coding up to the last autosave \
                 (at most {} ms before this) is in {}.",
                AUTOSAVE_DELAY.as_millis() + 700,
                path.display()
            );
        }
    }));
}

fn init_terminal() -> std::io::Result<DefaultTerminal> {
    install_panic_hook();
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

/// Opens the workspace for `coder` on the project at `root`; returns when the coder quits.
///
/// The first document shows at once while the project loads (see [`startup`]).
pub fn run(root: &Path, coder: &CoderName, config: &Config) -> Result<()> {
    let coder_name = coder.as_str();
    if !stdout().is_terminal() {
        return Err(Error::Usage(
            "the coding workspace needs a terminal; use `normcode status` for a summary".into(),
        ));
    }
    let lock = CoderLock::acquire(&root.join(ANNOTATIONS_DIR), coder)?;
    let (keymap, key_problems) = keymap::Keymap::with_overrides(&config.keys);
    let read = Arc::new(AtomicUsize::new(0));
    let position = position::saved_position(root, coder_name);
    let mut preview = startup::preview(
        root,
        coder_name,
        keymap.clone(),
        position,
        Arc::clone(&read),
    )?;
    if let (Some(app), Some(language)) = (&mut preview, &config.language) {
        app.language = language.clone();
    }
    let mut terminal = init_terminal().map_err(|e| Error::io("terminal", "cannot open", e))?;
    let _guard = TerminalGuard;
    let (tx, events) = event::with_terminal();
    if let Some(app) = &mut preview {
        draw(&mut terminal, app)?;
    }
    // Started once the preview is on screen, so as not to slow it down.
    let loader = startup::Loader::start(
        root.to_path_buf(),
        coder_name.to_string(),
        read,
        Some(tx.clone()),
    );
    let pending = match &mut preview {
        Some(app) => match wait_for_load(&mut terminal, app, &loader, &events)? {
            Some(pending) => pending,
            None => return Ok(()),
        },
        None => Vec::new(),
    };
    drop(preview);
    let (project, coder) = loader.finish()?;
    let _ = SAVED_TO.set(coder.path.clone());
    let project = Arc::new(project);
    let mut app = App::new(Arc::clone(&project), coder, keymap);
    app.lock = Some(lock);
    app.waker = Some(tx);
    if let Some(language) = &config.language {
        app.language = language.clone();
    }
    app.follow_codebook();
    if let Some(problem) = key_problems.first() {
        app.error(format!("config: {problem}"));
    }
    let position = position::load_position(&project, coder_name);
    if let Some((doc, unit)) = position {
        app.open_document(doc, unit);
    }
    app.start_autosave();
    app.start_suggestions(config.no_suggestions);
    // The layout the keys were pressed on (the preview's) is the loaded workspace's too.
    draw(&mut terminal, &mut app)?;
    for event in pending {
        app.step(event::Event::Terminal(event));
    }
    let outcome = event_loop(&mut terminal, &mut app, &events);
    drop(_guard);
    position::save_position(&app.project, coder_name, &app);
    if let Some(message) = disk::unreadable_at_exit(&app) {
        eprintln!("{message}");
    }
    // Dropping the app ends the autosave worker, then releases the coder's lock.
    drop(app);
    outcome
}

fn terminal_error(e: std::io::Error) -> Error {
    Error::io("terminal", "cannot draw", e)
}

/// Draws a frame and keeps the layout it drew (for mouse clicks and page sizes).
fn draw(terminal: &mut DefaultTerminal, app: &mut App) -> Result<()> {
    let mut layout = None;
    terminal
        .draw(|frame| layout = Some(ui::render(frame, app)))
        .map_err(terminal_error)?;
    if let Some(layout) = layout {
        app.layout = layout;
    }
    Ok(())
}

/// Shows the preview until the loader is done. The events that came meanwhile, to be applied
/// to the loaded workspace; `None` when the coder pressed Ctrl-C (nothing was changed yet).
fn wait_for_load(
    terminal: &mut DefaultTerminal,
    preview: &mut App,
    loader: &startup::Loader,
    events: &Receiver<event::Event>,
) -> Result<Option<Vec<TerminalEvent>>> {
    let mut pending = Vec::new();
    // Redrawn for the progress in the status bar a few times a second, and after a resize.
    while !loader.is_finished() {
        match events.recv_timeout(Duration::from_millis(150)) {
            Ok(event::Event::Terminal(TerminalEvent::Key(key)))
                if key.code == KeyCode::Char('c')
                    && key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                return Ok(None);
            }
            Ok(event::Event::Terminal(TerminalEvent::Resize(..))) => draw(terminal, preview)?,
            Ok(event::Event::Terminal(event)) => pending.push(event),
            // The loader's last act: it ends now.
            Ok(event::Event::Loaded) => break,
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => draw(terminal, preview)?,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    Ok(Some(pending))
}

/// Sleeps until an event comes or the app's next deadline passes, lets the app handle it,
/// draws when something changed. The app decides when it may end ([`App::finish_quit`]).
fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    events: &Receiver<event::Event>,
) -> Result<()> {
    draw(terminal, app)?;
    loop {
        let event = match events.recv_timeout(app.next_deadline()) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => event::Event::Tick,
            Err(RecvTimeoutError::Disconnected) => event::Event::Tick,
        };
        let mut redraw = app.step(event);
        // Whatever else is waiting, before drawing once.
        while let Ok(event) = events.try_recv() {
            redraw |= app.step(event);
        }
        if app.quit {
            if app.finish_quit()? {
                return Ok(());
            }
            redraw = true;
        }
        if redraw {
            draw(terminal, app)?;
        }
    }
}
