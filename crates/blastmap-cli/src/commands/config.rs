//! `blastmap.toml`: defaults for a repository, so that `blastmap check` with
//! no arguments does what the team agreed on.
//!
//! Found by walking up from the working directory (the first
//! `blastmap.toml`); `--config FILE` or `BLASTMAP_CONFIG` names one instead,
//! `--no-config` or `BLASTMAP_NO_CONFIG=1` reads none. Precedence: a flag on
//! the command line, then the environment, then the file, then the built-in
//! defaults. Paths in the file are relative to the file's directory.
//!
//! ```toml
//! paths = ["inventory/"]            # the inventory of every command
//! [check]
//! policy = "inventory/policy.yaml"
//! baseline = "git:origin/main:inventory/"
//! format = "sarif"
//! [report]
//! format = "html"
//! ```

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::ValueEnum;
use clap::parser::ValueSource;

use crate::cli::{CheckFormat, Cli, Command, InputArgs, ReportFormat};
use crate::error::CliError;

/// The name looked for in the working directory and above.
pub(crate) const FILE_NAME: &str = "blastmap.toml";

/// What a `blastmap.toml` sets.
#[derive(Debug, Default)]
struct Config {
    paths: Vec<PathBuf>,
    check_policy: Option<PathBuf>,
    check_baseline: Vec<String>,
    check_format: Option<CheckFormat>,
    report_format: Option<ReportFormat>,
}

/// Applies the configuration file (if any) to what the command line left
/// at its defaults; returns the file used, for the note on standard error.
pub(crate) fn apply(cli: &mut Cli, matches: &ArgMatches) -> Result<Option<PathBuf>, CliError> {
    let off = |v: Option<std::ffi::OsString>| v.is_some_and(|v| !v.is_empty() && v != "0");
    if cli.no_config || off(std::env::var_os("BLASTMAP_NO_CONFIG")) {
        return Ok(None);
    }
    let named = cli.config.clone().or_else(|| std::env::var_os("BLASTMAP_CONFIG").map(PathBuf::from));
    let file = match named {
        Some(file) => file,
        None => match discover() {
            Some(file) => file,
            None => return Ok(None),
        },
    };
    let config = read(&file)?;
    let Some((_, sub)) = matches.subcommand() else { return Ok(Some(file)) };
    let given = |id: &str| sub.value_source(id).is_some_and(|s| s != ValueSource::DefaultValue);
    let set_paths = |input: &mut InputArgs| {
        if !given("paths") && !config.paths.is_empty() {
            input.paths.clone_from(&config.paths);
        }
    };
    match &mut cli.command {
        Command::Check(args) => {
            set_paths(&mut args.input);
            if !given("policy") && args.policy.is_none() {
                args.policy.clone_from(&config.check_policy);
            }
            if !given("baseline") && args.baseline.is_empty() {
                args.baseline.clone_from(&config.check_baseline);
            }
            if let (false, Some(format)) = (given("format"), config.check_format) {
                args.format = format;
            }
        }
        Command::Report(args) => {
            set_paths(&mut args.input);
            if let (false, Some(format)) = (given("format"), config.report_format) {
                args.format = format;
            }
        }
        Command::Validate(args) => set_paths(&mut args.input),
        Command::Simulate(args) => set_paths(&mut args.input),
        Command::Graph(args) => set_paths(&mut args.input),
        Command::Drill(args) => set_paths(&mut args.input),
        Command::Runbook(args) => set_paths(&mut args.input),
        Command::Verify(args) => set_paths(&mut args.input),
        Command::Import(_)
        | Command::Schema(_)
        | Command::Diff(_)
        | Command::Completions(_)
        | Command::Man(_) => {}
    }
    Ok(Some(file))
}

/// The first `blastmap.toml` in the working directory or above.
fn discover() -> Option<PathBuf> {
    let start = std::env::current_dir().ok()?;
    start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|f| f.is_file())
}

fn read(file: &Path) -> Result<Config, CliError> {
    let shown = file.display().to_string();
    let invalid = |text: &str, at: usize, message: String| {
        let before = text.get(..at).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        CliError::InvalidConfig { file: shown.clone(), line, column, message }
    };
    let text = std::fs::read_to_string(file).map_err(|e| CliError::InvalidConfig {
        file: shown.clone(),
        line: 1,
        column: 1,
        message: e.to_string(),
    })?;
    let root = toml_span::parse(&text).map_err(|e| invalid(&text, e.span.start, e.to_string()))?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: &str| if base.as_os_str().is_empty() { PathBuf::from(p) } else { base.join(p) };
    let mut config = Config::default();
    let Some(table) = root.as_table() else {
        return Err(invalid(&text, 0, "expected a table of settings".to_owned()));
    };
    for (key, value) in table {
        let at = key.span.start;
        match &*key.name {
            "paths" => config.paths = strings(&text, value, &invalid)?.iter().map(|p| resolve(p)).collect(),
            "check" | "report" => {
                let section = key.name.to_string();
                let Some(inner) = value.as_table() else {
                    return Err(invalid(&text, at, format!("`{section}` is a table: `[{section}]`")));
                };
                for (k, v) in inner {
                    let at = k.span.start;
                    match (section.as_str(), &*k.name) {
                        ("check", "policy") => {
                            config.check_policy = Some(resolve(&string(&text, v, &invalid)?));
                        }
                        ("check", "baseline") => {
                            config.check_baseline = strings(&text, v, &invalid)?;
                        }
                        ("check", "format") => {
                            config.check_format = Some(format(&text, v, at, "check", &invalid)?);
                        }
                        ("report", "format") => {
                            config.report_format = Some(format(&text, v, at, "report", &invalid)?);
                        }
                        (_, other) => {
                            return Err(invalid(
                                &text,
                                at,
                                format!("unknown key `{other}` in `[{section}]`"),
                            ));
                        }
                    }
                }
            }
            other => return Err(invalid(&text, at, format!("unknown key `{other}`"))),
        }
    }
    // The file sits in the checked-out tree, which a pull request controls:
    // what it names must stay inside its directory (no absolute path, no
    // `..`, no link that leads out), or a planted `blastmap.toml` could
    // make blastmap read, and quote in diagnostics, files outside it.
    let inside = std::fs::canonicalize(if base.as_os_str().is_empty() { Path::new(".") } else { &base }).ok();
    let named = config.paths.iter().chain(config.check_policy.iter());
    for path in named {
        let relative = path.strip_prefix(&base).unwrap_or(path);
        let leaves = relative.is_absolute()
            || relative.components().any(|c| matches!(c, std::path::Component::ParentDir))
            || std::fs::canonicalize(path)
                .ok()
                .zip(inside.as_ref())
                .is_some_and(|(real, root)| !real.starts_with(root));
        if leaves {
            return Err(CliError::InvalidConfig {
                file: shown.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "`{}` is outside the directory of the file: paths in blastmap.toml stay inside it",
                    relative.display()
                ),
            });
        }
    }
    Ok(config)
}

type Invalid<'a> = dyn Fn(&str, usize, String) -> CliError + 'a;

fn string(text: &str, value: &toml_span::Value<'_>, invalid: &Invalid<'_>) -> Result<String, CliError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid(text, value.span.start, "expected a string".to_owned()))
}

/// A format of `command`, by the name its `--format` takes.
fn format<F: ValueEnum>(
    text: &str,
    value: &toml_span::Value<'_>,
    at: usize,
    command: &str,
    invalid: &Invalid<'_>,
) -> Result<F, CliError> {
    let name = string(text, value, invalid)?;
    F::from_str(&name, false)
        .map_err(|_| invalid(text, at, format!("`{name}` is not a format of `{command}`")))
}

/// A string or a list of strings.
fn strings(text: &str, value: &toml_span::Value<'_>, invalid: &Invalid<'_>) -> Result<Vec<String>, CliError> {
    if let Some(s) = value.as_str() {
        return Ok(vec![s.to_owned()]);
    }
    let list = value.as_array().ok_or_else(|| {
        invalid(text, value.span.start, "expected a string or a list of strings".to_owned())
    })?;
    list.iter().map(|v| string(text, v, invalid)).collect()
}
