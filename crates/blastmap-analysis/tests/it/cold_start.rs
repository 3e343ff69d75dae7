//! Cold-start waves and hard cycles against naive references on random
//! inventories.

use blastmap_analysis::cold_start::{WhyNot, cold_start};
use blastmap_analysis::cycles::hard_cycles;
use blastmap_manifest::Mode;
use proptest::prelude::*;

use crate::availability::{Inv, config, inventories};

/// Rounds of "start everything whose hard requirements are met by what
/// started in earlier rounds", until nothing changes.
fn naive_waves(inv: &Inv) -> Vec<Option<u32>> {
    let mut wave: Vec<Option<u32>> = vec![None; inv.len()];
    for round in 0.. {
        let ready: Vec<usize> = (0..inv.len())
            .filter(|&v| wave[v].is_none() && inv.hard_unmet(v, |m| wave[m].is_some()).is_none())
            .collect();
        if ready.is_empty() {
            break;
        }
        for v in ready {
            wave[v] = Some(round);
        }
    }
    wave
}

/// Hard reachability by Floyd–Warshall.
fn hard_reach(inv: &Inv) -> Vec<Vec<bool>> {
    let n = inv.len();
    let mut reach = vec![vec![false; n]; n];
    for (v, row) in reach.iter_mut().enumerate() {
        for r in inv.requirements[v].iter().filter(|r| r.mode == Mode::Hard) {
            for &m in &r.members {
                row[m] = true;
            }
        }
    }
    for k in 0..n {
        let through = reach[k].clone();
        for row in &mut reach {
            if row[k] {
                for (to, &via) in row.iter_mut().zip(&through) {
                    *to |= via;
                }
            }
        }
    }
    reach
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn waves_match_the_naive_start_process(inv in inventories(12)) {
        let start = cold_start(&inv.model());
        let naive = naive_waves(&inv);
        prop_assert_eq!(&start.wave_of, &naive);
        for (w, wave) in start.waves.iter().enumerate() {
            prop_assert!(!wave.is_empty());
            prop_assert!(wave.windows(2).all(|p| p[0] < p[1]), "wave sorted");
            for v in wave {
                prop_assert_eq!(start.wave_of[v.index()], Some(w as u32));
                // Every hard requirement is met by earlier waves.
                let earlier = |m: usize| start.wave_of[m].is_some_and(|x| (x as usize) < w);
                prop_assert!(inv.hard_unmet(v.index(), earlier).is_none());
            }
        }
        let never: Vec<usize> = (0..inv.len()).filter(|&v| naive[v].is_none()).collect();
        let reported: Vec<usize> = start.never_starts.iter().map(|s| s.component.index()).collect();
        prop_assert_eq!(&reported, &never);
        let stuck = |m: usize| naive[m].is_none();
        for s in &start.never_starts {
            let v = s.component.index();
            match &s.why {
                WhyNot::Blocked { requirement, blockers } => {
                    let r = &inv.requirements[v][*requirement];
                    prop_assert_eq!(r.mode, Mode::Hard);
                    let started = r.members.iter().filter(|&&m| !stuck(m)).count() as u32;
                    prop_assert!(started < r.need, "requirement can never be met");
                    let mut expected: Vec<usize> = r.members.iter().copied().filter(|&m| stuck(m)).collect();
                    expected.sort_unstable();
                    let got: Vec<usize> = blockers.iter().map(|b| b.index()).collect();
                    prop_assert_eq!(got, expected);
                }
                WhyNot::Deadlock { deadlock, path } => {
                    prop_assert!(start.deadlocks[*deadlock].contains(&s.component));
                    prop_assert!(path.len() >= 3);
                    prop_assert_eq!(path.first(), Some(&s.component));
                    prop_assert_eq!(path.last(), Some(&s.component));
                    // Each step waits on a never-starting member of an
                    // unmet hard requirement.
                    for step in path.windows(2) {
                        let (a, b) = (step[0].index(), step[1].index());
                        prop_assert!(stuck(b));
                        let waits = inv.requirements[a].iter().any(|r| {
                            r.mode == Mode::Hard
                                && r.members.contains(&b)
                                && (r.members.iter().filter(|&&m| !stuck(m)).count() as u32) < r.need
                        });
                        prop_assert!(waits, "c{a:03} does not wait on c{b:03}");
                    }
                }
            }
        }
    }

    #[test]
    fn hard_cycles_match_mutual_reachability(inv in inventories(12)) {
        let reach = hard_reach(&inv);
        let mut expected: Vec<Vec<usize>> = Vec::new();
        for (v, row) in reach.iter().enumerate() {
            let class: Vec<usize> = (0..inv.len()).filter(|&w| w == v || (row[w] && reach[w][v])).collect();
            if class.len() >= 2 && class[0] == v {
                expected.push(class);
            }
        }
        expected.sort();
        let got: Vec<Vec<usize>> =
            hard_cycles(&inv.model()).iter().map(|c| c.iter().map(|v| v.index()).collect()).collect();
        prop_assert_eq!(got, expected);
    }
}
