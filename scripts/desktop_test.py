#!/usr/bin/env python3
"""Desktop test, for real: the input_playground example in a real X window under Xvfb.

Injects keys, text, mouse moves and clicks with xdotool (XTEST, so they arrive as real input
events), resizes the window, and checks through the example's per-frame JSON report that the
actions changed the game and that the surface and the internal-resolution mapping follow the
window. Also checks a bindings file, a malformed bindings file, and a journal recorded in the
window and replayed headless. Screenshots go to target/layerw-test/desktop-*.png.

Then the renderer in a window: bench_cubes presents through a wgpu surface (lavapipe); the
window is resized to letterbox and pillarbox shapes, shrunk to 1x1, unmapped and mapped again,
and must keep presenting without a panic.

Then bench_lod in a window (the Lod and Culling stages under the desktop runner).

Usage: scripts/desktop_test.py PATH/TO/input_playground [PATH/TO/bench_cubes [PATH/TO/bench_lod]]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "layerw-test")
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="layerw-desktop-")
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)


def xdotool(*args):
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True).stdout


def read_report(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait_for(path, predicate, timeout=10.0):
    """Waits until the report satisfies predicate; returns the last report seen."""
    deadline = time.time() + timeout
    report = None
    while time.time() < deadline:
        report = read_report(path)
        if report is not None and predicate(report):
            return report
        time.sleep(0.05)
    return report


class Playground:
    def __init__(self, name, *args):
        self.report = os.path.join(WORK, name + ".json")
        self.log = open(os.path.join(WORK, name + ".log"), "w+")
        self.proc = subprocess.Popen([BIN, "--report", self.report, *args],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                              "input playground"], capture_output=True, text=True, timeout=30)
        self.wid = out.stdout.split()[-1]
        # No window manager: give the window the keyboard focus ourselves.
        xdotool("windowfocus", "--sync", self.wid)
        self.wait(lambda r: r["frame"] > 2 and r["surface"] is not None)

    def wait(self, predicate, timeout=10.0):
        return wait_for(self.report, predicate, timeout)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def quit(self):
        xdotool("key", "Escape")
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        return code


def screenshot(name):
    path = os.path.join(OUT, f"desktop-{name}.png")
    subprocess.run(["import", "-window", "root", path], check=True)
    return path


def pixel(path, x, y):
    out = subprocess.run(["convert", path, "-format", f"%[pixel:p{{{x},{y}}}]", "info:"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def row(path, y, x=10, width=390):
    """The RGB pixels of a row segment, as (r, g, b) tuples."""
    raw = subprocess.run(["convert", path, "-crop", f"{width}x1+{x}+{y}", "+repage", "rgb:-"],
                         check=True, capture_output=True).stdout
    return [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]


def renderer_window(bench):
    log = open(os.path.join(WORK, "bench.log"), "w+")
    proc = subprocess.Popen([bench, "1000"], stdout=log, stderr=subprocess.STDOUT)
    out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "bench_cubes"],
                         capture_output=True, text=True, timeout=60)
    wid = out.stdout.split()[-1]
    time.sleep(3)
    shot = screenshot("renderer-1280x720")
    check(pixel(shot, 640, 600) != "srgb(0,0,0)" and pixel(shot, 1000, 50) != "srgb(0,0,0)",
          f"the renderer presents to the window: {pixel(shot, 640, 600)}")
    # The stats overlay: a dark panel top left in a window, hidden and shown again by F3.
    panel = row(shot, 24)
    xdotool("windowfocus", "--sync", wid)
    xdotool("key", "F3")
    time.sleep(1.5)
    hidden = screenshot("renderer-overlay-hidden")
    bare = row(hidden, 24)
    # The row crosses the panel's white text; without the panel it is the sky (a gradient
    # since the skybox, so not one colour), with no white in it.
    def text_pixels(pixels):
        return sum(1 for p in pixels if min(p) > 200)
    check(text_pixels(panel) > 0 and text_pixels(bare) == 0 and panel != bare,
          f"F3 hides the stats overlay ({text_pixels(panel)} text pixels in the panel row, "
          f"{text_pixels(bare)} without)")
    xdotool("key", "F3")
    time.sleep(1.5)
    xdotool("windowsize", "--sync", wid, "500", "500")
    time.sleep(2)
    shot = screenshot("renderer-500x500")
    # 1280x720 into 500x500: scale 500/1280, an image 281 high with bars of 109 above and below.
    check(pixel(shot, 250, 50) == "srgb(0,0,0)" and pixel(shot, 250, 250) != "srgb(0,0,0)",
          "letterboxed after the resize (bars above, the scene in the middle)")
    xdotool("windowsize", "--sync", wid, "1", "1")
    time.sleep(1)
    xdotool("windowunmap", "--sync", wid)
    time.sleep(1)
    xdotool("windowmap", "--sync", wid)
    xdotool("windowsize", "--sync", wid, "800", "300")
    time.sleep(2)
    shot = screenshot("renderer-800x300")
    check(pixel(shot, 20, 150) == "srgb(0,0,0)" and pixel(shot, 400, 150) != "srgb(0,0,0)",
          "pillarboxed after shrinking to 1x1, unmapping and remapping")
    alive = proc.poll() is None
    proc.terminate()
    proc.wait(timeout=10)
    log.seek(0)
    output = log.read()
    check(alive and "panicked" not in output, "the renderer survived every resize without a panic")


def lod_window(bench):
    """bench_lod in a window: the Lod and Culling stages in the desktop runner."""
    log = open(os.path.join(WORK, "lod.log"), "w+")
    proc = subprocess.Popen([bench, "--grid", "20", "--segments", "32", "--frames", "60"],
                            stdout=log, stderr=subprocess.STDOUT)
    out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "bench_lod"],
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, "bench_lod opens a window")
    time.sleep(3)
    shot = screenshot("bench-lod-window")
    colours = subprocess.run(["identify", "-format", "%k", shot], capture_output=True,
                             text=True).stdout.strip()
    check(int(colours or 0) > 500, f"the LOD field is drawn in the window ({colours} colours)")
    alive = proc.poll() is None
    proc.terminate()
    proc.wait(timeout=10)
    log.seek(0)
    output = log.read()
    check(alive and "panicked" not in output, "bench_lod ran in the window without a panic")


def main():
    # 1. Keys, text, mouse, resize.
    app = Playground("main", "--record", os.path.join(WORK, "run.jsonl"))
    r = app.wait(lambda r: True)
    check(r["window"] == [1280, 720] and r["surface"] == [1280, 720],
          f"window and surface are 1280x720: {r['window']} {r['surface']}")
    start_x = r["player"][0]
    xdotool("keydown", "d")
    held = app.wait(lambda r: "KeyD" in r["keys"])
    check(held is not None and "KeyD" in held["keys"], "held key D is reported pressed")
    time.sleep(0.4)
    xdotool("keyup", "d")
    r = app.wait(lambda r: "KeyD" not in r["keys"])
    check(r["player"][0] > start_x + 50, f"D moved the player right: {start_x} -> {r['player'][0]}")
    xdotool("key", "space")
    r = app.wait(lambda r: r["jumps"] == 1)
    check(r["jumps"] == 1, "Space fired the jump action once")
    xdotool("type", "--delay", "30", "hi5")
    r = app.wait(lambda r: r["typed"].endswith("hi5"))
    check(r["typed"].endswith("hi5"), f"typed text arrives: {r['typed']!r}")
    xdotool("mousemove", "--window", app.wid, "100", "200")
    xdotool("click", "1")
    r = app.wait(lambda r: len(r["shots"]) == 1)
    check(r["shots"] == [[100.0, 200.0]], f"a click fires at the cursor: {r['shots']}")
    check(r["mouse_internal"] == [100.0, 200.0], f"1:1 internal mapping: {r['mouse_internal']}")
    # Raw motion comes from XInput2 raw events, which XTEST relative moves produce (a warp
    # does not).
    xdotool("mousemove_relative", "--", "30", "40")
    r = app.wait(lambda r: r["motion_total"] >= 50)
    check(abs(r["motion_total"] - 50) < 1e-3, f"raw pointer motion of (30, 40): {r['motion_total']}")
    xdotool("mousemove", "--window", app.wid, "100", "200")
    xdotool("click", "5")
    r = app.wait(lambda r: r["wheel_total"][1] < 0)
    # X reports a wheel click both as button 5 and as a scroll valuator: at least one line.
    check(r["wheel_total"][0] == 0 and r["wheel_total"][1] <= -1,
          f"a wheel click down scrolls down: {r['wheel_total']}")
    xdotool("key", "g")
    r = app.wait(lambda r: r["grabbed"])
    check(r["grabbed"], "G grabs the cursor")
    xdotool("key", "g")
    r = app.wait(lambda r: not r["grabbed"])
    check(not r["grabbed"], "G again releases it")
    shot = screenshot("1280x720")
    check(pixel(shot, 640, 600) == "srgb(32,40,48)", f"the frame is drawn: {pixel(shot, 640, 600)}")

    xdotool("windowsize", "--sync", app.wid, "640", "480")
    r = app.wait(lambda r: r["window"] == [640, 480] and r["surface"] == [640, 480])
    check(r["window"] == [640, 480] and r["surface"] == [640, 480],
          f"resize: window and surface follow: {r['window']} {r['surface']}")
    check(r["viewport"] == [0.0, 60.0, 640.0, 360.0], f"letterboxed viewport: {r['viewport']}")
    xdotool("mousemove", "--window", app.wid, "320", "240")
    r = app.wait(lambda r: r["mouse"] == [320.0, 240.0])
    check(r["mouse_internal"] == [640.0, 360.0], f"window centre maps to internal centre: {r['mouse_internal']}")
    xdotool("mousemove", "--window", app.wid, "320", "30")
    r = app.wait(lambda r: r["mouse"] == [320.0, 30.0])
    check(r["mouse_internal"] is None, "the letterbox bar maps to no internal position")
    xdotool("mousemove", "--window", app.wid, "160", "150")
    xdotool("click", "1")
    r = app.wait(lambda r: len(r["shots"]) == 2)
    check(r["shots"][-1] == [320.0, 180.0], f"after resize a click lands in internal pixels: {r['shots']}")
    shot = screenshot("640x480")
    check(pixel(shot, 320, 30) == "srgb(0,0,0)" and pixel(shot, 320, 400) == "srgb(32,40,48)",
          "the screenshot shows the letterbox bar above the game")
    final = app.wait(lambda r: True)
    code = app.quit()
    check(code == 0 and "ExitRequested" in app.output(), f"Escape quits cleanly (exit {code})")

    # 2. The journal of that run, replayed headless, reaches the same state.
    out = subprocess.run([BIN, "--replay", os.path.join(WORK, "run.jsonl")],
                         capture_output=True, text=True, timeout=60)
    replayed = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
    for key in ["player", "jumps", "shots", "typed", "window"]:
        check(replayed.get(key) == final.get(key),
              f"replay reproduces {key}: {replayed.get(key)} vs {final.get(key)}")

    # 3. A bindings file: jump on J instead of Space.
    bindings = os.path.join(WORK, "bindings.json")
    with open(bindings, "w") as f:
        json.dump({"format": "layerw-bindings", "version": 1,
                   "actions": {"jump": [{"key": "KeyJ"}]}}, f)
    app = Playground("bound", "--bindings", bindings)
    xdotool("key", "space")
    xdotool("key", "j")
    r = app.wait(lambda r: r["jumps"] >= 1)
    time.sleep(0.2)
    r = app.wait(lambda r: True)
    check(r["jumps"] == 1, f"rebound: J jumps, Space no longer does (jumps {r['jumps']})")
    app.quit()

    # 4. A malformed bindings file: a clear error, and the defaults stay in force.
    with open(bindings, "w") as f:
        f.write('{"format": "layerw-bindings", "version": 1, "actions": {"jump": [{"key": "KeyJJ"}]')
    app = Playground("malformed", "--bindings", bindings)
    xdotool("key", "space")
    r = app.wait(lambda r: r["jumps"] == 1)
    check(r["jumps"] == 1, "malformed bindings file: the default Space still jumps")
    app.quit()
    check("bindings file, line 1" in app.output() and "keeping the default bindings" in app.output(),
          "malformed bindings file: the error names the line")

    if len(sys.argv) > 2:
        renderer_window(os.path.abspath(sys.argv[2]))
    if len(sys.argv) > 3:
        lod_window(os.path.abspath(sys.argv[3]))

    shutil.rmtree(WORK, ignore_errors=True)
    if failures:
        print(f"desktop test: {len(failures)} check(s) failed")
        sys.exit(1)
    print("desktop test: all checks passed")


if __name__ == "__main__":
    main()
