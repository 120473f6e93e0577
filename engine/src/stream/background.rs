//! Streaming's own threads (reads, decodes) run at background priority, and decodes on their
//! own pool: the frame's threads never wait for them.
//!
//! On a machine with few cores, waking a reading or decoding thread let it preempt the frame's
//! thread for a scheduler slice: bench_stream's Streaming stage spent 2-5 ms off the CPU in
//! the calls that hand over reads and decodes (its own work there was under 0.3 ms).
//! `SCHED_BATCH` threads never preempt on waking and keep a fair share of the CPU (`SCHED_IDLE`
//! did as well for the stage, but starved streaming outright on a loaded machine; nice 10 did
//! not stop the preemption). Decodes also left rayon's global pool, where they queued ahead
//! of the frame's parallel systems.

use std::sync::OnceLock;

/// Puts the calling thread at background priority. On Linux and Android: `SCHED_BATCH` at
/// its nice level (a fair share of the CPU, but waking up never preempts a running thread;
/// needs no privilege). Elsewhere the thread keeps its priority (not measured there). Returns
/// whether the OS agreed; a thread it refuses keeps its priority and still works.
pub fn enter_background_priority() -> bool {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        use thread_priority::{ThreadPriority, ThreadPriorityOsValue};
        // Nice 0: the Os value of a normal policy is the nice level itself.
        set_thread_priority_and_policy(
            thread_native_id(),
            ThreadPriority::Os(ThreadPriorityOsValue::default()),
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch),
        )
        .is_ok()
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        false
    }
}

/// The pool streamed levels decode on: one thread per core at background priority, made the
/// first time a level is decoded and shared by every streamer. `None` when the platform
/// refused to start its threads (decodes then run on rayon's global pool).
pub(super) fn decode_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("layerw-stream-decode-{i}"))
            .start_handler(|_| {
                enter_background_priority();
            })
            .build()
            .map_err(|e| {
                tracing::warn!(
                    "streaming's decode pool did not start ({e}); decoding on rayon's global pool"
                )
            })
            .ok()
    })
    .as_ref()
}

/// Whether the calling thread's scheduling policy is `SCHED_BATCH` (for tests).
#[cfg(all(test, target_os = "linux"))]
pub(super) fn at_background_priority() -> bool {
    use thread_priority::unix::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
    matches!(
        thread_priority::unix::thread_schedule_policy(),
        Ok(ThreadSchedulePolicy::Normal(
            NormalThreadSchedulePolicy::Batch
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_enters_background_priority() {
        let entered = std::thread::spawn(|| {
            let before = at_background_priority();
            (
                before,
                enter_background_priority(),
                at_background_priority(),
            )
        })
        .join()
        .unwrap();
        assert_eq!(entered, (false, true, true));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn decodes_run_on_background_threads_of_their_own_pool() {
        let pool = decode_pool().expect("the pool starts");
        let (name, background) = pool.install(|| {
            (
                std::thread::current().name().map(str::to_owned),
                at_background_priority(),
            )
        });
        assert!(name.is_some_and(|n| n.starts_with("layerw-stream-decode-")));
        assert!(background);
    }
}
