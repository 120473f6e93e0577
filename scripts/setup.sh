#!/usr/bin/env bash
# Install everything the build and the tests need (Debian, run as root or with sudo).
#
# Idempotent: every step first checks whether its tool is already present and does nothing if so,
# so a second run takes about a second. Versions are pinned in scripts/versions.sh.
#
# Assumes what the CI image provides: rustup with a stable toolchain (1.95), cargo-nextest, Python 3
# with pip, Node 20, gcc.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/versions.sh
source "$ROOT/scripts/versions.sh"

log() { printf '[setup] %s\n' "$*"; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else log "need root for: $*"; return 1
    fi
}

# --------------------------------------------------------------------------------------------
# 1. Debian packages. `apt-get update` runs only when something below is missing.
# --------------------------------------------------------------------------------------------
APT_PACKAGES=(
    libudev-dev                     # gilrs (gamepads) links libudev
    libasound2-dev                  # layerw-audio: cpal links ALSA (alsa-sys finds it with pkg-config)
    pkg-config                      # finds libudev for gilrs' build
    xvfb xauth xdotool imagemagick  # desktop tests: a real X window, injected input, screenshots
    chromium chromium-driver        # web tests: headless chromium driven through WebDriver
    mesa-vulkan-drivers libvulkan1  # wgpu on lavapipe (Vulkan on the CPU): golden images
    g++                             # layerw-cook builds meshoptimizer (C++) through the meshopt crate
    nginx                           # streaming tests: packs served with Range (started by the tests)
    libnginx-mod-http-brotli-static # scripts/ship_web_test.py: nginx serves dist/web's .br files
    cmake clang libclang-dev        # layerw-wamr: wamr-sys builds WAMR with cmake, bindgen needs libclang
)
# python3 -m pip is needed for the wasmtime package below; Debian ships it separately.
if [ ! -d "$LAYERW_PYDEPS/wasmtime-$LAYERW_WASMTIME_PY_VERSION.dist-info" ] \
    && command -v python3 >/dev/null 2>&1 && ! python3 -m pip --version >/dev/null 2>&1; then
    APT_PACKAGES+=(python3-pip)
fi
apt_missing=()
for p in ${APT_PACKAGES[@]+"${APT_PACKAGES[@]}"}; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        apt_missing+=("$p")
    fi
done
if [ "${#apt_missing[@]}" -gt 0 ]; then
    log "apt: installing ${apt_missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
else
    log "apt: nothing to install"
fi

# --------------------------------------------------------------------------------------------
# 2. Rust: components and targets of the active (stable) toolchain.
# --------------------------------------------------------------------------------------------
command -v rustup >/dev/null || { log "rustup not found"; exit 1; }
installed_components="$(rustup component list --installed)"
missing_components=()
for c in rustfmt clippy; do
    grep -q "^$c" <<<"$installed_components" || missing_components+=("$c")
done
if [ "${#missing_components[@]}" -gt 0 ]; then
    log "rustup: adding components ${missing_components[*]}"
    rustup component add "${missing_components[@]}"
fi

installed_targets="$(rustup target list --installed)"
missing_targets=()
for t in wasm32-unknown-unknown wasm32-wasip1 wasm32-wasip2 x86_64-pc-windows-msvc; do
    grep -qx "$t" <<<"$installed_targets" || missing_targets+=("$t")
done
if [ "${#missing_targets[@]}" -gt 0 ]; then
    log "rustup: adding targets ${missing_targets[*]}"
    rustup target add "${missing_targets[@]}"
fi
log "rust: $(rustc --version); components and targets present"

# --------------------------------------------------------------------------------------------
# 3. Pinned nightly with miri (for the walloc tests under miri) and its sysroot.
# --------------------------------------------------------------------------------------------
if ! rustup toolchain list | grep -q "^$LAYERW_MIRI_TOOLCHAIN" \
    || ! rustup component list --installed --toolchain "$LAYERW_MIRI_TOOLCHAIN" | grep -q '^miri' \
    || ! rustup component list --installed --toolchain "$LAYERW_MIRI_TOOLCHAIN" | grep -q '^rust-src'; then
    log "rustup: installing $LAYERW_MIRI_TOOLCHAIN with miri"
    rustup toolchain install "$LAYERW_MIRI_TOOLCHAIN" --profile minimal --component miri,rust-src
fi
# Builds the miri sysroot once (a few minutes, cached in ~/.cache/miri); a quick check afterwards.
cargo "+$LAYERW_MIRI_TOOLCHAIN" miri setup 2>&1
log "miri: $(cargo "+$LAYERW_MIRI_TOOLCHAIN" miri --version)"

# --------------------------------------------------------------------------------------------
# 4. WASI runtime: the wasmtime Python package, used by scripts/wasmtime-run.py (the
#    wasm32-wasip1 runner in .cargo/config.toml). `pip install --target` keeps it out of the
#    system Python, which Debian marks externally managed (PEP 668).
# --------------------------------------------------------------------------------------------
command -v python3 >/dev/null || { log "python3 not found"; exit 1; }
if [ ! -d "$LAYERW_PYDEPS/wasmtime-$LAYERW_WASMTIME_PY_VERSION.dist-info" ]; then
    log "pip: installing wasmtime==$LAYERW_WASMTIME_PY_VERSION into $LAYERW_PYDEPS"
    rm -rf "$LAYERW_PYDEPS"
    mkdir -p "$(dirname "$LAYERW_PYDEPS")"
    python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
        --target "$LAYERW_PYDEPS" "wasmtime==$LAYERW_WASMTIME_PY_VERSION"
fi
LAYERW_PYDEPS="$LAYERW_PYDEPS" python3 - <<EOF
import sys; sys.path.insert(0, "$LAYERW_PYDEPS")
import wasmtime
wasmtime.Engine()
EOF
log "wasmtime (python) $LAYERW_WASMTIME_PY_VERSION present"
# cargo executes the runner directly (.cargo/config.toml): make sure it is executable.
[ -x "$ROOT/scripts/wasmtime-run.py" ] || chmod +x "$ROOT/scripts/wasmtime-run.py"

# --------------------------------------------------------------------------------------------
# 5. wasm-bindgen CLI (the web build's JS glue), the exact version of the wasm-bindgen crate.
#    `--locked` fails for this crate (toolchain.md), so it resolves its own dependencies.
# --------------------------------------------------------------------------------------------
if ! wasm-bindgen --version 2>/dev/null | grep -q " $LAYERW_WASM_BINDGEN_VERSION\$"; then
    log "cargo: installing wasm-bindgen-cli $LAYERW_WASM_BINDGEN_VERSION (about 2 minutes)"
    cargo install --quiet wasm-bindgen-cli --version "$LAYERW_WASM_BINDGEN_VERSION"
fi
log "$(wasm-bindgen --version) present"

# --------------------------------------------------------------------------------------------
# 6. cargo-fuzz (scripts/fuzz.sh: libFuzzer on layerw-net's decoders; it builds with the pinned
#    nightly of step 3 and compiles libFuzzer with g++). About 3 minutes the first time.
# --------------------------------------------------------------------------------------------
if ! cargo fuzz --version 2>/dev/null | grep -q " $LAYERW_CARGO_FUZZ_VERSION\$"; then
    log "cargo: installing cargo-fuzz $LAYERW_CARGO_FUZZ_VERSION (about 3 minutes)"
    cargo install --quiet cargo-fuzz --version "$LAYERW_CARGO_FUZZ_VERSION" --locked
fi
log "$(cargo fuzz --version) present"

# --------------------------------------------------------------------------------------------
# 7. Hosts (scripts/hosts.sh): the wasmtime CLI, and binaryen's wasm-opt, which rewrites the
#    wasip1 module into what the vendored WAMR reads (also used by scripts/wasm-size.sh).
# --------------------------------------------------------------------------------------------
if ! wasmtime --version 2>/dev/null | grep -q "^wasmtime $LAYERW_WASMTIME_CLI_VERSION\b"; then
    log "cargo: installing wasmtime-cli $LAYERW_WASMTIME_CLI_VERSION (about 5 minutes)"
    cargo install --quiet wasmtime-cli --version "$LAYERW_WASMTIME_CLI_VERSION" --locked \
        --no-default-features --features "$LAYERW_WASMTIME_CLI_FEATURES"
fi
log "$(wasmtime --version) present"
NODE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/layerw/node"
if ! "$NODE_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${LAYERW_BINARYEN_VERSION%%.*} "; then
    log "npm: installing binaryen@$LAYERW_BINARYEN_VERSION into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --silent --no-audit --no-fund "binaryen@$LAYERW_BINARYEN_VERSION"
fi
log "$("$NODE_DIR/node_modules/.bin/wasm-opt" --version) present"

# --------------------------------------------------------------------------------------------
# 8. Shipping (scripts/ship.sh web): Python's brotli writes the precompressed .br files (also
#    used by scripts/wasm-size.sh), into LAYERW_PYDEPS beside wasmtime.
# --------------------------------------------------------------------------------------------
if [ ! -d "$LAYERW_PYDEPS/Brotli-$LAYERW_BROTLI_PY_VERSION.dist-info" ]; then
    log "pip: installing brotli==$LAYERW_BROTLI_PY_VERSION into $LAYERW_PYDEPS"
    python3 -m pip install --quiet --disable-pip-version-check --no-input --root-user-action=ignore \
        --target "$LAYERW_PYDEPS" "brotli==$LAYERW_BROTLI_PY_VERSION"
fi
log "brotli (python) $LAYERW_BROTLI_PY_VERSION present"

log "done"
