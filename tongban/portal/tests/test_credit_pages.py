"""Public credit pages: lists in force with persons masked, a business's credit."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core import clock
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.records import credit_record_add
from tongban.credit.tests.conftest import entity_code, make_lists

pytestmark = pytest.mark.django_db


def test_the_lists_mask_a_person_and_a_business_page_shows_its_class(client):
    make_lists()
    until = clock.today() + dt.timedelta(days=100)
    person = list_entry_add(
        list_code="serious-dishonest", subject_kind="person", subject_code="11010519491231002X",
        subject_name="张伟", reason="虚假材料", legal_basis="某条", valid_until=until, actor=None,
    )  # fmt: skip
    code = entity_code(31)
    list_entry_add(
        list_code="serious-dishonest", subject_kind="entity", subject_code=code,
        subject_name="南京某某公司", reason="虚假材料", legal_basis="某条", valid_until=until,
        actor=None,
    )  # fmt: skip
    page = client.get("/credit/").content.decode()
    assert "企业年度检验（企业年检）：已取消" in page and "6 月 30 日" in page
    assert "张*" in page and "张伟" not in page and person.subject_code not in page
    assert "南京某某公司" in page and code in page
    credit_record_add(
        subject_code=code, subject_kind="entity", source="hotline_complaint", ref="W1",
        summary="投诉查实", severity="minor", occurred_at=clock.now(), actor=None,
    )  # fmt: skip
    shown = client.get("/credit/", {"code": code}).content.decode()
    assert "D 级" in shown and "投诉" not in shown  # records are not public; the class is
    bad = client.get("/credit/", {"code": "123"}).content.decode()
    assert "统一社会信用代码无效" in bad
    assert client.get("/credit/inspections/").status_code == 200
    assert client.get("/credit/inspections/999/").status_code == 404
