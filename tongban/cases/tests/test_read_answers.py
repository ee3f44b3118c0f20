"""The cases API's reads (issue 12, item 3): 我的办件, the staff queue, the case page.

They answer without a second pass through the response schema and read only
the columns a list row shows, so each answer is held here to what the schema
would render (every field, nothing more) and to what the whole-row selectors
give, for cases in every kind of clock: not started, acceptance, decision
with a closed and with an open suspension, delivery, closed. Their SQL
statements are held exactly, and the case page's conditional GET (304) is
checked for the cases it may answer and refused for those it may not.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from ninja import Schema
from ninja.responses import NinjaJSONEncoder

from tongban.cases import selectors, services
from tongban.cases.api.common import _detail, _page
from tongban.cases.api.schemas import CaseOut, CasePage
from tongban.cases.models import MaterialKind
from tongban.cases.selectors.applicants import _first_summaries
from tongban.cases.services.intake import MaterialInput
from tongban.core import clock
from tongban.core.identifiers import generate_credit_code

from .conftest import T0

CASES = "/api/v1/cases"
PDF = b"%PDF-1.4 test document"

# SQL statements per read, held exactly (docs/performance.md, "Reads at 16 clients").
READS = {
    # token; the account's legal entities; the page; the suspensions of the rows
    # whose decision clock runs; the rules of the row with an open suspension
    "my cases": 5,
    # token; scope (assignments with their departments); the page; suspensions; rules
    "staff queue": 5,
    # token; scope (1); the case; its suspensions (a decision clock after a
    # suspension); documents; materials; history
    "case page": 7,
    # token; the account's legal entities; the case (a settled case, the tag matches)
    "case page 304": 3,
}


@pytest.fixture(autouse=True)
def moment(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    now = [T0]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


def submit(world: Any, *, days: int) -> Any:
    return services.case_submit(
        service_item=world.item,
        channel="online",
        form_data={"credit_code": generate_credit_code("9132010270000001")},
        materials=[
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        applicant_person=world.person,
        now=world.at(days=days),
    )


@pytest.fixture
def cases(world: Any, moment: list[dt.datetime]) -> dict[str, Any]:
    """One case in each kind of clock, all of world.person, in 南京."""
    at = world.at
    made: dict[str, Any] = {"submitted": submit(world, days=0)}
    accepted = submit(world, days=0)
    services.case_accept(case_id=accepted.pk, actor=world.clerk, now=at(days=1))
    made["accepted"] = accepted
    for name, resume in (("suspended", False), ("resumed", True)):
        case = submit(world, days=0)
        services.case_accept(case_id=case.pk, actor=world.clerk, now=at(days=1))
        services.case_start_review(case_id=case.pk, actor=world.reviewer, now=at(days=1))
        services.case_suspend(
            case_id=case.pk, actor=world.reviewer, reason="testing", note="检测", now=at(days=2)
        )
        if resume:
            services.case_resume(case_id=case.pk, actor=world.reviewer, now=at(days=5))
        made[name] = case
    decided = submit(world, days=0)
    services.case_accept(case_id=decided.pk, actor=world.clerk, now=at(days=1))
    services.case_decide(
        case_id=decided.pk,
        actor=world.reviewer,
        outcome="granted",
        reason="符合条件",
        legal_basis="《食品安全法》第三十五条",
        now=at(days=3),
    )
    made["decided"] = decided
    refused = submit(world, days=0)
    services.case_refuse(
        case_id=refused.pk,
        actor=world.clerk,
        reason="不属于本机关职权范围",
        legal_basis="《行政许可法》第三十二条",
        now=at(days=1),
    )
    made["refused"] = refused
    moment[0] = at(days=8)
    return {name: case.case_no for name, case in made.items()}


def client(accounts: Any, user: Any) -> Client:
    return Client(headers=accounts.bearer(user))


def rendered(payload: Any) -> Any:
    """``payload`` as the answer renders it (JSON, then read back)."""
    return json.loads(json.dumps(payload, cls=NinjaJSONEncoder))


def as_schema_renders(schema: type[Schema], body: Any) -> Any:
    """What django-ninja answers for ``body`` through ``schema``: every field of
    the schema, nothing else, each in the schema's type."""
    return rendered(schema.model_validate(body).model_dump())


def test_my_cases_answer_what_the_schema_and_the_whole_rows_give(world, accounts, cases):
    response = client(accounts, accounts.citizen).get(CASES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {c["case_no"] for c in body["items"]} == set(cases.values())
    assert body == as_schema_renders(CasePage, body)
    whole = selectors.case_list_for_applicant(user=accounts.citizen)
    assert body == rendered(_page(whole, mask=False))
    clocks = {c["case_no"]: c["clock"] for c in body["items"]}
    assert clocks[cases["submitted"]]["phase"] == "acceptance"
    assert clocks[cases["suspended"]]["stopped"] is True
    assert clocks[cases["resumed"]]["phase"] == "decision"
    assert clocks[cases["decided"]]["phase"] == "delivery"
    assert clocks[cases["refused"]]["phase"] == "none"


def test_pages_of_my_cases_follow_each_other_as_before(world, accounts, cases):
    seen = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client(accounts, accounts.citizen).get(CASES, params).json()
        whole = selectors.case_list_for_applicant(user=accounts.citizen, cursor=cursor, limit=2)
        assert body == rendered(_page(whole, mask=False))
        seen += [c["case_no"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(cases.values())


@pytest.mark.parametrize(
    "params, options",
    [
        ({}, {}),
        ({"queue": "window"}, {"window_queue": True}),
        ({"queue": "all"}, {"include_closed": True}),
        ({"status": "suspended"}, {"status": "suspended"}),
        ({"q": "张"}, {"q": "张"}),
    ],
)
def test_the_staff_queue_answers_what_the_schema_and_the_whole_rows_give(
    world, accounts, cases, params, options
):
    response = client(accounts, world.clerk).get(f"{CASES}/queue", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"], params
    assert body == as_schema_renders(CasePage, body)
    whole = selectors.case_list_for_staff(user=world.clerk, **options)
    assert body == rendered(_page(whole, mask=True))
    assert all(c["applicant_name"] == "张*" for c in body["items"])  # masked for staff


def test_another_city_sees_an_empty_queue(world, accounts, cases):
    body = client(accounts, world.other_clerk).get(f"{CASES}/queue", {"queue": "all"}).json()
    assert body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("name", ["submitted", "suspended", "resumed", "decided", "refused"])
def test_the_case_page_answers_what_the_schema_gives(world, accounts, cases, name):
    case_no = cases[name]
    for user, staff in ((world.clerk, True), (accounts.citizen, False)):
        response = client(accounts, user).get(f"{CASES}/{case_no}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body == as_schema_renders(CaseOut, body)
        case, _ = (
            (selectors.case_get_for_staff(user=user, case_no=case_no), True)
            if staff
            else (selectors.case_get_for_applicant(user=user, case_no=case_no), False)
        )
        assert body == rendered(_detail(case, staff=staff))
        assert response["ETag"] == f'"{case.version}"'
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert "no-store" in response["Cache-Control"]
        assert [m["code"] for m in body["materials"]] == ["application", "layout"]
        assert (body["timeline"][0]["actor"] is None) is not staff


def test_each_read_makes_its_statements(world, accounts, cases, django_assert_num_queries):
    citizen, clerk = client(accounts, accounts.citizen), client(accounts, world.clerk)
    refused = cases["refused"]
    etag = citizen.get(f"{CASES}/{refused}")["ETag"]
    reads = {
        "my cases": lambda: citizen.get(CASES),
        "staff queue": lambda: clerk.get(f"{CASES}/queue"),
        "case page": lambda: clerk.get(f"{CASES}/{cases['resumed']}"),
        "case page 304": lambda: citizen.get(f"{CASES}/{refused}", headers={"If-None-Match": etag}),
    }
    for name, read in reads.items():
        read()  # the first of its kind fills the per-process caches (calendar)
        with django_assert_num_queries(READS[name]):
            response = read()
        assert response.status_code == (304 if name.endswith("304") else 200), name


def test_a_closed_case_answers_a_matching_if_none_match_with_304(world, accounts, cases):
    citizen = client(accounts, accounts.citizen)
    first = citizen.get(f"{CASES}/{cases['refused']}")
    etag = first["ETag"]
    for header in (etag, f"W/{etag}", f'"999", {etag}', "*"):
        again = citizen.get(f"{CASES}/{cases['refused']}", headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again["ETag"] == etag
        assert "no-store" in again["Cache-Control"]
    other = citizen.get(f"{CASES}/{cases['refused']}", headers={"If-None-Match": '"999"'})
    assert other.status_code == 200
    assert other.json() == first.json()


def test_an_open_case_always_answers_in_full(world, accounts, cases, moment):
    """Its clock counts the working days left anew each day, with the same version."""
    clerk = client(accounts, world.clerk)
    for name in ("submitted", "suspended", "resumed", "decided"):
        first = clerk.get(f"{CASES}/{cases[name]}")
        again = clerk.get(f"{CASES}/{cases[name]}", headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 200, name
    before = clerk.get(f"{CASES}/{cases['resumed']}").json()
    moment[0] = world.at(days=9)
    after = clerk.get(f"{CASES}/{cases['resumed']}").json()
    assert after["version"] == before["version"]
    assert after["clock"]["working_days_left"] == before["clock"]["working_days_left"] - 1


def test_a_case_that_moved_on_answers_in_full(world, accounts, cases):
    citizen = client(accounts, accounts.citizen)
    case = selectors.case_get_for_applicant(user=accounts.citizen, case_no=cases["submitted"])
    stale = f'"{case.version}"'
    services.case_withdraw(case_id=case.pk, actor=accounts.citizen, reason="不办了")
    response = citizen.get(f"{CASES}/{cases['submitted']}", headers={"If-None-Match": stale})
    assert response.status_code == 200
    assert response["ETag"] == f'"{case.version + 1}"'
    assert response.json()["status"] == "withdrawn"


def test_someone_elses_case_is_not_found_with_or_without_if_none_match(world, accounts, cases):
    other = client(accounts, accounts.other_citizen)
    for headers in ({}, {"If-None-Match": "*"}):
        response = other.get(f"{CASES}/{cases['refused']}", headers=headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_prepared_first_page_of_my_cases_is_the_orm_page(
    world, accounts, cases, django_assert_num_queries
):
    """我的办件's first page (core.prepared, "entity IN (…) OR person IN (x)")
    holds exactly the rows, order and cursor of the ORM's page, for an account
    with a person only, with a person and a legal entity, and with neither."""
    entity_case = services.case_submit(
        service_item=world.item,
        channel="online",
        form_data={
            "applicant_name": accounts.entity.name,
            "credit_code": accounts.entity.credit_code,
        },
        materials=[
            MaterialInput(code="application", kind=MaterialKind.UPLOAD, content=PDF),
            MaterialInput(code="layout", kind=MaterialKind.UPLOAD, content=PDF),
        ],
        applicant_entity=accounts.entity,
        agent_person=world.person,
        now=world.at(days=1),
    )
    expected = {
        accounts.citizen: len(cases),
        accounts.business: len(cases) + 1,
        accounts.other_citizen: 0,
    }
    for user, count in expected.items():
        for limit in (2, 20):
            # the account's legal entities and the page: nothing compiled again
            with django_assert_num_queries(2):
                _first_summaries(user=user, limit=limit)
            first = selectors.case_summaries_for_applicant(user=user, limit=limit)
            whole = selectors.case_list_for_applicant(user=user, limit=limit)
            assert [c.pk for c in first.items] == [c.pk for c in whole.items]
            assert first.next_cursor == whole.next_cursor
            assert len(first.items) == min(limit, count)
            assert rendered(_page(first, mask=False)) == rendered(_page(whole, mask=False))
    business_rows = selectors.case_summaries_for_applicant(user=accounts.business).items
    assert entity_case.pk in {c.pk for c in business_rows}
    accounts.citizen.is_active = False
    try:
        with django_assert_num_queries(0):
            assert selectors.case_summaries_for_applicant(user=accounts.citizen).items == []
    finally:
        accounts.citizen.is_active = True


@pytest.mark.parametrize("name", ["decided", "refused", "suspended"])
def test_the_case_pages_parts_are_the_orm_rows(world, accounts, cases, name):
    """The case page's documents, materials and history (selectors.page, read
    by compiled statements) are the rows the ORM reads, in its order."""
    case = selectors.case_get_for_staff(user=world.clerk, case_no=cases[name])
    documents = list(case.documents.all())
    assert documents or name == "suspended"
    assert [tuple(d) for d in selectors.page_documents(case.pk)] == [
        (d.kind, d.number, d.issued_at) for d in documents
    ]
    assert [tuple(m) for m in selectors.page_materials(case.pk)] == [
        (m.code, m.name, m.kind, m.file_name, m.content_type, m.size, m.supplied_at)
        for m in case.materials.order_by("id")
    ]
    assert selectors.page_timeline(case.pk) == selectors.case_timeline(case)
    assert len(selectors.page_timeline(case.pk)) == case.events.count() > 1


def test_the_hot_reads_compile_no_statement_once_warm(world, accounts, cases, monkeypatch):
    """我的办件's and the queue's first pages and the case page's parts are
    compiled once per connection: after the first request of each, no ORM
    compilation."""
    from django.db.models.sql.compiler import SQLCompiler

    from tongban.cases.selectors.staff import _first_queue_page as first_queue

    case = selectors.case_get_for_staff(user=world.clerk, case_no=cases["decided"])
    reads = [
        lambda: _first_summaries(user=accounts.citizen, limit=20),
        lambda: _first_summaries(user=accounts.business, limit=20),
        lambda: first_queue(user=world.clerk, window_queue=False, include_closed=False, limit=20),
        lambda: first_queue(user=world.clerk, window_queue=True, include_closed=False, limit=20),
        lambda: selectors.page_documents(case.pk),
        lambda: selectors.page_materials(case.pk),
        lambda: selectors.page_timeline(case.pk),
    ]
    for read in reads:
        read()
    compiled: list[object] = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    for read in reads:
        assert read()
    assert compiled == []


def test_the_prepared_first_queue_page_is_the_orm_page(world, accounts, cases):
    """The queue's first page (core.prepared, scoped by the same scope_q) holds
    exactly the rows, order and cursor of the ORM's page for every kind of
    scope: one region, a supervisor's, another city's, and several grants some
    of which are restricted to departments (a department in two grants)."""
    from tongban.cases.selectors.staff import _first_queue_page
    from tongban.identity.services import staff_account_create
    from tongban.org.models import Department, Role
    from tongban.org.services import staff_assign

    nanjing = Department.objects.get(name="南京市市场监督管理局")
    other = Department.objects.filter(region=nanjing.region).exclude(pk=nanjing.pk)[0]
    mixed = staff_account_create(username="mixed", display_name="混合", password="Pw-12345678")
    for role, department, scope in (
        (Role.REVIEWER, other, [other, nanjing]),
        (Role.WINDOW_CLERK, other, [other]),
        (Role.SUPERVISOR, nanjing, []),  # no restriction: every department
    ):
        staff_assign(
            user_id=mixed.pk,
            role=role,
            department=department,
            region_scope=nanjing.region,
            scope_departments=scope,
        )
    narrow = staff_account_create(username="narrow2", display_name="窄", password="Pw-12345678")
    staff_assign(
        user_id=narrow.pk,
        role=Role.REVIEWER,
        department=other,
        region_scope=nanjing.region,
        scope_departments=[other],
    )
    seen = 0
    for user in (world.clerk, world.head, accounts.supervisor, world.other_clerk, mixed, narrow):
        for window_queue, include_closed in ((False, False), (True, False), (False, True)):
            for limit in (2, 20):
                first = _first_queue_page(
                    user=user, window_queue=window_queue, include_closed=include_closed, limit=limit
                )
                whole = selectors.case_list_for_staff(
                    user=user, window_queue=window_queue, include_closed=include_closed, limit=limit
                )
                assert [c.pk for c in first.items] == [c.pk for c in whole.items]
                assert first.next_cursor == whole.next_cursor
                seen += len(first.items)
    assert seen > 0
    assert (
        _first_queue_page(user=narrow, window_queue=False, include_closed=True, limit=20).items
        == []
    )
    page = selectors.case_summaries_for_staff(user=mixed, include_closed=True, limit=20)
    assert {c.case_no for c in page.items} == set(cases.values())
    assert rendered(_page(page, mask=True)) == rendered(
        _page(selectors.case_list_for_staff(user=mixed, include_closed=True, limit=20), mask=True)
    )
