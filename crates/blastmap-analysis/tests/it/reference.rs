//! A deliberately naive reference implementation of docs/semantics.md#fixpoint,
//! for the property tests: apply the rules to every component, again and again,
//! until nothing changes. No graph algorithms, no cleverness.

use blastmap_analysis::simulate::State;
use blastmap_manifest::{ComponentId, Mode, Model, Requirement};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Met,
    Impaired,
    Unmet,
}

/// The outcome of one requirement under `states`, soft lowering included.
pub(crate) fn outcome(req: &Requirement, states: &[State]) -> Outcome {
    let raw = raw_outcome(req, states);
    if req.mode == Mode::Soft {
        match raw {
            Outcome::Unmet => Outcome::Impaired,
            Outcome::Impaired | Outcome::Met => Outcome::Met,
        }
    } else {
        raw
    }
}

/// The outcome before soft lowering.
pub(crate) fn raw_outcome(req: &Requirement, states: &[State]) -> Outcome {
    if req.members.len() == 1 && req.need == 1 {
        return match states[req.members[0].index()] {
            State::Down => Outcome::Unmet,
            State::Degraded => Outcome::Impaired,
            State::Up => Outcome::Met,
        };
    }
    let alive = req.members.iter().filter(|m| states[m.index()] != State::Down).count();
    let healthy = req.members.iter().filter(|m| states[m.index()] == State::Up).count();
    let k = req.need as usize;
    if alive < k {
        Outcome::Unmet
    } else if healthy < k {
        Outcome::Impaired
    } else {
        Outcome::Met
    }
}

/// The state of every component when `failed` fail.
pub(crate) fn states(model: &Model, failed: &[ComponentId]) -> Vec<State> {
    let mut states = vec![State::Up; model.len()];
    for f in failed {
        states[f.index()] = State::Down;
    }
    loop {
        let mut changed = false;
        for c in model.ids() {
            let new = if failed.contains(&c) {
                State::Down
            } else {
                let worst = model.component(c).requirements.iter().map(|r| outcome(r, &states)).max();
                match worst {
                    Some(Outcome::Unmet) => State::Down,
                    Some(Outcome::Impaired) => State::Degraded,
                    _ => State::Up,
                }
            };
            if new != states[c.index()] {
                states[c.index()] = new;
                changed = true;
            }
        }
        if !changed {
            return states;
        }
    }
}

/// Whether `failed` takes `s` down.
pub(crate) fn takes_down(model: &Model, failed: &[ComponentId], s: ComponentId) -> bool {
    states(model, failed)[s.index()] == State::Down
}

/// The SPOFs of `s`: every X ≠ s whose failure alone takes it down.
pub(crate) fn spofs(model: &Model, s: ComponentId) -> Vec<ComponentId> {
    model.ids().filter(|&x| x != s && takes_down(model, &[x], s)).collect()
}

/// Every pair {x, y} (x < y) that takes `s` down while neither alone does
/// (nor is `s` itself among them).
pub(crate) fn pair_cuts(model: &Model, s: ComponentId) -> Vec<[ComponentId; 2]> {
    let singles = spofs(model, s);
    let mut pairs = Vec::new();
    for x in model.ids() {
        for y in model.ids() {
            if x < y
                && x != s
                && y != s
                && !singles.contains(&x)
                && !singles.contains(&y)
                && takes_down(model, &[x, y], s)
            {
                pairs.push([x, y]);
            }
        }
    }
    pairs
}

/// Shortest number of steps from each component to a failed one through
/// requirements that justify each step's state, by relaxing until stable.
pub(crate) fn path_lengths(model: &Model, failed: &[ComponentId], states: &[State]) -> Vec<Option<u32>> {
    let mut dist: Vec<Option<u32>> = vec![None; model.len()];
    for f in failed {
        dist[f.index()] = Some(0);
    }
    loop {
        let mut changed = false;
        for c in model.ids() {
            if failed.contains(&c) || states[c.index()] == State::Up {
                continue;
            }
            for req in &model.component(c).requirements {
                let Some(needed) = justifying_level(req, states[c.index()], states) else { continue };
                for m in &req.members {
                    if states[m.index()] >= needed
                        && let Some(d) = dist[m.index()]
                        && dist[c.index()].is_none_or(|old| d + 1 < old)
                    {
                        dist[c.index()] = Some(d + 1);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return dist;
        }
    }
}

/// When `req` explains a component in `state`, the state a member needs to
/// be part of the explanation (down for unmet, degraded or worse for
/// impaired).
pub(crate) fn justifying_level(req: &Requirement, state: State, states: &[State]) -> Option<State> {
    let explains = match outcome(req, states) {
        Outcome::Unmet => state == State::Down,
        Outcome::Impaired => state == State::Degraded,
        Outcome::Met => false,
    };
    if !explains {
        return None;
    }
    match raw_outcome(req, states) {
        Outcome::Unmet => Some(State::Down),
        _ => Some(State::Degraded),
    }
}
