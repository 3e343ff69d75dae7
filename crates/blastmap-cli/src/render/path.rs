//! Cascade paths in words: `web → checkout → payments → payments-db (failed)`,
//! with groups named: `any_of(redis-a, redis-b): both down`.

use blastmap_analysis::simulate::{Simulation, State};
use blastmap_manifest::{ComponentId, Mode, Model, Requirement, RequirementShape};

use crate::render::safe;

/// A group as written: `any_of(a, b)` or `quorum 2 of (a, b, c)`.
pub(crate) fn group_name(model: &Model, r: &Requirement) -> String {
    let members: Vec<String> = r.members.iter().map(|&m| safe(&model.component(m).id)).collect();
    match r.shape {
        RequirementShape::Single => members.join(", "),
        RequirementShape::AnyOf => format!("any_of({})", members.join(", ")),
        RequirementShape::Quorum => format!("quorum {} of ({})", r.need, members.join(", ")),
    }
}

/// How the members of a group fare: `both down`, `2 of 3 down`, `1 down, 1 degraded`.
pub(crate) fn group_status(r: &Requirement, sim: &Simulation) -> String {
    let down = r.members.iter().filter(|&&m| sim.state(m) == State::Down).count();
    let degraded = r.members.iter().filter(|&&m| sim.state(m) == State::Degraded).count();
    status_words(r.members.len(), down, degraded)
}

/// `both down`, `2 of 3 down`, `1 down, 1 degraded of 3` for a group of `n`.
pub(crate) fn status_words(n: usize, down: usize, degraded: usize) -> String {
    match (down, degraded) {
        (d, 0) if d == n && n == 2 => "both down".to_owned(),
        (d, 0) if d == n => format!("all {n} down"),
        (d, 0) => format!("{d} of {n} down"),
        (0, g) => format!("{g} of {n} degraded"),
        (d, g) => format!("{d} down, {g} degraded of {n}"),
    }
}

/// How many steps of a cascade path are written before the middle is
/// elided (the first [`PATH_HEAD`] and the last [`PATH_TAIL`] stay): a
/// chain of n components would otherwise write n² ids for n failures.
const PATH_SHOWN: usize = 12;
const PATH_HEAD: usize = 8;
const PATH_TAIL: usize = 3;

/// The length of every cascade path of one simulation, and where its
/// last steps start: computed once in O(n), so that writing every
/// component's path costs O(1) each, not the length of the path (a chain of
/// n components has paths of n steps).
pub(crate) struct Paths {
    /// Steps of the path of each component (itself included; 1 when
    /// failed or up).
    len: Vec<u32>,
    /// The step [`PATH_TAIL`] + 1 steps before the end of each path (the
    /// component itself when the path is shorter).
    tail: Vec<ComponentId>,
}

impl Paths {
    pub(crate) fn new(model: &Model, sim: &Simulation) -> Self {
        let n = model.len();
        let mut len = vec![0u32; n];
        let mut tail: Vec<ComponentId> = model.ids().collect();
        let mut stack = Vec::new();
        for c in model.ids() {
            let mut at = c;
            // Down the path to a step already known or its end.
            while len.get(at.index()).is_some_and(|&l| l == 0) {
                stack.push(at);
                match sim.cause(at) {
                    Some(cause) => at = cause.next,
                    None => break,
                }
            }
            while let Some(x) = stack.pop() {
                let next = sim.cause(x).map(|cause| cause.next);
                let l = next.and_then(|y| len.get(y.index()).copied()).map_or(1, |l| l + 1);
                if let Some(slot) = len.get_mut(x.index()) {
                    *slot = l;
                }
                if let Some(y) = next.filter(|_| l as usize > PATH_TAIL + 1) {
                    let from = tail.get(y.index()).copied().unwrap_or(y);
                    if let Some(slot) = tail.get_mut(x.index()) {
                        *slot = from;
                    }
                }
            }
        }
        Paths { len, tail }
    }

    /// Steps of the cascade path of `c`, itself included.
    pub(crate) fn len(&self, c: ComponentId) -> usize {
        self.len.get(c.index()).map_or(1, |&l| l as usize)
    }
}

/// Up to `count` steps of a cascade path from `c`.
fn walk(sim: &Simulation, c: ComponentId, count: usize) -> Vec<ComponentId> {
    let mut steps = vec![c];
    let mut at = c;
    while steps.len() < count {
        let Some(cause) = sim.cause(at) else { break };
        at = cause.next;
        steps.push(at);
    }
    steps
}

/// The words of consecutive steps of a cascade path, each with the arrow
/// that leads to it (none before the first).
fn pieces(model: &Model, sim: &Simulation, steps: &[ComponentId]) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut arrow = "";
    for &step in steps {
        let mut piece = format!("{arrow}{}", safe(&model.component(step).id));
        if sim.is_failed(step) {
            piece.push_str(" (failed)");
            pieces.push(piece);
            break;
        }
        let Some(cause) = sim.cause(step) else {
            pieces.push(piece);
            break;
        };
        let Some(req) = model.component(step).requirements.get(cause.requirement as usize) else {
            pieces.push(piece);
            break;
        };
        arrow = if req.mode == Mode::Soft { " →(soft) " } else { " → " };
        if req.is_group() {
            piece.push_str(&format!("{arrow}{}: {}", group_name(model, req), group_status(req, sim)));
            arrow = " → ";
        }
        pieces.push(piece);
    }
    pieces
}

/// The cascade path of `c` in words; a path of more than [`PATH_SHOWN`]
/// steps keeps its start and its failed end, with the number of steps
/// left out between them (JSON outputs keep the first 100 steps and the
/// next step of every component).
pub(crate) fn describe(model: &Model, sim: &Simulation, paths: &Paths, c: ComponentId) -> String {
    let len = paths.len(c);
    if len <= PATH_SHOWN {
        return pieces(model, sim, &walk(sim, c, len)).concat();
    }
    let left_out = len - PATH_HEAD - PATH_TAIL;
    let mut out = pieces(model, sim, &walk(sim, c, PATH_HEAD)).concat();
    out.push_str(&format!(" → … {left_out} more steps …"));
    // From the step before the tail: its requirement gives the first arrow.
    let before = paths.tail.get(c.index()).copied().unwrap_or(c);
    out.extend(pieces(model, sim, &walk(sim, before, PATH_TAIL + 1)).into_iter().skip(1));
    out
}
