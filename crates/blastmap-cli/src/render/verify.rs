//! `blastmap verify` outputs: text for people and
//! `blastmap.verification/v1` JSON.

use blastmap_analysis::simulate::State;
use blastmap_analysis::verify::{Cause, Row, Verification};
use blastmap_manifest::{ComponentId, Model};
use serde_json::{Value, json};

use crate::render::path::group_name;
use crate::render::{Table, plural, safe};
use crate::style::{Style, Tone};

fn id(model: &Model, c: ComponentId) -> String {
    model.component(c).id.clone()
}

fn ids(model: &Model, list: &[ComponentId]) -> Vec<String> {
    list.iter().map(|&c| id(model, c)).collect()
}

fn quoted(model: &Model, list: &[ComponentId]) -> String {
    list.iter().map(|&c| format!("`{}`", id(model, c))).collect::<Vec<_>>().join(", ")
}

fn predicted_word(row: &Row) -> &'static str {
    row.predicted.map_or("failed", State::as_str)
}

fn observed_word(row: &Row) -> &'static str {
    row.observed.map_or("unknown", State::as_str)
}

/// Where a requirement of `c` was written, when known.
fn at(model: &Model, c: ComponentId, requirement: usize) -> String {
    model
        .component(c)
        .requirements
        .get(requirement)
        .filter(|r| r.location.is_known())
        .map_or_else(String::new, |r| format!(" ({})", r.location))
}

/// The cause in inventory terms (not yet terminal-safe).
pub(crate) fn cause_text(model: &Model, c: ComponentId, row: &Row, cause: &Cause) -> String {
    let req = |r: usize| model.component(c).requirements.get(r);
    let path = |p: &[ComponentId]| p.iter().map(|&m| id(model, m)).collect::<Vec<_>>().join(" → ");
    match cause {
        Cause::Follows { requirement, because } => format!(
            "it needs `{}`{}, which was observed {} too: it follows from that mismatch",
            id(model, *because),
            at(model, c, *requirement),
            observed_word(row)
        ),
        Cause::SoftIsHard { requirement, target } => format!(
            "it declares `{}` soft{}, but went down with it: the dependency is hard in reality (remove `mode: soft`, or make it degrade)",
            id(model, *target),
            at(model, c, *requirement)
        ),
        Cause::RedundancyNotReal { requirement, lost } => format!(
            "{}{} was predicted to hold, but losing {} took it down: the redundancy is not real (a shared dependency of the members, or it needs more of them than declared)",
            req(*requirement).map_or_else(|| "its group".to_owned(), |r| group_name(model, r)),
            at(model, c, *requirement),
            quoted(model, lost)
        ),
        Cause::Undeclared { hard, candidates } => {
            let what = if *hard { "hard" } else { "soft" };
            let state = if *hard { "went down" } else { "was degraded" };
            if candidates.is_empty() {
                format!("it {state} with nothing declared to explain it: an undeclared {what} dependency on something outside the inventory")
            } else {
                format!(
                    "it {state} with nothing declared to explain it: an undeclared {what} dependency, likely on {}",
                    quoted(model, candidates)
                )
            }
        }
        Cause::DeclaredHard { requirement, path: p } => format!(
            "predicted down through {}, but it stayed {}: the dependency{} is soft, redundant or absent in reality",
            path(p),
            observed_word(row),
            at(model, c, *requirement)
        ),
        Cause::DegradationNotSeen { path: p, .. } => format!(
            "predicted degraded through {}, but it answered up: its health check may not report degradation, or the soft dependency is not used",
            path(p)
        ),
        Cause::InjectionNotObserved => "the injection did not take it down: the drill tells nothing about what needs it (check its `drill.inject`)".to_owned(),
    }
}

/// The components a cause points at.
fn candidates(model: &Model, c: ComponentId, cause: &Cause) -> Vec<ComponentId> {
    match cause {
        Cause::Follows { because, .. } => vec![*because],
        Cause::SoftIsHard { target, .. } => vec![*target],
        Cause::RedundancyNotReal { lost, .. } => lost.clone(),
        Cause::Undeclared { candidates, .. } => candidates.clone(),
        Cause::DeclaredHard { requirement, .. } | Cause::DegradationNotSeen { requirement, .. } => {
            model.component(c).requirements.get(*requirement).map_or_else(Vec::new, |r| r.members.clone())
        }
        Cause::InjectionNotObserved => Vec::new(),
    }
}

fn cause_code(cause: &Cause) -> &'static str {
    match cause {
        Cause::Follows { .. } => "follows",
        Cause::SoftIsHard { .. } => "soft-is-hard",
        Cause::RedundancyNotReal { .. } => "redundancy-not-real",
        Cause::Undeclared { hard: true, .. } => "undeclared-hard-dependency",
        Cause::Undeclared { hard: false, .. } => "undeclared-soft-dependency",
        Cause::DeclaredHard { .. } => "declared-hard",
        Cause::DegradationNotSeen { .. } => "degradation-not-seen",
        Cause::InjectionNotObserved => "injection-not-observed",
    }
}

/// Whether the drill confirmed the model.
pub(crate) fn held(v: &Verification) -> bool {
    v.held && v.injection_observed
}

/// `blastmap.verification/v1`.
pub(crate) fn json(model: &Model, v: &Verification) -> Value {
    let components: Vec<Value> = v
        .rows
        .iter()
        .map(|row| {
            let mut entry = json!({
                "id": id(model, row.component),
                "predicted": predicted_word(row),
                "observed": observed_word(row),
            });
            if let (Some(cause), Some(map)) = (&row.cause, entry.as_object_mut()) {
                map.insert("cause".to_owned(), json!(cause_code(cause)));
                map.insert("explanation".to_owned(), json!(cause_text(model, row.component, row, cause)));
                map.insert(
                    "candidates".to_owned(),
                    json!(ids(model, &candidates(model, row.component, cause))),
                );
            }
            entry
        })
        .collect();
    let mut sorted = components;
    sorted.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    json!({
        "schema": "blastmap.verification/v1",
        "held": held(v),
        "failed": ids(model, v.simulation.failed()),
        "injection_observed": v.injection_observed,
        "components": sorted,
        "unobserved": ids(model, &v.unobserved),
    })
}

/// `, 4 following from cart`: how many mismatches follow from the others,
/// and those, when some do.
fn origins(model: &Model, v: &Verification) -> String {
    let roots: Vec<String> = v
        .rows
        .iter()
        .filter(|r| {
            r.cause
                .as_ref()
                .is_some_and(|c| !matches!(c, Cause::Follows { .. } | Cause::DegradationNotSeen { .. }))
        })
        .map(|r| safe(&id(model, r.component)))
        .collect();
    let all = v
        .rows
        .iter()
        .filter(|r| r.cause.as_ref().is_some_and(|c| !matches!(c, Cause::DegradationNotSeen { .. })))
        .count();
    if roots.is_empty() || roots.len() == all {
        return String::new();
    }
    format!(", {} following from {}", all - roots.len(), roots.join(", "))
}

/// The text report.
pub(crate) fn text(model: &Model, v: &Verification, style: Style) -> String {
    let failed = ids(model, v.simulation.failed()).iter().map(|s| safe(s)).collect::<Vec<_>>().join(", ");
    let mismatches = v
        .rows
        .iter()
        .filter(|r| r.cause.as_ref().is_some_and(|c| !matches!(c, Cause::DegradationNotSeen { .. })))
        .count();
    let mut out = format!(
        "{}\n\n",
        style.paint(
            Tone::Heading,
            &format!("Drill of {failed}: {} predicted or observed not up", plural(v.rows.len(), "component"))
        )
    );
    let mut table = Table::new(&["component", "predicted", "observed", "cause"]);
    let mut rows: Vec<&Row> = v.rows.iter().collect();
    rows.sort_by(|a, b| model.component(a.component).id.cmp(&model.component(b.component).id));
    for row in rows {
        let cause =
            row.cause.as_ref().map_or_else(String::new, |k| safe(&cause_text(model, row.component, row, k)));
        let observed = match (&row.cause, row.observed) {
            (Some(Cause::DegradationNotSeen { .. }), _) => style.paint(Tone::Degraded, observed_word(row)),
            (Some(_), _) => style.paint(Tone::Failed, observed_word(row)),
            (None, Some(s)) => style.state(s.as_str()),
            (None, None) => style.paint(Tone::Dim, "unknown"),
        };
        table.row(vec![safe(&id(model, row.component)), style.state(predicted_word(row)), observed, cause]);
    }
    out.push_str(&table.render());
    if !v.unobserved.is_empty() {
        out.push_str(&format!(
            "\nNot observed (no `health` URL, or no probe in the journal): {}\n",
            ids(model, &v.unobserved).iter().map(|s| safe(s)).collect::<Vec<_>>().join(", ")
        ));
    }
    out.push('\n');
    let unseen = v.rows.iter().filter(|r| matches!(r.cause, Some(Cause::DegradationNotSeen { .. }))).count();
    if held(v) {
        let mut line =
            "verify: the model held: every observed component was in its predicted state".to_owned();
        if unseen > 0 {
            line.push_str(&format!(
                ", but {} predicted degraded answered up (not counted against the model: most health checks cannot say degraded)",
                plural(unseen, "component")
            ));
        }
        out.push_str(&format!("{}\n", style.paint(Tone::Good, &line)));
    } else if !v.injection_observed {
        out.push_str(&format!(
            "{}\n",
            style.paint(
                Tone::Failed,
                "verify: the drill did not take down what it failed: nothing is confirmed"
            )
        ));
    } else {
        out.push_str(&format!(
            "{}\n",
            style.paint(
                Tone::Failed,
                &format!(
                    "verify: the model was wrong: {mismatches} {}{}",
                    if mismatches == 1 { "mismatch" } else { "mismatches" },
                    origins(model, v)
                )
            )
        ));
    }
    out
}
