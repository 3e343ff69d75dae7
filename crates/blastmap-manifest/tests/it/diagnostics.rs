//! Every diagnostic code, rendered as a person sees it (no colour, width 80).

use std::collections::BTreeSet;

use blastmap_manifest::{Code, Diagnostic, LoadOptions, Loaded, load};
use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::fixtures;

fn render(diagnostics: &[Diagnostic]) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(80);
    let mut out = String::new();
    for d in diagnostics {
        handler.render_report(&mut out, d).unwrap();
    }
    out
}

/// Loads with the repository root as working directory so file names in the
/// snapshots read `fixtures/invalid/...` whatever runs the tests.
fn load_fixture(relative: &str, options: &LoadOptions) -> Loaded {
    let root = fixtures().join("..");
    std::env::set_current_dir(&root).unwrap();
    load(&[relative], options)
}

fn invalid_fixtures() -> Vec<String> {
    fixture_names("invalid")
}

fn fixture_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_invalid_fixture_is_rejected_with_located_diagnostics() {
    let mut seen = BTreeSet::new();
    for name in invalid_fixtures() {
        let loaded = load_fixture(&format!("fixtures/invalid/{name}"), &LoadOptions::default());
        assert!(loaded.has_errors(), "{name} must be invalid");
        for d in &loaded.diagnostics {
            seen.insert(d.code);
            assert!(d.help.is_some(), "{name}: {} has no help", d.code);
            let (file, _) = d.position();
            assert!(file.is_some(), "{name}: {} names no file", d.code);
        }
        // A fixture is named after the code it shows.
        let stem = name.split('.').next().unwrap();
        if let Some(code) = Code::ALL.iter().find(|c| c.as_str() == stem) {
            assert!(loaded.diagnostics.iter().any(|d| d.code == *code), "{name} does not show `{code}`");
        }
        insta::assert_snapshot!(name.replace('.', "_"), render(&loaded.diagnostics));
    }
    // Importer warnings: `fixtures/warnings/<code>.yaml` loads (no error)
    // and shows its code as a warning.
    for name in fixture_names("warnings") {
        let loaded = load_fixture(&format!("fixtures/warnings/{name}"), &LoadOptions::default());
        assert!(!loaded.has_errors(), "{name} must load: {:?}", loaded.diagnostics);
        for d in &loaded.diagnostics {
            seen.insert(d.code);
            assert!(d.help.is_some(), "{name}: {} has no help", d.code);
            assert!(d.position().1.is_some(), "{name}: {} has no position", d.code);
        }
        let stem = name.split('.').next().unwrap();
        assert!(
            loaded.diagnostics.iter().any(|d| d.code.as_str() == stem && !d.is_error()),
            "{name} does not warn `{stem}`"
        );
        insta::assert_snapshot!(format!("warning_{}", name.replace('.', "_")), render(&loaded.diagnostics));
    }
    // The codes without a fixture are shown by the limit tests below.
    let by_options = [Code::Io, Code::FileTooLarge, Code::TooManyComponents];
    for code in Code::ALL {
        assert!(seen.contains(code) || by_options.contains(code), "no fixture shows `{code}`");
    }
}

#[test]
fn limits_and_missing_paths_are_diagnostics() {
    let missing = load_fixture("fixtures/no-such-inventory", &LoadOptions::default());
    assert_eq!(missing.diagnostics[0].code, Code::Io);
    insta::assert_snapshot!("io_error", render(&missing.diagnostics));

    let mut options = LoadOptions::default();
    options.limits.max_file_size = 16;
    let large = load_fixture("fixtures/valid/minimal.yaml", &options);
    assert_eq!(large.diagnostics[0].code, Code::FileTooLarge);
    insta::assert_snapshot!("file_too_large", render(&large.diagnostics));

    let mut options = LoadOptions::default();
    options.limits.max_components = 2;
    let many = load_fixture("fixtures/valid/quorum.yaml", &options);
    assert_eq!(many.diagnostics[0].code, Code::TooManyComponents);
    insta::assert_snapshot!("too_many_components", render(&many.diagnostics));
}

#[test]
fn codes_are_unique_kebab_case_and_catalogued() {
    let mut names = BTreeSet::new();
    let mut catalogue = String::new();
    for code in Code::ALL {
        let name = code.as_str();
        assert!(names.insert(name), "duplicate code `{name}`");
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "`{name}` is not kebab-case");
        catalogue.push_str(&format!("{name}: {}\n", code.description()));
    }
    insta::assert_snapshot!("catalogue", catalogue);
}

#[test]
fn all_problems_of_all_files_in_one_run() {
    let loaded = load_fixture("fixtures/invalid/many-errors.yaml", &LoadOptions::default());
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "unknown-kind",
            "unknown-target",
            "invalid-value",
            "percentage-out-of-range",
            "quorum-out-of-range",
            "unknown-key"
        ]
    );
    let both = load(
        &["fixtures/invalid/unknown-target.yaml", "fixtures/invalid/unknown-kind.yaml"],
        &LoadOptions::default(),
    );
    assert_eq!(both.diagnostics.len(), 2);
}

#[test]
fn positions_are_one_based() {
    let loaded = load_fixture("fixtures/invalid/unknown-target.yaml", &LoadOptions::default());
    let (file, position) = loaded.diagnostics[0].position();
    assert_eq!(file, Some("fixtures/invalid/unknown-target.yaml"));
    assert_eq!(position, Some((4, 18)));
    assert_eq!(loaded.diagnostics[0].help.as_deref(), Some("did you mean `payments`?"));
}
