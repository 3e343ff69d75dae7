//! `health` from the importers: Kubernetes readiness and liveness
//! `httpGet` probes, Compose healthchecks that fetch a URL; and the
//! emitted manifest reads back with the same `health`.

use std::path::PathBuf;

use blastmap_manifest::import::emit;
use blastmap_manifest::{Imports, LoadOptions, import, load, load_texts};

fn temp(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blastmap-health-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// Imports `files` of a fresh directory: the imports, and the `health` of
/// every component that has one.
fn imported(name: &str, files: &[(&str, &str)]) -> (Imports, Vec<(String, String)>) {
    let dir = temp(name, files);
    let imports = import(&[&dir], &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!imports.has_errors(), "{:?}", imports.diagnostics);
    let health = imports
        .inventory
        .components
        .iter()
        .filter_map(|(id, c)| Some((id.clone(), c.health.clone()?)))
        .collect();
    (imports, health)
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// The emitted YAML validates and its model has the imported `health`.
fn round_trips(imports: &Imports, health: &[(String, String)]) {
    let yaml = emit::yaml(&imports.inventory, &[]);
    for (_, url) in health {
        assert!(yaml.contains(&format!("    health: {}\n", emit::scalar(url))), "{yaml}");
    }
    let loaded = load_texts(&[("imported.yaml", yaml.as_str())], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}\n{yaml}", loaded.diagnostics);
    let read: Vec<(String, String)> =
        loaded.model.components().filter_map(|c| Some((c.id.clone(), c.health.clone()?))).collect();
    assert_eq!(read, health);
    assert!(loaded.model.components().all(|c| c.drill.is_none()), "importers write no drill");
    let json = emit::json(&imports.inventory);
    let loaded = load_texts(&[("imported.json", json.as_str())], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}\n{json}", loaded.diagnostics);
    assert_eq!(loaded.model.components().filter(|c| c.health.is_some()).count(), health.len());
}

const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - name: cart
          image: shop/cart:1.2
          ports:
            - {name: metrics, containerPort: 9090}
            - {name: http, containerPort: 8080}
          livenessProbe:
            httpGet: {path: /livez, port: 8080}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports:
    - {name: web, port: 80, targetPort: http}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  template:
    spec:
      containers:
        - name: worker
          image: worker:1
          ports: [{name: admin, containerPort: 8081}]
          livenessProbe:
            httpGet: {path: ready, port: admin, scheme: HTTPS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:1
          readinessProbe:
            httpGet: {port: 7000}
---
apiVersion: v1
kind: Service
metadata: {name: api-svc}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: quiet}
spec:
  template:
    spec:
      containers:
        - name: quiet
          image: quiet:1
          ports: [{name: grpc, containerPort: 5000}]
          readinessProbe: {grpc: {port: 5000}}
          livenessProbe:
            httpGet: {path: /x, port: nope}
";

#[test]
fn kubernetes_health_is_the_readiness_probe_reached_through_the_service() {
    let (imports, health) = imported("kubernetes", &[("shop.yaml", SHOP)]);
    assert_eq!(
        health,
        pairs(&[
            // No Service exposes 7000: its host with the container port, and a note.
            ("api", "http://api-svc:7000/"),
            // Readiness on the named port `http` (8080), which the Service
            // sends port 80 to; liveness is not used.
            ("shop/cart", "http://cart.shop:80/healthz"),
            // No Service: the workload's name; liveness, HTTPS, a path
            // without its `/`.
            ("worker", "https://worker:8081/ready"),
        ])
    );
    // A gRPC probe and a named port the container lacks give nothing.
    assert_eq!(imports.inventory.components["quiet"].health, None);
    let api = &imports.inventory.components["api"];
    assert!(
        api.notes
            .iter()
            .any(|n| n.contains("Service api-svc exposes no port to the probe's container port 7000")),
        "{:?}",
        api.notes
    );
    round_trips(&imports, &health);
    // Every command reads the same `health` from the files directly.
    let dir = temp("kubernetes-load", &[("shop.yaml", SHOP)]);
    let loaded = load(&[&dir], &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    let cart = loaded.model.component(loaded.model.find("shop/cart").unwrap());
    assert_eq!(cart.health.as_deref(), Some("http://cart.shop:80/healthz"));
    assert!(cart.has_explicit("health"));
}

const COMPOSE: &str = r#"
services:
  cart:
    image: shop/cart:1.2
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 10s
  web:
    image: nginx:1.27
    healthcheck:
      test: ["CMD-SHELL", "wget -q --spider 'http://127.0.0.1/ready?full=1' || exit 1"]
  api:
    image: api:1
    healthcheck:
      test: curl --fail https://cart:8443/status
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
  off:
    image: off:1
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
      disable: true
  none:
    image: none:1
    healthcheck:
      test: ["NONE"]
  shell-var:
    image: x:1
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost:$$PORT/health"]
  secret:
    image: x:1
    healthcheck:
      test: ["CMD", "curl", "-f", "http://admin:hunter2@localhost:9000/health"]
  child:
    extends: {service: cart}
"#;

#[test]
fn compose_health_is_the_healthcheck_url_with_the_service_for_localhost() {
    let (imports, health) = imported("compose", &[("compose.yaml", COMPOSE)]);
    assert_eq!(
        health,
        pairs(&[
            // Another service's host is kept as written.
            ("api", "https://cart:8443/status"),
            ("cart", "http://cart:8080/health"),
            // `extends` inherits the healthcheck, and the URL names the
            // service that runs it.
            ("child", "http://child:8080/health"),
            ("web", "http://web/ready?full=1"),
        ])
    );
    round_trips(&imports, &health);
}
