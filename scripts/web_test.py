#!/usr/bin/env python3
"""Web test, for real: the input_playground web build in headless chromium.

Serves target/web/input_playground on 127.0.0.1, drives Debian's chromium through chromedriver
(WebDriver over HTTP, no client library), dispatches DOM keyboard and pointer events to the
canvas, replaces navigator.getGamepads with a synthetic standard-mapping pad, and checks through
window.layerwState (the example's JSON state, published every frame) that the app sees the
input and the actions change the game. Screenshots go to target/layerw-test/web-*.png.

Usage: scripts/web_test.py [WEB_DIR]
"""
import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB_DIR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(ROOT, "target", "web", "input_playground"))
OUT = os.path.join(ROOT, "target", "layerw-test")
os.makedirs(OUT, exist_ok=True)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What every nginx of the tests shares: one process, the scratch folder's pid, logs and temp
# paths, and an access log of "status bytes_sent "range" method uri" lines (Nginx.access).
NGINX_HEAD = """daemon off;
master_process off;
worker_processes 1;
pid {s}/nginx.pid;
error_log {s}/error.log warn;
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    log_format layerw '$status $bytes_sent "$http_range" $request_method $request_uri';
    access_log {s}/access.log layerw;
    client_body_temp_path {s}/client_body;
    proxy_temp_path {s}/proxy;
    fastcgi_temp_path {s}/fastcgi;
    uwsgi_temp_path {s}/uwsgi;
    scgi_temp_path {s}/scgi;
"""


class Nginx:
    """nginx on a free 127.0.0.1 port with its own config file (one process, `daemon off`) in
    a scratch folder. `http` is what the config's http block adds to NGINX_HEAD (its servers),
    with `{s}` (the scratch folder), `{port}` and `fields` filled in. `stop()` ends it and
    removes the folder."""

    def __init__(self, http, **fields):
        conf = NGINX_HEAD + http + "}}\n"
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.scratch = tempfile.mkdtemp(prefix="layerw-nginx-")
        self.port = free_port()
        path = os.path.join(self.scratch, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf.format(s=self.scratch, port=self.port, **fields))
        self.process = subprocess.Popen(
            [binary, "-p", self.scratch, "-c", path, "-e",
             os.path.join(self.scratch, "error.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        error = self.read("error.log")
        self.stop()
        raise RuntimeError(f"nginx did not start: {error}")

    def access(self):
        """The access log's requests: (status, bytes sent, "Range" header, method, URI)."""
        for line in self.read("access.log").splitlines():
            status, sent, rng, method, uri = line.split(" ", 4)
            yield status, int(sent), rng.strip('"'), method, uri

    def read(self, name):
        """A file of the scratch folder (its logs), or "" when there is none."""
        try:
            with open(os.path.join(self.scratch, name)) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, *args):
        pass


# Headless chromium with WebGPU (SwiftShader Vulkan; the GPU process must stay on), and with
# WebGL2 only (ANGLE on SwiftShader). See ../shared/toolchain.md.
WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader",
                "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
WEBGL_FLAGS = ["--disable-gpu", "--enable-unsafe-swiftshader"]


def serve():
    port = free_port()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=WEB_DIR))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, port


class WebDriver:
    def __init__(self, port, extra_args=(), headless_gpu=False):
        """`headless_gpu`: leave the GPU process on (WebGPU needs it; see toolchain.md)."""
        self.base = f"http://127.0.0.1:{port}"
        profile = tempfile.mkdtemp(prefix="layerw-chromium-")
        gpu = [] if headless_gpu else ["--disable-gpu"]
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", *gpu,
                     "--window-size=1100,800",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic",
                     f"--user-data-dir={profile}", *extra_args]}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]

    def session_call(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def go(self, url):
        self.session_call("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.session_call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.session_call("POST", "/execute/async", {"script": script, "args": list(args)})

    def screenshot(self, name):
        png = base64.b64decode(self.session_call("GET", "/screenshot"))
        path = os.path.join(OUT, f"web-{name}.png")
        with open(path, "wb") as f:
            f.write(png)
        return path

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        except Exception:
            pass


def hidpi(web, port):
    """A second browser at device scale 2: physical pixels double, the scale is reported."""
    web.go(f"http://127.0.0.1:{port}/index.html")
    s = wait_for(web, lambda s: s["frame"] > 2 and s["surface"] is not None)
    check(s is not None and s["scale"] == 2.0 and s["window"] == [1920, 1080]
          and s["surface"] == [1920, 1080],
          f"device scale 2: scale {s and s['scale']}, window {s and s['window']}")


def start_driver():
    """Starts chromedriver on a free port and waits until it answers: (process, port)."""
    port = free_port()
    driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return driver, port


def main():
    server, http_port = serve()
    driver, driver_port = start_driver()
    try:
        web = WebDriver(driver_port)
        try:
            run(web, http_port)
        finally:
            web.quit()
        web = WebDriver(driver_port, ["--force-device-scale-factor=2"])
        try:
            hidpi(web, http_port)
        finally:
            web.quit()
    finally:
        driver.kill()
        server.shutdown()
    if failures:
        print(f"web test: {len(failures)} check(s) failed")
        sys.exit(1)
    print("web test: all checks passed")


def state(web):
    text = web.js("return window.layerwState || null;")
    return json.loads(text) if text else None


def wait_for(web, predicate, timeout=20.0):
    deadline = time.time() + timeout
    s = None
    while time.time() < deadline:
        s = state(web)
        if s is not None and predicate(s):
            return s
        error = web.js("return window.layerwError || null;")
        if error:
            raise SystemExit(f"the page failed: {error}")
        time.sleep(0.05)
    return s


KEY = """
const [type, code, key] = arguments;
const canvas = document.getElementById('layerw-canvas');
canvas.focus();
canvas.dispatchEvent(new KeyboardEvent(type, {code, key, bubbles: true, cancelable: true}));
"""

POINTER = """
const [type, x, y, buttons] = arguments;
const canvas = document.getElementById('layerw-canvas');
const rect = canvas.getBoundingClientRect();
const pointerType = arguments[4] || 'mouse';
const init = {
    clientX: rect.left + x, clientY: rect.top + y, movementX: 3, movementY: 4,
    pointerId: pointerType === 'mouse' ? 1 : 7, pointerType,
    isPrimary: true, button: type === 'pointermove' ? -1 : 0, buttons,
    bubbles: true, cancelable: true};
// Browsers batch moves into coalesced events and winit reads those: a synthetic move carries
// itself as its one coalesced event, as a real one does.
const coalesced = type === 'pointermove' ? [new PointerEvent(type, init)] : [];
canvas.dispatchEvent(new PointerEvent(type, {...init, coalescedEvents: coalesced}));
"""

# A synthetic pad in the standard mapping, controlled by window.fakePad.
GAMEPAD = """
const buttons = Array.from({length: 17}, () => ({pressed: false, touched: false, value: 0}));
window.fakePad = {id: 'Synthetic standard pad', index: 0, connected: true, mapping: 'standard',
                  timestamp: 0, buttons, axes: [0, 0, 0, 0]};
navigator.getGamepads = () => [window.fakePad, null, null, null];
"""


def run(web, port):
    web.go(f"http://127.0.0.1:{port}/index.html")
    s = wait_for(web, lambda s: s["frame"] > 2 and s["surface"] is not None)
    check(s is not None, "the app starts in the page and publishes its state")
    if s is None:
        return
    check(s["window"] == [960, 540] and s["surface"] == [960, 540],
          f"the canvas is the window: {s['window']} surface {s['surface']}")
    check(s["viewport"] == [0.0, 0.0, 960.0, 540.0], f"viewport {s['viewport']}")
    check(s["pads"] == [], "no gamepad is not an error")

    # Keyboard: hold D, then Space.
    start_x = s["player"][0]
    web.js(KEY, "keydown", "KeyD", "d")
    s = wait_for(web, lambda s: "KeyD" in s["keys"])
    check("KeyD" in s["keys"], "a DOM keydown is a held key")
    time.sleep(0.4)
    web.js(KEY, "keyup", "KeyD", "d")
    s = wait_for(web, lambda s: "KeyD" not in s["keys"])
    check(s["player"][0] > start_x + 50, f"D moved the player: {start_x} -> {s['player'][0]}")
    web.js(KEY, "keydown", "Space", " ")
    web.js(KEY, "keyup", "Space", " ")
    s = wait_for(web, lambda s: s["jumps"] == 1)
    check(s["jumps"] == 1, "Space jumps")

    # Mouse: move and click at canvas (480, 270), the centre: internal (640, 360).
    web.js(POINTER, "pointermove", 480, 270, 0)
    s = wait_for(web, lambda s: s["mouse"] == [480.0, 270.0])
    check(s["mouse_internal"] == [640.0, 360.0],
          f"pointer position maps to internal pixels: {s['mouse']} -> {s['mouse_internal']}")
    check(s["motion_total"] > 0, f"pointer motion arrives: {s['motion_total']}")
    web.js("document.getElementById('layerw-canvas').dispatchEvent(new WheelEvent('wheel', "
           "{deltaY: 120, deltaMode: 0, bubbles: true, cancelable: true}));")
    s = wait_for(web, lambda s: s["wheel_total"][1] != 0)
    check(s["wheel_total"][1] < 0, f"the wheel turns: {s['wheel_total']}")
    web.js(POINTER, "pointerdown", 480, 270, 1)
    web.js(POINTER, "pointerup", 480, 270, 0)
    s = wait_for(web, lambda s: len(s["shots"]) == 1)
    check(s["shots"] == [[640.0, 360.0]], f"a click fires at the cursor: {s['shots']}")

    # Touch: a finger down, then up.
    web.js(POINTER, "pointerdown", 100, 100, 1, "touch")
    s = wait_for(web, lambda s: s["touches"] == 1)
    check(s["touches"] == 1, "a touch pointer is a touch")
    web.js(POINTER, "pointerup", 100, 100, 0, "touch")
    s = wait_for(web, lambda s: s["touches"] == 0)
    check(s["touches"] == 0, "the touch ends")

    # Gamepad: connect, South, left stick, right trigger.
    web.js(GAMEPAD)
    s = wait_for(web, lambda s: len(s["pads"]) == 1)
    check(len(s["pads"]) == 1 and s["pads"][0]["name"] == "Synthetic standard pad",
          f"the synthetic pad connects: {s['pads']}")
    web.js("fakePad.buttons[0] = {pressed: true, touched: true, value: 1};")
    s = wait_for(web, lambda s: s["jumps"] == 2)
    check(s["jumps"] == 2 and "South" in s["pads"][0]["pressed"], "pad South button jumps")
    web.js("fakePad.buttons[0] = {pressed: false, touched: false, value: 0};"
           "fakePad.axes[0] = 1.0; fakePad.axes[1] = -1.0;")  # right and up (web y points down)
    s = wait_for(web, lambda s: s["actions"]["move"]["pressed"])
    move = s["actions"]["move"]["value"]
    check(move[0] > 0.6 and move[1] > 0.6, f"left stick moves right and up: {move}")
    web.js("fakePad.axes[0] = 0.05; fakePad.axes[1] = 0.0;")  # inside the deadzone
    s = wait_for(web, lambda s: not s["actions"]["move"]["pressed"])
    check(s["actions"]["move"]["value"] == [0.0, 0.0], "a stick in its deadzone reads zero")
    web.js("fakePad.buttons[7] = {pressed: true, touched: true, value: 0.9};")
    s = wait_for(web, lambda s: len(s["shots"]) == 2)
    check(len(s["shots"]) == 2 and s["pads"][0]["triggers"][1] > 0.8,
          f"right trigger fires (trigger {s['pads'][0]['triggers']})")
    web.screenshot("playground")
    web.js("window.secondPad = {...fakePad, id: 'Second pad', index: 1, axes: [0, 0, 0, 0],"
           "  buttons: fakePad.buttons.map(() => ({pressed: false, touched: false, value: 0}))};"
           "secondPad.buttons[3] = {pressed: true, touched: true, value: 1};"
           "navigator.getGamepads = () => [window.fakePad, window.secondPad, null, null];")
    s = wait_for(web, lambda s: len(s["pads"]) == 2)
    check([p["name"] for p in s["pads"]] == ["Synthetic standard pad", "Second pad"]
          and s["pads"][1]["pressed"] == ["North"], "a second pad, read independently")
    web.js("navigator.getGamepads = () => [null, null, null, null];")
    s = wait_for(web, lambda s: s["pads"] == [])
    check(s["pads"] == [], "the pad disconnects")

    # Resize the canvas: the window, surface and mapping follow.
    web.js("document.getElementById('layerw-canvas').style.width = '480px';"
           "document.getElementById('layerw-canvas').style.height = '360px';")
    s = wait_for(web, lambda s: s["window"] == [480, 360] and s["surface"] == [480, 360])
    check(s["window"] == [480, 360] and s["surface"] == [480, 360],
          f"canvas resize: window and surface follow: {s['window']} {s['surface']}")
    check(s["viewport"] == [0.0, 45.0, 480.0, 270.0], f"letterboxed viewport: {s['viewport']}")
    web.screenshot("resized")

    # Hidden canvas: the app pauses (no frames), and resumes when shown again.
    web.js("document.getElementById('layerw-canvas').style.display = 'none';")
    time.sleep(0.5)
    before = state(web)["frame"]
    time.sleep(0.5)
    paused = state(web)["frame"]
    check(paused == before, f"hidden: no frames run ({before} -> {paused})")
    web.js("document.getElementById('layerw-canvas').style.display = 'block';")
    s = wait_for(web, lambda s: s["frame"] > paused + 5)
    check(s["frame"] > paused + 5 and s["visible"], "shown again: frames resume")

    # Trusted input (WebDriver actions count as user gestures, which pointer lock and
    # fullscreen require): click the canvas, then G grabs the cursor, F11 goes fullscreen.
    web.session_call("POST", "/actions", {"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [{"type": "pointerMove", "x": 100, "y": 100, "origin": "viewport"},
                    {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
    web.session_call("DELETE", "/actions")
    for key in ["g", "\uE03B"]:  # G, then F11
        web.session_call("POST", "/actions", {"actions": [{
            "type": "key", "id": "keyboard",
            "actions": [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]})
        web.session_call("DELETE", "/actions")
    s = wait_for(web, lambda s: s["grabbed"] and s["fullscreen"], timeout=10)
    locked = web.js("return document.pointerLockElement && document.pointerLockElement.id;")
    full = web.js("return document.fullscreenElement && document.fullscreenElement.id;")
    check(s["grabbed"] and locked == "layerw-canvas",
          f"G locks the pointer to the canvas (grabbed {s['grabbed']}, lock on {locked})")
    check(s["fullscreen"] and full == "layerw-canvas",
          f"F11 puts the canvas in fullscreen (state {s['fullscreen']}, element {full})")

    # A page without the canvas: the app creates one.
    web.go(f"http://127.0.0.1:{port}/bare.html")
    s = wait_for(web, lambda s: s["frame"] > 2 and s["surface"] is not None)
    created = web.js("const c = document.getElementById('layerw-canvas');"
                     "return c ? c.parentElement.tagName : null;")
    check(s is not None and created == "BODY",
          f"no canvas on the page: one is created in <body> ({created}, {s and s['surface']})")


if __name__ == "__main__":
    main()
