//! `blastmap simulate`: what-if for one failure set.

use blastmap_analysis::simulate::simulate;
use blastmap_manifest::ComponentId;

use crate::cli::{DiagnosticsFormat, SimulateArgs, SimulateFormat};
use crate::commands::{Context, Outcome, eprint, load_valid, output_failed};
use crate::output;
use crate::render;

pub(crate) fn run(ctx: &Context, args: &SimulateArgs) -> Outcome {
    let diagnostics_format =
        if args.format == SimulateFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Human };
    let Some(loaded) = load_valid(ctx, &args.input, diagnostics_format) else { return Outcome::Invalid };
    let model = &loaded.model;
    let Some(failed) = resolve_ids(model, &args.fail) else { return Outcome::Invalid };
    let simulation = simulate(model, &failed);
    let text = match args.format {
        SimulateFormat::Text => render::simulation::text(model, &simulation),
        SimulateFormat::Json => render::simulation::json(model, &simulation),
    };
    match output::emit(args.output.as_deref(), text.as_bytes()) {
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
    }
}

/// Resolves ids given on the command line; an unknown one is a usage error
/// with "did you mean".
pub(crate) fn resolve_ids(model: &blastmap_manifest::Model, ids: &[String]) -> Option<Vec<ComponentId>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut ok = true;
    for id in ids {
        if let Some(c) = model.find(id) {
            out.push(c);
        } else {
            {
                let shown = blastmap_manifest::source::printable(id);
                let hint = model.suggest(id).map_or_else(
                    || ": no component has this id".to_owned(),
                    |s| format!("; did you mean `{s}`?"),
                );
                eprint(&format!("error: unknown component `{shown}`{hint}\n"));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
