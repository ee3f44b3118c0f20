"""The integration API with the test client: the feed, reading and acting
through the cases API, materials, refusals outside the department; the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.models import Case, CaseEvent, CaseStatus

API = "/api/v1"


def feed(client, world, user, cursor=None):
    params = {"cursor": cursor} if cursor else {}
    return client.get(f"{API}/integration/cases", params, **world.bearer(user))


def test_a_system_knows_its_department_and_others_are_refused(client, world, caplog):
    me = client.get(f"{API}/integration/me", **world.bearer(world.system.user))
    assert me.status_code == 200
    assert me.json()["department"]["name"] == "南京市市场监督管理局"
    assert me.json()["roles"] == ["reviewer", "window_clerk"]
    clerk = client.get(f"{API}/integration/me", **world.bearer(world.clerk))
    assert clerk.status_code == 403 and clerk.json()["code"] == "integration_not_a_system"
    assert f"refused to account {world.clerk.pk}" in caplog.text  # the refusal is logged
    assert client.get(f"{API}/integration/me").status_code == 401


def test_the_feed_lists_the_departments_cases_as_they_change_and_resumes(client, world):
    first = world.submit(minutes_ago=10)
    second = world.submit(minutes_ago=9)
    world.submit(item=world.ganzhou_item, minutes_ago=8)  # 赣州's: never in 南京's feed
    page = feed(client, world, world.system.user).json()
    assert [c["case_no"] for c in page["items"]] == [first.case_no, second.case_no]
    assert page["items"][0]["applicant_name"] == "张*"
    cursor = page["resume_cursor"]
    assert feed(client, world, world.system.user, cursor).json()["items"] == []

    accepted = client.post(
        f"{API}/cases/{first.case_no}/accept",
        {},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{first.version}"',
        **world.bearer(world.system.user),
    )
    assert accepted.status_code == 200, accepted.content
    # The step is settled after two seconds; the feed shows it after the cursor.
    from tongban.integration import selectors

    later = Case.objects.get(pk=first.pk).updated_at + selectors.SETTLE * 2
    page, _ = selectors.cases_changed_for_system(
        user=world.system.user, cursor=cursor, limit=10, now=later
    )
    assert [(c.case_no, c.status, c.version) for c in page.items] == [
        (first.case_no, CaseStatus.ACCEPTED, first.version + 1)
    ]
    event = CaseEvent.objects.get(case=first, action="accept")
    assert event.actor_id == world.system.user.pk  # recorded as the system, like a clerk


def test_the_feed_reads_a_fixed_number_of_queries(client, world):
    for minutes in range(12, 2, -1):
        world.submit(minutes_ago=minutes)
    feed(client, world, world.system.user)  # the token's first use is noted once
    with CaptureQueriesContext(connection) as ten:
        assert len(feed(client, world, world.system.user).json()["items"]) == 10
    world.submit(minutes_ago=2)
    with CaptureQueriesContext(connection) as eleven:
        assert len(feed(client, world, world.system.user).json()["items"]) == 11
    assert len(eleven.captured_queries) == len(ten.captured_queries)


def test_a_step_needs_the_current_version(client, world):
    case = world.submit()
    headers = world.bearer(world.system.user)
    url = f"{API}/cases/{case.case_no}/accept"
    missing = client.post(url, {}, content_type="application/json", **headers)
    assert missing.status_code == 428
    stale = client.post(url, {}, content_type="application/json", HTTP_IF_MATCH='"99"', **headers)
    assert stale.status_code == 412
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_a_system_token_outside_its_department_finds_nothing_and_changes_nothing(client, world):
    case = world.submit()
    headers = world.bearer(world.other_system.user)
    read = client.get(f"{API}/cases/{case.case_no}", **headers)
    assert read.status_code == 404 and read.json()["code"] == "not_found"
    act = client.post(
        f"{API}/cases/{case.case_no}/accept",
        {},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{case.version}"',
        **headers,
    )
    assert act.status_code == 404
    material = client.get(
        f"{API}/integration/cases/{case.case_no}/materials/application", **headers
    )
    assert material.status_code == 404
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert feed(client, world, world.other_system.user).json()["items"] == []


def test_a_system_reads_a_case_with_its_materials(client, world):
    case = world.submit()
    headers = world.bearer(world.system.user)
    detail = client.get(f"{API}/cases/{case.case_no}", **headers)
    assert detail.status_code == 200 and detail["ETag"] == f'"{case.version}"'
    materials = {m["code"]: m for m in detail.json()["materials"]}
    # A person has no business licence to look up (the guide's is optional): not listed.
    assert sorted(materials) == ["application", "layout"]
    assert materials["application"]["file_name"] == "申请书.pdf"
    file = client.get(f"{API}/integration/cases/{case.case_no}/materials/application", **headers)
    assert file.status_code == 200 and file.content.startswith(b"%PDF-1.4")
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf" in file["Content-Disposition"]
    for code in ("nope", "business_licence"):  # unknown; not among the case's materials
        missing = client.get(f"{API}/integration/cases/{case.case_no}/materials/{code}", **headers)
        assert missing.status_code == 404 and missing.json()["code"] == "material_not_found"


@pytest.mark.parametrize("cursor", ["%%%", "WyJ4Il0", "WyJub3QtYS1kYXRlIiwgMV0"])
def test_a_forged_cursor_is_a_400(client, world, cursor):
    answer = feed(client, world, world.system.user, cursor)
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_cursor"
