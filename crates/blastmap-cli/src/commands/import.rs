//! `blastmap import`: foreign formats → a native manifest to curate.

use blastmap_manifest::import::emit;
use blastmap_manifest::{LoadOptions, load_texts};

use crate::cli::{ImportArgs, ImportFormat};
use crate::commands::{Context, Ended, Outcome, input_names, load_options, output_failed};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render::plural;

pub(crate) fn run(ctx: &Context, args: &ImportArgs) -> Ended {
    // Refuse before reading anything, so the file is left exactly as it was.
    if let Some(path) = &args.output
        && !args.force
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(CliError::OutputExists { path: path.display().to_string() });
    }
    let imports = blastmap_manifest::import(&args.input.paths, &load_options(&args.input));
    crate::output::note_inputs(&imports.files);
    if ctx.verbose {
        for note in &imports.notes {
            eprint(&format!("note: {}\n", blastmap_manifest::source::printable(note)));
        }
    }
    ctx.print_read(&imports.read, &input_names(&args.input.paths).join(", "));
    for native in &imports.native_files {
        ctx.note(&format!(
            "note: `{}` is already a native manifest; it is not part of the import\n",
            blastmap_manifest::source::printable(native)
        ));
    }
    ctx.print_diagnostics(&imports.diagnostics);
    let errors = imports.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        return Err(CliError::ImportFailed { errors });
    }
    let inputs = input_names(&args.input.paths);
    let (text, name) = match args.format {
        ImportFormat::Yaml => (emit::yaml(&imports.inventory, &inputs), "import.yaml"),
        ImportFormat::Json => (emit::json(&imports.inventory), "import.json"),
    };
    // What we write must load: check it with our own loader.
    let check = load_texts(&[(name, &text)], &LoadOptions::default());
    if check.has_errors() {
        ctx.print_diagnostics(&check.diagnostics);
        return Err(CliError::ImportInvalid);
    }
    if let Err(e) = output::emit(args.output.as_deref(), text.as_bytes()) {
        return output_failed(e);
    }
    let dependencies: usize = imports.inventory.components.values().map(|c| c.dependencies.len()).sum();
    let warnings = imports.diagnostics.len();
    ctx.note(&format!(
        "imported {} and {} from {}{}\n",
        plural(imports.inventory.components.len(), "component"),
        if dependencies == 1 { "1 dependency".to_owned() } else { format!("{dependencies} dependencies") },
        plural(imports.files.len(), "file"),
        if warnings > 0 { format!(" ({} above)", plural(warnings, "warning")) } else { String::new() },
    ));
    // What the files said about who the users are: the inferred
    // entrypoints, or the warning that nothing is critical.
    let inferred = imports.inventory.components.values().filter(|c| !c.entrypoint.is_empty()).count();
    if inferred > 0 {
        ctx.note(&format!(
            "{} inferred from the files (each with its evidence in an `# entrypoint:` comment): review them\n",
            plural(inferred, "entrypoint")
        ));
    }
    crate::commands::criticality::warn_if_nothing_critical(ctx, &check.model);
    Ok(Outcome::Success)
}
