"""Sharing API: request-level tests that check the answer and the rows written."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core import clock
from tongban.core.models import AuditEvent
from tongban.sharing.models import AccessGrant, AccessLogEntry, Outcome
from tongban.sharing.subjects import entity_token, person_token

from .conftest import LI_NA, QINHUAI_CO, T0, TONGBAN_CO, WANG_FANG, ZHANG_WEI

API = "/api/v1/sharing"


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def post(world, user, path, data):
    client = Client(headers=world.bearer(user))
    return client.post(f"{API}{path}", data, content_type="application/json")


def body(id_number=ZHANG_WEI, **changes):
    data = {"subject": {"id_number": id_number}, "purpose": "办理个体工商户登记", "case_no": "C-9"}
    return {**data, **changes}


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    return response.json()


def test_a_system_verifies_with_a_grant_and_the_call_is_logged(world):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    audit_before = AuditEvent.objects.count()
    response = post(world, world.system, "/verify/marriage", body())
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["service"], answer["result"], answer["resource_code"]) == (
        "marriage",
        True,
        "JS-MZ-HY-001",
    )
    line = AccessLogEntry.objects.get(seq=answer["log_seq"])
    assert (line.actor, line.consumer, line.channel, line.outcome) == (
        world.system,
        world.market,
        "api",
        Outcome.ANSWERED,
    )
    assert line.subject_token == person_token(ZHANG_WEI) and line.case_no == "C-9"
    assert AuditEvent.objects.count() == audit_before  # the log line is the only row


def test_a_call_without_a_grant_is_refused_with_problem_json_and_logged(world):
    before = AccessGrant.objects.count()
    problem(post(world, world.clerk, "/verify/marriage", body()), 403, "sharing_not_granted")
    line = AccessLogEntry.objects.get()
    assert (line.outcome, line.error_code, line.actor) == (
        Outcome.REFUSED,
        "sharing_not_granted",
        world.clerk,
    )
    assert AccessGrant.objects.count() == before


@pytest.mark.parametrize(
    ("path", "data", "status", "code"),
    [
        ("/verify/horoscope", body(), 404, "sharing_service_unknown"),
        ("/verify/business", body(purpose=""), 422, "sharing_purpose_required"),
        ("/verify/identity", body(id_number="320102198503120010", params={"name": "张伟"}), 422,
         "sharing_subject_invalid"),
        ("/verify/identity", body(id_number="110101199003070011", params={"name": "某"}), 404,
         "sharing_subject_not_found"),
        ("/verify/identity", body(params={"name": "张伟", "extra": "x"}), 422,
         "sharing_params_invalid"),
        ("/query/JS-RH-ZX-001", body(), 403, "sharing_not_shareable"),
        ("/query/NOPE-1", body(), 404, "sharing_resource_unknown"),
        ("/verify/identity", body(consumer_department="11320000MB0000000X",
                                  params={"name": "张伟"}), 403, "sharing_not_consumer"),
    ],
)  # fmt: skip
def test_bad_calls_are_clear_problems_with_one_log_line(world, path, data, status, code):
    world.grant("JS-GA-RK-001", ["name"])
    problem(post(world, world.clerk, path, data), status, code)
    line = AccessLogEntry.objects.get()
    assert line.error_code == code


def test_malformed_bodies_are_validation_errors_and_nothing_is_logged(world):
    problem(post(world, world.clerk, "/verify/identity", {"subject": {}}), 422, "validation_failed")
    both = {"subject": {"id_number": ZHANG_WEI, "credit_code": TONGBAN_CO}, "purpose": "p"}
    problem(post(world, world.clerk, "/verify/identity", both), 422, "validation_failed")
    assert not AccessLogEntry.objects.exists()


def test_citizens_and_anonymous_callers_are_not_consumers(world):
    problem(Client().post(f"{API}/verify/marriage", body(), content_type="application/json"),
            401, "not_authenticated")  # fmt: skip
    problem(post(world, world.citizen, "/verify/marriage", body(id_number=WANG_FANG)), 403,
            "sharing_not_consumer")  # fmt: skip
    line = AccessLogEntry.objects.get()  # the attempt is in 王芳's log
    assert (line.actor, line.consumer, line.subject_token) == (
        world.citizen,
        None,
        person_token(WANG_FANG),
    )


def test_a_query_returns_only_the_granted_fields(world):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    response = post(world, world.clerk, "/query/JS-MZ-HY-001", body(id_number=LI_NA))
    assert response.status_code == 200, response.content
    assert response.json()["fields"] == {"marital_status": "离婚"}
    problem(
        post(world, world.clerk, "/query/JS-MZ-HY-001", body(fields=["spouse_name"])),
        403,
        "sharing_field_not_granted",
    )
    assert list(AccessLogEntry.objects.order_by("seq").values_list("outcome", "fields")) == [
        (Outcome.ANSWERED, ["marital_status"]),
        (Outcome.REFUSED, ["spouse_name"]),
    ]


def test_the_subject_sees_the_call_in_her_access_log(world, django_assert_num_queries):
    world.grant("JS-MZ-HY-001", ["marital_status"])
    post(world, world.system, "/verify/marriage", body())
    post(world, world.clerk, "/verify/marriage", body(id_number=WANG_FANG))
    client = Client(headers=world.bearer(world.citizen))
    # token look-up + its last_used update, then the page and the resources' fields.
    with django_assert_num_queries(5):
        response = client.get(f"{API}/access-log")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["consumer"], i["target"], i["purpose"], i["case_no"]) for i in items] == [
        ("南京市市场监督管理局", "婚姻状况核验", "办理个体工商户登记", "C-9")
    ]
    problem(client.get(f"{API}/access-log", {"subject": TONGBAN_CO}), 404, "not_found")


def test_a_business_account_sees_its_entitys_log(world):
    post(world, world.clerk, "/verify/business", body(subject={"credit_code": TONGBAN_CO}))
    post(world, world.clerk, "/verify/business", body(subject={"credit_code": QINHUAI_CO}))
    client = Client(headers=world.bearer(world.business))
    response = client.get(f"{API}/access-log", {"subject": TONGBAN_CO})
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 1
    assert AccessLogEntry.objects.filter(subject_token=entity_token(TONGBAN_CO)).count() == 1
    problem(client.get(f"{API}/access-log"), 404, "not_found")  # a business account is no "me"


def test_the_access_log_pages_with_a_cursor(world):
    for _ in range(3):
        post(world, world.clerk, "/verify/marriage", body())
    client = Client(headers=world.bearer(world.citizen))
    first = client.get(f"{API}/access-log", {"limit": 2}).json()
    rest = client.get(f"{API}/access-log", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    problem(client.get(f"{API}/access-log", {"cursor": "garbage"}), 400, "invalid_cursor")


def test_open_data_needs_no_login_and_holds_no_personal_data(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = Client().get(f"{API}/open-data")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["code"] for i in items] == [
        "JS-MZ-JG-001",
        "JS-RS-JG-001",
        "JS-SJ-TJ-001",
        "JS-ZR-WD-001",
    ]
    assert {f["sensitivity"] for i in items for f in i["fields"]} == {"public"}
    assert Client().get(f"{API}/open-data", {"q": "婚姻"}).json()["items"][0]["code"] == (
        "JS-MZ-JG-001"
    )


def test_the_services_are_listed_for_callers(world):
    response = Client(headers=world.bearer(world.system)).get(f"{API}/services")
    assert response.status_code == 200
    codes = [s["code"] for s in response.json()]
    assert {"identity", "marriage", "business", "certificate"} <= set(codes)
