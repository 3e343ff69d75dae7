//! Renderers: turn results into bytes in one output format each.
//!
//! Renderers only format: they run no analysis, no process and read no
//! environment. Whatever they show is computed by the engine (or, for the
//! Graphviz drawing, produced by the command) and handed to them, with
//! options in their own types rather than the command line's.

use blastmap_manifest::{ComponentId, Model};

pub(crate) mod diagnostics;
pub(crate) mod diagram;
pub(crate) mod diff;
pub(crate) mod dot;
pub(crate) mod drill;
pub(crate) mod fate;
pub(crate) mod findings;
pub(crate) mod github;
pub(crate) mod html;
pub(crate) mod junit;
pub(crate) mod mermaid;
pub(crate) mod path;
pub(crate) mod report;
pub(crate) mod report_json;
pub(crate) mod runbook;
pub(crate) mod sarif;
pub(crate) mod simulation;
pub(crate) mod verify;

/// Text from a manifest made safe for a terminal: control characters
/// (escape sequences) are shown escaped, never emitted raw.
pub(crate) fn safe(text: &str) -> String {
    blastmap_manifest::source::printable(text)
}

/// `1 error`, `3 errors`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// "a, b and c".
pub(crate) fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Pretty JSON with a final newline.
/// Writes `value` as pretty-printed JSON (two-space indentation) with a
/// final newline, straight to `out`: no tree of
/// values and no text of the whole document is built.
pub(crate) fn write_pretty(
    out: &mut dyn std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    // An error of the writer keeps its kind (a closed pipe must still read
    // as one); anything else is serde's own.
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    })?;
    out.write_all(b"\n")
}

/// A list of components, serialized as their ids (borrowed, not copied).
pub(crate) struct Ids<'a> {
    pub(crate) model: &'a Model,
    pub(crate) ids: &'a [ComponentId],
}

impl serde::Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|&c| self.model.component(c).id.as_str()))
    }
}

/// A sequence serialized from an iterator as it goes (once): one item is
/// held at a time.
pub(crate) struct Each<I>(std::cell::Cell<Option<I>>);

impl<I> Each<I> {
    pub(crate) fn new(items: I) -> Self {
        Each(std::cell::Cell::new(Some(items)))
    }
}

impl<I: Iterator<Item = T>, T: serde::Serialize> serde::Serialize for Each<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(items) => s.collect_seq(items),
            None => Err(serde::ser::Error::custom("a sequence serialized twice")),
        }
    }
}

/// A left-aligned text table; columns whose header starts with `>` are
/// right-aligned (numbers).
pub(crate) struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| h.trim_start_matches('>').to_owned()).collect(),
            right: headers.iter().map(|h| h.starts_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn render(&self) -> String {
        let width = |s: &str| crate::style::width(s);
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(width(cell));
                }
            }
        }
        let mut out = String::new();
        let last = self.headers.len().saturating_sub(1);
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::from("  ");
            for (i, cell) in row.iter().enumerate() {
                let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(width(cell));
                if self.right.get(i).copied().unwrap_or(false) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i != last {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                if i != last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
