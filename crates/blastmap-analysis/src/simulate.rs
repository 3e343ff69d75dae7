//! What-if simulation of one failure set (docs/semantics.md#states): the state
//! of every component, and for every affected one the requirement that put it
//! there and the shortest cascade path down to a failed component.

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Model};
use serde::Serialize;

use crate::net::Net;

/// The state of a component under a failure set. Ordered `Up < Degraded <
/// Down`: the rules of docs/semantics.md#fixpoint are monotone in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Up,
    Degraded,
    Down,
}

impl State {
    /// The name used in outputs: `up`, `degraded`, `down`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Up => "up",
            State::Degraded => "degraded",
            State::Down => "down",
        }
    }

    fn from_level(level: u8) -> State {
        match level {
            0 => State::Up,
            1 => State::Degraded,
            _ => State::Down,
        }
    }
}

/// Why an affected component is in its state: one step of its cascade path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    /// Index into the component's `requirements` of the requirement that put
    /// it in its state (the first step of its shortest cascade path).
    pub requirement: u32,
    /// The member of that requirement the path continues with.
    pub next: ComponentId,
    /// Number of steps from the component to a failed one (≥ 1).
    pub distance: u32,
}

/// The outcome of [`simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    failed: Vec<ComponentId>,
    states: Vec<State>,
    causes: Vec<Option<Cause>>,
}

const UP: u8 = 0;
pub(crate) const DEGRADED: u8 = 1;
pub(crate) const DOWN: u8 = 2;

/// Simulates the failure of `failed` (duplicates and ids outside the model
/// are ignored).
///
/// States are the least fixpoint of docs/semantics.md#fixpoint. Every down or
/// degraded component that is not in `failed` gets a [`Cause`]: the requirement
/// that put it in its state and the member the cascade continues with, chosen
/// so that following [`Simulation::path`] gives a shortest path to a failed
/// component through requirements that justify each step's state. Ties go to
/// the lowest requirement index, then the lowest member id.
///
/// # Complexity
/// O(n + m) time and memory for n components and m requirement members
/// (plus building the [`Net`]; use [`simulate_net`] to reuse one): the states
/// are propagated event-driven with per-requirement counters, each component
/// changes state at most twice, then one breadth-first search from the
/// failed set finds the shortest paths.
pub fn simulate(model: &Model, failed: &[ComponentId]) -> Simulation {
    simulate_net(&Net::new(model), failed)
}

/// [`simulate`] over a prebuilt [`Net`].
///
/// # Complexity
/// O(n + m), see [`simulate`].
pub fn simulate_net(net: &Net, failed: &[ComponentId]) -> Simulation {
    let n = net.len();
    let mut failed: Vec<ComponentId> = failed.iter().copied().filter(|f| f.index() < n).collect();
    failed.sort_unstable();
    failed.dedup();

    let mut sparse = Sparse::new(net);
    let indices: Vec<u32> = failed.iter().map(|f| f.index() as u32).collect();
    sparse.simulate(net, &indices, false);
    let states = sparse.level.iter().map(|&l| State::from_level(l)).collect();
    let causes = (0..n as u32)
        .map(|c| {
            sparse.cause(net, c).map(|(requirement, next)| Cause {
                requirement,
                next: Net::id(next),
                distance: sparse.distance[c as usize],
            })
        })
        .collect();
    Simulation { failed, states, causes }
}

/// The raw result of a requirement before the soft lowering: 2 unmet, 1
/// impaired, 0 met.
fn raw_level(net: &Net, r: u32, down: u32, not_up: u32) -> u8 {
    requirement_level(net.losses_to_fail(r), down, not_up)
}

/// The requirement rule (docs/semantics.md#requirements) on member counts:
/// unmet (2) once `losses` members are down, impaired (1) once `losses`
/// are not up, else met (0). `losses` is `members - need + 1`.
pub(crate) fn requirement_level(losses: u32, down: u32, not_up: u32) -> u8 {
    if down >= losses {
        DOWN
    } else if not_up >= losses {
        DEGRADED
    } else {
        UP
    }
}

fn lowered(net: &Net, r: u32, raw: u8) -> u8 {
    if net.is_soft(r) { raw.saturating_sub(1) } else { raw }
}

impl Simulation {
    /// The failure set, sorted and deduplicated.
    pub fn failed(&self) -> &[ComponentId] {
        &self.failed
    }

    /// Whether `c` is in the failure set.
    pub fn is_failed(&self, c: ComponentId) -> bool {
        self.failed.binary_search(&c).is_ok()
    }

    /// The state of `c`.
    ///
    /// # Panics
    /// If `c` is not a component of the simulated model.
    pub fn state(&self, c: ComponentId) -> State {
        self.states[c.index()]
    }

    /// The state of every component, by index.
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// Why `c` is down or degraded; `None` for components that are up or in
    /// the failure set.
    pub fn cause(&self, c: ComponentId) -> Option<&Cause> {
        self.causes.get(c.index()).and_then(Option::as_ref)
    }

    /// Every down or degraded component not in the failure set, ascending.
    pub fn affected(&self) -> impl Iterator<Item = ComponentId> + '_ {
        (0..self.states.len())
            .map(ComponentId::new)
            .filter(|&c| self.states[c.index()] != State::Up && !self.is_failed(c))
    }

    /// Number of components (failed ones included) in `state`.
    pub fn count(&self, state: State) -> usize {
        self.states.iter().filter(|&&s| s == state).count()
    }

    /// The cascade path of `c`: `c` first, a failed component last (just
    /// `[c]` when `c` is failed or up).
    ///
    /// # Complexity
    /// O(length of the path).
    pub fn path(&self, c: ComponentId) -> Vec<ComponentId> {
        let mut path = vec![c];
        let mut at = c;
        while let Some(cause) = self.cause(at) {
            path.push(cause.next);
            at = cause.next;
        }
        path
    }

    /// For each step of [`Simulation::path`]`(c)`, the index (into that
    /// step's component's `requirements`) of the requirement followed; one
    /// shorter than the path.
    pub fn path_requirements(&self, c: ComponentId) -> Vec<u32> {
        let mut steps = Vec::new();
        let mut at = c;
        while let Some(cause) = self.cause(at) {
            steps.push(cause.requirement);
            at = cause.next;
        }
        steps
    }
}

/// The least fixpoint (docs/semantics.md#fixpoint) and the cascade paths,
/// touching only what the failures affect: event-driven propagation with
/// per-requirement counters (each raise is justified by the current,
/// under-approximating states, and at the end every requirement's effect is
/// reflected in its owner), then a breadth-first search over "a member
/// justifies its requirement, which justifies the owner", layer by layer so
/// distances are shortest. Its scratch is reused from run to run and only what
/// a run touched is reset, so `check` can run one per SPOF it reports (tens of
/// thousands at 100k components, where a whole simulation each took minutes in
/// all).
pub(crate) struct Sparse {
    level: Vec<u8>,
    counted: Vec<u8>,
    distance: Vec<u32>,
    /// Components whose level or distance this run set.
    touched: Vec<u32>,
    down: Vec<u32>,
    not_up: Vec<u32>,
    /// Requirements whose counters this run changed.
    touched_requirements: Vec<u32>,
    queue: VecDeque<u32>,
    /// `inside[c] == run`: `c` is in the part simulated (see
    /// [`Sparse::run_for`]).
    inside: Vec<u32>,
    run: u32,
    /// The victim whose dependencies `inside` marks now.
    marked_for: u32,
    stack: Vec<u32>,
}

const UNREACHED: u32 = u32::MAX;

impl Sparse {
    /// Scratch for `net`: O(n + requirements) once.
    pub(crate) fn new(net: &Net) -> Self {
        let n = net.len();
        Sparse {
            level: vec![UP; n],
            counted: vec![UP; n],
            distance: vec![UNREACHED; n],
            touched: Vec::new(),
            down: vec![0; net.requirement_count()],
            not_up: vec![0; net.requirement_count()],
            touched_requirements: Vec::new(),
            queue: VecDeque::new(),
            inside: vec![0; n],
            run: 0,
            marked_for: u32::MAX,
            stack: Vec::new(),
        }
    }

    /// [`Sparse::run`], but only over what `victim` depends on
    /// (itself included): the states there, and so `victim`'s path and the
    /// member counts along it, are the same as in the whole inventory,
    /// since nothing else can change them. A hub's failure takes most of an
    /// inventory down; the path to one victim needs only its dependencies.
    /// They are marked once for consecutive runs with the same victim.
    ///
    /// # Complexity
    /// O(what `victim` depends on, with its requirements and members) for a
    /// new victim; then O(what `x` takes down among them).
    pub(crate) fn run_for(&mut self, net: &Net, x: ComponentId, victim: ComponentId) {
        let v = victim.index() as u32;
        if self.marked_for == v && self.run != 0 {
            self.simulate(net, &[index_of(x)], true);
            return;
        }
        self.marked_for = v;
        self.run = self.run.wrapping_add(1);
        if self.run == 0 {
            self.inside.fill(0);
            self.run = 1;
        }
        if (v as usize) < net.len() {
            self.inside[v as usize] = self.run;
            self.stack.push(v);
        }
        while let Some(c) = self.stack.pop() {
            for r in net.requirements(c) {
                for &m in net.members(r) {
                    if self.inside[m as usize] != self.run {
                        self.inside[m as usize] = self.run;
                        self.stack.push(m);
                    }
                }
            }
        }
        self.simulate(net, &[index_of(x)], true);
    }

    /// Simulates the failure of `x` alone (forgetting the previous run).
    ///
    /// # Complexity
    /// O(affected components + their requirements and members), plus the
    /// reset of the previous run's.
    #[cfg(test)]
    pub(crate) fn run(&mut self, net: &Net, x: ComponentId) {
        self.simulate(net, &[index_of(x)], false);
    }

    /// Simulates the failure of `failed` (forgetting the previous run);
    /// [`Sparse::downs`] then lists what is down.
    ///
    /// # Complexity
    /// O(affected components + their requirements and members), plus the
    /// reset of the previous run's.
    pub(crate) fn run_set(&mut self, net: &Net, failed: &[ComponentId]) {
        let failed: Vec<u32> = failed.iter().map(|&c| index_of(c)).collect();
        self.simulate(net, &failed, false);
    }

    /// The components down in the last run (the failed ones included),
    /// ascending.
    ///
    /// # Complexity
    /// O(what the last run touched, and sorting it).
    pub(crate) fn downs(&self) -> Vec<ComponentId> {
        let mut out: Vec<ComponentId> = self
            .touched
            .iter()
            .filter(|&&c| self.level.get(c as usize) == Some(&DOWN))
            .map(|&c| ComponentId::new(c as usize))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Simulates the failure of `failed` (indices inside the model),
    /// forgetting the previous run; with `within`, only over the
    /// components marked by [`Sparse::run_for`].
    ///
    /// # Complexity
    /// O(affected components + their requirements and members), plus the
    /// reset of the previous run's.
    fn simulate(&mut self, net: &Net, failed: &[u32], within: bool) {
        for &c in &self.touched {
            let c = c as usize;
            self.level[c] = UP;
            self.counted[c] = UP;
            self.distance[c] = UNREACHED;
        }
        for &r in &self.touched_requirements {
            self.down[r as usize] = 0;
            self.not_up[r as usize] = 0;
        }
        self.touched.clear();
        self.touched_requirements.clear();
        for &f in failed.iter().filter(|&&f| (f as usize) < net.len()) {
            if self.level[f as usize] == UP {
                self.touched.push(f);
            }
            self.level[f as usize] = DOWN;
            self.queue.push_back(f);
        }
        while let Some(c) = self.queue.pop_front() {
            let (old, new) = (self.counted[c as usize], self.level[c as usize]);
            if old == new {
                continue;
            }
            self.counted[c as usize] = new;
            for &r in net.required_by(c) {
                if self.down[r as usize] == 0 && self.not_up[r as usize] == 0 {
                    self.touched_requirements.push(r);
                }
                if old == UP {
                    self.not_up[r as usize] += 1;
                }
                if new == DOWN {
                    self.down[r as usize] += 1;
                }
                // A failed owner is down already: no effect can raise it.
                let owner = net.owner(r);
                if within && self.inside[owner as usize] != self.run {
                    continue;
                }
                let effect =
                    lowered(net, r, raw_level(net, r, self.down[r as usize], self.not_up[r as usize]));
                if effect > self.level[owner as usize] {
                    if self.level[owner as usize] == UP {
                        self.touched.push(owner);
                    }
                    self.level[owner as usize] = effect;
                    self.queue.push_back(owner);
                }
            }
        }
        for &f in failed.iter().filter(|&&f| (f as usize) < net.len()) {
            self.distance[f as usize] = 0;
            self.queue.push_back(f);
        }
        while let Some(c) = self.queue.pop_front() {
            let lc = self.level[c as usize];
            for &r in net.required_by(c) {
                let owner = net.owner(r);
                if within && self.inside[owner as usize] != self.run {
                    continue;
                }
                let target = self.level[owner as usize];
                if self.distance[owner as usize] != UNREACHED || target == UP {
                    continue;
                }
                if let Some(needed) = self.justifying(net, r, target)
                    && lc >= needed
                {
                    self.distance[owner as usize] = self.distance[c as usize] + 1;
                    self.queue.push_back(owner);
                }
            }
        }
    }

    /// The state of `c` in the last run.
    pub(crate) fn state(&self, c: ComponentId) -> State {
        State::from_level(self.level.get(c.index()).copied().unwrap_or(UP))
    }

    /// [`Simulation::path`] and [`Simulation::path_requirements`] of `c`.
    pub(crate) fn path(&self, net: &Net, c: ComponentId) -> (Vec<ComponentId>, Vec<u32>) {
        let (mut path, mut requirements) = (vec![c], Vec::new());
        let mut at = c.index() as u32;
        while let Some((requirement, next)) = self.cause(net, at) {
            requirements.push(requirement);
            path.push(Net::id(next));
            at = next;
        }
        (path, requirements)
    }

    /// Why `c` is in its state: the first requirement (in written order)
    /// that justifies it through a member one step closer to a failure, and
    /// the lowest such member. `None` for components up, failed or not
    /// reached.
    fn cause(&self, net: &Net, c: u32) -> Option<(u32, u32)> {
        let target = *self.level.get(c as usize)?;
        let d = self.distance[c as usize];
        if target == UP || d == 0 || d == UNREACHED {
            return None;
        }
        let first = net.requirements(c).start;
        net.requirements(c).find_map(|r| {
            let needed = self.justifying(net, r, target)?;
            let best = net
                .members(r)
                .iter()
                .copied()
                .filter(|&m| self.level[m as usize] >= needed && self.distance[m as usize] == d - 1)
                .min()?;
            Some((r - first, best))
        })
    }

    /// The lowest level a member must have to justify requirement `r` of a
    /// component in state `target`, or `None` when `r` does not justify it.
    /// The requirement's counters hold its members' final levels.
    fn justifying(&self, net: &Net, r: u32, target: u8) -> Option<u8> {
        let raw = raw_level(net, r, self.down[r as usize], self.not_up[r as usize]);
        (lowered(net, r, raw) == target).then_some(raw)
    }
}

/// The index of `x` (ids outside the model are skipped by the caller).
fn index_of(x: ComponentId) -> u32 {
    u32::try_from(x.index()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use blastmap_manifest::Mode;

    use super::*;
    use crate::cycles::tests::{model, req};

    /// A pseudo-random inventory with groups, soft requirements and cycles.
    fn tangled(n: usize, seed: u64) -> Model {
        let mut state = seed;
        let mut next = move |bound: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % bound.max(1)
        };
        model(
            (0..n)
                .map(|i| {
                    let requirements = (0..next(4))
                        .filter_map(|_| {
                            let mut members: Vec<usize> = (0..=next(3))
                                .map(|_| if next(8) == 0 { next(n) } else { next(i.max(1)) })
                                .collect();
                            members.sort_unstable();
                            members.dedup();
                            members.retain(|&m| m != i);
                            let need = 1 + next(members.len()) as u32;
                            let mode = if next(4) == 0 { Mode::Soft } else { Mode::Hard };
                            (!members.is_empty()).then(|| req(need, &members, mode))
                        })
                        .collect();
                    (None, requirements)
                })
                .collect(),
        )
    }

    #[test]
    fn one_victim_many_failures_reuses_its_dependencies() {
        for seed in 0..3 {
            let model = tangled(80, seed);
            let net = Net::new(&model);
            let full: Vec<Simulation> = model.ids().map(|x| simulate_net(&net, &[x])).collect();
            let mut within = Sparse::new(&net);
            for victim in model.ids() {
                for x in model.ids() {
                    within.run_for(&net, x, victim);
                    let expected = (full[x.index()].path(victim), full[x.index()].path_requirements(victim));
                    assert_eq!(within.path(&net, victim), expected, "seed {seed}, {x:?} fails: {victim:?}");
                }
            }
        }
    }

    #[test]
    fn a_set_run_lists_what_the_full_simulation_has_down() {
        for seed in 0..6 {
            let model = tangled(80, seed);
            let net = Net::new(&model);
            let mut sparse = Sparse::new(&net);
            let ids: Vec<ComponentId> = model.ids().collect();
            for pair in ids.windows(3).step_by(5) {
                let full = simulate_net(&net, pair);
                sparse.run_set(&net, pair);
                let down: Vec<ComponentId> = model.ids().filter(|&c| full.state(c) == State::Down).collect();
                assert_eq!(sparse.downs(), down, "seed {seed}, {pair:?} fail");
            }
        }
    }

    #[test]
    fn one_failure_at_a_time_matches_the_full_simulation() {
        for seed in 0..6 {
            let model = tangled(80, seed);
            let net = Net::new(&model);
            let mut single = Sparse::new(&net);
            for x in model.ids() {
                let full = simulate_net(&net, &[x]);
                single.run(&net, x);
                for c in model.ids() {
                    assert_eq!(single.state(c), full.state(c), "seed {seed}, {x:?} fails: state of {c:?}");
                    let path = (full.path(c), full.path_requirements(c));
                    assert_eq!(single.path(&net, c), path, "seed {seed}, {x:?} fails: path of {c:?}");
                }
                let mut within = Sparse::new(&net);
                for victim in model.ids() {
                    within.run_for(&net, x, victim);
                    let path = (full.path(victim), full.path_requirements(victim));
                    assert_eq!(
                        within.path(&net, victim),
                        path,
                        "seed {seed}, {x:?} fails: path of {victim:?}"
                    );
                    for &step in &path.0 {
                        for r in net.requirements(step.index() as u32) {
                            for &m in net.members(r) {
                                let m = Net::id(m);
                                assert_eq!(within.state(m), full.state(m), "seed {seed}, {x:?}: {m:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
