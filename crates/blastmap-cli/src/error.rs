//! Every way a command can fail before producing its result, as one type.
//!
//! Commands return a [`CliError`] up to `main`, which prints it once on
//! standard error (`error: MESSAGE`, then `  help: HELP` when there is one)
//! and exits 2. Diagnostics of an invalid inventory are printed by the
//! command as it loads (they are many, with snippets); the error is only the
//! closing summary line. Each variant is one kind of failure with a stable
//! code, listed in [`ALL`] for the documentation.

use std::fmt;

use crate::render::{plural, safe};
use crate::style::{Style, Tone};

/// Why a command could not do its work (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CliError {
    /// The inventory has errors (already printed above the summary).
    InvalidInventory { errors: usize, warnings: usize },
    /// The file of `check --policy` has errors.
    InvalidPolicyFile { errors: usize, warnings: usize },
    /// The inventory of `check --baseline` has errors.
    InvalidBaseline { errors: usize, warnings: usize },
    /// One side of `diff` has errors; `spec` as given on the command line.
    InvalidDiffSide { spec: String, errors: usize, warnings: usize },
    /// The file of `check --policy` has no `policy` section.
    PolicyFileWithoutPolicy { file: String },
    /// `--baseline` mixes paths and `git:` specs, or names several `git:` specs.
    MixedBaseline,
    /// `BLASTMAP_TODAY` is set but is not a date.
    InvalidToday { value: String },
    /// A `git:` spec without the `REV:PATH` part.
    NotGitSpec { spec: String },
    /// A `git:` spec whose revision is empty or looks like an option.
    NotGitRevision { rev: String },
    /// `git` could not be started.
    GitUnavailable { reason: String },
    /// `git` ran and failed.
    GitFailed { command: String, reason: String },
    /// `git` printed something that is not UTF-8.
    GitNotText { command: String },
    /// A `git:` spec names no manifest.
    NoManifestInGit { spec: String },
    /// Context for an error met while reading the `--baseline` inventory.
    Baseline(Box<CliError>),
    /// An id given on the command line names no component; the closest id
    /// when there is one.
    UnknownComponent { id: String, suggestion: Option<String> },
    /// Several errors found together (every unknown id of a command line),
    /// printed in order.
    Several(Vec<CliError>),
    /// A name in `report --analyses` is not an analysis.
    UnknownAnalysis { name: String, suggestion: Option<String>, names: String },
    /// A PNG would be written to a terminal.
    PngToTerminal,
    /// `--format svg|png` without Graphviz installed.
    GraphvizMissingForFormat { format: &'static str },
    /// `--diagram graphviz` without Graphviz installed.
    GraphvizMissingForDiagram,
    /// Graphviz `dot` ran (or was started) and failed; the reason is terminal-safe.
    GraphvizFailed { reason: String },
    /// `import -o FILE` without `--force` when FILE exists.
    OutputExists { path: String },
    /// The input of `import` has errors.
    ImportFailed { errors: usize },
    /// What `import` produced does not load (a bug in blastmap).
    ImportInvalid,
    /// `-o FILE` names one of the input files.
    OutputIsInput { path: String },
    /// `-o FILE` names a symlink, a device, a directory or anything else
    /// that is not a regular file: blastmap never replaces one.
    OutputNotRegular { path: String, what: &'static str },
    /// The output file could not be written.
    CannotWrite { path: String, reason: String },
    /// Standard output could not be written (other than a closed pipe).
    CannotWriteStdout { reason: String },
    /// Standard input (`-`) named more than once in a command line.
    StdinNamedTwice,
    /// An analysis would hold more (component, failure) pairs than
    /// `--max-pairs` to give what was asked (`--detail`, a `no-spof` gate,
    /// the SPOF changes of a diff).
    TooManyPairs { what: &'static str, pairs: Option<u64>, bound: u64 },
    /// The output would be larger than `--max-output` (`bytes` when known
    /// before anything was written; `None` when a stream reached the bound).
    OutputTooLarge { bytes: Option<u64>, at_least: bool, bound: u64 },
    /// `blastmap.toml` (or `--config FILE`) cannot be used: where and why.
    InvalidConfig { file: String, line: usize, column: usize, message: String },
    /// `drill --fail` of a scenario that takes entrypoints down, without
    /// `--allow-outage`.
    DrillOutage { scenario: String, entrypoints: String },
    /// Several outputs (Chaos Toolkit experiments, runbooks) need `-o DIR`.
    NeedsOutputDir { count: usize, what: &'static str },
    /// The file of `verify --observed` or `--drill` cannot be used: where
    /// (line and column, 0 when unknown) and why.
    InvalidDrillFile { file: String, line: usize, column: usize, message: String, help: &'static str },
}

/// Every error code with a one-line description, in the order of the enum.
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "read by the tests and the generated table of docs/diagnostics.md")
)]
pub(crate) const ALL: &[(&str, &str)] = &[
    ("invalid-inventory", "the inventory has errors (printed above the summary line)"),
    ("invalid-policy-file", "the file given to `check --policy` has errors"),
    ("invalid-baseline", "the inventory given to `check --baseline` has errors"),
    ("invalid-diff-side", "one of the two inventories given to `diff` has errors"),
    ("policy-file-without-policy", "the file given to `check --policy` has no `policy` section"),
    ("mixed-baseline", "`--baseline` takes either paths or one `git:REV:PATH`, not both"),
    ("invalid-today", "`BLASTMAP_TODAY` is set but is not a `YYYY-MM-DD` date"),
    ("not-git-spec", "a `git:` argument is not of the form `git:REV:PATH`"),
    ("not-git-revision", "the revision of a `git:REV:PATH` argument is empty or starts with `-`"),
    ("git-unavailable", "the `git` program could not be run"),
    ("git-failed", "a `git` command failed (unknown revision or path, not a repository, ...)"),
    ("git-not-text", "`git` printed a file that is not UTF-8 text"),
    ("no-manifest-in-git", "a `git:REV:PATH` argument names no manifest file"),
    ("unknown-component", "an id given with `--fail` or `--focus` names no component"),
    ("unknown-analysis", "a name given to `report --analyses` is not an analysis"),
    ("png-to-terminal", "a PNG image would be written to a terminal (use `-o FILE`)"),
    ("graphviz-missing", "`--format svg|png` needs the Graphviz `dot` program, which is not on PATH"),
    (
        "graphviz-missing-for-diagram",
        "`--diagram graphviz` needs the Graphviz `dot` program, which is not on PATH",
    ),
    ("graphviz-failed", "the Graphviz `dot` program failed or could not be run"),
    ("output-exists", "`import -o FILE` refuses to overwrite an existing file without `--force`"),
    ("import-failed", "the files given to `import` have errors; nothing was imported"),
    ("import-invalid", "the manifest `import` produced does not validate (a bug in blastmap)"),
    ("output-is-input", "`-o FILE` names one of the input files"),
    (
        "output-not-a-file",
        "`-o FILE` names a symlink, device, directory or other non-regular file, which blastmap never replaces",
    ),
    ("cannot-write", "the output file could not be written"),
    ("cannot-write-stdout", "standard output could not be written"),
    ("stdin-named-twice", "standard input (`-`) is named more than once; it can be read once"),
    (
        "too-many-pairs",
        "what was asked needs more (component, failure) pairs than `--max-pairs` allows; nothing was written",
    ),
    (
        "output-too-large",
        "the output would be larger than `--max-output`; no file is written (a stream to standard output stops there)",
    ),
    (
        "invalid-config",
        "`blastmap.toml` (or the file of `--config`) cannot be read or has an unknown key or value",
    ),
    (
        "drill-outage",
        "`drill --fail` names a scenario predicted to take an entrypoint down; `--allow-outage` plans it anyway",
    ),
    ("needs-output-dir", "several files (Chaos Toolkit experiments, runbooks) need `-o DIR`"),
    (
        "invalid-drill-file",
        "the file given to `verify --observed` or `--drill` is not JSON of a known kind, names unknown components, or shows a drill that did not run",
    ),
];

impl CliError {
    /// The stable code of this kind of failure (see [`ALL`]). A
    /// [`CliError::Baseline`] has the code of the error it wraps.
    #[cfg_attr(
        not(test),
        allow(dead_code, reason = "codes are documented, not printed: stderr stays as it was")
    )]
    pub(crate) fn code(&self) -> &'static str {
        match self {
            CliError::InvalidInventory { .. } => "invalid-inventory",
            CliError::InvalidPolicyFile { .. } => "invalid-policy-file",
            CliError::InvalidBaseline { .. } => "invalid-baseline",
            CliError::InvalidDiffSide { .. } => "invalid-diff-side",
            CliError::PolicyFileWithoutPolicy { .. } => "policy-file-without-policy",
            CliError::MixedBaseline => "mixed-baseline",
            CliError::InvalidToday { .. } => "invalid-today",
            CliError::NotGitSpec { .. } => "not-git-spec",
            CliError::NotGitRevision { .. } => "not-git-revision",
            CliError::GitUnavailable { .. } => "git-unavailable",
            CliError::GitFailed { .. } => "git-failed",
            CliError::GitNotText { .. } => "git-not-text",
            CliError::NoManifestInGit { .. } => "no-manifest-in-git",
            CliError::Baseline(inner) => inner.code(),
            CliError::UnknownComponent { .. } => "unknown-component",
            CliError::Several(all) => all.first().map_or("unknown-component", CliError::code),
            CliError::UnknownAnalysis { .. } => "unknown-analysis",
            CliError::PngToTerminal => "png-to-terminal",
            CliError::GraphvizMissingForFormat { .. } => "graphviz-missing",
            CliError::GraphvizMissingForDiagram => "graphviz-missing-for-diagram",
            CliError::GraphvizFailed { .. } => "graphviz-failed",
            CliError::OutputExists { .. } => "output-exists",
            CliError::ImportFailed { .. } => "import-failed",
            CliError::ImportInvalid => "import-invalid",
            CliError::OutputIsInput { .. } => "output-is-input",
            CliError::OutputNotRegular { .. } => "output-not-a-file",
            CliError::CannotWrite { .. } => "cannot-write",
            CliError::CannotWriteStdout { .. } => "cannot-write-stdout",
            CliError::StdinNamedTwice => "stdin-named-twice",
            CliError::TooManyPairs { .. } => "too-many-pairs",
            CliError::OutputTooLarge { .. } => "output-too-large",
            CliError::InvalidConfig { .. } => "invalid-config",
            CliError::DrillOutage { .. } => "drill-outage",
            CliError::NeedsOutputDir { .. } => "needs-output-dir",
            CliError::InvalidDrillFile { .. } => "invalid-drill-file",
        }
    }

    /// What to do about it, when there is something to say.
    pub(crate) fn help(&self) -> Option<&'static str> {
        match self {
            CliError::PngToTerminal => Some("use `-o FILE`, or redirect standard output"),
            CliError::GraphvizMissingForFormat { .. } => Some(
                "install Graphviz (`apt-get install graphviz`, `brew install graphviz`) or use `--format dot`",
            ),
            CliError::GraphvizMissingForDiagram => Some(
                "install Graphviz (`apt-get install graphviz`, `brew install graphviz`) or use `--diagram builtin`",
            ),
            CliError::Baseline(inner) => inner.help(),
            CliError::StdinNamedTwice => {
                Some("name `-` once; save the other input to a file and name that file")
            }
            CliError::OutputNotRegular { .. } => {
                Some("write to a regular file (or a new name), or use `-o -` for standard output")
            }
            CliError::TooManyPairs { .. } => Some(
                "`report` keeps every list's count and first 100 ids, and `report --detail` streams them whole; \
                 here, narrow the inventory or raise `--max-pairs` (memory grows by 4 bytes a pair)",
            ),
            CliError::OutputTooLarge { .. } => {
                Some("drop `--detail`, narrow the inventory or `--analyses`, or raise `--max-output`")
            }
            CliError::InvalidConfig { .. } => Some(
                "fix the file (its keys: `paths`, and `[check]` `policy`, `baseline`, `format`, `[report]` `format`), \
                 or run with `--no-config`",
            ),
            CliError::DrillOutage { .. } => Some(
                "a drill of it is an outage for users: pass `--allow-outage` to plan it anyway, or drill a narrower failure",
            ),
            CliError::NeedsOutputDir { .. } => Some("pass `-o DIR`: one file is written per item"),
            CliError::InvalidDrillFile { help, .. } => Some(help),
            _ => None,
        }
    }

    /// The message (one line, terminal-safe), without `error:`.
    fn message(&self) -> String {
        let invalid = |what: &str, errors: usize, warnings: usize| {
            let warnings =
                if warnings > 0 { format!(" and {}", plural(warnings, "warning")) } else { String::new() };
            format!("{what} is invalid: {}{warnings}", plural(errors, "error"))
        };
        match self {
            CliError::InvalidInventory { errors, warnings } => invalid("the inventory", *errors, *warnings),
            CliError::InvalidPolicyFile { errors, warnings } => {
                invalid("the policy file", *errors, *warnings)
            }
            CliError::InvalidBaseline { errors, warnings } => invalid("the baseline", *errors, *warnings),
            CliError::InvalidDiffSide { spec, errors, warnings } => {
                invalid(&format!("`{}`", safe(spec)), *errors, *warnings)
            }
            CliError::PolicyFileWithoutPolicy { file } => {
                format!(
                    "`{}` has no `policy` section; a policy file is `blastmap: 1` with `policy:`",
                    safe(file)
                )
            }
            CliError::MixedBaseline => {
                "`--baseline` takes either paths or one `git:REV:PATH`, not both".to_owned()
            }
            CliError::InvalidToday { value } => {
                format!("`BLASTMAP_TODAY={}` is not a date; write it as `2027-03-31`", safe(value))
            }
            // The git messages quote command-line text: made safe as a whole.
            CliError::NotGitSpec { spec } => {
                safe(&format!("`{spec}` is not `git:REV:PATH` (for example `git:origin/main:inventory`)"))
            }
            CliError::NotGitRevision { rev } => safe(&format!("`{rev}` is not a git revision")),
            CliError::GitUnavailable { reason } => {
                safe(&format!("cannot run `git`: {reason}; install git or pass a path instead of `git:`"))
            }
            CliError::GitFailed { command, reason } => safe(&format!("`git {command}` failed: {reason}")),
            CliError::GitNotText { command } => safe(&format!("`git {command}` did not print UTF-8 text")),
            CliError::NoManifestInGit { spec } => safe(&format!("no manifest found in `{spec}`")),
            CliError::Baseline(inner) => format!("baseline: {}", inner.message()),
            CliError::UnknownComponent { id, suggestion } => {
                let shown = blastmap_manifest::source::printable(id);
                match suggestion {
                    Some(s) => format!("unknown component `{shown}`; did you mean `{s}`?"),
                    None => format!("unknown component `{shown}`: no component has this id"),
                }
            }
            // Printed one by one by the `Display` impl.
            CliError::Several(all) => all.first().map(CliError::message).unwrap_or_default(),
            CliError::UnknownAnalysis { name, suggestion, names } => {
                let hint = suggestion
                    .as_ref()
                    .map_or_else(|| format!("the analyses are {names}"), |s| format!("did you mean `{s}`?"));
                format!("unknown analysis `{}`; {hint}", safe(name))
            }
            CliError::PngToTerminal => "refusing to write a PNG image to a terminal".to_owned(),
            CliError::GraphvizMissingForFormat { format } => {
                format!("`--format {format}` needs the Graphviz `dot` program, which is not on PATH")
            }
            CliError::GraphvizMissingForDiagram => {
                "`--diagram graphviz` needs the Graphviz `dot` program, which is not on PATH".to_owned()
            }
            CliError::GraphvizFailed { reason } => reason.clone(),
            CliError::OutputExists { path } => format!(
                "`{}` already exists; blastmap import never overwrites a file without `--force`",
                blastmap_manifest::source::printable(path)
            ),
            CliError::ImportFailed { errors } => {
                format!("nothing was imported: {}", plural(*errors, "error"))
            }
            CliError::ImportInvalid => {
                "the imported manifest does not validate (a bug in blastmap; please report it)".to_owned()
            }
            CliError::OutputIsInput { path } => format!(
                "refusing to write `{}`: it is one of the inputs",
                blastmap_manifest::source::printable(path)
            ),
            CliError::OutputNotRegular { path, what } => format!(
                "refusing to write `{}`: it is {what}, not a regular file",
                blastmap_manifest::source::printable(path)
            ),
            CliError::CannotWrite { path, reason } => format!("cannot write `{path}`: {reason}"),
            CliError::CannotWriteStdout { reason } => format!("cannot write to standard output: {reason}"),
            CliError::StdinNamedTwice => {
                "standard input (`-`) is named more than once; it can be read once".to_owned()
            }
            CliError::TooManyPairs { what, pairs, bound } => format!(
                "{what} would hold {} (component, failure) pairs, over the bound of {bound} (`--max-pairs`); nothing was written",
                pairs.map_or_else(|| "more".to_owned(), |p| p.to_string())
            ),
            CliError::OutputTooLarge { bytes: Some(bytes), at_least, bound } => format!(
                "the output would be {}{bytes} bytes, over the bound of {bound} bytes (`--max-output`); nothing was written",
                if *at_least { "at least " } else { "" }
            ),
            CliError::OutputTooLarge { bytes: None, bound, .. } => format!(
                "the output reached the bound of {bound} bytes (`--max-output`) and was stopped: \
                 an output file is not written; standard output has what came before"
            ),
            CliError::InvalidDrillFile { file, line: 0, message, .. } => {
                format!("{}: {}", crate::render::safe(file), crate::render::safe(message))
            }
            CliError::InvalidConfig { file, line, column, message }
            | CliError::InvalidDrillFile { file, line, column, message, .. } => {
                format!("{}:{line}:{column}: {}", crate::render::safe(file), crate::render::safe(message))
            }
            CliError::DrillOutage { scenario, entrypoints } => format!(
                "failing {} takes entrypoints down ({})",
                crate::render::safe(scenario),
                crate::render::safe(entrypoints)
            ),
            CliError::NeedsOutputDir { count: 0, what } => {
                format!("{what} are written one file each: standard output cannot hold them")
            }
            CliError::NeedsOutputDir { count, what } => {
                format!("{count} {what} to write: standard output and one file hold one")
            }
        }
    }
}

impl CliError {
    /// The error as [`Display`](fmt::Display) writes it, with the `error`
    /// and `help` words painted when `style` says so.
    pub(crate) fn painted(&self, style: Style) -> String {
        let text = self.to_string();
        if !style.is_on() {
            return text;
        }
        let mut out = String::with_capacity(text.len() + 32);
        for line in text.split_inclusive('\n') {
            if let Some(rest) = line.strip_prefix("error:") {
                out.push_str(&style.paint(Tone::Failed, "error"));
                out.push(':');
                out.push_str(rest);
            } else if let Some(rest) = line.strip_prefix("  help:") {
                out.push_str("  ");
                out.push_str(&style.paint(Tone::Pointer, "help:"));
                out.push_str(rest);
            } else {
                out.push_str(line);
            }
        }
        out
    }
}

impl fmt::Display for CliError {
    /// `error: MESSAGE` and `  help: HELP` lines, each ending in a newline,
    /// exactly as printed on standard error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let CliError::Several(all) = self {
            return all.iter().try_for_each(|e| write!(f, "{e}"));
        }
        writeln!(f, "error: {}", self.message())?;
        if let Some(help) = self.help() {
            writeln!(f, "  help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed_once_in_kebab_case() {
        let mut codes: Vec<&str> = ALL.iter().map(|(code, _)| *code).collect();
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')));
        codes.sort_unstable();
        let len = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), len);
        // One error of every kind: `ALL` documents exactly the codes that
        // `code()` gives, no more and no fewer.
        let s = String::new;
        let every = [
            CliError::InvalidInventory { errors: 1, warnings: 0 },
            CliError::InvalidPolicyFile { errors: 1, warnings: 0 },
            CliError::InvalidBaseline { errors: 1, warnings: 0 },
            CliError::InvalidDiffSide { spec: s(), errors: 1, warnings: 0 },
            CliError::PolicyFileWithoutPolicy { file: s() },
            CliError::MixedBaseline,
            CliError::InvalidToday { value: s() },
            CliError::NotGitSpec { spec: s() },
            CliError::NotGitRevision { rev: s() },
            CliError::GitUnavailable { reason: s() },
            CliError::GitFailed { command: s(), reason: s() },
            CliError::GitNotText { command: s() },
            CliError::NoManifestInGit { spec: s() },
            CliError::UnknownComponent { id: s(), suggestion: None },
            CliError::UnknownAnalysis { name: s(), suggestion: None, names: s() },
            CliError::PngToTerminal,
            CliError::GraphvizMissingForFormat { format: "svg" },
            CliError::GraphvizMissingForDiagram,
            CliError::GraphvizFailed { reason: s() },
            CliError::OutputExists { path: s() },
            CliError::ImportFailed { errors: 1 },
            CliError::ImportInvalid,
            CliError::OutputIsInput { path: s() },
            CliError::OutputNotRegular { path: s(), what: "a symlink" },
            CliError::CannotWrite { path: s(), reason: s() },
            CliError::CannotWriteStdout { reason: s() },
            CliError::StdinNamedTwice,
            CliError::TooManyPairs { what: "the report", pairs: Some(2), bound: 1 },
            CliError::OutputTooLarge { bytes: Some(2), at_least: false, bound: 1 },
            CliError::InvalidConfig { file: s(), line: 1, column: 1, message: s() },
            CliError::DrillOutage { scenario: s(), entrypoints: s() },
            CliError::NeedsOutputDir { count: 2, what: "experiments" },
            CliError::InvalidDrillFile { file: s(), line: 1, column: 1, message: s(), help: "" },
        ];
        let mut given: Vec<&str> = every.iter().map(CliError::code).collect();
        given.sort_unstable();
        given.dedup();
        assert_eq!(given, codes, "ALL and the codes of the variants differ");
    }

    #[test]
    fn messages_as_printed() {
        let e = CliError::InvalidInventory { errors: 3, warnings: 1 };
        assert_eq!(e.to_string(), "error: the inventory is invalid: 3 errors and 1 warning\n");
        assert_eq!(
            CliError::PngToTerminal.to_string(),
            "error: refusing to write a PNG image to a terminal\n  help: use `-o FILE`, or redirect standard output\n"
        );
        let e = CliError::Baseline(Box::new(CliError::NoManifestInGit { spec: "git:HEAD:x".into() }));
        assert_eq!(e.to_string(), "error: baseline: no manifest found in `git:HEAD:x`\n");
    }
}
