#!/usr/bin/env bash
# Builds an example for the browser: wasm32-unknown-unknown, wasm-bindgen's JS glue, and the
# example's page, into target/web/<example>/ (serve that folder, e.g.
# `python3 -m http.server -d target/web/input_playground`).
#
# Files the page fetches at run time are listed in web/<example>/assets.txt (repository paths,
# one a line; blank lines and `#` comments skipped) and copied under the same paths into the
# output folder, so `assets/x.lwlod` is fetched from `<page folder>/assets/x.lwlod`.
#
# Cargo features an example needs beyond the defaults (its `required-features`) are named in
# web/<example>/features.txt (one line, space-separated), e.g. `audio` for audio_demo.
#
# Usage: scripts/web.sh [EXAMPLE] [--release]   (--release: the web-release profile, then
# wasm-opt -Oz when binaryen is installed, see scripts/wasm-size.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXAMPLE="${1:-input_playground}"
PROFILE=debug
FLAGS=()
if [ "${2:-}" = "--release" ]; then PROFILE=web-release; FLAGS=(--profile web-release); fi
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET_DIR/web/$EXAMPLE"

if [ -f "web/$EXAMPLE/features.txt" ]; then
    FLAGS+=(--features "$(xargs < "web/$EXAMPLE/features.txt")")
fi
cargo build --example "$EXAMPLE" --target wasm32-unknown-unknown ${FLAGS[@]+"${FLAGS[@]}"}
rm -rf "$OUT"
mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --out-dir "$OUT" \
    "$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/examples/$EXAMPLE.wasm"
cp web/"$EXAMPLE"/*.html "$OUT/"
LIST="web/$EXAMPLE/assets.txt"
if [ -f "$LIST" ]; then
    while IFS= read -r path || [ -n "$path" ]; do
        path="${path%%#*}"
        path="$(echo "$path" | xargs)"
        [ -z "$path" ] && continue
        if [ ! -f "$path" ]; then
            echo "web.sh: $LIST names $path, which is not a file" >&2
            exit 1
        fi
        mkdir -p "$OUT/$(dirname "$path")"
        cp "$path" "$OUT/$path"
    done < "$LIST"
fi
echo "web build of $EXAMPLE in $OUT ($(du -h "$OUT/${EXAMPLE}_bg.wasm" | cut -f1) wasm)"
