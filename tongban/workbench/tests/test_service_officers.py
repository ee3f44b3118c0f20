"""首席服务官 and 一对一专办: assign, reassign with a note, end; every refusal has its code;
the business's space and the officer's own page read what is serving today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.support.db import rolled_back
from tongban.appointments.models import OfficerStatus, ServiceOfficer, ServiceOfficerEvent
from tongban.appointments.officer_selectors import (
    officer_assignments_for_officer,
    officers_for_business,
    officers_for_project,
    open_cases_for_officer,
)
from tongban.appointments.services.officers import (
    service_officer_assign,
    service_officer_end,
    service_officer_reassign,
)
from tongban.bundles.services.projects import project_register
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import User
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Region, Role
from tongban.org.services import staff_assign
from tongban.spaces.tests.conftest import PASSWORD, Space, build_space


def _staff(username: str, name: str, role: str, department: str):
    dept = Department.objects.get(name=department)
    user = staff_account_create(username=username, display_name=name, password=PASSWORD)
    staff_assign(user_id=user.pk, role=role, department=dept, region_scope=dept.region)
    return user


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeded once per module inside a transaction rolled back at its end."""
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture
def w(seeded, db):
    """Every test runs in its own savepoint (rolled back after it)."""
    return seeded


@dataclass
class OfficerWorld:
    space: Space  # the business 南京通办餐饮有限公司, its boss, a citizen …
    supervisor: User  # 监察人员 of 南京
    officer: User  # a reviewer of 南京, the officer assigned
    second: User  # another reviewer of 南京
    gz_super: User  # 监察人员 of 赣州
    gz_staff: User  # a reviewer of 赣州

    def __getattr__(self, name: str) -> Any:
        return getattr(self.space, name)


def _seed() -> OfficerWorld:
    return OfficerWorld(
        space=build_space(),
        supervisor=_staff("nj_super", "陈监察", Role.SUPERVISOR, "南京市政务服务管理办公室"),
        officer=_staff("nj_officer", "周专员", Role.REVIEWER, "南京市市场监督管理局"),
        second=_staff("nj_officer2", "吴专员", Role.REVIEWER, "南京市市场监督管理局"),
        gz_super=_staff("gz_super", "赣州监察", Role.SUPERVISOR, "赣州市行政审批局"),
        gz_staff=_staff("gz_staff", "赣州审批", Role.REVIEWER, "赣州市行政审批局"),
    )


def assign(w, **kw):
    values = {
        "staff": w.supervisor,
        "kind": "chief",
        "officer": "nj_officer",
        "phone": "025-83001234",
        "office": "市政务服务中心 3 楼 301",
        "duties": "开办、许可和涉企审批全程帮办",
        "credit_code": w.company.credit_code,
    }
    values.update(kw)
    return service_officer_assign(**values)


def refused(code: str, call, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kw)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_assigning_a_chief_officer_records_it_and_the_space_shows_it(w, django_assert_num_queries):
    row = assign(w)
    assert row.status == OfficerStatus.ACTIVE and row.officer == w.officer
    assert row.department.name == "南京市市场监督管理局" and row.starts_on == clock.today()
    assert list(row.events.values_list("action", "actor__username")) == [("assign", "nj_super")]
    assert AuditEvent.objects.filter(
        action="appointments.officer_assign", object_id=str(row.pk)
    ).exists()
    with django_assert_num_queries(1):
        shown = officers_for_business(credit_code=w.company.credit_code, today=clock.today())
        assert [(o.officer.display_name, o.department.name) for o in shown] == [
            ("周专员", "南京市市场监督管理局")
        ]
    assert officers_for_business(credit_code=w.other_company.credit_code, today=clock.today()) == []


def test_the_officer_sees_her_businesses_and_only_their_open_cases(w, django_assert_num_queries):
    assert w.boss.person is not None and w.citizen.person is not None
    mine = w.submit(person=w.boss.person, entity=w.company, by=w.boss)
    w.submit(person=w.citizen.person, by=w.citizen)  # not a business she serves
    assign(w)
    today = clock.today()
    assert [
        a.credit_code for a in officer_assignments_for_officer(user=w.officer, today=today)
    ] == [w.company.credit_code]
    with django_assert_num_queries(1):
        cases = open_cases_for_officer(user=w.officer, today=today)
    assert [c.case_no for c in cases] == [mine.case_no]
    assert open_cases_for_officer(user=w.second, today=today) == []


def test_a_project_officer_shows_on_the_project_and_in_its_owners_space(w):
    project = project_register(
        name="通办智能制造产业园一期",
        kind="filing",
        project_type="01",
        region=Region.objects.get(code="320100"),
        address="南京市玄武区龙蟠路 1 号",
        total_investment="5000",
        owner_entity=w.company,
    )
    row = assign(w, kind="dedicated", credit_code="", project_code=project.code)
    assert row.project == project and row.credit_code == w.company.credit_code
    assert [o.pk for o in officers_for_project(project_id=project.pk, today=clock.today())] == [
        row.pk
    ]
    shown = officers_for_business(credit_code=w.company.credit_code, today=clock.today())
    assert [o.project_id for o in shown] == [project.pk]


def test_bad_assignments_are_refused_with_their_codes(w):
    refused("service_officer_not_staff", assign, w, officer=w.citizen.username)
    refused("service_officer_not_staff", assign, w, officer="nobody")
    refused("service_officer_not_staff", assign, w, officer="gz_staff")  # not in her regions
    refused("service_officer_target_not_found", assign, w, credit_code="91320100MA1XXXXX0X")
    unknown_project = "2026-320100-01-01-999999"
    refused(
        "service_officer_target_not_found", assign, w, credit_code="", project_code=unknown_project
    )
    refused("service_officer_invalid", assign, w, credit_code="")  # neither
    refused("service_officer_invalid", assign, w, project_code=unknown_project)  # both
    refused("service_officer_invalid", assign, w, kind="boss")
    refused("service_officer_invalid", assign, w, phone="call me")
    refused("service_officer_invalid", assign, w, duties="")
    today = clock.today()
    refused("service_officer_invalid", assign, w, starts_on=today - dt.timedelta(days=1))
    refused(
        "service_officer_invalid",
        assign,
        w,
        starts_on=today + dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=4),
    )
    refused("service_officer_forbidden", assign, w, staff=w.officer)  # a reviewer may not
    # A supervisor of 赣州 cannot reach a business of 南京: as if it did not exist.
    refused("service_officer_target_not_found", assign, w, staff=w.gz_super, officer="gz_staff")
    assert not ServiceOfficer.objects.exists()


def test_an_overlapping_assignment_of_the_same_kind_is_refused_and_a_later_one_allowed(w):
    today = clock.today()
    first = assign(w, ends_on=today + dt.timedelta(days=30))
    error = refused(
        "service_officer_overlap",
        assign,
        w,
        officer="nj_officer2",
        starts_on=today + dt.timedelta(days=30),
    )
    assert error.status == 409
    assign(w, kind="dedicated", officer="nj_officer2")  # another kind: allowed
    later = assign(w, officer="nj_officer2", starts_on=today + dt.timedelta(days=31))
    assert later.pk != first.pk
    # Not serving yet: the space shows the first only (and the 一对一专办).
    shown = officers_for_business(credit_code=w.company.credit_code, today=today)
    assert sorted(o.kind for o in shown) == ["chief", "dedicated"]


def test_reassigning_needs_a_note_and_another_officer_and_keeps_the_history(w):
    row = assign(w)
    refused(
        "service_officer_invalid",
        service_officer_reassign,
        staff=w.supervisor,
        assignment_id=row.pk,
        officer="nj_officer2",
        note="",
    )
    refused(
        "service_officer_invalid",
        service_officer_reassign,
        staff=w.supervisor,
        assignment_id=row.pk,
        officer="nj_officer",
        note="同一人",
    )
    refused(
        "service_officer_version_mismatch",
        service_officer_reassign,
        staff=w.supervisor,
        assignment_id=row.pk,
        officer="nj_officer2",
        note="岗位调整",
        expected_version=7,
    )
    refused(
        "service_officer_not_found",
        service_officer_reassign,
        staff=w.gz_super,
        assignment_id=row.pk,
        officer="gz_staff",
        note="岗位调整",
    )
    moved = service_officer_reassign(
        staff=w.supervisor,
        assignment_id=row.pk,
        officer="nj_officer2",
        note="周专员岗位调整",
        phone="025-83005678",
        expected_version=1,
    )
    assert moved.officer == w.second and moved.phone == "025-83005678" and moved.version == 2
    events = list(ServiceOfficerEvent.objects.filter(assignment=row).order_by("pk"))
    assert [(e.action, e.officer_id, e.note) for e in events] == [
        ("assign", w.officer.pk, ""),
        ("reassign", w.second.pk, "周专员岗位调整"),
    ]
    assert officer_assignments_for_officer(user=w.officer, today=clock.today()) == []


def test_ending_takes_it_off_the_space_and_cannot_be_repeated(w):
    row = assign(w)
    ended = service_officer_end(staff=w.supervisor, assignment_id=row.pk, note="项目投产")
    assert ended.status == OfficerStatus.ENDED and ended.ends_on == clock.today()
    assert officers_for_business(credit_code=w.company.credit_code, today=clock.today()) == []
    refused(
        "service_officer_invalid_state",
        service_officer_end,
        staff=w.supervisor,
        assignment_id=row.pk,
    )
    refused(
        "service_officer_invalid_state",
        service_officer_reassign,
        staff=w.supervisor,
        assignment_id=row.pk,
        officer="nj_officer2",
        note="改派",
    )
    assign(w, officer="nj_officer2")  # the place is free again


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_workbench_page_assigns_and_answers_bad_input_with_its_status(w):
    page = _login(w.supervisor)
    assert page.get("/workbench/officers/").status_code == 200
    post = {
        "action": "assign",
        "kind": "chief",
        "credit_code": w.company.credit_code,
        "officer": "nj_officer",
        "phone": "025-83001234",
        "duties": "涉企审批全程帮办",
    }
    answer = page.post("/workbench/officers/", {**post, "officer": "wangfang"})
    assert answer.status_code == 422 and b'data-error="service_officer_not_staff"' in answer.content
    answer = page.post("/workbench/officers/", {**post, "ends_on": "2026-13-40"})
    assert answer.status_code == 422
    assert page.post("/workbench/officers/", post).status_code == 302
    answer = page.post("/workbench/officers/", {**post, "officer": "nj_officer2"})
    assert answer.status_code == 409 and b"service_officer_overlap" in answer.content
    assert ServiceOfficer.objects.count() == 1
    assert _login(w.officer).get("/workbench/officers/").status_code == 403
    mine = _login(w.officer).get("/workbench/officers/mine/")
    assert mine.status_code == 200 and w.company.name in mine.content.decode()


def test_the_business_space_names_its_officer(w):
    assign(w)
    page = _login(w.boss).get(f"/my/business/{w.company.credit_code}/")
    text = page.content.decode()
    assert page.status_code == 200 and "首席服务官：周专员" in text and "025-83001234" in text
    other = _login(w.outsider).get(f"/my/business/{w.other_company.credit_code}/")
    assert "周专员" not in other.content.decode()
