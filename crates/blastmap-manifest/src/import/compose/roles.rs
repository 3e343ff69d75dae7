//! What a Compose service is: its kind (from the image, else the name),
//! whether it is an admin tool for a datastore (a plain service, not the
//! datastore), a front door (reverse proxy or gateway), a web front end,
//! or a one-shot job.

use std::collections::BTreeSet;

use crate::import::hints::image_repository;
use crate::import::kind_of;
use crate::model::Kind;

use super::Service;

/// Words that, after a datastore's name, make an image or a service a tool
/// for it (`postgres-meta`, `redis-commander`, `cp-kafka-rest`, `kafka-ui`).
const TOOL_WORDS: [&str; 24] = [
    "ui",
    "admin",
    "commander",
    "insight",
    "exporter",
    "express",
    "meta",
    "rest",
    "console",
    "cli",
    "client",
    "browser",
    "manager",
    "gui",
    "web",
    "dashboard",
    "studio",
    "operator",
    "backup",
    "connect",
    "proxy",
    "init",
    "migrate",
    "setup",
];

/// Admin tools known by their image (or service) name alone.
const ADMIN_TOOLS: [&str; 14] = [
    "pgadmin",
    "pgadmin4",
    "adminer",
    "phpmyadmin",
    "redisinsight",
    "redis-commander",
    "kafka-ui",
    "kafdrop",
    "akhq",
    "mongo-express",
    "portainer",
    "dbgate",
    "cloudbeaver",
    "kowl",
];

fn words(name: &str) -> Vec<String> {
    name.to_ascii_lowercase().split(['-', '_', '.']).map(str::to_owned).collect()
}

/// The last path component of an image's repository, lower-case
/// (`docker.io/dpage/pgadmin4:8` → `pgadmin4`).
fn image_name(image: &str) -> String {
    image_repository(image).rsplit('/').next().unwrap_or("").to_ascii_lowercase()
}

/// Whether a name (an image's or a service's) is a tool for a datastore:
/// a known admin tool, or a datastore word followed by a tool word.
fn is_tool_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if ADMIN_TOOLS.contains(&lower.as_str()) {
        return true;
    }
    let ws = words(&lower);
    // The cheap test first: most names hold no tool word at all.
    let Some(last_tool) = ws.iter().rposition(|t| TOOL_WORDS.contains(&t.as_str())) else { return false };
    ws.iter().take(last_tool).any(|w| kind_of(Some(w), "").is_some_and(|k| k != Kind::Gateway))
}

/// Tool words of admin screens (not of APIs such as Kafka's REST proxy).
const ADMIN_WORDS: [&str; 12] = [
    "ui",
    "admin",
    "commander",
    "insight",
    "exporter",
    "express",
    "console",
    "browser",
    "manager",
    "gui",
    "dashboard",
    "studio",
];

/// Whether a name is an admin screen for a datastore (`pgadmin4`,
/// `redis-commander`, `kafka-ui`).
fn is_admin_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ADMIN_TOOLS.contains(&lower.as_str())
        || is_tool_name(&lower) && words(&lower).iter().any(|w| ADMIN_WORDS.contains(&w.as_str()))
}

/// Whether the service is an admin screen for a datastore (by image or name).
pub(super) fn is_admin_tool(name: &str, image: Option<&str>) -> bool {
    image.is_some_and(|i| is_admin_name(&image_name(i))) || is_admin_name(name)
}

/// The kind of a service: from the image when it names a datastore or a
/// proxy, else from the name's words. Admin tools for a datastore are
/// plain services (`None`).
pub(super) fn kind(name: &str, image: Option<&str>) -> Option<Kind> {
    if let Some(image) = image {
        let last = image_name(image);
        if is_tool_name(&last) {
            return None;
        }
        // Confluent's Kafka broker images.
        if matches!(last.as_str(), "cp-server" | "cp-kafka" | "cp-enterprise-kafka") {
            return Some(Kind::Queue);
        }
        if let Some(k) = kind_of(Some(image), "") {
            return Some(k);
        }
    }
    if is_tool_name(name) {
        return None;
    }
    if let Some(k) = kind_of(None, name) {
        return Some(k);
    }
    let ws = words(name);
    if ws.iter().any(|w| w == "broker" || w == "brokers") {
        return Some(Kind::Queue);
    }
    if is_gateway_name(name) {
        Some(Kind::Gateway)
    } else if is_web_name(name) {
        Some(Kind::Frontend)
    } else {
        None
    }
}

/// A gateway by its name: `*-gateway`, `*apigw`, `gateway`, and a proxy in
/// front (`frontend-proxy`, `edge-proxy`, `reverse-proxy`, `proxy`) — not
/// a proxy for something behind (`rest-proxy` of Kafka, `sql-proxy`).
pub(super) fn is_gateway_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ws = words(&lower);
    if ws.iter().any(|w| matches!(w.as_str(), "gateway" | "apigw" | "gw" | "ingress"))
        || lower.ends_with("apigw")
    {
        return true;
    }
    ws.iter().any(|w| w == "proxy")
        && (ws.len() == 1
            || ws.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "frontend" | "front" | "edge" | "reverse" | "web" | "http" | "https" | "public" | "nginx"
                )
            }))
}

/// A web front end by its name (`web`, `frontend`, `webmvc`, `webspa`,
/// `storefront`); not `*-ui`, which is more often an admin screen.
pub(super) fn is_web_name(name: &str) -> bool {
    words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "frontend"
                | "web"
                | "webapp"
                | "webui"
                | "webmvc"
                | "webspa"
                | "spa"
                | "website"
                | "www"
                | "storefront"
        )
    })
}

/// Images of reverse proxies and API gateways.
const PROXY_IMAGES: [&str; 8] =
    ["nginx", "traefik", "envoy", "kong", "haproxy", "caddy", "openresty", "apisix"];

/// Why a service is a front door (a reverse proxy or a gateway), if it is.
pub(super) fn front_door(name: &str, image: Option<&str>) -> Option<String> {
    if let Some(image) = image {
        let last = image_name(image);
        if PROXY_IMAGES.iter().any(|p| last == *p || last.starts_with(&format!("{p}-"))) {
            return Some(format!("reverse proxy image `{image}`"));
        }
    }
    is_gateway_name(name).then(|| format!("gateway by its name `{name}`"))
}

/// Name words of one-shot jobs.
/// Not `seed` (a Cassandra seed node runs) nor `bootstrap`.
const JOB_WORDS: [&str; 11] = [
    "init",
    "migrate",
    "migration",
    "migrations",
    "migrator",
    "setup",
    "seeder",
    "provision",
    "provisioner",
    "createbuckets",
    "oneshot",
];

/// Words of a command that keep running (`tail -f /dev/null`, `serve`,
/// `redis-server`), matched inside words.
const LONG_RUNNING: [&str; 9] =
    ["tail", "infinity", "serve", "start", "daemon", "watch", "listen", "agent", "worker"];

/// Words of a command that does a job and exits (`migrate`, `psql -f`,
/// `kafka-topics --create`), matched inside words.
const JOB_VERBS: [&str; 14] = [
    "migrat",
    "init",
    "seed",
    "setup",
    "create",
    "load",
    "import",
    "provision",
    "install",
    "psql",
    "mc",
    "topics",
    "curl",
    "wget",
];

/// Why a service is a one-shot job (it runs and exits), if it is: other
/// services wait for it to complete, its name says so (`db-migrate`,
/// `kafka-setup`), or `restart: "no"` with a command that exits.
pub(super) fn one_shot(name: &str, s: &Service, awaited: &BTreeSet<String>) -> Option<String> {
    if awaited.contains(name) {
        return Some("others wait for it to finish (`condition: service_completed_successfully`)".to_owned());
    }
    if let Some(w) = words(name).into_iter().find(|w| JOB_WORDS.contains(&w.as_str())) {
        return Some(format!("its name says a one-shot job (`{w}`)"));
    }
    // `restart: no` unquoted is YAML 1.1's false.
    if matches!(s.restart.as_deref(), Some("no" | "false")) {
        let cmd: Vec<String> = s
            .command
            .iter()
            .chain(&s.entrypoint)
            .flat_map(|c| &c.value)
            .map(|w| w.to_ascii_lowercase())
            .collect();
        let has = |marks: &[&str]| {
            cmd.iter().any(|w| marks.iter().any(|m| w == m || m.len() >= 4 && w.contains(m)))
        };
        if has(&JOB_VERBS) && !has(&LONG_RUNNING) {
            return Some("`restart: \"no\"` with a command that does a job and exits".to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_tools_are_services_not_datastores() {
        assert_eq!(kind("meta", Some("supabase/postgres-meta:v0.95")), None);
        assert_eq!(kind("rest-proxy", Some("confluentinc/cp-kafka-rest:7.0")), None);
        assert_eq!(kind("pgadmin", Some("dpage/pgadmin4:8")), None);
        assert_eq!(kind("redis-commander", Some("rediscommander/redis-commander")), None);
        assert_eq!(kind("kafka-ui", Some("provectuslabs/kafka-ui")), None);
        assert_eq!(kind("adminer", Some("adminer")), None);
        assert_eq!(kind("redis-commander", None), None);
        assert!(is_admin_tool("x", Some("dpage/pgadmin4")));
        assert!(!is_admin_tool("db", Some("postgres:16")));
        assert!(!is_admin_tool("rest-proxy", Some("confluentinc/cp-kafka-rest")));
    }

    fn service(restart: Option<&str>, command: &str) -> Service {
        let file = std::sync::Arc::new(crate::source::SourceFile::new("c.yaml", String::new()));
        let mut s = Service::new(&file, 0..0);
        s.restart = restart.map(str::to_owned);
        if !command.is_empty() {
            let words = super::super::refs::shell_words(command);
            s.command = Some(super::super::At { value: words, file, span: 0..0 });
        }
        s
    }

    #[test]
    fn one_shot_jobs() {
        let none = BTreeSet::new();
        let awaited: BTreeSet<String> = ["schema".to_owned()].into();
        assert!(one_shot("schema", &service(None, ""), &awaited).is_some());
        assert!(one_shot("db-migrate", &service(None, ""), &none).is_some());
        assert!(one_shot("kafka-setup", &service(None, ""), &none).is_some());
        assert!(one_shot("load", &service(Some("no"), "sh -c 'psql -f /seed.sql'"), &none).is_some());
        assert!(
            one_shot("topics", &service(Some("false"), "kafka-topics --create --topic orders"), &none)
                .is_some()
        );
        // Long-running, or nothing says it exits.
        assert!(one_shot("cache", &service(Some("no"), "redis-server --appendonly yes"), &none).is_none());
        assert!(
            one_shot("db", &service(Some("no"), "postgres -c config_file=/etc/pg.conf"), &none).is_none()
        );
        assert!(one_shot("cassandra-seed", &service(None, ""), &none).is_none());
        assert!(one_shot("api", &service(Some("always"), "api migrate"), &none).is_none());
    }

    #[test]
    fn datastores_and_doors() {
        assert_eq!(kind("db", Some("postgres:16")), Some(Kind::Database));
        assert_eq!(kind("clickhouse", Some("clickhouse/clickhouse-server")), Some(Kind::Database));
        assert_eq!(kind("broker", Some("confluentinc/cp-server:7.0")), Some(Kind::Queue));
        assert_eq!(kind("broker", Some("acme/thing")), Some(Kind::Queue));
        assert_eq!(kind("edge", Some("nginx:1.27")), Some(Kind::Gateway));
        assert_eq!(kind("frontend-proxy", Some("acme/demo:1-frontend-proxy")), Some(Kind::Gateway));
        assert_eq!(kind("webmvc", Some("eshop/webmvc")), Some(Kind::Frontend));
        assert!(front_door("kong", Some("kong:2.8.1")).is_some());
        assert!(front_door("api-gateway", Some("acme/api-gateway")).is_some());
        assert!(front_door("webshoppingapigw", Some("envoyproxy/envoy:v1.11.1")).is_some());
        assert!(front_door("rest-proxy", Some("confluentinc/cp-kafka-rest")).is_none());
        assert!(front_door("cloudsql-proxy", None).is_none());
    }
}
