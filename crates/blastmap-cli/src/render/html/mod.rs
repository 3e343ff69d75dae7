//! `report --format html`: one self-contained page for design reviews.
//!
//! Everything is inline (CSS, script, SVG): the page is mailed, attached to
//! tickets and opened offline, so it never fetches anything. The diagram is
//! Graphviz's SVG when `dot` is available (nodes and edges carry element ids
//! made from model indices, see [`crate::render::dot::DotOptions`]),
//! otherwise a built-in layered layout by cold-start wave.
//!
//! The page embeds the requirements of every component, and the script
//! simulates the failure a user picks with the rules of
//! docs/semantics.md (least fixpoint with per-requirement counters, then
//! shortest cascade paths by breadth-first search): O(n + m) per pick and
//! in the page, where embedding every failure's results was quadratic. The
//! browser test checks the page against the engine for every component.
//! What a pick does not recompute (SPOFs, availability, cold start) is
//! embedded as the engine computed it.
//!
//! Escaping: every text from the manifest goes through [`esc`] (HTML and SVG
//! text and attributes alike), after [`safe`] made control characters
//! visible. The embedded JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so no
//! name can close the `<script>` element that holds it. The script builds
//! the details panel with `textContent`, never from markup.

mod data;
mod layout;
mod page;

use crate::render::diagram::{self, ClusterBy, Direction, Options, Scene};
use crate::render::dot::{self, DotOptions};
use crate::render::safe;

pub(crate) use page::{View, render};

/// How long `--diagram auto` lets Graphviz lay the page's diagram out
/// before it draws the built-in layout instead: `dot` took 0.1 s for a
/// 100-component system, 0.5 s for 217 arrows between 40 groups (1k
/// synthetic components), 32 s for 682 and over two minutes for 1 947 (its
/// ranking spreads such graphs over dozens of ranks).
pub(crate) const GRAPHVIZ_BUDGET: std::time::Duration = std::time::Duration::from_secs(3);

/// The diagram the command obtained for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Drawing {
    /// Graphviz's SVG of [`graphviz_dot`].
    Graphviz(String),
    /// The built-in layout (asked for, or Graphviz failed or ran out of
    /// time under `auto`: then why, for the caption).
    Builtin(Option<String>),
}

/// The scene the page draws (with Graphviz or the built-in layout): every
/// component, clustered by system; above 150 components the grouped
/// overview, folded to [`diagram::OVERVIEW_ARROWS`] like an SVG of it (the
/// fold is in the scene's notes, which the caption repeats).
/// With `down` (what each component's failure takes down), the hubs get
/// their badge ([`Scene::mark_hubs`]).
pub(crate) fn graphviz_scene(model: &blastmap_manifest::Model, down: Option<&[u32]>, by: ClusterBy) -> Scene {
    let selected = vec![true; model.len()];
    let options = Options { cluster_by: by, direction: Direction::LeftToRight, all: false };
    let mut scene = diagram::scene(model, &selected, None, options, Vec::new());
    if let (false, Some(down)) = (scene.collapsed, down) {
        scene.mark_hubs(down);
    }
    if scene.collapsed && scene.edges.len() > diagram::OVERVIEW_ARROWS {
        return diagram::fold(&scene, diagram::OVERVIEW_ARROWS, "the page").0;
    }
    scene
}

/// The DOT text of `scene` for the page: element ids the script finds, no legend.
pub(crate) fn graphviz_dot(scene: &Scene) -> String {
    dot::render_with(scene, DotOptions { element_ids: true, omit_legend: true })
}

/// Escapes text for HTML (content and quoted attributes) and SVG alike.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Manifest text for the page: control characters made visible, then escaped.
fn text(raw: &str) -> String {
    esc(&safe(raw))
}

/// JSON that can sit inside `<script>`: nothing in it can end the element or
/// start a comment, and JavaScript engines that predate JSON ⊂ ECMAScript
/// still parse the line separators.
pub(crate) fn script_json(value: &impl serde::Serialize) -> String {
    let raw = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Graphviz's SVG without the XML prolog, doctype and comments (they carry
/// the Graphviz version and DOT ids, and have no place inside HTML).
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut rest = &svg[start..];
    let mut out = String::with_capacity(rest.len());
    while let Some(open) = rest.find("<!--") {
        out.push_str(&rest[..open]);
        match rest[open..].find("-->") {
            Some(close) => rest = &rest[open + close + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    // Graphviz sizes the drawing in points; the page scales it to its column.
    out.replacen("<svg width=", "<svg class=\"bm-svg\" data-width=", 1).replacen(
        " height=",
        " data-height=",
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<a href='x'>\"&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    }

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let v = json!({"name": "</script><script>alert(1)</script> & \u{2028}\u{2029} <!--"});
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}') && !s.contains('\u{2029}'));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn graphviz_prolog_and_comments_are_dropped() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- Generated by graphviz -->\n<svg width=\"10pt\" \
                   height=\"20pt\" viewBox=\"0 0 10 20\">\n<!-- n0 -->\n<g id=\"bm-c0\"></g></svg>";
        let out = inline_svg(svg);
        assert!(out.starts_with("<svg class=\"bm-svg\" data-width=\"10pt\" data-height=\"20pt\""));
        assert!(!out.contains("<!--") && out.contains("<g id=\"bm-c0\">"));
    }
}
