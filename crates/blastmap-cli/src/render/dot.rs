//! Graphviz DOT of a [`Scene`], built as a graphviz-rust syntax tree.
//!
//! graphviz-rust prints every [`Id`] verbatim, whatever its variant: it
//! neither quotes nor escapes. So every id and attribute value here goes
//! through [`quoted`], which makes a double-quoted DOT string of it: inside
//! one, only `\"` and `\\` matter to the parser and `<`/`>` can never start
//! an HTML label. Labels additionally go through [`label`], because Graphviz
//! interprets `\n`, `\N`, `\l` and entities such as `&amp;` in them.

use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt, Subgraph,
    Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use blastmap_manifest::{Kind, Mode};

use crate::render::diagram::{Direction, Edge, Node, Paint, Scene, Shape, legend_lines};

/// Colours of the states: fill, border, text. Chosen to read in grey scale
/// too (dark, medium, light, white); the label also names the state.
fn colours(paint: Paint) -> (&'static str, &'static str, &'static str) {
    match paint {
        Paint::Plain | Paint::Up => ("#ffffff", "#4d4d4d", "#000000"),
        Paint::Failed => ("#b2182b", "#67001f", "#ffffff"),
        Paint::Down => ("#f4a582", "#b2182b", "#000000"),
        Paint::Degraded => ("#fee090", "#b8860b", "#000000"),
    }
}

const HOT: &str = "#b2182b";

/// Escapes `text` for the inside of a double-quoted DOT string: the parser
/// only knows `\"` and `\\`; line breaks and other control characters must
/// not reach it raw.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.extend(c.escape_default().flat_map(|e| {
                // `\u{1b}` shown as text: its backslash doubled.
                if e == '\\' { vec!['\\', '\\'] } else { vec![e] }
            })),
            c => out.push(c),
        }
    }
    out
}

/// A double-quoted DOT id (never HTML, never a keyword).
pub(crate) fn quoted(text: &str) -> Id {
    Id::Escaped(format!("\"{}\"", escape(text)))
}

/// A label of several lines: entities are neutralised (`&` → `&amp;`) so the
/// text is shown as written, and lines are joined with DOT's `\n`.
fn label(lines: &[String]) -> Id {
    let text = lines.iter().map(|l| l.replace('&', "&amp;")).collect::<Vec<_>>().join("\n");
    quoted(&text)
}

fn attr(name: &str, value: &str) -> Attribute {
    Attribute(Id::Plain(name.to_owned()), quoted(value))
}

fn node_id(key: &str) -> NodeId {
    NodeId(quoted(key), None)
}

fn shape(shape: Shape) -> (&'static str, &'static str) {
    match shape {
        Shape::Component(kind) => match kind {
            Kind::Service => ("box", "rounded,filled"),
            Kind::Frontend => ("house", "filled"),
            Kind::Gateway => ("hexagon", "filled"),
            Kind::Job => ("component", "filled"),
            Kind::Queue => ("cds", "filled"),
            Kind::External => ("box3d", "filled"),
            k if k.is_datastore() => ("cylinder", "filled"),
            k if k.is_domain() => ("folder", "filled"),
            _ => ("box", "rounded,filled"),
        },
        Shape::Junction => ("diamond", "filled"),
        Shape::Summary => ("box", "rounded,filled,bold"),
    }
}

/// The border of a `--focus` component.
const FOCUS: &str = "#2563eb";

fn node_stmt(i: usize, node: &Node, focus: bool, options: DotOptions) -> Stmt {
    let (shape, style) = shape(node.shape);
    let (fill, border, font) = colours(node.paint);
    let mut attributes = vec![
        Attribute(Id::Plain("label".to_owned()), label(&node.label)),
        attr("shape", shape),
        attr("style", style),
        attr("fillcolor", fill),
        attr("color", border),
        attr("fontcolor", font),
    ];
    match node.paint {
        _ if focus => attributes.extend([attr("penwidth", "4"), attr("color", FOCUS)]),
        Paint::Failed => attributes.push(attr("penwidth", "3")),
        Paint::Down => attributes.push(attr("penwidth", "2")),
        _ => {}
    }
    match node.shape {
        Shape::Junction => {
            attributes.extend([
                attr("fontsize", "8"),
                attr("width", "0.3"),
                attr("height", "0.3"),
                attr("margin", "0.02"),
            ]);
        }
        Shape::Summary => attributes.push(attr("peripheries", "2")),
        Shape::Component(_) => {}
    }
    attributes.push(Attribute(Id::Plain("tooltip".to_owned()), label(&node.tooltip)));
    if let (true, Some(key)) = (options.element_ids, &node.key) {
        attributes.push(attr("id", key));
    }
    Stmt::Node(DotNode::new(node_id(&format!("n{i}")), attributes))
}

fn edge_stmt(edge: &Edge, options: DotOptions) -> Stmt {
    let mut attributes = Vec::new();
    if edge.mode == Mode::Soft {
        attributes.push(attr("style", "dashed"));
    }
    if edge.hot {
        attributes.extend([attr("color", HOT), attr("penwidth", "2.5")]);
    } else if edge.placement {
        attributes.push(attr("color", "#aaaaaa"));
    }
    if !edge.arrow {
        attributes.push(attr("arrowhead", "none"));
    }
    if edge.count > 1 {
        let width = (1.0 + (edge.count as f64).log2() / 2.0).min(5.0);
        attributes.push(attr("penwidth", &format!("{width:.1}")));
    }
    if let Some(text) = &edge.label {
        attributes.push(Attribute(Id::Plain("label".to_owned()), label(std::slice::from_ref(text))));
    }
    if let (true, Some(key)) = (options.element_ids, &edge.key) {
        attributes.push(attr("id", key));
    }
    let from = Vertex::N(node_id(&format!("n{}", edge.from)));
    let to = Vertex::N(node_id(&format!("n{}", edge.to)));
    Stmt::Edge(DotEdge { ty: EdgeTy::Pair(from, to), attributes })
}

fn legend(scene: &Scene) -> Subgraph {
    let mut stmts = vec![
        Stmt::Attribute(attr("label", "Legend")),
        Stmt::Attribute(attr("style", "rounded,dashed")),
        Stmt::Attribute(attr("color", "#999999")),
    ];
    if scene.painted {
        for paint in Paint::LEGEND {
            let (fill, border, font) = colours(paint);
            stmts.push(Stmt::Node(DotNode::new(
                node_id(&format!("legend_{}", paint.name())),
                vec![
                    Attribute(Id::Plain("label".to_owned()), label(&[paint.name().to_owned()])),
                    attr("shape", "box"),
                    attr("style", "rounded,filled"),
                    attr("fillcolor", fill),
                    attr("color", border),
                    attr("fontcolor", font),
                ],
            )));
        }
    }
    if scene.painted {
        // Invisible links keep the swatches in one row (or column), like a key.
        let swatches: Vec<Vertex> =
            Paint::LEGEND.iter().map(|p| Vertex::N(node_id(&format!("legend_{}", p.name())))).collect();
        stmts.push(Stmt::Edge(DotEdge {
            ty: EdgeTy::Chain(swatches),
            attributes: vec![attr("style", "invis")],
        }));
    }
    // `\l` after each line: left-justified, which reads better for prose.
    let mut text = String::new();
    for line in legend_lines(scene) {
        text.push_str(&escape(&line.replace('&', "&amp;")));
        text.push_str("\\l");
    }
    stmts.push(Stmt::Node(DotNode::new(
        node_id("legend_notes"),
        vec![
            Attribute(Id::Plain("label".to_owned()), Id::Escaped(format!("\"{text}\""))),
            attr("shape", "note"),
            attr("fontsize", "9"),
        ],
    )));
    if scene.painted && scene.direction == Direction::TopToBottom {
        // Top to bottom, the swatches' chain would stand as a tall column
        // beside the drawing: one row with the notes keeps the legend a
        // short band out of the way.
        let mut row = vec![
            Stmt::Attribute(attr("rank", "same")),
            Stmt::Node(DotNode::new(node_id("legend_notes"), vec![])),
        ];
        row.extend(
            Paint::LEGEND
                .iter()
                .map(|p| Stmt::Node(DotNode::new(node_id(&format!("legend_{}", p.name())), vec![]))),
        );
        stmts.push(Stmt::Subgraph(Subgraph { id: Id::Anonymous(String::new()), stmts: row }));
    }
    Subgraph { id: quoted("cluster_legend"), stmts }
}

/// Variations of the DOT text for other renderers; the default is what
/// `graph --format dot` prints.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DotOptions {
    /// Give nodes and edges the `id` attribute of their [`Node::key`] /
    /// [`Edge::key`], which Graphviz copies onto the SVG elements: the HTML
    /// report's script finds components by them.
    pub element_ids: bool,
    /// Leave out the legend cluster (the page that embeds the drawing has
    /// its own legend, and the cluster costs width).
    pub omit_legend: bool,
}

/// The DOT text of `scene`, ending with a newline.
pub(crate) fn render(scene: &Scene) -> String {
    render_with(scene, DotOptions::default())
}

/// [`render`] with options.
pub(crate) fn render_with(scene: &Scene, options: DotOptions) -> String {
    let rankdir = match scene.direction {
        Direction::LeftToRight => "LR",
        Direction::TopToBottom => "TB",
    };
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", rankdir),
            attr("fontname", "Helvetica"),
            attr("newrank", "true"),
            attr("nodesep", "0.3"),
            attr("ranksep", "0.5"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![attr("fontname", "Helvetica"), attr("fontsize", "11")])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", "Helvetica"),
            attr("fontsize", "9"),
            attr("color", "#4d4d4d"),
            attr("arrowsize", "0.7"),
        ])),
    ];
    let mut clustered: Vec<Vec<Stmt>> = vec![Vec::new(); scene.clusters.len()];
    for (i, node) in scene.nodes.iter().enumerate() {
        match node.cluster.and_then(|c| clustered.get_mut(c)) {
            Some(stmts) => stmts.push(node_stmt(i, node, scene.focus.contains(&i), options)),
            None => stmts.push(node_stmt(i, node, scene.focus.contains(&i), options)),
        }
    }
    for (i, (name, mut inner)) in scene.clusters.iter().zip(clustered).enumerate() {
        // Graphviz draws a box for ids starting with `cluster`; ids are ours
        // (by index), never from the manifest: it gives a leading `%` a
        // meaning of its own.
        let mut head = vec![
            Stmt::Attribute(Attribute(Id::Plain("label".to_owned()), label(name))),
            Stmt::Attribute(attr("style", "rounded")),
            Stmt::Attribute(attr("color", "#999999")),
        ];
        head.append(&mut inner);
        stmts.push(Stmt::Subgraph(Subgraph { id: quoted(&format!("cluster_{i}")), stmts: head }));
    }
    for edge in &scene.edges {
        stmts.push(edge_stmt(edge, options));
    }
    if !options.omit_legend {
        stmts.push(Stmt::Subgraph(legend(scene)));
    }
    let graph = Graph::DiGraph { id: quoted("blastmap"), strict: false, stmts };
    let mut text = graph.print(&mut PrinterContext::default());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(id: &Id) -> String {
        id.print(&mut PrinterContext::default())
    }

    #[test]
    fn ids_are_quoted_and_escaped() {
        assert_eq!(printed(&quoted("a\"b\\c")), r#""a\"b\\c""#);
        assert_eq!(printed(&quoted("<b>x</b>")), r#""<b>x</b>""#);
        assert_eq!(printed(&quoted("ends with \\")), r#""ends with \\""#);
        assert_eq!(printed(&quoted("esc \u{1b}[31m")), r#""esc \\u{1b}[31m""#);
        assert_eq!(printed(&quoted("graph")), r#""graph""#);
    }

    #[test]
    fn labels_neutralise_entities_and_join_lines() {
        let lines = vec!["a &amp; b".to_owned(), "\\N".to_owned()];
        assert_eq!(printed(&label(&lines)), r#""a &amp;amp; b\n\\N""#);
    }
}
