//! Hostile input (SECURITY.md): every crasher the fuzzers found, and the
//! limits end to end on inputs generated in a temporary directory. Each one
//! must end in a diagnostic with the right code, never a panic. Time and
//! memory are measured by hand (numbers in SECURITY.md), not here.

use std::path::{Path, PathBuf};

use blastmap_manifest::{Code, LoadOptions, Loaded, load};

/// A fresh directory for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blastmap-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every label inside its file and on character boundaries.
fn assert_spans_valid(loaded: &Loaded) {
    for d in loaded.diagnostics.iter().chain(loaded.diagnostics.iter().flat_map(|d| &d.related)) {
        let Some(file) = &d.file else { continue };
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end <= file.text.len(),
                "{:?} in {}",
                l.span,
                d.message
            );
            assert!(file.text.is_char_boundary(l.span.start) && file.text.is_char_boundary(l.span.end));
        }
    }
}

fn codes(loaded: &Loaded) -> Vec<Code> {
    loaded.diagnostics.iter().map(|d| d.code).collect()
}

fn load_one(path: &Path) -> Loaded {
    let loaded = load(&[path], &LoadOptions::default());
    assert_spans_valid(&loaded);
    loaded
}

#[test]
fn every_fuzz_crasher_ends_in_a_diagnostic() {
    let dir = crate::fixtures().join("fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let loaded = load_one(&path);
        assert!(!loaded.diagnostics.is_empty(), "{}: no diagnostic", path.display());
        seen += 1;
    }
    assert!(seen > 0, "no crasher files in {}", dir.display());
}

#[test]
fn a_toml_error_at_the_end_points_inside_the_text() {
    // toml-span reported `46..55` in a 47-byte file (fuzz/native_toml).
    let loaded = load_one(&crate::fixtures().join("fuzz-regressions/toml-span-past-end.toml"));
    assert_eq!(codes(&loaded), [Code::InvalidSyntax]);
}

#[test]
fn a_billion_laughs_stops_at_the_alias_limit() {
    let dir = temp("laughs");
    let mut text = String::from("blastmap: 1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = if i == 1 { "a".to_owned() } else { format!("l{}", i - 1) };
        text.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
    }
    std::fs::write(dir.join("laughs.yaml"), text).unwrap();
    assert_eq!(codes(&load_one(&dir.join("laughs.yaml"))), [Code::AliasLimit]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nesting_100k_deep_stops_at_the_depth_limit_in_every_syntax() {
    let dir = temp("deep");
    let n = 100_000;
    let files = [
        ("deep.yaml", format!("blastmap: 1\nx: {}{}\n", "[".repeat(n), "]".repeat(n))),
        ("deep.json", format!("{{\"blastmap\": 1, \"x\": {}{}}}", "[".repeat(n), "]".repeat(n))),
        ("deep.toml", format!("blastmap = 1\nx = {}{}\n", "[".repeat(n), "]".repeat(n))),
        ("tables.toml", format!("blastmap = 1\n[{}]\n", vec!["a"; n].join("."))),
        ("inline.toml", format!("blastmap = 1\nx = {}1{}\n", "{a = ".repeat(n), "}".repeat(n))),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
        assert_eq!(codes(&load_one(&dir.join(name))), [Code::NestingTooDeep], "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn random_bytes_invalid_utf8_empty_files_and_missing_paths_are_diagnostics() {
    let dir = temp("bytes");
    // 1 MB from a fixed xorshift: not UTF-8.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    std::fs::write(dir.join("random.yaml"), &bytes).unwrap();
    assert_eq!(codes(&load_one(&dir.join("random.yaml"))), [Code::InvalidEncoding]);
    // The same bytes as YAML punctuation: valid UTF-8, invalid YAML.
    let alphabet = b"[]{}:,-&*!|>'\"# \n\tab1";
    let ascii: Vec<u8> = bytes.iter().map(|b| alphabet[usize::from(*b) % alphabet.len()]).collect();
    std::fs::write(dir.join("punctuation.yaml"), &ascii).unwrap();
    let loaded = load_one(&dir.join("punctuation.yaml"));
    assert!(loaded.has_errors(), "{:?}", codes(&loaded));
    std::fs::write(dir.join("latin1.yaml"), b"blastmap: 1\ncomponents:\n  a: {name: \"caf\xe9\"}\n").unwrap();
    assert_eq!(codes(&load_one(&dir.join("latin1.yaml"))), [Code::InvalidEncoding]);
    std::fs::write(dir.join("empty.yaml"), "").unwrap();
    assert_eq!(codes(&load_one(&dir.join("empty.yaml"))), [Code::NotAManifest]);
    assert_eq!(codes(&load_one(&dir.join("missing.yaml"))), [Code::Io]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn size_component_and_id_limits() {
    let dir = temp("limits");
    let text = "blastmap: 1\ncomponents:\n  a: {}\n  b: {depends_on: [a]}\n  c: {}\n";
    std::fs::write(dir.join("small.yaml"), text).unwrap();
    let mut options = LoadOptions::default();
    options.limits.max_file_size = 10;
    assert_eq!(codes(&load(&[dir.join("small.yaml")], &options)), [Code::FileTooLarge]);
    let mut options = LoadOptions::default();
    options.limits.max_components = 2;
    assert_eq!(codes(&load(&[dir.join("small.yaml")], &options)), [Code::TooManyComponents]);
    let long = "x".repeat(257);
    std::fs::write(dir.join("long-id.yaml"), format!("blastmap: 1\ncomponents:\n  {long}: {{}}\n")).unwrap();
    assert_eq!(codes(&load_one(&dir.join("long-id.yaml"))), [Code::InvalidId]);
    let ok = "x".repeat(256);
    std::fs::write(dir.join("ok-id.yaml"), format!("blastmap: 1\ncomponents:\n  {ok}: {{}}\n")).unwrap();
    assert_eq!(codes(&load_one(&dir.join("ok-id.yaml"))), []);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_importer_inputs_end_quickly_with_warnings() {
    let dir = temp("importers");
    // Two thousand Kubernetes documents (10 000 are measured in SECURITY.md:
    // too slow for a debug test build).
    let mut docs = Vec::new();
    for i in 0..1_000 {
        docs.push(format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n    spec: {{containers: [{{name: c, image: x, env: [{{name: A, value: 'http://s{}:80'}}]}}]}}\n",
            (i + 1) % 1_000
        ));
        docs.push(format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec: {{selector: {{app: d{i}}}}}\n"
        ));
    }
    std::fs::write(dir.join("k8s.yaml"), docs.join("---\n")).unwrap();
    let loaded = load_one(&dir.join("k8s.yaml"));
    assert!(!loaded.has_errors(), "{:?}", codes(&loaded));
    assert_eq!(loaded.model.len(), 1_000);
    // An `.env` whose every line doubles the one before (2^64 bytes).
    let compose = temp("compose-env");
    let mut env = String::from("V0=xxxxxxxxxxxxxxxx\n");
    for i in 1..64 {
        env.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    std::fs::write(compose.join(".env"), env).unwrap();
    std::fs::write(
        compose.join("compose.yaml"),
        "services:\n  a:\n    image: x\n    environment: {X: \"${V63}\"}\n",
    )
    .unwrap();
    let loaded = load_one(&compose.join("compose.yaml"));
    assert!(codes(&loaded).contains(&Code::UnsupportedConstruct), "{:?}", codes(&loaded));
    // Defaults nested 10 000 deep (each level used to recurse).
    let deep = format!("{}x{}", "${A:-".repeat(10_000), "}".repeat(10_000));
    std::fs::write(
        compose.join("compose.yaml"),
        format!("services:\n  a:\n    image: x\n    environment: {{X: \"{deep}\"}}\n"),
    )
    .unwrap();
    let loaded = load_one(&compose.join("compose.yaml"));
    assert!(codes(&loaded).contains(&Code::UnsupportedConstruct), "{:?}", codes(&loaded));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&compose);
}
