//! The generated JSON Schema accepts every valid fixture and rejects the
//! invalid ones whose problem a schema can see.

use std::path::Path;
use std::sync::Arc;

use blastmap_manifest::schema::json_schema;
use blastmap_manifest::source::SourceFile;
use blastmap_manifest::syntax::{Limits, Syntax, parse};

use crate::fixtures;

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

#[test]
fn schema_is_draft_2020_12_and_documents_fields() {
    let schema = json_schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let text = schema.to_string();
    for field in ["depends_on", "runs_in", "any_of", "quorum", "availability", "exceptions"] {
        assert!(text.contains(field), "schema lacks {field}");
    }
}
