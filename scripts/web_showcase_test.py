#!/usr/bin/env python3
"""Showcase web test: the showcase's web build in headless chromium, once with WebGPU and once
with WebGPU unavailable (the same wasm falls back to WebGL2), against the native render.

The native binary cooks the content pack beside the page (WEB_DIR/pack, where the page fetches
it by default) and renders the reference: headless, 640x360, the screenshot on clock frame
SHOT_AT. The page is opened with ?width=640&height=360&shot=SHOT_AT: the same internal
resolution (the canvas is sized to it, 1:1), and the clock stops on frame SHOT_AT, so every
frame from then on is that picture, however slowly the software rasteriser draws. From
window.layerwShowcase (JSON) each run must report the expected backend, the pack streamed
completely (manifest read, complete, cells loaded, no failures, no error), the crates spawned
from its cells, CesiumMan spawned and drawn skinned with its joints, and the clock stopped on
SHOT_AT; then a screenshot of the canvas must match the native one (ImageMagick `compare`):
normalised RMSE under TOLERANCE, and fewer than CHANGED_FRACTION of the pixels differing by
more than CHANGED_FUZZ.

Why these: SwiftShader (the browser's WebGPU over Vulkan, and WebGL2 through ANGLE) and
lavapipe differ by a level or two of 255 over the lit floor (rounding in the lighting and the
tonemap) and on edges (MSAA resolve, shadow filtering), so the RMSE is never 0 (0.0090 here,
chromium 156 against Mesa 22.3 lavapipe, on both backends) while few pixels differ by more
than 5 % (154 of 230,400). RMSE under 0.02 (web_render_test.py's tolerance) fails a missing
pass (shadows, bloom, the sky), crate or character, or a blank canvas; but the next clock
frame of the native render is only 0.0158 from this one, so RMSE alone cannot tell the clock
frame. The changed pixels can: one clock step moves the camera and CesiumMan enough to change
2,025 pixels by more than 5 % (three steps: 5,350), against the limit of 0.5 % of the
picture (1,152 pixels, the golden tests' fraction). Screenshots go to
target/layerw-test/web-showcase-*.png.

Usage: scripts/web_showcase_test.py PATH/TO/showcase [WEB_DIR]
  (WEB_DIR: scripts/web.sh showcase's output, default target/web/showcase)
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)

SHOWCASE = os.path.abspath(sys.argv[1])
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(web_test.ROOT, "target")
web_test.WEB_DIR = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                                   os.path.join(TARGET, "web", "showcase"))
OUT = web_test.OUT
TOLERANCE = 0.02
# A pixel differs when a channel is off by more than this (ImageMagick's -fuzz) ...
CHANGED_FUZZ = "5%"
# ... and at most this fraction of the picture may.
CHANGED_FRACTION = 0.005
WIDTH, HEIGHT = 640, 360
# The clock frame compared: a few steps in, so the camera and the walk cycle have moved from
# where they start (both are computed on the clock in the browser as natively).
SHOT_AT = 4
# Frames the stopped clock must have drawn before the canvas is captured.
HELD_FRAMES = 3
# Streaming the pack and the frames to the shot on a software rasteriser.
PAGE_SECONDS = 240


def rmse(a, b):
    out = subprocess.run(["compare", "-metric", "RMSE", a, b, "null:"],
                         capture_output=True, text=True)
    # "1234.5 (0.0188)": the normalised value is in parentheses.
    text = out.stderr.strip()
    return float(text.split("(")[1].rstrip(")")) if "(" in text else 1.0


def changed_pixels(a, b):
    """Pixels of `a` and `b` differing by more than CHANGED_FUZZ (all of them on an error)."""
    out = subprocess.run(["compare", "-metric", "AE", "-fuzz", CHANGED_FUZZ, a, b, "null:"],
                         capture_output=True, text=True)
    try:
        return int(float(out.stderr.split()[0]))
    except (IndexError, ValueError):
        return WIDTH * HEIGHT


def quiet_disconnects(server):
    """The page aborts reads of a range it has (this server ignores `Range` and sends whole
    files): a closed connection is expected, not an error to print."""
    report = server.handle_error

    def handle_error(request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            report(request, client_address)
    server.handle_error = handle_error


def native_run(command):
    """Runs the native showcase; on a failure, prints what it said and stops the test."""
    out = subprocess.run(command, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout + out.stderr)
        raise SystemExit(f"web showcase test: {' '.join(command)} failed ({out.returncode})")


def wait_for_shot(web, name):
    """Polls the page's state until the clock has stopped on SHOT_AT and drawn that frame a
    few times; the last state seen (or None), after failing the run on a page error."""
    state = None
    deadline = time.time() + PAGE_SECONDS
    while time.time() < deadline:
        error = web.js("return window.layerwError || null;")
        if error:
            web_test.check(False, f"{name}: the page failed: {error}")
            return None
        text = web.js("return window.layerwShowcase || null;")
        if text:
            state = json.loads(text)
            clock = state["clock"]
            if clock["steps"] == SHOT_AT and \
                    clock["frames_since_start"] >= SHOT_AT + 1 + HELD_FRAMES:
                return state
        time.sleep(0.2)
    return state


def run_browser(driver_port, http_port, name, flags, expected_backend, native):
    web = web_test.WebDriver(driver_port, flags, headless_gpu=(name == "webgpu"))
    try:
        started = time.time()
        web.go(f"http://127.0.0.1:{http_port}/index.html"
               f"?width={WIDTH}&height={HEIGHT}&shot={SHOT_AT}")
        state = wait_for_shot(web, name)
        clock = state and state["clock"]
        web_test.check(clock is not None and clock["steps"] == SHOT_AT
                       and clock["stop_at"] == SHOT_AT
                       and clock["frames_since_start"] > SHOT_AT + HELD_FRAMES,
                       f"{name}: the clock stopped on frame {SHOT_AT} and held it "
                       f"({time.time() - started:.0f} s): {clock}")
        if state is None:
            return
        web_test.check(state["backend"] == expected_backend,
                       f"{name}: backend {state['backend']} (expected {expected_backend})")
        stream = state["stream"] or {}
        web_test.check(stream.get("manifest_loaded") and stream.get("complete")
                       and stream.get("cells_loaded", 0) > 0 and stream.get("failures") == 0
                       and stream.get("last_error") == "",
                       f"{name}: the pack streamed completely by fetch: {stream}")
        # Seven crates stand in the pack's cells (pack.rs, CRATES).
        web_test.check(state["entities"] >= 7,
                       f"{name}: the crates spawned from the pack's cells: {state['entities']}")
        web_test.check(state["skinned"] == 1 and state["skinned_draws"] == 1
                       and state["joints"] > 1,
                       f"{name}: CesiumMan spawned and drawn skinned: {state['skinned']} "
                       f"entity, {state['skinned_draws']} draw, {state['joints']} joints")
        canvas = web.session_call("POST", "/element", {"using": "css selector",
                                                        "value": "#layerw-canvas"})
        element = next(iter(canvas.values()))
        png = base64.b64decode(web.session_call("GET", f"/element/{element}/screenshot"))
        path = os.path.join(OUT, f"web-showcase-{name}.png")
        with open(path, "wb") as f:
            f.write(png)
        score = rmse(path, native)
        changed = changed_pixels(path, native)
        limit = int(CHANGED_FRACTION * WIDTH * HEIGHT)
        web_test.check(score < TOLERANCE and changed < limit,
                       f"{name}: the canvas matches the native render of clock frame {SHOT_AT} "
                       f"(RMSE {score:.4f} < {TOLERANCE}; {changed} pixels off by more than "
                       f"{CHANGED_FUZZ} < {limit})")
    finally:
        web.quit()


def main():
    # The pack beside the page, where it fetches it by default.
    pack = os.path.join(web_test.WEB_DIR, "pack")
    shutil.rmtree(pack, ignore_errors=True)
    native_run([SHOWCASE, "--make-pack", pack])
    native = os.path.join(OUT, "web-showcase-native.png")
    if os.path.exists(native):
        os.remove(native)
    native_run([SHOWCASE, "--pack", pack, "--headless", "--frames", "1",
                "--size", f"{WIDTH}x{HEIGHT}", "--shot-at", str(SHOT_AT), "--screenshot", native])
    server, http_port = web_test.serve()
    quiet_disconnects(server)
    driver, driver_port = web_test.start_driver()
    try:
        run_browser(driver_port, http_port, "webgpu", web_test.WEBGPU_FLAGS, "BrowserWebGpu",
                    native)
        run_browser(driver_port, http_port, "webgl2", web_test.WEBGL_FLAGS, "Gl", native)
    finally:
        driver.kill()
        server.shutdown()
    if web_test.failures:
        print(f"web showcase test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web showcase test: all checks passed")


if __name__ == "__main__":
    main()
