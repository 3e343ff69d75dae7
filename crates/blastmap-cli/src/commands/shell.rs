//! `blastmap completions SHELL` and `blastmap man`: what shells and `man`
//! need, generated from the same command-line definition the program
//! parses, so they never disagree with it.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::commands::{Ended, Outcome, written};
use crate::output;

pub(crate) fn completions(args: &CompletionsArgs) -> Ended {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "blastmap", &mut script);
    written(output::emit(args.output.as_deref(), &script), Outcome::Success)
}

pub(crate) fn man(args: &ManArgs) -> Ended {
    let command = Cli::command();
    let mut page = Vec::new();
    let rendered = clap_mangen::Man::new(command).render(&mut page);
    if let Err(e) = rendered {
        return Err(crate::error::CliError::CannotWriteStdout { reason: e.to_string() });
    }
    written(output::emit(args.output.as_deref(), &page), Outcome::Success)
}
