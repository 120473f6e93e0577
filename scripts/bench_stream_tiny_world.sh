#!/usr/bin/env bash
# Cooks the tiny world the bench_stream smoke tests stream (bench_stream_smoke.sh natively,
# bench_stream_web_smoke.sh in the browser): 6 MB of blobs over 4 x 4 cells of 32 m, textures
# up to 256 px. Usage: bash scripts/bench_stream_tiny_world.sh DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build -p layerw-cook --bin layerw-cook
"$TARGET/debug/layerw-cook" world --out "$1" --bytes 6M --seed 3 \
    --cells 4 --cell-size 32 --max-texture-size 256 --max-segments 64
