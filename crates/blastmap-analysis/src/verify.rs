//! Verification (docs/drills.md#verify): a drill's observed outcome against
//! the inventory's prediction, component by component, with the likely
//! cause of every mismatch in inventory terms.

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Mode, Model};

use crate::net::Net;
use crate::simulate::{Simulation, State, simulate_net};

/// What a drill observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The components the drill failed.
    pub failed: Vec<ComponentId>,
    /// The observed state of every component (by index); `None` when the
    /// drill did not observe it.
    pub states: Vec<Option<State>>,
}

/// The likely cause of a mismatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// Explained by another mismatch: the hard requirement `requirement`
    /// is unmet (observed down) or impaired (observed degraded) by what was
    /// observed of its members, `because` the first of them.
    Follows { requirement: usize, because: ComponentId },
    /// Observed down, but the requirement `requirement` on `target` is
    /// declared soft: in reality it is hard.
    SoftIsHard { requirement: usize, target: ComponentId },
    /// Observed down although the group `requirement` was predicted to
    /// hold: the members that were lost (`lost`) take it down, so the
    /// redundancy is not real (a shared dependency, or the group needs
    /// more members than declared).
    RedundancyNotReal { requirement: usize, lost: Vec<ComponentId> },
    /// Observed down (or degraded) with nothing declared to explain it: an
    /// undeclared dependency; `candidates` are the observed failed and down
    /// components it does not declare it needs, failed ones first.
    Undeclared { hard: bool, candidates: Vec<ComponentId> },
    /// Predicted down through the hard requirement `requirement` (the
    /// first step of `path`, a declared cascade path ending at a failed
    /// component), but observed up or degraded: the dependency is soft,
    /// redundant or absent in reality.
    DeclaredHard { requirement: usize, path: Vec<ComponentId> },
    /// Predicted degraded through `requirement` (first step of `path`) but
    /// observed up: the soft dependency left no visible trace, or the
    /// health check does not report degradation.
    DegradationNotSeen { requirement: usize, path: Vec<ComponentId> },
    /// A failed component that was observed up: the injection did not
    /// work, and the drill tells nothing about what depends on it.
    InjectionNotObserved,
}

/// One component whose state was predicted or observed as not up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub component: ComponentId,
    /// The prediction; `None` for a failed component.
    pub predicted: Option<State>,
    /// The observation; `None` when not observed. Failed components that
    /// were observed down are `Some(Down)`.
    pub observed: Option<State>,
    /// Why they differ, when they do.
    pub cause: Option<Cause>,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub simulation: Simulation,
    /// Every component predicted or observed as not up (failed ones
    /// included), ascending.
    pub rows: Vec<Row>,
    /// Whether every observed component was in its predicted state, a
    /// component predicted degraded that answered up excepted (listed with
    /// [`Cause::DegradationNotSeen`], but most health checks cannot tell
    /// degraded from up).
    pub held: bool,
    /// Whether every failed component that was observed was down.
    pub injection_observed: bool,
    /// Components predicted not up that the drill did not observe.
    pub unobserved: Vec<ComponentId>,
}

/// Most candidates named for an undeclared dependency.
pub const CANDIDATES: usize = 10;

/// Compares `observed` with the prediction for its failures.
///
/// # Complexity
/// O(n + m) for the simulation, plus O(n + m) per mismatch observed down
/// or degraded without a declared explanation (the search for what the
/// component declares it needs).
pub fn verify(model: &Model, observed: &Observed) -> Verification {
    let net = Net::new(model);
    let simulation = simulate_net(&net, &observed.failed);
    let sim = &simulation;
    let seen = |c: ComponentId| observed.states.get(c.index()).copied().flatten();
    // What the drill says of a member: failed components are down.
    let state_of = |c: ComponentId| if sim.is_failed(c) { Some(State::Down) } else { seen(c) };
    let mut rows = Vec::new();
    let mut held = true;
    let mut injection_observed = true;
    let mut unobserved = Vec::new();
    for c in model.ids() {
        let failed = sim.is_failed(c);
        let predicted = sim.state(c);
        let actual = seen(c);
        if !failed && predicted == State::Up && actual.is_none_or(|s| s == State::Up) {
            continue;
        }
        let cause = match (failed, actual) {
            (_, None) => {
                unobserved.push(c);
                None
            }
            (true, Some(State::Up)) => {
                injection_observed = false;
                Some(Cause::InjectionNotObserved)
            }
            (true, Some(_)) => None,
            (false, Some(actual)) if actual == predicted => None,
            (false, Some(actual)) => {
                // Degraded but answering up is no evidence against the
                // model: most health checks cannot say "degraded".
                if !(predicted == State::Degraded && actual == State::Up) {
                    held = false;
                }
                Some(explain(model, sim, c, predicted, actual, &state_of))
            }
        };
        rows.push(Row { component: c, predicted: (!failed).then_some(predicted), observed: actual, cause });
    }
    Verification { simulation, rows, held, injection_observed, unobserved }
}

fn explain(
    model: &Model,
    sim: &Simulation,
    c: ComponentId,
    predicted: State,
    actual: State,
    state_of: &dyn Fn(ComponentId) -> Option<State>,
) -> Cause {
    let not_up = |m: ComponentId| state_of(m).is_some_and(|s| s != State::Up);
    let requirements = &model.component(c).requirements;
    if actual > predicted {
        for (r, req) in requirements.iter().enumerate().filter(|(_, r)| r.mode == Mode::Hard) {
            let losses = req.members.len().saturating_sub(req.need as usize) + 1;
            let lost = |worst: State| {
                req.members.iter().filter(|&&m| state_of(m).is_some_and(|s| s >= worst)).count()
            };
            let worst = if actual == State::Down { State::Down } else { State::Degraded };
            if lost(worst) >= losses
                && let Some(&because) = req.members.iter().find(|&&m| state_of(m).is_some_and(|s| s >= worst))
            {
                return Cause::Follows { requirement: r, because };
            }
        }
        if actual == State::Down {
            for (r, req) in requirements.iter().enumerate() {
                if req.mode == Mode::Soft
                    && let Some(&target) = req.members.iter().find(|&&m| not_up(m))
                {
                    return Cause::SoftIsHard { requirement: r, target };
                }
            }
            for (r, req) in
                requirements.iter().enumerate().filter(|(_, r)| r.is_group() && r.mode == Mode::Hard)
            {
                let lost: Vec<ComponentId> = req.members.iter().copied().filter(|&m| not_up(m)).collect();
                if !lost.is_empty() {
                    return Cause::RedundancyNotReal { requirement: r, lost };
                }
            }
        }
        let declared = needs(model, c);
        let mut candidates: Vec<ComponentId> = model
            .ids()
            .filter(|&m| m != c && not_up(m) && !declared.get(m.index()).copied().unwrap_or(false))
            .collect();
        candidates.sort_by_key(|&m| (!sim.is_failed(m), m));
        candidates.truncate(CANDIDATES);
        return Cause::Undeclared { hard: actual == State::Down, candidates };
    }
    let requirement = sim.cause(c).map_or(0, |k| k.requirement as usize);
    let path = sim.path(c);
    if predicted == State::Down {
        Cause::DeclaredHard { requirement, path }
    } else {
        Cause::DegradationNotSeen { requirement, path }
    }
}

/// `declared[m]`: whether `c` declares it needs `m`, directly or through
/// others (any mode).
fn needs(model: &Model, c: ComponentId) -> Vec<bool> {
    let mut declared = vec![false; model.len()];
    let mut queue = VecDeque::from([c]);
    while let Some(at) = queue.pop_front() {
        for req in &model.component(at).requirements {
            for &m in &req.members {
                if let Some(d) = declared.get_mut(m.index())
                    && !*d
                {
                    *d = true;
                    queue.push_back(m);
                }
            }
        }
    }
    declared
}
