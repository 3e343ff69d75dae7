//! GitHub Actions workflow commands: one `::error` or `::warning` line per
//! finding, which the runner turns into an annotation on the manifest line
//! in the pull request.

use std::path::Path;

use blastmap_analysis::policy::Evaluation;
use blastmap_manifest::{Level, Model};

use crate::render::findings::{message, path_words};
use crate::render::plural;
use crate::render::sarif::uri_path;

/// Escapes a command's message: `%`, `\r` and `\n` (as the runner's
/// `escapeData`).
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value: as the message, plus `:` and `,`
/// (as the runner's `escapeProperty`).
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Every finding as a workflow command, then a plain summary line; file
/// paths are relative to `base`.
pub(crate) fn annotations(model: &Model, evaluation: &Evaluation, base: Option<&Path>) -> String {
    let mut out = String::new();
    for finding in &evaluation.findings {
        let command = if finding.level == Level::Deny { "error" } else { "warning" };
        let mut properties = Vec::new();
        if finding.location.is_known() {
            properties.push(format!("file={}", escape_property(&uri_path(&finding.location.file, base))));
            let loc = &finding.location;
            properties.push(format!("line={}", loc.line));
            properties.push(format!("endLine={}", loc.end_line.max(loc.line)));
            properties.push(format!("col={}", loc.column));
            // GitHub's end column is the last character's (inclusive).
            let end_column = loc.end_column.saturating_sub(1);
            let end_column =
                if loc.end_line > loc.line { end_column.max(1) } else { end_column.max(loc.column) };
            properties.push(format!("endColumn={end_column}"));
        }
        properties.push(format!("title={}", escape_property(finding.code.as_str())));
        let mut message = message(model, finding);
        if let Some(path) = path_words(model, finding) {
            let label = if finding.cycle.is_empty() { "path" } else { "cycle" };
            message.push_str(&format!("\n{label}: {path}"));
        }
        // Messages come from manifests: a raw control character could end
        // the command early or start another one.
        let mut clean = String::with_capacity(message.len());
        for c in message.chars() {
            if c.is_control() && c != '\n' {
                clean.extend(c.escape_default());
            } else {
                clean.push(c);
            }
        }
        let message = clean;
        out.push_str(&format!("::{command} {}::{}\n", properties.join(","), escape_data(&message)));
    }
    let (deny, warn) = (evaluation.count(Level::Deny), evaluation.count(Level::Warn));
    let verdict = if deny > 0 { "failed" } else { "passed" };
    out.push_str(&format!(
        "blastmap check {verdict}: {} at deny level, {}\n",
        plural(deny, "finding"),
        plural(warn, "warning")
    ));
    out
}
