"""延长统一办理期限 on the workbench's application page (行政许可法 第四十二条第二款):
the lead department's head extends a jointly handled bundle's 45 working days
once, by at most 15, naming the government head who approved it."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.bundles.deadlines import joint_deadline
from tongban.bundles.tests.conftest import world  # noqa: F401  (the module's demo world)
from tongban.bundles.tests.flows import submit_as_business
from tongban.core.calendar import get_calendar
from tongban.org.models import Role

pytestmark = pytest.mark.django_db


def test_the_lead_head_extends_the_joint_period_once(world):  # noqa: F811
    application = submit_as_business(world, "construction-approval")
    assert application.legal_deadline == joint_deadline(application.received_on, 0, get_calendar())
    lead = application.bundle.lead_departments.get()
    url = f"/workbench/bundles/applications/{application.application_no}/"
    head = Client()
    head.force_login(world.staff_of(lead, Role.DEPARTMENT_HEAD))
    page = head.get(url).content.decode()
    assert "延长统一办理期限" in page and 'name="approver"' in page

    # More than fifteen days: refused on the form, nothing changes.
    too_long = {
        "version": application.version,
        "days": 16,
        "reason": "联合验收需补测",
        "approver": "副省长 王某",
    }
    answer = head.post(url + "extend/", too_long)
    assert answer.status_code == 422
    application.refresh_from_db()
    assert application.extension_days == 0

    # A reviewer of the lead department may not.
    reviewer = Client()
    reviewer.force_login(world.staff_of(lead, Role.REVIEWER))
    refused = reviewer.post(url + "extend/", {**too_long, "days": 15})
    assert refused.status_code == 422 and "负责人" in refused.content.decode()

    # 工程建设 promises 50 working days: with 15 more it would pass 45 + 15.
    beyond = head.post(url + "extend/", {**too_long, "days": 15})
    assert beyond.status_code == 422
    assert "不得超过四十五日加十五日" in beyond.content.decode()

    done = head.post(url + "extend/", {**too_long, "days": 10})
    assert done.status_code == 302 and done["Location"] == url
    application.refresh_from_db()
    assert application.extension_days == 10 and application.extension_approver == "副省长 王某"
    assert application.legal_deadline == joint_deadline(application.received_on, 10, get_calendar())
    assert application.events.filter(action="extend").count() == 1
    # Once only: the form is gone.
    assert 'name="approver"' not in head.get(url).content.decode()
