"""Applications and grants: every transition allowed and forbidden, who may act, history."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.sharing import workflow
from tongban.sharing.models import AccessGrant, AccessGrantEvent, GrantStatus
from tongban.sharing.services import (
    FieldSpec,
    access_grant_approve,
    access_grant_refuse,
    access_grant_request,
    access_grant_revoke,
    access_grant_withdraw,
    data_resource_register,
)

from .conftest import T0

MARRIAGE = "JS-MZ-HY-001"
UNTIL = dt.date(2027, 6, 30)


def apply(world, *, fields=("marital_status", "spouse_name"), actor=None, consumer=None):
    return access_grant_request(
        resource=world.resource(MARRIAGE), consumer_department=consumer or world.market,
        purpose="个体工商户登记时核验婚姻状况", legal_basis="《促进个体工商户发展条例》",
        field_codes=list(fields), requested_until=UNTIL, actor=actor, now=T0,
    )  # fmt: skip


def code_of(call):
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_applying_records_the_request_its_fields_history_and_audit(world):
    grant = apply(world, actor=world.head)
    assert grant.status == GrantStatus.REQUESTED
    assert sorted(grant.requested_fields.values_list("code", flat=True)) == [
        "marital_status",
        "spouse_name",
    ]
    # 国发〔2016〕51号: 10 working days; Mon 2 Nov 2026 + 10 → Mon 16 Nov 2026.
    assert grant.answer_due_on == dt.date(2026, 11, 16)
    event = AccessGrantEvent.objects.get(grant=grant)
    assert (event.action, event.to_status, event.actor) == ("request", "requested", world.head)
    assert AuditEvent.objects.filter(action="sharing.grant_requested", object_id=str(grant.pk))
    assert code_of(lambda: apply(world, actor=world.head)) == "sharing_grant_pending"


def test_the_provider_grants_some_of_the_requested_fields_until_a_date(world):
    grant = apply(world)
    approved = access_grant_approve(
        grant=grant, field_codes=["marital_status"], valid_until=UNTIL, reason="同意",
        actor=world.civil_head, expected_version=grant.version, now=T0,
    )  # fmt: skip
    assert approved.status == GrantStatus.APPROVED and approved.version == grant.version + 1
    assert list(approved.granted_fields.values_list("code", flat=True)) == ["marital_status"]
    assert (approved.valid_until, approved.decided_by) == (UNTIL, world.civil_head)
    assert (
        code_of(
            lambda: access_grant_approve(
                grant=apply(world, fields=["marital_status"]),
                field_codes=["certificate_no"],
                valid_until=UNTIL,
                now=T0,
            )
        )
        == "sharing_grant_invalid"
    )


def test_only_the_departments_own_heads_act(world):
    grant = apply(world)
    # The consumer's head cannot approve; the provider's clerk-level staff cannot either.
    for actor in (world.head, world.clerk, world.police_head):
        assert (
            code_of(
                lambda actor=actor: access_grant_approve(
                    grant=grant,
                    field_codes=["marital_status"],
                    valid_until=UNTIL,
                    actor=actor,
                    now=T0,
                )
            )
            == "sharing_not_provider"
        )
    assert code_of(lambda: access_grant_withdraw(grant=grant, actor=world.civil_head, now=T0)) == (
        "sharing_not_applicant"
    )
    assert code_of(lambda: apply(world, actor=world.clerk)) == "sharing_not_applicant"
    assert code_of(lambda: apply(world, actor=world.gz_head)) == "sharing_not_applicant"


def test_a_stale_version_is_refused(world):
    grant = apply(world)
    assert (
        code_of(lambda: access_grant_refuse(grant=grant, reason="否", expected_version=99, now=T0))
        == "sharing_version_mismatch"
    )


def test_reasons_are_required_to_refuse_and_revoke(world):
    grant = apply(world)
    assert code_of(lambda: access_grant_refuse(grant=grant, reason=" ", now=T0)) == (
        "sharing_grant_invalid"
    )


ACTIONS = {
    "approve": lambda g: access_grant_approve(
        grant=g, field_codes=["marital_status"], valid_until=UNTIL, now=T0
    ),
    "refuse": lambda g: access_grant_refuse(grant=g, reason="不必要", now=T0),
    "withdraw": lambda g: access_grant_withdraw(grant=g, now=T0),
    "revoke": lambda g: access_grant_revoke(grant=g, reason="用途结束", now=T0),
}


def _in_state(world, status):
    grant = apply(world)
    if status == GrantStatus.APPROVED:
        return ACTIONS["approve"](grant)
    if status == GrantStatus.REFUSED:
        return ACTIONS["refuse"](grant)
    if status == GrantStatus.WITHDRAWN:
        return ACTIONS["withdraw"](grant)
    if status == GrantStatus.REVOKED:
        return ACTIONS["revoke"](ACTIONS["approve"](grant))
    return grant


@pytest.mark.parametrize("status", GrantStatus.values)
@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_every_transition_is_allowed_or_refused_by_the_table(world, status, action):
    grant = _in_state(world, status)
    expected = workflow.target(action, status)
    if expected is None:
        assert code_of(lambda: ACTIONS[action](grant)) == "sharing_invalid_transition"
        assert AccessGrant.objects.get(pk=grant.pk).status == status
    else:
        done = ACTIONS[action](grant)
        assert done.status == expected
        last = AccessGrantEvent.objects.filter(grant=grant).order_by("-id")[0]
        assert (last.action, last.from_status, last.to_status) == (action, status, expected)


def test_what_needs_no_application_or_cannot_have_one(world):
    business = world.resource("JS-SJ-SCZT-001")
    credit = world.resource("JS-RH-ZX-001")
    for resource, code in ((business, "sharing_grant_invalid"), (credit, "sharing_not_shareable")):
        assert (
            code_of(
                lambda resource=resource: access_grant_request(
                    resource=resource,
                    consumer_department=world.market,
                    purpose="p",
                    legal_basis="b",
                    field_codes=[resource.fields.first().code],
                    now=T0,
                )
            )
            == code
        )
    assert code_of(lambda: apply(world, consumer=world.civil)) == "sharing_grant_invalid"
    assert code_of(lambda: apply(world, fields=[])) == "sharing_grant_invalid"
    assert code_of(lambda: apply(world, fields=["nope"])) == "sharing_grant_invalid"


def test_registering_a_resource_checks_its_fields_and_keeps_personal_data_closed(world):
    fields = [FieldSpec("name", "姓名", "string", "personal")]

    def register(**changes):
        args = {
            "code": "T-RES-1", "name": "测试资源", "provider": world.civil,
            "sharing_type": "unconditional", "update_frequency": "daily", "fields": fields,
            "now": T0,
        }  # fmt: skip
        return data_resource_register(**{**args, **changes})

    assert code_of(lambda: register(open_to_public=True)) == "sharing_resource_invalid"
    assert code_of(lambda: register(sharing_type="conditional")) == "sharing_resource_invalid"
    assert code_of(lambda: register(code="bad code")) == "sharing_resource_invalid"
    assert code_of(lambda: register(actor=world.head)) == "sharing_not_provider"
    resource = register(actor=world.civil_head)
    assert list(resource.fields.values_list("code", flat=True)) == ["name"]
    assert code_of(lambda: register()) == "sharing_resource_exists"
    assert (
        code_of(lambda: register(code="T-RES-2", registry="marriage")) == "sharing_resource_exists"
    )
