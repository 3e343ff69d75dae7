//! The Kubernetes importer on manifests that pass addresses the ways real
//! ones do: ConfigMaps and Secrets (`envFrom`, key references, mounted
//! files), `$(VAR)`, initContainer waits, namespaces; entrypoints from
//! Services, Ingresses and Gateway API routes; duplicate keys as kubectl
//! reads them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use blastmap_manifest::model::Mode;
use blastmap_manifest::{Code, Imports, LoadOptions, Severity, import, load};

fn temp(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blastmap-k8s-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn import_dir(dir: &Path) -> Imports {
    import(&[dir], &LoadOptions::default())
}

/// Every (caller, callee) edge, with `soft` marked.
fn edges(imports: &Imports) -> BTreeSet<(String, String, Mode)> {
    let mut out = BTreeSet::new();
    for (id, c) in &imports.inventory.components {
        for d in &c.dependencies {
            for t in &d.targets {
                out.insert((id.clone(), t.clone(), d.mode));
            }
        }
    }
    out
}

fn evidence(imports: &Imports, from: &str, to: &str) -> String {
    let c = &imports.inventory.components[from];
    let d = c.dependencies.iter().find(|d| d.targets.iter().any(|t| t == to)).unwrap();
    d.evidence.join("; ")
}

fn warnings(imports: &Imports) -> Vec<(Code, String)> {
    imports.diagnostics.iter().map(|d| (d.code, d.message.clone())).collect()
}

fn config_shop() -> Imports {
    let imports = import_dir(&crate::fixtures().join("kubernetes/config-shop"));
    assert!(!imports.has_errors(), "{:?}", warnings(&imports));
    imports
}

#[test]
fn config_shop_edges_are_exactly_what_its_files_pass() {
    let imports = config_shop();
    let hard = |a: &str, b: &str| (a.to_owned(), b.to_owned(), Mode::Hard);
    let expected: BTreeSet<_> = [
        hard("shop/web", "shop/catalog"),
        hard("shop/web", "shop/cart"),
        hard("shop/api", "data/postgres"),
        hard("shop/api", "shop/orders"),
        hard("shop/checkout", "shop/payments"),
        hard("shop/checkout", "data/sessions"),
        hard("shop/checkout", "shop/orders"),
        hard("shop/payments", "data/postgres"),
        hard("shop/payments", "shop/notifications"),
        hard("admin", "shop/orders"),
    ]
    .into_iter()
    .collect();
    // `QUEUE_NAME: orders` (a ConfigMap key that only happens to equal a
    // Service's name) is no edge: precision over every word that resolves.
    assert_eq!(edges(&imports), expected);
    for (from, to, says) in [
        ("shop/web", "shop/catalog", "env CATALOG_ADDR from ConfigMap shop/endpoints ("),
        ("shop/web", "shop/catalog", ") through envFrom"),
        ("shop/api", "data/postgres", "env DB_HOST from ConfigMap shop/db key host ("),
        ("shop/api", "data/postgres", "config-shop/config.yaml:19)"),
        ("shop/api", "shop/orders", "env ORDERS_URL with $(ORDERS_HOST)"),
        ("shop/checkout", "shop/payments", "`url` in file /etc/checkout/application.yaml from ConfigMap"),
        ("shop/checkout", "data/sessions", "`host` in file /etc/checkout/application.yaml"),
        ("shop/checkout", "shop/orders", "initContainer wait-for-orders waits on it (nc orders:8080)"),
        (
            "shop/payments",
            "data/postgres",
            "env DATABASE_URL from Secret shop/payments-credentials key DATABASE_URL",
        ),
        ("shop/payments", "shop/notifications", "env WEBHOOK_URL from Secret shop/payments-webhooks ("),
        ("admin", "shop/orders", "inferred from env ORDERS_API"),
    ] {
        let e = evidence(&imports, from, to);
        assert!(e.contains(says), "{from} → {to}: `{e}` should say `{says}`");
    }
}

#[test]
fn entrypoints_carry_their_evidence() {
    let imports = config_shop();
    let entry = |id: &str| imports.inventory.components[id].entrypoint.join("; ");
    assert!(entry("shop/web").starts_with("Ingress shop/web routes shop.example.com/ to Service shop/web ("));
    assert!(entry("shop/api").starts_with("Service shop/api-public type LoadBalancer ("));
    assert!(entry("shop/api").ends_with("shop.yaml:84)"), "{}", entry("shop/api"));
    assert!(entry("admin").starts_with("HTTPRoute admin sends traffic to Service admin ("));
    let marked: Vec<&String> = imports
        .inventory
        .components
        .iter()
        .filter(|(_, c)| !c.entrypoint.is_empty())
        .map(|(id, _)| id)
        .collect();
    assert_eq!(marked, ["admin", "shop/api", "shop/web"]);
}

#[test]
fn a_configmap_that_names_services_is_never_nothing_to_map() {
    let imports = config_shop();
    let unread: Vec<_> = warnings(&imports)
        .into_iter()
        .filter(|(c, _)| *c == Code::UnsupportedConstruct)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        unread,
        ["ConfigMap `shop/edge-routes` names Service `shop/catalog` but no workload here reads it"]
    );
    for name in ["edge-routes", "endpoints", "db", "checkout-config"] {
        let said = imports
            .notes
            .iter()
            .find(|n| n.contains(&format!("`shop/{name}`")) && n.contains("nothing to map"));
        assert!(said.is_none(), "{said:?}");
    }
    assert!(
        imports
            .notes
            .iter()
            .any(|n| n == "Kubernetes ConfigMap `shop/banner` has nothing to map: no workload here reads it")
    );
    assert!(imports.notes.iter().any(|n| n == "Kubernetes ConfigMap `shop/endpoints` is read by shop/web"));
}

#[test]
fn only_hosts_that_look_internal_and_name_nothing_are_warned_about() {
    let imports = config_shop();
    let unresolved: Vec<_> = warnings(&imports)
        .into_iter()
        .filter(|(c, _)| *c == Code::UnresolvedReference)
        .map(|(_, m)| m)
        .collect();
    // The Secret's host that names nothing (`LEGACY_URL`) is not reported.
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert!(unresolved[0].contains("names `inventory`, which is no Service here"), "{unresolved:?}");
}

#[test]
fn hosts_resolve_in_the_namespace_of_the_pod_that_names_them() {
    let service = |ns: &str, name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{template: {{metadata: {{labels: {{app: {name}}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{selector: {{app: {name}}}}}\n---\n"
        )
    };
    let caller = |ns: &str, name: &str, env: &[(&str, &str)]| {
        let env: Vec<String> = env.iter().map(|(k, v)| format!("{{name: {k}, value: '{v}'}}")).collect();
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{template: {{spec: {{containers: [{{name: c, image: x, env: [{}]}}]}}}}}}\n---\n",
            env.join(", ")
        )
    };
    let text = [
        service("a", "db"),
        service("b", "db"),
        service("default", "db"),
        caller("a", "one", &[("DB", "db:5432")]),
        caller("a", "two", &[("DB", "db.b")]),
        caller("a", "three", &[("DB_URL", "postgres://u@db.b.svc:5432/x")]),
        caller("a", "four", &[("DB_URL", "jdbc:postgresql://db.default.svc.cluster.local:5432/x")]),
        caller("default", "five", &[("DB", "db:5432")]),
        caller("b", "six", &[("DB", "db-0.db.a.svc.cluster.local:5432")]),
    ]
    .concat();
    let dir = temp("namespaces", &[("all.yaml", &text)]);
    let imports = import_dir(&dir);
    let got: BTreeSet<(String, String)> = edges(&imports).into_iter().map(|(a, b, _)| (a, b)).collect();
    let want: BTreeSet<(String, String)> = [
        ("a/one", "a/db"),
        ("a/two", "b/db"),
        ("a/three", "b/db"),
        ("a/four", "db"),
        ("five", "db"),
        ("b/six", "a/db"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cluster_dns_names_that_no_file_defines_become_placeholders() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: shop}\nspec: {template: {spec: {containers: [{name: c, image: x, env: [{name: DB_URL, value: 'jdbc:mysql://orders-mysql.data.svc.cluster.local:3306/x'}, {name: CACHE, value: 'redis.example.com:6379'}]}]}}}\n";
    let dir = temp("placeholders", &[("app.yaml", text)]);
    let imports = import_dir(&dir);
    let placeholder = &imports.inventory.components["data/orders-mysql"];
    assert!(!placeholder.defined);
    assert_eq!(placeholder.kind, Some(blastmap_manifest::model::Kind::Database));
    let got: Vec<_> = edges(&imports).into_iter().map(|(a, b, _)| (a, b)).collect();
    assert_eq!(got, [("shop/app".to_owned(), "data/orders-mysql".to_owned())]);
    let w = warnings(&imports);
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, Code::UnresolvedReference);
    // What is written loads, the placeholder marked as such.
    let yaml = blastmap_manifest::import::emit::yaml(&imports.inventory, &[]);
    assert!(yaml.contains("  data/orders-mysql:\n"), "{yaml}");
    assert!(yaml.contains("    defined: false\n"), "{yaml}");
    let loaded = blastmap_manifest::load_texts(&[("import.yaml", &yaml)], &LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn configmaps_the_files_lack_are_warnings_and_secrets_they_lack_are_notes() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {template: {spec: {containers: [{name: c, image: x, envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds}}, {configMapRef: {name: extra, optional: true}}]}]}}}\n";
    let dir = temp("missing", &[("app.yaml", text)]);
    let imports = import_dir(&dir);
    assert_eq!(
        warnings(&imports),
        [(
            Code::UnresolvedReference,
            "`app` takes ConfigMap `settings`, which no file here defines".to_owned()
        )]
    );
    assert!(imports.notes.iter().any(|n| n == "`app` takes Secret `creds`, which no file here defines"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kubernetes_documents_keep_the_last_of_duplicate_keys_and_nothing_else_does() {
    let k8s = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: x\n          env: [{name: A, value: 'http://old:80'}]\n          env: [{name: A, value: 'http://new:80'}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: new}\nspec: {selector: {app: new}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: new}\nspec: {template: {metadata: {labels: {app: new}}, spec: {containers: [{name: c, image: x}]}}}\n";
    let dir = temp("duplicates", &[("k8s.yaml", k8s)]);
    let imports = import_dir(&dir);
    assert!(!imports.has_errors(), "{:?}", warnings(&imports));
    let dup: Vec<_> = imports.diagnostics.iter().filter(|d| d.code == Code::DuplicateKey).collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].severity, Severity::Warning);
    assert_eq!(dup[0].labels.len(), 2, "both places are shown");
    let got: Vec<_> = edges(&imports).into_iter().map(|(a, b, _)| (a, b)).collect();
    assert_eq!(got, [("app".to_owned(), "new".to_owned())]);
    // `load` (every command) reads it the same way.
    assert!(!load(&[&dir], &LoadOptions::default()).has_errors());
    // A native manifest and a Compose file with a duplicate key stay errors.
    for (name, text) in [
        ("native.yaml", "blastmap: 1\ncomponents:\n  a: {}\n  a: {}\n"),
        ("compose.yaml", "services:\n  a:\n    image: x\n    image: y\n"),
    ] {
        let other = temp("duplicates-other", &[(name, text)]);
        let loaded = load(&[other.join(name)], &LoadOptions::default());
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| (d.code, d.severity)).collect();
        assert_eq!(codes, [(Code::DuplicateKey, Severity::Error)], "{name}");
        let _ = std::fs::remove_dir_all(&other);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn variables_that_double_at_every_step_stay_cheap() {
    let mut env = vec!["{name: V0, value: 'http://a:80/'}".to_owned()];
    for i in 1..64 {
        env.push(format!("{{name: V{i}, value: '$(V{})$(V{})'}}", i - 1, i - 1));
    }
    let text = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app}}\nspec: {{template: {{spec: {{initContainers: [{{name: w, image: x, command: [sh, -c, 'nc -z $(V63) ${{V63}} $V63'], env: [{}]}}], containers: [{{name: c, image: x}}]}}}}}}\n",
        env.join(", ")
    );
    let dir = temp("doubling", &[("app.yaml", &text)]);
    let started = std::time::Instant::now();
    let imports = import_dir(&dir);
    assert!(!imports.has_errors());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}
