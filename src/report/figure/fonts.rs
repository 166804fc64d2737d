//! The fonts a figure is measured and rendered with: the system's fonts (fontdb, as resvg and
//! svg2pdf use them), looked up in the order of the figure's `font-family` list, and text
//! widths from the fonts' own advance widths (ttf-parser), so that labels are wrapped where
//! they really end rather than by a guess per character.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use resvg::usvg::fontdb::{self, Database, Family, Query, Weight};
use unicode_width::UnicodeWidthChar;

/// The figure's font families, in the order a renderer tries them: a Latin sans-serif first,
/// then the common Chinese (CJK) fonts of Linux, Windows and macOS, then generic fallbacks.
pub const FAMILIES: &[&str] = &[
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Arial",
    "Helvetica",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
];

/// `FAMILIES` as an SVG `font-family` value (quoted names, then `sans-serif`).
pub fn font_family() -> String {
    let mut out: Vec<String> = FAMILIES.iter().map(|f| format!("'{f}'")).collect();
    out.push("sans-serif".into());
    out.join(", ")
}

/// Whether face `id` of `db` has a glyph for `c`.
fn has_char(db: &Database, id: fontdb::ID, c: char) -> bool {
    db.with_face_data(id, |data, index| {
        ttf_parser::Face::parse(data, index)
            .ok()
            .and_then(|face| face.glyph_index(c))
            .is_some()
    })
    .unwrap_or(false)
}

/// The system's fonts and what they measure.
pub struct Fonts {
    db: Arc<Database>,
    /// The regular and bold faces of [`FAMILIES`] found on this system, in that order.
    regular: Vec<fontdb::ID>,
    bold: Vec<fontdb::ID>,
    /// Advance widths per em, by (character, bold); `None`: no font has the character.
    cache: Mutex<HashMap<(char, bool), Option<f64>>>,
}

impl Fonts {
    /// The fonts installed on this system (fontconfig's directories and the usual ones).
    pub fn system() -> Self {
        let mut db = Database::new();
        db.load_system_fonts();
        if let Some(dir) = std::env::var_os("NORMCODE_FONT_DIR") {
            db.load_fonts_dir(dir);
        }
        Self::from_database(db)
    }

    /// The fonts of `db`.
    pub fn from_database(mut db: Database) -> Self {
        db.set_sans_serif_family("DejaVu Sans");
        let find = |weight: Weight| -> Vec<fontdb::ID> {
            let mut ids = Vec::new();
            for family in FAMILIES {
                let query = Query {
                    families: &[Family::Name(family)],
                    weight,
                    ..Query::default()
                };
                if let Some(id) = db.query(&query).filter(|id| !ids.contains(id)) {
                    ids.push(id);
                }
            }
            ids
        };
        let regular = find(Weight::NORMAL);
        let bold = find(Weight::BOLD);
        Self {
            db: Arc::new(db),
            regular,
            bold,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// usvg's font resolver, with the fallback for a character the first font lacks taken
    /// from [`FAMILIES`] in order (usvg's own takes the first system font that has it, which
    /// may be a serif), in the weight of the text; then any font that has it.
    pub fn resolver() -> resvg::usvg::FontResolver<'static> {
        let any = resvg::usvg::FontResolver::default_fallback_selector();
        resvg::usvg::FontResolver {
            select_font: resvg::usvg::FontResolver::default_font_selector(),
            select_fallback: Box::new(move |c, used, db| {
                let weight = used
                    .first()
                    .and_then(|id| db.face(*id))
                    .map_or(Weight::NORMAL, |face| face.weight);
                FAMILIES
                    .iter()
                    .filter_map(|family| {
                        db.query(&Query {
                            families: &[Family::Name(family)],
                            weight,
                            ..Query::default()
                        })
                    })
                    .find(|id| !used.contains(id) && has_char(db, *id, c))
                    .or_else(|| any(c, used, db))
            }),
        }
    }

    pub fn database(&self) -> Arc<Database> {
        Arc::clone(&self.db)
    }

    /// Whether some font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.advance(c, false).is_some()
    }

    /// The width of `text` at `size` px: the fonts' advance widths (the first of the figure's
    /// families that has the glyph, else any system font that has it, as renderers fall back);
    /// without any such font, an estimate (an em for wide characters, 0.6 em for others).
    pub fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        text.chars()
            .map(|c| {
                let em = self.advance(c, bold).unwrap_or_else(|| match c.width() {
                    Some(2) => 1.0,
                    Some(0) | None => 0.0,
                    _ => 0.6,
                });
                em * size
            })
            .sum()
    }

    fn advance(&self, c: char, bold: bool) -> Option<f64> {
        if c.is_control() {
            return Some(0.0);
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = cache.get(&(c, bold)) {
            return *known;
        }
        let faces = if bold { &self.bold } else { &self.regular };
        let found = faces
            .iter()
            .find_map(|id| self.face_advance(*id, c))
            .or_else(|| {
                self.db
                    .faces()
                    .find_map(|face| self.face_advance(face.id, c))
            });
        cache.insert((c, bold), found);
        found
    }

    fn face_advance(&self, id: fontdb::ID, c: char) -> Option<f64> {
        self.db
            .with_face_data(id, |data, index| {
                let face = ttf_parser::Face::parse(data, index).ok()?;
                let glyph = face.glyph_index(c)?;
                let advance = face.glyph_hor_advance(glyph)?;
                Some(f64::from(advance) / f64::from(face.units_per_em()))
            })
            .flatten()
    }
}
