#!/usr/bin/env python3
"""sim_headless in headless chromium: serves the web build, opens
index.html?entities=N&frames=F&warmup=W through chromedriver, waits for the page's report
(window.layerwSim) and prints it as one line of JSON, the same line the command-line program
prints with --json (its host is "web"). Fails when the page reports an error or nothing comes in
time. The browser runs with the WebGL2 flags (no GPU process): the simulation draws nothing.

Usage: scripts/hosts_web.py WEB_DIR ENTITIES FRAMES [WARMUP [TIMEOUT_SECONDS]]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the server and WebDriver helpers)


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    web_test.WEB_DIR = os.path.abspath(sys.argv[1])
    entities, frames = int(sys.argv[2]), int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 600.0
    server, http_port = web_test.serve()
    driver, driver_port = web_test.start_driver()
    try:
        web = web_test.WebDriver(driver_port, web_test.WEBGL_FLAGS)
        try:
            web.go(f"http://127.0.0.1:{http_port}/index.html?entities={entities}&frames={frames}&warmup={warmup}")
            deadline = time.time() + timeout
            while time.time() < deadline:
                error = web.js("return window.layerwSimError || null;")
                if error:
                    sys.stderr.write(f"hosts_web: the page failed: {error}\n")
                    return 1
                report = web.js("return window.layerwSim || null;")
                if report:
                    json.loads(report)  # the page's JSON must parse
                    print(report)
                    return 0
                time.sleep(0.2)
            sys.stderr.write(f"hosts_web: no report from the page in {timeout:.0f} s\n")
            return 1
        finally:
            web.quit()
    finally:
        driver.kill()
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
