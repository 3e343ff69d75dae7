//! `blastmap report`: the full analysis.

use blastmap_analysis::cold_start::cold_start;
use blastmap_analysis::progress::Progress;
use blastmap_analysis::report::{Analyses, Report, ReportOptions, detail_entries, report_with_progress};
use blastmap_manifest::Model;

use crate::cli::{DiagnosticsFormat, HtmlDiagram, ReportArgs, ReportFormat};
use crate::commands::graphviz::{self, GraphvizError, Image};
use crate::commands::{Context, Ended, Outcome, load_valid_watched, written};
use crate::error::CliError;
use crate::output;
use crate::progress;
use crate::render;
use crate::render::diagram::ClusterBy;
use crate::render::html::{Drawing, GRAPHVIZ_BUDGET};

/// The switch of one analysis in [`Analyses`].
type Switch = fn(&mut Analyses) -> &mut bool;

/// The names `--analyses` accepts, with the switch each turns on.
const ANALYSES: [(&str, Switch); 5] = [
    ("blast-radius", |a| &mut a.blast_radius),
    ("spof", |a| &mut a.spof),
    ("cuts", |a| &mut a.cuts),
    ("availability", |a| &mut a.availability),
    ("cold-start", |a| &mut a.cold_start),
];

/// The analyses named in `--analyses` (every one without it).
fn analyses(names: Option<&[String]>) -> Result<Analyses, CliError> {
    let Some(names) = names else { return Ok(Analyses::ALL) };
    let mut chosen = Analyses::NONE;
    for name in names {
        let Some((_, slot)) = ANALYSES.iter().find(|(known, _)| *known == name.trim()) else {
            let known: Vec<&str> = ANALYSES.iter().map(|(known, _)| *known).collect();
            return Err(CliError::UnknownAnalysis {
                name: name.clone(),
                suggestion: blastmap_manifest::closest(name, known.iter().copied()).map(str::to_owned),
                names: known.join(", "),
            });
        };
        *slot(&mut chosen) = true;
    }
    Ok(chosen)
}

pub(crate) fn run(ctx: &Context, args: &ReportArgs) -> Ended {
    // The HTML page simulates a pick itself: it needs no detailed sweep.
    let detail = args.detail;
    let options = ReportOptions {
        detail,
        analyses: analyses(args.analyses.as_deref())?,
        max_pairs: args.input.max_pairs,
        ..ReportOptions::default()
    };
    let diagnostics_format =
        if args.format == ReportFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    let mode = progress::Mode::detect(args.progress);
    let loaded = match load_valid_watched(ctx, &args.input, diagnostics_format, mode) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    super::criticality::warn_if_nothing_critical(ctx, model);
    let tracker = Progress::new();
    let result =
        progress::watch(mode, "analysing", &tracker, || report_with_progress(model, &options, &tracker));
    if detail && args.format == ReportFormat::Json {
        // Streamed whatever its size, but refused before any work when the
        // ids alone are over `--max-output` (a 10,000-chain has 10⁸).
        let bound = output::MAX_OUTPUT.load(std::sync::atomic::Ordering::Relaxed);
        let shortest = model.components().map(|c| c.id.len() as u64).min().unwrap_or(0);
        // Each id takes at least its quotes, its indentation and a newline.
        let bytes = detail_entries(&result).saturating_mul(shortest + 11);
        if bytes > bound {
            return Err(CliError::OutputTooLarge { bytes: Some(bytes), at_least: true, bound });
        }
    }
    let paths = args.input.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
    let name = args.title.clone().unwrap_or(paths);
    let text = match args.format {
        ReportFormat::Text => {
            render::report::text(model, &result, &name, args.top, ctx.out_style(args.output.as_deref()))
        }
        ReportFormat::Markdown => render::report::markdown(model, &result, &name, args.top),
        ReportFormat::Json => {
            // Streamed: the largest output, never held whole.
            let written_json = output::emit_with(args.output.as_deref(), |w| {
                render::report_json::write_json(model, &result, detail.then_some(options.max_pairs), w)
            });
            let outcome = written(written_json, Outcome::Success);
            std::mem::forget((loaded, result));
            return outcome;
        }
        ReportFormat::Html => {
            let title = args.title.clone().unwrap_or_else(|| inventory_name(&args.input.paths));
            html(
                model,
                &result,
                &title,
                args.top,
                args.diagram,
                render::html::View { by: args.cluster_by.into(), runbooks: args.runbooks.as_deref() },
            )?
        }
    };
    let outcome = written(output::emit(args.output.as_deref(), text.as_bytes()), Outcome::Success);
    // The process ends right after: freeing the model, the results and the
    // text one allocation at a time would cost a tenth of a 10k-component
    // run, and the operating system takes the memory back at once anyway.
    std::mem::forget((loaded, result, text));
    outcome
}

/// What a design review calls the inventory: the name of each path given
/// (a directory's name, a file's name without its extension), not the
/// paths, which are often absolute.
fn inventory_name(paths: &[std::path::PathBuf]) -> String {
    let name = |p: &std::path::Path| {
        let text = p.display().to_string();
        if text == "-" {
            return "standard input".to_owned();
        }
        if text.starts_with("git:") {
            return text;
        }
        let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let named = if p.is_dir() { absolute.file_name() } else { absolute.file_stem() };
        named.map_or(text, |n| n.to_string_lossy().into_owned())
    };
    paths.iter().map(|p| name(p)).collect::<Vec<_>>().join(", ")
}

/// The HTML page: what it shows beyond the report (cold-start waves for
/// its layout, the Graphviz drawing) is computed here and handed to the
/// renderer; the page simulates the failure a user picks itself.
fn html(
    model: &Model,
    report: &Report,
    name: &str,
    top: usize,
    how: HtmlDiagram,
    view: render::html::View<'_>,
) -> Result<String, CliError> {
    let by = view.by;
    let waves = match &report.cold_start {
        Some(c) => std::borrow::Cow::Borrowed(c),
        None => std::borrow::Cow::Owned(cold_start(model)),
    };
    let drawing = drawing(model, report, how, by)?;
    Ok(render::html::render(model, report, &waves, name, top, drawing, view))
}

/// The page's diagram as `--diagram` asks: `auto` gives Graphviz
/// [`GRAPHVIZ_BUDGET`] and falls back to the built-in layout whatever went
/// wrong, so the page always has a diagram.
fn drawing(model: &Model, report: &Report, how: HtmlDiagram, by: ClusterBy) -> Result<Drawing, CliError> {
    if how == HtmlDiagram::Builtin {
        return Ok(Drawing::Builtin(None));
    }
    let down: Option<Vec<u32>> = report.radii.as_ref().map(|r| r.iter().map(|r| r.down).collect());
    let scene = render::html::graphviz_scene(model, down.as_deref(), by);
    let budget = (how == HtmlDiagram::Auto).then_some(GRAPHVIZ_BUDGET);
    match graphviz::render_within(&render::html::graphviz_dot(&scene), Image::Svg, budget) {
        Ok(bytes) => Ok(Drawing::Graphviz(String::from_utf8_lossy(&bytes).into_owned())),
        Err(GraphvizError::TimedOut) => Ok(Drawing::Builtin(Some(format!(
            "Graphviz did not finish within {} s (`--diagram graphviz` waits for it)",
            GRAPHVIZ_BUDGET.as_secs()
        )))),
        Err(GraphvizError::NotInstalled) if how == HtmlDiagram::Auto => Ok(Drawing::Builtin(None)),
        Err(GraphvizError::Failed(reason)) if how == HtmlDiagram::Auto => {
            Ok(Drawing::Builtin(Some(format!("Graphviz failed: {reason}"))))
        }
        Err(GraphvizError::NotInstalled) => Err(CliError::GraphvizMissingForDiagram),
        Err(GraphvizError::Failed(reason)) => Err(CliError::GraphvizFailed { reason }),
    }
}
