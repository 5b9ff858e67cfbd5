//! Simple delta debugging: drop chunks of lines, then of bytes, for as long
//! as the input still fails, halving the chunk size when nothing drops.

use std::time::{Duration, Instant};

/// The smallest input found within `budget` for which `fails` still holds.
pub fn minimize(input: &[u8], mut fails: impl FnMut(&[u8]) -> bool, budget: Duration) -> Vec<u8> {
    let deadline = Instant::now() + budget;
    let lines: Vec<Vec<u8>> = input
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let lines = shrink(lines, &mut |ls: &[Vec<u8>]| fails(&ls.concat()), deadline);
    let bytes: Vec<Vec<u8>> = lines.concat().into_iter().map(|b| vec![b]).collect();
    shrink(bytes, &mut |bs: &[Vec<u8>]| fails(&bs.concat()), deadline).concat()
}

/// Drops chunks of `units` while `fails` still holds and time is left.
fn shrink(
    mut units: Vec<Vec<u8>>,
    fails: &mut impl FnMut(&[Vec<u8>]) -> bool,
    deadline: Instant,
) -> Vec<Vec<u8>> {
    let mut chunk = units.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        while start < units.len() {
            if Instant::now() > deadline {
                return units;
            }
            let end = (start + chunk).min(units.len());
            let mut candidate = units[..start].to_vec();
            candidate.extend_from_slice(&units[end..]);
            if fails(&candidate) {
                units = candidate;
            } else {
                start = end;
            }
        }
        if chunk == 1 {
            return units;
        }
        chunk = chunk.div_ceil(2);
    }
}
