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

use super::{Limits, Node, Syntax, Text, Value};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// An open sequence or mapping. Its children wait on the builder's shared
/// stacks from `mark` on, so that each is moved once into a slice of its
/// exact length instead of growing a vector of its own.
enum Frame {
    Seq {
        mark: usize,
        start: usize,
        anchor: usize,
    },
    Map {
        mark: usize,
        key: Option<Node>,
        /// Keys by text, for duplicate detection, built only once the
        /// mapping outgrows [`SMALL_MAP`] (the component mappings of a large
        /// inventory are many and small: a scan of their few keys is cheaper
        /// than hashing and copying every key).
        seen: Option<super::FastMap<String, std::ops::Range<usize>>>,
        start: usize,
        anchor: usize,
    },
}

/// Mappings with at most this many entries find duplicate keys by a scan.
const SMALL_MAP: usize = 16;

struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Items of the open sequences, innermost last.
    items: Vec<Node>,
    /// Entries of the open mappings, innermost last.
    entries: Vec<(Node, Node)>,
    /// anchor id → (node, number of nodes in it)
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    documents: Vec<Node>,
    /// `Some` when a key written twice keeps its last value (as kubectl
    /// does) instead of failing: the duplicates met, in order.
    kept_last: Option<Vec<Duplicate>>,
}

/// A key written again in one mapping (read with [`parse_keeping_last`]).
#[derive(Clone, Debug)]
pub(crate) struct Duplicate {
    pub key: String,
    /// Where it is written again (the value kept).
    pub span: std::ops::Range<usize>,
    /// Where it was first written (the value dropped).
    pub first: std::ops::Range<usize>,
}

/// Parses every document of a YAML file.
///
/// # Complexity
/// O(size of the file + nodes produced by aliases), bounded by the limits.
pub(crate) fn parse(file: &Arc<SourceFile>, limits: &Limits) -> Result<Vec<Node>, Diagnostic> {
    parse_with(file, limits, false).map(|(docs, _)| docs)
}

/// [`parse`], but a key written twice in a mapping keeps its last value and
/// is returned among the duplicates instead of failing. Only for foreign
/// formats whose own tools read duplicates so (kubectl keeps the last): a
/// native manifest never goes through here.
pub(crate) fn parse_keeping_last(
    file: &Arc<SourceFile>,
    limits: &Limits,
) -> Result<(Vec<Node>, Vec<Duplicate>), Diagnostic> {
    parse_with(file, limits, true)
}

fn parse_with(
    file: &Arc<SourceFile>,
    limits: &Limits,
    keep_last: bool,
) -> Result<(Vec<Node>, Vec<Duplicate>), Diagnostic> {
    match parse_text(file, &file.text, limits, keep_last) {
        Ok(docs) => Ok(docs),
        Err(error) => {
            // Real Compose files close multi-line flow lists at the key's
            // own indentation (`command: [\n  "a"\n]`), which Go's and
            // libyaml's readers accept and ours rejects. Retry with such
            // closers moved to the end of the line before: same length and
            // line count, so every span still points at the original text.
            match repair_flow_closers(&file.text) {
                Some(repaired) => parse_text(file, &repaired, limits, keep_last).map_err(|_| error),
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
    // The last non-blank line so far and whether it has a comment, tracked
    // as we go: searching backwards from every closer, or scanning the line
    // that collects the closers for `#` again, made a file of many `]`
    // lines quadratic.
    let mut prev: Option<(usize, bool)> = None;
    for i in 0..lines.len() {
        let Some(line) = lines.get(i) else { break };
        let trimmed = line.trim();
        let is_closer = matches!(trimmed, "]" | "}" | "]," | "},");
        if !is_closer || i == 0 {
            if !trimmed.is_empty() {
                prev = Some((i, line.contains('#')));
            }
            continue;
        }
        let closer = trimmed.to_owned();
        let width = line.len();
        let Some(before) = prev.filter(|&(_, comment)| !comment).and_then(|(p, _)| lines.get_mut(p)) else {
            prev = Some((i, false));
            continue;
        };
        before.push_str(&closer);
        // Keep the byte length: the closer moved, so its line loses as many
        // bytes as the line before gained.
        if let Some(line) = lines.get_mut(i) {
            *line = " ".repeat(width.saturating_sub(closer.len()));
        }
        changed = true;
    }
    changed.then(|| lines.join("\n"))
}

fn parse_text(
    file: &Arc<SourceFile>,
    text: &str,
    limits: &Limits,
    keep_last: bool,
) -> Result<(Vec<Node>, Vec<Duplicate>), Diagnostic> {
    let mut builder = Builder {
        file,
        limits,
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        documents: Vec::new(),
        kept_last: keep_last.then(Vec::new),
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = file.offset_of(e.marker().line(), e.marker().col());
            if e.info() == "recursion limit exceeded" {
                return Diagnostic::yaml_recursion_limit(file, at);
            }
            Diagnostic::invalid_yaml(file, at, e.info())
        })?;
        builder.event(event, span)?;
    }
    Ok((builder.documents, builder.kept_last.unwrap_or_default()))
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
                    Value::Str(Text::from(&*text))
                } else {
                    resolve_plain(&text)
                };
                self.finish(Node::new(value, range), anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let start = self.range(span).start;
                self.open(Frame::Seq { mark: self.items.len(), start, anchor }, start)
            }
            Event::MappingStart(anchor, _) => {
                let start = self.range(span).start;
                let mark = self.entries.len();
                self.open(Frame::Map { mark, key: None, seen: None, start, anchor }, start)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.range(span).end;
                match self.stack.pop() {
                    Some(Frame::Seq { mark, start, anchor }) => {
                        let items = self.items.drain(mark..).collect();
                        self.finish(Node::new(Value::Seq(items), start..end.max(start)), anchor)
                    }
                    Some(Frame::Map { mark, start, anchor, .. }) => {
                        let entries = self.entries.drain(mark..).collect();
                        self.finish(Node::new(Value::Map(entries), start..end.max(start)), anchor)
                    }
                    None => Ok(()),
                }
            }
            Event::Alias(id) => {
                let range = self.range(span);
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err(Diagnostic::unknown_anchor(self.file, range));
                };
                self.alias_nodes = self.alias_nodes.saturating_add(*size);
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(Diagnostic::alias_limit(self.file, range, self.limits.max_alias_nodes));
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
            return Err(Diagnostic::nesting_too_deep(self.file, at..at, self.limits.max_depth));
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
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { mark, key, seen, .. }) => match key.take() {
                None => {
                    let entries = self.entries.get(*mark..).unwrap_or_default();
                    if let Some(text) = node.key_text() {
                        if seen.is_none() && entries.len() >= SMALL_MAP {
                            let mut index = super::fast_map(entries.len() * 2);
                            for (k, _) in entries {
                                if let Some(t) = k.key_text() {
                                    index.entry(t.to_owned()).or_insert_with(|| k.span.clone());
                                }
                            }
                            *seen = Some(index);
                        }
                        let first = match seen {
                            Some(index) => index.get(text).cloned(),
                            None => entries
                                .iter()
                                .find(|(k, _)| k.key_text() == Some(text))
                                .map(|(k, _)| k.span.clone()),
                        };
                        if let Some(first) = first {
                            let Some(kept) = &mut self.kept_last else {
                                return Err(Diagnostic::duplicate_key(
                                    self.file,
                                    Syntax::Yaml,
                                    text,
                                    node.span.clone(),
                                    first,
                                ));
                            };
                            kept.push(Duplicate { key: text.to_owned(), span: node.span.clone(), first });
                            // The earlier entry goes: the one written last wins.
                            if let Some(at) = entries.iter().position(|(k, _)| k.key_text() == Some(text)) {
                                self.entries.remove(*mark + at);
                            }
                        }
                        if let Some(index) = seen {
                            index.insert(text.to_owned(), node.span.clone());
                        }
                    }
                    *key = Some(node);
                }
                Some(k) => self.entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// The cost of copying a tree for an alias: one per node, plus one per
/// [`TEXT_PER_NODE`] bytes of text. Counting nodes alone let a long string
/// aliased a hundred thousand times expand to gigabytes.
fn count(node: &Node) -> usize {
    let mut total = 0usize;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total = total.saturating_add(1);
        match &n.value {
            Value::Str(s) => total = total.saturating_add(s.len() / TEXT_PER_NODE),
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    total
}

/// Bytes of aliased text that cost as much as one node (see [`count`]).
const TEXT_PER_NODE: usize = 64;

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
    Value::Str(Text::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

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
    fn duplicate_keys_are_errors_in_large_mappings_too() {
        // Past SMALL_MAP entries the keys are indexed: the first duplicate
        // of an early key and of a late key are both found.
        let mut keys = String::new();
        for i in 0..40 {
            keys.push_str(&format!("k{i}: {i}\n"));
        }
        for dup in ["k3", "k39"] {
            let text = format!("{keys}{dup}: again\n");
            let err = yaml(&text).unwrap_err();
            assert_eq!(err.code, Code::DuplicateKey, "{dup}");
            assert_eq!(err.labels[1].span.start, keys.find(&format!("{dup}:")).unwrap(), "{dup}");
        }
        assert!(yaml(&keys).is_ok());
    }

    #[test]
    fn keeping_last_drops_the_first_of_two_keys() {
        let mut keys = String::new();
        for i in 0..40 {
            keys.push_str(&format!("k{i}: {i}\n"));
        }
        for text in ["a: 1\nb: 2\na: 3\n".to_owned(), format!("a: 1\n{keys}a: 3\n")] {
            let file = Arc::new(SourceFile::new("t.yaml", text.clone()));
            let (docs, duplicates) = parse_keeping_last(&file, &Limits::default()).unwrap();
            assert_eq!(docs[0].get("a").map(|n| &n.value), Some(&Value::Int(3)));
            let count = docs[0].as_map().unwrap().iter().filter(|(k, _)| k.key_text() == Some("a")).count();
            assert_eq!(count, 1);
            assert_eq!(duplicates.len(), 1);
            assert_eq!((duplicates[0].key.as_str(), duplicates[0].first.start), ("a", 0));
            assert_eq!(duplicates[0].span.start, text.rfind("a:").unwrap());
            // The strict reader still refuses it.
            assert_eq!(yaml(&text).unwrap_err().code, Code::DuplicateKey);
        }
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
    fn aliased_long_text_counts_by_size() {
        // 10 kB of text aliased 1 000 times: few nodes, but 10 MB expanded.
        let text = format!("a: &a {}\nb: [{}]\n", "x".repeat(10_000), vec!["*a"; 1_000].join(", "));
        assert_eq!(yaml(&text).unwrap_err().code, Code::AliasLimit);
    }

    #[test]
    fn closers_alone_on_a_line_are_repaired_in_linear_time() {
        // Each line a lone `]`: the repair used to search back over every
        // line it had blanked.
        let text = "a: [\n".to_owned() + &"]\n".repeat(50_000);
        assert!(yaml(&text).is_err());
        assert_eq!(repair_flow_closers("a: [x,\n  y\n]\n").as_deref(), Some("a: [x,\n  y]\n\n"));
    }

    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let text = "[".repeat(100_000);
        assert_eq!(yaml(&text).unwrap_err().code, Code::NestingTooDeep);
    }
}
