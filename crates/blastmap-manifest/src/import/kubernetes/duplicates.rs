//! Kubernetes documents with a key written twice in one mapping: kubectl
//! reads them and keeps the last (real manifests have two `resources:` in
//! a container), so the import does too, with a warning. Only for files
//! that are Kubernetes documents and nothing else: a native manifest with
//! a duplicate key stays an error.

use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::import::{Format, field, scalar, text};
use crate::load::LoadOptions;
use crate::source::SourceFile;
use crate::syntax::{Node, Syntax, yaml};

/// The documents of `file` read again keeping the last of duplicate keys,
/// and a warning for each, when `error` is a duplicate key and every
/// document is Kubernetes; `None` otherwise (the error stands).
pub(crate) fn reparse_keeping_last(
    file: &Arc<SourceFile>,
    syntax: Syntax,
    error: &Diagnostic,
    options: &LoadOptions,
) -> Option<(Vec<Node>, Vec<Diagnostic>)> {
    if error.code != Code::DuplicateKey
        || syntax != Syntax::Yaml
        || options.from.is_some_and(|f| f != Format::Kubernetes)
    {
        return None;
    }
    let (documents, duplicates) = yaml::parse_keeping_last(file, &options.limits).ok()?;
    let kubernetes = |d: &Node| match options.from {
        Some(f) => f.fits(d),
        None => Format::detect(d) == Some(Format::Kubernetes),
    };
    let all = documents.iter().filter(|d| d.value != crate::syntax::Value::Null).all(kubernetes);
    if !all || documents.iter().any(|d| d.get("blastmap").is_some()) {
        return None;
    }
    let warnings = duplicates
        .into_iter()
        .map(|d| {
            // The lines around a Secret's key are its values: such a
            // warning names the Secret and shows no line.
            let secret = documents
                .iter()
                .find(|doc| doc.span.start <= d.span.start && d.span.start <= doc.span.end)
                .filter(|doc| field(doc, "kind").and_then(text) == Some("Secret"))
                .map(|doc| {
                    field(doc, "metadata").and_then(|m| field(m, "name")).and_then(scalar).unwrap_or_default()
                });
            match secret {
                Some(name) => Diagnostic::duplicate_key_in_secret(file, &d.key, &name),
                None => Diagnostic::duplicate_key_kept_last(file, &d.key, d.span, d.first),
            }
        })
        .collect();
    Some((documents, warnings))
}
