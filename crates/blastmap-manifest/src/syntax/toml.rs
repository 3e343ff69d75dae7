//! TOML → [`Node`] through `toml-span`, which keeps a span on every key and
//! value (the crate cargo-deny uses for the same purpose).

use std::sync::Arc;

use super::{Limits, Node, Text, Value};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// Parses a TOML document. Table entries come back in the order written.
///
/// # Complexity
/// O(size of the file · log keys per table).
pub(crate) fn parse(file: &Arc<SourceFile>, limits: &Limits) -> Result<Node, Diagnostic> {
    let mut root = toml_span::parse(&file.text).map_err(|e| Diagnostic::invalid_toml(file, &e))?;
    convert(file, &mut root, 0, limits)
}

fn convert(
    file: &Arc<SourceFile>,
    value: &mut toml_span::Value<'_>,
    depth: usize,
    limits: &Limits,
) -> Result<Node, Diagnostic> {
    let span = value.span.start..value.span.end;
    if depth >= limits.max_depth {
        return Err(Diagnostic::toml_nesting_too_deep(file, span, limits.max_depth));
    }
    let converted = match value.take() {
        toml_span::value::ValueInner::String(s) => Value::Str(Text::from(&*s)),
        toml_span::value::ValueInner::Integer(i) => Value::Int(i),
        toml_span::value::ValueInner::Float(f) => Value::Float(f),
        toml_span::value::ValueInner::Boolean(b) => Value::Bool(b),
        toml_span::value::ValueInner::Array(mut items) => Value::Seq(
            items.iter_mut().map(|v| convert(file, v, depth + 1, limits)).collect::<Result<_, _>>()?,
        ),
        toml_span::value::ValueInner::Table(table) => {
            let mut entries = Vec::with_capacity(table.len());
            for (key, mut v) in table {
                let key_node = Node::new(Value::Str(Text::from(&*key.name)), key.span.start..key.span.end);
                entries.push((key_node, convert(file, &mut v, depth + 1, limits)?));
            }
            entries.sort_by_key(|(k, _)| k.span.start);
            Value::Map(entries.into_boxed_slice())
        }
    };
    Ok(Node::new(converted, span))
}
