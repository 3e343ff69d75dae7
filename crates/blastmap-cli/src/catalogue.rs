//! The catalogue of every code blastmap prints, as `docs/diagnostics.md`:
//! manifest and importer diagnostics, policy findings and command errors,
//! generated from the three lists in the code. A test keeps the file in
//! sync; `BLESS=1 cargo test -p blastmap-cli catalogue` rewrites it.

use std::fmt::Write as _;

use blastmap_analysis::policy::Code as Rule;
use blastmap_manifest::Code;

use crate::error;

/// The Markdown text of `docs/diagnostics.md`.
pub(crate) fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from the code by `BLESS=1 cargo test -p blastmap-cli catalogue`; \
         a test fails when this file and the code disagree. -->\n\n\
         Every code is stable: it is never renamed or reused.\n\n\
         ## Manifest and importer diagnostics\n\n\
         Printed by every command that reads an inventory, as `blastmap::CODE` in\n\
         text and as `code` in `--format json`. An error makes the inventory\n\
         invalid (exit code 2); a warning does not. Some codes are warnings when\n\
         an importer meets them (the part is left out) and errors in a native\n\
         manifest.\n\n\
         | code | severity | meaning |\n| --- | --- | --- |\n",
    );
    for &code in Code::ALL {
        let severities: Vec<&str> = code.severities().iter().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "| `{}` | {} | {} |", code.as_str(), severities.join(", "), code.description());
    }
    out.push_str(
        "\n## Policy findings\n\n\
         Printed by `blastmap check` (text, JSON, SARIF rule ids, JUnit, GitHub\n\
         annotations). The level (deny, warn, allow) comes from the policy; see\n\
         [semantics.md](semantics.md#policy).\n\n\
         | code | what it checks | what to do |\n| --- | --- | --- |\n",
    );
    for code in Rule::ALL {
        let _ = writeln!(out, "| `{}` | {} | {} |", code.as_str(), code.summary(), code.help());
    }
    out.push_str(
        "\n## Command errors\n\n\
         A command that cannot do its work prints one `error:` line (and a\n\
         `help:` line where there is something to do) and exits 2.\n\n\
         | code | meaning |\n| --- | --- |\n",
    );
    for (code, what) in error::ALL {
        let _ = writeln!(out, "| `{code}` | {what} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn catalogue_in_the_docs_is_the_one_in_the_code() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md");
        let expected = super::markdown();
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let written = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            written == expected,
            "docs/diagnostics.md is out of date: run `BLESS=1 cargo test -p blastmap-cli catalogue`"
        );
    }
}
