//! `report` output: aligned text, Markdown for pull requests, and the
//! `blastmap.report/v1` JSON contract.

use blastmap_analysis::availability::{Availability, Method};
use blastmap_analysis::cold_start::WhyNot;
use blastmap_analysis::cuts::{Over, TooManyCandidates};
use blastmap_analysis::cycles::CyclePath;
use blastmap_analysis::report::Report;
use blastmap_analysis::spof::{IllusoryGroup, IllusoryRedundancy};
use blastmap_manifest::{Component, ComponentId, Model};

use crate::render::fate::explain;
use crate::render::{Table, join_and, plural, safe};
use crate::style::{Style, Tone};

/// Every component whose failure alone takes down a critical component,
/// sorted and once each.
pub(crate) fn critical_spofs(report: &Report) -> Vec<ComponentId> {
    // From the ranking, not from the SPOF lists: a failure is a SPOF of a
    // critical component exactly when it takes one down (besides itself),
    // and the lists may hold only their first ids (`--max-pairs`).
    let mut all: Vec<ComponentId> = report.ranking.iter().flatten().map(|r| r.component).collect();
    all.sort_unstable();
    all
}

/// How many SPOFs `c` has (0 unless the report computed them for it).
pub(crate) fn spof_total(report: &Report, c: ComponentId) -> usize {
    report.spof_totals.get(c.index()).map_or(0, |&t| t as usize)
}

/// What the SPOF section says when nothing is critical: never an empty
/// table that reads like an all-clear.
const NOTHING_CRITICAL: &str = "none can be reported: no component is critical; mark the components users reach `entrypoint: true` (or `tier: 1`)";

/// One line of the summary a person reads first.
pub(crate) fn summary(model: &Model, report: &Report, name: &str) -> String {
    let critical = model.components().filter(|c| c.is_critical()).count();
    let mut parts = vec![format!(
        "{name}: {}, {}, {critical} critical",
        plural(report.components, "component"),
        plural(report.requirements, "requirement")
    )];
    if report.spofs.is_some() && critical == 0 && !model.is_empty() {
        parts.push("single points of failure unknown: nothing is critical".to_owned());
    } else if report.spofs.is_some() {
        let n = critical_spofs(report).len();
        parts.push(format!(
            "{n} single point{} of failure of critical components",
            if n == 1 { "" } else { "s" }
        ));
    }
    if let Some(illusory) = &report.illusory_redundancy {
        let n = illusory.groups;
        parts.push(format!("{n} illusory redundanc{}", if n == 1 { "y" } else { "ies" }));
    }
    if let Some(avail) = &report.availability {
        let missed = slo_rows(model, avail).iter().filter(|(_, _, ok)| !ok).count();
        parts.push(format!("{} out of reach", plural(missed, "SLO")));
    }
    parts.push(match report.cycles.len() {
        0 => "no hard cycles".to_owned(),
        n => plural(n, "hard cycle"),
    });
    if let Some(cold) = &report.cold_start {
        parts.push(format!("cold start in {}", plural(cold.waves.len(), "wave")));
    }
    parts.join(" · ")
}

/// How many placeholder components (`defined: false`) are named before
/// "+ N more".
const UNDEFINED_SHOWN: usize = 8;

/// The line about components that are referenced but defined nowhere
/// (docs/manifest.md): their own needs are unknown, so what takes them
/// down is unknown too. `None` when every component is defined.
pub(crate) fn undefined_line(model: &Model, name: &dyn Fn(ComponentId) -> String) -> Option<String> {
    let undefined: Vec<ComponentId> = model.ids().filter(|&c| !model.component(c).defined).collect();
    if undefined.is_empty() {
        return None;
    }
    let mut listed = undefined.iter().take(UNDEFINED_SHOWN).map(|&c| name(c)).collect::<Vec<_>>().join(", ");
    if undefined.len() > UNDEFINED_SHOWN {
        listed.push_str(&format!(", + {} more", undefined.len() - UNDEFINED_SHOWN));
    }
    Some(format!(
        "Defined nowhere: {} referenced but described by no input file ({listed}); what they need is unknown, \
         so only their own failure is simulated: describe them, or import the files that do",
        plural(undefined.len(), "component")
    ))
}

/// Components with an SLO: (id, availability, meets the SLO).
pub(crate) fn slo_rows<'a>(
    model: &Model,
    avail: &'a [Option<Availability>],
) -> Vec<(ComponentId, Option<&'a Availability>, bool)> {
    model
        .ids()
        .filter_map(|c| {
            let slo = model.component(c).slo?;
            let a = avail.get(c.index()).and_then(Option::as_ref);
            Some((c, a, a.is_none_or(|a| a.meets_slo(slo))))
        })
        .collect()
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.4}%", x * 100.0)
}

fn method(a: &Availability) -> String {
    match a.method {
        Method::Exact => "exact".to_owned(),
        Method::MonteCarlo { samples } => format!("monte-carlo ({samples} samples)"),
    }
}

/// Top blast radii, biggest first (ties by id).
pub(crate) fn top(report: &Report, n: usize) -> Vec<&blastmap_analysis::sweep::BlastRadius> {
    let Some(radii) = &report.radii else { return Vec::new() };
    let mut sorted: Vec<_> = radii.iter().filter(|r| r.down + r.degraded > 0).collect();
    sorted.sort_by(|a, b| {
        (b.down, b.critical_down, b.degraded)
            .cmp(&(a.down, a.critical_down, a.degraded))
            .then(a.component.cmp(&b.component))
    });
    sorted.truncate(n);
    sorted
}

/// SPOFs shown per component in text, Markdown and HTML; the count column
/// and the JSON have them all (a hub at 100k components has thousands).
pub(crate) const SPOFS_SHOWN: usize = 20;

/// The first [`SPOFS_SHOWN`] of `list`.
pub(crate) fn first(list: &[ComponentId]) -> &[ComponentId] {
    list.get(..SPOFS_SHOWN).unwrap_or(list)
}

/// `shown` joined, with "+ N more" when `total` is larger.
fn capped(shown: &[String], total: usize) -> String {
    let more = total.saturating_sub(SPOFS_SHOWN);
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(", + {more} more"));
    }
    text
}

/// How many members of a large hard cycle are named before "+ N more".
const CYCLE_MEMBERS: usize = 12;

/// A hard cycle as a reader follows it (docs/semantics.md#hard-cycles): the
/// closed path itself when it visits every member; otherwise the size, the
/// shortest closed path through the most depended-on member and the
/// members (the first [`CYCLE_MEMBERS`]). `name` writes one id in the
/// output's own escaping.
pub(crate) fn cycle_text(
    members: &[ComponentId],
    path: &CyclePath,
    name: &dyn Fn(ComponentId) -> String,
) -> String {
    let closed = path.path.iter().map(|&c| name(c)).collect::<Vec<_>>().join(" → ");
    if path.covers(members) {
        return closed;
    }
    let more = members.len().saturating_sub(CYCLE_MEMBERS);
    let mut listed = members.iter().take(CYCLE_MEMBERS).map(|&c| name(c)).collect::<Vec<_>>().join(", ");
    if more > 0 {
        listed.push_str(&format!(", + {more} more"));
    }
    format!(
        "{} components; shortest cycle through {} ({}): {closed}; members: {listed}",
        members.len(),
        name(path.hub),
        plural(path.dependents, "hard dependent"),
    )
}

fn ids(model: &Model, list: &[ComponentId]) -> Vec<String> {
    list.iter().map(|&c| safe(&model.component(c).id)).collect()
}

pub(crate) fn costs(model: &Model, a: &Availability) -> String {
    a.contributions
        .iter()
        .filter(|c| c.share >= 0.005)
        .map(|c| format!("{} {:.0}%", safe(&model.component(c.component).id), c.share * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text report.
pub(crate) fn text(model: &Model, report: &Report, name: &str, top_n: usize, style: Style) -> String {
    let heading = |title: &str| format!("{}\n", style.paint(Tone::Heading, title));
    let mut out = style.paint(Tone::Heading, &summary(model, report, &safe(name)));
    out.push_str("\n\n");
    if let Some(line) = undefined_line(model, &|c| safe(&model.component(c).id)) {
        out.push_str(&format!("{line}\n\n"));
    }
    if report.radii.is_some() {
        out.push_str(&heading(&format!(
            "Top {top_n} components by blast radius (what one failure takes down)"
        )));
        let mut t =
            Table::new(&["component", "kind", ">down", ">degraded", ">critical", ">entrypoints", ">weight"]);
        for r in top(report, top_n) {
            let c = model.component(r.component);
            t.row(vec![
                safe(&c.id),
                c.kind.to_string(),
                r.down.to_string(),
                r.degraded.to_string(),
                r.critical_down.to_string(),
                r.entrypoints_down.to_string(),
                format!("{}", r.weight_down),
            ]);
        }
        out.push_str(if t.is_empty() { "  no failure affects anything else\n" } else { "" });
        out.push_str(&if t.is_empty() { String::new() } else { t.render() });
        out.push('\n');
    }
    if let Some(spofs) = &report.spofs {
        out.push_str(&heading("Single points of failure of critical components (tier 1 or entrypoint)"));
        let mut t = Table::new(&["component", "tier", ">spofs", "fails alone with"]);
        for c in model.ids().filter(|&c| model.component(c).is_critical()) {
            let list = spofs.get(c.index()).and_then(Option::as_ref).map_or(&[][..], Vec::as_slice);
            let comp = model.component(c);
            t.row(vec![
                safe(&comp.id),
                comp.tier.to_string(),
                spof_total(report, c).to_string(),
                capped(&ids(model, first(list)), spof_total(report, c)),
            ]);
        }
        out.push_str(&if t.is_empty() { format!("  {NOTHING_CRITICAL}\n") } else { t.render() });
        out.push('\n');
    }
    if let Some(illusory) = &report.illusory_redundancy {
        out.push_str(&heading("Illusory redundancy (one failure defeats a group)"));
        if illusory.listed.is_empty() {
            out.push_str("  none\n");
        }
        let (broad, local): (Vec<_>, Vec<_>) = illusory.listed.iter().partition(|t| is_broad(model, t));
        for t in local.iter().take(LISTED) {
            out.push_str(&format!("  {}\n", safe(&explain(model, t))));
        }
        if local.len() > LISTED {
            out.push_str(&format!("  (+ {} more; see --format json)\n", local.len() - LISTED));
        }
        if !broad.is_empty() {
            out.push_str(&format!(
                "  (+ {} defeated by a region or provider: {}; see --format json)\n",
                plural(broad.len(), "group"),
                broad_culprits(&broad)
                    .iter()
                    .map(|&c| safe(&model.component(c).id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(line) = implied_note(illusory) {
            out.push_str(&format!("  ({line})\n"));
        }
        out.push('\n');
    }
    if let Some(cuts) = &report.cuts {
        out.push_str(&heading("Thin redundancy (pairs of failures that take a critical component down)"));
        match cuts {
            Err(skipped) => out.push_str(&format!("  {}\n", skipped_cuts(skipped))),
            Ok(cuts) => {
                let mut any = false;
                for c in cuts.iter().filter(|c| !c.pairs.is_empty()) {
                    any = true;
                    let pairs: Vec<String> = c
                        .pairs
                        .iter()
                        .take(PAIRS_SHOWN)
                        .map(|[a, b]| {
                            format!("{} + {}", safe(&model.component(*a).id), safe(&model.component(*b).id))
                        })
                        .collect();
                    let mut line = pairs.join(", ");
                    if c.pairs.len() > PAIRS_SHOWN {
                        line.push_str(&format!(", + {} more", c.pairs.len() - PAIRS_SHOWN));
                    }
                    out.push_str(&format!("  {}: {line}\n", safe(&model.component(c.component).id)));
                }
                if !any && !model.components().any(Component::is_critical) && !model.is_empty() {
                    out.push_str(&format!("  {NOTHING_CRITICAL}\n"));
                } else if !any {
                    out.push_str("  none\n");
                }
            }
        }
        out.push('\n');
    }
    if let Some(avail) = &report.availability {
        out.push_str(&heading("Availability against SLO (independent failures; 95% interval)"));
        let rows = slo_rows(model, avail);
        if rows.is_empty() {
            out.push_str("  no component sets an slo\n");
        } else {
            let mut t = Table::new(&["", "component", ">slo", ">ceiling", "95% interval", "costs most"]);
            for (c, a, ok) in rows {
                let comp = model.component(c);
                let slo = comp.slo.map_or(String::new(), |s| format!("{s}%"));
                let mark = if ok { style.paint(Tone::Good, "ok") } else { style.paint(Tone::Failed, "MISS") };
                match a {
                    Some(a) => {
                        t.row(vec![
                            mark,
                            safe(&comp.id),
                            slo,
                            percent(a.value),
                            interval(a),
                            costs(model, a),
                        ]);
                    }
                    None => t.row(vec![
                        mark,
                        safe(&comp.id),
                        slo,
                        "100%".to_owned(),
                        "nothing can fail".to_owned(),
                        String::new(),
                    ]),
                }
            }
            out.push_str(&t.render());
        }
        out.push('\n');
    }
    out.push_str(&heading("Hard cycles (cannot cold-start as a whole)"));
    if report.cycles.is_empty() {
        out.push_str("  none\n");
    }
    for (cycle, path) in report.cycles.iter().zip(&report.cycle_paths) {
        let line = cycle_text(cycle, path, &|c| safe(&model.component(c).id));
        out.push_str(&format!("  {}\n", style.paint(Tone::Down, &line)));
    }
    out.push('\n');
    if let Some(cold) = &report.cold_start {
        out.push_str(&heading("Cold-start waves (after a total outage; soft requirements never block)"));
        for (i, wave) in cold.waves.iter().enumerate() {
            out.push_str(&format!("  wave {i}: {}\n", ids(model, wave).join(", ")));
        }
        for n in &cold.never_starts {
            out.push_str(&format!(
                "  {} {} — {}\n",
                style.paint(Tone::Down, "never starts:"),
                safe(&model.component(n.component).id),
                why(model, &n.why)
            ));
        }
    }
    out
}

/// Groups defeated by a region or provider: true of nearly every group, so
/// the text report counts them instead of listing each.
pub(crate) fn is_broad(model: &Model, t: &IllusoryGroup) -> bool {
    matches!(
        model.component(t.culprit).kind,
        blastmap_manifest::Kind::Region | blastmap_manifest::Kind::Provider
    )
}

/// Pairs shown per component in text and HTML; the JSON has them all.
pub(crate) const PAIRS_SHOWN: usize = 12;

/// Why the cut sets are missing, for a person.
pub(crate) fn skipped_cuts(skipped: &TooManyCandidates) -> String {
    match skipped.reason {
        Over::Candidates => format!(
            "not computed: {} candidate pairs of failures would have to be checked, more than the bound of {} \
             (16,777,216, fewer on a large inventory: about 3 s of checking); \
             the other analyses are complete (`--analyses` without `cuts` skips this one)",
            skipped.candidates, skipped.bound
        ),
        Over::Pairs => format!(
            "order-2 sets not computed: they would hold {} pairs (SPOF lists in full, or the order-2 sets \
             themselves), more than the bound of {} (`--max-pairs`); SPOF counts and first ids are complete",
            skipped.candidates, skipped.bound
        ),
    }
}

/// Group failures listed one per line in text and Markdown; the rest are
/// counted (a 100k-component inventory has hundreds of thousands, and the
/// JSON lists every one).
pub(crate) const LISTED: usize = 40;

/// The culprits of `broad` failures, sorted, once each.
pub(crate) fn broad_culprits(broad: &[&IllusoryGroup]) -> Vec<ComponentId> {
    let mut culprits: Vec<ComponentId> = broad.iter().map(|t| t.culprit).collect();
    culprits.sort_unstable();
    culprits.dedup();
    culprits
}

/// The failures left out because a listed one explains them.
pub(crate) fn implied_note(illusory: &IllusoryRedundancy) -> Option<String> {
    (illusory.implied > 0).then(|| {
        format!(
            "and {} that defeat{} a group only by taking a listed one down, such as the region of a listed zone",
            plural(illusory.implied as usize, "more failure"),
            if illusory.implied == 1 { "s" } else { "" }
        )
    })
}

pub(crate) fn interval(a: &Availability) -> String {
    match a.method {
        Method::Exact => "exact".to_owned(),
        Method::MonteCarlo { .. } => format!("[{}, {}]", percent(a.low), percent(a.high)),
    }
}

pub(crate) fn why(model: &Model, why: &WhyNot) -> String {
    match why {
        WhyNot::Deadlock { path, .. } => format!("in the hard cycle {}", ids(model, path).join(" → ")),
        WhyNot::Blocked { blockers, .. } => {
            let names = ids(model, blockers);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            format!("needs {}, which never starts", join_and(&names))
        }
    }
}

/// Escapes text for Markdown tables and prose: markup characters are
/// backslash-escaped, `<` and `>` become entities, line breaks become spaces.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '(' | ')' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

fn md_ids(model: &Model, list: &[ComponentId]) -> String {
    list.iter().map(|&c| md(&model.component(c).id)).collect::<Vec<_>>().join(", ")
}

/// The Markdown report (for pull-request comments).
pub(crate) fn markdown(model: &Model, report: &Report, name: &str, top_n: usize) -> String {
    let mut out = format!("## blastmap report\n\n{}\n\n", md(&summary(model, report, name)));
    if let Some(line) = undefined_line(model, &|c| md(&model.component(c).id)) {
        out.push_str(&format!("{line}\n\n"));
    }
    if report.radii.is_some() {
        out.push_str(&format!("### Top {top_n} components by blast radius\n\n"));
        out.push_str("| component | kind | down | degraded | critical | entrypoints | weight |\n|---|---|--:|--:|--:|--:|--:|\n");
        for r in top(report, top_n) {
            let c = model.component(r.component);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                md(&c.id),
                c.kind,
                r.down,
                r.degraded,
                r.critical_down,
                r.entrypoints_down,
                r.weight_down
            ));
        }
        out.push('\n');
    }
    if let Some(spofs) = &report.spofs {
        out.push_str("### Single points of failure of critical components\n\n");
        if model.components().any(Component::is_critical) {
            out.push_str("| component | tier | SPOFs |\n|---|--:|---|\n");
        } else {
            out.push_str(&format!("{}.\n", md(&capitalised(NOTHING_CRITICAL))));
        }
        for c in model.ids().filter(|&c| model.component(c).is_critical()) {
            let list = spofs.get(c.index()).and_then(Option::as_ref).map_or(&[][..], Vec::as_slice);
            let comp = model.component(c);
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md(&comp.id),
                comp.tier,
                capped(&[md_ids(model, first(list))], spof_total(report, c))
            ));
        }
        out.push('\n');
    }
    if let Some(illusory) = &report.illusory_redundancy {
        out.push_str("### Illusory redundancy\n\n");
        if illusory.listed.is_empty() {
            out.push_str("None.\n");
        }
        for t in illusory.listed.iter().take(LISTED) {
            out.push_str(&format!("- {}\n", md(&explain(model, t))));
        }
        if illusory.listed.len() > LISTED {
            out.push_str(&format!(
                "- … and {} more (`--format json` lists every one)\n",
                illusory.listed.len() - LISTED
            ));
        }
        if let Some(line) = implied_note(illusory) {
            out.push_str(&format!("\n{}.\n", md(&capitalised(&line))));
        }
        out.push('\n');
    }
    if let Some(avail) = &report.availability {
        out.push_str("### Availability against SLO\n\n");
        let rows = slo_rows(model, avail);
        if rows.is_empty() {
            out.push_str("No component sets an SLO.\n");
        } else {
            out.push_str(
                "| | component | SLO | ceiling | 95% interval | method |\n|---|---|--:|--:|---|---|\n",
            );
            for (c, a, ok) in rows {
                let comp = model.component(c);
                let mark = if ok { "✅" } else { "❌" };
                let (value, interval, how) = a
                    .map_or(("100%".to_owned(), String::new(), "nothing can fail".to_owned()), |a| {
                        (percent(a.value), format!("{} – {}", percent(a.low), percent(a.high)), method(a))
                    });
                out.push_str(&format!(
                    "| {mark} | {} | {}% | {value} | {interval} | {how} |\n",
                    md(&comp.id),
                    comp.slo.unwrap_or(0.0)
                ));
            }
        }
        out.push('\n');
    }
    out.push_str("### Hard cycles\n\n");
    if report.cycles.is_empty() {
        out.push_str("None.\n");
    }
    for (cycle, path) in report.cycles.iter().zip(&report.cycle_paths) {
        out.push_str(&format!("- {}\n", cycle_text(cycle, path, &|c| md(&model.component(c).id))));
    }
    if let Some(cold) = &report.cold_start {
        out.push_str("\n### Cold-start waves\n\n");
        for (i, wave) in cold.waves.iter().enumerate() {
            out.push_str(&format!("{i}. {}\n", md_ids(model, wave)));
        }
        for n in &cold.never_starts {
            out.push_str(&format!(
                "\n**Never starts:** {} — {}\n",
                md(&model.component(n.component).id),
                md(&why(model, &n.why))
            ));
        }
    }
    out
}

/// "and more" → "And more".
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
