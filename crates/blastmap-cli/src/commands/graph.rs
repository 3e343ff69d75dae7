//! `blastmap graph`: the inventory as a diagram (DOT, SVG, PNG, Mermaid).

use std::io::IsTerminal;
use std::path::Path;

use blastmap_analysis::neighbourhood::{Reach, neighbourhood};
use blastmap_analysis::simulate::simulate;

use crate::cli::{self, DiagnosticsFormat, DiagramFormat, GraphArgs};
use crate::commands::graphviz::{self, GraphvizError, Image};
use crate::commands::simulate::resolve_ids;
use crate::commands::{Context, Ended, Outcome, load_valid, written};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render::diagram::{ClusterBy, Direction, OVERVIEW_ARROWS, Options, Scene, failure_note, scene};
use crate::render::{dot, mermaid, plural, safe};

impl From<cli::ClusterBy> for ClusterBy {
    fn from(by: cli::ClusterBy) -> Self {
        match by {
            cli::ClusterBy::System => ClusterBy::System,
            cli::ClusterBy::Owner => ClusterBy::Owner,
            cli::ClusterBy::Domain => ClusterBy::Domain,
            cli::ClusterBy::None => ClusterBy::None,
        }
    }
}

impl From<cli::Direction> for Direction {
    fn from(direction: cli::Direction) -> Self {
        match direction {
            cli::Direction::Lr => Direction::LeftToRight,
            cli::Direction::Tb => Direction::TopToBottom,
        }
    }
}

pub(crate) fn run(ctx: &Context, args: &GraphArgs) -> Ended {
    refuse_terminal(args.format, args.output.as_deref())?;
    let loaded = match load_valid(ctx, &args.input, DiagnosticsFormat::Text) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    // Every unknown id of both options is reported at once.
    let (focus, failed) = match (resolve_ids(model, &args.focus), resolve_ids(model, &args.fail)) {
        (Ok(focus), Ok(failed)) => (focus, failed),
        (Err(a), Err(b)) => {
            let mut all = Vec::new();
            for e in [a, b] {
                match e {
                    CliError::Several(list) => all.extend(list),
                    e => all.push(e),
                }
            }
            return Err(CliError::Several(all));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
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
    let options =
        Options { cluster_by: args.cluster_by.into(), direction: args.direction.into(), all: args.all };
    let mut scene = scene(model, &selected, sim.as_ref(), options, notes);
    scene.set_focus(&focus);
    if !scene.collapsed {
        scene.mark_hubs(&blast_radii(model));
    }
    emit(args.format, &scene, args.output.as_deref())
}

/// What the failure of each component alone takes down (by index).
pub(crate) fn blast_radii(model: &blastmap_manifest::Model) -> Vec<u32> {
    let net = blastmap_analysis::net::Net::new(model);
    let swept =
        blastmap_analysis::sweep::sweep(model, &net, &blastmap_analysis::sweep::SweepOptions::default());
    swept.radii.iter().map(|r| r.down).collect()
}

/// A PNG written to a terminal is garbage on screen: refuse before doing
/// any work.
pub(crate) fn refuse_terminal(format: DiagramFormat, output: Option<&Path>) -> Result<(), CliError> {
    if format == DiagramFormat::Png && output.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::PngToTerminal);
    }
    Ok(())
}

/// Arrows above which `dot` may take minutes (682 took 32 s, 1 947 over
/// two minutes): `graph` then says so before it waits.
const MANY_ARROWS: usize = 300;

/// This command line with `--all`: what draws the whole graph.
fn whole_graph_command() -> String {
    let mut words: Vec<String> = std::env::args().collect();
    if let Some(first) = words.first_mut() {
        "blastmap".clone_into(first);
    }
    if !words.iter().any(|w| w == "--all") {
        words.push("--all".to_owned());
    }
    let quoted: Vec<String> = words
        .iter()
        .map(|w| {
            if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c)) {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect();
    crate::render::safe(&quoted.join(" "))
}

/// Renders `scene` in `format` and writes it.
pub(crate) fn emit(format: DiagramFormat, scene: &Scene, path: Option<&Path>) -> Ended {
    let bytes = match format {
        DiagramFormat::Dot => dot::render(scene).into_bytes(),
        DiagramFormat::Mermaid => mermaid::render(scene).into_bytes(),
        DiagramFormat::Svg | DiagramFormat::Png => {
            let image = if format == DiagramFormat::Svg { Image::Svg } else { Image::Png };
            let folded;
            let scene = if scene.collapsed && scene.edges.len() > OVERVIEW_ARROWS {
                let (fitted, what) = crate::render::diagram::fold(scene, OVERVIEW_ARROWS, "the overview");
                eprint(&format!(
                    "note: the overview of {} boxes has {} arrows, which Graphviz takes minutes to lay out; \
                     drawn with {} ({}).\n  help: the whole graph (minutes): {}\n",
                    scene.nodes.len(),
                    scene.edges.len(),
                    fitted.edges.len(),
                    what.join("; "),
                    whole_graph_command()
                ));
                folded = fitted;
                &folded
            } else {
                scene
            };
            if scene.edges.len() > MANY_ARROWS {
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
                    return Err(CliError::GraphvizMissingForFormat { format: image.name() });
                }
                Err(GraphvizError::Failed(reason)) => return Err(CliError::GraphvizFailed { reason }),
                Err(GraphvizError::TimedOut) => {
                    return Err(CliError::GraphvizFailed { reason: "`dot` ran out of time".to_owned() });
                }
            }
        }
    };
    written(output::emit(path, &bytes), Outcome::Success)
}
