"""The one verifiable random draw of the platform (摇号/随机抽取), ``tongban-draw-v1``.

Every random selection — 双随机 inspections, inspectors, intermediary agencies,
evaluation experts — is this pure function of a secret seed and the candidate
list, so anyone can re-run it from the published data (``scripts/verify_draw.py``
is the same algorithm in the standard library only). Before the candidate
list closes the platform publishes ``commitment(seed)``; after it closes the seed
is revealed. Nobody can choose the seed after seeing the candidates, and a
re-roll is visible because the commitment was published first.

The algorithm (docs/draws.md):

1. ``seed`` is 32 random bytes, written as 64 lowercase hex digits;
   ``commitment = SHA-256(seed bytes)``.
2. The candidates are distinct strings without line breaks; they are sorted
   by code point, so the order they were given in cannot steer the result;
   ``candidates_digest = SHA-256("\\n".join(sorted candidates), UTF-8)``.
3. A stream of 64-bit numbers for a ``label`` (a stratum's name, or ""):
   block ``i`` is ``SHA-256(seed || "tongban-draw-v1" || 0x00 || label || 0x00 ||
   i as 8 bytes big-endian)``, read as four big-endian 64-bit numbers.
4. A number below ``m`` is taken by rejection: read ``x`` until
   ``x < 2**64 - 2**64 % m``, answer ``x % m`` (no modulo bias).
5. ``k`` picks are a partial Fisher–Yates shuffle: for ``i`` in ``0..k-1``,
   ``j = i + below(n - i)``, swap positions ``i`` and ``j``; the result is the
   first ``k`` positions, in pick order.
"""

from __future__ import annotations

import hashlib
import operator
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import NoReturn

ALGORITHM = "tongban-draw-v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SPACE = 1 << 64


class DrawInputError(ValueError):
    """The inputs of a draw are not well formed (a programming or data error)."""


def new_seed() -> str:
    """A fresh secret seed: 32 bytes from the operating system, in hex."""
    return secrets.token_hex(32)


def is_hex64(value: object) -> bool:
    """A seed or a SHA-256 digest as written here: 64 lowercase hex digits."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def _seed_bytes(seed: str) -> bytes:
    if not isinstance(seed, str) or not _HEX64.fullmatch(seed):
        raise DrawInputError("seed must be 64 lowercase hex digits")
    return bytes.fromhex(seed)


def commitment(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed's bytes."""
    return hashlib.sha256(_seed_bytes(seed)).hexdigest()


def canonical(candidates: Sequence[str]) -> list[str]:
    """The candidates in the order the draw uses; refuses duplicates and line breaks.

    The checks run at C speed (a draw may list 1,000,000 entities); the loop that
    names the offending candidate runs only when one is wrong.
    """
    return canonical_joined(candidates)[0]


def canonical_joined(candidates: Sequence[str]) -> tuple[list[str], str]:
    """``canonical`` and the text its digest is taken of (``"\\n".join``), made
    once: a 1,000,000-candidate draw needs both."""
    ordered = sorted(candidates)
    try:
        joined = "\n".join(ordered)
    except TypeError:
        joined = None
    if (
        joined is None
        or (ordered and not ordered[0])
        or joined.count("\n") != max(len(ordered) - 1, 0)
        or "\r" in joined
        or any(map(operator.eq, ordered, islice(ordered, 1, None)))
    ):
        _refuse(ordered)
    return ordered, joined


def _refuse(ordered: list[str]) -> NoReturn:
    for index, candidate in enumerate(ordered):
        if not isinstance(candidate, str) or not candidate:
            raise DrawInputError("candidates must be non-empty strings")
        if "\n" in candidate or "\r" in candidate:
            raise DrawInputError(f"candidate {candidate!r} contains a line break")
        if index and ordered[index - 1] == candidate:
            raise DrawInputError(f"candidate {candidate!r} appears twice")
    raise AssertionError("unreachable")  # pragma: no cover


def candidates_digest(candidates: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(canonical(candidates)).encode("utf-8")).hexdigest()


def _stream(seed: bytes, label: str) -> Iterator[int]:
    prefix = seed + ALGORITHM.encode("ascii") + b"\x00" + label.encode("utf-8") + b"\x00"
    block = 0
    while True:
        digest = hashlib.sha256(prefix + block.to_bytes(8, "big")).digest()
        for offset in range(0, 32, 8):
            yield int.from_bytes(digest[offset : offset + 8], "big")
        block += 1


def _below(stream: Iterator[int], m: int) -> int:
    limit = _SPACE - _SPACE % m
    while True:
        x = next(stream)
        if x < limit:
            return x % m


def pick(seed: str, candidates: Sequence[str], k: int, *, label: str = "") -> list[str]:
    """``k`` distinct candidates (all of them when there are fewer), in pick order."""
    return pick_canonical(seed, canonical(candidates), k, label=label)


def pick_canonical(seed: str, ordered: Sequence[str], k: int, *, label: str = "") -> list[str]:
    """``pick`` over a list that ``canonical`` has already answered (not checked
    again, not copied): the first ``k`` steps of the shuffle are kept as the
    positions they moved, so a 1 % draw of 800,000 touches 8,000 of them."""
    if "\x00" in label:
        raise DrawInputError("label must not contain NUL")
    if k < 0:
        raise DrawInputError("k must not be negative")
    stream = _stream(_seed_bytes(seed), label)
    n = len(ordered)
    moved: dict[int, str] = {}
    out: list[str] = []
    for i in range(min(k, n)):
        j = i + _below(stream, n - i)
        chosen = moved.get(j, ordered[j])
        moved[j] = moved.get(i, ordered[i])
        out.append(chosen)
    return out


def check_disjoint(groups: Sequence[Sequence[str]]) -> None:
    """Refuse a candidate that is in two strata.

    The largest stratum (800,000 class-A entities of a 1,000,000 scope) is only
    looked up in the set of the others, not added to it; the loop below names
    the candidate when there is one."""
    if len(groups) > 1:
        largest = max(range(len(groups)), key=lambda i: len(groups[i]))
        others: set[str] = set()
        total = 0
        for index, members in enumerate(groups):
            if index != largest:
                others.update(members)
                total += len(members)
        if len(others) == total and others.isdisjoint(groups[largest]):
            return
    seen: set[str] = set()
    for members in groups:
        overlap = seen.intersection(members)
        if overlap:
            raise DrawInputError(f"candidate {sorted(overlap)[0]!r} is in two strata")
        seen.update(members)


def check_disjoint_ordered(groups: Sequence[Sequence[str]]) -> None:
    """``check_disjoint`` of groups that ``canonical`` has answered: merged in one
    sort of their sorted runs, a candidate in two groups is two equal neighbours
    (0.1 s for 1,000,000 against 0.3 s for the sets)."""
    if len(groups) < 2:
        return
    merged = sorted(chain.from_iterable(groups))
    if any(map(operator.eq, merged, islice(merged, 1, None))):
        check_disjoint(groups)  # names the candidate
        raise AssertionError("unreachable")  # pragma: no cover


def pick_strata(seed: str, strata: Mapping[str, tuple[Sequence[str], int]]) -> dict[str, list[str]]:
    """One draw per stratum (label → candidates, k), each with its own stream.

    Used where classes are drawn at different rates (lower credit classes
    more often); a candidate must be in one stratum only.
    """
    check_disjoint([members for members, _k in strata.values()])
    return {label: pick(seed, members, k, label=label) for label, (members, k) in strata.items()}
