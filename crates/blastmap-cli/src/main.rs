//! The `blastmap` command: what breaks when something breaks.
//!
//! Modules depend one way: `main` → `commands` → `render`. Only `commands`
//! (with `output` and `progress`) runs processes or reads the environment;
//! `render` turns results into text and nothing else.

#[cfg(test)]
mod catalogue;
mod cli;
mod commands;
mod error;
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
    match commands::run(&cli) {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            output::eprint(&e.to_string());
            commands::Outcome::Invalid.into()
        }
    }
}
