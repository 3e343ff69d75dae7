//! `blastmap simulate`: what-if for one failure set.

use blastmap_analysis::simulate::simulate;
use blastmap_manifest::ComponentId;

use crate::cli::{DiagnosticsFormat, DiagramFormat, SimulateArgs, SimulateFormat};
use crate::commands::{Context, Ended, Outcome, load_valid, written};
use crate::error::CliError;
use crate::output;
use crate::render;
use crate::render::diagram::{self, ClusterBy, Direction};

pub(crate) fn run(ctx: &Context, args: &SimulateArgs) -> Ended {
    let diagnostics_format =
        if args.format == SimulateFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    if args.format == SimulateFormat::Png {
        super::graph::refuse_terminal(DiagramFormat::Png, args.output.as_deref())?;
    }
    let loaded = match load_valid(ctx, &args.input, diagnostics_format) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    super::criticality::warn_if_nothing_critical(ctx, model);
    let failed = resolve_ids(model, &args.fail)?;
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
        let options = diagram::Options {
            cluster_by: ClusterBy::System,
            direction: Direction::LeftToRight,
            all: args.all,
        };
        let scene = diagram::scene(model, &selected, Some(&simulation), options, notes);
        return super::graph::emit(format, &scene, args.output.as_deref());
    }
    if args.format == SimulateFormat::Json {
        let json = |w: &mut dyn std::io::Write| render::simulation::write_json(model, &simulation, w);
        return written(output::emit_with(args.output.as_deref(), json), Outcome::Success);
    }
    let text = render::simulation::text(model, &simulation, ctx.out_style(args.output.as_deref()));
    written(output::emit(args.output.as_deref(), text.as_bytes()), Outcome::Success)
}

/// Resolves ids given on the command line; every unknown one is reported
/// (with "did you mean").
pub(crate) fn resolve_ids(
    model: &blastmap_manifest::Model,
    ids: &[String],
) -> Result<Vec<ComponentId>, CliError> {
    let mut out = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        match model.find(id) {
            Some(c) => out.push(c),
            None => unknown.push(CliError::UnknownComponent {
                id: id.clone(),
                suggestion: model.suggest(id).map(str::to_owned),
            }),
        }
    }
    match unknown.len() {
        0 => Ok(out),
        1 => Err(unknown.remove(0)),
        _ => Err(CliError::Several(unknown)),
    }
}
