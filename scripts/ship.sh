#!/usr/bin/env bash
# One command per target: a shippable build of a game (by default the game, shard_run).
#
#   scripts/ship.sh web [EXAMPLE]      -> dist/web/: the web-release wasm after wasm-opt -Oz, its
#                                         JS glue, index.html with a loading bar, the files the
#                                         game fetches, and X.br / X.gz beside every file that
#                                         compresses (serve them as docs/shipping.md says)
#   scripts/ship.sh desktop [EXAMPLE]  -> dist/desktop/: the release binary and the files it
#                                         loads, runnable from that folder
#
#   --debug (either target): the dev profile's build, and on the web no wasm-opt: the same
#   folder layout and files in a fraction of the time, which is what CI tests (the release
#   builds are what ships; they add 10-20 minutes on a 2-core machine).
#
# EXAMPLE defaults to DEFAULT_EXAMPLE below. The files a game loads at run time are listed in
# web/<EXAMPLE>/assets.txt (repository paths, copied under the same paths; see scripts/web.sh),
# the Cargo features it needs in web/<EXAMPLE>/features.txt, and a game that streams a content
# pack has web/<EXAMPLE>/pack.txt: its native binary writes the pack (`EXAMPLE --make-pack DIR`)
# into pack/ beside the page or the binary. Installs wasm-opt (npm binaryen) and Python's
# brotli into ~/.cache/layerw on first use, like scripts/wasm-size.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

# The game to ship when none is named.
DEFAULT_EXAMPLE=shard_run

DEBUG=0
ARGS=()
for arg in "$@"; do
    if [ "$arg" = --debug ]; then DEBUG=1; else ARGS+=("$arg"); fi
done
TARGET="${ARGS[0]:-}"
EXAMPLE="${ARGS[1]:-$DEFAULT_EXAMPLE}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="${LAYERW_DIST:-$ROOT/dist}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/layerw"
NODE_DIR="$CACHE/node"

# The Cargo features EXAMPLE needs beyond the defaults.
FEATURES=()
if [ -f "web/$EXAMPLE/features.txt" ]; then
    FEATURES=(--features "$(xargs < "web/$EXAMPLE/features.txt")")
fi

usage() {
    echo "usage: scripts/ship.sh web|desktop [EXAMPLE] [--debug]   (default $DEFAULT_EXAMPLE)" >&2
    exit 2
}

# Copies the files EXAMPLE loads at run time (web/EXAMPLE/assets.txt) under DEST.
copy_assets() {
    local dest="$1" list="web/$EXAMPLE/assets.txt" path
    [ -f "$list" ] || return 0
    while IFS= read -r path || [ -n "$path" ]; do
        path="${path%%#*}"
        path="$(echo "$path" | xargs)"
        [ -z "$path" ] && continue
        mkdir -p "$dest/$(dirname "$path")"
        cp "$path" "$dest/$path"
    done < "$list"
}

# Builds EXAMPLE natively (the profile of this run) and prints the binary's path.
native_binary() {
    if [ "$DEBUG" = 1 ]; then
        cargo build --example "$EXAMPLE" "${FEATURES[@]}" >&2
        echo "$TARGET_DIR/debug/examples/$EXAMPLE"
    else
        cargo build --release --example "$EXAMPLE" "${FEATURES[@]}" >&2
        echo "$TARGET_DIR/release/examples/$EXAMPLE"
    fi
}

# Writes EXAMPLE's content pack into DEST/pack with BINARY, when it streams one.
write_pack() {
    local binary="$1" dest="$2"
    [ -f "web/$EXAMPLE/pack.txt" ] || return 0
    "$binary" --make-pack "$dest/pack"
}

ship_web() {
    if [ ! -x "$NODE_DIR/node_modules/.bin/wasm-opt" ]; then
        mkdir -p "$NODE_DIR"
        npm install --prefix "$NODE_DIR" --silent --no-audit --no-fund "binaryen@$LAYERW_BINARYEN_VERSION"
    fi
    if ! PYTHONPATH="$LAYERW_PYDEPS" python3 -c "import brotli" 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
            --target "$LAYERW_PYDEPS" "brotli==$LAYERW_BROTLI_PY_VERSION"
    fi
    # The web-release build and wasm-bindgen's glue (target/web/EXAMPLE, assets included).
    if [ "$DEBUG" = 1 ]; then bash scripts/web.sh "$EXAMPLE"; else bash scripts/web.sh "$EXAMPLE" --release; fi
    local built="$TARGET_DIR/web/$EXAMPLE" out="$DIST/web"
    rm -rf "$out"
    mkdir -p "$out"
    if [ "$DEBUG" = 1 ]; then
        cp "$built/${EXAMPLE}_bg.wasm" "$out/"
    else
        # simd128: the browser build has it (.cargo/config.toml).
        "$NODE_DIR/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
            --enable-sign-ext --enable-mutable-globals --enable-simd \
            "$built/${EXAMPLE}_bg.wasm" -o "$out/${EXAMPLE}_bg.wasm"
    fi
    cp "$built/$EXAMPLE.js" "$out/"
    copy_assets "$out"
    if [ -f "web/$EXAMPLE/pack.txt" ]; then write_pack "$(native_binary)" "$out"; fi
    # The page: the loading bar knows the wasm's size (a compressed response's Content-Length
    # is the compressed size, while the stream yields the decompressed bytes).
    local wasm_bytes
    wasm_bytes="$(stat -c %s "$out/${EXAMPLE}_bg.wasm")"
    sed -e "s/@EXAMPLE@/$EXAMPLE/g" -e "s/@WASM_BYTES@/$wasm_bytes/g" web/ship/index.html > "$out/index.html"
    PYTHONPATH="$LAYERW_PYDEPS" python3 scripts/ship_compress.py "$out"
    echo "ship.sh: $EXAMPLE for the web in $out ($(du -sh "$out" | cut -f1) with the .br and .gz files)"
}

ship_desktop() {
    local binary out="$DIST/desktop"
    binary="$(native_binary)"
    rm -rf "$out"
    mkdir -p "$out"
    cp "$binary" "$out/"
    # The binary looks for its files beside itself (see the example's asset_root).
    copy_assets "$out"
    write_pack "$binary" "$out"
    echo "ship.sh: $EXAMPLE for the desktop in $out ($(du -sh "$out" | cut -f1)); run $out/$EXAMPLE"
}

[ -d "examples/$EXAMPLE" ] || [ -f "examples/$EXAMPLE.rs" ] || {
    echo "ship.sh: no example $EXAMPLE" >&2
    usage
}
case "$TARGET" in
    web) ship_web ;;
    desktop) ship_desktop ;;
    *) usage ;;
esac
