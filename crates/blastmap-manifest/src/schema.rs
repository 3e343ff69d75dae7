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
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
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
