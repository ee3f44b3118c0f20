"""Transitions of acceptance (受理): accept, deemed acceptance, refuse, ask for
and receive the one supplement (行政许可法 第三十二条). One service per
transition (workflow.TRANSITIONS); see ``transitions`` for the conventions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from tongban.cases import deadlines, errors
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    MaterialKind,
)
from tongban.cases.services._common import reason_required, transition
from tongban.cases.services.intake import MaterialInput, _store_material, missing_materials
from tongban.cases.services.results import fees_assess
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.credit.services.enforcement import ensure_allowed


def _deemed_accepted(case: Case, today: dt.date) -> bool:
    """Whether a submitted application already counts as accepted (第三十二条):
    no acceptance, refusal or supplement notice within five working days."""
    if case.status != CaseStatus.SUBMITTED:
        return False  # a supplement notice was an answer in time
    return deadlines.deemed_accepted(case.received_on, today, False, get_calendar())


def _deemed_detail(case: Case) -> str:
    deadline = deadlines.acceptance_deadline(case.received_on, get_calendar())
    return (
        f"受理期限已于{deadline.year}年{deadline.month}月{deadline.day}日届满，"
        f"依照行政许可法第三十二条，该申请自收到申请材料之日"
        f"（{case.received_on.month}月{case.received_on.day}日）起即为受理"
    )


def case_accept(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    deferred_codes: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """受理 (第三十二条). Every required material must be present, or be deferred
    under 容缺受理 with a due date; otherwise request a supplement instead.

    Deemed acceptance is a fact, not a sweep: accepted after the five working
    days, the application counts as accepted on the day of receipt, and the
    decision clock runs from then, whenever the scheduler last looked."""
    deferred = set(deferred_codes or [])

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        today = clock.local_date(moment)
        deemed = _deemed_accepted(case, today)
        missing = missing_materials(case)
        outstanding = [m for m in missing if m["code"] not in deferred and not m["deferred"]]
        if outstanding:
            names = "、".join(m["name"] for m in outstanding)
            raise DomainError(
                errors.MATERIALS_INCOMPLETE,
                f"材料不齐全，不能受理：{names}。请一次性告知申请人补正。",
                fields=[
                    {"field": f"materials.{m['code']}", "code": "missing", "message": m["name"]}
                    for m in outstanding
                ],
            )
        if deferred or any(m["deferred"] for m in missing):
            # 联合惩戒 (R-CR-1): listed after submitting, the applicant is refused 容缺 here too.
            entity = case.applicant_entity
            subject = entity.credit_code if entity else case.applicant_person.id_number_token  # type: ignore[union-attr]  # a case has one applicant
            ensure_allowed(subject, measure="tolerance_intake", today=today)
        rules = {m["code"]: m for m in case.rules["materials"]}
        if deferred:
            if "deferred_materials" not in case.rules["modes"]:
                raise DomainError(errors.MATERIALS_INCOMPLETE, "该事项未开通容缺受理。")
            for code in deferred:
                if not rules.get(code, {}).get("deferrable"):
                    raise DomainError(errors.MATERIALS_INCOMPLETE, f"材料 {code} 不能容缺。")
                CaseMaterial.objects.update_or_create(
                    case=case,
                    code=code,
                    defaults={"name": rules[code]["name"], "kind": MaterialKind.DEFERRED},
                )
            case.deferred_due_on = get_calendar().add_working_days(
                today, settings.TONGBAN_DEFERRED_MATERIALS_WORKING_DAYS
            )
        details: dict[str, Any] = {"deferred": sorted(deferred)} if deferred else {}
        if deemed:
            # 第三十二条: 逾期不告知的，自收到申请材料之日起即为受理.
            case.accepted_on = case.received_on
            case.deemed_accepted = True
            details.update(deemed=True, acted_on=today.isoformat())
        else:
            case.accepted_on = today
        # 统一网上支付: the fees due are computed on acceptance, in this transaction.
        details.update(fees_assess(case, stage="acceptance", now=moment))
        return details

    return transition(
        case_id=case_id,
        action="accept",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_deem_accept(*, case_id: int, now: dt.datetime | None = None) -> Case:
    """视为受理: no answer within five working days of receipt means the
    application counts as accepted on the day of receipt (第三十二条). Run by the
    scheduler; refused if the deadline has not passed."""

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        today = clock.local_date(moment)
        if not deadlines.deemed_accepted(case.received_on, today, False, get_calendar()):
            raise DomainError(errors.INVALID_TRANSITION, "受理期限未届满，不能视为受理。")
        case.accepted_on = case.received_on
        case.deemed_accepted = True
        return {"deemed": True, **fees_assess(case, stage="acceptance", now=moment)}

    return transition(
        case_id=case_id,
        action="deem_accept",
        actor=None,
        expected_version=None,
        now=now,
        reason="五个工作日内未作出受理决定，自收到申请材料之日起视为受理",
        mutate=mutate,
    )


def case_refuse(
    *,
    case_id: int,
    actor: Any,
    reason: str,
    legal_basis: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """不予受理 with the reason and the applicant's remedies (第三十二条)."""
    text = reason_required(reason, "不予受理")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if _deemed_accepted(case, clock.local_date(moment)):
            raise DomainError(
                errors.REFUSAL_TOO_LATE,
                f"{_deemed_detail(case)}，不能再作出不予受理决定。"
                "请受理后审查，不符合条件的依法作出不予许可决定。",
            )
        case.refused_on = clock.local_date(moment)
        case.decision_reason = text
        case.decision_basis = legal_basis.strip()[:2000]
        return {}

    return transition(
        case_id=case_id,
        action="refuse",
        actor=actor,
        reason=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_request_supplement(
    *,
    case_id: int,
    actor: Any,
    items: list[dict[str, str]],
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """一次性告知补正: one notice listing everything missing (第三十二条). ``items``
    are ``{"code", "name", "reason"}``; the decision clock waits for them.

    Once only, and only within the five working days: a second notice
    (``supplement_already_requested``, workflow.REFUSALS) or a late one
    (``supplement_too_late``: the application is already deemed accepted)
    would restart a clock the law has already started."""
    cleaned = [
        {
            "code": str(i.get("code", ""))[:40],
            "name": str(i.get("name", "")).strip()[:200],
            "reason": str(i.get("reason", "")).strip()[:500],
        }
        for i in items
        if str(i.get("name", "")).strip()
    ]
    if not cleaned:
        raise DomainError(errors.REASON_REQUIRED, "补正告知须列明需要补正的全部材料。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if _deemed_accepted(case, clock.local_date(moment)):
            raise DomainError(
                errors.SUPPLEMENT_TOO_LATE,
                f"{_deemed_detail(case)}，不能再告知补正。请受理后依法审查。",
            )
        case.supplement_requested_on = clock.local_date(moment)
        case.supplement_completed_on = None
        return {"items": cleaned}

    return transition(
        case_id=case_id,
        action="request_supplement",
        actor=actor,
        expected_version=expected_version,
        now=now,
        reason="；".join(i["name"] for i in cleaned),
        mutate=mutate,
    )


def case_supplement(
    *,
    case_id: int,
    actor: Any,
    materials: list[MaterialInput],
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """补正: the applicant supplies what the notice listed; the clock starts when
    the materials are complete (第三十二条)."""
    if not materials:
        raise DomainError(errors.MATERIALS_INCOMPLETE, "请提交补正材料。")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        names = {m["code"]: m["name"] for m in case.rules["materials"]}
        for index, given in enumerate(materials):
            if given.code not in names:
                raise DomainError(
                    errors.UPLOAD_INVALID, f"materials[{index}]：材料编码 {given.code} 不属于该事项"
                )
            CaseMaterial.objects.filter(case=case, code=given.code).delete()
            _store_material(
                case, given.code, names[given.code], given, f"materials[{index}]", moment
            )
        case.supplement_completed_on = clock.local_date(moment)
        return {"codes": [m.code for m in materials]}

    return transition(
        case_id=case_id,
        action="supplement",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )
