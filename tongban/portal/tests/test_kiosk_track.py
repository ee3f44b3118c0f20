"""Tracking a case on the hall's terminal (自助终端 办件查询): the 办件编号 and 查询码 from
the on-screen pads, a masked answer never cached, and the same limits as the portal."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.cases import services as case_services
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests import conftest as cases_world
from tongban.org.models import Hall

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    world = cases_world._seed()
    case = case_services.case_submit(
        service_item=world.item,
        channel="window",
        applicant_person=world.person,
        form_data={"applicant_name": "张伟", "credit_code": "9132010270000001XC"},
        materials=[
            MaterialInput(code="application", kind="upload", content=b"%PDF-1.4"),
            MaterialInput(code="layout", kind="upload", content=b"%PDF-1.4"),
        ],
    )
    return Hall.objects.get(name="南京市政务服务中心"), case


def test_the_kiosk_tracks_a_case_by_number_and_code_and_keeps_nothing(submitted):
    hall, case = submitted
    url = f"/halls/{hall.pk}/kiosk/track/"
    client = Client()
    form = client.get(url)
    assert form.status_code == 200 and 'data-pad="code"' in form.text
    assert "no-store" in form["Cache-Control"]
    # Typed on the pads: spaces and lower case are forgiven.
    found = client.post(url, {"case_no": case.case_no, "code": case.tracking_code.lower()})
    assert found.status_code == 200
    assert "no-store" in found["Cache-Control"]
    assert case.case_no in found.text and "食品经营许可证核发" in found.text
    assert "张*" in found.text and "张伟" not in found.text
    assert "打印回执" in found.text and "办件查询回执" in found.text  # the print-only heading


def test_a_wrong_code_or_a_malformed_entry_finds_nothing(submitted):
    hall, case = submitted
    url = f"/halls/{hall.pk}/kiosk/track/"
    client = Client()
    wrong = client.post(url, {"case_no": case.case_no, "code": "ABCDEFGH"})
    assert wrong.status_code == 404 and "未找到该办件" in wrong.text
    assert "食品经营许可证核发" not in wrong.text
    short = client.post(url, {"case_no": case.case_no[:10], "code": case.tracking_code})
    assert short.status_code == 422 and "20 位办件编号" in short.text
    letters = client.post(url, {"case_no": case.case_no, "code": "IIIIOOOO"})  # not in the alphabet
    assert letters.status_code == 422
    assert client.get("/halls/999999/kiosk/track/").status_code == 404


def test_the_kiosk_is_limited_like_the_portal(submitted, settings):
    hall, case = submitted
    url = f"/halls/{hall.pk}/kiosk/track/"
    client = Client()
    answers = [
        client.post(url, {"case_no": case.case_no, "code": "ABCDEFGH"}).status_code
        for _ in range(12)
    ]
    assert answers[-1] == 429 and set(answers[:-1]) <= {404, 429}


def test_the_ticket_page_offers_printing_and_is_not_cached(submitted):
    hall, _case = submitted
    page = Client().get(f"/halls/{hall.pk}/kiosk/")
    assert "no-store" in page["Cache-Control"]
    assert "办件查询" in page.text and f"/halls/{hall.pk}/kiosk/track/" in page.text
