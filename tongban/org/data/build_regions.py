"""Build ``regions.csv`` (GB/T 2260 codes for 江苏 32 and 江西 36) from python-stdnum.

Run once by hand and commit the output; the application reads only the CSV::

    .venv/bin/python tongban/org/data/build_regions.py

The source is python-stdnum's ``stdnum/cn/loc.dat``, compiled from the
民政部 "县级以上行政区划代码" lists via Chinese Wikipedia. Each county line
there reads ``  0102 county="[1983-]玄武区"``: a comma-separated history of
names, each with an optional ``[from-to]`` validity range. A code is current
when its last name has no range or an open-ended one (``[2013-]``).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import stdnum

PROVINCES = ("32", "36")
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "regions.csv"
_LINE = re.compile(r'^  (\d{4}) county="(.*)"$')
_PROVINCE = re.compile(r'^(\d{2}) province="(.*)"$')
_NAME = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")

# Corrections to the source, applied after parsing: code -> name, or None to drop.
# Empty: the 2.2 data agreed with the 民政部 end-2023 counts for 32 and 36 (see README.md).
CORRECTIONS: dict[str, str | None] = {}


def current_name(history: str) -> str | None:
    """The name in force today, or None when the code has been abolished."""
    last = history.split(",")[-1]
    match = _NAME.match(last)
    if match is None:
        return None
    _start, end, name = match.groups()
    if end:  # "[1983-2013]白下区": closed range, the code no longer exists
        return None
    return name


def level_of(code: str) -> str:
    # GB/T 2260: digits 3–4 are the prefecture, 5–6 the county; 00 means "this level".
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def parse(loc_dat: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    province: str | None = None
    for line in loc_dat.read_text(encoding="utf-8").splitlines():
        if m := _PROVINCE.match(line):
            province = m.group(1) if m.group(1) in PROVINCES else None
            continue
        if province is None or not (m := _LINE.match(line)):
            continue
        code = province + m.group(1)
        name = current_name(m.group(2))
        if name is None or name in {"市辖区", "县", "省直辖县级行政区划"}:
            # 'xx01 市辖区' and 'xx00 县' are statistical groupings, not regions.
            continue
        if code in CORRECTIONS:
            corrected = CORRECTIONS[code]
            if corrected is None:
                continue
            name = corrected
        level = level_of(code)
        parent = (
            "" if level == "province" else code[:2] + "0000" if level == "city" else code[:4] + "00"
        )
        rows.append((code, name, level, parent))
    return rows


def main() -> int:
    loc_dat = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    rows = parse(loc_dat)
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
    for prov in PROVINCES:
        cities = sum(1 for r in rows if r[0][:2] == prov and r[2] == "city")
        counties = sum(1 for r in rows if r[0][:2] == prov and r[2] == "county")
        sys.stdout.write(f"{prov}: {cities} cities, {counties} county-level regions\n")
    sys.stdout.write(f"stdnum {stdnum.__version__}: wrote {len(rows)} rows to {OUTPUT}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
