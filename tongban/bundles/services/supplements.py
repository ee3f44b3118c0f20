"""一次性告知 across departments (R-BD-1, 行政许可法 第三十二条).

Each member's department may ask once for what is missing from its case
(``cases.case_request_supplement``). The applicant of a bundle gets one notice
for all of them: ``supplement_notice_assemble`` waits until every running
member case has had its answer at acceptance (accepted, refused, or a
supplement request; deemed accepted after five working days), then puts every
request not yet notified into one numbered notice, the same document asked
by several departments listed once, and sends one message.
``bundle_supplement_submit`` takes one file per listed document and hands it
to every case that asked for it (``cases.case_supplement``), all or nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.bundles import errors
from tongban.bundles.models import (
    BundleApplication,
    BundleMember,
    MemberStatus,
    NoticeStatus,
    SupplementNotice,
)
from tongban.bundles.services._common import application_move, timeline
from tongban.bundles.services.notify import notify_applicant
from tongban.cases.models import Case, CaseEvent, CaseStatus
from tongban.cases.services import case_supplement
from tongban.cases.services.intake import MaterialInput
from tongban.cases.services.uploads import detect_type
from tongban.catalog.lint import normalise
from tongban.core import clock
from tongban.core.errors import DomainError


def _requests(case: Case) -> list[dict[str, str]]:
    event = (
        CaseEvent.objects.filter(case=case, action="request_supplement")
        .order_by("-at", "-id")
        .first()
    )
    return list((event.details or {}).get("items", [])) if event else []


def supplement_notice_assemble(
    *, application: BundleApplication, members: list[BundleMember], now: dt.datetime
) -> SupplementNotice | None:
    """Issue the next combined notice when it is complete (see the module docstring)."""
    running = [m for m in members if m.status == MemberStatus.RUNNING and m.case is not None]
    if any(m.case.status == CaseStatus.SUBMITTED for m in running):  # type: ignore[union-attr]  # filtered above
        return None  # a department has not answered yet: the notice would not be complete
    notices = list(application.supplement_notices.all())
    if any(n.status == NoticeStatus.OPEN for n in notices):
        return None  # answer the open notice first
    notified = {r["case_no"] for n in notices for entry in n.items for r in entry["requests"]}
    pending = [
        m
        for m in running
        if m.case.status == CaseStatus.SUPPLEMENT_REQUESTED  # type: ignore[union-attr]
        and m.case.case_no not in notified  # type: ignore[union-attr]
    ]
    if not pending:
        return None
    entries: dict[str, dict[str, Any]] = {}
    for member in pending:
        case = member.case
        assert case is not None
        for item in _requests(case):
            same = normalise(item["name"]) or item["name"]
            entry = entries.setdefault(
                same, {"key": f"s{len(entries) + 1}", "name": item["name"], "requests": []}
            )
            entry["requests"].append(
                {
                    "member": member.key,
                    "member_name": member.name,
                    "department": member.department.name,
                    "case_no": case.case_no,
                    "code": item.get("code", ""),
                    "reason": item.get("reason", ""),
                }
            )
    if not entries:
        return None
    notice = SupplementNotice.objects.create(
        application=application,
        number=len(notices) + 1,
        status=NoticeStatus.OPEN,
        items=list(entries.values()),
        issued_at=now,
    )
    departments = sorted({r["department"] for e in entries.values() for r in e["requests"]})
    timeline(
        application,
        action="notice",
        actor=None,
        now=now,
        reason="；".join(e["name"] for e in entries.values()),
        details={"number": notice.number, "departments": departments},
    )
    notify_applicant(
        application,
        "notice",
        now=now,
        extra=f"{len(departments)}个部门",
        key=f"notice-{notice.number}",
    )
    return notice


def bundle_supplement_submit(
    *,
    application: BundleApplication,
    files: dict[str, tuple[bytes, str]],
    actor: Any,
    now: dt.datetime | None = None,
) -> SupplementNotice:
    """补正 once for the whole notice: ``files`` maps each listed document's key
    (``s1``…) to (content, file name); every document is needed (一次补齐)."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = BundleApplication.objects.select_for_update().get(pk=application.pk)
        notice = locked.supplement_notices.filter(status=NoticeStatus.OPEN).first()
        if notice is None:
            raise DomainError(errors.NO_SUPPLEMENT, "该一件事没有待补正的材料。")
        problems = []
        types = {}
        for entry in notice.items:
            given = files.get(entry["key"])
            if given is None:
                problems.append(
                    {
                        "field": f"files.{entry['key']}",
                        "code": "missing",
                        "message": f"请上传“{entry['name']}”",
                    }
                )
                continue
            try:
                types[entry["key"]] = detect_type(given[0], f"“{entry['name']}”")
            except DomainError as exc:
                problems.append(
                    {
                        "field": f"files.{entry['key']}",
                        "code": "upload_invalid",
                        "message": exc.detail,
                    }
                )
        unknown = sorted(set(files) - {e["key"] for e in notice.items})
        for key in unknown:
            problems.append(
                {"field": f"files.{key}", "code": "unknown", "message": "告知书中没有这一项"}
            )
        if problems:
            raise DomainError(
                errors.MATERIALS_INCOMPLETE,
                "补正材料须一次补齐：" + "；".join(p["message"] for p in problems[:5]),
                fields=problems,
            )
        by_case: dict[str, list[MaterialInput]] = {}
        for entry in notice.items:
            content, name = files[entry["key"]]
            for request in entry["requests"]:
                by_case.setdefault(request["case_no"], []).append(
                    MaterialInput(
                        code=request["code"], kind="upload", content=content, file_name=name
                    )
                )
        cases = {c.case_no: c for c in Case.objects.filter(case_no__in=list(by_case))}
        for case_no, inputs in by_case.items():
            case = cases[case_no]
            if case.status != CaseStatus.SUPPLEMENT_REQUESTED:
                continue  # the department has since decided otherwise
            known = {m["code"] for m in case.rules["materials"]}
            usable = [i for i in inputs if i.code in known]
            if not usable:
                raise DomainError(
                    errors.NO_SUPPLEMENT,
                    f"办件 {case_no} 告知的补正内容不在其材料清单中，请到窗口补正。",
                )
            case_supplement(case_id=case.pk, actor=actor, materials=usable, now=moment)
        notice.status = NoticeStatus.ANSWERED
        notice.answered_at = moment
        notice.save(update_fields=["status", "answered_at"])
        application_move(
            locked,
            "supplement",
            actor=actor,
            now=moment,
            reason=f"按第 {notice.number} 号告知书一次补齐",
        )
        locked.save(update_fields=["status", "version", "updated_at"])
    return notice
