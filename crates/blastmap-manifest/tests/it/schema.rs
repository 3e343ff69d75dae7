//! The generated JSON Schema's draft and fields. (That it accepts every
//! valid fixture and rejects the invalid ones is a unit test of
//! `src/schema.rs`: it reads the fixtures with the crate's own parsers,
//! which are not public.)

use blastmap_manifest::schema::json_schema;

#[test]
fn schema_is_draft_2020_12_and_documents_fields() {
    let schema = json_schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let text = schema.to_string();
    for field in ["depends_on", "runs_in", "any_of", "quorum", "availability", "exceptions"] {
        assert!(text.contains(field), "schema lacks {field}");
    }
}
