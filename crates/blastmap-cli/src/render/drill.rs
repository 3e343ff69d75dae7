//! `blastmap drill` outputs: Markdown for the game-day document,
//! `blastmap.drill/v1` JSON, and Chaos Toolkit experiments.
//!
//! Every experiment says what it injects (the component's `drill.inject`,
//! or a placeholder marked as such), what it predicts (up, degraded, down),
//! when to abort (a component predicted up goes down), whom to notify and
//! how to roll back. Chaos Toolkit experiments check the prediction with
//! the components' `health` URLs: the steady state probes every component
//! predicted to stay up or degraded (2xx before and during the failure),
//! and the method, after the injection and `--settle` seconds, observes
//! every component with a URL in a probe named `observe:ID` (a `python3`
//! one-liner that prints the answer and never fails), which `verify` reads
//! back from the journal.

use blastmap_analysis::drill::{Claim, ClaimKind, Experiment, Left, LeftOut, Plan};
use blastmap_analysis::simulate::State;
use blastmap_manifest::{Component, ComponentId, Model};
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::render::path::group_name;
use crate::render::report::md;

/// How a component is failed and brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Injection {
    pub inject: String,
    pub restore: Option<String>,
    /// Not written in the inventory: derived from its labels (Kubernetes)
    /// or a command that fails and says what to write.
    pub placeholder: bool,
}

/// Quotes `text` for a POSIX shell (single quotes).
pub(crate) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The injection of `c`: its `drill`, else a placeholder — `kubectl scale`
/// for a Kubernetes workload (from the `kubernetes` and `namespace` labels
/// the importer writes), else a command that fails saying what to add.
pub(crate) fn injection(c: &Component) -> Injection {
    if let Some(d) = &c.drill {
        return Injection { inject: d.inject.clone(), restore: d.restore.clone(), placeholder: false };
    }
    let label = |key: &str| c.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    if let Some(kind @ ("Deployment" | "StatefulSet")) = label("kubernetes") {
        let ns = shell_quote(label("namespace").unwrap_or("default"));
        let target = shell_quote(&format!("{}/{}", kind.to_ascii_lowercase(), c.id));
        return Injection {
            inject: format!("kubectl -n {ns} scale {target} --replicas=0"),
            restore: Some(format!("kubectl -n {ns} scale {target} --replicas={}", c.replicas.unwrap_or(1))),
            placeholder: true,
        };
    }
    let say = shell_quote(&format!(
        "blastmap: no drill.inject for {}: write how to fail it in the inventory (drill: {{inject: ..., restore: ...}})",
        c.id
    ));
    Injection { inject: format!("echo {say} >&2; exit 1"), restore: None, placeholder: true }
}

/// The claim in words (Markdown-free; callers escape).
pub(crate) fn claim_text(model: &Model, claim: &Claim, inject: &[ComponentId]) -> String {
    let id = |c: ComponentId| format!("`{}`", model.component(c).id);
    let failed = inject.iter().map(|&c| id(c)).collect::<Vec<_>>().join(" and ");
    let req = claim.requirement.and_then(|r| model.component(claim.component).requirements.get(r));
    match (claim.kind, req) {
        (ClaimKind::Redundancy, Some(r)) => format!(
            "{} keeps working when {failed} fails: {} still has enough members",
            id(claim.component),
            group_name(model, r)
        ),
        (ClaimKind::Placement, Some(r)) => {
            format!(
                "{} survives the loss of {failed}: it runs in {}",
                id(claim.component),
                group_name(model, r)
            )
        }
        (ClaimKind::Soft, Some(_)) => {
            format!("{} is only degraded when {failed} fails (a soft dependency)", id(claim.component))
        }
        _ => format!("failing {failed} does what the inventory predicts"),
    }
}

/// The experiment's id: `fail-` and the injected ids.
pub(crate) fn experiment_id(model: &Model, inject: &[ComponentId]) -> String {
    let ids: Vec<&str> = inject.iter().map(|&c| model.component(c).id.as_str()).collect();
    format!("fail-{}", ids.join("+"))
}

/// What one experiment says, shared by every format.
struct Facts {
    id: String,
    claims: Vec<String>,
    up: Vec<ComponentId>,
    degraded: Vec<ComponentId>,
    down: Vec<ComponentId>,
    abort_if: Vec<ComponentId>,
    notify: Vec<String>,
    unowned: Vec<ComponentId>,
    injections: Vec<(ComponentId, Injection)>,
}

fn facts(model: &Model, e: &Experiment) -> Facts {
    let up = e.predicted(State::Up);
    let degraded = e.predicted(State::Degraded);
    let down = e.predicted(State::Down);
    // Abort when a component that matters and should stay up goes down:
    // what the claims protect and the critical components; with neither,
    // every component predicted up.
    let mut abort_if: Vec<ComponentId> = up
        .iter()
        .copied()
        .filter(|&c| model.component(c).is_critical() || e.protected.binary_search(&c).is_ok())
        .collect();
    if abort_if.is_empty() {
        abort_if.clone_from(&up);
    }
    let touched: Vec<ComponentId> = {
        let mut all: Vec<ComponentId> =
            e.inject.iter().chain(&down).chain(&degraded).chain(&e.protected).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    };
    let mut notify: Vec<String> = touched.iter().filter_map(|&c| model.component(c).owner.clone()).collect();
    notify.sort_unstable();
    notify.dedup();
    let unowned = touched.iter().copied().filter(|&c| model.component(c).owner.is_none()).collect();
    Facts {
        id: experiment_id(model, &e.inject),
        claims: e.claims.iter().map(|k| claim_text(model, k, &e.inject)).collect(),
        up,
        degraded,
        down,
        abort_if,
        notify,
        unowned,
        injections: e.inject.iter().map(|&c| (c, injection(model.component(c)))).collect(),
    }
}

fn ids(model: &Model, list: &[ComponentId]) -> Vec<String> {
    list.iter().map(|&c| model.component(c).id.clone()).collect()
}

/// Component ids, held as indices (4 bytes each) and written as ids: the
/// hypothesis of an experiment lists every component of the inventory.
struct IdList<'a> {
    model: &'a Model,
    ids: Vec<ComponentId>,
}

impl Serialize for IdList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.ids.iter().map(|&c| self.model.component(c).id.as_str()))
    }
}

#[derive(Serialize)]
struct Hypothesis<'a> {
    degraded: IdList<'a>,
    down: IdList<'a>,
    up: IdList<'a>,
}

#[derive(Serialize)]
struct DownAny<'a> {
    down_any: IdList<'a>,
}

#[derive(Serialize)]
struct Protects<'a> {
    components: IdList<'a>,
    critical_weight: f64,
}

#[derive(Serialize)]
struct Health<'a> {
    component: &'a str,
    url: &'a str,
}

/// One experiment of `blastmap.drill/v1` (keys in alphabetical order).
#[derive(Serialize)]
struct ExperimentView<'a> {
    abort_if: DownAny<'a>,
    claim: String,
    claims: Vec<Value>,
    contradicted: Vec<Value>,
    entrypoints_down: IdList<'a>,
    health: Vec<Health<'a>>,
    hypothesis: Hypothesis<'a>,
    id: String,
    inject: IdList<'a>,
    injection: Vec<Value>,
    notify: Vec<String>,
    protects: Protects<'a>,
    rank: usize,
    rollback: Vec<Value>,
    unowned: IdList<'a>,
}

fn experiment_json<'a>(model: &'a Model, rank: usize, e: &Experiment) -> ExperimentView<'a> {
    let f = facts(model, e);
    let list = |ids: &[ComponentId]| IdList { model, ids: ids.to_vec() };
    let claims: Vec<Value> = e
        .claims
        .iter()
        .zip(&f.claims)
        .map(|(k, text)| json!({"kind": k.kind.as_str(), "component": model.component(k.component).id, "text": text}))
        .collect();
    let contradicted: Vec<Value> = e
        .contradicted
        .iter()
        .map(|k| {
            json!({"kind": k.kind.as_str(), "component": model.component(k.component).id,
                   "text": claim_text(model, k, &e.inject),
                   "path": ids(model, &e.simulation.path(k.component))})
        })
        .collect();
    let injection: Vec<Value> = f
        .injections
        .iter()
        .map(|(c, i)| json!({"component": model.component(*c).id, "command": i.inject, "placeholder": i.placeholder}))
        .collect();
    let rollback: Vec<Value> = f
        .injections
        .iter()
        .map(|(c, i)| json!({"component": model.component(*c).id, "command": i.restore, "placeholder": i.placeholder}))
        .collect();
    let mut health: Vec<Health<'a>> =
        f.up.iter()
            .chain(&f.degraded)
            .chain(&f.down)
            .chain(&e.inject)
            .filter_map(|&c| {
                let comp = model.component(c);
                comp.health.as_deref().map(|url| Health { component: &comp.id, url })
            })
            .collect();
    health.sort_by(|a, b| (a.component, a.url).cmp(&(b.component, b.url)));
    ExperimentView {
        abort_if: DownAny { down_any: list(&f.abort_if) },
        claim: f.claims.join("; "),
        claims,
        contradicted,
        entrypoints_down: list(&e.entrypoints_down),
        health,
        hypothesis: Hypothesis { degraded: list(&f.degraded), down: list(&f.down), up: list(&f.up) },
        id: f.id,
        inject: list(&e.inject),
        injection,
        notify: f.notify,
        protects: Protects { components: list(&e.protected), critical_weight: e.protected_weight },
        rank,
        rollback,
        unowned: list(&f.unowned),
    }
}

fn left_json(model: &Model, l: &LeftOut) -> Value {
    let (reason, entrypoints) = match &l.why {
        Left::Outage(list) => ("outage", ids(model, list)),
        Left::Contradicted => ("contradicted", Vec::new()),
        Left::BelowTop => ("below-top", Vec::new()),
    };
    let claims: Vec<String> =
        l.claims.iter().chain(&l.contradicted).map(|k| claim_text(model, k, &l.inject)).collect();
    json!({"id": experiment_id(model, &l.inject), "inject": ids(model, &l.inject),
           "reason": reason, "entrypoints_down": entrypoints, "claims": claims})
}

/// What the inventory lacks for drills: the components without a
/// `health` URL (a drill cannot observe them), and the injected ones
/// without a `drill` (their commands are placeholders). Empty without
/// experiments.
fn missing(model: &Model, experiments: &[&Experiment]) -> (Vec<ComponentId>, Vec<ComponentId>) {
    if experiments.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let no_health = model.ids().filter(|&c| model.component(c).health.is_none()).collect();
    let mut no_drill: Vec<ComponentId> = experiments
        .iter()
        .flat_map(|e| e.inject.iter().copied().filter(|&c| model.component(c).drill.is_none()))
        .collect();
    no_drill.sort_unstable();
    no_drill.dedup();
    (no_health, no_drill)
}

/// `blastmap.drill/v1`: the plan (or the scenario) as JSON.
pub(crate) fn json(
    model: &Model,
    name: &str,
    experiments: &[&Experiment],
    left_out: &[LeftOut],
    estimated: Option<u64>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Missing<'a> {
        drill: IdList<'a>,
        health: IdList<'a>,
    }
    #[derive(Serialize)]
    struct Document<'a> {
        experiments: crate::render::Each<Box<dyn Iterator<Item = ExperimentView<'a>> + 'a>>,
        inventory: &'a str,
        left_out: Vec<Value>,
        missing: Missing<'a>,
        ranked_by_estimate: bool,
        schema: &'static str,
    }
    let (no_health, no_drill) = missing(model, experiments);
    let document = Document {
        // Each experiment is made as it is written: one at a time in memory.
        experiments: crate::render::Each::new(Box::new(
            experiments.iter().enumerate().map(|(i, e)| experiment_json(model, i + 1, e)),
        )),
        inventory: name,
        left_out: left_out.iter().map(|l| left_json(model, l)).collect(),
        missing: Missing { drill: IdList { model, ids: no_drill }, health: IdList { model, ids: no_health } },
        ranked_by_estimate: estimated.is_some(),
        schema: "blastmap.drill/v1",
    };
    crate::render::write_pretty(out, &document)
}

/// A fenced code block that no backtick run in `text` can close.
fn code_block(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}sh\n{text}\n{fence}\n")
}

/// A list of ids for Markdown, shortened past `max`.
fn md_list(model: &Model, list: &[ComponentId], max: usize) -> String {
    if list.is_empty() {
        return "none".to_owned();
    }
    let mut shown: Vec<String> = list.iter().take(max).map(|&c| md(&model.component(c).id)).collect();
    if list.len() > max {
        shown.push(format!("and {} more", list.len() - max));
    }
    shown.join(", ")
}

/// Claim text for Markdown: the ids in it are in backticks already, so
/// only what is outside them is escaped.
fn md_claim(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("`{}`", part.replace('`', "'")) } else { md(part) })
        .collect()
}

/// The game-day plan as Markdown.
pub(crate) fn markdown(model: &Model, name: &str, plan: &Plan, scenario: bool) -> String {
    let experiments: Vec<&Experiment> = plan.experiments.iter().collect();
    let mut out = format!("# Game day: {}\n\n", md(name));
    if scenario {
        out.push_str("The plan of one scenario, as given with `--fail`.\n\n");
    } else {
        out.push_str(&format!(
            "{} chosen to test the claims the inventory makes (redundancy groups, placement across failure domains, soft dependencies), the most protective first.\n\n",
            crate::render::plural(experiments.len(), "experiment")
        ));
    }
    if experiments.is_empty() && !scenario {
        out.push_str("No experiment to propose: the inventory makes no claim a drill can test (no `any_of` or `quorum` group, no `runs_in` over several domains, no `mode: soft` dependency)");
        let outage = plan.left_out.iter().filter(|l| matches!(l.why, Left::Outage(_))).count();
        if outage > 0 {
            out.push_str(&format!(
                " that is safe: {outage} would take an entrypoint down (`--allow-outage` plans them)"
            ));
        }
        out.push_str(".\n\n");
    }
    let (no_health, no_drill) = missing(model, &experiments);
    if let Some(cost) = plan.estimated {
        out.push_str(&format!(
            "> **Ranked by an estimate:** simulating every candidate with its claims would touch up to {cost} components; candidates were ranked by the sum of their claims' blast radii (overlaps counted twice), and the planned experiments were then simulated exactly.\n\n"
        ));
    }
    if !no_drill.is_empty() {
        out.push_str(&format!(
            "> **Placeholders:** {} {} no `drill.inject` in the inventory; their commands below are placeholders to replace (`drill: {{inject: ..., restore: ...}}`).\n\n",
            md_list(model, &no_drill, 10),
            if no_drill.len() == 1 { "has" } else { "have" }
        ));
    }
    if !no_health.is_empty() {
        out.push_str(&format!(
            "> **Not observable:** {} of {} components have no `health` URL: a drill cannot check their state. Add `health: http://...` to them.\n\n",
            no_health.len(),
            model.len()
        ));
    }
    for (i, e) in experiments.iter().enumerate() {
        let f = facts(model, e);
        out.push_str(&format!("## {}. {}\n\n", i + 1, md(&f.id)));
        if !scenario {
            out.push_str("**Claims tested**\n\n");
            for c in &f.claims {
                out.push_str(&format!("- {}\n", md_claim(c)));
            }
            out.push('\n');
            if e.protected_weight > 0.0 || !e.protected.is_empty() {
                out.push_str(&format!(
                    "If a claim were false, these would go down: {} (critical weight {}).\n\n",
                    md_list(model, &e.protected, 10),
                    e.protected_weight
                ));
            }
        }
        out.push_str("**Inject**\n\n");
        for (c, inj) in &f.injections {
            let tag = if inj.placeholder { " (placeholder)" } else { "" };
            out.push_str(&format!("- `{}`{tag}:\n\n", md(&model.component(*c).id).replace('`', "'")));
            out.push_str(&code_block(&inj.inject));
            out.push('\n');
        }
        out.push_str("**Hypothesis**\n\n");
        out.push_str(&format!("- stays up ({}): {}\n", f.up.len(), md_list(model, &f.up, 20)));
        out.push_str(&format!("- degraded ({}): {}\n", f.degraded.len(), md_list(model, &f.degraded, 20)));
        out.push_str(&format!("- down ({}): {}\n", f.down.len(), md_list(model, &f.down, 20)));
        if !e.entrypoints_down.is_empty() {
            out.push_str(&format!(
                "- **entrypoints down: {}** (an outage for users)\n",
                md_list(model, &e.entrypoints_down, 20)
            ));
        }
        out.push('\n');
        out.push_str(&format!(
            "**Abort** and roll back at once if any of these goes down: {}.\n\n",
            md_list(model, &f.abort_if, 20)
        ));
        let mut notify = f.notify.iter().map(|o| md(o)).collect::<Vec<_>>().join(", ");
        if notify.is_empty() {
            "nobody: no affected component has an `owner`".clone_into(&mut notify);
        }
        out.push_str(&format!("**Notify**: {notify}"));
        if !f.unowned.is_empty() && !f.notify.is_empty() {
            out.push_str(&format!(" (no owner: {})", md_list(model, &f.unowned, 10)));
        }
        out.push_str(".\n\n**Rollback**\n\n");
        for (c, inj) in &f.injections {
            let id = md(&model.component(*c).id).replace('`', "'");
            match &inj.restore {
                Some(r) => {
                    out.push_str(&format!(
                        "- `{id}`{}:\n\n",
                        if inj.placeholder { " (placeholder)" } else { "" }
                    ));
                    out.push_str(&code_block(r));
                    out.push('\n');
                }
                None => out.push_str(&format!(
                    "- `{id}`: no restore command in the inventory; bring it back by hand\n\n"
                )),
            }
        }
        if !e.contradicted.is_empty() {
            out.push_str("**Already contradicted by the inventory** (fix before testing):\n\n");
            for k in &e.contradicted {
                out.push_str(&format!(
                    "- {}: predicted down anyway\n",
                    md_claim(&claim_text(model, k, &e.inject))
                ));
            }
            out.push('\n');
        }
    }
    let outage: Vec<&LeftOut> = plan.left_out.iter().filter(|l| matches!(l.why, Left::Outage(_))).collect();
    let contradicted: Vec<&LeftOut> = plan.left_out.iter().filter(|l| l.why == Left::Contradicted).collect();
    let below = plan.left_out.iter().filter(|l| l.why == Left::BelowTop).count();
    if !outage.is_empty() || !contradicted.is_empty() || below > 0 {
        out.push_str("## Not planned\n\n");
        for l in outage {
            if let Left::Outage(list) = &l.why {
                out.push_str(&format!(
                    "- {}: would take entrypoints down ({}); `--allow-outage` plans it\n",
                    md(&experiment_id(model, &l.inject)),
                    md_list(model, list, 10)
                ));
            }
        }
        for l in contradicted {
            let claims: Vec<String> =
                l.contradicted.iter().map(|k| md_claim(&claim_text(model, k, &l.inject))).collect();
            out.push_str(&format!(
                "- {}: the inventory already predicts these claims false (illusory redundancy): {}\n",
                md(&experiment_id(model, &l.inject)),
                claims.join("; ")
            ));
        }
        if below > 0 {
            out.push_str(&format!("- {below} more below the first {} (`--top N`)\n", experiments.len()));
        }
        out.push('\n');
    }
    out
}

fn http_probe(name: &str, url: &str, tolerance: Option<Value>) -> Value {
    let mut probe =
        json!({"type": "probe", "name": name, "provider": {"type": "http", "url": url, "timeout": 3}});
    if let (Some(t), Some(map)) = (tolerance, probe.as_object_mut()) {
        map.insert("tolerance".to_owned(), t);
    }
    probe
}

/// What an `observe:ID` probe runs: fetch the URL and print one JSON line
/// `{"status": CODE, "health": X-Health, "body": ...}`, CODE 0 when
/// nothing answered. It never fails, so that a component that is down (as
/// predicted or not) is an observation, not a failed activity that would
/// mark the whole run failed; `verify` reads the line back.
const OBSERVE: &str = "import json, sys, urllib.error, urllib.request
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    code, headers, body = r.status, r.headers, r.read(4096)
except urllib.error.HTTPError as e:
    code, headers, body = e.code, e.headers, e.read(4096)
except Exception as e:
    code, headers, body = 0, {}, str(e).encode()
print(json.dumps({'status': code, 'health': headers.get('X-Health') or '', 'body': body.decode('utf-8', 'replace')}))
";

fn observe_probe(id: &str, url: &str) -> Value {
    json!({
        "type": "probe",
        "name": format!("observe:{id}"),
        "provider": {"type": "process", "path": "python3", "arguments": ["-c", OBSERVE, url], "timeout": 30},
    })
}

fn process(name: &str, command: &str, pause_after: Option<u32>) -> Value {
    let mut action = json!({
        "type": "action",
        "name": name,
        "provider": {"type": "process", "path": "sh", "arguments": ["-c", command], "timeout": 300},
    });
    if let (Some(after), Some(map)) = (pause_after, action.as_object_mut()) {
        map.insert("pauses".to_owned(), json!({"after": after}));
    }
    action
}

/// One Chaos Toolkit experiment (`chaos validate` accepts it; see the
/// module documentation for what it probes).
pub(crate) fn chaostoolkit(model: &Model, rank: usize, e: &Experiment, settle: u32) -> Value {
    let f = facts(model, e);
    let url = |c: ComponentId| model.component(c).health.as_deref();
    let two_xx = json!({"type": "range", "target": "status", "range": [200, 299]});
    let steady: Vec<Value> = f
        .up
        .iter()
        .chain(&f.degraded)
        .filter_map(|&c| {
            url(c).map(|u| http_probe(&format!("steady:{}", model.component(c).id), u, Some(two_xx.clone())))
        })
        .collect();
    let mut method: Vec<Value> = Vec::new();
    let last = f.injections.len().saturating_sub(1);
    for (i, (c, inj)) in f.injections.iter().enumerate() {
        method.push(process(
            &format!("inject:{}", model.component(*c).id),
            &inj.inject,
            (i == last).then_some(settle),
        ));
    }
    let mut observed: Vec<ComponentId> = model.ids().filter(|&c| url(c).is_some()).collect();
    observed.sort_by(|&a, &b| model.component(a).id.cmp(&model.component(b).id));
    for c in observed {
        if let Some(u) = url(c) {
            method.push(observe_probe(&model.component(c).id, u));
        }
    }
    let rollbacks: Vec<Value> = f
        .injections
        .iter()
        .filter_map(|(c, inj)| {
            inj.restore.as_ref().map(|r| process(&format!("restore:{}", model.component(*c).id), r, None))
        })
        .collect();
    let mut description = format!(
        "{}. Hypothesis: {} stay up, {} degraded, {} down. Abort if any of {} goes down. Notify: {}.",
        f.claims.join("; "),
        f.up.len(),
        f.degraded.len(),
        f.down.len(),
        ids(model, &f.abort_if).join(", "),
        if f.notify.is_empty() { "nobody (no owner)".to_owned() } else { f.notify.join(", ") }
    );
    if f.injections.iter().any(|(_, i)| i.placeholder) {
        description.push_str(" Placeholder injections: write `drill.inject` in the inventory.");
    }
    let mut experiment = json!({
        "version": "1.0.0",
        "title": format!("blastmap drill {rank}: {}", f.id),
        "description": description,
        "tags": ["blastmap", "drill"],
        "extensions": [{"name": "blastmap", "experiment": experiment_json(model, rank, e)}],
        "runtime": {"rollbacks": {"strategy": "always"}},
        "method": method,
        "rollbacks": rollbacks,
    });
    if !steady.is_empty()
        && let Some(map) = experiment.as_object_mut()
    {
        map.insert(
            "steady-state-hypothesis".to_owned(),
            json!({"title": "what the inventory predicts to keep answering does", "probes": steady}),
        );
    }
    experiment
}

/// The file name of experiment `rank` in a directory of experiments: its
/// rank and its id, with anything but letters, digits, `.`, `_` and `-`
/// replaced.
pub(crate) fn file_name(model: &Model, rank: usize, e: &Experiment) -> String {
    let id: String = experiment_id(model, &e.inject)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .take(80)
        .collect();
    format!("{rank:02}-{id}.json")
}
