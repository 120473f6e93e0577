#!/usr/bin/env python3
"""Checks a bench_stream report from the smoke tests (bench_stream_smoke.sh natively,
bench_stream_web_smoke.sh in the browser): the budget of 64 MiB never exceeded (the scheduler's
peak and every frame's use), the first complete frame and full quality reached, bytes fetched
and needed, cells spawned, no failed reads, frame times recorded, the Scene tier used. No
timing thresholds. Exits 1 and prints the report when a check fails.

Usage: bench_stream_check.py NAME REPORT.json [--frames N] [--decode DECODE.json] [--web]
  --frames N   the flight's frame count must be N (natively: 60 a second); otherwise above 0
  --decode     also checks a --decode report: every level decoded
  --web        also checks what the browser run adds: levels merged into reads, and nginx's
               blob requests (a read cancelled in the browser may never reach nginx)
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("report")
    parser.add_argument("--frames", type=int)
    parser.add_argument("--decode")
    parser.add_argument("--web", action="store_true")
    args = parser.parse_args()
    s = json.load(open(args.report))
    budget = s["budget"]
    frames = s["flight"]["frames"]
    checks = {
        "budget is 64 MiB": budget == 64 << 20,
        "scheduler peak within the budget": 0 < s["scheduler_peak"] <= budget,
        "every frame within the budget": s["scheduler_max_after_frame"] <= budget,
        "first complete frame reached": s["first_complete_frame_s"] is not None,
        "full quality reached at the start": s["full_quality_s"] is not None,
        "bytes fetched": s["bytes_fetched"] > 0,
        "bytes needed": s["bytes_needed"] > 0,
        "cells spawned": s["cells_loaded"] > 0 and s["entities"] > 0,
        "no failed reads": s["failures"] == 0,
        "frames of flight counted": frames == args.frames if args.frames else frames > 0,
        "frame times recorded": s["frame"]["max_ms"] >= s["frame"]["p50_ms"] > 0,
        "Scene tier used": s["scene_tier"]["peak"] > 0,
    }
    if args.decode:
        d = json.load(open(args.decode))
        checks["every level decoded"] = (
            d["levels"] > 0 and d["decoded_bytes"] > 0 and d["stored_bytes"] > 0)
    if args.web:
        checks["levels merged into reads"] = 0 < s["reads"] <= s["requests"]
        checks["nginx answered the reads"] = 0 < s["nginx"]["blob_requests"] <= s["reads"]
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        print(f"{args.name}: FAILED:", ", ".join(bad))
        print(json.dumps(s, indent=1))
        sys.exit(1)
    print(f"{args.name}: ok ({len(checks)} checks)")


if __name__ == "__main__":
    main()
