//! Rough timings on generated inventories, not assertions: run with
//! `cargo test --release -p blastmap-analysis --test it -- --ignored speed --nocapture`.

use std::time::Instant;

use blastmap_analysis::cuts::cut_sets;
use blastmap_analysis::net::Net;
use blastmap_analysis::spof::{illusory_groups, spofs};
use blastmap_analysis::sweep::{SweepOptions, Targets, down_causes, sweep};
use blastmap_manifest::{Mode, Model, RequirementShape};

use crate::inventory::{Spec, SpecComponent};

/// A modular inventory: the first 5% are platform components (domains,
/// datastores; each may need one lower platform component), the rest come in
/// systems of 50 whose components need, on average `per` times: 80% a lower
/// component of their own system, 15% a platform component, 5% one of the
/// first five ("API") components of an earlier system. Requirements are 60%
/// hard single, 15% soft single, 15% `any_of` of 2–3, 10% quorum n−1 of n; a
/// few point upwards inside a system and close cycles.
fn modular(n: usize, per: usize, seed: u64) -> Model {
    let mut state = seed;
    let mut next = move |bound: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound.max(1)
    };
    let platform = (n / 20).max(1);
    let components = (0..n)
        .map(|i| {
            let system_start = if i < platform { 0 } else { platform + (i - platform) / 50 * 50 };
            let mut requirements = Vec::new();
            let count = if i < platform { next(2) } else { next(2 * per + 1) };
            for _ in 0..count {
                let kind = next(100);
                let size = if kind < 75 { 1 } else { 2 + next(2) };
                let mut members: Vec<usize> = Vec::new();
                for _ in 0..size {
                    let m = if i < platform {
                        next(i)
                    } else {
                        match next(100) {
                            0..80 if i > system_start => {
                                if next(200) == 0 {
                                    system_start + next(50).min(n - 1 - system_start)
                                } else {
                                    system_start + next(i - system_start)
                                }
                            }
                            0..95 => next(platform),
                            _ if system_start > platform => {
                                let earlier = (system_start - platform) / 50;
                                platform + next(earlier) * 50 + next(5)
                            }
                            _ => next(platform),
                        }
                    };
                    if m != i && !members.contains(&m) {
                        members.push(m);
                    }
                }
                if members.is_empty() {
                    continue;
                }
                let req = match (kind, members.len()) {
                    (0..60, _) | (_, 1) => (RequirementShape::Single, 1, vec![members[0]], Mode::Hard),
                    (60..75, _) => (RequirementShape::Single, 1, vec![members[0]], Mode::Soft),
                    (75..90, _) => (RequirementShape::AnyOf, 1, members, Mode::Hard),
                    _ => (RequirementShape::Quorum, members.len() as u32 - 1, members, Mode::Hard),
                };
                requirements.push(req);
            }
            SpecComponent { tier: 1 + next(4) as u8, entrypoint: next(20) == 0, weight: 1.0, requirements }
        })
        .collect();
    Spec { components }.build()
}

#[allow(clippy::print_stderr, reason = "a manual timing run prints its measurements")]
fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    eprintln!("{label}: {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    out
}

fn run(n: usize, per: usize, threads: usize) {
    let model = modular(n, per, 42);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let net = time(&format!("{n}/{per}x net ({} members)", Net::new(&model).member_count()), || {
            Net::new(&model)
        });
        let result = time(&format!("{n} sweep, {threads} thread(s)"), || {
            sweep(&model, &net, &SweepOptions::default())
        });
        let total: u64 = result.radii.iter().map(|r| u64::from(r.down)).sum();
        time(&format!("{n} down causes of critical ({total} down pairs)"), || {
            down_causes(&model, &net, &Targets::Critical)
        });
        time(&format!("{n} spofs of critical"), || spofs(&model, &net, &Targets::Critical));
        time(&format!("{n} illusory redundancy, every pair"), || illusory_groups(&model, &net));
        if n <= 20_000 {
            let tier1: Vec<_> = model.ids().filter(|&c| model.component(c).tier == 1).collect();
            time(&format!("{n} order-2 cut sets of {} tier-1", tier1.len()), || {
                cut_sets(&model, &net, &Targets::Only(tier1))
            });
        }
    });
}

#[test]
#[ignore = "manual timing run"]
fn speed() {
    run(10_000, 5, 1);
    run(10_000, 5, 2);
    run(100_000, 10, 2);
}
