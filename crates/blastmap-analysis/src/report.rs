//! The full analysis of `blastmap report`: runs the chosen analyses over one
//! model and gathers their results, ready for any renderer.

use blastmap_manifest::{ComponentId, Model};

use crate::availability::{Availability, AvailabilityOptions, availability_net};
use crate::cold_start::{ColdStart, cold_start_net};
use crate::cuts::{CutSets, DEFAULT_MAX_CANDIDATES, TooManyCandidates, candidate_bound, cut_sets_reusing};
use crate::cycles::{CyclePath, cycle_paths, hard_cycles_net};
use crate::net::{HardNet, Net};
use crate::progress::{Progress, Stage};
use crate::spof::{IllusoryRedundancy, Ranked, illusory_redundancy_tracked, rank_by_critical};
use crate::sweep::{
    BlastRadius, DEFAULT_MAX_PAIRS, DetailLists, DetailPlan, SweepOptions, Targets, passes, sweep_tracked,
};

/// Which analyses to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools, reason = "one independent switch per analysis")]
pub struct Analyses {
    pub blast_radius: bool,
    pub spof: bool,
    pub cuts: bool,
    pub availability: bool,
    pub cold_start: bool,
}

impl Analyses {
    /// Every analysis.
    pub const ALL: Analyses =
        Analyses { blast_radius: true, spof: true, cuts: true, availability: true, cold_start: true };
    /// None of them (to be switched on one by one).
    pub const NONE: Analyses =
        Analyses { blast_radius: false, spof: false, cuts: false, availability: false, cold_start: false };
}

/// How to run the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub analyses: Analyses,
    /// SPOFs and cut sets of every component, not only the critical ones.
    /// The complete id lists of `--detail` are not held in the report:
    /// [`stream_detail`] computes them a window at a time.
    pub detail: bool,
    pub availability: AvailabilityOptions,
    /// Order-2 cut sets are skipped (and the report says so) when more
    /// candidate pairs than this would have to be checked, or than the
    /// work bound allows ([`crate::cuts::candidate_bound`]).
    pub max_cut_candidates: u64,
    /// The most (component, SPOF) pairs and detail ids held
    /// ([`crate::sweep::SweepOptions::max_pairs`]): over it, every list
    /// keeps its count and its smallest ids, and [`Report::complete`] is
    /// false.
    pub max_pairs: u64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            analyses: Analyses::ALL,
            detail: false,
            availability: AvailabilityOptions::default(),
            max_cut_candidates: DEFAULT_MAX_CANDIDATES,
            max_pairs: DEFAULT_MAX_PAIRS,
        }
    }
}

/// Everything `report` computed. Analyses that were not run are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub components: usize,
    pub requirements: usize,
    /// Blast radius of every component, by index.
    pub radii: Option<Vec<BlastRadius>>,
    /// Components ranked by how many critical components they take down.
    pub ranking: Option<Vec<Ranked>>,
    /// SPOFs per component (critical ones, or all with `detail`), by index:
    /// all of them when [`Report::complete`], otherwise the
    /// [`crate::sweep::LISTED`] smallest ids.
    pub spofs: Option<Vec<Option<Vec<ComponentId>>>>,
    /// How many SPOFs each component has, by index (empty unless `spofs`).
    pub spof_totals: Vec<u32>,
    /// Whether every SPOF list is complete. False when they would hold more
    /// than [`ReportOptions::max_pairs`] entries ([`stream_detail`] gives
    /// them whole, a window at a time).
    pub complete: bool,
    /// Illusory redundancy: groups defeated by one failure, with their
    /// nearest culprits (docs/semantics.md#illusory-redundancy).
    pub illusory_redundancy: Option<IllusoryRedundancy>,
    /// Order ≤ 2 cut sets (critical components, or all with `detail`), or
    /// why they were skipped.
    pub cuts: Option<Result<Vec<CutSets>, TooManyCandidates>>,
    /// Availability of every component, by index.
    pub availability: Option<Vec<Option<Availability>>>,
    /// Hard cycles (always computed: it is cheap and every format shows it).
    pub cycles: Vec<Vec<ComponentId>>,
    /// A real closed path through each of `cycles` (same order).
    pub cycle_paths: Vec<CyclePath>,
    pub cold_start: Option<ColdStart>,
}

/// Runs the chosen analyses.
///
/// # Complexity
/// The sum of the analyses run: see [`crate::sweep::sweep`],
/// [`crate::cuts::cut_sets`], [`crate::availability::availability`],
/// [`crate::cold_start::cold_start`] and [`crate::cycles::hard_cycles`].
pub fn report(model: &Model, options: &ReportOptions) -> Report {
    report_with_progress(model, options, &Progress::new())
}

/// [`report`], publishing its stage and passes in `progress` for a caller
/// that polls it from another thread (the results are the same).
pub fn report_with_progress(model: &Model, options: &ReportOptions, progress: &Progress) -> Report {
    // Built once and shared: every analysis below reads one or the other.
    let net = Net::new(model);
    let hard = HardNet::new(model);
    let a = options.analyses;
    let targets = if options.detail { Targets::All } else { Targets::Critical };
    let mut out = Report {
        components: model.len(),
        requirements: model.components().map(|c| c.requirements.len()).sum(),
        radii: None,
        ranking: None,
        spofs: None,
        spof_totals: Vec::new(),
        complete: true,
        illusory_redundancy: None,
        cuts: None,
        availability: None,
        cycles: hard_cycles_net(&hard),
        cycle_paths: Vec::new(),
        cold_start: None,
    };
    out.cycle_paths = cycle_paths(model, &out.cycles);
    let mut swept = None;
    if a.blast_radius || a.spof {
        let causes = if a.spof { targets.clone() } else { Targets::None };
        progress.begin(Stage::BlastRadius, passes(&net));
        let options = SweepOptions { detail: false, causes, failures: None, max_pairs: options.max_pairs };
        let done = sweep_tracked(model, &net, &options, Some(progress));
        out.complete = done.complete();
        if a.spof {
            out.ranking = Some(rank_by_critical(&done));
            progress.begin(Stage::IllusoryRedundancy, passes(&net));
            out.illusory_redundancy = Some(illusory_redundancy_tracked(&net, Some(progress)));
        }
        swept = Some(done);
    }
    // Both are parallel inside but have serial stretches (candidate pairs,
    // decision diagrams): side by side, each fills the other's idle core.
    let known = swept.as_ref().filter(|_| a.spof);
    let bound = candidate_bound(options.max_cut_candidates, out.components, out.requirements);
    let cuts = || a.cuts.then(|| cut_sets_reusing(model, &net, &targets, (bound, options.max_pairs), known));
    let avail = || a.availability.then(|| availability_net(model, &net, &hard, &options.availability));
    let stage = match (a.cuts, a.availability) {
        (true, true) => Stage::CutSetsAndAvailability,
        (false, true) => Stage::Availability,
        _ => Stage::CutSets,
    };
    progress.begin(stage, 0);
    (out.cuts, out.availability) = rayon::join(cuts, avail);
    if let Some(done) = swept {
        if a.spof {
            out.spof_totals = model.ids().map(|c| done.cause_count(c) as u32).collect();
        }
        let (radii, causes) = done.into_parts();
        if a.spof {
            out.spofs = Some(causes);
        }
        if a.blast_radius {
            out.radii = Some(radii);
        }
    }
    if a.cold_start {
        progress.begin(Stage::ColdStart, 0);
        out.cold_start = Some(cold_start_net(&hard));
    }
    out
}

/// How many ids the complete lists of [`stream_detail`] hold in all: every
/// radius's down and degraded ids, and every listed component's SPOFs.
pub fn detail_entries(report: &Report) -> u64 {
    let (radii, causes) = detail_counts(report);
    radii.iter().chain(&causes).sum()
}

/// Per component: how many radius ids and how many SPOFs [`stream_detail`]
/// lists (empty when the report has no radii or no SPOFs).
fn detail_counts(report: &Report) -> (Vec<u64>, Vec<u64>) {
    let radii = report.radii.as_ref().map_or_else(Vec::new, |radii| {
        radii.iter().map(|r| u64::from(r.down) + u64::from(r.degraded)).collect()
    });
    let causes = match &report.spofs {
        Some(spofs) => spofs
            .iter()
            .zip(&report.spof_totals)
            .map(|(listed, &total)| if listed.is_some() { u64::from(total) } else { 0 })
            .collect(),
        None => Vec::new(),
    };
    (radii, causes)
}

/// The complete lists of `report --detail` for `report` (made by
/// [`report`]), one component at a time in id order, computed a window of
/// at most `max_pairs` entries at a time ([`crate::sweep::stream_detail`]):
/// what each failure takes down and degrades when the report has radii,
/// and each component's SPOFs when it has SPOFs (empty for a component the
/// report lists none for).
pub fn stream_detail<E>(
    model: &Model,
    report: &Report,
    max_pairs: u64,
    visit: impl FnMut(ComponentId, DetailLists) -> Result<(), E>,
) -> Result<(), E> {
    let (radii, causes) = detail_counts(report);
    let plan = DetailPlan {
        radii: report.radii.is_some().then_some(radii.as_slice()),
        causes: report.spofs.is_some().then_some(causes.as_slice()),
        max_pairs,
    };
    crate::sweep::stream_detail(model, &Net::new(model), &plan, visit)
}
