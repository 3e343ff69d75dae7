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
