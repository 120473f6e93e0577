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
    printf '\n== cargo bench -p layerw-benches --bench %s\n' "$bench"
    cargo bench -p layerw-benches --bench "$bench" -- "$@"
done
for bench in cull lod; do
    printf '\n== cargo bench -p layerw-engine --bench %s\n' "$bench"
    cargo bench -p layerw-engine --bench "$bench" -- "$@"
done
printf '\n== bench_visibility: the Lod and Culling stages at 1M entities, 2 threads, beside their kernels\n'
cargo run --release --example bench_visibility

printf '\n== cargo bench -p layerw-cook --bench chain\n'
cargo bench -p layerw-cook --bench chain -- "$@"

printf '\n== walloc churn, native (release)\n'
cargo run -p layerw-benches --release --example walloc_churn

printf '\n== walloc churn, wasm32-wasip1 under wasmtime (release)\n'
cargo run -p layerw-benches --release --example walloc_churn --target wasm32-wasip1

printf '\n== sim_headless demo (release)\n'
cargo run --release --example sim_headless

printf '\n== bench_cubes, 100k cubes, headless (release; lavapipe where there is no GPU)\n'
cargo run --release --example bench_cubes -- --headless --frames 20
cargo run --release --example bench_cubes -- --headless --frames 20 --no-shadows

printf '\n== bench_lod, 1,600 spheres, headless, with and without LOD (lavapipe where there is no GPU)\n'
cargo run --release --example bench_lod -- --grid 40 --segments 64 --headless --frames 30
cargo run --release --example bench_lod -- --grid 40 --segments 64 --headless --frames 30 --no-lod

printf '\n== raw_cubes, the raw-draw reference (GPU time where the adapter has timestamps)\n'
cargo run --release --example raw_cubes -- 100000 --frames 20

printf '\n== web size of render_demo and bench_cubes (web-release, wasm-opt -Oz, gzip, brotli)\n'
bash scripts/wasm-size.sh render_demo
bash scripts/wasm-size.sh bench_cubes
