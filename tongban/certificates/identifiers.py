"""The electronic-certificate identifier (电子证照标识) and its check character.

Structure, after GB/T 36904-2018 《电子证照 标识规范》 as the national
电子证照 platform uses it (DESIGN cites it as "GB/T 36905", the series'
file standard; see docs/certificates.md)::

    1.2.156.3005.2 . 证照类型代码 . 颁发机构代码 . 流水号 . 版本号 . 校验位
    (root OID)       21 chars      18 chars       12      3       1

- 证照类型代码: the defining ministry's 统一社会信用代码 (18) + a 3-digit number;
- 颁发机构代码: the issuing department's 统一社会信用代码 (GB 32100);
- 流水号: the year (4 digits) and a number within the year per type and
  issuer (8 digits);
- 版本号: 001 for the first issue; a change makes a new version;
- 校验位: ISO/IEC 7064 MOD 37,36 over every character before it, dots left out.

The check arithmetic is python-stdnum's; ``offline.mod_37_36`` is the
stand-alone copy for verifiers (a test keeps the two equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.iso7064 import mod_37_36

from tongban.certificates import errors
from tongban.core.errors import DomainError

ROOT = "1.2.156.3005.2"
SERIAL_DIGITS = 8

_PATTERN = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{21})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>[0-9]{12})\.(?P<version>[0-9]{3})\.(?P<check>[0-9A-Z])$"
)
MAX_LENGTH = 80


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    @property
    def lineage(self) -> str:
        """Every version of one certificate shares this (the identifier without
        version and check character)."""
        return f"{ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}"

    def __str__(self) -> str:
        return f"{self.lineage}.{self.version:03d}.{self.check}"


def check_character(body: str) -> str:
    """MOD 37,36 check character of the identifier ``body`` (dots ignored)."""
    return str(mod_37_36.calc_check_digit(body.replace(".", "")))


def identifier_make(
    *, type_code: str, issuer_code: str, year: int, number: int, version: int
) -> str:
    serial = f"{year:04d}{number:0{SERIAL_DIGITS}d}"
    body = f"{ROOT}.{type_code}.{issuer_code}.{serial}.{version:03d}"
    return f"{body}.{check_character(body)}"


def identifier_parse(value: str) -> Identifier:
    """The parts of an identifier; ``certificate_identifier_invalid`` (422)
    saying what is wrong, or ``certificate_identifier_check_failed`` for a
    well-formed identifier whose check character does not match."""
    text = (value or "").strip().upper()
    if not text:
        raise DomainError(errors.IDENTIFIER_INVALID, "证照标识不能为空。")
    if len(text) > MAX_LENGTH:
        raise DomainError(errors.IDENTIFIER_INVALID, f"证照标识过长（最多 {MAX_LENGTH} 个字符）。")
    match = _PATTERN.match(text)
    if match is None:
        raise DomainError(
            errors.IDENTIFIER_INVALID,
            "证照标识格式不正确：应为“1.2.156.3005.2.证照类型代码(21位).颁发机构代码(18位)."
            "流水号(12位).版本号(3位).校验位”。",
        )
    body, _, check = text.rpartition(".")
    if check_character(body) != check:
        raise DomainError(
            errors.IDENTIFIER_CHECK_FAILED, "证照标识的校验位不正确，请核对是否抄录有误。"
        )
    return Identifier(
        type_code=match["type"],
        issuer_code=match["issuer"],
        serial=match["serial"],
        version=int(match["version"]),
        check=check,
    )
