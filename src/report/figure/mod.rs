//! Figures for a paper: the agenda as an SVG chart ([`agenda`]), measured and rendered with
//! the system's fonts ([`Fonts`]), and as PNG or PDF ([`png`], [`pdf`]).

mod agenda;
mod fonts;
mod render;
mod words;
mod wrap;

pub use agenda::agenda;
pub use fonts::{FAMILIES, Fonts, font_family};
pub use render::{PNG_SCALE, pdf, png, tree};
pub use wrap::wrap;
