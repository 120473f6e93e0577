//! The native backends' worker threads: a queue of reads, a few threads that take them in
//! order, cancel flags for the reads being served and a list of finished ones for `poll`.
//! Files and HTTP differ only in the function that serves one read.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::io::{Cancelled, ReadCompletion, ReadRequest, RequestId, StreamIoError};

/// Serves one read at `L` (a path, a URL). It may stop early when the flag turns true (the
/// read was cancelled); what it then returns is dropped.
pub(crate) type ServeRead<L> =
    dyn Fn(&ReadRequest, &L, &AtomicBool) -> Result<Vec<u8>, StreamIoError> + Send + Sync;

/// A fixed set of worker threads serving reads in submission order, at background priority
/// (see [`enter_background_priority`](super::enter_background_priority)).
pub(crate) struct ReadPool<L> {
    shared: Arc<Shared<L>>,
    threads: usize,
}

struct Shared<L> {
    state: Mutex<State<L>>,
    work: Condvar,
}

struct State<L> {
    waiting: VecDeque<(ReadRequest, L)>,
    /// Reads a worker took, with their cancel flags.
    serving: HashMap<RequestId, Arc<AtomicBool>>,
    done: Vec<ReadCompletion>,
    /// Set when the pool is dropped: workers leave after their current read.
    closed: bool,
}

impl<L> Shared<L> {
    /// The state; a worker that panicked while holding it left nothing half-done (every
    /// change is one push or remove), so a poisoned lock is taken as it is.
    fn state(&self) -> MutexGuard<'_, State<L>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<L: Send + 'static> ReadPool<L> {
    /// Starts `threads` workers (at least one) named `name`. When the platform refuses to
    /// start any, every read fails with [`StreamIoError::Transport`].
    pub(crate) fn new(name: &str, threads: usize, serve: Arc<ServeRead<L>>) -> ReadPool<L> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                serving: HashMap::new(),
                done: Vec::new(),
                closed: false,
            }),
            work: Condvar::new(),
        });
        let mut started = 0;
        for i in 0..threads.max(1) {
            let shared = shared.clone();
            let serve = serve.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    super::enter_background_priority();
                    work(&shared, &*serve)
                });
            if spawned.is_ok() {
                started += 1;
            }
        }
        ReadPool {
            shared,
            threads: started,
        }
    }

    /// Worker threads running.
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// Queues several reads, taking the lock once and waking the workers once. When no
    /// worker could be started, each fails with [`StreamIoError::Transport`].
    pub(crate) fn submit_all(&self, reads: Vec<(ReadRequest, L)>) {
        let added = reads.len();
        let mut state = self.shared.state();
        if self.threads == 0 {
            for (request, _) in reads {
                let file = request.file;
                state.done.push(ReadCompletion {
                    id: request.id,
                    result: Err(StreamIoError::Transport {
                        file,
                        message: "no IO thread could be started".into(),
                    }),
                });
            }
            return;
        }
        state.waiting.extend(reads);
        drop(state);
        match added {
            0 => {}
            1 => self.shared.work.notify_one(),
            _ => self.shared.work.notify_all(),
        }
    }

    /// Finishes a read at once with `error` (it could not be started).
    pub(crate) fn fail(&self, id: RequestId, error: StreamIoError) {
        self.shared.state().done.push(ReadCompletion {
            id,
            result: Err(error),
        });
    }

    /// Cancels a read: still queued, it is dropped before any IO ([`Cancelled::BeforeFirstByte`]);
    /// taken by a worker, the worker is told to stop and its result is dropped
    /// ([`Cancelled::InBody`]); finished but not yet polled, its result is dropped
    /// ([`Cancelled::InBody`]: its bytes were spent).
    pub(crate) fn cancel(&self, id: RequestId) -> Cancelled {
        let mut state = self.shared.state();
        if let Some(i) = state.waiting.iter().position(|(r, _)| r.id == id) {
            state.waiting.remove(i);
            return Cancelled::BeforeFirstByte;
        }
        if let Some(flag) = state.serving.remove(&id) {
            flag.store(true, Ordering::Relaxed);
            return Cancelled::InBody;
        }
        if let Some(i) = state.done.iter().position(|c| c.id == id) {
            state.done.swap_remove(i);
            return Cancelled::InBody;
        }
        Cancelled::NotInFlight
    }

    /// Moves the finished reads into `done`.
    pub(crate) fn poll(&self, done: &mut Vec<ReadCompletion>) {
        done.append(&mut self.shared.state().done);
    }
}

impl<L> Drop for ReadPool<L> {
    /// Tells the workers to leave; they are not joined (one may be waiting on a slow server
    /// until its timeout) and drop what they finish.
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.closed = true;
        state.waiting.clear();
        for flag in state.serving.values() {
            flag.store(true, Ordering::Relaxed);
        }
        drop(state);
        self.shared.work.notify_all();
    }
}

/// One worker: takes the oldest read, serves it without the lock, hands the result back
/// unless the read was cancelled meanwhile.
fn work<L>(shared: &Shared<L>, serve: &ServeRead<L>) {
    let mut state = shared.state();
    loop {
        if state.closed {
            return;
        }
        let Some((request, location)) = state.waiting.pop_front() else {
            state = shared.work.wait(state).unwrap_or_else(|e| e.into_inner());
            continue;
        };
        let cancelled = Arc::new(AtomicBool::new(false));
        state.serving.insert(request.id, cancelled.clone());
        drop(state);
        let result = serve(&request, &location, &cancelled);
        state = shared.state();
        // Cancelled reads were removed from `serving` by `cancel`.
        if state.serving.remove(&request.id).is_some() {
            state.done.push(ReadCompletion {
                id: request.id,
                result,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::PackFile;
    use std::sync::mpsc;

    fn request(id: u64) -> ReadRequest {
        ReadRequest {
            id: RequestId(id),
            file: PackFile::Blob(0),
            range: Some(0..1),
            max_bytes: 1,
        }
    }

    #[test]
    fn queued_reads_cancel_before_their_first_byte_and_taken_ones_in_body() {
        // The one worker blocks in read 1 until the test lets it go: read 2 is queued for sure.
        let (release, gate) = mpsc::channel::<()>();
        let gate = Mutex::new(gate);
        let (taken_tx, taken) = mpsc::channel::<u64>();
        let taken_tx = Mutex::new(taken_tx);
        let serve: Arc<ServeRead<u8>> =
            Arc::new(move |r: &ReadRequest, byte: &u8, _: &AtomicBool| {
                let _ = taken_tx.lock().unwrap().send(r.id.0);
                if r.id.0 == 1 {
                    let _ = gate.lock().unwrap().recv();
                }
                Ok(vec![*byte])
            });
        let pool = ReadPool::new("test-pool", 1, serve);
        pool.submit_all(vec![(request(1), 10)]);
        assert_eq!(taken.recv().unwrap(), 1);
        pool.submit_all(vec![(request(2), 20)]);
        pool.submit_all(vec![(request(3), 30)]);
        assert_eq!(pool.cancel(RequestId(2)), Cancelled::BeforeFirstByte);
        assert_eq!(pool.cancel(RequestId(1)), Cancelled::InBody);
        assert_eq!(pool.cancel(RequestId(1)), Cancelled::NotInFlight);
        release.send(()).unwrap();
        assert_eq!(taken.recv().unwrap(), 3);
        let mut done = Vec::new();
        while done.is_empty() {
            pool.poll(&mut done);
            std::thread::yield_now();
        }
        assert_eq!(
            done,
            vec![ReadCompletion {
                id: RequestId(3),
                result: Ok(vec![30])
            }]
        );
    }

    #[test]
    fn a_batch_is_served_in_order_by_background_threads() {
        let serve: Arc<ServeRead<u8>> = Arc::new(|r: &ReadRequest, byte: &u8, _: &AtomicBool| {
            #[cfg(target_os = "linux")]
            if !crate::stream::background::at_background_priority() {
                return Err(StreamIoError::Transport {
                    file: r.file,
                    message: "a worker at the frame's priority".into(),
                });
            }
            Ok(vec![*byte])
        });
        let pool = ReadPool::new("test-batch", 1, serve);
        pool.submit_all((1..=5).map(|i| (request(i), i as u8 * 10)).collect());
        let mut done = Vec::new();
        while done.len() < 5 {
            pool.poll(&mut done);
            std::thread::yield_now();
        }
        let got: Vec<(u64, Vec<u8>)> = done
            .into_iter()
            .map(|c| (c.id.0, c.result.expect("served")))
            .collect();
        assert_eq!(
            got,
            (1..=5).map(|i| (i, vec![i as u8 * 10])).collect::<Vec<_>>(),
            "one worker serves a batch in submission order"
        );
    }
}
