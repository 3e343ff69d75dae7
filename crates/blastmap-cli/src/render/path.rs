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

/// The cascade path of `c` in words; a path of more than [`PATH_SHOWN`]
/// steps keeps its start and its failed end, with the number of steps
/// left out between them (JSON outputs keep every step).
pub(crate) fn describe(model: &Model, sim: &Simulation, c: ComponentId) -> String {
    let path = sim.path(c);
    let reqs = sim.path_requirements(c);
    // One piece per step, each with the arrow that leads to it.
    let mut pieces: Vec<String> = Vec::new();
    let mut arrow = "";
    for (i, &step) in path.iter().enumerate() {
        let mut piece = format!("{arrow}{}", safe(&model.component(step).id));
        if sim.is_failed(step) {
            piece.push_str(" (failed)");
            pieces.push(piece);
            break;
        }
        let Some(&r) = reqs.get(i) else {
            pieces.push(piece);
            break;
        };
        let Some(req) = model.component(step).requirements.get(r as usize) else {
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
    if pieces.len() <= PATH_SHOWN {
        return pieces.concat();
    }
    let left_out = pieces.len() - PATH_HEAD - PATH_TAIL;
    let mut out = pieces[..PATH_HEAD].concat();
    out.push_str(&format!(" → … {left_out} more steps …"));
    out.push_str(&pieces[pieces.len() - PATH_TAIL..].concat());
    out
}
