"""An agent (经办人) limited to named items (issue 14, item 3, and "an agent acting
beyond its authorization" of its bad input): the legal representative names
the items in the business space, the agent sees them, and a submission for
another item is refused on the portal and the API with a stable code,
audited, and nothing is created."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from tongban.cases.models import Case
from tongban.core.errors import DomainError
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import AuditEvent
from tongban.identity.models import AuthorizationRole, BusinessAuthorization
from tongban.identity.services import (
    authorization_grant,
    authorization_revoke,
    business_account_create,
    legal_entity_register,
)
from tongban.portal.tests.test_case_pages import (
    PASSWORD,
    application,
    apply_url,
    form_token,
    seed_cases,
    text,
)
from tongban.sharing.demo import demo_business_registered
from tongban.spaces.tests.conftest import build_space

pytestmark = pytest.mark.django_db
PDF64 = base64.b64encode(b"%PDF-1.4 test document").decode("ascii")


def limit_agent(space, codes):
    current = BusinessAuthorization.objects.get(user=space.agent, revoked_at__isnull=True)
    authorization_revoke(authorization=current, revoked_by=space.boss)
    return authorization_grant(
        user=space.agent,
        legal_entity=space.company,
        role=AuthorizationRole.AGENT,
        granted_by=space.boss,
        item_codes=codes,
    )


def api_submit(client, space):
    return client.post(
        "/api/v1/cases",
        {
            "implementation_code": space.item.implementation_code,
            "channel": "online",
            "applicant": {"kind": "legal_entity", "credit_code": space.company.credit_code},
            "form": {
                "applicant_name": space.company.name,
                "credit_code": space.company.credit_code,
            },
            "materials": [
                {
                    "code": "application",
                    "kind": "upload",
                    "file_base64": PDF64,
                    "file_name": "a.pdf",
                },
                {"code": "layout", "kind": "upload", "file_base64": PDF64},
            ],
        },
        content_type="application/json",
    )


def test_a_legal_representative_cannot_be_limited_and_codes_are_kept_clean():
    space = build_space()
    with pytest.raises(DomainError) as exc:
        authorization_grant(
            user=space.outsider, legal_entity=space.other_company,
            role=AuthorizationRole.LEGAL_REPRESENTATIVE, item_codes=["X"],
        )  # fmt: skip
    assert exc.value.code == "validation_failed"
    code = space.item.implementation_code
    granted = limit_agent(space, [f" {code.lower()} ", code])
    assert granted.item_codes == [code]


def test_the_api_refuses_an_agent_outside_its_items_and_writes_nothing():
    space = build_space()
    limit_agent(space, ["11320100MB0000000X3000000000001"])
    client = Client()
    client.force_login(space.agent)
    refused = api_submit(client, space)
    assert refused.status_code == 403, refused.content
    assert refused.json()["code"] == "authorization_item_forbidden"
    assert "法定代表人在企业空间调整授权" in refused.json()["detail"]
    assert not Case.objects.exists()
    event = AuditEvent.objects.get(action="identity.authorization.item_refused")
    assert event.details["implementation_code"] == space.item.implementation_code
    # Named, the same submission goes through; the representative is never limited.
    limit_agent(space, [space.item.implementation_code])
    assert api_submit(client, space).status_code == 201
    boss = Client()
    boss.force_login(space.boss)
    assert api_submit(boss, space).status_code == 201
    assert Case.objects.count() == 2


def test_the_representative_names_the_items_and_the_agent_sees_them(client):
    space = build_space()
    code = space.item.implementation_code
    client.force_login(space.boss)
    url = f"/my/business/{space.company.credit_code}/"
    BusinessAuthorization.objects.filter(user=space.agent).update(revoked_at=space.item.created_at)
    refused = client.post(
        f"{url}agents/", {"username": "tb_agent", "items": "NO-SUCH-CODE"}, follow=True
    )
    assert "未找到这些事项" in text(refused) and "NO-SUCH-CODE" in text(refused)
    assert not BusinessAuthorization.objects.filter(
        revoked_at__isnull=True, user=space.agent
    ).exists()
    done = client.post(
        f"{url}agents/", {"username": "tb_agent", "items": code.lower()}, follow=True
    )
    assert "可办理：食品经营许可证核发" in text(done)
    authorization = BusinessAuthorization.objects.get(user=space.agent, revoked_at__isnull=True)
    assert authorization.item_codes == [code]
    assert f'食品经营许可证核发<span class="code">（{code}）</span>' in text(done)
    assert "全部事项" in text(done)  # the representative's own row
    client.force_login(space.agent)
    mine = text(client.get(url))
    assert "data-my-items" in mine and "可办理：食品经营许可证核发" in mine


def test_the_portal_refuses_an_agent_outside_its_items_on_submit(client):
    seed = seed_cases()
    person = seed.other.person
    assert person is not None and seed.citizen.person is not None
    entity = legal_entity_register(
        credit_code=generate_credit_code("91320102MA1XXXXX"),
        name="南京小吃有限公司",
        legal_representative=seed.citizen.person,
    )
    demo_business_registered(entity)
    agent = business_account_create(
        username="xiaochi_agent", password=PASSWORD, person=person, legal_entity=entity
    )
    authorization = BusinessAuthorization.objects.get(user=agent)
    BusinessAuthorization.objects.filter(pk=authorization.pk).update(
        item_codes=[seed.marriage.implementation_code]
    )
    client.force_login(agent)
    token = form_token(text(client.get(apply_url(seed.food))))
    response = client.post(apply_url(seed.food), application(token, entity=str(entity.pk)))
    assert response.status_code == 422
    assert "您作为经办人的授权不包括该事项" in text(response)
    assert not Case.objects.exists()
    BusinessAuthorization.objects.filter(pk=authorization.pk).update(
        item_codes=[seed.food.implementation_code]
    )
    token = form_token(text(client.get(apply_url(seed.food))))
    response = client.post(apply_url(seed.food), application(token, entity=str(entity.pk)))
    assert response.status_code == 302 and Case.objects.get().agent_person == person
