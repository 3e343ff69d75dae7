//! "did you mean" suggestions.

/// The candidate closest to `unknown` by Jaro-Winkler similarity, when it is
/// close enough to be a plausible typo. Ties go to the smallest candidate so
/// the answer is deterministic.
pub fn closest<'a>(unknown: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(unknown, candidate);
        if score < 0.8 {
            continue;
        }
        let better = best.is_none_or(|(s, c)| {
            let order = score.total_cmp(&s);
            order.is_gt() || (order.is_eq() && candidate < c)
        });
        if better {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        let ids = ["payments", "payments-db", "checkout"];
        assert_eq!(closest("paymnets", ids), Some("payments"));
        assert_eq!(closest("chekout", ids), Some("checkout"));
        assert_eq!(closest("zzz", ids), None);
    }
}
