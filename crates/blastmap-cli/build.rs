//! Records the commit the binary is built from, for `blastmap --version`:
//! from git when the source is a checkout (a clone, `cargo install --git`),
//! else from the `.cargo_vcs_info.json` that `cargo package` writes, else
//! `unknown`. A build from a checkout with uncommitted changes is not
//! marked: reading the work tree on every build would rebuild the binary
//! on every edit.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    out.status.success().then(|| text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The commit of a packaged crate: `"sha1": "…"` in `.cargo_vcs_info.json`.
fn packaged(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let start = text.find("\"sha1\"")?;
    let rest = &text[start + 6..];
    let open = rest.find('"')? + 1;
    let len = rest[open..].find('"')?;
    Some(rest[open..open + len].chars().take(12).collect())
}

fn main() {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from).unwrap_or_default();
    let commit = git(&dir, &["rev-parse", "--short=12", "HEAD"]).or_else(|| packaged(&dir));
    // Rebuild when HEAD moves: HEAD itself, and the refs it may point at.
    for what in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&dir, &["rev-parse", "--path-format=absolute", "--git-path", what]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&dir, &["rev-parse", "--path-format=absolute", "--git-path", &branch])
    {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=BLASTMAP_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
}
