//! A small spanned document tree that YAML, JSON and TOML all parse into,
//! so that one decoder can validate every format and point at exact bytes.
//!
//! serde-based decoding stops at the first error and loses positions below
//! the top level; this tree keeps a byte span on every key and value, so the
//! decoder reports every problem of every file in one run.

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

pub(crate) mod json;
pub(crate) mod toml;
pub(crate) mod yaml;

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
pub struct Node {
    pub value: Value,
    pub span: Range<usize>,
}

/// A parsed value. Mappings keep the order they were written in.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// The type name used in "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
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
    pub fn new(value: Value, span: Range<usize>) -> Self {
        Self { value, span }
    }

    /// The entries when this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.key_text() == Some(key)).map(|(_, v)| v)
    }

    /// A mapping key as text: strings as they are; plain YAML scalars such as
    /// `8080:` or `true:` as they read. Lists and mappings are not keys.
    pub fn key_text(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON (for schema validation and foreign formats).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
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
pub enum Syntax {
    Yaml,
    Json,
    Toml,
}

impl Syntax {
    /// The syntax of a path by its extension (`.yaml`, `.yml`, `.json`, `.toml`).
    pub fn from_path(path: &std::path::Path) -> Option<Syntax> {
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
pub fn parse(file: &Arc<SourceFile>, syntax: Syntax, limits: &Limits) -> Result<Vec<Node>, Diagnostic> {
    match syntax {
        Syntax::Yaml => yaml::parse(file, limits),
        Syntax::Json => json::parse(file, limits).map(|n| vec![n]),
        Syntax::Toml => toml::parse(file, limits).map(|n| vec![n]),
    }
}
