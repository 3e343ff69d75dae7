//! How inputs are found and read: standard input (`-`), Helm charts,
//! `.gitignore`/`.ignore` rules (also outside a git repository), the load
//! order of a walk, the `read N files` line and `--quiet`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs blastmap in the repository root with `stdin` on standard input.
fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .env("BLASTMAP_TODAY", "2026-05-01")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run blastmap");
    let mut input = child.stdin.take().unwrap();
    // A command that fails before reading may close its end first.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A scratch directory outside the repository (and outside any git
/// repository): `.gitignore` must work there too.
fn outside_git(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blastmap-inputs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn standard_input_holds_a_manifest_in_any_of_the_three_syntaxes() {
    let yaml = std::fs::read_to_string(root().join("fixtures/inputs/stdin.yaml")).unwrap();
    let toml = "blastmap = 1\n\n[components.web]\ndepends_on = [\"api\"]\n\n[components.api]\n";
    let json = r#"{"blastmap": 1, "components": {"web": {"depends_on": ["api"]}, "api": {}}}"#;
    for (text, components) in [(yaml.as_str(), 3), (toml, 2), (json, 2)] {
        let out = run(&["validate", "-"], text);
        assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
        assert!(stdout(&out).starts_with(&format!("valid: {components} components")), "{}", stdout(&out));
        assert_eq!(stderr(&out), "read 1 file: 1 native (<stdin>)\n");
    }
    // Every command reads it, not only validate.
    let out = run(&["report", "-", "--format", "json"], &yaml);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.to_string().contains("\"db\""));
}

#[test]
fn standard_input_diagnostics_name_stdin_with_line_and_column() {
    let text = std::fs::read_to_string(root().join("fixtures/inputs/stdin-invalid.yaml")).unwrap();
    let out = run(&["validate", "-", "--format", "json"], &text);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("<stdin>"), Some(4), Some(18))
    );
    // Syntax errors too, with the syntax sniffed (JSON here).
    let out = run(&["validate", "-"], "{\"blastmap\": 1,\n \"components\": {\"a\": }}\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<stdin>:2:"), "{}", stderr(&out));
    // Empty standard input is a named input that is not a manifest.
    let out = run(&["validate", "-"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`<stdin>` is empty"), "{}", stderr(&out));
}

#[test]
fn standard_input_is_named_at_most_once_per_command_line() {
    for args in [
        &["validate", "-", "-"][..],
        &["check", "-", "--policy", "-"],
        &["check", "-", "--baseline", "-"],
        &["diff", "-", "-"],
    ] {
        let out = run(args, "blastmap: 1\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with("error: standard input (`-`) is named more than once"), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn standard_input_can_be_the_policy_the_baseline_or_a_side_of_diff() {
    let policy = "blastmap: 1\npolicy:\n  rules:\n    no-hard-cycles: {}\n";
    let out = run(&["check", "fixtures/policy/pass.yaml", "--policy", "-"], policy);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("read 1 file: 1 native (--policy <stdin>)\n"), "{}", stderr(&out));
    let before = std::fs::read_to_string(root().join("fixtures/policy/baseline/before.yaml")).unwrap();
    let out = run(&["diff", "-", "fixtures/policy/baseline/after.yaml"], &before);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "read 1 file: 1 native (<stdin>)\nread 1 file: 1 native (fixtures/policy/baseline/after.yaml)\n"
    );
    let out = run(&["check", "fixtures/policy/pass.yaml", "--baseline", "-"], &before);
    assert!(stderr(&out).contains("(--baseline <stdin>)"), "{}", stderr(&out));
}

#[test]
fn ignore_files_are_honoured_outside_a_git_repository() {
    let dir = outside_git("ignore");
    let manifest = |id: &str| format!("blastmap: 1\ncomponents:\n  {id}: {{}}\n");
    write(&dir.join(".gitignore"), "build/\n*.draft.yaml\n");
    write(&dir.join(".ignore"), "scratch.yaml\n");
    write(&dir.join("a.yaml"), &manifest("a"));
    write(&dir.join("next.draft.yaml"), "blastmap: [\n");
    write(&dir.join("scratch.yaml"), "blastmap: [\n");
    write(&dir.join("build/out.yaml"), "blastmap: [\n");
    // A nested rule file applies below its directory, and can re-include.
    write(&dir.join("sub/.gitignore"), "*.yaml\n!keep.yaml\n");
    write(&dir.join("sub/keep.yaml"), &manifest("keep"));
    write(&dir.join("sub/drop.yaml"), "blastmap: [\n");
    // Installed packages and git's own directory, ignored or not.
    write(&dir.join("node_modules/pkg/compose.yaml"), "services: [\n");
    write(&dir.join(".git/config.yaml"), "blastmap: [\n");
    let shown = dir.to_str().unwrap();
    let out = run(&["validate", shown], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "valid: 2 components with 0 requirements in 2 files\n");
    assert_eq!(stderr(&out), format!("read 2 files: 2 native ({shown})\n"));
    // A file named on the command line is read whatever the rules say.
    let out = run(&["validate", shown, dir.join("scratch.yaml").to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("scratch.yaml"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_walk_reads_the_files_of_a_directory_before_its_subdirectories() {
    // `a/` sorts before `b.yaml`, but `b.yaml` is read first: the copy in
    // `a/` is the duplicate (the order the walk always had).
    let dir = outside_git("order");
    write(&dir.join("b.yaml"), "blastmap: 1\ncomponents:\n  svc: {}\n");
    write(&dir.join("a/x.yaml"), "blastmap: 1\ncomponents:\n  svc: {}\n");
    let out = run(&["validate", dir.to_str().unwrap(), "--format", "json"], "");
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "duplicate-id");
    assert!(d["file"].as_str().unwrap().ends_with("a/x.yaml"), "{d}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_helm_chart_is_refused_when_named_and_skipped_inside_a_tree() {
    // Named, even beside other inputs: an error that says to render it.
    let out = run(&["validate", "fixtures/inputs/chart", "fixtures/inputs/tree/inventory.yaml"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`fixtures/inputs/chart` is a Helm chart"), "{err}");
    assert!(err.contains("helm template RELEASE fixtures/inputs/chart > rendered.yaml"), "{err}");
    // One of its templates, or its `templates/`, named: the same advice.
    for (named, what) in [
        ("fixtures/inputs/chart/templates/deployment.yaml", "is a template of"),
        ("fixtures/inputs/chart/templates", "holds the templates of"),
    ] {
        let out = run(&["validate", named, "--format", "json"], "");
        assert_eq!(out.status.code(), Some(2), "{named}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let d = &json["diagnostics"][0];
        let message = d["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("`{named}` {what} the Helm chart `fixtures/inputs/chart`")),
            "{d}"
        );
        assert!(d["help"].as_str().unwrap().contains("helm template RELEASE fixtures/inputs/chart >"), "{d}");
    }
    // Inside a tree: a warning, and the rest is imported.
    let out = run(&["import", "fixtures/inputs/tree"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Helm chart `fixtures/inputs/tree/deploy/shop` is not read"), "{err}");
    assert!(err.contains("blastmap::unsupported-construct"), "{err}");
    let manifest = stdout(&out);
    for id in ["storefront:", "worker:", "queue:"] {
        assert!(manifest.contains(id), "{id} missing in\n{manifest}");
    }
    assert!(!manifest.contains("shop-web"), "{manifest}");
    // A chart whose templates hold no action is plain Kubernetes YAML.
    let dir = outside_git("plain-chart");
    write(&dir.join("Chart.yaml"), "apiVersion: v2\nname: plain\n");
    let service = std::fs::read_to_string(root().join("fixtures/inputs/tree/k8s/web.yaml")).unwrap();
    write(&dir.join("templates/web.yaml"), &service);
    let out = run(&["validate", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // `Chart.yaml` is read and is no part of the inventory.
    assert!(stderr(&out).starts_with("read 2 files: 1 Kubernetes, 1 skipped"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_read_line_counts_each_format_most_first() {
    let out = run(
        &["validate", "fixtures/inputs/tree", "fixtures/valid/quorum.yaml", "fixtures/valid/hard-cycle.yaml"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "read 5 files: 3 native, 1 Compose, 1 Kubernetes (fixtures/inputs/tree, \
             fixtures/valid/quorum.yaml, fixtures/valid/hard-cycle.yaml)\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn quiet_silences_notes_but_not_warnings_or_errors() {
    // The read line goes; the chart's warning stays.
    let out = run(&["-q", "validate", "fixtures/inputs/tree"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("read "), "{}", stderr(&out));
    assert!(stderr(&out).contains("Helm chart"), "{}", stderr(&out));
    // Errors stay.
    let out = run(&["validate", "--quiet", "fixtures/no-such-dir"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read `fixtures/no-such-dir`"), "{}", stderr(&out));
    // `import`'s closing line and `check`'s default-policy note are notes.
    let out = run(&["import", "-q", "tests/cmd/import-force.in/compose.yaml"], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "");
    let out = run(&["check", "-q", "fixtures/policy/no-policy.yaml", "--format", "json"], "");
    assert_eq!(stderr(&out), "");
    // Without it, each is there.
    let out = run(&["check", "fixtures/policy/no-policy.yaml", "--format", "json"], "");
    assert!(stderr(&out).contains("built-in default policy"), "{}", stderr(&out));
}
