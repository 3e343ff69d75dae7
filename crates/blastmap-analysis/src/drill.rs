//! Drills (docs/drills.md): which experiments test the claims an inventory
//! makes, what each is predicted to do, and in what order to run them.
//!
//! An inventory claims three kinds of things that a game day can test:
//!
//! - **redundancy**: a component with an `any_of` or `quorum` group in
//!   `depends_on` survives the loss of one member;
//! - **placement**: a component that `runs_in` several failure domains
//!   survives the loss of one of them;
//! - **soft dependency**: a component that needs a target `mode: soft` is
//!   only degraded when the target fails.
//!
//! Every claim becomes a candidate experiment that fails one component (the
//! group member with the smallest predicted blast radius, the domain, the
//! soft target); candidates that fail the same component are one
//! experiment testing several claims. A claim the inventory itself predicts
//! to fail (the component goes down anyway: illusory redundancy) is not
//! tested: it is reported as contradicted, since the inventory already says
//! it is false. Experiments are ranked by the weight of the critical
//! components (tier 1 or entrypoints) their claims protect: those that
//! would go down if the claim were false.

use std::collections::BTreeMap;

use blastmap_manifest::{ComponentId, Mode, Model, Origin};
use rayon::prelude::*;

use crate::net::Net;
use crate::simulate::{Simulation, State, simulate_net};

/// What a claim asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimKind {
    /// A `depends_on` group holds when one member fails.
    Redundancy,
    /// Placement over several domains survives one domain.
    Placement,
    /// A soft dependency only degrades.
    Soft,
    /// A scenario given with `--fail`: the prediction itself.
    Scenario,
}

impl ClaimKind {
    /// The name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Redundancy => "redundancy",
            ClaimKind::Placement => "placement",
            ClaimKind::Soft => "soft-dependency",
            ClaimKind::Scenario => "scenario",
        }
    }
}

/// One claim of the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub kind: ClaimKind,
    /// The component the claim is about (the owner of the group, the
    /// placed component, the one with the soft dependency).
    pub component: ComponentId,
    /// Index into the component's requirements of the requirement tested;
    /// `None` for a scenario.
    pub requirement: Option<usize>,
}

/// A planned experiment: a failure to inject and what it should do.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// The components to fail, ascending.
    pub inject: Vec<ComponentId>,
    /// The claims the experiment tests (predicted to hold).
    pub claims: Vec<Claim>,
    /// Claims about this failure that the inventory predicts to fail: the
    /// component goes down although the claim says it should not.
    pub contradicted: Vec<Claim>,
    /// The prediction.
    pub simulation: Simulation,
    /// Components that would go down if a claim were false, ascending.
    pub protected: Vec<ComponentId>,
    /// The weight of the critical components among `protected`.
    pub protected_weight: f64,
    /// Entrypoints predicted down (or failed), ascending.
    pub entrypoints_down: Vec<ComponentId>,
}

impl Experiment {
    /// The components predicted in `state`, failed ones excluded, ascending.
    pub fn predicted(&self, state: State) -> Vec<ComponentId> {
        let sim = &self.simulation;
        (0..sim.states().len())
            .map(ComponentId::new)
            .filter(|&c| sim.state(c) == state && !sim.is_failed(c))
            .collect()
    }
}

/// Why a candidate is not in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Left {
    /// Predicted to take these entrypoints down (without `allow_outage`).
    Outage(Vec<ComponentId>),
    /// Every claim it would test is predicted to fail.
    Contradicted,
    /// Below the first `top` experiments.
    BelowTop,
}

/// A candidate left out of the plan, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    pub experiment: Experiment,
    pub why: Left,
}

/// Options of [`plan`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Most experiments in the plan.
    pub top: usize,
    /// Keep experiments predicted to take an entrypoint down.
    pub allow_outage: bool,
}

/// The game-day plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The experiments, best first.
    pub experiments: Vec<Experiment>,
    /// Candidates left out, with why (ranked like the experiments).
    pub left_out: Vec<LeftOut>,
}

/// The candidate claims of `model`, grouped by the component each fails.
fn candidates(model: &Model, radius: &dyn Fn(ComponentId) -> usize) -> BTreeMap<ComponentId, Vec<Claim>> {
    let mut by_injection: BTreeMap<ComponentId, Vec<Claim>> = BTreeMap::new();
    for c in model.ids() {
        for (r, req) in model.component(c).requirements.iter().enumerate() {
            let claim = |kind| Claim { kind, component: c, requirement: Some(r) };
            if req.mode == Mode::Soft && !req.is_group() {
                if let Some(&target) = req.members.first() {
                    by_injection.entry(target).or_default().push(claim(ClaimKind::Soft));
                }
            } else if req.is_group() && req.origin == Origin::RunsIn {
                // Each domain the component is spread across.
                for &d in &req.members {
                    by_injection.entry(d).or_default().push(claim(ClaimKind::Placement));
                }
            } else if req.is_group() && req.mode == Mode::Hard {
                // The member whose loss is predicted to do the least harm.
                let safest = req.members.iter().copied().filter(|&m| m != c).min_by_key(|&m| (radius(m), m));
                if let Some(m) = safest {
                    by_injection.entry(m).or_default().push(claim(ClaimKind::Redundancy));
                }
            }
        }
    }
    for claims in by_injection.values_mut() {
        claims.sort_by_key(|k| (k.kind, k.component, k.requirement));
        claims.dedup();
    }
    by_injection
}

/// Components that go down when `c` fails (with `c`), ascending.
fn downs(sim: &Simulation) -> Vec<ComponentId> {
    (0..sim.states().len()).map(ComponentId::new).filter(|&c| sim.state(c) == State::Down).collect()
}

/// The weight of the critical components of `list`.
fn critical_weight(model: &Model, list: &[ComponentId]) -> f64 {
    list.iter().map(|&c| model.component(c)).filter(|c| c.is_critical()).map(|c| c.weight).sum()
}

fn entrypoints_down(model: &Model, sim: &Simulation) -> Vec<ComponentId> {
    model.ids().filter(|&c| model.component(c).entrypoint && sim.state(c) == State::Down).collect()
}

/// The game-day plan of `model`: see the module documentation.
///
/// # Complexity
/// One simulation (O(n + m)) per component that some claim fails and per
/// component some claim is about, run in parallel; plus sorting. Results do
/// not depend on the number of threads.
pub fn plan(model: &Model, options: Options) -> Plan {
    let net = Net::new(model);
    // Single-failure simulations, shared by every use.
    let sims: Vec<Simulation> =
        model.ids().collect::<Vec<_>>().par_iter().map(|&c| simulate_net(&net, &[c])).collect();
    let radius = |c: ComponentId| sims.get(c.index()).map_or(0, |s| s.count(State::Down));
    let mut all: Vec<(Experiment, Option<Left>)> = Vec::new();
    for (inject, claims) in candidates(model, &radius) {
        let Some(sim) = sims.get(inject.index()) else { continue };
        let (held, contradicted): (Vec<Claim>, Vec<Claim>) =
            claims.into_iter().partition(|k| sim.state(k.component) != State::Down);
        let mut protected: Vec<ComponentId> = held
            .iter()
            .flat_map(|k| sims.get(k.component.index()).map(downs).unwrap_or_default())
            .filter(|&c| sim.state(c) != State::Down)
            .collect();
        protected.sort_unstable();
        protected.dedup();
        let entrypoints = entrypoints_down(model, sim);
        let why = if held.is_empty() {
            Some(Left::Contradicted)
        } else if !entrypoints.is_empty() && !options.allow_outage {
            Some(Left::Outage(entrypoints.clone()))
        } else {
            None
        };
        all.push((
            Experiment {
                inject: vec![inject],
                protected_weight: critical_weight(model, &protected),
                claims: held,
                contradicted,
                simulation: sim.clone(),
                protected,
                entrypoints_down: entrypoints,
            },
            why,
        ));
    }
    all.sort_by(|(a, _), (b, _)| {
        b.protected_weight
            .total_cmp(&a.protected_weight)
            .then_with(|| b.protected.len().cmp(&a.protected.len()))
            .then_with(|| b.claims.len().cmp(&a.claims.len()))
            .then_with(|| a.inject.cmp(&b.inject))
    });
    let mut plan = Plan { experiments: Vec::new(), left_out: Vec::new() };
    for (experiment, why) in all {
        match why {
            Some(why) => plan.left_out.push(LeftOut { experiment, why }),
            None if plan.experiments.len() < options.top => plan.experiments.push(experiment),
            None => plan.left_out.push(LeftOut { experiment, why: Left::BelowTop }),
        }
    }
    plan
}

/// The experiment of one scenario: fail `failed` (as `--fail` gives it).
///
/// # Complexity
/// O(n + m).
pub fn scenario(model: &Model, failed: &[ComponentId]) -> Experiment {
    let net = Net::new(model);
    let simulation = simulate_net(&net, failed);
    let inject = simulation.failed().to_vec();
    let claims = inject
        .iter()
        .map(|&c| Claim { kind: ClaimKind::Scenario, component: c, requirement: None })
        .collect();
    Experiment {
        entrypoints_down: entrypoints_down(model, &simulation),
        inject,
        claims,
        contradicted: Vec::new(),
        simulation,
        protected: Vec::new(),
        protected_weight: 0.0,
    }
}
