//! `blastmap report`: the full analysis.

use blastmap_analysis::report::{Analyses, ReportOptions, report};

use crate::cli::{DiagnosticsFormat, ReportArgs, ReportFormat};
use crate::commands::{Context, Outcome, eprint, load_valid, output_failed};
use crate::output;
use crate::render;

pub(crate) fn run(ctx: &Context, args: &ReportArgs) -> Outcome {
    let mut options = ReportOptions { detail: args.detail, ..ReportOptions::default() };
    if let Some(names) = &args.analyses {
        options.analyses = Analyses::NONE;
        for name in names {
            if !options.analyses.enable(name.trim()) {
                let hint = blastmap_manifest::suggest::closest(name, Analyses::NAMES).map_or_else(
                    || format!("the analyses are {}", Analyses::NAMES.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                eprint(&format!("error: unknown analysis `{}`; {hint}\n", render::safe(name)));
                return Outcome::Invalid;
            }
        }
    }
    let diagnostics_format =
        if args.format == ReportFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Human };
    let Some(loaded) = load_valid(ctx, &args.input, diagnostics_format) else { return Outcome::Invalid };
    let model = &loaded.model;
    let result = report(model, &options);
    let name = args.input.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let text = match args.format {
        ReportFormat::Text => render::report::text(model, &result, &name, args.top),
        ReportFormat::Markdown => render::report::markdown(model, &result, &name, args.top),
        ReportFormat::Json => render::report::json(model, &result, args.detail),
    };
    match output::emit(args.output.as_deref(), text.as_bytes()) {
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
    }
}
