//! `blastmap runbook`: the emergency plan of a failure, or one per single
//! point of failure of a critical component.

use blastmap_analysis::report::{Analyses, ReportOptions, report};
use blastmap_analysis::runbook::{Runbook, runbook};
use blastmap_manifest::Model;

use crate::cli::{DiagnosticsFormat, RunbookArgs, RunbookFormat};
use crate::commands::{Context, Ended, Outcome, load_valid, written};
use crate::error::CliError;
use crate::output;
use crate::render;

pub(crate) fn run(ctx: &Context, args: &RunbookArgs) -> Ended {
    let format =
        if args.format == RunbookFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    let loaded = match load_valid(ctx, &args.input, format) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    super::criticality::warn_if_nothing_critical(ctx, model);
    if !args.all_spofs {
        let failed = super::simulate::resolve_ids(model, &args.fail)?;
        let rb = runbook(model, &failed);
        return written(write(model, &rb, args.format, args.output.as_deref()), Outcome::Success);
    }
    let Some(dir) = args.output.as_deref().filter(|p| p.as_os_str() != "-") else {
        return Err(CliError::NeedsOutputDir { count: 0, what: "runbooks" });
    };
    let options = ReportOptions {
        analyses: Analyses { spof: true, ..Analyses::NONE },
        max_pairs: args.input.max_pairs,
        ..ReportOptions::default()
    };
    let spofs = render::report::critical_spofs(&report(model, &options));
    if spofs.is_empty() {
        // Never a silent all-clear: say why there is nothing to write.
        let why = if model.components().any(blastmap_manifest::Component::is_critical) {
            "no single point of failure takes a critical component down"
        } else {
            "no component is critical (mark what users reach `entrypoint: true`, or `tier: 1`), so no single point of failure can be told"
        };
        crate::output::eprint(&format!("warning: no runbook written: {why}\n"));
        return Ok(Outcome::Success);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::CannotWrite { path: dir.display().to_string(), reason: e.to_string() })?;
    let extension = extension(args.format);
    for &c in &spofs {
        let rb = runbook(model, &[c]);
        let file = dir.join(render::runbook::file_name(model, c, extension));
        if let Err(e) = write(model, &rb, args.format, Some(&file)) {
            return super::output_failed(e);
        }
    }
    ctx.note(&format!(
        "wrote {} into {} (one per single point of failure of a critical component)\n",
        render::plural(spofs.len(), "runbook"),
        render::safe(&dir.display().to_string())
    ));
    Ok(Outcome::Success)
}

/// The file extension of a runbook format.
pub(crate) fn extension(format: RunbookFormat) -> &'static str {
    match format {
        RunbookFormat::Markdown => "md",
        RunbookFormat::Html => "html",
        RunbookFormat::Json => "json",
    }
}

fn write(
    model: &Model,
    rb: &Runbook,
    format: RunbookFormat,
    path: Option<&std::path::Path>,
) -> Result<(), output::OutputError> {
    match format {
        RunbookFormat::Markdown => output::emit(path, render::runbook::markdown(model, rb).as_bytes()),
        RunbookFormat::Html => output::emit(path, render::runbook::html(model, rb).as_bytes()),
        RunbookFormat::Json => {
            let value = render::runbook::json(model, rb);
            output::emit_with(path, |w| render::write_pretty(w, &value))
        }
    }
}
