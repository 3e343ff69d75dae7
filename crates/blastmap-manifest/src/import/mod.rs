//! Importers: foreign formats (Docker Compose, Kubernetes, Backstage catalog,
//! observed dependencies) read into the same raw components as native
//! manifests, and `blastmap import`'s native manifest written from them.
//!
//! Each importer maps what its format really says, records where every
//! dependency came from (the evidence becomes a YAML comment in `import`'s
//! output), and reports what it could not map as a warning: an import is
//! never silently partial.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use petgraph::graph::NodeIndex;

use crate::model::{Kind, Mode, Origin, Requirement, RequirementShape};
use crate::native::{Explicit, Fields, IdTable, RawComponent, RawComponents};
use crate::source::SourceFile;
use crate::syntax::{Node, Value};

pub(crate) mod backstage;
pub(crate) mod compose;
pub mod emit;
pub(crate) mod kubernetes;
pub(crate) mod observed;

/// A foreign format blastmap reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Docker Compose files (several are merged in order, like `-f a -f b`).
    Compose,
    /// Kubernetes manifests (multi-document YAML).
    Kubernetes,
    /// Backstage catalog entities.
    Backstage,
    /// Observed dependencies: Jaeger's `/api/dependencies` JSON.
    Otel,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 4] = [Format::Compose, Format::Kubernetes, Format::Backstage, Format::Otel];

    /// The name used by `--from`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Compose => "compose",
            Format::Kubernetes => "kubernetes",
            Format::Backstage => "backstage",
            Format::Otel => "otel",
        }
    }

    /// The name used in messages.
    pub fn title(self) -> &'static str {
        match self {
            Format::Compose => "Docker Compose",
            Format::Kubernetes => "Kubernetes",
            Format::Backstage => "Backstage catalog",
            Format::Otel => "observed dependencies (Jaeger JSON)",
        }
    }

    /// Whether a document has the shape of this format (`--from` keeps
    /// the documents that fit and warns about the others).
    pub fn fits(self, doc: &Node) -> bool {
        match self {
            Format::Compose => doc.get("services").is_some() && doc.get("apiVersion").is_none(),
            Format::Kubernetes | Format::Backstage => {
                (doc.get("apiVersion").is_some() && doc.get("kind").is_some()) || doc.get("items").is_some()
            }
            Format::Otel => match &doc.value {
                Value::Seq(items) => items.iter().all(observed::is_edge),
                Value::Map(_) => matches!(doc.get("data").map(|d| &d.value), Some(Value::Seq(_))),
                _ => false,
            },
        }
    }

    /// Which foreign format a parsed document is, if any. Native manifests
    /// (a `blastmap` key) are not foreign.
    pub fn detect(doc: &Node) -> Option<Format> {
        if let Some(entries) = doc.as_map() {
            if doc.get("blastmap").is_some() {
                return None;
            }
            if let Some(api) = doc.get("apiVersion").and_then(text)
                && doc.get("kind").is_some()
            {
                return Some(if api.starts_with("backstage.io/") {
                    Format::Backstage
                } else {
                    Format::Kubernetes
                });
            }
            // A Kubernetes `List` of resources.
            if doc.get("kind").and_then(text).is_some_and(|k| k.ends_with("List"))
                && doc.get("items").is_some()
            {
                return Some(Format::Kubernetes);
            }
            if doc.get("services").is_some_and(|s| s.as_map().is_some()) {
                return Some(Format::Compose);
            }
            if let Some(Value::Seq(items)) = doc.get("data").map(|d| &d.value)
                && entries.len() <= 6
                && items.iter().all(observed::is_edge)
            {
                return Some(Format::Otel);
            }
            return None;
        }
        if let Value::Seq(items) = &doc.value
            && !items.is_empty()
            && items.iter().all(observed::is_edge)
        {
            return Some(Format::Otel);
        }
        None
    }
}

/// What the importers produced: components by id, with where every
/// dependency came from.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub components: BTreeMap<String, Imported>,
}

/// One imported component. Fields mirror the native manifest's.
#[derive(Clone, Debug)]
pub struct Imported {
    pub id: String,
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub replicas: Option<u32>,
    pub labels: BTreeMap<String, String>,
    pub description: Option<String>,
    pub dependencies: Vec<ImportedDependency>,
    /// Which format it came from.
    pub format: Format,
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    /// Position in `dependencies` of each target list, so that adding the
    /// n-th dependency is O(1), not a scan (100 000 env values naming hosts
    /// made the scans quadratic).
    positions: HashMap<Vec<String>, usize>,
}

/// Pieces of evidence kept per dependency: more say nothing new, and
/// checking each new one against all before was quadratic.
const MAX_EVIDENCE: usize = 16;

/// One dependency: a single target, or `any_of` when several targets back
/// one name (a Kubernetes Service selecting two Deployments).
#[derive(Clone, Debug)]
pub struct ImportedDependency {
    pub targets: Vec<String>,
    pub mode: Mode,
    pub via: Option<String>,
    /// Where it came from, one entry per piece of evidence
    /// (`compose depends_on (service_healthy)`, `inferred from env CART_ADDR`).
    pub evidence: Vec<String>,
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

impl Imported {
    pub(crate) fn new(id: String, format: Format, file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self {
            id,
            kind: None,
            name: None,
            owner: None,
            system: None,
            replicas: None,
            labels: BTreeMap::new(),
            description: None,
            dependencies: Vec::new(),
            format,
            file: Arc::clone(file),
            span,
            positions: HashMap::new(),
        }
    }

    /// The dependency on exactly `targets`, if there is one.
    pub(crate) fn dependency_mut(&mut self, targets: &[String]) -> Option<&mut ImportedDependency> {
        // `depend` is the only way in and `Inventory::sort` reindexes, so
        // the positions are complete.
        let at = *self.positions.get(targets)?;
        self.dependencies.get_mut(at).filter(|d| d.targets == targets)
    }

    /// Adds a dependency; the same targets twice merge into one entry whose
    /// evidence lists both, hard when either is hard.
    pub(crate) fn depend(&mut self, dep: ImportedDependency) {
        if let Some(existing) = self.dependency_mut(&dep.targets) {
            if dep.mode == Mode::Hard {
                existing.mode = Mode::Hard;
            }
            for e in dep.evidence {
                if existing.evidence.len() < MAX_EVIDENCE && !existing.evidence.contains(&e) {
                    existing.evidence.push(e);
                }
            }
            if existing.via.is_none() {
                existing.via = dep.via;
            }
            return;
        }
        self.positions.insert(dep.targets.clone(), self.dependencies.len());
        self.dependencies.push(dep);
    }
}

impl Inventory {
    /// Adds the components of one importer run; an id already taken is kept
    /// by its first owner and the newcomer is returned (the caller reports it).
    pub(crate) fn extend(&mut self, components: Vec<Imported>) -> Vec<Imported> {
        let mut clashes = Vec::new();
        for c in components {
            if self.components.contains_key(&c.id) {
                clashes.push(c);
            } else {
                self.components.insert(c.id.clone(), c);
            }
        }
        clashes
    }

    /// Dependencies in a stable order: by first target.
    pub(crate) fn sort(&mut self) {
        for c in self.components.values_mut() {
            c.dependencies.sort_by(|a, b| a.targets.cmp(&b.targets));
            c.positions = c.dependencies.iter().enumerate().map(|(i, d)| (d.targets.clone(), i)).collect();
        }
    }

    /// The native manifest (the shape `import --format json` writes).
    pub fn to_manifest(&self) -> crate::schema::Manifest {
        use crate::schema::{ComponentDoc, DependencyDoc, Manifest, ModeDoc};
        let mut manifest = Manifest { blastmap: 1, ..Manifest::default() };
        for (id, c) in &self.components {
            let depends_on = c
                .dependencies
                .iter()
                .map(|d| {
                    let mode = (d.mode == Mode::Soft).then_some(ModeDoc::Soft);
                    match d.targets.as_slice() {
                        [one] if mode.is_none() && d.via.is_none() => DependencyDoc::Id(one.clone()),
                        [one] => DependencyDoc::Target { target: one.clone(), mode, via: d.via.clone() },
                        many => DependencyDoc::AnyOf { any_of: many.to_vec(), mode, via: d.via.clone() },
                    }
                })
                .collect();
            manifest.components.insert(
                id.clone(),
                ComponentDoc {
                    kind: c.kind,
                    name: c.name.clone(),
                    owner: c.owner.clone(),
                    system: c.system.clone(),
                    replicas: c.replicas,
                    depends_on,
                    labels: c.labels.clone(),
                    description: c.description.clone(),
                    ..ComponentDoc::default()
                },
            );
        }
        manifest
    }

    /// The raw components the loader validates and builds the model from;
    /// ids are numbered in `ids`.
    ///
    /// # Complexity
    /// O(components + dependency targets · log lines).
    pub(crate) fn into_raw(self, ids: &mut IdTable) -> RawComponents {
        let mut raw = RawComponents::default();
        raw.reserve(self.components.len());
        for c in self.components.into_values() {
            raw.push(raw_component(c, ids));
        }
        raw
    }
}

fn raw_component(c: Imported, ids: &mut IdTable) -> RawComponent {
    let mut explicit = Explicit::default();
    let mut set = |on: bool, name: &'static str| {
        if on {
            explicit.insert(name);
        }
    };
    set(c.kind.is_some(), "kind");
    set(c.name.is_some(), "name");
    set(c.owner.is_some(), "owner");
    set(c.system.is_some(), "system");
    set(c.replicas.is_some(), "replicas");
    set(!c.dependencies.is_empty(), "depends_on");
    set(!c.labels.is_empty(), "labels");
    set(c.description.is_some(), "description");
    let file = &c.file;
    let requirements = c
        .dependencies
        .iter()
        .map(|d| {
            let location = file.location(&d.span);
            Requirement {
                shape: if d.targets.len() == 1 { RequirementShape::Single } else { RequirementShape::AnyOf },
                need: 1,
                members: d.targets.iter().map(|t| NodeIndex::new(ids.number_of(t) as usize)).collect(),
                mode: d.mode,
                via: d.via.clone(),
                origin: Origin::DependsOn,
                member_locations: vec![location.clone(); d.targets.len()],
                location,
            }
        })
        .collect();
    let location = file.location(&c.span);
    let fields = Fields {
        kind: c.kind,
        name: c.name,
        owner: c.owner,
        system: c.system,
        replicas: c.replicas,
        labels: c.labels.into_iter().collect(),
        description: c.description,
        ..Fields::default()
    };
    RawComponent::new(c.id, ids, c.file, location, fields, requirements, explicit)
}

/// The text of a scalar (numbers and booleans as written in YAML 1.2).
pub(crate) fn text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// A scalar as text, numbers and booleans included (`replicas: 3`, `"3"`).
pub(crate) fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The entries of a mapping with YAML merge keys (`<<: *base`) expanded:
/// keys written in the mapping win over merged ones, as in YAML 1.1.
pub(crate) fn entries(node: &Node) -> Vec<(&Node, &Node)> {
    let Some(own) = node.as_map() else { return Vec::new() };
    let mut out: Vec<(&Node, &Node)> = Vec::new();
    let mut merged: Vec<(&Node, &Node)> = Vec::new();
    // Keys seen so far, hashed: comparing every merged key with every key
    // before it was quadratic in the size of the merged mappings.
    let mut merged_keys: HashSet<Option<&str>> = HashSet::new();
    for (k, v) in own {
        if k.key_text() == Some("<<") {
            let sources: Vec<&Node> = match &v.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![v],
            };
            for s in sources {
                for (mk, mv) in s.as_map().unwrap_or(&[]) {
                    if merged_keys.insert(mk.key_text()) {
                        merged.push((mk, mv));
                    }
                }
            }
        } else {
            out.push((k, v));
        }
    }
    let own_keys: HashSet<Option<&str>> = out.iter().map(|(k, _)| k.key_text()).collect();
    out.extend(merged.into_iter().filter(|(mk, _)| !own_keys.contains(&mk.key_text())));
    out
}

/// The value of `key` in a mapping, merge keys included.
pub(crate) fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key)
        .or_else(|| entries(node).into_iter().find(|(k, _)| k.key_text() == Some(key)).map(|(_, v)| v))
}

/// A host named in a configuration value, and how it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostRef {
    pub host: String,
    pub port: Option<u16>,
}

/// The hosts a configuration value names: URLs (`http://email:6060`, several
/// in one value, with user and password), `host:port` lists, connection
/// strings (`Server=sqldata;...`, `Host=db;...`), and the whole value as a
/// bare name (`FLAGD_HOST=flagd`). The caller decides which hosts are
/// components.
pub(crate) fn hosts_in(value: &str) -> Vec<HostRef> {
    let mut out: Vec<HostRef> = Vec::new();
    // Hashed: a value listing 100 000 hosts made the scan of `out` quadratic.
    let mut seen: HashSet<(String, Option<u16>)> = HashSet::new();
    let mut push = |host: &str, port: Option<u16>| {
        let host = host.trim().trim_matches(|c| c == '[' || c == ']').to_ascii_lowercase();
        // A port (`4321`) or an IP address names no service.
        let numeric = host.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !host.is_empty()
            && !numeric
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            && seen.insert((host.clone(), port))
        {
            out.push(HostRef { host, port });
        }
    };
    let value = value.trim();
    // URLs anywhere in the value.
    let mut found_url = false;
    for (at, _) in value.match_indices("://") {
        found_url = true;
        let after = &value[at + 3..];
        let end = after
            .find(|c: char| matches!(c, '/' | '?' | '#' | ';' | '"' | '\'') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        // `mongodb://a:1,b:2` lists several hosts; in `A://x:1,B://y:2` the
        // part `B:` is the next URL's scheme (found by the next match).
        for part in authority.split(',') {
            if part.is_empty() || part.ends_with(':') {
                continue;
            }
            let (host, port) = split_port(part);
            push(host, port);
        }
    }
    if found_url {
        return out;
    }
    // Connection strings: `Key=Value;Key=Value`.
    if value.contains('=') && value.contains(';') || value.to_ascii_lowercase().starts_with("host=") {
        for pair in value.split(';') {
            if let Some((k, v)) = pair.split_once('=') {
                let k = k.trim().to_ascii_lowercase();
                if matches!(
                    k.as_str(),
                    "server"
                        | "host"
                        | "hostname"
                        | "data source"
                        | "address"
                        | "addr"
                        | "addrs"
                        | "endpoint"
                ) {
                    for h in v.split(',') {
                        let h = h.trim().trim_start_matches("tcp:");
                        let (host, port) = split_port(h);
                        push(host, port);
                    }
                }
            }
        }
        return out;
    }
    // `host:port` lists and bare names.
    if !value.contains(char::is_whitespace) && !value.contains('=') {
        for part in value.split(',') {
            let (host, port) = split_port(part);
            if port.is_some() || !part.contains(':') {
                push(host, port);
            }
        }
    }
    out
}

/// Whether a configuration key says its value is a host (`CART_ADDR`,
/// `identityUrl`, `KAFKA_BOOTSTRAP_SERVERS`), by its words, not substrings
/// (`DISABLE_SECURITY_PLUGIN` holds `URI` but names no host).
pub(crate) fn key_names_host(key: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "HOST"
                | "HOSTS"
                | "HOSTNAME"
                | "ADDR"
                | "ADDRESS"
                | "URL"
                | "URLS"
                | "URI"
                | "ENDPOINT"
                | "SERVER"
                | "SERVERS"
                | "BROKER"
                | "BROKERS"
                | "DSN"
        )
    })
}

fn split_port(hostport: &str) -> (&str, Option<u16>) {
    match hostport.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, p.parse().ok()),
        Some((h, "")) => (h, None),
        _ => (hostport, None),
    }
}

/// Telemetry and monitoring back ends: a dependency on one of these is
/// soft (losing traces does not take a service down).
pub(crate) fn is_telemetry(name: &str, image: Option<&str>) -> bool {
    const MARKS: [&str; 12] = [
        "otel-collector",
        "opentelemetry-collector",
        "otelcol",
        "jaeger",
        "zipkin",
        "prometheus",
        "grafana",
        "tempo",
        "loki",
        "datadog-agent",
        "fluentd",
        "fluent-bit",
    ];
    let name = name.to_ascii_lowercase();
    let image = image.map(str::to_ascii_lowercase).unwrap_or_default();
    MARKS.iter().any(|m| name.contains(m) || image_repository(&image).contains(m))
        || name == "seq"
        || image_repository(&image).ends_with("datalust/seq")
}

/// The repository part of an image reference (no registry port, tag or digest).
pub(crate) fn image_repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => no_digest,
    }
}

/// The kind a well-known image (or, failing that, a service name) implies.
pub(crate) fn kind_of(image: Option<&str>, name: &str) -> Option<Kind> {
    let lookup = |word: &str| -> Option<Kind> {
        let w = word.to_ascii_lowercase();
        let has = |marks: &[&str]| marks.iter().any(|m| w == *m || w.starts_with(&format!("{m}-")));
        if has(&[
            "postgres",
            "postgresql",
            "postgis",
            "mysql",
            "mariadb",
            "mongo",
            "mongodb",
            "mssql",
            "sqlserver",
            "cassandra",
            "scylla",
            "couchdb",
            "couchbase",
            "cockroach",
            "cockroachdb",
            "neo4j",
            "influxdb",
            "clickhouse",
            "elasticsearch",
            "opensearch",
            "dynamodb-local",
            "etcd",
            "zookeeper",
            "spanner",
            "alloydb",
        ]) {
            Some(Kind::Database)
        } else if has(&["redis", "valkey", "memcached", "keydb", "dragonfly", "hazelcast"]) {
            Some(Kind::Cache)
        } else if has(&[
            "kafka",
            "cp-kafka",
            "rabbitmq",
            "nats",
            "activemq",
            "artemis",
            "pulsar",
            "redpanda",
            "mosquitto",
            "emqx",
        ]) {
            Some(Kind::Queue)
        } else if has(&["minio", "azurite", "localstack"]) {
            Some(Kind::Storage)
        } else if has(&["envoy", "nginx", "traefik", "haproxy", "kong", "caddy"]) {
            Some(Kind::Gateway)
        } else {
            None
        }
    };
    if let Some(image) = image {
        let repo = image_repository(image);
        if let Some(last) = repo.rsplit('/').next() {
            if let Some(k) = lookup(last) {
                return Some(k);
            }
            // `mcr.microsoft.com/mssql/server`.
            if repo.contains("/mssql/") {
                return Some(Kind::Database);
            }
        }
    }
    // A name made of words such as `valkey-cart`, `astronomy-db`, `kafka`.
    let lower = name.to_ascii_lowercase();
    for word in lower.split(['-', '_', '.']) {
        if let Some(k) = lookup(word)
            && k != Kind::Gateway
        {
            return Some(k);
        }
    }
    if lower.ends_with("-db") || lower.ends_with("db") && lower.contains("sql") {
        return Some(Kind::Database);
    }
    None
}

/// A valid id from a foreign name: whitespace and control characters
/// become `-` (ids cannot hold them), the length is capped.
pub(crate) fn sanitize_id(name: &str) -> String {
    let cleaned: String =
        name.trim().chars().map(|c| if c.is_whitespace() || c.is_control() { '-' } else { c }).collect();
    cleaned.chars().take(crate::native::MAX_ID_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(v: &str) -> Vec<String> {
        let mut out: Vec<String> = hosts_in(v).into_iter().map(|h| h.host).collect();
        out.dedup();
        out
    }

    #[test]
    fn ports_and_addresses_are_no_hosts() {
        assert!(hosts("4321").is_empty());
        assert!(hosts("127.0.0.1:8080").is_empty());
        assert_eq!(hosts("cart:7070"), ["cart"]);
    }

    #[test]
    fn hosts_in_values() {
        assert_eq!(hosts("cart:7070"), ["cart"]);
        assert_eq!(hosts("http://email:6060/x"), ["email"]);
        assert_eq!(hosts("wss://opamp-server:4320/v1/opamp"), ["opamp-server"]);
        assert_eq!(hosts("postgres://u:p@astronomy-db/db?sslmode=disable"), ["astronomy-db"]);
        assert_eq!(hosts("Host=astronomy-db;Username=u;Password=p"), ["astronomy-db"]);
        assert_eq!(hosts("Server=sqldata;Database=x;User Id=sa"), ["sqldata"]);
        assert_eq!(hosts("PLAINTEXT://kafka:9092,CONTROLLER://kafka:9093"), ["kafka"]);
        assert_eq!(hosts("mongodb://a:1,b:2/db"), ["a", "b"]);
        assert_eq!(hosts("flagd"), ["flagd"]);
        assert_eq!(hosts("a:1,b:2"), ["a", "b"]);
        assert!(hosts("-Xmx400m -Xms400m").is_empty());
        assert!(hosts("service.name=x,service.version=1").is_empty());
    }

    #[test]
    fn kinds_from_images() {
        assert_eq!(kind_of(Some("postgres:18.4"), "x"), Some(Kind::Database));
        assert_eq!(kind_of(Some("ghcr.io/valkey-io/valkey:9.0.4-alpine3.23"), "x"), Some(Kind::Cache));
        assert_eq!(kind_of(Some("mcr.microsoft.com/mssql/server:2019-latest"), "x"), Some(Kind::Database));
        assert_eq!(kind_of(Some("rabbitmq:3-management-alpine"), "x"), Some(Kind::Queue));
        assert_eq!(kind_of(Some("ghcr.io/open-telemetry/demo:latest-kafka"), "kafka"), Some(Kind::Queue));
        assert_eq!(kind_of(Some("registry:5000/team/app:1"), "app"), None);
        assert!(is_telemetry("otel-collector", None));
        assert!(is_telemetry("tracing-server", Some("openzipkin/zipkin")));
        assert!(!is_telemetry("cart", Some("ghcr.io/open-telemetry/demo:latest-cart")));
    }
}
