//! `blastmap drill`: a game-day plan, or the plan of one scenario.

use blastmap_analysis::drill::{self, Experiment, Options, Plan};

use crate::cli::{DiagnosticsFormat, DrillArgs, DrillFormat};
use crate::commands::{Context, Ended, Outcome, input_names, load_valid, written};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render;

pub(crate) fn run(ctx: &Context, args: &DrillArgs) -> Ended {
    let format =
        if args.format == DrillFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    let loaded = match load_valid(ctx, &args.input, format) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    super::criticality::warn_if_nothing_critical(ctx, model);
    let name = input_names(&args.input.paths).join(", ");
    let scenario = !args.fail.is_empty();
    let plan = if scenario {
        let failed = super::simulate::resolve_ids(model, &args.fail)?;
        let experiment = drill::scenario(model, &failed);
        if !experiment.entrypoints_down.is_empty() && !args.allow_outage {
            let ids = |list: &[blastmap_manifest::ComponentId]| {
                list.iter().map(|&c| model.component(c).id.as_str()).collect::<Vec<_>>().join(", ")
            };
            return Err(CliError::DrillOutage {
                scenario: ids(&experiment.inject),
                entrypoints: ids(&experiment.entrypoints_down),
            });
        }
        Plan { experiments: vec![experiment], left_out: Vec::new(), estimated: None }
    } else {
        drill::plan(model, Options { top: args.top, allow_outage: args.allow_outage })
    };
    let experiments: Vec<&Experiment> = plan.experiments.iter().collect();
    let path = args.output.as_deref();
    match args.format {
        DrillFormat::Markdown => {
            let text = render::drill::markdown(model, &name, &plan, scenario);
            written(output::emit(path, text.as_bytes()), Outcome::Success)
        }
        DrillFormat::Json => {
            let json = |w: &mut dyn std::io::Write| {
                render::drill::json(model, &name, &experiments, &plan.left_out, plan.estimated, w)
            };
            written(output::emit_with(path, json), Outcome::Success)
        }
        DrillFormat::Chaostoolkit => chaostoolkit(ctx, model, &experiments, args),
    }
}

/// One experiment to `-o FILE` or standard output; several into `-o DIR`
/// (created when missing), one file each, written atomically.
fn chaostoolkit(
    ctx: &Context,
    model: &blastmap_manifest::Model,
    experiments: &[&Experiment],
    args: &DrillArgs,
) -> Ended {
    let path = args.output.as_deref();
    let one = |rank: usize, e: &Experiment| render::drill::chaostoolkit(model, rank, e, args.settle);
    match experiments {
        [] => {
            eprint(
                "warning: no experiment to write: the inventory makes no claim a drill can test safely (see `blastmap drill` in Markdown for why)\n",
            );
            Ok(Outcome::Success)
        }
        [e] if path.is_none_or(|p| !p.is_dir()) => {
            let value = one(1, e);
            written(output::emit_with(path, |w| render::write_pretty(w, &value)), Outcome::Success)
        }
        several => {
            let Some(dir) = path.filter(|p| p.as_os_str() != "-") else {
                return Err(CliError::NeedsOutputDir { count: several.len(), what: "experiments" });
            };
            std::fs::create_dir_all(dir).map_err(|e| CliError::CannotWrite {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
            for (i, e) in several.iter().enumerate() {
                let value = one(i + 1, e);
                let file = dir.join(render::drill::file_name(model, i + 1, e));
                if let Err(e) = output::emit_with(Some(&file), |w| render::write_pretty(w, &value)) {
                    return super::output_failed(e);
                }
            }
            ctx.note(&format!(
                "wrote {} into {}\n",
                render::plural(several.len(), "Chaos Toolkit experiment"),
                render::safe(&dir.display().to_string())
            ));
            Ok(Outcome::Success)
        }
    }
}
