"""Request-level tests of the staff workbench."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.support.accounts import make_citizen, make_clerk, make_department
from tongban.identity.models import User
from tongban.org import services as org_services
from tongban.org.models import Role

pytestmark = pytest.mark.django_db

URL = "/workbench/"


def text(response) -> str:
    return response.content.decode("utf-8")


def test_workbench_is_mounted_at_workbench():
    assert reverse("workbench:home") == URL


def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={URL}"


def test_a_citizen_is_refused_with_a_chinese_403(client):
    client.force_login(make_citizen())
    response = client.get(URL)
    assert response.status_code == 403
    assert "工作台仅对政务服务工作人员开放" in text(response)


def test_a_clerk_sees_their_name_role_and_scope(client, django_assert_max_num_queries):
    client.force_login(make_clerk())
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "李窗口" in body
    assert "窗口人员" in body
    assert "玄武区" in body
    assert "区划范围内全部部门" in body
    assert reverse("portal:calendar") in body
    assert "管理后台" not in body


def test_the_query_count_does_not_grow_with_assignments(client, django_assert_max_num_queries):
    clerk = make_clerk()
    department = make_department()
    for role in (Role.REVIEWER, Role.HANDLER, Role.DEPARTMENT_HEAD):
        org_services.staff_assign(
            user_id=clerk.pk,
            role=role,
            department=department,
            region_scope=department.region,
            scope_departments=[department],
        )
    client.force_login(clerk)
    # Session, user, scope, overview, and the 督办 counts in one aggregate.
    with django_assert_max_num_queries(9):
        body = text(client.get(URL))
    assert "审批人员" in body and "承办人员" in body and "部门负责人" in body
    assert "玄武区政务服务管理办公室" in body


def test_a_platform_admin_gets_the_admin_link(client):
    client.force_login(make_clerk(username="admin1", role=Role.PLATFORM_ADMIN, is_staff=True))
    body = text(client.get(URL))
    assert "平台管理员" in body
    assert "管理后台" in body
    assert reverse("admin:index") in body


def test_a_staff_account_without_assignments_is_told_so(client):
    user = User.objects.create_user("new-staff", "x" * 12, kind="staff", display_name="新同事")
    client.force_login(user)
    body = text(client.get(URL))
    assert "尚未分配岗位" in body
    assert 'id="scope-title"' not in body


# --- operations tasks (ADR-0006) -------------------------------------------------


def test_a_supervisor_sees_the_holiday_notice_task_from_november(client, monkeypatch):
    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 3))
    client.force_login(make_clerk(username="sup1", display_name="王监察", role=Role.SUPERVISOR))

    body = text(client.get(URL))

    assert 'id="operations-tasks"' in body
    assert "导入2027年国务院节假日安排通知" in body
    assert "暂定" in body


def test_no_operations_task_before_november_or_for_a_clerk(client, monkeypatch):
    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 3))
    client.force_login(make_clerk())
    assert 'id="operations-tasks"' not in text(client.get(URL))

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 31))
    client.force_login(make_clerk(username="sup2", role=Role.SUPERVISOR))
    assert 'id="operations-tasks"' not in text(client.get(URL))
