//! `diff` output: aligned text, Markdown for pull-request comments, and
//! `blastmap.diff/v1` JSON.

use blastmap_analysis::diff::{Dep, Diff};
use blastmap_manifest::{Mode, Origin, RequirementShape};
use serde_json::{Value, json};

use crate::render::report::md;
use crate::render::{Table, safe};
use crate::style::{Style, Tone};

/// A requirement in words: `checkout → any_of(redis-a, redis-b) (soft)`,
/// each id passed through `esc`.
fn dep_words(dep: &Dep, esc: fn(&str) -> String) -> String {
    let members: Vec<String> = dep.members.iter().map(|m| esc(m)).collect();
    let target = match dep.shape {
        RequirementShape::Single => members.join(", "),
        RequirementShape::AnyOf => format!("any_of({})", members.join(", ")),
        RequirementShape::Quorum => format!("quorum {} of ({})", dep.need, members.join(", ")),
    };
    let how = match dep.origin {
        Origin::DependsOn => "→".to_owned(),
        Origin::RunsIn => "runs_in".to_owned(),
        Origin::Within => "within".to_owned(),
    };
    let soft = if dep.mode == Mode::Soft { " (soft)" } else { "" };
    format!("{} {how} {target}{soft}", esc(&dep.from))
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "never fails".to_owned(), |v| format!("{:.4}%", v * 100.0))
}

fn slo(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v}%"))
}

fn signed(delta: i64) -> String {
    if delta > 0 { format!("+{delta}") } else { delta.to_string() }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line saying how much changed; kinds of change with nothing in them
/// are left out.
fn summary(d: &Diff) -> String {
    if d.is_empty() {
        return "no change".to_owned();
    }
    let mut parts = Vec::new();
    let mut pair = |added: usize, removed: usize, one: &str, many: &str, verbs: (&str, &str)| {
        if added + removed > 0 {
            parts.push(format!("{} {}, {removed} {}", count(added, one, many), verbs.0, verbs.1));
        }
    };
    pair(
        d.added_components.len(),
        d.removed_components.len(),
        "component",
        "components",
        ("added", "removed"),
    );
    pair(
        d.added_dependencies.len(),
        d.removed_dependencies.len(),
        "dependency",
        "dependencies",
        ("added", "removed"),
    );
    pair(d.new_spofs.len(), d.removed_spofs.len(), "SPOF", "SPOFs", ("new", "gone"));
    pair(d.new_cycles.len(), d.removed_cycles.len(), "hard cycle", "hard cycles", ("new", "gone"));
    if !d.radius_changes.is_empty() {
        parts.push(format!("{} changed", count(d.radius_changes.len(), "blast radius", "blast radii")));
    }
    if !d.availability_changes.is_empty() {
        parts.push(format!(
            "{} moved",
            count(d.availability_changes.len(), "availability ceiling", "availability ceilings")
        ));
    }
    parts.join(" · ")
}

/// The text report.
///
/// Painted when `style` says so: a change to the inventory as `git diff`
/// colours it (added green, removed red), a change to a risk by what it
/// means (a risk added red, removed green).
pub(crate) fn text(d: &Diff, base: &str, head: &str, top: usize, style: Style) -> String {
    let mut out = format!(
        "{}\n",
        style.paint(Tone::Heading, &format!("{} → {}: {}", safe(base), safe(head), summary(d)))
    );
    // `risk`: whether an addition is a new risk (painted red).
    let list = |out: &mut String, title: &str, added: &[String], removed: &[String], risk: bool| {
        if added.is_empty() && removed.is_empty() {
            return;
        }
        let (plus, minus) = if risk { (Tone::Down, Tone::Good) } else { (Tone::Good, Tone::Down) };
        out.push_str(&format!("\n{}\n", style.paint(Tone::Heading, title)));
        for a in added {
            out.push_str(&format!("  {}\n", style.paint(plus, &format!("+ {a}"))));
        }
        for r in removed {
            out.push_str(&format!("  {}\n", style.paint(minus, &format!("- {r}"))));
        }
    };
    let ids = |v: &[String]| -> Vec<String> { v.iter().map(|s| safe(s)).collect() };
    list(&mut out, "Components", &ids(&d.added_components), &ids(&d.removed_components), false);
    let deps = |v: &[Dep]| -> Vec<String> { v.iter().map(|x| dep_words(x, safe)).collect() };
    list(&mut out, "Dependencies", &deps(&d.added_dependencies), &deps(&d.removed_dependencies), false);
    let spofs = |v: &[blastmap_analysis::diff::SpofChange]| -> Vec<String> {
        v.iter().map(|s| format!("{} fails alone with {}", safe(&s.component), safe(&s.spof))).collect()
    };
    list(
        &mut out,
        "Single points of failure of critical components",
        &spofs(&d.new_spofs),
        &spofs(&d.removed_spofs),
        true,
    );
    if !d.radius_changes.is_empty() {
        let shown = d.radius_changes.len().min(top);
        let title = format!("Blast radius changes ({shown} of {}, largest first)", d.radius_changes.len());
        out.push_str(&format!("\n{}\n", style.paint(Tone::Heading, &title)));
        let mut table = Table::new(&["component", ">before", ">after", ">change"]);
        for r in d.radius_changes.iter().take(top) {
            let tone = if r.delta() > 0 { Tone::Down } else { Tone::Good };
            table.row(vec![
                safe(&r.component),
                r.before.to_string(),
                r.after.to_string(),
                style.paint(tone, &signed(r.delta())),
            ]);
        }
        out.push_str(&table.render());
    }
    let cycles = |v: &[Vec<String>]| -> Vec<String> {
        v.iter().map(|c| c.iter().map(|s| safe(s)).collect::<Vec<_>>().join(", ")).collect()
    };
    list(&mut out, "Hard cycles", &cycles(&d.new_cycles), &cycles(&d.removed_cycles), true);
    if !d.availability_changes.is_empty() {
        out.push_str(&format!("\n{}\n", style.paint(Tone::Heading, "Availability ceilings that moved")));
        let mut table = Table::new(&["component", ">before", ">after", ">slo"]);
        for a in &d.availability_changes {
            table.row(vec![safe(&a.component), percent(a.before), percent(a.after), slo(a.slo)]);
        }
        out.push_str(&table.render());
    }
    if let Some(o) = &d.observed {
        let side = if o.observed_is_head { "HEAD" } else { "BASE" };
        let title = format!("Declared against observed traffic ({side} is observed)");
        out.push_str(&format!("\n{}\n", style.paint(Tone::Heading, &title)));
        out.push_str(&format!("  undeclared (called, never declared): {}\n", o.undeclared.len()));
        for (a, b, via) in &o.undeclared {
            out.push_str(&format!("    {} → {} ({})\n", safe(a), safe(b), safe(via)));
        }
        out.push_str(&format!("  unused (declared, no call seen): {}\n", o.unused.len()));
        for (a, b) in &o.unused {
            out.push_str(&format!("    {} → {}\n", safe(a), safe(b)));
        }
    }
    out
}

/// The Markdown report for a pull-request comment.
pub(crate) fn markdown(d: &Diff, base: &str, head: &str, top: usize) -> String {
    let mut out = format!(
        "## blastmap diff\n\n`{}` → `{}`: {}\n",
        base.replace('`', "'"),
        head.replace('`', "'"),
        md(&summary(d))
    );
    let section = |out: &mut String, title: &str, added: &[String], removed: &[String]| {
        if added.is_empty() && removed.is_empty() {
            return;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for a in added {
            out.push_str(&format!("- ➕ {a}\n"));
        }
        for r in removed {
            out.push_str(&format!("- ➖ {r}\n"));
        }
    };
    let ids = |v: &[String]| -> Vec<String> { v.iter().map(|s| md(s)).collect() };
    section(&mut out, "Components", &ids(&d.added_components), &ids(&d.removed_components));
    let deps = |v: &[Dep]| -> Vec<String> { v.iter().map(|x| dep_words(x, md)).collect() };
    section(&mut out, "Dependencies", &deps(&d.added_dependencies), &deps(&d.removed_dependencies));
    let spofs = |v: &[blastmap_analysis::diff::SpofChange]| -> Vec<String> {
        v.iter().map(|s| format!("**{}** fails alone with **{}**", md(&s.component), md(&s.spof))).collect()
    };
    section(
        &mut out,
        "Single points of failure of critical components",
        &spofs(&d.new_spofs),
        &spofs(&d.removed_spofs),
    );
    if !d.radius_changes.is_empty() {
        let shown = d.radius_changes.len().min(top);
        out.push_str(&format!(
            "\n### Blast radius changes ({shown} of {}, largest first)\n\n| component | before | after | change |\n| --- | ---: | ---: | ---: |\n",
            d.radius_changes.len()
        ));
        for r in d.radius_changes.iter().take(top) {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md(&r.component),
                r.before,
                r.after,
                signed(r.delta())
            ));
        }
    }
    let cycles = |v: &[Vec<String>]| -> Vec<String> {
        v.iter().map(|c| c.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")).collect()
    };
    section(&mut out, "Hard cycles", &cycles(&d.new_cycles), &cycles(&d.removed_cycles));
    if !d.availability_changes.is_empty() {
        out.push_str(
            "\n### Availability ceilings that moved\n\n| component | before | after | SLO |\n| --- | ---: | ---: | ---: |\n",
        );
        for a in &d.availability_changes {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md(&a.component),
                percent(a.before),
                percent(a.after),
                slo(a.slo)
            ));
        }
    }
    if let Some(o) = &d.observed {
        let side = if o.observed_is_head { "HEAD" } else { "BASE" };
        out.push_str(&format!("\n### Declared against observed traffic ({side} is observed)\n\n"));
        out.push_str(&format!("**Undeclared** (called, never declared): {}\n\n", o.undeclared.len()));
        for (a, b, via) in &o.undeclared {
            out.push_str(&format!("- {} → {} ({})\n", md(a), md(b), md(via)));
        }
        out.push_str(&format!("\n**Unused** (declared, no call seen): {}\n\n", o.unused.len()));
        for (a, b) in &o.unused {
            out.push_str(&format!("- {} → {}\n", md(a), md(b)));
        }
    }
    out
}

fn dep_json(dep: &Dep) -> Value {
    json!({
        "from": dep.from,
        "shape": match dep.shape {
            RequirementShape::Single => "single",
            RequirementShape::AnyOf => "any_of",
            RequirementShape::Quorum => "quorum",
        },
        "need": dep.need,
        "members": dep.members,
        "mode": dep.mode.as_str(),
        "origin": dep.origin.as_str(),
    })
}

/// `blastmap.diff/v1` JSON, written straight to `out` one entry at a time
/// (keys in alphabetical order, as when it was one tree of values);
/// `triggered` names the `--fail-on` conditions that hold.
pub(crate) fn write_json(
    d: &Diff,
    base: &str,
    head: &str,
    triggered: &[&str],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use crate::render::Each;
    use serde::Serialize;
    #[derive(Serialize)]
    struct Both<A: Serialize, R: Serialize> {
        added: A,
        removed: R,
    }
    #[derive(Serialize)]
    struct NewRemoved<N: Serialize, R: Serialize> {
        new: N,
        removed: R,
    }
    #[derive(Serialize)]
    #[allow(clippy::struct_field_names, reason = "the field names are the JSON keys")]
    struct Top<'a, A: Serialize, B: Serialize, C: Serialize, D: Serialize, O: Serialize, S: Serialize> {
        availability: A,
        base: &'a str,
        blast_radius: B,
        components: Both<&'a [String], &'a [String]>,
        cycles: C,
        dependencies: D,
        fail_on: &'a [&'a str],
        head: &'a str,
        observed: O,
        schema: &'static str,
        spofs: S,
    }
    fn spofs(v: &[blastmap_analysis::diff::SpofChange]) -> Each<impl Iterator<Item = Value> + '_> {
        Each::new(v.iter().map(|s| json!({"component": s.component, "spof": s.spof})))
    }
    let top = Top {
        availability: Each::new(d.availability_changes.iter().map(|a| json!({
            "component": a.component, "before": a.before, "after": a.after, "slo": a.slo, "dropped": a.dropped(),
        }))),
        base,
        blast_radius: Each::new(d.radius_changes.iter().map(|r| json!({
            "component": r.component, "before": r.before, "after": r.after, "change": r.delta(),
        }))),
        components: Both { added: &d.added_components, removed: &d.removed_components },
        cycles: NewRemoved { new: &d.new_cycles, removed: &d.removed_cycles },
        dependencies: Both {
            added: Each::new(d.added_dependencies.iter().map(dep_json)),
            removed: Each::new(d.removed_dependencies.iter().map(dep_json)),
        },
        fail_on: triggered,
        head,
        observed: d.observed.as_ref().map(|o| json!({
            "observed_side": if o.observed_is_head { "head" } else { "base" },
            "undeclared": o.undeclared.iter().map(|(a, b, via)| json!({"from": a, "to": b, "via": via})).collect::<Vec<_>>(),
            "unused": o.unused.iter().map(|(a, b)| json!({"from": a, "to": b})).collect::<Vec<_>>(),
        })),
        schema: "blastmap.diff/v1",
        spofs: NewRemoved { new: spofs(&d.new_spofs), removed: spofs(&d.removed_spofs) },
    };
    crate::render::write_pretty(out, &top)
}
