#!/usr/bin/env bash
# Runs every benchmark recorded in BENCHMARKS.md: the criterion benches (peers side by side in
# the same run) and the walloc churn example natively and on wasm32-wasip1 under wasmtime.
# Usage: bash scripts/bench.sh [criterion filter]
# Benchmarks want a quiet machine: nothing else should be building or running meanwhile.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

for bench in walloc ecs schedule render; do
    printf '\n== cargo bench --bench %s\n' "$bench"
    cargo bench --bench "$bench" -- "$@"
done

printf '\n== walloc churn, native (release)\n'
cargo run --release --example walloc_churn

printf '\n== walloc churn, wasm32-wasip1 under wasmtime (release)\n'
cargo run --release --example walloc_churn --target wasm32-wasip1

printf '\n== sim_headless demo (release)\n'
cargo run --release --example sim_headless

printf '\n== bench_cubes, 100k cubes, headless (release; lavapipe where there is no GPU)\n'
cargo run --release --example bench_cubes -- --headless --frames 20
cargo run --release --example bench_cubes -- --headless --frames 20 --no-shadows

printf '\n== web size of render_demo (web-release, wasm-opt -Oz, gzip, brotli)\n'
bash scripts/wasm-size.sh render_demo
