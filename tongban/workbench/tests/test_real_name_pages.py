"""实名认证三级 at the window (issue 14, item 2): the clerk who holds the ID
card records it on the workbench page; others may not."""

from __future__ import annotations

import pytest

from tongban.core.models import AuditEvent
from tongban.identity.models import RealNameLevel, RealNameVerification, User
from tongban.identity.services import citizen_signup, staff_account_create
from tongban.identity.tests.conftest import make_id
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Role, Window
from tongban.org.services import staff_assign

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-12345678"
URL = "/workbench/real-name/"


def staff(role: str = Role.WINDOW_CLERK, username: str = "nj_clerk") -> User:
    demo_org_load()
    department = Department.objects.get(name="南京市市场监督管理局")
    user = staff_account_create(username=username, display_name="李窗口", password=PASSWORD)
    staff_assign(
        user_id=user.pk,
        role=role,
        department=department,
        region_scope=department.region,
        window=Window.objects.filter(hall__region__code__startswith="3201").first(),
    )
    return user


@pytest.fixture
def citizen(db) -> User:
    return citizen_signup(
        username="zhangwei",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )


def test_a_window_clerk_raises_the_holder_of_the_card_to_level_three(client, citizen):
    clerk = staff()
    client.force_login(clerk)
    home = client.get("/workbench/").content.decode()
    assert f'href="{URL}"' in home
    page = client.get(URL)
    assert page.status_code == 200 and "南京市市场监督管理局" in page.content.decode()
    response = client.post(URL, {"name": "张伟", "id_number": make_id().lower(), "card_seen": "on"})
    html = response.content.decode()
    assert response.status_code == 200 and "data-verified" in html
    assert "张*" in html and "三级" in html and "共 1 个个人账号已升级" in html
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L3
    record = RealNameVerification.objects.get()
    assert record.clerk_id == clerk.pk and record.method == "in_person"
    assert record.hall is not None and record.hall.name in html
    assert AuditEvent.objects.get(action="identity.real_name.raise").actor == f"user:{clerk.pk}"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "张伟", "id_number": make_id()}, "请先核对身份证件原件"),
        (
            {"name": "张三", "id_number": make_id(), "card_seen": "on"},
            "姓名与该号码注册的姓名不一致",
        ),
        (
            {"name": "张伟", "id_number": "320102198503120010", "card_seen": "on"},
            "身份证件号码有误",
        ),
        (
            {"name": "张伟", "id_number": make_id(order="009"), "card_seen": "on"},
            "尚未注册个人账号",
        ),
    ],
    ids=["card_not_seen", "other_name", "bad_check_digit", "not_registered"],
)
def test_a_refused_check_says_why_and_changes_nothing(client, citizen, form, message):
    client.force_login(staff())
    response = client.post(URL, form)
    assert response.status_code == 422
    assert message in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()


def test_only_a_window_clerk_reaches_the_page(client, citizen):
    client.force_login(staff(role=Role.REVIEWER, username="nj_reviewer"))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"name": "张伟", "id_number": make_id(), "card_seen": "on"})
    assert response.status_code == 403
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    citizen.refresh_from_db()
    assert citizen.real_name_level == RealNameLevel.L1
