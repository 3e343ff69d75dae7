//! Integration tests of the manifest reader, by concern.

mod diagnostics;
mod formats;
mod health;
mod hostile;
mod kubernetes;
mod real_world;
mod schema;

use std::path::PathBuf;

/// A folder of the shared corpus beside the repository (`../shared/<sub>`:
/// the real-world systems, which stay where they are instead of being copied
/// in). Every developer machine and CI have it; elsewhere the tests that need
/// it skip and say so, but with `CI=true` a missing folder fails.
pub(crate) fn shared(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none_or(|v| v != "true"),
        "{} is missing; CI must have it",
        dir.display()
    );
    #[allow(clippy::print_stderr, reason = "a skipped check must say so in the test output")]
    {
        eprintln!("skipped: {} not found (the shared corpus beside the repository)", dir.display());
    }
    None
}

/// The repository's `fixtures/` directory.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}
