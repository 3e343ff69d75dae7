//! `blastmap diff BASE HEAD`: what changed in risk between two inventories.

use blastmap_analysis::diff::{Diff, diff_within};
use blastmap_manifest::{LoadOptions, Model};

use crate::cli::{DiffArgs, DiffFormat, FailOn};
use crate::commands::git::load_spec;
use crate::commands::{Context, Ended, Outcome, counts, input_name, written};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render;

pub(crate) fn run(ctx: &Context, args: &DiffArgs) -> Ended {
    let options = LoadOptions::default();
    let base = load_side(ctx, &args.base, &options)?;
    let head = load_side(ctx, &args.head, &options)?;
    // New single points of failure can only be seen with something to protect.
    super::criticality::warn_if_nothing_critical(ctx, &head);
    let result = diff_within(&base, &head, args.max_pairs);
    if result.spofs_incomplete {
        let bound = args.max_pairs;
        let what = "listing the changed SPOFs";
        return Err(CliError::TooManyPairs { what, pairs: None, bound });
    }
    let (base_name, head_name) = (input_name(&args.base), input_name(&args.head));
    let names: Vec<&str> = triggered(&result, &args.fail_on).into_iter().map(fail_on_name).collect();
    let path = args.output.as_deref();
    let done = match args.format {
        DiffFormat::Text => output::emit(
            path,
            render::diff::text(&result, &base_name, &head_name, args.top, ctx.out_style(path)).as_bytes(),
        ),
        DiffFormat::Markdown => {
            output::emit(path, render::diff::markdown(&result, &base_name, &head_name, args.top).as_bytes())
        }
        DiffFormat::Json => {
            output::emit_with(path, |w| render::diff::write_json(&result, &base_name, &head_name, &names, w))
        }
    };
    match done {
        // Only once the result is written: a closed pipe stays a success.
        Ok(()) if !names.is_empty() => {
            eprint(&format!("diff failed: {}\n", names.join(", ")));
            Ok(Outcome::Findings)
        }
        result => written(result, Outcome::Success),
    }
}

/// The name of a `--fail-on` condition, as on the command line.
fn fail_on_name(f: FailOn) -> &'static str {
    match f {
        FailOn::NewSpof => "new-spof",
        FailOn::RadiusGrowth => "radius-growth",
        FailOn::NewCycle => "new-cycle",
        FailOn::AvailabilityDrop => "availability-drop",
    }
}

/// The `--fail-on` conditions that hold, sorted and unique.
fn triggered(d: &Diff, fail_on: &[FailOn]) -> Vec<FailOn> {
    let mut out: Vec<FailOn> = fail_on
        .iter()
        .copied()
        .filter(|f| match f {
            FailOn::NewSpof => !d.new_spofs.is_empty(),
            FailOn::RadiusGrowth => d.radius_changes.iter().any(|r| r.delta() > 0),
            FailOn::NewCycle => !d.new_cycles.is_empty(),
            FailOn::AvailabilityDrop => {
                d.availability_changes.iter().any(blastmap_analysis::diff::AvailabilityChange::dropped)
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn load_side(ctx: &Context, spec: &str, options: &LoadOptions) -> Result<Model, CliError> {
    let loaded = load_spec(spec, options)?;
    ctx.print_read(&loaded.read, &input_name(spec));
    if loaded.has_errors() {
        ctx.print_diagnostics(&loaded.diagnostics);
        let (errors, warnings) = counts(&loaded);
        return Err(CliError::InvalidDiffSide { spec: spec.to_owned(), errors, warnings });
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    Ok(loaded.model)
}
