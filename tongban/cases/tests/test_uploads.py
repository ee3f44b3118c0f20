"""Uploads (issue 9 #9): names stored as given, OFD not checked as OFD."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from tongban.cases.models import CaseMaterial
from tongban.cases.services.intake import MaterialInput
from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.cases.tests.test_services import PDF, submit
from tongban.core.errors import DomainError


def ofd(parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_OFD = ofd({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})

NAME_ROWS = [
    # (given, type, shown)
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("..\\..\\boot.ini", "application/pdf", "boot.pdf"),
    ("申请书\r\nX-Injected: 1.pdf", "application/pdf", "申请书X-Injected_ 1.pdf"),
    ("invoice\u202egpj.exe", "image/jpeg", "invoicegpj.jpg"),  # RLO: would show "exe.jpg"
    ("报告.exe", "application/pdf", "报告.pdf"),
    ("scan.PNG", "image/png", "scan.png"),
    ("e\u0301tat.pdf", "application/pdf", "\u00e9tat.pdf"),  # NFC
    ("   ", "application/pdf", "营业执照.pdf"),
    ("....ofd", "application/ofd", "ofd.ofd"),  # hidden-file dots go
    (".", "application/ofd", "营业执照.ofd"),
    ("a" * 300 + ".pdf", "application/pdf", "a" * 100 + ".pdf"),
]


@pytest.mark.parametrize(("given", "content_type", "shown"), NAME_ROWS)
def test_a_file_name_is_made_safe_and_takes_the_detected_extension(given, content_type, shown):
    assert safe_file_name(given, content_type=content_type, fallback="营业执照") == shown


def test_a_real_ofd_is_accepted():
    assert detect_type(GOOD_OFD, "materials[0]") == "application/ofd"


OFD_ROWS = [
    pytest.param(b"PK\x03\x04 not a zip at all", "已损坏", id="not-a-zip"),
    pytest.param(ofd({"word/document.xml": b"<w/>"}), "缺少 OFD.xml", id="a-docx-is-no-ofd"),
    pytest.param(ofd({"OFD.xml": b"x", "../evil.sh": b"x"}), "非法路径", id="path-climbs-out"),
    pytest.param(
        ofd({"OFD.xml": b"x", "Doc_0/big.bin": b"\0" * (2 * 1024 * 1024)}),
        "解压后超过",
        id="zip-bomb",
    ),
]


@pytest.mark.parametrize(("content", "reason"), OFD_ROWS)
@override_settings(TONGBAN_OFD_MAX_INFLATED_BYTES=1024 * 1024)
def test_a_zip_is_only_an_ofd_when_it_is_one(content, reason):
    with pytest.raises(DomainError) as exc:
        detect_type(content, "materials[0]")
    assert exc.value.code == "case_upload_invalid"
    assert reason in exc.value.detail


def test_the_probes_names_are_stored_safe_through_the_service(world):
    case = submit(
        world,
        materials=[
            MaterialInput(
                code="application", kind="upload", content=PDF, file_name="../申请书\r\n.exe"
            ),
            MaterialInput(
                code="layout", kind="upload", content=GOOD_OFD, file_name="布局\u202egpj.pdf"
            ),
        ],
    )

    uploads = CaseMaterial.objects.filter(case=case, kind="upload")
    names = dict(uploads.values_list("code", "file_name"))
    assert names == {"application": "申请书.pdf", "layout": "布局gpj.ofd"}
