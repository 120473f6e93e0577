#!/usr/bin/env python3
"""Web renderer test: render_demo's web build in headless chromium, once with WebGPU and once
with WebGPU unavailable (the same wasm falls back to WebGL2). Each run must report the expected
backend, the Lod and Culling stages' results (levels by distance, a visible set), the files
the scene loads at run time (the LOD chain and the floor's texture, fetched from the page's
assets/ folder that scripts/web.sh fills from web/render_demo/assets.txt: both loaded, none
failed, their meshes and texture on the GPU), and a screenshot of its canvas must match the
native headless render of the same scene (lavapipe; it too waits for its files) within a stated tolerance: normalised RMSE under 0.02 (ImageMagick `compare
-metric RMSE`). Rasterisers differ in MSAA resolve, shadow filtering and sRGB rounding, so
the tolerance is loose enough for those and tight enough to fail on a missing shadow pass, a
wrong tonemap or a blank canvas. Screenshots go to target/layerw-test/web-render-*.png.

Usage: scripts/web_render_test.py PATH/TO/render_demo [WEB_DIR]
"""
import base64
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)

DEMO = os.path.abspath(sys.argv[1])
web_test.WEB_DIR = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                                   os.path.join(web_test.ROOT, "target", "web", "render_demo"))
OUT = web_test.OUT
TOLERANCE = 0.02

WEBGPU_FLAGS = web_test.WEBGPU_FLAGS
WEBGL_FLAGS = web_test.WEBGL_FLAGS


def rmse(a, b):
    out = subprocess.run(["compare", "-metric", "RMSE", a, b, "null:"],
                         capture_output=True, text=True)
    # "1234.5 (0.0188)": the normalised value is in parentheses.
    text = out.stderr.strip()
    return float(text.split("(")[1].rstrip(")")) if "(" in text else 1.0


def run_browser(driver_port, http_port, name, flags, expected_backend, native):
    web = web_test.WebDriver(driver_port, flags, headless_gpu=(name == "webgpu"))
    try:
        web.go(f"http://127.0.0.1:{http_port}/index.html")
        state = None
        deadline = time.time() + 60
        while time.time() < deadline:
            text = web.js("return window.layerwRender || null;")
            error = web.js("return window.layerwError || null;")
            if error:
                web_test.check(False, f"{name}: the page failed: {error}")
                return
            if text:
                state = json.loads(text)
                # The LOD row and the floor appear once their files are in: wait for those
                # and a few frames after them.
                assets = state.get("assets", {})
                if state["frames"] > 5 and assets.get("pending", 1) == 0 and \
                        assets.get("complete_frames", 0) > 2:
                    break
            time.sleep(0.1)
        web_test.check(state is not None and state["frames"] > 5,
                       f"{name}: frames render in the browser ({state})")
        if state is None:
            return
        web_test.check(state["backend"] == expected_backend,
                       f"{name}: backend {state['backend']} (expected {expected_backend})")
        # The chain and the checker came by fetch (the browser build has no other file access)
        # and reached the GPU.
        assets, gpu = state.get("assets", {}), state.get("gpu", {})
        web_test.check(assets.get("loaded") == 2 and assets.get("failed") == 0
                       and assets.get("pending") == 0,
                       f"{name}: the LOD chain and the texture fetched and loaded: {assets}")
        web_test.check(gpu.get("meshes", 0) > 3 and gpu.get("textures", 0) == 1,
                       f"{name}: the fetched chain's meshes and texture on the GPU: {gpu}")
        # The Lod and Culling stages ran in the browser: LOD spheres got levels by distance
        # (several different ones), and culling kept a visible set without the two spheres
        # behind the camera.
        levels = state.get("lod_levels", [])
        web_test.check(len(levels) == 14 and 255 not in levels and len(set(levels)) >= 3,
                       f"{name}: LOD levels chosen in the browser: {levels}")
        web_test.check(0 < state.get("visible", 0) < 36,
                       f"{name}: culling's visible set in the browser: {state.get('visible')}")
        canvas = web.session_call("POST", "/element", {"using": "css selector",
                                                        "value": "#layerw-canvas"})
        element = next(iter(canvas.values()))
        png = base64.b64decode(web.session_call("GET", f"/element/{element}/screenshot"))
        path = os.path.join(OUT, f"web-render-{name}.png")
        with open(path, "wb") as f:
            f.write(png)
        score = rmse(path, native)
        web_test.check(score < TOLERANCE,
                       f"{name}: canvas matches the native render (RMSE {score:.4f} < {TOLERANCE})")
        # The screenshot API on the web: a PNG blob offered as a download.
        web.go(f"http://127.0.0.1:{http_port}/index.html?screenshot")
        url = None
        deadline = time.time() + 30
        while time.time() < deadline and not url:
            url = web.js("return window.layerwScreenshot || null;")
            time.sleep(0.1)
        blob = web.js_async(
            "const done = arguments[arguments.length - 1];"
            "fetch(window.layerwScreenshot).then(r => r.arrayBuffer())"
            ".then(b => done([b.byteLength, Array.from(new Uint8Array(b.slice(0, 4)))]))"
            ".catch(e => done([0, String(e)]));") if url else [0, None]
        web_test.check(url is not None and blob[0] > 1000 and blob[1] == [0x89, 0x50, 0x4E, 0x47],
                       f"{name}: a screenshot becomes a downloadable PNG blob ({blob[0]} bytes)")
    finally:
        web.quit()


def main():
    native = os.path.join(OUT, "web-render-native.png")
    subprocess.run([DEMO, "--headless", "--screenshot", native], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server, http_port = web_test.serve()
    driver, driver_port = web_test.start_driver()
    try:
        run_browser(driver_port, http_port, "webgpu", WEBGPU_FLAGS, "BrowserWebGpu", native)
        run_browser(driver_port, http_port, "webgl2", WEBGL_FLAGS, "Gl", native)
    finally:
        driver.kill()
        server.shutdown()
    if web_test.failures:
        print(f"web render test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web render test: all checks passed")


if __name__ == "__main__":
    main()
