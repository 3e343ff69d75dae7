//! The built-in layered layout of the page's diagram, for when Graphviz
//! is not used: SVG with the same element ids as Graphviz's drawing.

use std::fmt::Write as _;

use blastmap_analysis::cold_start::ColdStart;
use blastmap_manifest::{Mode, Model, Origin};

use crate::render::diagram::Scene;
use crate::render::html::{esc, text};
use crate::render::path::group_name;
use crate::render::safe;

const NODE_W: f64 = 150.0;
const NODE_H: f64 = 44.0;
const GAP_X: f64 = 22.0;
const GAP_Y: f64 = 70.0;
/// A wave with more components is drawn on several rows, so the drawing
/// stays narrow enough to read at the width of a page.
const ROW_MAX: usize = 7;
const SUB_GAP_Y: f64 = 34.0;

/// The built-in layered layout: one row per cold-start wave (the highest
/// wave on top; components that never start above it), ordered within a
/// row by the mean position of their neighbours (a few barycentre sweeps
/// up and down, ties by index: deterministic).
/// With `down` (what each component's failure takes down), the hubs
/// ([`crate::render::diagram::hubs`]) carry a red badge with that count.
pub(super) fn builtin_svg(model: &Model, waves: &ColdStart, down: Option<&[u32]>) -> String {
    let n = model.len();
    let top_wave = waves.waves.len() as u32;
    let layer: Vec<u32> =
        (0..n).map(|i| waves.wave_of.get(i).copied().flatten().unwrap_or(top_wave)).collect();
    let needs: Vec<Vec<usize>> = model
        .components()
        .map(|c| c.requirements.iter().flat_map(|r| r.members.iter().map(|m| m.index())).collect())
        .collect();
    let Placement { xy, layer_y, total_w, height } = place(&layer, &needs);
    let mut out = format!(
        "<svg class=\"bm-svg\" viewBox=\"0 0 {total_w:.0} {height:.0}\" xmlns=\"http://www.w3.org/2000/svg\" \
         role=\"group\" aria-label=\"Dependency diagram\">\n<defs>\
         <marker id=\"bm-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6b7280\"/></marker>\
         <marker id=\"bm-arrow-hot\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b2182b\"/></marker></defs>\n"
    );
    for (l, &top) in layer_y.iter().enumerate() {
        let y = top + NODE_H / 2.0 + 4.0;
        let name = if l as u32 == top_wave { "never starts".to_owned() } else { format!("wave {l}") };
        let _ = writeln!(out, "<text class=\"bm-layer\" x=\"8\" y=\"{y:.1}\">{name}</text>");
    }
    out.push_str("<g class=\"bm-edges\">\n");
    for c in model.ids() {
        let (x1, y1) = xy[c.index()];
        for (r, req) in model.component(c).requirements.iter().enumerate() {
            for &m in &req.members {
                let d = arrow_path((x1, y1), xy[m.index()]);
                let mut class = String::from("edge");
                if req.mode == Mode::Soft {
                    class.push_str(" bm-soft");
                }
                if req.origin != Origin::DependsOn {
                    class.push_str(" bm-place");
                }
                let what = if req.is_group() { group_name(model, req) } else { text(&model.component(m).id) };
                let what = if req.is_group() { esc(&what) } else { what };
                let _ = writeln!(
                    out,
                    "<g class=\"{class}\" id=\"bm-e{}-{r}-{}\"><title>{} → {what}{}</title><path d=\"{d}\"/></g>",
                    c.index(),
                    m.index(),
                    text(&model.component(c).id),
                    if req.mode == Mode::Soft { " (soft)" } else { "" }
                );
            }
        }
    }
    out.push_str("</g>\n<g class=\"bm-nodes\">\n");
    let hubs = down.map(crate::render::diagram::hubs).unwrap_or_default();
    for c in model.ids() {
        let comp = model.component(c);
        let (x, y) = xy[c.index()];
        let label = shorten(&safe(&comp.id), 20);
        let kind = format!("{} · tier {}", comp.kind, comp.tier);
        let shape = if comp.kind.is_datastore() {
            "bm-store"
        } else if comp.kind.is_domain() {
            "bm-domain"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<g class=\"node {shape}\" id=\"bm-c{}\"><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" \
             height=\"{NODE_H}\" rx=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"bm-id\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"bm-kind\">{}</text></g>",
            c.index(),
            text(&format!("{} — {}", comp.id, comp.name)),
            if comp.kind.is_datastore() { 14 } else { 6 },
            x + NODE_W / 2.0,
            y + 19.0,
            esc(&label),
            x + NODE_W / 2.0,
            y + 34.0,
            esc(&kind)
        );
        if let Some(&(_, d)) = hubs.iter().find(|&&(i, _)| i == c.index()) {
            // A badge on the corner: a hub, and how much it takes down.
            let _ = writeln!(
                out,
                "<g class=\"bm-hub\"><title>hub: its failure alone takes down {d}</title><circle cx=\"{:.1}\" \
                 cy=\"{:.1}\" r=\"12\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{d}</text></g>",
                x + NODE_W - 4.0,
                y + 2.0,
                x + NODE_W - 4.0,
                y + 6.0
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The built-in drawing of a [`Scene`] (the overview of a large inventory:
/// groups and their counted arrows), with the layered placement of
/// [`builtin_svg`]: a node sits one layer above the highest of what it
/// needs (nodes on a cycle share the layer above the rest). Nodes keep the
/// scene's element ids; an arrow standing for several requirements is
/// thicker and says how many in its tooltip.
pub(super) fn scene_svg(scene: &Scene) -> String {
    let n = scene.nodes.len();
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &scene.edges {
        if e.from < n && e.to < n && e.from != e.to {
            needs[e.from].push(e.to);
        }
    }
    let layer = layers_by_longest_path(&needs);
    let Placement { xy, total_w, height, .. } = place(&layer, &needs);
    let mut out = format!(
        "<svg class=\"bm-svg bm-overview\" viewBox=\"0 0 {total_w:.0} {height:.0}\" xmlns=\"http://www.w3.org/2000/svg\" \
         role=\"group\" aria-label=\"Dependency diagram, grouped\">\n<defs>\
         <marker id=\"bm-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6b7280\"/></marker>\
         <marker id=\"bm-arrow-hot\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#b2182b\"/></marker></defs>\n<g class=\"bm-edges\">\n"
    );
    for e in &scene.edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (xy.get(e.from), xy.get(e.to)) else { continue };
        if e.from == e.to {
            continue;
        }
        let d = arrow_path((x1, y1), (x2, y2));
        let mut class = String::from("edge");
        if e.mode == Mode::Soft {
            class.push_str(" bm-soft");
        }
        if e.placement {
            class.push_str(" bm-place");
        }
        let what = |i: usize| scene.nodes.get(i).map(|n| n.label.join(" ")).unwrap_or_default();
        let counted = if e.count > 1 { format!(" ({} requirements)", e.count) } else { String::new() };
        let id = e.key.as_ref().map(|k| format!(" id=\"{}\"", esc(k))).unwrap_or_default();
        let _ = write!(
            out,
            "<g class=\"{class}\"{id} style=\"stroke-width:{:.1}px\"><title>{} → {}{counted}</title><path d=\"{d}\"/>",
            // Thicker for more requirements, within readable bounds.
            (1.0 + (e.count as f64).log2() * 0.5).min(4.0),
            esc(&what(e.from)),
            esc(&what(e.to)),
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n<g class=\"bm-nodes\">\n");
    for (i, node) in scene.nodes.iter().enumerate() {
        let (x, y) = xy[i];
        let id = node.key.as_ref().map(|k| format!(" id=\"{}\"", esc(k))).unwrap_or_default();
        let first = node.label.first().map(|l| shorten(l, 20)).unwrap_or_default();
        let second = node.label.get(1..).map(|rest| shorten(&rest.join(" "), 24)).unwrap_or_default();
        let tooltip = if node.tooltip.is_empty() { node.label.join(" ") } else { node.tooltip.join("\n") };
        let _ = writeln!(
            out,
            "<g class=\"node\"{id}><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" \
             height=\"{NODE_H}\" rx=\"6\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"bm-id\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"bm-kind\">{}</text></g>",
            esc(&tooltip),
            x + NODE_W / 2.0,
            y + 19.0,
            esc(&first),
            x + NODE_W / 2.0,
            y + 34.0,
            esc(&second)
        );
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// Per node, one more than the highest layer of what it needs (0 for what
/// needs nothing); nodes left on a cycle go one layer above everything
/// else.
fn layers_by_longest_path(needs: &[Vec<usize>]) -> Vec<u32> {
    let n = needs.len();
    let mut waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, list) in needs.iter().enumerate() {
        for &m in list {
            needed_by[m].push(i);
        }
    }
    let mut layer = vec![None; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(i) = ready.pop() {
        let l = needs[i].iter().filter_map(|&m| layer[m]).map(|l: u32| l + 1).max().unwrap_or(0);
        layer[i] = Some(l);
        for &d in &needed_by[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(d);
            }
        }
    }
    let top = layer.iter().flatten().max().map_or(0, |&m| m + 1);
    layer.into_iter().map(|l| l.unwrap_or(top)).collect()
}

/// The curve of an arrow from the box at `from` (its bottom middle) to the
/// box at `to` (its top middle when below, its bottom middle otherwise), as
/// an SVG path.
fn arrow_path((x1, y1): (f64, f64), (x2, y2): (f64, f64)) -> String {
    let (sx, sy) = (x1 + NODE_W / 2.0, y1 + NODE_H);
    let (tx, ty) = if y2 > y1 { (x2 + NODE_W / 2.0, y2) } else { (x2 + NODE_W / 2.0, y2 + NODE_H) };
    let bend = ((ty - sy).abs() / 2.0).max(30.0);
    let (c1, c2) = if y2 > y1 { (sy + bend, ty - bend) } else { (sy + bend, ty + bend) };
    format!("M{sx:.1},{sy:.1} C{sx:.1},{c1:.1} {tx:.1},{c2:.1} {tx:.1},{ty:.1}")
}

/// Where the layered layout puts each node, and the drawing's size.
struct Placement {
    xy: Vec<(f64, f64)>,
    /// The top of each layer's first row.
    layer_y: Vec<f64>,
    total_w: f64,
    height: f64,
}

/// The layered placement shared by the drawings: one row per layer (the
/// highest on top), ordered within a row by the mean position of the
/// neighbours (a few barycentre sweeps up and down, ties by index:
/// deterministic), rows of more than [`ROW_MAX`] wrapped.
fn place(layer: &[u32], needs: &[Vec<usize>]) -> Placement {
    let n = layer.len();
    let layers = layer.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, &l) in layer.iter().enumerate() {
        rows[l as usize].push(i);
    }
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, list) in needs.iter().enumerate() {
        for &m in list {
            needed_by[m].push(i);
        }
    }
    let mut pos = vec![0.0_f64; n];
    let place = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for row in rows {
            for (k, &i) in row.iter().enumerate() {
                pos[i] = k as f64 - row.len() as f64 / 2.0;
            }
        }
    };
    place(&rows, &mut pos);
    for _ in 0..4 {
        for (l, neighbours) in [(0..layers).collect::<Vec<_>>(), (0..layers).rev().collect()]
            .into_iter()
            .zip([needs, &needed_by])
        {
            for li in l {
                let mut keyed: Vec<(f64, usize)> = rows[li]
                    .iter()
                    .map(|&i| {
                        let near: Vec<f64> = neighbours[i]
                            .iter()
                            .filter(|&&m| layer[m] != layer[i])
                            .map(|&m| pos[m])
                            .collect();
                        let key = if near.is_empty() {
                            pos[i]
                        } else {
                            near.iter().sum::<f64>() / near.len() as f64
                        };
                        (key, i)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                rows[li] = keyed.into_iter().map(|(_, i)| i).collect();
                for (k, &i) in rows[li].iter().enumerate() {
                    pos[i] = k as f64 - rows[li].len() as f64 / 2.0;
                }
            }
        }
    }
    // Each layer becomes one or more sub-rows of at most ROW_MAX nodes,
    // consecutive in barycentre order; the highest layer is drawn on top.
    let sub_rows = |len: usize| len.div_ceil(ROW_MAX).max(1);
    let widest = rows.iter().map(|r| r.len().min(ROW_MAX)).max().unwrap_or(1).max(1) as f64;
    let wraps = rows.iter().any(|r| r.len() > ROW_MAX);
    let half_slot = if wraps { f64::midpoint(NODE_W, GAP_X) } else { 0.0 };
    let width = widest * (NODE_W + GAP_X) + GAP_X + half_slot;
    let label_w = 70.0;
    let mut xy = vec![(0.0, 0.0); n];
    let mut layer_y = vec![0.0; layers];
    let mut y = GAP_Y / 2.0;
    for l in (0..layers).rev() {
        layer_y[l] = y;
        let row = &rows[l];
        let per = row.len().div_ceil(sub_rows(row.len())).max(1);
        for (s, chunk) in row.chunks(per).enumerate() {
            let row_w = chunk.len() as f64 * (NODE_W + GAP_X) - GAP_X;
            let left = label_w + (width - half_slot - row_w) / 2.0;
            // Alternate sub-rows are shifted by half a slot so that arrows
            // into the lower one pass between the boxes of the upper one.
            let shift = if s % 2 == 1 { half_slot } else { 0.0 };
            for (k, &i) in chunk.iter().enumerate() {
                xy[i] = (left + shift + k as f64 * (NODE_W + GAP_X), y);
            }
            y += NODE_H + SUB_GAP_Y;
        }
        y += GAP_Y - SUB_GAP_Y;
    }
    let height = y - GAP_Y / 2.0;
    let total_w = width + label_w;
    Placement { xy, layer_y, total_w, height }
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}
