//! Work spread over the machine's cores natively, and done on the one
//! thread in WebAssembly, where the page's worker has no threads.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Below this many bytes of input in all, callers keep to one thread,
/// because starting threads would cost more than it saves.
pub const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// Applies `work` to each item and returns the results in the items'
/// order, whatever the timing. Each thread makes its own state with
/// `new_state` (a compressor, say) and reuses it for every item it takes.
///
/// With `parallel` false, on one core, or in WebAssembly, everything runs
/// on the calling thread. Otherwise each thread takes the next item not yet
/// taken, so one large item does not leave the other threads idle.
///
/// # Panics
///
/// Panics when `work` or `new_state` panics on a thread.
pub fn map_in_order<T, S, R>(
    items: &[T],
    parallel: bool,
    new_state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let threads = if parallel && items.len() > 1 {
        thread_count()
    } else {
        1
    };
    if threads < 2 {
        let mut state = new_state();
        return items.iter().map(|item| work(&mut state, item)).collect();
    }
    spread(items, threads, &new_state, &work)
}

/// Returns how many threads work can use: the machine's cores natively,
/// one in WebAssembly.
#[cfg(not(target_arch = "wasm32"))]
pub fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Returns how many threads work can use: the machine's cores natively,
/// one in WebAssembly.
#[cfg(target_arch = "wasm32")]
pub fn thread_count() -> usize {
    1
}

#[cfg(not(target_arch = "wasm32"))]
fn spread<T, S, R>(
    items: &[T],
    threads: usize,
    new_state: &(impl Fn() -> S + Sync),
    work: &(impl Fn(&mut S, &T) -> R + Sync),
) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    use std::sync::atomic::{AtomicUsize, Ordering};

    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut state = new_state();
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            break;
                        };
                        done.push((index, work(&mut state, item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(target_arch = "wasm32")]
fn spread<T, S, R>(
    items: &[T],
    _threads: usize,
    new_state: &(impl Fn() -> S + Sync),
    work: &(impl Fn(&mut S, &T) -> R + Sync),
) -> Vec<R> {
    let mut state = new_state();
    items.iter().map(|item| work(&mut state, item)).collect()
}

/// Locks `mutex`, taking its value as it is if a thread panicked while
/// holding it. Each value locked this way is whole between changes, and
/// the panic is raised again where the thread is joined.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_item_order() {
        let items: Vec<usize> = (0..1000).collect();
        let squares = map_in_order(&items, true, || (), |_, n| n * n);
        let expected: Vec<usize> = items.iter().map(|n| n * n).collect();
        assert_eq!(squares, expected);
    }

    #[test]
    fn state_is_reused_on_each_thread() {
        // Each thread counts the items it took; the counts add up to all
        // items, and each result is a count of at least one.
        let items = vec![(); 200];
        let counts = map_in_order(
            &items,
            true,
            || 0usize,
            |taken, _| {
                *taken += 1;
                *taken
            },
        );
        assert_eq!(counts.len(), 200);
        assert!(counts.iter().all(|&count| count >= 1));
        let sequential = map_in_order(
            &items,
            false,
            || 0usize,
            |taken, _| {
                *taken += 1;
                *taken
            },
        );
        assert_eq!(sequential, (1..=200).collect::<Vec<_>>());
    }

    #[test]
    fn empty_input_gives_no_results() {
        let items: Vec<u8> = Vec::new();
        let results = map_in_order(&items, true, || (), |_, byte| *byte);
        assert!(results.is_empty());
    }
}
