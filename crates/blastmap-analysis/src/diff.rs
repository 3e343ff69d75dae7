//! What changed in risk between two inventories (`blastmap diff`): added and
//! removed components and requirements, new and removed single points of
//! failure of critical components, blast-radius changes, new and removed
//! hard cycles, and availability ceilings that moved.
//!
//! Components are matched by id: the two models have their own indices, so
//! everything in a [`Diff`] is named by id strings.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use blastmap_manifest::{ComponentId, Mode, Model, Origin, RequirementShape};

use crate::availability::{Availability, AvailabilityOptions, Method, availability};
use crate::cycles::hard_cycles;
use crate::net::Net;
use crate::sweep::{DEFAULT_MAX_PAIRS, Sweep, SweepOptions, Targets, sweep};

/// A requirement named by ids, comparable across models.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dep {
    /// The component that has the requirement.
    pub from: String,
    pub shape: RequirementShape,
    /// k of a k-of-n group (1 for single targets).
    pub need: u32,
    /// The members, sorted.
    pub members: Vec<String>,
    pub mode: Mode,
    pub origin: Origin,
}

/// `component` lost or gained `spof` as a single point of failure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpofChange {
    /// The critical component (tier 1 or entrypoint).
    pub component: String,
    /// The failure that takes it down alone.
    pub spof: String,
}

/// A blast radius that changed (components present on both sides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiusChange {
    pub component: String,
    /// Components taken down, before and after.
    pub before: u32,
    pub after: u32,
}

impl RadiusChange {
    pub fn delta(&self) -> i64 {
        i64::from(self.after) - i64::from(self.before)
    }
}

/// An availability ceiling that moved (components present on both sides).
#[derive(Debug, Clone, PartialEq)]
pub struct AvailabilityChange {
    pub component: String,
    /// 0..1; `None` when the component cannot fail.
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// The component's SLO on the head side, in percent.
    pub slo: Option<f64>,
}

impl AvailabilityChange {
    /// Whether the ceiling went down.
    pub fn dropped(&self) -> bool {
        self.after.unwrap_or(1.0) < self.before.unwrap_or(1.0)
    }
}

/// Everything [`diff`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// Component ids, sorted.
    pub added_components: Vec<String>,
    pub removed_components: Vec<String>,
    /// Requirements, sorted.
    pub added_dependencies: Vec<Dep>,
    pub removed_dependencies: Vec<Dep>,
    /// Sorted by component, then SPOF.
    pub new_spofs: Vec<SpofChange>,
    pub removed_spofs: Vec<SpofChange>,
    /// Every changed blast radius, largest change first (by absolute
    /// value, growth before shrinkage, then id).
    pub radius_changes: Vec<RadiusChange>,
    /// Cycles as sorted id lists, sorted.
    pub new_cycles: Vec<Vec<String>>,
    pub removed_cycles: Vec<Vec<String>>,
    /// Sorted by id.
    pub availability_changes: Vec<AvailabilityChange>,
    /// Whether `new_spofs` and `removed_spofs` are incomplete: the SPOF
    /// lists of the components whose SPOFs changed hold more than the bound
    /// on pairs ([`diff_within`]).
    pub spofs_incomplete: bool,
    /// When one side is observed traffic (every requirement says
    /// `via: observed: N calls`, as the Jaeger/OpenTelemetry importer
    /// writes): declared against observed dependencies.
    pub observed: Option<Observed>,
}

/// Declared dependencies against observed calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Whether the observed side is HEAD (else BASE).
    pub observed_is_head: bool,
    /// Calls seen in traffic that no declared requirement covers:
    /// (caller, callee, what the traffic said), sorted.
    pub undeclared: Vec<(String, String, String)>,
    /// Declared dependencies of components that appear in the traffic (so
    /// they are instrumented) with no call seen to the target: (from, to),
    /// sorted. A component absent from the traffic says nothing.
    pub unused: Vec<(String, String)>,
}

/// Whether a model describes observed traffic: it has requirements and every
/// one of them carries `via: observed: ...`.
pub fn is_observed(model: &Model) -> bool {
    let mut any = false;
    for c in model.components() {
        for r in &c.requirements {
            if !r.via.as_deref().is_some_and(|v| v.starts_with("observed:")) {
                return false;
            }
            any = true;
        }
    }
    any
}

/// (from, member) pairs of every requirement, with the requirement's `via`.
fn edges(model: &Model) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for c in model.components() {
        for r in &c.requirements {
            for &m in &r.members {
                out.insert((c.id.clone(), model.component(m).id.clone()), r.via.clone().unwrap_or_default());
            }
        }
    }
    out
}

/// Compares what a manifest declares with what traffic shows.
///
/// # Complexity
/// O(m log m) for m requirement members on both sides.
pub fn declared_vs_observed(declared: &Model, observed: &Model, observed_is_head: bool) -> Observed {
    let (said, seen) = (edges(declared), edges(observed));
    let present: BTreeSet<&str> = observed.components().map(|c| c.id.as_str()).collect();
    Observed {
        observed_is_head,
        undeclared: seen
            .iter()
            .filter(|(pair, _)| !said.contains_key(*pair))
            .map(|((a, b), via)| (a.clone(), b.clone(), via.clone()))
            .collect(),
        unused: said
            .keys()
            .filter(|(a, _)| present.contains(a.as_str()))
            .filter(|pair| !seen.contains_key(*pair))
            .cloned()
            .collect(),
    }
}

impl Diff {
    /// Whether the two inventories are the same in every respect compared.
    pub fn is_empty(&self) -> bool {
        self == &Diff::default()
    }
}

/// Compares `base` with `head`.
///
/// # Complexity
/// One sweep and one availability analysis per side (see [`sweep`] and
/// [`availability`]), plus O((n + m) log(n + m)) to match components and
/// requirements by id.
pub fn diff(base: &Model, head: &Model) -> Diff {
    diff_within(base, head, DEFAULT_MAX_PAIRS)
}

/// [`diff`], holding at most `max_pairs` (component, SPOF) pairs per side.
///
/// # Complexity
/// As [`diff`]; SPOF lists are compared by count and fingerprint first, and
/// only those of components whose SPOFs changed are listed and compared
/// (a second sweep per side when the first held too many pairs).
pub fn diff_within(base: &Model, head: &Model, max_pairs: u64) -> Diff {
    let ids = |m: &Model| -> BTreeSet<String> { m.components().map(|c| c.id.clone()).collect() };
    let (base_ids, head_ids) = (ids(base), ids(head));
    let deps = |m: &Model| -> BTreeSet<Dep> { dependencies(m).collect() };
    let (base_deps, head_deps) = (deps(base), deps(head));

    let (base_sweep, head_sweep) =
        (sweep_of(base, Targets::Critical, max_pairs), sweep_of(head, Targets::Critical, max_pairs));
    let (new_spofs, removed_spofs, spofs_incomplete) =
        spof_diff((base, &base_sweep), (head, &head_sweep), max_pairs);

    let mut radius_changes: Vec<RadiusChange> = head
        .ids()
        .filter_map(|c| {
            let id = &head.component(c).id;
            let b = base.find(id)?;
            let (before, after) = (base_sweep.radius(b).down, head_sweep.radius(c).down);
            (before != after).then(|| RadiusChange { component: id.clone(), before, after })
        })
        .collect();
    radius_changes.sort_by(|a, b| {
        b.delta()
            .abs()
            .cmp(&a.delta().abs())
            .then(b.delta().cmp(&a.delta()))
            .then(a.component.cmp(&b.component))
    });

    let cycles = |m: &Model| -> BTreeSet<Vec<String>> {
        hard_cycles(m)
            .into_iter()
            .map(|c| c.into_iter().map(|x| m.component(x).id.clone()).collect())
            .collect()
    };
    let (base_cycles, head_cycles) = (cycles(base), cycles(head));

    let options = AvailabilityOptions::default();
    let (base_avail, head_avail) = (availability(base, &options), availability(head, &options));
    let mut availability_changes = Vec::new();
    for c in head.ids() {
        let component = head.component(c);
        let Some(b) = base.find(&component.id) else { continue };
        let (before, after) = (base_avail[b.index()].as_ref(), head_avail[c.index()].as_ref());
        if moved(before, after) {
            availability_changes.push(AvailabilityChange {
                component: component.id.clone(),
                before: before.map(|a| a.value),
                after: after.map(|a| a.value),
                slo: component.slo,
            });
        }
    }

    Diff {
        added_components: head_ids.difference(&base_ids).cloned().collect(),
        removed_components: base_ids.difference(&head_ids).cloned().collect(),
        added_dependencies: head_deps.difference(&base_deps).cloned().collect(),
        removed_dependencies: base_deps.difference(&head_deps).cloned().collect(),
        new_spofs,
        removed_spofs,
        radius_changes,
        new_cycles: head_cycles.difference(&base_cycles).cloned().collect(),
        removed_cycles: base_cycles.difference(&head_cycles).cloned().collect(),
        availability_changes,
        spofs_incomplete,
        observed: match (is_observed(base), is_observed(head)) {
            (false, true) => Some(declared_vs_observed(base, head, true)),
            (true, false) => Some(declared_vs_observed(head, base, false)),
            _ => None,
        },
    }
}

fn dependencies(model: &Model) -> impl Iterator<Item = Dep> + '_ {
    model.components().flat_map(move |c| {
        c.requirements.iter().map(move |r| {
            let mut members: Vec<String> = r.members.iter().map(|&m| model.component(m).id.clone()).collect();
            members.sort();
            Dep { from: c.id.clone(), shape: r.shape, need: r.need, members, mode: r.mode, origin: r.origin }
        })
    })
}

fn sweep_of(model: &Model, causes: Targets, max_pairs: u64) -> Sweep {
    sweep(model, &Net::new(model), &SweepOptions { causes, max_pairs, ..SweepOptions::default() })
}

/// New and removed (critical component, SPOF) pairs, and whether they are
/// incomplete. A component whose SPOFs have the same count and fingerprint
/// on both sides is skipped; when a first sweep held too few pairs to
/// compare the others, both sides are swept again for those alone.
fn spof_diff(
    (base, base_swept): (&Model, &Sweep),
    (head, head_swept): (&Model, &Sweep),
    max_pairs: u64,
) -> (Vec<SpofChange>, Vec<SpofChange>, bool) {
    let same = |one: &Model, one_swept: &Sweep, other: &Model, other_swept: &Sweep, s| {
        let count = one_swept.cause_count(s);
        let theirs = other.find(&one.component(s).id).filter(|&o| other.component(o).is_critical());
        match theirs {
            None => count == 0,
            Some(o) => {
                count == other_swept.cause_count(o) && one_swept.fingerprint(s) == other_swept.fingerprint(o)
            }
        }
    };
    let changed = |one: &Model, one_swept: &Sweep, other: &Model, other_swept: &Sweep| -> Vec<ComponentId> {
        one.ids()
            .filter(|&s| one.component(s).is_critical() && !same(one, one_swept, other, other_swept, s))
            .collect()
    };
    let head_changed = changed(head, head_swept, base, base_swept);
    let base_changed = changed(base, base_swept, head, head_swept);
    if base_swept.complete() && head_swept.complete() {
        return (
            spof_changes((head, head_swept), (base, base_swept), &head_changed),
            spof_changes((base, base_swept), (head, head_swept), &base_changed),
            false,
        );
    }
    // The components to list on each side: those changed on either.
    let mut ids: BTreeSet<&str> = head_changed.iter().map(|&c| head.component(c).id.as_str()).collect();
    ids.extend(base_changed.iter().map(|&c| base.component(c).id.as_str()));
    let on = |m: &Model| Targets::Only(ids.iter().filter_map(|id| m.find(id)).collect());
    let (base_again, head_again) = (sweep_of(base, on(base), max_pairs), sweep_of(head, on(head), max_pairs));
    (
        spof_changes((head, &head_again), (base, &base_again), &head_changed),
        spof_changes((base, &base_again), (head, &head_again), &base_changed),
        !(base_again.complete() && head_again.complete()),
    )
}

/// The (critical component, its SPOF) pairs of `one` that `other` does not
/// have, by id, sorted, for the components `of`. Compared component by
/// component: holding every pair of both sides as strings took gigabytes
/// on a chain of 10,000 critical components, whose pairs grow with the
/// square of its length.
///
/// # Complexity
/// O(pairs of `of` on both sides) time; memory O(the SPOFs of one
/// component) plus the result.
fn spof_changes(
    (one, one_swept): (&Model, &Sweep),
    (other, other_swept): (&Model, &Sweep),
    of: &[ComponentId],
) -> Vec<SpofChange> {
    let mut changes = Vec::new();
    for &s in of {
        let causes = one_swept.causes(s).unwrap_or_default();
        if causes.is_empty() {
            continue;
        }
        let id = &one.component(s).id;
        let theirs: HashSet<&str> = other
            .find(id)
            .and_then(|o| other_swept.causes(o))
            .unwrap_or_default()
            .iter()
            .map(|&x| other.component(x).id.as_str())
            .collect();
        for &x in causes {
            let spof = &one.component(x).id;
            if !theirs.contains(spof.as_str()) {
                changes.push(SpofChange { component: id.clone(), spof: spof.clone() });
            }
        }
    }
    changes.sort_unstable();
    changes
}

/// Whether an availability moved: beyond rounding for exact values; for
/// Monte Carlo estimates only when the two intervals do not overlap (the
/// sampling noise of an unchanged structure is not a change).
fn moved(before: Option<&Availability>, after: Option<&Availability>) -> bool {
    match (before, after) {
        (None, None) => false,
        (None, Some(_)) | (Some(_), None) => true,
        (Some(a), Some(b)) => {
            let exact = matches!(a.method, Method::Exact) && matches!(b.method, Method::Exact);
            if exact { (a.value - b.value).abs() > 1e-9 } else { a.high < b.low || b.high < a.low }
        }
    }
}
