//! `blastmap report`: the full analysis.

use blastmap_analysis::progress::Progress;
use blastmap_analysis::report::{Analyses, ReportOptions, report_with_progress};

use crate::cli::{DiagnosticsFormat, ReportArgs, ReportFormat};
use crate::commands::{Context, Outcome, eprint, load_valid_watched, output_failed};
use crate::output;
use crate::progress;
use crate::render;

pub(crate) fn run(ctx: &Context, args: &ReportArgs) -> Outcome {
    // The HTML page shows every component's blast radius as id lists: it
    // needs the detailed sweep whatever `--detail` says.
    let detail = args.detail || args.format == ReportFormat::Html;
    let mut options = ReportOptions { detail, ..ReportOptions::default() };
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
    let mode = progress::Mode::detect(args.progress);
    let Some(loaded) = load_valid_watched(ctx, &args.input, diagnostics_format, mode) else {
        return Outcome::Invalid;
    };
    let model = &loaded.model;
    let tracker = Progress::new();
    let result =
        progress::watch(mode, "analysing", &tracker, || report_with_progress(model, &options, &tracker));
    let name = args.input.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let text = match args.format {
        ReportFormat::Text => render::report::text(model, &result, &name, args.top),
        ReportFormat::Markdown => render::report::markdown(model, &result, &name, args.top),
        ReportFormat::Json => render::report::json(model, &result, args.detail),
        ReportFormat::Html => match render::html::render(model, &result, &name, args.top, args.diagram) {
            Ok(page) => page,
            Err(message) => {
                eprint(&format!("error: {message}\n"));
                return Outcome::Invalid;
            }
        },
    };
    let outcome = match output::emit(args.output.as_deref(), text.as_bytes()) {
        Ok(()) => Outcome::Success,
        Err(e) => output_failed(e),
    };
    // The process ends right after: freeing the model, the results and the
    // text one allocation at a time would cost a tenth of a 10k-component
    // run, and the operating system takes the memory back at once anyway.
    std::mem::forget((loaded, result, text));
    outcome
}
