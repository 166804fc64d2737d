//! The figure's SVG as PNG (resvg, tiny-skia) or PDF (svg2pdf, text as real text with the fonts
//! embedded), both with the system's fonts. Renderers silently draw boxes, or nothing, for
//! characters no font has; here that is an error that names the characters and the fonts to
//! install instead.

use resvg::tiny_skia;
use resvg::usvg;

use super::fonts::Fonts;
use crate::error::{Error, Result};

/// Pixels per SVG pixel in a PNG: 2, sharp enough for print at the figure's size.
pub const PNG_SCALE: f32 = 2.0;

/// What to install, for an error message.
const INSTALL: &str = "install a sans-serif font such as DejaVu Sans (Debian/Ubuntu: \
    apt install fonts-dejavu-core) and, for Chinese, Noto Sans CJK (apt install fonts-noto-cjk), \
    or put font files in a folder named by NORMCODE_FONT_DIR";

/// The characters of the SVG's text that no font on this system has.
fn missing_glyphs(svg: &str, fonts: &Fonts) -> Result<Vec<char>> {
    let document = usvg::roxmltree::Document::parse(svg)
        .map_err(|e| Error::Usage(format!("the figure is not well-formed SVG: {e}")))?;
    let mut missing: Vec<char> = Vec::new();
    for node in document.descendants().filter(|n| n.is_text()) {
        let inside_text = node.ancestors().any(|a| a.tag_name().name() == "text");
        if !inside_text {
            continue;
        }
        for c in node.text().unwrap_or("").chars() {
            if !c.is_whitespace() && !missing.contains(&c) && !fonts.covers(c) {
                missing.push(c);
            }
        }
    }
    Ok(missing)
}

/// The SVG parsed with the system's fonts, after checking that they draw every character.
pub fn tree(svg: &str, fonts: &Fonts) -> Result<usvg::Tree> {
    if fonts.database().is_empty() {
        return Err(Error::Usage(format!(
            "no fonts found on this system to draw the figure's text: {INSTALL}"
        )));
    }
    let missing = missing_glyphs(svg, fonts)?;
    if !missing.is_empty() {
        let cjk = missing
            .iter()
            .any(|c| matches!(*c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF));
        let shown: String = missing.iter().take(12).collect();
        return Err(Error::Usage(format!(
            "no font on this system has {} of the figure's characters ({shown}{}){}: {INSTALL}",
            missing.len(),
            if missing.len() > 12 { "…" } else { "" },
            if cjk { ", Chinese among them" } else { "" }
        )));
    }
    let options = usvg::Options {
        fontdb: fonts.database(),
        font_resolver: Fonts::resolver(),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options)
        .map_err(|e| Error::Usage(format!("cannot read the figure's SVG: {e}")))
}

/// The figure as PNG, at [`PNG_SCALE`] pixels per SVG pixel.
pub fn png(svg: &str, fonts: &Fonts) -> Result<Vec<u8>> {
    let tree = tree(svg, fonts)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .ok_or_else(|| Error::Usage("the figure is too large to draw as PNG".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        Error::Usage(format!(
            "the figure is too large to draw as PNG ({} x {} pixels)",
            size.width(),
            size.height()
        ))
    })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Usage(format!("cannot encode the figure as PNG: {e}")))
}

/// The figure as a one-page PDF of the figure's size (1 SVG pixel = 0.75 pt), text kept as
/// text with the fonts embedded (subset).
pub fn pdf(svg: &str, fonts: &Fonts) -> Result<Vec<u8>> {
    let tree = tree(svg, fonts)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| Error::Usage(format!("cannot write the figure as PDF: {e}")))
}
