//! One module per command; `run` dispatches. A command returns how it
//! ended, or the [`CliError`] that stopped it, for `main` to print once.

mod check;
mod criticality;
mod diff;
mod git;
mod graph;
mod graphviz;
mod import;
mod report;
mod schema;
mod simulate;
mod validate;

use std::io::IsTerminal;
use std::process::ExitCode;

use blastmap_analysis::progress::Progress;
use blastmap_manifest::{Diagnostic, Limits, LoadOptions, Loaded};

use crate::cli::{Cli, ColorChoice, Command, DiagnosticsFormat, InputArgs};
use crate::error::CliError;
use crate::output::{OutputError, eprint};
use crate::progress;
use crate::render;

/// What a command returns: how it ended, or why it could not do its work.
pub(crate) type Ended = Result<Outcome, CliError>;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: findings at deny level (`check`), or a `diff --fail-on` condition.
    Findings,
    /// Exit 2: invalid input already reported on standard output (the JSON
    /// diagnostics of `--format json`), or a [`CliError`] printed by `main`.
    Invalid,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(match o {
            Outcome::Success => 0,
            Outcome::Findings => 1,
            Outcome::Invalid => 2,
        })
    }
}

/// Settings every command shares.
pub(crate) struct Context {
    pub verbose: bool,
    /// Colours on standard error.
    pub color_stderr: bool,
    /// Width for wrapped text.
    pub width: usize,
}

pub(crate) fn run(cli: &Cli) -> Ended {
    let ctx = Context::new(cli);
    match &cli.command {
        Command::Validate(args) => validate::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Simulate(args) => simulate::run(&ctx, args),
        Command::Schema(args) => schema::run(args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
    }
}

impl Context {
    fn new(cli: &Cli) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = |tty: bool| match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let width =
            std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100usize).clamp(40, 200);
        Self { verbose: cli.verbose, color_stderr: color(std::io::stderr().is_terminal()), width }
    }

    /// Prints human diagnostics to standard error.
    pub(crate) fn print_diagnostics(&self, diagnostics: &[Diagnostic]) {
        if !diagnostics.is_empty() {
            eprint(&render::diagnostics::human(diagnostics, self.color_stderr, self.width));
        }
    }
}

/// Ends a command whose output failed to write: a closed pipe is success.
pub(crate) fn output_failed(e: OutputError) -> Ended {
    match e {
        OutputError::BrokenPipe => Ok(Outcome::Success),
        OutputError::Failed(e) => Err(e),
    }
}

/// Ends a command after writing its output: `outcome` when it was written.
pub(crate) fn written(result: Result<(), OutputError>, outcome: Outcome) -> Ended {
    match result {
        Ok(()) => Ok(outcome),
        Err(e) => output_failed(e),
    }
}

/// Loads the inventory named by `input`, printing `--verbose` notes, with
/// progress shown the way `mode` says (large inventories take seconds to
/// parse). Notes are printed after the progress is cleared.
pub(crate) fn load_watched(ctx: &Context, input: &InputArgs, mode: progress::Mode) -> Loaded {
    let options = load_options(input);
    let loaded = progress::watch(mode, "loading", &Progress::new(), || {
        blastmap_manifest::load(&input.paths, &options)
    });
    crate::output::note_inputs(&loaded.files);
    if ctx.verbose {
        for note in &loaded.notes {
            eprint(&format!("note: {}\n", blastmap_manifest::source::printable(note)));
        }
    }
    loaded
}

/// The loader's options from the command line.
pub(crate) fn load_options(input: &InputArgs) -> LoadOptions {
    LoadOptions {
        limits: Limits {
            max_file_size: input.max_file_size,
            max_components: input.max_components,
            ..Limits::default()
        },
        from: input.from.map(Into::into),
    }
}

/// Loads and, when the inventory is invalid, reports it the way `format`
/// asks: the diagnostics on standard error and the error to return
/// (`Err(Err(..))`), or JSON on standard output (`Err(Ok(Outcome::Invalid))`).
/// Warnings are printed and loading goes on.
pub(crate) fn load_valid(
    ctx: &Context,
    input: &InputArgs,
    format: DiagnosticsFormat,
) -> Result<Loaded, Ended> {
    load_valid_watched(ctx, input, format, progress::Mode::Off)
}

/// [`load_valid`] with progress shown the way `mode` says.
pub(crate) fn load_valid_watched(
    ctx: &Context,
    input: &InputArgs,
    format: DiagnosticsFormat,
    mode: progress::Mode,
) -> Result<Loaded, Ended> {
    let loaded = load_watched(ctx, input, mode);
    if loaded.has_errors() {
        return Err(match format {
            DiagnosticsFormat::Human => {
                ctx.print_diagnostics(&loaded.diagnostics);
                let (errors, warnings) = counts(&loaded);
                Err(CliError::InvalidInventory { errors, warnings })
            }
            DiagnosticsFormat::Json => {
                let _ =
                    crate::output::write_stdout(render::diagnostics::json(&loaded.diagnostics).as_bytes());
                Ok(Outcome::Invalid)
            }
        });
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    Ok(loaded)
}

/// The errors and warnings of a load, for the summary line of an invalid one.
pub(crate) fn counts(loaded: &Loaded) -> (usize, usize) {
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, loaded.diagnostics.len() - errors)
}
