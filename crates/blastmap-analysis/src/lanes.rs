//! Bit-sliced k-of-n counting over lane masks, shared by the blast-radius
//! passes (512 single failures per mask) and the Monte Carlo sampler (256
//! samples per mask): each bit lane is a world of its own, so one word
//! operation counts for 64 of them.

/// The lanes set in at least `t` of `masks`, each lane counted on its own.
///
/// A ladder of "at least j set so far" masks, one rung per j, over the
/// smaller of `t` and `n − t + 1` for n masks: at least `t` set is the
/// complement of at least `n − t + 1` clear, so a threshold near either end
/// (`any_of`, all of n) needs few rungs. `ladder` is the caller's scratch,
/// kept across calls so that the hot loops do not allocate.
///
/// # Complexity
/// O(n · min(t, n − t + 1) · W) word operations.
#[inline]
pub(crate) fn at_least<const W: usize>(
    ladder: &mut Vec<[u64; W]>,
    t: usize,
    masks: impl ExactSizeIterator<Item = [u64; W]>,
) -> [u64; W] {
    let n = masks.len();
    if t == 0 {
        return [u64::MAX; W];
    }
    if t > n {
        return [0; W];
    }
    let complement = n - t + 1 < t;
    let rungs = if complement { n - t + 1 } else { t };
    ladder.clear();
    ladder.resize(rungs, [0; W]);
    for v in masks {
        let v = if complement { not(&v) } else { v };
        for j in (1..rungs).rev() {
            let carry = and(&ladder[j - 1], &v);
            or_into(&mut ladder[j], &carry);
        }
        or_into(&mut ladder[0], &v);
    }
    let top = ladder[rungs - 1];
    if complement { not(&top) } else { top }
}

#[inline]
fn or_into<const W: usize>(a: &mut [u64; W], b: &[u64; W]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

#[inline]
fn and<const W: usize>(a: &[u64; W], b: &[u64; W]) -> [u64; W] {
    std::array::from_fn(|w| a[w] & b[w])
}

#[inline]
fn not<const W: usize>(a: &[u64; W]) -> [u64; W] {
    std::array::from_fn(|w| !a[w])
}

#[cfg(test)]
mod tests {
    use super::at_least;

    /// Every threshold over every combination of four one-word masks, lane
    /// by lane against a plain count.
    #[test]
    fn counts_each_lane_like_a_plain_count() {
        let masks: [[u64; 1]; 4] = [[0b1010_1100], [0b0110_1010], [0b1111_0000], [0b0000_1111]];
        let mut ladder = Vec::new();
        for t in 0..=5 {
            let got = at_least(&mut ladder, t, masks.iter().copied());
            for lane in 0..64 {
                let set = masks.iter().filter(|m| m[0] >> lane & 1 == 1).count();
                assert_eq!(got[0] >> lane & 1 == 1, set >= t, "t = {t}, lane {lane}");
            }
        }
    }
}
