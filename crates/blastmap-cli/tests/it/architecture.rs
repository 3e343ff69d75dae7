//! The CLI's architecture invariants (ARCHITECTURE.md), checked on the text
//! of its sources: renderers only format (no process, no environment, no
//! file, no clap type, no call back into the commands), and modules depend
//! one way, `main` → `commands` → `render`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file:line: string` for every line of the `.rs` files under `dir` that
/// holds one of `forbidden`.
fn violations(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    assert!(!files.is_empty(), "no sources under {}", dir.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            for f in forbidden.iter().filter(|f| line.contains(*f)) {
                found.push(format!("{}:{}: {f}", file.display(), i + 1));
            }
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn renderers_only_format() {
    let found = violations(
        &src().join("render"),
        &[
            "std::process",
            "std::env",
            "std::fs",
            "std::net",
            "current_dir",
            "crate::cli",
            "crate::commands",
            "clap",
            "blastmap_analysis::simulate::simulate",
            "Net::new",
            "cold_start(",
        ],
    );
    assert!(found.is_empty(), "render/ must only format what it is given:\n{}", found.join("\n"));
}

#[test]
fn the_check_can_fail() {
    let found = violations(&src(), &["crate::render"]);
    assert!(!found.is_empty(), "commands use render: the scan must see them");
}

/// Every `semantics.md#anchor` that a source file or a document cites is a
/// heading of `docs/semantics.md`: comments point at the definitions, and a
/// renamed heading must not leave them pointing at nothing.
#[test]
fn cited_semantics_anchors_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/semantics.md")).unwrap();
    let anchors: Vec<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix('#').map(|h| h.trim_start_matches('#').trim()))
        .map(|h| {
            h.to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    files.retain(|f| !f.ends_with("tests/it/architecture.rs"));
    for doc in ["README.md", "ARCHITECTURE.md", "BENCHMARKS.md", "docs/ci.md", "docs/manifest.md"] {
        files.push(root.join(doc));
    }
    let (mut cited, mut missing) = (0, Vec::new());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (_, rest) in
            text.match_indices("semantics.md#").map(|(i, _)| text.split_at(i + "semantics.md#".len()))
        {
            let anchor: String =
                rest.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
            cited += 1;
            if !anchors.contains(&anchor) {
                missing.push(format!("{}: #{anchor}", file.display()));
            }
        }
    }
    assert!(cited > 10, "only {cited} citations found: the scan is broken");
    assert!(missing.is_empty(), "anchors missing from docs/semantics.md:\n{}", missing.join("\n"));
}
