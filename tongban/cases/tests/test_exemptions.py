"""两个免于提交 at intake (issue 10 #5), end to end on the demo registries.

A business holding its 营业执照 (市场主体登记信息) whose 法定代表人 holds a
居民身份证 (人口基础信息) applies with no upload: both are provided as
government data with their source. A person, who holds no 营业执照, is told
why and must supply it; nothing is ever marked provided without a look-up.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from tests.support.db import rolled_back
from tests.support.exemptions import T0, exemption_world
from tongban.cases.models import Case, CaseMaterial, MaterialKind
from tongban.cases.services import case_accept
from tongban.core import clock
from tongban.identity.models import LegalEntity, User
from tongban.identity.services import token_create
from tongban.sharing.access_log import AccessLogEntry

PDF64 = base64.b64encode(b"%PDF-1.4 test").decode()


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with rolled_back(django_db_blocker):
        yield exemption_world()


@pytest.fixture(autouse=True)
def _at_t0(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: T0)


def _apply(world: dict[str, Any], username: str, applicant: dict[str, str]) -> Any:
    user = User.objects.get(username=username)
    token = token_create(user=user, name="t", now=T0)[1]
    body = {
        "implementation_code": world["item"].implementation_code,
        "channel": "online",
        "applicant": applicant,
        "form": {},  # the applicant's own name is filled from the registry
        "materials": [{"code": "application", "kind": "upload", "file_base64": PDF64}],
    }
    return Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/cases", body, content_type="application/json"
    )


def test_a_holder_of_both_uploads_neither_and_sees_where_they_came_from(world):
    code = LegalEntity.objects.get(name="南京通办信息科技有限公司").credit_code
    response = _apply(world, "biz1", {"kind": "legal_entity", "credit_code": code})

    assert response.status_code == 201, response.content
    body = response.json()
    exempted = {e["code"]: e for e in body["exemptions"]}
    assert {code: e["found"] for code, e in exempted.items()} == {"licence": True, "id_card": True}
    assert "市场主体登记信息" in exempted["licence"]["source_label"]
    assert "人口基础信息" in exempted["id_card"]["source_label"]
    kinds = {m["code"]: m["kind"] for m in body["materials"]}
    assert kinds == {
        "application": "upload",
        "licence": "government_data",
        "id_card": "government_data",
    }
    case = Case.objects.get(case_no=body["case_no"])
    # Provided, so the window can accept at once: nothing is missing.
    accepted = case_accept(case_id=case.pk, actor=world["clerk"], now=T0)
    assert accepted.status == "accepted"
    # Each look-up is in the access log, with the case number.
    assert AccessLogEntry.objects.filter(case_no=case.case_no).count() == 2


def test_a_non_holder_is_told_why_and_nothing_is_marked_provided(world):
    response = _apply(world, "citizen1", {"kind": "person"})

    assert response.status_code == 201, response.content
    body = response.json()
    licence = next(e for e in body["exemptions"] if e["code"] == "licence")
    assert licence["found"] is False
    assert licence["reason"].endswith("请上传。")
    case = Case.objects.get(case_no=body["case_no"])
    assert not CaseMaterial.objects.filter(case=case, code="licence").exists()
    assert CaseMaterial.objects.filter(case=case, kind=MaterialKind.GOVERNMENT_DATA).count() == 1


def test_the_figure_counts_materials_exempted_per_case_in_the_clerks_scope(world):
    code = LegalEntity.objects.get(name="南京通办信息科技有限公司").credit_code
    _apply(world, "biz1", {"kind": "legal_entity", "credit_code": code})  # 2 exempted
    _apply(world, "citizen1", {"kind": "person"})  # 1 exempted (the ID card)
    token = token_create(user=world["clerk"], name="t", now=T0)[1]
    clerk = Client(headers={"Authorization": f"Bearer {token}"})

    rows = clerk.get("/api/v1/cases/figures/exemptions").json()

    [row] = [r for r in rows if r["implementation_code"] == world["item"].implementation_code]
    assert (row["cases"], row["exempted"], row["per_case"]) == (2, 3, 1.5)
