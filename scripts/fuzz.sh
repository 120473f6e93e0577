#!/usr/bin/env bash
# Coverage-guided fuzzing of the decoders of outside bytes: layerw-net's (net/fuzz), the
# engine's LOD chains, PNG textures, journals, bindings files and content packs (manifest, mesh
# levels, texture levels) (engine/fuzz) and layerw-cook's glTF/GLB mesh and scene loaders
# (cook/fuzz), with cargo-fuzz (libFuzzer) on the nightly pinned in scripts/versions.sh
# (LAYERW_MIRI_TOOLCHAIN; setup.sh installs it and cargo-fuzz).
#
# Usage:
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#       Fuzzes each TARGET (default: all) for SECONDS (default 600), then merges the inputs that
#       reach new coverage into the committed corpus, <crate>/fuzz/corpus/<target>/ (libFuzzer
#       -merge=1): review and commit them. Keep each target's corpus under ~100 files and 200 KB.
#   bash scripts/fuzz.sh --ci [SECONDS] [TARGET...]
#       What scripts/test.sh runs: each target for SECONDS (default 20) on a copy of its corpus,
#       with a fixed seed (LAYERW_FUZZ_SEED, default 1), so a run explores the same inputs in
#       the same order on any machine: what passes here passes in CI, and a CI failure
#       replays here; writes nothing in the repository. New ground is broken by the longer
#       runs without --ci, whose findings join the corpus.
#   bash scripts/fuzz.sh --seeds
#       Rewrites the seed files, net/fuzz/corpus/<target>/seed-*, from the crate's encoders
#       (the tests net/tests/fuzz_seeds.rs and engine/tests/fuzz_seeds.rs, with
#       LAYERW_UPDATE_FUZZ_SEEDS=1); needed after a wire
#       format change (that test fails until then).
#   bash scripts/fuzz.sh --list
#       The targets.
#
# Any crash, panic, timeout (LAYERW_FUZZ_TIMEOUT seconds on one input, default 10) or
# out-of-memory (over 2 GB) fails the run; its input is saved as crash-*/timeout-*/oom-* under
# $FUZZ_OUT/artifacts/<target>/, and replays with
#   cargo +NIGHTLY fuzz run --fuzz-dir <crate>/fuzz --target-dir $FUZZ_OUT -s none -a TARGET FILE
#
# The fuzz build has its own target directory, FUZZ_OUT = target/fuzz (under $CARGO_TARGET_DIR
# when set): it is built with other flags (coverage instrumentation, debug assertions and
# overflow checks on) than the workspace. No address sanitizer (`-s none`): layerw-net and
# layerw-cook's loader have no unsafe code, and without it the runs are several times faster. Per-target logs:
# $FUZZ_OUT/logs/<target>.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

TOOLCHAIN="$LAYERW_MIRI_TOOLCHAIN"
FUZZ_OUT="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
TIMEOUT="${LAYERW_FUZZ_TIMEOUT:-10}"
NET_TARGETS=(client_message server_message connect_token view view_any_baseline snapshot input bit_reader)
ENGINE_TARGETS=(lod_chain png_texture journal bindings pack_manifest pack_mesh_level pack_texture_level)
COOK_TARGETS=(gltf gltf_scene)
ALL_TARGETS=("${NET_TARGETS[@]}" "${ENGINE_TARGETS[@]}" "${COOK_TARGETS[@]}")

# The fuzz crate holding target $1.
fuzz_dir() {
    if [[ " ${COOK_TARGETS[*]} " == *" $1 "* ]]; then echo cook/fuzz
    elif [[ " ${ENGINE_TARGETS[*]} " == *" $1 "* ]]; then echo engine/fuzz
    else echo net/fuzz; fi
}
flags() { echo --fuzz-dir "$(fuzz_dir "$1")" --target-dir "$FUZZ_OUT" -s none -a; }

log() { printf '[fuzz] %s\n' "$*"; }

mode=run
case "${1:-}" in
    --ci) mode=ci; shift ;;
    --seeds)
        LAYERW_UPDATE_FUZZ_SEEDS=1 cargo test -p layerw-net --test fuzz_seeds
        LAYERW_UPDATE_FUZZ_SEEDS=1 cargo test -p layerw-engine --test fuzz_seeds
        exit 0 ;;
    --list) printf '%s\n' "${ALL_TARGETS[@]}"; exit 0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
if [ "$mode" = ci ]; then seconds=20; else seconds=600; fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds="$1"; shift; fi
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { log "unknown target $t (see --list)"; exit 2; }
done

command -v cargo-fuzz >/dev/null || { log "cargo-fuzz missing: run scripts/setup.sh"; exit 1; }

# Every target of each fuzz crate in one cargo build (`fuzz run` below then finds them built).
build_start=$SECONDS
for dir in $(for t in "${targets[@]}"; do fuzz_dir "$t"; done | sort -u); do
    cargo "+$TOOLCHAIN" fuzz build --fuzz-dir "$dir" --target-dir "$FUZZ_OUT" -s none -a
done
log "build: $((SECONDS - build_start))s"

mkdir -p "$FUZZ_OUT/logs" "$FUZZ_OUT/scratch"
summary=()
failed=0
for t in "${targets[@]}"; do
    corpus="$ROOT/$(fuzz_dir "$t")/corpus/$t"
    # shellcheck disable=SC2207
    BUILD_FLAGS=($(flags "$t"))
    # New inputs go to a scratch directory (libFuzzer writes into its first corpus directory),
    # never into the committed corpus, which is only read here.
    scratch="$FUZZ_OUT/scratch/$t"
    rm -rf "$scratch"
    mkdir -p "$scratch" "$FUZZ_OUT/artifacts/$t"
    dirs=("$scratch")
    if [ "$mode" = ci ]; then cp -r "$corpus/." "$scratch/"; else dirs+=("$corpus"); fi
    runlog="$FUZZ_OUT/logs/$t.log"
    log "$t: ${seconds}s"
    rc=0
    seed=()
    if [ "$mode" = ci ]; then seed=(-seed="${LAYERW_FUZZ_SEED:-1}"); fi
    cargo "+$TOOLCHAIN" fuzz run "${BUILD_FLAGS[@]}" "$t" "${dirs[@]}" -- \
        "${seed[@]}" -max_total_time="$seconds" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
        -artifact_prefix="$FUZZ_OUT/artifacts/$t/" -print_final_stats=1 \
        >"$runlog" 2>&1 || rc=$?
    # The last status line ("#N DONE cov: C ft: F corp: ...") and the final stats.
    status_line="$(grep -E '^#[0-9]+' "$runlog" | tail -n 1 || true)"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status_line")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status_line")"
    runs="$(sed -nE 's/^stat::number_of_executed_units:[[:space:]]*([0-9]+)/\1/p' "$runlog")"
    speed="$(sed -nE 's/^stat::average_exec_per_sec:[[:space:]]*([0-9]+)/\1/p' "$runlog")"
    if [ "$rc" -ne 0 ]; then
        failed=1
        log "$t FAILED (exit $rc); the end of $runlog:"
        tail -n 40 "$runlog"
        summary+=("$(printf '%-18s FAILED (exit %s), see %s' "$t" "$rc" "$runlog")")
        continue
    fi
    line="$(printf '%-18s %9s runs %7s exec/s  cov %5s  ft %6s' "$t" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}")"
    if [ "$mode" = run ]; then
        # Only the inputs that add coverage to the committed corpus.
        before="$(find "$corpus" -type f | wc -l)"
        cargo "+$TOOLCHAIN" fuzz run "${BUILD_FLAGS[@]}" "$t" "$corpus" "$scratch" -- \
            -merge=1 -timeout="$TIMEOUT" -rss_limit_mb=2048 >>"$runlog" 2>&1
        files="$(find "$corpus" -type f | wc -l)"
        kib="$(du -sk "$corpus" | cut -f1)"
        line+="$(printf '  corpus %s -> %s files, %s KiB' "$before" "$files" "$kib")"
    fi
    summary+=("$line")
done

log "summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
