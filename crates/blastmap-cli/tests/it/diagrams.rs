//! Diagrams (`graph`, `simulate --format dot|mermaid`): snapshots, and every
//! DOT text checked by the real Graphviz `dot` (node counts, cluster names,
//! labels as drawn). Without `dot` these checks are skipped, except with
//! `CI=true`, where a missing `dot` is a failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `blastmap` from the repository root; returns (exit code, stdout, stderr).
fn blastmap(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_blastmap"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run blastmap");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn text(args: &[&str]) -> String {
    let (code, stdout, stderr) = blastmap(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    String::from_utf8(stdout).expect("utf-8 output")
}

fn graphviz_installed() -> bool {
    let ok = Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Graphviz `dot` is not installed: CI must check DOT output with it"
        );
        #[allow(clippy::print_stderr, reason = "a skipped check must say so in the test output")]
        {
            eprintln!("skipped: Graphviz `dot` is not installed");
        }
    }
    ok
}

/// What Graphviz made of a DOT text.
struct Drawn {
    /// Labels of the clusters, decoded.
    clusters: BTreeSet<String>,
    /// Labels of the nodes, decoded, by name.
    nodes: Vec<(String, String)>,
    edges: usize,
}

/// Graphviz's own escapes in a label, undone: `\n` and `\l` line breaks,
/// `\\`, and the entities we write (`&amp;`).
fn decode(label: &str) -> String {
    let mut out = String::new();
    let mut chars = label.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'l') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out.replace("&amp;", "&")
}

/// Parses `dot_text` with `dot -Tjson0`; `None` when `dot` is not installed.
fn draw(dot_text: &str) -> Option<Drawn> {
    if !graphviz_installed() {
        return None;
    }
    let mut child = Command::new("dot")
        .arg("-Tjson0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dot");
    let input = dot_text.as_bytes().to_vec();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
    let out = child.wait_with_output().expect("dot output");
    writer.join().expect("writer").expect("write to dot");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "dot rejected the DOT: {stderr}\n{dot_text}");
    let json: Value = serde_json::from_slice(&out.stdout).expect("dot -Tjson0 output is JSON");
    let label = |o: &Value| decode(o["label"].as_str().unwrap_or_default());
    let mut drawn = Drawn {
        clusters: BTreeSet::new(),
        nodes: Vec::new(),
        edges: json["edges"].as_array().map_or(0, Vec::len),
    };
    for o in json["objects"].as_array().into_iter().flatten() {
        let name = o["name"].as_str().unwrap_or_default().to_owned();
        if o.get("nodes").is_some() || name.starts_with("cluster") {
            drawn.clusters.insert(label(o));
        } else {
            drawn.nodes.push((name, label(o)));
        }
    }
    Some(drawn)
}

/// The decoded labels of every node.
fn labels(drawn: &Drawn) -> BTreeSet<String> {
    drawn.nodes.iter().map(|(_, l)| l.clone()).collect()
}

#[test]
fn shop_dot_and_mermaid() {
    let dot = text(&["graph", "fixtures/shop"]);
    insta::assert_snapshot!("shop_dot", dot);
    insta::assert_snapshot!("shop_mermaid", text(&["graph", "fixtures/shop", "--format", "mermaid"]));
    let Some(drawn) = draw(&dot) else { return };
    // 35 components, 18 groups (junctions: 13 `any_of`/`quorum`/`runs_in`
    // groups in services.yaml, 5 in data.yaml), the legend note.
    assert_eq!(drawn.nodes.len(), 35 + 18 + 1);
    let clusters: Vec<&str> = drawn.clusters.iter().map(String::as_str).collect();
    assert_eq!(
        clusters,
        ["Legend", "backoffice", "catalog", "checkout", "edge", "external", "identity", "storefront"]
    );
    // 63 requirements with 82 members: one edge per member, plus one edge
    // into each junction.
    assert_eq!(drawn.edges, 82 + 18);
}

#[test]
fn shop_with_a_failure_is_coloured_and_deterministic() {
    let args = ["graph", "fixtures/shop", "--fail", "zone-a"];
    let dot = text(&args);
    assert_eq!(dot, text(&args), "same input, same bytes");
    insta::assert_snapshot!("shop_fail_zone_a_dot", dot);
    assert_eq!(dot.matches("fillcolor=\"#b2182b\"").count(), 1 + 1, "zone-a and its legend swatch");
    if let Some(drawn) = draw(&dot) {
        // The legend gains four state swatches.
        assert_eq!(drawn.nodes.len(), 35 + 18 + 1 + 4);
        assert!(labels(&drawn).contains("zone-a\nFAILED\ntakes down 15"), "the failed hub keeps its badge");
        assert!(labels(&drawn).contains("Catalog\ndegraded"));
    }
}

#[test]
fn small_fixtures() {
    for (name, args) in [
        ("quorum_dot", &["graph", "fixtures/valid/quorum.yaml"][..]),
        (
            "quorum_mermaid",
            &["graph", "fixtures/valid/quorum.yaml", "--format", "mermaid", "--direction", "TB"],
        ),
        (
            "soft_fail_mermaid",
            &[
                "simulate",
                "fixtures/valid/soft-dependency.yaml",
                "--fail",
                "recommendations",
                "--format",
                "mermaid",
            ],
        ),
        (
            "any_of_fail_dot",
            &["simulate", "fixtures/valid/any-of.yaml", "--fail", "redis-a", "--format", "dot"],
        ),
        ("placement_by_domain_dot", &["graph", "fixtures/valid/placement.yaml", "--cluster-by", "domain"]),
    ] {
        let out = text(args);
        insta::assert_snapshot!(name, out);
        if out.starts_with("digraph") {
            draw(&out);
        }
    }
}

#[test]
fn focus_draws_the_neighbourhood_and_says_what_it_left_out() {
    let dot = text(&["graph", "fixtures/shop", "--focus", "payments", "--depth", "1"]);
    assert!(dot.contains("neighbourhood of payments within 1 step: 6 of 35 components"), "{dot}");
    let Some(drawn) = draw(&dot) else { return };
    let names: BTreeSet<String> =
        drawn.nodes.iter().filter_map(|(_, l)| l.lines().next().map(str::to_owned)).collect();
    // payments, what it needs (payments-db, stripe, the zones' junction),
    // what needs it (checkout); plus the legend.
    for expected in ["Payments", "payments-db", "Stripe", "zone-a", "zone-b", "Checkout API", "1 of 2"] {
        assert!(names.contains(expected), "{expected} missing from {names:?}");
    }
    // The junctions: payments, payments-db and checkout each run in any_of(zone-a, zone-b).
    assert_eq!(drawn.nodes.len(), 6 + 3 + 1, "6 components, 3 junctions, the legend: {names:?}");
}

const HOSTILE_NAMES: [&str; 6] = [
    "</script>\n(%%{init:{'theme':'dark'}}%%)",
    "click n0 call alert(1)\n(db&amp;2)",
    "API } { ] [ ) ( | ; # `tick` \\N \\\n(api-->evil)",
    "DB &lt;1&gt;\n(db<1>)",
    "Web <b>bold</b> & \"quoted\"\nsecond line \\u{1b}[31mred\\u{1b}[0m\n(web\"];evil[label=\"x)",
    "end\n(subgraph)",
];

#[test]
fn hostile_names_neither_break_nor_inject_into_dot() {
    let dot = text(&["graph", "fixtures/hostile"]);
    insta::assert_snapshot!("hostile_dot", dot);
    assert!(!dot.contains('\u{1b}'), "no raw escape character");
    let Some(drawn) = draw(&dot) else { return };
    let expected: BTreeSet<String> =
        HOSTILE_NAMES.iter().map(|s| (*s).to_owned()).chain(["1 of 2".to_owned()]).collect();
    let mut got = labels(&drawn);
    assert!(got.iter().any(|l| l.starts_with("solid arrow")), "the legend");
    got.retain(|l| !l.starts_with("solid arrow"));
    assert_eq!(got, expected, "exactly the components and the junction, labelled as written");
    assert_eq!(drawn.nodes.len(), 8);
    assert_eq!(drawn.edges, 5);
    let clusters: Vec<&str> = drawn.clusters.iter().map(String::as_str).collect();
    assert_eq!(
        clusters,
        ["Legend", "core\n%%{init: {}}%%", "edge</script><script>alert(1)</script>", "graph"]
    );

    // And as SVG: the names are text, never markup.
    let (code, svg, stderr) = blastmap(&["graph", "fixtures/hostile", "--format", "svg"]);
    assert_eq!(code, 0, "{stderr}");
    let svg = String::from_utf8(svg).expect("utf-8 svg");
    for markup in ["<script", "</script", "<b>"] {
        assert!(!svg.contains(markup), "{markup} in the SVG");
    }
    assert!(svg.contains("&lt;/script&gt;"));
}

#[test]
fn hostile_names_neither_break_nor_inject_into_mermaid() {
    for (name, args) in [
        ("hostile_mermaid", &["graph", "fixtures/hostile", "--format", "mermaid"][..]),
        (
            "hostile_simulate_mermaid",
            &["simulate", "fixtures/hostile", "--fail", "db<1>", "--fail", "db&amp;2", "--format", "mermaid"],
        ),
    ] {
        let mermaid = text(args);
        insta::assert_snapshot!(name, mermaid);
        for bad in ["%%", "`", "\u{1b}", "<script", "</script", "<b>", "javascript:"] {
            assert!(!mermaid.contains(bad), "{bad} in\n{mermaid}");
        }
        for line in mermaid.lines() {
            let code = outside_quotes(line);
            let trimmed = code.trim_start();
            assert!(!trimmed.starts_with("click") && !trimmed.starts_with("%%"), "{line}");
            // Outside labels only our syntax: ids, arrows, shapes, styles.
            assert!(
                code.chars().all(|c| c.is_ascii_alphanumeric() || " _-.>|:;,#()[]{}/\\".contains(c)),
                "unexpected syntax in `{code}` of {line}"
            );
            // Inside labels: no quote, no angle bracket but our `<br/>`.
            for label in inside_quotes(line) {
                let label = label.replace("<br/>", "");
                assert!(!label.contains(['<', '>', '|', '%', '`']), "{line}");
            }
            if line.contains("-->") {
                let words: Vec<&str> = code.split_whitespace().collect();
                assert!(words.len() == 3 && words[0].starts_with('n') && words[2].starts_with('n'), "{line}");
            }
        }
    }
}

fn outside_quotes(line: &str) -> String {
    line.split('"').step_by(2).collect::<Vec<_>>().join("")
}

fn inside_quotes(line: &str) -> Vec<&str> {
    line.split('"').skip(1).step_by(2).collect()
}

#[test]
fn large_inventories_are_summarised_without_losing_an_edge() {
    // 4 systems of 50 services; each needs the next one (some in the next
    // system) and, softly, the first of its system.
    let mut manifest = String::from("blastmap: 1\ncomponents:\n");
    let mut edges = 0;
    for i in 0..200 {
        manifest.push_str(&format!("  s{i:03}:\n    system: sys{}\n    depends_on:\n", i / 50));
        if i + 1 < 200 {
            manifest.push_str(&format!("      - s{:03}\n", i + 1));
            edges += 1;
        }
        if i % 50 != 0 {
            manifest.push_str(&format!("      - {{ target: s{:03}, mode: soft }}\n", i / 50 * 50));
            edges += 1;
        }
    }
    let dir = std::env::temp_dir().join(format!("blastmap-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("large.yaml");
    std::fs::write(&file, manifest).expect("write manifest");
    let path = file.to_str().expect("utf-8 path");

    let dot = text(&["graph", path]);
    assert!(dot.contains("200 components (more than 150) drawn as 4 groups by system"), "{dot}");
    let mut counted = 0;
    for line in dot.lines() {
        // `N requirement edges inside` in a summary label, `N` or `N hard, M soft` on a summary edge.
        if let Some((before, _)) = line.split_once(" requirement edges inside") {
            let number = before.rsplit("\\n").next().expect("a label line");
            counted += number.parse::<usize>().expect("count");
        }
        if line.contains(" -> ")
            && let Some(label) = line.split("label=\"").nth(1).and_then(|l| l.split('"').next())
        {
            for part in label.split(", ") {
                counted += part.split(' ').next().and_then(|n| n.parse::<usize>().ok()).expect("count");
            }
        }
    }
    assert_eq!(counted, edges, "every requirement edge is counted once");
    if let Some(drawn) = draw(&dot) {
        assert_eq!(drawn.nodes.len(), 4 + 1);
        assert_eq!(drawn.edges, 3);
    }
    let all = text(&["graph", path, "--all"]);
    if let Some(drawn) = draw(&all) {
        assert_eq!(drawn.nodes.len(), 200 + 1);
        assert_eq!(drawn.edges, edges);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_dot_of_the_cli_cases_is_valid_graphviz() {
    let mut checked = 0;
    let cases = root().join("tests/cmd");
    let mut entries: Vec<_> =
        std::fs::read_dir(&cases).expect("tests/cmd").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.extension().is_some_and(|e| e == "stdout") {
            let text = std::fs::read_to_string(&path).expect("read case");
            if text.starts_with("digraph") {
                if draw(&text).is_none() {
                    return;
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 2, "the CLI cases include DOT outputs");
}

/// SVG of 2,000 components: the grouped overview, folded to what Graphviz
/// lays out in seconds (its 682 arrows between systems took minutes), with
/// the fold in the legend and the command for the whole graph on standard
/// error.
#[test]
fn the_svg_of_thousands_is_a_folded_overview_with_the_command_for_everything() {
    if !graphviz_installed() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("blastmap-svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("big.yaml");
    let config = blastmap_synth::Config { components: 2000, requirements: 10_000, seed: 1, hard_only: false };
    std::fs::write(&file, blastmap_synth::generate(&config, blastmap_synth::Format::Yaml).unwrap()).unwrap();
    let path = file.to_str().expect("utf-8 path");
    let (code, svg, stderr) = blastmap(&["graph", path, "--format", "svg"]);
    assert_eq!(code, 0, "{stderr}");
    let svg = String::from_utf8(svg).expect("utf-8 svg");
    let arrows = svg.matches("class=\"edge\"").count();
    assert!(arrows > 0 && arrows <= 250, "{arrows} arrows drawn");
    assert!(svg.contains("folded to fit the overview"), "the legend says what was folded");
    assert!(stderr.contains("has 682 arrows"), "{stderr}");
    assert!(
        stderr
            .contains(&format!("help: the whole graph (minutes): blastmap graph {path} --format svg --all")),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Top to bottom, the legend's notes and swatches stand in one row (a
/// short band, not a tall column beside the drawing), and Graphviz draws it.
#[test]
fn a_top_to_bottom_legend_is_one_row() {
    let dot = text(&["graph", "fixtures/shop", "--direction", "TB", "--fail", "zone-a"]);
    let legend = &dot[dot.find("subgraph \"cluster_legend\"").expect("a legend")..];
    let row = &legend[legend.find("rank=\"same\"").expect("the legend's row")..];
    for node in ["legend_notes", "legend_failed", "legend_down", "legend_degraded", "legend_up"] {
        assert!(row.contains(&format!("\"{node}\"")), "{node} in the row");
    }
    if let Some(drawn) = draw(&dot) {
        assert!(labels(&drawn).contains("failed"), "the swatches are drawn");
    }
}
