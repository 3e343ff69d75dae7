//! `diff` of two inventories: what changed in structure and in risk.

use blastmap_analysis::diff::{SpofChange, diff};
use blastmap_manifest::{LoadOptions, Model, load_texts};

fn model(yaml: &str) -> Model {
    let loaded = load_texts(&[("test.yaml", yaml)], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.model
}

const BASE: &str = r"
blastmap: 1
components:
  web: { kind: frontend, depends_on: [api] }
  api: { tier: 1, availability: 99.9, depends_on: [{ any_of: [db-a, db-b] }] }
  db-a: { kind: database, availability: 99.9 }
  db-b: { kind: database, availability: 99.9 }
  old: {}
";

const HEAD: &str = r"
blastmap: 1
components:
  web: { kind: frontend, depends_on: [api] }
  api: { tier: 1, availability: 99.9, depends_on: [db-a, audit] }
  audit: { depends_on: [ledger] }
  ledger: { depends_on: [audit] }
  db-a: { kind: database, availability: 99.9 }
";

fn pair(component: &str, spof: &str) -> SpofChange {
    SpofChange { component: component.to_owned(), spof: spof.to_owned() }
}

#[test]
fn diff_reports_structure_spofs_radii_cycles_and_availability() {
    let d = diff(&model(BASE), &model(HEAD));
    assert_eq!(d.added_components, ["audit", "ledger"]);
    assert_eq!(d.removed_components, ["db-b", "old"]);
    let added: Vec<(&str, &[String])> =
        d.added_dependencies.iter().map(|x| (x.from.as_str(), x.members.as_slice())).collect();
    assert_eq!(added.len(), 4);
    assert_eq!(added[0], ("api", &["audit".to_owned()][..]));
    assert_eq!(d.removed_dependencies.len(), 1);
    assert_eq!(d.removed_dependencies[0].members, ["db-a", "db-b"]);
    assert_eq!(
        d.new_spofs,
        [
            pair("api", "audit"),
            pair("api", "db-a"),
            pair("api", "ledger"),
            pair("web", "audit"),
            pair("web", "db-a"),
            pair("web", "ledger")
        ]
    );
    assert_eq!(d.removed_spofs, []);
    // db-a: 0 → 2; api still takes web down (1 → 1, unchanged).
    let radii: Vec<(&str, u32, u32)> =
        d.radius_changes.iter().map(|r| (r.component.as_str(), r.before, r.after)).collect();
    assert_eq!(radii, [("db-a", 0, 2)]);
    assert_eq!(d.new_cycles, [vec!["audit".to_owned(), "ledger".to_owned()]]);
    assert_eq!(d.removed_cycles, Vec::<Vec<String>>::new());
    let moved: Vec<&str> = d.availability_changes.iter().map(|a| a.component.as_str()).collect();
    assert_eq!(moved, ["api", "web"]);
    assert!(d.availability_changes.iter().all(blastmap_analysis::diff::AvailabilityChange::dropped));
}

#[test]
fn diff_is_symmetric_and_empty_on_identical_inventories() {
    let (base, head) = (model(BASE), model(HEAD));
    assert!(diff(&base, &base).is_empty());
    let forward = diff(&base, &head);
    let backward = diff(&head, &base);
    assert_eq!(forward.added_components, backward.removed_components);
    assert_eq!(forward.new_spofs, backward.removed_spofs);
    assert_eq!(forward.new_cycles, backward.removed_cycles);
    assert!(backward.availability_changes.iter().all(|a| !a.dropped()));
}

#[test]
fn declared_against_observed_lists_undeclared_and_unused() {
    use blastmap_analysis::diff::is_observed;
    let declared = model(
        "blastmap: 1\ncomponents:\n  web: {depends_on: [cart, legacy]}\n  cart: {depends_on: [redis]}\n  redis: {}\n  legacy: {}\n  batch: {depends_on: [redis]}\n",
    );
    let observed = model(
        "blastmap: 1\ncomponents:\n  web: {depends_on: [{target: cart, via: 'observed: 10 calls'}, {target: pay, via: 'observed: 3 calls'}]}\n  cart: {depends_on: [{target: redis, via: 'observed: 9 calls'}]}\n  redis: {}\n  pay: {}\n",
    );
    assert!(is_observed(&observed));
    assert!(!is_observed(&declared));
    let forward = diff(&declared, &observed).observed.unwrap();
    assert!(forward.observed_is_head);
    assert_eq!(forward.undeclared, [("web".to_owned(), "pay".to_owned(), "observed: 3 calls".to_owned())]);
    // `batch` never shows up in the traffic: its declaration says nothing.
    assert_eq!(forward.unused, [("web".to_owned(), "legacy".to_owned())]);
    let backward = diff(&observed, &declared).observed.unwrap();
    assert!(!backward.observed_is_head);
    assert_eq!((backward.undeclared, backward.unused), (forward.undeclared, forward.unused));
    // Two manifests: no such section.
    assert!(diff(&declared, &declared).observed.is_none());
}
