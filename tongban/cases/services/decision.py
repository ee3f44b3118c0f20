"""Transitions of the decision and after (决定、送达、办结): decide, deliver,
conclude, withdraw, 即办, 告知承诺 and the deferred materials of 容缺受理.
One service per transition; see ``transitions`` for the conventions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.cases import errors
from tongban.cases.models import (
    Case,
    DeliveryMethod,
    MaterialKind,
    Outcome,
    PostCheck,
)
from tongban.cases.services._common import reason_required, transition
from tongban.cases.services.intake import MaterialInput, _store_material, missing_materials
from tongban.cases.services.results import (
    IMMEDIATE_GRANT,
    fees_assess,
    fees_check_before_delivery,
    fees_check_on_the_spot,
    fees_issue_before_immediate_grant,
    result_certificate_issue,
)
from tongban.core import clock
from tongban.core.errors import DomainError


def case_decide(
    *,
    case_id: int,
    actor: Any,
    outcome: str,
    reason: str,
    legal_basis: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """准予 / 不予许可 with reasons and the legal basis (第三十八条). A case accepted
    with deferred materials cannot be decided until they have come."""
    if outcome not in Outcome.values:
        raise DomainError(errors.REASON_REQUIRED, "决定结果须为准予许可或不予许可。")
    text = reason_required(reason, "决定")
    if not legal_basis.strip():
        raise DomainError(errors.REASON_REQUIRED, "决定须写明法律依据。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if case.materials.filter(kind=MaterialKind.DEFERRED).exists():
            raise DomainError(
                errors.DEFERRED_OUTSTANDING, "容缺受理的材料尚未补齐，暂不能作出决定。"
            )
        case.outcome = outcome
        case.decision_reason = text
        case.decision_basis = legal_basis.strip()[:2000]
        case.decided_on = clock.local_date(moment)
        if outcome == Outcome.GRANTED:
            return {"outcome": outcome, **result_certificate_issue(case, actor=actor, now=moment)}
        return {"outcome": outcome}

    return transition(
        case_id=case_id,
        action="decide",
        actor=actor,
        reason=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_deliver(
    *,
    case_id: int,
    actor: Any,
    method: str,
    tracking_no: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """送达 by window, post (with tracking number) or electronically (第四十四条)."""
    if method not in DeliveryMethod.values:
        raise DomainError(errors.REASON_REQUIRED, "送达方式须为窗口领取、邮寄或电子送达。")
    if method == DeliveryMethod.POST and not tracking_no.strip():
        raise DomainError(errors.REASON_REQUIRED, "邮寄送达须填写邮寄单号。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        fees_check_before_delivery(case)
        case.delivery_method = method
        case.tracking_no = tracking_no.strip()[:60]
        case.delivered_on = clock.local_date(moment)
        return {"method": method}

    return transition(
        case_id=case_id,
        action="deliver",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_conclude(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        case.concluded_at = moment
        return {}

    return transition(
        case_id=case_id,
        action="conclude",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_withdraw(
    *,
    case_id: int,
    actor: Any,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """撤回: by the applicant, before a decision."""

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        case.withdrawn_at = moment
        return {}

    return transition(
        case_id=case_id,
        action="withdraw",
        actor=actor,
        reason=reason.strip(),
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_handle_immediately(
    *,
    case_id: int,
    actor: Any,
    outcome: str,
    reason: str,
    legal_basis: str,
    delivery_method: str = DeliveryMethod.WINDOW,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """即办件: accepted, decided and concluded on the spot by the clerk in one action.
    Its result is handed out at once, so its fees are issued first and the
    action waits for them (``results.fees_check_on_the_spot``)."""
    if outcome not in Outcome.values:
        raise DomainError(errors.REASON_REQUIRED, "决定结果须为准予许可或不予许可。")
    text = reason_required(reason, "决定")
    if outcome == Outcome.GRANTED:
        fees_issue_before_immediate_grant(case_id, now=now or clock.now())

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if case.rules["handling"] != "immediate":
            raise DomainError(errors.NOT_IMMEDIATE, "该事项是承诺件，须受理后按流程办理。")
        missing = missing_materials(case)
        if missing:
            names = "、".join(m["name"] for m in missing)
            raise DomainError(errors.MATERIALS_INCOMPLETE, f"材料不齐全：{names}。")
        fees = fees_check_on_the_spot(case, outcome=outcome, now=moment)
        today = clock.local_date(moment)
        case.accepted_on = case.decided_on = case.delivered_on = today
        case.outcome = outcome
        case.decision_reason = text
        case.decision_basis = legal_basis.strip()[:2000]
        case.delivery_method = delivery_method
        case.concluded_at = moment
        if outcome == Outcome.GRANTED:
            return {
                "outcome": outcome,
                **fees,
                **result_certificate_issue(case, actor=actor, now=moment),
            }
        return {"outcome": outcome, **fees}

    with transaction.atomic():
        return transition(
            case_id=case_id,
            action="handle_immediately",
            actor=actor,
            expected_version=expected_version,
            now=now,
            reason=text,
            mutate=mutate,
        )


def case_grant_on_commitment(
    *,
    case_id: int,
    actor: Any,
    legal_basis: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """告知承诺: the applicant's signed commitment replaces the listed materials; the
    case is accepted and granted at once, and a post-check (事后核查) is due within
    ``TONGBAN_COMMITMENT_CHECK_DAYS`` calendar days (R-CS-4). Calendar days, so
    that a decision near the year's end never waits for next year's holiday data."""
    if not legal_basis.strip():
        raise DomainError(errors.REASON_REQUIRED, "决定须写明法律依据。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if not case.commitment or "commitment" not in case.rules["modes"]:
            raise DomainError(
                errors.MATERIALS_INCOMPLETE, "申请人未作出告知承诺，不能按告知承诺制办理。"
            )
        today = clock.local_date(moment)
        case.accepted_on = case.decided_on = today
        case.outcome = Outcome.GRANTED
        case.decision_reason = "申请人已书面承诺符合许可条件，依据告知承诺制作出准予许可决定。"
        case.decision_basis = legal_basis.strip()[:2000]
        due = today + dt.timedelta(days=settings.TONGBAN_COMMITMENT_CHECK_DAYS)
        PostCheck.objects.create(case=case, due_on=due)
        # Accepted and granted in one step: the fees of both stages are owed from
        # now, in this transaction (as at acceptance), so a delivery before the
        # payments worker runs is held for them too.
        fees = fees_assess(case, stage=IMMEDIATE_GRANT, now=moment)
        issued = result_certificate_issue(case, actor=actor, now=moment)
        return {"post_check_due": due.isoformat(), **fees, **issued}

    return transition(
        case_id=case_id,
        action="grant_on_commitment",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_supply_deferred(
    *,
    case_id: int,
    actor: Any,
    materials: list[MaterialInput],
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """容缺后补: materials deferred at acceptance are handed in; once none is
    outstanding the case may be decided."""
    if not materials:
        raise DomainError(errors.MATERIALS_INCOMPLETE, "请提交需补交的容缺材料。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        deferred = {m.code: m for m in case.materials.filter(kind=MaterialKind.DEFERRED)}
        for index, given in enumerate(materials):
            held = deferred.get(given.code)
            if held is None:
                raise DomainError(
                    errors.UPLOAD_INVALID, f"materials[{index}]：{given.code} 不是待补交的容缺材料"
                )
            name = held.name
            held.delete()
            _store_material(case, given.code, name, given, f"materials[{index}]", moment)
        outstanding = case.materials.filter(kind=MaterialKind.DEFERRED).count()
        return {"codes": [m.code for m in materials], "outstanding": outstanding}

    return transition(
        case_id=case_id,
        action="supply_deferred",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
