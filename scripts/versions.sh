# Pinned tool versions for scripts/setup.sh and scripts/test.sh (sourced, not executed).
# Bump here only; both scripts read these values.

# Nightly used only for miri and for cargo-fuzz (scripts/fuzz.sh builds net/fuzz on it). Dated so
# CI does not break when a new nightly lands (rustc 1.101.0-nightly 92b5b8c87 2026-10-29, which
# has miri for x86_64-unknown-linux-gnu).
LAYERW_MIRI_TOOLCHAIN="${LAYERW_MIRI_TOOLCHAIN:-nightly-2026-10-30}"

# cargo-fuzz (libFuzzer fuzzing of layerw-net's decoders, scripts/fuzz.sh), `cargo install --locked`.
LAYERW_CARGO_FUZZ_VERSION="0.13.2"

# WASI host for `cargo test --target wasm32-wasip1`: the wasmtime Python package (runtime inside the wheel).
LAYERW_WASMTIME_PY_VERSION="50.0.1"

# Where setup.sh installs the Python packages (`pip install --target`, so it works with Debian's
# externally-managed system Python too). scripts/wasmtime-run.py looks in the same place.
LAYERW_PYDEPS="${LAYERW_PYDEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/layerw/pydeps}"

# wasm-bindgen CLI for the web build; must equal the wasm-bindgen crate pinned in Cargo.toml.
LAYERW_WASM_BINDGEN_VERSION="0.2.130"

# wasm-opt for web size figures and for the WAMR module of scripts/hosts.sh (npm; Debian's
# binaryen 108 produces wasm that crashes).
LAYERW_BINARYEN_VERSION="132.0.0"
# brotli for web size figures (PyPI, into LAYERW_PYDEPS).
LAYERW_BROTLI_PY_VERSION="1.1.0"

# The wasmtime CLI (scripts/hosts.sh runs sim_headless under it), `cargo install --locked` with
# only the features a WASI command needs (run, cranelift, wasip2 components): about 5 minutes
# the first time, then cached in ~/.cargo/bin. 48.0.8 is the newest that builds with Rust 1.95.
LAYERW_WASMTIME_CLI_VERSION="48.0.8"
LAYERW_WASMTIME_CLI_FEATURES="run,cranelift,component-model,parallel-compilation,pooling-allocator,wat"
