//! `blastmap schema`: the JSON Schema of the native manifest.

use crate::cli::SchemaArgs;
use crate::commands::{Ended, Outcome, written};
use crate::output;

pub(crate) fn run(args: &SchemaArgs) -> Ended {
    let mut text =
        serde_json::to_string_pretty(&blastmap_manifest::schema::json_schema()).unwrap_or_default();
    text.push('\n');
    written(output::emit(args.output.as_deref(), text.as_bytes()), Outcome::Success)
}
