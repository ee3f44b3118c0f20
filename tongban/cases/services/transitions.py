"""One service per transition of a case (workflow.TRANSITIONS).

Each takes the case id, the acting user, ``expected_version`` (the If-Match
version; ``None`` for the scheduler) and ``now``. Callers have already found
the case through a scoped selector; role checks that the law ties to a
position (延期 needs the department head) are made here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.cases import deadlines, errors
from tongban.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    CaseSuspension,
    DeliveryMethod,
    MaterialKind,
    Outcome,
    PostCheck,
    SuspensionReason,
)
from tongban.cases.services._common import case_rule, clock_facts, transition
from tongban.cases.services.intake import MaterialInput, _store_material, missing_materials
from tongban.cases.services.results import result_certificate_issue
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(errors.REASON_REQUIRED, f"{what}须写明理由。")
    return text[:2000]


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
        return {"deemed": True}

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
    text = _reason(reason, "不予受理")

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


def case_start_review(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        case.reviewer = actor if getattr(actor, "pk", None) else None
        return {}

    return transition(
        case_id=case_id,
        action="start_review",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_suspend(
    *,
    case_id: int,
    actor: Any,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """中止: a special procedure (听证, 检验检测, 现场勘验, 专家评审) stops the clock
    (第四十五条) from today until the case resumes."""
    if reason not in SuspensionReason.values:
        raise DomainError(
            errors.REASON_REQUIRED, "中止须为听证、检验检测、现场勘验或专家评审之一。"
        )

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        CaseSuspension.objects.create(
            case=case, reason=reason, note=note.strip()[:500], start_on=clock.local_date(moment)
        )
        return {"reason": reason}

    return transition(
        case_id=case_id,
        action="suspend",
        actor=actor,
        reason=note,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_resume(
    *,
    case_id: int,
    actor: Any,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        open_one = case.suspensions.filter(end_on__isnull=True).order_by("-start_on").first()
        if open_one is not None:
            open_one.end_on = clock.local_date(moment)
            open_one.save(update_fields=["end_on"])
        return {}

    return transition(
        case_id=case_id,
        action="resume",
        actor=actor,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


def case_extend(
    *,
    case_id: int,
    actor: Any,
    days: int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """延期: once, within the legal bound, approved by the department head (第四十二条;
    only the head's role may take this action, ``workflow.ACTION_ROLES``).

    Decided within the period: once the decision deadline has passed the case
    is overdue and stays so (``extension_too_late``). The bound is ten days,
    fifteen for joint handling (第四十二条第二款), and the promised limit plus
    the extension may not end after the statutory limit plus its bound."""
    text = _reason(reason, "延长期限")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        today = clock.local_date(moment)
        cal = get_calendar()
        facts = clock_facts(case)
        current = deadlines.recompute(facts, case_rule(case), cal, today=today)
        if current.decision_deadline is None or current.clock_start is None:
            raise DomainError(errors.EXTENSION_NOT_ALLOWED, "办件尚未开始计算办结期限，无须延期。")
        if today > current.decision_deadline:
            due = current.decision_deadline
            raise DomainError(
                errors.EXTENSION_TOO_LATE,
                f"办结期限已于{due.year}年{due.month}月{due.day}日届满，延期须在期限内决定"
                "（行政许可法第四十二条）；逾期办件不能通过延期消除逾期。",
            )
        promised = case.rules["promised_limit"]
        legal = deadlines.TimeRule(
            case.rules["legal_limit"]["value"], case.rules["legal_limit"]["unit"]
        )
        joint = bool(case.rules.get("joint"))
        bound = deadlines.extension_bound(joint=joint)
        extension = deadlines.TimeRule(days, promised["unit"])
        refusal = deadlines.extension_refusal(
            legal=legal,
            promised=deadlines.TimeRule(promised["value"], promised["unit"]),
            extension=extension,
            already_extended=case.extension_days > 0,
            bound=bound,
        )
        if refusal is None and deadlines.extension_outruns_the_law(
            start=current.clock_start,
            legal=legal,
            promised=case_rule(case),
            extension=extension,
            bound=bound,
            suspensions=facts.suspensions,
            cal=cal,
            today=today,
        ):
            refusal = "exceeds_legal_total"
        article = "第四十二条第二款" if joint else "第四十二条"
        messages = {
            "already_extended": "办件只能延长一次期限。",
            "not_positive": "延长天数须大于零。",
            "exceeds_bound": f"延长期限不得超过{bound.limit}日（行政许可法{article}）。",
            "unit_mismatch": "延长期限的计量单位与法定期限不一致。",
            "exceeds_legal_total": (
                f"承诺时限加延长期限，不得晚于法定期限（{legal.limit}日）"
                f"加可延长期限（{bound.limit}日）届满之日（行政许可法{article}）。"
            ),
        }
        if refusal is not None:
            raise DomainError(errors.EXTENSION_NOT_ALLOWED, messages.get(refusal, refusal))
        case.extension_days = days
        case.extension_reason = text
        return {"days": days}

    return transition(
        case_id=case_id,
        action="extend",
        actor=actor,
        reason=text,
        expected_version=expected_version,
        now=now,
        mutate=mutate,
    )


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
    text = _reason(reason, "决定")
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
    """即办件: accepted, decided and concluded on the spot by the clerk in one action."""
    if outcome not in Outcome.values:
        raise DomainError(errors.REASON_REQUIRED, "决定结果须为准予许可或不予许可。")
    text = _reason(reason, "决定")

    def mutate(case: Case, moment: dt.datetime) -> dict[str, Any]:
        if case.rules["handling"] != "immediate":
            raise DomainError(errors.NOT_IMMEDIATE, "该事项是承诺件，须受理后按流程办理。")
        missing = missing_materials(case)
        if missing:
            names = "、".join(m["name"] for m in missing)
            raise DomainError(errors.MATERIALS_INCOMPLETE, f"材料不齐全：{names}。")
        today = clock.local_date(moment)
        case.accepted_on = case.decided_on = case.delivered_on = today
        case.outcome = outcome
        case.decision_reason = text
        case.decision_basis = legal_basis.strip()[:2000]
        case.delivery_method = delivery_method
        case.concluded_at = moment
        if outcome == Outcome.GRANTED:
            return {"outcome": outcome, **result_certificate_issue(case, actor=actor, now=moment)}
        return {"outcome": outcome}

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
        issued = result_certificate_issue(case, actor=actor, now=moment)
        return {"post_check_due": due.isoformat(), **issued}

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
