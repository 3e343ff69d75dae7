//! A small spanned document tree that YAML, JSON and TOML all parse into,
//! so that one decoder can validate every format and point at exact bytes.
//!
//! serde-based decoding stops at the first error and loses positions below
//! the top level; this tree keeps a byte span on every key and value, so the
//! decoder reports every problem of every file in one run.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

pub(crate) mod json;
pub(crate) mod toml;
pub(crate) mod yaml;

/// The hash map of the readers' large key sets (ids, the members of a
/// large mapping): foldhash, seeded at random per process, instead of
/// `SipHash`, which was a tenth of `validate` on a million components.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// An empty [`FastMap`] with room for `capacity` entries.
pub(crate) fn fast_map<K, V>(capacity: usize) -> FastMap<K, V> {
    FastMap::with_capacity_and_hasher(capacity, foldhash::fast::RandomState::default())
}

/// Limits that keep hostile input cheap (see SECURITY.md).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// Deepest nesting of lists and mappings.
    pub max_depth: usize,
    /// Most nodes that YAML aliases may expand to, per file; aliased text
    /// counts one node per 64 bytes, so long strings cannot multiply either.
    pub max_alias_nodes: usize,
    /// Most components in one inventory.
    pub max_components: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_size: 256 * 1024 * 1024,
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_components: 5_000_000,
        }
    }
}

/// A value with the byte range it was written at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

/// A parsed value. Mappings keep the order they were written in.
///
/// Children are boxed slices, not `Vec`s, and short text lives inside the
/// value ([`Text`]): a large inventory is tens of millions of nodes, and
/// spare capacities and a heap allocation per key and id made the tree
/// half as large again.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    Seq(Box<[Node]>),
    Map(Box<[(Node, Node)]>),
}

/// Longest text kept inside a [`Text`] (it then takes no more room in a
/// [`Value`] than a boxed string).
const INLINE: usize = 22;

/// The text of a string value or key, dereferencing to `str`: up to 22
/// bytes (keys, ids, kinds) inside the value, longer on the heap.
#[derive(Clone)]
pub(crate) struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// The text.
    ///
    /// # Complexity
    /// O(length) for inline text (checked as UTF-8 again, a few
    /// nanoseconds for such short text), O(1) otherwise.
    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            // Copied from a `str` whole, so the check always succeeds.
            Repr::Inline { len, bytes } => {
                bytes.get(..usize::from(*len)).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default()
            }
            Repr::Heap(text) => text,
        }
    }

    /// The bytes of the text, without checking them again.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Repr::Heap(text) => text.as_bytes(),
        }
    }

    /// The text as a `String` (moved when on the heap).
    pub(crate) fn into_string(self) -> String {
        match self.0 {
            Repr::Heap(text) => text.into_string(),
            inline @ Repr::Inline { .. } => Text(inline).as_str().to_owned(),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        let mut bytes = [0; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(inline), Ok(len)) => {
                inline.copy_from_slice(text.as_bytes());
                Text(Repr::Inline { len, bytes })
            }
            _ => Text(Repr::Heap(Box::from(text))),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= INLINE { Text::from(text.as_str()) } else { Text(Repr::Heap(text.into_boxed_str())) }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

// Equality and hashing work on the bytes: comparing keys and looking ids
// up are hot, and checking inline text as UTF-8 each time showed.

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        // Prefix-free, as `str` hashes.
        state.write_u8(0xff);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Value {
    /// The type name used in "expected X, found Y" messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub(crate) fn new(value: Value, span: Range<usize>) -> Self {
        Self { value, span }
    }

    /// The entries when this is a mapping.
    pub(crate) fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` when this is a mapping that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.key_text() == Some(key)).map(|(_, v)| v)
    }

    /// A mapping key as text: strings as they are; plain YAML scalars such as
    /// `8080:` or `true:` as they read. Lists and mappings are not keys.
    pub(crate) fn key_text(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON, for the test that validates the fixtures against
    /// the JSON Schema (the importers read the tree itself).
    #[cfg(test)]
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.as_str().to_owned()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        (k.key_text().map_or_else(|| format!("{:?}", k.value), str::to_owned), v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

/// The syntaxes a file can be written in, chosen by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Yaml,
    Json,
    Toml,
}

impl Syntax {
    /// The syntax of a path by its extension (`.yaml`, `.yml`, `.json`, `.toml`).
    pub(crate) fn from_path(path: &std::path::Path) -> Option<Syntax> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Syntax::Yaml),
            "json" => Some(Syntax::Json),
            "toml" => Some(Syntax::Toml),
            _ => None,
        }
    }
}

/// Parses a file into its documents (YAML may hold several; JSON and TOML
/// one). On a syntax error the documents parsed so far are dropped and the
/// error is returned.
pub(crate) fn parse(
    file: &Arc<SourceFile>,
    syntax: Syntax,
    limits: &Limits,
) -> Result<Vec<Node>, Diagnostic> {
    match syntax {
        Syntax::Yaml => yaml::parse(file, limits),
        Syntax::Json => json::parse(file, limits).map(|n| vec![n]),
        Syntax::Toml => toml::parse(file, limits).map(|n| vec![n]),
    }
}

#[cfg(test)]
mod tests {
    use super::{Text, Value};

    #[test]
    fn text_is_kept_inside_up_to_its_limit_and_reads_back_the_same() {
        for text in [
            "",
            "kind",
            "data-000042",
            &"x".repeat(22),
            &"x".repeat(23),
            "zoné-ü-ß-€-😀-abcd",
            &"é".repeat(40),
        ] {
            let t = Text::from(text);
            assert_eq!(t.as_str(), text);
            assert_eq!(t.as_bytes(), text.as_bytes());
            assert_eq!(t, Text::from(text.to_owned()));
            assert!(t == text);
            assert_eq!(t.clone().into_string(), text);
            assert_eq!(format!("{t:?}"), format!("{text:?}"));
        }
        assert_ne!(Text::from("ab"), Text::from("abc"));
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn values_stay_three_words() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }
}
