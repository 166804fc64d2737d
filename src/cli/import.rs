//! `normcode import`: PDF, HTML and DOCX files into corpus documents.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::error::Result;
use crate::import;

use super::commands::open_project;
use super::out::{note, say};

#[derive(Debug, Args)]
#[command(
    about = "Import PDF, HTML and DOCX files as documents, or a REFI-QDA project (.qdpx)",
    long_about = "Turn PDF, HTML and DOCX files into corpus documents: Markdown with front \
        matter (title; source, the original file name; year, from a date in the text, a year \
        in the title or the file's metadata; language, en or zh by the share of Chinese \
        characters) and the text with its paragraph structure: one paragraph per paragraph, \
        headings as # lines, and UN paragraph numbers (13.) and lettered sub-paragraphs ((a)) \
        each at the start of a paragraph of their own, so that normcode gives the units their \
        ids (13, 13.a). Word's automatic numbering and HTML ordered lists are written out as \
        the numbers they show.\n\n\
        A PDF needs a text layer: a scan without one is refused (run OCR first, e.g. \
        ocrmypdf). Check the result, and add publisher (and year where none was found) to the \
        front matter.\n\n\
        The documents go into DIR (default: the project's documents folder) as NAME.md, NAME \
        being the file's name in lower case. An existing document is never overwritten unless \
        --force is given; when one file fails or a document exists, nothing is written.\n\n\
        A REFI-QDA project (.qdpx, from QualCoder, MAXQDA, NVivo, ATLAS.ti or normcode) becomes \
        a new normcode project in --into DIR: its sources documents, its codes the codebook, \
        its users coders, its codings annotations, its notes memos, its variables front \
        matter. Selections are checked against their text (UTF-16 offsets, inclusive ends and \
        CRLF counted as one are recognized and corrected); what was corrected and what has no \
        place in normcode is reported. Nothing is written unless all of it succeeds.",
    after_help = "Examples:\n  \
        normcode import ~/Downloads/A_70_174.pdf\n  \
        normcode import report.docx speech.html --into samples/new\n  \
        normcode import A_70_174.pdf --force\n  \
        normcode import study.qdpx --into ../study-normcode"
)]
pub struct ImportArgs {
    /// The files to import (.pdf, .html/.htm, .docx).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The folder to write the documents into (default: the project's documents folder).
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace documents that exist already.
    #[arg(long)]
    pub force: bool,
    /// With a .qdpx: the language of its code names and descriptions (when not written by
    /// normcode).
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub language: String,
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `normcode import FILE.qdpx --into DIR`: a REFI-QDA project becomes a new normcode project.
fn import_qdpx(args: &ImportArgs) -> Result<ExitCode> {
    let [file] = args.files.as_slice() else {
        return Err(crate::error::Error::Usage(
            "import one .qdpx project at a time, on its own".into(),
        ));
    };
    let Some(into) = &args.into else {
        return Err(crate::error::Error::Usage(
            "say which new folder the project goes into: --into DIR".into(),
        ));
    };
    if args.force {
        return Err(crate::error::Error::Usage(
            "--force does not apply to a .qdpx: it is always imported into a new folder".into(),
        ));
    }
    let imported = crate::refi::import::read(file, &args.language)?;
    crate::refi::import::write(into, &imported)?;
    for line in &imported.notes {
        note!("note: {line}");
    }
    for line in &imported.left_out {
        note!("left out: {line}");
    }
    say!(
        "{} -> {}: {}, {}, {} ({}), {}, {}",
        file.display(),
        into.display(),
        count(imported.documents, "document"),
        count(imported.indicators, "indicator"),
        count(imported.coders.len(), "coder"),
        imported.coders.join(", "),
        count(imported.annotations, "annotation"),
        count(imported.memos, "document memo")
    )?;
    note!(
        "check it with `normcode check --project {}`",
        into.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: ImportArgs, project: Option<&Path>) -> Result<ExitCode> {
    let is_qdpx = |f: &PathBuf| {
        f.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("qdpx"))
    };
    if args.files.iter().any(is_qdpx) {
        return import_qdpx(&args);
    }
    let into = match &args.into {
        Some(dir) => dir.clone(),
        None => open_project(project)?.documents_dir(),
    };
    let imported = import::import(&args.files, &into, args.force)?;
    for item in &imported {
        let c = &item.converted;
        say!(
            "{} -> {}: \"{}\", {}, {}, {} units",
            item.from.display(),
            item.to.display(),
            c.title,
            c.year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "no year found".to_string()),
            c.language,
            item.units
        )?;
        for (field, value, from) in c.provenance() {
            say!(
                "{}",
                crate::text::sanitize(&format!("  {field:<9} {value}  {from}"))
            )?;
        }
    }
    note!(
        "imported {} document{}; add `publisher:` to the front matter, then run `normcode check`",
        imported.len(),
        if imported.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}
