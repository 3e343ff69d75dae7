//! `blastmap check`: the CI gate. Evaluates the policy (the inventory's own,
//! `--policy FILE`, or the built-in default) and exits 1 on any finding at
//! deny level.

use std::time::{SystemTime, UNIX_EPOCH};

use blastmap_analysis::policy::{Context as PolicyContext, Date, default_policy, evaluate};
use blastmap_manifest::{Model, Policy};

use crate::cli::{CheckArgs, CheckFormat, DiagnosticsFormat};
use crate::commands::git::load_spec;
use crate::commands::{
    Context, Ended, Outcome, counts, input_name, input_names, load_options, load_valid, written,
};
use crate::error::CliError;
use crate::output::{self, eprint};
use crate::render;
use crate::render::findings::PolicySource;

pub(crate) fn run(ctx: &Context, args: &CheckArgs) -> Ended {
    let diagnostics_format =
        if args.format == CheckFormat::Json { DiagnosticsFormat::Json } else { DiagnosticsFormat::Text };
    let today = today()?;
    let loaded = match load_valid(ctx, &args.input, diagnostics_format) {
        Ok(loaded) => loaded,
        Err(ended) => return ended,
    };
    let model = &loaded.model;
    let (policy, source) = policy(ctx, args, model)?;

    let baseline = if args.baseline.is_empty() { None } else { Some(baseline(ctx, args)?) };
    let context = PolicyContext { today, baseline: baseline.as_ref(), max_pairs: args.input.max_pairs };
    let evaluation = evaluate(model, &policy, &context);
    if evaluation.incomplete {
        // A gate that passes on findings it could not list is a silent all-clear.
        let bound = args.input.max_pairs;
        let what = "the `no-spof` rule (a SPOF candidate per protected component)";
        return Err(CliError::TooManyPairs { what, pairs: None, bound });
    }

    let name = input_names(&args.input.paths).join(", ");
    // Code-scanning tools resolve file names against the checkout, where CI runs.
    let base = std::env::current_dir().ok();
    // `--exit-zero`: the findings are still written, the gate does not fail.
    let outcome = if evaluation.denied() && !args.exit_zero { Outcome::Findings } else { Outcome::Success };
    let path = args.output.as_deref();
    // The machine-readable logs are written as they are serialized.
    let streamed = match args.format {
        CheckFormat::Json => Some(output::emit_with(path, |w| {
            render::findings::write_json(model, &policy, &evaluation, &source, w)
        })),
        CheckFormat::Sarif => Some(output::emit_with(path, |w| {
            render::sarif::write_sarif(model, &policy, &evaluation, base.as_deref(), w)
        })),
        CheckFormat::Junit => {
            Some(output::emit_with(path, |w| render::junit::write_junit(model, &evaluation, w)))
        }
        CheckFormat::Text | CheckFormat::Github => None,
    };
    if let Some(result) = streamed {
        return written(result, outcome);
    }
    let text = match args.format {
        CheckFormat::Github => render::github::annotations(model, &evaluation, base.as_deref()),
        _ => render::findings::text(model, &policy, &evaluation, &name, &source, ctx.out_style(path)),
    };
    written(output::emit(path, text.as_bytes()), outcome)
}

/// The policy to evaluate: `--policy FILE`, else the inventory's, else the
/// built-in default (with a note on standard error).
fn policy(ctx: &Context, args: &CheckArgs, model: &Model) -> Result<(Policy, PolicySource), CliError> {
    let Some(file) = &args.policy else {
        if let Some(p) = &model.policy {
            return Ok((p.clone(), PolicySource::Inventory));
        }
        ctx.note(
            "note: the inventory has no `policy` section; using the built-in default policy \
             (see docs/ci.md)\n",
        );
        return Ok((default_policy(), PolicySource::Default));
    };
    let shown = input_name(&file.to_string_lossy());
    let loaded = blastmap_manifest::load(&[file], &load_options(&args.input));
    crate::output::note_inputs(&loaded.files);
    ctx.print_read(&loaded.read, &format!("--policy {shown}"));
    if loaded.has_errors() {
        ctx.print_diagnostics(&loaded.diagnostics);
        let (errors, warnings) = counts(&loaded);
        return Err(CliError::InvalidPolicyFile { errors, warnings });
    }
    ctx.print_diagnostics(&loaded.diagnostics);
    let components = loaded.model.len();
    let Some(policy) = loaded.model.policy else {
        return Err(CliError::PolicyFileWithoutPolicy { file: shown });
    };
    if components > 0 {
        eprint(&format!(
            "warning: the components in `{}` are ignored: only its policy is used\n",
            render::safe(&shown)
        ));
    }
    Ok((policy, PolicySource::File(shown)))
}

/// The baseline inventory of `--baseline`; invalid input is reported here.
fn baseline(ctx: &Context, args: &CheckArgs) -> Result<Model, CliError> {
    let options = load_options(&args.input);
    let mut all = Vec::new();
    let mut texts = Vec::new();
    for spec in &args.baseline {
        if spec.starts_with("git:") {
            texts.push(load_spec(spec, &options).map_err(|e| CliError::Baseline(Box::new(e)))?);
        } else {
            all.push(spec.as_str());
        }
    }
    // Plain paths merge as one inventory, as for the inventory itself; a
    // single `git:` spec is an inventory on its own.
    let loaded = match (all.is_empty(), texts.len()) {
        (false, 0) => {
            let loaded = blastmap_manifest::load(&all, &options);
            crate::output::note_inputs(&loaded.files);
            loaded
        }
        (true, 1) => texts.pop().ok_or(CliError::MixedBaseline)?,
        _ => return Err(CliError::MixedBaseline),
    };
    let names: Vec<String> = args.baseline.iter().map(|b| input_name(b)).collect();
    ctx.print_read(&loaded.read, &format!("--baseline {}", names.join(", ")));
    if loaded.has_errors() {
        ctx.print_diagnostics(&loaded.diagnostics);
        let (errors, warnings) = counts(&loaded);
        return Err(CliError::InvalidBaseline { errors, warnings });
    }
    Ok(loaded.model)
}

/// Today's date: `BLASTMAP_TODAY=YYYY-MM-DD` when set (reproducible runs),
/// else the system clock in UTC.
fn today() -> Result<Date, CliError> {
    if let Some(value) = std::env::var_os("BLASTMAP_TODAY") {
        let text = value.to_string_lossy();
        return blastmap_manifest::parse_date(&text)
            .ok_or_else(|| CliError::InvalidToday { value: text.into_owned() });
    }
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    Ok(civil_from_days(days))
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative day counts).
fn civil_from_days(days: u64) -> Date {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of an era
    // year; an era is 400 years = 146 097 days.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (u16::try_from(year).unwrap_or(u16::MAX), month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(10_956), (1999, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_543), (2026, 3, 31));
    }
}
