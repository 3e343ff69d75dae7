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
use crate::simulate::{Simulation, Sparse, State, simulate_net};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Components that would go down if the claims were false (the
    /// injected component and every one a claim says survives failing
    /// together), less what the injection takes down anyway; ascending.
    pub protected: Vec<ComponentId>,
    /// The weight of the critical components among `protected`.
    pub protected_weight: f64,
    /// What the plan was ranked by: `protected_weight`, or its estimate
    /// (see [`Plan::estimated`]).
    pub rank_weight: f64,
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The components it would fail, ascending.
    pub inject: Vec<ComponentId>,
    /// The claims it would test (predicted to hold).
    pub claims: Vec<Claim>,
    /// The claims about it that the inventory predicts to fail.
    pub contradicted: Vec<Claim>,
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
    /// `Some(cost)` when simulating every candidate with its claims would
    /// touch `cost` components, over [`EXACT_BUDGET`]: candidates were then
    /// ranked by the sum of their claims' blast radii (overlaps counted
    /// twice), and only the planned experiments were simulated exactly.
    pub estimated: Option<u64>,
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

/// The weight of the critical components of `list`.
fn critical_weight(model: &Model, list: &[ComponentId]) -> f64 {
    list.iter().map(|&c| model.component(c)).filter(|c| c.is_critical()).map(|c| c.weight).sum()
}

fn entrypoints_down(model: &Model, sim: &Simulation) -> Vec<ComponentId> {
    model.ids().filter(|&c| model.component(c).entrypoint && sim.state(c) == State::Down).collect()
}

/// A candidate experiment, as ranked: what a plan needs to choose.
struct Candidate {
    inject: ComponentId,
    held: Vec<Claim>,
    contradicted: Vec<Claim>,
    entrypoints: Vec<ComponentId>,
    /// How many components it protects (the list is made again for the
    /// planned ones only: all of them could be quadratic).
    protected: usize,
    weight: f64,
}

/// What would go down if the held claims were false, and is not down
/// already: the failure of the injected component and of every component
/// a held claim says survives, less what the injection alone takes down.
fn protected(
    net: &Net,
    scratch: &mut Sparse,
    inject: ComponentId,
    held: &[Claim],
    down: &[ComponentId],
) -> Vec<ComponentId> {
    if held.is_empty() {
        return Vec::new();
    }
    let mut failed: Vec<ComponentId> = held.iter().map(|k| k.component).collect();
    failed.push(inject);
    scratch.run_set(net, &failed);
    scratch.downs().into_iter().filter(|c| down.binary_search(c).is_err() && *c != inject).collect()
}

/// Past this many components touched in all (an upper bound from the
/// blast radii), candidates are ranked by an estimate instead of being
/// simulated one by one: see [`Plan::estimated`].
pub const EXACT_BUDGET: u64 = 1 << 24;

/// The game-day plan of `model`: see the module documentation.
///
/// # Complexity
/// One sweep for the blast radius of every component; then, per
/// component some claim fails, a sparse simulation of it (O(what it
/// affects)) and, within [`EXACT_BUDGET`], one of it with the components
/// its claims are about; a full simulation (O(n + m)) per planned
/// experiment; sorting. Results do not depend on the number of threads
/// (each candidate is computed alone and the results are merged in order).
pub fn plan(model: &Model, options: Options) -> Plan {
    let net = Net::new(model);
    let sweep = crate::sweep::sweep(
        model,
        &net,
        &crate::sweep::SweepOptions {
            detail: false,
            causes: crate::sweep::Targets::None,
            failures: None,
            max_pairs: crate::sweep::DEFAULT_MAX_PAIRS,
        },
    );
    let radius = |c: ComponentId| sweep.radii.get(c.index()).map_or(0, |r| r.down as usize);
    let candidates: Vec<(ComponentId, Vec<Claim>)> = candidates(model, &radius).into_iter().collect();
    // What simulating every candidate with its claims would touch, at most.
    let cost: u64 = candidates
        .iter()
        .map(|(inject, claims)| {
            let touched = |c: ComponentId| 1 + radius(c) as u64;
            2 * touched(*inject) + claims.iter().map(|k| touched(k.component)).sum::<u64>()
        })
        .sum();
    let exact = cost <= EXACT_BUDGET;
    let mut ranked: Vec<Candidate> = candidates
        .par_iter()
        .map_init(
            || Sparse::new(&net),
            |scratch, (inject, claims)| {
                // Nothing else goes down: no simulation needed.
                let down = if radius(*inject) == 0 {
                    vec![*inject]
                } else {
                    scratch.run_set(&net, &[*inject]);
                    scratch.downs()
                };
                let is_down = |c: ComponentId| down.binary_search(&c).is_ok();
                let (held, contradicted): (Vec<Claim>, Vec<Claim>) =
                    claims.iter().copied().partition(|k| !is_down(k.component));
                let entrypoints: Vec<ComponentId> =
                    down.iter().copied().filter(|&c| model.component(c).entrypoint).collect();
                let (protected_count, weight) = if exact {
                    let list = protected(&net, scratch, *inject, &held, &down);
                    (list.len(), critical_weight(model, &list))
                } else {
                    // Each claim's own blast radius, overlaps counted twice.
                    held.iter().fold((0, 0.0), |(n, w), k| {
                        let r = sweep.radii.get(k.component.index());
                        let own = model.component(k.component);
                        (
                            n + 1 + r.map_or(0, |r| r.down as usize),
                            w + r.map_or(0.0, |r| r.critical_weight_down)
                                + if own.is_critical() { own.weight } else { 0.0 },
                        )
                    })
                };
                Candidate {
                    inject: *inject,
                    held,
                    contradicted,
                    entrypoints,
                    protected: protected_count,
                    weight,
                }
            },
        )
        .collect();
    ranked.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| b.protected.cmp(&a.protected))
            .then_with(|| b.held.len().cmp(&a.held.len()))
            .then_with(|| a.inject.cmp(&b.inject))
    });
    let mut scratch = Sparse::new(&net);
    let mut plan =
        Plan { experiments: Vec::new(), left_out: Vec::new(), estimated: (!exact).then_some(cost) };
    for k in ranked {
        let why = if k.held.is_empty() {
            Some(Left::Contradicted)
        } else if !k.entrypoints.is_empty() && !options.allow_outage {
            Some(Left::Outage(k.entrypoints.clone()))
        } else if plan.experiments.len() >= options.top {
            Some(Left::BelowTop)
        } else {
            None
        };
        if let Some(why) = why {
            plan.left_out.push(LeftOut {
                inject: vec![k.inject],
                claims: k.held,
                contradicted: k.contradicted,
                why,
            });
        } else {
            let simulation = simulate_net(&net, &[k.inject]);
            let down: Vec<ComponentId> =
                model.ids().filter(|&c| simulation.state(c) == State::Down).collect();
            let list = protected(&net, &mut scratch, k.inject, &k.held, &down);
            plan.experiments.push(Experiment {
                inject: vec![k.inject],
                claims: k.held,
                contradicted: k.contradicted,
                entrypoints_down: entrypoints_down(model, &simulation),
                simulation,
                protected_weight: critical_weight(model, &list),
                protected: list,
                rank_weight: k.weight,
            });
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
        rank_weight: 0.0,
    }
}
