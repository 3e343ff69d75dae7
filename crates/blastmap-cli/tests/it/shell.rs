//! `blastmap completions` and `blastmap man`, checked by the programs that
//! read them: `bash -n` parses the bash script, `man -l` formats the page.

use std::io::Write;
use std::process::{Command, Stdio};

fn blastmap(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_blastmap")).args(args).output().expect("runs");
    assert!(out.status.success(), "blastmap {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Runs `program` with `args`, `input` on its standard input; its output,
/// or `None` when the program is not installed.
fn feed(program: &str, args: &[&str], input: &[u8]) -> Option<std::process::Output> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().expect("stdin").write_all(input).expect("written");
    Some(child.wait_with_output().expect("ends"))
}

#[test]
fn every_shell_gets_a_completion_script_that_names_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = String::from_utf8(blastmap(&["completions", shell])).expect("utf-8");
        for command in ["report", "simulate", "check", "diff", "graph", "completions", "man"] {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        assert!(script.contains("max-pairs"), "{shell}: options are completed too");
    }
    let bash = blastmap(&["completions", "bash"]);
    let parsed = feed("bash", &["-n"], &bash).expect("bash is installed");
    assert!(parsed.status.success(), "bash -n: {}", String::from_utf8_lossy(&parsed.stderr));
}

#[test]
fn the_manual_page_formats_and_documents_every_command() {
    let page = blastmap(&["man"]);
    let text = String::from_utf8(page.clone()).expect("utf-8");
    assert!(text.starts_with(".ie") || text.contains(".TH blastmap 1"), "a roff page");
    for command in ["validate", "report", "simulate", "schema", "import", "graph", "check", "diff"] {
        assert!(text.contains(command), "{command} in the page");
    }
    let Some(formatted) = feed("man", &["-l", "-"], &page) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "man must be installed in CI (apt-get install man-db)"
        );
        return;
    };
    assert!(formatted.status.success(), "man -l: {}", String::from_utf8_lossy(&formatted.stderr));
    let shown = String::from_utf8_lossy(&formatted.stdout);
    assert!(shown.contains("what breaks when something breaks"), "{shown}");
}

/// The pre-commit hooks name commands the binary has, with the keys
/// pre-commit requires, and run without file names (the whole inventory).
#[test]
fn the_pre_commit_hooks_run_commands_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).expect("the hooks file");
    let hooks: Vec<&str> = text.split("\n- ").skip(1).collect();
    assert_eq!(hooks.len(), 2, "{text}");
    let help = String::from_utf8(blastmap(&["--help"])).expect("utf-8");
    for (hook, command) in hooks.iter().zip(["validate", "check"]) {
        assert!(hook.starts_with(&format!("id: blastmap-{command}")), "{hook}");
        for key in ["name:", "entry:", "language: system", "pass_filenames: false"] {
            assert!(hook.contains(key), "{key} in {hook}");
        }
        assert!(hook.contains(&format!("entry: blastmap {command}")), "{hook}");
        assert!(help.contains(&format!("  {command} ")), "blastmap has {command}");
        // What the hook runs, on the bundled example: it passes there.
        let out = Command::new(env!("CARGO_BIN_EXE_blastmap"))
            .args([command, "fixtures/policy/pass.yaml"])
            .current_dir(&root)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// `blastmap.toml`, found by walking up from the working directory, gives
/// the defaults: a bare `blastmap check` in a subdirectory checks the
/// inventory the file names, in the format it names; a flag wins over the
/// file; `--no-config` and `BLASTMAP_NO_CONFIG` read none; a bad key is an
/// error at its line and column, exit 2.
#[test]
fn blastmap_toml_gives_the_defaults_flags_win() {
    let dir = std::env::temp_dir().join(format!("blastmap-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("inventory")).unwrap();
    std::fs::create_dir_all(dir.join("deep/er")).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::copy(root.join("fixtures/policy/spof.yaml"), dir.join("inventory/spof.yaml")).unwrap();
    std::fs::write(dir.join("blastmap.toml"), "paths = [\"inventory/\"]\n[check]\nformat = \"json\"\n")
        .unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_blastmap"));
        command
            .args(args)
            .current_dir(dir.join("deep/er"))
            .env_remove("BLASTMAP_NO_CONFIG")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().expect("runs")
    };
    let out = run(&["check"], &[]);
    assert_eq!(out.status.code(), Some(1), "the spof is found: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON, as the file asks");
    assert_eq!(json["schema"], "blastmap.check/v1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("note: defaults from"), "the file used is named");
    let text = run(&["check", "--format", "text"], &[]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("checked"), "the flag wins over the file");
    for off in [run(&["--no-config", "check"], &[]), run(&["check"], &[("BLASTMAP_NO_CONFIG", "1")])] {
        assert_eq!(off.status.code(), Some(2), "without the file the empty directory is checked");
        assert!(!String::from_utf8_lossy(&off.stderr).contains("defaults from"));
    }
    std::fs::write(dir.join("blastmap.toml"), "paths = [\"inventory/\"]\n[check]\nformt = \"json\"\n")
        .unwrap();
    let bad = run(&["check"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("blastmap.toml:3:1: unknown key `formt` in `[check]`"), "{stderr}");
    // The file is in the tree a pull request controls: what it names stays
    // inside its directory.
    for outside in ["paths = [\"/etc\"]", "paths = [\"../\"]", "[check]\npolicy = \"/etc/passwd\""] {
        std::fs::write(dir.join("blastmap.toml"), format!("{outside}\n")).unwrap();
        let refused = run(&["check"], &[]);
        assert_eq!(refused.status.code(), Some(2), "{outside}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("is outside the directory of the file"), "{outside}: {stderr}");
        assert!(!stderr.contains("root:"), "nothing of the file outside is shown");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_version_names_the_commit() {
    let text = String::from_utf8(blastmap(&["--version"])).expect("utf-8");
    let commit = text
        .trim_end()
        .strip_prefix(concat!("blastmap ", env!("CARGO_PKG_VERSION"), " (commit "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("`blastmap VERSION (commit C)`: {text}"));
    // Built from a clone (every developer machine and CI): the commit is
    // the checkout's HEAD.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success());
    match head {
        Some(head) => assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim()),
        None => assert_eq!(commit, "unknown"),
    }
}
