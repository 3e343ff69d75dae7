//! Typed values of a native manifest (text, ids, numbers, mappings), each
//! read with a diagnostic at its node when it has the wrong type.

use std::ops::Range;
use std::sync::Arc;

use super::decode::{Decoder, numbered};
use super::{MAX_ID_LEN, check_id};
use crate::diagnostics::Diagnostic;
use crate::model::{ComponentId, Location};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

impl<'a> Decoder<'a> {
    pub(super) fn error(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    pub(super) fn location(&mut self, span: &Range<usize>) -> Location {
        self.file.location_near(span, &mut self.line)
    }

    pub(super) fn invalid_type(&mut self, node: &Node, expected: &str, help: &str) {
        let found = node.value.type_name();
        self.error(Diagnostic::invalid_type(self.file, node.span.clone(), expected, found, help));
    }

    /// The entries of a mapping, or a type error.
    pub(super) fn map<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<&'n [(Node, Node)]> {
        if let Value::Map(entries) = &node.value {
            Some(entries)
        } else {
            self.invalid_type(node, &format!("a mapping ({what})"), help);
            None
        }
    }

    /// Text keys of a mapping, reporting keys that are not text.
    pub(super) fn keyed<'n>(&mut self, entries: &'n [(Node, Node)]) -> Vec<(&'n str, &'n Node, &'n Node)> {
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match k.key_text() {
                Some(text) => out.push((text, k, v)),
                None => self.invalid_type(k, "a text key", "keys are plain names"),
            }
        }
        out
    }

    /// Reports the keys of a mapping that are not text, as [`Self::keyed`]
    /// does, for callers that then consume the entries (skipping those).
    pub(super) fn check_keys(&mut self, entries: &[(Node, Node)]) {
        for (k, _) in entries {
            if k.key_text().is_none() {
                self.invalid_type(k, "a text key", "keys are plain names");
            }
        }
    }

    pub(super) fn unknown_key(&mut self, key: &Node, name: &str, allowed: &[&str], context: &str) {
        self.error(Diagnostic::unknown_key(self.file, key.span.clone(), name, allowed, context));
    }

    /// Text, accepting plain YAML scalars such as `8080` where text is
    /// expected (as written); borrowed from the tree or the source.
    pub(super) fn scalar<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str>
    where
        'a: 'n,
    {
        let file: &'a Arc<SourceFile> = self.file;
        match &node.value {
            Value::Str(s) => Some(s),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                Some(file.text.get(node.span.clone()).unwrap_or_default())
            }
            _ => {
                self.invalid_type(node, &format!("text ({what})"), "write the value as text");
                None
            }
        }
    }

    /// [`Self::scalar`], copied.
    pub(super) fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        self.scalar(node, what).map(str::to_owned)
    }

    /// [`Self::text`] that moves a string out of the tree instead of
    /// copying it.
    pub(super) fn take_text(&mut self, node: Node, what: &str) -> Option<String> {
        match node.value {
            Value::Str(s) => Some(s.into_string()),
            _ => self.text(&node, what),
        }
    }

    pub(super) fn id<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str>
    where
        'a: 'n,
    {
        let id = self.scalar(node, what)?;
        if check_id(id) {
            Some(id)
        } else {
            self.error(Diagnostic::invalid_id(self.file, node.span.clone(), id, MAX_ID_LEN));
            None
        }
    }

    /// The id number of the member written at `node`, or a diagnostic.
    pub(super) fn member_number(&mut self, node: &Node, what: &str) -> Option<ComponentId> {
        let id = self.id(node, what)?;
        let number = match &node.value {
            Value::Str(text) => self.ids.number(text),
            _ => self.ids.number_of(id),
        };
        Some(numbered(number))
    }

    /// The member an id names (by number) and where it was written.
    pub(super) fn member(&mut self, node: &Node, what: &str) -> Option<(ComponentId, Location)> {
        let member = self.member_number(node, what)?;
        Some((member, self.location(&node.span)))
    }

    pub(super) fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
        match node.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => {
                self.invalid_type(node, &format!("a number ({what})"), "write a number such as `99.9`");
                None
            }
        }
    }

    pub(super) fn integer(&mut self, node: &Node, what: &str) -> Option<i64> {
        if let Value::Int(i) = node.value {
            Some(i)
        } else {
            self.invalid_type(node, &format!("a whole number ({what})"), "write a whole number such as `2`");
            None
        }
    }

    pub(super) fn percentage(&mut self, node: &Node, what: &str) -> Option<f64> {
        let p = self.number(node, what)?;
        if p > 0.0 && p <= 100.0 {
            Some(p)
        } else {
            self.error(Diagnostic::percentage_out_of_range(self.file, node.span.clone(), what, p));
            None
        }
    }
}
