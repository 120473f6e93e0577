#!/usr/bin/env python3
"""A file server that misbehaves on purpose, for the streaming IO tests (127.0.0.1 only).

Serves the files of --root with single `Range: bytes=a-b` support (206 + Content-Range, 416
past the end). Faults are chosen by the URL: `/f/FAULTS/NAME` serves NAME with FAULTS, a
comma-separated list of

    truncate      a 206 announcing and sending only the first half of the range asked for; a
                  whole-file answer announces the whole file, sends half, then closes
    flip          flips one bit in the middle of the body (the bytes arrive, but differ)
    404 416 503   that status, no body
    slow=S        waits S seconds (default 1) before the answer's head
    trickle=N     sends the body N bytes (default 4096) at a time, 5 ms apart
    stall=S       sends half the body, then nothing for S seconds (default 30), then closes
    norange       ignores Range: 200 with the whole file
    close         announces the whole body, sends half, closes the connection
    kill          announces the whole body, sends half, then the server process exits at once
                  (a killed server; restart it on the same port with --ignore kill)

`?fault=FAULTS` on a plain path does the same. `GET /_stats` answers JSON: requests served.
`GET /_faults?set=FAULTS` switches FAULTS on for every file served from then on, whatever its
URL (`set=` switches them off again): a client streaming from a plain base URL meets faults
that start and end while it runs.

Bounded: it exits after --max-seconds (default 120) or --max-requests (default 10000). On
start it prints `listening on PORT` (with --port 0 the system picks the port).
"""

import argparse
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"requests": 0, "faults": "", "lock": threading.Lock(), "done": threading.Event()}


def parse_faults(text):
    faults = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        faults[name] = value
    return faults


def parse_range(header, size):
    """(first, end_exclusive) for a single `bytes=a-b`/`bytes=a-`/`bytes=-n`, None when there is
    no usable header, "unsatisfiable" past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].partition("-")
    try:
        if first == "":
            n = int(last)
            return (max(size - n, 0), size) if n > 0 else "unsatisfiable"
        first = int(first)
        last = int(last) if last else size - 1
    except ValueError:
        return None
    if first >= size or last < first:
        return "unsatisfiable"
    return (first, min(last, size - 1) + 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "layerw-fault-server"

    def log_message(self, fmt, *args):  # quiet: the tests read the results, not a log
        pass

    def count(self):
        with STATE["lock"]:
            STATE["requests"] += 1
            if STATE["requests"] >= self.server.max_requests:
                STATE["done"].set()

    def do_GET(self):
        self.count()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path == "/_stats":
            with STATE["lock"]:
                body = json.dumps({"requests": STATE["requests"]}).encode()
            return self.answer(200, {"Content-Type": "application/json"}, body)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if path == "/_faults":
            with STATE["lock"]:
                STATE["faults"] = query.get("set", [""])[0]
                body = json.dumps({"faults": STATE["faults"]}).encode()
            return self.answer(200, {"Content-Type": "application/json"}, body)
        with STATE["lock"]:
            faults = parse_faults(STATE["faults"])
        faults.update(parse_faults(query.get("fault", [""])[0]))
        parts = path.split("/")
        if len(parts) >= 4 and parts[1] == "f":
            faults.update(parse_faults(parts[2]))
            path = "/" + "/".join(parts[3:])
        for ignored in self.server.ignore:
            faults.pop(ignored, None)
        if "slow" in faults:
            time.sleep(float(faults["slow"] or 1))
        for status in ("404", "416", "503"):
            if status in faults:
                return self.answer(int(status), {}, b"")
        name = os.path.normpath(path.lstrip("/"))
        full = os.path.join(self.server.root, name)
        if name.startswith("..") or os.path.isabs(name) or not os.path.isfile(full):
            return self.answer(404, {}, b"")
        with open(full, "rb") as f:
            data = f.read()
        span = None if "norange" in faults else parse_range(self.headers.get("Range"), len(data))
        if span == "unsatisfiable":
            return self.answer(416, {"Content-Range": f"bytes */{len(data)}"}, b"")
        if span is None:
            status, body, headers = 200, data, {}
        else:
            first, end = span
            if "truncate" in faults:
                end = first + (end - first) // 2
            status, body = 206, data[first:end]
            headers = {"Content-Range": f"bytes {first}-{end - 1}/{len(data)}"}
            if end == first:  # nothing left to announce: an empty 206 is not valid HTTP
                headers["Content-Range"] = f"bytes {first}-{first}/{len(data)}"
                body = data[first:first + 1]
        if "flip" in faults and body:
            body = bytearray(body)
            body[len(body) // 2] ^= 0x10
            body = bytes(body)
        cut = None
        if any(k in faults for k in ("close", "kill", "stall")) or (
            "truncate" in faults and span is None
        ):
            cut = len(body) // 2
        self.answer(status, headers, body, faults, cut)

    def answer(self, status, headers, body, faults=None, cut=None):
        faults = faults or {}
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "Range")
        self.send_header("Access-Control-Expose-Headers", "Content-Range, Content-Length")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        try:
            sent = body if cut is None else body[:cut]
            step = int(faults.get("trickle") or 4096) if "trickle" in faults else len(sent) or 1
            for i in range(0, len(sent), step):
                self.wfile.write(sent[i:i + step])
                self.wfile.flush()
                if "trickle" in faults:
                    time.sleep(0.005)
            if cut is None:
                return
            if "kill" in faults:
                os._exit(0)
            if "stall" in faults:
                time.sleep(float(faults["stall"] or 30))
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_OPTIONS(self):
        self.count()
        self.answer(204, {"Access-Control-Allow-Methods": "GET, OPTIONS"}, b"")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--max-requests", type=int, default=10000)
    parser.add_argument("--ignore", action="append", default=[], help="a fault to ignore")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.root = os.path.abspath(args.root)
    server.max_requests = args.max_requests
    server.ignore = args.ignore
    print(f"listening on {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    STATE["done"].wait(args.max_seconds)
    server.shutdown()
    sys.exit(0)


if __name__ == "__main__":
    socketserver.TCPServer.allow_reuse_address = True
    main()
