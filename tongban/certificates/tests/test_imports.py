"""Bulk import of a backlog: validated whole, nothing saved on one bad row."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tongban.certificates.models import Certificate, CertificateEvent
from tongban.certificates.services.imports import certificate_import_xlsx
from tongban.certificates.tests.conftest import T0
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_check_digit_resident, generate_credit_code

HEADER = [
    "证照类型",
    "持证主体名称",
    "证件号码",
    "有效期起始",
    "有效期截止",
    "经营项目",
    "证照编号",
]


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows() -> list[list[object]]:
    person = "32010219850312001"
    return [
        [
            "食品经营许可证",
            "南京甲餐饮有限公司",
            generate_credit_code("9132010270000011"),
            "2023-05-01",
            "",
            "热食类食品制售",
            "JY13201020000011",
        ],
        [
            "营业执照",
            "南京乙科技有限公司",
            generate_credit_code("9132010270000012"),
            "2020-01-01",
            "",
            "",
            "",
        ],
        [
            "居民户口簿",
            "张伟",
            person + generate_check_digit_resident(person),
            "2010-01-01",
            "",
            "",
            "",
        ],
    ]


@pytest.fixture(autouse=True)
def _no_seal(settings):
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False


def test_a_good_sheet_imports_every_row(world):
    created = certificate_import_xlsx(
        content=sheet(good_rows()), department=world.samr, actor=None, now=T0
    )
    assert len(created) == 3
    assert all(c.imported for c in created)
    food = next(c for c in created if c.certificate_type.name == "食品经营许可证")
    assert food.number == "JY13201020000011"
    assert str(food.valid_until) == "2028-04-30"
    assert CertificateEvent.objects.filter(action="import").count() == 3


def test_one_bad_row_saves_nothing_and_each_bad_row_is_named(world):
    rows = good_rows()
    rows.append(["不存在的证", "某人", "123", "2020-01-01", "", "", ""])
    rows.append(["营业执照", "南京丙有限公司", "91320102MA00000000", "昨天", "", "", ""])
    with pytest.raises(DomainError) as caught:
        certificate_import_xlsx(content=sheet(rows), department=world.samr, actor=None, now=T0)
    assert caught.value.code == "certificate_import_invalid"
    assert "第 5 行" in caught.value.detail and "第 6 行" in caught.value.detail
    assert "第 2 行" not in caught.value.detail
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a workbook", "xlsx"), (None, "没有数据行")],
)
def test_unreadable_or_empty_files_are_refused(world, content, message):
    with pytest.raises(DomainError) as caught:
        certificate_import_xlsx(content=content or sheet([]), department=world.samr, actor=None)
    assert message in caught.value.detail
