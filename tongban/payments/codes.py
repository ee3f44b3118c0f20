"""The payment code (缴款码) printed on a 缴款通知书; see docs/payments.md.

Twenty digits, modelled on the 非税收入缴款识别码 of the 财政部 collection
reform: ``RRRRRR YY T NNNNNNNNNN C`` — the payee's six-digit administrative
region (GB/T 2260), the two-digit year, a one-digit kind (1: 行政事业性收费),
a ten-digit sequence per region and year, and one check digit computed with
the Damm algorithm (a totally anti-symmetric quasigroup of order 10: every
single-digit error and every swap of two adjacent digits is caught, which the
ISO 7064 MOD 11-10 or Luhn digits of other codes are not). Pure: no Django.
"""

from __future__ import annotations

KIND_ADMIN_FEE = "1"


# Damm's quasigroup table (H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(body: str) -> str:
    """The Damm check digit of the digits ``body``."""
    if not body.isdigit():
        raise ValueError("payment code body must be digits")
    interim = 0
    for ch in body:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def compose(region_code: str, year: int, sequence: int, kind: str = KIND_ADMIN_FEE) -> str:
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError("region code must be six digits")
    if not 0 <= sequence < 10**10:
        raise ValueError("sequence out of range")
    body = f"{region_code}{year % 100:02d}{kind}{sequence:010d}"
    return body + check_digit(body)


def is_valid(code: str) -> bool:
    return len(code) == 20 and code.isdigit() and check_digit(code[:-1]) == code[-1]
