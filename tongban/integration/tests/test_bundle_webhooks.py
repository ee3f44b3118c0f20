"""A member case of a 一件事 tells its department's system which bundle
application it belongs to; a case on its own says ``bundle: null``."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.bundles.tests.conftest import seed
from tongban.bundles.tests.flows import submit
from tongban.integration import services

pytestmark = pytest.mark.django_db


def test_a_member_case_webhook_names_its_bundle_application(sms: Any) -> None:
    world = seed()
    application = submit(world, "enterprise-opening")
    member = application.members.exclude(case=None).select_related("case").first()
    assert member is not None and member.case is not None
    department_id, body = services._subject("case.submit", {"case_no": member.case.case_no})
    assert department_id == member.case.department_id
    assert body["bundle"] == application.application_no
    assert body["case_no"] == member.case.case_no and body["version"] == member.case.version
