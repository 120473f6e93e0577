#!/usr/bin/env bash
# Full check of the workspace: what CI runs (.ci/run). Usage: bash scripts/test.sh
#
# Runs scripts/setup.sh, then every section below in order. A failing section does not stop the
# later ones (so one run reports everything); the script exits 1 at the end if any failed.
# LAYERW_FAIL_FAST=1 stops at the first failure instead.
# All sections share one target directory (target/, or $CARGO_TARGET_DIR if you set it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

# miri: a bound on the walloc run (it interprets every instruction). Override MIRIFLAGS to add
# flags, e.g. MIRIFLAGS="-Zmiri-strict-provenance".
MIRI_TIMEOUT="${LAYERW_MIRI_TIMEOUT:-20m}"
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-permissive-provenance}"

# A golden-image run with LAYERW_UPDATE_GOLDEN set rewrites every image and passes: never here.
unset LAYERW_UPDATE_GOLDEN

T0=$SECONDS
results=()
failed=0

section() {
    local name="$1"; shift
    printf '\n==================================================================\n'
    printf '== %s\n== $ %s\n' "$name" "$*"
    printf '==================================================================\n'
    local start=$SECONDS rc=0
    "$@" || rc=$?
    local took=$((SECONDS - start))
    local status="ok"
    if [ "$rc" -ne 0 ]; then status="FAILED (exit $rc)"; failed=1; fi
    results+=("$(printf '%-36s %6ss  %s' "$name" "$took" "$status")")
    printf '== %s: %s in %ss\n' "$name" "$status" "$took"
    if [ "$rc" -ne 0 ] && [ "${LAYERW_FAIL_FAST:-0}" = 1 ]; then summary; fi
}

summary() {
    printf '\n==================================================================\n'
    printf '== Summary\n'
    printf '%s\n' "${results[@]}"
    # Disk is what ran out on a CI machine once: report what the build left and what is free.
    printf 'disk: target %s, free %s\n' \
        "$(du -sh "${CARGO_TARGET_DIR:-$ROOT/target}" 2>/dev/null | cut -f1)" \
        "$(df -h --output=avail "$ROOT" | tail -1 | tr -d ' ')"
    local total=$((SECONDS - T0))
    if [ "$failed" -ne 0 ]; then
        printf 'test.sh: FAILED after %dm%02ds\n' $((total / 60)) $((total % 60))
        exit 1
    fi
    printf 'test.sh: all checks passed in %dm%02ds\n' $((total / 60)) $((total % 60))
    exit 0
}

# Setup failures abort: nothing after it can be trusted.
printf '== setup\n'
s=$SECONDS
bash "$ROOT/scripts/setup.sh"
results+=("$(printf '%-36s %6ss  %s' "setup" "$((SECONDS - s))" "ok")")

section "rustfmt" \
    cargo fmt --all -- --check

section "clippy (native, all targets)" \
    cargo clippy --workspace --all-targets -- -D warnings

# Unit, integration and doc tests of every workspace crate.
section "clippy (wasm32-unknown-unknown: the web runner, the web renderer, the web examples)" \
    cargo clippy -p layerw --lib --example input_playground --example render_demo --example bench_cubes --example net_arena --example stream_demo --example bench_stream --example sim_headless --example showcase --example ui_demo --target wasm32-unknown-unknown -- -D warnings

# Audio is off by default (the facade's `audio` feature): its crate with kira's Web Audio
# backend, and the examples that use it (audio_demo, the game), natively and for the browser.
section "clippy (audio: native and wasm32-unknown-unknown)" \
    bash -c 'cargo clippy -p layerw --features audio --example audio_demo --example shard_run -- -D warnings && cargo clippy -p layerw-audio -p layerw --features audio --example audio_demo --example shard_run --target wasm32-unknown-unknown -- -D warnings'

# LAYERW_REQUIRE_GPU: the golden-image tests fail, not skip, without an adapter (setup.sh
# installs lavapipe, Vulkan on the CPU). LAYERW_REQUIRE_NGINX: the streaming tests fail, not
# skip, without nginx and python3 (setup.sh installs nginx; the tests start their own on
# 127.0.0.1, and scripts/fault_server.py).
section "tests (native, golden images on lavapipe)" \
    env LAYERW_REQUIRE_GPU=1 LAYERW_REQUIRE_NGINX=1 cargo test --workspace

# The streaming benchmark on a tiny world cooked into target/: its --json report is checked
# (budget held, first complete frame reached, bytes fetched); no timing thresholds.
section "bench_stream smoke (tiny world from files)" \
    bash scripts/bench_stream_smoke.sh

# The Lod and Culling stages on a small world beside their kernels (BENCHMARKS.md, "cull and
# select_lods systems at 1M"): it fails when select_lods and select_levels_par disagree; no
# timing thresholds. A few seconds in a debug build.
section "bench_visibility smoke (20,000 entities)" \
    cargo run --example bench_visibility -- --entities 20000 --frames 5 --warmup 2

# The schedule's own checks (conflicting system parameters, ordering labels and cycles) are not
# debug assertions: the same tests in a release build show they hold there too.
section "schedule checks in a release build" \
    cargo test --release -p layerw-engine --test system_params --test system_order

# A real X window under Xvfb: xdotool injects keys, text, mouse moves and clicks, resizes the
# window; then the renderer presents to a window on lavapipe through resizes, 1x1 and unmap;
# screenshots go to target/layerw-test/.
section "desktop (Xvfb + xdotool, input_playground)" \
    bash -c 'cargo build --example input_playground --example bench_cubes --example bench_lod && xvfb-run -a -s "-screen 0 1280x800x24" python3 scripts/desktop_test.py target/debug/examples/input_playground target/debug/examples/bench_cubes target/debug/examples/bench_lod'

# The web build of input_playground in headless chromium (WebDriver): DOM keyboard and pointer
# events, a synthetic gamepad, a canvas resize; screenshots go to target/layerw-test/.
section "web (headless chromium, input_playground)" \
    bash -c 'bash scripts/web.sh input_playground && python3 scripts/web_test.py'

# One wasm build of render_demo in headless chromium, with WebGPU and with WebGPU unavailable
# (WebGL2 fallback): the backend each reports, and the canvas against the native render.
section "web renderer (headless chromium: WebGPU, then WebGL2)" \
    bash -c 'cargo build --example render_demo && bash scripts/web.sh render_demo && python3 scripts/web_render_test.py target/debug/examples/render_demo'

# stream_demo's wasm in headless chromium (WebGPU, then WebGL2) streaming the demo world from a
# throttled nginx on 127.0.0.1 (another origin: CORS, Range): captures over time go coarse then
# fine, the page's bytes fetched match nginx's log, and the final frame matches the native
# render from the pack's files. The pack is generated into target/ (never committed).
section "web streaming render (headless chromium, nginx: WebGPU, then WebGL2)" \
    bash -c 'cargo build --example stream_demo && target/debug/examples/stream_demo --make-pack target/stream-demo-pack && bash scripts/web.sh stream_demo && python3 scripts/web_stream_render_test.py target/debug/examples/stream_demo target/stream-demo-pack'

# The showcase's wasm (debug) in headless chromium (WebGPU, then WebGL2): the native binary cooks
# the pack beside the page and renders the reference; the page streams the pack by fetch, its
# clock stops on the compared frame (?shot=N), and the canvas must match the native render of
# that frame (scripts/web_showcase_test.py); screenshots go to target/layerw-test/. About a
# minute with the wasm dependencies built.
section "web showcase (headless chromium: WebGPU, then WebGL2)" \
    bash -c 'cargo build --example showcase && bash scripts/web.sh showcase && python3 scripts/web_showcase_test.py target/debug/examples/showcase'

# bench_stream's wasm (debug) in headless chromium streaming a tiny cooked world from nginx on
# 127.0.0.1 (50 Mbit/s in total through the DevTools protocol) for 3 s of flight: its JSON
# report is checked (budget held, first complete frame reached, bytes fetched, nginx answered
# the reads); no timing thresholds. About 30 s with the wasm dependencies built.
section "web bench_stream smoke (headless chromium, nginx, tiny world)" \
    bash scripts/bench_stream_web_smoke.sh

# bench_cubes' wasm in headless chromium on WebGPU and WebGL2: frames drawn, the stats on the
# page, the overlay on the canvas; page screenshots go to target/layerw-test/.
section "web bench_cubes (headless chromium: WebGPU, then WebGL2)" \
    bash -c 'bash scripts/web.sh bench_cubes && python3 scripts/web_bench_test.py'

# net_arena's wasm in headless chromium (WebGL2, then WebGPU) on a native net_arena server,
# with a native headless client: the page connects, held keys move its player, the native
# client sees it move, nobody disconnects; page screenshots go to target/layerw-test/.
section "web net_arena (headless chromium: a browser client on the native server)" \
    bash -c 'cargo build --example net_arena && bash scripts/web.sh net_arena && python3 scripts/web_net_test.py target/debug/examples/net_arena'

# The facade's examples compile none of the peer engines the benchmarks compare against: those
# are dev-dependencies of layerw-benches (benches/), not of layerw. Fails if one comes back.
section "facade without the benchmarks' peers (cargo tree)" \
    bash -c 'tree="$(cargo tree -e normal,dev -p layerw --prefix none)" && ! grep -E "^(bevy_ecs|bevy_tasks|mimalloc|bumpalo|criterion|talc) " <<<"$tree"'

# scripts/ship.sh web: render_demo's web build with .br/.gz files beside each file, served by
# nginx on 127.0.0.1 with docs/shipping-nginx.conf's server block, played in headless chromium
# (WebGL2): frames drawn, no console errors, the .br files served with their headers, the
# loading bar, the Chrome trace Blob of ?trace. --debug: the dev build the web sections made
# (the web-release build with LTO and wasm-opt is what ships; it would add about 10 minutes).
section "ship web (dist/web on nginx, headless chromium)" \
    bash -c 'bash scripts/ship.sh web render_demo --debug && python3 scripts/ship_web_test.py dist/web render_demo'

# scripts/ship.sh desktop: the game's binary, its assets and its content pack, copied
# elsewhere and run headless with --trace (the Chrome trace file is checked); --debug, as above.
section "ship desktop (the game: dist/desktop elsewhere, headless, --trace)" \
    bash scripts/ship_desktop_test.sh shard_run --debug

# The game headless, as README's first command runs it without a display: its report and
# screenshot checked, and the example's unit tests.
section "game headless (shard_run: local server, bots, the client playing itself)" \
    bash scripts/game_smoke.sh

# The game played for real: its dedicated server, a desktop client in an X window under Xvfb
# (xdotool: Enter, D) and the shipped web build (scripts/ship.sh web --debug: its pack beside
# the page) in headless chromium joining the same server; screenshots in target/layerw-test/.
section "game play (server, Xvfb window, shipped web build in chromium)" \
    bash -c 'bash scripts/ship.sh web shard_run --debug && xvfb-run -a -s "-screen 0 1280x800x24" python3 scripts/game_play_test.py target/debug/examples/shard_run dist/web'
# audio_demo natively with its offline mix (no sound device needed), then its wasm in headless
# chromium WITHOUT the autoplay override: no AudioContext before a trusted click, one running after it,
# the click that starts it plays, no console errors.
section "web audio (headless chromium: the first gesture starts the AudioContext)" \
    bash -c 'cargo run --features audio --example audio_demo -- --headless --frames 120 && bash scripts/web.sh audio_demo && python3 scripts/web_audio_test.py'

# layerw-cook (meshoptimizer, C++) is a native tool: it is not built for the web, WASI or the
# Windows cross-check (the engine loads cooked chains without it).
section "build wasm32-unknown-unknown (libs)" \
    cargo build --workspace --exclude layerw-cook --lib --target wasm32-unknown-unknown

section "build wasm32-wasip1 (libs)" \
    cargo build --workspace --exclude layerw-cook --lib --target wasm32-wasip1

# Runs under wasmtime via scripts/wasmtime-run.py (.cargo/config.toml). wasm32-wasip1 is
# panic=abort: a failing test aborts the whole binary, and captured output (the panic message)
# would be lost, hence --nocapture. #[should_panic] tests are reported as ignored there, and
# catch_unwind cannot catch: gate such tests with #[cfg(panic = "unwind")].
section "tests (wasm32-wasip1, wasmtime)" \
    cargo test -p layerw-engine --target wasm32-wasip1 -- --nocapture

# sim_headless on every host at a small size, in debug builds (scripts/hosts.sh): natively with 1
# and 2 threads, wasm32-wasip1 under the wasmtime CLI, wasm32-wasip2 as a component under it,
# under wasmtime's Python package and under WAMR (layerw-wamr), and the web build in headless
# chromium. Fails when a host fails or ends in a different world (the checksum of every
# entity's state); no timing thresholds. Then the headless server on wasip2 (WASI sockets)
# serving native bots (scripts/wasi_server.py).
section "hosts (sim_headless: native, wasmtime wasip1/wasip2, WAMR, chromium; the server on wasip2)" \
    bash scripts/hosts.sh --debug --entities 2000 --frames 30

# The asset layer's browser IO (fetch) in headless chromium: wasm-bindgen-test-runner serves the
# test and drives chromium through chromedriver.
section "web assets (headless chromium, fetch)" \
    env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p layerw-engine --features fetch --target wasm32-unknown-unknown --test assets_web

# The streamer's browser IO (FetchIo: Range, a queue past six in flight, abort) in headless
# chromium, on the runner's files and on scripts/fault_server.py on another origin (CORS):
# 206 answers and every fault's typed error.
section "web streaming IO (headless chromium, fetch with Range, faults)" \
    bash scripts/web_stream_test.sh

# The walloc tests under miri (pinned nightly from scripts/versions.sh), bounded in time.
section "miri (layerw-engine walloc tests)" \
    timeout --kill-after=30s "$MIRI_TIMEOUT" \
    cargo "+$LAYERW_MIRI_TOOLCHAIN" miri test -p layerw-engine --lib walloc

# Coverage-guided fuzzing of the decoders of outside bytes (layerw-net's in net/fuzz, the
# engine's in engine/fuzz, the glTF loader in cook/fuzz; cargo-fuzz on the pinned nightly),
# bounded: each of the 13 targets runs LAYERW_FUZZ_SECONDS (default 20) on a
# copy of its committed corpus (nothing in the repo is written); any crash, timeout or
# out-of-memory fails. Its build has its own target directory,
# target/fuzz (under $CARGO_TARGET_DIR if set). Longer runs that grow the corpus: scripts/fuzz.sh.
section "fuzz (cargo-fuzz, bounded)" \
    bash scripts/fuzz.sh --ci "${LAYERW_FUZZ_SECONDS:-20}"

section "check x86_64-pc-windows-msvc" \
    cargo check --workspace --exclude layerw-cook --target x86_64-pc-windows-msvc

summary
