//! The single failure of every component with its cascade paths, and the
//! state of a requirement group under a simulation. The HTML report's
//! script simulates a picked failure itself; the browser test holds it to
//! these paths.
//!
//! Results are plain data (component indices and requirement numbers), so a
//! renderer only formats them.

use blastmap_manifest::{ComponentId, Model, Requirement};
use rayon::prelude::*;

use crate::net::Net;
use crate::simulate::{DEGRADED, DOWN, Simulation, State, requirement_level, simulate_net};

/// How one affected component is reached from the failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CascadePath {
    /// Its state under the failure (never [`State::Up`]).
    pub state: State,
    /// The cascade path: the affected component first, the failed one last
    /// (see [`Simulation::path`]).
    pub path: Vec<ComponentId>,
    /// The requirement followed at each step: `requirements[i]` is an index
    /// into the `requirements` of `path[i]`, whose member `path[i + 1]` the
    /// path continues with (see [`Simulation::path_requirements`]).
    pub requirements: Vec<u32>,
}

/// The cascade paths of the single failure of every component, by
/// component index; each list in the order of [`Simulation::affected`].
///
/// # Complexity
/// One simulation per component: O(n · (n + m)) time for n components and
/// m requirement members (in parallel), and memory for every path kept.
/// Quadratic: for tests and small inventories.
pub fn single_failure_cascades(model: &Model) -> Vec<Vec<CascadePath>> {
    let net = Net::new(model);
    let ids: Vec<ComponentId> = model.ids().collect();
    ids.par_iter().map(|&c| cascade(&simulate_net(&net, &[c]))).collect()
}

fn cascade(sim: &Simulation) -> Vec<CascadePath> {
    sim.affected()
        .map(|a| CascadePath {
            state: sim.state(a),
            path: sim.path(a),
            requirements: sim.path_requirements(a),
        })
        .collect()
}

/// The state of a requirement under a simulation, before a soft
/// requirement is lowered (docs/semantics.md#requirements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupState {
    /// At least `need` members are up.
    Met,
    /// At least `need` members are not down, but fewer than `need` are up.
    Impaired,
    /// Fewer than `need` members are not down.
    Unmet,
}

/// The state of `requirement` (a group or a single requirement) given the
/// member states of `sim`.
///
/// # Complexity
/// O(members).
pub fn group_state(requirement: &Requirement, sim: &Simulation) -> GroupState {
    let count = |keep: fn(State) -> bool| requirement.members.iter().filter(|&&m| keep(sim.state(m))).count();
    let down = count(|s| s == State::Down) as u32;
    let not_up = count(|s| s != State::Up) as u32;
    // The engine's own rule, so that a drawing can never disagree with the
    // simulation it colours.
    let losses = (requirement.members.len() as u32 + 1).saturating_sub(requirement.need);
    match requirement_level(losses, down, not_up) {
        DOWN => GroupState::Unmet,
        DEGRADED => GroupState::Impaired,
        _ => GroupState::Met,
    }
}
