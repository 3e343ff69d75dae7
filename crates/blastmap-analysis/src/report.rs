//! The full analysis of `blastmap report`: runs the chosen analyses over one
//! model and gathers their results, ready for any renderer.

use blastmap_manifest::{ComponentId, Model, Origin};

use crate::availability::{Availability, AvailabilityOptions, availability_net};
use crate::cold_start::{ColdStart, cold_start_net};
use crate::cuts::{CutSets, DEFAULT_MAX_CANDIDATES, TooManyCandidates, cut_sets_within};
use crate::cycles::hard_cycles_net;
use crate::net::{HardNet, Net};
use crate::progress::{Progress, Stage};
use crate::spof::{IllusoryRedundancy, Ranked, SharedFate, illusory_redundancy_tracked, rank_by_critical};
use crate::sweep::{BlastRadius, SweepOptions, Targets, passes, sweep_tracked};

/// Which analyses to run (`--analyses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools, reason = "one switch per analysis, named as on the command line")]
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
    /// The names accepted by `--analyses`.
    pub const NAMES: [&'static str; 5] = ["blast-radius", "spof", "cuts", "availability", "cold-start"];

    /// None of them (to be switched on one by one).
    pub const NONE: Analyses =
        Analyses { blast_radius: false, spof: false, cuts: false, availability: false, cold_start: false };

    /// Switches on the analysis called `name`; false for an unknown name.
    pub fn enable(&mut self, name: &str) -> bool {
        let slot = match name {
            "blast-radius" => &mut self.blast_radius,
            "spof" => &mut self.spof,
            "cuts" => &mut self.cuts,
            "availability" => &mut self.availability,
            "cold-start" => &mut self.cold_start,
            _ => return false,
        };
        *slot = true;
        true
    }
}

/// How to run the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub analyses: Analyses,
    /// Id lists in blast radii; SPOFs and cut sets of every component, not
    /// only the critical ones.
    pub detail: bool,
    pub availability: AvailabilityOptions,
    /// Order-2 cut sets are skipped (and the report says so) when more
    /// candidate pairs than this would have to be checked.
    pub max_cut_candidates: u64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            analyses: Analyses::ALL,
            detail: false,
            availability: AvailabilityOptions::default(),
            max_cut_candidates: DEFAULT_MAX_CANDIDATES,
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
    /// SPOFs per component (critical ones, or all with `detail`), by index.
    pub spofs: Option<Vec<Option<Vec<ComponentId>>>>,
    /// Illusory redundancy: groups one failure defeats, with their nearest
    /// culprits.
    pub thin_redundancy: Option<IllusoryRedundancy>,
    /// Order ≤ 2 cut sets (critical components, or all with `detail`), or
    /// why they were skipped.
    pub cuts: Option<Result<Vec<CutSets>, TooManyCandidates>>,
    /// Availability of every component, by index.
    pub availability: Option<Vec<Option<Availability>>>,
    /// Hard cycles (always computed: it is cheap and every format shows it).
    pub cycles: Vec<Vec<ComponentId>>,
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
        thin_redundancy: None,
        cuts: None,
        availability: None,
        cycles: hard_cycles_net(&hard),
        cold_start: None,
    };
    if a.blast_radius || a.spof {
        let causes = if a.spof { targets.clone() } else { Targets::None };
        progress.begin(Stage::BlastRadius, passes(&net));
        let swept =
            sweep_tracked(model, &net, &SweepOptions { detail: options.detail, causes }, Some(progress));
        if a.spof {
            out.ranking = Some(rank_by_critical(&swept));
        }
        let (radii, causes) = swept.into_parts();
        if a.spof {
            out.spofs = Some(causes);
            progress.begin(Stage::IllusoryRedundancy, passes(&net));
            out.thin_redundancy = Some(illusory_redundancy_tracked(&net, Some(progress)));
        }
        if a.blast_radius {
            out.radii = Some(radii);
        }
    }
    // Both are parallel inside but have serial stretches (candidate pairs,
    // decision diagrams): side by side, each fills the other's idle core.
    let cuts = || a.cuts.then(|| cut_sets_within(model, &net, &targets, options.max_cut_candidates));
    let avail = || a.availability.then(|| availability_net(model, &net, &hard, &options.availability));
    let stage = match (a.cuts, a.availability) {
        (true, true) => Stage::CutSetsAndAvailability,
        (false, true) => Stage::Availability,
        _ => Stage::CutSets,
    };
    progress.begin(stage, 0);
    (out.cuts, out.availability) = rayon::join(cuts, avail);
    if a.cold_start {
        progress.begin(Stage::ColdStart, 0);
        out.cold_start = Some(cold_start_net(&hard));
    }
    out
}

/// Says why one failure defeats a group, in words a person reads: "a and b
/// both run only in zone-a: zone-a takes down orders". Built by renderers
/// for the records they show (a large inventory has millions).
pub fn explain(model: &Model, fate: &SharedFate) -> String {
    let id = |c: ComponentId| model.component(c).id.as_str();
    let culprit = id(fate.culprit);
    let members: Vec<&str> = fate.members_down.iter().map(|&m| id(m)).collect();
    let only_in = fate.members_down.iter().all(|&m| {
        let placement: Vec<_> = model
            .component(m)
            .requirements
            .iter()
            .filter(|r| matches!(r.origin, Origin::RunsIn | Origin::Within))
            .collect();
        placement.len() == 1 && placement[0].members == [fate.culprit]
    });
    let subject = if fate.members_down.contains(&fate.culprit) && members.len() > 1 {
        // The culprit is a member that takes the others down with it.
        let others: Vec<&str> =
            fate.members_down.iter().filter(|&&m| m != fate.culprit).map(|&m| id(m)).collect();
        let verb = if others.len() == 1 { "fails" } else { "fail" };
        format!("{} {verb} together with", join_and(&others))
    } else {
        let how = if only_in { "run only in" } else { "depend on" };
        match members.as_slice() {
            [one] => format!("{one} {}", how.replace("run ", "runs ").replace("depend ", "depends ")),
            [a, b] => format!("{a} and {b} both {how}"),
            many => format!("{} all {how}", join_and(many)),
        }
    };
    let owner = id(fate.component);
    let outcome = if fate.component_down {
        format!("{culprit} takes down {owner}")
    } else {
        format!("{culprit} defeats this redundancy of {owner}")
    };
    format!("{subject} {culprit}: {outcome}")
}

/// "a, b and c".
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
