//! The wording of every diagnostic, in one place and in the order of
//! [`Code::ALL`]: the loader, the decoders and the importers only call these
//! constructors, so that a message, its labels and its help are written
//! once, and reviewing what users read means reading this file.
//!
//! A code covers one kind of problem; where the problem comes in several
//! shapes (a tier out of range is not a weight out of range), each shape
//! has its own constructor under its code.
//!
//! Longer than the crate's other files on purpose: all the wording in one
//! file is what this module is for; splitting it by code would scatter it
//! again.

use std::ops::Range;
use std::sync::Arc;

use super::{Code, Diagnostic, did_you_mean};
use crate::import::Format;
use crate::policy::Rule;
use crate::source::SourceFile;
use crate::syntax::Syntax;

/// What to do with a Helm chart: render it, read what it renders.
fn helm_help(dir: &str) -> String {
    format!("render it first: `helm template RELEASE {dir} > rendered.yaml`, then pass `rendered.yaml`")
}

/// What a nesting diagnostic tells users to do.
const FLATTEN: &str = "a manifest nests a few levels; flatten the document";

impl Diagnostic {
    // io-error

    /// A path named on the command line that cannot be read.
    pub(crate) fn unreadable_path(path: &str, reason: &str) -> Self {
        Self::new(Code::Io, format!("cannot read `{path}`: {reason}"))
            .in_path(path)
            .help("check the path; blastmap reads files and directories of manifests")
    }

    /// A path named on the command line that is a FIFO, a device or a
    /// socket: never opened (it could block or never end).
    pub(crate) fn not_a_regular_file(path: &str, what: &str) -> Self {
        Self::new(Code::Io, format!("cannot read `{path}`: it is {what}, not a regular file"))
            .in_path(path)
            .help("name a file or a directory of manifests; `-` reads standard input")
    }

    /// A directory met while walking that cannot be listed.
    pub(crate) fn unreadable_directory(path: &str, reason: &str) -> Self {
        Self::new(Code::Io, format!("cannot read directory `{path}`: {reason}")).in_path(path)
    }

    /// A file found that cannot be opened or read.
    pub(crate) fn unreadable_file(path: &str, reason: &str) -> Self {
        Self::new(Code::Io, format!("cannot read `{path}`: {reason}")).in_path(path)
    }

    /// `-` named twice in one load: standard input is read once.
    pub(crate) fn stdin_named_twice() -> Self {
        Self::new(Code::Io, "standard input (`-`) is named twice; it can be read once")
            .in_path(crate::load::STDIN_NAME)
            .help("name `-` once; save the other input to a file")
    }

    // invalid-encoding

    /// `file` holds the text decoded lossily; `at` is the first bad byte.
    pub(crate) fn not_utf8(file: &Arc<SourceFile>, at: usize) -> Self {
        Self::new(Code::InvalidEncoding, format!("`{}` is not UTF-8 text", file.name))
            .at(file, at..at + 1, "invalid byte here")
            .help("save the file as UTF-8")
    }

    // file-too-large

    pub(crate) fn file_too_large(path: &str, limit: u64) -> Self {
        Self::new(Code::FileTooLarge, format!("`{path}` is larger than the limit of {limit} bytes"))
            .in_path(path)
            .help("split the inventory into several files, or raise the limit with `--max-file-size`")
    }

    // invalid-syntax

    /// `message` says what the JSON reader expected, `help` how to write it.
    pub(crate) fn invalid_json(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        message: &str,
        help: &str,
    ) -> Self {
        Self::new(Code::InvalidSyntax, format!("invalid JSON: {message}")).at(file, span, "here").help(help)
    }

    /// Every error of the TOML reader, duplicate keys and depth included:
    /// its message already says which it is.
    pub(crate) fn invalid_toml(file: &Arc<SourceFile>, error: &toml_span::Error) -> Self {
        let code = match error.kind {
            toml_span::ErrorKind::DuplicateKey { .. } | toml_span::ErrorKind::DuplicateTable { .. } => {
                Code::DuplicateKey
            }
            toml_span::ErrorKind::ExceededDepthLimit => Code::NestingTooDeep,
            _ => Code::InvalidSyntax,
        };
        let span = error.span.start..error.span.end.max(error.span.start);
        Self::new(code, format!("invalid TOML: {error}")).at(file, span, "here").help("fix the TOML syntax")
    }

    /// `info` is the YAML reader's own description of the error.
    pub(crate) fn invalid_yaml(file: &Arc<SourceFile>, at: usize, info: &str) -> Self {
        Self::new(Code::InvalidSyntax, format!("invalid YAML: {info}"))
            .at(file, at..at, "here")
            .help("fix the YAML syntax; `yamllint` shows the same position")
    }

    pub(crate) fn unknown_anchor(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::InvalidSyntax, "alias to an unknown anchor")
            .at(file, span, "this alias")
            .help("define the anchor with `&name` before using `*name`")
    }

    /// A native manifest followed by another YAML document; `at` is where
    /// that one starts.
    pub(crate) fn several_documents(file: &Arc<SourceFile>, at: usize) -> Self {
        Self::new(Code::InvalidSyntax, "a manifest file holds one YAML document")
            .at(file, at..at, "another document starts here")
            .help("split the documents into files of their own")
    }

    /// A line of a Compose env file that is neither `KEY=VALUE` nor a
    /// comment (left out).
    pub(crate) fn env_line_not_key_value(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::InvalidSyntax, "expected `KEY=VALUE` in an env file")
            .at(file, span, "not `KEY=VALUE`")
            .help("write `KEY=VALUE`, or start the line with `#` to comment it out")
            .warning()
    }

    pub(crate) fn unclosed_interpolation(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::InvalidSyntax, "unclosed `${` in a Compose value")
            .at(file, span, "here")
            .help("close it with `}`, or write `$$` for a literal `$`")
    }

    /// `inner` is what is written between `${` and `}`.
    pub(crate) fn invalid_interpolation(file: &Arc<SourceFile>, span: Range<usize>, inner: &str) -> Self {
        Self::new(Code::InvalidSyntax, format!("invalid interpolation `${{{inner}}}`"))
            .at(file, span, "here")
            .help("write `${VAR}`, `${VAR:-default}` or `$$` for a literal `$`")
    }

    /// A syntax diagnostic (invalid syntax, duplicate key, nesting, alias
    /// limit) of a file found in a directory that looks like Compose or
    /// Kubernetes: a warning, as such directories also hold templates
    /// (Helm) that are not YAML.
    #[must_use]
    pub(crate) fn in_foreign_file_found(self) -> Self {
        self.warning()
    }

    // duplicate-key

    /// A key written again at `span`, first written at `first`. (TOML's
    /// are reported by [`Self::invalid_toml`].)
    pub(crate) fn duplicate_key(
        file: &Arc<SourceFile>,
        syntax: Syntax,
        key: &str,
        span: Range<usize>,
        first: Range<usize>,
    ) -> Self {
        // YAML readers differ on which of the two they keep; JSON's rule is
        // no clearer to users, but the help has said so only for YAML.
        let help = match syntax {
            Syntax::Yaml => "remove one of the two; YAML keeps only one and it is ambiguous which",
            Syntax::Json | Syntax::Toml => "remove one of the two",
        };
        Self::new(Code::DuplicateKey, format!("duplicate key `{key}`"))
            .at(file, span, "written again here")
            .also(first, "first written here")
            .help(help)
    }

    /// A key written twice in a Kubernetes document, read as kubectl
    /// reads it: the value at `span` is kept, the one at `first` dropped.
    pub(crate) fn duplicate_key_kept_last(
        file: &Arc<SourceFile>,
        key: &str,
        span: Range<usize>,
        first: Range<usize>,
    ) -> Self {
        Self::new(Code::DuplicateKey, format!("duplicate key `{key}`: the last one is kept, as kubectl does"))
            .at(file, span, "kept")
            .also(first, "dropped")
            .help("remove the first one; other YAML readers may keep it instead")
            .warning()
    }

    /// [`Self::duplicate_key_kept_last`] in a Secret: the lines around its
    /// keys are its values, so no line is shown.
    pub(crate) fn duplicate_key_in_secret(file: &Arc<SourceFile>, key: &str, secret: &str) -> Self {
        Self::new(
            Code::DuplicateKey,
            format!("duplicate key `{key}` in Secret `{secret}`: the last one is kept, as kubectl does"),
        )
        .in_path(&file.name)
        .help("remove the first one (the lines are not shown: they hold the Secret's values)")
        .warning()
    }

    // nesting-too-deep

    /// Deeper than the `--max-depth` limit `max`.
    pub(crate) fn nesting_too_deep(file: &Arc<SourceFile>, span: Range<usize>, max: usize) -> Self {
        Self::nesting_past_limit(file, span, max).help(FLATTEN)
    }

    /// [`Self::nesting_too_deep`] as the TOML converter reports it, without
    /// help (kept as it was written; see the crate's history).
    pub(crate) fn toml_nesting_too_deep(file: &Arc<SourceFile>, span: Range<usize>, max: usize) -> Self {
        Self::nesting_past_limit(file, span, max)
    }

    fn nesting_past_limit(file: &Arc<SourceFile>, span: Range<usize>, max: usize) -> Self {
        Self::new(Code::NestingTooDeep, format!("the document nests deeper than {max} levels")).at(
            file,
            span,
            "too deep here",
        )
    }

    /// The YAML reader's own recursion limit, reached before ours.
    pub(crate) fn yaml_recursion_limit(file: &Arc<SourceFile>, at: usize) -> Self {
        Self::new(Code::NestingTooDeep, "the document nests too deeply for the YAML reader")
            .at(file, at..at, "too deep here")
            .help(FLATTEN)
    }

    // alias-limit

    pub(crate) fn alias_limit(file: &Arc<SourceFile>, span: Range<usize>, max: usize) -> Self {
        Self::new(Code::AliasLimit, format!("YAML aliases expand to more than {max} nodes"))
            .at(file, span, "expansion passes the limit here")
            .help("a manifest needs few aliases; this looks like an alias bomb (\"billion laughs\")")
    }

    // not-a-manifest

    /// `what` completes "`file` ...": why the file is not read.
    pub(crate) fn not_a_manifest(file: &Arc<SourceFile>, what: &str) -> Self {
        let end = file.text.len().min(1);
        Self::new(Code::NotAManifest, format!("`{}` {what}", file.name))
            .at(file, 0..end, "")
            .help("a manifest starts with `blastmap: 1` (see `blastmap schema`); Docker Compose, Kubernetes, Backstage and Jaeger dependencies files are read too")
    }

    // no-manifest

    /// `paths` as named on the command line.
    pub(crate) fn no_manifest(paths: &[String]) -> Self {
        Self::new(Code::NoManifest, format!("no manifest found in `{}`", paths.join("`, `")))
            .in_path(paths.first().map_or("", String::as_str))
            .help("a manifest is a .yaml, .yml, .json or .toml file whose top level has `blastmap: 1`, or a Docker Compose, Kubernetes, Backstage or Jaeger dependencies file")
    }

    /// `blastmap import` found no foreign file in `paths`.
    pub(crate) fn nothing_to_import(paths: &[String]) -> Self {
        Self::new(Code::NoManifest, format!("nothing to import in `{}`", paths.join("`, `")))
            .in_path(paths.first().map_or("", String::as_str))
            .help("`blastmap import` reads Docker Compose, Kubernetes, Backstage catalog and Jaeger dependencies files")
    }

    /// A directory named on the command line that is a Helm chart.
    pub(crate) fn helm_chart_named(dir: &str) -> Self {
        Self::new(
            Code::NotAManifest,
            format!("`{dir}` is a Helm chart: its templates are not Kubernetes YAML until rendered"),
        )
        .in_path(dir)
        .help(helm_help(dir))
    }

    /// A Helm template (or a chart's `templates/`, `is_dir`) named on the
    /// command line.
    pub(crate) fn helm_template_named(path: &str, chart: &str, is_dir: bool) -> Self {
        let what = if is_dir {
            format!("`{path}` holds the templates of the Helm chart `{chart}`: they are")
        } else {
            format!("`{path}` is a template of the Helm chart `{chart}`: it is")
        };
        Self::new(Code::NotAManifest, format!("{what} not Kubernetes YAML until rendered"))
            .in_path(path)
            .help(helm_help(chart))
    }

    // unsupported-version

    /// `shown` is the version as written.
    pub(crate) fn unsupported_version(file: &Arc<SourceFile>, span: Range<usize>, shown: &str) -> Self {
        Self::new(Code::UnsupportedVersion, format!("unsupported format version `{shown}`"))
            .at(file, span, "this version")
            .help("this blastmap reads format version 1: write `blastmap: 1`")
    }

    // invalid-type

    /// `expected` names the type wanted, `found` the one written.
    pub(crate) fn invalid_type(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        expected: &str,
        found: &str,
        help: &str,
    ) -> Self {
        Self::new(Code::InvalidType, format!("expected {expected}, found {found}"))
            .at(file, span, format!("expected {expected}"))
            .help(help)
    }

    // unknown-key

    /// `key` is not among the `allowed` keys of `context` ("a component").
    pub(crate) fn unknown_key(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        key: &str,
        allowed: &[&str],
        context: &str,
    ) -> Self {
        let help = did_you_mean(key, allowed.iter().copied(), || {
            format!("the keys of {context} are: {}", allowed.join(", "))
        });
        Self::new(Code::UnknownKey, format!("unknown key `{key}` in {context}"))
            .at(file, span, "unknown key")
            .help(help)
    }

    /// A parameter given to `rule`, which has none.
    pub(crate) fn rule_without_parameters(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        key: &str,
        rule: &str,
    ) -> Self {
        Self::new(Code::UnknownKey, format!("unknown key `{key}` in rule `{rule}`"))
            .at(file, span, "unknown key")
            .help(format!("`{rule}` has no parameters: write `{rule}: {{}}`"))
    }

    // missing-field

    /// `has_of`: the dependency has `of` (a quorum without `quorum: k`).
    pub(crate) fn dependency_without_target(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        has_of: bool,
    ) -> Self {
        let help = if has_of {
            "a group with `of` needs `quorum: k`"
        } else {
            "a dependency is `{target: id}`, `{any_of: [..]}` or `{quorum: k, of: [..]}`"
        };
        Self::new(Code::MissingField, "dependency has no `target`, `any_of` or `quorum`")
            .at(file, span, "this dependency")
            .help(help)
    }

    pub(crate) fn quorum_without_members(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::MissingField, "quorum has no `of` list")
            .at(file, span, "this quorum")
            .help("write `quorum: 2` with `of: [a, b, c]`")
    }

    pub(crate) fn runs_in_without_quorum(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::MissingField, "`runs_in` mapping has no `quorum`")
            .at(file, span, "here")
            .help("write `runs_in: {quorum: 2, of: [a, b, c]}` or a plain list")
    }

    pub(crate) fn runs_in_without_members(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::MissingField, "`runs_in` quorum has no `of` list")
            .at(file, span, "here")
            .help("write `runs_in: {quorum: 2, of: [a, b, c]}`")
    }

    /// A policy exception without `field`.
    pub(crate) fn exception_without(file: &Arc<SourceFile>, span: Range<usize>, field: &str) -> Self {
        Self::new(Code::MissingField, format!("exception has no `{field}`"))
            .at(file, span, "this exception")
            .help("an exception names the `rule`, the `component` and the `reason`")
    }

    /// A `drill` mapping without `inject`.
    pub(crate) fn drill_without_inject(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::MissingField, "`drill` has no `inject`").at(file, span, "this drill").help(
            "write the command that causes the failure: `inject: kubectl scale deployment/cart --replicas=0`",
        )
    }

    /// `at` is where the entity's document starts (it is left out).
    pub(crate) fn backstage_entity_without_name(file: &Arc<SourceFile>, at: usize) -> Self {
        Self::new(Code::MissingField, "a Backstage entity without `metadata.name`")
            .at(file, at..at, "this entity")
            .help("every entity has `apiVersion`, `kind` and `metadata.name`")
            .warning()
    }

    /// `at` is where the resource's document starts (it is left out).
    pub(crate) fn kubernetes_resource_without_name(file: &Arc<SourceFile>, at: usize) -> Self {
        Self::new(Code::MissingField, "a Kubernetes resource without `kind` or `metadata.name`")
            .at(file, at..at, "this document")
            .help("every resource has `apiVersion`, `kind` and `metadata.name`")
            .warning()
    }

    pub(crate) fn observed_edge_without_ends(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::MissingField, "an observed edge without `parent` or `child`")
            .at(file, span, "left out")
            .help("each edge is `{\"parent\": \"a\", \"child\": \"b\", \"callCount\": n}`")
            .warning()
    }

    // invalid-id

    /// `max_len` is the longest id, in characters.
    pub(crate) fn invalid_id(file: &Arc<SourceFile>, span: Range<usize>, id: &str, max_len: usize) -> Self {
        Self::new(Code::InvalidId, format!("`{}` is not a valid id", id.escape_debug()))
            .at(file, span, "invalid id")
            .help(format!("ids are 1 to {max_len} characters without whitespace or control characters"))
    }

    // unknown-kind

    /// `kinds` are the names of every kind, for the suggestion.
    pub(crate) fn unknown_kind(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        kind: &str,
        kinds: &[&str],
    ) -> Self {
        let help =
            did_you_mean(kind, kinds.iter().copied(), || format!("the kinds are: {}", kinds.join(", ")));
        Self::new(Code::UnknownKind, format!("unknown kind `{}`", kind.escape_debug()))
            .at(file, span, "not a kind")
            .help(help)
    }

    // duplicate-id

    /// `id` defined again at `span` of `file`; `first` is where it was
    /// defined first, a second label when that is in the same file and a
    /// related diagnostic otherwise. Native manifests and imports alike:
    /// either way every id of the inventory is one namespace.
    pub(crate) fn duplicate_id(
        id: &str,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        first: Option<(&Arc<SourceFile>, Range<usize>)>,
    ) -> Self {
        let d = Self::new(Code::DuplicateId, format!("duplicate id `{id}`"))
            .at(file, span, "defined again here")
            .help("ids are global across every file of the inventory: rename one of them");
        match first {
            Some((first_file, first_span)) if Arc::ptr_eq(first_file, file) => {
                d.also(first_span, "first defined here")
            }
            Some((first_file, first_span)) => {
                d.related(Self::new(Code::DuplicateId, format!("`{id}` first defined here")).at(
                    first_file,
                    first_span,
                    "first definition",
                ))
            }
            None => d,
        }
    }

    /// Two Backstage entities of one `kind` with one `name` (the second is
    /// left out).
    pub(crate) fn duplicate_backstage_entity(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        kind: &str,
        name: &str,
    ) -> Self {
        Self::new(Code::DuplicateId, format!("two {kind} entities are named `{name}`"))
            .at(file, span, "the second is left out")
            .help("entity names are unique per kind and namespace: rename one")
            .warning()
    }

    /// The same entity (`reference`, `kind:namespace/name`) defined again
    /// at `span` of `file` with a different `spec`; `first`, where it was
    /// read first, is kept.
    pub(crate) fn conflicting_backstage_entity(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        reference: &str,
        first: (&Arc<SourceFile>, Range<usize>),
    ) -> Self {
        let (first_file, first_span) = first;
        let (line, _) = first_file.line_column(first_span.start);
        let d = Self::new(
            Code::DuplicateId,
            format!(
                "`{reference}` is defined twice with different specs; the first, {}:{line}, is kept",
                first_file.name
            ),
        )
        .at(file, span, "this copy is left out")
        .help("an entity is described once: delete one copy or make them the same (the one read first, in command-line order then by file name, wins)")
        .warning();
        if Arc::ptr_eq(first_file, file) {
            d.also(first_span, "kept")
        } else {
            d.related(
                Self::new(Code::DuplicateId, format!("`{reference}` first defined here"))
                    .at(first_file, first_span, "kept")
                    .warning(),
            )
        }
    }

    /// Two Kubernetes workloads with one name in one namespace (the second
    /// is left out).
    pub(crate) fn duplicate_workload(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        name: &str,
        namespace: &str,
    ) -> Self {
        Self::new(Code::DuplicateId, format!("two workloads are named `{name}` in namespace `{namespace}`"))
            .at(file, span, "the second is left out")
            .help("rename one of them")
            .warning()
    }

    // unknown-target

    /// `help` names the closest id, or says how to define this one (the
    /// resolver limits how many suggestions it searches for).
    pub(crate) fn unknown_target(file: &Arc<SourceFile>, span: Range<usize>, id: &str, help: String) -> Self {
        Self::new(Code::UnknownTarget, format!("unknown component `{id}`"))
            .at(file, span, "no component has this id")
            .help(help)
    }

    /// The help of [`Self::unknown_target`] without a suggestion.
    pub(crate) fn unknown_target_help(id: &str) -> String {
        format!("define `{id}` under `components`, or fix the name")
    }

    // self-dependency

    pub(crate) fn self_dependency(file: &Arc<SourceFile>, span: Range<usize>, id: &str) -> Self {
        Self::new(Code::SelfDependency, format!("`{id}` depends on itself"))
            .at(file, span, "itself")
            .help("remove this dependency; a component cannot need itself")
    }

    // empty-group

    /// `what` is the key of the group (`any_of`, `of`, `runs_in`).
    pub(crate) fn empty_group(file: &Arc<SourceFile>, span: Range<usize>, what: &str) -> Self {
        Self::new(Code::EmptyGroup, format!("`{what}` has no members"))
            .at(file, span, "empty group")
            .help("list at least one member, or remove the group")
    }

    // quorum-out-of-range

    pub(crate) fn quorum_out_of_range(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        k: i64,
        members: usize,
    ) -> Self {
        Self::new(Code::QuorumOutOfRange, format!("quorum `{k}` is not between 1 and the {members} members"))
            .at(file, span, "out of range")
            .help(format!("a quorum needs between 1 and {members} of its members"))
    }

    // duplicate-member

    /// `id` named again at `span`, first at `first`.
    pub(crate) fn duplicate_member(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        id: &str,
        first: Range<usize>,
    ) -> Self {
        Self::new(Code::DuplicateMember, format!("`{id}` is twice in the group"))
            .at(file, span, "again here")
            .also(first, "first here")
            .help("a member counts once; remove the repeat")
    }

    // percentage-out-of-range

    /// `what` names the field (`availability`, `slo`, `percent`).
    pub(crate) fn percentage_out_of_range(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        what: &str,
        p: f64,
    ) -> Self {
        Self::new(Code::PercentageOutOfRange, format!("{what} `{p}` is not a percentage in (0, 100]"))
            .at(file, span, "out of range")
            .help(format!("write {what} as a percentage, e.g. `99.9` for three nines"))
    }

    // invalid-value

    pub(crate) fn tier_out_of_range(file: &Arc<SourceFile>, span: Range<usize>, tier: i64) -> Self {
        Self::new(Code::InvalidValue, format!("tier `{tier}` is not between 1 and 4"))
            .at(file, span, "out of range")
            .help("tier 1 is the most critical, 4 the least")
    }

    pub(crate) fn invalid_weight(file: &Arc<SourceFile>, span: Range<usize>, weight: f64) -> Self {
        Self::new(Code::InvalidValue, format!("weight `{weight}` is not a number ≥ 0"))
            .at(file, span, "invalid weight")
            .help("weight is an importance such as a share of traffic; it is ≥ 0")
    }

    pub(crate) fn invalid_replicas(file: &Arc<SourceFile>, span: Range<usize>, replicas: i64) -> Self {
        Self::new(Code::InvalidValue, format!("replicas `{replicas}` is not a count"))
            .at(file, span, "invalid count")
            .help("replicas is a whole number ≥ 0")
    }

    /// A `health` that is not an http(s) URL with a host.
    pub(crate) fn invalid_health_url(file: &Arc<SourceFile>, span: Range<usize>, url: &str) -> Self {
        Self::new(Code::InvalidValue, format!("health `{}` is not an http or https URL", url.escape_debug()))
            .at(file, span, "not a health URL")
            .help("write `http://` or `https://`, a host, then the path, with no spaces: `http://cart:8080/healthz`")
    }

    /// An empty `inject` or `restore` (`key`) of a drill.
    pub(crate) fn empty_drill_command(file: &Arc<SourceFile>, span: Range<usize>, key: &str) -> Self {
        Self::new(Code::InvalidValue, format!("drill `{key}` is empty")).at(file, span, "empty command").help(
            if key == "restore" {
                "write the shell command that undoes the failure, or leave `restore` out"
            } else {
                "write the shell command that causes the failure"
            },
        )
    }

    pub(crate) fn dependency_mixes_shapes(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::new(Code::InvalidValue, "dependency mixes `target`, `any_of` and `quorum`")
            .at(file, span, "this dependency")
            .help("write one dependency per entry: a single target, an `any_of` or a `quorum`")
    }

    pub(crate) fn unknown_mode(file: &Arc<SourceFile>, span: Range<usize>, mode: &str) -> Self {
        let help = did_you_mean(mode, ["hard", "soft"], || "the modes are `hard` and `soft`".to_owned());
        Self::new(Code::InvalidValue, format!("unknown mode `{}`", mode.escape_debug()))
            .at(file, span, "not a mode")
            .help(help)
    }

    pub(crate) fn unknown_level(file: &Arc<SourceFile>, span: Range<usize>, level: &str) -> Self {
        let help = did_you_mean(level, ["deny", "warn", "allow"], || {
            "the levels are `deny`, `warn` and `allow`".to_owned()
        });
        Self::new(Code::InvalidValue, format!("unknown level `{}`", level.escape_debug()))
            .at(file, span, "not a level")
            .help(help)
    }

    /// The `components` of `max-blast-radius`.
    pub(crate) fn invalid_component_count(file: &Arc<SourceFile>, span: Range<usize>, n: i64) -> Self {
        Self::new(Code::InvalidValue, format!("`{n}` is not a component count"))
            .at(file, span, "invalid count")
            .help("write a whole number ≥ 0")
    }

    /// A name in `required-fields` that is none of the component `fields`.
    pub(crate) fn unknown_field(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        field: &str,
        fields: &[&str],
    ) -> Self {
        let help =
            did_you_mean(field, fields.iter().copied(), || format!("the fields are: {}", fields.join(", ")));
        Self::new(Code::InvalidValue, format!("unknown field `{}`", field.escape_debug()))
            .at(file, span, "not a component field")
            .help(help)
    }

    // duplicate-policy

    /// A second `policy` at `span` of `file`, the first at `first`.
    pub(crate) fn duplicate_policy(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        first_file: &Arc<SourceFile>,
        first_span: Range<usize>,
    ) -> Self {
        let first = Self::new(Code::DuplicatePolicy, "the first `policy` section").at(
            first_file,
            first_span,
            "first policy here",
        );
        Self::new(Code::DuplicatePolicy, "a second `policy` section")
            .at(file, span, "second policy here")
            .help("an inventory has at most one policy; merge the two or use `--policy FILE`")
            .related(first)
    }

    // unknown-rule

    pub(crate) fn unknown_rule(file: &Arc<SourceFile>, span: Range<usize>, rule: &str) -> Self {
        let help = did_you_mean(rule, Rule::NAMES, || format!("the rules are: {}", Rule::NAMES.join(", ")));
        Self::new(Code::UnknownRule, format!("unknown rule `{}`", rule.escape_debug()))
            .at(file, span, "not a rule")
            .help(help)
    }

    /// A `levels` entry for a rule that `rules` does not enable.
    pub(crate) fn level_of_disabled_rule(file: &Arc<SourceFile>, span: Range<usize>, rule: &str) -> Self {
        Self::new(Code::UnknownRule, format!("level set for `{rule}`, which is not in `rules`"))
            .at(file, span, "not enabled")
            .help(format!("enable it under `rules:` with `{rule}: {{}}`, or remove this level"))
            .warning()
    }

    // invalid-date

    pub(crate) fn invalid_date(file: &Arc<SourceFile>, span: Range<usize>, text: &str) -> Self {
        Self::new(Code::InvalidDate, format!("`{}` is not a date", text.escape_debug()))
            .at(file, span, "not YYYY-MM-DD")
            .help("write the date as `2027-03-31`")
    }

    // too-many-components

    pub(crate) fn too_many_components(total: usize, limit: usize) -> Self {
        Self::new(Code::TooManyComponents, format!("{total} components is more than the limit of {limit}"))
            .help("raise the limit with `--max-components` if this inventory is real")
    }

    // unresolved-reference

    /// An `env_file:` entry naming `path`, which cannot be read.
    pub(crate) fn env_file_unreadable(file: &Arc<SourceFile>, span: Range<usize>, path: &str) -> Self {
        Self::new(Code::UnresolvedReference, format!("cannot read env file `{path}`"))
            .at(file, span, "this env_file")
            .help("create the file, or mark it `required: false`")
            .warning()
    }

    /// A file that an input names (`env_file:`, the project's `.env`) but
    /// that lies outside `dir`, the directory of the file naming it, or
    /// links out of it: not read, and its content never shown. `at` is
    /// the entry that names it, when it is written (`.env` is implicit).
    pub(crate) fn referenced_file_outside(
        at: Option<(&Arc<SourceFile>, Range<usize>)>,
        path: &str,
        dir: &str,
    ) -> Self {
        let d = Self::new(
            Code::UnresolvedReference,
            format!("`{path}` is outside `{dir}` (or links out of it): not read"),
        )
        .help("an inventory reads only files in its own directory; copy the file there if it belongs to the project")
        .warning();
        match at {
            Some((file, span)) => d.at(file, span, "names a file outside the project"),
            None => d,
        }
    }

    /// `extends` naming `service`, which the project does not have.
    pub(crate) fn extends_unknown_service(file: &Arc<SourceFile>, span: Range<usize>, service: &str) -> Self {
        Self::new(Code::UnresolvedReference, format!("`extends` names no service `{service}`"))
            .at(file, span, "no such service")
            .help("fix the name, or name the file that defines it on the command line")
            .warning()
    }

    /// Compose `depends_on` of `service` on `target`, which `why` (is not
    /// defined, or is in a profile not enabled).
    pub(crate) fn compose_dependency_unresolved(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        service: &str,
        target: &str,
        why: &str,
    ) -> Self {
        Self::new(Code::UnresolvedReference, format!("`{service}` depends on `{target}`, which {why}"))
            .at(file, span, "left out")
            .help("name the compose file that defines it on the command line, or enable its profile")
            .warning()
    }

    /// Environment variable `key` of `service` naming `host`.
    pub(crate) fn compose_host_unresolved(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        key: &str,
        service: &str,
        host: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("env `{key}` of `{service}` names host `{host}`, which is no service of this project"),
        )
        .at(file, span, "no service has this name")
        .help("add the file that defines it, or ignore this if the host is outside the project")
        .warning()
    }

    /// `how` says where the workload names `host` ("env `DB_HOST`").
    pub(crate) fn kubernetes_host_unresolved(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        how: &str,
        workload: &str,
        host: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("{how} of `{workload}` names `{host}`, which is no Service here"),
        )
        .at(file, span, "no Service has this name")
        .help("add the file that defines the Service, or ignore this if it is outside the cluster")
        .warning()
    }

    /// A ConfigMap or Secret (`kind`), or one `key` of it, that `workload`
    /// takes and no file defines.
    pub(crate) fn kubernetes_config_missing(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        workload: &str,
        kind: &str,
        name: &str,
        key: Option<&str>,
    ) -> Self {
        let message = match key {
            Some(key) => format!("`{workload}` takes key `{key}` of {kind} `{name}`, which has no such key"),
            None => format!("`{workload}` takes {kind} `{name}`, which no file here defines"),
        };
        Self::new(Code::UnresolvedReference, message)
            .at(file, span, "not in the files")
            .help(format!(
                "add the file that defines the {kind}, or mark the reference `optional: true`; addresses it holds are not followed"
            ))
            .warning()
    }

    /// A host in the cluster's DNS form (`db.shop.svc.cluster.local`) that
    /// no Service of the files has: `id` stands for it (`defined: false`).
    pub(crate) fn kubernetes_service_placeholder(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        how: &str,
        workload: &str,
        host: &str,
        id: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("{how} of `{workload}` names Service `{host}`, which no file here defines"),
        )
        .at(file, span, "no Service of the files")
        .help(format!(
            "kept as placeholder `{id}` (`defined: false`); add the file that defines the Service (a Helm chart's rendered manifests, for one)"
        ))
        .warning()
    }

    /// An Ingress or Gateway API route (`kind` `name`) sending traffic to
    /// a Service that no file defines.
    pub(crate) fn kubernetes_backend_unresolved(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        kind: &str,
        name: &str,
        service: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("{kind} `{name}` sends traffic to Service `{service}`, which no file here defines"),
        )
        .at(file, span, "no Service has this name")
        .help("add the file that defines the Service; its workloads are not marked as entrypoints")
        .warning()
    }

    /// `field` (`dependsOn`, `dependencyOf`, `subcomponentOf`) of `entity`
    /// names `text`, an entity of a kind that does not fail on its own
    /// (`system:x`, `group:y`).
    pub(crate) fn backstage_not_runtime(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        entity: &str,
        field: &str,
        text: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("`{entity}` names `{text}` in {field}, which is no Component or Resource"),
        )
        .at(file, span, "left out")
        .help(format!("{field} names Components and Resources (`resource:orders-db`); fix the reference"))
        .warning()
    }

    /// `field` (`dependsOn`, `dependencyOf`, `subcomponentOf`) of `entity`
    /// names `target`, which no input defines: kept as placeholder `id`.
    pub(crate) fn backstage_placeholder(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        entity: &str,
        field: &str,
        target: &str,
        id: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("`{entity}` names `{target}` in {field}, but no input file defines it"),
        )
        .at(file, span, format!("kept as placeholder `{id}` (defined: false)"))
        .help("add the catalog-info.yaml that defines it (from its repository) to the inputs, or fix the reference")
        .warning()
    }

    /// `field` of `entity` holds `text`, which names no entity (`component:`).
    pub(crate) fn backstage_malformed_reference(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        entity: &str,
        field: &str,
        text: &str,
    ) -> Self {
        Self::new(
            Code::UnresolvedReference,
            format!("`{entity}` has `{}` in {field}, which is no entity reference", text.escape_debug()),
        )
        .at(file, span, "left out")
        .help("a reference is `[kind:][namespace/]name`, e.g. `resource:default/orders-db`")
        .warning()
    }

    /// `entity` consumes API `api` (`consumesApis`, or `dependsOn: api:x`)
    /// that no component provides: its provider is placeholder `id`.
    pub(crate) fn backstage_api_placeholder(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        entity: &str,
        api: &str,
        id: &str,
    ) -> Self {
        Self::new(Code::UnresolvedReference, format!("`{entity}` consumes API `{api}`, which no component provides"))
            .at(file, span, format!("its provider is placeholder `{id}` (defined: false)"))
            .help("add the component that lists the API in `providesApis` to the inputs, or list it in the providesApis of the component that serves it")
            .warning()
    }

    // unsupported-construct

    /// A Helm chart found while walking a directory: not read.
    pub(crate) fn helm_chart_found(dir: &str) -> Self {
        Self::new(
            Code::UnsupportedConstruct,
            format!("Helm chart `{dir}` is not read: its templates are not Kubernetes YAML until rendered"),
        )
        .in_path(dir)
        .help(helm_help(dir))
        .warning()
    }

    /// A document of a file read as `format` (`--from`) that is not of it.
    pub(crate) fn document_not_of_format(file: &Arc<SourceFile>, span: Range<usize>, format: Format) -> Self {
        Self::new(
            Code::UnsupportedConstruct,
            format!("a document of `{}` is not {}", file.name, format.title()),
        )
        .at(file, span, "left out")
        .help(format!("split it into a file of its own, or drop `--from {}`", format.as_str()))
        .warning()
    }

    /// Compose variables expanding past `mib` MiB in total.
    pub(crate) fn expansion_budget_spent(file: &Arc<SourceFile>, span: Range<usize>, mib: usize) -> Self {
        Self::new(
            Code::UnsupportedConstruct,
            format!("variables expand to more than {mib} MiB; the rest are left empty"),
        )
        .at(file, span, "expansion passes the limit here")
        .help("variables that repeat each other (`B=$A$A`) grow exponentially; this looks like an expansion bomb")
        .warning()
    }

    /// `${A:-${B:-...}}` nesting deeper than `max`.
    pub(crate) fn interpolation_too_deep(file: &Arc<SourceFile>, span: Range<usize>, max: usize) -> Self {
        Self::new(Code::UnsupportedConstruct, format!("`${{...}}` defaults nest deeper than {max} levels"))
            .at(file, span, "here")
            .help("flatten the nested defaults; the value is left empty")
            .warning()
    }

    pub(crate) fn compose_include(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::left_out(
            file,
            span,
            "compose `include` is not followed",
            "name the included files on the command line instead, in the order Compose merges them",
        )
    }

    pub(crate) fn compose_extends_other_file(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::left_out(
            file,
            span,
            "compose `extends` from another file is not followed",
            "name that file on the command line, or copy the fields into this service",
        )
    }

    /// A `NetworkPolicy` peer by namespace or IP block.
    pub(crate) fn network_policy_peer(file: &Arc<SourceFile>, span: Range<usize>, policy: &str) -> Self {
        Self::left_out(
            file,
            span,
            &format!("NetworkPolicy `{policy}`: peers by namespace or IP block are not mapped"),
            "blastmap maps `podSelector` peers of the policy's own namespace; add the dependency by hand",
        )
    }

    /// A Kubernetes resource of a `kind` that the importer does not map.
    pub(crate) fn kubernetes_kind_unmapped(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        kind: &str,
        name: &str,
    ) -> Self {
        Self::left_out(
            file,
            span,
            &format!("Kubernetes {kind} `{name}` is not mapped"),
            "blastmap maps Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, Services, ConfigMaps, Secrets, Ingresses, Gateway API routes and NetworkPolicies; add what this one means by hand",
        )
    }

    /// A ConfigMap that names Services of the files (`services`, and
    /// `unknown` hosts that look like Services but are none) and that no
    /// workload reads through `envFrom`, a key reference or a volume.
    pub(crate) fn kubernetes_config_unread(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        name: &str,
        services: &[String],
        unknown: &[String],
    ) -> Self {
        let list = |names: &[String]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let noun = if services.len() == 1 { "Service" } else { "Services" };
        let mut message =
            format!("ConfigMap `{name}` names {noun} {} but no workload here reads it", list(services));
        if !unknown.is_empty() {
            message.push_str(&format!(" (and {}, which no Service has)", list(unknown)));
        }
        Self::left_out(
            file,
            span,
            &message,
            "an application may read it through the Kubernetes API (Spring Cloud Kubernetes does): add the dependencies of its readers by hand",
        )
    }

    /// More configuration values (`values`, or `mib` MiB of them and of
    /// their `$(VAR)` expansions) than one import reads.
    pub(crate) fn kubernetes_values_budget(values: usize, mib: usize) -> Self {
        Self::new(
            Code::UnsupportedConstruct,
            format!(
                "more than {values} Kubernetes configuration values or {mib} MiB of them; the rest are not read for hosts"
            ),
        )
        .help("import fewer workloads at a time, or split ConfigMaps that every workload takes")
        .warning()
    }

    pub(crate) fn match_expressions(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Self::left_out(
            file,
            span,
            "label selectors with `matchExpressions` are not evaluated",
            "use `matchLabels`, or add the dependency by hand",
        )
    }

    fn left_out(file: &Arc<SourceFile>, span: Range<usize>, message: &str, help: &str) -> Self {
        Self::new(Code::UnsupportedConstruct, message).at(file, span, "left out").help(help).warning()
    }

    // selector-mismatch

    /// A workload (of `kind`) whose selector misses its own pod labels.
    pub(crate) fn selector_misses_own_pods(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        kind: &str,
        name: &str,
    ) -> Self {
        Self::new(
            Code::SelectorMismatch,
            format!("the selector of {kind} `{name}` does not match its own pod labels"),
        )
        .at(file, span, "matches none of its pods")
        .help("make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`")
        .warning()
    }

    pub(crate) fn service_selects_nothing(file: &Arc<SourceFile>, span: Range<usize>, service: &str) -> Self {
        Self::new(Code::SelectorMismatch, format!("Service `{service}` selects no workload"))
            .at(file, span, "matches no pod template")
            .help("fix the selector, or add the file with the workload it is meant for")
            .warning()
    }

    pub(crate) fn network_policy_selects_nothing(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        policy: &str,
    ) -> Self {
        Self::new(Code::SelectorMismatch, format!("NetworkPolicy `{policy}` selects no workload"))
            .at(file, span, "matches no pod template")
            .help("fix `spec.podSelector`, or add the file with the workload it is meant for")
            .warning()
    }

    pub(crate) fn network_policy_peers_match_nothing(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        policy: &str,
    ) -> Self {
        Self::new(
            Code::SelectorMismatch,
            format!("NetworkPolicy `{policy}` allows ingress from pods that no workload has"),
        )
        .at(file, span, "matches no pod template")
        .help("fix the selector, or add the file with the workload it is meant for")
        .warning()
    }

    // undefined-variable

    /// `${name:?message}` with `name` unset (an error, as Compose makes it).
    pub(crate) fn required_variable_unset(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        name: &str,
        message: &str,
    ) -> Self {
        Self::new(Code::UndefinedVariable, format!("required variable `{name}` is not set: {message}"))
            .at(file, span, "needs it")
            .help(format!("set `{name}` in the `.env` file of the project directory"))
    }

    pub(crate) fn variable_unset(file: &Arc<SourceFile>, span: Range<usize>, name: &str) -> Self {
        Self::new(Code::UndefinedVariable, format!("variable `{name}` is not set; it reads as empty"))
            .at(file, span, "used here")
            .help(format!(
                "set `{name}` in the `.env` file of the project directory (blastmap does not read the shell environment)"
            ))
            .warning()
    }

    /// No `.env` in the project directory, only an example of one: its
    /// values are read in place (said once, not once per variable).
    pub(crate) fn env_example_read(example: &Arc<SourceFile>, span: Range<usize>, dir: &str) -> Self {
        let name = example.name.rsplit(['/', '\\']).next().unwrap_or(&example.name).to_owned();
        Self::new(
            Code::UndefinedVariable,
            format!("no `.env` in {dir}; the example values of `{name}` are read in its place"),
        )
        .at(example, span, "read as `.env`")
        .help(format!("copy `{name}` to `.env` and set your own values; the import then reads those"))
        .warning()
    }
}
