"""Intake of a bundle application (R-BD-1: 一表申请、一套材料、一次提交).

``bundle_application_submit`` checks everything in one round
(``submission_checks``) — every member's
form (answers mapped from the one merged form; a missing required field names
the members that need it), every material of the merged list, the applicant
and the investment project — and only then, in one transaction, stores the
application and files the case of every member that needs no other's result
first. A refusal anywhere (a member's own case service refusing too) rolls
everything back: no member case exists without its bundle (nothing
half-created). The members that wait are filed as their prerequisites give
their results (``services.progress``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from tongban.bundles import errors
from tongban.bundles.content import BundleContent
from tongban.bundles.deadlines import bundle_deadline, joint_deadline
from tongban.bundles.merge import MergeResult, bundle_merge
from tongban.bundles.models import (
    ApplicationStatus,
    Bundle,
    BundleApplication,
    BundleMember,
    BundleNumberSequence,
    BundleUpload,
    InvestmentProject,
    MemberStatus,
    UploadKind,
)
from tongban.bundles.services._common import (
    ResolvedMember,
    audit,
    bundle_event,
    content_parse,
    member_guides,
    members_resolve,
    timeline,
)
from tongban.bundles.services.members import (
    Supplied,
    answers_seal,
    member_case_start,
    supplied_fields,
)
from tongban.bundles.services.notify import notify_applicant
from tongban.bundles.services.projects import (
    assessed_materials,
    project_for_bundle,
    project_save,
)
from tongban.bundles.services.submission_checks import (
    MaterialGiven,
    agent_items_check,
    applicant_check,
    form_check,
    materials_check,
    members_chosen,
    situations_check,
)
from tongban.cases.models import Channel
from tongban.cases.services.forms import applicant_values
from tongban.cases.services.intake import new_tracking_code
from tongban.cases.services.uploads import safe_file_name
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.counters import counter_next
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity, Person


def next_application_no(*, region_code: str, day: dt.date) -> str:
    """申请编号: county code + date + "Y" (一件事) + a five-digit sequence, safe under
    concurrency (``core.counters``; outside a transaction it commits at once)."""
    county = region_code[:6]
    last = counter_next(BundleNumberSequence, key={"region_code": county, "day": day})
    return f"{county}{day:%Y%m%d}Y{last:05d}"


def bundle_application_submit(
    *,
    bundle: Bundle,
    channel: str,
    applicant_person: Person | None = None,
    applicant_entity: LegalEntity | None = None,
    agent_person: Person | None = None,
    form_data: dict[str, Any] | None = None,
    situations: dict[str, str] | None = None,
    members: list[str] | None = None,
    materials: list[MaterialGiven] | None = None,
    submitted_by: Any = None,
    now: dt.datetime | None = None,
) -> BundleApplication:
    """One submission of the bundle; see the module docstring."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    version = bundle.current_version
    if version is None:
        raise DomainError(errors.NOT_AVAILABLE, "该一件事尚未发布，不能申请。")
    if channel not in Channel.values:
        raise DomainError(errors.APPLICANT_INVALID, f"渠道 {channel!r} 无效")
    content = content_parse(version.content)
    applicant_check(content, applicant_person, applicant_entity, agent_person)
    chosen = members_chosen(members_resolve(content), members)
    chosen_situations = situations_check(chosen, dict(situations or {}))
    keys = [m.key for m in chosen]
    merge = bundle_merge(
        member_guides(chosen, chosen_situations),
        content,
        supplied=supplied_fields(content, keys),
    )
    answers = dict(form_data or {})
    project, project_problems = project_for_bundle(
        content=content,
        answers=answers,
        bundle=bundle,
        entity=applicant_entity,
        today=today,
    )
    if project is not None:
        answers["project_code"] = project.code
    cleaned, problems = form_check(
        merge,
        chosen,
        answers,
        today=today,
        bound=applicant_values(applicant_person, applicant_entity),
    )
    problems = project_problems + problems
    provided = assessed_materials(project, merge, today=today) if project else {}
    given, types, material_problems = materials_check(merge, materials or [], provided)
    if problems or material_problems:
        every = problems + material_problems
        summary = "；".join(p["message"] for p in every[:5])
        error = errors.FORM_INVALID if problems else errors.MATERIALS_INCOMPLETE
        raise DomainError(
            error,
            f"申请未提交，共 {len(every)} 处需要修改：{summary}",
            fields=[{k: v for k, v in p.items() if k != "members"} for p in every],
        )
    if applicant_entity is not None:  # an agent limited to named items (issue 14)
        agent_items_check(submitted_by, applicant_entity, chosen)
    number = next_application_no(region_code=bundle.region_id, day=today)
    with transaction.atomic():
        if project is not None and project.pk is None:
            project_save(project, actor=submitted_by)
            cleaned["project_code"] = project.code
        application = _store(
            bundle=bundle,
            version_id=version.pk,
            number=number,
            channel=channel,
            person=applicant_person,
            entity=applicant_entity,
            agent=agent_person,
            cleaned=cleaned,
            merge=merge,
            situations=chosen_situations,
            content=content,
            project=project,
            submitted_by=submitted_by,
            moment=moment,
        )
        supplied = _store_materials(application, merge, given, types, provided, moment)
        rows = _store_members(application, chosen, chosen_situations)
        for resolved in chosen:
            if resolved.depends_on:
                continue
            row = rows[resolved.key]
            try:
                case = member_case_start(
                    application=application,
                    content=content,
                    member=row,
                    resolved=resolved,
                    merge=merge,
                    answers=cleaned,
                    supplied=supplied,
                    actor=submitted_by,
                    now=moment,
                )
            except DomainError as exc:
                raise DomainError(
                    exc.error, f"“{resolved.name}”：{exc.detail}", fields=exc.fields
                ) from None
            _started(row, case, submitted_by, moment)
        notify_applicant(application, "submit", now=moment)
        audit(
            actor=submitted_by,
            action="bundle_application.submit",
            object_type="bundle_application",
            object_id=application.application_no,
            details={"bundle": bundle.code, "members": keys, "channel": channel},
            now=moment,
        )
    return application


def _started(row: BundleMember, case: Any, actor: Any, moment: dt.datetime) -> None:
    from tongban.bundles.services._common import member_move

    row.case = case
    member_move(row, "start", actor=actor, now=moment, details={"case_no": case.case_no})
    row.save(update_fields=["case", "status", "started_at"])


def _store(
    *,
    bundle: Bundle,
    version_id: int,
    number: str,
    channel: str,
    person: Person | None,
    entity: LegalEntity | None,
    agent: Person | None,
    cleaned: dict[str, Any],
    merge: MergeResult,
    situations: dict[str, str],
    content: BundleContent,
    project: InvestmentProject | None,
    submitted_by: Any,
    moment: dt.datetime,
) -> BundleApplication:
    cal = get_calendar()
    today = clock.local_date(moment)
    shown, secret = answers_seal({f.code: f.spec for f in merge.fields}, cleaned)
    application = BundleApplication.objects.create(
        application_no=number,
        tracking_code=new_tracking_code(),
        bundle=bundle,
        bundle_version_id=version_id,
        region_path=bundle.region_path,
        applicant_person=person,
        applicant_entity=entity,
        agent_person=agent,
        applicant_name=entity.name if entity is not None else person.name,  # type: ignore[union-attr]  # one of the two (checked)
        submitted_by=submitted_by if getattr(submitted_by, "pk", None) else None,
        channel=channel,
        status=ApplicationStatus.IN_PROGRESS,
        situations=situations,
        form_data=shown,
        form_secret=secret,
        received_at=moment,
        received_on=today,
        deadline=bundle_deadline(today, content.promised_limit, cal),
        legal_deadline=joint_deadline(today, 0, cal) if content.joint else None,
        project=project,
        created_at=moment,
        updated_at=moment,
    )
    timeline(
        application,
        action="submit",
        actor=submitted_by,
        now=moment,
        to=ApplicationStatus.IN_PROGRESS,
        details={"bundle": bundle.code, "version": version_id, "channel": channel},
    )
    bundle_event("bundle.submitted", application, now=moment)
    return application


def _store_materials(
    application: BundleApplication,
    merge: MergeResult,
    given: dict[str, MaterialGiven],
    types: dict[str, str],
    provided: dict[str, str],
    moment: dt.datetime,
) -> dict[str, Supplied]:
    supplied: dict[str, Supplied] = {}
    for entry in merge.materials_to_submit:
        material = given.get(entry.key)
        row = BundleUpload(
            application=application,
            material_key=entry.key,
            name=entry.spec.name,
            supplied_at=moment,
            kind=UploadKind.UPLOAD,
        )
        if material is not None and material.kind == UploadKind.UPLOAD:
            row.content_type = types[entry.key]
            row.size = len(material.content)
            row.sha256 = hashlib.sha256(material.content).hexdigest()
            row.file_name = safe_file_name(
                material.file_name, content_type=row.content_type, fallback=entry.spec.name
            )
            row.file.save(
                f"{application.application_no}-{entry.key}",
                ContentFile(material.content),
                save=False,
            )
            supplied[entry.key] = Supplied(UploadKind.UPLOAD, material.content, row.file_name)
        elif material is not None:
            row.kind = UploadKind.DEFERRED
            supplied[entry.key] = Supplied(UploadKind.DEFERRED)
        elif entry.key in provided:
            row.kind = UploadKind.ASSESSMENT
            row.source_reference = provided[entry.key][:300]
            supplied[entry.key] = Supplied(
                UploadKind.ASSESSMENT, source_reference=row.source_reference
            )
        else:
            continue
        row.save()
    return supplied


def _store_members(
    application: BundleApplication, chosen: list[ResolvedMember], situations: dict[str, str]
) -> dict[str, BundleMember]:
    rows = [
        BundleMember(
            application=application,
            key=m.key,
            name=m.name,
            position=index,
            service_item=m.item,
            department_id=m.item.department_id,
            region_path=m.item.region_path,
            depends_on=list(m.depends_on),
            situation=situations.get(m.key, ""),
            status=MemberStatus.WAITING,
        )
        for index, m in enumerate(chosen)
    ]
    BundleMember.objects.bulk_create(rows)
    stored = {m.key: m for m in application.members.all()}
    for row in stored.values():
        row.application = application
    return stored
