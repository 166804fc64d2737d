//! Work spread over the machine's cores: reading the documents of a corpus, reading and
//! anchoring a coder file (both on the way to the loaded workspace).

use std::sync::{Mutex, PoisonError};

/// How many threads the machine runs at once.
pub(crate) fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `items.into_iter().map(|item| work(&mut state, item)).collect()`, on up to `threads`
/// threads (the calling one among them). Each thread makes one `state` and keeps it for every
/// item it takes (a cache, say); results keep the items' order. Threads take the next item as
/// they finish one, so a thread that gets less of a busy machine does less of the work.
pub(crate) fn map_in_order<T: Send, S, R: Send>(
    items: Vec<T>,
    threads: usize,
    new_state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let threads = threads.min(count);
    if threads <= 1 {
        let mut state = new_state();
        return items
            .into_iter()
            .map(|item| work(&mut state, item))
            .collect();
    }
    let queue = Mutex::new(items.into_iter().enumerate());
    let run = || {
        let mut state = new_state();
        let mut done = Vec::new();
        loop {
            // A poisoned lock means another worker panicked: its panic is raised below.
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((i, item)) = next else {
                return done;
            };
            done.push((i, work(&mut state, item)));
        }
    };
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(count).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(run)).collect();
        let mut finished = vec![run()];
        for helper in helpers {
            finished.push(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        for (i, result) in finished.into_iter().flatten() {
            results[i] = Some(result);
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was taken by a thread"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_on_any_number_of_threads() {
        for threads in [0, 1, 2, 3, 8] {
            for count in [0, 1, 2, 5, 100] {
                let items: Vec<usize> = (0..count).collect();
                let doubled = map_in_order(
                    items,
                    threads,
                    || 0usize,
                    |taken, i| {
                        *taken += 1;
                        i * 2
                    },
                );
                assert_eq!(doubled, (0..count).map(|i| i * 2).collect::<Vec<_>>());
            }
        }
    }
}
