//! The workspace's one event channel: terminal events from a reader thread, and a word from
//! each worker (autosave, search index, project loader) when it has something for the app.
//! The loop sleeps until one arrives or until the app's next deadline ([`Event::Tick`]: an
//! autosave due, the once-a-second look at the files on disk); [`super::App::step`] handles
//! each, headless in tests exactly as in the terminal.

use std::sync::mpsc::{Receiver, Sender, channel};

use ratatui::crossterm::event as terminal;

pub enum Event {
    Terminal(terminal::Event),
    /// The autosave worker (of the coder's file or the consensus file) finished a save.
    Saved,
    /// The search worker has replies.
    Search,
    /// The project finished loading (see [`super::startup::Loader`]).
    Loaded,
    /// The recommender finished a training (see [`super::modes::suggest`]).
    Trained,
    /// Nothing came before the app's next deadline.
    Tick,
}

/// Where workers send their word; `None` in headless use, where the app is polled.
pub type Waker = Option<Sender<Event>>;

/// Tells the loop that `event` happened; a loop that has ended is no one's concern.
pub fn wake(waker: &Waker, event: Event) {
    if let Some(tx) = waker {
        let _ = tx.send(event);
    }
}

/// The channel, with the terminal's events sent into it from a thread of their own.
pub fn with_terminal() -> (Sender<Event>, Receiver<Event>) {
    let (tx, rx) = channel();
    let terminal_tx = tx.clone();
    std::thread::Builder::new()
        .name("normcode-terminal".into())
        .spawn(move || {
            while let Ok(event) = terminal::read() {
                if terminal_tx.send(Event::Terminal(event)).is_err() {
                    break;
                }
            }
        })
        .expect("the OS lets a process start a thread");
    (tx, rx)
}
