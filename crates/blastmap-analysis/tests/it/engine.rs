//! Property tests: the engine agrees with the naive reference of
//! docs/semantics.md#fixpoint on random inventories (single, `any_of` and
//! quorum requirements, soft edges, shared domains, cycles).

use blastmap_analysis::cuts::cut_sets;
use blastmap_analysis::net::Net;
use blastmap_analysis::simulate::{State, simulate};
use blastmap_analysis::spof::{illusory_groups, illusory_redundancy, spofs};
use blastmap_analysis::sweep::{
    DetailLists, DetailPlan, SweepOptions, Targets, down_causes, stream_detail, sweep,
};
use blastmap_manifest::{ComponentId, Mode, Model, RequirementShape};
use proptest::prelude::*;

use crate::inventory::{Spec, SpecComponent};
use crate::reference;

type RawRequirement = (u8, Vec<usize>, u32, bool);

fn normalize(i: usize, raw: &[RawRequirement]) -> Vec<(RequirementShape, u32, Vec<usize>, Mode)> {
    raw.iter()
        .filter_map(|(shape, members, k, soft)| {
            let mut distinct: Vec<usize> = Vec::new();
            for &m in members {
                if m != i && !distinct.contains(&m) {
                    distinct.push(m);
                }
            }
            let mode = if *soft { Mode::Soft } else { Mode::Hard };
            match (shape, distinct.len()) {
                (_, 0) => None,
                (0, _) | (_, 1) => Some((RequirementShape::Single, 1, vec![distinct[0]], mode)),
                (1, _) => Some((RequirementShape::AnyOf, 1, distinct, mode)),
                _ => {
                    let need = 1 + k % distinct.len() as u32;
                    Some((RequirementShape::Quorum, need, distinct, mode))
                }
            }
        })
        .collect()
}

/// Random inventories of up to `max` components. Members are drawn from
/// every component, so cycles are common; a few low indices act as shared
/// "domains" that groups are biased towards.
fn inventories(max: usize) -> impl Strategy<Value = Model> {
    inventories_in(1..=max)
}

/// [`inventories`] with a number of components in `sizes`.
fn inventories_in(sizes: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Model> {
    sizes.prop_flat_map(|n| {
        let member = prop_oneof![3 => 0..n, 1 => 0..n.min(3)];
        let requirement = (0u8..3, prop::collection::vec(member, 1..=4), 0u32..4, prop::bool::weighted(0.25));
        let component = (
            1u8..=4,
            prop::bool::weighted(0.2),
            prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]),
            prop::collection::vec(requirement, 0..=3),
        );
        prop::collection::vec(component, n).prop_map(|raw| {
            let components = raw
                .iter()
                .enumerate()
                .map(|(i, (tier, entrypoint, weight, reqs))| SpecComponent {
                    tier: *tier,
                    entrypoint: *entrypoint,
                    weight: *weight,
                    requirements: normalize(i, reqs),
                })
                .collect();
            Spec { components }.build()
        })
    })
}

fn with_failures(max: usize) -> impl Strategy<Value = (Model, Vec<ComponentId>)> {
    inventories(max).prop_flat_map(|model| {
        let n = model.len();
        (Just(model), prop::collection::vec((0..n).prop_map(ComponentId::new), 1..=3))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn states_and_paths_match_reference((model, failed) in with_failures(12)) {
        let sim = simulate(&model, &failed);
        let mut f = failed.clone();
        f.sort_unstable();
        f.dedup();
        let expected = reference::states(&model, &f);
        prop_assert_eq!(sim.states(), &expected[..]);
        let lengths = reference::path_lengths(&model, &f, &expected);
        for c in model.ids() {
            let state = expected[c.index()];
            if state == State::Up || f.contains(&c) {
                prop_assert!(sim.cause(c).is_none());
                continue;
            }
            let path = sim.path(c);
            let steps = sim.path_requirements(c);
            prop_assert_eq!(path.len(), steps.len() + 1);
            prop_assert!(f.contains(path.last().unwrap()), "path of {c:?} ends in F: {path:?}");
            prop_assert_eq!(Some(steps.len() as u32), lengths[c.index()], "shortest path of {:?}", c);
            for (i, &r) in steps.iter().enumerate() {
                let (at, next) = (path[i], path[i + 1]);
                let req = &model.component(at).requirements[r as usize];
                let needed = reference::justifying_level(req, expected[at.index()], &expected);
                prop_assert!(needed.is_some(), "requirement {r} explains {at:?}");
                prop_assert!(req.members.contains(&next));
                prop_assert!(expected[next.index()] >= needed.unwrap());
            }
        }
    }

    #[test]
    fn sweep_matches_reference(model in inventories(12)) {
        let net = Net::new(&model);
        let result = sweep(&model, &net, &SweepOptions { detail: true, causes: Targets::All, failures: None, max_pairs: u64::MAX });
        // Recording only some failures as causes keeps exactly those.
        let odd: Vec<ComponentId> = model.ids().filter(|c| c.index() % 2 == 1).collect();
        let some = sweep(
            &model,
            &net,
            &SweepOptions { detail: false, causes: Targets::All, failures: Some(Targets::Only(odd)), max_pairs: u64::MAX },
        );
        for s in model.ids() {
            let kept: Vec<ComponentId> =
                result.causes(s).unwrap().iter().copied().filter(|c| c.index() % 2 == 1).collect();
            prop_assert_eq!(some.causes(s).unwrap(), &kept[..]);
            prop_assert_eq!(some.radius(s).down, result.radius(s).down);
        }
        for x in model.ids() {
            let states = reference::states(&model, &[x]);
            let down: Vec<ComponentId> =
                model.ids().filter(|&c| c != x && states[c.index()] == State::Down).collect();
            let degraded: Vec<ComponentId> =
                model.ids().filter(|&c| states[c.index()] == State::Degraded).collect();
            let radius = result.radius(x);
            prop_assert_eq!(radius.component, x);
            prop_assert_eq!(radius.down as usize, down.len());
            prop_assert_eq!(radius.degraded as usize, degraded.len());
            let critical = down.iter().filter(|c| model.component(**c).is_critical()).count();
            prop_assert_eq!(radius.critical_down as usize, critical);
            let entry = down.iter().filter(|c| model.component(**c).entrypoint).count();
            prop_assert_eq!(radius.entrypoints_down as usize, entry);
            let weight: f64 = down.iter().map(|c| model.component(*c).weight).sum();
            prop_assert!((radius.weight_down - weight).abs() < 1e-9);
            prop_assert_eq!(radius.down_ids.as_ref(), Some(&down));
            prop_assert_eq!(radius.degraded_ids.as_ref(), Some(&degraded));
        }
        let down_only = down_causes(&model, &net, &Targets::All);
        for s in model.ids() {
            let expected = reference::spofs(&model, s);
            prop_assert_eq!(result.causes(s), Some(&expected[..]));
            prop_assert_eq!(down_only[s.index()].as_deref(), Some(&expected[..]));
        }
    }

    #[test]
    fn spofs_and_cut_sets_match_reference(model in inventories(10)) {
        let net = Net::new(&model);
        let lists = spofs(&model, &net, &Targets::Critical);
        let critical: Vec<ComponentId> = model.ids().filter(|&c| model.component(c).is_critical()).collect();
        prop_assert_eq!(lists.iter().map(|l| l.component).collect::<Vec<_>>(), critical);
        for list in &lists {
            prop_assert_eq!(&list.spofs, &reference::spofs(&model, list.component));
        }
        let cuts = cut_sets(&model, &net, &Targets::All);
        prop_assert_eq!(cuts.len(), model.len());
        for cut in &cuts {
            prop_assert_eq!(&cut.singles, &reference::spofs(&model, cut.component));
            prop_assert_eq!(&cut.pairs, &reference::pair_cuts(&model, cut.component), "pairs of {:?}", cut.component);
        }
        let only = cut_sets(&model, &net, &Targets::Critical);
        let expected: Vec<_> = cuts.iter().filter(|c| model.component(c.component).is_critical()).cloned().collect();
        prop_assert_eq!(&only, &expected);
        // What a report does: the causes its sweep already holds, reused.
        let swept = sweep(&model, &net, &SweepOptions { detail: false, causes: Targets::Critical, failures: None, max_pairs: u64::MAX });
        let reused = blastmap_analysis::cuts::cut_sets_reusing(
            &model, &net, &Targets::Critical, (u64::MAX, u64::MAX), Some(&swept),
        );
        prop_assert_eq!(reused.unwrap(), expected);
    }

    /// Over its bound on pairs a sweep keeps every count and the smallest
    /// causes, says it is not complete, and the counts match the
    /// unbounded sweep; under it, nothing changes.
    #[test]
    fn a_bounded_sweep_keeps_counts_and_first_causes(model in inventories(12), bound in 0u64..40) {
        let net = Net::new(&model);
        let full = sweep(&model, &net, &SweepOptions { detail: true, causes: Targets::All, failures: None, max_pairs: u64::MAX });
        let bounded = sweep(&model, &net, &SweepOptions { detail: true, causes: Targets::All, failures: None, max_pairs: bound });
        let pairs: u64 = model.ids().map(|s| full.causes(s).unwrap().len() as u64).sum::<u64>()
            + full.radii.iter().map(|r| u64::from(r.down + r.degraded)).sum::<u64>();
        prop_assert_eq!(bounded.complete(), pairs <= bound);
        for s in model.ids() {
            let all = full.causes(s).unwrap();
            prop_assert_eq!(bounded.cause_count(s), all.len());
            prop_assert_eq!(bounded.causes(s).unwrap(), &all[..all.len().min(blastmap_analysis::sweep::LISTED)]);
            prop_assert_eq!(bounded.radius(s).down, full.radius(s).down);
            if bounded.complete() {
                prop_assert_eq!(bounded.radius(s), full.radius(s));
            } else {
                prop_assert_eq!(bounded.radius(s).down_ids.as_ref(), None);
            }
        }
    }

    /// `--detail`'s stream gives every list whole, in id order, whatever
    /// the window (`bound`), and lists causes only where asked.
    #[test]
    fn streamed_detail_matches_reference(model in inventories(12), bound in 0u64..40, odd_only in any::<bool>()) {
        let net = Net::new(&model);
        let swept = sweep(&model, &net, &SweepOptions { detail: false, causes: Targets::All, failures: None, max_pairs: 0 });
        let radii: Vec<u64> = swept.radii.iter().map(|r| u64::from(r.down + r.degraded)).collect();
        let asked = |c: ComponentId| !odd_only || c.index() % 2 == 1;
        let causes: Vec<u64> = model.ids().map(|c| if asked(c) { swept.cause_count(c) as u64 } else { 0 }).collect();
        let plan = DetailPlan { radii: Some(&radii), causes: Some(&causes), max_pairs: bound };
        let mut seen = Vec::new();
        stream_detail(&model, &net, &plan, |c, lists| { seen.push((c, lists)); Ok::<(), ()>(()) }).unwrap();
        prop_assert_eq!(seen.len(), model.len());
        for (x, (c, lists)) in model.ids().zip(seen) {
            prop_assert_eq!(c, x);
            let states = reference::states(&model, &[x]);
            let down: Vec<ComponentId> =
                model.ids().filter(|&c| c != x && states[c.index()] == State::Down).collect();
            let degraded: Vec<ComponentId> =
                model.ids().filter(|&c| states[c.index()] == State::Degraded).collect();
            let causes = if asked(x) { reference::spofs(&model, x) } else { Vec::new() };
            prop_assert_eq!(lists, DetailLists { down, degraded, causes });
        }
    }

    #[test]
    fn illusory_groups_match_reference(model in inventories(10)) {
        let net = Net::new(&model);
        let mut expected = Vec::new();
        for owner in model.ids() {
            for (r, req) in model.component(owner).requirements.iter().enumerate() {
                if req.members.len() as u32 <= req.need {
                    continue;
                }
                for x in model.ids().filter(|&x| x != owner) {
                    let states = reference::states(&model, &[x]);
                    let members_down: Vec<ComponentId> =
                        req.members.iter().copied().filter(|m| states[m.index()] == State::Down).collect();
                    let mut members_down = members_down;
                    members_down.sort_unstable();
                    if req.members.len() - members_down.len() < req.need as usize {
                        expected.push((owner, r as u32, x, members_down, states[owner.index()] == State::Down));
                    }
                }
            }
        }
        let found: Vec<_> = illusory_groups(&model, &net)
            .into_iter()
            .map(|f| (f.component, f.requirement, f.culprit, f.members_down, f.component_down))
            .collect();
        prop_assert_eq!(found, expected);
    }

    /// The report's nearest culprits: a subset of every culprit with the
    /// same facts, at least one per defeated group, the rest counted, and
    /// every left-out culprit really takes a listed culprit of its group
    /// down (by the reference semantics).
    #[test]
    fn illusory_redundancy_lists_the_nearest_culprits(model in inventories(10)) {
        let net = Net::new(&model);
        let all = illusory_groups(&model, &net);
        let found = illusory_redundancy(&net);
        for listed in &found.listed {
            prop_assert!(all.contains(listed), "{listed:?} is not a culprit");
        }
        let mut groups: Vec<(ComponentId, u32)> = all.iter().map(|f| (f.component, f.requirement)).collect();
        groups.dedup();
        prop_assert_eq!(found.groups, groups.len());
        prop_assert_eq!(found.listed.len() as u64 + found.implied, all.len() as u64);
        for f in &all {
            let listed_here: Vec<ComponentId> = found
                .listed
                .iter()
                .filter(|l| (l.component, l.requirement) == (f.component, f.requirement))
                .map(|l| l.culprit)
                .collect();
            prop_assert!(!listed_here.is_empty(), "group {:?}/{} lists nothing", f.component, f.requirement);
            if !listed_here.contains(&f.culprit) {
                let states = reference::states(&model, &[f.culprit]);
                prop_assert!(
                    listed_here.iter().any(|&l| states[l.index()] == State::Down),
                    "{:?} is left out but takes no listed culprit of {:?}/{} down",
                    f.culprit, f.component, f.requirement
                );
            }
        }
    }
}

/// A deterministic pseudo-random inventory large enough for several 512-lane
/// chunks and long cycles.
fn large(n: usize, seed: u64) -> Model {
    let mut state = seed;
    let mut next = move |bound: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    let components = (0..n)
        .map(|i| {
            let raw: Vec<RawRequirement> = (0..next(4))
                .map(|_| {
                    // Mostly towards lower indices (layered), sometimes upwards (cycles).
                    let members = (0..=next(3))
                        .map(|_| if next(10) == 0 || i == 0 { next(n) } else { next(i) })
                        .collect();
                    (next(3) as u8, members, next(4) as u32, next(5) == 0)
                })
                .collect();
            SpecComponent {
                tier: 1 + next(4) as u8,
                entrypoint: next(6) == 0,
                weight: 1.0,
                requirements: normalize(i, &raw),
            }
        })
        .collect();
    Spec { components }.build()
}

#[test]
fn sweep_agrees_with_simulate_across_chunks_and_threads() {
    let model = large(1300, 7);
    let net = Net::new(&model);
    let options =
        SweepOptions { detail: true, causes: Targets::Critical, failures: None, max_pairs: u64::MAX };
    let result = sweep(&model, &net, &options);
    for x in model.ids() {
        let sim = simulate(&model, &[x]);
        let down: Vec<ComponentId> = model.ids().filter(|&c| c != x && sim.state(c) == State::Down).collect();
        let degraded: Vec<ComponentId> = model.ids().filter(|&c| sim.state(c) == State::Degraded).collect();
        assert_eq!(result.radius(x).down_ids.as_ref(), Some(&down), "down under {x:?}");
        assert_eq!(result.radius(x).degraded_ids.as_ref(), Some(&degraded), "degraded under {x:?}");
    }
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let again = single.install(|| sweep(&model, &net, &options));
    assert_eq!(result, again);
}

/// Naive all-pairs shortest hard-path lengths (Floyd–Warshall), for the
/// cycle paths below.
fn hard_distances(model: &Model) -> Vec<Vec<Option<usize>>> {
    let n = model.len();
    let mut d = vec![vec![None; n]; n];
    for c in model.ids() {
        for r in model.component(c).requirements.iter().filter(|r| r.mode == Mode::Hard) {
            for m in &r.members {
                d[c.index()][m.index()] = Some(1);
            }
        }
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                if let (Some(a), Some(b)) = (d[i][k], d[k][j])
                    && d[i][j].is_none_or(|x| a + b < x)
                {
                    d[i][j] = Some(a + b);
                }
            }
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Every printed hard cycle is a real closed path of hard requirements
    /// inside its cycle, starting at its most depended-on member, and no
    /// shorter closed path through that member exists.
    #[test]
    fn cycle_paths_are_real_shortest_closed_paths(model in inventories(12)) {
        let cycles = blastmap_analysis::cycles::hard_cycles(&model);
        let paths = blastmap_analysis::cycles::cycle_paths(&model, &cycles);
        prop_assert_eq!(paths.len(), cycles.len());
        let d = hard_distances(&model);
        let mut dependents = vec![0usize; model.len()];
        for c in model.components() {
            for r in c.requirements.iter().filter(|r| r.mode == Mode::Hard) {
                for m in &r.members {
                    dependents[m.index()] += 1;
                }
            }
        }
        for (members, p) in cycles.iter().zip(&paths) {
            let most = members.iter().map(|m| dependents[m.index()]).max().unwrap();
            prop_assert_eq!(dependents[p.hub.index()], most);
            prop_assert_eq!(p.dependents, most);
            prop_assert_eq!(p.path.first(), Some(&p.hub));
            prop_assert_eq!(p.path.last(), Some(&p.hub));
            for pair in p.path.windows(2) {
                prop_assert!(members.contains(&pair[1]));
                prop_assert_eq!(d[pair[0].index()][pair[1].index()], Some(1), "{:?} is not a hard edge", pair);
            }
            // Inside a strongly connected set the shortest closed path
            // through the hub never leaves it.
            prop_assert_eq!(Some(p.path.len() - 1), d[p.hub.index()][p.hub.index()]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Past one pass of 512 failures (where the stream skips the passes
    /// that cannot reach a window), the streamed lists are the sweep's.
    #[test]
    fn streamed_detail_matches_the_sweep_past_one_pass(model in inventories_in(513..=700), bound in 1u64..5000) {
        let net = Net::new(&model);
        let full = sweep(&model, &net, &SweepOptions { detail: true, causes: Targets::All, failures: None, max_pairs: u64::MAX });
        let radii: Vec<u64> = full.radii.iter().map(|r| u64::from(r.down + r.degraded)).collect();
        let causes: Vec<u64> = model.ids().map(|c| full.cause_count(c) as u64).collect();
        let plan = DetailPlan { radii: Some(&radii), causes: Some(&causes), max_pairs: bound };
        let mut next = 0;
        stream_detail(&model, &net, &plan, |c, lists| {
            assert_eq!(c.index(), next);
            next += 1;
            let radius = full.radius(c);
            assert_eq!(Some(&lists.down), radius.down_ids.as_ref(), "down under {c:?}");
            assert_eq!(Some(&lists.degraded), radius.degraded_ids.as_ref(), "degraded under {c:?}");
            assert_eq!(Some(&lists.causes[..]), full.causes(c), "causes of {c:?}");
            Ok::<(), ()>(())
        }).unwrap();
        prop_assert_eq!(next, model.len());
    }
}
