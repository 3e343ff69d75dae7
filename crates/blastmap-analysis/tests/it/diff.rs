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
