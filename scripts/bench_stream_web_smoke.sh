#!/usr/bin/env bash
# Smoke test of the browser streaming benchmark: cooks the tiny world (bench_stream_tiny_world.sh,
# as bench_stream_smoke.sh), builds bench_stream for the web (debug), and runs scripts/bench_stream_web.py against
# it (nginx and headless chromium on 127.0.0.1, 50 Mbit/s in total) for 3 s of flight. Checks
# the report's fields: the budget never exceeded, the first complete frame and full quality
# reached, bytes fetched, cells spawned, no failures, frames counted. No timing thresholds.
# Usage: bash scripts/bench_stream_web_smoke.sh   (scripts/test.sh runs it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIR="$ROOT/target/bench-stream-web-smoke"
rm -rf "$DIR"
mkdir -p "$DIR/pack"

bash scripts/bench_stream_tiny_world.sh "$DIR/pack"
bash scripts/web.sh bench_stream
timeout 300 python3 scripts/bench_stream_web.py "$DIR/pack" --no-build --name web-smoke \
    --timeout 240 --query budget=64 seconds=3 load=40 unload=60 settle=60

python3 scripts/bench_stream_check.py "bench_stream web smoke" \
    "$ROOT/target/bench-stream/web-smoke.json" --web
rm -rf "$DIR"
