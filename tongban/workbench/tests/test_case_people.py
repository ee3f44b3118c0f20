"""Nothing internal leaks (issue 20, item 7): histories name people by name and
role, never by account id; the applicant sees only the steps that concern them;
the applicant's registered phone is revealed with a stated purpose, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.cases import services as case_services
from tongban.core.models import AuditEvent
from tongban.workbench.tests.test_case_pages import case_url, seed_cases, submit_case, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return seed_cases()


def _accepted(seed):
    case = submit_case(seed)
    return case_services.case_accept(case_id=case.pk, actor=seed.clerk, expected_version=1)


def test_the_staff_history_names_the_clerk_by_department_role_and_masked_name(client, seed):
    case = _accepted(seed)
    client.force_login(seed.clerk)
    page = text(client.get(case_url(case)))
    centre = seed.clerk.staff_assignments.get().department
    assert f"{centre.short_name or centre.name} 窗口 宁**" in page
    assert "申请人 张*" in page  # the online submission by the citizen's own account
    assert "user:" not in page
    assert "期限变更" in page  # staff see the bookkeeping


def test_the_applicant_sees_the_steps_that_concern_them_without_bookkeeping(client, seed):
    case = _accepted(seed)
    assert case.events.filter(action="deadline_change").exists()
    client.force_login(seed.citizen)
    page = text(client.get(reverse("portal:my_case", args=[case.case_no])))
    assert "受理" in page and "窗口 宁**" in page
    assert "期限变更" not in page
    assert "user:" not in page


def test_the_history_names_people_in_a_constant_number_of_queries(
    client, seed, django_assert_max_num_queries
):
    from tongban.cases.selectors import case_timeline_for_staff

    case = _accepted(seed)
    case_services.case_start_review(case_id=case.pk, actor=seed.reviewer, expected_version=2)
    case.refresh_from_db()
    with django_assert_max_num_queries(3):
        entries = case_timeline_for_staff(case)
    names = {e.action: e.actor_name for e in entries}
    assert names["start_review"].endswith("审批 宁**")


def test_a_clerk_reveals_the_registered_phone_with_a_purpose_and_it_is_audited(client, seed):
    case = _accepted(seed)
    client.force_login(seed.clerk)
    page = text(client.get(case_url(case)))
    assert "138****0001" in page and "13800000001" not in page
    assert 'value="@applicant_phone"' in page
    reveal = reverse("workbench:case_reveal", args=[case.case_no])

    refused = client.post(reveal, {"field": "@applicant_phone", "purpose": "看"})
    shown = client.post(reveal, {"field": "@applicant_phone", "purpose": "电话告知补正事项"})

    assert refused.status_code == 422 and "须写明用途" in text(refused)
    assert shown.status_code == 200
    assert "13800000001" in text(shown) and "申请人手机号码" in text(shown)
    event = AuditEvent.objects.get(action="person.phone_revealed")
    assert event.object_id == case.case_no
    assert event.details["purpose"] == "电话告知补正事项"
    assert "13800000001" not in str(event.details)
    client.force_login(seed.gz_clerk)  # another city: the case does not exist for them
    assert (
        client.post(reveal, {"field": "@applicant_phone", "purpose": "电话告知"}).status_code == 404
    )
