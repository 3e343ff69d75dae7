//! Which hosts a Compose value names, and how sure that is.
//!
//! A value is read as an address only where its shape or its key says so:
//! URLs (with the hosts of their query: `?host=db`, `?endpoint=minio:9000`), connection strings, `host:port`, and
//! a bare name or a comma list only under a key whose words say host
//! (`REDIS_HOST=redis`, `KAFKA_BROKERS=k1:9092,k2:9092`). A word that merely
//! equals a service name (`DB_DRIVER=postgres`, `PGRST_DB_SCHEMAS=public,storage`)
//! names no host. Command lines (`command:`, `entrypoint:`) are read by
//! their flags: `--db-host=db`, `-h db`, and any `host:port` or URL word.

use crate::import::hints::key_words;
use crate::import::{HostRef, hosts_in};

/// Key words that say the value is one host (or a few). Not `CONNECT`
/// (Kafka Connect's `CONNECT_GROUP_ID`), `BACKEND` (`STORAGE_BACKEND=file`),
/// `PROXY` (`KONG_NGINX_PROXY_BUFFER_SIZE`) or `TARGET`: they prefix
/// settings as often as they name a host.
const HOST_WORDS: [&str; 14] = [
    "HOST",
    "HOSTNAME",
    "ADDR",
    "ADDRESS",
    "URL",
    "URI",
    "ENDPOINT",
    "SERVER",
    "BROKER",
    "DSN",
    "CONNECTION",
    "CONNECTIONSTRING",
    "CONN",
    "UPSTREAM",
];

/// Key words that say the value lists hosts.
const LIST_WORDS: [&str; 13] = [
    "HOSTS",
    "ADDRS",
    "ADDRESSES",
    "URLS",
    "URIS",
    "ENDPOINTS",
    "SERVERS",
    "BROKERS",
    "NODES",
    "SEEDS",
    "PEERS",
    "MEMBERS",
    "BOOTSTRAP",
];

/// Whether a key's words say its value is a host (or a list of hosts).
pub(super) fn key_says_host(key: &str) -> bool {
    key_words(key).iter().any(|w| HOST_WORDS.contains(&w.as_str()) || LIST_WORDS.contains(&w.as_str()))
}

/// Whether a key's words say its value lists several hosts.
fn key_says_list(key: &str) -> bool {
    key_words(key).iter().any(|w| LIST_WORDS.contains(&w.as_str()))
}

fn split_port(part: &str) -> (&str, Option<u16>) {
    match part.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, p.parse().ok()),
        _ => (part, None),
    }
}

/// A host as a service name could be: letters, digits, `-`, `_`, `.`,
/// not a number or an IP address.
fn host_like(host: &str) -> bool {
    !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !host.chars().all(|c| c.is_ascii_digit() || c == '.')
        && host.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Adds a host once. `out` is small in real files; a value listing
/// 100 000 hosts is deduplicated by the caller (`hosts.get` per entry is
/// O(log n) and `Imported::depend` merges the same target).
fn push(out: &mut Vec<HostRef>, host: &str, port: Option<u16>) {
    let host = host.trim().trim_matches(|c| c == '[' || c == ']').to_ascii_lowercase();
    if host_like(&host) && out.last().is_none_or(|r| r.host != host || r.port != port) {
        out.push(HostRef { host, port });
    }
}

/// The hosts of `?host=db&hostaddr=...` parameters in the URLs of a value
/// (`postgres:///app?host=db`, `postgresql://u@/app?host=db1,db2`).
///
/// Each URL's query is read up to the next URL, so a value of many `?` or
/// `://` is scanned once, not once per mark.
fn query_hosts(value: &str, out: &mut Vec<HostRef>) {
    let starts: Vec<usize> = value.match_indices("://").map(|(at, _)| at).collect();
    for (k, &start) in starts.iter().enumerate() {
        let stop = starts.get(k + 1).copied().unwrap_or(value.len());
        let url = value.get(start..stop).unwrap_or("");
        let url = url.split(char::is_whitespace).next().unwrap_or("");
        let Some((_, query)) = url.split_once('?') else { continue };
        let query = query.split('#').next().unwrap_or("");
        for pair in query.split('&') {
            let Some((k, v)) = pair.split_once('=') else { continue };
            let key_says_host = matches!(
                k.to_ascii_lowercase().as_str(),
                "host"
                    | "hostaddr"
                    | "hostname"
                    | "server"
                    | "endpoint"
                    | "addr"
                    | "address"
                    | "broker"
                    | "brokers"
            );
            for h in v.split(',') {
                let (host, port) = split_port(h);
                // `?endpoint=minio:9000`: the key says host, or the value
                // is `name:port` whatever the key.
                if key_says_host || port.is_some() {
                    push(out, host, port);
                }
            }
        }
    }
}

/// The hosts an environment value names, read by its shape and its key.
///
/// # Complexity
/// O(len · hosts found) per value; values that list many hosts are rare.
pub(super) fn env_hosts(key: &str, value: &str) -> Vec<HostRef> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    if value.contains("://") {
        let mut out = hosts_in(value);
        query_hosts(value, &mut out);
        return out;
    }
    let lower = value.to_ascii_lowercase();
    // `Server=sqldata;Database=x`, `Host=db;Port=5432`: the keys say host.
    if value.contains('=') && value.contains(';') || lower.starts_with("host=") && !value.contains(' ') {
        return hosts_in(value);
    }
    // libpq keyword DSN: `host=db port=5432 dbname=app`.
    if value.contains(char::is_whitespace) {
        let mut out = Vec::new();
        if value.split_whitespace().all(|w| w.contains('=')) {
            for w in value.split_whitespace() {
                if let Some((k, v)) = w.split_once('=')
                    && matches!(k.to_ascii_lowercase().as_str(), "host" | "hostaddr" | "server")
                {
                    for h in v.split(',') {
                        let (host, port) = split_port(h);
                        push(&mut out, host, port);
                    }
                }
            }
        }
        return out;
    }
    if value.contains('=') {
        return Vec::new();
    }
    let mut out = Vec::new();
    let parts: Vec<&str> = value.split(',').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1 && !key_says_list(key) && !key_says_host(key) {
        // `request-transformer,cors,key-auth`, `public,storage`: a list of
        // words, not of hosts. Entries with a port (`a:1,b:2`) still are.
        for part in parts {
            if let (host, Some(port)) = split_port(part) {
                push(&mut out, host, Some(port));
            }
        }
        return out;
    }
    for part in parts {
        match split_port(part) {
            (host, Some(port)) => push(&mut out, host, Some(port)),
            (host, None) if !host.contains(':') && key_says_host(key) => push(&mut out, host, None),
            _ => {}
        }
    }
    out
}

/// Splits a command line into words: whitespace separates, quotes are
/// dropped (nested `sh -c '...'` scripts are flattened, which is what a
/// search for flags wants).
pub(super) fn shell_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c| matches!(c, '"' | '\'' | '`' | ';' | '(' | ')')).to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The hosts a command line names, each with the flag or word that
/// names it: `--db-host=db`, `--redis-addr redis:6379`, `-h db`,
/// `-b broker:29092`, `wait-for-it db:5432`, `http://api:8080/health`.
pub(super) fn command_hosts(words: &[String]) -> Vec<(HostRef, String)> {
    let mut out: Vec<(HostRef, String)> = Vec::new();
    // Hashed: a command of 100 000 addresses must not compare each with all.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut add = |refs: Vec<HostRef>, how: String, out: &mut Vec<(HostRef, String)>| {
        for r in refs {
            if seen.insert(r.host.clone()) {
                out.push((r, how.clone()));
            }
        }
    };
    let mut i = 0;
    while let Some(word) = words.get(i) {
        i += 1;
        if let Some(flag) = word.strip_prefix("--").filter(|f| !f.is_empty()) {
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => match words.get(i) {
                    Some(next) if !next.starts_with('-') && key_says_host(flag) => {
                        i += 1;
                        (flag, Some(next.clone()))
                    }
                    _ => (flag, None),
                },
            };
            if let Some(value) = value {
                let key = if key_says_host(name) { name } else { "" };
                add(env_hosts(key, &value), format!("--{name}"), &mut out);
            }
            continue;
        }
        if word.len() == 2 && word.starts_with('-') {
            let Some(value) = words.get(i).filter(|v| !v.starts_with('-')) else { continue };
            // `-h db` is a host for psql, mysql, redis-cli, pg_isready...;
            // any other short flag counts only with an address as value.
            let key = if word == "-h" { "host" } else { "" };
            let refs = env_hosts(key, value);
            if !refs.is_empty() {
                i += 1;
                add(refs, word.clone(), &mut out);
            }
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        // A positional address: `db:5432`, `tcp://db:5432`.
        add(env_hosts("", word), format!("`{word}`"), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(key: &str, value: &str) -> Vec<String> {
        env_hosts(key, value).into_iter().map(|r| r.host).collect()
    }

    #[test]
    fn values_name_hosts_by_shape_or_key() {
        assert_eq!(hosts("PurchaseUrl", "http://webshoppingapigw"), ["webshoppingapigw"]);
        assert_eq!(hosts("CART_ADDR", "cart:7070"), ["cart"]);
        assert_eq!(hosts("REDIS_HOST", "redis"), ["redis"]);
        assert_eq!(hosts("EventBusConnection", "rabbitmq"), ["rabbitmq"]);
        assert_eq!(hosts("KAFKA_BROKERS", "kafka1:9092,kafka2:9092"), ["kafka1", "kafka2"]);
        assert_eq!(hosts("ES_SEED_HOSTS", "es01,es02"), ["es01", "es02"]);
        assert_eq!(hosts("DATABASE_URL", "postgres:///app?host=db&sslmode=disable"), ["db"]);
        assert_eq!(hosts("DATABASE_URL", "postgresql://u@/app?host=db1,db2"), ["db1", "db2"]);
        assert_eq!(hosts("STORAGE_URL", "http://proxy:8000/upload?endpoint=minio:9000"), ["proxy", "minio"]);
        assert_eq!(hosts("S3_URL", "http://proxy:8000/?region=eu&bucket=x"), ["proxy"]);
        assert_eq!(hosts("PG_DSN", "host=db port=5432 dbname=app"), ["db"]);
        assert_eq!(hosts("ConnectionString", "Server=sqldata;Database=x"), ["sqldata"]);
    }

    #[test]
    fn many_marks_are_scanned_once() {
        let started = std::time::Instant::now();
        for value in
            ["?".repeat(200_000), "a://".repeat(100_000), format!("x://a?{}", "host=b&".repeat(50_000))]
        {
            env_hosts("DATABASE_URL", &value);
        }
        // Quadratic scans of these values take minutes.
        assert!(started.elapsed().as_secs() < 20);
    }

    #[test]
    fn words_that_equal_a_name_are_no_hosts() {
        assert!(hosts("DB_DRIVER", "postgres").is_empty());
        assert!(hosts("APP_NAME", "realtime").is_empty());
        assert!(hosts("PGRST_DB_SCHEMAS", "public,storage,graphql_public").is_empty());
        assert!(hosts("KONG_PLUGINS", "request-transformer,cors,key-auth").is_empty());
        assert!(hosts("DESCRIPTION", "talks to payments over http").is_empty());
        assert!(hosts("LOG4J_LOGGERS", "org.apache.zookeeper=ERROR,org.reflections=ERROR").is_empty());
        assert!(hosts("MAP", "PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT").is_empty());
        assert!(hosts("REDIS_HOST", "127.0.0.1").is_empty());
        assert!(hosts("CONNECT_GROUP_ID", "compose-connect-group").is_empty());
        assert!(hosts("STORAGE_BACKEND", "file").is_empty());
    }

    #[test]
    fn command_lines_name_hosts_by_flag() {
        let found = |line: &str| -> Vec<(String, String)> {
            command_hosts(&shell_words(line)).into_iter().map(|(r, how)| (r.host, how)).collect()
        };
        assert_eq!(found("app --db-host=db --verbose"), [("db".to_owned(), "--db-host".to_owned())]);
        assert_eq!(found("app --redis-addr redis:6379"), [("redis".to_owned(), "--redis-addr".to_owned())]);
        assert_eq!(found("pg_isready -h db -U postgres"), [("db".to_owned(), "-h".to_owned())]);
        assert_eq!(
            found("bash -c 'cub kafka-ready -b broker:29092 1 40'"),
            [("broker".to_owned(), "-b".to_owned())]
        );
        assert_eq!(found("wait-for-it db:5432 -- app"), [("db".to_owned(), "`db:5432`".to_owned())]);
        assert!(found("postgres -c config_file=/etc/postgresql.conf").is_empty());
        assert!(found("--requirepass secret --appendonly yes").is_empty());
        assert!(found("minio server --address :9000 /data").is_empty());
        assert!(found("echo waiting for kafka").is_empty());
    }
}
