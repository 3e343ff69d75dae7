//! What-if simulation of one failure set (DESIGN §3): the state of every
//! component, and for every affected one the requirement that put it there
//! and the shortest cascade path down to a failed component.

use std::collections::VecDeque;

use blastmap_manifest::{ComponentId, Model};
use serde::Serialize;

use crate::net::Net;

/// The state of a component under a failure set. Ordered `Up < Degraded <
/// Down`: the rules of §3 are monotone in this order.
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
const DEGRADED: u8 = 1;
const DOWN: u8 = 2;

/// Simulates the failure of `failed` (duplicates and ids outside the model
/// are ignored).
///
/// States are the least fixpoint of DESIGN §3. Every down or degraded
/// component that is not in `failed` gets a [`Cause`]: the requirement that
/// put it in its state and the member the cascade continues with, chosen so
/// that following [`Simulation::path`] gives a shortest path to a failed
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

    let level = propagate(net, &failed);
    let causes = explain(net, &failed, &level);
    Simulation { failed, states: level.iter().map(|&l| State::from_level(l)).collect(), causes }
}

/// The raw result of a requirement before the soft lowering: 2 unmet, 1
/// impaired, 0 met.
fn raw_level(net: &Net, r: u32, down: u32, not_up: u32) -> u8 {
    let losses = net.losses_to_fail(r);
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

/// Event-driven monotone propagation from "everything up except F". Each
/// raise is justified by the current (under-approximating) states, and at the
/// end every requirement's effect is reflected in its owner, so the result is
/// the least fixpoint.
fn propagate(net: &Net, failed: &[ComponentId]) -> Vec<u8> {
    let n = net.len();
    let mut level = vec![UP; n];
    // The level already added into the requirement counters.
    let mut counted = vec![UP; n];
    let mut down = vec![0u32; net.requirement_count()];
    let mut not_up = vec![0u32; net.requirement_count()];
    let mut is_failed = vec![false; n];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for f in failed {
        let f = f.index();
        is_failed[f] = true;
        level[f] = DOWN;
        queue.push_back(f as u32);
    }
    while let Some(x) = queue.pop_front() {
        let (old, new) = (counted[x as usize], level[x as usize]);
        if old == new {
            continue;
        }
        counted[x as usize] = new;
        for &r in net.required_by(x) {
            if old == UP {
                not_up[r as usize] += 1;
            }
            if new == DOWN {
                down[r as usize] += 1;
            }
            let owner = net.owner(r);
            if is_failed[owner as usize] {
                continue;
            }
            let effect = lowered(net, r, raw_level(net, r, down[r as usize], not_up[r as usize]));
            if effect > level[owner as usize] {
                level[owner as usize] = effect;
                queue.push_back(owner);
            }
        }
    }
    level
}

/// The raw level of every requirement under the final states.
fn requirement_levels(net: &Net, level: &[u8]) -> Vec<u8> {
    (0..net.requirement_count() as u32)
        .map(|r| {
            let (mut down, mut not_up) = (0, 0);
            for &m in net.members(r) {
                let l = level[m as usize];
                down += u32::from(l == DOWN);
                not_up += u32::from(l != UP);
            }
            raw_level(net, r, down, not_up)
        })
        .collect()
}

/// The lowest level a member must have to justify requirement `r` of a
/// component in state `target`, or `None` when `r` does not justify it.
fn justifying_member_level(net: &Net, r: u32, target: u8, raw: &[u8]) -> Option<u8> {
    let raw = raw[r as usize];
    (lowered(net, r, raw) == target).then_some(raw)
}

fn explain(net: &Net, failed: &[ComponentId], level: &[u8]) -> Vec<Option<Cause>> {
    const UNREACHED: u32 = u32::MAX;
    let n = net.len();
    let raw = requirement_levels(net, level);
    let mut distance = vec![UNREACHED; n];
    let mut queue: VecDeque<u32> = VecDeque::new();
    for f in failed {
        distance[f.index()] = 0;
        queue.push_back(f.index() as u32);
    }
    // Multi-source BFS over "x justifies its requirement r, which justifies
    // r's owner": layer by layer, so distances are shortest.
    while let Some(x) = queue.pop_front() {
        let lx = level[x as usize];
        for &r in net.required_by(x) {
            let owner = net.owner(r);
            let target = level[owner as usize];
            if distance[owner as usize] != UNREACHED || target == UP {
                continue;
            }
            if let Some(needed) = justifying_member_level(net, r, target, &raw)
                && lx >= needed
            {
                distance[owner as usize] = distance[x as usize] + 1;
                queue.push_back(owner);
            }
        }
    }

    let mut causes = vec![None; n];
    for c in 0..n as u32 {
        let target = level[c as usize];
        let d = distance[c as usize];
        if target == UP || d == 0 || d == UNREACHED {
            continue;
        }
        let first = net.requirements(c).start;
        'requirements: for r in net.requirements(c) {
            let Some(needed) = justifying_member_level(net, r, target, &raw) else { continue };
            // Members are in written order: take the lowest id among the
            // ones one step closer.
            let best = net
                .members(r)
                .iter()
                .copied()
                .filter(|&m| level[m as usize] >= needed && distance[m as usize] == d - 1)
                .min();
            if let Some(m) = best {
                causes[c as usize] = Some(Cause { requirement: r - first, next: Net::id(m), distance: d });
                break 'requirements;
            }
        }
    }
    causes
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
