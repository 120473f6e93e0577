#!/usr/bin/env python3
"""The headless game server as a WASI 0.2 component: runs net_load's server (`--serve`), built
for wasm32-wasip2, under the wasmtime CLI with WASI sockets (`-S inherit-network=y`), and BOTS
native bot clients (`net_load --bot-process`) against it over WebSockets on 127.0.0.1. Checks
that every bot connected and decoded snapshots, that the server saw them all, and that nothing
failed to decode. Prints the server's and the bots' summary lines. Bounded: the server serves
for SECONDS, every wait has a deadline.

Usage: scripts/wasi_server.py SERVER_WASM NATIVE_NET_LOAD [BOTS [SECONDS]]
"""
import subprocess
import sys
import time


def field(line, name):
    words = line.split()
    return int(words[words.index(name) + 1])


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    wasm, native = sys.argv[1], sys.argv[2]
    bots = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    server = subprocess.Popen(
        ["wasmtime", "run", "-S", "inherit-network=y", wasm, "--serve", "127.0.0.1:0",
         "--seconds", str(seconds), "--bots", str(bots)],
        stdout=subprocess.PIPE, text=True)
    try:
        # The component compiles first: allow a minute for the listening line.
        deadline = time.time() + 60
        url = None
        while time.time() < deadline and url is None:
            line = server.stdout.readline()
            if not line:
                break
            if line.startswith("LISTENING "):
                url = line.split()[1]
        if url is None:
            sys.stderr.write("wasi_server: the server did not start listening\n")
            return 1
        print(f"server (wasm32-wasip2, wasmtime): listening on {url}")
        clients = subprocess.run(
            [native, "--bot-process", url, "--bots", str(bots), "--threads", "1",
             "--seconds", str(seconds)],
            capture_output=True, text=True, timeout=seconds + 150)
        bots_line = next((l for l in clients.stdout.splitlines() if l.startswith("BOTS ")), "")
        rest, _ = server.communicate(timeout=seconds + 60)
        served = next((l for l in rest.splitlines() if l.startswith("SERVED ")), "")
    finally:
        if server.poll() is None:
            server.kill()
    print(f"server: {served}")
    print(f"bots:   {bots_line}")
    if not served or not bots_line:
        sys.stderr.write("wasi_server: a summary line is missing\n")
        return 1
    problems = []
    if field(bots_line, "connected") != bots:
        problems.append(f"{field(bots_line, 'connected')} of {bots} bots connected")
    if field(bots_line, "snapshots") < bots:
        problems.append("the bots decoded almost no snapshots")
    if field(bots_line, "undecodable") or field(bots_line, "missing_baseline"):
        problems.append("snapshots failed to decode")
    if field(served, "clients_max") != bots:
        problems.append(f"the server saw {field(served, 'clients_max')} clients")
    if problems:
        sys.stderr.write("wasi_server: " + "; ".join(problems) + "\n")
        return 1
    print("wasi_server: every bot was served by the wasip2 server")
    return 0


if __name__ == "__main__":
    sys.exit(main())
