"""A bundle submission (issue 12, items 3 and 4): an agent limited to named
items is refused a bundle with a member outside them, with the refusal
audited and nothing written; a submission's statements, held exactly."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tongban.bundles.models import BundleApplication, BundleMember, BundleUpload
from tongban.bundles.services._common import content_parse
from tongban.bundles.tests.conftest import pdf
from tongban.bundles.tests.flows import fill, merge_of, submit
from tongban.cases.models import Case
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import AuthorizationRole, BusinessAuthorization
from tongban.identity.services import business_account_create, citizen_signup, token_create

pytestmark = pytest.mark.django_db

# Statements of one 企业开办 submission over HTTP with an Idempotency-Key
# (docs/performance.md, "一件事 submission"), held exactly on each database:
# on PostgreSQL each member case writes its rows in one statement
# (cases.services.intake_pg), on SQLite through the ORM.
SUBMISSION_STATEMENTS = {"postgresql": 44, "sqlite": 52}
DATABASE_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbox", "scheduler"],
    }
}


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


def test_a_bundle_submission_stays_within_its_statements(
    world, django_assert_num_queries, settings
):
    settings.TASKS = (
        DATABASE_TASKS  # the task rows are written in the transaction, as in production
    )
    citizen = citizen_signup(
        phone="13800000001", password="Pw-12345678", name="张伟",
        id_number="320102198503120012", username="zhangwei",
    )  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=citizen, name='t')[1]}")
    merge = merge_of(world.bundles["enterprise-opening"])
    body = {
        "applicant": {"kind": "person"},
        "form": fill(merge),
        "materials": [
            {"key": m.key, "file_base64": base64.b64encode(pdf(m.key)).decode(),
             "file_name": f"{m.spec.name}.pdf"}
            for m in merge.materials_to_submit if m.needed
        ],
    }  # fmt: skip
    url = "/api/v1/bundles/enterprise-opening/applications"

    def post() -> Any:
        return client.post(
            url, json.dumps(body), content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )  # fmt: skip

    assert post().status_code == 201  # the process's first: caches filled
    with django_assert_num_queries(SUBMISSION_STATEMENTS[connection.vendor]):
        answer = post()
    assert answer.status_code == 201, answer.content
    application = BundleApplication.objects.get(application_no=answer.json()["application_no"])
    assert BundleMember.objects.filter(application=application).count() == 6
    assert BundleUpload.objects.filter(application=application).count() == len(body["materials"])
