#!/usr/bin/env python3
"""Precompresses a shipped web folder: X.br (brotli, quality 11) and X.gz (gzip -9) beside every
file X, each kept only when it is smaller than X (PNGs and other compressed files get none).
A content pack (the folder `pack/` at the top) is left as it is: the game reads its blobs with
HTTP Range requests, which must address the file's own bytes, and its levels are compressed.
Servers send the variant the browser accepts (docs/shipping.md). Prints each file's sizes and
the totals. The .gz files carry no name or time stamp, so a build gives the same bytes twice.

Usage: scripts/ship_compress.py DIR   (needs Python's brotli, see scripts/ship.sh)
"""
import gzip
import os
import sys

import brotli


def variants(data):
    yield ".br", brotli.compress(data, quality=11)
    yield ".gz", gzip.compress(data, compresslevel=9, mtime=0)


def main():
    root = sys.argv[1]
    totals = {"": 0, ".br": 0, ".gz": 0}
    for folder, dirs, names in os.walk(root):
        if folder == root and "pack" in dirs:
            dirs.remove("pack")
        for name in sorted(names):
            if name.endswith((".br", ".gz")):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            sizes = {"": len(data)}
            for suffix, packed in variants(data):
                # A variant no smaller than the file would only cost the server a lookup.
                if len(packed) < len(data):
                    with open(path + suffix, "wb") as f:
                        f.write(packed)
                    sizes[suffix] = len(packed)
            for suffix in totals:
                # What a browser accepting that encoding downloads.
                totals[suffix] += sizes.get(suffix, len(data))
            shown = "  ".join(f"{s or 'raw'} {n}" for s, n in sizes.items())
            print(f"  {os.path.relpath(path, root)}: {shown}")
    print(f"  total bytes a browser downloads: raw {totals['']}, br {totals['.br']}, "
          f"gzip {totals['.gz']}")


if __name__ == "__main__":
    main()
