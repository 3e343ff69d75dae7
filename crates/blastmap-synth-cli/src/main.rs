//! `blastmap-synth`: writes a realistic, layered synthetic inventory to
//! standard output, for benchmarks and scale tests (`BENCHMARKS.md`). The same
//! arguments give the same bytes; the generator itself is the
//! `blastmap-synth` library, which the benchmarks call in-process.

use std::io::Write as _;
use std::process::ExitCode;

use blastmap_synth::{Config, Format as Syntax, generate};
use clap::{Parser, ValueEnum};

/// Write a synthetic blastmap inventory to standard output.
#[derive(Debug, Parser)]
#[command(name = "blastmap-synth", version)]
struct Args {
    /// Number of components (at least 20).
    #[arg(long, default_value_t = 1000)]
    components: usize,
    /// Number of requirements (dependency entries and placements).
    #[arg(long, default_value_t = 5000)]
    requirements: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every requirement a plain hard dependency (no soft, groups or placement groups).
    #[arg(long)]
    hard_only: bool,
    /// Output syntax.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let config = Config {
        components: args.components,
        requirements: args.requirements,
        seed: args.seed,
        hard_only: args.hard_only,
    };
    let syntax = match args.format {
        Format::Yaml => Syntax::Yaml,
        Format::Json => Syntax::Json,
    };
    let text = match generate(&config, syntax) {
        Ok(text) => text,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(std::io::stderr(), "error: cannot write: {e}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}
