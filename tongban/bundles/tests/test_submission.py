"""A bundle submission (issue 12, item 3): an agent limited to named items is
refused a bundle with a member outside them, with the refusal audited and
nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.bundles.models import BundleApplication
from tongban.bundles.services._common import content_parse
from tongban.bundles.tests.flows import fill, merge_of, submit
from tongban.cases.models import Case
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import AuthorizationRole, BusinessAuthorization
from tongban.identity.services import business_account_create

pytestmark = pytest.mark.django_db


def _business_submit(world: Any, code: str, agent: Any) -> BundleApplication:
    merge = merge_of(world.bundles[code])
    answers = {"entity_name": world.entity.name, "applicant_name": world.entity.name}
    form = fill(
        merge,
        skip=("applicant_id_number", "credit_code", "project_code"),
        project_name="通办仓储项目",
        **answers,
    )
    return submit(world, code, person=False, form_data=form, submitted_by=agent)


def test_an_agent_limited_to_named_items_is_refused_a_bundle_with_another_member(world):
    agent = business_account_create(
        username="bundle_agent", password="Pw-12345678", person=world.agent,
        legal_entity=world.entity, role=AuthorizationRole.AGENT,
    )  # fmt: skip
    content = content_parse(world.bundles["construction-approval"].current_version.content)
    codes = [m.implementation_code for m in content.members]
    BusinessAuthorization.objects.filter(user=agent).update(item_codes=codes[:1])
    with pytest.raises(DomainError) as refused:
        _business_submit(world, "construction-approval", agent)
    assert refused.value.code == "authorization_item_forbidden"
    assert "”：您作为经办人的授权不包括该事项" in refused.value.detail
    assert not BundleApplication.objects.exists() and not Case.objects.exists()
    event = AuditEvent.objects.get(action="identity.authorization.item_refused")
    assert event.details["implementation_code"] in codes[1:]
    # Every member named: the bundle goes through and its first members are filed.
    BusinessAuthorization.objects.filter(user=agent).update(item_codes=codes)
    application = _business_submit(world, "construction-approval", agent)
    assert application.members.filter(case__isnull=False).exists()
