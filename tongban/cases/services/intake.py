"""Intake: a case is submitted (online, at a window, by API) for one service item.

In two steps (issue 12, item 2): :func:`case_submit_prepare` checks everything
and takes the case number — before any transaction, so that a refusal writes
nothing but its own audit and the number's counter row is locked for one
statement only (``next_case_no``) — and :func:`case_submit_write` writes the
case in one transaction, which the API opens itself to claim the
``Idempotency-Key`` and store its answer in it (``core.idempotency``).
:func:`case_submit` is both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tongban.cases import errors
from tongban.cases.cross_region import cross_region_of
from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberSequence,
    CaseStatus,
    Channel,
    MaterialKind,
)
from tongban.cases.services._common import (
    actor_label,
    applicant_notice,
    deadline_change_events,
    derive_deadlines,
    history_event,
    notify_applicant,
)
from tongban.cases.services.exemptions import material_exempt
from tongban.cases.services.forms import applicant_values, form_clean, form_seal
from tongban.cases.services.intake_checks import (
    check_agent_item,
    check_credit,
    check_real_name_level,
    clear_guide_cache,
    credit_subject,
    materials_offered,
    published_guide,
    rules_snapshot,
    upload_types,
    window_of,
)
from tongban.cases.services.intake_pg import Answered, at_once, submission_write_at_once
from tongban.cases.services.uploads import detect_type, safe_file_name
from tongban.catalog.content import GuideContent, MaterialRequirement, MaterialSource, ServiceMode
from tongban.catalog.models import ServiceItem
from tongban.catalog.situations import materials_for
from tongban.core import clock, events
from tongban.core.audit import audit_event
from tongban.core.counters import counter_take
from tongban.core.errors import DomainError
from tongban.credit.services.commitments import commitment_record
from tongban.identity.models import LegalEntity, Person

__all__ = [
    "TRACKING_ALPHABET",
    "MaterialInput",
    "Submission",
    "case_submit",
    "case_submit_prepare",
    "case_submit_write",
    "clear_guide_cache",  # from intake_checks, importable from here as before
    "missing_materials",
    "new_tracking_code",
    "next_case_no",
    "rules_snapshot",  # from intake_checks, importable from here as before
]


# File types accepted for uploaded materials, recognised by their first bytes.
@dataclass(frozen=True)
class MaterialInput:
    """One material as the applicant supplies it."""

    code: str
    kind: str  # MaterialKind value
    content: bytes = b""
    file_name: str = ""
    source_reference: str = ""


# 查询码 alphabet: no 0/O, 1/I/L, so that it reads aloud and types without doubt.
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    """An 8-character 查询码 (31^8 ≈ 8.5 × 10^11 values), from the system's CSPRNG."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def next_case_no(*, region_code: str, day: dt.date) -> str:
    """办件编号: region code + date + a six-digit sequence, safe under concurrency.

    The region part is the 6-digit GB/T 2260 code: a township's or village's
    case (12-digit 统计用区划代码) is numbered in its county's series.

    The day's counter row is incremented by ``core.counters.counter_take``:
    called outside a transaction (as ``case_submit_prepare`` is) it commits at
    once, before the submission's transaction, so that concurrent submissions
    do not queue behind one counter row for each other's commits; its commit
    waits for no WAL flush of its own (the submission's commit flushes it). A
    submission that then fails leaves a gap in the numbers, as a database
    sequence would; a number is never reused. Inside a transaction the row
    stays locked until that transaction ends.
    """
    county = region_code[:6]
    last = counter_take(CaseNumberSequence, key={"region_code": county, "day": day})
    return f"{county}{day:%Y%m%d}{last:06d}"


@dataclass
class Submission:
    """A submission checked and numbered, not yet written (:func:`case_submit_prepare`)."""

    service_item: ServiceItem
    version: Any  # catalog.GuideVersion
    guide: GuideContent
    channel: str
    applicant_person: Person | None
    applicant_entity: LegalEntity | None
    agent_person: Person | None
    situation: str
    commitment: bool
    joint: bool
    unified_delivery_by: dt.date | None
    submitted_by: Any
    moment: dt.datetime
    required: dict[str, MaterialRequirement]
    supplied: dict[str, MaterialInput]
    upload_types: dict[str, str]
    shown_form: dict[str, Any]
    secret_form: dict[str, str]
    case_no: str
    # 同城通办 and 异地代办 (``cases.cross_region``): the hall whose window took it in.
    intake_hall: Any = None  # org.Hall
    cross_region: str = ""


def case_submit_prepare(
    *,
    service_item: ServiceItem,
    channel: str,
    applicant_person: Person | None = None,
    applicant_entity: LegalEntity | None = None,
    agent_person: Person | None = None,
    form_data: dict[str, Any] | None = None,
    situation: str = "",
    materials: list[MaterialInput] | None = None,
    commitment: bool = False,
    joint: bool = False,
    unified_delivery_by: dt.date | None = None,
    submitted_by: Any = None,
    agent_checked: bool = False,
    intake_hall: Any = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Check everything a submission needs — applicant, the agent's authorization
    for the item, real-name level, situation, form, materials and the type of
    every upload, credit — and take its number; nothing of the case is written.
    A refusal raises before any write (its audit, for an agent refused the item,
    is kept). ``agent_checked``: the caller has already checked the agent's
    authorization for this item (a bundle checks all its members' items before
    its own transaction)."""
    moment = now or clock.now()
    if channel not in Channel.values:
        raise DomainError(errors.APPLICANT_INVALID, f"渠道 {channel!r} 无效")
    version = service_item.current_version
    if version is None or service_item.status != "active":
        raise DomainError(errors.ITEM_NOT_AVAILABLE, "该事项当前不可申请（未发布或已取消）。")
    guide = published_guide(version.pk, version.revision, version.content)
    if (applicant_person is None) == (applicant_entity is None):
        raise DomainError(errors.APPLICANT_INVALID, "申请人须为一名自然人或一个法人。")
    if applicant_entity is not None and agent_person is None:
        raise DomainError(errors.APPLICANT_INVALID, "法人申请须有经办人。")
    if not agent_checked:  # an agent limited to named items (issue 14)
        check_agent_item(submitted_by, applicant_entity, service_item)
    check_real_name_level(guide, agent_person if applicant_entity is not None else applicant_person)
    if situation and situation not in {s.code for s in guide.situations}:
        raise DomainError(errors.FORM_INVALID, f"情形 {situation!r} 不属于该事项。")
    if commitment and ServiceMode.COMMITMENT not in guide.modes:
        raise DomainError(errors.FORM_INVALID, "该事项不实行告知承诺。")
    data, problems = form_clean(
        guide.form,
        dict(form_data or {}),
        today=clock.local_date(moment),
        bound=applicant_values(applicant_person, applicant_entity),
    )
    if problems:
        summary = "；".join(p["message"] for p in problems[:5])
        raise DomainError(errors.FORM_INVALID, f"申请表填写有误：{summary}", fields=problems)
    required = {m.code: m for m in materials_for(guide, situation or None)}
    supplied = materials_offered(guide, required, list(materials or []))
    types = upload_types(guide, supplied)
    check_credit(applicant_person, applicant_entity, commitment, supplied, moment)
    shown_form, secret_form = form_seal(guide.form, data)
    if intake_hall is not None and channel != Channel.WINDOW:
        raise DomainError(errors.APPLICANT_INVALID, "只有窗口收件才记录收件大厅。")
    return Submission(
        service_item=service_item,
        version=version,
        guide=guide,
        channel=channel,
        applicant_person=applicant_person,
        applicant_entity=applicant_entity,
        agent_person=agent_person,
        situation=situation,
        commitment=commitment,
        joint=joint,
        unified_delivery_by=unified_delivery_by,
        submitted_by=submitted_by,
        moment=moment,
        required=required,
        supplied=supplied,
        upload_types=types,
        shown_form=shown_form,
        secret_form=secret_form,
        # The number last, once everything else has passed.
        case_no=next_case_no(region_code=service_item.region_id, day=clock.local_date(moment)),
        intake_hall=intake_hall,
        cross_region=cross_region_of(
            hall_path=intake_hall.region.path, item_path=service_item.region_path
        )
        if intake_hall is not None
        else "",
    )


def case_submit_write(
    submission: Submission, *, savepoint: bool = True, answered: Answered | None = None
) -> Case:
    """Write a prepared submission (收件): the case once, its materials in one
    insert, its history in one insert, the SMS, ``case.submit`` and the audit
    event. In the caller's transaction if there is one (``savepoint=False``:
    no savepoint of its own, for a caller whose transaction is all-or-nothing
    anyway — an error then rolls the caller's whole transaction back), else
    in its own.

    Government-held materials are looked up for the applicant before the case
    row is written (两个免于提交), so that their outcome goes in with it; the
    clock starts from receipt (第三十二条).

    On PostgreSQL the rows go in one statement (``intake_pg``); ``answered``,
    given the case and its materials before they are written, returns the
    statement part that stores the API's answer with them (or None), and is
    not called on the general path, whose caller stores its answer itself."""
    s = submission
    item, guide, moment = s.service_item, s.guide, s.moment
    applicant = s.applicant_entity or s.applicant_person
    assert applicant is not None  # one of the two (case_submit_prepare)
    applicant_name = applicant.name
    with transaction.atomic(savepoint=savepoint):
        case = Case(
            case_no=s.case_no,
            tracking_code=new_tracking_code(),
            service_item=item,
            guide_version=s.version,
            rules=rules_snapshot(
                guide, item, joint=s.joint, unified_delivery_by=s.unified_delivery_by
            ),
            department_id=item.department_id,
            region_path=item.region_path,
            applicant_person=s.applicant_person,
            applicant_entity=s.applicant_entity,
            agent_person=s.agent_person,
            applicant_name=applicant_name,
            submitted_by=s.submitted_by if getattr(s.submitted_by, "pk", None) else None,
            channel=s.channel,
            window_id=window_of(s.submitted_by, item) if s.channel == Channel.WINDOW else None,
            intake_hall=s.intake_hall,
            cross_region=s.cross_region,
            situation=s.situation,
            form_data=s.shown_form,
            form_secret=s.secret_form,
            status=CaseStatus.SUBMITTED,
            received_at=moment,
            received_on=clock.local_date(moment),
            commitment=s.commitment,
            created_at=moment,
            updated_at=moment,
        )
        if ServiceItem.department.is_cached(item):  # the answer names it: no read
            case.department = item.department
        # A new case has no suspensions: its deadlines are derived before the
        # insert, so the row is written once (no read, no update after).
        deadline_changes = derive_deadlines(case, now=moment, suspensions=())
        rows: list[CaseMaterial] = []
        exemptions: list[dict[str, Any]] = []
        for spec in guide.materials:
            if spec.code not in s.required and spec.code not in s.supplied:
                continue
            given = s.supplied.get(spec.code)
            if given is None and (spec.exempt or spec.source == MaterialSource.GOVERNMENT):
                # 两个免于提交: looked up for this applicant, never assumed.
                record, found = material_exempt(
                    case, spec, department=item.department, actor=s.submitted_by, now=moment
                )
                exemptions.append(record)
                rows += [found] if found is not None else []
            elif given is None and s.commitment:
                rows.append(
                    CaseMaterial(
                        case=case,
                        code=spec.code,
                        name=spec.name,
                        kind=MaterialKind.COMMITMENT,
                        supplied_at=moment,
                    )
                )
            elif given is not None:
                rows.append(
                    _material_row(
                        case, spec.code, spec.name, given, moment, s.upload_types.get(spec.code)
                    )
                )
        case.exemptions = exemptions
        if s.commitment:  # 信用承诺 (R-CR-1): the signed commitment enters the credit records
            commitment_record(
                subject_kind="entity" if s.applicant_entity else "person",
                subject_code=credit_subject(s.applicant_person, s.applicant_entity),
                subject_name=case.applicant_name,
                case_no=case.case_no,
                item_name=item.name,
                text=str(guide.commitment_text or ""),
                now=moment,
            )
        history = [
            history_event(
                case,
                action="submit",
                actor=s.submitted_by,
                now=moment,
                to=CaseStatus.SUBMITTED,
                details={"channel": s.channel, "item": item.implementation_code},
            ),
            *deadline_change_events(
                case, deadline_changes, actor=s.submitted_by, now=moment, reason="收件"
            ),
        ]
        submitted = {"case_no": case.case_no, "to": CaseStatus.SUBMITTED}
        audit = audit_event(  # a plain insert, sealed after commit (ADR-0008)
            actor=actor_label(s.submitted_by),
            action="case.submit",
            object_type="case",
            object_id=case.case_no,
            details={"channel": s.channel},
            now=moment,
        )
        if at_once():  # PostgreSQL: every row below in one statement (intake_pg)
            submission_write_at_once(
                case,
                rows,
                history,
                notice=applicant_notice(case, "submit", now=moment),
                submitted=events.outbox_rows("case.submit", submitted, now=moment),
                audit=audit,
                answer=answered(case, rows) if answered is not None else None,
            )
            _prefetched(case, "materials", rows)  # the answer lists them without reading
            return case
        case.save(force_insert=True)
        for row in rows:
            row.case = case
        for event in history:
            event.case = case
        if rows:
            CaseMaterial.objects.bulk_create(rows)
        _prefetched(case, "materials", rows)  # the answer lists them without reading
        CaseEvent.objects.bulk_create(history)
        notify_applicant(case, "submit", now=moment, new=True)
        events.emit("case.submit", submitted, now=moment)
        audit.save(force_insert=True)  # as core.audit.audit_record does
    return case


def case_submit(
    *,
    service_item: ServiceItem,
    channel: str,
    applicant_person: Person | None = None,
    applicant_entity: LegalEntity | None = None,
    agent_person: Person | None = None,
    form_data: dict[str, Any] | None = None,
    situation: str = "",
    materials: list[MaterialInput] | None = None,
    commitment: bool = False,
    joint: bool = False,
    unified_delivery_by: dt.date | None = None,
    submitted_by: Any = None,
    agent_checked: bool = False,
    intake_hall: Any = None,
    now: dt.datetime | None = None,
) -> Case:
    """Receive an application (收件): :func:`case_submit_prepare`, then
    :func:`case_submit_write`. Government-held materials are attached as
    references (两个免于提交); the clock starts from receipt (第三十二条).
    ``joint`` marks a case handled jointly with other departments' (第四十二条第二款);
    ``unified_delivery_by``, a bundle member's result handed out with the others'.
    An agent acting for a legal entity by its authorization may apply only for
    the items the authorization names (``authorization_item_forbidden``)."""
    return case_submit_write(
        case_submit_prepare(
            service_item=service_item,
            channel=channel,
            applicant_person=applicant_person,
            applicant_entity=applicant_entity,
            agent_person=agent_person,
            form_data=form_data,
            situation=situation,
            materials=materials,
            commitment=commitment,
            joint=joint,
            unified_delivery_by=unified_delivery_by,
            submitted_by=submitted_by,
            agent_checked=agent_checked,
            intake_hall=intake_hall,
            now=now,
        )
    )


def _prefetched(case: Case, name: str, rows: list[Any]) -> None:
    """Fill ``case.<name>.all()`` with rows just written, as ``prefetch_related``
    would, so that reading them back costs no query."""
    queryset = getattr(case, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def _material_row(
    case: Case,
    code: str,
    name: str,
    given: MaterialInput,
    moment: dt.datetime,
    content_type: str | None,
) -> CaseMaterial:
    """A material row, not yet saved; an upload's file is stored now under the
    case number (``content_type`` as detected before, or detected here)."""
    material = CaseMaterial(
        case=case,
        code=code,
        name=name,
        kind=given.kind,
        supplied_at=moment,
        source_reference=given.source_reference[:200],
    )
    if given.kind == MaterialKind.UPLOAD:
        material.content_type = content_type or detect_type(given.content, code)
        material.size = len(given.content)
        material.sha256 = hashlib.sha256(given.content).hexdigest()
        material.file_name = safe_file_name(
            given.file_name, content_type=material.content_type, fallback=name or code
        )
        material.file.save(f"{case.case_no}-{code}", ContentFile(given.content), save=False)
    return material


def _store_material(
    case: Case, code: str, name: str, given: MaterialInput, where: str, moment: dt.datetime
) -> CaseMaterial:
    """A material supplied later (补正, 容缺后补): checked, stored and saved."""
    content_type = detect_type(given.content, where) if given.kind == MaterialKind.UPLOAD else None
    material = _material_row(case, code, name, given, moment, content_type)
    material.save()
    return material


def missing_materials(case: Case) -> list[dict[str, Any]]:
    """Required materials of the case's situation not yet supplied (deferred count as
    missing until they arrive; government data and commitments count as supplied)."""
    have = {m.code: m.kind for m in case.materials.all()}
    missing = []
    for spec in case.rules["materials"]:
        applies = not spec["situations"] or case.situation in spec["situations"]
        if spec["requirement"] == "optional" or not applies:
            continue
        kind = have.get(spec["code"])
        if kind is None or kind == MaterialKind.DEFERRED:
            missing.append(
                {
                    "code": spec["code"],
                    "name": spec["name"],
                    "deferred": kind == MaterialKind.DEFERRED,
                }
            )
    return missing
