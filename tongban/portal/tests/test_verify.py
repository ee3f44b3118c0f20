"""The public verification page that the QR code of a legal document opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.support.db import rolled_back
from tongban.cases import notices, services
from tongban.cases.models import CaseDocument, DocumentKind, MaterialKind
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests.conftest import World, _seed
from tongban.core.identifiers import generate_credit_code

PDF = b"%PDF-1.4 test document"


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The case tests' world, seeded once for this module and rolled back."""
    with rolled_back(django_db_blocker):
        yield _seed()


def issued(world: World) -> CaseDocument:
    case = services.case_submit(
        service_item=world.item,
        channel="online",
        applicant_person=world.person,
        form_data={
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        materials=[
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        now=world.at(),
    )
    case = services.case_accept(case_id=case.pk, actor=world.clerk, now=world.at(days=1))
    return notices.document_issue(
        case=case, kind=DocumentKind.ACCEPTANCE_NOTICE, now=world.at(days=1, hours=1)
    )


def test_the_verification_page_shows_the_document_with_the_name_masked(world, db, client):
    document = issued(world)
    url = reverse("portal:verify_document", args=[document.verification_code])
    assert url == f"/verify/{document.verification_code}/"
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "此文书由通办平台出具，内容与下列信息一致" in body
    assert '<dd data-field="kind">受理通知书</dd>' in body
    assert f'<dd data-field="number">{document.number}</dd>' in body
    assert f'<dd data-field="case_no">{document.case.case_no}</dd>' in body
    assert '<dd data-field="item">食品经营许可证核发</dd>' in body
    assert '<dd data-field="department">南京市市场监督管理局</dd>' in body
    assert '<dd data-field="applicant">张*</dd>' in body
    assert '<dd data-field="issued_on">2026年11月3日</dd>' in body
    assert document.sha256 in body
    assert "张伟" not in body  # the full name is never shown
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_unknown_code_gets_a_chinese_404_page(world, db, client):
    issued(world)
    response = client.get(reverse("portal:verify_document", args=["no-such-code-000"]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到该核验码对应的文书" in body
    assert "data-field" not in body


def test_the_verification_page_reads_a_bounded_number_of_rows(
    world, db, client, django_assert_num_queries
):
    document = notices.document_ready(issued(world))  # sealed already, as by the worker
    url = reverse("portal:verify_document", args=[document.verification_code])
    with django_assert_num_queries(1):  # the document joined to its case, item, department
        client.get(url)


def test_the_verification_page_answers_get_only(world, db, client):
    document = issued(world)
    url = reverse("portal:verify_document", args=[document.verification_code])
    assert client.post(url).status_code == 405
