//! ConfigMaps and Secrets: the values pods take from them, and the hosts
//! that a mounted configuration file names.
//!
//! A Secret's values are read for one purpose only: to find hosts that are
//! Services of the inventory. They are never shown: not in evidence, not in
//! notes, not in warnings (a host in a Secret that names nothing is not
//! reported, since the message would show part of the value). A Secret is
//! only ever named.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::resources::Resource;
use crate::import::{HostRef, entries, hosts_in, key_names_host, scalar};

/// Which of the two a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Source {
    ConfigMap,
    Secret,
}

impl Source {
    pub(super) fn kind(self) -> &'static str {
        match self {
            Source::ConfigMap => "ConfigMap",
            Source::Secret => "Secret",
        }
    }
}

/// One key of a ConfigMap or Secret.
pub(super) struct Entry {
    pub key: String,
    pub value: String,
    /// Of the key (a Secret's value is never pointed at).
    pub span: Range<usize>,
}

pub(super) struct Config<'r, 'a> {
    pub resource: &'r Resource<'a>,
    pub source: Source,
    pub entries: Vec<Entry>,
}

impl Config<'_, '_> {
    pub(super) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// `ConfigMap name` (`ns/name` outside `default`).
    pub(super) fn label(&self) -> String {
        format!("{} {}", self.source.kind(), self.resource.shown())
    }

    /// `file:line` of an entry's key, for evidence.
    pub(super) fn line(&self, entry: &Entry) -> String {
        let file = &self.resource.file;
        format!("{}:{}", file.name, file.line_column(entry.span.start).0)
    }
}

/// Every ConfigMap and Secret, by (source, namespace, name).
pub(super) struct Configs<'r, 'a> {
    list: Vec<Config<'r, 'a>>,
    /// Position in `list`, the first of equal ones.
    by_name: HashMap<(Source, &'r str, &'r str), usize>,
}

impl<'r, 'a> Configs<'r, 'a> {
    pub(super) fn new(resources: &'r [Resource<'a>]) -> Self {
        let mut list = Vec::new();
        let mut by_name = HashMap::new();
        for r in resources {
            let source = match r.kind.as_str() {
                "ConfigMap" => Source::ConfigMap,
                "Secret" => Source::Secret,
                _ => continue,
            };
            let mut found = Vec::new();
            // `binaryData` holds bytes, not text: it names no host.
            let fields: &[&str] = match source {
                Source::ConfigMap => &["data"],
                // `stringData` is written over `data` by the API server.
                Source::Secret => &["data", "stringData"],
            };
            for name in fields {
                let Some(data) = crate::import::field(r.node, name) else { continue };
                for (k, v) in entries(data) {
                    let (Some(key), Some(raw)) = (k.key_text(), scalar(v)) else { continue };
                    let value = if source == Source::Secret && *name == "data" {
                        match base64(&raw) {
                            Some(decoded) => decoded,
                            None => continue,
                        }
                    } else {
                        raw
                    };
                    found.retain(|e: &Entry| e.key != key);
                    found.push(Entry { key: key.to_owned(), value, span: k.span.clone() });
                }
            }
            by_name.entry((source, r.namespace.as_str(), r.name.as_str())).or_insert(list.len());
            list.push(Config { resource: r, source, entries: found });
        }
        Self { list, by_name }
    }

    pub(super) fn get(&self, source: Source, namespace: &str, name: &str) -> Option<&Config<'r, 'a>> {
        self.by_name.get(&(source, namespace, name)).and_then(|&i| self.list.get(i))
    }
}

/// Which workloads read each ConfigMap and Secret (found in the files or not).
#[derive(Default)]
pub(super) struct Readers {
    by_config: HashMap<(Source, String, String), BTreeSet<String>>,
}

impl Readers {
    pub(super) fn add(&mut self, source: Source, namespace: &str, name: &str, reader: &str) {
        self.by_config
            .entry((source, namespace.to_owned(), name.to_owned()))
            .or_default()
            .insert(reader.to_owned());
    }

    /// The workloads that read it, in id order.
    pub(super) fn of(&self, source: Source, namespace: &str, name: &str) -> Vec<String> {
        self.by_config
            .get(&(source, namespace.to_owned(), name.to_owned()))
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// A host named in a line of a configuration file, with the line's key.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct FileHost {
    pub key: String,
    pub host: HostRef,
}

/// The hosts a configuration file names, line by line: URLs anywhere in a
/// line, and the value of `key=value`, `key: value`, `"key": "value",` and
/// `key value;` lines as an env value would be read (`host:port` lists,
/// connection strings); a bare word counts only under a key that says
/// host (`host: redis`, not `name: orders`). Properties, `.env`, YAML,
/// JSON and nginx-like files all read this way, one line at a time.
pub(super) fn file_hosts(text: &str) -> Vec<FileHost> {
    let mut out = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(['#', ';', '!', '[']) || line.starts_with("//") {
            continue;
        }
        let line = line.strip_prefix("- ").unwrap_or(line);
        let (key, value) = split_line(line);
        let value = clean(value);
        // `host-append: false` says nothing about a host.
        if value.is_empty() || is_flag_word(value) {
            continue;
        }
        for host in hosts_in(value) {
            if !is_bare(&host, value) || key_names_host(key) {
                out.push(FileHost { key: key.to_owned(), host });
            }
        }
    }
    out
}

fn is_flag_word(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "~" | "*"
    )
}

/// Whether a host is a bare word of `value` (no port, URL or connection
/// string says it is one): a host only under a key that says host.
pub(super) fn is_bare(host: &HostRef, value: &str) -> bool {
    host.port.is_none() && !value.contains("://") && !value.contains(['=', ';'])
}

/// A line's key and value: `k=v`, `k: v`, `"k": v`, or `k v` (the first
/// word and the rest).
fn split_line(line: &str) -> (&str, &str) {
    let eq = line.find('=');
    let colon = line.find(": ").or_else(|| line.strip_suffix(':').map(str::len));
    let (key, value) = match (eq, colon) {
        (Some(e), Some(c)) if c < e => (&line[..c], &line[c + 1..]),
        (Some(e), _) => (&line[..e], &line[e + 1..]),
        (None, Some(c)) => (&line[..c], line.get(c + 1..).unwrap_or("")),
        (None, None) => line.split_once(char::is_whitespace).unwrap_or(("", line)),
    };
    (key.trim().trim_matches(['"', '\'']), value.trim())
}

/// A value without a trailing comment, `,` or `;`, and without quotes.
fn clean(value: &str) -> &str {
    let value = match value.find(" #") {
        Some(at) => &value[..at],
        None => value,
    };
    value.trim().trim_end_matches([',', ';']).trim().trim_matches(['"', '\'']).trim()
}

/// A Secret's `data` value decoded (standard base64, padding optional);
/// `None` when it is not base64 of UTF-8 text.
pub(super) fn base64(text: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut count = 0u32;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).unwrap_or(0));
        }
    }
    String::from_utf8(out).ok()
}

/// The value of a data key as a file: its text.
pub(super) fn is_file(value: &str) -> bool {
    value.contains('\n')
}

/// The hosts an env value names: one-line values as env values, multi-line
/// ones (a whole file taken into one variable) line by line.
pub(super) fn value_hosts(key: &str, value: &str) -> Vec<FileHost> {
    if is_file(value) {
        file_hosts(value)
    } else {
        hosts_in(value).into_iter().map(|host| FileHost { key: key.to_owned(), host }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<(String, String)> {
        file_hosts(text).into_iter().map(|h| (h.key, h.host.host)).collect()
    }

    #[test]
    fn files_name_hosts_in_urls_and_host_keys_only() {
        let yaml = "spring:\n  cloud:\n    gateway:\n      routes:\n        - id: vets\n          uri: http://vets-service.petclinic.svc.cluster.local:8080\n          predicates:\n            - Path=/api/vet/**\nname: orders\nredis:\n  host: redis-cart\n  port: 6379\n";
        assert_eq!(
            hosts(yaml),
            [
                ("uri".to_owned(), "vets-service.petclinic.svc.cluster.local".to_owned()),
                ("host".to_owned(), "redis-cart".to_owned())
            ]
        );
        let properties = "# comment\nspring.datasource.url=jdbc:postgresql://ledger-db:5432/db\ncache.size=100\nqueue=orders\n";
        assert_eq!(hosts(properties), [("spring.datasource.url".to_owned(), "ledger-db".to_owned())]);
        let json = "{\n  \"ApiUrl\": \"http://catalog:80/\",\n  \"Name\": \"catalog\",\n  \"CacheHost\": \"redis\"\n}\n";
        assert_eq!(
            hosts(json),
            [("ApiUrl".to_owned(), "catalog".to_owned()), ("CacheHost".to_owned(), "redis".to_owned())]
        );
        let nginx = "upstream api {\n  server api:8080;\n}\nlocation / { proxy_pass http://web:3000; }\n";
        assert_eq!(
            hosts(nginx),
            [("server".to_owned(), "api".to_owned()), ("location".to_owned(), "web".to_owned())]
        );
        // Plugin lists, sizes and words are no hosts.
        assert!(hosts("[rabbitmq_management,rabbitmq_prometheus].\n").is_empty());
        assert!(hosts("log_level: info\nworkers: 4\nmode: cluster\n").is_empty());
    }

    #[test]
    fn env_values_with_several_lines_read_as_files() {
        let one: Vec<String> = value_hosts("DB", "db:5432").into_iter().map(|h| h.host.host).collect();
        assert_eq!(one, ["db"]);
        let many: Vec<String> =
            value_hosts("CONF", "a: 1\nurl: http://api:80\n").into_iter().map(|h| h.host.host).collect();
        assert_eq!(many, ["api"]);
    }

    #[test]
    fn base64_decodes_secret_data() {
        assert_eq!(base64("cG9zdGdyZXM6Ly9kYjo1NDMy").as_deref(), Some("postgres://db:5432"));
        assert_eq!(base64("YQ==").as_deref(), Some("a"));
        assert_eq!(base64("YWI").as_deref(), Some("ab"));
        assert_eq!(base64("not base64!"), None);
    }
}
