// Over 600 lines: the six rules, exceptions and the baseline comparison share one evaluation pass and its types.
//! Policy evaluation (docs/semantics.md#policy): the CI gate's rules over
//! one model, with exceptions and an optional baseline, as findings a
//! renderer turns into text, JSON, SARIF, `JUnit` XML or GitHub annotations.
//! A finding says what its rule found as data ([`Found`]); the words are
//! the renderer's.
//!
//! Pure: "today" (for expired exceptions) is an input, never read from a
//! clock here.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use blastmap_manifest::{
    Component, ComponentId, Exception, Kind, Level, Location, Model, Policy, Rule, RuleConfig,
};
use rayon::prelude::*;

use crate::availability::{AvailabilityOptions, availability};
use crate::criticality::{NothingCritical, nothing_critical};
use crate::cycles::{hard_cycles, shortest_cycle_through};
use crate::net::Net;
use crate::simulate::{Sparse, State};
use crate::sweep::{Sweep, SweepOptions, Targets, sweep};

/// `max-blast-radius` limits used when the rule sets neither (the values of
/// the example in docs/semantics.md#max-blast-radius).
pub const DEFAULT_MAX_COMPONENTS: u32 = 25;
/// See [`DEFAULT_MAX_COMPONENTS`].
pub const DEFAULT_MAX_PERCENT: f64 = 10.0;

/// A civil date `(year, month, day)`, as [`Exception::expires`] holds it.
pub type Date = (u16, u8, u8);

/// The stable code of a finding: the six rules of docs/semantics.md#policy and two codes
/// for the policy's own exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// Nothing is critical, so `no-spof` has nothing to protect
    /// (docs/semantics.md#criticality-missing).
    CriticalityMissing,
    NoSpof,
    MaxBlastRadius,
    NoHardCycles,
    SloAttainable,
    RequiredFields,
    NoRegression,
    /// An exception whose `expires` date has passed: a violation (deny).
    ExpiredException,
    /// An exception that matched no finding: a warning.
    UnusedException,
}

impl Code {
    /// Every code, in documentation order.
    pub const ALL: [Code; 9] = [
        Code::CriticalityMissing,
        Code::NoSpof,
        Code::MaxBlastRadius,
        Code::NoHardCycles,
        Code::SloAttainable,
        Code::RequiredFields,
        Code::NoRegression,
        Code::ExpiredException,
        Code::UnusedException,
    ];

    /// The kebab-case code used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::CriticalityMissing => "criticality-missing",
            Code::NoSpof => "no-spof",
            Code::MaxBlastRadius => "max-blast-radius",
            Code::NoHardCycles => "no-hard-cycles",
            Code::SloAttainable => "slo-attainable",
            Code::RequiredFields => "required-fields",
            Code::NoRegression => "no-regression",
            Code::ExpiredException => "expired-exception",
            Code::UnusedException => "unused-exception",
        }
    }

    /// One line saying what the rule asks (rule metadata for SARIF).
    pub fn summary(self) -> &'static str {
        match self {
            Code::CriticalityMissing => {
                "the inventory says which components are critical (tier 1 or entrypoint), so single points of failure can be found"
            }
            Code::NoSpof => {
                "no datastore, queue, external provider or failure domain takes a critical component down on its own"
            }
            Code::MaxBlastRadius => {
                "no single failure takes down more than the allowed number or share of components"
            }
            Code::NoHardCycles => "no cycle of hard requirements (the system could not cold-start)",
            Code::SloAttainable => "every SLO is within the availability its dependencies allow",
            Code::RequiredFields => "every component sets the required fields",
            Code::NoRegression => {
                "no new single point of failure and no blast radius growth against the baseline"
            }
            Code::ExpiredException => "policy exceptions are renewed or removed when they expire",
            Code::UnusedException => "every policy exception still matches a finding",
        }
    }

    /// What to do about a finding (help text).
    pub fn help(self) -> &'static str {
        match self {
            Code::CriticalityMissing => {
                "mark the components users reach `entrypoint: true` (or the ones that matter most `tier: 1`); until then no single point of failure can be reported"
            }
            Code::NoSpof => {
                "add redundancy (a second replica in another failure domain, an `any_of` or `quorum` group), or record an exception with a reason and an expiry date"
            }
            Code::MaxBlastRadius => {
                "split the component, add redundancy below it, or make dependents degrade (`mode: soft`) instead of failing"
            }
            Code::NoHardCycles => {
                "make one requirement of the cycle soft (`mode: soft`) so the system can start"
            }
            Code::SloAttainable => {
                "raise the availability of the dependencies that cost the most, add redundancy, or lower the SLO"
            }
            Code::RequiredFields => "set the missing fields on the component (or in the file's `defaults`)",
            Code::NoRegression => {
                "remove the new single point of failure or the growth, or update the baseline"
            }
            Code::ExpiredException => {
                "fix the finding, or renew the exception with a new `expires` date and reason"
            }
            Code::UnusedException => "remove the exception: nothing needs it any more",
        }
    }

    fn of_rule(rule: &Rule) -> Code {
        match rule {
            Rule::NoSpof { .. } => Code::NoSpof,
            Rule::MaxBlastRadius { .. } => Code::MaxBlastRadius,
            Rule::NoHardCycles => Code::NoHardCycles,
            Rule::SloAttainable => Code::SloAttainable,
            Rule::RequiredFields { .. } => Code::RequiredFields,
            Rule::NoRegression { .. } => Code::NoRegression,
        }
    }

    fn parse(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A cascade path: the component taken down first, the failed one last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cascade {
    /// The components of the path, `path[0]` taken down, the last one failed.
    pub path: Vec<ComponentId>,
    /// One per step: the index (into that step's component's
    /// `requirements`) of the requirement followed.
    pub requirements: Vec<u32>,
    /// One per step: how many members of that requirement are down and how
    /// many degraded, under the failure.
    pub members_down: Vec<(u32, u32)>,
}

/// Why a component may be a single point of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpofReason {
    /// Of a kind `no-spof` checks, without redundancy.
    Kind(Kind),
    /// It declares `replicas: 1`.
    SingleReplica,
}

/// Why an exception matched no finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unused {
    /// No component has the exception's id; the closest id, if any.
    NoSuchComponent { suggestion: Option<String> },
    /// The exception's rule is not in the policy.
    RuleNotInPolicy,
    /// The exception's rule is at level `allow` (not evaluated).
    RuleAllowed,
    /// The rule ran and found nothing to cover.
    NothingFound,
}

/// What a rule found, as the data its message is made of. Ids of other
/// components are indices into the model; the component at fault is
/// [`Finding::component`].
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// `no-spof`, and `no-regression` for a SPOF not in the baseline
    /// (`new`): the failure of the component alone takes down `victims`
    /// (critical components, ascending).
    SinglePoint { reason: SpofReason, victims: Vec<ComponentId>, new: bool },
    /// `max-blast-radius`: the failure alone takes down `down` of the
    /// model's `components`; the limits exceeded (of the count, of the
    /// percentage).
    RadiusOverLimit { down: u32, components: usize, over_count: Option<u32>, over_percent: Option<f64> },
    /// `no-hard-cycles`: the component is in a hard cycle of `size` components.
    HardCycle { size: usize },
    /// `slo-attainable`: the availability ceiling (`high`: the upper end of
    /// the 95% interval when it was estimated) is below the SLO (percent);
    /// `costs`: the dependencies that cost most, with their shares (0 to 1).
    SloOutOfReach { slo: f64, ceiling: f64, high: Option<f64>, costs: Vec<(ComponentId, f64)> },
    /// `required-fields`: the fields the component does not set.
    MissingFields { fields: Vec<String> },
    /// `no-regression`: the blast radius grew from `was` to `now`, more than
    /// the `allowed` growth.
    RadiusGrowth { was: u32, now: u32, allowed: u32 },
    /// An exception whose `expires` date has passed.
    ExpiredException { rule: String, expired: Date, reason: String },
    /// An exception that covered no finding.
    UnusedException { rule: String, why: Unused },
    /// `criticality-missing`: no component is critical, so `no-spof` (and
    /// the SPOF part of `no-regression`) protects nothing; the examples to
    /// look at.
    NothingCritical(NothingCritical),
}

impl Found {
    /// Orders findings that tie on everything else (`no-regression` on one
    /// component: the new SPOF first, then the growth), as their messages
    /// sort.
    fn rank(&self) -> u8 {
        match self {
            Found::SinglePoint { .. } => 0,
            Found::RadiusOverLimit { .. } => 1,
            Found::HardCycle { .. } => 2,
            Found::SloOutOfReach { .. } => 3,
            Found::MissingFields { .. } => 4,
            Found::RadiusGrowth { .. } => 5,
            Found::ExpiredException { .. } => 6,
            Found::UnusedException { .. } => 7,
            Found::NothingCritical(_) => 8,
        }
    }
}

/// One finding of the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// What is wrong, as data (renderers put it in words).
    pub found: Found,
    /// The id of the component at fault (for exception findings, the
    /// component the exception names, which may not exist).
    pub component: String,
    /// What was checked, for test-case names: the component id, or
    /// `rule component` for the findings about exceptions.
    pub subject: String,
    /// How the failure cascades, where there is a cascade.
    pub cascade: Option<Cascade>,
    /// A hard cycle, in order, the first id repeated at the end.
    pub cycle: Vec<ComponentId>,
    /// Where the component, requirement or exception at fault is written.
    pub location: Location,
}

/// A finding an exception covers, with the index of the exception in the
/// policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Excepted {
    pub finding: Finding,
    pub exception: usize,
}

/// What one rule checked: one subject per component it looked at (for
/// `JUnit` test cases); subjects with a finding failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub code: Code,
    pub level: Level,
    /// Component ids (or `rule component` for exceptions), sorted, unique.
    pub subjects: Vec<String>,
}

/// The outcome of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Findings at deny or warn level, sorted by code, file, line, column,
    /// component, then (for one component) the new SPOF before the growth.
    pub findings: Vec<Finding>,
    /// Findings covered by a live exception (same order).
    pub excepted: Vec<Excepted>,
    /// Every rule evaluated, in code order.
    pub checked: Vec<Checked>,
    /// `no-spof` (or `no-regression`) needed more (protected component,
    /// candidate failure) pairs than [`Context::max_pairs`]: its findings
    /// may be missing some, and the gate must not pass on them.
    pub incomplete: bool,
}

impl Evaluation {
    /// Whether any finding is at deny level (the gate fails).
    pub fn denied(&self) -> bool {
        self.findings.iter().any(|f| f.level == Level::Deny)
    }

    /// Number of findings at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }
}

/// What the evaluation needs besides the model and the policy.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Today, for expired exceptions.
    pub today: Date,
    /// The baseline inventory for `no-regression`.
    pub baseline: Option<&'a Model>,
    /// The most (protected component, candidate failure) pairs held
    /// ([`crate::sweep::SweepOptions::max_pairs`]); over it the evaluation
    /// is [`Evaluation::incomplete`].
    pub max_pairs: u64,
}

/// The policy used when an inventory has none: the rules that are
/// unambiguous at deny (`no-spof`, `no-hard-cycles`, `slo-attainable`), the
/// ones whose thresholds need tuning at warn (`max-blast-radius` with its
/// default limits, `required-fields` asking for an `owner`), and
/// `no-regression` (it only runs with a baseline).
pub fn default_policy() -> Policy {
    let config = |rule: Rule, level: Level| RuleConfig { rule, level, location: Location::unknown() };
    Policy {
        rules: vec![
            config(
                Rule::NoSpof { tier: 1, kinds: Rule::default_spof_kinds(), ignore_kinds: Vec::new() },
                Level::Deny,
            ),
            config(
                Rule::MaxBlastRadius {
                    components: None,
                    percent: None,
                    ignore_kinds: vec![Kind::Region, Kind::Provider],
                },
                Level::Warn,
            ),
            config(Rule::NoHardCycles, Level::Deny),
            config(Rule::SloAttainable, Level::Deny),
            config(
                Rule::RequiredFields {
                    fields: vec!["owner".to_owned()],
                    kinds: Kind::ALL.into_iter().filter(|k| !k.is_domain()).collect(),
                },
                Level::Warn,
            ),
            config(Rule::NoRegression { growth: 0 }, Level::Deny),
        ],
        exceptions: Vec::new(),
        location: Location::unknown(),
    }
}

/// Evaluates `policy` over `model`.
///
/// Rules at level `allow` are not evaluated; `no-regression` runs only with
/// a baseline (at its defaults and deny when the policy does not configure
/// it). An exception covers the findings of its rule for its component
/// until it expires; after `expires` it covers nothing and is itself a
/// deny-level finding; an exception that covers nothing is a warning.
///
/// # Complexity
/// One bit-parallel sweep of the model (and of the baseline with
/// `no-regression`), see [`sweep`]; the availability analysis with
/// `slo-attainable`, see [`availability`]; one O(n + m) simulation per
/// single point of failure found, for its cascade path; O(n + m) for the
/// rest.
pub fn evaluate(model: &Model, policy: &Policy, context: &Context<'_>) -> Evaluation {
    let mut rules: Vec<RuleConfig> =
        policy.rules.iter().filter(|r| r.level != Level::Allow).cloned().collect();
    match (context.baseline, rules.iter().position(|r| matches!(r.rule, Rule::NoRegression { .. }))) {
        (None, Some(i)) => {
            rules.remove(i);
        }
        (Some(_), None) if !policy.rules.iter().any(|r| matches!(r.rule, Rule::NoRegression { .. })) => {
            rules.push(RuleConfig {
                rule: Rule::NoRegression { growth: 0 },
                level: Level::Deny,
                location: Location::unknown(),
            });
        }
        _ => {}
    }
    rules.sort_by_key(|r| Code::of_rule(&r.rule));

    let net = Net::new(model);
    let spof_rule = spof_params(&policy.rules);
    let needs_sweep = rules.iter().any(|r| {
        matches!(r.rule, Rule::NoSpof { .. } | Rule::MaxBlastRadius { .. } | Rule::NoRegression { .. })
    });
    let swept = needs_sweep.then(|| {
        let targets = Targets::Only(spof_targets(model, spof_rule.0));
        sweep(
            model,
            &net,
            &SweepOptions {
                causes: targets,
                failures: Some(candidates(model, spof_rule)),
                max_pairs: context.max_pairs,
                ..SweepOptions::default()
            },
        )
    });

    let mut raw: Vec<Finding> = Vec::new();
    let mut checked = Vec::new();
    let mut incomplete = false;
    // `no-spof` (or the SPOF half of `no-regression`) with nothing to
    // protect finds nothing: say so as a finding of its own, at that
    // rule's level, instead of passing.
    let protecting = rules.iter().find(|r| matches!(r.rule, Rule::NoSpof { .. })).or_else(|| {
        rules
            .iter()
            .find(|r| matches!(r.rule, Rule::NoRegression { .. }))
            .filter(|_| context.baseline.is_some())
    });
    if let (Some(config), Some(swept)) = (protecting, &swept) {
        if let Some(found) = nothing_critical(model, spof_rule.0, |c| swept.radius(c).down) {
            raw.push(criticality_finding(model, found, config.level));
        }
        checked.push(Checked {
            code: Code::CriticalityMissing,
            level: config.level,
            subjects: vec![INVENTORY.to_owned()],
        });
    }
    for config in &rules {
        let code = Code::of_rule(&config.rule);
        let level = config.level;
        let subjects: Vec<String> = match &config.rule {
            Rule::NoSpof { tier, kinds, ignore_kinds } => {
                let Some(swept) = &swept else { continue };
                let spofs = spof_findings(model, &net, swept, (*tier, kinds, ignore_kinds), level);
                raw.extend(spofs);
                spof_candidates(model, kinds, ignore_kinds).map(|c| c.id.clone()).collect()
            }
            Rule::MaxBlastRadius { components, percent, ignore_kinds } => {
                let Some(swept) = &swept else { continue };
                let (components, percent) = match (components, percent) {
                    (None, None) => (Some(DEFAULT_MAX_COMPONENTS), Some(DEFAULT_MAX_PERCENT)),
                    limits => (*limits.0, *limits.1),
                };
                let mut subjects = Vec::new();
                for c in model.ids() {
                    let component = model.component(c);
                    if ignore_kinds.contains(&component.kind) {
                        continue;
                    }
                    subjects.push(component.id.clone());
                    if let Some(found) = radius_excess(model, swept.radius(c).down, components, percent) {
                        raw.push(Finding {
                            code,
                            level,
                            found,
                            component: component.id.clone(),
                            subject: component.id.clone(),
                            cascade: None,
                            cycle: Vec::new(),
                            location: component.location.clone(),
                        });
                    }
                }
                subjects
            }
            Rule::NoHardCycles => {
                for members in hard_cycles(model) {
                    raw.push(cycle_finding(model, &members, level));
                }
                model.components().map(|c| c.id.clone()).collect()
            }
            Rule::SloAttainable => {
                raw.extend(slo_findings(model, level));
                model.components().filter(|c| c.slo.is_some()).map(|c| c.id.clone()).collect()
            }
            Rule::RequiredFields { fields, kinds } => {
                let mut subjects = Vec::new();
                for component in model.components().filter(|c| kinds.contains(&c.kind)) {
                    subjects.push(component.id.clone());
                    let missing: Vec<String> =
                        fields.iter().filter(|f| !component.has_explicit(f)).cloned().collect();
                    if !missing.is_empty() {
                        raw.push(Finding {
                            code,
                            level,
                            found: Found::MissingFields { fields: missing },
                            component: component.id.clone(),
                            subject: component.id.clone(),
                            cascade: None,
                            cycle: Vec::new(),
                            location: component.location.clone(),
                        });
                    }
                }
                subjects
            }
            Rule::NoRegression { growth } => {
                let (Some(base), Some(head_sweep)) = (context.baseline, swept.as_ref()) else { continue };
                let head_spofs = spof_findings(model, &net, head_sweep, spof_rule, level);
                let live = live_exceptions(policy, context.today);
                let (found, complete) = regressions(
                    (model, base),
                    head_spofs,
                    head_sweep,
                    (*growth, context.max_pairs),
                    spof_rule,
                    &live,
                    level,
                );
                raw.extend(found);
                incomplete |= !complete;
                model.components().map(|c| c.id.clone()).collect()
            }
        };
        checked.push(Checked { code, level, subjects: sorted_unique(subjects) });
    }

    let (mut findings, mut excepted, exception_subjects) =
        apply_exceptions(model, policy, context.today, raw);
    if !policy.exceptions.is_empty() {
        // Expired exceptions are violations and unused ones warnings: they
        // get suites of their own in JUnit, with one case per exception.
        checked.push(Checked {
            code: Code::ExpiredException,
            level: Level::Deny,
            subjects: exception_subjects.clone(),
        });
        checked.push(Checked {
            code: Code::UnusedException,
            level: Level::Warn,
            subjects: exception_subjects,
        });
    }
    sort_findings(&mut findings);
    excepted.sort_by(|a, b| finding_order(&a.finding, &b.finding).then(a.exception.cmp(&b.exception)));
    let incomplete = incomplete || swept.as_ref().is_some_and(|s| !s.complete());
    Evaluation { findings, excepted, checked, incomplete }
}

/// The subject of `criticality-missing` (a `JUnit` test case of its own).
pub const INVENTORY: &str = "inventory";

/// The `criticality-missing` finding, at the component a user should mark
/// first (the first candidate entrypoint, or the biggest failure).
fn criticality_finding(model: &Model, found: NothingCritical, level: Level) -> Finding {
    let at = found.tops.first().or_else(|| found.biggest.first().map(|(c, _)| c)).copied();
    let (component, location) = at.map_or_else(
        || (String::new(), Location::unknown()),
        |c| (model.component(c).id.clone(), model.component(c).location.clone()),
    );
    Finding {
        code: Code::CriticalityMissing,
        level,
        found: Found::NothingCritical(found),
        component,
        subject: INVENTORY.to_owned(),
        cascade: None,
        cycle: Vec::new(),
        location,
    }
}

/// The `no-spof` parameters that `no-regression` compares with: the
/// policy's own, or the defaults when it has no `no-spof` rule.
fn spof_params(rules: &[RuleConfig]) -> (u8, &[Kind], &[Kind]) {
    rules
        .iter()
        .find_map(|r| match &r.rule {
            Rule::NoSpof { tier, kinds, ignore_kinds } => {
                Some((*tier, kinds.as_slice(), ignore_kinds.as_slice()))
            }
            _ => None,
        })
        .unwrap_or((1, &Rule::DEFAULT_SPOF_KINDS, &[]))
}

/// Components `no-spof` protects: tier ≤ `tier`, or entrypoints.
fn spof_targets(model: &Model, tier: u8) -> Vec<ComponentId> {
    model.ids().filter(|&c| protected(model.component(c), tier)).collect()
}

fn protected(c: &Component, tier: u8) -> bool {
    c.tier <= tier || c.entrypoint
}

/// Components `no-spof` may flag: of a kind in `kinds` (minus
/// `ignore_kinds`), or declaring `replicas: 1`.
/// The `no-spof` candidates of `model` as sweep targets: the only failures
/// whose causes the policy reads.
fn candidates(model: &Model, (_, kinds, ignore_kinds): (u8, &[Kind], &[Kind])) -> Targets {
    Targets::Only(
        model.ids().filter(|&c| is_spof_candidate(model.component(c), kinds, ignore_kinds)).collect(),
    )
}

fn is_spof_candidate(c: &Component, kinds: &[Kind], ignore_kinds: &[Kind]) -> bool {
    !ignore_kinds.contains(&c.kind) && (kinds.contains(&c.kind) || c.replicas == Some(1))
}

fn spof_candidates<'m>(
    model: &'m Model,
    kinds: &'m [Kind],
    ignore_kinds: &'m [Kind],
) -> impl Iterator<Item = &'m Component> + 'm {
    model.components().filter(move |c| is_spof_candidate(c, kinds, ignore_kinds))
}

/// One `no-spof` finding per candidate whose failure alone takes a
/// protected component down, with the cascade to the most critical one.
fn spof_findings(
    model: &Model,
    net: &Net,
    swept: &Sweep,
    (tier, kinds, ignore_kinds): (u8, &[Kind], &[Kind]),
    level: Level,
) -> Vec<Finding> {
    // Invert "what takes S down" into "what X takes down".
    let mut takes_down: BTreeMap<ComponentId, Vec<ComponentId>> = BTreeMap::new();
    for s in spof_targets(model, tier) {
        for &x in swept.causes(s).unwrap_or_default() {
            takes_down.entry(x).or_default().push(s);
        }
    }
    let candidate: HashSet<&str> =
        spof_candidates(model, kinds, ignore_kinds).map(|c| c.id.as_str()).collect();
    // Each finding with the victim its cascade goes to: the one users see
    // first, an entrypoint if one is hit, then the lowest tier, then id.
    // `takes_down` only lists failures that take something down.
    let mut found: Vec<(usize, ComponentId, Vec<ComponentId>, ComponentId)> = takes_down
        .into_iter()
        .filter(|(x, _)| candidate.contains(model.component(*x).id.as_str()))
        .filter_map(|(x, mut victims)| {
            victims.sort_unstable();
            let &shown = victims.iter().min_by_key(|&&v| {
                let c = model.component(v);
                (!c.entrypoint, c.tier, v)
            })?;
            Some((x, victims, shown))
        })
        .enumerate()
        .map(|(i, (x, victims, shown))| (i, x, victims, shown))
        .collect();
    // One simulation per finding for its cascade, over what the victim
    // depends on (marked once per victim: findings are grouped by victim),
    // in parallel pieces of at least an eighth (each piece has a scratch as
    // large as the inventory), then put back in order. At 100k components,
    // 70 000 whole simulations took 100 s; this takes a few.
    found.sort_by_key(|&(i, _, _, shown)| (shown, i));
    let piece = found.len().div_ceil(8).max(1);
    let mut out: Vec<(usize, Finding)> = found
        .into_par_iter()
        .with_min_len(piece)
        .map_init(
            || Sparse::new(net),
            |sim, (i, x, victims, shown)| {
                let component = model.component(x);
                let reason = if kinds.contains(&component.kind) {
                    SpofReason::Kind(component.kind)
                } else {
                    SpofReason::SingleReplica
                };
                let finding = Finding {
                    code: Code::NoSpof,
                    level,
                    found: Found::SinglePoint { reason, victims, new: false },
                    component: component.id.clone(),
                    subject: component.id.clone(),
                    cascade: Some(cascade(net, sim, x, shown)),
                    cycle: Vec::new(),
                    location: component.location.clone(),
                };
                (i, finding)
            },
        )
        .collect();
    out.sort_unstable_by_key(|&(i, _)| i);
    out.into_iter().map(|(_, finding)| finding).collect()
}

/// The cascade from `victim` down to the failure of `failed`.
fn cascade(net: &Net, sim: &mut Sparse, failed: ComponentId, victim: ComponentId) -> Cascade {
    sim.run_for(net, failed, victim);
    let (path, requirements) = sim.path(net, victim);
    let members_down = path
        .iter()
        .zip(&requirements)
        .map(|(&step, &r)| {
            let global = net.requirements(step.index() as u32).start + r;
            let states = net.members(global).iter().map(|&m| sim.state(Net::id(m)));
            let (mut down, mut degraded) = (0, 0);
            for state in states {
                match state {
                    State::Down => down += 1,
                    State::Degraded => degraded += 1,
                    State::Up => {}
                }
            }
            (down, degraded)
        })
        .collect();
    Cascade { path, requirements, members_down }
}

/// Whether a blast radius of `down` is over the limits, and which.
fn radius_excess(model: &Model, down: u32, components: Option<u32>, percent: Option<f64>) -> Option<Found> {
    let share = if model.is_empty() { 0.0 } else { f64::from(down) * 100.0 / model.len() as f64 };
    let over_count = components.filter(|&limit| down > limit);
    let over_percent = percent.filter(|&limit| share > limit + 1e-9);
    if over_count.is_none() && over_percent.is_none() {
        return None;
    }
    Some(Found::RadiusOverLimit { down, components: model.len(), over_count, over_percent })
}

/// A hard cycle as a finding: the cycle in order, located at the
/// requirement of its first component that starts it.
fn cycle_finding(model: &Model, members: &[ComponentId], level: Level) -> Finding {
    let start = members[0];
    let (cycle, first_requirement) = shortest_cycle_through(model, members, start);
    let component = model.component(start);
    let location = first_requirement
        .and_then(|r| component.requirements.get(r))
        .map_or_else(|| component.location.clone(), |req| req.location.clone());
    Finding {
        code: Code::NoHardCycles,
        level,
        found: Found::HardCycle { size: members.len() },
        component: component.id.clone(),
        subject: component.id.clone(),
        cascade: None,
        cycle,
        location,
    }
}

fn slo_findings(model: &Model, level: Level) -> Vec<Finding> {
    if !model.components().any(|c| c.slo.is_some()) {
        return Vec::new();
    }
    let avail = availability(model, &AvailabilityOptions::default());
    let mut out = Vec::new();
    for c in model.ids() {
        let component = model.component(c);
        let (Some(slo), Some(a)) = (component.slo, avail[c.index()].as_ref()) else { continue };
        if a.meets_slo(slo) {
            continue;
        }
        let costs = a.contributions.iter().take(3).map(|k| (k.component, k.share)).collect();
        let high = (a.low < a.high).then_some(a.high);
        out.push(Finding {
            code: Code::SloAttainable,
            level,
            found: Found::SloOutOfReach { slo, ceiling: a.value, high, costs },
            component: component.id.clone(),
            subject: component.id.clone(),
            cascade: None,
            cycle: Vec::new(),
            location: component.location.clone(),
        });
    }
    out
}

/// `no-regression`: SPOFs that are new against the baseline, and blast
/// radii that grew by more than `growth`.
#[allow(clippy::too_many_arguments, reason = "internal helper, every argument is one input of the rule")]
fn regressions(
    (head, base): (&Model, &Model),
    head_spofs: Vec<Finding>,
    head_sweep: &Sweep,
    (growth, max_pairs): (u32, u64),
    spof_rule: (u8, &[Kind], &[Kind]),
    live: &[&Exception],
    level: Level,
) -> (Vec<Finding>, bool) {
    let base_net = Net::new(base);
    let targets = Targets::Only(spof_targets(base, spof_rule.0));
    let failures = Some(candidates(base, spof_rule));
    let base_sweep = sweep(
        base,
        &base_net,
        &SweepOptions { causes: targets, failures, max_pairs, ..SweepOptions::default() },
    );
    // The baseline's SPOFs before exceptions: a SPOF that was already there
    // is not a regression, excepted or not.
    let before: HashSet<String> = spof_findings(base, &base_net, &base_sweep, spof_rule, level)
        .into_iter()
        .map(|f| f.component)
        .collect();
    let mut out = Vec::new();
    for spof in head_spofs {
        // A SPOF the policy accepts (a live `no-spof` exception) is a
        // recorded decision, not a regression.
        let accepted = live.iter().any(|e| e.rule == "no-spof" && e.component == spof.component);
        if before.contains(&spof.component) || accepted {
            continue;
        }
        let found = match spof.found {
            Found::SinglePoint { reason, victims, .. } => Found::SinglePoint { reason, victims, new: true },
            other => other,
        };
        out.push(Finding { code: Code::NoRegression, level, found, ..spof });
    }
    for c in head.ids() {
        let component = head.component(c);
        let Some(b) = base.find(&component.id) else { continue };
        let (now, was) = (head_sweep.radius(c).down, base_sweep.radius(b).down);
        if now > was.saturating_add(growth) {
            out.push(Finding {
                code: Code::NoRegression,
                level,
                found: Found::RadiusGrowth { was, now, allowed: growth },
                component: component.id.clone(),
                subject: component.id.clone(),
                cascade: None,
                cycle: Vec::new(),
                location: component.location.clone(),
            });
        }
    }
    (out, base_sweep.complete())
}

fn live_exceptions(policy: &Policy, today: Date) -> Vec<&Exception> {
    policy.exceptions.iter().filter(|e| e.expires.is_none_or(|d| d >= today)).collect()
}

/// Whether `e` covers `finding`: same rule, and its component is the one at
/// fault (or, for a hard cycle, one of the cycle).
fn covers(model: &Model, e: &Exception, finding: &Finding) -> bool {
    if e.rule != finding.code.as_str() {
        return false;
    }
    e.component == finding.component || finding.cycle.iter().any(|&c| model.component(c).id == e.component)
}

/// Splits findings into reported and excepted, and adds the findings about
/// the exceptions themselves. Also returns the exceptions as subjects.
fn apply_exceptions(
    model: &Model,
    policy: &Policy,
    today: Date,
    raw: Vec<Finding>,
) -> (Vec<Finding>, Vec<Excepted>, Vec<String>) {
    let mut used = vec![false; policy.exceptions.len()];
    let mut findings = Vec::new();
    let mut excepted = Vec::new();
    for finding in raw {
        let mut cover = None;
        for (i, e) in policy.exceptions.iter().enumerate() {
            if covers(model, e, &finding) {
                used[i] = true;
                if e.expires.is_none_or(|d| d >= today) && cover.is_none() {
                    cover = Some(i);
                }
            }
        }
        match cover {
            Some(exception) => excepted.push(Excepted { finding, exception }),
            None => findings.push(finding),
        }
    }
    let mut subjects = Vec::new();
    for (i, e) in policy.exceptions.iter().enumerate() {
        subjects.push(format!("{} {}", e.rule, e.component));
        let expired = e.expires.filter(|&d| d < today);
        if let Some(expired) = expired {
            findings.push(Finding {
                code: Code::ExpiredException,
                level: Level::Deny,
                found: Found::ExpiredException { rule: e.rule.clone(), expired, reason: e.reason.clone() },
                component: e.component.clone(),
                subject: format!("{} {}", e.rule, e.component),
                cascade: None,
                cycle: Vec::new(),
                location: e.location.clone(),
            });
        } else if !used[i] {
            findings.push(Finding {
                code: Code::UnusedException,
                level: Level::Warn,
                found: Found::UnusedException { rule: e.rule.clone(), why: why_unused(model, policy, e) },
                component: e.component.clone(),
                subject: format!("{} {}", e.rule, e.component),
                cascade: None,
                cycle: Vec::new(),
                location: e.location.clone(),
            });
        }
    }
    (findings, excepted, sorted_unique(subjects))
}

fn why_unused(model: &Model, policy: &Policy, e: &Exception) -> Unused {
    if model.find(&e.component).is_none() {
        return Unused::NoSuchComponent { suggestion: model.suggest(&e.component).map(str::to_owned) };
    }
    let enabled = policy.rules.iter().find(|r| r.rule.name() == e.rule);
    match enabled {
        None if Code::parse(&e.rule) != Some(Code::NoRegression) => Unused::RuleNotInPolicy,
        Some(r) if r.level == Level::Allow => Unused::RuleAllowed,
        _ => Unused::NothingFound,
    }
}

fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.code, &a.location.file, a.location.line, a.location.column, &a.component, a.found.rank()).cmp(&(
        b.code,
        &b.location.file,
        b.location.line,
        b.location.column,
        &b.component,
        b.found.rank(),
    ))
}

fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(finding_order);
}

fn sorted_unique(items: Vec<String>) -> Vec<String> {
    items.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}
