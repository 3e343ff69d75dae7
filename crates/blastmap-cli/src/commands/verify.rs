//! `blastmap verify`: what a drill observed against the prediction.
//!
//! The observation is a `blastmap.outcome/v1` file (`failed`, `down` and
//! `degraded` ids; every other component was seen up) or a Chaos Toolkit
//! journal of an experiment `blastmap drill --format chaostoolkit` wrote:
//! the failure comes from its `blastmap` extension, and the state of each
//! component from the method's `observe:ID` probes (see
//! [`observed_state`]).

use std::path::Path;

use blastmap_analysis::simulate::State;
use blastmap_analysis::verify::{Observed, verify};
use blastmap_manifest::{ComponentId, Model};
use serde_json::Value;

use crate::cli::{DiagnosticsFormat, VerifyArgs, VerifyFormat};
use crate::commands::{Context, Ended, Outcome, load_valid, written};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render;

const OUTCOME_HELP: &str = "give a Chaos Toolkit journal of an experiment from `blastmap drill --format chaostoolkit`, or `{\"schema\": \"blastmap.outcome/v1\", \"failed\": [..], \"down\": [..], \"degraded\": [..]}`";

pub(crate) fn run(ctx: &Context, args: &VerifyArgs) -> Ended {
    let format =
        if args.format == VerifyFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    let loaded = match load_valid(ctx, &args.input, format) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    let plan =
        args.drill.as_deref().map(|p| read_json(p, "a `blastmap drill --format json` plan")).transpose()?;
    let observed = read_observed(model, &args.observed, plan.as_ref())?;
    let verification = verify(model, &observed);
    if let (Some((file, text, plan)), false) = (&plan, observed.failed.is_empty()) {
        warn_if_stale(model, file, text, plan, &verification.simulation, &observed.failed);
    }
    let outcome = if render::verify::held(&verification) { Outcome::Success } else { Outcome::Findings };
    let path = args.output.as_deref();
    match args.format {
        VerifyFormat::Json => {
            let value = render::verify::json(model, &verification);
            written(output::emit_with(path, |w| render::write_pretty(w, &value)), outcome)
        }
        VerifyFormat::Text => {
            let text = render::verify::text(model, &verification, ctx.out_style(path));
            written(output::emit(path, text.as_bytes()), outcome)
        }
    }
}

/// A JSON file: its name, its text and its value, or where it is not JSON.
fn read_json(path: &Path, what: &'static str) -> Result<(String, String, Value), CliError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| CliError::InvalidDrillFile {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read it: {e}"),
        help: "check the path",
    })?;
    let value = serde_json::from_str(&text).map_err(|e| CliError::InvalidDrillFile {
        file: file.clone(),
        line: e.line(),
        column: e.column().max(1),
        message: format!("not JSON ({what} is expected): {e}"),
        help: OUTCOME_HELP,
    })?;
    Ok((file, text, value))
}

/// Line and column (1-based) of the first `"id"` string in `text`, or 0.
fn position_of(text: &str, id: &str) -> (usize, usize) {
    let quoted = serde_json::to_string(id).unwrap_or_default();
    text.find(&quoted).map_or((0, 0), |at| {
        let before = &text[..at];
        (before.matches('\n').count() + 1, before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1)
    })
}

struct Reader<'a> {
    model: &'a Model,
    file: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    fn error(&self, line: usize, column: usize, message: String, help: &'static str) -> CliError {
        CliError::InvalidDrillFile { file: self.file.to_owned(), line, column, message, help }
    }

    /// The component of `id`, or an error at its place in the file.
    fn component(&self, id: &str) -> Result<ComponentId, CliError> {
        self.model.find(id).ok_or_else(|| {
            let (line, column) = position_of(self.text, id);
            let hint = self.model.suggest(id).map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
            self.error(
                line,
                column,
                format!("`{id}` names no component of the inventory{hint}"),
                "verify against the inventory the drill was planned from",
            )
        })
    }

    /// The ids of the array `value[key]` (absent: none).
    fn ids(&self, value: &Value, key: &str) -> Result<Vec<ComponentId>, CliError> {
        match value.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => list
                .iter()
                .map(|v| match v.as_str() {
                    Some(id) => self.component(id),
                    None => Err(self.error(0, 0, format!("`{key}` holds a non-string: {v}"), OUTCOME_HELP)),
                })
                .collect(),
            Some(other) => {
                Err(self.error(0, 0, format!("`{key}` must be a list of ids, not {other}"), OUTCOME_HELP))
            }
        }
    }
}

fn read_observed(
    model: &Model,
    path: &Path,
    plan: Option<&(String, String, Value)>,
) -> Result<Observed, CliError> {
    let (file, text, value) = read_json(path, "a drill's outcome")?;
    let reader = Reader { model, file: &file, text: &text };
    if value.get("schema").and_then(Value::as_str) == Some("blastmap.outcome/v1") {
        let failed = reader.ids(&value, "failed")?;
        let mut states = vec![Some(State::Up); model.len()];
        for (key, state) in [("down", State::Down), ("degraded", State::Degraded)] {
            for c in reader.ids(&value, key)? {
                if let Some(s) = states.get_mut(c.index()) {
                    *s = Some(state);
                }
            }
        }
        for &c in &failed {
            if let Some(s) = states.get_mut(c.index()) {
                *s = Some(State::Down);
            }
        }
        return Ok(Observed { failed, states });
    }
    let Some(experiment) = value.get("experiment").filter(|_| value.get("run").is_some()) else {
        return Err(reader.error(
            0,
            0,
            "neither a Chaos Toolkit journal (no `experiment` and `run`) nor `blastmap.outcome/v1`"
                .to_owned(),
            OUTCOME_HELP,
        ));
    };
    journal(&reader, &value, experiment, plan)
}

/// The blastmap experiment embedded in a Chaos Toolkit experiment.
fn extension(experiment: &Value) -> Option<&Value> {
    experiment
        .get("extensions")?
        .as_array()?
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some("blastmap"))?
        .get("experiment")
}

fn journal(
    reader: &Reader<'_>,
    journal: &Value,
    experiment: &Value,
    plan: Option<&(String, String, Value)>,
) -> Result<Observed, CliError> {
    let planned = extension(experiment).or_else(|| {
        let experiments = plan?.2.get("experiments")?.as_array()?;
        if let [only] = experiments.as_slice() { Some(only) } else { None }
    });
    let Some(planned) = planned else {
        return Err(reader.error(
            0,
            0,
            "the journal's experiment has no `blastmap` extension: which components it failed is unknown".to_owned(),
            "run an experiment written by `blastmap drill --format chaostoolkit`, or pass the plan of that one experiment with `--drill PLAN.json`",
        ));
    };
    let failed = reader.ids(planned, "inject")?;
    let before_met = journal.pointer("/steady_states/before/steady_state_met").and_then(Value::as_bool);
    if before_met == Some(false) {
        return Err(reader.error(
            0,
            0,
            "the steady state did not hold before the injection, so Chaos Toolkit never ran the method: the drill did not happen".to_owned(),
            "bring the system to health (every probe of the hypothesis answering 2xx) and run the experiment again",
        ));
    }
    let mut states = vec![None; reader.model.len()];
    let mut seen = 0;
    for entry in journal.get("run").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
        let name = entry.pointer("/activity/name").and_then(Value::as_str).unwrap_or_default();
        let Some(id) = name.strip_prefix("observe:") else { continue };
        let c = reader.component(id)?;
        if let (Some(s), Some(state)) = (states.get_mut(c.index()), observed_state(entry)) {
            *s = Some(state);
            seen += 1;
        }
    }
    if seen == 0 {
        return Err(reader.error(
            0,
            0,
            "the journal observes no component (no `observe:ID` probe ran)".to_owned(),
            "give the components `health` URLs in the inventory, write the experiment again with `blastmap drill --format chaostoolkit`, and run it to the end",
        ));
    }
    Ok(Observed { failed, states })
}

/// The state an `observe:ID` probe saw, `None` when it says nothing
/// (the probe could not run). The probe prints `{"status", "health",
/// "body"}` (the probe `drill` writes); an HTTP probe's own `output`
/// (`status`, `headers`, `body`) is read as well, and an HTTP probe that
/// failed (no answer) is down. Down when nothing answered (status 0) or the
/// answer is not 2xx; degraded when a 2xx answer says so (an `X-Health:
/// degraded` header, a body `degraded`, a JSON body whose `status` is
/// `DEGRADED` or `WARN`); down when a 2xx answer's JSON `status` is `DOWN`
/// or `OUT_OF_SERVICE`, or its text body is `down`; otherwise up.
pub(crate) fn observed_state(entry: &Value) -> Option<State> {
    let http = entry.pointer("/activity/provider/type").and_then(Value::as_str) == Some("http");
    if entry.get("status").and_then(Value::as_str) != Some("succeeded") {
        return http.then_some(State::Down);
    }
    let output = entry.get("output")?;
    let printed: Option<Value> =
        output.get("stdout").and_then(Value::as_str).and_then(|s| serde_json::from_str(s.trim()).ok());
    let answer = printed.as_ref().unwrap_or(output);
    let code = answer.get("status").and_then(Value::as_u64)?;
    if !(200..300).contains(&code) {
        return Some(State::Down);
    }
    let header = answer.get("health").and_then(Value::as_str).or_else(|| {
        answer.get("headers").and_then(Value::as_object).and_then(|h| {
            h.iter().find(|(k, _)| k.eq_ignore_ascii_case("x-health")).and_then(|(_, v)| v.as_str())
        })
    });
    if header.is_some_and(|h| h.trim().eq_ignore_ascii_case("degraded")) {
        return Some(State::Degraded);
    }
    let status_of = |v: &Value| v.get("status").and_then(Value::as_str).map(str::to_ascii_lowercase);
    let word = match answer.get("body") {
        Some(Value::String(body)) => serde_json::from_str::<Value>(body)
            .ok()
            .as_ref()
            .and_then(status_of)
            .unwrap_or_else(|| body.trim().to_ascii_lowercase()),
        Some(object @ Value::Object(_)) => status_of(object).unwrap_or_default(),
        _ => String::new(),
    };
    Some(match word.as_str() {
        "down" | "out_of_service" => State::Down,
        "degraded" | "warn" => State::Degraded,
        _ => State::Up,
    })
}

/// Says when the plan given with `--drill` predicted something else than
/// the inventory does now (the inventory changed since the plan).
fn warn_if_stale(
    model: &Model,
    file: &str,
    _text: &str,
    plan: &Value,
    sim: &blastmap_analysis::simulate::Simulation,
    failed: &[ComponentId],
) {
    let wanted: Vec<String> = failed.iter().map(|&c| model.component(c).id.clone()).collect();
    let experiments = plan.get("experiments").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let Some(e) = experiments.iter().find(|e| {
        let inject: Vec<String> = e
            .get("inject")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        inject == wanted
    }) else {
        eprint(&format!(
            "warning: {}: no experiment of the plan fails {}\n",
            render::safe(file),
            render::safe(&wanted.join(", "))
        ));
        return;
    };
    let mut differ = 0;
    for (key, state) in [("up", State::Up), ("degraded", State::Degraded), ("down", State::Down)] {
        let list =
            e.pointer(&format!("/hypothesis/{key}")).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        differ += list
            .iter()
            .filter_map(Value::as_str)
            .filter(|id| model.find(id).is_none_or(|c| sim.state(c) != state || sim.is_failed(c)))
            .count();
    }
    if differ > 0 {
        eprint(&format!(
            "warning: {}: the plan predicted another state for {} than the inventory does now: it changed since the plan; this verification uses the inventory\n",
            render::safe(file),
            render::plural(differ, "component")
        ));
    }
}
