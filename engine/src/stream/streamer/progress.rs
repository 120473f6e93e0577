//! [`StreamProgress`]: where streaming stands, for a loading screen and the stats overlay.

use super::StreamError;
use crate::stream::SchedulerStats;

/// Where streaming stands: what a loading screen and the stats overlay show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamProgress {
    /// The manifest is read (meshes, materials and cells are known).
    pub manifest_loaded: bool,
    /// The budget in bytes.
    pub budget: u64,
    /// The scheduler's counters (resident, reserved, peak, wanted bytes; requests and bytes in
    /// flight; cancels, evictions, failures; assets missing or refining).
    pub scheduler: SchedulerStats,
    /// Levels decoding.
    pub decoding: u32,
    /// Levels decoded and waiting for the upload budget.
    pub waiting_upload: u32,
    /// Reads cancelled before their first byte.
    pub cancelled_before_first_byte: u64,
    /// Reads cancelled while their body arrived.
    pub cancelled_in_body: u64,
    /// Decoded bytes handed to the asset stores in the last update (what the renderer uploads
    /// to the GPU next): at most [`StreamSettings::upload_bytes_per_frame`], unless one level
    /// alone is bigger (it goes by itself).
    ///
    /// [`StreamSettings::upload_bytes_per_frame`]: super::StreamSettings::upload_bytes_per_frame
    pub uploaded_bytes: u64,
    /// Levels (mesh levels and texture mips) handed to the asset stores in the last update.
    pub uploaded_levels: u32,
    /// The most bytes handed to the asset stores in one update so far.
    pub peak_uploaded_bytes: u64,
    /// Reads handed to the backend so far: levels adjacent in a file share one, so this is
    /// below the scheduler's level requests where the pack lays levels side by side.
    pub reads: u64,
    /// Reads waiting for the backend or held by it.
    pub reads_outstanding: u32,
    /// World cells loaded.
    pub cells_loaded: u32,
    /// Seconds the last update spent decoding levels on the frame's thread: on the web and
    /// WASI, where decoding is sliced by [`StreamSettings::decode_ms_per_frame`]; 0 natively,
    /// where background threads decode.
    ///
    /// [`StreamSettings::decode_ms_per_frame`]: super::StreamSettings::decode_ms_per_frame
    pub decode_seconds: f64,
    /// The latest error (streaming retries by itself).
    pub last_error: Option<StreamError>,
}

impl StreamProgress {
    /// Records one update's upload: `bytes` decoded bytes in `levels` levels.
    pub(super) fn record_upload(&mut self, bytes: u64, levels: u32) {
        self.uploaded_bytes = bytes;
        self.uploaded_levels = levels;
        self.peak_uploaded_bytes = self.peak_uploaded_bytes.max(bytes);
    }

    /// Everything wanted has at least its coarsest level resident (a complete frame).
    pub fn view_ready(&self) -> bool {
        self.manifest_loaded && self.scheduler.missing == 0
    }

    /// One line for the stats overlay: resident and peak against the budget, what is in
    /// flight, assets missing and refining, cells, and the latest error.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::stream::StreamProgress;
    ///
    /// let line = StreamProgress { budget: 64 << 20, ..Default::default() }.overlay_line();
    /// assert!(line.starts_with("stream: manifest"));
    /// ```
    pub fn overlay_line(&self) -> String {
        const MIB: f64 = (1 << 20) as f64;
        let s = &self.scheduler;
        if !self.manifest_loaded {
            return match &self.last_error {
                Some(e) => format!("stream: manifest pending ({e})"),
                None => "stream: manifest pending".to_owned(),
            };
        }
        let mut line = format!(
            "stream: {:.1}/{:.0} MiB (peak {:.1}) | {} req {:.1} MiB in flight | {} missing {} refining | {} cells",
            (s.resident_bytes + s.reserved_bytes) as f64 / MIB,
            self.budget as f64 / MIB,
            s.peak_bytes as f64 / MIB,
            s.requests_in_flight,
            s.bytes_in_flight as f64 / MIB,
            s.missing,
            s.refining,
            self.cells_loaded,
        );
        if s.failures > 0 {
            line.push_str(&format!(" | {} retried", s.failures));
        }
        line
    }

    /// Everything wanted is resident at its wanted level and nothing is on its way.
    pub fn complete(&self) -> bool {
        self.view_ready()
            && self.scheduler.refining == 0
            && self.scheduler.requests_in_flight == 0
            && self.decoding == 0
            && self.waiting_upload == 0
    }
}
