//! `blastmap diff BASE HEAD`: what changed in risk between two inventories.

use blastmap_analysis::diff::{Diff, diff};
use blastmap_manifest::{LoadOptions, Model};

use crate::cli::{DiffArgs, DiffFormat, FailOn};
use crate::commands::git::load_spec;
use crate::commands::{Context, Outcome, eprint, output_failed, summary_line};
use crate::output;
use crate::render::{self, safe};

pub(crate) fn run(ctx: &Context, args: &DiffArgs) -> Outcome {
    let options = LoadOptions::default();
    let Some(base) = load_side(ctx, &args.base, &options) else { return Outcome::Invalid };
    let Some(head) = load_side(ctx, &args.head, &options) else { return Outcome::Invalid };
    let result = diff(&base, &head);
    let text = match args.format {
        DiffFormat::Text => render::diff::text(&result, &args.base, &args.head, args.top),
        DiffFormat::Markdown => render::diff::markdown(&result, &args.base, &args.head, args.top),
        DiffFormat::Json => {
            render::diff::json(&result, &args.base, &args.head, &triggered(&result, &args.fail_on))
        }
    };
    let failed = !triggered(&result, &args.fail_on).is_empty();
    match output::emit(args.output.as_deref(), text.as_bytes()) {
        Ok(()) if failed => {
            let names: Vec<&str> =
                triggered(&result, &args.fail_on).into_iter().map(render::diff::fail_on_name).collect();
            eprint(&format!("diff failed: {}\n", names.join(", ")));
            Outcome::Findings
        }
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
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

fn load_side(ctx: &Context, spec: &str, options: &LoadOptions) -> Option<Model> {
    let loaded = match load_spec(spec, options) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprint(&format!("error: {}\n", safe(&message)));
            return None;
        }
    };
    if loaded.has_errors() {
        ctx.print_diagnostics(&loaded.diagnostics);
        eprint(&summary_line(&loaded).replace("the inventory", &format!("`{}`", safe(spec))));
        return None;
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    Some(loaded.model)
}
