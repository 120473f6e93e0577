//! Decoding arrived levels off the frame: on rayon's pool natively, on the frame's thread
//! within a byte budget per frame where there are no threads (web, WASI).

use std::collections::VecDeque;

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
    queue: VecDeque<Job>,
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
            rayon::spawn(move || {
                // The streamer may be gone by now: then nobody wants the level.
                let _ = sender.send(job.run());
            });
        }
        #[cfg(target_family = "wasm")]
        self.queue.push_back(job);
    }

    /// Moves finished levels into `ready`. Without threads, decodes queued levels here until
    /// `budget` stored bytes are done (at least one level).
    pub(super) fn collect(&mut self, budget: u64, ready: &mut VecDeque<Decoded>) {
        #[cfg(not(target_family = "wasm"))]
        {
            let _ = budget;
            if let Some(channel) = &self.channel {
                let receiver = channel.receiver.lock().unwrap_or_else(|e| e.into_inner());
                while let Ok(decoded) = receiver.try_recv() {
                    self.in_progress -= 1;
                    ready.push_back(decoded);
                }
            }
        }
        #[cfg(target_family = "wasm")]
        {
            let mut spent = 0u64;
            while let Some(job) = self.queue.front() {
                let len = job.stored.len() as u64;
                if spent > 0 && spent + len > budget {
                    break;
                }
                spent += len;
                let job = self.queue.pop_front().expect("front exists");
                self.in_progress -= 1;
                ready.push_back(job.run());
            }
        }
    }
}
