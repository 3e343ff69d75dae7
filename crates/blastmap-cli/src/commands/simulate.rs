//! `blastmap simulate`: what-if for one failure set.

use blastmap_analysis::simulate::simulate;
use blastmap_manifest::ComponentId;

use crate::cli::{ClusterBy, DiagnosticsFormat, DiagramFormat, Direction, SimulateArgs, SimulateFormat};
use crate::commands::{Context, Outcome, eprint, load_valid, output_failed};
use crate::output;
use crate::render;
use crate::render::diagram;

pub(crate) fn run(ctx: &Context, args: &SimulateArgs) -> Outcome {
    let diagnostics_format =
        if args.format == SimulateFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Human };
    if args.format == SimulateFormat::Png
        && super::graph::refuses_terminal(DiagramFormat::Png, args.output.as_deref())
    {
        return Outcome::Invalid;
    }
    let Some(loaded) = load_valid(ctx, &args.input, diagnostics_format) else { return Outcome::Invalid };
    let model = &loaded.model;
    let Some(failed) = resolve_ids(model, &args.fail) else { return Outcome::Invalid };
    let simulation = simulate(model, &failed);
    let diagram = match args.format {
        SimulateFormat::Text | SimulateFormat::Json => None,
        SimulateFormat::Dot => Some(DiagramFormat::Dot),
        SimulateFormat::Svg => Some(DiagramFormat::Svg),
        SimulateFormat::Png => Some(DiagramFormat::Png),
        SimulateFormat::Mermaid => Some(DiagramFormat::Mermaid),
    };
    if let Some(format) = diagram {
        let selected = diagram::simulation_selection(model, &simulation);
        let notes = vec![diagram::failure_note(model, &simulation)];
        let options =
            diagram::Options { cluster_by: ClusterBy::System, direction: Direction::Lr, all: args.all };
        let scene = diagram::scene(model, &selected, Some(&simulation), options, notes);
        return super::graph::emit(format, &scene, args.output.as_deref());
    }
    let text = match args.format {
        SimulateFormat::Json => render::simulation::json(model, &simulation),
        _ => render::simulation::text(model, &simulation),
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
