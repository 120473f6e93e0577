#!/usr/bin/env bash
# sim_headless on every host Layer-W names, with the same parameters: natively (1 and 2 threads),
# wasm32-wasip1 under the wasmtime CLI, wasm32-wasip2 (a component) under the wasmtime CLI,
# under wasmtime's Python package (the test runner), under
# WAMR (layerw-wamr), and the web build in headless chromium (single-threaded). Checks that every
# run ended in the same world (entities, fixed steps, checksum) and prints the frame-time table
# as speed relative to native single-threaded (scripts/hosts_table.py). Exits 1 when a host
# disagrees or fails. Then the headless game server built for wasm32-wasip2 runs under the
# wasmtime CLI with WASI sockets and serves native bot clients (scripts/wasi_server.py). No
# timing thresholds. BENCHMARKS.md, "Hosts".
#
# Usage: scripts/hosts.sh [--entities N] [--frames F] [--warmup W] [--debug] [--simd]
#   --warmup W  every host first runs W frames untimed (default 0): the browser starts a module
#            in its baseline compiler and swaps in optimised code as functions get hot
#   --debug  dev-profile builds (CI: fast to build, figures meaningless)
#   --simd   the wasip1 build (wasmtime) with -C target-feature=+simd128, in its own target
#            directory ($CARGO_TARGET_DIR/simd128); WAMR's module stays without SIMD (this
#            WAMR's interpreter has none). The browser build always has it (.cargo/config.toml).
# Default: 100,000 entities, 300 frames, release builds (web: the web-release profile).
#
# The WAMR module is the wasip1 build rewritten by binaryen's wasm-opt (no optimisation passes)
# into what this WAMR reads: LEB128 table indices without padding and memory.copy/fill lowered
# to loops (scripts/setup.sh installs both tools).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/versions.sh"

ENTITIES=100000
FRAMES=300
WARMUP=0
DEBUG=0
SIMD=0
while [ $# -gt 0 ]; do
    case "$1" in
        --entities) ENTITIES="$2"; shift 2 ;;
        --frames) FRAMES="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --debug) DEBUG=1; shift ;;
        --simd) SIMD=1; shift ;;
        *) echo "hosts.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET_DIR"
# Natively the release build leaves out the window and GPU features, which the simulation does
# not use (WASI builds ignore them); the debug build keeps them, to reuse what the tests built.
if [ "$DEBUG" = 1 ]; then
    PROFILE_FLAGS=(); PROFILE=debug; WEB_FLAGS=(); NATIVE_FEATURES=()
else
    PROFILE_FLAGS=(--release); PROFILE=release; WEB_FLAGS=(--release)
    NATIVE_FEATURES=(--no-default-features --features walloc-global)
fi
WASM_OPT="${XDG_CACHE_HOME:-$HOME/.cache}/layerw/node/node_modules/.bin/wasm-opt"
for tool in wasmtime "$WASM_OPT"; do
    command -v "$tool" >/dev/null || { echo "hosts.sh: $tool is missing: run scripts/setup.sh" >&2; exit 2; }
done
SIM_ARGS=(--entities "$ENTITIES" --frames "$FRAMES" --warmup "$WARMUP" --json)

echo "== builds ($PROFILE)"
# layerw-wamr in the dev profile: its WAMR is C that wamr-sys compiles with cmake
# at -O3 in every cargo profile, and the Rust around it only starts the run.
cargo build "${PROFILE_FLAGS[@]}" "${NATIVE_FEATURES[@]}" --example sim_headless
cargo build -p layerw-wamr
cargo build "${PROFILE_FLAGS[@]}" --example sim_headless --target wasm32-wasip1
# wasm32-wasip2: a WASI 0.2 component, which the wasmtime CLI runs as it is.
cargo build "${PROFILE_FLAGS[@]}" --example sim_headless --target wasm32-wasip2
WASIP2="$TARGET_DIR/wasm32-wasip2/$PROFILE/examples/sim_headless.wasm"
NATIVE="$TARGET_DIR/$PROFILE/examples/sim_headless"
WAMR_HOST="$TARGET_DIR/debug/layerw-wamr"
WASI="$TARGET_DIR/wasm32-wasip1/$PROFILE/examples/sim_headless.wasm"
WAMR_MODULE="$TARGET_DIR/wasm32-wasip1/$PROFILE/examples/sim_headless.wamr.wasm"
"$WASM_OPT" "$WASI" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    --llvm-memory-copy-fill-lowering --disable-bulk-memory --strip-debug -o "$WAMR_MODULE"
if [ "$SIMD" = 1 ]; then
    # Only the wasip1 target gets the flag, in its own target directory (no rebuild ping-pong).
    SIMD_TARGET_DIR="$TARGET_DIR/simd128"
    CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C target-feature=+simd128" \
        CARGO_TARGET_DIR="$SIMD_TARGET_DIR" \
        cargo build "${PROFILE_FLAGS[@]}" --example sim_headless --target wasm32-wasip1
    WASI="$SIMD_TARGET_DIR/wasm32-wasip1/$PROFILE/examples/sim_headless.wasm"
fi
bash scripts/web.sh sim_headless "${WEB_FLAGS[@]}"
WEB_DIR="$TARGET_DIR/web/sim_headless"

SUFFIX=""
WASM_MATH=scalar
if [ "$SIMD" = 1 ]; then SUFFIX=" +simd128"; WASM_MATH=simd; fi
RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT
failed=0
# run HOST MATH COMMAND...: MATH is how glam's vector maths runs there (scripts/hosts_table.py):
# "simd" natively (SSE2) and on wasm with simd128, "scalar" on wasm without.
run() {
    local host="$1" math="$2"; shift 2
    echo "== $host: $*"
    local line
    if line="$("$@" | tail -n 1)" && [ -n "$line" ]; then
        echo "$line"
        printf '%s\t%s\t%s\n' "$host" "$math" "$line" >> "$RESULTS"
    else
        echo "hosts.sh: $host failed" >&2
        failed=1
    fi
}
run "native, 1 thread" simd "$NATIVE" --threads 1 "${SIM_ARGS[@]}"
run "native, 2 threads" simd "$NATIVE" --threads 2 "${SIM_ARGS[@]}"
run "wasmtime $(wasmtime --version | cut -d' ' -f2)$SUFFIX" "$WASM_MATH" wasmtime run "$WASI" "${SIM_ARGS[@]}"
run "wasmtime $(wasmtime --version | cut -d' ' -f2) wasip2" scalar wasmtime run "$WASIP2" "${SIM_ARGS[@]}"
run "wasmtime-py $LAYERW_WASMTIME_PY_VERSION$SUFFIX" "$WASM_MATH" python3 scripts/wasmtime-run.py "$WASI" "${SIM_ARGS[@]}"
run "WAMR (fast interpreter)" scalar "$WAMR_HOST" "$WAMR_MODULE" "${SIM_ARGS[@]}"
run "chromium $(chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1) +simd128" \
    simd python3 scripts/hosts_web.py "$WEB_DIR" "$ENTITIES" "$FRAMES" "$WARMUP"
echo
python3 scripts/hosts_table.py "$RESULTS" || failed=1

# The headless game server as a WASI 0.2 component (WASI sockets) under the wasmtime CLI,
# serving native bot clients over WebSockets on 127.0.0.1 (scripts/wasi_server.py).
echo
echo "== headless server (net_load --serve) on wasm32-wasip2 under wasmtime, native bots"
cargo build "${PROFILE_FLAGS[@]}" --example net_load --target wasm32-wasip2
cargo build "${PROFILE_FLAGS[@]}" "${NATIVE_FEATURES[@]}" --example net_load
python3 scripts/wasi_server.py "$TARGET_DIR/wasm32-wasip2/$PROFILE/examples/net_load.wasm" \
    "$TARGET_DIR/$PROFILE/examples/net_load" 4 6 || failed=1
exit "$failed"
