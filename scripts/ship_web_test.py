#!/usr/bin/env python3
"""Plays a shipped web build (scripts/ship.sh web) as a visitor would get it: nginx on
127.0.0.1 serves dist/web with the server block of docs/shipping-nginx.conf (brotli_static and
gzip_static), headless chromium (WebGL2 on SwiftShader) opens index.html?trace, and the test
checks that

* the page starts and its canvas shows a frame (not one flat colour; for render_demo also its
  own count of frames drawn),
* nothing reached the console as an error,
* the wasm and the JS glue came as their .br files: nginx's log says Content-Encoding br,
  Content-Type application/wasm / text/javascript, and fewer bytes sent than the raw file,
  and the page saw `Content-Encoding: br` on the wasm's response; asked directly, nginx
  answers br, gzip and identity requests with the .br, .gz and raw bytes and `Vary`,
* the loading bar reached the end (it counts the decompressed bytes against the raw size),
* window.layerwTrace() gives a Blob of Trace Event Format JSON with frame, stage and system
  spans, each stage inside a frame (the download link is shown).

Usage: scripts/ship_web_test.py [DIST_WEB] [EXAMPLE]   (defaults dist/web, render_demo)
Screenshots go to target/layerw-test/ship-web*.png.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the WebDriver and chromedriver helpers)

DIST = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(web_test.ROOT, "dist", "web"))
EXAMPLE = sys.argv[2] if len(sys.argv) > 2 else "render_demo"
SNIPPET = os.path.join(web_test.ROOT, "docs", "shipping-nginx.conf")
BROTLI_MODULE = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"
OUT = web_test.OUT


class Nginx:
    """nginx with the documented server block on a free port; `stop()` ends it."""

    def __init__(self):
        self.scratch = tempfile.mkdtemp(prefix="layerw-ship-nginx-")
        self.port = web_test.free_port()
        with open(SNIPPET) as f:
            server = f.read()
        for documented, here in [("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{self.port};"),
                                 ("root /srv/layerw/dist/web;", f"root {DIST};")]:
            assert documented in server, f"{SNIPPET} no longer says {documented}"
            server = server.replace(documented, here)
        head = web_test.NGINX_HEAD.format(s=self.scratch).replace(
            "log_format layerw '$status $bytes_sent \"$http_range\" $request_method $request_uri';",
            "log_format layerw '$status $bytes_sent $request_uri \"$sent_http_content_encoding\" "
            "\"$sent_http_content_type\"';")
        conf = f"load_module {BROTLI_MODULE};\n" + head + server + "}\n"
        path = os.path.join(self.scratch, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [binary, "-p", self.scratch, "-c", path, "-e", os.path.join(self.scratch, "error.log")],
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

    def read(self, name):
        try:
            with open(os.path.join(self.scratch, name)) as f:
                return f.read()
        except OSError:
            return ""

    def answers(self):
        """{URI path: (status, bytes sent, Content-Encoding, Content-Type)} of the log's first
        answer to each path (chromium's, before the test's own requests)."""
        result = {}
        for line in self.read("access.log").splitlines():
            status, sent, uri, rest = line.split(" ", 3)
            encoding, ctype = [part.strip('"') for part in rest.split('" "')]
            result.setdefault(uri.split("?")[0], (status, int(sent), encoding, ctype))
        return result

    def stop(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


def flat(png):
    """Whether an image is one colour (ImageMagick's standard deviation of all channels)."""
    out = subprocess.run(["identify", "-format", "%[fx:standard_deviation]", png],
                         capture_output=True, text=True)
    return float(out.stdout.strip() or 0) < 0.01


def check_trace(text):
    trace = json.loads(text)
    events = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    frames = [e for e in events if e["cat"] == "frame"]
    stages = [e for e in events if e["cat"] == "stage"]
    systems = [e for e in events if e["cat"] == "system"]
    web_test.check(len(frames) > 0 and len(stages) > 0 and len(systems) > 0,
                   f"trace: {len(frames)} frames, {len(stages)} stages, {len(systems)} systems")
    inside = lambda e, f: e["ts"] >= f["ts"] and e["ts"] + e["dur"] <= f["ts"] + f["dur"]
    web_test.check(all(any(inside(s, f) for f in frames) for s in stages),
                   "trace: every stage lies inside a frame")
    web_test.check(all(any(inside(s, st) for st in stages) for s in systems),
                   "trace: every system lies inside a stage")
    names = sorted({s["name"] for s in stages})
    web_test.check("render" in names, f"trace: stages {names}")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in ["index.html", f"{EXAMPLE}.js", f"{EXAMPLE}_bg.wasm"]:
        for suffix in ["", ".br", ".gz"]:
            web_test.check(os.path.isfile(os.path.join(DIST, name + suffix)),
                           f"dist has {name}{suffix}")
    nginx = Nginx()
    driver, driver_port = web_test.start_driver()
    web = web_test.WebDriver(driver_port, web_test.WEBGL_FLAGS)
    try:
        web.go(f"http://127.0.0.1:{nginx.port}/index.html?trace")
        deadline = time.time() + 120
        started = None
        while time.time() < deadline:
            error = web.js("return window.layerwError || null;")
            if error:
                web_test.check(False, f"the page failed: {error}")
                return
            if web.js("return window.layerwStarted === true;"):
                started = started or time.time()
                drawn = web.js("return window.layerwRender ? JSON.parse(window.layerwRender).frames : null;")
                # render_demo counts its frames; another game gets a few seconds to draw.
                if (drawn is not None and drawn >= 10) or (drawn is None and time.time() - started > 5):
                    break
            time.sleep(0.25)
        web_test.check(started is not None, "the page started")
        shot = web.screenshot("ship")
        web_test.check(not flat(shot), f"the canvas shows a frame ({shot})")
        errors = web.js("return window.layerwConsoleErrors;")
        web_test.check(errors == [], f"no console errors: {errors}")
        web_test.check(web.js("return window.layerwWasmEncoding;") == "br",
                       "the page's wasm response says Content-Encoding: br")
        received = web.js("return window.layerwWasmReceived || 0;")
        raw_wasm = os.path.getsize(os.path.join(DIST, f"{EXAMPLE}_bg.wasm"))
        gone = web.js("return document.getElementById('loading') === null;")
        web_test.check(received == raw_wasm and gone,
                       f"the loading bar counted {received} of {raw_wasm} bytes and made way for the game")

        answers = nginx.answers()
        for name, ctype in [(f"{EXAMPLE}_bg.wasm", "application/wasm"),
                            (f"{EXAMPLE}.js", "text/javascript"),
                            ("index.html", "text/html")]:
            status, sent, encoding, served_type = answers.get(f"/{name}", ("none", 0, "", "", ""))
            raw = os.path.getsize(os.path.join(DIST, name))
            br = os.path.getsize(os.path.join(DIST, name + ".br"))
            web_test.check(status == "200" and encoding == "br" and served_type.startswith(ctype),
                           f"{name} to chromium: {status}, Content-Encoding {encoding!r}, "
                           f"Content-Type {served_type!r}")
            web_test.check(br <= sent < raw,
                           f"{name}: {sent} bytes sent for {br} bytes of .br, {raw} raw")

        # nginx writes Vary itself after its log variables are set: ask it directly, and for
        # the gzip and identity variants too.
        for name in [f"{EXAMPLE}_bg.wasm", "index.html"]:
            for accept, expected in [("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)]:
                request = urllib.request.Request(f"http://127.0.0.1:{nginx.port}/{name}",
                                                 headers={"Accept-Encoding": accept})
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = response.read()
                    headers = response.headers
                suffix = {"br": ".br", "gzip": ".gz", None: ""}[expected]
                with open(os.path.join(DIST, name + suffix), "rb") as f:
                    same = f.read() == body
                web_test.check(headers.get("Content-Encoding") == expected and same
                               and headers.get("Vary") == "Accept-Encoding",
                               f"{name} for Accept-Encoding {accept!r}: Content-Encoding "
                               f"{headers.get('Content-Encoding')}, the {name + suffix} bytes: "
                               f"{same}, Vary {headers.get('Vary')}")

        text = web.js_async("""
            const done = arguments[arguments.length - 1];
            if (typeof window.layerwTrace !== "function") { done(null); return; }
            window.layerwTrace().text().then(done, (e) => done(null));
        """)
        web_test.check(text is not None, "window.layerwTrace() gives a Blob")
        if text:
            check_trace(text)
        web_test.check(web.js("return getComputedStyle(document.getElementById('trace')).display;") == "block",
                       "the trace download link is shown")
    finally:
        web.quit()
        driver.kill()
        driver.wait()
        nginx.stop()
    if web_test.failures:
        print(f"ship_web_test: {len(web_test.failures)} failed")
        sys.exit(1)
    print("ship_web_test: passed")


if __name__ == "__main__":
    main()
