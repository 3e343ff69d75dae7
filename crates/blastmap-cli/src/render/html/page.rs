//! The page itself: header, diagram section, tables and charts.

use std::fmt::Write as _;

use blastmap_analysis::availability::{Availability, Method};
use blastmap_analysis::cold_start::ColdStart;
use blastmap_analysis::report::Report;
use blastmap_manifest::{ComponentId, Model};

use crate::render::diagram::{COLLAPSE_THRESHOLD, ClusterBy};
use crate::render::fate::explain;
use crate::render::html::{Drawing, esc, inline_svg, layout, script_json, text};
use crate::render::report::{
    PAIRS_SHOWN, SPOFS_SHOWN, broad_culprits, costs, cycle_text, first, implied_note, interval, is_broad,
    percent, skipped_cuts, slo_rows, summary, top, undefined_line, why,
};
use crate::render::{plural, safe};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// The page. `waves` gives the built-in layout its rows (the report's
/// cold start, or one computed for the page).
pub(crate) fn render(
    model: &Model,
    report: &Report,
    waves: &ColdStart,
    name: &str,
    top_n: usize,
    drawing: Drawing,
    view: View<'_>,
) -> String {
    let by = view.by;
    let down: Option<Vec<u32>> = report.radii.as_ref().map(|r| r.iter().map(|r| r.down).collect());
    let (diagram, diagram_note) = diagram_svg(model, waves, drawing, down.as_deref(), by);
    let data = super::data::Data { model, report, waves, by };
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
    if let Some(line) = undefined_line(model, &|c| text(&model.component(c).id)) {
        let _ = writeln!(out, "<p class=\"bm-warn\">{line}</p>");
    }
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
    out.push_str(&spofs(model, report, view.runbooks));
    out.push_str(&redundancy(model, report));
    out.push_str(&availability_chart(model, report));
    out.push_str(&cold_start_section(model, report, waves));
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
    out
}

/// The diagram: (layout name, inline SVG) and a caption.
fn diagram_svg(
    model: &Model,
    waves: &ColdStart,
    drawing: Drawing,
    down: Option<&[u32]>,
    by: ClusterBy,
) -> ((&'static str, String), String) {
    let collapsed = model.len() > COLLAPSE_THRESHOLD;
    let scene = collapsed.then(|| super::graphviz_scene(model, None, by));
    let grouped = || {
        let mut folded = String::new();
        for note in scene.iter().flat_map(|s| s.notes.iter()).filter(|n| n.starts_with("folded to fit")) {
            let _ = write!(folded, " {}.", crate::render::report::capitalised(note));
        }
        format!(
            "{} (more than {COLLAPSE_THRESHOLD}) drawn as groups, each arrow counting the requirements it stands \
             for: use the tables and the search box to explore single components, or `blastmap graph --focus ID` \
             for the neighbourhood of one.{folded}",
            plural(model.len(), "component")
        )
    };
    match drawing {
        Drawing::Graphviz(svg) => {
            let caption = if collapsed {
                format!("Drawn by Graphviz. {}", grouped())
            } else {
                // Labels repeated on many arrows into one box are said here once.
                let mut caption =
                    "Drawn by Graphviz, clustered by system. Arrows point from a component to what it needs."
                        .to_owned();
                let scene = super::graphviz_scene(model, down, by);
                for note in scene.notes.iter().filter(|n| n.starts_with("arrows into ")) {
                    let _ = write!(caption, " {}.", crate::render::report::capitalised(note));
                }
                caption
            };
            (("graphviz", inline_svg(&svg)), caption)
        }
        Drawing::Builtin(why) => {
            let why =
                why.map(|w| format!("{}; drawn by the built-in layout. ", safe(&w))).unwrap_or_default();
            if let Some(scene) = &scene {
                (("builtin", layout::scene_svg(scene)), format!("{why}{}", grouped()))
            } else {
                let caption = format!(
                    "{why}Layered by cold-start wave: what a component needs sits below it. Arrows point from a \
                     component to what it needs."
                );
                (("builtin", layout::builtin_svg(model, waves, down)), caption)
            }
        }
    }
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

/// What the SPOF and thin-redundancy sections say when nothing is critical
/// (docs/semantics.md#criticality-missing).
const NOTHING_CRITICAL: &str = "<p class=\"bm-warn\"><strong>None can be reported: no component is critical.</strong> \
     Mark the components users reach <code>entrypoint: true</code> (or <code>tier: 1</code>); until then this \
     section reads like an all-clear that it is not.</p>\n";

/// The headline numbers as cards.
fn cards(model: &Model, report: &Report) -> String {
    let critical = model.components().filter(|c| c.is_critical()).count();
    let mut cards = vec![
        (report.components.to_string(), "components".to_owned(), ""),
        (critical.to_string(), "critical (tier 1 or entrypoint)".to_owned(), ""),
    ];
    if report.spofs.is_some() {
        let all = crate::render::report::critical_spofs(report);
        if critical == 0 && !model.is_empty() {
            // Not zero: unknown until something is critical.
            cards.push((
                "?".to_owned(),
                "single points of failure: nothing is critical".to_owned(),
                "bm-bad",
            ));
        } else {
            cards.push((all.len().to_string(), "single points of failure".to_owned(), bad(!all.is_empty())));
        }
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
        ("bm-sw-failed", "failed (what you picked)"),
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
    out.push_str(
        "<li><span class=\"bm-badge\">N</span>hub: its failure alone takes down N (\
         \u{201c}takes down N\u{201d} in a Graphviz drawing)</li>\n",
    );
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

/// How the page shows the inventory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    /// What the boxes of the overview are.
    pub by: ClusterBy,
    /// The folder (as a link from the page) of the runbooks that
    /// `runbook --all-spofs --format html` wrote: each single point of
    /// failure links to its own.
    pub runbooks: Option<&'a str>,
}

/// Links to the runbook of every single point of failure of a critical
/// component, in `dir` (an `href` relative to the page).
fn runbook_links(model: &Model, report: &Report, dir: &str) -> String {
    let all = crate::render::report::critical_spofs(report);
    if all.is_empty() {
        return String::new();
    }
    let dir = dir.trim_end_matches('/');
    let links: Vec<String> = all
        .iter()
        .map(|&c| {
            let file = crate::render::runbook::file_name(model, c, "html");
            format!("<a href=\"{}/{}\">{}</a>", esc(dir), esc(&file), text(&model.component(c).id))
        })
        .collect();
    format!("<p class=\"bm-runbooks\">Runbooks (what to do when it fails): {}</p>\n", links.join(", "))
}

fn spofs(model: &Model, report: &Report, runbooks: Option<&str>) -> String {
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
        let total = crate::render::report::spof_total(report, c);
        let _ = writeln!(
            body,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            pick(model, c),
            model.component(c).tier,
            total,
            if list.is_empty() {
                "<span class=\"bm-muted\">none</span>".to_owned()
            } else {
                let more = total.saturating_sub(SPOFS_SHOWN);
                let mut shown = picks(model, first(list));
                if more > 0 {
                    let _ = write!(shown, " <span class=\"bm-muted\">+ {more} more</span>");
                }
                shown
            }
        );
    }
    body.push_str("</tbody>\n</table>\n");
    if let Some(dir) = runbooks {
        body.push_str(&runbook_links(model, report, dir));
    }
    if !any {
        NOTHING_CRITICAL.clone_into(&mut body);
    }
    section("bm-h-spof", "Single points of failure", &body)
}

/// Group failures listed in the page; the rest are counted.
const HTML_LISTED: usize = 200;

fn redundancy(model: &Model, report: &Report) -> String {
    let mut out = String::new();
    if let Some(illusory) = &report.illusory_redundancy {
        let mut body =
            String::from("<p class=\"bm-muted\">Redundancy that one failure defeats (shared fate).</p>\n");
        let (broad, local): (Vec<_>, Vec<_>) = illusory.listed.iter().partition(|t| is_broad(model, t));
        if illusory.listed.is_empty() {
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
        if let Some(line) = implied_note(illusory) {
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
            if !model.is_empty() && !model.components().any(blastmap_manifest::Component::is_critical) {
                body.push_str(NOTHING_CRITICAL);
            } else if report.cuts.as_ref().is_some_and(Result::is_ok) {
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
                    .take(PAIRS_SHOWN)
                    .map(|[a, b]| {
                        format!(
                            "<span class=\"bm-pair\">{} + {}</span>",
                            text(&model.component(*a).id),
                            text(&model.component(*b).id)
                        )
                    })
                    .collect();
                if c.pairs.len() > PAIRS_SHOWN {
                    pairs.push(format!(
                        "<span class=\"bm-muted\">+ {} more</span>",
                        c.pairs.len() - PAIRS_SHOWN
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

/// Longest id the availability chart writes whole (longer ones are
/// shortened in the middle, the full id in the row's tooltip).
const CHART_LABEL: usize = 40;

/// `text` of at most `max` characters, cut in the middle with an ellipsis
/// (ids differ at both ends: `payments-db-primary` and `…-replica`).
fn shorten_id(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max {
        return text.to_owned();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = chars.iter().take(head).collect();
    out.push('…');
    out.extend(chars.iter().skip(chars.len() - tail));
    out
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
    // Room for the longest label and value, so that neither is ever cut:
    // ids (13 px monospace, about 8 px a character) longer than
    // CHART_LABEL characters are shortened, the full id in the row's
    // tooltip; values (12 px, bold when missed) about 7.5 px a character.
    let label = |c: ComponentId| shorten_id(&safe(&model.component(c).id), CHART_LABEL);
    let verdict = |c: ComponentId, a: Option<&Availability>, ok: bool| {
        let slo = model.component(c).slo.unwrap_or(100.0);
        format!(
            "{} {} · SLO {slo}%",
            if ok { "ok" } else { "MISS" },
            a.map_or("100%".to_owned(), |a| percent(a.value))
        )
    };
    let longest_label = rows.iter().map(|(c, _, _)| label(*c).chars().count()).max().unwrap_or(0);
    let longest_value = rows.iter().map(|(c, a, ok)| verdict(*c, *a, *ok).chars().count()).max().unwrap_or(0);
    let label_w = (longest_label as f64 * 8.0 + 18.0).max(90.0);
    let value_w = longest_value as f64 * 7.5 + 16.0;
    let (chart_w, row_h, top_pad) = (520.0, 34.0, 26.0);
    let x = |n: f64| label_w + (n / top_scale).min(1.0) * chart_w;
    let height = top_pad + row_h * rows.len() as f64 + 8.0;
    // The last tick's label is centred on the end of the scale.
    let width = label_w + chart_w + value_w.max(40.0);
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
            esc(&label(*c))
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
            "<text class=\"bm-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            label_w + chart_w + 8.0,
            y + 17.0,
            esc(&verdict(*c, *a, *ok)),
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

/// How many components of one cold-start wave (and of those that never
/// start) the page lists; the rest are counted. A 10,000-component
/// inventory's waves took 740 kB of the page.
const WAVE_LISTED: usize = 60;

fn cold_start_section(model: &Model, report: &Report, waves: &ColdStart) -> String {
    let mut body = String::new();
    if report.cycles.is_empty() {
        body.push_str("<p>No hard cycles: the system can start from nothing.</p>\n");
    } else {
        body.push_str("<p><strong>Hard cycles</strong> (cannot cold-start as a whole):</p>\n<ul>\n");
        for (cycle, path) in report.cycles.iter().zip(&report.cycle_paths) {
            let _ = writeln!(body, "<li>{}</li>", cycle_text(cycle, path, &|c| pick(model, c)));
        }
        body.push_str("</ul>\n");
    }
    if report.cold_start.is_some() {
        body.push_str(
            "<p class=\"bm-muted\">After a total outage, in the order components can start (soft requirements \
             never block).</p>\n<ol class=\"bm-waves\" start=\"0\">\n",
        );
        for (i, wave) in waves.waves.iter().enumerate() {
            let shown = wave.get(..wave.len().min(WAVE_LISTED)).unwrap_or_default();
            let more = wave.len() - shown.len();
            let more = if more > 0 {
                format!(
                    " <span class=\"bm-muted\">+ {more} more (every one: the JSON report's <code>waves</code>)</span>"
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                body,
                "<li><span class=\"bm-wave\">wave {i}</span> {}{more}</li>",
                picks(model, shown)
            );
        }
        body.push_str("</ol>\n");
        let never = waves.never_starts.len();
        if never > WAVE_LISTED {
            let _ = writeln!(
                body,
                "<p class=\"bm-muted\">{never} components never start; the first {WAVE_LISTED} by id, with why \
                 (every one: the JSON report's <code>never_starts</code>):</p>"
            );
        }
        for n in waves.never_starts.iter().take(WAVE_LISTED) {
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
