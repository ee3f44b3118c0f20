"""空白表格和示例样表 are real files (issue 20, item 4): the editor uploads a
DOCX, XLSX or PDF for a material of a draft, checked by its bytes; the public
downloads it from the published guide, and nothing from a draft."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.support.catalog import seed_catalog
from tongban.catalog import files, services
from tongban.catalog.models import GuideFile, GuideVersion
from tongban.core.errors import DomainError
from tongban.identity.models import User

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(main_part: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_blank_forms_are_recognised_by_their_bytes(content, expected):
    assert files.detect_file_type(content) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an exe", "只接受 DOCX、XLSX 或 PDF 文件"),
        (b"", "文件为空"),
        (office("word/document.xml", {"word/vbaProject.bin": b"x"}), "不接受含宏的文件"),
        (office("content.xml"), "只接受 DOCX、XLSX 或 PDF 文件"),  # an ODT or other zip
        (b"PK\x03\x04 broken", "文件已损坏"),
    ],
)
def test_anything_else_is_refused(content, message):
    with pytest.raises(DomainError) as caught:
        files.detect_file_type(content)
    assert caught.value.code == "guide_file_invalid"
    assert message in caught.value.detail


@pytest.fixture
def seed():
    return seed_catalog()


def _draft(client, item) -> GuideVersion:
    client.post(reverse("workbench:catalog_draft_new", args=[item.implementation_code]))
    return GuideVersion.objects.get(service_item=item, status="draft")


def _upload(client, item, version, content, name, kind="blank_form"):
    return client.post(
        reverse("workbench:catalog_draft_file", args=[item.implementation_code]),
        {
            "revision": version.revision,
            "material": "application",
            "kind": kind,
            "upload": SimpleUploadedFile(name, content),
        },
    )


def test_an_editor_uploads_a_blank_form_and_the_public_downloads_it_once_published(client, seed):
    editor = User.objects.get(username="nj_editor")
    client.force_login(editor)
    version = _draft(client, seed.food)
    response = _upload(client, seed.food, version, DOCX, "申请书（空白）.docx")
    assert response.status_code == 302
    version.refresh_from_db()
    stored = GuideFile.objects.get()
    material = next(m for m in version.content["materials"] if m["code"] == "application")
    assert material["blank_form"] == f"file:{stored.key}"
    assert stored.name == "申请书（空白）.docx" and stored.size == len(DOCX)
    draft_page = client.get(
        reverse("workbench:catalog_draft", args=[seed.food.implementation_code])
    )
    assert "已上传文件" in draft_page.content.decode()

    public = reverse("portal:service_file", args=[seed.food.implementation_code, stored.key])
    client.logout()
    assert client.get(public).status_code == 404  # a draft's file is not public

    services.guide_submit(version=version, actor=editor)
    services.guide_publish(
        version=version,
        actor=User.objects.get(username="nj_editor2"),
        change_note="上传申请书空白表格",
    )
    guide = client.get(reverse("portal:service_guide", args=[seed.food.implementation_code]))
    body = guide.content.decode()
    assert f'href="{public}"' in body and "下载空白表格" in body and "DOCX" in body
    download = client.get(public)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == DOCX
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_docx_xlsx_or_pdf_is_refused(client, seed):
    client.force_login(User.objects.get(username="nj_editor"))
    version = _draft(client, seed.food)
    response = _upload(client, seed.food, version, b"MZ\x90 exe", "申请书.docx")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "未能上传：只接受 DOCX、XLSX 或 PDF 文件" in page
    assert not GuideFile.objects.exists()


def test_an_editor_of_another_city_cannot_attach_files(client, seed):
    client.force_login(User.objects.get(username="nj_editor"))
    version = _draft(client, seed.food)
    client.force_login(User.objects.get(username="gz_editor"))
    response = _upload(client, seed.food, version, PDF, "样表.pdf", kind="sample")
    assert response.status_code == 404
    assert not GuideFile.objects.exists()
