#!/usr/bin/env bash
# The streaming backend's browser test against a real cross-origin server: starts
# scripts/fault_server.py on a free 127.0.0.1 port over a folder with one 300 kB blob, runs
# engine/tests/stream_fetch_web.rs in headless chromium with LAYERW_FAULT_SERVER_URL set (the
# test reads it at build time: a wasm test has no environment), then stops the server.
# Extra arguments go to `cargo test`. Usage: bash scripts/web_stream_test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

dir="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

python3 - "$dir/blob.lwb" <<'EOF'
import random, sys
random.seed(12)
open(sys.argv[1], "wb").write(bytes(random.getrandbits(8) for _ in range(300_000)))
EOF
mkfifo "$dir/port"
python3 scripts/fault_server.py --root "$dir" --port 0 --max-seconds 900 >"$dir/port" &
server_pid=$!
read -r line <"$dir/port"
port="${line#listening on }"
echo "fault server on 127.0.0.1:$port (pid $server_pid)"

LAYERW_FAULT_SERVER_URL="http://127.0.0.1:$port" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p layerw-engine --features fetch --target wasm32-unknown-unknown \
    --test stream_fetch_web "$@"
