//! The streamer's reads: the levels the scheduler fetches in a frame, merged into one read
//! where their bytes are adjacent in a file (a pack keeps every asset's coarsest level back to
//! back, so the coarse levels of a whole area come in a few reads), and handed to the backend
//! no faster than its [`queue_depth`](super::super::StreamIo::queue_depth): what waits here
//! is dropped for free when the scheduler cancels it.
//!
//! A browser finishes a few hundred fetches a second however small they are; the first
//! complete frame of a large world needs a couple of thousand coarse levels of about a
//! kilobyte, so reads, not bytes, were what it waited on.

use std::collections::{HashMap, VecDeque};

use super::super::{Cancelled, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo};

/// The most bytes one merged read covers: small enough that a read is done in a fraction of
/// a second on a slow link and a cancel loses little.
pub(super) const MAX_READ_BYTES: u64 = 1 << 20;
/// The most levels one merged read carries.
pub(super) const MAX_READ_LEVELS: usize = 256;
/// Levels this close (bytes between them) still share a read: the gap is read and dropped.
/// Coarse levels of an area lie near each other with a few of other areas' in between; a
/// few kilobytes cost less than a read (a browser finishes a few hundred a second).
pub(super) const MAX_READ_GAP: u64 = 8 << 10;
/// Read ids start here, apart from the scheduler's level ids and the manifest's.
const FIRST_READ_ID: u64 = 1 << 62;

/// A level the scheduler asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct LevelFetch {
    /// The scheduler's request id.
    pub(super) id: RequestId,
    pub(super) file: PackFile,
    pub(super) start: u64,
    pub(super) end: u64,
}

/// One level's bytes inside a read.
#[derive(Clone, Copy, Debug)]
struct Part {
    id: RequestId,
    /// Offsets within the read.
    start: u64,
    end: u64,
    live: bool,
}

/// A read of adjacent levels of one file.
#[derive(Debug)]
struct Read {
    id: RequestId,
    file: PackFile,
    start: u64,
    end: u64,
    parts: Vec<Part>,
}

impl Read {
    fn live(&self) -> bool {
        self.parts.iter().any(|p| p.live)
    }
}

/// Merges, queues and splits the streamer's reads.
///
/// Levels whose bytes overlap (two requests for one range cannot happen: one request per
/// level) or lie more than [`MAX_READ_GAP`] apart get reads of their own.
#[derive(Debug, Default)]
pub(super) struct ReadQueue {
    next_id: u64,
    /// Merged reads not handed to the backend yet, most urgent first.
    waiting: VecDeque<Read>,
    /// Reads the backend holds.
    in_flight: HashMap<RequestId, Read>,
    /// Level request -> the read carrying it.
    read_of: HashMap<RequestId, RequestId>,
    /// Reads handed to the backend so far.
    submitted: u64,
    /// This frame's reads for the backend (kept for its capacity).
    requests: Vec<ReadRequest>,
}

impl ReadQueue {
    /// Reads handed to the backend so far (after merging).
    pub(super) fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Reads waiting here or held by the backend.
    pub(super) fn outstanding(&self) -> usize {
        self.waiting.len() + self.in_flight.len()
    }

    /// Queues this frame's fetches, given most urgent first: levels whose bytes follow each
    /// other in one file become one read (up to [`MAX_READ_BYTES`] and [`MAX_READ_LEVELS`]),
    /// and reads keep the urgency of their most urgent level.
    pub(super) fn add(&mut self, fetches: &[LevelFetch]) {
        let mut order: Vec<usize> = (0..fetches.len()).collect();
        order.sort_by_key(|&i| (fetches[i].file, fetches[i].start, i));
        let mut reads: Vec<(usize, Read)> = Vec::new();
        for i in order {
            let f = &fetches[i];
            let len = f.end.saturating_sub(f.start);
            if let Some((urgency, read)) = reads.last_mut()
                && read.file == f.file
                && f.start >= read.end
                && f.start - read.end <= MAX_READ_GAP
                && f.end - read.start <= MAX_READ_BYTES
                && read.parts.len() < MAX_READ_LEVELS
            {
                read.parts.push(Part {
                    id: f.id,
                    start: f.start - read.start,
                    end: f.end - read.start,
                    live: true,
                });
                read.end = f.end;
                *urgency = (*urgency).min(i);
                continue;
            }
            self.next_id += 1;
            let id = RequestId(FIRST_READ_ID + self.next_id);
            reads.push((
                i,
                Read {
                    id,
                    file: f.file,
                    start: f.start,
                    end: f.end,
                    parts: vec![Part {
                        id: f.id,
                        start: 0,
                        end: len,
                        live: true,
                    }],
                },
            ));
        }
        reads.sort_by_key(|(urgency, _)| *urgency);
        for (_, read) in reads {
            for part in &read.parts {
                self.read_of.insert(part.id, read.id);
            }
            self.waiting.push_back(read);
        }
    }

    /// Hands waiting reads to the backend while it holds fewer than `depth`.
    pub(super) fn submit(&mut self, io: &mut dyn StreamIo, depth: usize) {
        while self.in_flight.len() < depth.max(1) {
            let Some(read) = self.waiting.pop_front() else {
                break;
            };
            self.requests.push(ReadRequest {
                id: read.id,
                file: read.file,
                range: Some(read.start..read.end),
                max_bytes: read.end - read.start,
            });
            self.submitted += 1;
            self.in_flight.insert(read.id, read);
        }
        if !self.requests.is_empty() {
            io.submit_all(&mut self.requests);
        }
    }

    /// The scheduler no longer wants level request `id`. Its bytes are spared only when no
    /// live level shares its read: a read still waiting here is dropped, one in flight is
    /// cancelled in the backend; otherwise the read goes on and the level's bytes are
    /// dropped when they come ([`Cancelled::InBody`]: they are spent).
    pub(super) fn cancel(&mut self, id: RequestId, io: &mut dyn StreamIo) -> Cancelled {
        let Some(read_id) = self.read_of.remove(&id) else {
            return Cancelled::NotInFlight;
        };
        if let Some(at) = self.waiting.iter().position(|r| r.id == read_id) {
            let read = &mut self.waiting[at];
            kill(read, id);
            if !read.live() {
                self.waiting.remove(at);
                return Cancelled::BeforeFirstByte;
            }
            return Cancelled::InBody;
        }
        let Some(read) = self.in_flight.get_mut(&read_id) else {
            return Cancelled::NotInFlight;
        };
        kill(read, id);
        if read.live() {
            return Cancelled::InBody;
        }
        self.in_flight.remove(&read_id);
        io.cancel(read_id)
    }

    /// Splits a finished read into its live levels' completions (appended to `out`); `None`
    /// when `completion` is not one of these reads (the manifest's).
    pub(super) fn complete(
        &mut self,
        completion: ReadCompletion,
        out: &mut Vec<ReadCompletion>,
    ) -> Option<()> {
        let read = self.in_flight.remove(&completion.id)?;
        for part in &read.parts {
            if part.live {
                self.read_of.remove(&part.id);
            }
        }
        let mut live = read.parts.iter().filter(|p| p.live);
        match completion.result {
            // One level: its bytes as they came, without a copy.
            Ok(bytes) if read.parts.len() == 1 => out.extend(live.next().map(|p| ReadCompletion {
                id: p.id,
                result: Ok(bytes),
            })),
            Ok(bytes) => {
                for p in live {
                    let (start, end) = (p.start as usize, p.end as usize);
                    // The backend returns exactly the range asked for; a short answer is the
                    // backend's error to report, but never a panic here.
                    let result = bytes.get(start..end).map(<[u8]>::to_vec).ok_or(
                        super::super::StreamIoError::Truncated {
                            file: read.file,
                            expected: read.end - read.start,
                            received: bytes.len() as u64,
                        },
                    );
                    out.push(ReadCompletion { id: p.id, result });
                }
            }
            Err(e) => out.extend(live.map(|p| ReadCompletion {
                id: p.id,
                result: Err(e.clone()),
            })),
        }
        Some(())
    }
}

fn kill(read: &mut Read, id: RequestId) {
    if let Some(part) = read.parts.iter_mut().find(|p| p.id == id) {
        part.live = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{MemoryIo, StreamIoError};

    fn fetch(id: u64, file: u32, start: u64, end: u64) -> LevelFetch {
        LevelFetch {
            id: RequestId(id),
            file: PackFile::Blob(file),
            start,
            end,
        }
    }

    fn blob() -> Vec<u8> {
        (0..=255u8).cycle().take(64 << 10).collect()
    }

    /// Submits, lets the memory backend answer, and splits the answers.
    fn run(queue: &mut ReadQueue, io: &mut MemoryIo, depth: usize) -> Vec<ReadCompletion> {
        queue.submit(io, depth);
        let (mut done, mut levels) = (Vec::new(), Vec::new());
        io.poll(0.0, &mut done);
        for c in done {
            queue
                .complete(c, &mut levels)
                .expect("one of the queue's reads");
        }
        levels
    }

    #[test]
    fn adjacent_levels_of_a_file_share_one_read_and_each_gets_its_own_bytes() {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Blob(0), blob());
        io.insert(PackFile::Blob(1), blob());
        let mut queue = ReadQueue::default();
        // Most urgent first; 1 and 3 follow each other, 5 comes after a small gap (read and
        // dropped), 2 is in another file, 4 lies past the largest gap.
        queue.add(&[
            fetch(1, 0, 100, 200),
            fetch(2, 1, 0, 10),
            fetch(3, 0, 200, 260),
            fetch(4, 0, 310 + MAX_READ_GAP + 1, 320 + MAX_READ_GAP + 1),
            fetch(5, 0, 300, 310),
        ]);
        assert_eq!(queue.outstanding(), 3);
        let mut levels = run(&mut queue, &mut io, 8);
        assert_eq!(queue.submitted(), 3);
        levels.sort_by_key(|c| c.id);
        let bytes = blob();
        let far = 310 + MAX_READ_GAP + 1;
        let expect = [
            (1, 100..200),
            (2, 0..10),
            (3, 200..260),
            (4, far..far + 10),
            (5, 300..310),
        ];
        assert_eq!(levels.len(), expect.len());
        for (c, (id, range)) in levels.iter().zip(expect) {
            assert_eq!(c.id, RequestId(id));
            let want = &bytes[range.start as usize..range.end as usize];
            assert_eq!(c.result.as_deref().unwrap(), want, "level {id}");
        }
        assert_eq!(queue.outstanding(), 0);
    }

    #[test]
    fn the_backend_gets_at_most_its_depth_and_the_rest_waits_most_urgent_first() {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Blob(0), blob());
        let mut queue = ReadQueue::default();
        // Gaps too wide to share a read: four reads, the most urgent listed first.
        let fetches: Vec<LevelFetch> = (0..4u64)
            .map(|i| fetch(10 + i, 0, 40_000 - i * 10_000, 40_000 - i * 10_000 + 10))
            .collect();
        queue.add(&fetches);
        let first = run(&mut queue, &mut io, 2);
        let ids: Vec<u64> = first.iter().map(|c| c.id.0).collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains(&10) && ids.contains(&11), "{ids:?}");
        assert_eq!(queue.outstanding(), 2);
        assert_eq!(run(&mut queue, &mut io, 2).len(), 2);
        assert_eq!(queue.submitted(), 4);
    }

    #[test]
    fn a_read_is_spared_only_when_none_of_its_levels_is_wanted() {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Blob(0), blob());
        let mut queue = ReadQueue::default();
        queue.add(&[fetch(1, 0, 0, 10), fetch(2, 0, 10, 20)]);
        queue.add(&[fetch(3, 0, 500, 510)]);
        // Waiting: one level of a shared read goes on; the whole read is then dropped.
        assert_eq!(queue.cancel(RequestId(1), &mut io), Cancelled::InBody);
        assert_eq!(
            queue.cancel(RequestId(2), &mut io),
            Cancelled::BeforeFirstByte
        );
        assert_eq!(queue.cancel(RequestId(2), &mut io), Cancelled::NotInFlight);
        assert_eq!(queue.outstanding(), 1);
        // In flight: cancelled in the backend, whose answer never comes.
        queue.submit(&mut io, 8);
        assert_eq!(
            queue.cancel(RequestId(3), &mut io),
            Cancelled::BeforeFirstByte
        );
        let mut done = Vec::new();
        io.poll(0.0, &mut done);
        assert!(done.is_empty());
        assert_eq!(queue.outstanding(), 0);
    }

    #[test]
    fn a_cancelled_level_of_a_read_in_flight_is_dropped_and_a_failure_reaches_every_level() {
        let mut io = MemoryIo::new();
        io.insert(PackFile::Blob(0), blob());
        let mut queue = ReadQueue::default();
        queue.add(&[fetch(1, 0, 0, 10), fetch(2, 0, 10, 20), fetch(3, 0, 20, 30)]);
        queue.submit(&mut io, 8);
        assert_eq!(queue.cancel(RequestId(2), &mut io), Cancelled::InBody);
        let levels = run(&mut queue, &mut io, 8);
        let ids: Vec<u64> = levels.iter().map(|c| c.id.0).collect();
        assert_eq!(ids, [1, 3]);
        // A file the backend does not have: each level of the read fails with its error.
        queue.add(&[fetch(4, 7, 0, 10), fetch(5, 7, 10, 20)]);
        let failed = run(&mut queue, &mut io, 8);
        assert_eq!(failed.len(), 2);
        assert!(
            failed
                .iter()
                .all(|c| matches!(c.result, Err(StreamIoError::NotFound { .. })))
        );
    }

    #[test]
    fn reads_stop_growing_at_their_byte_and_level_caps() {
        let mut queue = ReadQueue::default();
        let big: Vec<LevelFetch> = (0..3u64)
            .map(|i| {
                fetch(
                    i + 1,
                    0,
                    i * (MAX_READ_BYTES / 2),
                    (i + 1) * (MAX_READ_BYTES / 2),
                )
            })
            .collect();
        queue.add(&big);
        assert_eq!(queue.outstanding(), 2, "1 MiB at most a read");
        let mut queue = ReadQueue::default();
        let many: Vec<LevelFetch> = (0..MAX_READ_LEVELS as u64 + 1)
            .map(|i| fetch(i + 1, 0, i, i + 1))
            .collect();
        queue.add(&many);
        assert_eq!(
            queue.outstanding(),
            2,
            "{MAX_READ_LEVELS} levels at most a read"
        );
    }
}
