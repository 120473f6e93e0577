#!/usr/bin/env bash
# The shipped desktop build (scripts/ship.sh desktop) runs from a folder of its own: dist/desktop
# is copied elsewhere (so nothing in the repository can stand in for a missing file), its binary
# runs headless (lavapipe where there is no GPU) until its assets are in and a few frames are
# drawn, with --trace; the Chrome trace it writes must parse and hold frame, stage and system
# spans, B/E pairs nested per thread.
#
# Usage: scripts/ship_desktop_test.sh [EXAMPLE] [--debug]   (default render_demo; ships it first,
# --debug passed to scripts/ship.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXAMPLE="${1:-render_demo}"
bash scripts/ship.sh desktop "$EXAMPLE" "${@:2}"
PLACE="$(mktemp -d -t layerw-ship-desktop-XXXXXX)"
trap 'rm -rf "$PLACE"' EXIT
cp -r "${LAYERW_DIST:-$ROOT/dist}/desktop/." "$PLACE/"
# Every file the game loads is in the folder (the binary prefers them to the repository's).
if [ -f "web/$EXAMPLE/assets.txt" ]; then
    while IFS= read -r path || [ -n "$path" ]; do
        path="$(echo "${path%%#*}" | xargs)"
        [ -z "$path" ] && continue
        [ -f "$PLACE/$path" ] || { echo "ship_desktop_test: dist/desktop lacks $path" >&2; exit 1; }
    done < "web/$EXAMPLE/assets.txt"
fi
(cd / && timeout 300 "$PLACE/$EXAMPLE" --headless --trace "$PLACE/trace.json")
python3 - "$PLACE/trace.json" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))
open_spans, spans = {}, []
for e in events:
    if e["ph"] == "B":
        open_spans.setdefault(e["tid"], []).append(e)
    elif e["ph"] == "E":
        begun = open_spans[e["tid"]].pop()
        assert begun["name"] == e["name"], (begun, e)
        spans.append((begun["cat"], begun["name"], begun["tid"], begun["ts"], e["ts"]))
assert all(not s for s in open_spans.values()), open_spans
frames = [s for s in spans if s[0] == "frame"]
stages = [s for s in spans if s[0] == "stage"]
systems = [s for s in spans if s[0] == "system"]
assert frames and stages and systems, (len(frames), len(stages), len(systems))
inside = lambda a, b: a[3] >= b[3] and a[4] <= b[4]
assert all(any(inside(s, f) and s[2] == f[2] for f in frames) for s in stages), "a stage outside its frame"
assert all(any(inside(s, st) for st in stages) for s in systems), "a system outside every stage"
print(f"ship_desktop_test: {len(frames)} frames, {len(stages)} stage and {len(systems)} system spans "
      f"({len({s[1] for s in systems})} systems) in the trace")
PY
echo "ship_desktop_test: passed"
