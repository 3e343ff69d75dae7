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
mod style;

use std::io::IsTerminal;
use std::process::ExitCode;

// Loading an inventory allocates a node per value and a string per id;
// mimalloc makes that (and freeing it) markedly cheaper than the system
// allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let parsed = <cli::Cli as clap::CommandFactory>::command()
        .try_get_matches()
        .and_then(|m| <cli::Cli as clap::FromArgMatches>::from_arg_matches(&m).map(|cli| (cli, m)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // `blastmap.toml`: defaults for what the command line left unset.
    let config = commands::config::apply(&mut cli, &matches);
    let err =
        style::Style::decide(cli.color, std::io::stderr().is_terminal(), &|name| std::env::var_os(name));
    match config {
        Ok(Some(file)) if !cli.quiet => {
            output::eprint(&format!("note: defaults from {}\n", render::safe(&file.display().to_string())));
        }
        Ok(_) => {}
        Err(e) => {
            output::eprint(&e.painted(err));
            return commands::Outcome::Invalid.into();
        }
    }
    match commands::run(&cli) {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            output::eprint(&e.painted(err));
            commands::Outcome::Invalid.into()
        }
    }
}
