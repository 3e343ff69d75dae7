//! The `blastmap` command: what breaks when something breaks.

mod cli;
mod commands;
mod output;
mod progress;
mod render;

use std::process::ExitCode;

use clap::Parser;

// Loading an inventory allocates a node per value and a string per id;
// mimalloc makes that (and freeing it) markedly cheaper than the system
// allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    commands::run(&cli).into()
}
