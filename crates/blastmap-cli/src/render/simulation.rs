//! `simulate` output: text for people, `blastmap.simulation/v1` JSON.

use blastmap_analysis::simulate::{Simulation, State};
use blastmap_manifest::{ComponentId, Model};
use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::render::path::{Paths, describe, group_name, group_status};
use crate::render::{Each, Ids, Table, plural, safe, write_pretty};
use crate::style::{Style, Tone};

/// Failed components first, then down, then degraded; each by id; each
/// state in its colour when `style` paints.
pub(crate) fn text(model: &Model, sim: &Simulation, style: Style) -> String {
    let failed: Vec<String> = sim.failed().iter().map(|&f| safe(&model.component(f).id)).collect();
    let down = sim.affected().filter(|&c| sim.state(c) == State::Down && !sim.is_failed(c)).count();
    let degraded = sim.count(State::Degraded);
    let headline = format!(
        "Failing {} takes down {} and degrades {} (of {}).",
        failed.join(", "),
        plural(down, "component"),
        degraded,
        model.len()
    );
    let mut out = format!("{}\n\n", style.paint(Tone::Heading, &headline));
    let paths = Paths::new(model, sim);
    let mut table = Table::new(&["state", "component", "cascade path"]);
    for &f in sim.failed() {
        table.row(vec![style.state("failed"), safe(&model.component(f).id), String::new()]);
    }
    for state in [State::Down, State::Degraded] {
        for c in sim.affected().filter(|&c| sim.state(c) == state && !sim.is_failed(c)) {
            table.row(vec![
                style.state(state.as_str()),
                safe(&model.component(c).id),
                describe(model, sim, &paths, c),
            ]);
        }
    }
    out.push_str(&table.render());
    let reduced = reduced(model, sim);
    if !reduced.is_empty() {
        out.push_str(&format!("\n{}\n", style.paint(Tone::Heading, "Redundancy reduced (still met):")));
        for (c, r) in reduced {
            let req = &model.component(c).requirements[r];
            out.push_str(&format!(
                "  {}: {} {}\n",
                safe(&model.component(c).id),
                group_name(model, req),
                group_status(req, sim)
            ));
        }
    }
    out
}

/// Groups of components that are not down, with a member down or degraded,
/// whose requirement is still met: "redundancy reduced".
pub(crate) fn reduced(model: &Model, sim: &Simulation) -> Vec<(ComponentId, usize)> {
    let mut out = Vec::new();
    for c in model.ids().filter(|&c| sim.state(c) != State::Down) {
        for (r, req) in model.component(c).requirements.iter().enumerate() {
            let up = req.members.iter().filter(|&&m| sim.state(m) == State::Up).count();
            if req.is_group() && up < req.members.len() && up >= req.need as usize {
                out.push((c, r));
            }
        }
    }
    out
}

/// Steps of a cascade path the JSON lists: a chain of n components has
/// paths of n steps, n² ids in all. `path_length` gives the full length
/// and `next` the step after the component, so a cut path continues from
/// the component its last listed step names.
pub(crate) const PATH_LISTED: usize = 100;

/// `{"schema": "blastmap.simulation/v1", "failed": [..], "components": [..]}`:
/// every affected component (failed ones included, with a path of
/// themselves), sorted by id; written straight to `out` (keys in
/// alphabetical order, as the format has always had them).
pub(crate) fn write_json(model: &Model, sim: &Simulation, out: &mut dyn Write) -> io::Result<()> {
    write_pretty(out, &SimulationView { model, sim, paths: Paths::new(model, sim) })
}

struct SimulationView<'a> {
    model: &'a Model,
    sim: &'a Simulation,
    paths: Paths,
}

impl Serialize for SimulationView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Top<'a, C: Serialize, R: Serialize> {
            components: C,
            failed: Ids<'a>,
            redundancy_reduced: R,
            schema: &'static str,
        }
        let (model, sim) = (self.model, self.sim);
        let id = |c: ComponentId| model.component(c).id.as_str();
        let components = Each::new(sim.affected().map(|c| {
            let mut path = vec![c];
            while path.len() < PATH_LISTED {
                let Some(cause) = path.last().and_then(|&at| sim.cause(at)) else { break };
                path.push(cause.next);
            }
            Affected {
                failed: sim.is_failed(c),
                id: id(c),
                kind: model.component(c).kind.as_str(),
                next: sim.cause(c).map(|cause| id(cause.next)),
                path: path.into_iter().map(id).collect(),
                path_length: self.paths.len(c),
                state: sim.state(c).as_str(),
            }
        }));
        let reduced: Vec<Reduced<'_>> = reduced(model, sim)
            .into_iter()
            .map(|(c, r)| {
                let req = &model.component(c).requirements[r];
                Reduced {
                    id: id(c),
                    members: Ids { model, ids: &req.members },
                    members_down: req
                        .members
                        .iter()
                        .filter(|&&m| sim.state(m) == State::Down)
                        .map(|&m| id(m))
                        .collect(),
                    need: req.need,
                }
            })
            .collect();
        Top {
            components,
            failed: Ids { model, ids: sim.failed() },
            redundancy_reduced: reduced,
            schema: "blastmap.simulation/v1",
        }
        .serialize(s)
    }
}

/// One affected component, keys in alphabetical order.
#[derive(Serialize)]
struct Affected<'a> {
    failed: bool,
    id: &'a str,
    kind: &'a str,
    next: Option<&'a str>,
    path: Vec<&'a str>,
    path_length: usize,
    state: &'a str,
}

#[derive(Serialize)]
struct Reduced<'a> {
    id: &'a str,
    members: Ids<'a>,
    members_down: Vec<&'a str>,
    need: u32,
}
