//! What a foreign file's values imply without saying it: the hosts that a
//! configuration value names, the kind that an image implies, telemetry
//! back ends (soft dependencies), and ids made valid.

use std::collections::HashSet;

use crate::model::Kind;

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

/// Words of a key: `identityUrl` → `IDENTITY`, `URL`; `KAFKA_BROKERS` →
/// `KAFKA`, `BROKERS`; `--db-host` → `DB`, `HOST`.
pub(crate) fn key_words(key: &str) -> Vec<String> {
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
    words
}

/// Whether a configuration key says its value is a host (`CART_ADDR`,
/// `identityUrl`, `KAFKA_BOOTSTRAP_SERVERS`), by its words, not substrings
/// (`DISABLE_SECURITY_PLUGIN` holds `URI` but names no host).
pub(crate) fn key_names_host(key: &str) -> bool {
    let words = key_words(key);
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
    const MARKS: [&str; 13] = [
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
        "wavefront",
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
