//! Diagnostics for people (miette's graphical handler) and for tools
//! (`blastmap.diagnostics/v1` JSON).

use std::fmt::Write as _;

use blastmap_manifest::Diagnostic;
use blastmap_manifest::source::printable;
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde_json::json;

/// Renders diagnostics with snippets. Without colour the output reads the
/// same (the theme uses no colour-only cues).
///
/// Hostile input must not turn into gigabytes on a terminal or in a CI log:
/// after [`MAX_SHOWN`] diagnostics the rest are counted, not shown, and a
/// diagnostic whose snippet would be longer than [`MAX_SNIPPET`] bytes (a
/// minified one-line file) is shown without it, by line and column.
pub(crate) fn human(diagnostics: &[Diagnostic], color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let mut out = String::new();
    for d in diagnostics.iter().take(MAX_SHOWN) {
        if snippet_too_long(d) {
            out.push_str(&without_snippet(d));
        } else if handler.render_report(&mut out, d).is_err() {
            let _ = writeln!(out, "{}: {}", d.code, d.message);
        }
    }
    if let Some(more) = diagnostics.len().checked_sub(MAX_SHOWN).filter(|&n| n > 0) {
        let _ = writeln!(out, "... and {more} more (`blastmap validate --format json` lists every one)");
    }
    out
}

/// Most diagnostics shown with snippets in one run.
const MAX_SHOWN: usize = 200;

/// Longest snippet shown (lines of context included), in bytes.
const MAX_SNIPPET: usize = 16 * 1024;

fn snippet_too_long(d: &Diagnostic) -> bool {
    let Some(file) = &d.file else { return false };
    d.labels
        .iter()
        .chain(d.related.iter().flat_map(|r| &r.labels))
        .any(|l| file.snippet_len(&l.span, 1) > MAX_SNIPPET)
}

/// `  × message` / `   at file:line:column` / `  help: ...`, the shape of
/// miette's report without the source lines.
fn without_snippet(d: &Diagnostic) -> String {
    let (_, position) = d.position();
    let name =
        d.file.as_ref().map_or_else(|| d.path.as_deref().unwrap_or("").to_owned(), |f| f.name.to_string());
    let mark = if d.is_error() { '×' } else { '⚠' };
    let mut out = format!("blastmap::{}\n\n  {mark} {}\n", d.code, printable(&d.message));
    if let Some((line, column)) = position {
        let _ = writeln!(out, "   at {}:{line}:{column} (the line is too long to show)", printable(&name));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  help: {}", printable(help));
    }
    out
}

/// The JSON form of one diagnostic (1-based line and column; `null` when the
/// problem is not at a position, e.g. a missing path).
pub(crate) fn to_json(d: &Diagnostic) -> serde_json::Value {
    let (file, position) = d.position();
    json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": file,
        "line": position.map(|p| p.0),
        "column": position.map(|p| p.1),
        "help": d.help,
    })
}

/// `{"schema": "blastmap.diagnostics/v1", "diagnostics": [..]}`.
pub(crate) fn json(diagnostics: &[Diagnostic]) -> String {
    let value = json!({
        "schema": "blastmap.diagnostics/v1",
        "diagnostics": diagnostics.iter().map(to_json).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}
