//! Integration tests of the manifest reader, by concern.

mod diagnostics;
mod formats;
mod hostile;
mod real_world;
mod schema;

use std::path::PathBuf;

/// The repository's `fixtures/` directory.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}
