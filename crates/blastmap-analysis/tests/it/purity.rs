//! The crate's architecture invariant: pure analyses, no I/O, no printing,
//! no command line (ARCHITECTURE.md). Checked on the text of every source
//! file, so that a stray debugging line or a convenient file read fails CI
//! instead of waiting for a review to notice it.

use std::path::{Path, PathBuf};

/// What a pure crate never names. `io::stdout` and `io::stderr` also catch
/// `std::io::stdout` and `std::io::stderr`.
const FORBIDDEN: [&str; 11] = [
    "std::fs",
    "std::process",
    "std::net",
    "std::env",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "clap",
    "io::stdout",
    "io::stderr",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every forbidden string of `text`, as "line: string".
fn violations(text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .flat_map(|(i, line)| {
            FORBIDDEN.iter().filter(move |f| line.contains(*f)).map(move |f| format!("{}: {f}", i + 1))
        })
        .collect()
}

#[test]
fn sources_do_no_io_no_printing_and_no_clap() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    // A wrong path would otherwise pass by checking nothing.
    assert!(files.iter().any(|f| f.ends_with("lib.rs")), "no lib.rs under {}", src.display());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        found.extend(violations(&text).into_iter().map(|v| format!("{}:{v}", file.display())));
    }
    assert!(found.is_empty(), "the analysis crate must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_each_forbidden_string() {
    for f in FORBIDDEN {
        // `eprintln!` also contains `println!`: each must be among them.
        assert!(violations(&format!("ok\nlet x = {f}")).contains(&format!("2: {f}")), "{f} not seen");
    }
    assert!(violations("use crate::net::Net;\nlet out = report(model);").is_empty());
}
