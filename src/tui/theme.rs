//! Every style of the interface in one place. Only the 16 ANSI colours and modifiers, so the
//! screen reads on light and dark terminals alike; with `NO_COLOR` set (no-color.org) no
//! colour at all, and modifiers (bold, reverse, underline) keep selection, focus, matches and
//! errors apart.

use std::ffi::OsStr;

use ratatui::style::{Color, Modifier, Style};

use crate::corpus::IndicatorId;
use crate::tui::app::App;

/// The named styles of the interface, chosen once at start ([`Theme::from_env`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// False under `NO_COLOR`: every cell is drawn in the terminal's own colours.
    pub color: bool,
    pub border_focused: Style,
    pub border: Style,
    pub title: Style,
    /// Secondary text: counts, hints, metadata.
    pub dim: Style,
    /// Headings (codebook categories, definition sections).
    pub heading: Style,
    /// The highlighted row of a focused list.
    pub selection: Style,
    /// The highlighted row of a list without focus.
    pub selection_unfocused: Style,
    /// The current unit's text.
    pub current_unit: Style,
    /// The current unit's marker and id, and other accents (hit places, quotes).
    pub accent: Style,
    pub search_match: Style,
    /// Matches inside snippets.
    pub snippet_match: Style,
    /// Memos, prompt marks, the keys in the help.
    pub note: Style,
    pub error: Style,
    /// Work not saved: must not be missed.
    pub alert: Style,
    pub warning: Style,
    pub ok: Style,
    /// The program's name in the status bar, the chosen report tab.
    pub badge: Style,
    /// The SELECT mode badge, an open review item.
    pub badge_warning: Style,
    /// A resolved review item.
    pub badge_ok: Style,
    pub popup_border: Style,
    pub review_border: Style,
    /// Colours given to indicators without one in the codebook.
    pub palette: [Color; 8],
}

impl Default for Theme {
    fn default() -> Self {
        Self::colored()
    }
}

impl Theme {
    /// The theme for this terminal: [`Theme::plain`] when `NO_COLOR` is set and not empty.
    pub fn from_env() -> Self {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a value of `NO_COLOR` (per no-color.org, set and not empty means no
    /// colour).
    pub fn for_no_color(value: Option<&OsStr>) -> Self {
        match value {
            Some(v) if !v.is_empty() => Self::plain(),
            _ => Self::colored(),
        }
    }

    pub fn colored() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            color: true,
            border_focused: Style::new().fg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            title: bold,
            dim: Style::new().fg(Color::DarkGray),
            heading: bold,
            selection: Style::new().add_modifier(Modifier::REVERSED),
            selection_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
            current_unit: Style::new(),
            accent: Style::new().fg(Color::Cyan),
            search_match: Style::new().bg(Color::Yellow).fg(Color::Black),
            snippet_match: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            note: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            alert: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Yellow),
            ok: Style::new().fg(Color::Green),
            badge: Style::new().fg(Color::Black).bg(Color::Cyan),
            badge_warning: Style::new().fg(Color::Black).bg(Color::Yellow),
            badge_ok: Style::new().fg(Color::Black).bg(Color::Green),
            popup_border: Style::new().fg(Color::Yellow),
            review_border: Style::new().fg(Color::Magenta),
            palette: [
                Color::Cyan,
                Color::Green,
                Color::Yellow,
                Color::Magenta,
                Color::Blue,
                Color::Red,
                Color::LightCyan,
                Color::LightGreen,
            ],
        }
    }

    /// No colour: what colour told apart, modifiers do.
    pub fn plain() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        Self {
            color: false,
            border_focused: bold,
            border: Style::new(),
            title: bold,
            dim: Style::new(),
            heading: bold,
            selection: reversed,
            selection_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
            current_unit: Style::new(),
            accent: Style::new(),
            search_match: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            snippet_match: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            note: Style::new(),
            error: bold,
            alert: reversed.add_modifier(Modifier::BOLD),
            warning: bold,
            ok: Style::new(),
            badge: reversed,
            badge_warning: reversed.add_modifier(Modifier::BOLD),
            badge_ok: reversed,
            popup_border: bold,
            review_border: bold,
            palette: [Color::Reset; 8],
        }
    }
}

/// The indicator's colour: from the codebook, else a stable pick from the theme's palette.
pub fn indicator_color(app: &App, id: &IndicatorId) -> Color {
    if !app.theme.color {
        return Color::Reset;
    }
    let named = app
        .project
        .codebook
        .indicator(id)
        .and_then(|i| i.color.as_deref())
        .and_then(|c| c.parse::<Color>().ok());
    named.unwrap_or_else(|| {
        let hash = id
            .as_str()
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        app.theme.palette[hash as usize % app.theme.palette.len()]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn colors(theme: &Theme) -> Vec<Color> {
        let styles = [
            theme.border_focused,
            theme.border,
            theme.title,
            theme.dim,
            theme.heading,
            theme.selection,
            theme.selection_unfocused,
            theme.current_unit,
            theme.accent,
            theme.search_match,
            theme.snippet_match,
            theme.note,
            theme.error,
            theme.alert,
            theme.warning,
            theme.ok,
            theme.badge,
            theme.badge_warning,
            theme.badge_ok,
            theme.popup_border,
            theme.review_border,
        ];
        styles
            .iter()
            .flat_map(|s| [s.fg, s.bg])
            .flatten()
            .chain(theme.palette)
            .collect()
    }

    #[test]
    fn no_color_set_and_not_empty_means_no_colour_but_modifiers_still_differ() {
        assert_eq!(Theme::for_no_color(None), Theme::colored());
        assert_eq!(Theme::for_no_color(Some(OsStr::new(""))), Theme::colored());
        let plain = Theme::for_no_color(Some(OsStr::new("1")));
        assert!(!plain.color);
        assert!(colors(&plain).iter().all(|&c| c == Color::Reset));
        // Selection, focus, matches and errors remain distinguishable from plain text.
        for style in [
            plain.selection,
            plain.border_focused,
            plain.search_match,
            plain.error,
            plain.alert,
        ] {
            assert_ne!(style.add_modifier, Modifier::empty(), "{style:?}");
        }
        assert_ne!(plain.selection, plain.search_match);
        assert_ne!(plain.border_focused, plain.border);
    }

    #[test]
    fn the_colours_are_the_16_ansi_ones() {
        for color in colors(&Theme::colored()) {
            assert!(
                !matches!(color, Color::Indexed(_) | Color::Rgb(..)),
                "{color:?} needs more than 16 colours"
            );
        }
    }
}
