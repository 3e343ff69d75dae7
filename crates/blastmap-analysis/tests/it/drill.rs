//! Drills, runbooks and verification against naive references on random
//! inventories.

use blastmap_analysis::drill::{Options, plan};
use blastmap_analysis::runbook::runbook;
use blastmap_analysis::simulate::{State, simulate};
use blastmap_analysis::verify::{Observed, verify};
use blastmap_manifest::{ComponentId, Mode};
use proptest::prelude::*;

use crate::availability::{Inv, config, inventories};

/// Restart rounds, literally: everything not down is up from the start;
/// each round starts every down component whose hard requirements have
/// `need` members up, until nothing changes.
fn naive_restart(inv: &Inv, down: &[bool]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut up: Vec<bool> = down.iter().map(|d| !d).collect();
    let mut waves = Vec::new();
    loop {
        let ready: Vec<usize> = (0..inv.len())
            .filter(|&v| {
                !up[v]
                    && inv.requirements[v]
                        .iter()
                        .filter(|r| r.mode == Mode::Hard)
                        .all(|r| r.members.iter().filter(|&&m| up[m]).count() as u32 >= r.need)
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for &v in &ready {
            up[v] = true;
        }
        waves.push(ready);
    }
    (waves, (0..inv.len()).filter(|&v| !up[v]).collect())
}

fn failures(n: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..n, 1..=2)
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn restart_waves_match_the_naive_rounds((inv, f) in inventories(12).prop_flat_map(|inv| { let n = inv.len(); (Just(inv), failures(n)) })) {
        let model = inv.model();
        let failed: Vec<ComponentId> = f.iter().map(|&i| ComponentId::new(i)).collect();
        let rb = runbook(&model, &failed);
        let sim = &rb.simulation;
        let down: Vec<bool> = model.ids().map(|c| sim.state(c) == State::Down && !sim.is_failed(c)).collect();
        let (waves, never) = naive_restart(&inv, &down);
        prop_assert_eq!(&rb.recovery[0], &sim.failed().to_vec());
        let got: Vec<Vec<usize>> = rb.recovery[1..].iter().map(|w| w.iter().map(|c| c.index()).collect()).collect();
        prop_assert_eq!(got, waves);
        let got_never: Vec<usize> = rb.never_recovers.iter().map(|c| c.index()).collect();
        prop_assert_eq!(got_never, never);
        // Every down component is under the root its cascade path ends at.
        let listed: usize = rb.by_root.iter().map(|(_, l)| l.len()).sum();
        prop_assert_eq!(listed, down.iter().filter(|&&d| d).count());
    }

    #[test]
    fn the_prediction_itself_verifies_and_any_change_is_explained((inv, f, flip) in inventories(12).prop_flat_map(|inv| { let n = inv.len(); (Just(inv), failures(n), 0..n) })) {
        let model = inv.model();
        let failed: Vec<ComponentId> = f.iter().map(|&i| ComponentId::new(i)).collect();
        let sim = simulate(&model, &failed);
        let states: Vec<Option<State>> = model.ids().map(|c| Some(if sim.is_failed(c) { State::Down } else { sim.state(c) })).collect();
        let exact = verify(&model, &Observed { failed: failed.clone(), states: states.clone() });
        prop_assert!(exact.held && exact.injection_observed);
        prop_assert!(exact.rows.iter().all(|r| r.cause.is_none()));
        // Rows: exactly the components predicted or observed not up.
        let not_up = model.ids().filter(|&c| sim.is_failed(c) || sim.state(c) != State::Up).count();
        prop_assert_eq!(exact.rows.len(), not_up);

        // One component observed otherwise: the model did not hold, and
        // that component (only) carries a cause.
        let c = ComponentId::new(flip);
        let mut changed = states;
        let before = changed[flip];
        changed[flip] = Some(match before { Some(State::Up) => State::Down, _ => State::Up });
        let v = verify(&model, &Observed { failed, states: changed });
        if sim.is_failed(c) {
            prop_assert!(!v.injection_observed);
        } else {
            // Predicted degraded and seen up does not refute the model.
            prop_assert_eq!(v.held, before == Some(State::Degraded));
            let row = v.rows.iter().find(|r| r.component == c);
            prop_assert!(row.is_some_and(|r| r.cause.is_some()));
            prop_assert_eq!(v.rows.iter().filter(|r| r.cause.is_some()).count(), 1);
        }
    }

    #[test]
    fn a_plan_keeps_entrypoints_up_tests_only_claims_predicted_to_hold_and_is_ranked(inv in inventories(12), top in 1usize..6) {
        let mut model = inv.model();
        // Make some components entrypoints.
        let mut components: Vec<_> = model.components().cloned().collect();
        for (i, c) in components.iter_mut().enumerate() {
            c.entrypoint = i % 3 == 0;
        }
        model = blastmap_manifest::Model::from_components(components, None);
        let p = plan(&model, Options { top, allow_outage: false });
        prop_assert!(p.experiments.len() <= top);
        for e in &p.experiments {
            prop_assert!(e.entrypoints_down.is_empty());
            prop_assert!(!e.claims.is_empty());
            for k in &e.claims {
                prop_assert_ne!(e.simulation.state(k.component), State::Down);
            }
            prop_assert_eq!(e.simulation.failed(), &e.inject[..]);
        }
        for pair in p.experiments.windows(2) {
            prop_assert!(pair[0].rank_weight >= pair[1].rank_weight);
            prop_assert!(p.estimated.is_some() || (pair[0].rank_weight - pair[0].protected_weight).abs() < 1e-9);
        }
        let open = plan(&model, Options { top: 1000, allow_outage: true });
        prop_assert!(open.experiments.len() >= p.experiments.len());
    }
}
