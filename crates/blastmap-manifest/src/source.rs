//! Source files and the mapping from byte offsets to 1-based line/column.

use std::sync::Arc;

use miette::NamedSource;

/// A file that was read, kept for diagnostics (snippets) and locations.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (directory walks join the relative part).
    pub name: Arc<str>,
    /// The whole text.
    pub text: Arc<str>,
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
    /// Whether the text is all ASCII: then characters are bytes and the
    /// column conversions below are O(1) instead of a walk along the line
    /// (which made long one-line JSON inventories quadratic).
    ascii: bool,
    named: NamedSource<Arc<str>>,
}

impl SourceFile {
    pub fn new(name: &str, text: String) -> Self {
        let text: Arc<str> = Arc::from(text);
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        // Snippets show the source on a terminal: control characters (an
        // escape sequence in a hostile manifest) are replaced by characters of
        // the same UTF-8 length, so byte offsets stay valid.
        // (Checked on bytes for ASCII text: decoding every character of a
        // large inventory showed in profiles.)
        let unsafe_control = if text.is_ascii() {
            text.bytes().any(|b| is_unsafe_control(char::from(b)))
        } else {
            text.chars().any(is_unsafe_control)
        };
        let shown: Arc<str> = if unsafe_control {
            Arc::from(
                text.chars()
                    .map(|c| if is_unsafe_control(c) { same_length_placeholder(c) } else { c })
                    .collect::<String>(),
            )
        } else {
            Arc::clone(&text)
        };
        let named = NamedSource::new(crate::source::printable(name), shown);
        let ascii = text.is_ascii();
        Self { name: Arc::from(name), text, line_starts, ascii, named }
    }

    /// The source in the form miette renders snippets from.
    pub fn named(&self) -> &NamedSource<Arc<str>> {
        &self.named
    }

    /// 1-based line and column (in characters) of a byte offset. Offsets past
    /// the end map to the end of the text.
    ///
    /// # Complexity
    /// O(log lines), plus the line length for non-ASCII text.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column = if self.ascii {
            offset - start
        } else {
            self.text.get(start..offset).map_or(offset - start, |s| s.chars().count())
        };
        (line as u32 + 1, column as u32 + 1)
    }

    /// Byte offset of a 1-based line and 0-based character column (as YAML
    /// markers give them).
    pub fn offset_of(&self, line: usize, char_column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = self.text.get(start..).unwrap_or("");
        if self.ascii {
            return start + char_column.min(rest.len());
        }
        start + rest.char_indices().nth(char_column).map_or(rest.len(), |(i, _)| i)
    }

    /// Bytes of the lines that `span` touches, with `context` lines before
    /// and after (what a snippet of it shows).
    ///
    /// # Complexity
    /// O(log lines).
    pub fn snippet_len(&self, span: &std::ops::Range<usize>, context: usize) -> usize {
        let line_of = |offset: usize| self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let first = line_of(span.start.min(self.text.len())).saturating_sub(context);
        let last = line_of(span.end.min(self.text.len())).saturating_add(context + 1);
        let start = self.line_starts.get(first).copied().unwrap_or(0);
        let end = self.line_starts.get(last).copied().unwrap_or(self.text.len());
        end.saturating_sub(start)
    }

    /// A [`crate::Location`] for a byte range of this file.
    pub fn location(&self, span: &std::ops::Range<usize>) -> crate::Location {
        let (line, column) = self.line_column(span.start);
        crate::Location {
            file: Arc::clone(&self.name),
            line,
            column,
            offset: span.start,
            len: span.end.saturating_sub(span.start),
        }
    }
}

/// Control characters other than line breaks and tabs.
fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t' && c != '\r'
}

fn same_length_placeholder(c: char) -> char {
    if c.len_utf8() == 1 { '?' } else { '\u{bf}' }
}

/// `text` with control characters (terminal escape sequences) shown as
/// `\u{1b}` escapes, safe to print on a terminal.
pub fn printable(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::SourceFile;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let f = SourceFile::new("x.yaml", "ab\nçd: e\n".to_owned());
        assert_eq!(f.line_column(0), (1, 1));
        assert_eq!(f.line_column(3), (2, 1));
        // `d` follows a two-byte character: byte 5, column 2
        assert_eq!(f.line_column(5), (2, 2));
        assert_eq!(f.offset_of(2, 1), 5);
        assert_eq!(f.line_column(999), (3, 1));
    }
}
