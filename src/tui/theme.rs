//! Every style of the interface in one place.

use ratatui::style::Color;

use crate::corpus::IndicatorId;
use crate::tui::app::App;

pub const PALETTE: [Color; 8] = [
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
    Color::Red,
    Color::LightCyan,
    Color::LightGreen,
];

/// The indicator's colour: from the codebook, else a stable pick from a palette.
pub fn indicator_color(app: &App, id: &IndicatorId) -> Color {
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
        PALETTE[hash as usize % PALETTE.len()]
    })
}
