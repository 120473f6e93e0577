//! Decoding arrived levels off the frame: natively on a pool of background-priority threads
//! (see `background`), on the frame's thread within a time budget per frame where there are
//! no threads (web, WASI).

use std::collections::VecDeque;

#[cfg(any(target_family = "wasm", test))]
use sliced::SlicedDecoder;

use super::super::{
    MeshLevel, RequestId, TextureLevel, decode_mesh_level_checked, decode_texture_level,
};
use super::StreamError;
use crate::render::{CheckedMesh, TextureImage};
use crate::walloc::{self, Tier};

/// What a level's manifest entry says, by kind.
#[derive(Clone, Copy, Debug)]
pub(super) enum LevelEntry {
    Mesh(MeshLevel),
    Texture(TextureLevel),
}

impl LevelEntry {
    fn raw_len(&self) -> u64 {
        u64::from(match self {
            LevelEntry::Mesh(l) => l.stored.raw_len,
            LevelEntry::Texture(l) => l.stored.raw_len,
        })
    }

    /// CRC, decompression and decoding, in walloc's Scene tier (where walloc is the global
    /// allocator): resident levels live there. A tier that cannot hold the level (a budget set
    /// above the tier's, or others' Scene allocations) is a typed error, never an abort.
    fn decode(&self, stored: &[u8]) -> Result<DecodedLevel, StreamError> {
        walloc::with_tier(Tier::Scene, || {
            // The level, the decompression buffer beside it, and the heap's rounding.
            let _room = Room::claim(self.raw_len() * 2 + (64 << 10))?;
            match self {
                LevelEntry::Mesh(l) => decode_mesh_level_checked(l, stored).map(DecodedLevel::Mesh),
                LevelEntry::Texture(l) => {
                    decode_texture_level(l, stored).map(DecodedLevel::Texture)
                }
            }
            .map_err(StreamError::Pack)
        })
    }
}

/// Bytes claimed by decodes running now: several run at once on the pool, and each must see
/// what the others are about to take from the tier, or two could both fit and then fail.
static CLAIMED: std::sync::Mutex<u64> = std::sync::Mutex::new(0);

/// A decode's claim on the Scene tier, released when the decode is done.
struct Room(u64);

impl Room {
    /// Claims `requested` bytes of the tier this thread allocates in (call it in a Scene
    /// scope), or fails when the tier cannot give them on top of the other claims. Without
    /// walloc as the allocator there is nothing to check.
    fn claim(requested: u64) -> Result<Room, StreamError> {
        let mut claimed = CLAIMED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(available) = walloc::available_here() {
            let free = available.saturating_sub(*claimed);
            if free < requested {
                return Err(StreamError::OutOfMemory {
                    tier: Tier::Scene,
                    requested,
                    available: free,
                });
            }
        }
        *claimed += requested;
        Ok(Room(requested))
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        *CLAIMED.lock().unwrap_or_else(|e| e.into_inner()) -= self.0;
    }
}

/// A decoded level.
pub(super) enum DecodedLevel {
    /// Validated and measured here, off the frame.
    Mesh(CheckedMesh),
    Texture(TextureImage),
}

/// A decoded level (or why it did not decode).
pub(super) struct Decoded {
    pub(super) id: RequestId,
    pub(super) asset: u32,
    pub(super) level: u8,
    /// Bytes it occupies decoded (what the upload budget counts).
    pub(super) raw_len: u64,
    pub(super) result: Result<DecodedLevel, StreamError>,
}

/// A level to decode.
struct Job {
    id: RequestId,
    asset: u32,
    level: u8,
    entry: LevelEntry,
    stored: Vec<u8>,
}

impl Job {
    fn run(self) -> Decoded {
        Decoded {
            id: self.id,
            asset: self.asset,
            level: self.level,
            raw_len: self.entry.raw_len(),
            result: self.entry.decode(&self.stored),
        }
    }
}

/// Decodes levels; results are collected once a frame.
#[derive(Default)]
pub(super) struct Decoder {
    in_progress: usize,
    #[cfg(not(target_family = "wasm"))]
    channel: Option<Channel>,
    #[cfg(target_family = "wasm")]
    sliced: SlicedDecoder,
}

#[cfg(not(target_family = "wasm"))]
struct Channel {
    sender: std::sync::mpsc::Sender<Decoded>,
    // A Receiver is not Sync; resources must be. Only `collect` (with `&mut self`) locks it.
    receiver: std::sync::Mutex<std::sync::mpsc::Receiver<Decoded>>,
}

impl Decoder {
    /// Levels started and not yet collected.
    pub(super) fn in_progress(&self) -> usize {
        self.in_progress
    }

    /// Starts decoding a level.
    pub(super) fn start(
        &mut self,
        id: RequestId,
        asset: u32,
        level: u8,
        entry: LevelEntry,
        stored: Vec<u8>,
    ) {
        self.in_progress += 1;
        let job = Job {
            id,
            asset,
            level,
            entry,
            stored,
        };
        #[cfg(not(target_family = "wasm"))]
        {
            let channel = self.channel.get_or_insert_with(|| {
                let (sender, receiver) = std::sync::mpsc::channel();
                Channel {
                    sender,
                    receiver: std::sync::Mutex::new(receiver),
                }
            });
            let sender = channel.sender.clone();
            let decode = move || {
                // The streamer may be gone by now: then nobody wants the level.
                let _ = sender.send(job.run());
            };
            match super::super::background::decode_pool() {
                Some(pool) => pool.spawn(decode),
                None => rayon::spawn(decode),
            }
        }
        #[cfg(target_family = "wasm")]
        self.sliced.push(job);
    }

    /// Moves finished levels into `ready` and returns the seconds spent decoding on this
    /// thread. Without threads, decodes queued levels here for about `budget_ms` milliseconds
    /// of the platform's clock (at least one level; see [`SlicedDecoder::run`]).
    pub(super) fn collect(&mut self, budget_ms: f64, ready: &mut VecDeque<Decoded>) -> f64 {
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = budget_ms;
            if let Some(channel) = &self.channel {
                let receiver = channel.receiver.lock().unwrap_or_else(|e| e.into_inner());
                while let Ok(decoded) = receiver.try_recv() {
                    self.in_progress -= 1;
                    ready.push_back(decoded);
                }
            }
            0.0
        }
        #[cfg(target_family = "wasm")]
        {
            let done = self.sliced.run(
                budget_ms / 1e3,
                &mut crate::schedule::monotonic_seconds,
                ready,
            );
            self.in_progress -= done;
            self.sliced.last_seconds()
        }
    }
}

/// Decoding on the frame's thread, sliced by a clock (compiled natively for its tests).
#[cfg(any(target_family = "wasm", test))]
mod sliced {
    use std::collections::VecDeque;

    use super::{Decoded, Job};

    /// Levels waiting to be decoded on the frame's thread, and how fast that went so far.
    #[derive(Default)]
    pub(super) struct SlicedDecoder {
        queue: VecDeque<Job>,
        /// Seconds per stored byte, smoothed over the levels decoded so far.
        seconds_per_byte: Option<f64>,
        /// Seconds the last [`run`](Self::run) took (0 without a clock).
        last_seconds: f64,
    }

    /// Weight of the newest level in `seconds_per_byte`.
    const RATE_WEIGHT: f64 = 0.25;

    impl SlicedDecoder {
        /// Queues a level.
        pub(super) fn push(&mut self, job: Job) {
            self.queue.push_back(job);
        }

        /// Seconds the last [`run`](Self::run) spent decoding, on its clock.
        pub(super) fn last_seconds(&self) -> f64 {
            self.last_seconds
        }

        /// Levels queued.
        #[cfg(test)]
        pub(super) fn queued(&self) -> usize {
            self.queue.len()
        }

        /// Decodes queued levels into `ready`, oldest first, and returns how many. The first
        /// always goes (progress never stalls, whatever the budget); each further one only
        /// when the time spent so far plus its predicted time (its stored bytes at the speed
        /// seen so far) stays within `budget_seconds` on `now`. Without a clock (`now` gives
        /// `None`) one level goes.
        pub(super) fn run(
            &mut self,
            budget_seconds: f64,
            now: &mut dyn FnMut() -> Option<f64>,
            ready: &mut VecDeque<Decoded>,
        ) -> usize {
            self.last_seconds = 0.0;
            let Some(started) = now() else {
                return self.queue.pop_front().map_or(0, |job| {
                    ready.push_back(job.run());
                    1
                });
            };
            let mut done = 0;
            let mut before = started;
            while let Some(job) = self.queue.front() {
                let len = job.stored.len() as f64;
                if done > 0 {
                    let predicted = self.seconds_per_byte.unwrap_or(0.0) * len;
                    if before - started + predicted >= budget_seconds {
                        break;
                    }
                }
                let job = self.queue.pop_front().expect("front exists");
                ready.push_back(job.run());
                done += 1;
                let Some(after) = now() else { break };
                if len > 0.0 {
                    let rate = (after - before).max(0.0) / len;
                    self.seconds_per_byte = Some(match self.seconds_per_byte {
                        Some(r) => r + RATE_WEIGHT * (rate - r),
                        None => rate,
                    });
                }
                before = after;
            }
            self.last_seconds = before - started;
            done
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::VecDeque;

    use super::{Job, LevelEntry, SlicedDecoder};
    use crate::lod::{LodChain, LodLevel};
    use crate::render::Mesh;
    use crate::stream::{PackWriter, RequestId};

    /// `count` queued jobs, each the same stored mesh level.
    fn queue(count: u64) -> SlicedDecoder {
        let mut writer = PackWriter::in_memory(16.0).unwrap();
        let chain = LodChain::new(vec![LodLevel::new(Mesh::sphere(1.0, 12, 6), 0.0)]).unwrap();
        writer.add_mesh(&chain).unwrap();
        let pack = writer.finish().unwrap();
        let level = pack.manifest.meshes[0].levels[0];
        let range = level.stored.range();
        let stored = pack.blobs[0][range.start as usize..range.end as usize].to_vec();
        let mut sliced = SlicedDecoder::default();
        for id in 0..count {
            sliced.push(Job {
                id: RequestId(id),
                asset: 0,
                level: 0,
                entry: LevelEntry::Mesh(level),
                stored: stored.clone(),
            });
        }
        sliced
    }

    /// A clock that moves 1 ms each time it is read: every level "takes" 1 ms.
    fn ticking() -> impl FnMut() -> Option<f64> {
        let t = Cell::new(0.0);
        move || {
            let now = t.get();
            t.set(now + 1e-3);
            Some(now)
        }
    }

    #[test]
    fn a_zero_budget_decodes_one_level_a_frame() {
        let mut sliced = queue(3);
        let mut clock = ticking();
        let mut ready = VecDeque::new();
        for left in [2, 1, 0] {
            assert_eq!(sliced.run(0.0, &mut clock, &mut ready), 1);
            assert_eq!(sliced.queued(), left);
        }
        assert_eq!(sliced.run(0.0, &mut clock, &mut ready), 0);
        let ids: Vec<u64> = ready.iter().map(|d| d.id.0).collect();
        assert_eq!(ids, [0, 1, 2], "oldest first");
        assert!(ready.iter().all(|d| d.result.is_ok()), "the levels decode");
    }

    #[test]
    fn a_budget_decodes_the_levels_predicted_to_fit() {
        // 1 ms a level, 2.5 ms a frame: two levels fit (the third would end at 3 ms).
        let mut sliced = queue(5);
        let mut clock = ticking();
        let mut ready = VecDeque::new();
        let per_frame: Vec<usize> = (0..4)
            .map(|_| sliced.run(2.5e-3, &mut clock, &mut ready))
            .collect();
        assert_eq!(per_frame, [2, 2, 1, 0]);
        assert_eq!(ready.len(), 5);
        // The last run decoded nothing: no time on its clock.
        assert_eq!(sliced.last_seconds(), 0.0);
        let mut sliced = queue(2);
        sliced.run(2.5e-3, &mut ticking(), &mut ready);
        assert!(
            (sliced.last_seconds() - 2e-3).abs() < 1e-12,
            "two levels of 1 ms"
        );
    }

    #[test]
    fn a_large_budget_decodes_everything_queued() {
        let mut sliced = queue(4);
        let mut ready = VecDeque::new();
        assert_eq!(sliced.run(1.0, &mut ticking(), &mut ready), 4);
        assert_eq!(sliced.queued(), 0);
    }

    #[test]
    fn without_a_clock_one_level_goes() {
        let mut sliced = queue(2);
        let mut ready = VecDeque::new();
        assert_eq!(sliced.run(1.0, &mut || None, &mut ready), 1);
        assert_eq!(sliced.queued(), 1);
    }
}
