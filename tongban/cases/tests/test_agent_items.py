"""An agent limited to named items, checked by the submission service itself
(issue 12, item 3; issue 14, item 3): every caller — the portal, the API, a
bundle, anything later — is covered, and the refusal is audited although
nothing else is written."""

from __future__ import annotations

import base64

import pytest

from tongban.cases import services
from tongban.cases.models import Case
from tongban.cases.services.intake import MaterialInput
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import AuthorizationRole, BusinessAuthorization
from tongban.identity.services import business_account_create

PDF = b"%PDF-1.4 test document"


def _agent(accounts, codes):
    agent = business_account_create(
        username="zhangji_agent",
        password="Pw-12345678",
        person=accounts.other_citizen.person,
        legal_entity=accounts.entity,
        role=AuthorizationRole.AGENT,
    )
    BusinessAuthorization.objects.filter(user=agent).update(item_codes=codes)
    return agent


def _form(accounts):
    return {"applicant_name": accounts.entity.name, "credit_code": accounts.entity.credit_code}


def _submit(world, accounts, *, by, channel="online"):
    return services.case_submit(
        service_item=world.item,
        channel=channel,
        applicant_entity=accounts.entity,
        agent_person=accounts.other_citizen.person,
        form_data={
            "applicant_name": accounts.entity.name,
            "credit_code": accounts.entity.credit_code,
        },
        materials=[
            MaterialInput(code="application", kind="upload", content=PDF, file_name="a.pdf"),
            MaterialInput(code="layout", kind="upload", content=PDF),
        ],
        submitted_by=by,
    )


def test_the_service_refuses_an_agent_outside_its_items_and_keeps_the_audit(world, accounts):
    agent = _agent(accounts, [world.immediate.implementation_code])
    with pytest.raises(DomainError) as refused:
        _submit(world, accounts, by=agent)
    assert refused.value.code == "authorization_item_forbidden"
    assert "法定代表人在企业空间调整授权" in refused.value.detail
    assert not Case.objects.exists()
    event = AuditEvent.objects.get(action="identity.authorization.item_refused")
    assert event.details["implementation_code"] == world.item.implementation_code
    # Named, the same submission goes through.
    BusinessAuthorization.objects.filter(user=agent).update(
        item_codes=[world.immediate.implementation_code, world.item.implementation_code]
    )
    assert _submit(world, accounts, by=agent).applicant_entity == accounts.entity


def test_a_revoked_agent_is_refused_and_a_clerk_at_the_window_is_not_an_agent(world, accounts):
    agent = _agent(accounts, [])
    BusinessAuthorization.objects.filter(user=agent).update(revoked_at=world.at())
    with pytest.raises(DomainError) as refused:
        _submit(world, accounts, by=agent)
    assert refused.value.code == "authorization_forbidden"
    # A clerk receiving the business's application at a window checked its
    # papers there: the service asks no authorization of the clerk.
    case = _submit(world, accounts, by=world.clerk, channel="window")
    assert case.submitted_by == world.clerk and case.applicant_entity == accounts.entity


def test_the_api_refuses_the_agent_through_the_service(world, accounts):
    from django.test import Client

    from tongban.identity.services import token_create

    agent = _agent(accounts, [world.immediate.implementation_code])
    client = Client(headers={"Authorization": f"Bearer {token_create(user=agent, name='t')[1]}"})
    pdf64 = base64.b64encode(PDF).decode("ascii")
    answer = client.post(
        "/api/v1/cases",
        {
            "implementation_code": world.item.implementation_code,
            "applicant": {"kind": "legal_entity", "credit_code": accounts.entity.credit_code},
            "form": {
                "applicant_name": accounts.entity.name,
                "credit_code": accounts.entity.credit_code,
            },
            "materials": [
                {"code": "application", "kind": "upload", "file_base64": pdf64},
                {"code": "layout", "kind": "upload", "file_base64": pdf64},
            ],
        },
        content_type="application/json",
        headers={"Idempotency-Key": "agent-1"},
    )
    assert answer.status_code == 403 and answer.json()["code"] == "authorization_item_forbidden"
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(action="identity.authorization.item_refused").count() == 1
