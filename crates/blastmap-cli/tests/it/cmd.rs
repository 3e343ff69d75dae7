//! CLI cases as data: `tests/cmd/*.toml` at the repository root, each with
//! the exit code, standard output and standard error it must produce.
//! Regenerate after an intended change with `TRYCMD=overwrite`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().env("COLUMNS", "100").env("NO_COLOR", "1").case("../../tests/cmd/*.toml");
}
