//! The GPU tests' one rule, shared by the engine's and the facade's tests (`#[path]`): without
//! an adapter a test is skipped, unless `LAYERW_REQUIRE_GPU` is set (scripts/test.sh sets it),
//! which makes that a failure.

/// `Some` of what opened; `None` (skipped, said on stderr) when it did not and no GPU is
/// required.
///
/// # Panics
/// When it did not open and `LAYERW_REQUIRE_GPU` is set.
pub fn or_skip<T, E: std::fmt::Display>(opened: Result<T, E>) -> Option<T> {
    match opened {
        Ok(value) => Some(value),
        Err(e) if std::env::var_os("LAYERW_REQUIRE_GPU").is_none() => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("LAYERW_REQUIRE_GPU is set but: {e}"),
    }
}
