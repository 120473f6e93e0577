//! GPU time per frame from timestamp queries, where the adapter has them (Vulkan, DX12, Metal,
//! WebGPU with `timestamp-query`; not WebGL2). Readback is asynchronous through a small ring of
//! buffers so measuring never stalls the frame: a figure arrives a frame or two late.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// Timestamps written per frame: the first pass's start and the last pass's end.
const QUERIES: u32 = 2;
/// Readback buffers in flight.
const RING: usize = 3;

const IDLE: u8 = 0;
const MAPPING: u8 = 1;
const MAPPED: u8 = 2;
const FAILED: u8 = 3;

struct Slot {
    buffer: wgpu::Buffer,
    state: Arc<AtomicU8>,
}

/// Measures the GPU time between the start of a frame's first pass and the end of its last.
pub(crate) struct GpuTimer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    ring: Vec<Slot>,
    next: usize,
    /// Nanoseconds per timestamp tick.
    period_ns: f64,
    latest: Option<f64>,
    /// Whether the frame being encoded writes timestamps (its readback slot was free).
    armed: bool,
}

impl GpuTimer {
    /// A timer, when the device was opened with timestamp queries.
    pub(crate) fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Option<GpuTimer> {
        if !device.features().contains(wgpu::Features::TIMESTAMP_QUERY) {
            return None;
        }
        let size = u64::from(QUERIES) * wgpu::QUERY_SIZE as u64;
        let queries = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("frame timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: QUERIES,
        });
        let resolve = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timestamp resolve"),
            size,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let ring = (0..RING)
            .map(|_| Slot {
                buffer: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("timestamp readback"),
                    size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                state: Arc::new(AtomicU8::new(IDLE)),
            })
            .collect();
        Some(GpuTimer {
            queries,
            resolve,
            ring,
            next: 0,
            period_ns: f64::from(queue.get_timestamp_period()),
            latest: None,
            armed: false,
        })
    }

    /// Starts a frame: collects finished readbacks, and arms the timestamps when a readback
    /// slot is free (otherwise this frame goes unmeasured rather than waiting).
    pub(crate) fn begin_frame(&mut self) {
        self.collect();
        self.armed = self.ring[self.next].state.load(Ordering::Acquire) == IDLE;
    }

    /// The timestamp writes for a pass: `first` marks the frame's start, `last` its end.
    pub(crate) fn pass_writes(
        &self,
        first: bool,
        last: bool,
    ) -> Option<wgpu::RenderPassTimestampWrites<'_>> {
        (self.armed && (first || last)).then(|| wgpu::RenderPassTimestampWrites {
            query_set: &self.queries,
            beginning_of_pass_write_index: first.then_some(0),
            end_of_pass_write_index: last.then_some(1),
        })
    }

    /// Copies the frame's timestamps towards the readback slot; call before submitting.
    pub(crate) fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        if !self.armed {
            return;
        }
        encoder.resolve_query_set(&self.queries, 0..QUERIES, &self.resolve, 0);
        let slot = &self.ring[self.next];
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &slot.buffer, 0, self.resolve.size());
    }

    /// After the submit: maps the slot; the result is read by a later `begin_frame`.
    pub(crate) fn end_frame(&mut self) {
        if !self.armed {
            return;
        }
        self.armed = false;
        let slot = &self.ring[self.next];
        slot.state.store(MAPPING, Ordering::Release);
        let state = slot.state.clone();
        slot.buffer
            .map_async(wgpu::MapMode::Read, .., move |result| {
                state.store(
                    if result.is_ok() { MAPPED } else { FAILED },
                    Ordering::Release,
                );
            });
        self.next = (self.next + 1) % RING;
    }

    fn collect(&mut self) {
        for slot in &self.ring {
            match slot.state.load(Ordering::Acquire) {
                MAPPED => {
                    if let Ok(view) = slot.buffer.get_mapped_range(..) {
                        let ticks: &[u64] = bytemuck::cast_slice(&view);
                        // A wrapped or reset counter reads as end < start: no figure then.
                        if let [start, end] = ticks
                            && end > start
                        {
                            self.latest = Some((end - start) as f64 * self.period_ns * 1e-9);
                        }
                    }
                    slot.buffer.unmap();
                    slot.state.store(IDLE, Ordering::Release);
                }
                FAILED => slot.state.store(IDLE, Ordering::Release),
                _ => {}
            }
        }
    }

    /// The most recent frame's GPU time in seconds, once one has been read back.
    pub(crate) fn latest_seconds(&self) -> Option<f64> {
        self.latest
    }
}
