//! `check` output for people (text) and tools (`blastmap.check/v1` JSON),
//! and what the CI formats share: cascade paths in words.

use blastmap_analysis::criticality::NothingCritical;
use blastmap_analysis::policy::{Cascade, Code, Evaluation, Finding, Found, SpofReason, Unused};
use blastmap_manifest::{ComponentId, Exception, Kind, Level, Mode, Model, Policy};
use serde_json::{Value, json};

use crate::render::path::{group_name, status_words};
use crate::render::{plural, safe};
use crate::style::{Style, Tone};

/// How many ids a message lists before "and N more".
const LISTED: usize = 5;

/// What is wrong, in words: the message of a finding in every format. Ids
/// are raw (each format escapes them its own way).
pub(crate) fn message(model: &Model, finding: &Finding) -> String {
    let id = &finding.component;
    match &finding.found {
        Found::SinglePoint { reason, victims, new } => {
            let why = match reason {
                SpofReason::Kind(kind) => {
                    let article = if *kind == Kind::External { "an" } else { "a" };
                    format!("{article} {kind} without redundancy")
                }
                SpofReason::SingleReplica => "declares `replicas: 1`".to_owned(),
            };
            let names: Vec<String> =
                victims.iter().map(|&v| format!("`{}`", model.component(v).id)).collect();
            let what = if *new {
                "a new single point of failure, not in the baseline"
            } else {
                "a single point of failure"
            };
            format!(
                "`{id}` is {what} ({why}): its failure alone takes down {} {}",
                plural(victims.len(), "critical component"),
                listed(&names)
            )
        }
        Found::RadiusOverLimit { down, components, over_count, over_percent } => {
            let share = if *components == 0 { 0.0 } else { f64::from(*down) * 100.0 / *components as f64 };
            let limit = match (over_count, over_percent) {
                (Some(n), None) => format!("the limit of {n}"),
                (None, Some(p)) => format!("the limit of {}%", number(*p)),
                (Some(n), Some(p)) => format!("the limits of {n} and {}%", number(*p)),
                (None, None) => "the limits".to_owned(),
            };
            format!(
                "failing `{id}` alone takes down {} ({}% of {components}), more than {limit}",
                plural(*down as usize, "component"),
                number((share * 10.0).round() / 10.0),
            )
        }
        Found::HardCycle { size } => {
            format!("`{id}` is in a hard cycle of {}: they cannot cold-start", plural(*size, "component"))
        }
        Found::SloOutOfReach { slo, ceiling, high, costs } => {
            let ceiling = match high {
                Some(high) => format!("at most {:.4}% (95% interval)", high * 100.0),
                None => format!("{:.4}%", ceiling * 100.0),
            };
            let mut text = format!(
                "`{id}` has an availability ceiling of {ceiling}, below its SLO of {}%",
                number(*slo)
            );
            if !costs.is_empty() {
                let costs: Vec<String> = costs
                    .iter()
                    .map(|&(c, share)| format!("`{}` {:.0}%", model.component(c).id, share * 100.0))
                    .collect();
                text.push_str(&format!("; costs most: {}", costs.join(", ")));
            }
            text
        }
        Found::MissingFields { fields } => {
            let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            format!("`{id}` does not set {}", crate::render::join_and(&refs))
        }
        Found::RadiusGrowth { was, now, allowed } => {
            let allowed = if *allowed == 0 { String::new() } else { format!(" (allowed: {allowed})") };
            format!("the blast radius of `{id}` grew from {was} to {now} components{allowed}")
        }
        Found::ExpiredException { rule, expired: (y, m, d), reason } => {
            format!("the exception for `{rule}` on `{id}` expired on {y:04}-{m:02}-{d:02} (reason: {reason})")
        }
        Found::UnusedException { rule, why } => {
            let why = match why {
                Unused::NoSuchComponent { suggestion: Some(s) } => {
                    format!(": no component has this id; did you mean `{s}`?")
                }
                Unused::NoSuchComponent { suggestion: None } => ": no component has this id".to_owned(),
                Unused::RuleNotInPolicy => format!(": the rule `{rule}` is not in the policy"),
                Unused::RuleAllowed => format!(": the rule `{rule}` is at level allow"),
                Unused::NothingFound => String::new(),
            };
            format!("the exception for `{rule}` on `{id}` matched nothing{why}")
        }
        Found::NothingCritical(found) => nothing_critical(model, found),
    }
}

/// Why nothing is critical and where to start, in words (the message of
/// `criticality-missing` and the warning of every command that analyses).
pub(crate) fn nothing_critical(model: &Model, found: &NothingCritical) -> String {
    let critical = if found.tier <= 1 {
        "tier 1 or `entrypoint: true`".to_owned()
    } else {
        format!("tier {} or better, or `entrypoint: true`", found.tier)
    };
    let mut text =
        format!("no component is critical ({critical}), so no single point of failure can be reported");
    let listed = |ids: &mut dyn Iterator<Item = ComponentId>| {
        let names: Vec<String> = ids.map(|c| format!("`{}`", model.component(c).id)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        (crate::render::join_and(&refs), names.len())
    };
    if !found.tops.is_empty() {
        let (names, n) = listed(&mut found.tops.iter().copied());
        let them = if n == 1 { "it" } else { "them" };
        text.push_str(&format!(
            "; nothing depends on {names} (mark {them} `entrypoint: true` if users reach {them})"
        ));
    }
    if !found.biggest.is_empty() {
        let (names, n) = listed(&mut found.biggest.iter().map(|&(c, _)| c));
        let counts: Vec<u32> = found.biggest.iter().map(|&(_, d)| d).collect();
        let of = found.components;
        let how_many = match counts.as_slice() {
            [one] => format!("{one} of {of} components"),
            [first, rest @ ..] if rest.iter().all(|d| d == first) => {
                format!("{first} of {of} components each")
            }
            _ => {
                let words: Vec<String> = counts.iter().map(u32::to_string).collect();
                let refs: Vec<&str> = words.iter().map(String::as_str).collect();
                format!("{} of {of} components", crate::render::join_and(&refs))
            }
        };
        let verb = if n == 1 { "takes" } else { "take" };
        let joiner = if found.tops.is_empty() { "; " } else { ", and " };
        text.push_str(&format!("{joiner}{names} {verb} the most down ({how_many})"));
    }
    text
}

/// A warning in the shape of `check`'s findings, for commands that print
/// one on standard error: `warning[code]: message` and its help.
pub(crate) fn warning_block(code: &str, message: &str, help: &str, style: Style) -> String {
    let word = style.paint(Tone::Warning, &format!("warning[{code}]"));
    let help_word = style.paint(Tone::Pointer, "= help:");
    format!("{word}: {message}\n  {help_word} {help}\n")
}

/// "(a, b and c)", shortened to the first few and "N more".
fn listed(names: &[String]) -> String {
    if names.len() <= LISTED {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        return format!("({})", crate::render::join_and(&refs));
    }
    format!("({} and {} more)", names[..LISTED].join(", "), names.len() - LISTED)
}

/// A number without a useless `.0`.
fn number(x: f64) -> String {
    let text = format!("{x}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

/// Where the policy came from, for the summary.
pub(crate) enum PolicySource {
    /// The inventory's own `policy:` section.
    Inventory,
    /// `--policy FILE`.
    File(String),
    /// The built-in default (the inventory has none).
    Default,
}

/// A cascade in words: `web → checkout → payments-db (failed)`, groups
/// named with how their members fare (terminal-safe).
pub(crate) fn cascade_words(model: &Model, cascade: &Cascade) -> String {
    let mut out = String::new();
    let mut arrow = "";
    let last = cascade.path.len().saturating_sub(1);
    for (i, &step) in cascade.path.iter().enumerate() {
        out.push_str(arrow);
        out.push_str(&safe(&model.component(step).id));
        if i == last {
            out.push_str(" (failed)");
            break;
        }
        let (Some(&r), Some(&(down, degraded))) = (cascade.requirements.get(i), cascade.members_down.get(i))
        else {
            break;
        };
        let Some(req) = model.component(step).requirements.get(r as usize) else { break };
        arrow = if req.mode == Mode::Soft { " →(soft) " } else { " → " };
        if req.is_group() {
            let status = status_words(req.members.len(), down as usize, degraded as usize);
            out.push_str(&format!("{arrow}{}: {status}", group_name(model, req)));
            arrow = " → ";
        }
    }
    out
}

/// A hard cycle in words: `a → b → a`.
pub(crate) fn cycle_words(model: &Model, finding: &Finding) -> Option<String> {
    (!finding.cycle.is_empty())
        .then(|| finding.cycle.iter().map(|&c| safe(&model.component(c).id)).collect::<Vec<_>>().join(" → "))
}

/// The path to show with a finding, if it has one: a cascade or a cycle.
pub(crate) fn path_words(model: &Model, finding: &Finding) -> Option<String> {
    finding.cascade.as_ref().map(|c| cascade_words(model, c)).or_else(|| cycle_words(model, finding))
}

pub(crate) fn level_word(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

fn source_words(source: &PolicySource) -> String {
    match source {
        PolicySource::Inventory => "the inventory's policy".to_owned(),
        PolicySource::File(f) => format!("the policy in `{}`", safe(f)),
        PolicySource::Default => "the built-in default policy".to_owned(),
    }
}

fn exception_of(policy: &Policy, index: usize) -> Option<&Exception> {
    policy.exceptions.get(index)
}

fn date(d: Option<(u16, u8, u8)>) -> Option<String> {
    d.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// The text report: one block per finding (rustc style), then the verdict.
pub(crate) fn text(
    model: &Model,
    policy: &Policy,
    evaluation: &Evaluation,
    name: &str,
    source: &PolicySource,
    style: Style,
) -> String {
    let rules: Vec<&str> = evaluation
        .checked
        .iter()
        .map(|c| c.code)
        // The policy's own rules: `criticality-missing` comes with `no-spof`
        // and is said when it fires, like the exception codes.
        .filter(|c| !matches!(c, Code::ExpiredException | Code::UnusedException | Code::CriticalityMissing))
        .map(Code::as_str)
        .collect();
    let headline = format!(
        "{}: checked {} against {} ({})",
        safe(name),
        plural(model.len(), "component"),
        source_words(source),
        if rules.is_empty() { "no rules".to_owned() } else { rules.join(", ") }
    );
    let mut out = format!("{}\n\n", style.paint(Tone::Heading, &headline));
    let mut helped = Vec::new();
    for finding in &evaluation.findings {
        let tone = match finding.level {
            Level::Deny => Tone::Failed,
            Level::Warn => Tone::Warning,
            Level::Allow => Tone::Pointer,
        };
        out.push_str(&format!(
            "{}: {}\n",
            style.paint(tone, &format!("{}[{}]", level_word(finding.level), finding.code.as_str())),
            safe(&message(model, finding))
        ));
        if finding.location.is_known() {
            out.push_str(&format!(
                "  {} {}\n",
                style.paint(Tone::Pointer, "-->"),
                safe(&finding.location.to_string())
            ));
        }
        if let Some(path) = path_words(model, finding) {
            let label = if finding.cycle.is_empty() { "= path:" } else { "= cycle:" };
            out.push_str(&format!("  {} {path}\n", style.paint(Tone::Pointer, label)));
        }
        // The help is the same for every finding of a rule: say it once.
        if !helped.contains(&finding.code) {
            helped.push(finding.code);
            out.push_str(&format!("  {} {}\n", style.paint(Tone::Pointer, "= help:"), finding.code.help()));
        }
        out.push('\n');
    }
    if !evaluation.excepted.is_empty() {
        out.push_str(&format!(
            "{}\n",
            style.paint(Tone::Heading, "Excepted (covered by a policy exception):")
        ));
        for e in &evaluation.excepted {
            let why = exception_of(policy, e.exception).map_or_else(String::new, |x| {
                let until = date(x.expires).map_or_else(String::new, |d| format!(", until {d}"));
                format!(" ({}{until})", safe(&x.reason))
            });
            out.push_str(&format!("  {} {}{why}\n", e.finding.code.as_str(), safe(&e.finding.component)));
        }
        out.push('\n');
    }
    let (deny, warn) = (evaluation.count(Level::Deny), evaluation.count(Level::Warn));
    let warnings = if warn > 0 { format!(", {}", plural(warn, "warning")) } else { String::new() };
    let excepted = match evaluation.excepted.len() {
        0 => String::new(),
        n => format!(", {n} excepted"),
    };
    if deny > 0 {
        let verdict = format!("check failed: {} at deny level{warnings}{excepted}", plural(deny, "finding"));
        out.push_str(&format!("{}\n", style.paint(Tone::Failed, &verdict)));
    } else {
        let verdict = format!("check passed: no finding at deny level{warnings}{excepted}");
        out.push_str(&format!("{}\n", style.paint(Tone::Good, &verdict)));
    }
    out
}

fn finding_json(model: &Model, finding: &Finding) -> Value {
    let ids = |list: &[blastmap_manifest::ComponentId]| -> Vec<String> {
        list.iter().map(|&c| model.component(c).id.clone()).collect()
    };
    json!({
        "rule": finding.code.as_str(),
        "level": finding.level.as_str(),
        "message": message(model, finding),
        "component": finding.component,
        "path": finding.cascade.as_ref().map(|c| ids(&c.path)),
        "path_text": finding.cascade.as_ref().map(|c| cascade_words(model, c)),
        "cycle": (!finding.cycle.is_empty()).then(|| ids(&finding.cycle)),
        "file": finding.location.is_known().then(|| finding.location.file.to_string()),
        "line": finding.location.is_known().then_some(finding.location.line),
        "column": finding.location.is_known().then_some(finding.location.column),
        "help": finding.code.help(),
    })
}

/// The `blastmap.check/v1` JSON, written straight to `out` one finding at
/// a time (keys in alphabetical order, as when it was one tree of values).
pub(crate) fn write_json(
    model: &Model,
    policy: &Policy,
    evaluation: &Evaluation,
    source: &PolicySource,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Top<F: serde::Serialize, E: serde::Serialize> {
        excepted: E,
        findings: F,
        passed: bool,
        policy: Value,
        rules: Vec<Value>,
        schema: &'static str,
        summary: Value,
    }
    let findings = evaluation.findings.iter().map(|f| finding_json(model, f));
    let excepted = evaluation.excepted.iter().map(|e| {
        let mut value = finding_json(model, &e.finding);
        if let (Some(x), Some(map)) = (exception_of(policy, e.exception), value.as_object_mut()) {
            map.insert(
                "exception".to_owned(),
                json!({
                    "reason": x.reason,
                    "expires": date(x.expires),
                    "file": x.location.file.to_string(),
                    "line": x.location.line,
                    "column": x.location.column,
                }),
            );
        }
        value
    });
    let rules: Vec<Value> = evaluation
        .checked
        .iter()
        .map(|c| json!({"rule": c.code.as_str(), "level": c.level.as_str(), "checked": c.subjects.len()}))
        .collect();
    let policy_source = match source {
        PolicySource::Inventory => json!("inventory"),
        PolicySource::File(f) => json!(f),
        PolicySource::Default => json!("default"),
    };
    let top = Top {
        excepted: crate::render::Each::new(excepted),
        findings: crate::render::Each::new(findings),
        passed: !evaluation.denied(),
        policy: policy_source,
        rules,
        schema: "blastmap.check/v1",
        summary: json!({
            "deny": evaluation.count(Level::Deny),
            "warn": evaluation.count(Level::Warn),
            "excepted": evaluation.excepted.len(),
        }),
    };
    crate::render::write_pretty(out, &top)
}
