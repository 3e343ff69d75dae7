//! The native manifest as serde types: the source of `blastmap schema` (JSON
//! Schema generated with schemars) and the shape importers write.
//!
//! The loader does not deserialize through these types (it decodes a spanned
//! tree to report every problem with a location); a test checks that the
//! schema accepts every valid fixture and rejects the invalid ones that are
//! schema errors, so the two cannot drift apart.

use std::collections::BTreeMap;

use schemars::JsonSchema;

pub use crate::model::Kind;
use serde::{Deserialize, Serialize};

/// A blastmap inventory file (format version 1).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "blastmap manifest v1")]
pub struct Manifest {
    /// The format version: always 1.
    #[schemars(range(min = 1, max = 1))]
    pub blastmap: u32,
    /// Values applied to every component of this file that does not set them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// The components, by id (ids are global across the files of an inventory).
    #[serde(default)]
    pub components: BTreeMap<String, ComponentDoc>,
    /// The CI gate's policy; at most one per inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyDoc>,
}

/// `defaults`: fields that apply to every component of the file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4))]
    pub tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub availability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub slo: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
}

/// One component.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentDoc {
    /// What it is; default `service`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Display name; default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 1 = most critical .. 4; default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4))]
    pub tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Grouping: clusters in diagrams, roll-ups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// User-facing; default true for `frontend` and `gateway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<bool>,
    /// Importance, e.g. share of traffic; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub weight: Option<f64>,
    /// % of time up on its own (independent failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub availability: Option<f64>,
    /// % target, checked against the computed availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub slo: Option<f64>,
    /// Informational (placement is `runs_in`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// An http or https URL whose 2xx answer means the component is up
    /// (for drills and runbooks; no analysis reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    /// How to cause the component's failure on purpose, and undo it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillDoc>,
    /// Placement: down only when all (or, with a quorum, too many) of these
    /// failure domains are down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs_in: Option<RunsIn>,
    /// Sugar for a hard dependency on the parent failure domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// What it needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependencyDoc>,
    /// Free-form facts (image, lifecycle, ...), shown in reports.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// A line of prose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `false` for a placeholder: named by a reference but described in no
    /// file (reports say "defined nowhere"); default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined: Option<bool>,
}

/// `drill`: the shell commands that take a component down and bring it back.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillDoc {
    /// The command that causes the failure.
    #[schemars(length(min = 1))]
    pub inject: String,
    /// The command that undoes it; a drill may have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub restore: Option<String>,
}

/// Hard dependencies take the component down; soft ones degrade it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs, reason = "the names say it")]
pub enum ModeDoc {
    Hard,
    Soft,
}

/// One entry of `depends_on`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DependencyDoc {
    /// A plain id: a hard dependency.
    Id(String),
    /// One target with a mode.
    Target {
        target: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<ModeDoc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    /// Redundancy: needs one of them.
    AnyOf {
        #[schemars(length(min = 1), extend("uniqueItems" = true))]
        any_of: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<ModeDoc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    /// Needs `quorum` of the members of `of`.
    Quorum {
        #[schemars(range(min = 1))]
        quorum: u32,
        #[schemars(length(min = 1), extend("uniqueItems" = true))]
        of: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<ModeDoc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
}

/// `runs_in`: one domain, any of several, or a quorum of them.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RunsIn {
    One(String),
    AnyOf(#[schemars(length(min = 1), extend("uniqueItems" = true))] Vec<String>),
    Quorum {
        #[schemars(range(min = 1))]
        quorum: u32,
        #[schemars(length(min = 1), extend("uniqueItems" = true))]
        of: Vec<String>,
    },
}

/// The CI gate.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesDoc>,
    /// Level per rule: deny (default), warn or allow.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<RuleName, LevelDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionDoc>,
}

/// The rule names.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs, reason = "the names say it")]
pub enum RuleName {
    NoSpof,
    MaxBlastRadius,
    NoHardCycles,
    SloAttainable,
    RequiredFields,
    NoRegression,
}

/// How a rule's findings count.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs, reason = "the names say it")]
pub enum LevelDoc {
    Deny,
    Warn,
    Allow,
}

/// The rules and their parameters.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_spof: Option<NoSpofDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_blast_radius: Option<MaxBlastRadiusDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_hard_cycles: Option<Empty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo_attainable: Option<Empty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_fields: Option<RequiredFieldsDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_regression: Option<NoRegressionDoc>,
}

/// A rule without parameters: `{}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `no-spof`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoSpofDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4))]
    pub tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<Kind>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_kinds: Option<Vec<Kind>>,
}

/// `max-blast-radius`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaxBlastRadiusDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_kinds: Option<Vec<Kind>>,
}

/// `required-fields`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredFieldsDoc {
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<Kind>>,
}

/// `no-regression`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoRegressionDoc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth: Option<u32>,
}

/// An exception to a rule for one component.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionDoc {
    pub rule: RuleName,
    pub component: String,
    pub reason: String,
    /// `YYYY-MM-DD`; after it the exception is itself a violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Option<String>,
}

/// The JSON Schema of the native manifest, generated from the types above.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Manifest>();
    let mut value = serde_json::to_value(schema).unwrap_or(serde_json::Value::Null);
    agree_with_the_loader(&mut value);
    value
}

/// Makes the generated schema say what the loader accepts (a test feeds
/// both the same edge cases): an optional field is absent or set, never
/// `null`; text fields take any scalar, as the loader reads `owner: 42` as
/// the text `42`; `depends_on` may be `null` (an empty YAML key); ids
/// are 1 to 256 characters without whitespace or control characters; and
/// `health` is an http(s) URL with a host, by the loader's own rule.
fn agree_with_the_loader(schema: &mut serde_json::Value) {
    use serde_json::{Value, json};
    fn strip_null(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(types)) = map.get_mut("type") {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let only = types.remove(0);
                        map.insert("type".to_owned(), only);
                    }
                }
                if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                    any.retain(|alt| alt.get("type").is_none_or(|t| t != "null"));
                    if any.len() == 1 {
                        let only = any.remove(0);
                        map.remove("anyOf");
                        if let Value::Object(inner) = only {
                            map.extend(inner);
                        }
                    }
                }
                map.values_mut().for_each(strip_null);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_null),
            _ => {}
        }
    }
    strip_null(schema);
    let id = json!({"minLength": 1, "maxLength": 256, "pattern": "^[^\\s\\x00-\\x1f\\x7f]+$"});
    if let Some(components) = schema.pointer_mut("/properties/components") {
        components["propertyNames"] = id;
    }
    let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) else { return };
    for def in defs.values_mut() {
        let Some(props) = def.get_mut("properties").and_then(Value::as_object_mut) else { continue };
        for key in ["name", "owner", "system", "description"] {
            if let Some(field) = props.get_mut(key) {
                field["type"] = json!(["string", "number", "boolean"]);
            }
        }
        if let Some(field) = props.get_mut("health") {
            field["pattern"] = json!(crate::native::HEALTH_URL_PATTERN);
        }
        if let Some(Value::Object(field)) = props.get_mut("depends_on") {
            field.insert("type".to_owned(), json!(["array", "null"]));
        }
    }
}

/// The generated schema accepts every valid fixture and rejects the
/// invalid ones whose problem a schema can see.
#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use super::json_schema;
    use crate::source::SourceFile;
    use crate::syntax::{Limits, Syntax, parse};

    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
    }

    fn as_json(path: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(path).unwrap();
        let file = Arc::new(SourceFile::new(&path.display().to_string(), text));
        let docs = parse(&file, Syntax::from_path(path).unwrap(), &Limits::default()).unwrap();
        docs[0].to_json()
    }

    #[test]
    fn schema_accepts_valid_and_rejects_schema_errors() {
        let validator = jsonschema::validator_for(&json_schema()).unwrap();
        let mut valid: Vec<_> =
            std::fs::read_dir(fixtures().join("valid")).unwrap().map(|e| e.unwrap().path()).collect();
        valid.extend(std::fs::read_dir(fixtures().join("shop")).unwrap().map(|e| e.unwrap().path()));
        for path in valid {
            let instance = as_json(&path);
            let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{} rejected: {errors:?}", path.display());
        }
        for name in [
            "unknown-key.yaml",
            "unknown-component-key.yaml",
            "unknown-kind.yaml",
            "percentage-out-of-range.yaml",
            "unsupported-version.yaml",
            "invalid-type.yaml",
            "invalid-value.yaml",
            "missing-field.yaml",
            "empty-group.yaml",
            "duplicate-member.yaml",
            "unknown-rule.yaml",
            "invalid-date.yaml",
        ] {
            let instance = as_json(&fixtures().join("invalid").join(name));
            assert!(!validator.is_valid(&instance), "{name} should be rejected by the schema");
        }
    }
}

/// The schema and the loader give the same verdict on every fixture and on
/// generated edge cases (nulls, wrong types, invalid ids, out-of-range
/// numbers): an editor that trusts the schema never accepts what
/// `validate` refuses, nor the other way round.
#[cfg(test)]
mod agreement {
    use std::sync::Arc;

    use super::json_schema;
    use crate::load::{LoadOptions, load_texts};
    use crate::source::SourceFile;
    use crate::syntax::{Limits, Syntax, parse};

    /// Whether the schema and the loader accept `yaml`.
    fn verdicts(yaml: &str) -> (bool, bool) {
        let validator = jsonschema::validator_for(&json_schema()).unwrap();
        let file = Arc::new(SourceFile::new("case.yaml", yaml.to_owned()));
        let schema_ok = parse(&file, Syntax::Yaml, &Limits::default())
            .is_ok_and(|docs| docs.iter().all(|d| validator.is_valid(&d.to_json())));
        let loaded = load_texts(&[("case.yaml", yaml)], &LoadOptions::default());
        (schema_ok, !loaded.has_errors())
    }

    /// Edge cases: one field of one component at a time.
    fn cases() -> Vec<String> {
        let mut out = Vec::new();
        let fields: &[(&str, &[&str])] = &[
            ("tier", &["1", "4", "0", "5", "null", "\"1\"", "1.5", "-1"]),
            ("owner", &["team-a", "42", "null", "true", "[a]"]),
            ("system", &["checkout", "42", "null"]),
            ("kind", &["service", "database", "nope", "null", "1"]),
            ("entrypoint", &["true", "false", "null", "\"yes\"", "1"]),
            ("weight", &["0", "2.5", "-1", "null", "\"x\""]),
            ("availability", &["99.9", "100", "0", "101", "null", "\"99\""]),
            ("slo", &["99.9", "0", "150", "null"]),
            ("replicas", &["1", "0", "-1", "null", "2.5"]),
            ("depends_on", &["[db]", "db", "null", "[]", "[{target: db}]", "[{any_of: []}]"]),
            ("name", &["Web", "42", "null"]),
            (
                "health",
                &[
                    "http://web:8080/healthz",
                    "https://web",
                    "http://web?ready",
                    "\"http://user:pw@web:80/x?y#z\"",
                    "\"http://[::1]:8080/\"",
                    "\"http://é.example/ready\"",
                    "\"http://web/a%20b\"",
                    "ftp://web/",
                    "HTTP://web/",
                    "web:8080/healthz",
                    "http://",
                    "\"http://:8080/\"",
                    "\"http:///healthz\"",
                    "\"https://?q\"",
                    "\"http://a@:80/\"",
                    "\"http://a@/\"",
                    "\"http://a b/\"",
                    "\" http://web/\"",
                    "\"http://web/\\ttab\"",
                    "\"http://web/\\x7f\"",
                    "\"\"",
                    "null",
                    "42",
                    "true",
                    "[http://web/]",
                    "{url: http://web/}",
                ],
            ),
            (
                "drill",
                &[
                    "{inject: \"kubectl scale deployment/web --replicas=0\"}",
                    "{inject: stop, restore: start}",
                    "{inject: \" \"}",
                    "{restore: start}",
                    "{}",
                    "null",
                    "stop",
                    "[stop]",
                    "{inject: \"\"}",
                    "{inject: stop, restore: \"\"}",
                    "{inject: null}",
                    "{inject: stop, restore: null}",
                    "{inject: 42}",
                    "{inject: true}",
                    "{inject: [stop]}",
                    "{inject: {run: stop}}",
                    "{inject: stop, injcet: start}",
                    "{inject: stop, timeout: 5}",
                    "{restore: start, undo: stop}",
                ],
            ),
        ];
        for (field, values) in fields {
            for value in *values {
                out.push(format!("blastmap: 1\ncomponents:\n  web:\n    {field}: {value}\n  db: {{}}\n"));
            }
        }
        for id in ["ok-id", "\"with space\"", "\"\"", "\"tab\\tin\"", &format!("\"{}\"", "x".repeat(257))] {
            out.push(format!("blastmap: 1\ncomponents:\n  {id}: {{}}\n"));
        }
        for top in [
            "blastmap: 2\ncomponents: {}\n",
            "blastmap: null\n",
            "blastmap: 1\ncomponents: []\n",
            "blastmap: 1\nextra: 1\n",
            "blastmap: 1\ndefaults:\n  health: http://web/\ncomponents: {}\n",
            "blastmap: 1\ndefaults:\n  drill: {inject: stop}\ncomponents: {}\n",
        ] {
            out.push(top.to_owned());
        }
        out
    }

    /// Every single-file fixture: the same verdict, except where the
    /// loader's only complaints are ones no JSON Schema can express
    /// (references between components, the text itself, counts that
    /// depend on another field).
    #[test]
    fn schema_and_loader_agree_on_every_fixture() {
        const BEYOND_A_SCHEMA: &[&str] = &[
            "unknown-target",
            "duplicate-id",
            "self-dependency",
            "duplicate-key",
            "alias-limit",
            "invalid-encoding",
            "invalid-syntax",
            "quorum-out-of-range",
            "duplicate-policy",
        ];
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut differ = Vec::new();
        let mut seen = 0;
        for dir in ["valid", "invalid", "shop", "policy"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let Some(syntax) = path.is_file().then(|| Syntax::from_path(&path)).flatten() else {
                    continue;
                };
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                seen += 1;
                let validator = jsonschema::validator_for(&json_schema()).unwrap();
                let file = Arc::new(SourceFile::new(&path.display().to_string(), text.clone()));
                let schema_ok = parse(&file, syntax, &Limits::default())
                    .is_ok_and(|docs| docs.iter().all(|d| validator.is_valid(&d.to_json())));
                let name = path.display().to_string();
                let loaded = load_texts(&[(name.as_str(), text.as_str())], &LoadOptions::default());
                let codes: Vec<&str> = loaded
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == crate::diagnostics::Severity::Error)
                    .map(|d| d.code.as_str())
                    .collect();
                let loader_ok = codes.is_empty();
                if schema_ok != loader_ok && !codes.iter().all(|c| BEYOND_A_SCHEMA.contains(c)) {
                    differ.push(format!("{name}: schema {schema_ok}, loader {loader_ok} {codes:?}"));
                }
            }
        }
        assert!(seen > 40, "only {seen} fixtures read");
        assert!(differ.is_empty(), "{} disagreements:\n{}", differ.len(), differ.join("\n"));
    }

    #[test]
    fn schema_and_loader_agree() {
        let mut differ = Vec::new();
        for case in cases() {
            let (schema, loader) = verdicts(&case);
            if schema != loader {
                differ.push(format!("schema {schema}, loader {loader}:\n{case}"));
            }
        }
        assert!(differ.is_empty(), "{} disagreements:\n{}", differ.len(), differ.join("\n"));
    }
}
