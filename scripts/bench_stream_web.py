#!/usr/bin/env python3
"""bench_stream in the browser (BENCHMARKS.md, "Streaming"): builds the web benchmark
(`scripts/web.sh bench_stream --release`), serves the page and a content pack from nginx on
127.0.0.1 (its own config file, `daemon off`, stopped at the end), and runs it in headless
chromium through chromedriver with the network throttled to 50 Mbit/s IN TOTAL.

Throttling: Chrome DevTools Protocol `Network.emulateNetworkConditions` with a download
throughput of 6,250,000 bytes/s for the whole page: every request of the page (the manifest
and the 6 range reads FetchIo keeps in flight) shares that one budget, as on one 50 Mbit/s
link. nginx's `limit_rate` is per connection: a page that opens fewer connections than the
limit assumes (the manifest alone, on one) would get less than the link, one with more would
get more. Upload is unthrottled; latency is `--latency-ms` (default 0: loopback).

nginx serves the page (with the COOP/COEP headers that make it cross-origin isolated, so
`performance.now()` has 5 us resolution rather than 100 us) and the pack under /world/ on the
same origin. With `--gzip` (the default) the manifest alone is sent gzip-compressed (it is read
whole, without Range); blob reads are Range requests answered byte-exact, never compressed.

The JSON report (window.layerwBench, plus the chromium version, the throttle and nginx's bytes
sent) is printed and written to target/bench-stream/<name>.json and its text to <name>.txt.

Usage: scripts/bench_stream_web.py PACK_DIR [--name web-50mbit] [--rate BYTES_PER_S]
       [--latency-ms MS] [--no-gzip] [--no-build] [--timeout S] [--query K=V ...]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import web_test  # noqa: E402  (the WebDriver helpers)

ROOT = web_test.ROOT
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
WEB_DIR = os.path.join(TARGET, "web", "bench_stream")
OUT = os.path.join(ROOT, "target", "bench-stream")
MANIFEST = "manifest.lwpk"
# 50 Mbit/s.
RATE = 50_000_000 // 8

NGINX_HTTP = """    types {{ text/html html; application/javascript js; application/wasm wasm; }}
    server {{
        listen 127.0.0.1:{port};
        root {web};
        add_header Cross-Origin-Opener-Policy same-origin always;
        add_header Cross-Origin-Embedder-Policy require-corp always;
        location /world/ {{
            alias {world}/;
        }}
        location = /world/{manifest} {{
            alias {world}/{manifest};
            gzip {gzip};
            gzip_types application/octet-stream;
            gzip_min_length 0;
        }}
    }}
"""


class Nginx(web_test.Nginx):
    """nginx on a free 127.0.0.1 port: the page at /, the pack at /world/; `stop()` ends it."""

    def __init__(self, world, gzip):
        super().__init__(NGINX_HTTP, web=WEB_DIR, world=world, manifest=MANIFEST,
                         gzip="on" if gzip else "off")

    def sent(self):
        """(bytes sent for the manifest, for blobs, blob requests), headers included."""
        manifest, blobs, requests = 0, 0, 0
        for _status, sent, _rng, _method, uri in self.access():
            if uri.endswith(MANIFEST):
                manifest += sent
            elif uri.startswith("/world/"):
                blobs += sent
                requests += 1
        return manifest, blobs, requests



def chromium_version():
    out = subprocess.run([web_test.CHROMIUM, "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def cdp(web, cmd, params):
    return web.session_call("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params})


def run(args):
    nginx = Nginx(os.path.abspath(args.pack), not args.no_gzip)
    driver, driver_port = web_test.start_driver()
    web = None
    try:
        web = web_test.WebDriver(driver_port, ["--disable-gpu"])
        cdp(web, "Network.enable", {})
        # One link for the whole page: 50 Mbit/s down, shared by every request.
        cdp(web, "Network.emulateNetworkConditions", {
            "offline": False, "latency": args.latency_ms,
            "downloadThroughput": args.rate, "uploadThroughput": -1})
        # The browser's HTTP cache off: every run fetches what it reads.
        cdp(web, "Network.setCacheDisabled", {"cacheDisabled": True})
        query = "&".join([f"pack=/world/", *args.query])
        web.go(f"http://127.0.0.1:{nginx.port}/index.html?{query}")
        deadline = time.time() + args.timeout
        report, last = None, ""
        while time.time() < deadline:
            error = web.js("return window.layerwBenchError || null;")
            if error:
                raise RuntimeError(f"the page failed: {error}")
            text = web.js("return window.layerwBench || null;")
            if text:
                report = json.loads(text)
                break
            state = web.js("var e = document.getElementById('layerw-bench');"
                           "return e ? e.textContent : '';")
            if state != last:
                print(f"  {state.splitlines()[0] if state else ''}", flush=True)
                last = state
            time.sleep(1.0)
        if report is None:
            raise RuntimeError(f"no report within {args.timeout} s (last: {last})")
        isolated = web.js("return window.crossOriginIsolated;")
    finally:
        if web is not None:
            web.quit()
        driver.kill()
        manifest_sent, blobs_sent, blob_requests = nginx.sent()
        nginx.stop()
    report["browser"] = {
        "chromium": chromium_version(),
        "throttle": f"CDP Network.emulateNetworkConditions: {args.rate} bytes/s down in total, "
                    f"latency {args.latency_ms} ms",
        "cross_origin_isolated": isolated,
        "manifest_gzip": not args.no_gzip,
    }
    report["nginx"] = {"manifest_bytes_sent": manifest_sent, "blob_bytes_sent": blobs_sent,
                       "blob_requests": blob_requests}
    return report


def text_of(report):
    """The native benchmark's text lines, from the same report, plus the browser's own."""
    mib = 1 << 20
    ms = lambda v: "-" if v is None else f"{v * 1e3:.0f} ms"  # noqa: E731
    pct = lambda v: f"p50 {v['p50_ms']:.2f} / p99 {v['p99_ms']:.2f} / max {v['max_ms']:.2f} ms"  # noqa: E731,E501
    share = report["cancelled_before_first_byte_share"]
    share = "none cancelled" if share is None else f"{share * 100:.1f} % before"
    b, n = report["browser"], report["nginx"]
    return "\n".join([
        f"source: {report['source']}",
        f"browser: {b['chromium']}; {b['throttle']}; cross-origin isolated "
        f"{b['cross_origin_isolated']}; manifest gzip {b['manifest_gzip']}",
        f"page load to the first update (not in the times below): "
        f"{ms(report['page_to_first_update_s'])}",
        f"manifest read: {ms(report['manifest_s'])} "
        f"(nginx sent {n['manifest_bytes_sent'] / 1e6:.2f} MB for it)",
        f"first complete frame: {ms(report['first_complete_frame_s'])}"
        + ("" if not report["at_first_complete_frame"] else
           f" ({report['at_first_complete_frame']['requests']} level requests in "
           f"{report['at_first_complete_frame']['reads']} reads, "
           f"{report['at_first_complete_frame']['bytes_fetched'] / mib:.1f} MiB by then)"),
        f"full quality at the start: {ms(report['full_quality_s'])}",
        f"flight: {report['flight']['metres']:.0f} m in {report['flight']['seconds']:.1f} s "
        f"({report['flight']['frames']} frames)",
        f"bytes fetched {report['bytes_fetched'] / mib:.1f} MiB, needed "
        f"{report['bytes_needed'] / mib:.1f} MiB: {report['fetched_over_needed']:.3f}x "
        f"({report['bytes_fetched_in_flight'] / mib:.1f} MiB during the flight); nginx sent "
        f"{n['blob_bytes_sent'] / mib:.1f} MiB in {n['blob_requests']} blob requests",
        f"{report['requests']} level requests in {report['reads']} reads; stale ones cancelled: "
        f"{report['cancelled_before_first_byte']} before the first byte, "
        f"{report['cancelled_in_body']} in the body ({share}); {report['evicted']} evicted, "
        f"{report['failures']} failures",
        f"budget {report['budget'] / mib:.0f} MiB: scheduler peak "
        f"{report['scheduler_peak'] / mib:.1f} MiB (max after a frame "
        f"{report['scheduler_max_after_frame'] / mib:.1f}); Scene tier peak "
        f"{report['scene_tier']['peak'] / mib:.1f} MiB of its "
        f"{report['scene_tier']['budget'] / mib:.0f} MiB",
        f"App::update during the flight: {pct(report['frame'])}",
        f"Streaming stage (main thread): {pct(report['streaming_stage'])} "
        f"(decode_ms_per_frame {report['decode_ms_per_frame']}); decoding on it "
        f"{pct(report['streaming_stage_decoding'])}; the rest "
        f"{pct(report['streaming_stage_besides_decoding'])}",
        f"requestAnimationFrame interval during the flight: {pct(report['frame_interval'])}",
        f"frames over 20 ms: {report['frames_over_20ms']} "
        f"({report['frames_over_20ms_by_streaming']} caused by streaming)",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pack")
    parser.add_argument("--name", default="web-50mbit")
    parser.add_argument("--rate", type=int, default=RATE, help="bytes/s down, in total")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--no-gzip", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--query", nargs="*", default=[], help="K=V for the page's query")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.pack, MANIFEST)):
        sys.exit(f"bench_stream_web: no {MANIFEST} in {args.pack}")
    if not args.no_build:
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "web.sh"), "bench_stream",
                        "--release"], check=True)
    report = run(args)
    os.makedirs(OUT, exist_ok=True)
    text = text_of(report)
    print(text)
    with open(os.path.join(OUT, f"{args.name}.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(OUT, f"{args.name}.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
