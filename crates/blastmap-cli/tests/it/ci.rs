//! The CI formats of `check` read by the tools that consume them: SARIF
//! validated against the official 2.1.0 schema, `JUnit` parsed as XML,
//! GitHub workflow commands escaped; and `git:REV:PATH` inputs read from a
//! real (temporary) repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn blastmap(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .args(args)
        .current_dir(cwd)
        .env("BLASTMAP_TODAY", "2026-05-01")
        .env("NO_COLOR", "1")
        .output()
        .expect("run blastmap")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A fresh directory under the system temp dir, removed by the caller.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blastmap-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Ids may hold `<`, `&`, quotes, `%`, `:` and `,`; reasons may hold line
/// breaks and control characters. None of it may break an output.
const NASTY: &str = r#"blastmap: 1
components:
  "web<script>":
    kind: frontend
    depends_on: ["db&'\"%:,"]
  "db&'\"%:,": { kind: database }
policy:
  rules:
    no-spof: {}
    required-fields: { fields: [owner] }
  levels: { required-fields: warn }
  exceptions:
    - rule: no-spof
      component: gone
      reason: "line one\nline two \u001b[31m]]> </failure>"
      expires: 2020-01-01
"#;

#[test]
fn sarif_is_valid_against_the_official_schema() {
    // The OASIS SARIF 2.1.0 schema, read from the shared corpus as published.
    let Some(schemas) = crate::shared("schemas") else { return };
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schemas.join("sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let nasty = scratch("sarif");
    std::fs::write(nasty.join("nasty.yaml"), NASTY).unwrap();
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (root(), vec!["fixtures/policy/spof.yaml"]),
        (root(), vec!["fixtures/policy/expired-exception.yaml"]),
        (root(), vec!["fixtures/policy/unused-exception.yaml"]),
        (root(), vec!["fixtures/policy/cycle.yaml"]),
        (root(), vec!["fixtures/policy/pass.yaml"]),
        (root(), vec!["fixtures/shop"]),
        (
            root(),
            vec!["fixtures/policy/baseline/after.yaml", "--baseline", "fixtures/policy/baseline/before.yaml"],
        ),
        (nasty.clone(), vec!["nasty.yaml"]),
    ];
    for (cwd, args) in cases {
        let mut all = vec!["check", "--format", "sarif"];
        all.extend(&args);
        let out = blastmap(&cwd, &all);
        let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        // Every result on a manifest points at a relative file and a line.
        for result in log["runs"][0]["results"].as_array().unwrap() {
            let loc = &result["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains("file:"), "{uri}");
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        }
    }
    // The validator does reject what is not SARIF 2.1.0.
    let out = blastmap(&root(), &["check", "--format", "sarif", "fixtures/policy/spof.yaml"]);
    let mut log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&log));
    std::fs::remove_dir_all(nasty).unwrap();
}

#[test]
fn sarif_points_at_the_manifest_line() {
    let out = blastmap(&root(), &["check", "--format", "sarif", "fixtures/policy/spof.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let spof = results.iter().find(|r| r["ruleId"] == "no-spof").unwrap();
    assert_eq!(spof["level"], "error");
    let loc = &spof["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "fixtures/policy/spof.yaml");
    assert_eq!(loc["region"]["startLine"], 16);
    assert_eq!(loc["region"]["startColumn"], 3);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let index = usize::try_from(spof["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(rules[index]["id"], "no-spof");
    let warning = results.iter().find(|r| r["ruleId"] == "required-fields").unwrap();
    assert_eq!(warning["level"], "warning");
}

/// Parses a `JUnit` document fully; returns (testsuites' tests and failures
/// attributes, number of testcase and failure elements).
fn parse_junit(xml: &str) -> ((usize, usize), (usize, usize)) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut declared, mut cases, mut failures) = ((0, 0), 0, 0);
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("invalid XML: {e}\n{xml}")) {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| -> Option<usize> {
                    e.try_get_attribute(name)
                        .unwrap()
                        .map(|a| a.normalized_value(XmlVersion::Explicit1_0).unwrap().parse().unwrap())
                };
                let name: &str = e.name().into_inner();
                match name {
                    "testsuites" => declared = (attr("tests").unwrap(), attr("failures").unwrap()),
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
                // Every attribute value must unescape.
                for a in e.attributes() {
                    a.unwrap().normalized_value(XmlVersion::Explicit1_0).unwrap();
                }
            }
            // Only the predefined entities and character references exist
            // without a DTD.
            Event::GeneralRef(r) => {
                let predefined = ["amp", "lt", "gt", "quot", "apos"].contains(&&*r.xml10_content());
                assert!(predefined || r.resolve_char_ref().unwrap().is_some(), "entity {r:?}");
            }
            _ => {}
        }
    }
    (declared, (cases, failures))
}

#[test]
fn junit_parses_as_xml_with_consistent_counts() {
    let nasty = scratch("junit");
    std::fs::write(nasty.join("nasty.yaml"), NASTY).unwrap();
    for (cwd, path, denied) in [
        (root(), "fixtures/policy/spof.yaml", 1),
        (root(), "fixtures/policy/pass.yaml", 0),
        (root(), "fixtures/shop", 6),
        (nasty.clone(), "nasty.yaml", 2),
    ] {
        let out = blastmap(&cwd, &["check", "--format", "junit", path]);
        let xml = stdout(&out);
        let (declared, counted) = parse_junit(&xml);
        assert_eq!(declared, counted, "{path}");
        assert_eq!(counted.1, denied, "{path}: failures\n{xml}");
        assert_eq!(out.status.code(), Some(i32::from(denied > 0)), "{path}");
    }
    std::fs::remove_dir_all(nasty).unwrap();
}

#[test]
fn github_annotations_escape_properties_and_messages() {
    let dir = scratch("github");
    std::fs::write(dir.join("we,ird:50%.yaml"), NASTY).unwrap();
    let out = blastmap(&dir, &["check", "--format", "github", "we,ird:50%.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    // One command per line: the reason's line break did not split it.
    assert!(
        lines[..lines.len() - 1].iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning "))
    );
    assert!(text.contains("::error file=we%2Cird%3A50%25.yaml,line="), "{text}");
    assert!(text.contains("title=no-spof::"), "{text}");
    assert!(text.contains("line one%0Aline two"), "{text}");
    assert!(!text.contains('\u{1b}'), "raw escape character in {text}");
    std::fs::remove_dir_all(dir).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

#[test]
fn diff_and_baseline_read_git_revisions() {
    let repo = scratch("git");
    git(&repo, &["init", "-q"]);
    std::fs::create_dir_all(repo.join("inventory/.hidden")).unwrap();
    let before = std::fs::read_to_string(root().join("fixtures/policy/baseline/before.yaml")).unwrap();
    let after = std::fs::read_to_string(root().join("fixtures/policy/baseline/after.yaml")).unwrap();
    std::fs::write(repo.join("inventory/main.yaml"), &before).unwrap();
    std::fs::write(repo.join("inventory/notes.yaml"), "title: not a manifest\n").unwrap();
    std::fs::write(repo.join("inventory/.hidden/broken.yaml"), "blastmap: 1\ncomponents: [\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(repo.join("inventory/main.yaml"), &after).unwrap();

    // A directory at a revision against the working tree.
    let out = blastmap(
        &repo,
        &["diff", "git:HEAD:inventory", "inventory", "--format", "json", "--fail-on", "new-spof"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let diff: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diff["base"], "git:HEAD:inventory");
    assert_eq!(diff["components"]["removed"], serde_json::json!(["db-b", "legacy"]));
    assert_eq!(diff["fail_on"], serde_json::json!(["new-spof"]));

    // A file at a revision, and the same file: nothing changed.
    let out = blastmap(&repo, &["diff", "git:HEAD:inventory/main.yaml", "git:HEAD:inventory/main.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("no change"), "{}", stdout(&out));

    // The baseline of `check` from git.
    let out =
        blastmap(&repo, &["check", "inventory", "--baseline", "git:HEAD:inventory", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let check: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> =
        check["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"no-regression"), "{rules:?}");

    // An unknown revision is invalid input, with git's reason.
    let out = blastmap(&repo, &["diff", "git:no-such-rev:inventory", "inventory"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(repo).unwrap();
}

/// `action.yml` and the example workflow that uses it are valid against
/// the published GitHub Actions and workflow schemas (check-jsonschema's
/// vendored copies), and the workflow uses this repository's action.
#[test]
fn the_action_and_the_example_workflow_match_githubs_schemas() {
    let checker = Command::new("check-jsonschema").arg("--version").output();
    if !checker.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "check-jsonschema is not installed: CI must validate action.yml (pip install check-jsonschema)"
        );
        #[allow(clippy::print_stderr, reason = "a skipped check must say so in the test output")]
        {
            eprintln!("skipped: check-jsonschema is not installed (pip install check-jsonschema)");
        }
        return;
    }
    for (schema, file) in [
        ("vendor.github-actions", "action.yml"),
        ("vendor.github-workflows", "docs/github-workflow.yml"),
        ("vendor.github-workflows", ".github/workflows/release.yml"),
    ] {
        let out = Command::new("check-jsonschema")
            .args(["--builtin-schema", schema, file])
            .current_dir(root())
            .output()
            .expect("check-jsonschema runs");
        assert!(
            out.status.success(),
            "{file} against {schema}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The release builds for the three systems, and publishes the archive
    // the action downloads under the name it downloads.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    for target in ["x86_64-unknown-linux-gnu", "apple-darwin", "x86_64-pc-windows-msvc"] {
        assert!(release.contains(target), "the release builds {target}");
    }
    assert!(release.contains("name=\"blastmap-$TARGET\"") && release.contains("\"dist/$name.tar.gz\""));
    let action_text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(action_text.contains("/blastmap-x86_64-unknown-linux-gnu.tar.gz"), "the action's download");
    let workflow = std::fs::read_to_string(root().join("docs/github-workflow.yml")).unwrap();
    assert!(workflow.contains("uses: blastmap/blastmap@"), "the example uses the action");
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for input in ["paths:", "policy:", "baseline:", "fail-level:"] {
        assert!(action.contains(&format!("  {input}")), "the action has the input {input}");
    }
    // No input is spliced into a script: an input appears only as the
    // whole value of a key (`env:`, `with:`), never inside `run:` text.
    for line in action.lines().filter(|l| l.contains("${{ inputs.")) {
        let (key, value) = line.trim_start().split_once(": ").unwrap_or_default();
        let is_key =
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        assert!(
            is_key && key != "run" && value.starts_with("${{ inputs."),
            "an input spliced into a script: {line}"
        );
    }
}
