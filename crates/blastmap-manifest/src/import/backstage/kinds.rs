//! `spec.type` → kind: the table `docs/importers.md` documents. Backstage
//! leaves `spec.type` free text, so the table lists the values the
//! Backstage documentation and real catalogs use; anything else falls back
//! to the words of the type and of the name (`orders-db` is a database),
//! then to no kind (a service, the native default).

use crate::import::kind_of;
use crate::model::Kind;

/// What a Component's or Resource's `spec.type` says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TypeInfo {
    pub kind: Option<Kind>,
    /// Users reach it directly (`website`): an entrypoint, with the type as
    /// the evidence.
    pub user_facing: bool,
    /// Built into its users, not deployed on its own (`library`).
    pub linked: bool,
}

/// Component `spec.type`s, lower-cased.
const COMPONENT_TYPES: &[(&str, Option<Kind>)] = &[
    ("service", Some(Kind::Service)),
    ("backend", Some(Kind::Service)),
    ("microservice", Some(Kind::Service)),
    ("api", Some(Kind::Service)),
    ("grpc", Some(Kind::Service)),
    ("worker", Some(Kind::Service)),
    ("website", Some(Kind::Frontend)),
    ("frontend", Some(Kind::Frontend)),
    ("web", Some(Kind::Frontend)),
    ("webapp", Some(Kind::Frontend)),
    ("spa", Some(Kind::Frontend)),
    ("gateway", Some(Kind::Gateway)),
    ("api-gateway", Some(Kind::Gateway)),
    ("proxy", Some(Kind::Gateway)),
    ("load-balancer", Some(Kind::Gateway)),
    ("job", Some(Kind::Job)),
    ("batch", Some(Kind::Job)),
    ("cronjob", Some(Kind::Job)),
    ("pipeline", Some(Kind::Job)),
    ("library", None),
    ("sdk", None),
];

/// Component types users reach directly.
const USER_FACING: &[&str] = &["website", "frontend", "web", "webapp", "spa"];

/// Component types linked into their users.
const LINKED: &[&str] = &["library", "sdk"];

/// Resource `spec.type`s (and Component types naming a data store, which
/// some catalogs use), lower-cased.
const RESOURCE_TYPES: &[(&str, Kind)] = &[
    ("database", Kind::Database),
    ("db", Kind::Database),
    ("rds", Kind::Database),
    ("cache", Kind::Cache),
    ("redis", Kind::Cache),
    ("memcached", Kind::Cache),
    ("queue", Kind::Queue),
    ("topic", Kind::Queue),
    ("kafka-topic", Kind::Queue),
    ("message-queue", Kind::Queue),
    ("message-broker", Kind::Queue),
    ("stream", Kind::Queue),
    ("sqs-queue", Kind::Queue),
    ("sns-topic", Kind::Queue),
    ("s3-bucket", Kind::Storage),
    ("bucket", Kind::Storage),
    ("storage", Kind::Storage),
    ("object-storage", Kind::Storage),
    ("blob", Kind::Storage),
    ("filesystem", Kind::Storage),
    ("external", Kind::External),
    ("saas", Kind::External),
    ("third-party", Kind::External),
    ("kubernetes-cluster", Kind::Cluster),
    ("cluster", Kind::Cluster),
    ("vm", Kind::Host),
    ("host", Kind::Host),
    ("server", Kind::Host),
    ("network", Kind::Network),
    ("vpc", Kind::Network),
];

/// The kind that the words of a non-standard Resource type say
/// (`messaging-system` → queue, `table-storage`, `blob-storage` → storage,
/// `redis-cache` → cache); `None` when no word is known.
fn type_words(t: &str) -> Option<Kind> {
    const WORDS: &[(&str, Kind)] = &[
        ("queue", Kind::Queue),
        ("messaging", Kind::Queue),
        ("message", Kind::Queue),
        ("topic", Kind::Queue),
        ("broker", Kind::Queue),
        ("stream", Kind::Queue),
        ("cache", Kind::Cache),
        ("storage", Kind::Storage),
        ("bucket", Kind::Storage),
        ("blob", Kind::Storage),
        ("table", Kind::Storage),
        ("files", Kind::Storage),
        ("database", Kind::Database),
        ("db", Kind::Database),
    ];
    t.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|w| WORDS.iter().find(|(k, _)| *k == w).map(|&(_, kind)| kind))
}

/// The kind of an entity of `entity` kind (`component`, `resource`, lower
/// case) with `spec_type`, named `name`.
pub(super) fn type_info(entity: &str, spec_type: Option<&str>, name: &str) -> TypeInfo {
    let t = spec_type.unwrap_or("").trim().to_ascii_lowercase();
    let store = RESOURCE_TYPES.iter().find(|(k, _)| *k == t).map(|&(_, kind)| kind);
    if entity == "component" {
        let known = COMPONENT_TYPES.iter().find(|(k, _)| *k == t);
        return TypeInfo {
            kind: known.and_then(|&(_, kind)| kind).or(store),
            user_facing: USER_FACING.contains(&t.as_str()),
            linked: LINKED.contains(&t.as_str()),
        };
    }
    let kind = store.or_else(|| type_words(&t)).or_else(|| kind_of(None, &t)).or_else(|| kind_of(None, name));
    TypeInfo { kind, user_facing: false, linked: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_types() {
        assert_eq!(type_info("component", Some("service"), "a").kind, Some(Kind::Service));
        let web = type_info("component", Some("Website"), "a");
        assert_eq!(web.kind, Some(Kind::Frontend));
        assert!(web.user_facing && !web.linked);
        let lib = type_info("component", Some("library"), "a");
        assert_eq!(lib.kind, None);
        assert!(lib.linked && !lib.user_facing);
        assert_eq!(type_info("component", Some("database"), "a").kind, Some(Kind::Database));
        assert_eq!(type_info("component", Some("other"), "orders-db").kind, None);
        assert!(!type_info("component", None, "a").user_facing);
    }

    #[test]
    fn resource_types() {
        for (t, kind) in [
            ("database", Kind::Database),
            ("s3-bucket", Kind::Storage),
            ("queue", Kind::Queue),
            ("cache", Kind::Cache),
            ("kafka-topic", Kind::Queue),
        ] {
            assert_eq!(type_info("resource", Some(t), "x").kind, Some(kind), "{t}");
        }
        for (t, kind) in [
            ("messaging-system", Kind::Queue),
            ("table-storage", Kind::Storage),
            ("blob-storage", Kind::Storage),
            ("bucket", Kind::Storage),
            ("cache", Kind::Cache),
            ("azure-cache-for-redis", Kind::Cache),
        ] {
            assert_eq!(type_info("resource", Some(t), "x").kind, Some(kind), "{t}");
        }
        assert_eq!(type_info("resource", Some("postgres"), "x").kind, Some(Kind::Database));
        assert_eq!(type_info("resource", None, "orders-db").kind, Some(Kind::Database));
        assert_eq!(type_info("resource", Some("thing"), "x").kind, None);
    }
}
