#!/usr/bin/env bash
# Size of a web example as shipped: the web-release build (opt-level z, LTO), wasm-bindgen, then
# binaryen's wasm-opt -Oz (npm binaryen@132.0.0: Debian's binaryen 108 miscompiles, see
# toolchain.md), raw and compressed with gzip -9 and brotli -11. Installs its two tools into
# ~/.cache/layerw on first use.
#
# Usage: scripts/wasm-size.sh [EXAMPLE]   (default render_demo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/versions.sh"
EXAMPLE="${1:-render_demo}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/layerw"
NODE_DIR="$CACHE/node"
if [ ! -x "$NODE_DIR/node_modules/.bin/wasm-opt" ]; then
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --silent --no-audit --no-fund "binaryen@$LAYERW_BINARYEN_VERSION"
fi
if ! PYTHONPATH="$LAYERW_PYDEPS" python3 -c "import brotli" 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
        --target "$LAYERW_PYDEPS" "brotli==$LAYERW_BROTLI_PY_VERSION"
fi
bash scripts/web.sh "$EXAMPLE" --release
OUT="${CARGO_TARGET_DIR:-$ROOT/target}/web/$EXAMPLE"
WASM="$OUT/${EXAMPLE}_bg.wasm"
"$NODE_DIR/node_modules/.bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-simd "$WASM" -o "$WASM.opt"
mv "$WASM.opt" "$WASM"
PYTHONPATH="$LAYERW_PYDEPS" python3 - "$WASM" <<'PY'
import brotli, gzip, sys
data = open(sys.argv[1], "rb").read()
kib = lambda n: f"{n / 1024:.0f} KiB ({n / 1e6:.2f} MB)"
print(f"{sys.argv[1]}:")
print(f"  raw     {kib(len(data))}")
print(f"  gzip -9 {kib(len(gzip.compress(data, 9)))}")
print(f"  brotli  {kib(len(brotli.compress(data, quality=11)))}")
PY
