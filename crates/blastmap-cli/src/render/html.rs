//! `report --format html`: one self-contained page for design reviews.
//!
//! Everything is inline (CSS, script, SVG): the page is mailed, attached to
//! tickets and opened offline, so it never fetches anything. The diagram is
//! Graphviz's SVG when `dot` is available (nodes and edges carry element ids
//! made from model indices, see [`crate::render::dot::DotOptions`]),
//! otherwise a built-in layered layout by cold-start wave.
//!
//! The script does no analysis: per component, the page embeds what the
//! engine computed for its single failure (the down and degraded ids of the
//! sweep, the cascade path of every affected component from `simulate`, and
//! the diagram elements on those paths), and the script only shows it.
//!
//! Escaping: every text from the manifest goes through [`esc`] (HTML and SVG
//! text and attributes alike), after [`safe`] made control characters
//! visible. The embedded JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so no
//! name can close the `<script>` element that holds it. The script builds
//! the details panel with `textContent`, never from markup.

use std::fmt::Write as _;

use blastmap_analysis::availability::{Availability, Method};
use blastmap_analysis::cold_start::{ColdStart, cold_start};
use blastmap_analysis::net::Net;
use blastmap_analysis::report::{Report, explain};
use blastmap_analysis::simulate::{State, simulate_net};
use blastmap_manifest::{ComponentId, Mode, Model, Origin};
use serde_json::{Value, json};

use crate::cli::{ClusterBy, Direction, HtmlDiagram};
use crate::render::diagram::{self, COLLAPSE_THRESHOLD, Options};
use crate::render::dot::{self, DotOptions};
use crate::render::graphviz::{self, GraphvizError, Image};
use crate::render::path::group_name;
use crate::render::report::{
    SPOFS_SHOWN, broad_culprits, costs, first, implied_note, interval, is_broad, percent, skipped_cuts,
    slo_rows, summary, top, why,
};
use crate::render::{plural, safe};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Above this many components the page leaves out the per-failure cascade
/// paths: computing them is one simulation per component (quadratic), and
/// such inventories are drawn collapsed anyway. Radii are always embedded.
pub(crate) const PATHS_LIMIT: usize = 2000;

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
pub(crate) fn script_json(value: &Value) -> String {
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

/// The page.
pub(crate) fn render(
    model: &Model,
    report: &Report,
    name: &str,
    top_n: usize,
    how: HtmlDiagram,
) -> Result<String, String> {
    let waves = match &report.cold_start {
        Some(c) => std::borrow::Cow::Borrowed(c),
        None => std::borrow::Cow::Owned(cold_start(model)),
    };
    let (diagram, diagram_note) = diagram_svg(model, &waves, how)?;
    let data = data(model, report, &waves);
    let title = format!("blastmap report — {}", safe(name));

    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"blastmap\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>");
    out.push_str("<header class=\"bm-head\">\n<p class=\"bm-brand\">blastmap report</p>\n");
    let _ = writeln!(out, "<h1>{}</h1>", text(name));
    let _ = writeln!(out, "<p class=\"bm-summary\">{}</p>", esc(&summary(model, report, &safe(name))));
    out.push_str(&cards(model, report));
    out.push_str("</header>\n<main>\n");

    // The diagram with its controls and the details panel.
    out.push_str("<section class=\"bm-explore\" aria-labelledby=\"bm-h-diagram\">\n");
    out.push_str("<div class=\"bm-diagram-col\">\n<div class=\"bm-toolbar\">\n");
    out.push_str("<h2 id=\"bm-h-diagram\">What fails with what</h2>\n");
    out.push_str("<form class=\"bm-search\" id=\"bm-search-form\" role=\"search\">\n");
    out.push_str("<label for=\"bm-search\">Fail a component</label>\n");
    out.push_str(
        "<input id=\"bm-search\" list=\"bm-ids\" autocomplete=\"off\" spellcheck=\"false\" \
         placeholder=\"type an id, e.g. a database\">\n",
    );
    out.push_str("<button type=\"submit\">Show</button>\n");
    out.push_str("<button type=\"button\" id=\"bm-clear\">Clear</button>\n</form>\n");
    out.push_str("<datalist id=\"bm-ids\">\n");
    for c in model.components() {
        let _ = writeln!(out, "<option value=\"{}\">{}</option>", esc(&c.id), text(&c.name));
    }
    out.push_str("</datalist>\n</div>\n");
    out.push_str(&legend());
    out.push_str(
        "<p class=\"bm-hint no-print\">Click a component (or focus it with Tab and press Enter) to fail it: \
         the diagram shows what it takes down, what it degrades and the cascade paths. Escape clears.</p>\n",
    );
    if !diagram.1.is_empty() {
        out.push_str(
            "<div class=\"bm-zoom no-print\" role=\"group\" aria-label=\"Zoom the diagram\">\
             <button type=\"button\" data-zoom=\"out\" aria-label=\"Zoom out\">−</button>\
             <button type=\"button\" data-zoom=\"fit\">Fit</button>\
             <button type=\"button\" data-zoom=\"in\" aria-label=\"Zoom in\">+</button></div>\n",
        );
    }
    let _ = writeln!(out, "<figure id=\"bm-diagram\" class=\"bm-diagram\" data-layout=\"{}\">", diagram.0);
    out.push_str(&diagram.1);
    let _ = writeln!(out, "<figcaption>{}</figcaption>\n</figure>", esc(&diagram_note));
    out.push_str("</div>\n");
    out.push_str(
        "<aside class=\"bm-panel\" id=\"bm-details\" aria-live=\"polite\">\n<h2>Details</h2>\n\
         <p class=\"bm-muted\">No component selected. Pick one on the diagram, in a table or with the \
         search box.</p>\n</aside>\n",
    );
    out.push_str("</section>\n");

    out.push_str(&top_risks(model, report, top_n));
    out.push_str(&spofs(model, report));
    out.push_str(&redundancy(model, report));
    out.push_str(&availability_chart(model, report));
    out.push_str(&cold_start_section(model, report, &waves));
    out.push_str("</main>\n<footer class=\"bm-foot\">\n");
    out.push_str(
        "<p>Generated by blastmap. Failures are simulated one at a time under the semantics of the \
         manifest: hard requirements take a component down, soft ones degrade it, a group needs k of its n \
         members. Availability assumes independent failures.</p>\n</footer>\n",
    );
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"blastmap-data\">{}</script>",
        script_json(&data)
    );
    let _ = writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>");
    Ok(out)
}

/// A button that selects component `c` (the script wires it).
fn pick(model: &Model, c: ComponentId) -> String {
    format!(
        "<button type=\"button\" class=\"bm-pick\" data-c=\"{}\">{}</button>",
        c.index(),
        text(&model.component(c).id)
    )
}

fn picks(model: &Model, list: &[ComponentId]) -> String {
    list.iter().map(|&c| pick(model, c)).collect::<Vec<_>>().join(" ")
}

/// The headline numbers as cards.
fn cards(model: &Model, report: &Report) -> String {
    let critical = model.components().filter(|c| c.is_critical()).count();
    let mut cards = vec![
        (report.components.to_string(), "components".to_owned(), ""),
        (critical.to_string(), "critical (tier 1 or entrypoint)".to_owned(), ""),
    ];
    if let Some(spofs) = &report.spofs {
        let all = crate::render::report::critical_spofs(model, spofs);
        cards.push((all.len().to_string(), "single points of failure".to_owned(), bad(!all.is_empty())));
    }
    if let Some(avail) = &report.availability {
        let rows = slo_rows(model, avail);
        let missed = rows.iter().filter(|(_, _, ok)| !ok).count();
        cards.push((format!("{missed} of {}", rows.len()), "SLOs out of reach".to_owned(), bad(missed > 0)));
    }
    cards.push((report.cycles.len().to_string(), "hard cycles".to_owned(), bad(!report.cycles.is_empty())));
    if let Some(cold) = &report.cold_start {
        cards.push((cold.waves.len().to_string(), "cold-start waves".to_owned(), ""));
    }
    let mut out = String::from("<ul class=\"bm-cards\">\n");
    for (value, label, class) in cards {
        let _ = writeln!(
            out,
            "<li class=\"{class}\"><strong>{}</strong> <span>{}</span></li>",
            esc(&value),
            esc(&label)
        );
    }
    out.push_str("</ul>\n");
    out
}

fn bad(is_bad: bool) -> &'static str {
    if is_bad { "bm-bad" } else { "" }
}

fn legend() -> String {
    let mut out = String::from("<ul class=\"bm-legend\" aria-label=\"Legend\">\n");
    for (class, label) in [
        ("bm-sw-failed", "failed (the one you picked)"),
        ("bm-sw-down", "down"),
        ("bm-sw-degraded", "degraded"),
        ("bm-sw-up", "unaffected"),
    ] {
        let _ = writeln!(out, "<li><span class=\"bm-swatch {class}\"></span>{label}</li>");
    }
    out.push_str("<li><span class=\"bm-line bm-line-hot\"></span>cascade path</li>\n");
    out.push_str("<li><span class=\"bm-line\"></span>hard requirement</li>\n");
    out.push_str("<li><span class=\"bm-line bm-line-soft\"></span>soft (degrades)</li>\n");
    out.push_str("<li><span class=\"bm-line bm-line-place\"></span>placement</li>\n");
    out.push_str("</ul>\n");
    out
}

fn section(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section class=\"bm-section\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{title}</h2>\n{body}</section>\n"
    )
}

fn top_risks(model: &Model, report: &Report, top_n: usize) -> String {
    if report.radii.is_none() {
        return String::new();
    }
    let rows = top(report, top_n);
    if rows.is_empty() {
        return section("bm-h-top", "Top risks", "<p>No single failure affects anything else.</p>\n");
    }
    let max = rows.iter().map(|r| r.down).max().unwrap_or(1).max(1);
    let mut body = String::from(
        "<p class=\"bm-muted\">Components whose failure alone takes down the most others.</p>\n<table>\n<thead><tr>\
         <th scope=\"col\">component</th><th scope=\"col\">kind</th><th scope=\"col\" class=\"num\">down</th>\
         <th scope=\"col\" class=\"num\">degraded</th><th scope=\"col\" class=\"num\">critical</th>\
         <th scope=\"col\" class=\"num\">entrypoints</th><th scope=\"col\" class=\"num\">weight</th></tr></thead>\n<tbody>\n",
    );
    for r in rows {
        let c = model.component(r.component);
        let width = f64::from(r.down) / f64::from(max) * 100.0;
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\"><span class=\"bm-bar\" \
             style=\"width:{width:.0}%\"></span>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            pick(model, r.component),
            c.kind,
            r.down,
            r.degraded,
            r.critical_down,
            r.entrypoints_down,
            r.weight_down
        );
    }
    body.push_str("</tbody>\n</table>\n");
    section("bm-h-top", "Top risks by blast radius", &body)
}

fn spofs(model: &Model, report: &Report) -> String {
    let Some(spofs) = &report.spofs else { return String::new() };
    let mut body = String::from(
        "<p class=\"bm-muted\">For every critical component (tier 1 or entrypoint): the components whose \
         failure alone takes it down.</p>\n<table>\n<thead><tr><th scope=\"col\">component</th>\
         <th scope=\"col\" class=\"num\">tier</th><th scope=\"col\" class=\"num\">SPOFs</th>\
         <th scope=\"col\">fails alone with</th></tr></thead>\n<tbody>\n",
    );
    let mut any = false;
    for c in model.ids().filter(|&c| model.component(c).is_critical()) {
        any = true;
        let list = spofs.get(c.index()).and_then(Option::as_ref).map_or(&[][..], Vec::as_slice);
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            pick(model, c),
            model.component(c).tier,
            list.len(),
            if list.is_empty() {
                "<span class=\"bm-muted\">none</span>".to_owned()
            } else {
                let more = list.len().saturating_sub(SPOFS_SHOWN);
                let mut shown = picks(model, first(list));
                if more > 0 {
                    let _ = write!(shown, " <span class=\"bm-muted\">+ {more} more</span>");
                }
                shown
            }
        );
    }
    body.push_str("</tbody>\n</table>\n");
    if !any {
        "<p>No critical components.</p>\n".clone_into(&mut body);
    }
    section("bm-h-spof", "Single points of failure", &body)
}

/// Group failures listed in the page; the rest are counted.
const HTML_LISTED: usize = 200;

fn redundancy(model: &Model, report: &Report) -> String {
    let mut out = String::new();
    if let Some(thin) = &report.thin_redundancy {
        let mut body =
            String::from("<p class=\"bm-muted\">Redundancy that one failure defeats (shared fate).</p>\n");
        let (broad, local): (Vec<_>, Vec<_>) = thin.listed.iter().partition(|t| is_broad(model, t));
        if thin.listed.is_empty() {
            body.push_str("<p>None.</p>\n");
        }
        if !local.is_empty() {
            body.push_str("<ul>\n");
            for t in local.iter().take(HTML_LISTED) {
                let _ = writeln!(body, "<li>{}</li>", text(&explain(model, t)));
            }
            if local.len() > HTML_LISTED {
                let _ = writeln!(
                    body,
                    "<li class=\"bm-muted\">… and {} more (<code>--format json</code> lists every one)</li>",
                    local.len() - HTML_LISTED
                );
            }
            body.push_str("</ul>\n");
        }
        if !broad.is_empty() {
            let _ = writeln!(
                body,
                "<details><summary>{} defeated by a region or provider: {}</summary>\n<ul>",
                esc(&plural(broad.len(), "more group")),
                broad_culprits(&broad)
                    .iter()
                    .map(|&c| text(&model.component(c).id))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for t in broad.iter().take(HTML_LISTED) {
                let _ = writeln!(body, "<li>{}</li>", text(&explain(model, t)));
            }
            if broad.len() > HTML_LISTED {
                let _ =
                    writeln!(body, "<li class=\"bm-muted\">… and {} more</li>", broad.len() - HTML_LISTED);
            }
            body.push_str("</ul>\n</details>\n");
        }
        if let Some(line) = implied_note(thin) {
            let _ = writeln!(body, "<p class=\"bm-muted\">{}.</p>", esc(&line));
        }
        out.push_str(&section("bm-h-illusory", "Illusory redundancy", &body));
    }
    if let Some(cuts) = &report.cuts {
        let mut body = String::from(
            "<p class=\"bm-muted\">Pairs of failures that take a critical component down: redundancy that is \
             one failure away from gone.</p>\n",
        );
        let cuts = match cuts {
            Ok(cuts) => cuts.as_slice(),
            Err(skipped) => {
                let _ = writeln!(body, "<p>{}.</p>", esc(&skipped_cuts(skipped)));
                &[]
            }
        };
        let rows: Vec<_> = cuts
            .iter()
            .filter(|c| !c.pairs.is_empty() && model.component(c.component).is_critical())
            .collect();
        if rows.is_empty() {
            if report.cuts.as_ref().is_some_and(Result::is_ok) {
                body.push_str("<p>None.</p>\n");
            }
        } else {
            body.push_str(
                "<table>\n<thead><tr><th scope=\"col\">component</th><th scope=\"col\">pairs of failures</th></tr></thead>\n<tbody>\n",
            );
            for c in rows {
                let mut pairs: Vec<String> = c
                    .pairs
                    .iter()
                    .take(HTML_LISTED)
                    .map(|[a, b]| {
                        format!(
                            "<span class=\"bm-pair\">{} + {}</span>",
                            text(&model.component(*a).id),
                            text(&model.component(*b).id)
                        )
                    })
                    .collect();
                if c.pairs.len() > HTML_LISTED {
                    pairs.push(format!(
                        "<span class=\"bm-muted\">+ {} more</span>",
                        c.pairs.len() - HTML_LISTED
                    ));
                }
                let _ = writeln!(
                    body,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    pick(model, c.component),
                    pairs.join(" ")
                );
            }
            body.push_str("</tbody>\n</table>\n");
        }
        out.push_str(&section("bm-h-thin", "Thin redundancy", &body));
    }
    out
}

/// Availability as "nines" (−log10 of unavailability): 99.9% is 3. Bars on
/// that scale make the gap between 99.5% and 99.95% visible.
fn nines(a: f64) -> f64 {
    let u = (1.0 - a).max(1e-7);
    -u.log10()
}

fn availability_chart(model: &Model, report: &Report) -> String {
    let Some(avail) = &report.availability else { return String::new() };
    let rows = slo_rows(model, avail);
    if rows.is_empty() {
        return section("bm-h-avail", "Availability against SLO", "<p>No component sets an SLO.</p>\n");
    }
    let value = |a: Option<&Availability>| a.map_or(1.0, |a| a.value);
    let top_scale = rows
        .iter()
        .map(|(c, a, _)| nines(value(*a)).max(nines(model.component(*c).slo.unwrap_or(0.0) / 100.0)))
        .fold(3.0_f64, f64::max)
        .ceil()
        .min(7.0);
    let (label_w, chart_w, row_h, top_pad) = (170.0, 520.0, 34.0, 26.0);
    let x = |n: f64| label_w + (n / top_scale).min(1.0) * chart_w;
    let height = top_pad + row_h * rows.len() as f64 + 8.0;
    let width = label_w + chart_w + 170.0;
    let mut svg = format!(
        "<svg class=\"bm-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"bm-chart-title\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"bm-chart-title\">Availability ceiling of each component \
         with an SLO (bars), against its SLO (black marks), on a scale of nines</title>\n"
    );
    for k in 1..=7_i32 {
        let tick = f64::from(k);
        if tick > top_scale {
            break;
        }
        let label = format!("{}%", 100.0 - 100.0 / 10f64.powi(k));
        let _ = writeln!(
            svg,
            "<line class=\"bm-grid\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"16\" y2=\"{1:.1}\"/><text class=\"bm-tick\" \
             x=\"{0:.1}\" y=\"12\" text-anchor=\"middle\">{2}</text>",
            x(tick),
            height - 6.0,
            esc(&label)
        );
    }
    for (i, (c, a, ok)) in rows.iter().enumerate() {
        let comp = model.component(*c);
        let y = top_pad + row_h * i as f64;
        let v = value(*a);
        let slo = comp.slo.unwrap_or(100.0);
        let class = if *ok { "bm-ok" } else { "bm-miss" };
        let _ = writeln!(
            svg,
            "<g class=\"bm-row {class}\"><title>{}: ceiling {}, SLO {slo}%{}</title>",
            text(&comp.id),
            a.map_or("100% (nothing can fail)".to_owned(), |a| percent(a.value)),
            if *ok { "" } else { " — out of reach" }
        );
        let _ = writeln!(
            svg,
            "<text class=\"bm-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + 17.0,
            text(&comp.id)
        );
        let _ = writeln!(
            svg,
            "<rect class=\"bm-barfill\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" rx=\"3\"/>",
            y + 5.0,
            x(nines(v)) - label_w
        );
        if let Some(a) = a
            && matches!(a.method, Method::MonteCarlo { .. })
        {
            let _ = writeln!(
                svg,
                "<line class=\"bm-whisker\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{2:.1}\" y2=\"{2:.1}\"/>",
                x(nines(a.low)),
                x(nines(a.high)),
                y + 13.0
            );
        }
        let sx = x(nines(slo / 100.0));
        let _ = writeln!(
            svg,
            "<line class=\"bm-slo\" x1=\"{sx:.1}\" x2=\"{sx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            y + 1.0,
            y + 25.0
        );
        let _ = writeln!(
            svg,
            "<text class=\"bm-value\" x=\"{:.1}\" y=\"{:.1}\">{} {} · SLO {slo}%</text></g>",
            label_w + chart_w + 8.0,
            y + 17.0,
            if *ok { "ok" } else { "MISS" },
            a.map_or("100%".to_owned(), |a| percent(a.value)),
        );
    }
    svg.push_str("</svg>\n");
    let mut body = String::from(
        "<p class=\"bm-muted\">Ceiling under independent failures (bars, on a scale of nines) against the SLO \
         (black mark). A bar that stops short of its mark cannot meet its SLO whatever the team does alone.</p>\n",
    );
    body.push_str(&svg);
    body.push_str(
        "<table class=\"bm-compact\">\n<thead><tr><th scope=\"col\"></th><th scope=\"col\">component</th>\
         <th scope=\"col\" class=\"num\">SLO</th><th scope=\"col\" class=\"num\">ceiling</th>\
         <th scope=\"col\">95% interval</th><th scope=\"col\">costs most</th></tr></thead>\n<tbody>\n",
    );
    for (c, a, ok) in rows {
        let comp = model.component(c);
        let _ = writeln!(
            body,
            "<tr><td><span class=\"bm-mark {}\">{}</span></td><th scope=\"row\">{}</th><td class=\"num\">{}%</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            if ok { "bm-ok" } else { "bm-miss" },
            if ok { "ok" } else { "MISS" },
            pick(model, c),
            comp.slo.unwrap_or(0.0),
            a.map_or("100%".to_owned(), |a| percent(a.value)),
            a.map_or("nothing can fail".to_owned(), interval),
            a.map_or(String::new(), |a| esc(&costs(model, a)))
        );
    }
    body.push_str("</tbody>\n</table>\n");
    section("bm-h-avail", "Availability against SLO", &body)
}

fn cold_start_section(model: &Model, report: &Report, waves: &ColdStart) -> String {
    let mut body = String::new();
    if report.cycles.is_empty() {
        body.push_str("<p>No hard cycles: the system can start from nothing.</p>\n");
    } else {
        body.push_str("<p><strong>Hard cycles</strong> (cannot cold-start as a whole):</p>\n<ul>\n");
        for cycle in &report.cycles {
            let _ = writeln!(body, "<li>{}</li>", picks(model, cycle));
        }
        body.push_str("</ul>\n");
    }
    if report.cold_start.is_some() {
        body.push_str(
            "<p class=\"bm-muted\">After a total outage, in the order components can start (soft requirements \
             never block).</p>\n<ol class=\"bm-waves\" start=\"0\">\n",
        );
        for (i, wave) in waves.waves.iter().enumerate() {
            let _ = writeln!(body, "<li><span class=\"bm-wave\">wave {i}</span> {}</li>", picks(model, wave));
        }
        body.push_str("</ol>\n");
        for n in &waves.never_starts {
            let _ = writeln!(
                body,
                "<p class=\"bm-never\"><strong>Never starts:</strong> {} — {}</p>",
                pick(model, n.component),
                esc(&why(model, &n.why))
            );
        }
    }
    section("bm-h-cold", "Cycles and cold start", &body)
}

/// The embedded data: per component, what the engine computed for its
/// single failure. Components are referred to by index (as in `components`).
fn data(model: &Model, report: &Report, waves: &ColdStart) -> Value {
    let net = Net::new(model);
    let with_paths = model.len() <= PATHS_LIMIT;
    let index = |list: &[ComponentId]| list.iter().map(|c| c.index()).collect::<Vec<_>>();
    let components: Vec<Value> = model
        .ids()
        .map(|c| {
            let comp = model.component(c);
            let radius = report.radii.as_ref().and_then(|r| r.get(c.index()));
            let down = radius.and_then(|r| r.down_ids.as_deref()).map(index);
            let degraded = radius.and_then(|r| r.degraded_ids.as_deref()).map(index);
            let spofs =
                report.spofs.as_ref().and_then(|s| s.get(c.index()).and_then(Option::as_deref)).map(index);
            let avail = report.availability.as_ref().and_then(|a| a.get(c.index()).and_then(Option::as_ref));
            let (paths, hot) = if with_paths { cascade(model, &net, c) } else { (Vec::new(), Vec::new()) };
            json!({
                "id": comp.id,
                "name": safe(&comp.name),
                "kind": comp.kind.as_str(),
                "tier": comp.tier,
                "owner": comp.owner.as_deref().map(safe),
                "system": comp.system.as_deref().map(safe),
                "critical": comp.is_critical(),
                "entrypoint": comp.entrypoint,
                "declared": comp.availability,
                "ceiling": avail.map(|a| a.value),
                "slo": comp.slo,
                "slo_met": match (avail, comp.slo) {
                    (Some(a), Some(slo)) => Some(a.meets_slo(slo)),
                    (None, Some(_)) => Some(true),
                    _ => None,
                },
                "wave": waves.wave_of.get(c.index()).copied().flatten(),
                "down": down,
                "degraded": degraded,
                "spofs": spofs,
                "paths": paths,
                "hot": hot,
            })
        })
        .collect();
    json!({
        "schema": "blastmap.html/v1",
        "paths": with_paths,
        "components": components,
    })
}

/// For the single failure of `c`: the cascade path of every affected
/// component (indices, the affected one first, `c` last), with the path's
/// groups in words, and the element ids of the diagram on those paths.
fn cascade(model: &Model, net: &Net, c: ComponentId) -> (Vec<Value>, Vec<String>) {
    let sim = simulate_net(net, &[c]);
    let mut paths = Vec::new();
    let mut hot = Vec::new();
    for a in sim.affected() {
        let path = sim.path(a);
        let steps = sim.path_requirements(a);
        let mut words = Vec::new();
        for (i, &r) in steps.iter().enumerate() {
            let (Some(&from), Some(&to)) = (path.get(i), path.get(i + 1)) else { continue };
            let Some(req) = model.component(from).requirements.get(r as usize) else { continue };
            hot.push(format!("bm-e{}-{r}-{}", from.index(), to.index()));
            if req.is_group() {
                hot.push(format!("bm-e{}-{r}", from.index()));
                hot.push(format!("bm-j{}-{r}", from.index()));
            }
            let how = match (req.mode, req.is_group()) {
                (Mode::Soft, true) => format!("soft {}", group_name(model, req)),
                (Mode::Soft, false) => "soft".to_owned(),
                (Mode::Hard, true) => group_name(model, req),
                (Mode::Hard, false) if req.origin != Origin::DependsOn => "runs in".to_owned(),
                (Mode::Hard, false) => String::new(),
            };
            words.push(how);
        }
        paths.push(json!({
            "state": sim.state(a).as_str(),
            "path": path.iter().map(|p| p.index()).collect::<Vec<_>>(),
            "via": words,
        }));
        debug_assert!(sim.state(a) != State::Up);
    }
    hot.sort_unstable();
    hot.dedup();
    (paths, hot)
}

/// Arrows above which `--diagram auto` gives up on Graphviz: `dot` took 0.5 s
/// for 217 arrows between 40 groups (1k synthetic components), 32 s for
/// 682 and over two minutes for 1 947 (its ranking spreads such graphs over
/// dozens of ranks and routes every arrow through them).
pub(crate) const DENSE_EDGES: usize = 300;

/// The diagram: (layout name, inline SVG) and a caption.
fn diagram_svg(
    model: &Model,
    waves: &ColdStart,
    how: HtmlDiagram,
) -> Result<((&'static str, String), String), String> {
    let collapsed = model.len() > COLLAPSE_THRESHOLD;
    if how != HtmlDiagram::Builtin {
        let selected = vec![true; model.len()];
        let options = Options { cluster_by: ClusterBy::System, direction: Direction::Lr, all: false };
        let scene = diagram::scene(model, &selected, None, options, Vec::new());
        if how == HtmlDiagram::Auto && scene.edges.len() > DENSE_EDGES {
            let note = format!(
                "{} drawn as {} groups would need {} arrows between them: too dense for Graphviz to lay out in \
                 reasonable time (minutes), so the page has no diagram. Use the tables and the search box, or \
                 `blastmap graph --focus ID` for the neighbourhood of a component (`--diagram graphviz` insists on \
                 the whole).",
                plural(model.len(), "component"),
                scene.nodes.len(),
                scene.edges.len()
            );
            return Ok((("none", String::new()), note));
        }
        match graphviz::render(
            &dot::render_with(&scene, DotOptions { element_ids: true, omit_legend: true }),
            Image::Svg,
        ) {
            Ok(bytes) => {
                let svg = inline_svg(&String::from_utf8_lossy(&bytes));
                let caption = if collapsed {
                    format!(
                        "Drawn by Graphviz. {} (more than {COLLAPSE_THRESHOLD}) drawn as groups: use the tables and \
                         the search box to explore single components.",
                        plural(model.len(), "component")
                    )
                } else {
                    "Drawn by Graphviz, clustered by system. Arrows point from a component to what it needs."
                        .to_owned()
                };
                return Ok((("graphviz", svg), caption));
            }
            // `auto` falls back to the built-in layout whatever went wrong.
            Err(_) if how == HtmlDiagram::Auto => {}
            Err(GraphvizError::NotInstalled) => {
                return Err(
                    "`--diagram graphviz` needs the Graphviz `dot` program, which is not on PATH\n  help: \
                            install Graphviz (`apt-get install graphviz`, `brew install graphviz`) or use \
                            `--diagram builtin`"
                        .to_owned(),
                );
            }
            Err(GraphvizError::Failed(message)) => return Err(message),
        }
    }
    if collapsed {
        let note = format!(
            "{} (more than {COLLAPSE_THRESHOLD}): no diagram without Graphviz; use the tables and the search box.",
            plural(model.len(), "component")
        );
        return Ok((("none", String::new()), note));
    }
    Ok((
        ("builtin", builtin_svg(model, waves)),
        "Layered by cold-start wave: what a component needs sits below it. Arrows point from a component to \
         what it needs."
            .to_owned(),
    ))
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
fn builtin_svg(model: &Model, waves: &ColdStart) -> String {
    let n = model.len();
    let top_wave = waves.waves.len() as u32;
    let layer: Vec<u32> =
        (0..n).map(|i| waves.wave_of.get(i).copied().flatten().unwrap_or(top_wave)).collect();
    let layers = layer.iter().copied().max().map_or(0, |m| m as usize + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, &l) in layer.iter().enumerate() {
        rows[l as usize].push(i);
    }
    let needs: Vec<Vec<usize>> = model
        .components()
        .map(|c| c.requirements.iter().flat_map(|r| r.members.iter().map(|m| m.index())).collect())
        .collect();
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
            .zip([&needs, &needed_by])
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
                let (x2, y2) = xy[m.index()];
                let (sx, sy) = (x1 + NODE_W / 2.0, y1 + NODE_H);
                let (tx, ty) =
                    if y2 > y1 { (x2 + NODE_W / 2.0, y2) } else { (x2 + NODE_W / 2.0, y2 + NODE_H) };
                let bend = ((ty - sy).abs() / 2.0).max(30.0);
                let (c1, c2) = if y2 > y1 { (sy + bend, ty - bend) } else { (sy + bend, ty + bend) };
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
                    "<g class=\"{class}\" id=\"bm-e{}-{r}-{}\"><title>{} → {what}{}</title><path d=\"M{sx:.1},{sy:.1} \
                     C{sx:.1},{c1:.1} {tx:.1},{c2:.1} {tx:.1},{ty:.1}\"/></g>",
                    c.index(),
                    m.index(),
                    text(&model.component(c).id),
                    if req.mode == Mode::Soft { " (soft)" } else { "" }
                );
            }
        }
    }
    out.push_str("</g>\n<g class=\"bm-nodes\">\n");
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
    }
    out.push_str("</g>\n</svg>\n");
    out
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let back: Value = serde_json::from_str(&s).unwrap();
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
