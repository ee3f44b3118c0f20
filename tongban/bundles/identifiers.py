"""投资项目代码 (R-PL-7): the national fixed-asset investment project code.

GB/T 40058-2021 (全国固定资产投资项目代码编码规范) and 发改投资〔2020〕1439号:
24 characters in five parts joined by hyphens,

    YYMM-RRRRRR-DD-TT-NNNNNC
    2411-130202-89-01-637015

* ``YYMM`` 时间代码: year and month the code was given;
* ``RRRRRR`` 地区代码: the GB/T 2260 code of the project's place;
* ``DD`` 中央业务指导部门代码: the central department guiding the sector;
* ``TT`` 项目类型代码: 01 基本建设, 02 技术改造, 03 单纯购置, 04 信息化, 05 其他;
* ``NNNNN`` 随机码 and ``C`` 校验码: the check character is ISO 7064 MOD 11,10
  (GB/T 17710) over the 19 digits before it, computed by python-stdnum's
  ``iso7064.mod_11_10``. Published codes bear it out ("2411-130202-89-01-637015",
  "2603-141124-89-05-346948"); codes given before the 2020 规范 ("2020-…",
  a four-digit year) carry no check and are not issued here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from stdnum.iso7064 import mod_11_10

from tongban.bundles import errors
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_region_code

PROJECT_TYPES = {
    "01": "基本建设项目",
    "02": "技术改造项目",
    "03": "单纯购置项目",
    "04": "信息化项目",
    "05": "其他项目",
}
_SHAPE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")


def _fail(why: str) -> DomainError:
    return DomainError(errors.PROJECT_CODE_INVALID, f"投资项目代码无效：{why}")


def project_code_validate(value: str) -> str:
    """The normalised code, or a refusal that says which part is wrong."""
    code = (value or "").strip().replace(" ", "").replace("—", "-").replace("－", "-")
    if not code:
        raise _fail("不能为空")
    match = _SHAPE.match(code)
    if match is None:
        raise _fail(
            "格式应为“YYMM-地区代码-部门代码-类型代码-随机码校验码”，共 24 位，"
            "如 2411-130202-89-01-637015"
        )
    time, region, guidance, kind, _ = match.groups()
    if not 1 <= int(time[2:]) <= 12:
        raise _fail(f"时间代码 {time} 的月份无效")
    try:
        validate_region_code(region)
    except DomainError:
        raise _fail(f"地区代码 {region} 不是有效的行政区划代码") from None
    if guidance == "00":
        raise _fail("中央业务指导部门代码不能为 00")
    if kind not in PROJECT_TYPES:
        raise _fail(f"项目类型代码 {kind} 无效（01–05）")
    digits = code.replace("-", "")
    if not mod_11_10.is_valid(digits):
        raise _fail("校验码不正确（请核对最后一位）")
    return code


def project_code_make(*, on: dt.date, region_code: str, guidance: str, kind: str) -> str:
    """A new code with a random 随机码 and its check character (the caller keeps
    it unique: a clash with a stored code is retried with another draw)."""
    if kind not in PROJECT_TYPES:
        raise _fail(f"项目类型代码 {kind} 无效（01–05）")
    if not re.fullmatch(r"\d{2}", guidance or "") or guidance == "00":
        raise _fail("中央业务指导部门代码应为两位数字（01–99）")
    region = validate_region_code(region_code)[:6]
    body = f"{on:%y%m}{region}{guidance}{kind}{secrets.randbelow(100_000):05d}"
    check = mod_11_10.calc_check_digit(body)
    return f"{body[:4]}-{body[4:10]}-{body[10:12]}-{body[12:14]}-{body[14:]}{check}"
