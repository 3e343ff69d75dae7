//! Shared by every target: feed bytes to the loader the way a file on disk
//! would reach it, with the default limits.

use blastmap_manifest::{Format, LoadOptions, load_texts};

/// Loads `data` as a file called `name` (the extension picks the syntax),
/// forcing the importer `from` when given. Non-UTF-8 input is rejected by
/// the file reader before parsing, so only UTF-8 reaches the parsers.
pub fn load(name: &str, from: Option<Format>, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = LoadOptions { from, ..LoadOptions::default() };
    let loaded = load_texts(&[(name, text)], &options);
    // Every diagnostic must be renderable: spans inside the text and on
    // character boundaries (miette slices the source with them).
    for d in loaded.diagnostics.iter().chain(loaded.diagnostics.iter().flat_map(|d| &d.related)) {
        let Some(file) = &d.file else { continue };
        for label in &d.labels {
            let span = &label.span;
            assert!(span.start <= span.end, "inverted span {span:?} in {}", d.message);
            assert!(span.end <= file.text.len(), "span {span:?} past the end in {}", d.message);
            assert!(
                file.text.is_char_boundary(span.start) && file.text.is_char_boundary(span.end),
                "span {span:?} splits a character in {}",
                d.message
            );
        }
    }
}
