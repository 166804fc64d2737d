//! Driving the workspace headless: key scripts in, the screen out as text.

use normcode::tui::App;
use normcode::tui::keymap::Key;
use normcode::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Presses keys written as the config file writes them (`Key::parse_script`): plain
/// characters, and `<enter>`, `<esc>`, `<tab>`, `<s-tab>`, `<c-r>`, `<down>`, `<bs>`.
pub fn press(app: &mut App, script: &str) {
    for key in Key::parse_script(script).expect("a key script") {
        app.handle_key(key.to_event());
    }
}

/// One frame of `app` at `width` x `height`, as text (a wide character once, not followed by
/// the blank of its second cell).
pub fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            ui::render(frame, app);
        })
        .unwrap();
    text(&terminal)
}

/// As [`render`], and the app keeps the frame's layout as the terminal's loop does (page sizes,
/// mouse clicks).
pub fn draw(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| app.layout = ui::render(frame, app))
        .unwrap();
    text(&terminal)
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let (width, height) = (buffer.area.width, buffer.area.height);
    let mut out = String::new();
    for y in 0..height {
        let mut skip = 0;
        for x in 0..width {
            // A wide character takes two cells; the second is blank in the buffer.
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            out.push_str(symbol);
        }
        out.push('\n');
    }
    out
}
