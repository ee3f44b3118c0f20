"""The 首席服务官 / 一对一专办 API: list in scope, assign, reassign, end with If-Match;
a business's account sees its officer; every refusal is problem+json with its code."""

from __future__ import annotations

from django.test import Client

from tongban.appointments.models import ServiceOfficer
from tongban.identity.services import token_create
from tongban.workbench.tests.test_service_officers import seeded, w  # noqa: F401  (fixtures)

API = "/api/v1/appointments/officers"
BODY = {
    "kind": "chief",
    "officer": "nj_officer",
    "phone": "025-83001234",
    "office": "市政务服务中心 3 楼 301",
    "duties": "开办、许可和涉企审批全程帮办",
}


def api(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, path: str, body: dict, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def problem(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code


def test_a_supervisor_assigns_lists_reassigns_and_ends_through_the_api(w):  # noqa: F811
    sup = api(w.supervisor)
    made = post(sup, API, {**BODY, "credit_code": w.company.credit_code}, **{
        "Idempotency-Key": "assign-0001"
    })  # fmt: skip
    assert made.status_code == 201, made.content
    row = made.json()
    assert row["officer"] == "周专员" and row["business"] == "南京通办餐饮有限公司"
    assert row["kind_label"] == "首席服务官" and made["ETag"] == '"1"'
    assert [e["action"] for e in row["events"]] == ["assign"]
    again = post(sup, API, {**BODY, "credit_code": w.company.credit_code}, **{
        "Idempotency-Key": "assign-0001"
    })  # fmt: skip
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ServiceOfficer.objects.count() == 1
    listed = sup.get(API).json()
    assert [r["id"] for r in listed["items"]] == [row["id"]] and listed["next_cursor"] is None
    assert sup.get(API, {"status": "ended"}).json()["items"] == []
    # The business's accounts see their officer; another business's do not.
    assert [o["officer"] for o in api(w.agent).get(f"{API}/mine").json()] == ["周专员"]
    assert api(w.outsider).get(f"{API}/mine").json() == []
    assert [o["id"] for o in api(w.officer).get(f"{API}/serving").json()] == [row["id"]]
    # Reassign with a stale version: 412; with the current one: done.
    path = f"{API}/{row['id']}"
    stale = post(sup, f"{path}/reassign", {"officer": "nj_officer2", "note": "岗位调整"}, **{
        "If-Match": '"7"'
    })  # fmt: skip
    problem(stale, 412, "service_officer_version_mismatch")
    moved = post(sup, f"{path}/reassign", {"officer": "nj_officer2", "note": "岗位调整"}, **{
        "If-Match": '"1"'
    })  # fmt: skip
    assert moved.status_code == 200 and moved.json()["officer"] == "吴专员"
    assert moved["ETag"] == '"2"'
    ended = post(sup, f"{path}/end", {"note": "项目投产"}, **{"If-Match": '"2"'})
    assert ended.json()["status"] == "ended"
    assert [e["action"] for e in sup.get(path).json()["events"]] == ["assign", "reassign", "end"]
    problem(post(sup, f"{path}/end", {}), 409, "service_officer_invalid_state")
    assert api(w.agent).get(f"{API}/mine").json() == []


def test_the_api_refuses_who_may_not_assign_what_is_not_theirs_and_bad_input(w):  # noqa: F811
    sup = api(w.supervisor)
    body = {**BODY, "credit_code": w.company.credit_code}
    problem(post(api(w.officer), API, body), 403, "service_officer_forbidden")
    problem(api(w.boss).get(API), 403, "permission_denied")
    assert Client().get(API).status_code == 401
    problem(post(sup, API, {**body, "officer": "gz_staff"}), 422, "service_officer_not_staff")
    problem(post(sup, API, {**body, "kind": "boss"}), 422, "validation_failed")
    problem(post(sup, API, {**body, "phone": "call me"}), 422, "service_officer_invalid")
    made = post(sup, API, body).json()
    problem(post(sup, API, {**body, "officer": "nj_officer2"}), 409, "service_officer_overlap")
    # 赣州's supervisor: 南京's business and assignment do not exist for her.
    gz = api(w.gz_super)
    problem(post(gz, API, {**body, "officer": "gz_staff"}), 404, "service_officer_target_not_found")
    problem(gz.get(f"{API}/{made['id']}"), 404, "service_officer_not_found")
    problem(post(gz, f"{API}/{made['id']}/end", {}), 404, "service_officer_not_found")
    assert gz.get(API).json()["items"] == []
    problem(
        post(sup, f"{API}/{made['id']}/end", {}, **{"If-Match": "v1"}), 400, "malformed_request"
    )
