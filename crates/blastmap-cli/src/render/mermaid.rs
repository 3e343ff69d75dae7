//! A Mermaid flowchart of a [`Scene`], for GitHub and other Markdown.
//!
//! Mermaid has no escaping inside quoted labels, only entity codes
//! (`#quot;`, `#35;`), and it scans the whole text for directives (`%%{`)
//! and comments (`%%`). So node and cluster ids are generated (`n0`, `c0`,
//! by index) and never come from the manifest, and every character of a
//! label that could end the quoted string, start markup, a directive, a
//! statement or an entity is written as an entity code. Line breaks inside
//! a name become `<br/>`, the only markup we emit ourselves.

use blastmap_manifest::{Kind, Mode};

use crate::render::diagram::{Direction, Paint, Scene, Shape, legend_lines};

/// Escapes one line of label text for the inside of `"..."`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            // `#` starts entity codes, `%` comments and directives, `;`
            // ends statements, `` ` `` starts Markdown strings, `|` ends
            // edge labels; `\` is no escape in Mermaid today, encoded so it
            // never becomes one.
            '#' | '%' | ';' | '`' | '|' | '\\' => out.push_str(&format!("#{};", u32::from(ch))),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("#{};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// A quoted label of several lines.
fn label(lines: &[String]) -> String {
    let text: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    format!("\"{}\"", text.join("<br/>"))
}

fn node(id: &str, shape: Shape, text: &str) -> String {
    let (open, close) = match shape {
        Shape::Component(kind) => match kind {
            Kind::Frontend => ("[/", "\\]"),
            Kind::Gateway => ("{{", "}}"),
            Kind::Job => ("[[", "]]"),
            Kind::Queue => (">", "]"),
            Kind::External => ("[/", "/]"),
            k if k.is_datastore() => ("[(", ")]"),
            k if k.is_domain() => ("([", "])"),
            _ => ("(", ")"),
        },
        Shape::Junction => ("{", "}"),
        Shape::Summary => ("[", "]"),
    };
    format!("{id}{open}{text}{close}")
}

fn class_def(paint: Paint) -> Option<&'static str> {
    match paint {
        Paint::Failed => Some("classDef failed fill:#b2182b,stroke:#67001f,stroke-width:3px,color:#ffffff"),
        Paint::Down => Some("classDef down fill:#f4a582,stroke:#b2182b,stroke-width:2px,color:#000000"),
        Paint::Degraded => Some("classDef degraded fill:#fee090,stroke:#b8860b,color:#000000"),
        Paint::Up => Some("classDef up fill:#ffffff,stroke:#4d4d4d,color:#000000"),
        Paint::Plain => None,
    }
}

/// The most arrows the Mermaid library draws by default (`maxEdges`; more
/// and it refuses the whole diagram with "Edge limit exceeded"), which is
/// also GitHub's.
pub(crate) const MAX_EDGES: usize = 500;

/// The longest diagram text Mermaid (and GitHub) accepts by default
/// (`maxTextSize`).
pub(crate) const MAX_TEXT: usize = 50_000;

/// The Mermaid text of `scene`, ending with a newline, within
/// [`MAX_EDGES`] and [`MAX_TEXT`]: a scene over them is folded first
/// ([`fit`]), and a comment line and the legend say what was folded.
pub(crate) fn render(scene: &Scene) -> String {
    let (fitted, folded) = fit(scene);
    let mut text = draw(&fitted, &folded);
    if text.len() > MAX_TEXT {
        // Labels are most of the text: keep only their first line.
        let mut short = fitted.clone();
        for n in &mut short.nodes {
            n.label.truncate(1);
        }
        for e in &mut short.edges {
            e.label = None;
        }
        let mut folded = folded;
        folded.push("labels cut to their first line to stay within Mermaid's 50,000 characters".to_owned());
        text = draw(&short, &folded);
        if text.len() > MAX_TEXT {
            text = too_large(scene);
        }
    }
    text
}

/// A diagram that says why the inventory is not drawn: what is left when
/// even folded it passes Mermaid's text limit.
fn too_large(scene: &Scene) -> String {
    format!(
        "flowchart LR\n  %% folded: {} boxes and {} arrows do not fit Mermaid's limits\n  \
         note[\"{} boxes and {} arrows do not fit in Mermaid's limits (500 arrows, 50,000 characters).<br/>\
         Draw the whole graph with: blastmap graph --format svg, or a part with --focus ID\"]\n",
        scene.nodes.len(),
        scene.edges.len(),
        scene.nodes.len(),
        scene.edges.len()
    )
}

/// `scene` within [`MAX_EDGES`], and what was folded to get there, in words:
/// first parallel arrows between the same two boxes become one; then boxes
/// with a single neighbour and nothing depending on them (leaves) are
/// folded into that neighbour, which counts them; then the arrows that
/// stand for the fewest requirements are left out, counted. Cascade paths
/// (hot arrows) are kept whenever they fit.
pub(crate) fn fit(scene: &Scene) -> (Scene, Vec<String>) {
    let mut folded = Vec::new();
    if scene.edges.len() <= MAX_EDGES {
        return (scene.clone(), folded);
    }
    let mut out = scene.clone();
    // 1. One arrow per (from, to): hard wins over soft, counts add up.
    let before = out.edges.len();
    let mut merged: Vec<crate::render::diagram::Edge> = Vec::with_capacity(before);
    let mut at: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for e in out.edges.drain(..) {
        if let Some(&k) = at.get(&(e.from, e.to)) {
            let kept = &mut merged[k];
            kept.count += e.count;
            kept.hot |= e.hot;
            kept.placement &= e.placement;
            kept.arrow |= e.arrow;
            if e.mode == Mode::Hard {
                kept.mode = Mode::Hard;
            }
            kept.label = None;
        } else {
            at.insert((e.from, e.to), merged.len());
            merged.push(e);
        }
    }
    out.edges = merged;
    if out.edges.len() < before {
        folded.push(format!("{} parallel arrows merged into {}", before, out.edges.len()));
    }
    // 2. Leaves: a box that nothing needs and that needs one box only.
    if out.edges.len() > MAX_EDGES {
        let n = out.nodes.len();
        let (mut outgoing, mut incoming) = (vec![0usize; n], vec![0usize; n]);
        for e in &out.edges {
            outgoing[e.from] += 1;
            incoming[e.to] += 1;
        }
        let leaf: Vec<bool> = (0..n).map(|i| incoming[i] == 0 && outgoing[i] == 1).collect();
        let mut into = vec![0usize; n];
        for e in out.edges.iter().filter(|e| leaf[e.from] && !leaf[e.to]) {
            into[e.to] += 1;
        }
        let leaves =
            (0..n).filter(|&i| leaf[i] && out.edges.iter().any(|e| e.from == i && !leaf[e.to])).count();
        if leaves > 0 {
            out.edges.retain(|e| !leaf[e.from] || leaf[e.to]);
            for (i, node) in out.nodes.iter_mut().enumerate() {
                if into[i] > 0 {
                    node.label.push(format!("+ {} folded: needed only by them", into[i]));
                }
            }
            let keep: Vec<bool> = (0..n)
                .map(|i| !(leaf[i] && into[i] == 0 && !out.edges.iter().any(|e| e.from == i || e.to == i)))
                .collect();
            renumber(&mut out, &keep);
            folded.push(format!("{leaves} boxes that only need one other folded into it"));
        }
    }
    // 3. The lightest arrows, counted.
    if out.edges.len() > MAX_EDGES {
        let mut order: Vec<usize> = (0..out.edges.len()).collect();
        order.sort_by_key(|&e| (!out.edges[e].hot, std::cmp::Reverse(out.edges[e].count), e));
        let mut keep = vec![false; out.edges.len()];
        for &e in order.iter().take(MAX_EDGES) {
            keep[e] = true;
        }
        let dropped: Vec<usize> = (0..out.edges.len()).filter(|&e| !keep[e]).collect();
        let requirements: usize = dropped.iter().map(|&e| out.edges[e].count).sum();
        let heaviest = dropped.iter().map(|&e| out.edges[e].count).max().unwrap_or(0);
        let mut k = 0;
        out.edges.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        folded.push(format!(
            "{} of at most {} each ({}) left out: Mermaid draws at most {MAX_EDGES} arrows",
            crate::render::plural(dropped.len(), "arrow"),
            crate::render::plural(heaviest, "requirement"),
            crate::render::plural(requirements, "requirement"),
        ));
    }
    if !folded.is_empty() {
        out.notes.push(format!("folded to fit Mermaid: {}", folded.join("; ")));
        out.notes.push("the whole graph: blastmap graph --format svg (or dot)".to_owned());
    }
    (out, folded)
}

/// Drops the nodes not in `keep`, renumbering the edges.
fn renumber(scene: &mut Scene, keep: &[bool]) {
    let mut index = vec![usize::MAX; scene.nodes.len()];
    let mut next = 0;
    for (i, &k) in keep.iter().enumerate() {
        if k {
            index[i] = next;
            next += 1;
        }
    }
    let mut i = 0;
    scene.nodes.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    scene.edges.retain(|e| index[e.from] != usize::MAX && index[e.to] != usize::MAX);
    for e in &mut scene.edges {
        e.from = index[e.from];
        e.to = index[e.to];
    }
}

/// The Mermaid text of a scene within the limits, with a comment line per
/// fold.
fn draw(scene: &Scene, folded: &[String]) -> String {
    let direction = match scene.direction {
        Direction::LeftToRight => "LR",
        Direction::TopToBottom => "TB",
    };
    let mut out = format!("flowchart {direction}\n");
    for fold in folded {
        out.push_str(&format!("  %% folded: {fold}\n"));
    }
    let line = |i: usize| {
        let n = &scene.nodes[i];
        node(&format!("n{i}"), n.shape, &label(&n.label))
    };
    for (c, name) in scene.clusters.iter().enumerate() {
        out.push_str(&format!("  subgraph c{c}[{}]\n", label(name)));
        for (i, _) in scene.nodes.iter().enumerate().filter(|(_, n)| n.cluster == Some(c)) {
            out.push_str(&format!("    {}\n", line(i)));
        }
        out.push_str("  end\n");
    }
    for (i, _) in scene.nodes.iter().enumerate().filter(|(_, n)| n.cluster.is_none()) {
        out.push_str(&format!("  {}\n", line(i)));
    }
    let mut hot = Vec::new();
    let mut placement = Vec::new();
    for (e, edge) in scene.edges.iter().enumerate() {
        let arrow = match (edge.mode, edge.arrow) {
            (Mode::Hard, true) => "-->",
            (Mode::Hard, false) => "---",
            (Mode::Soft, true) => "-.->",
            (Mode::Soft, false) => "-.-",
        };
        let text = edge.label.as_ref().map(|l| format!("|{}|", label(std::slice::from_ref(l))));
        out.push_str(&format!("  n{} {arrow}{} n{}\n", edge.from, text.unwrap_or_default(), edge.to));
        if edge.hot {
            hot.push(e.to_string());
        } else if edge.placement {
            placement.push(e.to_string());
        }
    }

    // The legend: fixed explanations, our notes, and a swatch per state.
    out.push_str("  subgraph legend[\"Legend\"]\n");
    out.push_str(&format!("    legend_notes[{}]\n", label(&legend_lines(scene))));
    if scene.painted {
        for paint in Paint::LEGEND {
            out.push_str(&format!("    legend_{0}[\"{0}\"]:::{0}\n", paint.name()));
        }
    }
    out.push_str("  end\n");

    if scene.painted {
        for paint in Paint::LEGEND {
            if let Some(def) = class_def(paint) {
                out.push_str(&format!("  {def}\n"));
            }
            let members: Vec<String> = scene
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.paint == paint)
                .map(|(i, _)| format!("n{i}"))
                .collect();
            if !members.is_empty() {
                out.push_str(&format!("  class {} {}\n", members.join(","), paint.name()));
            }
        }
    }
    if !placement.is_empty() {
        out.push_str(&format!("  linkStyle {} stroke:#aaaaaa\n", placement.join(",")));
    }
    if !hot.is_empty() {
        out.push_str(&format!("  linkStyle {} stroke:#b2182b,stroke-width:3px\n", hot.join(",")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_no_markup_directive_or_arrow() {
        let hostile = "a\"b <script>x</script> --> %%{init: {}}%% `md` c;d |e| #quot; \u{2028}";
        let text = label(&[hostile.to_owned()]);
        assert_eq!(text.matches('"').count(), 2, "{text}");
        for bad in ["<", ">", "%%", "`", "c;d", "|"] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }
        assert!(text.contains("#35;quot#59;"), "an entity in a name is shown as written: {text}");
    }
}
