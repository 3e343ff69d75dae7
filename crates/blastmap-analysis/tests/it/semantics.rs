//! The examples of docs/semantics.md (#states, #requirements, #soft,
//! #fixpoint, #spof, #cut-sets), written out by hand.

use blastmap_analysis::cuts::{cut_sets, cut_sets_within};
use blastmap_analysis::net::Net;
use blastmap_analysis::simulate::{State, simulate};
use blastmap_analysis::spof::{IllusoryGroup, illusory_groups, rank_by_critical, spofs};
use blastmap_analysis::sweep::{SweepOptions, Targets, sweep};
use blastmap_manifest::{ComponentId, Kind, Model};

use crate::inventory::Inventory;

fn id(model: &Model, name: &str) -> ComponentId {
    model.find(name).unwrap()
}

fn state(model: &Model, failed: &[&str], of: &str) -> State {
    let failed: Vec<ComponentId> = failed.iter().map(|f| id(model, f)).collect();
    simulate(model, &failed).state(id(model, of))
}

fn names(model: &Model, ids: &[ComponentId]) -> Vec<String> {
    ids.iter().map(|&c| model.component(c).id.clone()).collect()
}

fn sessions() -> Model {
    Inventory::new().any_of("sessions", &["redis-a", "redis-b"]).needs("web", "sessions").build()
}

#[test]
fn losing_one_redundant_member_leaves_the_group_met() {
    let model = sessions();
    assert_eq!(state(&model, &["redis-a"], "sessions"), State::Up);
    assert_eq!(state(&model, &["redis-a"], "web"), State::Up);
}

#[test]
fn losing_every_member_takes_the_owner_down_with_a_cascade_path() {
    let model = sessions();
    let sim = simulate(&model, &[id(&model, "redis-b"), id(&model, "redis-a")]);
    assert_eq!(sim.failed(), &[id(&model, "redis-a"), id(&model, "redis-b")]);
    assert_eq!(sim.state(id(&model, "sessions")), State::Down);
    assert_eq!(sim.state(id(&model, "web")), State::Down);
    let web = id(&model, "web");
    assert_eq!(names(&model, &sim.path(web)), ["web", "sessions", "redis-a"]);
    assert_eq!(sim.path_requirements(web), [0, 0]);
    let affected: Vec<ComponentId> = sim.affected().collect();
    assert_eq!(names(&model, &affected), ["sessions", "web"]);
}

#[test]
fn a_degraded_member_with_the_other_down_impairs_the_group() {
    let model =
        Inventory::new().any_of("sessions", &["redis-a", "redis-b"]).soft("redis-b", "metrics").build();
    assert_eq!(state(&model, &["metrics"], "redis-b"), State::Degraded);
    assert_eq!(state(&model, &["metrics"], "sessions"), State::Up);
    assert_eq!(state(&model, &["metrics", "redis-a"], "sessions"), State::Degraded);
    let sim = simulate(&model, &[id(&model, "metrics"), id(&model, "redis-a")]);
    // Both members justify the impairment; the failed one is closer.
    assert_eq!(names(&model, &sim.path(id(&model, "sessions"))), ["sessions", "redis-a"]);
}

#[test]
fn quorum_two_of_three() {
    let model = Inventory::new().quorum("api", 2, &["etcd-1", "etcd-2", "etcd-3"]).build();
    assert_eq!(state(&model, &["etcd-1"], "api"), State::Up);
    assert_eq!(state(&model, &["etcd-1", "etcd-3"], "api"), State::Down);
    let sim = simulate(&model, &[id(&model, "etcd-3"), id(&model, "etcd-1")]);
    assert_eq!(names(&model, &sim.path(id(&model, "api"))), ["api", "etcd-1"]);
}

#[test]
fn soft_requirements_lower_the_outcome_one_step() {
    let model = Inventory::new()
        .soft("checkout", "recommendations")
        .needs("recommendations", "ml")
        .soft("ml", "features")
        .needs("web", "checkout")
        .build();
    assert_eq!(state(&model, &["recommendations"], "checkout"), State::Degraded);
    // A degraded soft dependency leaves its dependent up.
    assert_eq!(state(&model, &["features"], "ml"), State::Degraded);
    assert_eq!(state(&model, &["features"], "recommendations"), State::Degraded);
    assert_eq!(state(&model, &["features"], "checkout"), State::Up);
    // A hard dependency on a degraded component degrades.
    assert_eq!(state(&model, &["recommendations"], "web"), State::Degraded);
    let sim = simulate(&model, &[id(&model, "ml")]);
    assert_eq!(names(&model, &sim.path(id(&model, "web"))), ["web", "checkout", "recommendations", "ml"]);
}

#[test]
fn a_cycle_fails_together_once_anything_in_it_fails() {
    let model = Inventory::new().needs("a", "b").needs("b", "c").needs("c", "a").needs("c", "db").build();
    for member in ["a", "b", "c"] {
        assert_eq!(state(&model, &["db"], member), State::Down);
    }
    let sim = simulate(&model, &[id(&model, "db")]);
    assert_eq!(names(&model, &sim.path(id(&model, "b"))), ["b", "c", "db"]);
    assert_eq!(names(&model, &sim.path(id(&model, "a"))), ["a", "b", "c", "db"]);
}

#[test]
fn a_cycle_without_failure_stays_up() {
    let model = Inventory::new().needs("a", "b").needs("b", "a").needs("x", "y").component("lonely").build();
    let sim = simulate(&model, &[id(&model, "y")]);
    assert_eq!(sim.state(id(&model, "a")), State::Up);
    assert_eq!(sim.state(id(&model, "b")), State::Up);
    assert_eq!(sim.state(id(&model, "x")), State::Down);
    assert_eq!(sim.state(id(&model, "lonely")), State::Up);
    assert_eq!((sim.count(State::Down), sim.count(State::Degraded), sim.count(State::Up)), (2, 0, 3));
}

#[test]
fn a_soft_group_with_every_member_down_only_degrades() {
    let model = Inventory::new().soft_any_of("search", &["es-1", "es-2"]).needs("web", "search").build();
    assert_eq!(state(&model, &["es-1"], "search"), State::Up);
    assert_eq!(state(&model, &["es-1", "es-2"], "search"), State::Degraded);
    assert_eq!(state(&model, &["es-1", "es-2"], "web"), State::Degraded);
}

/// Two "redundant" database replicas that both run only in zone-a.
fn shared_zone() -> Model {
    Inventory::new()
        .entrypoint("web")
        .weight("web", 40.0)
        .needs("web", "orders")
        .tier("orders", 1)
        .any_of("orders", &["orders-db-a", "orders-db-b"])
        .needs("orders-db-a", "zone-a")
        .needs("orders-db-b", "zone-a")
        .kind("zone-a", Kind::Zone)
        .any_of("payments", &["payments-db-a", "payments-db-b"])
        .needs("payments-db-a", "zone-a")
        .needs("payments-db-b", "zone-b")
        .build()
}

#[test]
fn two_replicas_in_one_zone_make_the_zone_a_spof() {
    let model = shared_zone();
    let net = Net::new(&model);
    let lists = spofs(&model, &net, &Targets::Critical);
    let orders = lists.iter().find(|l| l.component == id(&model, "orders")).unwrap();
    assert_eq!(names(&model, &orders.spofs), ["zone-a"]);
    let web = lists.iter().find(|l| l.component == id(&model, "web")).unwrap();
    assert_eq!(names(&model, &web.spofs), ["orders", "zone-a"]);

    let fate = illusory_groups(&model, &net);
    assert_eq!(
        fate,
        [IllusoryGroup {
            component: id(&model, "orders"),
            requirement: 0,
            culprit: id(&model, "zone-a"),
            members_down: vec![id(&model, "orders-db-a"), id(&model, "orders-db-b")],
            component_down: true,
        }]
    );

    let result = sweep(&model, &net, &SweepOptions::default());
    let zone = result.radius(id(&model, "zone-a"));
    assert_eq!((zone.down, zone.critical_down, zone.entrypoints_down), (5, 2, 1));
    assert!((zone.weight_down - 44.0).abs() < 1e-9);
    assert_eq!(zone.degraded, 0);
    let ranked = rank_by_critical(&result);
    assert_eq!(names(&model, &ranked.iter().map(|r| r.component).collect::<Vec<_>>()), ["zone-a", "orders"]);

    let cuts = cut_sets(&model, &net, &Targets::Only(vec![id(&model, "orders"), id(&model, "payments")]));
    assert_eq!(names(&model, &cuts[0].singles), ["zone-a"]);
    let pairs: Vec<Vec<String>> = cuts[0].pairs.iter().map(|p| names(&model, p)).collect();
    assert_eq!(pairs, [["orders-db-a", "orders-db-b"]]);
    assert!(cuts[1].singles.is_empty());
    let pairs: Vec<Vec<String>> = cuts[1].pairs.iter().map(|p| names(&model, p)).collect();
    assert_eq!(
        pairs,
        [
            ["payments-db-a", "payments-db-b"],
            ["payments-db-a", "zone-b"],
            ["payments-db-b", "zone-a"],
            ["zone-a", "zone-b"]
        ]
    );

    // The bound on candidate pairs: counted before any is built.
    let both = Targets::Only(vec![id(&model, "orders"), id(&model, "payments")]);
    let Err(skipped) = cut_sets_within(&model, &net, &both, 3) else { panic!("the bound was not applied") };
    assert_eq!((skipped.bound, skipped.candidates > 3), (3, true));
    assert_eq!(cut_sets_within(&model, &net, &both, skipped.candidates).unwrap(), cuts);
}

#[test]
fn state_names() {
    assert_eq!([State::Up, State::Degraded, State::Down].map(State::as_str), ["up", "degraded", "down"]);
    assert_eq!(serde_json::to_string(&State::Degraded).unwrap(), "\"degraded\"");
}
