//! SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs): every rule with
//! its metadata, every finding as a result pointing at the manifest line,
//! excepted findings as suppressed results.

use std::io::{self, Write};
use std::path::{Component, Path};

use blastmap_analysis::policy::{Code, Evaluation, Finding};
use blastmap_manifest::{Level, Location, Model, Policy};
use serde::Serialize;
use serde_json::{Value, json};

use crate::render::findings::{message, path_words};
use crate::render::{Each, write_pretty};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// The configured level of `code` (rules not evaluated are `none`).
fn configured(evaluation: &Evaluation, code: Code) -> Level {
    evaluation.checked.iter().find(|c| c.code == code).map_or(Level::Allow, |c| c.level)
}

/// `no-spof` → `NoSpof` (SARIF's rule `name` is an identifier).
fn pascal(code: Code) -> String {
    code.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

/// A manifest path relative to `base` (the working directory, given by the
/// command), with `/` separators (absolute when it is outside `base`, or
/// when there is no base).
pub(crate) fn uri_path(file: &str, base: Option<&Path>) -> String {
    let path = Path::new(file);
    if path.is_absolute()
        && let Some(rel) = base.and_then(|base| path.strip_prefix(base).ok().map(Path::to_path_buf))
    {
        return slashes(&rel);
    }
    slashes(path)
}

/// A manifest path as a URI reference relative to the working directory
/// (SARIF viewers resolve it against the checkout); absolute paths outside
/// the working directory become `file://` URIs.
pub(crate) fn uri(file: &str, base: Option<&Path>) -> String {
    let path = uri_path(file, base);
    if Path::new(file).is_absolute() && path.starts_with('/') {
        format!("file://{}", encode(&path))
    } else {
        encode(&path)
    }
}

/// The path with `/` separators and without `./` steps.
fn slashes(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    parts.join("/")
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stable fingerprint of what a finding is about (rule and subject, and
/// the cycle for cycles), so code scanning tracks it across commits even
/// when its message changes: FNV-1a, 64 bits.
fn fingerprint(model: &Model, finding: &Finding) -> String {
    let mut key = format!("{}\0{}", finding.code.as_str(), finding.subject);
    for &c in &finding.cycle {
        key.push('\0');
        key.push_str(&model.component(c).id);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn location(loc: &Location, base: Option<&Path>) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&loc.file, base) },
            "region": {
                "startLine": loc.line,
                "startColumn": loc.column,
                "endLine": loc.end_line.max(loc.line),
                "endColumn": if loc.end_line > loc.line { loc.end_column } else { loc.end_column.max(loc.column + 1) },
            },
        }
    })
}

fn result(model: &Model, finding: &Finding, base: Option<&Path>) -> Value {
    let mut message = message(model, finding);
    if let Some(path) = path_words(model, finding) {
        let label = if finding.cycle.is_empty() { "path" } else { "cycle" };
        message.push_str(&format!("\n{label}: {path}"));
    }
    let index = Code::ALL.iter().position(|&c| c == finding.code).unwrap_or(0);
    let mut value = json!({
        "ruleId": finding.code.as_str(),
        "ruleIndex": index,
        "level": sarif_level(finding.level),
        "message": { "text": message },
        "partialFingerprints": { "blastmapFinding/v1": fingerprint(model, finding) },
        "properties": { "component": finding.component },
    });
    if finding.location.is_known() {
        value["locations"] = json!([location(&finding.location, base)]);
    }
    if let Some(cascade) = &finding.cascade {
        let ids: Vec<&str> = cascade.path.iter().map(|&c| model.component(c).id.as_str()).collect();
        value["properties"]["path"] = json!(ids);
    }
    value
}

/// The SARIF log of one `check` run, written straight to `out` one result
/// at a time; file URIs are relative to `base`.
pub(crate) fn write_sarif(
    model: &Model,
    policy: &Policy,
    evaluation: &Evaluation,
    base: Option<&Path>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Keys in alphabetical order, as when the log was one tree of values.
    #[derive(Serialize)]
    struct Log<R: Serialize> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        runs: [R; 1],
        version: &'static str,
    }
    #[derive(Serialize)]
    struct Run<I: Serialize> {
        #[serde(rename = "columnKind")]
        column_kind: &'static str,
        results: I,
        tool: Value,
    }
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|&code| {
            json!({
                "id": code.as_str(),
                "name": pascal(code),
                "shortDescription": { "text": code.summary() },
                "help": { "text": code.help() },
                "defaultConfiguration": { "level": sarif_level(configured(evaluation, code)) },
            })
        })
        .collect();
    let tool = json!({
        "driver": {
            "name": "blastmap",
            "informationUri": "https://github.com/blastmap/blastmap",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }
    });
    let found = evaluation.findings.iter().map(|f| result(model, f, base));
    let excepted = evaluation.excepted.iter().map(|e| {
        let mut value = result(model, &e.finding, base);
        let mut suppression = json!({ "kind": "inSource", "status": "accepted" });
        if let Some(x) = policy.exceptions.get(e.exception) {
            suppression["justification"] = json!(x.reason);
            if x.location.is_known() {
                suppression["location"] = location(&x.location, base);
            }
        }
        value["suppressions"] = json!([suppression]);
        value
    });
    let run = Run { column_kind: "unicodeCodePoints", results: Each::new(found.chain(excepted)), tool };
    write_pretty(out, &Log { schema: SCHEMA, runs: [run], version: "2.1.0" })
}
