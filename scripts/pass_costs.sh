#!/usr/bin/env bash
# What each renderer pass costs: bench_cubes headless (frames wait for the GPU, so a frame's
# time is the whole frame, CPU and GPU) at 1280x720 with every pass on, then with one setting
# changed at a time; a pass's cost is the difference of the median frame times. On lavapipe
# (the CI machine's Vulkan, on the CPU) or whatever adapter wgpu opens. BENCHMARKS.md, "Renderer
# passes". Run it on a quiet machine: no timing is checked.
#
# Usage: scripts/pass_costs.sh [CUBES] [FRAMES]   (default 20000 cubes, 40 frames)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CUBES="${1:-20000}"
FRAMES="${2:-40}"
cargo build --release --example bench_cubes
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/bench_cubes"

p50() {
    "$BIN" "$CUBES" --headless --frames "$FRAMES" --resolution 1280x720 "$@" 2>/dev/null \
        | sed -nE 's/^frame time: p50 ([0-9.]+) ms.*/\1/p'
}

printf '| configuration | p50 ms | difference from all on, ms |\n|---|---|---|\n'
base="$(p50)"
printf '| all on (MSAA 4x, 4 cascades, sky, AO, bloom) | %s | |\n' "$base"
row() {
    local name="$1"; shift
    local t
    t="$(p50 "$@")"
    printf '| %s | %s | %s |\n' "$name" "$t" "$(python3 -c "print(f'{$base - $t:+.1f}')")"
}
row "no bloom" --no-bloom
row "no ambient occlusion" --no-ao
row "no skybox" --no-sky
row "1 cascade (not 4)" --cascades 1
row "no sun shadows" --no-shadows
row "MSAA 1x with FXAA" --msaa 1
row "MSAA 1x without FXAA" --msaa 1 --no-fxaa
