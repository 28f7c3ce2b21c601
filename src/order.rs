//! Sorting with one copy of the sort in the WASM.
//!
//! Why: `sort_unstable*` is compiled once per element type and comparison, about 3 kB each
//! with its helpers; the kiosk sorted six kinds of list and carried six copies. These sort a
//! list of positions (`usize`) with a comparison behind a reference (`&dyn Fn`), so every caller
//! shares one sort, and then move the items into that order. The lists sorted here are short
//! (devices, users on a board, names): the indirect call per comparison does not show.

use std::cmp::Ordering;

/// The positions `0..len` ordered by `cmp` (not stable).
fn positions(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| cmp(a, b));
    order
}

/// Sorts `items` by `cmp`; equal items may change places.
pub fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = positions(items.len(), &|a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// Sorts `items` in their natural order.
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// Sorts `items` and keeps each value once.
pub fn sort_unique<T: Ord>(items: &mut Vec<T>) {
    sort(items);
    items.dedup();
}

/// Sorts `items` by the key `key` gives each.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library() {
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for len in [0usize, 1, 2, 3, 7, 20, 64, 300] {
            let items: Vec<(u32, String)> = (0..len)
                .map(|_| (next() % 17, format!("{}", next() % 5)))
                .collect();
            let mut ours = items.clone();
            sort(&mut ours);
            let mut std = items.clone();
            std.sort();
            assert_eq!(ours, std, "len {len}");
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |x| std::cmp::Reverse(x.0));
            assert!(by_key.windows(2).all(|w| w[0].0 >= w[1].0), "len {len}");
            let mut sorted_keys: Vec<u32> = by_key.iter().map(|x| x.0).collect();
            sorted_keys.sort_unstable();
            let mut keys: Vec<u32> = items.iter().map(|x| x.0).collect();
            keys.sort_unstable();
            assert_eq!(sorted_keys, keys, "nothing lost or doubled");
            let mut unique = items.clone();
            sort_unique(&mut unique);
            let mut std_unique = items.clone();
            std_unique.sort();
            std_unique.dedup();
            assert_eq!(unique, std_unique, "len {len}");
        }
    }
}
