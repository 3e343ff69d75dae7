//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// blastmap: what breaks when something breaks.
///
/// Reads a service inventory (services, datastores, queues, external
/// providers, zones and regions, and what each needs), simulates failures,
/// and reports blast radius, cascade paths, single points of failure,
/// illusory redundancy, availability ceilings and cold-start deadlocks.
///
/// Exit codes: 0 success, 1 findings at deny level, 2 invalid input or usage.
#[derive(Debug, Parser)]
#[command(name = "blastmap", version, max_term_width = 100)]
pub(crate) struct Cli {
    /// Say which files were skipped and why.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// When to use colours on the terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and validate an inventory; print every problem (exit 0 valid, 2 invalid).
    Validate(ValidateArgs),
    /// Print the JSON Schema of the native manifest (for editor completion).
    Schema(SchemaArgs),
}

/// Where the inventory is and how to read it.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Inventory files or directories (every manifest below a directory is merged).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Largest file read, in bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Most components in one inventory.
    #[arg(long, default_value_t = 5_000_000, value_name = "N")]
    pub max_components: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiagnosticsFormat {
    /// Diagnostics with snippets, for people.
    Human,
    /// `blastmap.diagnostics/v1` JSON, for tools.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
    pub format: DiagnosticsFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}
