#!/usr/bin/env python3
"""Web audio test: audio_demo's web build in headless chromium, through the user-gesture path.

Chromium runs WITHOUT --autoplay-policy=no-user-gesture-required, so the browser's own rule
applies: an AudioContext made before the user interacts with the page stays suspended. The page
(web/audio_demo/index.html) records every AudioContext it makes and every console error. Checks:
the sounds are fetched and decoded; before any gesture the app waits, no AudioContext exists,
the music loop is queued; a trusted click on the canvas
(WebDriver actions count as user activation; synthetic DOM events would not) makes exactly one
AudioContext, which reaches the "running" state, the app reports its output running with the
queued music playing and the starting click played; the next click plays; M mutes the music bus; no console errors.

Usage: scripts/web_audio_test.py [WEB_DIR]   (default target/web/audio_demo)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)

web_test.WEB_DIR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                                   os.path.join(web_test.ROOT, "target", "web", "audio_demo"))
check = web_test.check


def state(web):
    text = web.js("return window.layerwAudio || null;")
    return json.loads(text) if text else None


def wait_for(web, predicate, timeout=30.0):
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


def contexts(web):
    return web.js("return window.layerwAudioContexts.map(c => c.state);")


def trusted(web, actions):
    web.session_call("POST", "/actions", {"actions": actions})
    web.session_call("DELETE", "/actions")


def click_canvas(web):
    # The canvas is the page's first 640x360 pixels.
    trusted(web, [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": [{"type": "pointerMove", "x": 100, "y": 100, "origin": "viewport"},
            {"type": "pointerDown", "button": 0}, {"type": "pause", "duration": 50},
            {"type": "pointerUp", "button": 0}]}])


def press(web, key):
    trusted(web, [{"type": "key", "id": "keyboard",
                   "actions": [{"type": "keyDown", "value": key}, {"type": "pause", "duration": 50},
                               {"type": "keyUp", "value": key}]}])


def run(web, port):
    web.go(f"http://127.0.0.1:{port}/index.html")
    s = wait_for(web, lambda s: s["loaded"] == 3 and s["frame"] > 30)
    check(s is not None and s["loaded"] == 3 and s["failed"] == 0,
          f"the three sounds fetched and decoded: {s}")
    check(s is not None and not s["running"] and s["state"].startswith("waiting"),
          f"before a gesture the output waits: {s and s['state']}")
    check(contexts(web) == [], f"no AudioContext before a gesture: {contexts(web)}")
    check(s is not None and s["music_playing"], "the music loop is queued")

    click_canvas(web)
    s = wait_for(web, lambda s: s["running"])
    check(s is not None and s["running"] and s["state"] == "running",
          f"the first click starts the output: {s and s['state']}")
    deadline = time.time() + 10
    while time.time() < deadline and contexts(web) != ["running"]:
        time.sleep(0.05)
    check(contexts(web) == ["running"],
          f"one AudioContext, made after the click and running: {contexts(web)}")
    check(s is not None and s["music_playing"], "the queued music plays")
    start = web.js("return window.layerwAudioContexts[0].currentTime;") or 0
    time.sleep(0.5)
    now = web.js("return window.layerwAudioContexts[0].currentTime;") or 0
    check(now > start, f"the context's clock advances: {start:.3f} -> {now:.3f} s")
    # The gesture starts the output in the Input stage, before the game's systems: the click
    # that starts it plays too.
    check(s is not None and s["clicks"] == 1 and s["refused"] == 0,
          f"the starting click itself plays: {s}")
    clicks = s["clicks"] if s else 0

    click_canvas(web)
    s = wait_for(web, lambda s: s["clicks"] > clicks, timeout=10)
    check(s is not None and s["clicks"] > clicks,
          f"a click after the start plays: {clicks} -> {s and s['clicks']}")
    press(web, "m")
    s = wait_for(web, lambda s: s["music_volume"] == 0.0, timeout=10)
    check(s is not None and s["music_volume"] == 0.0, "M mutes the music bus")
    time.sleep(0.5)
    s = state(web)
    check(s is not None and s["frame"] > 60 and s["running"],
          f"frames go on with the sound running: {s}")
    errors = web.js("return window.layerwErrors;")
    check(errors == [], f"no console errors: {errors}")


def main():
    server, http_port = web_test.serve()
    driver, driver_port = web_test.start_driver()
    try:
        web = web_test.WebDriver(driver_port, web_test.WEBGL_FLAGS)
        try:
            run(web, http_port)
        finally:
            web.quit()
    finally:
        driver.kill()
        server.shutdown()
    if web_test.failures:
        print(f"web audio test: {len(web_test.failures)} check(s) failed")
        sys.exit(1)
    print("web audio test: all checks passed")


if __name__ == "__main__":
    main()
