//! Network statistics as resources: what the stats overlay and the benchmarks show.

/// The server's figures, updated every frame by the NetSend system.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServerStats {
    /// Connected clients.
    pub clients: usize,
    /// Seconds the last tick's capture, encoding and sending took (all clients).
    pub last_tick_seconds: f64,
    /// The same divided by the clients served.
    pub last_tick_seconds_per_client: f64,
    /// Every tick's send time, newest last (the last 1,024), for percentiles.
    pub tick_seconds: Vec<f64>,
    /// Bytes of the last snapshot payloads, summed over the clients of the last tick.
    pub snapshot_bytes_total: u64,
    /// Snapshots sent so far.
    pub snapshots: u64,
    /// Bytes received / sent per second, over the last second.
    pub bytes_in_per_second: f64,
    /// Bytes sent per second, over the last second.
    pub bytes_out_per_second: f64,
    /// Inputs that arrived after their tick was simulated (the client's lead was too short).
    pub late_inputs: u64,
    /// Ticks at which a connected player's input had not arrived (the last one was repeated).
    pub missing_inputs: u64,
    window: ByteWindow,
}

impl ServerStats {
    pub(crate) fn record_tick(&mut self, seconds: f64, clients: usize) {
        self.last_tick_seconds = seconds;
        self.last_tick_seconds_per_client = seconds / clients.max(1) as f64;
        if self.tick_seconds.len() >= 1024 {
            self.tick_seconds.remove(0);
        }
        self.tick_seconds.push(seconds);
    }

    pub(crate) fn record_snapshot(&mut self, bytes: usize) {
        self.snapshots += 1;
        self.snapshot_bytes_total += bytes as u64;
    }

    pub(crate) fn record_bytes(&mut self, tick: u32, bytes_in: u64, bytes_out: u64, rate: u16) {
        if let Some((i, o)) = self.window.update(tick, bytes_in, bytes_out, rate) {
            self.bytes_in_per_second = i;
            self.bytes_out_per_second = o;
        }
    }

    /// The `p`-th percentile (0..=100) of the recorded tick times, in seconds.
    pub fn tick_percentile(&self, p: f64) -> f64 {
        percentile(&self.tick_seconds, p)
    }
}

/// Byte counters sampled once a second of ticks.
#[derive(Clone, Debug, Default, PartialEq)]
struct ByteWindow {
    start_tick: Option<u32>,
    start_in: u64,
    start_out: u64,
}

impl ByteWindow {
    /// Returns (in, out) bytes per second when a second of ticks has passed.
    fn update(
        &mut self,
        tick: u32,
        bytes_in: u64,
        bytes_out: u64,
        rate: u16,
    ) -> Option<(f64, f64)> {
        let Some(start) = self.start_tick else {
            *self = ByteWindow {
                start_tick: Some(tick),
                start_in: bytes_in,
                start_out: bytes_out,
            };
            return None;
        };
        let ticks = tick.wrapping_sub(start);
        if ticks < u32::from(rate.max(1)) {
            return None;
        }
        let seconds = f64::from(ticks) / f64::from(rate.max(1));
        let result = (
            bytes_in.saturating_sub(self.start_in) as f64 / seconds,
            bytes_out.saturating_sub(self.start_out) as f64 / seconds,
        );
        *self = ByteWindow {
            start_tick: Some(tick),
            start_in: bytes_in,
            start_out: bytes_out,
        };
        Some(result)
    }
}

/// The `p`-th percentile (0..=100) of `values` (nearest rank), 0 for none.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A client's figures (the `NetStats` resource), updated every frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetStats {
    /// True once the handshake finished and until disconnected.
    pub connected: bool,
    /// Round-trip time, seconds (smoothed).
    pub rtt: f64,
    /// Round-trip jitter, seconds.
    pub jitter: f64,
    /// The interpolation delay in use, seconds.
    pub interpolation_delay: f64,
    /// Bytes received / sent per second over the last second.
    pub bytes_in_per_second: f64,
    /// Bytes sent per second over the last second.
    pub bytes_out_per_second: f64,
    /// The last snapshot's size, bytes.
    pub last_snapshot_bytes: usize,
    /// Snapshots received and applied.
    pub snapshots: u64,
    /// Snapshots that could not be decoded (a lost baseline: a full one is asked for).
    pub snapshots_dropped: u64,
    /// Predictions the server disagreed with (each a rollback and replay).
    pub corrections: u64,
    /// The size of the last correction, metres.
    pub last_correction: f32,
    /// The largest correction so far, metres.
    pub max_correction: f32,
    /// The client's tick, and its estimate of the server's.
    pub tick: u32,
    /// The estimated server tick (fractional).
    pub server_tick: f64,
    /// The tick remote entities are drawn at (fractional).
    pub render_tick: f64,
    /// Why the connection ended, once it has.
    pub disconnect_reason: Option<String>,
    window: ByteWindow,
}

impl NetStats {
    pub(crate) fn record_bytes(&mut self, tick: u32, bytes_in: u64, bytes_out: u64, rate: u16) {
        if let Some((i, o)) = self.window.update(tick, bytes_in, bytes_out, rate) {
            self.bytes_in_per_second = i;
            self.bytes_out_per_second = o;
        }
    }

    /// One line for the stats overlay.
    pub fn overlay_line(&self) -> String {
        if !self.connected {
            return match &self.disconnect_reason {
                Some(reason) => format!("net: disconnected ({reason})"),
                None => "net: connecting".to_owned(),
            };
        }
        format!(
            "net: rtt {:.0} ms +-{:.0}  in {:.1} KB/s out {:.1} KB/s  snap {} B  interp {:.0} ms  corr {}",
            self.rtt * 1000.0,
            self.jitter * 1000.0,
            self.bytes_in_per_second / 1024.0,
            self.bytes_out_per_second / 1024.0,
            self.last_snapshot_bytes,
            self.interpolation_delay * 1000.0,
            self.corrections
        )
    }
}
