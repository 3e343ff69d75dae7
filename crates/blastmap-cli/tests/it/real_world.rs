//! The engine on real systems: `../shared/real-world/<system>/nodes.tsv` and
//! `edges.tsv` (curated from public repositories, read where they are, never
//! copied into the repository) turned into manifests.
//! The analyses must find what each system's NOTES describe.

use std::path::{Path, PathBuf};

use blastmap_analysis::report::{ReportOptions, report};
use blastmap_manifest::{LoadOptions, Model, load_texts};

/// The system's folder of the shared corpus, or `None` (the test skips).
fn system_dir(system: &str) -> Option<PathBuf> {
    crate::shared("real-world").map(|dir| dir.join(system))
}

/// Maps the corpus's kinds onto blastmap's.
fn kind(tsv_kind: &str) -> &'static str {
    match tsv_kind {
        "database" => "database",
        "cache" => "cache",
        "queue" => "queue",
        "external" => "external",
        "frontend" => "frontend",
        "gateway" => "gateway",
        "loadgen" => "job",
        _ => "service",
    }
}

/// A native manifest (YAML) from `nodes.tsv` + `edges.tsv`: every edge is a
/// dependency, soft when its evidence marks it as telemetry, monitoring or a
/// health-check probe (observability-only paths), hard otherwise.
fn manifest_from_tsv(dir: &Path) -> String {
    let nodes = std::fs::read_to_string(dir.join("nodes.tsv")).unwrap();
    let edges = std::fs::read_to_string(dir.join("edges.tsv")).unwrap();
    let names: Vec<&str> =
        nodes.lines().filter_map(|l| l.split('\t').next()).filter(|n| !n.is_empty()).collect();
    let mut out = String::from("blastmap: 1\ncomponents:\n");
    for line in nodes.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (name, k) = (cols.next().unwrap(), cols.next().unwrap_or("service"));
        out.push_str(&format!("  \"{name}\":\n    kind: {}\n", kind(k)));
        let mut deps = String::new();
        for edge in edges.lines().filter(|l| l.split('\t').next() == Some(name)) {
            let mut cols = edge.split('\t').skip(1);
            let (to, evidence) = (cols.next().unwrap(), cols.next().unwrap_or(""));
            let soft =
                ["(telemetry)", "(monitoring)", "(health-check probe)"].iter().any(|t| evidence.contains(t));
            if names.contains(&to) {
                deps.push_str(&format!(
                    "      - target: \"{to}\"\n        mode: {}\n",
                    if soft { "soft" } else { "hard" }
                ));
            }
        }
        if !deps.is_empty() {
            out.push_str("    depends_on:\n");
            out.push_str(&deps);
        }
    }
    out
}

/// The system's model, or `None` without the shared corpus.
fn model_of(system: &str) -> Option<Model> {
    let text = manifest_from_tsv(&system_dir(system)?);
    let loaded = load_texts(&[(&format!("{system}.yaml"), &text)], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{system}: {:?}\n{text}", loaded.diagnostics);
    Some(loaded.model)
}

/// Ids of the `n` components with the largest blast radius (down count).
fn top_blast(model: &Model, n: usize) -> Vec<String> {
    let result = report(model, &ReportOptions::default());
    let mut radii = result.radii.unwrap();
    radii.sort_by(|a, b| b.down.cmp(&a.down).then(a.component.cmp(&b.component)));
    radii.iter().take(n).map(|r| model.component(r.component).id.clone()).collect()
}

#[test]
fn eshop_shared_database_is_the_top_hub() {
    let Some(model) = model_of("eshoponcontainers") else { return };
    let top = top_blast(&model, 3);
    assert!(
        top.contains(&"sqldata".to_owned()),
        "sqldata (shared SQL Server) should rank near the top: {top:?}"
    );
    assert!(top.contains(&"rabbitmq".to_owned()) || top.contains(&"identity-api".to_owned()), "{top:?}");
}

#[test]
fn petclinic_config_and_discovery_servers_take_everything_down() {
    let Some(model) = model_of("petclinic-microservices") else { return };
    // The NOTES: config-server and discovery-server are SPOFs of every other
    // service, and config-server pulls from a remote git repository at
    // start-up, which makes that external repository the widest hub of all.
    let top = top_blast(&model, 3);
    assert_eq!(top, ["github-config-repo", "config-server", "discovery-server"]);
    // discovery-server itself depends on config-server: a cold start needs config first.
    let result = report(&model, &ReportOptions::default());
    let cold = result.cold_start.unwrap();
    let wave_of = |id: &str| cold.wave_of[model.find(id).unwrap().index()];
    assert!(wave_of("config-server") < wave_of("discovery-server"));
    assert!(wave_of("discovery-server") < wave_of("customers-service"));
}

#[test]
fn online_boutique_cart_store_is_a_spof_of_checkout() {
    let Some(model) = model_of("online-boutique") else { return };
    let result = report(&model, &ReportOptions::default());
    let redis = model.find("redis-cart").unwrap();
    let radius = &result.radii.unwrap()[redis.index()];
    assert!(radius.down >= 2, "redis-cart takes down cartservice and what needs it: {radius:?}");
    let checkout = model.find("checkoutservice").unwrap();
    let spofs = report(&model, &ReportOptions { detail: true, ..ReportOptions::default() }).spofs.unwrap();
    assert!(spofs[checkout.index()].as_ref().unwrap().contains(&redis));
}

#[test]
fn every_system_runs_through_the_whole_report() {
    for system in
        ["backstage-examples", "eshoponcontainers", "online-boutique", "otel-demo", "petclinic-microservices"]
    {
        let Some(model) = model_of(system) else { return };
        let result = report(&model, &ReportOptions::default());
        assert_eq!(result.components, model.len());
        let cold = result.cold_start.unwrap();
        let started: usize = cold.waves.iter().map(Vec::len).sum();
        assert_eq!(
            started + cold.never_starts.len(),
            model.len(),
            "{system}: every component starts or says why not"
        );
        insta::assert_snapshot!(format!("top_blast_{system}"), top_blast(&model, 5).join("\n"));
    }
}

/// eShop's identity server lists its OAuth clients' URLs (`SpaClient=...`):
/// links it hands to browsers, not calls. Imported as soft, they leave no
/// hard cycle, so the system cold-starts (the NOTES put them aside as
/// "callback / link generation, not a call path").
#[test]
fn eshop_oauth_client_urls_are_soft_and_the_system_cold_starts() {
    let Some(dir) = system_dir("eshoponcontainers") else { return };
    let dir = dir.join("files/src");
    let loaded = blastmap_manifest::load(
        &[dir.join("docker-compose.yml"), dir.join("docker-compose.override.yml")],
        &LoadOptions::default(),
    );
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let model = &loaded.model;
    let identity = model.component(model.find("identity-api").unwrap());
    let spa = model.find("webspa").unwrap();
    let link = identity.requirements.iter().find(|r| r.members.contains(&spa)).unwrap();
    assert_eq!(link.mode, blastmap_manifest::Mode::Soft);
    let result = report(model, &ReportOptions::default());
    assert!(result.cycles.is_empty(), "{:?}", result.cycles);
    assert!(result.cold_start.unwrap().never_starts.is_empty());
}
