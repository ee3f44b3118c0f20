#!/usr/bin/env python3
"""Verify a Tongban random draw (摇号/随机抽取) from its published document alone.

Usage:
    python3 verify_draw.py draw.json [candidates.json]
    python3 verify_draw.py https://<platform>/api/v1/draws/<public_id>

Since the candidate list of a draw is published as its own file, named by its
SHA-256 (``candidates_file`` in the document), the script reads it from the
second argument, else from ``<sha256>.json`` beside the document, else (a
document fetched from the platform) from the file's address; it checks the
file's SHA-256 before using it. Older documents carry the list themselves.

Needs only Python 3.9+ and its standard library, and does not import Tongban:
it is a second, independent writing of the algorithm ``tongban-draw-v1``
(docs/draws.md), so that a bidder, an inspected business or a journalist can
check that the published seed matches the commitment published before the
draw, and that the seed and the candidate list give exactly the published
result. Exit status 0 when the draw verifies, 1 when it does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

ALGORITHM = "tongban-draw-v1"


def numbers(seed: bytes, label: str):
    prefix = seed + ALGORITHM.encode("ascii") + b"\x00" + label.encode("utf-8") + b"\x00"
    block = 0
    while True:
        digest = hashlib.sha256(prefix + block.to_bytes(8, "big")).digest()
        for offset in (0, 8, 16, 24):
            yield int.from_bytes(digest[offset : offset + 8], "big")
        block += 1


def sample(seed_hex: str, candidates: list, k: int, label: str = "") -> list:
    pool = sorted(candidates)
    if len(set(pool)) != len(pool):
        raise ValueError("duplicate candidate")
    stream = numbers(bytes.fromhex(seed_hex), label)
    for i in range(min(k, len(pool))):
        m = len(pool) - i
        limit = 2**64 - 2**64 % m
        x = next(stream)
        while x >= limit:
            x = next(stream)
        j = i + x % m
        pool[i], pool[j] = pool[j], pool[i]
    return pool[: min(k, len(pool))]


def digest(candidates: list) -> str:
    return hashlib.sha256("\n".join(sorted(candidates)).encode("utf-8")).hexdigest()


def check(doc: dict) -> list:
    """The list of what does not hold (empty when the draw verifies)."""
    problems = []
    if doc.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {doc.get('algorithm')!r}"]
    if doc.get("state") != "drawn":
        return ["the draw has not run yet: only its commitment is published"]
    seed = doc["seed"]
    if hashlib.sha256(bytes.fromhex(seed)).hexdigest() != doc["commitment"]:
        problems.append("the revealed seed does not match the commitment published before")
    spec, candidates = doc["spec"], doc["candidates"]
    if "strata" in spec:
        again = {
            label: sample(seed, candidates[label], n, label) for label, n in spec["strata"].items()
        }
        lines = [f"{label}:{digest(candidates[label])}" for label in sorted(candidates)]
        listed = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    else:
        again = sample(seed, candidates, spec["k"])
        listed = digest(candidates)
    if listed != doc["candidates_digest"]:
        problems.append("the candidate list does not match its published digest")
    if again != doc["result"]:
        problems.append(f"re-running the draw gives {again!r}, not the published result")
    return problems


def read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=120) as answer:
            return answer.read()
    with open(source, "rb") as handle:
        return handle.read()


def with_candidates(doc: dict, source: str, listed: str = "") -> list:
    """Put the snapshot's candidates into ``doc``; the list of what does not hold."""
    snapshot = doc.get("candidates_file")
    if doc.get("candidates") is not None or not snapshot:
        return []
    if not listed:
        beside = os.path.join(
            os.path.dirname(os.path.abspath(source)), snapshot["sha256"] + ".json"
        )
        if source.startswith(("http://", "https://")):
            listed = urllib.parse.urljoin(source, snapshot["url"])
        elif os.path.exists(beside):
            listed = beside
        else:
            return [f"the candidate list {snapshot['sha256']}.json is needed: download it from "
                    f"{snapshot['url']} and give it as the second argument"]  # fmt: skip
    data = read(listed)
    if hashlib.sha256(data).hexdigest() != snapshot["sha256"]:
        return ["the candidate list file does not match its published SHA-256"]
    doc["candidates"] = json.loads(data.decode("utf-8"))
    return []


def main(argv: list) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    source = argv[1]
    doc = json.loads(read(source).decode("utf-8"))
    problems = with_candidates(doc, source, argv[2] if len(argv) == 3 else "")
    problems = problems or check(doc)
    if problems:
        for problem in problems:
            print("NOT VERIFIED:", problem)
        return 1
    print(f"VERIFIED: {doc['public_id']} — result {doc['result']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
