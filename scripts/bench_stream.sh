#!/usr/bin/env bash
# The streaming benchmark's figures (BENCHMARKS.md, "Streaming"): generates the 2 GiB world
# (scripts/gen_stream_world.sh) unless it is there, then runs bench_stream in release from
# files, from nginx on 127.0.0.1 throttled to 50 Mbit/s in total (limit_rate is per connection:
# 50 Mbit/s / 6 = 1,041,666 bytes/s for each of HttpIo's 6 connections), with --resident, and
# --decode. Reports go to target/bench-stream/*.json and *.txt. KEEP_WORLD=1 keeps the world.
# Usage: bash scripts/bench_stream.sh [extra bench_stream arguments for the flights]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORLD="$ROOT/target/stream-world"
OUT="$ROOT/target/bench-stream"
mkdir -p "$OUT"

# A world cooked with another manifest version (a u16 at byte 4; PACK_VERSION is 2) is cooked
# again: the reader refuses it.
version="$(od -An -tu2 -j4 -N2 "$WORLD/manifest.lwpk" 2>/dev/null | tr -d ' ' || true)"
[ "$version" = 2 ] || bash scripts/gen_stream_world.sh 2G "$WORLD"
cargo build --release --example bench_stream
BENCH="$TARGET/release/examples/bench_stream"

run() {
    local name="$1"; shift
    echo "== $name: bench_stream $*"
    "$BENCH" "$@" --json "$OUT/$name.json" | tee "$OUT/$name.txt"
}

run files --pack "$WORLD" "$@"
run resident --pack "$WORLD" --resident "$@"
run decode --decode --pack "$WORLD"

# nginx: its own config, one process, 6 connections of 1/6 of 50 Mbit/s each.
SCRATCH="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$SCRATCH/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $SCRATCH/nginx.pid;
error_log $SCRATCH/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    log_format layerw '\$status \$bytes_sent "\$http_range" \$request_uri';
    access_log $SCRATCH/access.log layerw;
    client_body_temp_path $SCRATCH/client_body;
    proxy_temp_path $SCRATCH/proxy;
    fastcgi_temp_path $SCRATCH/fastcgi;
    uwsgi_temp_path $SCRATCH/uwsgi;
    scgi_temp_path $SCRATCH/scgi;
    server {
        listen 127.0.0.1:$PORT;
        root $WORLD;
        location / { limit_rate 1041666; }
    }
}
CONF
nginx -p "$SCRATCH" -c "$SCRATCH/nginx.conf" -e "$SCRATCH/error.log" &
NGINX=$!
trap 'kill $NGINX 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
sleep 1
run http-50mbit --url "http://127.0.0.1:$PORT/" --connections 6 "$@"
# What nginx sent (headers included), against what the benchmark counted.
awk '{ sent += $2 } END { printf "nginx bytes_sent: %.1f MiB in %d requests\n", sent / 1048576, NR }' \
    "$SCRATCH/access.log" | tee -a "$OUT/http-50mbit.txt"

# The browser: the web build from nginx, throttled to 50 Mbit/s in total by the browser.
if [ "${WEB:-1}" != 0 ]; then
    echo "== web-50mbit: scripts/bench_stream_web.py"
    python3 scripts/bench_stream_web.py "$WORLD" --name web-50mbit
fi

[ "${KEEP_WORLD:-0}" = 1 ] || rm -rf "$WORLD"
