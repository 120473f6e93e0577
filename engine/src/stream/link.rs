//! A simulated network link on a virtual clock: latency, a bandwidth shared by the reads in
//! flight, and injected faults. It serves pack files from memory through [`StreamIo`], so the
//! streaming tests (and a game's own) run the real scheduler and streamer deterministically,
//! with no sockets and no sleeping.

use std::collections::HashMap;
use std::sync::Arc;

use super::io::serve_from;
use super::{Cancelled, PackFile, ReadCompletion, ReadRequest, RequestId, StreamIo, StreamIoError};

/// A fault the link injects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LinkFault {
    /// Every `n`-th read answers HTTP 503 after its latency.
    StatusEvery(u32),
    /// Every `n`-th read arrives with one bit flipped.
    CorruptEvery(u32),
    /// Every `n`-th read arrives cut in half.
    TruncateEvery(u32),
    /// The server is down from `from` to `until` (seconds): reads started then fail with a
    /// transport error after their latency.
    Down {
        /// Start of the outage.
        from: f64,
        /// End of the outage.
        until: f64,
    },
}

struct Transfer {
    request: ReadRequest,
    /// When its first byte arrives (start + latency).
    first_byte: f64,
    /// Body bytes still to arrive.
    remaining: f64,
    /// Its sequence number, for the faults that count reads.
    serial: u32,
    failed_down: bool,
}

/// A link with `latency` seconds before each read's first byte and `bandwidth` bytes per
/// second shared equally by the bodies arriving at once; see [`LinkFault`] for faults.
///
/// # Example
/// ```
/// use layerw_engine::stream::{PackFile, ReadRequest, RequestId, SimulatedLink, StreamIo};
///
/// let mut link = SimulatedLink::new(0.05, 1_000_000.0, 6);
/// link.insert(PackFile::Blob(0), vec![9u8; 100_000]);
/// link.submit(ReadRequest { id: RequestId(1), file: PackFile::Blob(0), range: Some(0..50_000), max_bytes: 1 << 20 });
/// let mut done = Vec::new();
/// link.poll(0.07, &mut done); // 50 ms latency + 20 ms of a 50 ms body
/// assert!(done.is_empty());
/// link.poll(0.10, &mut done);
/// assert_eq!(done[0].result.as_ref().map(|b| b.len()), Ok(50_000));
/// ```
pub struct SimulatedLink {
    files: HashMap<PackFile, Arc<[u8]>>,
    latency: f64,
    bandwidth: f64,
    connections: usize,
    faults: Vec<LinkFault>,
    now: f64,
    transfers: Vec<Transfer>,
    serial: u32,
    /// Body bytes delivered by completed reads.
    pub bytes_delivered: u64,
    /// Body bytes spent on reads aborted while their body arrived.
    pub bytes_wasted: u64,
    /// Reads cancelled before their first byte.
    pub cancelled_before_first_byte: u64,
    /// Reads cancelled while their body arrived.
    pub cancelled_in_body: u64,
}

impl SimulatedLink {
    /// A link with no files and no faults.
    pub fn new(latency: f64, bandwidth: f64, connections: usize) -> SimulatedLink {
        SimulatedLink {
            files: HashMap::new(),
            latency: latency.max(0.0),
            bandwidth: bandwidth.max(1.0),
            connections: connections.max(1),
            faults: Vec::new(),
            now: 0.0,
            transfers: Vec::new(),
            serial: 0,
            bytes_delivered: 0,
            bytes_wasted: 0,
            cancelled_before_first_byte: 0,
            cancelled_in_body: 0,
        }
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, file: PackFile, bytes: impl Into<Arc<[u8]>>) {
        self.files.insert(file, bytes.into());
    }

    /// Injects `fault` from now on.
    pub fn add_fault(&mut self, fault: LinkFault) {
        self.faults.push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Changes the bandwidth (bytes per second).
    pub fn set_bandwidth(&mut self, bandwidth: f64) {
        self.bandwidth = bandwidth.max(1.0);
    }

    /// The link's clock: the `now` of the last poll.
    pub fn now(&self) -> f64 {
        self.now
    }

    fn down_at(&self, t: f64) -> bool {
        self.faults
            .iter()
            .any(|f| matches!(*f, LinkFault::Down { from, until } if t >= from && t < until))
    }

    fn every(&self, serial: u32, pick: impl Fn(&LinkFault) -> Option<u32>) -> bool {
        self.faults
            .iter()
            .filter_map(pick)
            .any(|n| n > 0 && serial.is_multiple_of(n))
    }

    /// The answer of a transfer whose body has fully arrived.
    fn finish(&mut self, t: Transfer) -> ReadCompletion {
        let file = t.request.file;
        if t.failed_down {
            return ReadCompletion {
                id: t.request.id,
                result: Err(StreamIoError::Transport {
                    file,
                    message: "connection refused (simulated outage)".into(),
                }),
            };
        }
        if self.every(t.serial, |f| match f {
            LinkFault::StatusEvery(n) => Some(*n),
            _ => None,
        }) {
            return ReadCompletion {
                id: t.request.id,
                result: Err(StreamIoError::Status { file, status: 503 }),
            };
        }
        let mut result = serve_from(self.files.get(&file).map(|b| &b[..]), &t.request);
        if let Ok(bytes) = &mut result {
            self.bytes_delivered += bytes.len() as u64;
            let corrupt = self.every(t.serial, |f| match f {
                LinkFault::CorruptEvery(n) => Some(*n),
                _ => None,
            });
            let truncate = self.every(t.serial, |f| match f {
                LinkFault::TruncateEvery(n) => Some(*n),
                _ => None,
            });
            if corrupt && !bytes.is_empty() {
                let i = (t.serial as usize * 7919) % bytes.len();
                bytes[i] ^= 0x10;
            }
            if truncate {
                let expected = bytes.len() as u64;
                bytes.truncate(bytes.len() / 2);
                result = Err(StreamIoError::Truncated {
                    file,
                    expected,
                    received: expected / 2,
                });
            }
        }
        ReadCompletion {
            id: t.request.id,
            result,
        }
    }

    /// Runs the link from its clock to `until`, finishing bodies in the order they end.
    fn advance(&mut self, until: f64, done: &mut Vec<ReadCompletion>) {
        while self.now < until {
            let receiving: Vec<usize> = (0..self.transfers.len())
                .filter(|&i| self.transfers[i].first_byte <= self.now)
                .collect();
            let share = self.bandwidth / receiving.len().max(1) as f64;
            // The next event: a body ends, or a first byte arrives.
            let mut next = until;
            for &i in &receiving {
                next = next.min(self.now + self.transfers[i].remaining / share);
            }
            for t in &self.transfers {
                if t.first_byte > self.now {
                    next = next.min(t.first_byte);
                }
            }
            let dt = next - self.now;
            for &i in &receiving {
                self.transfers[i].remaining -= dt * share;
            }
            self.now = next;
            let mut i = 0;
            while i < self.transfers.len() {
                let t = &self.transfers[i];
                if t.first_byte <= self.now && t.remaining <= 1e-6 {
                    let t = self.transfers.remove(i);
                    let completion = self.finish(t);
                    done.push(completion);
                } else {
                    i += 1;
                }
            }
        }
    }
}

impl StreamIo for SimulatedLink {
    fn submit(&mut self, request: ReadRequest) {
        self.serial += 1;
        let failed_down = self.down_at(self.now);
        // A failing read costs its latency but no body.
        let body = match (&request.range, failed_down) {
            (_, true) => 0,
            (Some(r), false) => r.end.saturating_sub(r.start),
            (None, false) => self.files.get(&request.file).map_or(0, |b| b.len() as u64),
        };
        self.transfers.push(Transfer {
            first_byte: self.now + self.latency,
            remaining: body as f64,
            serial: self.serial,
            failed_down,
            request,
        });
    }

    fn cancel(&mut self, id: RequestId) -> Cancelled {
        let Some(i) = self.transfers.iter().position(|t| t.request.id == id) else {
            return Cancelled::NotInFlight;
        };
        let t = self.transfers.remove(i);
        if t.first_byte > self.now {
            self.cancelled_before_first_byte += 1;
            Cancelled::BeforeFirstByte
        } else {
            let total = t.request.expected_len().unwrap_or(0) as f64;
            self.bytes_wasted += (total - t.remaining).max(0.0) as u64;
            self.cancelled_in_body += 1;
            Cancelled::InBody
        }
    }

    fn poll(&mut self, now: f64, done: &mut Vec<ReadCompletion>) {
        self.advance(now, done);
    }

    fn parallelism(&self) -> usize {
        self.connections
    }

    fn set_blobs(&mut self, _names: &[String]) {}
}
