//! Compose variables: `${VAR}` interpolation with its defaults and
//! errors, and the `.env` files that set them.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

use super::{EXPANSION_BUDGET, Importer, MAX_INTERPOLATION_DEPTH};

impl Importer<'_> {
    /// `.env` syntax: `KEY=VALUE`, optional `export`, `#` comments, single
    /// quotes literal, double quotes with escapes; values interpolate
    /// variables defined before them.
    pub(super) fn parse_env_file(
        &mut self,
        file: &Arc<SourceFile>,
        base: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        let mut vars = base.clone();
        let mut own = BTreeMap::new();
        let mut offset = 0;
        for line in file.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
            let Some((key, raw)) = body.split_once('=') else {
                self.diags
                    .push(Diagnostic::env_line_not_key_value(file, start..start + line.trim_end().len()));
                continue;
            };
            let key = key.trim().to_owned();
            let raw = raw.trim_start();
            let value = if let Some(rest) = raw.strip_prefix('\'') {
                rest.split('\'').next().unwrap_or("").to_owned()
            } else if let Some(rest) = raw.strip_prefix('"') {
                let mut out = String::new();
                let mut chars = rest.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => out.push('\n'),
                            Some('t') => out.push('\t'),
                            Some(other) => out.push(other),
                            None => {}
                        },
                        c => out.push(c),
                    }
                }
                self.interpolate_with(&out, &vars, file, start..start + line.len())
            } else {
                let unquoted = raw.split(" #").next().unwrap_or(raw).trim();
                self.interpolate_with(unquoted, &vars, file, start..start + line.len())
            };
            vars.insert(key.clone(), value.clone());
            own.insert(key, value);
        }
        if base.is_empty() { vars } else { own }
    }

    pub(super) fn interpolate(&mut self, s: &str, file: &Arc<SourceFile>, span: &Range<usize>) -> String {
        let vars = std::mem::take(&mut self.vars);
        let out = self.interpolate_with(s, &vars, file, span.clone());
        self.vars = vars;
        out
    }

    /// Takes `bytes` from the expansion budget; `false` (reported once)
    /// when it is spent.
    pub(super) fn spend(&mut self, bytes: usize, file: &Arc<SourceFile>, span: &Range<usize>) -> bool {
        if let Some(left) = self.budget.checked_sub(bytes) {
            self.budget = left;
            return true;
        }
        if !self.budget_spent {
            self.budget_spent = true;
            self.diags.push(Diagnostic::expansion_budget_spent(file, span.clone(), EXPANSION_BUDGET >> 20));
        }
        false
    }

    /// A variable's value, paid for from the budget (empty once it is spent).
    fn substitute(&mut self, value: Option<&String>, file: &Arc<SourceFile>, span: &Range<usize>) -> String {
        match value {
            Some(v) if self.spend(v.len(), file, span) => v.clone(),
            _ => String::new(),
        }
    }

    fn interpolate_with(
        &mut self,
        s: &str,
        vars: &BTreeMap<String, String>,
        file: &Arc<SourceFile>,
        span: Range<usize>,
    ) -> String {
        self.interpolate_nested(s, vars, file, span, 0)
    }

    /// Compose interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
    /// `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
    /// `${VAR+alt}`; defaults may nest, [`MAX_INTERPOLATION_DEPTH`] deep.
    fn interpolate_nested(
        &mut self,
        s: &str,
        vars: &BTreeMap<String, String>,
        file: &Arc<SourceFile>,
        span: Range<usize>,
        depth: usize,
    ) -> String {
        if depth > MAX_INTERPOLATION_DEPTH {
            self.diags.push(Diagnostic::interpolation_too_deep(file, span, MAX_INTERPOLATION_DEPTH));
            return String::new();
        }
        let mut out = String::with_capacity(s.len());
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < s.len() {
            let Some(rel) = s[i..].find('$') else {
                out.push_str(&s[i..]);
                break;
            };
            out.push_str(&s[i..i + rel]);
            i += rel;
            match bytes.get(i + 1) {
                Some(b'$') => {
                    out.push('$');
                    i += 2;
                }
                Some(b'{') => {
                    // Find the matching brace (nested `${...}` in defaults).
                    let mut braces = 0usize;
                    let mut end = None;
                    let mut j = i + 1;
                    while let Some(&b) = bytes.get(j) {
                        match b {
                            b'{' => braces += 1,
                            b'}' => {
                                braces = braces.saturating_sub(1);
                                if braces == 0 {
                                    end = Some(j);
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    let Some(end) = end else {
                        self.diags.push(Diagnostic::unclosed_interpolation(file, span.clone()));
                        out.push_str(&s[i..]);
                        break;
                    };
                    let inner = &s[i + 2..end];
                    let name_len =
                        inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
                    let (name, op) = inner.split_at(name_len);
                    let value = vars.get(name);
                    let set_nonempty = value.is_some_and(|v| !v.is_empty());
                    let replaced = if let Some(default) = op.strip_prefix(":-") {
                        if set_nonempty {
                            self.substitute(value, file, &span)
                        } else {
                            self.interpolate_nested(default, vars, file, span.clone(), depth + 1)
                        }
                    } else if let Some(default) = op.strip_prefix('-') {
                        match value {
                            Some(_) => self.substitute(value, file, &span),
                            None => self.interpolate_nested(default, vars, file, span.clone(), depth + 1),
                        }
                    } else if let Some(alt) = op.strip_prefix(":+") {
                        if set_nonempty {
                            self.interpolate_nested(alt, vars, file, span.clone(), depth + 1)
                        } else {
                            String::new()
                        }
                    } else if let Some(alt) = op.strip_prefix('+') {
                        if value.is_some() {
                            self.interpolate_nested(alt, vars, file, span.clone(), depth + 1)
                        } else {
                            String::new()
                        }
                    } else if let Some(message) = op.strip_prefix(":?").or_else(|| op.strip_prefix('?')) {
                        let ok = if op.starts_with(':') { set_nonempty } else { value.is_some() };
                        if !ok {
                            self.diags.push(Diagnostic::required_variable_unset(
                                file,
                                span.clone(),
                                name,
                                message,
                            ));
                        }
                        self.substitute(value, file, &span)
                    } else if op.is_empty() {
                        if value.is_some() {
                            self.substitute(value, file, &span)
                        } else {
                            self.unset(name, file, &span);
                            String::new()
                        }
                    } else {
                        self.diags.push(Diagnostic::invalid_interpolation(file, span.clone(), inner));
                        String::new()
                    };
                    out.push_str(&replaced);
                    i = end + 1;
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let rest = &s[i + 1..];
                    let len =
                        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                    let name = &rest[..len];
                    match vars.get(name) {
                        Some(v) => out.push_str(&self.substitute(Some(v), file, &span)),
                        None => self.unset(name, file, &span),
                    }
                    i += 1 + len;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        }
        out
    }

    fn unset(&mut self, name: &str, file: &Arc<SourceFile>, span: &Range<usize>) {
        if self.reported.insert(name.to_owned()) {
            self.diags.push(Diagnostic::variable_unset(file, span.clone(), name));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// An importer with no variables, writing into `diags` and `notes`.
    fn importer<'a>(
        diags: &'a mut Vec<Diagnostic>,
        notes: &'a mut Vec<String>,
        budget: usize,
    ) -> Importer<'a> {
        Importer {
            vars: BTreeMap::new(),
            diags,
            notes,
            reported: BTreeSet::new(),
            budget,
            budget_spent: false,
        }
    }

    fn interp(s: &str, vars: &[(&str, &str)]) -> (String, usize) {
        let mut diags = Vec::new();
        let mut notes = Vec::new();
        let mut imp = importer(&mut diags, &mut notes, EXPANSION_BUDGET);
        let vars: BTreeMap<String, String> =
            vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let file = Arc::new(SourceFile::new("x.yaml", s.to_owned()));
        let out = imp.interpolate_with(s, &vars, &file, 0..s.len());
        (out, diags.len())
    }

    #[test]
    fn interpolation() {
        assert_eq!(interp("${A}", &[("A", "x")]).0, "x");
        assert_eq!(interp("$A-b", &[("A", "x")]).0, "x-b");
        assert_eq!(interp("${A:-d}", &[("A", "")]).0, "d");
        assert_eq!(interp("${A-d}", &[("A", "")]).0, "");
        assert_eq!(interp("${B-d}", &[]).0, "d");
        assert_eq!(interp("${B:-${A}:1}", &[("A", "h")]).0, "h:1");
        assert_eq!(interp("$$A", &[("A", "x")]).0, "$A");
        assert_eq!(interp("${A:+y}", &[("A", "x")]).0, "y");
        assert_eq!(interp("${B}", &[]), (String::new(), 1));
        assert_eq!(interp("${B:?need B}", &[]).1, 1);
    }

    #[test]
    fn nested_defaults_stop_at_the_depth_limit() {
        // 10 000 levels used to recurse once per level (a stack overflow)
        // and rescan the rest of the value at each level.
        let deep = "${A:-".repeat(10_000) + &"}".repeat(10_000);
        let (out, diags) = interp(&deep, &[]);
        assert_eq!((out.as_str(), diags), ("", 1));
        assert_eq!(interp("${A:-${B:-${C:-x}}}", &[]).0, "x");
    }

    #[test]
    fn expansion_stops_at_the_budget() {
        let mut diags = Vec::new();
        let mut notes = Vec::new();
        let mut imp = importer(&mut diags, &mut notes, 1 << 20);
        // Each line doubles the one before: 2^64 bytes without a budget.
        let mut text = String::from("V0=xxxxxxxxxxxxxxxx\n");
        for i in 1..64 {
            text.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
        }
        let file = Arc::new(SourceFile::new(".env", text));
        let vars = imp.parse_env_file(&file, &BTreeMap::new());
        assert!(vars.values().map(String::len).sum::<usize>() <= (1 << 20) + 16);
        assert_eq!(diags.len(), 1);
    }
}
