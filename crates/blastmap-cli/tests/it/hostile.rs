//! Hostile input and faults end to end (SECURITY.md): outputs that never
//! let a manifest inject escape sequences or markup, `-o` that never loses
//! data, quiet broken pipes, and byte-identical results whatever the
//! thread count.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blastmap"));
    cmd.current_dir(root()).args(args).env("BLASTMAP_TODAY", "2026-05-01").env("NO_COLOR", "1");
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n);
    }
    cmd.output().expect("run blastmap")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const TERMINAL: &str = "fixtures/hostile-terminal";

#[test]
fn text_markdown_and_github_outputs_carry_no_escape_sequence_or_markup() {
    let cases: [&[&str]; 10] = [
        &["report", TERMINAL],
        &["report", TERMINAL, "--format", "markdown"],
        &["simulate", TERMINAL, "--fail", "db%%"],
        &["check", TERMINAL],
        &["check", TERMINAL, "--format", "github"],
        &["diff", "fixtures/shop", TERMINAL],
        &["validate", "fixtures/hostile"],
        &["drill", TERMINAL, "--format", "markdown"],
        &["drill", TERMINAL, "--fail", "db%%", "--format", "markdown", "--allow-outage"],
        &["runbook", TERMINAL, "--fail", "db%%", "--format", "markdown"],
    ];
    for args in cases {
        let out = run(args, None);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b), "{args:?}: raw ESC on {what}");
            assert!(!bytes.contains(&0x07), "{args:?}: raw BEL on {what}");
        }
        let text = String::from_utf8(out.stdout).unwrap();
        if args.contains(&"markdown") {
            // A name must not open a link, an image or an HTML tag.
            for bad in ["](http", "](javascript", "<script", "<img", "<b>"] {
                assert!(!text.contains(bad), "{args:?}: `{bad}` in\n{text}");
            }
        }
        if args.contains(&"github") {
            // Workflow commands only at the start of our own lines.
            for line in text.lines().filter(|l| l.starts_with("::")) {
                assert!(!line.contains("::error::injected") && !line.contains('\n'), "{line}");
            }
            assert!(!text.contains("\n::error::injected") && !text.contains("\n::warning::x"), "{text}");
        }
    }
}

#[test]
fn json_sarif_and_junit_outputs_parse_and_keep_ids_exactly() {
    for args in [
        &["report", TERMINAL, "--format", "json"][..],
        &["simulate", TERMINAL, "--fail", "db%%", "--format", "json"],
        &["check", TERMINAL, "--format", "json"],
        &["check", TERMINAL, "--format", "sarif"],
        &["diff", "fixtures/shop", TERMINAL, "--format", "json"],
    ] {
        let out = run(args, None);
        let value: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
        assert!(!out.stdout.contains(&0x1b), "{args:?}: JSON carries a raw ESC");
        // Ids come back exactly as written, whatever they hold.
        let text = value.to_string();
        assert!(text.contains("web[x](http://evil)") || args[0] == "simulate", "{args:?}");
    }
    let out = run(&["check", TERMINAL, "--format", "junit"], None);
    let mut reader = quick_xml::Reader::from_reader(out.stdout.as_slice());
    let mut buf = Vec::new();
    let mut testcases = 0;
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed JUnit XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == "testcase" =>
            {
                testcases += 1;
            }
            _ => {}
        }
        buf.clear();
    }
    assert!(testcases > 0);
    assert!(!out.stdout.contains(&0x1b), "JUnit carries a raw ESC");
}

#[test]
fn output_never_overwrites_an_input_and_never_leaves_partial_files() {
    let dir = scratch("output");
    let inv = dir.join("inv");
    std::fs::create_dir_all(&inv).unwrap();
    for f in ["services.yaml", "data.yaml", "domains.yaml", "policy.yaml"] {
        std::fs::copy(root().join("fixtures/shop").join(f), inv.join(f)).unwrap();
    }
    let before = std::fs::read(inv.join("services.yaml")).unwrap();
    let inv_arg = inv.to_str().unwrap();
    // The input itself, and another name for it (a symlink).
    let target = inv.join("services.yaml");
    let out = run(&["report", inv_arg, "-o", target.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one of the inputs"));
    #[cfg(unix)]
    {
        let link = dir.join("link.yaml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = run(&["graph", inv_arg, "-o", link.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(2));
    }
    assert_eq!(std::fs::read(&target).unwrap(), before, "the input is untouched");
    // An existing output survives a run that fails (invalid input).
    let existing = dir.join("report.txt");
    std::fs::write(&existing, "old report\n").unwrap();
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "blastmap: 1\ncomponents:\n  a: {depends_on: [nowhere]}\n").unwrap();
    let out = run(&["report", broken.to_str().unwrap(), "-o", existing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "old report\n");
    // A directory that does not exist: an error, and nothing written.
    let missing = dir.join("no/such/dir/report.txt");
    let out = run(&["report", inv_arg, "-o", missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("no").exists());
    // A good run replaces the file, and leaves no temporary file behind.
    let out = run(&["report", inv_arg, "-o", existing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(std::fs::read_to_string(&existing).unwrap(), "old report\n");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    // Standard error holds the line that says what was read and nothing
    // else (no broken-pipe error); with `--quiet`, nothing at all.
    for (format, quiet, expected) in [
        ("text", false, "read 4 files: 4 native (fixtures/shop)\n"),
        ("json", false, "read 4 files: 4 native (fixtures/shop)\n"),
        ("text", true, ""),
        ("json", true, ""),
    ] {
        let mut args = vec!["report", "fixtures/shop", "--format", format];
        if quiet {
            args.push("--quiet");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
            .current_dir(root())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end before reading anything.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, expected, "{args:?}");
    }
    // An output larger than the write buffer meets the closed pipe inside
    // the JSON serializer, which must keep the error's kind.
    let dir = scratch("pipe");
    let file = synth(&dir, 2000, 6000);
    for format in ["json", "text"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
            .args(["report", file.to_str().unwrap(), "--format", format, "--quiet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}");
    }
}

/// Byte-identical output for 1, 2 and 8 threads and a repeated run.
fn assert_deterministic(args: &[&str]) {
    let first = run(args, Some("1"));
    assert!(
        first.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    for threads in ["2", "8", "8"] {
        let again = run(args, Some(threads));
        assert!(again.stdout == first.stdout, "{args:?}: output differs with {threads} threads");
        assert_eq!(again.status.code(), first.status.code(), "{args:?}");
    }
}

#[test]
fn every_analysis_output_is_identical_whatever_the_thread_count() {
    let shop = "fixtures/shop";
    for args in [
        &["report", shop][..],
        &["report", shop, "--format", "markdown"],
        &["report", shop, "--format", "json"],
        &["simulate", shop, "--fail", "zone-a", "--format", "json"],
        &["simulate", shop, "--fail", "zone-a"],
        &["graph", shop, "--format", "dot"],
        &["graph", shop, "--format", "mermaid", "--fail", "zone-a"],
        &["check", shop, "--format", "json"],
        &["check", shop, "--format", "sarif"],
        &["check", shop, "--format", "junit"],
        &["check", shop, "--format", "github"],
        &["drill", shop, "--format", "json"],
        &["drill", shop],
        &["drill", shop, "--fail", "catalog-cache", "--format", "chaostoolkit"],
        &["runbook", shop, "--fail", "zone-a", "--format", "json"],
        &["runbook", shop, "--fail", "zone-a", "--format", "html"],
        &["verify", shop, "--observed", "fixtures/drill/outcome-redis.json", "--format", "json"],
        &[
            "diff",
            "fixtures/policy/baseline/before.yaml",
            "fixtures/policy/baseline/after.yaml",
            "--format",
            "json",
        ],
    ] {
        assert_deterministic(args);
    }
}

/// A synthetic inventory (seed 1) written to `dir/synth.yaml`.
fn synth(dir: &Path, components: usize, requirements: usize) -> PathBuf {
    let config = blastmap_synth::Config { components, requirements, seed: 1, hard_only: false };
    let file = dir.join("synth.yaml");
    std::fs::write(&file, blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap()).unwrap();
    file
}

#[test]
fn a_generated_inventory_of_thousands_is_identical_whatever_the_thread_count() {
    let dir = scratch("synth");
    let file = synth(&dir, 2000, 6000);
    let file = file.to_str().unwrap();
    for args in [
        &["report", file, "--format", "json"][..],
        &["check", file, "--format", "sarif"],
        &["graph", file, "--format", "dot"],
        &["drill", file, "--format", "json", "--allow-outage"],
    ] {
        assert_deterministic(args);
    }
}

/// The page of thousands always has a diagram: Graphviz gets a time
/// budget (on hundreds of arrows between systems `dot` takes minutes), and
/// past it the built-in layout draws the same grouped overview, with a
/// caption that says why.
#[test]
fn the_html_page_of_thousands_always_has_a_diagram() {
    let dir = scratch("dense");
    let file = synth(&dir, 2000, 10_000);
    let page = dir.join("page.html");
    let started = std::time::Instant::now();
    let out =
        run(&["report", file.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("data-layout=\"none\""), "a page without a diagram");
    assert!(html.contains("drawn as groups"), "the caption says the diagram is grouped");
    if html.contains("data-layout=\"builtin\"") {
        assert!(html.contains("<svg class=\"bm-svg bm-overview\""), "the built-in overview");
        let why = html.contains("Graphviz did not finish within 3 s") || html.contains("Graphviz failed");
        assert!(why || !graphviz_installed(), "the caption says why Graphviz was not used");
    }
    // Not a timing test: a bound far above the budget, so that a `dot`
    // left running would show.
    assert!(started.elapsed() < std::time::Duration::from_secs(120));
}

fn graphviz_installed() -> bool {
    Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// Files whose names end like blastmap's temporary files, in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[cfg(unix)]
#[test]
fn output_never_writes_through_or_over_links_devices_or_directories() {
    let dir = scratch("links");
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "victim\n").unwrap();
    // A planted link under the old fixed temporary name, and one under the
    // output's own name: neither is written through.
    let report = tree.join("report.sarif");
    std::os::unix::fs::symlink("../victim.txt", tree.join(".report.sarif.blastmap-1.tmp")).unwrap();
    let out = run(&["check", "--format", "sarif", "fixtures/shop", "-o", report.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::symlink_metadata(&report).unwrap().file_type().is_file());
    let link = tree.join("link.sarif");
    std::os::unix::fs::symlink("../victim.txt", &link).unwrap();
    let out = run(&["check", "--format", "sarif", "fixtures/shop", "-o", link.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("it is a symbolic link, not a regular file"), "{stderr}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim\n");
    // A device (and a link to one) and a directory are refused, untouched.
    for (target, what) in [("/dev/null", "a device"), (tree.to_str().unwrap(), "a directory")] {
        let out = run(&["report", "fixtures/shop", "-o", target], None);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(what),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!std::fs::symlink_metadata("/dev/null").unwrap().file_type().is_file());
    // `-o -` is standard output.
    let out = run(&["report", "--analyses", "spof", "fixtures/shop", "-o", "-"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("fixtures/shop: 35 components"));
    assert!(!root().join("-").exists());
    // Only the planted link is left: no temporary file of blastmap's.
    assert_eq!(temporaries(&tree), [".report.sarif.blastmap-1.tmp"]);
}

#[cfg(unix)]
#[test]
fn a_signal_during_the_write_removes_the_temporary_file() {
    let dir = scratch("signal");
    let file = synth(&dir, 5000, 15_000);
    let out_file = dir.join("r.json");
    let mut caught = false;
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
            .current_dir(root())
            .args([
                "report",
                "--detail",
                "--format",
                "json",
                file.to_str().unwrap(),
                "-o",
                out_file.to_str().unwrap(),
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary file (the write has begun), then SIGTERM.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut seen = false;
        while std::time::Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            if !temporaries(&dir).is_empty() {
                seen = true;
                break;
            }
        }
        if !seen {
            // Finished (or too slow) before the write could be caught: a
            // complete file, nothing left behind; try again.
            let _ = child.kill();
            let _ = child.wait();
            assert!(temporaries(&dir).is_empty());
            let _ = std::fs::remove_file(&out_file);
            continue;
        }
        let pid = child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = child.wait().unwrap();
        caught = true;
        if status.code() == Some(0) {
            // The rename won the race: the whole file is there.
            assert!(serde_json::from_slice::<serde_json::Value>(&std::fs::read(&out_file).unwrap()).is_ok());
        } else {
            assert_eq!(status.code(), Some(143), "{status:?}");
            assert!(!out_file.exists(), "a partial output");
        }
        assert!(temporaries(&dir).is_empty(), "left behind: {:?}", temporaries(&dir));
        break;
    }
    assert!(caught, "the write was never caught in progress");
}

/// A chain of `n` tier-1 components, each needing the next: every
/// component has every later one as a single point of failure.
fn chain(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("blastmap: 1\ncomponents:\n");
    for i in 0..n - 1 {
        text.push_str(&format!("  c{i:04}: {{ tier: 1, depends_on: [c{:04}] }}\n", i + 1));
    }
    text.push_str(&format!("  c{:04}: {{ tier: 1 }}\n", n - 1));
    let file = dir.join("chain.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn per_component_lists_of_the_json_report_are_capped_with_counts() {
    let dir = scratch("chain");
    let n = 250;
    let file = chain(&dir, n);
    let report = |detail: bool| -> serde_json::Value {
        let mut args = vec!["report", "--format", "json", "--analyses", "spof,cuts", file.to_str().unwrap()];
        if detail {
            args.push("--detail");
        }
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (capped, full) = (report(false), report(true));
    for (i, (c, f)) in capped["components"]
        .as_array()
        .unwrap()
        .iter()
        .zip(full["components"].as_array().unwrap())
        .enumerate()
    {
        let total = n - 1 - i;
        assert_eq!(c["spofs_total"], total);
        assert_eq!(c["spofs"].as_array().unwrap().len(), total.min(100));
        assert_eq!(f["spofs"].as_array().unwrap().len(), total);
        // The capped list is the start of the full one.
        assert_eq!(c["spofs"].as_array().unwrap()[..], f["spofs"].as_array().unwrap()[..total.min(100)]);
        assert_eq!(c["cut_sets_total"], f["cut_sets_total"]);
        assert_eq!(c["cut_sets"].as_array().unwrap().len(), total.min(100));
    }
}

#[cfg(unix)]
#[test]
fn compose_never_reads_or_prints_files_outside_its_directory() {
    let dir = scratch("outside");
    let project = dir.join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(dir.join("outside.env"), "SECRET_LINE_never_printed\n").unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        "services:\n  app:\n    image: acme/app:1\n    env_file: ../outside.env\n  other:\n    image: acme/app:1\n    env_file: /etc/passwd\n",
    )
    .unwrap();
    // The project's own `.env`, a link out of it.
    std::os::unix::fs::symlink(dir.join("outside.env"), project.join(".env")).unwrap();
    for command in ["validate", "import"] {
        let out = run(&[command, project.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains("SECRET_LINE"), "{command} printed an outside file: {all}");
        assert!(!all.contains("root:"), "{command} printed /etc/passwd: {all}");
        assert_eq!(all.matches("is outside").count(), 3, "{all}");
    }
}

/// Runs blastmap with a deadline: a hang is a failure, not a stuck test.
#[cfg(unix)]
fn run_bounded(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(&mut child, args, 30);
    child.wait_with_output().unwrap()
}

/// Waits for `child`; past `seconds` it is killed and the test fails.
#[cfg(unix)]
fn wait_until(child: &mut std::process::Child, args: &[&str], seconds: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("blastmap {args:?} ran past its deadline of {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn the_walk_stays_in_the_tree_and_opens_only_regular_files() {
    let dir = scratch("walk");
    let (tree, outside) = (dir.join("tree"), dir.join("outside"));
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(tree.join("a.yaml"), "blastmap: 1\ncomponents:\n  a: {}\n").unwrap();
    std::fs::write(outside.join("x.yaml"), "blastmap: 1\ncomponents:\n  from-outside: {}\n").unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("linked")).unwrap();
    std::os::unix::fs::symlink(outside.join("x.yaml"), tree.join("x.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/stdin", tree.join("stdin.yaml")).unwrap();
    assert!(Command::new("mkfifo").arg(tree.join("pipe.yaml")).status().unwrap().success());
    let shown = tree.to_str().unwrap();
    let out = run_bounded(&["report", "--format", "json", shown]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        report["components"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a"], "nothing from outside the tree");
    // `-v` says what was skipped and why.
    let out = run_bounded(&["validate", "-v", shown]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("a symbolic link (`--follow`").count(), 3, "{stderr}");
    assert!(stderr.contains("pipe.yaml`: a named pipe, not a regular file"), "{stderr}");
    // `--follow` opts in; the pipe and the link to standard input are still never opened.
    let out = run_bounded(&["validate", "--follow", shown]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 components"));
    // Named on the command line: an error, never a read.
    for special in ["/dev/zero", tree.join("pipe.yaml").to_str().unwrap()] {
        let out = run_bounded(&["validate", special]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(stderr.replace("│ ", "").contains("not a regular file"), "{special}: {stderr}");
    }
}

/// No Secret value reaches any output, whatever the command, the format or
/// `--verbose`: not as evidence, not in a note, not in a warning's snippet
/// (a duplicate key in a Secret is reported without its lines). Every
/// Secret value of the fixtures holds the marker `s3cr3t`; the base64 of
/// `data` values must not show either.
#[test]
fn secret_values_never_reach_any_output() {
    let dir = scratch("secrets");
    std::fs::write(
        dir.join("app.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n  URL: http://s3cr3t-nowhere:80/\n  URL: http://db:5432/s3cr3t\n  TOKEN: s3cr3t-token\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    metadata: {labels: {app: app}}\n    spec:\n      initContainers:\n        - name: wait\n          image: busybox\n          command: [sh, -c, 'until nc -z $(TOKEN) 80; do sleep 1; done']\n          envFrom: [{secretRef: {name: creds}}]\n      containers:\n        - name: app\n          image: app\n          env:\n            - {name: URL, valueFrom: {secretKeyRef: {name: creds, key: URL}}}\n            - {name: LINK, value: 'http://$(TOKEN):80/$(URL)'}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: postgres, env: [{name: APP_URL, value: 'http://app:80'}]}]}}}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {selector: {app: db}}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {selector: {app: app}}\n",
    )
    .unwrap();
    let scratch_dir = dir.display().to_string();
    let fixture = "fixtures/kubernetes/config-shop";
    let mut outputs = Vec::new();
    for input in [fixture, scratch_dir.as_str()] {
        for args in [
            vec!["import", input],
            vec!["import", "--format", "json", input],
            vec!["-v", "import", input],
            vec!["-v", "validate", input],
            vec!["validate", "--format", "json", input],
            vec!["report", input],
            vec!["report", "--format", "json", "--detail", input],
            vec!["check", input],
            // The scratch system's hard cycle runs through the Secret's
            // edge: findings located on it must not show the Secret.
            vec!["check", "--format", "github", input],
            vec!["check", "--format", "sarif", input],
            vec!["report", "--format", "markdown", input],
        ] {
            let out = run(&args, None);
            let all =
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            outputs.push((args.join(" "), all));
        }
    }
    for (args, text) in &outputs {
        let lower = text.to_lowercase();
        for marker in ["s3cr3t", "czNjcjN0", "aHR0cDovL25vdGlmaWNhdGlvbnM6ODA4MC9zM2NyM3QtaG9vaw"] {
            assert!(
                !lower.contains(&marker.to_lowercase()),
                "`blastmap {args}` shows a Secret value:\n{text}"
            );
        }
    }
    // The checks above are only worth something if the Secrets were read:
    // the fixture's payments reaches postgres and notifications through them.
    let (_, json) = &outputs[1];
    assert!(json.contains("\"shop/notifications\""), "{json}");
    let (_, verbose) = &outputs[2];
    assert!(verbose.contains("Secret `shop/payments-credentials` is read by shop/payments"), "{verbose}");
    // The scratch Secret's duplicate key is reported, without its lines.
    let (_, import) = &outputs[11];
    assert!(import.contains("duplicate key `URL` in Secret `creds`"), "{import}");
    assert!(
        import.contains("from Secret creds key URL"),
        "the duplicate's last value is kept and read: {import}"
    );
    let (_, check) = &outputs[18];
    assert!(check.contains("cycle"), "the scratch system's cycle is found: {check}");
}

/// Runs blastmap under a limit of 1 GiB of address space, with a deadline.
#[cfg(unix)]
fn run_in_a_gigabyte(args: &[&str]) -> Output {
    let mut all = vec!["-c", "ulimit -v 1048576 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_blastmap")];
    all.extend_from_slice(args);
    let mut child = Command::new("sh")
        .current_dir(root())
        .args(&all)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained (and counted, not held) while it runs: a full pipe would
    // stall it.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    wait_until(&mut child, args, 120);
    let written = reader.join().unwrap().unwrap();
    let mut out = child.wait_with_output().unwrap();
    out.stdout = written.to_string().into_bytes();
    out
}

/// The inputs the outside campaign reported: a chain of 10,000 tier-1
/// components (418 KB) has 50 million (component, SPOF) pairs; every
/// command, every format, stays within 1 GiB, and `--detail`, whose
/// complete lists would pass `--max-output` (3.7 GB), is refused with exit
/// 2 before any work or any write.
#[cfg(unix)]
#[test]
fn a_small_input_with_a_quadratic_answer_stays_within_a_gigabyte() {
    let dir = scratch("quadratic");
    let file = chain(&dir, 10_000);
    let grown = dir.join("grown.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("  extra: { tier: 1, depends_on: [c5000] }\n");
    std::fs::write(&grown, text).unwrap();
    let (f, g) = (file.to_str().unwrap(), grown.to_str().unwrap());
    let cases: Vec<Vec<&str>> = vec![
        vec!["report", "--format", "json", f],
        vec!["report", "--format", "html", f],
        vec!["report", "--format", "markdown", f],
        vec!["check", "--format", "sarif", f],
        vec!["simulate", "--fail", "c9999", "--format", "json", f],
        vec!["simulate", "--fail", "c9999", f],
        vec!["diff", "--format", "json", f, g],
    ];
    for args in &cases {
        let out = run_in_a_gigabyte(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        // Outputs bounded too: 100 ids per list, 100 steps per path.
        let written: usize = String::from_utf8_lossy(&out.stdout).parse().unwrap();
        assert!(written < 100 << 20, "{args:?} wrote {written} bytes");
    }
    let out = run_in_a_gigabyte(&["report", "--format", "json", "--detail", f]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0", "a refused report writes nothing");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the output would be at least 1599840000 bytes"), "{stderr}");
}

/// `--detail` gives every list whole, streamed a window of `--max-pairs`
/// ids at a time: a 3,000-chain's 9 million ids (160 MB of JSON) are
/// written by a process whose peak memory is well under that.
#[cfg(unix)]
#[test]
fn detail_streams_complete_lists_in_bounded_memory() {
    let dir = scratch("detail-stream");
    let file = chain(&dir, 3000);
    let target = dir.join("detail.json");
    let (f, t) = (file.to_str().unwrap(), target.to_str().unwrap());
    let args =
        ["report", "--format", "json", "--detail", "--analyses", "blast-radius,spof", "--max-pairs", "20000"];
    // The peak resident memory of that one child, as the kernel counts it.
    let measure = "import resource, subprocess, sys\n\
                   code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n\
                   print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .args(["-c", measure, env!("CARGO_BIN_EXE_blastmap")])
        .args(args)
        .args([f, "-o", t])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    let (code, peak_kib) = printed.trim().split_once(' ').unwrap();
    assert_eq!(code, "0", "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::metadata(&target).unwrap().len();
    let peak = peak_kib.parse::<u64>().unwrap() * 1024;
    assert!(written > 150_000_000, "{written} bytes");
    // About 76 MB measured alone (the debug binary and the model included),
    // for 160 MB written: holding the output whole would pass the bound.
    assert!(peak < written * 2 / 3, "peak {peak} bytes for {written} bytes written");
    // Whole: c0000's SPOFs are the 2,999 others, and so is what c2999's
    // failure takes down.
    let text = std::fs::read_to_string(&target).unwrap();
    let components: Vec<&str> = text.split("\n    {\n").skip(1).collect();
    assert_eq!(components.len(), 3000);
    let ids_in = |component: &str, key: &str| {
        let list = &component[component.find(&format!("\"{key}\": [")).unwrap()..];
        list[..list.find(']').unwrap()].matches('"').count() / 2 - 1
    };
    assert!(components[0].contains("\"id\": \"c0000\""));
    assert_eq!(ids_in(components[0], "spofs"), 2999);
    assert!(components[0].contains("\"spofs_total\": 2999"));
    assert!(components[2999].contains("\"id\": \"c2999\""));
    assert_eq!(ids_in(components[2999], "down_ids"), 2999);
}

/// A ladder of `n` levels of two tier-1 replicas, each level needing one
/// of the next: no SPOF, and n²/2 order-2 cut sets per replica.
fn ladder(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::from("blastmap: 1\ncomponents:\n");
    for i in 0..n {
        for r in ["a", "b"] {
            let needs = if i + 1 < n {
                format!("[ {{ any_of: [l{}a, l{}b] }} ]", i + 1, i + 1)
            } else {
                "[]".to_owned()
            };
            text.push_str(&format!("  l{i}{r}: {{ tier: 1, availability: 99.9, depends_on: {needs} }}\n"));
        }
    }
    let file = dir.join("ladder.yaml");
    std::fs::write(&file, text).unwrap();
    file
}

/// The order-2 cut sets of a ladder grow with the square of its length:
/// over `--max-pairs` they are skipped, with the reason, and the rest of
/// the report stands; under it they are all there. The 5,000-level
/// ladder (873 KB, 25 million order-2 sets) stays within 1 GiB.
#[cfg(unix)]
#[test]
fn order_two_cut_sets_are_held_up_to_the_bound_on_pairs() {
    let dir = scratch("ladder");
    let file = ladder(&dir, 100);
    let f = file.to_str().unwrap();
    let report = |bound: &str| -> serde_json::Value {
        let out = run(&["report", "--format", "json", "--analyses", "cuts", "--max-pairs", bound, f], None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // l0a has a pair per level below it: 99; 9,900 pairs in all.
    let all = report("9900");
    assert_eq!(all["cut_sets_skipped"], serde_json::Value::Null);
    assert_eq!(all["components"][0]["cut_sets_total"], 99);
    let over = report("9899");
    assert_eq!(over["cut_sets_skipped"]["reason"], "pairs");
    assert_eq!(over["cut_sets_skipped"]["candidates"], 9900);
    assert_eq!(over["components"][0]["cut_sets"], serde_json::Value::Null);

    let big = ladder(&dir, 5000);
    for format in ["json", "html"] {
        let out = run_in_a_gigabyte(&["report", "--format", format, big.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Over `--max-pairs`, lists keep their counts and their first ids: the
/// JSON report is the same as with every pair held.
#[test]
fn a_report_over_its_bound_on_pairs_keeps_counts_and_first_ids() {
    let dir = scratch("pairs");
    let file = chain(&dir, 400);
    let report = |bound: &str| {
        let out = run(&["report", "--format", "json", "--max-pairs", bound, file.to_str().unwrap()], None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    // 79,800 pairs: held in full, and over a bound of 1,000.
    assert_eq!(report("1000"), report("100000"));
    // `--detail` streams whole lists a window at a time, whatever the bound
    // (cut sets aside: they need every list held, and say they were skipped).
    let detail = |bound: &str| {
        let analyses = "blast-radius,spof,availability,cold-start";
        let args = ["report", "--format", "json", "--detail", "--analyses", analyses, "--max-pairs", bound];
        let out = run(&[&args[..], &[file.to_str().unwrap()]].concat(), None);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let whole = detail("1000000");
    assert_eq!(detail("1000"), whole);
    assert_eq!(detail("1"), whole);
    let whole: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(whole["components"][0]["spofs"].as_array().unwrap().len(), 399);
    assert_eq!(whole["components"][399]["blast_radius"]["down_ids"].as_array().unwrap().len(), 399);
}

/// Over `--max-output`, exit 2: no file, no temporary; on standard output
/// nothing when the size is known first, and never more than the bound
/// when the output is streamed (report JSON).
#[test]
fn an_output_over_its_bound_is_refused() {
    let dir = scratch("max-output");
    let file = chain(&dir, 300);
    let f = file.to_str().unwrap();
    let target = dir.join("report.json");
    for format in ["json", "text", "html"] {
        let out = run(
            &["report", "--format", format, "--max-output", "1000", f, "-o", target.to_str().unwrap()],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("1000 bytes (`--max-output`)"), "{format}");
        assert!(!target.exists(), "{format}");
        assert_eq!(temporaries(&dir), Vec::<String>::new(), "{format}");
    }
    let out = run(&["report", "--format", "text", "--max-output", "1000", f], None);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(2), 0));
    let out = run(&["report", "--format", "json", "--max-output", "1000", f], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.len() <= 1000, "{} bytes", out.stdout.len());
}
