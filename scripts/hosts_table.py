#!/usr/bin/env python3
"""Reads sim_headless's --json lines from every host (a file of `HOST<TAB>MATH<TAB>JSON` lines,
written by scripts/hosts.sh), checks that they ran the same simulation (frames, entities, fixed
steps equal to the first line's) and that every run of the same MATH ended in the same world
(the same checksum), and prints the frame-time table
with each host's mean and p50 as a ratio of the first host's (native, one thread): speed
relative to it, so 0.85 means 85 % of its speed. Then the same per system (each system's
milliseconds per frame, its runs and command buffers, from the schedule's per-system timing),
which says where a host loses its time. Exits 1 when a host disagrees. No timing thresholds.

MATH is how glam evaluates its vector maths there: "simd" (SSE2 natively, simd128 on wasm) or
"scalar" (wasm without simd128). The two sum in different orders, so a quaternion normalised
by one can differ from the other's in the last bit: worlds are compared within a kind.

Usage: scripts/hosts_table.py RESULTS_FILE
"""
import json
import sys


def print_systems(rows):
    """Each system's ms per frame on every host, with its speed relative to the first host."""
    base_host, _, base = rows[0]
    names = list(base.get("systems_ms", {}))
    if not names:
        return
    print()
    print(f"per system: ms per frame (speed = {base_host} / host)")
    print(f"{'host':<34} " + " ".join(f"{n:>22}" for n in names))
    for host, _, r in rows:
        systems = r.get("systems_ms", {})
        cells = []
        for n in names:
            ms, ref = systems.get(n), base["systems_ms"][n]
            if ms is None:
                cells.append(f"{'-':>22}")
            else:
                speed = f"{ref / ms:.2f}" if ms > 0 else "-"
                cells.append(f"{ms:>14.3f} ({speed:>5})")
        print(f"{host:<34} " + " ".join(cells))


def main():
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                host, math, text = line.rstrip("\n").split("\t", 2)
                rows.append((host, math, json.loads(text)))
    if not rows:
        print("hosts: no results")
        return 1
    base_host, _, base = rows[0]
    disagree = []
    reference = {}  # math -> (host, checksum) of its first run
    print(f"sim_headless: {base['entities']} entities, {base['frames']} frames; "
          f"speed = {base_host} mean / host mean")
    print(f"{'host':<34} {'math':>6} {'threads':>7} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9} "
          f"{'speed':>6} {'speed p50':>9}  checksum")
    for host, math, r in rows:
        ref_host, ref_checksum = reference.setdefault(math, (host, r["checksum"]))
        same = (all(r[k] == base[k] for k in ("entities", "frames", "fixed_steps"))
                and r["checksum"] == ref_checksum)
        if not same:
            disagree.append(host)
        speed = base["mean_ms"] / r["mean_ms"] if r["mean_ms"] > 0 else float("inf")
        speed_p50 = base["p50_ms"] / r["p50_ms"] if r["p50_ms"] > 0 else float("inf")
        print(f"{host:<34} {math:>6} {r['threads']:>7} {r['p50_ms']:>9.3f} {r['p99_ms']:>9.3f} "
              f"{r['mean_ms']:>9.3f} {speed:>6.2f} {speed_p50:>9.2f}  {r['checksum']}"
              f"{'' if same else '  DIFFERS'}")
    print_systems(rows)
    if disagree:
        print(f"hosts: {', '.join(disagree)} ended in a different world than the first run "
              f"of the same math")
        return 1
    worlds = ", ".join(f"{m}: {c} ({sum(1 for r in rows if r[1] == m)} runs)"
                       for m, (_, c) in reference.items())
    print(f"hosts: every run ended in the same world as the others of its math; {worlds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
