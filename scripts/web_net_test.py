#!/usr/bin/env python3
"""Web multiplayer test: net_arena's web build in headless chromium, playing on a native
net_arena server together with a native headless client.

Starts `net_arena --server` on 127.0.0.1 (an ephemeral port, read from its first line), gets a
connect token with `net_arena --token`, serves the web build on 127.0.0.1 and opens
index.html?server=...&token=... in headless chromium through chromedriver (WebGL2, then
WebGPU). Once the page reports `window.layerwNet.connected`, a native `net_arena --connect
--headless` client joins as another client id; then the test holds "d" for 1.5 s through
WebDriver key actions and checks that
  (a) the page's own player moved right (as far as the wall allows),
  (b) the native client sees the web player move the same way,
  (c) nobody disconnected: the page, the native client (which exits 0 only if still connected)
      and the server's log.
Page screenshots go to target/layerw-test/web-net-arena-*.png. Everything started here is
stopped in `finally`, within bounded time.

Usage: scripts/web_net_test.py PATH/TO/net_arena [WEB_DIR]   (builds nothing itself)
"""
import base64
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)

BIN = os.path.abspath(sys.argv[1])
web_test.WEB_DIR = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                                   os.path.join(web_test.ROOT, "target", "web", "net_arena"))
OUT = web_test.OUT
check = web_test.check
# The arena's walls stop players at x = 9.5 (game.rs: ARENA_HALF - PLAYER_HALF); spawns are
# within 9 m of the centre, so a player always has at least 0.5 m to walk right.
WALL_X = 9.5
# At 5 m/s, 1.5 s of "d" walks 7.5 m; ask for 2 m (or the wall), a quarter of it.
EXPECTED_WALK = 2.0


class Process:
    """A child process whose output lines are collected by a thread (pipes never fill)."""

    def __init__(self, name, args):
        self.name = name
        self.lines = []
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, predicate, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                if predicate(line):
                    return line
            if self.proc.poll() is not None and not self.thread.is_alive():
                break
            time.sleep(0.05)
        return None

    def reports(self):
        """The JSON lines printed so far."""
        out = []
        for line in list(self.lines):
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def stop(self, timeout=5):
        """Ends the process (politely, then not) and returns its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self.thread.join(timeout)
        return self.proc.returncode

    def dump(self):
        print(f"---- {self.name} output ----")
        for line in self.lines[-40:]:
            print("  " + line)


def page_json(web, name):
    """The JSON the page keeps in `window.<name>`, parsed (None before the first frame)."""
    text = web.js(f"return window.{name} || null;")
    return json.loads(text) if text else None


def net_state(web):
    return page_json(web, "layerwNet")


def wait_page(web, predicate, timeout, name="layerwNet"):
    """Waits until the page's `window.<name>` state satisfies predicate; None if the page
    failed, else the last state seen."""
    deadline = time.time() + timeout
    state = None
    while time.time() < deadline:
        error = web.js("return window.layerwError || null;")
        if error:
            check(False, f"the page failed: {error}")
            return None
        state = page_json(web, name)
        if state is not None and predicate(state):
            return state
        time.sleep(0.1)
    return state


def hold_key(web, key, millis):
    """Holds `key` for `millis` ms through WebDriver key actions (real key events in the
    page, to the focused canvas), then releases every key."""
    web.session_call("POST", "/actions", {"actions": [{
        "type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key},
            {"type": "pause", "duration": millis},
            {"type": "keyUp", "value": key}]}]})
    web.session_call("DELETE", "/actions")


def web_player(report, client_id):
    for player in report.get("players", []):
        if player["id"] == client_id:
            return player
    return None


def run_browser(name, flags, backend, driver_port, http_port, server, server_url, web_id,
                native_id):
    token = subprocess.run([BIN, "--token", str(web_id)], capture_output=True, text=True,
                           timeout=30, check=True).stdout.strip()
    query = urllib.parse.urlencode({"server": server_url, "token": token})
    web = web_test.WebDriver(driver_port, flags, headless_gpu=(name == "webgpu"))
    native = None
    try:
        # &lite: no MSAA, no shadows: SwiftShader then draws enough frames per second for the
        # client's fixed steps to keep up with real time.
        web.go(f"http://127.0.0.1:{http_port}/index.html?{query}&lite")
        state = wait_page(web, lambda s: s["connected"] and s["position"] is not None
                          and s["backend"] is not None, 90)
        check(state is not None and state["connected"] and state["client_id"] == web_id,
              f"{name}: the page connected as client {web_id} ({state})")
        if not state or not state["connected"] or state["position"] is None:
            return
        check(state["backend"] == backend,
              f"{name}: renderer backend {state['backend']} (expected {backend})")
        check(state["items"] > 0, f"{name}: the page sees {state['items']} items")
        native = Process(f"native client {native_id}", [
            BIN, "--connect", server_url, "--client-id", str(native_id),
            # Long enough to outlive the settling below on a loaded machine (a slow page's
            # player can still be walking when a shorter-lived client has printed its last).
            "--headless", "--seconds", "24"])
        seen = native.wait_line(lambda line: line.startswith("{") and
                                web_player(json.loads(line), web_id) is not None, 20)
        check(seen is not None, f"{name}: the native client sees the web player")
        state = wait_page(web, lambda s: web_player(s, native_id) is not None, 10)
        check(state is not None and web_player(state, native_id) is not None,
              f"{name}: the page sees the native player")
        if seen is None or state is None:
            return
        start = state["position"]
        seen_start = web_player(native.reports()[-1], web_id)["position"]
        web.js("document.getElementById('layerw-canvas').focus();")
        check(web.js("return document.activeElement.id;") == "layerw-canvas",
              f"{name}: the canvas has the keyboard focus")
        hold_key(web, "d", 1500)
        expected = min(EXPECTED_WALK, WALL_X - start[0] - 0.01)
        state = wait_page(web, lambda s: s["position"][0] - start[0] >= expected, 5)
        walked = state["position"][0] - start[0] if state else 0.0
        drift = abs(state["position"][2] - start[2]) if state else 0.0
        check(walked >= expected and drift < 0.01,
              f"{name}: (a) the page's player walked right {walked:.2f} m (at least "
              f"{expected:.2f}), {drift:.3f} m sideways")
        # The native client prints once a second: wait for a line showing the walk.
        reached = native.wait_line(
            lambda line: line.startswith("{") and (web_player(json.loads(line), web_id) or {})
            .get("position", [0])[0] - seen_start[0] >= expected - 0.01, 6)
        moved = web_player(native.reports()[-1], web_id)
        check(reached is not None,
              f"{name}: (b) the native client saw the web player walk right from "
              f"x={seen_start[0]:.2f} to x={moved and moved['position'][0]:.2f}")
        # Once the key is up, the page's own player (predicted, corrected by the server) and
        # the native client's view of it (the server's, interpolated) settle on one place.
        settled = None
        deadline = time.time() + 8
        while time.time() < deadline and settled is None:
            page = net_state(web)
            last = web_player(native.reports()[-1], web_id)
            if page and last and abs(page["position"][0] - last["position"][0]) < 0.01:
                settled = (page["position"][0], last["position"][0])
            time.sleep(0.2)
        check(settled is not None,
              f"{name}: the page and the native client agree on the web player's place "
              f"({settled or (page and page['position'], last and last['position'])})")
        path = web.screenshot(f"net-arena-{name}")
        print(f"      screenshot: {path}")
        canvas = web.session_call("POST", "/element", {"using": "css selector",
                                                        "value": "#layerw-canvas"})
        element = next(iter(canvas.values()))
        png = base64.b64decode(web.session_call("GET", f"/element/{element}/screenshot"))
        with open(os.path.join(OUT, f"web-net-arena-{name}-canvas.png"), "wb") as f:
            f.write(png)
        # (c) Still connected everywhere.
        state = net_state(web)
        check(state is not None and state["connected"] and state["disconnect"] is None,
              f"{name}: (c) the page is still connected (corrections {state and state['corrections']}, "
              f"rtt {state and state['rtt_ms']} ms)")
        code = None
        try:
            code = native.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        reports = native.reports()
        check(code == 0 and reports and all(r["connected"] for r in reports[1:]),
              f"{name}: (c) the native client stayed connected to its end (exit {code}, "
              f"{len(reports)} reports)")
        joins = [line for line in server.lines if f"client {web_id} connected" in line]
        drops = [line for line in server.lines if f"client {web_id} disconnected" in line]
        check(len(joins) == 1 and not drops,
              f"{name}: (c) the server saw the page join once and never drop ({joins + drops})")
    finally:
        web.quit()
        if native is not None:
            native.stop()
            native.dump()


def main():
    server = Process("server", [BIN, "--server", "--addr", "127.0.0.1:0", "--seconds", "600"])
    http = driver = None
    try:
        first = server.wait_line(lambda line: "server on ws://" in line, 30)
        check(first is not None, f"the server started ({first})")
        if first is None:
            return
        server_url = first.split("server on ")[1].split(" ")[0]
        http, http_port = web_test.serve()
        driver, driver_port = web_test.start_driver()
        run_browser("webgl2", web_test.WEBGL_FLAGS, "Gl", driver_port, http_port, server,
                    server_url, 1, 2)
        run_browser("webgpu", web_test.WEBGPU_FLAGS, "BrowserWebGpu", driver_port, http_port,
                    server, server_url, 3, 4)
    finally:
        if driver is not None:
            driver.kill()
            driver.wait(10)
        if http is not None:
            http.shutdown()
        code = server.stop()
        server.dump()
        print(f"server exit code {code}")
    if web_test.failures:
        print(f"web net test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web net test: all checks passed")


if __name__ == "__main__":
    main()
