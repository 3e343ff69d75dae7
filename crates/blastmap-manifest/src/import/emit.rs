//! Writes an imported [`Inventory`] as a native manifest: YAML with a
//! comment on every dependency saying where it came from, or JSON.
//!
//! The YAML is written by hand (serde's YAML writers cannot place comments)
//! and quotes every string that a YAML 1.1 or 1.2 reader could take for
//! something else, so the file means the same to any tool that reads it.

use super::Inventory;
use crate::model::Mode;

/// The native manifest in YAML, with a header naming the inputs and a
/// comment above each dependency with its evidence.
pub fn yaml(inventory: &Inventory, inputs: &[String]) -> String {
    let mut out = String::new();
    out.push_str("# written by `blastmap import`");
    if !inputs.is_empty() {
        out.push_str(" from ");
        out.push_str(&comment_text(&inputs.join(", ")));
    }
    out.push_str("\n# review it: inferred dependencies are marked, hard/soft is a best guess\n");
    out.push_str("blastmap: 1\n");
    if inventory.components.is_empty() {
        out.push_str("components: {}\n");
        return out;
    }
    out.push_str("components:\n");
    for (id, c) in &inventory.components {
        out.push_str(&format!("  {}:\n", scalar(id)));
        for note in &c.notes {
            out.push_str(&format!("    # {}\n", comment_text(note)));
        }
        if !c.defined {
            out.push_str("    # defined nowhere: a placeholder for what a reference names; describe it in its own file\n");
        }
        let mut field = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                out.push_str(&format!("    {key}: {v}\n"));
            }
        };
        field("kind", c.kind.map(|k| k.as_str().to_owned()));
        field("name", c.name.as_deref().map(scalar));
        field("owner", c.owner.as_deref().map(scalar));
        field("system", c.system.as_deref().map(scalar));
        field("replicas", c.replicas.map(|r| r.to_string()));
        field("health", c.health.as_deref().map(scalar));
        field("description", c.description.as_deref().map(scalar));
        if !c.defined {
            out.push_str("    defined: false\n");
        }
        if !c.entrypoint.is_empty() {
            out.push_str(&format!("    # entrypoint: {}\n", comment_text(&c.entrypoint.join("; "))));
            out.push_str("    entrypoint: true\n");
        }
        if !c.labels.is_empty() {
            out.push_str("    labels:\n");
            for (k, v) in &c.labels {
                out.push_str(&format!("      {}: {}\n", scalar(k), scalar(v)));
            }
        }
        if !c.dependencies.is_empty() {
            out.push_str("    depends_on:\n");
            for d in &c.dependencies {
                if !d.evidence.is_empty() {
                    out.push_str(&format!("      # {}\n", comment_text(&d.evidence.join("; "))));
                }
                let soft = d.mode == Mode::Soft;
                match d.targets.as_slice() {
                    [one] if !soft && d.via.is_none() => out.push_str(&format!("      - {}\n", scalar(one))),
                    [one] => {
                        out.push_str(&format!("      - target: {}\n", scalar(one)));
                        if soft {
                            out.push_str("        mode: soft\n");
                        }
                        if let Some(via) = &d.via {
                            out.push_str(&format!("        via: {}\n", scalar(via)));
                        }
                    }
                    many => {
                        let members: Vec<String> = many.iter().map(|m| scalar(m)).collect();
                        out.push_str(&format!("      - any_of: [{}]\n", members.join(", ")));
                        if soft {
                            out.push_str("        mode: soft\n");
                        }
                        if let Some(via) = &d.via {
                            out.push_str(&format!("        via: {}\n", scalar(via)));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The native manifest in JSON (no comments: JSON has none).
pub fn json(inventory: &Inventory) -> String {
    let mut text = serde_json::to_string_pretty(&inventory.to_manifest()).unwrap_or_default();
    text.push('\n');
    text
}

/// A string as a YAML scalar: plain when that is unambiguous, otherwise
/// double-quoted with escapes.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) { s.to_owned() } else { quoted(s) }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphanumeric() || first == '_' || first == '/') {
        return false;
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | '@' | '+')) {
        return false;
    }
    // `a:b` is fine in YAML 1.2 but `a: b` is not; a trailing `:` starts a key.
    if s.ends_with(':') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    // Words YAML 1.1 or 1.2 read as booleans or null.
    if matches!(lower.as_str(), "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n") {
        return false;
    }
    // Anything that could read as a number (ints, floats, 0x/0o, 1e3,
    // sexagesimal 1:30 in YAML 1.1, dates): quote all digit-led text with
    // only digits and punctuation, and anything that parses as a float.
    if lower.parse::<f64>().is_ok() || lower.starts_with("0x") || lower.starts_with("0o") {
        return false;
    }
    if first.is_ascii_digit()
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '_' | '-' | '.' | ':' | '+'))
    {
        return false;
    }
    true
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a comment: one line, no control characters.
fn comment_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        for plain in ["cart", "otel-collector", "resource:artists-db", "team/a", "v1.2.3-x"] {
            assert_eq!(scalar(plain), plain);
        }
        for q in [
            "",
            "yes",
            "No",
            "null",
            "1",
            "1.5",
            "1e3",
            "0x1f",
            "12:30",
            "2024-01-01",
            "a b",
            "-x",
            "a: b",
            "#c",
            "x:",
            "a\"b",
            "*x",
            "&x",
            "!x",
            "%x",
            "@x",
            "`x",
            "{x}",
            "[x]",
            "a,b",
            "é",
        ] {
            assert!(scalar(q).starts_with('"'), "{q} must be quoted");
        }
        assert_eq!(scalar("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
