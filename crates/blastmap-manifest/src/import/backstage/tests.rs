use std::sync::Arc;

use super::import;
use crate::diagnostics::{Code, Diagnostic};
use crate::import::{Imported, Inventory};
use crate::model::{Kind, Mode};
use crate::source::SourceFile;
use crate::syntax::{Limits, Syntax, parse};

struct Run {
    components: Vec<Imported>,
    diags: Vec<Diagnostic>,
}

impl Run {
    fn get(&self, id: &str) -> &Imported {
        self.components.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no component `{id}`"))
    }

    fn targets(&self, id: &str) -> Vec<String> {
        self.get(id).dependencies.iter().flat_map(|d| d.targets.clone()).collect()
    }
}

/// Imports files given as (name, text), in that order.
fn run(files: &[(&str, &str)]) -> Run {
    let mut docs = Vec::new();
    for (name, text) in files {
        let file = Arc::new(SourceFile::new(name, (*text).to_owned()));
        for doc in parse(&file, Syntax::Yaml, &Limits::default()).unwrap() {
            docs.push((Arc::clone(&file), doc));
        }
    }
    let (mut diags, mut notes) = (Vec::new(), Vec::new());
    let components = import(&docs, &mut diags, &mut notes);
    Run { components, diags }
}

fn component(name: &str, spec: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

#[test]
fn a_reference_defined_nowhere_is_a_placeholder_that_says_who_names_it() {
    let web = component("web", "  type: service\n  dependsOn: [resource:sessions, component:search]\n");
    let r = run(&[("web/catalog-info.yaml", &web)]);
    assert_eq!(r.targets("web"), ["sessions", "search"]);
    let sessions = r.get("sessions");
    assert!(!sessions.defined);
    assert!(sessions.entrypoint.is_empty());
    assert_eq!(sessions.labels.get("backstage").map(String::as_str), Some("Resource"));
    let note = sessions.notes.join("\n");
    assert!(note.contains("`web` names it in dependsOn (web/catalog-info.yaml:7)"), "{note}");
    assert!(note.contains("resource:default/sessions"), "{note}");
    assert!(!r.get("search").defined);
    let warned: Vec<&str> =
        r.diags.iter().filter(|d| d.code == Code::UnresolvedReference).map(|d| d.message.as_str()).collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(r.diags.iter().all(|d| !d.is_error()));
}

#[test]
fn a_reference_defined_in_a_later_file_is_no_placeholder() {
    let web = component("web", "  type: service\n  dependsOn: [component:search]\n");
    let search = component("search", "  type: service\n");
    let r = run(&[("a/catalog-info.yaml", &web), ("b/catalog-info.yaml", &search)]);
    assert!(r.get("search").defined);
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(r.components.len(), 2);
}

#[test]
fn an_identical_copy_merges_with_a_note() {
    let a = component("cart", "  type: service\n  owner: team\n  dependsOn: [db, cache]\n");
    let b = component("cart", "  dependsOn: [cache, db]\n  owner: team\n  type: service\n");
    let db = component("db", "  type: database\n");
    let cache = component("cache", "  type: cache\n");
    let r = run(&[("a.yaml", &a), ("b.yaml", &b), ("c.yaml", &format!("{db}\n---\n{cache}"))]);
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let cart = r.get("cart");
    assert_eq!(cart.notes, ["defined identically in a.yaml:4 and b.yaml:4: merged"]);
    assert_eq!(r.components.iter().filter(|c| c.id.contains("cart")).count(), 1);
}

#[test]
fn a_conflicting_copy_warns_with_both_places_and_the_first_wins() {
    let a = component("cart", "  type: service\n  dependsOn: [db]\n");
    let b = component("Cart", "  type: service\n  dependsOn: [cache]\n");
    let r = run(&[("repo-a/catalog-info.yaml", &a), ("repo-b/all.yaml", &b)]);
    let d = r.diags.iter().find(|d| d.code == Code::DuplicateId).expect("a duplicate-id warning");
    assert!(!d.is_error());
    assert!(d.message.contains("component:default/cart"), "{}", d.message);
    assert!(d.message.contains("repo-a/catalog-info.yaml:4, is kept"), "{}", d.message);
    assert_eq!(d.file.as_ref().map(|f| &*f.name), Some("repo-b/all.yaml"));
    assert_eq!(
        d.related.first().and_then(|r| r.file.as_ref()).map(|f| &*f.name),
        Some("repo-a/catalog-info.yaml")
    );
    assert_eq!(r.targets("cart"), ["db"]);
    assert!(r.get("cart").notes.iter().any(|n| n.contains("defined again in repo-b/all.yaml:4")));
    assert!(r.components.iter().all(|c| c.id != "cache" || !c.defined));
}

#[test]
fn websites_and_apis_nothing_consumes_are_entrypoints_with_evidence() {
    let web = component("web", "  type: website\n  consumesApis: [orders-api]\n");
    let orders = component("orders", "  type: service\n  providesApis: [orders-api, admin-api]\n");
    let inner = component("inner", "  type: service\n");
    let lib = component("sdk", "  type: library\n  providesApis: [sdk-api]\n");
    let r = run(&[("c.yaml", &[web, orders, inner, lib].join("---\n"))]);
    assert_eq!(r.get("web").entrypoint, ["spec.type website (c.yaml:6)"]);
    assert_eq!(r.get("web").kind, Some(Kind::Frontend));
    assert_eq!(
        r.get("orders").entrypoint,
        ["provides API admin-api consumed by nothing in the inventory (c.yaml:15)"]
    );
    assert!(r.get("inner").entrypoint.is_empty());
    assert!(r.get("sdk").entrypoint.is_empty(), "a library's API is called in-process");
    assert!(r.get("sdk").notes.iter().any(|n| n.contains("library")));
}

#[test]
fn an_api_nobody_provides_gets_a_placeholder_provider() {
    let web = component("web", "  type: website\n  dependsOn: ['api:heroes-api']\n");
    let api = component("heroes-api", "  type: service\n");
    let r = run(&[("c.yaml", &format!("{web}---\n{api}"))]);
    let held = r.get("api:heroes-api");
    assert!(!held.defined);
    assert!(held.notes[0].contains("the component `heroes-api` has its name"), "{:?}", held.notes);
    let dep = &r.get("web").dependencies[0];
    assert_eq!(dep.targets, ["api:heroes-api"]);
    assert_eq!(dep.via.as_deref(), Some("API heroes-api"));
    assert!(r.diags.iter().any(|d| d.code == Code::UnresolvedReference));
}

#[test]
fn resource_types_give_kinds_and_components_claim_names_first() {
    let q = "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: events\nspec:\n  type: queue\n";
    let b = "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: files\nspec:\n  type: s3-bucket\n";
    let c = component("events", "  type: service\n");
    let r = run(&[("r.yaml", &format!("{q}---\n{b}")), ("c.yaml", &c)]);
    assert_eq!(r.get("resource:events").kind, Some(Kind::Queue));
    assert_eq!(r.get("files").kind, Some(Kind::Storage));
    assert_eq!(r.get("events").kind, Some(Kind::Service));
}

#[test]
fn a_part_is_a_soft_dependency_of_its_whole() {
    let whole = component("archive", "  type: service\n");
    let part = component("archive-storage", "  type: service\n  subcomponentOf: archive\n");
    let r = run(&[("c.yaml", &format!("{whole}---\n{part}"))]);
    let dep = &r.get("archive").dependencies[0];
    assert_eq!(dep.targets, ["archive-storage"]);
    assert_eq!(dep.mode, Mode::Soft);
}

#[test]
fn a_defined_component_of_another_format_replaces_a_placeholder() {
    let web =
        component("web", "  type: service\n  dependsOn: [resource:db]\n  dependencyOf: [component:edge]\n");
    let r = run(&[("c.yaml", &web)]);
    let mut inventory = Inventory::default();
    // Another format defined `db` first: the placeholder merges into it.
    let file = Arc::new(SourceFile::new("compose.yaml", String::new()));
    let db = Imported::new("db".to_owned(), crate::import::Format::Compose, &file, 0..0);
    assert!(inventory.extend(vec![db]).is_empty());
    assert!(inventory.extend(r.components).is_empty());
    assert!(inventory.components["db"].defined);
    assert!(inventory.components["db"].notes.is_empty());
    // `edge` is a placeholder with a dependency; a later definition keeps it.
    assert!(!inventory.components["edge"].defined);
    let edge = Imported::new("edge".to_owned(), crate::import::Format::Compose, &file, 0..0);
    assert!(inventory.extend(vec![edge]).is_empty());
    let edge = &inventory.components["edge"];
    assert!(edge.defined);
    assert_eq!(edge.dependencies[0].targets, ["web"]);
    // Two defined components still clash.
    let again = Imported::new("web".to_owned(), crate::import::Format::Compose, &file, 0..0);
    assert_eq!(inventory.extend(vec![again]).len(), 1);
}

#[test]
fn references_and_names_that_name_nothing_are_warnings_not_components() {
    let web = component(
        "web",
        "  type: website\n  dependsOn: ['', 'component:', 'resource:ns/', 42]\n  consumesApis: 'api:'\n  subcomponentOf: web\n  dependencyOf: [group:team]\n",
    );
    let blank = "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: '  '\n";
    let r = run(&[("c.yaml", &format!("{web}---\n{blank}"))]);
    let ids: Vec<&str> = r.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["web", "42"]);
    assert_eq!(r.targets("web"), ["42"]);
    let malformed = r.diags.iter().filter(|d| d.message.contains("no entity reference")).count();
    assert_eq!(malformed, 4);
    assert!(
        r.diags
            .iter()
            .any(|d| d.message
                == "`web` names `group:team` in dependencyOf, which is no Component or Resource")
    );
    assert!(r.diags.iter().any(|d| d.code == Code::MissingField));
    assert!(r.diags.iter().all(|d| !d.is_error()));
}
