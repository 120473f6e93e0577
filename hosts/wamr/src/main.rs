//! `layerw-wamr`: runs a wasm32-wasip1 command module under WAMR, the WebAssembly Micro Runtime
//! (the version vendored by the `wamr-sys` crate, in its fast interpreter), like a native
//! executable.
//!
//! ```text
//! layerw-wamr [--dir DIR]... [--env NAME=VALUE]... [--stack-size BYTES] [--] MODULE.wasm [ARGS...]
//! ```
//!
//! - The guest's arguments are `MODULE.wasm ARGS...`; its environment is exactly the `--env`
//!   pairs (none by default).
//! - Each `--dir DIR` is preopened for the guest under the same path (WASI preview 1).
//! - The exit status is the guest's: its `proc_exit` code, 0 when `_start` returns, 134 (as
//!   wasmtime's CLI: 128 + SIGABRT) when it traps (a Rust panic on this panic=abort target, an
//!   out-of-bounds access, `unreachable`), 1 when the module cannot be loaded or instantiated,
//!   2 for a usage error.

#[cfg(target_os = "linux")]
mod host;
#[cfg(target_os = "linux")]
mod runtime;

#[cfg(target_os = "linux")]
fn main() {
    host::main();
}

/// The vendored WAMR builds for Linux only.
#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("layerw-wamr runs on Linux only (the WAMR that wamr-sys vendors builds there)");
    // The usage-error status.
    std::process::exit(2);
}
