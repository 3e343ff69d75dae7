//! `JUnit` XML for CI servers (GitLab, Jenkins, Azure, CircleCI): a test
//! suite per rule, a test case per checked subject. A deny-level finding is
//! a `<failure>`; a warning or an exception is written to the case's
//! `<system-out>` and the case passes (the exit code is the gate; `JUnit` has
//! no warning state that CI servers agree on).

use std::collections::BTreeMap;
use std::io::{self, Write};

use blastmap_analysis::policy::{Checked, Evaluation, Finding};
use blastmap_manifest::{Level, Model};

use crate::render::findings::{level_word, message, path_words};

/// Escapes text for XML attributes (line breaks as character references,
/// so parsers do not normalise them to spaces).
pub(crate) fn escape(text: &str) -> String {
    escape_xml(text, true)
}

/// Escapes text for XML element content (line breaks kept).
pub(crate) fn escape_text(text: &str) -> String {
    escape_xml(text, false)
}

/// Characters XML 1.0 cannot hold (most control characters) are written as
/// `\u{..}` text.
fn escape_xml(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if !attribute => out.push(c),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

fn describe(model: &Model, finding: &Finding) -> String {
    let mut text =
        format!("{}[{}]: {}", level_word(finding.level), finding.code.as_str(), message(model, finding));
    if finding.location.is_known() {
        text.push_str(&format!("\n  --> {}", finding.location));
    }
    if let Some(path) = path_words(model, finding) {
        text.push_str(&format!("\n  = {}: {path}", if finding.cycle.is_empty() { "path" } else { "cycle" }));
    }
    text
}

/// One rule's findings by subject (every checked subject, and any subject
/// with a finding that was not among them), and its excepted findings.
type BySubject<'a> = BTreeMap<&'a str, Vec<&'a Finding>>;

fn grouped<'a>(evaluation: &'a Evaluation, checked: &'a Checked) -> (BySubject<'a>, BySubject<'a>) {
    let mut by_subject: BySubject<'a> = checked.subjects.iter().map(|s| (s.as_str(), Vec::new())).collect();
    for f in evaluation.findings.iter().filter(|f| f.code == checked.code) {
        by_subject.entry(f.subject.as_str()).or_default().push(f);
    }
    let mut excepted: BySubject<'a> = BTreeMap::new();
    for e in evaluation.excepted.iter().filter(|e| e.finding.code == checked.code) {
        excepted.entry(e.finding.subject.as_str()).or_default().push(&e.finding);
    }
    (by_subject, excepted)
}

/// How many subjects of `by_subject` fail (have a denied finding).
fn failures(by_subject: &BySubject<'_>) -> usize {
    by_subject.values().filter(|fs| fs.iter().any(|f| f.level == Level::Deny)).count()
}

/// The `JUnit` XML document of one `check` run, written to `out` one test
/// suite (one rule) at a time; the totals of the root element are counted
/// first.
pub(crate) fn write_junit(model: &Model, evaluation: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    let (mut total_tests, mut total_failures) = (0usize, 0usize);
    for checked in &evaluation.checked {
        let (by_subject, _) = grouped(evaluation, checked);
        total_tests += by_subject.len();
        total_failures += failures(&by_subject);
    }
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"blastmap check\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">\n"
    )?;
    for checked in &evaluation.checked {
        let (by_subject, excepted) = grouped(evaluation, checked);
        let rule = checked.code.as_str();
        writeln!(
            out,
            "  <testsuite name=\"{rule}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            by_subject.len(),
            failures(&by_subject)
        )?;
        write!(
            out,
            "    <properties>\n      <property name=\"level\" value=\"{}\"/>\n    </properties>\n",
            checked.level.as_str()
        )?;
        for (subject, findings) in &by_subject {
            let name = escape(subject);
            let mut body = String::new();
            let denied: Vec<&&Finding> = findings.iter().filter(|f| f.level == Level::Deny).collect();
            if let Some(first) = denied.first() {
                let text: Vec<String> = denied.iter().map(|f| describe(model, f)).collect();
                body.push_str(&format!(
                    "      <failure type=\"{rule}\" message=\"{}\">{}</failure>\n",
                    escape(&message(model, first)),
                    escape_text(&text.join("\n"))
                ));
            }
            let mut notes: Vec<String> =
                findings.iter().filter(|f| f.level != Level::Deny).map(|f| describe(model, f)).collect();
            for f in excepted.get(subject).into_iter().flatten() {
                notes.push(format!("excepted: {}", describe(model, f)));
            }
            if !notes.is_empty() {
                body.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    escape_text(&notes.join("\n"))
                ));
            }
            let classname = format!("blastmap.{rule}");
            if body.is_empty() {
                writeln!(out, "    <testcase name=\"{name}\" classname=\"{classname}\"/>")?;
            } else {
                write!(
                    out,
                    "    <testcase name=\"{name}\" classname=\"{classname}\">\n{body}    </testcase>\n"
                )?;
            }
        }
        out.write_all(b"  </testsuite>\n")?;
    }
    out.write_all(b"</testsuites>\n")
}
