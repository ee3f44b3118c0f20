"""同城通办 and 异地代办: a clerk of 玄武's hall takes in an item of 江宁 (same city)
and one of 章贡 (another province); each case records the taking hall, lands on
the owning department's queue, which acts on it, is read-only to the taking
hall, and is counted for both sides."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.support.db import rolled_back
from tongban.appointments.cross_region_selectors import (
    cases_taken_for_others,
    cross_region_figures,
    intake_hall_for_clerk,
    remote_items_for_hall,
)
from tongban.appointments.models import PointHandling, ServicePointItem
from tongban.cases import services as case_services
from tongban.cases.cross_region import cross_region_of
from tongban.cases.models import Case, CaseStatus, MaterialKind
from tongban.cases.selectors import case_get_for_staff
from tongban.cases.services.intake import MaterialInput
from tongban.catalog.models import ServiceItem
from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.identity.models import Person, User
from tongban.identity.services import person_register, staff_account_create
from tongban.org.demo import demo_org_load
from tongban.org.models import Department, Hall, Role
from tongban.org.selectors import staff_scope_for
from tongban.org.services import staff_assign

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20


@pytest.mark.parametrize(
    ("hall_path", "item_path", "kind"),
    [
        ("/320000/320100/320102/", "/320000/320100/320102/", ""),  # own county
        ("/320000/320100/320102/", "/320000/320100/", ""),  # the city above it
        ("/320000/320100/320102/320102001/", "/320000/320100/320102/", ""),  # 就近办
        ("/320000/320100/", "/320000/320100/320115/", ""),  # a county beneath the city hall
        ("/320000/320100/320102/", "/320000/320100/320115/", "same_city"),  # 玄武 → 江宁
        ("/320000/320100/320102/", "/360000/360700/360702/", "other_place"),  # → 章贡
        ("/320000/320100/320102/", "/320000/320200/", "other_place"),  # another city
    ],
)
def test_cross_region_of_tells_own_line_same_city_and_other_place(hall_path, item_path, kind):
    assert cross_region_of(hall_path=hall_path, item_path=item_path) == kind


@dataclass
class World:
    hall: Hall  # 南京市玄武区政务服务中心
    jiangning_item: ServiceItem
    zhanggong_item: ServiceItem
    unlisted_item: ServiceItem  # 章贡's, not on 玄武's 通办 list
    person: Person
    clerk: User  # 玄武's window clerk at A01
    jn_clerk: User  # 江宁's window clerk
    gz_clerk: User  # 章贡's window clerk
    xw_head: User  # head of 玄武's 政务办


def _item(code: str, name: str, department: str) -> ServiceItem:
    basic = basic_item_create(
        code=code, name=name, item_type="01", legal_basis="《行政许可法》", levels="234"
    )
    return guide_load_published(
        basic_item=basic,
        department=Department.objects.get(name=department),
        content=valid_guide(name=name),
    )


def _staff(username: str, role: str, department: str, window: Any = None) -> User:
    dept = Department.objects.get(name=department)
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=role, department=dept, region_scope=dept.region, window=window
    )
    return user


def _seed() -> World:
    demo_org_load()
    hall = Hall.objects.select_related("region").get(
        region_id="320102", name__endswith="政务服务中心"
    )
    jiangning = _item("010000000201", "食品经营许可（江宁）", "南京市江宁区市场监督管理局")
    zhanggong = _item("010000000202", "食品经营许可（章贡）", "赣州市章贡区市场监督管理局")
    unlisted = _item("010000000203", "药品经营许可（章贡）", "赣州市章贡区市场监督管理局")
    for item in (jiangning, zhanggong):
        ServicePointItem.objects.create(
            hall=hall, service_item=item, handling=PointHandling.COLLECT
        )
    return World(
        hall=hall,
        jiangning_item=jiangning,
        zhanggong_item=zhanggong,
        unlisted_item=unlisted,
        person=person_register(name="张伟", id_number="11010519491231002X", phone="13800000001"),
        clerk=_staff(
            "xw_clerk",
            Role.WINDOW_CLERK,
            "南京市玄武区市场监督管理局",
            window=hall.windows.get(number="A01"),
        ),
        jn_clerk=_staff("jn_clerk", Role.WINDOW_CLERK, "南京市江宁区市场监督管理局"),
        gz_clerk=_staff("gz_clerk", Role.WINDOW_CLERK, "赣州市章贡区市场监督管理局"),
        xw_head=_staff("xw_head", Role.DEPARTMENT_HEAD, "南京市玄武区政务服务管理办公室"),
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield _seed()


@pytest.fixture
def w(seeded, db) -> World:
    return seeded


def take(w: World, item: ServiceItem, **kw: Any) -> Case:
    values: dict[str, Any] = {
        "service_item": item,
        "channel": "window",
        "applicant_person": w.person,
        "form_data": {
            "applicant_name": "张伟",
            "credit_code": generate_credit_code("9132010270000001"),
        },
        "materials": [
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.PAPER),
        ],
        "submitted_by": w.clerk,
        "intake_hall": intake_hall_for_clerk(user=w.clerk),
    }
    values.update(kw)
    return case_services.case_submit(**values)


def test_the_hall_takes_in_only_other_regions_items_on_its_list(w):
    assert intake_hall_for_clerk(user=w.clerk) == w.hall
    assert intake_hall_for_clerk(user=w.jn_clerk) is None  # no window
    listed = set(remote_items_for_hall(hall=w.hall).values_list("pk", flat=True))
    assert listed == {w.jiangning_item.pk, w.zhanggong_item.pk}


def test_a_case_taken_for_another_region_is_the_owning_departments_with_its_materials(w):
    case = take(w, w.zhanggong_item)
    assert case.intake_hall_id == w.hall.pk and case.cross_region == "other_place"
    assert case.department.name == "赣州市章贡区市场监督管理局"
    assert case.region_path == w.zhanggong_item.region_path
    assert sorted(case.materials.values_list("code", "kind")) == [
        ("application", "upload"),
        ("layout", "paper"),
    ]
    # The owning department's clerk finds it on her queue and acts on it.
    found = case_get_for_staff(user=w.gz_clerk, case_no=case.case_no)
    accepted = case_services.case_accept(case_id=found.pk, actor=w.gz_clerk)
    assert accepted.status == CaseStatus.ACCEPTED
    # The taking hall's clerk cannot act on it: it is not in her scope.
    with pytest.raises(DomainError) as refused:
        case_get_for_staff(user=w.clerk, case_no=case.case_no)
    assert refused.value.status == 404
    # … but sees its status, read-only, among the cases her hall took.
    seen = cases_taken_for_others(scope=staff_scope_for(user=w.clerk))
    assert [(c.case_no, c.status) for c in seen] == [(case.case_no, CaseStatus.ACCEPTED)]
    assert cases_taken_for_others(scope=staff_scope_for(user=w.jn_clerk)) == []


def test_a_local_window_case_records_the_hall_and_no_cross_region(w):
    local = _item("010000000204", "食品经营许可（玄武）", "南京市玄武区市场监督管理局")
    case = take(w, local)
    assert case.intake_hall_id == w.hall.pk and case.cross_region == ""


def test_an_online_case_cannot_claim_a_hall(w):
    with pytest.raises(DomainError) as refused:
        take(w, w.zhanggong_item, channel="online", submitted_by=None)
    assert refused.value.code == "case_applicant_invalid"
    assert not Case.objects.filter(service_item=w.zhanggong_item).exists()


def test_both_sides_count_the_cases(w, django_assert_num_queries):
    take(w, w.zhanggong_item)
    take(w, w.jiangning_item)
    take(w, w.jiangning_item)
    today = clock.today()
    start = today - dt.timedelta(days=1)
    scope = staff_scope_for(user=w.xw_head)
    with django_assert_num_queries(2):  # one grouped query per side
        taken, received = cross_region_figures(scope=scope, start=start, end=today)
    assert [(r.name, r.same_city, r.other_place, r.total) for r in taken] == [
        (w.hall.name, 2, 1, 3)
    ]
    assert received == []  # 玄武 received none from other regions
    _, jn = cross_region_figures(scope=staff_scope_for(user=w.jn_clerk), start=start, end=today)
    assert [(r.name, r.same_city, r.other_place) for r in jn] == [
        ("南京市江宁区市场监督管理局", 2, 0)
    ]
    _, gz = cross_region_figures(scope=staff_scope_for(user=w.gz_clerk), start=start, end=today)
    assert [(r.name, r.same_city, r.other_place) for r in gz] == [
        ("赣州市章贡区市场监督管理局", 0, 1)
    ]


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_intake_page_offers_the_halls_list_and_refuses_an_unlisted_item(w):
    page = _login(w.clerk)
    found = page.get("/workbench/intake/", {"q": "章贡"})
    assert found.status_code == 200
    text = found.content.decode()
    assert "食品经营许可（章贡）" in text and "药品经营许可（章贡）" not in text
    code = w.zhanggong_item.implementation_code
    assert page.get("/workbench/intake/", {"item": code}).status_code == 200
    unlisted = w.unlisted_item.implementation_code
    assert page.get("/workbench/intake/", {"item": unlisted}).status_code == 404
    # 江宁's clerk has no window at 玄武's hall: 章贡's item is not hers to take.
    assert _login(w.jn_clerk).get("/workbench/intake/", {"item": code}).status_code == 404


def test_the_board_shows_both_sides_and_refuses_a_bad_period(w):
    case = take(w, w.zhanggong_item)
    board = _login(w.clerk).get("/workbench/cross-region/")
    assert board.status_code == 200
    assert f'data-case="{case.case_no}"' in board.content.decode()
    owner = _login(w.gz_clerk).get("/workbench/cross-region/").content.decode()
    assert 'data-cross-region="received"' in owner and "赣州市章贡区市场监督管理局" in owner
    bad = _login(w.clerk).get(
        "/workbench/cross-region/", {"from": "2026-12-31", "to": "2026-01-01"}
    )
    assert bad.status_code == 422


def _api(user: User) -> Client:
    from tongban.identity.services import token_create

    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_lists_the_halls_items_its_cases_read_only_and_the_figures(w):
    api = "/api/v1/appointments"
    items = Client().get(f"{api}/halls/{w.hall.pk}/cross-region-items", {"limit": 1}).json()
    assert [i["name"] for i in items["items"]] == ["食品经营许可（江宁）"]
    rest = Client().get(
        f"{api}/halls/{w.hall.pk}/cross-region-items", {"cursor": items["next_cursor"]}
    )
    assert [i["name"] for i in rest.json()["items"]] == ["食品经营许可（章贡）"]
    assert Client().get(f"{api}/halls/999999/cross-region-items").status_code == 404
    case = take(w, w.zhanggong_item)
    take(w, w.jiangning_item)
    taken = _api(w.clerk).get(f"{api}/cross-region/cases").json()["items"]
    assert {c["case_no"] for c in taken} >= {case.case_no}
    first = next(c for c in taken if c["case_no"] == case.case_no)
    assert first["cross_region_label"] == "异地代办" and first["applicant"] != "张伟"
    assert first["department"] == "赣州市章贡区市场监督管理局"
    assert _api(w.jn_clerk).get(f"{api}/cross-region/cases").json()["items"] == []
    today = clock.today().isoformat()
    shown = _api(w.xw_head).get(f"{api}/cross-region/figures", {"from": today, "to": today})
    assert shown.json()["taken"] == [
        {"name": w.hall.name, "same_city": 1, "other_place": 1, "total": 2}
    ]
    gz = _api(w.gz_clerk).get(f"{api}/cross-region/figures", {"from": today, "to": today})
    assert gz.json()["received"][0]["other_place"] == 1
    bad = _api(w.clerk).get(
        f"{api}/cross-region/figures", {"from": "2026-12-31", "to": "2026-01-01"}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    citizen = User.objects.create_user("cr_citizen", "Pw-12345678", kind="citizen")
    assert _api(citizen).get(f"{api}/cross-region/cases").status_code == 403
    assert Client().get(f"{api}/cross-region/cases").status_code == 401
