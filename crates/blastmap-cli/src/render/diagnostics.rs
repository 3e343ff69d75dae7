//! Diagnostics for people (miette's graphical handler) and for tools
//! (`blastmap.diagnostics/v1` JSON).

use std::fmt::Write as _;

use blastmap_manifest::Diagnostic;
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde_json::json;

/// Renders diagnostics with snippets. Without colour the output reads the
/// same (the theme uses no colour-only cues).
pub(crate) fn human(diagnostics: &[Diagnostic], color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        if handler.render_report(&mut out, d).is_err() {
            let _ = writeln!(out, "{}: {}", d.code, d.message);
        }
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
