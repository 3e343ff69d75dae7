//! `blastmap validate`: parse and validate only.

use crate::cli::{DiagnosticsFormat, ValidateArgs};
use crate::commands::{Context, Ended, Outcome, counts, load_watched, output_failed};
use crate::error::CliError;
use crate::output;
use crate::progress;
use crate::render::{self, plural};
use crate::style::Tone;

pub(crate) fn run(ctx: &Context, args: &ValidateArgs) -> Ended {
    let loaded = load_watched(ctx, &args.input, progress::Mode::detect(args.progress));
    let invalid = loaded.has_errors();
    let mut error = None;
    match args.format {
        DiagnosticsFormat::Json => {
            if let Err(e) = output::write_stdout(render::diagnostics::json(&loaded.diagnostics).as_bytes()) {
                return output_failed(e);
            }
        }
        DiagnosticsFormat::Text => {
            ctx.print_diagnostics(&loaded.diagnostics);
            if invalid {
                let (errors, warnings) = counts(&loaded);
                error = Some(CliError::InvalidInventory { errors, warnings });
            } else {
                let model = &loaded.model;
                let requirements: usize = model.components().map(|c| c.requirements.len()).sum();
                let files = loaded.files.len();
                let line = format!(
                    "{} {} with {} in {}{}\n",
                    ctx.out_style(None).paint(Tone::Good, "valid:"),
                    plural(model.len(), "component"),
                    plural(requirements, "requirement"),
                    plural(files, "file"),
                    if model.policy.is_some() { " (with a policy)" } else { "" },
                );
                if let Err(e) = output::write_stdout(line.as_bytes()) {
                    return output_failed(e);
                }
            }
        }
    }
    // The process ends right after: freeing a million components one
    // allocation at a time would take seconds for nothing.
    std::mem::forget(loaded);
    match error {
        Some(e) => Err(e),
        None if invalid => Ok(Outcome::Invalid),
        None => Ok(Outcome::Success),
    }
}
