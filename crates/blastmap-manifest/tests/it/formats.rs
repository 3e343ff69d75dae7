//! The three syntaxes, directories, merging, and the model they build.

use std::path::Path;

use blastmap_manifest::{Drill, Kind, LoadOptions, Mode, Model, Origin, RequirementShape, load, load_texts};

use crate::fixtures;

fn load_ok(paths: &[&Path]) -> Model {
    let loaded = load(paths, &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.model
}

/// A model as comparable text: everything but locations.
fn summary(model: &Model) -> String {
    let mut out = String::new();
    for c in model.components() {
        out.push_str(&format!(
            "{} {} tier={} entry={} w={} a={:?} slo={:?}\n",
            c.id, c.kind, c.tier, c.entrypoint, c.weight, c.availability, c.slo
        ));
        for r in &c.requirements {
            let members: Vec<&str> = r.members.iter().map(|&m| model.component(m).id.as_str()).collect();
            out.push_str(&format!("  {:?} {}/{:?} {:?} {:?}\n", r.shape, r.need, members, r.mode, r.origin));
        }
    }
    out
}

#[test]
fn yaml_json_and_toml_build_the_same_model() {
    let json = load_ok(&[&fixtures().join("valid/shop-small.json")]);
    let toml = load_ok(&[&fixtures().join("valid/shop-small.toml")]);
    assert_eq!(summary(&json), summary(&toml));
    let yaml = load_texts(
        &[(
            "x.yaml",
            "blastmap: 1\ndefaults: {availability: 99.9}\ncomponents:\n  web: {kind: frontend, tier: 1, depends_on: [api, {target: reco, mode: soft}]}\n  api: {depends_on: [{any_of: [db-a, db-b]}], runs_in: [zone-a, zone-b]}\n  reco: {tier: 4}\n  db-a: {kind: database, runs_in: zone-a}\n  db-b: {kind: database, runs_in: zone-b}\n  zone-a: {kind: zone}\n  zone-b: {kind: zone}\n",
        )],
        &LoadOptions::default(),
    );
    assert!(yaml.diagnostics.is_empty());
    assert_eq!(summary(&yaml.model), summary(&json));
}

#[test]
fn components_in_id_order_or_not_build_the_same_model() {
    // In id order, one file: the decoded components become the model's
    // nodes as they are. Reversed and split over two files: they are sorted.
    let ids: Vec<String> = (0..40).map(|i| format!("c{i:02}")).collect();
    let component = |i: usize| {
        let deps: Vec<String> = (1..4).map(|d| format!("\"{}\"", ids[(i + d * 7) % ids.len()])).collect();
        format!("\"{}\": {{\"tier\": {}, \"depends_on\": [{}]}}", ids[i], 1 + i % 4, deps.join(", "))
    };
    let manifest = |order: &mut dyn Iterator<Item = usize>| {
        let members: Vec<String> = order.map(component).collect();
        format!("{{\"blastmap\": 1, \"components\": {{{}}}}}", members.join(", "))
    };
    let sorted = manifest(&mut (0..40));
    let first = manifest(&mut (20..40).rev());
    let second = manifest(&mut (0..20).rev());
    let one = load_texts(&[("a.json", &sorted)], &LoadOptions::default());
    let two = load_texts(&[("b.json", &first), ("c.json", &second)], &LoadOptions::default());
    assert!(one.diagnostics.is_empty() && two.diagnostics.is_empty(), "{:?}", two.diagnostics);
    assert_eq!(summary(&one.model), summary(&two.model));
    let edges = |m: &Model| m.graph.raw_edges().iter().map(|e| (e.source(), e.target())).collect::<Vec<_>>();
    assert_eq!(edges(&one.model), edges(&two.model));
    assert_eq!(one.model.len(), 40);
}

#[test]
fn every_valid_fixture_loads_without_diagnostics() {
    for entry in std::fs::read_dir(fixtures().join("valid")).unwrap() {
        let path = entry.unwrap().path();
        let loaded = load(&[&path], &LoadOptions::default());
        assert!(loaded.diagnostics.is_empty(), "{}: {:?}", path.display(), loaded.diagnostics);
        assert!(!loaded.model.is_empty());
    }
}

#[test]
fn the_shop_directory_merges_with_global_ids_and_one_policy() {
    let model = load_ok(&[&fixtures().join("shop")]);
    assert!(model.len() >= 25);
    assert!(model.policy.is_some());
    // services.yaml refers to data.yaml and domains.yaml
    let checkout = model.component(model.find("checkout").unwrap());
    assert_eq!(checkout.tier, 1);
    assert_eq!(checkout.availability, Some(99.95), "from services.yaml defaults");
    let users = model.component(model.find("users-db").unwrap());
    assert_eq!(users.availability, Some(99.99), "from data.yaml defaults");
    assert_eq!(model.component(model.find("storefront-web").unwrap()).kind, Kind::Frontend);
    // ids are sorted: node order is id order
    let ids: Vec<&str> = model.components().map(|c| c.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
}

#[test]
fn every_field_and_requirement_form_is_read() {
    let model = load_ok(&[&fixtures().join("valid/all-fields.yaml")]);
    let c = model.component(model.find("checkout").unwrap());
    assert_eq!(c.name, "Checkout API");
    assert_eq!((c.tier, c.entrypoint, c.weight, c.replicas), (1, true, 40.0, Some(3)));
    assert_eq!((c.availability, c.slo), (Some(99.95), Some(99.9)));
    assert_eq!(c.owner.as_deref(), Some("team-payments"));
    assert_eq!(c.system.as_deref(), Some("shop"));
    assert_eq!(c.health.as_deref(), Some("http://checkout:8080/healthz"));
    assert_eq!(
        c.drill,
        Some(Drill {
            inject: "kubectl -n shop scale deployment/checkout --replicas=0".to_owned(),
            restore: Some("kubectl -n shop scale deployment/checkout --replicas=3".to_owned()),
        })
    );
    let shapes: Vec<(RequirementShape, u32, usize, Mode, Origin)> =
        c.requirements.iter().map(|r| (r.shape, r.need, r.members.len(), r.mode, r.origin)).collect();
    assert_eq!(
        shapes,
        [
            (RequirementShape::Single, 1, 1, Mode::Hard, Origin::DependsOn),
            (RequirementShape::Single, 1, 1, Mode::Soft, Origin::DependsOn),
            (RequirementShape::AnyOf, 1, 2, Mode::Hard, Origin::DependsOn),
            (RequirementShape::Quorum, 2, 3, Mode::Soft, Origin::DependsOn),
            (RequirementShape::AnyOf, 1, 2, Mode::Hard, Origin::RunsIn),
        ]
    );
    assert_eq!(c.requirements[1].via.as_deref(), Some("gRPC"));
    assert_eq!(
        c.labels,
        [
            ("description".to_owned(), "Takes the money.".to_owned()),
            ("image".to_owned(), "shop/checkout:1.4".to_owned())
        ]
    );
    let zone = model.component(model.find("zone-a").unwrap());
    assert_eq!(zone.requirements[0].origin, Origin::Within);
    // every requirement and member knows where it was written
    let r = &c.requirements[2];
    assert_eq!((r.location.line, r.location.column), (21, 9));
    assert_eq!((r.member_locations[1].line, r.member_locations[1].column), (21, 27));
    assert_eq!((c.location.line, c.location.column), (4, 3));
    // the graph has an edge per member
    assert_eq!(model.graph.edges(model.find("checkout").unwrap()).count(), 1 + 1 + 2 + 3 + 2);
}

#[test]
fn placement_forms() {
    let model = load_ok(&[&fixtures().join("valid/placement.yaml")]);
    let shape = |id: &str| {
        let r = &model.component(model.find(id).unwrap()).requirements[0];
        (r.shape, r.need, r.members.len())
    };
    assert_eq!(shape("single"), (RequirementShape::Single, 1, 1));
    assert_eq!(shape("spread"), (RequirementShape::AnyOf, 1, 2));
    assert_eq!(shape("quorum-placed"), (RequirementShape::Quorum, 2, 3));
}

#[test]
fn directories_skip_foreign_files_and_read_each_file_once() {
    let dir = std::env::temp_dir().join(format!("blastmap-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.yaml"), "blastmap: 1\ncomponents:\n  a: {depends_on: [b]}\n").unwrap();
    std::fs::write(dir.join("sub/b.yml"), "blastmap: 1\ncomponents:\n  b: {}\n").unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 2\n").unwrap();
    std::fs::write(dir.join("broken.yaml"), "a: [\n").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&dir, dir.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("a.yaml"), dir.join("again.yaml")).unwrap();
    }
    let loaded = load(&[&dir, &dir.join("a.yaml")], &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.model.len(), 2);
    assert_eq!(loaded.files.len(), 4, "a, broken, sub/b, values: each once");
    assert!(loaded.notes.iter().any(|n| n.contains("values.yaml") && n.contains("no `blastmap` key")));
    assert!(loaded.notes.iter().any(|n| n.contains("broken.yaml")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn symlinks_to_parents_given_twice_and_dangling_links_are_harmless() {
    let dir = std::env::temp_dir().join(format!("blastmap-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    std::fs::write(dir.join("a/b/m.yaml"), "blastmap: 1\ncomponents:\n  m: {}\n").unwrap();
    // A link from deep inside back to the top, and one to nothing.
    std::os::unix::fs::symlink(&dir, dir.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(dir.join("a/b"), dir.join("parent")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone.yaml"), dir.join("a/dangling.yaml")).unwrap();
    let paths = [dir.join("parent"), dir.join("parent"), dir.clone()];
    // By default the walk skips every link it meets (each with a note);
    // a link named on the command line is followed.
    let loaded = load(&paths, &LoadOptions::default());
    assert_eq!(loaded.model.len(), 1);
    assert_eq!(loaded.files.len(), 1, "m.yaml once");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    for link in ["up", "dangling.yaml"] {
        assert!(
            loaded.notes.iter().any(|n| n.contains(link) && n.contains("a symbolic link")),
            "{link}: {:?}",
            loaded.notes
        );
    }
    // With `--follow`: the parent link named twice, and the directory it
    // points into.
    let loaded = load(&paths, &LoadOptions { follow: true, ..LoadOptions::default() });
    assert_eq!(loaded.model.len(), 1);
    assert_eq!(loaded.files.len(), 1, "m.yaml once");
    // The dangling link is found by the walk and cannot be read: a
    // diagnostic naming it, not a panic or a hang.
    let messages: Vec<&str> = loaded.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(loaded.diagnostics[0].code, blastmap_manifest::Code::Io);
    assert!(messages[0].contains("dangling.yaml"), "{messages:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Backstage catalog over several repositories, loaded next to a native
/// manifest that describes one of the entities the catalog only names.
#[test]
fn backstage_placeholders_resolve_to_native_components_and_stay_marked_otherwise() {
    let dir = fixtures().join("backstage");
    let alone = load(&[&dir], &LoadOptions::default());
    assert!(!alone.has_errors(), "{:?}", alone.diagnostics);
    let model = &alone.model;
    let search = model.component(model.find("search").unwrap());
    assert!(!search.defined, "`search` is named, defined nowhere");
    let storefront = model.component(model.find("storefront").unwrap());
    assert!(storefront.defined && storefront.entrypoint);
    let native = "blastmap: 1\ncomponents:\n  search: {kind: service, tier: 2}\n";
    let both = load_texts(
        &[
            ("native.yaml", native),
            ("sf.yaml", &std::fs::read_to_string(dir.join("storefront/catalog-info.yaml")).unwrap()),
        ],
        &LoadOptions::default(),
    );
    assert!(!both.has_errors(), "{:?}", both.diagnostics);
    let search = both.model.component(both.model.find("search").unwrap());
    assert!(search.defined);
    assert_eq!(search.tier, 2);
    let storefront = both.model.find("storefront").unwrap();
    let needs: Vec<&str> = both
        .model
        .component(storefront)
        .requirements
        .iter()
        .flat_map(|r| r.members.iter().map(|&m| both.model.component(m).id.as_str()))
        .collect();
    assert!(needs.contains(&"search"), "{needs:?}");
}
