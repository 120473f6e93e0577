#!/usr/bin/env python3
"""Run a wasm32-wasip1 program (a core wasm module) under wasmtime, like a native executable.

Used as cargo's target runner (.cargo/config.toml):

    [target.wasm32-wasip1]
    runner = "scripts/wasmtime-run.py"

so `cargo test|run --target wasm32-wasip1` works. Cargo calls `RUNNER <file.wasm> <args...>`.

Behaviour:
  * argv: the guest sees [<file.wasm>, <args...>], so libtest filters, --nocapture, --list,
    --test-threads, --skip ... all reach the test harness.
  * environment: the host environment is inherited (RUST_TEST_*, RUST_BACKTRACE, RUST_LOG, CARGO_*).
  * files: the current directory (cargo runs tests in the package directory) is preopened as "."
    and under its absolute host path, so both relative paths and paths built from
    env!("CARGO_MANIFEST_DIR") resolve. Extra directories: LAYERW_WASI_DIRS="dir1:dir2" (each
    preopened under its absolute host path). Preopens are writable.
  * stdin/stdout/stderr are inherited.
  * LAYERW_WASMTIME_PROFILER=perfmap|jitdump|vtune turns on wasmtime's profiler support
    (perfmap: /tmp/perf-PID.map names the JIT-compiled wasm functions for perf and callgrind).
  * exit status: the module's proc_exit code (0 when _start returns). A trap (a Rust panic on
    this panic=abort target, `unreachable`, out-of-bounds access, stack overflow) prints the trap
    and exits 134 (128 + SIGABRT, as the wasmtime CLI does), so failing tests fail.

The wasmtime Python package is pinned and installed by scripts/setup.sh with `pip install --target`
into $LAYERW_PYDEPS (default ~/.cache/layerw/pydeps); an already importable `wasmtime` is the fallback.
"""

import os
import sys

EXIT_TRAP = 134  # 128 + SIGABRT, like the wasmtime CLI on Unix
EXIT_USAGE = 2


def _pydeps_dir() -> str:
    explicit = os.environ.get("LAYERW_PYDEPS")
    if explicit:
        return explicit
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "layerw", "pydeps")


_deps = _pydeps_dir()
if os.path.isdir(os.path.join(_deps, "wasmtime")):
    sys.path.insert(0, _deps)

try:
    import wasmtime
except ImportError:
    sys.stderr.write(
        "wasmtime-run: the `wasmtime` Python package is missing; run scripts/setup.sh "
        f"(looked in {_deps} and the default sys.path)\n"
    )
    sys.exit(EXIT_USAGE)


def _die(msg: str, code: int = EXIT_USAGE) -> "None":
    sys.stderr.flush()
    sys.stderr.write(f"wasmtime-run: {msg}\n")
    sys.stderr.flush()
    sys.exit(code)


def _preopens():
    """(host_path, guest_path) pairs, without duplicates."""
    cwd = os.getcwd()
    pairs = [(cwd, "."), (cwd, cwd)]
    for d in os.environ.get("LAYERW_WASI_DIRS", "").split(os.pathsep):
        if d:
            a = os.path.abspath(d)
            if not os.path.isdir(a):
                _die(f"LAYERW_WASI_DIRS entry is not a directory: {d}")
            pairs.append((a, a))
    seen, out = set(), []
    for host, guest in pairs:
        if guest not in seen:
            seen.add(guest)
            out.append((host, guest))
    return out


def main(argv) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write(f"usage: {os.path.basename(argv[0])} <module.wasm> [args...]\n")
        return EXIT_USAGE
    path = argv[1]
    try:
        with open(path, "rb") as f:
            header = f.read(8)
    except OSError as e:
        _die(f"cannot read {path}: {e}")
    if header[:4] != b"\0asm":
        _die(f"{path} is not a WebAssembly binary")
    if header[4:8] != b"\x01\x00\x00\x00":
        _die(f"{path} is a wasm component (wasip2?), not a core module; this runner is for wasm32-wasip1")

    config = wasmtime.Config()
    profiler = os.environ.get("LAYERW_WASMTIME_PROFILER")
    if profiler:
        # "perfmap" writes /tmp/perf-PID.map, which names the compiled wasm functions for
        # perf and callgrind (BENCHMARKS.md, "What wasm's rest costs, by system").
        config.profiler = profiler
    engine = wasmtime.Engine(config)
    try:
        module = wasmtime.Module.from_file(engine, path)
    except wasmtime.WasmtimeError as e:
        _die(f"cannot compile {path}: {e}")

    wasi = wasmtime.WasiConfig()
    wasi.argv = [path] + list(argv[2:])
    wasi.inherit_env()
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    for host, guest in _preopens():
        wasi.preopen_dir(host, guest)

    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()

    try:
        instance = linker.instantiate(store, module)
        start = instance.exports(store).get("_start")
        if start is None:
            _die(f"{path} has no `_start` export (not a WASI command module)")
        start(store)
    except wasmtime.ExitTrap as e:
        code = e.code
        # Exit statuses are 8 bits on POSIX; never let a non-zero code wrap to 0.
        return code if 0 <= code <= 255 else 1
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        sys.stdout.flush()
        sys.stderr.write(f"wasmtime-run: {path} trapped:\n{e}\n")
        sys.stderr.flush()
        return EXIT_TRAP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
