#!/usr/bin/env bash
# Smoke test of the streaming benchmark (bench_stream): cooks a tiny world with
# `layerw-cook world` into target/, streams it from files for a few seconds of flight with
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

cargo build -p layerw-cook --bin layerw-cook
cargo build --example bench_stream
"$TARGET/debug/layerw-cook" world --out "$DIR/pack" --bytes 6M --seed 3 \
    --cells 4 --cell-size 32 --max-texture-size 256 --max-segments 64
"$TARGET/debug/examples/bench_stream" --pack "$DIR/pack" --budget 64 --seconds 3 \
    --load 40 --unload 60 --settle 60 --json "$DIR/stream.json"
"$TARGET/debug/examples/bench_stream" --decode --pack "$DIR/pack" --json "$DIR/decode.json"

python3 - "$DIR/stream.json" "$DIR/decode.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
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
    "three seconds of flight": s["flight"]["frames"] == 180,
    "frame times recorded": s["frame"]["max_ms"] >= s["frame"]["p50_ms"] > 0,
    "Scene tier used": s["scene_tier"]["peak"] > 0,
    "every level decoded": d["levels"] > 0 and d["decoded_bytes"] > 0 and d["stored_bytes"] > 0,
}
bad = [name for name, ok in checks.items() if not ok]
if bad:
    print("bench_stream smoke: FAILED:", ", ".join(bad))
    print(json.dumps(s, indent=1))
    sys.exit(1)
print("bench_stream smoke: ok (%d checks)" % len(checks))
PY
rm -rf "$DIR"
