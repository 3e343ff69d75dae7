//! YAML → [`Node`] on top of `saphyr-parser`'s event stream.
//!
//! We build the tree ourselves (instead of deserializing with serde) to keep
//! a span on every node, to report duplicate keys with both locations, and to
//! bound what hostile input can cost: nesting depth and alias expansion are
//! counted as the events arrive, so a billion-laughs file stops after
//! `max_alias_nodes` nodes, not after exhausting memory. The builder is a
//! loop over an explicit stack: no recursion, whatever the depth.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{Limits, Node, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceFile;

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        seen: HashMap<String, std::ops::Range<usize>>,
        start: usize,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// anchor id → (node, number of nodes in it)
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    documents: Vec<Node>,
}

/// Parses every document of a YAML file.
///
/// # Complexity
/// O(size of the file + nodes produced by aliases), bounded by the limits.
pub(crate) fn parse(file: &Arc<SourceFile>, limits: &Limits) -> Result<Vec<Node>, Diagnostic> {
    match parse_text(file, &file.text, limits) {
        Ok(docs) => Ok(docs),
        Err(error) => {
            // Real Compose files close multi-line flow lists at the key's
            // own indentation (`command: [\n  "a"\n]`), which Go's and
            // libyaml's readers accept and ours rejects. Retry with such
            // closers moved to the end of the line before: same length and
            // line count, so every span still points at the original text.
            match repair_flow_closers(&file.text) {
                Some(repaired) => parse_text(file, &repaired, limits).map_err(|_| error),
                None => Err(error),
            }
        }
    }
}

/// Moves a `]` or `}` that stands alone on its line to the end of the
/// previous non-blank line (when that line has no comment), keeping the
/// byte length and the number of lines. `None` when nothing moved.
fn repair_flow_closers(text: &str) -> Option<String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let mut changed = false;
    for i in 1..lines.len() {
        let trimmed = lines[i].trim();
        if !(trimmed == "]" || trimmed == "}" || trimmed == "]," || trimmed == "},") {
            continue;
        }
        let Some(prev) = (0..i).rev().find(|&j| !lines[j].trim().is_empty()) else { continue };
        if lines[prev].contains('#') {
            continue;
        }
        let closer = trimmed.to_owned();
        let width = lines[i].len();
        lines[i] = " ".repeat(width - closer.len());
        lines[prev].push_str(&closer);
        // Keep the byte length: drop as many trailing spaces as were added.
        let line = &mut lines[i];
        line.truncate(width - closer.len());
        changed = true;
    }
    changed.then(|| lines.join("\n"))
}

fn parse_text(file: &Arc<SourceFile>, text: &str, limits: &Limits) -> Result<Vec<Node>, Diagnostic> {
    let mut builder = Builder {
        file,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        documents: Vec::new(),
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = file.offset_of(e.marker().line(), e.marker().col());
            if e.info() == "recursion limit exceeded" {
                return Diagnostic::new(
                    Code::NestingTooDeep,
                    "the document nests too deeply for the YAML reader",
                )
                .at(file, at..at, "too deep here")
                .help("a manifest nests a few levels; flatten the document");
            }
            Diagnostic::new(Code::InvalidSyntax, format!("invalid YAML: {}", e.info()))
                .at(file, at..at, "here")
                .help("fix the YAML syntax; `yamllint` shows the same position")
        })?;
        builder.event(event, span)?;
    }
    Ok(builder.documents)
}

impl Builder<'_> {
    fn range(&self, span: Span) -> std::ops::Range<usize> {
        let start = self.file.offset_of(span.start.line(), span.start.col());
        let end = self.file.offset_of(span.end.line(), span.end.col());
        start..end.max(start)
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Diagnostic> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let range = self.range(span);
                let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if is_key || forced_str || style != ScalarStyle::Plain {
                    Value::Str(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                self.finish(Node::new(value, range), anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let start = self.range(span).start;
                self.open(Frame::Seq { items: Vec::new(), start, anchor }, start)
            }
            Event::MappingStart(anchor, _) => {
                let start = self.range(span).start;
                self.open(
                    Frame::Map { entries: Vec::new(), key: None, seen: HashMap::new(), start, anchor },
                    start,
                )
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.range(span).end;
                match self.stack.pop() {
                    Some(Frame::Seq { items, start, anchor }) => {
                        self.finish(Node::new(Value::Seq(items), start..end.max(start)), anchor)
                    }
                    Some(Frame::Map { entries, start, anchor, .. }) => {
                        self.finish(Node::new(Value::Map(entries), start..end.max(start)), anchor)
                    }
                    None => Ok(()),
                }
            }
            Event::Alias(id) => {
                let range = self.range(span);
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(Diagnostic::new(Code::InvalidSyntax, "alias to an unknown anchor")
                        .at(self.file, range, "this alias")
                        .help("define the anchor with `&name` before using `*name`"));
                };
                self.alias_nodes += size;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(Diagnostic::new(
                        Code::AliasLimit,
                        format!("YAML aliases expand to more than {} nodes", self.limits.max_alias_nodes),
                    )
                    .at(self.file, range, "expansion passes the limit here")
                    .help(
                        "a manifest needs few aliases; this looks like an alias bomb (\"billion laughs\")",
                    ));
                }
                let node = node.clone();
                self.finish(node, 0)
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, at: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::new(
                Code::NestingTooDeep,
                format!("the document nests deeper than {} levels", self.limits.max_depth),
            )
            .at(self.file, at..at, "too deep here")
            .help("a manifest nests a few levels; flatten the document"));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), count(&node)));
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, seen, .. }) => match key.take() {
                None => {
                    if let Some(text) = node.key_text() {
                        if let Some(first) = seen.get(text) {
                            return Err(Diagnostic::new(
                                Code::DuplicateKey,
                                format!("duplicate key `{text}`"),
                            )
                            .at(self.file, node.span.clone(), "written again here")
                            .also(first.clone(), "first written here")
                            .help("remove one of the two; YAML keeps only one and it is ambiguous which"));
                        }
                        seen.insert(text.to_owned(), node.span.clone());
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Number of nodes in a tree (the cost of copying it for an alias).
fn count(node: &Node) -> usize {
    let mut total = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    total
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int(i);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Value::Int(i);
    }
    let numeric = digits.bytes().any(|b| b.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if numeric && let Ok(f) = text.parse::<f64>() {
        return Value::Float(f);
    }
    Value::Str(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Result<Vec<Node>, Diagnostic> {
        let file = Arc::new(SourceFile::new("t.yaml", text.to_owned()));
        parse(&file, &Limits::default())
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(resolve_plain("99.95"), Value::Float(99.95));
        assert_eq!(resolve_plain("3"), Value::Int(3));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("yes"), Value::Str("yes".into()));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
    }

    #[test]
    fn spans_point_at_values() {
        let docs = yaml("a:\n  b: [x, 'y']\n").unwrap();
        let b = docs[0].get("a").unwrap().get("b").unwrap();
        assert_eq!(b.span.start, 8);
        let Value::Seq(items) = &b.value else { panic!("list") };
        assert_eq!(items[1].span, 12..15);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = yaml("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.code, Code::DuplicateKey);
        assert_eq!(err.labels[0].span.start, 10);
        assert_eq!(err.labels[1].span.start, 0);
    }

    #[test]
    fn alias_bombs_stop_at_the_limit() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 { "a".to_owned() } else { format!("l{}", i - 1) };
            let items = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("l{i}: &l{i} [{items}]\n"));
        }
        assert_eq!(yaml(&text).unwrap_err().code, Code::AliasLimit);
    }

    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let text = "[".repeat(100_000);
        assert_eq!(yaml(&text).unwrap_err().code, Code::NestingTooDeep);
    }
}
