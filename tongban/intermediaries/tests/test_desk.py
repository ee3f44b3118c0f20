"""The centre's desk in the workbench: objections answered, penalties recorded, the
opening run, for its own region only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.core import clock
from tongban.identity.services import staff_account_create
from tongban.intermediaries.models import AgencyPenalty, ObjectionStatus, PurchaseObjection
from tongban.intermediaries.services import objection_file, purchase_select, purchase_signup
from tongban.intermediaries.tests.conftest import CLOSES, PASSWORD, T0
from tongban.intermediaries.tests.helpers import publish
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

AFTER = CLOSES + dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: AFTER)


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_centre_answers_an_objection_and_records_a_penalty(world):
    purchase = publish(world, method="competitive")
    purchase_signup(purchase=purchase, agency=world.agencies[0], price_fen=100, now=T0)
    purchase_select(purchase=purchase, now=AFTER)
    objection = objection_file(
        purchase=purchase,
        filer_name="金陵环境科技有限公司",
        reason="中选机构的资质证书已过期。",
        now=AFTER,
    )
    centre = logged_in(world.centre)
    page = centre.get("/workbench/market/")
    assert page.status_code == 200 and "中选机构的资质证书已过期" in page.content.decode()
    done = centre.post(
        "/workbench/market/",
        {"action": "dismiss", "objection": objection.pk, "answer": "资质在有效期内。"},
    )
    assert done.status_code == 302
    assert PurchaseObjection.objects.get(pk=objection.pk).status == ObjectionStatus.DISMISSED
    centre.post(
        "/workbench/market/",
        {
            "action": "penalty",
            "credit_code": world.agencies[2].credit_code,
            "kind": "suspension",
            "reason": "出具虚假报告",
            "decided_by": "南京市生态环境局",
            "days": "365",
        },
    )
    assert AgencyPenalty.objects.filter(agency=world.agencies[2], kind="suspension").exists()


def test_staff_of_another_region_or_role_do_not_see_the_desk(world):
    ganzhou = Department.objects.get(name="赣州市市场监督管理局")
    other = staff_account_create(username="gz_admin", display_name="刘强", password=PASSWORD)
    staff_assign(
        user_id=other.pk,
        role=Role.PLATFORM_ADMIN,
        department=ganzhou,
        region_scope=ganzhou.region,
    )
    purchase = publish(world, method="competitive")
    page = logged_in(other).get("/workbench/market/").content.decode()
    assert purchase.title not in page
    clerk = staff_account_create(username="nj_clerk", display_name="王芳", password=PASSWORD)
    staff_assign(
        user_id=clerk.pk, role=Role.WINDOW_CLERK, department=ganzhou, region_scope=ganzhou.region
    )
    assert logged_in(clerk).get("/workbench/market/").status_code == 403
    assert logged_in(world.buyer).get("/workbench/market/").status_code == 403
