"""Cases API: request-level tests that check the answer and the rows written."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client

from tongban.cases.api.common import TRACK_LIMIT, TRACK_PER_CASE_LIMIT
from tongban.cases.models import Case, CaseDocument, CaseEvent, CaseMaterial, CaseStatus
from tongban.core import clock
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import RateCounter

from .conftest import T0

PDF = b"%PDF-1.4 test document"
PDF64 = base64.b64encode(PDF).decode("ascii")
CASES = "/api/v1/cases"


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    """The API runs at Mon 2 Nov 2026 10:00 (Shanghai) unless a test moves it on."""
    now = [T0]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    return now


def at(moment, days):
    moment[0] = T0 + dt.timedelta(days=days)


def as_user(accounts, user):
    return Client(headers=accounts.bearer(user))


@pytest.fixture
def citizen(accounts):
    """The applicant's browser: a session login (CSRF is not enforced by the test client)."""
    client = Client()
    client.force_login(accounts.citizen)
    return client


def body(**changes):
    data = {
        "implementation_code": "",
        "channel": "online",
        "applicant": {"kind": "person"},
        "form": {"applicant_name": "张伟", "credit_code": generate_credit_code("9132010270000001")},
        "materials": [
            {
                "code": "application",
                "kind": "upload",
                "file_base64": PDF64,
                "file_name": "申请书.pdf",
            },
            {"code": "layout", "kind": "upload", "file_base64": PDF64},
        ],
    }
    data.update(changes)
    return data


def submit(client, world, headers=None, **changes):
    data = body(implementation_code=world.item.implementation_code, **changes)
    return client.post(CASES, data, content_type="application/json", headers=headers or {})


def command(client, case_no, name, data=None, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.post(
        f"{CASES}/{case_no}/{name}", data or {}, content_type="application/json", headers=headers
    )


def problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    payload = response.json()
    assert payload["code"] == code, payload
    return payload


# --- the whole path ---------------------------------------------------------------


def test_a_case_goes_from_submission_to_conclusion_through_the_api(
    world, accounts, citizen, moment
):
    response = submit(citizen, world)
    assert response.status_code == 201, response.content
    created = response.json()
    case_no = created["case_no"]
    assert response["Location"] == f"{CASES}/{case_no}"
    assert response["ETag"] == '"1"'
    assert created["status"] == "submitted" and created["version"] == 1
    assert created["deadlines"]["acceptance"] == "2026-11-09"
    assert created["clock"] == {
        "phase": "acceptance",
        "deadline": "2026-11-09",
        "working_days_left": 5,
        "alert": "none",
        "stopped": False,
        "provisional": False,
    }
    assert {m["code"]: m["kind"] for m in created["materials"]} == {
        "application": "upload",
        "layout": "upload",
    }
    # 两个免于提交 was tried, and the reason it could not apply is kept.
    [licence] = created["exemptions"]
    assert (licence["code"], licence["found"]) == ("business_licence", False)
    assert "请上传" in licence["reason"]
    assert "file_base64" not in response.content.decode()
    case = Case.objects.get(case_no=case_no)
    assert case.applicant_person == world.person
    assert case.submitted_by == accounts.citizen
    assert CaseMaterial.objects.get(case=case, code="application").file_name == "申请书.pdf"

    clerk = as_user(accounts, world.clerk)
    reviewer = as_user(accounts, world.reviewer)
    at(moment, 1)
    accepted = command(clerk, case_no, "accept", version=1)
    assert accepted.status_code == 200, accepted.content
    assert accepted["ETag"] == '"2"'
    assert accepted.json()["deadlines"]["decision"] == "2026-11-10"
    at(moment, 3)
    decided = command(
        reviewer,
        case_no,
        "decide",
        {"outcome": "granted", "reason": "符合条件", "legal_basis": "《食品安全法》第三十五条"},
        version=2,
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["clock"]["phase"] == "delivery"
    delivered = command(
        clerk, case_no, "deliver", {"method": "post", "tracking_no": "SF1234567890"}, version=3
    )
    assert delivered.status_code == 200, delivered.content
    concluded = command(clerk, case_no, "conclude", version=4)
    assert concluded.status_code == 200, concluded.content
    assert concluded["ETag"] == '"5"'
    assert concluded.json()["status"] == "concluded"

    case.refresh_from_db()
    assert (case.status, case.version, case.outcome) == ("concluded", 5, "granted")
    assert (case.tracking_no, case.decided_on) == ("SF1234567890", dt.date(2026, 11, 5))
    actions = [a for a in case.events.values_list("action", flat=True) if a != "deadline_change"]
    assert actions == ["submit", "accept", "decide", "deliver", "conclude"]
    actors = dict(
        case.events.filter(action__in=["accept", "decide"]).values_list("action", "actor")
    )
    assert actors == {"accept": world.clerk.pk, "decide": world.reviewer.pk}

    # The applicant reads the history without the staff; the staff see who acted.
    mine = citizen.get(f"{CASES}/{case_no}")
    assert mine.status_code == 200 and mine["ETag"] == '"5"'
    assert {e["actor"] for e in mine.json()["timeline"]} == {None}
    staff_view = clerk.get(f"{CASES}/{case_no}").json()
    accept_event = next(e for e in staff_view["timeline"] if e["action"] == "accept")
    assert accept_event["actor"].endswith("clerk") and accept_event["action_label"] == "受理"


def test_the_detail_lists_issued_documents_with_their_download_address(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    case = Case.objects.get(case_no=case_no)
    CaseDocument.objects.create(
        case=case,
        kind="acceptance_notice",
        number="苏宁市监受〔2026〕1号",
        file="case-documents/x.pdf",
        sha256="0" * 64,
        verification_code="V1",
        issued_at=T0,
    )
    documents = citizen.get(f"{CASES}/{case_no}").json()["documents"]
    assert documents == [
        {
            "kind": "acceptance_notice",
            "kind_label": "受理通知书",
            "number": "苏宁市监受〔2026〕1号",
            "issued_at": "2026-11-02T02:00:00Z",
            "url": f"{CASES}/{case_no}/documents/%E8%8B%8F%E5%AE%81%E5%B8%82%E7%9B%91%E5%8F%97"
            "%E3%80%942026%E3%80%951%E5%8F%B7",
        }
    ]


# --- submission -------------------------------------------------------------------


def test_a_business_account_applies_for_its_entity_as_agent(world, accounts):
    client = as_user(accounts, accounts.business)
    response = submit(
        client,
        world,
        applicant={"kind": "legal_entity", "credit_code": accounts.entity.credit_code},
    )
    assert response.status_code == 201, response.content
    assert response.json()["applicant_kind"] == "legal_entity"
    case = Case.objects.get(case_no=response.json()["case_no"])
    assert (case.applicant_entity, case.agent_person, case.applicant_person) == (
        accounts.entity,
        world.person,
        None,
    )
    assert case.applicant_name == "南京张记餐饮有限公司"


def test_no_one_applies_for_an_entity_they_do_not_act_for(world, accounts, citizen):
    stranger = generate_credit_code("9132010270000002")
    for client, code in (
        (citizen, accounts.entity.credit_code),  # a citizen account acts for no entity
        (as_user(accounts, accounts.business), stranger),
    ):
        response = submit(client, world, applicant={"kind": "legal_entity", "credit_code": code})
        problem(response, 422, "case_applicant_invalid")
    assert Case.objects.count() == 0


def test_staff_do_not_submit_online(world, accounts):
    response = submit(as_user(accounts, world.clerk), world)
    problem(response, 403, "permission_denied")
    assert Case.objects.count() == 0


def test_an_unpublished_item_is_a_problem_on_the_field(world, citizen):
    response = citizen.post(
        CASES, body(implementation_code="NOPE"), content_type="application/json"
    )
    payload = problem(response, 422, "service_item_not_available")
    assert payload["errors"][0]["field"] == "body.implementation_code"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"materials": [{"code": "application", "kind": "upload", "file_base64": "%%%"}]},
            "body.materials.0.file_base64",
        ),
        ({"channel": "window"}, "body.channel"),
        ({"applicant": {"kind": "legal_entity"}}, "body.applicant"),
        ({"role": "admin"}, "body.role"),
    ],
)
def test_a_bad_body_is_a_validation_problem_and_saves_nothing(world, citizen, change, field):
    response = submit(citizen, world, **change)
    payload = problem(response, 422, "validation_failed")
    assert field in {e["field"] for e in payload["errors"]}, payload
    assert Case.objects.count() == 0


def test_a_form_error_lists_the_fields(world, citizen):
    response = submit(citizen, world, form={"applicant_name": " ", "credit_code": "123"})
    payload = problem(response, 422, "case_form_invalid")
    # Only the credit code: a blank name is filled with the applicant's own.
    assert {e["field"] for e in payload["errors"]} == {"form.credit_code"}


def test_repeating_a_submission_with_its_idempotency_key_gives_the_same_case(world, citizen):
    key = {"Idempotency-Key": "submit-0001"}
    first = submit(citizen, world, headers=key)
    again = submit(citizen, world, headers=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["case_no"] == first.json()["case_no"]
    assert Case.objects.count() == 1
    other = submit(citizen, world, headers={"Idempotency-Key": "submit-0002"})
    assert other.json()["case_no"] != first.json()["case_no"]
    assert Case.objects.count() == 2


def test_without_credentials_the_case_api_asks_for_them(world):
    anonymous = Client()
    problem(anonymous.get(CASES), 401, "not_authenticated")
    problem(submit(anonymous, world), 401, "not_authenticated")
    assert Case.objects.count() == 0


# --- who sees what ----------------------------------------------------------------


def test_a_clerk_of_another_city_gets_not_found(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    ganzhou = as_user(accounts, world.other_clerk)
    assert problem(ganzhou.get(f"{CASES}/{case_no}"), 404, "not_found")["detail"] == "未找到该办件"
    problem(command(ganzhou, case_no, "accept", version=1), 404, "not_found")
    assert Case.objects.get(case_no=case_no).status == CaseStatus.SUBMITTED
    assert ganzhou.get(f"{CASES}/queue").json() == {"items": [], "next_cursor": None}


def test_a_citizen_sees_only_their_own_cases(world, accounts, citizen):
    mine = submit(citizen, world).json()["case_no"]
    other = as_user(accounts, accounts.other_citizen)
    form = {"applicant_name": "李娜", "credit_code": generate_credit_code("9132010270000002")}
    theirs = submit(other, world, form=form).json()["case_no"]
    problem(citizen.get(f"{CASES}/{theirs}"), 404, "not_found")
    problem(other.get(f"{CASES}/{mine}"), 404, "not_found")
    assert [c["case_no"] for c in citizen.get(CASES).json()["items"]] == [mine]
    assert [c["case_no"] for c in other.get(CASES).json()["items"]] == [theirs]
    # Staff accounts have no person: "my cases" is empty, never every entity's case.
    assert as_user(accounts, world.clerk).get(CASES).json()["items"] == []
    # …and applicants have no staff queue.
    assert citizen.get(f"{CASES}/queue").json()["items"] == []


def test_a_supervisor_may_read_but_not_act(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    supervisor = as_user(accounts, accounts.supervisor)
    assert supervisor.get(f"{CASES}/{case_no}").status_code == 200
    problem(command(supervisor, case_no, "accept", version=1), 403, "permission_denied")
    assert Case.objects.get(case_no=case_no).version == 1


# --- versions and transitions -----------------------------------------------------


def test_a_staff_command_without_if_match_is_refused_with_428(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    clerk = as_user(accounts, world.clerk)
    problem(command(clerk, case_no, "accept"), 428, "if_match_required")
    malformed = clerk.post(
        f"{CASES}/{case_no}/accept", {}, content_type="application/json", headers={"If-Match": "x"}
    )
    problem(malformed, 400, "malformed_request")
    assert CaseEvent.objects.filter(case__case_no=case_no, action="accept").count() == 0


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    clerk = as_user(accounts, world.clerk)
    assert command(clerk, case_no, "accept", version=1).status_code == 200
    stale = command(clerk, case_no, "refuse", {"reason": "重复", "legal_basis": ""}, version=1)
    payload = problem(stale, 412, "case_version_mismatch")
    assert payload["version"] == 2
    case = Case.objects.get(case_no=case_no)
    assert (case.status, case.version) == ("accepted", 2)
    weak = clerk.post(
        f"{CASES}/{case_no}/conclude", {}, content_type="application/json",
        headers={"If-Match": 'W/"2"'},
    )  # fmt: skip
    # RFC 9110 §13.1.1: If-Match compares strongly; a weak tag never matches.
    problem(weak, 412, "version_mismatch")
    assert Case.objects.get(case_no=case_no).status == "accepted"


def test_an_invalid_transition_is_a_conflict(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    clerk = as_user(accounts, world.clerk)
    payload = problem(
        command(clerk, case_no, "conclude", version=1), 409, "invalid_case_transition"
    )
    assert payload["status"] == 409
    assert Case.objects.get(case_no=case_no).status == CaseStatus.SUBMITTED


def test_a_command_with_a_bad_body_is_a_validation_problem(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    reviewer = as_user(accounts, world.reviewer)
    command(as_user(accounts, world.clerk), case_no, "accept", version=1)
    response = command(
        reviewer, case_no, "decide", {"outcome": "maybe", "reason": "x", "legal_basis": "y"}, 2
    )
    payload = problem(response, 422, "validation_failed")
    assert payload["errors"][0]["field"] == "body.outcome"
    problem(command(reviewer, case_no, "extend", {"days": 0, "reason": "x"}, 2), 422,
            "validation_failed")  # fmt: skip
    assert Case.objects.get(case_no=case_no).status == CaseStatus.ACCEPTED


def test_supplement_request_and_the_applicants_supplement(world, accounts, citizen, moment):
    case_no = submit(citizen, world, materials=[]).json()["case_no"]
    clerk = as_user(accounts, world.clerk)
    at(moment, 1)
    asked = command(
        clerk,
        case_no,
        "request-supplement",
        {"items": [{"code": "layout", "name": "经营场所平面布局图", "reason": "未提交"}]},
        version=1,
    )
    assert asked.status_code == 200, asked.content
    assert asked.json()["clock"]["phase"] == "none"  # waiting for the applicant
    # Staff cannot supplement for the applicant; the applicant needs no If-Match.
    materials = {"materials": [{"code": "layout", "file_base64": PDF64, "file_name": "布局图.pdf"}]}
    problem(command(clerk, case_no, "supplement", materials), 404, "not_found")
    at(moment, 2)
    supplied = command(citizen, case_no, "supplement", materials)
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["status"] == "supplemented"
    case = Case.objects.get(case_no=case_no)
    assert case.supplement_completed_on == dt.date(2026, 11, 4)
    assert CaseMaterial.objects.get(case=case, code="layout").file_name == "布局图.pdf"


def test_the_applicant_withdraws_and_staff_cannot_withdraw_for_them(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    problem(
        command(as_user(accounts, world.clerk), case_no, "withdraw", {"reason": "x"}, 1),
        404,
        "not_found",
    )
    stale = command(citizen, case_no, "withdraw", {"reason": "不办了"}, version=7)
    problem(stale, 412, "case_version_mismatch")
    withdrawn = command(citizen, case_no, "withdraw", {"reason": "不办了"})
    assert withdrawn.status_code == 200
    case = Case.objects.get(case_no=case_no)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.events.get(action="withdraw").reason == "不办了"


def test_an_immediate_item_is_handled_in_one_command(world, accounts, citizen):
    response = citizen.post(
        CASES,
        body(implementation_code=world.immediate.implementation_code),
        content_type="application/json",
    )
    case_no = response.json()["case_no"]
    handled = command(
        as_user(accounts, world.clerk),
        case_no,
        "handle-immediately",
        {
            "outcome": "granted",
            "reason": "当场办结",
            "legal_basis": "《食品经营许可和备案管理办法》",
        },
        version=1,
    )
    assert handled.status_code == 200, handled.content
    assert handled.json()["status"] == "concluded"
    assert Case.objects.get(case_no=case_no).accepted_on == dt.date(2026, 11, 2)


def test_suspend_and_resume_through_the_api(world, accounts, citizen, moment):
    case_no = submit(citizen, world).json()["case_no"]
    reviewer = as_user(accounts, world.reviewer)
    at(moment, 1)
    command(as_user(accounts, world.clerk), case_no, "accept", version=1)
    command(reviewer, case_no, "start-review", version=2)
    at(moment, 2)
    suspended = command(reviewer, case_no, "suspend", {"reason": "testing", "note": "检测"}, 3)
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["clock"]["stopped"] is True
    problem(command(reviewer, case_no, "suspend", {"reason": "nap"}, 4), 422, "validation_failed")
    at(moment, 7)
    resumed = command(reviewer, case_no, "resume", version=4)
    assert resumed.json()["status"] == "under_review"
    # Wed 4 – Fri 6 Nov did not count: Tue 10 Nov → Fri 13 Nov
    assert resumed.json()["deadlines"]["decision"] == "2026-11-13"
    assert Case.objects.get(case_no=case_no).suspensions.get().end_on == dt.date(2026, 11, 9)


# --- lists and tracking -----------------------------------------------------------


def test_the_staff_queue_pages_by_cursor_in_few_queries(
    world, accounts, citizen, django_assert_max_num_queries
):
    numbers = [submit(citizen, world).json()["case_no"] for _ in range(5)]
    clerk = as_user(accounts, world.clerk)
    command(clerk, numbers[3], "accept", version=1)
    seen, cursor = [], None
    with django_assert_max_num_queries(12):
        first = clerk.get(f"{CASES}/queue", {"limit": 3}).json()
    seen += [c["case_no"] for c in first["items"]]
    cursor = first["next_cursor"]
    second = clerk.get(f"{CASES}/queue", {"limit": 3, "cursor": cursor}).json()
    seen += [c["case_no"] for c in second["items"]]
    assert second["next_cursor"] is None
    # the running clock first, then the others by receipt
    assert seen == [numbers[3], numbers[0], numbers[1], numbers[2], numbers[4]]
    assert first["items"][1]["applicant_name"] == "张*"
    window = clerk.get(f"{CASES}/queue", {"queue": "window"}).json()["items"]
    assert numbers[3] not in {c["case_no"] for c in window} and len(window) == 4
    problem(clerk.get(f"{CASES}/queue", {"cursor": "not-a-cursor"}), 400, "invalid_cursor")
    problem(clerk.get(f"{CASES}/queue", {"status": "nope"}), 422, "validation_failed")


def test_my_cases_page_newest_first_in_few_queries(
    world, citizen, moment, django_assert_max_num_queries
):
    numbers = []
    for day in range(3):
        at(moment, day)
        numbers.append(submit(citizen, world).json()["case_no"])
    with django_assert_max_num_queries(8):
        page = citizen.get(CASES, {"limit": 2}).json()
    rest = citizen.get(CASES, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [c["case_no"] for c in page["items"] + rest["items"]] == numbers[::-1]
    assert rest["next_cursor"] is None


def track(client, case_no, **body):
    return client.post(f"{CASES}/{case_no}/track", body, content_type="application/json")


def test_public_tracking_needs_the_code_and_masks_the_name(world, citizen):
    created = submit(citizen, world).json()
    case_no, code = created["case_no"], created["tracking_code"]
    assert len(code) == 8
    anonymous = Client()
    # The probe: a name tried over a range of numbers finds nothing now.
    problem(track(anonymous, case_no, name="张伟"), 422, "validation_failed")
    wrong = problem(track(anonymous, case_no, code="ABCDEFGH"), 404, "not_found")
    unknown = problem(track(anonymous, "000", code=code), 404, "not_found")
    assert wrong["detail"] == unknown["detail"] == "未找到该办件"
    problem(track(anonymous, case_no), 422, "validation_failed")
    problem(anonymous.get(f"{CASES}/{case_no}/track", {"code": code}), 405, "method_not_allowed")
    response = track(anonymous, case_no, code=f" {code.lower()} ")
    assert response.status_code == 200, response.content
    view = response.json()
    assert view["applicant_name"] == "张*"
    assert view["item_name"] == "食品经营许可证核发"
    assert view["status_label"] == "已提交"
    assert view["full"] is True
    assert [s["action_label"] for s in view["timeline"]] == ["提交申请"]
    assert "张伟" not in response.content.decode()


def test_the_last_id_digits_give_a_reduced_answer(world, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    anonymous = Client()

    view = track(anonymous, case_no, id_last4="002x").json()  # 张伟: …002X

    assert (view["full"], view["item_name"], view["timeline"]) == (False, "", [])
    assert view["status"] == "submitted"
    problem(track(anonymous, case_no, id_last4="1234"), 404, "not_found")


def test_public_tracking_is_limited_per_address_and_per_case(world, citizen):
    created = submit(citizen, world).json()
    case_no, code = created["case_no"], created["tracking_code"]
    anonymous = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(TRACK_PER_CASE_LIMIT):
        assert track(anonymous, case_no, code=code).status_code == 200
    # The case's own limit holds against every address (guessing one code) …
    refused = track(Client(REMOTE_ADDR="198.51.100.7"), case_no, code=code)
    problem(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) > 0
    # … and an address's limit against every case (walking the numbers).
    for n in range(TRACK_LIMIT - TRACK_PER_CASE_LIMIT):
        track(anonymous, f"32010020261102{n:06d}", code="ABCDEFGH")
    problem(track(anonymous, "320100202611029999", code=code), 429, "rate_limited")
    assert RateCounter.objects.get(key="case-track:203.0.113.9").count == TRACK_LIMIT + 1


def test_the_applicant_downloads_the_acceptance_notice(world, accounts, citizen):
    from urllib.parse import quote

    clerk = as_user(accounts, world.clerk)
    case_no = submit(citizen, world).json()["case_no"]
    assert command(clerk, case_no, "accept", version=1).status_code == 200
    document = CaseDocument.objects.get(case__case_no=case_no, kind="acceptance_notice")
    response = citizen.get(f"{CASES}/{case_no}/documents/{quote(document.number)}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    problem(citizen.get(f"{CASES}/{case_no}/documents/nope"), 404, "not_found")


def test_a_reviewer_cannot_accept_and_a_clerk_cannot_decide(world, accounts, citizen):
    case_no = submit(citizen, world).json()["case_no"]
    problem(command(as_user(accounts, world.reviewer), case_no, "accept", version=1), 403,
            "permission_denied")  # fmt: skip
    clerk = as_user(accounts, world.clerk)
    assert command(clerk, case_no, "accept", version=1).status_code == 200
    decide = {"outcome": "granted", "reason": "符合", "legal_basis": "《食品安全法》"}
    problem(command(clerk, case_no, "decide", decide, 2), 403, "permission_denied")
    assert Case.objects.get(case_no=case_no).status == CaseStatus.ACCEPTED
