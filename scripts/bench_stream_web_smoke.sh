#!/usr/bin/env bash
# Smoke test of the browser streaming benchmark: cooks the tiny world bench_stream_smoke.sh
# uses, builds bench_stream for the web (debug), and runs scripts/bench_stream_web.py against
# it (nginx and headless chromium on 127.0.0.1, 50 Mbit/s in total) for 3 s of flight. Checks
# the report's fields: the budget never exceeded, the first complete frame and full quality
# reached, bytes fetched, cells spawned, no failures, frames counted. No timing thresholds.
# Usage: bash scripts/bench_stream_web_smoke.sh   (scripts/test.sh runs it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="$ROOT/target/bench-stream-web-smoke"
rm -rf "$DIR"
mkdir -p "$DIR/pack"

cargo build -p layerw-cook --bin layerw-cook
"$TARGET/debug/layerw-cook" world --out "$DIR/pack" --bytes 6M --seed 3 \
    --cells 4 --cell-size 32 --max-texture-size 256 --max-segments 64
bash scripts/web.sh bench_stream
timeout 300 python3 scripts/bench_stream_web.py "$DIR/pack" --no-build --name web-smoke \
    --timeout 240 --query budget=64 seconds=3 load=40 unload=60 settle=60

python3 - "$ROOT/target/bench-stream/web-smoke.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
budget = s["budget"]
checks = {
    "budget is 64 MiB": budget == 64 << 20,
    "scheduler peak within the budget": 0 < s["scheduler_peak"] <= budget,
    "every frame within the budget": s["scheduler_max_after_frame"] <= budget,
    "first complete frame reached": s["first_complete_frame_s"] is not None,
    "full quality reached at the start": s["full_quality_s"] is not None,
    "bytes fetched": s["bytes_fetched"] > 0,
    "bytes needed": s["bytes_needed"] > 0,
    "cells spawned": s["cells_loaded"] > 0 and s["entities"] > 0,
    "no failed reads": s["failures"] == 0,
    "frames of flight counted": s["flight"]["frames"] > 0,
    "frame times recorded": s["frame"]["max_ms"] >= s["frame"]["p50_ms"] > 0,
    "Scene tier used": s["scene_tier"]["peak"] > 0,
    # Levels adjacent in a blob share a read; a read cancelled in the browser may never
    # reach nginx.
    "levels merged into reads": 0 < s["reads"] <= s["requests"],
    "nginx answered the reads": 0 < s["nginx"]["blob_requests"] <= s["reads"],
}
bad = [name for name, ok in checks.items() if not ok]
if bad:
    print("bench_stream web smoke: FAILED:", ", ".join(bad))
    print(json.dumps(s, indent=1))
    sys.exit(1)
print("bench_stream web smoke: ok (%d checks)" % len(checks))
PY
rm -rf "$DIR"
