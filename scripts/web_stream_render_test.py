#!/usr/bin/env python3
"""Web streaming render test: stream_demo's web build in headless chromium streams the demo
world from nginx on 127.0.0.1 (its own config file, `daemon off`, `limit_rate` throttling each
connection so refinement takes a few seconds, the CORS headers a page on another origin needs
for Range reads), once with WebGPU and once with WebGPU unavailable (WebGL2). The page reports
the streamer's progress in `window.layerwStream`; the canvas is captured over time:

- early: the first frames with every cell spawned and everything wanted at least at its
  coarsest level, while finer levels are still refining;
- final: once streaming has been complete for a few frames.

Checks, per browser: the backend; coarse first (levels refining at the early capture, then
complete, no error); the early capture differs from the final one (normalised RMSE over
0.015); the final one matches the native render of the same view (stream_demo --headless from
the pack's files, waited for complete) within the web render test's tolerance (RMSE under
0.02: rasterisers differ in MSAA resolve, shadow filtering and sRGB rounding); the bytes the
page says it fetched are the bytes nginx's access log shows for the blobs' ranges, and no more
than the blobs hold.

Screenshots go to target/layerw-test/web-stream-{native,<browser>-early,<browser>-<n>,
<browser>-final}.png, nginx's access logs to web-stream-<browser>-access.log.

Usage: scripts/web_stream_render_test.py PATH/TO/stream_demo PACK_DIR [WEB_DIR]
(the pack is made by `stream_demo --make-pack PACK_DIR`; WEB_DIR defaults to
target/web/stream_demo, made by scripts/web.sh stream_demo)
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

DEMO = os.path.abspath(sys.argv[1])
PACK = os.path.abspath(sys.argv[2])
web_test.WEB_DIR = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else
                                   os.path.join(web_test.ROOT, "target", "web", "stream_demo"))
OUT = web_test.OUT
# The web render test's tolerance (scripts/web_render_test.py).
TOLERANCE = 0.02
# Least RMSE between the early and the final capture (coarse meshes and low mips): four times
# the browser-against-native difference of the same finished frame (0.0038), since when the
# early capture lands depends on how fast the browser draws (software WebGL2: a few frames a
# second; measured 0.017 to 0.059 there, 0.044 to 0.087 on WebGPU).
COARSER_AT_LEAST = 0.015
# The most bytes between two levels that share a read (the streamer's read queue).
READ_GAP_AT_MOST = 8 << 10
# Bytes per second per connection.
# Slow enough (300 kB/s over 6 connections for a 3 MB pack) that the early capture is
# taken while levels still refine, even when a software WebGL2 draws few frames a second.
LIMIT_RATE = 50_000
MANIFEST = "manifest.lwpk"

NGINX_HTTP = """    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{
            limit_rate {rate};
            add_header Access-Control-Allow-Origin * always;
            add_header Access-Control-Allow-Headers Range always;
            add_header Access-Control-Expose-Headers "Content-Range, Content-Length" always;
            if ($request_method = OPTIONS) {{
                return 204;
            }}
        }}
    }}
"""


class Nginx(web_test.Nginx):
    """nginx on a free 127.0.0.1 port serving the pack, throttled; `stop()` ends it."""

    def __init__(self):
        super().__init__(NGINX_HTTP, root=PACK, rate=LIMIT_RATE)

    def blob_answers(self):
        """(status, body bytes the range asked for, bytes sent) of each GET of a blob."""
        answers = []
        for status, sent, rng, method, uri in self.access():
            if method != "GET" or uri.endswith(MANIFEST):
                continue
            first, last = rng.removeprefix("bytes=").split("-")
            answers.append((status, int(last) - int(first) + 1, sent))
        return answers



def rmse(a, b):
    out = subprocess.run(["compare", "-metric", "RMSE", a, b, "null:"],
                         capture_output=True, text=True)
    # "1234.5 (0.0188)": the normalised value is in parentheses.
    text = out.stderr.strip()
    return float(text.split("(")[1].rstrip(")")) if "(" in text else 1.0


def capture(web, path):
    canvas = web.session_call("POST", "/element", {"using": "css selector",
                                                    "value": "#layerw-canvas"})
    element = next(iter(canvas.values()))
    png = base64.b64decode(web.session_call("GET", f"/element/{element}/screenshot"))
    with open(path, "wb") as f:
        f.write(png)
    return path


def blob_bytes():
    return sum(os.path.getsize(os.path.join(PACK, n)) for n in os.listdir(PACK) if n != MANIFEST)


def run_browser(driver_port, http_port, name, flags, expected_backend, native):
    nginx = Nginx()
    web = web_test.WebDriver(driver_port, flags, headless_gpu=(name == "webgpu"))
    try:
        web.go(f"http://127.0.0.1:{http_port}/index.html"
               f"?pack=http://127.0.0.1:{nginx.port}/&no-overlay")
        early, early_state, state, shots = None, None, None, 0
        deadline = time.time() + 240
        while time.time() < deadline:
            error = web.js("return window.layerwError || null;")
            if error:
                web_test.check(False, f"{name}: the page failed: {error}")
                return
            text = web.js("return window.layerwStream || null;")
            if text:
                state = json.loads(text)
                if early is None and state["ready_frames"] >= 2 and not state["complete"]:
                    early = capture(web, os.path.join(OUT, f"web-stream-{name}-early.png"))
                    # Levels still refining after the capture: it shows a coarser frame.
                    early_state = json.loads(web.js("return window.layerwStream;"))
                elif early is not None and not state["complete"] and shots < 4:
                    # Frames while finer levels arrive, to look at.
                    shots += 1
                    capture(web, os.path.join(OUT, f"web-stream-{name}-{shots}.png"))
                if state["complete_frames"] >= 3:
                    break
            time.sleep(0.25)
        web_test.check(state is not None and state["complete_frames"] >= 3,
                       f"{name}: streaming completes in the browser ({state})")
        if state is None:
            return
        web_test.check(state["backend"] == expected_backend,
                       f"{name}: backend {state['backend']} (expected {expected_backend})")
        final = capture(web, os.path.join(OUT, f"web-stream-{name}-final.png"))
        web_test.check(state["last_error"] == "" and state["entities"] > 16
                       and state["cells_loaded"] == 16,
                       f"{name}: 16 cells and {state['entities']} entities streamed, "
                       f"no error ({state['last_error']!r})")
        web_test.check(early_state is not None and early_state["refining"] > 0,
                       f"{name}: coarse first: levels refining at the early capture "
                       f"({early_state and early_state['refining']})")
        dump = os.path.join(OUT, f"web-stream-{name}-access.log")
        shutil.copy(os.path.join(nginx.scratch, "access.log"), dump)
        if early is not None:
            coarse = rmse(early, final)
            web_test.check(coarse > COARSER_AT_LEAST,
                           f"{name}: the early capture is coarser (RMSE {coarse:.4f} "
                           f"> {COARSER_AT_LEAST} against the final one)")
        score = rmse(final, native)
        web_test.check(score < TOLERANCE,
                       f"{name}: the final frame matches the native render "
                       f"(RMSE {score:.4f} < {TOLERANCE})")
        # nginx logs a request when it ends: every read has (streaming is complete).
        answers = nginx.blob_answers()
        asked = sum(a[1] for a in answers)
        # A fixed view cancels nothing, so every read nginx answered is one the streamer made
        # (a read fetched twice would show here: the browser's HTTP cache once did that).
        # Levels a few KiB apart in one blob share a read (the gap is read and dropped).
        web_test.check(all(a[0] == "206" and a[2] >= a[1] for a in answers)
                       and len(answers) == state["reads"] < state["requests"]
                       and state["cancelled"] == 0,
                       f"{name}: {state['requests']} levels in {state['reads']} blob reads, "
                       f"{state['cancelled']} cancelled, each a whole range answer "
                       f"({len(answers)} in nginx's log, {dump})")
        gaps = READ_GAP_AT_MOST * (state["requests"] - state["reads"])
        web_test.check(state["bytes_fetched"] <= asked <= state["bytes_fetched"] + gaps
                       and 0 < asked <= blob_bytes(),
                       f"{name}: {state['bytes_fetched']} bytes fetched, nginx sent "
                       f"{asked} for the blob ranges, the blobs hold {blob_bytes()}")
    finally:
        web.quit()
        nginx.stop()


def main():
    native = os.path.join(OUT, "web-stream-native.png")
    subprocess.run([DEMO, "--pack", PACK, "--headless", "--no-overlay",
                    "--screenshot-complete", native], check=True,
                   stdout=subprocess.DEVNULL)
    server, http_port = web_test.serve()
    driver, driver_port = web_test.start_driver()
    try:
        run_browser(driver_port, http_port, "webgpu", web_test.WEBGPU_FLAGS, "BrowserWebGpu",
                    native)
        run_browser(driver_port, http_port, "webgl2", web_test.WEBGL_FLAGS, "Gl", native)
    finally:
        driver.kill()
        server.shutdown()
    if web_test.failures:
        print(f"web stream render test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web stream render test: all checks passed")


if __name__ == "__main__":
    main()
