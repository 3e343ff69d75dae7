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
    let cases: [&[&str]; 7] = [
        &["report", TERMINAL],
        &["report", TERMINAL, "--format", "markdown"],
        &["simulate", TERMINAL, "--fail", "db%%"],
        &["check", TERMINAL],
        &["check", TERMINAL, "--format", "github"],
        &["diff", "fixtures/shop", TERMINAL],
        &["validate", "fixtures/hostile"],
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
    for format in ["text", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_blastmap"))
            .current_dir(root())
            .args(["report", "fixtures/shop", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end before reading anything.
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
    ] {
        assert_deterministic(args);
    }
}

/// A grouped diagram too dense for Graphviz (hundreds of arrows between
/// systems; `dot` takes minutes) is left out of the HTML page with a note,
/// instead of the page taking minutes.
#[test]
fn the_html_page_of_thousands_skips_a_diagram_too_dense_to_lay_out() {
    let dir = scratch("dense");
    let file = synth(&dir, 2000, 10_000);
    let page = dir.join("page.html");
    let out =
        run(&["report", file.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("too dense for Graphviz"), "no note about the diagram");
    assert!(!html.contains("<svg class=\"bm-svg\""), "a Graphviz diagram was drawn");
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
