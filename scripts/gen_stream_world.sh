#!/usr/bin/env bash
# Generates the streaming benchmark's world (bench_stream): a content pack of procedural meshes
# with LOD chains, textures with mip chains, materials and entities over 16 x 16 cells of 64 m,
# the same bytes for the same seed. Never committed (target/ is ignored).
# Usage: bash scripts/gen_stream_world.sh [BYTES] [DIR]
#   BYTES  blob bytes to write, with a K, M or G suffix (default 2G)
#   DIR    the pack's folder (default target/stream-world)
# Environment: SEED (default 0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BYTES="${1:-2G}"
DIR="${2:-$ROOT/target/stream-world}"
SEED="${SEED:-0}"

cargo build --release -p layerw-cook --bin layerw-cook
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/layerw-cook"
# A smaller world written over a larger one would leave its extra blob files behind.
mkdir -p "$DIR"
rm -f "$DIR"/blob-*.bin "$DIR"/coarse-*.bin "$DIR"/manifest.lwpk
"$BIN" world --out "$DIR" --bytes "$BYTES" --seed "$SEED"
du -sh "$DIR"
df -h "$DIR" | tail -1
