#!/usr/bin/env python3
"""bench_cubes in the browser: the web build in headless chromium with WebGPU, then with WebGPU
unavailable (WebGL2). Each run must draw frames of the requested scene (instances, draw
calls) and show the benchmark's running stats on the page (frame-time percentiles, stage
timings), and the canvas must show the scene with its stats overlay (not a blank canvas).
Screenshots of the page go to target/layerw-test/web-bench-*.png.

Usage: scripts/web_bench_test.py [WEB_DIR]
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)
WEBGPU_FLAGS = web_test.WEBGPU_FLAGS
WEBGL_FLAGS = web_test.WEBGL_FLAGS

web_test.WEB_DIR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                                   os.path.join(web_test.ROOT, "target", "web", "bench_cubes"))
OUT = web_test.OUT
CUBES = 2000


def distinct_colours(path):
    out = subprocess.run(["identify", "-format", "%k", path], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def screenshot(web, attempts=3):
    """The page's screenshot. A tab still busy with software-rendered frames can time out
    chromedriver's capture (HTTP 500) on a loaded machine: try again, a bounded few times."""
    for attempt in range(attempts):
        try:
            return web.session_call("GET", "/screenshot")
        except urllib.error.HTTPError as e:
            if attempt + 1 == attempts:
                raise
            print(f"screenshot attempt {attempt + 1} failed ({e}); retrying")
            time.sleep(5)


def run_browser(driver_port, http_port, name, flags, expected_draws):
    web = web_test.WebDriver(driver_port, flags, headless_gpu=(name == "webgpu"))
    try:
        web.go(f"http://127.0.0.1:{http_port}/index.html?n={CUBES}&msaa=1")
        bench = None
        # Bounded, and left as soon as 60 frames are in: software rendering takes 1.3 s a
        # frame on a quiet 2-core machine and several times that on a busy one.
        deadline = time.time() + 240
        while time.time() < deadline:
            error = web.js("return window.layerwError || null;")
            if error:
                web_test.check(False, f"{name}: the page failed: {error}")
                return
            text = web.js("return window.layerwBench || null;")
            if text:
                bench = json.loads(text)
                if bench["frames"] >= 60:
                    break
            time.sleep(0.2)
        web_test.check(bench is not None and bench["frames"] >= 60,
                       f"{name}: bench_cubes runs in the browser ({bench})")
        if bench is None:
            return
        web_test.check(bench["instances"] == CUBES + 1 and bench["draw_calls"] == expected_draws,
                       f"{name}: {bench['instances']} instances (cubes and ground), "
                       f"{bench['draw_calls']} draw calls (expected {expected_draws})")
        web_test.check(0 < bench["p50_ms"] <= bench["p99_ms"],
                       f"{name}: frame times p50 {bench['p50_ms']} ms, p99 {bench['p99_ms']} ms")
        stats = web.js("return document.getElementById('stats').textContent;")
        web_test.check("frame time: p50" in stats and "render extraction" in stats
                       and f"{CUBES} cubes" in stats,
                       f"{name}: the page shows the stats:\n{stats}")
        png = base64.b64decode(screenshot(web))
        path = os.path.join(OUT, f"web-bench-{name}.png")
        with open(path, "wb") as f:
            f.write(png)
        colours = distinct_colours(path)
        web_test.check(colours > 200, f"{name}: the page shows the scene ({colours} colours)")
    finally:
        web.quit()


def main():
    server, http_port = web_test.serve()
    driver, driver_port = web_test.start_driver()
    try:
        # The page runs without MSAA (msaa=1), so every default pass draws: the shadow pass
        # (cubes and ground, in each of 4 cascades), PBR (cubes and ground) and the skybox,
        # ambient occlusion, bloom (6 levels down, 5 up), tonemap, then FXAA and the stats
        # overlay at the present.
        draws = 4 * 2 + 2 + 1 + 1 + 11 + 1 + 1 + 1
        run_browser(driver_port, http_port, "webgpu", WEBGPU_FLAGS, draws)
        run_browser(driver_port, http_port, "webgl2", WEBGL_FLAGS, draws)
    finally:
        driver.kill()
        server.shutdown()
    if web_test.failures:
        print(f"web bench test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web bench test: all checks passed")


if __name__ == "__main__":
    main()
