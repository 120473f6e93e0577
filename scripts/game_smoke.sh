#!/usr/bin/env bash
# shard_run, as README's first command runs it where there is no display: a local server with
# three bots in the process, the client headless for a few seconds playing itself (it chooses
# Play in the menu and runs for shards), a screenshot and a frame report. Checks the report
# (connected, the bots and the player seen, the arena streamed, frames drawn, every shard
# humming and the offline mix not silent) and that the screenshot is a picture, not one flat
# colour; runs the example's own unit tests first.
# No timing thresholds. The screenshot is target/layerw-test/game-headless.png.
#
# Usage: scripts/game_smoke.sh [--release]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/target/layerw-test"
mkdir -p "$OUT"
cargo test --example shard_run --features audio "$@"
cargo run "$@" --example shard_run --features audio -- --headless --seconds 6 --addr 127.0.0.1:0 \
    --screenshot "$OUT/game-headless.png" --report "$OUT/game-headless.json"
python3 - "$OUT/game-headless.json" "$OUT/game-headless.png" <<'PY'
import json, subprocess, sys
report = json.load(open(sys.argv[1]))
colours = int(subprocess.run(["convert", sys.argv[2], "-format", "%k", "info:"],
                             capture_output=True, text=True, check=True).stdout.strip())
checks = [
    (report["connected"], "the client is connected to the local server"),
    (report["runners"] >= 4, f"it sees the player and three bots ({report['runners']} runners)"),
    (report["shards"] > 0, f"it sees shards ({report['shards']})"),
    (report["streamed_entities"] > 0, f"the arena streamed in ({report['streamed_entities']} entities)"),
    (report["frames"] > 3, f"frames were drawn ({report['frames']})"),
    (report["position"] is not None, f"the player has a place ({report['position']})"),
    (report["sound_emitters"] == report["shards"],
     f"every shard hums ({report['sound_emitters']} emitters, {report['shards']} shards)"),
    (report["audio_peak"] > 0.01, f"the offline mix is not silent (peak {report['audio_peak']:.3f})"),
    (colours > 50, f"the screenshot is a picture ({colours} colours)"),
]
failed = [what for ok, what in checks if not ok]
for ok, what in checks:
    print(("ok    " if ok else "FAIL  ") + what)
print(json.dumps(report))
sys.exit(1 if failed else 0)
PY
