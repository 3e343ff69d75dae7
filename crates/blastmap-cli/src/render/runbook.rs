//! `blastmap runbook` outputs: the emergency plan of a failure, user
//! impact first, as Markdown, a standalone HTML page and
//! `blastmap.runbook/v1` JSON.

use blastmap_analysis::runbook::Runbook;
use blastmap_analysis::simulate::State;
use blastmap_manifest::{ComponentId, Model};
use serde_json::{Value, json};

use crate::render::html::esc;
use crate::render::path::{Paths, describe, group_name, group_status};
use crate::render::report::md;
use crate::render::safe;
use crate::render::simulation::reduced;

fn ids(model: &Model, list: &[ComponentId]) -> Vec<String> {
    list.iter().map(|&c| model.component(c).id.clone()).collect()
}

/// Entrypoints that are not up: down first, then by weight, heaviest first.
fn entrypoints(model: &Model, rb: &Runbook) -> Vec<(ComponentId, State)> {
    let sim = &rb.simulation;
    let mut list: Vec<(ComponentId, State)> = model
        .ids()
        .filter(|&c| model.component(c).entrypoint && sim.state(c) != State::Up)
        .map(|c| (c, sim.state(c)))
        .collect();
    list.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(model.component(b.0).weight.total_cmp(&model.component(a.0).weight))
            .then(a.0.cmp(&b.0))
    });
    list
}

fn state_word(rb: &Runbook, c: ComponentId) -> &'static str {
    if rb.simulation.is_failed(c) { "failed" } else { rb.simulation.state(c).as_str() }
}

fn degraded(rb: &Runbook) -> Vec<ComponentId> {
    rb.simulation.affected().filter(|&c| rb.simulation.state(c) == State::Degraded).collect()
}

/// Health checks in recovery order: every failed or down component with a
/// `health` URL, then the degraded ones; and the affected ones without.
fn checks(model: &Model, rb: &Runbook) -> (Vec<(ComponentId, String)>, Vec<ComponentId>) {
    let order: Vec<ComponentId> = rb.recovery.iter().flatten().copied().chain(degraded(rb)).collect();
    let mut with = Vec::new();
    let mut without = Vec::new();
    for c in order {
        match &model.component(c).health {
            Some(url) => with.push((c, url.clone())),
            None => without.push(c),
        }
    }
    (with, without)
}

/// `blastmap.runbook/v1`.
pub(crate) fn json(model: &Model, rb: &Runbook) -> Value {
    let sim = &rb.simulation;
    let paths = Paths::new(model, sim);
    let (with, without) = checks(model, rb);
    json!({
        "schema": "blastmap.runbook/v1",
        "failed": ids(model, sim.failed()),
        "impact": {
            "entrypoints": entrypoints(model, rb).iter().map(|&(c, s)| json!({
                "id": model.component(c).id, "state": s.as_str(), "weight": model.component(c).weight,
            })).collect::<Vec<_>>(),
            "down": sim.affected().filter(|&c| sim.state(c) == State::Down).count(),
            "degraded": degraded(rb).len(),
        },
        "down_by_root": rb.by_root.iter().map(|(root, list)| json!({
            "root": model.component(*root).id,
            "components": list.iter().map(|&c| json!({
                "id": model.component(c).id, "path": describe(model, sim, &paths, c),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "page": rb.page.iter().map(|p| json!({
            "owner": p.owner, "tier": p.tier, "share": p.share, "components": ids(model, &p.components),
        })).collect::<Vec<_>>(),
        "keeps_working": ids(model, &degraded(rb)),
        "redundancy_reduced": reduced(model, sim).iter().map(|&(c, r)| json!({
            "id": model.component(c).id,
            "group": model.component(c).requirements.get(r).map(|req| group_name(model, req)),
        })).collect::<Vec<_>>(),
        "recovery": rb.recovery.iter().map(|w| ids(model, w)).collect::<Vec<_>>(),
        "never_recovers": ids(model, &rb.never_recovers),
        "checks": with.iter().map(|(c, u)| json!({"id": model.component(*c).id, "health": u})).collect::<Vec<_>>(),
        "unchecked": ids(model, &without),
    })
}

fn md_ids(model: &Model, list: &[ComponentId]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    list.iter().map(|&c| md(&model.component(c).id)).collect::<Vec<_>>().join(", ")
}

/// The runbook as Markdown.
pub(crate) fn markdown(model: &Model, rb: &Runbook) -> String {
    let sim = &rb.simulation;
    let failed = md_ids(model, sim.failed());
    let mut out = format!("# Runbook: {failed} down\n\n");
    let down = sim.affected().filter(|&c| sim.state(c) == State::Down).count();
    out.push_str(&format!(
        "Predicted from the inventory: {} down with it, {} degraded (of {}).\n\n",
        down,
        degraded(rb).len(),
        model.len()
    ));
    out.push_str("## 1. User impact\n\n");
    let entry = entrypoints(model, rb);
    if entry.is_empty() {
        if model.components().any(|c| c.entrypoint) {
            out.push_str("No entrypoint is affected: users should not notice.\n\n");
        } else {
            out.push_str("Unknown: no component is marked `entrypoint: true`, so the impact on users cannot be told. Mark what users reach.\n\n");
        }
    } else {
        out.push_str("| entrypoint | state | weight |\n| --- | --- | ---: |\n");
        for (c, _) in &entry {
            out.push_str(&format!(
                "| {} | **{}** | {} |\n",
                md(&model.component(*c).id),
                state_word(rb, *c),
                model.component(*c).weight
            ));
        }
        out.push('\n');
    }
    out.push_str("## 2. What is down and why\n\n");
    if rb.by_root.is_empty() {
        out.push_str("Nothing else goes down.\n\n");
    }
    let paths = Paths::new(model, sim);
    for (root, list) in &rb.by_root {
        out.push_str(&format!(
            "**Because `{}` failed** ({}):\n\n",
            md(&model.component(*root).id).replace('`', "'"),
            list.len()
        ));
        for &c in list {
            out.push_str(&format!(
                "- {}: {}\n",
                md(&model.component(c).id),
                md(&describe(model, sim, &paths, c))
            ));
        }
        out.push('\n');
    }
    out.push_str("## 3. Whom to page\n\n");
    for p in &rb.page {
        let who = p.owner.as_deref().map_or_else(|| "**nobody** (no `owner`)".to_owned(), md);
        out.push_str(&format!(
            "- {who}: tier {}, {:.0}% of their components affected: {}\n",
            p.tier,
            p.share * 100.0,
            md_ids(model, &p.components)
        ));
    }
    out.push('\n');
    out.push_str("## 4. What keeps working (degraded)\n\n");
    out.push_str(&format!("{}\n\n", md_ids(model, &degraded(rb))));
    let thin = reduced(model, sim);
    if !thin.is_empty() {
        out.push_str("Redundancy reduced (still met; one more failure may take them down):\n\n");
        for (c, r) in &thin {
            let req = &model.component(*c).requirements[*r];
            out.push_str(&format!(
                "- {}: {} {}\n",
                md(&model.component(*c).id),
                md(&group_name(model, req)),
                md(&group_status(req, sim))
            ));
        }
        out.push('\n');
    }
    out.push_str("## 5. Recovery order\n\nOnce the failed components are back, restart (or confirm) in waves; each wave needs the ones before it.\n\n");
    for (i, wave) in rb.recovery.iter().enumerate() {
        let label = if i == 0 { "bring back".to_owned() } else { format!("wave {i}") };
        out.push_str(&format!("{}. {label}: {}\n", i + 1, md_ids(model, wave)));
    }
    if !rb.never_recovers.is_empty() {
        out.push_str(&format!(
            "\n**Never restarts on its own** (a hard cycle among what is down): {}. Break the cycle by hand (start one without its dependency) or declare the cycle's dependency soft.\n",
            md_ids(model, &rb.never_recovers)
        ));
    }
    out.push('\n');
    out.push_str("## 6. Checks that confirm recovery\n\n");
    let (with, without) = checks(model, rb);
    for (c, url) in &with {
        out.push_str(&format!(
            "- {}: `curl -fsS {}`\n",
            md(&model.component(*c).id),
            url.replace('`', "%60")
        ));
    }
    if !without.is_empty() {
        out.push_str(&format!(
            "- no `health` URL, check by hand (and add `health:` to the inventory): {}\n",
            md_ids(model, &without)
        ));
    }
    out.push('\n');
    out
}

fn html_ids(model: &Model, list: &[ComponentId]) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    list.iter()
        .map(|&c| format!("<code>{}</code>", esc(&safe(&model.component(c).id))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The runbook as a standalone HTML page (nothing fetched).
pub(crate) fn html(model: &Model, rb: &Runbook) -> String {
    let sim = &rb.simulation;
    let text = |s: &str| esc(&safe(s));
    let mut body = String::new();
    let failed = html_ids(model, sim.failed());
    body.push_str(&format!("<h1>Runbook: {failed} down</h1>\n"));
    let down = sim.affected().filter(|&c| sim.state(c) == State::Down).count();
    body.push_str(&format!(
        "<p>Predicted from the inventory: {down} down with it, {} degraded (of {}).</p>\n",
        degraded(rb).len(),
        model.len()
    ));
    body.push_str("<h2>1. User impact</h2>\n");
    let entry = entrypoints(model, rb);
    if entry.is_empty() {
        body.push_str(if model.components().any(|c| c.entrypoint) {
            "<p>No entrypoint is affected: users should not notice.</p>\n"
        } else {
            "<p>Unknown: no component is marked <code>entrypoint: true</code>, so the impact on users cannot be told.</p>\n"
        });
    } else {
        body.push_str("<table><tr><th>entrypoint</th><th>state</th><th>weight</th></tr>\n");
        for (c, _) in &entry {
            let state = state_word(rb, *c);
            body.push_str(&format!(
                "<tr><td><code>{}</code></td><td class=\"{state}\">{state}</td><td>{}</td></tr>\n",
                text(&model.component(*c).id),
                model.component(*c).weight
            ));
        }
        body.push_str("</table>\n");
    }
    body.push_str("<h2>2. What is down and why</h2>\n");
    if rb.by_root.is_empty() {
        body.push_str("<p>Nothing else goes down.</p>\n");
    }
    let paths = Paths::new(model, sim);
    for (root, list) in &rb.by_root {
        body.push_str(&format!(
            "<h3>Because <code>{}</code> failed ({})</h3>\n<ul>\n",
            text(&model.component(*root).id),
            list.len()
        ));
        for &c in list {
            body.push_str(&format!(
                "<li><code>{}</code>: {}</li>\n",
                text(&model.component(c).id),
                text(&describe(model, sim, &paths, c))
            ));
        }
        body.push_str("</ul>\n");
    }
    body.push_str("<h2>3. Whom to page</h2>\n<ul>\n");
    for p in &rb.page {
        let who = p.owner.as_deref().map_or_else(
            || "<strong>nobody</strong> (no owner)".to_owned(),
            |o| format!("<strong>{}</strong>", text(o)),
        );
        body.push_str(&format!(
            "<li>{who}: tier {}, {:.0}% of their components affected: {}</li>\n",
            p.tier,
            p.share * 100.0,
            html_ids(model, &p.components)
        ));
    }
    body.push_str("</ul>\n<h2>4. What keeps working (degraded)</h2>\n");
    body.push_str(&format!("<p>{}</p>\n", html_ids(model, &degraded(rb))));
    let thin = reduced(model, sim);
    if !thin.is_empty() {
        body.push_str("<p>Redundancy reduced (still met; one more failure may take them down):</p>\n<ul>\n");
        for (c, r) in &thin {
            let req = &model.component(*c).requirements[*r];
            body.push_str(&format!(
                "<li><code>{}</code>: {} {}</li>\n",
                text(&model.component(*c).id),
                text(&group_name(model, req)),
                text(&group_status(req, sim))
            ));
        }
        body.push_str("</ul>\n");
    }
    body.push_str("<h2>5. Recovery order</h2>\n<p>Once the failed components are back, restart (or confirm) in waves.</p>\n<ol>\n");
    for (i, wave) in rb.recovery.iter().enumerate() {
        let label = if i == 0 { "bring back".to_owned() } else { format!("wave {i}") };
        body.push_str(&format!("<li>{label}: {}</li>\n", html_ids(model, wave)));
    }
    body.push_str("</ol>\n");
    if !rb.never_recovers.is_empty() {
        body.push_str(&format!(
            "<p class=\"down\"><strong>Never restarts on its own</strong> (a hard cycle among what is down): {}</p>\n",
            html_ids(model, &rb.never_recovers)
        ));
    }
    body.push_str("<h2>6. Checks that confirm recovery</h2>\n<ul>\n");
    let (with, without) = checks(model, rb);
    for (c, url) in &with {
        body.push_str(&format!(
            "<li><code>{}</code>: <code>curl -fsS {}</code></li>\n",
            text(&model.component(*c).id),
            text(url)
        ));
    }
    if !without.is_empty() {
        body.push_str(&format!(
            "<li>no <code>health</code> URL, check by hand: {}</li>\n",
            html_ids(model, &without)
        ));
    }
    body.push_str("</ul>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Runbook: {}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        text(&ids(model, sim.failed()).join(", ")),
        STYLE
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1a1a1a}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #ddd}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}\
.down,.failed{color:#b2182b;font-weight:bold}.degraded{color:#8a6d00;font-weight:bold}code{background:#f4f4f4;padding:0 .2rem}";

/// The file name of the runbook of `c` in a directory of runbooks: the id
/// with anything but letters, digits, `.`, `_` and `-` replaced, and the
/// index when that changed it (so that two ids never share a file).
pub(crate) fn file_name(model: &Model, c: ComponentId, extension: &str) -> String {
    let id = &model.component(c).id;
    let clean: String = id
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-') { ch } else { '_' })
        .take(80)
        .collect();
    let clean = clean.trim_start_matches('.').to_owned();
    if &clean == id { format!("{clean}.{extension}") } else { format!("{clean}-{}.{extension}", c.index()) }
}
