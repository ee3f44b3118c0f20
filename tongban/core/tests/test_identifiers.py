"""National identifiers: 公民身份号码 (GB 11643), 统一社会信用代码 (GB 32100), 行政区划代码."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import uscc

from tongban.core.errors import DomainError
from tongban.core.identifiers import (
    generate_check_digit_resident,
    generate_credit_code,
    validate_credit_code,
    validate_region_code,
    validate_resident_id,
)


def _id(first17: str) -> str:
    return first17 + generate_check_digit_resident(first17)


# --- 公民身份号码 ------------------------------------------------------------------------


def test_the_standards_example_number_is_valid_and_read_apart():
    # GB 11643-1999's own example: 北京市朝阳区, born 31 Dec 1949, 顺序码 002 (even: female).
    result = validate_resident_id("11010519491231002X")

    assert result.number == "11010519491231002X"
    assert result.region_code == "110105"
    assert result.birth_date == dt.date(1949, 12, 31)
    assert result.sex == "female"


def test_an_odd_sequence_number_is_a_man():
    assert validate_resident_id(_id("44030519900307123")).sex == "male"


def test_a_lowercase_x_and_spaces_are_normalized():
    assert validate_resident_id(" 110105 1949 1231 002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("", "不能为空"),
        ("11010519491231002", "应为 18 位，实际为 17 位"),
        ("11010519491231002X1", "应为 18 位，实际为 19 位"),
        ("11010519491231A02X", "前 17 位须为数字"),
        ("11010519491231002Y", "最后一位为数字或 X"),
        (_id("99010519491231002"), "前 6 位地址码 990105"),  # no province 99
        (_id("11999919491231002"), "前 6 位地址码 119999"),  # province 11 has no 119999
        (_id("11010519900230123"), "出生日期 19900230 不是真实存在的日期"),  # 30 Feb
        (_id("11010518991231123"), "出生日期 1899-12-31 不在合理范围内"),
        ("110105194912310021", "校验码不正确"),  # the right one is X
    ],
    ids=lambda v: str(v),
)
def test_an_invalid_resident_id_names_the_wrong_part(value, part):
    with pytest.raises(DomainError) as exc:
        validate_resident_id(value)

    assert exc.value.code == "invalid_resident_id"
    assert exc.value.detail.startswith("公民身份号码无效：")
    assert part in exc.value.detail


def test_a_birth_date_after_today_is_refused():
    number = _id("11010520300101123")

    with pytest.raises(DomainError) as exc:
        validate_resident_id(number, today=dt.date(2026, 11, 21))

    assert exc.value.code == "invalid_resident_id"
    assert "出生日期 2030-01-01 不在合理范围内" in exc.value.detail


def test_a_birth_date_of_today_is_accepted():
    number = _id("11010520261121123")

    assert validate_resident_id(number, today=dt.date(2026, 11, 21)).birth_date == dt.date(
        2026, 11, 21
    )


# --- 统一社会信用代码 ---------------------------------------------------------------------

VALID_CREDIT_CODES = [
    generate_credit_code("9111000010000000"),  # 工商 企业, 北京市
    generate_credit_code("91440300MA5F0000"),  # 工商 企业, 深圳市, letters in the body
    generate_credit_code("92310115MA1K3000"),  # 工商 个体工商户, 上海市浦东新区
    generate_credit_code("93510100MA6C0000"),  # 工商 农民专业合作社, 成都市
    generate_credit_code("52100000MJ000000"),  # 民政 民办非企业单位, registered centrally
    generate_credit_code("11100000000013000"[:16]),  # 机构编制 机关, a central organ (100000)
    generate_credit_code("12330000470000000"[:16]),  # 机构编制 事业单位, 浙江省
    generate_credit_code("N2110108MF000000"),  # 农业 村级集体经济组织
]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_a_well_formed_credit_code_is_valid(code):
    assert validate_credit_code(code) == code
    # The generator agrees with stdnum's GB 32100 check character (stdnum's own
    # is_valid does not know the later 登记管理部门码 A and N, so it is not used).
    assert uscc.calc_check_digit(code) == code[17]


def test_a_credit_code_is_normalized():
    code = VALID_CREDIT_CODES[0]

    assert validate_credit_code(f" {code[:9]}-{code[9:]} ".lower()) == code


def _with(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1 :]


def _wrong_last(code: str) -> str:
    return _with(code, 17, "1" if code[17] != "1" else "2")


GOOD = VALID_CREDIT_CODES[0]  # 91110000100000008J


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("", "不能为空"),
        (GOOD[:17], "应为 18 位，实际为 17 位"),
        (_wrong_last(GOOD), "校验码不正确"),
        *[
            pytest.param(_with(GOOD, 10, letter), f"不允许的字符 {letter}", id=f"letter-{letter}")
            for letter in "IOZSV"
        ],
        (generate_credit_code("B111000010000000"), "第 1 位登记管理部门码 B 不存在"),
        (generate_credit_code("9411000010000000"), "第 2 位机构类别码 4 与登记管理部门码 9"),
        (generate_credit_code("5511000010000000"), "第 2 位机构类别码 5 与登记管理部门码 5"),
        (generate_credit_code("9199000010000000"), "第 3–8 位登记管理机关行政区划码 990000"),
    ],
    ids=lambda v: str(v),
)
def test_an_invalid_credit_code_names_the_wrong_part(value, part):
    with pytest.raises(DomainError) as exc:
        validate_credit_code(value)

    assert exc.value.code == "invalid_credit_code"
    assert exc.value.detail.startswith("统一社会信用代码无效：")
    assert part in exc.value.detail


def test_a_wrong_organization_code_check_is_named_even_with_a_right_last_character():
    # Break the 组织机构代码 check (9th body character), then make the GB 32100
    # check character right again, so only the GB 11714 check is wrong.
    body = _with(GOOD, 16, "1" if GOOD[16] != "1" else "2")[:17]
    code = body + uscc.calc_check_digit(body)

    with pytest.raises(DomainError) as exc:
        validate_credit_code(code)

    assert exc.value.code == "invalid_credit_code"
    assert "第 9–17 位主体标识码" in exc.value.detail


# --- 行政区划代码 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "110000",  # 北京市
        "110105",  # 北京市朝阳区
        "440300",  # 深圳市
        "110105001000",  # 朝阳区 建国门街道 (12 digits, township level)
        "110105001001",  # a community under it (village level)
    ],
)
def test_a_region_code_of_6_or_12_digits_is_valid(code):
    assert validate_region_code(f" {code} ") == code


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("", "应为 6 位"),
        ("11010", "应为 6 位"),
        ("1101050010", "应为 6 位"),  # 10 digits
        ("11010a", "应为 6 位"),
        ("990000", "省级代码 99 不存在"),
        ("110001", "市级代码为 00 时县级代码也须为 00"),
        ("110105000001", "乡镇代码为 000 时村级代码也须为 000"),
    ],
    ids=str,
)
def test_an_invalid_region_code_names_the_wrong_part(value, part):
    with pytest.raises(DomainError) as exc:
        validate_region_code(value)

    assert exc.value.code == "invalid_region_code"
    assert part in exc.value.detail
