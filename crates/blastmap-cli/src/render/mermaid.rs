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

use crate::render::diagram::{Direction, Paint, Scene, Shape, fold, legend_lines};

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
/// ([`fold`]), and a comment line and the legend say what was folded.
pub(crate) fn render(scene: &Scene) -> String {
    let (fitted, folded) = fold(scene, MAX_EDGES, "Mermaid");
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
    if !scene.focus.is_empty() {
        out.push_str("  classDef focus stroke:#2563eb,stroke-width:4px\n");
        let members: Vec<String> = scene.focus.iter().map(|i| format!("n{i}")).collect();
        out.push_str(&format!("  class {} focus\n", members.join(",")));
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
