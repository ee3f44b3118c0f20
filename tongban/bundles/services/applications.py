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

What can be done before the transaction is (issue 12, item 2): the checks of
the member cases filed now and every number (application and cases, each
counter row locked for one statement instead of through the commit), the
rows to write and the uploads' files; in the transaction the rows go in with
one insert per table where there are several (uploads, members).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
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
    member_move,
    members_resolve,
    timeline,
)
from tongban.bundles.services.members import (
    Supplied,
    answers_seal,
    member_case_prepare,
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
from tongban.cases.services.intake import Submission, case_submit_write, new_tracking_code
from tongban.cases.services.uploads import safe_file_name
from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.counters import counter_take
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity, Person


def next_application_no(*, region_code: str, day: dt.date) -> str:
    """申请编号: county code + date + "Y" (一件事) + a five-digit sequence, safe under
    concurrency (``core.counters.counter_take``: before the submission's
    transaction, committed at once, its row locked for one statement)."""
    county = region_code[:6]
    last = counter_take(BundleNumberSequence, key={"region_code": county, "day": day})
    return f"{county}{day:%Y%m%d}Y{last:05d}"


def bundle_application_prepare(
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
) -> BundleSubmission:
    """Check a submission in one round and take its numbers; nothing is written
    but a refusal's audit (an agent refused an item). See the module docstring."""
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
    # Then, still before any transaction: the numbers (each counter row locked
    # for one statement, not through a commit), the rows to write and the
    # checks of every member case filed now (a refusal writes nothing).
    number = next_application_no(region_code=bundle.region_id, day=today)
    application = _application_row(
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
    uploads, files, supplied = _upload_rows(application, merge, given, types, provided, moment)
    submission = BundleSubmission(
        application=application,
        content=content,
        chosen=chosen,
        situations=chosen_situations,
        merge=merge,
        answers=cleaned,
        supplied=supplied,
        uploads=uploads,
        files=files,
        members=_member_rows(application, chosen, chosen_situations),
        filed={},
        project=project,
        submitted_by=submitted_by,
        moment=moment,
    )
    submission.filed = _members_prepare(submission)
    return submission


def bundle_application_write(
    submission: BundleSubmission, *, savepoint: bool = True
) -> BundleApplication:
    """Write a prepared submission in one transaction: the application, its
    uploads and members (one insert each), the cases of the members filed now,
    the SMS and the audit event. In the caller's transaction if there is one
    (``savepoint=False``: without a savepoint of its own, for a caller whose
    transaction is all-or-nothing anyway)."""
    s = submission
    application, project, moment = s.application, s.project, s.moment
    with transaction.atomic(savepoint=savepoint):
        if project is not None and project.pk is None:
            drawn = project.code
            project_save(project, actor=s.submitted_by)
            application.project = project
            if project.code != drawn:  # a clash drew another code: the forms carry the new one
                s.answers["project_code"] = project.code
                application.form_data["project_code"] = project.code
                s.filed = _members_prepare(s)
        application.save(force_insert=True)
        timeline(
            application,
            action="submit",
            actor=s.submitted_by,
            now=moment,
            to=ApplicationStatus.IN_PROGRESS,
            details={
                "bundle": application.bundle.code,
                "version": application.bundle_version_id,
                "channel": application.channel,
            },
        )
        bundle_event("bundle.submitted", application, now=moment)
        for upload, name, content in s.files:
            upload.file.save(name, ContentFile(content), save=False)
        for upload in s.uploads:
            upload.application = application
        BundleUpload.objects.bulk_create(s.uploads)
        for key, filed in s.filed.items():
            case = case_submit_write(filed, savepoint=False)
            member = s.members[key]
            member.case = case
            member_move(
                member, "start", actor=s.submitted_by, now=moment, details={"case_no": case.case_no}
            )
        BundleMember.objects.bulk_create(list(s.members.values()))
        notify_applicant(application, "submit", now=moment, new=True)
        audit(
            actor=s.submitted_by,
            action="bundle_application.submit",
            object_type="bundle_application",
            object_id=application.application_no,
            details={
                "bundle": application.bundle.code,
                "members": list(s.members),
                "channel": application.channel,
            },
            now=moment,
        )
    return application


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
    """One submission of the bundle (:func:`bundle_application_prepare`, then
    :func:`bundle_application_write`); see the module docstring."""
    return bundle_application_write(
        bundle_application_prepare(
            bundle=bundle,
            channel=channel,
            applicant_person=applicant_person,
            applicant_entity=applicant_entity,
            agent_person=agent_person,
            form_data=form_data,
            situations=situations,
            members=members,
            materials=materials,
            submitted_by=submitted_by,
            now=now,
        )
    )


PendingFile = tuple[BundleUpload, str, bytes]  # the row, the file's name, its content


@dataclass
class BundleSubmission:
    """A bundle submission checked and numbered, not yet written."""

    application: BundleApplication  # not yet saved
    content: BundleContent
    chosen: list[ResolvedMember]
    situations: dict[str, str]
    merge: MergeResult
    answers: dict[str, Any]
    supplied: dict[str, Supplied]
    uploads: list[BundleUpload]  # not yet saved
    files: list[PendingFile]  # the uploads' files, stored when written
    members: dict[str, BundleMember]  # not yet saved
    filed: dict[str, Submission]  # the member cases filed now, checked and numbered
    project: InvestmentProject | None
    submitted_by: Any
    moment: dt.datetime


def _members_prepare(s: BundleSubmission) -> dict[str, Submission]:
    """The cases of the members that wait for no other, checked and numbered;
    a member's refusal is the bundle's, naming the member."""
    filed: dict[str, Submission] = {}
    for resolved in s.chosen:
        if resolved.depends_on:
            continue
        try:
            filed[resolved.key] = member_case_prepare(
                application=s.application,
                content=s.content,
                key=resolved.key,
                situation=s.situations.get(resolved.key, ""),
                resolved=resolved,
                merge=s.merge,
                answers=s.answers,
                supplied=s.supplied,
                actor=s.submitted_by,
                now=s.moment,
            )
        except DomainError as exc:
            raise DomainError(
                exc.error, f"“{resolved.name}”：{exc.detail}", fields=exc.fields
            ) from None
    return filed


def _application_row(
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
    """The application, not yet saved (its deadlines counted from today)."""
    cal = get_calendar()
    today = clock.local_date(moment)
    shown, secret = answers_seal({f.code: f.spec for f in merge.fields}, cleaned)
    applicant = entity or person
    assert applicant is not None  # one of the two (applicant_check)
    return BundleApplication(
        application_no=number,
        tracking_code=new_tracking_code(),
        bundle=bundle,
        bundle_version_id=version_id,
        region_path=bundle.region_path,
        applicant_person=person,
        applicant_entity=entity,
        agent_person=agent,
        applicant_name=applicant.name,
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


def _upload_rows(
    application: BundleApplication,
    merge: MergeResult,
    given: dict[str, MaterialGiven],
    types: dict[str, str],
    provided: dict[str, str],
    moment: dt.datetime,
) -> tuple[list[BundleUpload], list[PendingFile], dict[str, Supplied]]:
    """The merged list's materials as supplied, not yet saved, the uploads'
    files to store (under the application's number, when it is written), and
    what each member's case takes from them."""
    rows: list[BundleUpload] = []
    files: list[PendingFile] = []
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
            files.append((row, f"{application.application_no}-{entry.key}", material.content))
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
        rows.append(row)
    return rows, files, supplied


def _member_rows(
    application: BundleApplication, chosen: list[ResolvedMember], situations: dict[str, str]
) -> dict[str, BundleMember]:
    """The members applied for, by key, not yet saved (all waiting until started)."""
    return {
        m.key: BundleMember(
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
    }
