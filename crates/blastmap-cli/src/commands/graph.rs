//! `blastmap graph`: the inventory as a diagram (DOT, SVG, PNG, Mermaid).

use std::io::IsTerminal;
use std::path::Path;

use blastmap_analysis::neighbourhood::{Reach, neighbourhood};
use blastmap_analysis::simulate::simulate;

use crate::cli::{DiagnosticsFormat, DiagramFormat, GraphArgs};
use crate::commands::simulate::resolve_ids;
use crate::commands::{Context, Outcome, eprint, load_valid, output_failed};
use crate::output;
use crate::render::diagram::{Options, Scene, failure_note, scene};
use crate::render::graphviz::{GraphvizError, Image};
use crate::render::{dot, graphviz, mermaid, plural, safe};

pub(crate) fn run(ctx: &Context, args: &GraphArgs) -> Outcome {
    if refuses_terminal(args.format, args.output.as_deref()) {
        return Outcome::Invalid;
    }
    let Some(loaded) = load_valid(ctx, &args.input, DiagnosticsFormat::Human) else {
        return Outcome::Invalid;
    };
    let model = &loaded.model;
    let (Some(focus), Some(failed)) = (resolve_ids(model, &args.focus), resolve_ids(model, &args.fail))
    else {
        return Outcome::Invalid;
    };
    let sim = (!failed.is_empty()).then(|| simulate(model, &failed));
    let mut notes = Vec::new();
    let selected = if focus.is_empty() {
        vec![true; model.len()]
    } else {
        let selected = neighbourhood(model, &focus, Some(args.depth), Reach::Both);
        let names: Vec<String> = focus.iter().map(|&c| safe(&model.component(c).id)).collect();
        notes.push(format!(
            "neighbourhood of {} within {}: {} of {}",
            names.join(", "),
            plural(args.depth as usize, "step"),
            selected.iter().filter(|&&s| s).count(),
            plural(model.len(), "component")
        ));
        selected
    };
    if let Some(sim) = &sim {
        notes.push(failure_note(model, sim));
    }
    let options = Options { cluster_by: args.cluster_by, direction: args.direction, all: args.all };
    let scene = scene(model, &selected, sim.as_ref(), options, notes);
    emit(args.format, &scene, args.output.as_deref())
}

/// A PNG written to a terminal is garbage on screen: refuse before doing
/// any work.
pub(crate) fn refuses_terminal(format: DiagramFormat, output: Option<&Path>) -> bool {
    if format == DiagramFormat::Png && output.is_none() && std::io::stdout().is_terminal() {
        eprint(
            "error: refusing to write a PNG image to a terminal\n  help: use `-o FILE`, or redirect standard output\n",
        );
        return true;
    }
    false
}

/// Renders `scene` in `format` and writes it.
pub(crate) fn emit(format: DiagramFormat, scene: &Scene, path: Option<&Path>) -> Outcome {
    let bytes = match format {
        DiagramFormat::Dot => dot::render(scene).into_bytes(),
        DiagramFormat::Mermaid => mermaid::render(scene).into_bytes(),
        DiagramFormat::Svg | DiagramFormat::Png => {
            let image = if format == DiagramFormat::Svg { Image::Svg } else { Image::Png };
            if scene.edges.len() > crate::render::html::DENSE_EDGES {
                eprint(&format!(
                    "note: {} arrows between {} boxes: Graphviz may take minutes to lay this out\n  help: \
                     `--focus ID` draws the neighbourhood of a component\n",
                    scene.edges.len(),
                    scene.nodes.len()
                ));
            }
            match graphviz::render(&dot::render(scene), image) {
                Ok(bytes) => bytes,
                Err(GraphvizError::NotInstalled) => {
                    eprint(&format!(
                        "error: `--format {}` needs the Graphviz `dot` program, which is not on PATH\n  \
                         help: install Graphviz (`apt-get install graphviz`, `brew install graphviz`) or use \
                         `--format dot`\n",
                        image.name()
                    ));
                    return Outcome::Invalid;
                }
                Err(GraphvizError::Failed(message)) => {
                    eprint(&format!("error: {message}\n"));
                    return Outcome::Invalid;
                }
            }
        }
    };
    match output::emit(path, &bytes) {
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
    }
}
