//! Colour for people: the one place that decides whether a stream gets
//! colour and that writes the escape codes.
//!
//! Every human-readable output (the `text` formats on standard output, and
//! diagnostics, warnings and notes on standard error) is painted through a
//! [`Style`]; machine-readable formats never are. Whether a stream is
//! painted is decided once per stream by [`Style::decide`]:
//!
//! 1. `--color always` or `--color never` decide.
//! 2. Otherwise (`auto`), `NO_COLOR` set to anything but the empty text
//!    turns colour off;
//! 3. then `CLICOLOR_FORCE` set to anything but empty or `0` turns it on,
//!    even into a pipe or a file;
//! 4. then `CLICOLOR=0` turns it off;
//! 5. otherwise a terminal gets colour unless `TERM=dumb`; a pipe or a file
//!    does not.
//!
//! Painting never changes the text itself: [`width`] measures what a
//! terminal shows, so tables line up whether they are painted or not.

use std::ffi::OsString;

use crate::cli::ColorChoice;

/// Whether one stream is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    on: bool,
}

/// What a piece of text is, which decides its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// A section heading or the line that sums a result up (bold).
    Heading,
    /// A failed component, a failed gate, an error (bold red).
    Failed,
    /// A component that is down, a risk added (red).
    Down,
    /// Degraded, a warning's word, a missed target that is only a warning
    /// (yellow).
    Degraded,
    /// Up, passed, met, a risk removed (green).
    Good,
    /// The `warning` word of a block (bold yellow).
    Warning,
    /// Pointers and labels: `-->`, `= help:` (bold blue, as rustc).
    Pointer,
    /// Notes and secondary text (dim).
    Dim,
}

impl Tone {
    /// The SGR parameters of the tone.
    fn code(self) -> &'static str {
        match self {
            Tone::Heading => "1",
            Tone::Failed => "1;31",
            Tone::Down => "31",
            Tone::Degraded => "33",
            Tone::Good => "32",
            Tone::Warning => "1;33",
            Tone::Pointer => "1;34",
            Tone::Dim => "2",
        }
    }
}

impl Style {
    /// Whether a stream gets colour, by the rules of the module comment.
    /// `terminal` is whether the stream is a terminal; `var` reads the
    /// environment (a parameter, so that tests need not change it).
    pub(crate) fn decide(
        choice: ColorChoice,
        terminal: bool,
        var: &dyn Fn(&str) -> Option<OsString>,
    ) -> Style {
        let set = |name: &str| var(name).filter(|v| !v.is_empty());
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorChoice::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
            ColorChoice::Auto => terminal && var("TERM").is_none_or(|t| t != "dumb"),
        };
        Style { on }
    }

    /// Whether this stream is painted.
    pub(crate) fn is_on(self) -> bool {
        self.on
    }

    /// `text` in the colour of `tone`, or `text` as it is when the stream
    /// is not painted.
    pub(crate) fn paint(self, tone: Tone, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", tone.code())
        } else {
            text.to_owned()
        }
    }

    /// The word of a component's state (`failed`, `down`, `degraded`,
    /// `up`) in its colour; any other word as it is.
    pub(crate) fn state(self, word: &str) -> String {
        let tone = match word {
            "failed" => Tone::Failed,
            "down" => Tone::Down,
            "degraded" => Tone::Degraded,
            "up" => Tone::Good,
            _ => return word.to_owned(),
        };
        self.paint(tone, word)
    }
}

/// The width a terminal shows for `text`: characters, not counting the
/// escape sequences [`Style::paint`] writes.
pub(crate) fn width(text: &str) -> usize {
    let mut n = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters, ending at a letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn flags_decide_before_the_environment() {
        let no_color = env(&[("NO_COLOR", "1")]);
        assert!(Style::decide(ColorChoice::Always, false, &no_color).is_on());
        let force = env(&[("CLICOLOR_FORCE", "1")]);
        assert!(!Style::decide(ColorChoice::Never, true, &force).is_on());
    }

    #[test]
    fn auto_follows_no_color_then_clicolor_force_then_the_terminal() {
        let none = env(&[]);
        assert!(Style::decide(ColorChoice::Auto, true, &none).is_on());
        assert!(!Style::decide(ColorChoice::Auto, false, &none).is_on());
        assert!(!Style::decide(ColorChoice::Auto, true, &env(&[("NO_COLOR", "1")])).is_on());
        // An empty NO_COLOR is not set (no-color.org).
        assert!(Style::decide(ColorChoice::Auto, true, &env(&[("NO_COLOR", "")])).is_on());
        assert!(Style::decide(ColorChoice::Auto, false, &env(&[("CLICOLOR_FORCE", "1")])).is_on());
        assert!(!Style::decide(ColorChoice::Auto, false, &env(&[("CLICOLOR_FORCE", "0")])).is_on());
        let both = env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(!Style::decide(ColorChoice::Auto, false, &both).is_on());
        assert!(!Style::decide(ColorChoice::Auto, true, &env(&[("CLICOLOR", "0")])).is_on());
        assert!(!Style::decide(ColorChoice::Auto, true, &env(&[("TERM", "dumb")])).is_on());
    }

    #[test]
    fn painting_keeps_the_width() {
        let on = Style { on: true };
        let text = on.paint(Tone::Down, "zone-a → ok");
        assert_ne!(text, "zone-a → ok");
        assert_eq!(width(&text), width("zone-a → ok"));
        assert_eq!(Style { on: false }.paint(Tone::Down, "x"), "x");
        assert_eq!(on.state("sideways"), "sideways");
    }
}
