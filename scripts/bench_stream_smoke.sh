#!/usr/bin/env bash
# Smoke test of the streaming benchmark (bench_stream): cooks a tiny world
# (bench_stream_tiny_world.sh) into target/, streams it from files for a few seconds of flight with
# --json, and checks the report's fields: the budget never exceeded (the scheduler's peak and
# every frame's use), the first complete frame reached, bytes fetched, cells spawned, no
# failures. No timing thresholds. Also runs the --decode mode on the same pack.
# Usage: bash scripts/bench_stream_smoke.sh   (scripts/test.sh runs it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="$ROOT/target/bench-stream-smoke"
rm -rf "$DIR"
mkdir -p "$DIR/pack"

cargo build --example bench_stream
bash scripts/bench_stream_tiny_world.sh "$DIR/pack"
"$TARGET/debug/examples/bench_stream" --pack "$DIR/pack" --budget 64 --seconds 3 \
    --load 40 --unload 60 --settle 60 --json "$DIR/stream.json"
"$TARGET/debug/examples/bench_stream" --decode --pack "$DIR/pack" --json "$DIR/decode.json"

python3 scripts/bench_stream_check.py "bench_stream smoke" "$DIR/stream.json" \
    --frames 180 --decode "$DIR/decode.json"
rm -rf "$DIR"
