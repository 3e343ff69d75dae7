//! `blastmap schema`: the JSON Schema of the native manifest.

use crate::cli::SchemaArgs;
use crate::commands::{Outcome, output_failed};
use crate::output;

pub(crate) fn run(args: &SchemaArgs) -> Outcome {
    let mut text =
        serde_json::to_string_pretty(&blastmap_manifest::schema::json_schema()).unwrap_or_default();
    text.push('\n');
    match output::emit(args.output.as_deref(), text.as_bytes()) {
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
    }
}
