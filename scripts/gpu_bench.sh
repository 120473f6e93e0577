#!/usr/bin/env bash
# The real-GPU figures of BENCHMARKS.md: bench_cubes side by side with the raw-draw reference,
# and bench_lod with and without LOD. Build here, run where the GPU is:
#   cargo build --release --example bench_cubes --example raw_cubes --example bench_lod
#   bash scripts/gpu_bench.sh [DIR]   (DIR: the release binaries, default target/release/examples)
# On the lent NVIDIA machines wgpu needs the Vulkan loader unpacked first (see the device notes).
set -euo pipefail
B="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/release/examples}"
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
set -x
"$B/raw_cubes" 1000000 --frames 120
"$B/raw_cubes" 1000000 --frames 120 --matrices
"$B/bench_cubes" 1000000 --headless --frames 120 --no-shadows --msaa 1
"$B/bench_cubes" 1000000 --headless --frames 120 --no-shadows
"$B/bench_cubes" 1000000 --headless --frames 120
"$B/bench_cubes" 100000 --headless --frames 300
"$B/bench_lod" --grid 100 --segments 128 --headless --frames 120
"$B/bench_lod" --grid 100 --segments 128 --headless --frames 120 --no-lod
"$B/bench_lod" --grid 100 --segments 128 --headless --frames 60 --no-lod --no-cull
"$B/bench_lod" --grid 100 --segments 128 --headless --frames 120 --budget 1000000
"$B/bench_lod" --grid 300 --segments 128 --headless --frames 120
"$B/bench_lod" --grid 300 --segments 128 --headless --frames 40 --no-lod
