//! CLI cases as data: `tests/cmd/*.toml` at the repository root, each with
//! the exit code, standard output and standard error it must produce.
//! Regenerate after an intended change with `TRYCMD=overwrite`.

fn cases(pattern: &str) {
    // A fixed "today" so that policy exceptions expire the same way in
    // every run (`check` reads BLASTMAP_TODAY before the clock).
    trycmd::TestCases::new()
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .env("BLASTMAP_TODAY", "2026-05-01")
        .case(pattern);
}

#[test]
fn cli_cases() {
    cases("../../tests/cmd/*.toml");
}

/// Cases on real public files, read from the shared corpus beside the
/// repository (`tests/cmd-shared/`), skipped where it is absent.
#[test]
fn cli_cases_on_real_files() {
    if crate::shared("real-world").is_some() {
        cases("../../tests/cmd-shared/*.toml");
    }
}
