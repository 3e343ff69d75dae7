//! JSON → [`Node`]: a small recursive-descent parser that keeps byte spans,
//! reports duplicate keys, and bounds nesting (`serde_json` keeps no spans).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use super::{FastMap, Limits, Node, Syntax, Text, Value};
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// Objects with at most this many members find duplicate keys by a scan;
/// larger ones index their keys (the members of a component are few, the
/// `components` object of a large inventory has millions).
const SMALL_OBJECT: usize = 16;

struct Parser<'a> {
    file: &'a Arc<SourceFile>,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    /// Items of the arrays being parsed, innermost last: one stack shared
    /// by every level, so that each array is moved once into a slice of
    /// its exact length instead of growing a vector of its own.
    items: Vec<Node>,
    /// Members of the objects being parsed, the same way.
    members: Vec<(Node, Node)>,
}

/// Parses one JSON document.
///
/// # Complexity
/// O(size of the file); recursion depth bounded by `limits.max_depth`.
pub(crate) fn parse(file: &Arc<SourceFile>, limits: &Limits) -> Result<Node, Diagnostic> {
    let text: &str = &file.text;
    let mut p = Parser {
        file,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth: limits.max_depth,
        items: Vec::new(),
        members: Vec::new(),
    };
    p.skip_ws();
    let node = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value", "remove what follows the document"));
    }
    Ok(node)
}

impl<'a> Parser<'a> {
    fn error(&self, message: &str, help: &str) -> Diagnostic {
        let end = (self.pos + 1).min(self.bytes.len()).max(self.pos);
        Diagnostic::invalid_json(self.file, self.pos..end, message, help)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, Diagnostic> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input", "the document is cut short; complete it")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(Value::Str(s), start..self.pos))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error(
                "expected a value",
                "a JSON value is an object, array, string, number, true, false or null",
            )),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), Diagnostic> {
        if depth >= self.max_depth {
            let at = self.pos;
            return Err(Diagnostic::nesting_too_deep(self.file, at..at + 1, self.max_depth));
        }
        Ok(())
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, Diagnostic> {
        let start = self.pos;
        if self.bytes.get(start..start + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(Node::new(value, start..self.pos))
        } else {
            Err(self.error("expected a value", "check the spelling: JSON has `true`, `false` and `null`"))
        }
    }

    fn number(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        let value = if let Ok(i) = text.parse::<i64>() {
            Value::Int(i)
        } else if let Ok(f) = text.parse::<f64>() {
            Value::Float(f)
        } else {
            self.pos = start;
            return Err(self.error("malformed number", "write numbers like `99.9`, `3` or `1e-3`"));
        };
        Ok(Node::new(value, start..self.pos))
    }

    fn array(&mut self, depth: usize) -> Result<Node, Diagnostic> {
        self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mark = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::new(Value::Seq(Box::default()), start..self.pos));
        }
        loop {
            self.skip_ws();
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    let items = self.items.drain(mark..).collect();
                    return Ok(Node::new(Value::Seq(items), start..self.pos));
                }
                _ => return Err(self.error("expected `,` or `]`", "separate array items with commas")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, Diagnostic> {
        self.enter(depth)?;
        let start = self.pos;
        self.pos += 1;
        let mark = self.members.len();
        // Keys of a large object, borrowed from the text when they have no
        // escapes (the decoded key is then the text between the quotes).
        let mut seen: Option<FastMap<Cow<'a, str>, Range<usize>>> = None;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::new(Value::Map(Box::default()), start..self.pos));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(
                    self.error("expected a key in double quotes", "JSON keys are strings: `\"key\": value`")
                );
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            let earlier = self.members.get(mark..).unwrap_or_default();
            if seen.is_none() && earlier.len() >= SMALL_OBJECT {
                let mut index = super::fast_map(earlier.len() * 2);
                for (k, _) in earlier {
                    if let Value::Str(text) = &k.value {
                        index.insert(self.borrowed(text, &k.span), k.span.clone());
                    }
                }
                seen = Some(index);
            }
            let first = match &seen {
                Some(index) => index.get(key.as_str()).cloned(),
                None => earlier
                    .iter()
                    .find(|(k, _)| matches!(&k.value, Value::Str(earlier) if *earlier == key))
                    .map(|(k, _)| k.span.clone()),
            };
            if let Some(first) = first {
                return Err(Diagnostic::duplicate_key(self.file, Syntax::Json, &key, key_span, first));
            }
            if let Some(index) = &mut seen {
                index.insert(self.borrowed(&key, &key_span), key_span.clone());
            }
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected `:` after the key", "write `\"key\": value`"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            self.members.push((Node::new(Value::Str(key), key_span), value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    let members = self.members.drain(mark..).collect();
                    return Ok(Node::new(Value::Map(members), start..self.pos));
                }
                _ => return Err(self.error("expected `,` or `}`", "separate members with commas")),
            }
        }
    }

    /// A decoded key as a slice of the text when it was written without
    /// escapes (escapes always take more bytes than what they stand for,
    /// so equal lengths mean none), else a copy.
    fn borrowed(&self, key: &str, span: &Range<usize>) -> Cow<'a, str> {
        let text: &'a str = self.text;
        match text.get(span.start + 1..span.end.saturating_sub(1)) {
            Some(raw) if raw.len() == key.len() => Cow::Borrowed(raw),
            _ => Cow::Owned(key.to_owned()),
        }
    }

    fn hex4(&mut self) -> Result<u32, Diagnostic> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error("malformed `\\u` escape", "write `\\u` and four hex digits")),
        }
    }

    /// Moves past bytes that stand for themselves in a string.
    fn skip_plain(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<Text, Diagnostic> {
        self.pos += 1;
        let run = self.pos;
        self.skip_plain();
        // The text is a `str` and runs stop at ASCII bytes, so every run is
        // whole UTF-8 sequences. Most strings have no escape: one copy.
        let first = self.text.get(run..self.pos).unwrap_or("");
        if self.bytes.get(self.pos) == Some(&b'"') {
            self.pos += 1;
            return Ok(Text::from(first));
        }
        let mut out = String::from(first);
        loop {
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string", "close the string with `\"`")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Text::from(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.bytes.get(self.pos).copied();
                    self.pos += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first)
                                && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                self.pos += 2;
                                let second = self.hex4()?;
                                0x10000 + ((first - 0xD800) << 10) + (second.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                first
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error(
                                "unknown escape",
                                "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                            ));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string", "escape it, e.g. `\\n`")),
            }
            let run = self.pos;
            self.skip_plain();
            out.push_str(self.text.get(run..self.pos).unwrap_or(""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    fn json(text: &str) -> Result<Node, Diagnostic> {
        parse(&Arc::new(SourceFile::new("t.json", text.to_owned())), &Limits::default())
    }

    #[test]
    fn parses_with_spans() {
        let n = json(r#"{"a": [1, 2.5, "x\u00e9\n"], "b": null}"#).unwrap();
        let Value::Seq(items) = &n.get("a").unwrap().value else { panic!("list") };
        assert_eq!(items[0].value, Value::Int(1));
        assert_eq!(items[1].value, Value::Float(2.5));
        assert_eq!(items[2].value, Value::Str("xé\n".into()));
        assert_eq!(items[1].span, 10..13);
    }

    #[test]
    fn duplicate_keys_are_found_in_large_objects_whatever_the_escapes() {
        // Past SMALL_OBJECT members the keys are indexed, borrowed from the
        // text when written without escapes: `"k3"` and `"k\u0033"` are
        // still the same key, either way round.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        for (early, late) in [("\"k3\"", "\"k\\u0033\""), ("\"k\\u0033\"", "\"k3\"")] {
            let mut members = keys.clone();
            members[3] = format!("{early}: 3");
            members.push(format!("{late}: 40"));
            let text = format!("{{{}}}", members.join(", "));
            let err = json(&text).unwrap_err();
            assert_eq!(err.code, Code::DuplicateKey, "{text}");
            assert_eq!(err.labels[1].span.start, text.find(early).unwrap(), "{text}");
        }
        assert!(json(&format!("{{{}}}", keys.join(", "))).is_ok());
    }

    #[test]
    fn errors_are_located() {
        assert_eq!(json(r#"{"a": 1, "a": 2}"#).unwrap_err().code, Code::DuplicateKey);
        let e = json("{\"a\": tru}").unwrap_err();
        assert_eq!(e.labels[0].span.start, 6);
        assert_eq!(json(&"[".repeat(100_000)).unwrap_err().code, Code::NestingTooDeep);
        assert!(json("").is_err());
        assert!(json("[1,]").is_err());
    }
}
