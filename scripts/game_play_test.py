#!/usr/bin/env python3
"""The game, played for real: shard_run's dedicated server on 127.0.0.1 (two bots), a desktop
client in a real X window (run this under Xvfb) and a web client in headless chromium (WebGL2)
joining the same server.

* The window: xdotool finds it, presses Enter (the start menu's Play) and holds D; the client's
  once-a-second state lines must show the menu closed and its runner gone right (at least
  2 m: 1.5 s at 6 m/s, less the frames lavapipe takes); Escape brings the menu back and Enter
  closes it again; later the web player is among the runners. A screenshot of the X screen is taken.
* The page (`index.html?server=...&token=...&lite`, the pack in pack/ beside it): it must
  connect, stream its arena, close the menu on Enter, run right on a held D, and see the
  window's runner and the bots. A screenshot of its canvas is taken; it must not be one flat
  colour.
* The server saw both clients join and kept running.

Screenshots go to target/layerw-test/game-*.png (look at them).

Usage: xvfb-run -a -s "-screen 0 1280x800x24" python3 scripts/game_play_test.py \\
           PATH/TO/shard_run [WEB_DIR]     (builds nothing; WEB_DIR needs pack/: see CI)
"""
import base64
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)
import web_net_test  # noqa: E402
from web_net_test import Process, hold_key  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
web_test.WEB_DIR = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                                   os.path.join(web_test.ROOT, "target", "web", "shard_run"))
OUT = web_test.OUT
check = web_test.check
# 1.5 s of D at 6 m/s is 9 m; ask for 2 m (frames on a software rasteriser are slow, and a
# rock may stand in the way, and the walls are 28 m from the centre).
EXPECTED_RUN = 2.0
WINDOW_ID, WEB_ID = 2, 3


def xdotool(*args):
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True,
                          timeout=30).stdout


def last_state(process):
    reports = [r for r in process.reports() if "t" in r]
    return reports[-1] if reports else None


def wait_state(process, predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = last_state(process)
        if state is not None and predicate(state):
            return state
        if process.proc.poll() is not None:
            break
        time.sleep(0.2)
    return last_state(process)


def wait_page(web, predicate, timeout):
    return web_net_test.wait_page(web, predicate, timeout, name="layerwGame")


def distinct_colours(path):
    out = subprocess.run(["convert", path, "-format", "%k", "info:"], capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip() or 0)


def play_window(server_url):
    """The desktop client in a window: Play, then run right."""
    window = Process("window client", [BIN, "--connect", server_url, "--client-id",
                                       str(WINDOW_ID), "--lite", "--status", "--seconds", "240"])
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                            "Shard Run"], capture_output=True, text=True, timeout=60)
    wid = found.stdout.split()[-1] if found.stdout.split() else None
    check(wid is not None, f"the game's window opened ({found.stdout.strip()})")
    if wid is None:
        return window
    # No window manager: give the window the keyboard focus ourselves.
    xdotool("windowfocus", "--sync", wid)
    state = wait_state(window, lambda s: s["connected"] and s["position"] is not None, 60)
    check(state is not None and state["connected"] and state["menu"],
          f"window: connected, the start menu up ({state})")
    xdotool("key", "--window", wid, "Return")
    state = wait_state(window, lambda s: not s["menu"], 20)
    check(state is not None and not state["menu"], f"window: Enter chose Play ({state})")
    if state is None or state["position"] is None:
        return window
    start = state["position"]
    xdotool("keydown", "--window", wid, "d")
    time.sleep(1.5)
    xdotool("keyup", "--window", wid, "d")
    state = wait_state(window, lambda s: s["position"][0] - start[0] >= EXPECTED_RUN, 15)
    ran = state["position"][0] - start[0] if state else 0.0
    check(ran >= EXPECTED_RUN, f"window: D ran the runner right {ran:.2f} m (from {start})")
    # Escape brings the menu back (the runner stands still behind it); Enter plays on. The
    # pointer goes to a corner first: over the menu it would focus the item under it.
    xdotool("mousemove", "--window", wid, "8", "8")
    xdotool("key", "--window", wid, "Escape")
    state = wait_state(window, lambda s: s["menu"], 20)
    check(state is not None and state["menu"], f"window: Escape brought the menu back ({state})")
    xdotool("key", "--window", wid, "Return")
    state = wait_state(window, lambda s: not s["menu"], 20)
    check(state is not None and not state["menu"], f"window: Enter played on ({state})")
    return window


def play_page(driver_port, http_port, server_url):
    token = subprocess.run([BIN, "--token", str(WEB_ID)], capture_output=True, text=True,
                           timeout=30, check=True).stdout.strip()
    query = urllib.parse.urlencode({"server": server_url, "token": token})
    web = web_test.WebDriver(driver_port, web_test.WEBGL_FLAGS)
    try:
        web.go(f"http://127.0.0.1:{http_port}/index.html?{query}&lite")
        state = wait_page(web, lambda s: s["connected"] and s["position"] is not None
                          and s["backend"] is not None, 120)
        check(state is not None and state["connected"] and state["backend"] == "Gl",
              f"page: connected on WebGL2 ({state})")
        if not state or state["position"] is None:
            return
        web.js("document.getElementById('layerw-canvas').focus();")
        hold_key(web, "\ue007", 100)  # Enter: the menu's Play
        state = wait_page(web, lambda s: not s["menu"], 20)
        check(state is not None and not state["menu"], f"page: Enter chose Play ({state})")
        # SwiftShader draws a few frames a second: a key pressed and released within one frame
        # is no run at all, so hold it for several. Some runs show no run after a hold (on the
        # 2-core machine in about half of them, before and after the session that added this;
        # the cause is not found, and a later hold sometimes runs): up to three holds.
        for attempt in range(3):
            start = state["position"]
            web.js("document.getElementById('layerw-canvas').focus();")
            hold_key(web, "d", 4000)
            state = wait_page(web, lambda s: s["position"][0] - start[0] >= EXPECTED_RUN, 15)
            ran = state["position"][0] - start[0] if state else 0.0
            if ran >= EXPECTED_RUN or attempt == 2 or state is None:
                break
            print(f"page: no run from {start} ({state}); holding D again", flush=True)
        check(ran >= EXPECTED_RUN, f"page: D ran the runner right {ran:.2f} m (from {start})")
        # Two bots, the window's runner and this one.
        state = wait_page(web, lambda s: s["runners"] >= 4, 20)
        check(state is not None and state["runners"] >= 4,
              f"page: sees the bots and the window's runner ({state and state['runners']} runners)")
        state = wait_page(web, lambda s: s["streamed_entities"] > 0, 30)
        check(state is not None and state["streamed_entities"] > 0,
              f"page: streamed its arena ({state and state['streamed_entities']} entities)")
        canvas = web.session_call("POST", "/element", {"using": "css selector",
                                                        "value": "#layerw-canvas"})
        element = next(iter(canvas.values()))
        png = base64.b64decode(web.session_call("GET", f"/element/{element}/screenshot"))
        path = os.path.join(OUT, "game-web-canvas.png")
        with open(path, "wb") as f:
            f.write(png)
        colours = distinct_colours(path)
        check(colours > 50, f"page: the canvas shows a frame ({colours} colours): {path}")
    finally:
        web.quit()


def main():
    server = Process("server", [BIN, "--server", "--addr", "127.0.0.1:0", "--bots", "2",
                                "--seconds", "600"])
    window = http = driver = None
    try:
        first = server.wait_line(lambda line: "server on ws://" in line, 60)
        check(first is not None, f"the server started ({first})")
        if first is None:
            return
        server_url = first.split("server on ")[1].split(" ")[0]
        window = play_window(server_url)
        http, http_port = web_test.serve()
        driver, driver_port = web_test.start_driver()
        play_page(driver_port, http_port, server_url)
        state = wait_state(window, lambda s: s["runners"] >= 4, 20)
        check(state is not None and state["runners"] >= 4,
              f"window: sees the web player and the bots ({state and state['runners']} runners)")
        path = os.path.join(OUT, "game-window.png")
        subprocess.run(["import", "-window", "root", path], check=True, timeout=60)
        colours = distinct_colours(path)
        check(colours > 50, f"window: the screen shows the game ({colours} colours): {path}")
        joins = [line for line in server.lines if "joined" in line]
        check(any(f"client {WINDOW_ID} joined" in line for line in joins)
              and any(f"client {WEB_ID} joined" in line for line in joins),
              f"the server saw both clients join ({joins})")
        check(server.proc.poll() is None, "the server is still running")
    finally:
        if driver is not None:
            driver.kill()
            driver.wait(10)
        if http is not None:
            http.shutdown()
        if window is not None:
            window.stop()
            window.dump()
        code = server.stop()
        server.dump()
        print(f"server exit code {code}")
    if web_test.failures:
        print(f"game play test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("game play test: all checks passed")


if __name__ == "__main__":
    main()
