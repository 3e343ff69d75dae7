//! The importers on five real public systems, read where they are (the
//! shared corpus beside the repository, `../shared/real-world/<system>/`,
//! never copied in), scored against their curated edges exactly as that
//! corpus's `score.py` scores them: recall over the rows whose
//! evidence an importer can read, precision over every produced edge that
//! is in `edges.tsv` or `edges_optional.tsv`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use blastmap_manifest::schema::DependencyDoc;
use blastmap_manifest::{LoadOptions, import, load_texts};

/// The system's folder of the shared corpus, or `None` (the test skips).
fn system_dir(system: &str) -> Option<PathBuf> {
    crate::shared("real-world").map(|dir| dir.join(system))
}

/// The evidence tags of rows an importer can find (score.py's `IMPORTABLE`).
const IMPORTABLE: [&str; 7] = [
    "compose.depends_on",
    "compose.env",
    "k8s.env",
    "k8s.initContainer",
    "k8s.NetworkPolicy",
    "spec.dependsOn",
    "spec.consumesApis",
];

/// score.py's `norm`: lower-case, drop a `kind:` prefix and `default/`.
fn norm(name: &str) -> String {
    let name = name.trim().to_lowercase();
    let after_kind = match name.split_once(':') {
        Some((kind, rest)) if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase()) => rest,
        _ => name.as_str(),
    };
    after_kind.strip_prefix("default/").unwrap_or(after_kind).to_owned()
}

type Edges = BTreeSet<(String, String)>;

/// (expected, not importable) rows of a tsv, or all rows when `all`.
fn read_edges(dir: &Path, file: &str, all: bool) -> (Edges, Edges) {
    let (mut edges, mut skipped) = (Edges::new(), Edges::new());
    let Ok(text) = std::fs::read_to_string(dir.join(file)) else { return (edges, skipped) };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split('\t').collect();
        let edge = (norm(parts[0]), norm(parts[1]));
        let evidence = parts.get(2).copied().unwrap_or("");
        if !all && !IMPORTABLE.iter().any(|t| evidence.contains(t)) {
            skipped.insert(edge);
        } else {
            edges.insert(edge);
        }
    }
    (edges, skipped)
}

struct Score {
    recall: f64,
    precision: f64,
    missing: Vec<(String, String)>,
    unexpected: Vec<(String, String)>,
}

/// Imports `inputs` (relative to the system's `files/`), checks that the
/// JSON manifest validates, and scores its edges.
fn score(system: &str, dir: &Path, inputs: &[&str]) -> Score {
    let files = dir.join("files");
    let paths: Vec<PathBuf> = inputs.iter().map(|i| files.join(i)).collect();
    let imports = import(&paths, &LoadOptions::default());
    let errors: Vec<_> =
        imports.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect();
    assert!(errors.is_empty(), "{system}: {errors:?}");
    let json = blastmap_manifest::import::emit::json(&imports.inventory);
    let yaml = blastmap_manifest::import::emit::yaml(&imports.inventory, &[system.to_owned()]);
    for (name, text) in [("import.json", &json), ("import.yaml", &yaml)] {
        let loaded = load_texts(&[(name, text)], &LoadOptions::default());
        assert!(!loaded.has_errors(), "{system} {name}: {:?}", loaded.diagnostics);
        assert_eq!(loaded.model.len(), imports.inventory.components.len());
    }
    let manifest: blastmap_manifest::schema::Manifest = serde_json::from_str(&json).unwrap();
    let mut got = Edges::new();
    for (id, c) in &manifest.components {
        for d in &c.depends_on {
            let targets = match d {
                DependencyDoc::Id(t) | DependencyDoc::Target { target: t, .. } => vec![t.clone()],
                DependencyDoc::AnyOf { any_of, .. } => any_of.clone(),
                DependencyDoc::Quorum { of, .. } => of.clone(),
            };
            for t in targets {
                got.insert((norm(id), norm(&t)));
            }
        }
    }
    let (expected, not_importable) = read_edges(dir, "edges.tsv", false);
    let (optional, _) = read_edges(dir, "edges_optional.tsv", true);
    let allowed: Edges = expected.iter().chain(&not_importable).chain(&optional).cloned().collect();
    let hit = expected.intersection(&got).count();
    let good = got.intersection(&allowed).count();
    Score {
        recall: if expected.is_empty() { 1.0 } else { hit as f64 / expected.len() as f64 },
        precision: if got.is_empty() { 0.0 } else { good as f64 / got.len() as f64 },
        missing: expected.difference(&got).cloned().collect(),
        unexpected: got.difference(&allowed).cloned().collect(),
    }
}

fn assert_scores(system: &str, inputs: &[&str]) {
    let Some(dir) = system_dir(system) else { return };
    let s = score(system, &dir, inputs);
    assert!(
        s.recall >= 0.95 && s.precision >= 0.95,
        "{system}: recall {:.3}, precision {:.3}\nmissing: {:?}\nunexpected: {:?}",
        s.recall,
        s.precision,
        s.missing,
        s.unexpected
    );
}

#[test]
fn otel_demo_compose_layers() {
    assert_scores("otel-demo", &["compose.yaml", "compose.full.yaml", "compose.observability.yaml"]);
}

#[test]
fn eshop_compose_with_override() {
    assert_scores("eshoponcontainers", &["src/docker-compose.yml", "src/docker-compose.override.yml"]);
}

#[test]
fn petclinic_compose() {
    assert_scores("petclinic-microservices", &["docker-compose.yml"]);
}

#[test]
fn online_boutique_kubernetes_and_network_policies() {
    assert_scores(
        "online-boutique",
        &["release/kubernetes-manifests.yaml", "kustomize/components/network-policies"],
    );
}

#[test]
fn backstage_examples_directory() {
    assert_scores("backstage-examples", &["packages/catalog-model/examples"]);
}

#[test]
fn norm_matches_score_py() {
    assert_eq!(norm("Resource:default/Artists-DB"), "artists-db");
    assert_eq!(norm("component:team/x"), "team/x");
    assert_eq!(norm("cart"), "cart");
}
