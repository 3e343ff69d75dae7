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
    /// Keeps `text` (the file called `name`) with its line starts.
    ///
    /// # Complexity
    /// O(length of the text).
    pub fn new(name: &str, text: String) -> Self {
        let text: Arc<str> = Arc::from(text);
        // (Newlines are found by the standard library's `memchr`, and the
        // checks below run on bytes for ASCII text: going through a large
        // inventory byte by byte, or character by character, showed in
        // profiles.)
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = text.is_ascii();
        // Snippets show the source on a terminal: control characters (an
        // escape sequence in a hostile manifest) are replaced by characters of
        // the same UTF-8 length, so byte offsets stay valid.
        let unsafe_control = if ascii {
            // Chunks without an early exit inside, so that the test vectorises.
            text.as_bytes()
                .chunks(256)
                .any(|chunk| chunk.iter().fold(false, |found, &b| found | is_unsafe_control_byte(b)))
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
        (line as u32 + 1, self.column(line, offset) as u32 + 1)
    }

    /// 0-based character column of `offset` (at most the text length) on
    /// the 0-based `line` that holds it.
    fn column(&self, line: usize, offset: usize) -> usize {
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        if self.ascii {
            offset - start
        } else {
            self.text.get(start..offset).map_or(offset - start, |s| s.chars().count())
        }
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
    ///
    /// # Complexity
    /// O(log lines), plus the line length for non-ASCII text.
    pub fn location(&self, span: &std::ops::Range<usize>) -> crate::Location {
        let (line, column) = self.line_column(span.start);
        let (end_line, end_column) = self.line_column(span.end.max(span.start));
        crate::Location {
            file: Arc::clone(&self.name),
            line,
            column,
            offset: span.start,
            len: span.end.saturating_sub(span.start),
            end_line,
            end_column,
        }
    }

    /// [`Self::location`] for spans met in about text order, as decoders
    /// meet them: `line` is the 0-based line of the previous span, updated
    /// to this one's. That line and its neighbours are tried before a binary
    /// search (millions of requirement members made the searches show).
    ///
    /// # Complexity
    /// O(1) when the span starts on `line` or next to it, else
    /// O(log lines); plus the line length for non-ASCII text.
    pub(crate) fn location_near(&self, span: &std::ops::Range<usize>, line: &mut usize) -> crate::Location {
        let offset = span.start.min(self.text.len());
        let holds = |i: usize| {
            self.line_starts.get(i).is_some_and(|&start| start <= offset)
                && self.line_starts.get(i + 1).is_none_or(|&next| offset < next)
        };
        let near = [*line, line.wrapping_add(1), line.wrapping_sub(1)].into_iter().find(|&i| holds(i));
        *line = near.unwrap_or_else(|| self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1));
        // The end is nearly always on the same line: no search then.
        let end = span.end.clamp(offset, self.text.len());
        let same_line = self.line_starts.get(*line + 1).is_none_or(|&next| end < next);
        let (end_line, end_column) = if same_line {
            (*line as u32 + 1, self.column(*line, end) as u32 + 1)
        } else {
            self.line_column(end)
        };
        crate::Location {
            file: Arc::clone(&self.name),
            line: *line as u32 + 1,
            column: self.column(*line, offset) as u32 + 1,
            offset: span.start,
            len: span.end.saturating_sub(span.start),
            end_line,
            end_column,
        }
    }
}

/// Control characters other than line breaks and tabs.
fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t' && c != '\r'
}

/// [`is_unsafe_control`] of an ASCII byte.
fn is_unsafe_control_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t' && b != b'\r') || b == 0x7f
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

    /// Both constructors give the same end: just after the last character,
    /// on its line (columns in characters), for a span on one line or on
    /// several.
    #[test]
    fn locations_end_just_after_their_last_character() {
        let f = SourceFile::new("x.yaml", "ab\nçd: e\nfg\n".to_owned());
        for (span, end) in [(0..2, (1, 3)), (3..6, (2, 3)), (3..12, (3, 3)), (9..10, (3, 1)), (3..13, (4, 1))]
        {
            let at = f.location(&span);
            assert_eq!((at.end_line, at.end_column), end, "{span:?}");
            for mut line in [0, 1, 2, 3] {
                let near = f.location_near(&span, &mut line);
                assert_eq!(near, at, "{span:?} from line {line}");
            }
        }
    }

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

    #[test]
    fn control_bytes_are_those_of_the_characters() {
        for b in 0..=0x7f_u8 {
            assert_eq!(super::is_unsafe_control_byte(b), super::is_unsafe_control(char::from(b)), "{b:#x}");
        }
        let f = SourceFile::new("x.yaml", format!("a: b\n{}c: \u{1b}[31m\n", "x".repeat(300)));
        assert_eq!(f.named().inner().find('?'), Some(308));
    }

    #[test]
    fn locations_near_the_last_line_match_the_search() {
        let f = SourceFile::new("x.yaml", "ab\nçd: e\n\nxyz\n".to_owned());
        // In order, backwards, jumping, and past the end, from any hint.
        for hint in [0, 1, 2, 3, 4, 99] {
            for offset in [0, 2, 3, 5, 9, 10, 12, 14, 99] {
                let mut line = hint;
                assert_eq!(
                    f.location_near(&(offset..offset + 1), &mut line),
                    f.location(&(offset..offset + 1))
                );
                assert_eq!(f.line_column(offset).0 as usize, line + 1);
            }
        }
    }
}
