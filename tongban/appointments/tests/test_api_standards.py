"""The 首问责任 and 纠错 API: record, answer, hand over, mine/overdue; report, answer,
track by code and phone; refusals are problem+json with their codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.models import ErrorReport, FirstQuestion
from tongban.appointments.tests.conftest import at
from tongban.core import clock
from tongban.identity.services import staff_account_create, token_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

API = "/api/v1/appointments"
MON = dt.date(2026, 9, 28)
STORY = "材料齐全，窗口说系统维护不予收件，让我下周再来。"


@pytest.fixture
def now(monkeypatch):
    moment = {"now": at(MON, 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def api(user) -> Client:
    _token, secret = token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, path: str, body: dict, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def problem(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code


def _staff(username, role, department_name):
    department = Department.objects.get(name=department_name)
    user = staff_account_create(username=username, display_name=username, password="Pw-12345678")
    staff_assign(user_id=user.pk, role=role, department=department, region_scope=department.region)
    return user


def test_a_clerk_records_hands_over_and_the_colleague_answers(world, now):
    clerk = api(world.clerk)
    colleague = _staff("clerk2", Role.WINDOW_CLERK, "南京市市场监督管理局")
    body = {
        "hall_id": world.hall.pk,
        "window_id": world.a01.pk,
        "matter": "咨询企业开办需要哪些材料",
    }
    made = post(clerk, f"{API}/first-questions", {**body, "asker_phone": "13700001111"}, **{
        "Idempotency-Key": "fq-0001"
    })  # fmt: skip
    assert made.status_code == 201, made.content
    q = made.json()
    assert q["owner"] == "王芳" and q["asker_phone"] == "137****1111" and made["ETag"] == '"1"'
    again = post(clerk, f"{API}/first-questions", {**body, "asker_phone": "13700001111"}, **{
        "Idempotency-Key": "fq-0001"
    })  # fmt: skip
    assert again.status_code == 201 and FirstQuestion.objects.count() == 1
    assert [x["code"] for x in clerk.get(f"{API}/first-questions/mine").json()["items"]] == [
        q["code"]
    ]
    path = f"{API}/first-questions/{q['id']}"
    # Only the owner answers; a stale version is refused.
    problem(post(api(colleague), f"{path}/answer", {"answer": "请带营业执照"}), 403,
            "first_question_not_owner")  # fmt: skip
    handed = post(clerk, f"{path}/handover", {"note": "涉及税务登记", "to_user_id": colleague.pk},
                  **{"If-Match": '"1"'})  # fmt: skip
    assert handed.status_code == 200 and handed.json()["owner"] == "clerk2"
    problem(post(api(colleague), f"{path}/answer", {"answer": "请带营业执照"}, **{
        "If-Match": '"1"'
    }), 412, "first_question_version_mismatch")  # fmt: skip
    done = post(api(colleague), f"{path}/answer", {"answer": "请带营业执照"})
    assert done.json()["status"] == "answered"
    assert [s["action"] for s in done.json()["steps"]] == ["record", "handover", "answer"]
    problem(post(api(colleague), f"{path}/answer", {"answer": "再答一次"}), 409,
            "first_question_invalid_state")  # fmt: skip


def test_first_question_refusals_and_the_overdue_list(world, now):
    clerk = api(world.clerk)
    problem(post(api(world.citizen), f"{API}/first-questions", {"hall_id": world.hall.pk,
            "matter": "咨询"}), 403, "permission_denied")  # fmt: skip
    problem(post(clerk, f"{API}/first-questions", {"hall_id": world.hall.pk, "matter": "咨"}),
            422, "first_question_invalid")  # fmt: skip
    problem(post(clerk, f"{API}/first-questions", {"hall_id": "x", "matter": "咨询事项"}),
            422, "validation_failed")  # fmt: skip
    made = post(clerk, f"{API}/first-questions", {"hall_id": world.hall.pk, "matter": "咨询社保"})
    problem(api(world.other_clerk).get(f"{API}/first-questions/{made.json()['id']}"), 404,
            "first_question_not_found")  # fmt: skip
    problem(clerk.get(f"{API}/first-questions/overdue"), 403, "permission_denied")
    head = api(_staff("nj_head", Role.SUPERVISOR, "南京市政务服务管理办公室"))
    assert head.get(f"{API}/first-questions/overdue").json()["items"] == []
    now["now"] = at(dt.date(2026, 10, 20), 10)
    late = head.get(f"{API}/first-questions/overdue").json()["items"]
    assert [x["code"] for x in late] == [made.json()["code"]] and late[0]["overdue"] is True


def test_a_citizen_reports_follows_by_code_and_phone_and_the_supervisor_answers(world, now):
    guest = Client()
    body = {"hall_id": world.hall.pk, "narrative": STORY, "phone": "13700001111",
            "window_number": "a01"}  # fmt: skip
    made = post(guest, f"{API}/error-reports", body, **{"Idempotency-Key": "jc-0001"})
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert made.json()["phone"] == "137****1111" and made.json()["due_on"] == "2026-10-10"
    post(guest, f"{API}/error-reports", body, **{"Idempotency-Key": "jc-0001"})
    assert ErrorReport.objects.count() == 1
    found = post(guest, f"{API}/error-reports/track", {"code": code, "phone": "13700001111"})
    assert found.status_code == 200 and found.json()["status"] == "submitted"
    problem(post(guest, f"{API}/error-reports/track", {"code": code, "phone": "13700002222"}),
            404, "error_report_not_found")  # fmt: skip
    mine = api(world.citizen)
    own = post(mine, f"{API}/error-reports", {**body, "phone": ""})
    assert own.status_code == 201 and own.json()["phone"] == "138****0001"
    assert [r["code"] for r in mine.get(f"{API}/error-reports/mine").json()] == [own.json()["code"]]
    sup = api(_staff("hall_super", Role.SUPERVISOR, "南京市政务服务管理办公室"))
    listed = sup.get(f"{API}/error-reports", {"status": "submitted"}).json()["items"]
    assert sorted(r["code"] for r in listed) == sorted([code, own.json()["code"]])
    answer = {"substantiated": True, "answer": "经查属实，已批评教育窗口人员并当场收件。"}
    problem(post(sup, f"{API}/error-reports/{code}/answer", answer, **{"If-Match": '"9"'}), 412,
            "error_report_version_mismatch")  # fmt: skip
    done = post(sup, f"{API}/error-reports/{code}/answer", answer, **{"If-Match": '"1"'})
    assert done.status_code == 200 and done.json()["substantiated"] is True
    assert done["ETag"] == '"2"'
    problem(post(sup, f"{API}/error-reports/{code}/answer", answer), 409,
            "error_report_invalid_state")  # fmt: skip
    tracked = post(guest, f"{API}/error-reports/track", {"code": code, "phone": "13700001111"})
    assert tracked.json()["status"] == "answered"


def test_error_report_refusals(world, now):
    guest = Client()
    body = {"hall_id": world.hall.pk, "narrative": STORY, "phone": "13700001111"}
    problem(post(guest, f"{API}/error-reports", {**body, "hall_id": 999999}), 404,
            "error_report_hall_not_found")  # fmt: skip
    problem(post(guest, f"{API}/error-reports", {**body, "narrative": "太慢"}), 422,
            "error_report_invalid")  # fmt: skip
    problem(post(guest, f"{API}/error-reports", {**body, "phone": ""}), 422, "error_report_invalid")
    made = post(guest, f"{API}/error-reports", body).json()
    problem(api(world.clerk).get(f"{API}/error-reports"), 403, "permission_denied")
    problem(api(world.citizen).get(f"{API}/error-reports"), 403, "permission_denied")
    gz = api(_staff("gz_super", Role.SUPERVISOR, "赣州市行政审批局"))
    assert gz.get(f"{API}/error-reports").json()["items"] == []
    problem(gz.get(f"{API}/error-reports/{made['code']}"), 404, "error_report_not_found")
    answer = {"substantiated": False, "answer": "经查窗口按规定告知了缺少的材料。"}
    problem(post(gz, f"{API}/error-reports/{made['code']}/answer", answer), 404,
            "error_report_not_found")  # fmt: skip
    assert Client().get(f"{API}/error-reports/mine").status_code == 401
