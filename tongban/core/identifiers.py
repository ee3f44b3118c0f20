"""National identifiers: 公民身份号码, 统一社会信用代码, 行政区划代码.

Each ``validate_*`` returns the normalized value or raises ``DomainError``
with a stable code and a Chinese message saying what is wrong. The check
arithmetic is python-stdnum's; the finer messages (which part is wrong) and
the checks stdnum does not make are ours.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from stdnum import numdb
from stdnum.cn import ric, uscc

from tongban.core import errors
from tongban.core.errors import DomainError

# GB/T 2260 province-level codes (first two digits).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _region_known(code6: str) -> bool:
    """Whether a 6-digit code is (or was) a GB/T 2260 code, per stdnum's table
    (a lookup there takes milliseconds; there are ~7,000 codes, so they are kept)."""
    results = numdb.get("cn/loc").info(code6)
    return len(results) > 1 and bool(results[1][1])


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: dt.date
    sex: str  # "male" | "female" (GB 11643: 顺序码 odd for men)


def validate_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """公民身份号码 (GB 11643-1999): 18 characters, region, birth date, MOD 11-2."""

    def fail(why: str) -> DomainError:
        return DomainError(errors.INVALID_RESIDENT_ID, f"公民身份号码无效：{why}")

    number = (value or "").strip().upper().replace(" ", "")
    if not number:
        raise fail("不能为空")
    if len(number) != 18:
        raise fail(f"应为 18 位，实际为 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise fail("前 17 位须为数字，最后一位为数字或 X")
    if number[:2] not in PROVINCE_CODES or not _region_known(number[:6]):
        raise fail(f"前 6 位地址码 {number[:6]} 不是有效的行政区划代码")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise fail(f"出生日期 {number[6:14]} 不是真实存在的日期") from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise fail(f"出生日期 {birth.isoformat()} 不在合理范围内")
    if number[17] != ric.calc_check_digit(number):
        raise fail("校验码不正确（请核对最后一位）")
    sex = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, sex=sex)


# GB 32100-2015 第 4.1 条: 登记管理部门码 and the 机构类别码 allowed under each.
_USCC_CATEGORIES = {
    "1": "123459",  # 机构编制
    "2": "19",  # 外交
    "3": "123459",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "129",  # 工会
    "9": "123",  # 工商（市场监管）
    "A": "19",  # 中央军委改革和编制办公室
    "N": "12349",  # 农业
    "Y": "1",  # 其他
}
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_code_check(body: str) -> str:
    """GB 11714 组织机构代码 check character over its 8-character body."""
    total = sum(
        _ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> str:
    """统一社会信用代码 (GB 32100-2015): 18 characters, parts and check character."""

    def fail(why: str) -> DomainError:
        return DomainError(errors.INVALID_CREDIT_CODE, f"统一社会信用代码无效：{why}")

    code = (value or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        raise fail("不能为空")
    if len(code) != 18:
        raise fail(f"应为 18 位，实际为 {len(code)} 位")
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
    bad = sorted({c for c in code if c not in alphabet})
    if bad:
        raise fail(f"含有不允许的字符 {''.join(bad)}（不使用 I、O、Z、S、V）")
    dept, category = code[0], code[1]
    if dept not in _USCC_CATEGORIES:
        raise fail(f"第 1 位登记管理部门码 {dept} 不存在")
    if category not in _USCC_CATEGORIES[dept]:
        raise fail(f"第 2 位机构类别码 {category} 与登记管理部门码 {dept} 不匹配")
    # 100000: registered by a central (national-level) authority, e.g. 国务院部门.
    region = code[2:8]
    if not region.isdigit() or (region != "100000" and region[:2] not in PROVINCE_CODES):
        raise fail(f"第 3–8 位登记管理机关行政区划码 {code[2:8]} 无效")
    if code[16] != _org_code_check(code[8:16]):
        raise fail("第 9–17 位主体标识码（组织机构代码）的校验码不正确")
    if code[17] != uscc.calc_check_digit(code):
        raise fail("校验码不正确（请核对最后一位）")
    return code


def validate_region_code(value: str) -> str:
    """行政区划代码 (GB/T 2260): 6 digits to county level, 12 to township/village."""

    def fail(why: str) -> DomainError:
        return DomainError(errors.INVALID_REGION_CODE, f"行政区划代码无效：{why}")

    code = (value or "").strip()
    if not code.isdigit() or len(code) not in (6, 12):
        raise fail("应为 6 位（县级及以上）或 12 位（乡镇、村）数字")
    if code[:2] not in PROVINCE_CODES:
        raise fail(f"省级代码 {code[:2]} 不存在")
    if code[2:4] == "00" and code[4:6] != "00":
        raise fail("市级代码为 00 时县级代码也须为 00")
    if len(code) == 12 and code[6:9] == "000" and code[9:] != "000":
        raise fail("乡镇代码为 000 时村级代码也须为 000")
    return code


_MOBILE_RE = re.compile(r"^1\d{10}$")


def validate_mobile_phone(value: str) -> str:
    """A mainland mobile number: 11 digits starting with 1 (+86, spaces and dashes
    are dropped first). Raises ``invalid_phone``."""
    phone = (value or "").strip().replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _MOBILE_RE.match(phone):
        raise DomainError(errors.INVALID_PHONE, "手机号码无效：应为以 1 开头的 11 位数字")
    return phone


def generate_check_digit_resident(first17: str) -> str:
    """The MOD 11-2 check character for 17 digits (for generated demo data)."""
    return ric.calc_check_digit(first17 + "0")


def generate_credit_code(first16: str) -> str:
    """Complete 16 characters (dept, category, region, org body) to a valid code."""
    with_org = first16 + _org_code_check(first16[8:16])
    return with_org + uscc.calc_check_digit(with_org)
