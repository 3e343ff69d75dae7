//! End-to-end tests of the `blastmap` binary.

mod architecture;
mod browser;
mod ci;
mod cmd;
mod colour;
mod compose;
mod diagrams;
mod drill;
mod hostile;
mod inputs;
mod real_world;
mod shell;

/// A folder of the shared corpus beside the repository (`../shared/<sub>`:
/// the real-world systems and the official schemas, which stay where they
/// are instead of being copied in). Every developer machine and CI have it;
/// elsewhere the tests that need it skip and say so, but with `CI=true` a
/// missing folder fails.
pub(crate) fn shared(sub: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(sub);
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
