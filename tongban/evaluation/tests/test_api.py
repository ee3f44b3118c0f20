"""好差评 API: request-level tests that check the answer and the rows written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.cases.tests.conftest import T0
from tongban.core import clock
from tongban.evaluation import services
from tongban.evaluation.models import Rating, Rectification
from tongban.hotline.models import OrderStatus, WorkOrder
from tongban.org.models import Department

API = "/api/v1/evaluation"


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def client(ew, user):
    return Client(headers=ew.accounts.bearer(user))


def post(c, path, data, **headers):
    return c.post(f"{API}{path}", data, content_type="application/json", headers=headers)


def test_an_applicant_rates_a_concluded_case_once(ew):
    case = ew.concluded_case()
    c = client(ew, ew.citizen)
    body = {"level": "satisfied", "reasons": ["fast"], "text": "很快"}
    r = post(c, f"/cases/{case.case_no}/rating", body)
    assert r.status_code == 201, r.content
    assert r.json()["level_label"] == "满意" and r.json()["rectification"] is None
    assert Rating.objects.get(case=case).rater_id == ew.citizen.pk
    r = post(c, f"/cases/{case.case_no}/rating", body)
    assert r.status_code == 200
    r = post(c, f"/cases/{case.case_no}/rating", {**body, "level": "very_satisfied"})
    assert (r.status_code, r.json()["code"]) == (409, "rating_exists")
    assert r["Content-Type"].startswith("application/problem+json")
    assert Rating.objects.filter(case=case).count() == 1
    r = c.get(f"{API}/cases/{case.case_no}/rating")
    assert r.status_code == 200 and r.json()["subject_no"] == case.case_no


def test_someone_elses_case_is_not_found_and_nothing_is_written(ew):
    case = ew.concluded_case()
    for user in (ew.accounts.other_citizen, ew.cases.clerk):
        r = post(client(ew, user), f"/cases/{case.case_no}/rating", {"level": "satisfied"})
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert not Rating.objects.exists()
    r = post(Client(), f"/cases/{case.case_no}/rating", {"level": "satisfied"})
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"level": "superb"}, 422, "rating_level_invalid"),
        ({"level": "dissatisfied"}, 422, "rating_reason_required"),
        ({"level": "satisfied", "reasons": ["x"]}, 422, "rating_reason_invalid"),
        ({"level": "satisfied", "reasons": "fast"}, 422, "validation_failed"),
        ({}, 422, "validation_failed"),
    ],
)
def test_bad_rating_input_is_a_4xx_with_a_code(ew, body, status, code):
    case = ew.concluded_case()
    r = post(client(ew, ew.citizen), f"/cases/{case.case_no}/rating", body)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert not Rating.objects.exists()


def test_a_case_in_handling_cannot_be_rated(ew):
    case = ew.open_case()
    r = post(client(ew, ew.citizen), f"/cases/{case.case_no}/rating", {"level": "satisfied"})
    assert (r.status_code, r.json()["code"]) == (409, "rating_not_open")


def _bad(ew):
    case = ew.concluded_case()
    r = post(
        client(ew, ew.citizen),
        f"/cases/{case.case_no}/rating",
        {"level": "very_dissatisfied", "reasons": ["many_visits"], "text": "跑了三次"},
    )
    assert r.status_code == 201
    assert r.json()["rectification"]["status"] == "open"
    return Rectification.objects.get(rating__case=case)


def test_the_rectification_loop_through_the_api(ew):
    rect = _bad(ew)
    head = client(ew, ew.cases.head)
    r = head.get(f"{API}/rectifications/{rect.pk}")
    assert r.status_code == 200 and r["ETag"] == '"1"'
    r = post(
        head,
        f"/rectifications/{rect.pk}/answer",
        {"cause": "原因", "measures": "措施"},
        **{"If-Match": '"9"'},
    )
    assert (r.status_code, r.json()["code"]) == (412, "rectification_version_mismatch")
    r = post(
        head,
        f"/rectifications/{rect.pk}/answer",
        {"cause": "材料清单不清", "measures": "已修订办事指南"},
        **{"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "answered" and r["ETag"] == '"2"'
    # The rater answers the call-back online.
    r = post(client(ew, ew.citizen), f"/rectifications/{rect.pk}/revisit", {"satisfied": True})
    assert r.status_code == 200 and r.json()["status"] == "revisited"
    sup = client(ew, ew.supervisor)
    r = post(sup, f"/rectifications/{rect.pk}/close", {"outcome": ""})
    assert (r.status_code, r.json()["code"]) == (422, "rectification_outcome_required")
    r = post(sup, f"/rectifications/{rect.pk}/close", {"outcome": "指南已修订，申请人认可"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert [e["action"] for e in r.json()["events"]] == ["open", "answer", "revisit", "close"]
    rect.refresh_from_db()
    assert (rect.status, rect.outcome, rect.on_time) == ("closed", "指南已修订，申请人认可", True)


def test_rectifications_are_scoped_to_the_callers_departments(ew):
    rect = _bad(ew)
    r = client(ew, ew.cases.head).get(f"{API}/rectifications")
    assert [i["id"] for i in r.json()["items"]] == [rect.pk]
    other = client(ew, ew.cases.other_clerk)
    assert other.get(f"{API}/rectifications").json()["items"] == []
    r = other.get(f"{API}/rectifications/{rect.pk}")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = post(other, f"/rectifications/{rect.pk}/answer", {"cause": "c", "measures": "m"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    # Another citizen cannot answer the call-back of someone else's rating.
    r = post(
        client(ew, ew.accounts.other_citizen),
        f"/rectifications/{rect.pk}/revisit",
        {"satisfied": True},
    )
    assert r.status_code == 404
    assert Rectification.objects.get(pk=rect.pk).status == "open"


def test_the_list_reads_a_fixed_number_of_queries(ew):
    for _ in range(3):
        _bad(ew)
    head = client(ew, ew.cases.head)
    head.get(f"{API}/rectifications")  # warm the token cache
    with CaptureQueriesContext(connection) as one:
        r = head.get(f"{API}/rectifications?limit=1")
    with CaptureQueriesContext(connection) as three:
        r = head.get(f"{API}/rectifications?limit=3")
    assert len(r.json()["items"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_a_caller_rates_an_answered_12345_order(ew):
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    order = WorkOrder.objects.create(  # set up: an order its department has answered
        order_no="32010020261102000001",
        channel="web",
        kind="complaint",
        status=OrderStatus.REPLIED,
        caller_user=ew.citizen,
        title="餐馆卫生",
        content="后厨卫生差",
        region=nanjing.region,
        region_path=nanjing.region.path,
        department=nanjing,
        registered_at=T0,
        created_at=T0,
        updated_at=T0,
    )
    r = post(
        client(ew, ew.citizen),
        f"/orders/{order.order_no}/rating",
        {"level": "dissatisfied", "reasons": ["slow"]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["subject_kind"] == "work_order"
    assert Rectification.objects.get(rating__work_order=order).department_id == nanjing.pk
    r = post(
        client(ew, ew.accounts.other_citizen),
        f"/orders/{order.order_no}/rating",
        {"level": "satisfied"},
    )
    assert r.status_code == 404


def test_figures_per_department_on_hand_computed_data(ew):
    for level in ("very_satisfied", "satisfied", "basically_satisfied"):
        case = ew.concluded_case()
        services.rating_submit_for_case(
            case_id=case.pk, rater=ew.citizen, level=level, now=ew.at(days=1)
        )
    rect = _bad(ew)
    services.rectification_answer(
        rectification_id=rect.pk, actor=ew.cases.head, cause="c", measures="m", now=ew.at(days=2)
    )
    r = client(ew, ew.supervisor).get(f"{API}/figures?group=department")
    assert r.status_code == 200
    (row,) = r.json()
    # 4 ratings: 2 good (5 and 4), 1 basic (3), 1 bad (1); the bad one answered on time.
    assert (row["ratings"], row["good"], row["bad"]) == (4, 2, 1)
    assert row["good_rate"] == 0.5
    assert (row["on_time"], row["due"], row["on_time_rate"]) == (1, 1, 1.0)
    assert row["average_score"] == 3.25
    assert client(ew, ew.cases.other_clerk).get(f"{API}/figures").json() == []
    r = client(ew, ew.supervisor).get(f"{API}/figures?group=nope")
    assert r.status_code == 422


def test_a_department_appeals_and_the_platform_decides_through_the_api(ew):
    from tongban.cases.tests.conftest import _staff
    from tongban.identity.services import token_create
    from tongban.org.models import Role

    nanjing = Department.objects.get(name="南京市市场监督管理局")
    admin = _staff("platform_admin", Role.PLATFORM_ADMIN, nanjing)
    admin_client = Client(
        headers={"Authorization": f"Bearer {token_create(user=admin, name='t')[1]}"}
    )
    rect = _bad(ew)
    r = post(client(ew, ew.cases.head), f"/rectifications/{rect.pk}/appeal", {"reason": ""})
    assert (r.status_code, r.json()["code"]) == (422, "rectification_text_required")
    r = post(client(ew, ew.cases.head), f"/rectifications/{rect.pk}/appeal", {"reason": "误评"})
    assert r.status_code == 200 and r.json()["status"] == "appealed"
    body = {"upheld": True, "reason": "经核实为误评"}
    r = post(client(ew, ew.supervisor), f"/rectifications/{rect.pk}/appeal-decision", body)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = post(admin_client, f"/rectifications/{rect.pk}/appeal-decision", body)
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["appeal_upheld"]) == ("closed", True)
    assert Rating.objects.get(pk=rect.rating_id).excluded


def test_supervision_sums_the_open_rectifications_per_department(ew, monkeypatch):
    import datetime as dt

    first, second = _bad(ew), _bad(ew)
    services.rectification_answer(
        rectification_id=second.pk, actor=ew.cases.head, cause="c", measures="m"
    )
    # Rated Mon 2 Nov, due Mon 23 Nov 2026; on Tue 24 Nov the unanswered one is overdue.
    assert first.due_on == dt.date(2026, 11, 23)
    monkeypatch.setattr(clock, "now", lambda: T0 + dt.timedelta(days=22))
    r = client(ew, ew.supervisor).get("/api/v1/supervision/rectifications")
    assert r.status_code == 200
    assert r.json() == [
        {
            "department_id": first.department_id,
            "department": "南京市市场监督管理局",
            "open": 2,
            "overdue": 1,
            "escalated": 0,
            "appealed": 0,
        }
    ]
    assert client(ew, ew.cases.other_clerk).get("/api/v1/supervision/rectifications").json() == []


def test_an_applicant_changes_a_rating_once_through_the_api(ew):
    case = ew.concluded_case()
    c = client(ew, ew.citizen)
    assert post(c, f"/cases/{case.case_no}/rating", {"level": "satisfied"}).status_code == 201
    r = post(c, f"/cases/{case.case_no}/rating/change", {"level": "very_satisfied"})
    assert r.status_code == 200, r.content
    assert (r.json()["level"], r.json()["previous_level"]) == ("very_satisfied", "satisfied")
    r = post(c, f"/cases/{case.case_no}/rating/change", {"level": "satisfied"})
    assert (r.status_code, r.json()["code"]) == (409, "rating_change_used")
    other = client(ew, ew.accounts.other_citizen)
    r = post(other, f"/cases/{case.case_no}/rating/change", {"level": "satisfied"})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert Rating.objects.get(case=case).level == "very_satisfied"
