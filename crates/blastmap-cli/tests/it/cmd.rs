//! CLI cases as data: `tests/cmd/*.toml` at the repository root, each with
//! the exit code, standard output and standard error it must produce.
//! Regenerate after an intended change with `TRYCMD=overwrite`.

#[test]
fn cli_cases() {
    // A fixed "today" so that policy exceptions expire the same way in
    // every run (`check` reads BLASTMAP_TODAY before the clock).
    trycmd::TestCases::new()
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .env("BLASTMAP_TODAY", "2026-05-01")
        .case("../../tests/cmd/*.toml");
}
