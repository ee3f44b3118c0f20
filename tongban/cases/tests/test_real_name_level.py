"""A guide's minimum real-name level refuses a lower applicant at intake (issue 14, item 2)."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from pydantic import ValidationError

from tongban.cases.models import Case
from tongban.catalog.content import GuideContent
from tongban.catalog.models import BasicItem
from tongban.catalog.services import guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import User
from tongban.identity.services.real_name import real_name_registry_confirmed

from .test_services import submit


def _item_requiring(world, level):
    basic = BasicItem.objects.get(code="010000000101")
    return guide_load_published(
        basic_item=basic,
        department=world.item.department,
        content=valid_guide(min_real_name_level=level),
    )


@pytest.mark.parametrize("bad", [0, 4, "L2", -1])
def test_a_guide_names_a_minimum_level_between_one_and_three_only(bad):
    with pytest.raises(ValidationError):
        GuideContent.model_validate(valid_guide(min_real_name_level=bad))


def test_a_guide_without_a_minimum_level_accepts_anyone():
    assert GuideContent.model_validate(valid_guide()).min_real_name_level is None


def test_an_applicant_below_the_guides_level_is_refused_and_nothing_is_created(world, accounts):
    item = _item_requiring(world, 2)
    before = Case.objects.count()
    with pytest.raises(DomainError) as exc:
        submit(world, item=item)
    assert exc.value.code == "case_real_name_level_too_low"
    assert exc.value.status == 403
    assert "不低于L2" in exc.value.detail and "人口库核验" in exc.value.detail
    assert Case.objects.count() == before


def test_an_applicant_raised_to_the_level_may_apply(world, accounts):
    item = _item_requiring(world, 2)
    real_name_registry_confirmed(user=User.objects.get(pk=accounts.citizen.pk))
    case = submit(world, item=item)
    assert case.pk is not None


def test_level_three_is_only_raised_at_a_window(world, accounts):
    item = _item_requiring(world, 3)
    real_name_registry_confirmed(user=User.objects.get(pk=accounts.citizen.pk))
    with pytest.raises(DomainError) as exc:
        submit(world, item=item)
    assert exc.value.code == "case_real_name_level_too_low"
    assert "不低于L3" in exc.value.detail and "窗口" in exc.value.detail


def test_the_api_answers_problem_json_with_the_required_level_and_writes_nothing(world, accounts):
    item = _item_requiring(world, 2)
    pdf = base64.b64encode(b"%PDF-1.4 test document").decode("ascii")
    client = Client()
    client.force_login(accounts.citizen)
    before = Case.objects.count()
    response = client.post(
        "/api/v1/cases",
        {
            "implementation_code": item.implementation_code,
            "channel": "online",
            "applicant": {"kind": "person"},
            "form": {
                "applicant_name": "张伟",
                "credit_code": generate_credit_code("9132010270000001"),
            },
            "materials": [
                {"code": "application", "kind": "upload", "file_base64": pdf, "file_name": "a.pdf"},
                {"code": "layout", "kind": "upload", "file_base64": pdf},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "case_real_name_level_too_low"
    assert problem["title"] == "实名认证等级不足"
    assert "不低于L2" in problem["detail"] and "窗口核验身份证件" in problem["detail"]
    assert Case.objects.count() == before
