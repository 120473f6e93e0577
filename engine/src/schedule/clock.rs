//! A monotonic clock for measurements (stage timings, render timings) on every platform: the
//! process's `Instant` natively and on WASI, the page's `performance.now()` in the browser.

/// Seconds since an arbitrary fixed point, or `None` without a clock (the browser without the
/// `window` or `fetch` feature, which bring web-sys).
pub fn monotonic_seconds() -> Option<f64> {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        Some(
            START
                .get_or_init(std::time::Instant::now)
                .elapsed()
                .as_secs_f64(),
        )
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now() / 1e3)
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown", not(feature = "fetch")))]
    {
        None
    }
}

/// The clock now if `on` (and there is a clock): the start of an optional measurement, ended
/// by [`seconds_since`].
#[inline]
pub(crate) fn start_if(on: bool) -> Option<f64> {
    if on { monotonic_seconds() } else { None }
}

/// Seconds since `started` (from [`start_if`]); `None` when nothing was started. Reads the
/// clock only when something was.
#[inline]
pub(crate) fn seconds_since(started: Option<f64>) -> Option<f64> {
    let started = started?;
    Some(monotonic_seconds()? - started)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_clock_runs_forward() {
        let a = super::monotonic_seconds().expect("a clock natively and on WASI");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = super::monotonic_seconds().unwrap();
        assert!(b > a);
    }
}
