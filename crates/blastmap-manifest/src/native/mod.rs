//! The native manifest, format version 1: decodes a `Node` tree (from
//! YAML, JSON or TOML alike) into raw components, reporting every problem
//! with its location instead of stopping at the first.
//!
//! The tree is consumed as it is decoded: each component's subtree is
//! dropped once its component is built, so that a large inventory never
//! holds the whole tree and all its components at once.

mod decode;
mod policy;
mod values;

use std::ops::Range;
use std::sync::Arc;

use crate::policy::Policy;
use crate::source::SourceFile;
use crate::staging::RawComponents;

pub(crate) use decode::decode;

/// Keys of the top level.
pub(crate) const TOP_KEYS: [&str; 4] = ["blastmap", "defaults", "components", "policy"];
/// Keys of a component.
pub(crate) const COMPONENT_KEYS: [&str; 18] = [
    "kind",
    "name",
    "tier",
    "owner",
    "system",
    "entrypoint",
    "weight",
    "availability",
    "slo",
    "replicas",
    "runs_in",
    "within",
    "depends_on",
    "labels",
    "description",
    "defined",
    "health",
    "drill",
];
/// Keys `defaults` may set.
pub(crate) const DEFAULT_KEYS: [&str; 9] =
    ["kind", "tier", "owner", "system", "entrypoint", "weight", "availability", "slo", "replicas"];
const TARGET_KEYS: [&str; 3] = ["target", "mode", "via"];
const ANY_OF_KEYS: [&str; 3] = ["any_of", "mode", "via"];
const QUORUM_KEYS: [&str; 4] = ["quorum", "of", "mode", "via"];
/// Keys of `drill`.
const DRILL_KEYS: [&str; 2] = ["inject", "restore"];
const POLICY_KEYS: [&str; 3] = ["rules", "levels", "exceptions"];
const EXCEPTION_KEYS: [&str; 4] = ["rule", "component", "reason", "expires"];
/// Longest id, in characters.
pub(crate) const MAX_ID_LEN: usize = 256;

/// What one native file contributes.
#[derive(Debug)]
pub(crate) struct FileManifest {
    pub file: Arc<SourceFile>,
    pub components: RawComponents,
    /// The policy with the span of its key.
    pub policy: Option<(Policy, Range<usize>)>,
}

/// Ids are 1–256 characters, no whitespace or control characters.
///
/// # Complexity
/// O(length of `id`).
pub(crate) fn check_id(id: &str) -> bool {
    // Printable ASCII, the usual case, is checked on bytes.
    if id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic()) {
        return !id.is_empty();
    }
    !id.is_empty()
        && id.chars().count() <= MAX_ID_LEN
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The rule of `health` as a JSON Schema `pattern` (the schema says what
/// [`check_health_url`] says, to the character): `http://` or `https://`,
/// optional user information ending in `@`, a host that does not start
/// with the port's `:`, then anything from the first `/`, `?` or `#`; no
/// space or ASCII control character anywhere.
pub(crate) const HEALTH_URL_PATTERN: &str = concat!(
    r"^https?://",
    // User information: everything up to the authority's last `@`.
    r"(?:[^/?#@\x00-\x20\x7f]*@)*",
    // The host's first character, then the rest of the host and the port.
    r"[^/?#@:\x00-\x20\x7f][^/?#@\x00-\x20\x7f]*",
    // Path, query and fragment.
    r"(?:[/?#][^\x00-\x20\x7f]*)?$",
);

/// Whether `url` is a `health` URL: `http://` or `https://` with a
/// non-empty host, and no space or ASCII control character (see
/// [`HEALTH_URL_PATTERN`]).
///
/// # Complexity
/// O(length of `url`).
pub(crate) fn check_health_url(url: &str) -> bool {
    if url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return false;
    }
    let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // The host follows the user information (up to the last `@`) and ends
    // at the port's `:` (IPv6 hosts start with `[`).
    let host_and_port = authority.rsplit('@').next().unwrap_or_default();
    !host_and_port.is_empty() && !host_and_port.starts_with(':')
}

/// Parses `YYYY-MM-DD` with a real calendar check.
pub fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_dates() {
        assert!(check_id("resource:default/artists-db"));
        assert!(!check_id(""));
        assert!(!check_id("a b"));
        assert!(!check_id(&"x".repeat(257)));
        assert!(check_id(&"x".repeat(256)));
        // Past the ASCII fast path: characters, not bytes, are counted, and
        // Unicode whitespace and controls are refused.
        assert!(check_id(&"é".repeat(256)));
        assert!(!check_id(&"é".repeat(257)));
        assert!(!check_id("a\u{85}b"));
        assert!(!check_id("a\u{a0}b"));
        assert!(!check_id("a\tb"));
        assert!(!check_id("a\u{7f}"));
        assert_eq!(parse_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        assert_eq!(parse_date("27-03-31"), None);
    }

    #[test]
    fn health_urls_have_a_scheme_and_a_host() {
        for ok in [
            "http://cart:8080/healthz",
            "https://cart",
            "http://cart?ready",
            "http://cart#x",
            "http://user:pw@cart:80/x",
            "http://a@b@cart/",
            "http://[::1]:8080/",
            "http://é.example/",
        ] {
            assert!(check_health_url(ok), "{ok}");
        }
        for bad in [
            "",
            "cart:8080",
            "ftp://cart/",
            "HTTP://cart/",
            "http:/cart",
            "http://",
            "https://",
            "http://:8080/",
            "http:///healthz",
            "http://?q",
            "http://#f",
            "http://user@/",
            "http://user@:80/",
            "http://cart /x",
            " http://cart/",
            "http://cart/\tx",
            "http://cart/\u{7f}",
        ] {
            assert!(!check_health_url(bad), "{bad}");
        }
    }
}
