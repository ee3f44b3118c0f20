"""首席服务官 and 一对一专办 (R-CS-10, 002 #29): a supervisor or a hall's head names a
staff member to serve a key project or a business, for a period and with the
duties stated; reassigns her with a note; ends the assignment.

Who assigns: a 监察人员 (supervisor) or 部门负责人 (a hall's head) whose region
scope holds the business's registration region or the project's site — "not
yours" answers as "not found". Who serves: an active staff account with an
active assignment in that scope; her department is the one of that assignment.
One active assignment of a kind per business or project over any day: a second
one whose period overlaps is refused (``service_officer_overlap``), checked
under a lock on the business's or project's row, so two supervisors assigning
at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import Q

from tongban.appointments import errors
from tongban.appointments.models import (
    OfficerKind,
    OfficerStatus,
    ServiceOfficer,
    ServiceOfficerEvent,
)
from tongban.bundles.models import InvestmentProject
from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.identity.models import AccountKind, LegalEntity, User
from tongban.identity.selectors import normalize_credit_code
from tongban.org.models import Region, Role, StaffAssignment
from tongban.org.selectors import StaffScope, scope_q, staff_scope_for

ASSIGNER_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.PLATFORM_ADMIN)
MAX_YEARS = 5
_PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")


def assigner_scope(user: Any) -> StaffScope:
    """The part of the user's scope that may assign officers; empty = may not."""
    return staff_scope_for(user=user).for_roles(*ASSIGNER_ROLES)


def _text(value: str, *, field: str, label: str, least: int, most: int) -> str:
    text = " ".join((value or "").split())
    if not least <= len(text) <= most:
        raise DomainError(
            errors.OFFICER_INVALID,
            f"{label}须为 {least}–{most} 个字。",
            fields=[{"field": field}],
        )
    return text


def _phone(value: str) -> str:
    phone = "".join((value or "").split())
    if not _PHONE.match(phone):
        raise DomainError(
            errors.OFFICER_INVALID,
            "办公电话须为 7–20 位数字（可含区号连字符），如 025-83001234。",
            fields=[{"field": "phone"}],
        )
    return phone


def _period(starts_on: dt.date, ends_on: dt.date | None, today: dt.date) -> None:
    if starts_on < today:
        raise DomainError(
            errors.OFFICER_INVALID, "起始日期不能早于今天。", fields=[{"field": "starts_on"}]
        )
    if ends_on is not None and not (
        starts_on <= ends_on <= starts_on + dt.timedelta(days=366 * MAX_YEARS)
    ):
        raise DomainError(
            errors.OFFICER_INVALID,
            f"截止日期须不早于起始日期，且在 {MAX_YEARS} 年内。",
            fields=[{"field": "ends_on"}],
        )


def _scope_check(scope: StaffScope, region_path: str) -> None:
    """The business's or project's region lies in the assigner's scope (else 404)."""
    inside = Region.objects.filter(path=region_path).filter(
        scope_q(scope=scope, region_path_field="path", department_field=None)
    )
    if not region_path or not inside.exists():
        raise DomainError(
            errors.OFFICER_TARGET_NOT_FOUND, "企业或项目不存在，或不在您的管辖范围内。"
        )


def _officer_assignment(scope: StaffScope, username: str) -> StaffAssignment:
    """The officer's active staff assignment inside the assigner's scope."""
    name = (username or "").strip()[:150]
    user = User.objects.filter(username=name).first() if name else None
    if user is None or user.kind != AccountKind.STAFF or not user.is_active:
        raise DomainError(
            errors.OFFICER_NOT_STAFF,
            "只能指派在岗的工作人员账号。",
            fields=[{"field": "officer"}],
        )
    found = (
        StaffAssignment.objects.filter(user_id=user.pk, active=True)
        .filter(scope_q(scope=scope, region_path_field="region_scope__path", department_field=None))
        .select_related("department", "user")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise DomainError(
            errors.OFFICER_NOT_STAFF,
            "该工作人员不在您管辖范围内的岗位上。",
            fields=[{"field": "officer"}],
        )
    return found


def _locked_target(
    credit_code: str, project_code: str
) -> tuple[LegalEntity | None, InvestmentProject | None, str, str]:
    """Lock the business's or the project's row; (entity, project, credit code, region path)."""
    credit_code, project_code = (credit_code or "").strip(), (project_code or "").strip()
    if bool(credit_code) == bool(project_code):
        raise DomainError(
            errors.OFFICER_INVALID,
            "请填写企业的统一社会信用代码或项目的投资项目代码（二选一）。",
            fields=[{"field": "credit_code"}],
        )
    if project_code:
        project = (
            InvestmentProject.objects.select_for_update()
            .filter(code=project_code[:24].upper())
            .first()
        )
        if project is None:
            raise DomainError(errors.OFFICER_TARGET_NOT_FOUND, "该投资项目代码不存在。")
        return None, project, project.owner_credit_code, project.region_path
    code = normalize_credit_code(credit_code)
    entity = (
        LegalEntity.objects.select_for_update().filter(credit_code=code).first() if code else None
    )
    if entity is None:
        raise DomainError(errors.OFFICER_TARGET_NOT_FOUND, "法人库中没有该统一社会信用代码的企业。")
    region = Region.objects.filter(code=entity.region_code).values_list("path", flat=True).first()
    return entity, None, entity.credit_code, region or ""


def _audit(row: ServiceOfficer, action: str, actor: Any, now: dt.datetime, **kw: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"appointments.officer_{action}",
        object_type="service_officer",
        object_id=str(row.pk),
        details={
            "kind": row.kind,
            "credit_code": row.credit_code,
            "project": row.project_id,
            "officer": row.officer_id,
            **kw,
        },
        now=now,
    )


def service_officer_assign(
    *,
    staff: Any,
    kind: str,
    officer: str,
    phone: str,
    duties: str,
    credit_code: str = "",
    project_code: str = "",
    office: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ServiceOfficer:
    """指派 an officer to a business (credit code) or a key project (投资项目代码)."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    scope = assigner_scope(staff)
    if scope.is_empty:
        raise DomainError(errors.OFFICER_FORBIDDEN, "只有监察人员或大厅负责人可以指派服务专员。")
    if kind not in OfficerKind.values:
        raise DomainError(
            errors.OFFICER_INVALID, "请选择首席服务官或一对一专办。", fields=[{"field": "kind"}]
        )
    phone = _phone(phone)
    duties = _text(duties, field="duties", label="服务内容", least=2, most=200)
    office = " ".join((office or "").split())[:100]
    starts_on = starts_on or today
    _period(starts_on, ends_on, today)
    with transaction.atomic():
        entity, project, code, region_path = _locked_target(credit_code, project_code)
        _scope_check(scope, region_path)
        holder = _officer_assignment(scope, officer)
        clash = ServiceOfficer.objects.filter(
            kind=kind, status=OfficerStatus.ACTIVE, starts_on__lte=ends_on or dt.date.max
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        clash = clash.filter(project=project) if project else clash.filter(legal_entity=entity)
        if clash.exists():
            raise DomainError(
                errors.OFFICER_OVERLAP,
                f"该{'项目' if project else '企业'}在此期间已有在任的{OfficerKind(kind).label}，"
                "请先结束或改派。",
            )
        row = ServiceOfficer.objects.create(
            kind=kind,
            legal_entity=entity,
            project=project,
            credit_code=code,
            region_path=region_path,
            officer=holder.user,
            department=holder.department,
            phone=phone,
            office=office,
            duties=duties,
            starts_on=starts_on,
            ends_on=ends_on,
            assigned_by=staff,
            created_at=moment,
        )
        ServiceOfficerEvent.objects.create(
            assignment=row, action="assign", actor=staff, officer=holder.user, at=moment
        )
        _audit(row, "assign", staff, moment)
    return row


def _locked(assignment_id: int, scope: StaffScope, expected_version: int | None) -> ServiceOfficer:
    if scope.is_empty:
        raise DomainError(errors.OFFICER_FORBIDDEN, "只有监察人员或大厅负责人可以调整服务专员。")
    row = (
        ServiceOfficer.objects.select_for_update()
        .filter(pk=assignment_id)
        .filter(scope_q(scope=scope, region_path_field="region_path", department_field=None))
        .first()
    )
    if row is None:
        raise DomainError(errors.OFFICER_NOT_FOUND, "指派不存在，或不在您的管辖范围内。")
    if expected_version is not None and row.version != expected_version:
        raise DomainError(errors.OFFICER_VERSION_MISMATCH, "该指派已被他人修改，请刷新后再操作。")
    if row.status != OfficerStatus.ACTIVE:
        raise DomainError(errors.OFFICER_INVALID_STATE, "该指派已结束，不能再调整。")
    return row


def service_officer_reassign(
    *,
    staff: Any,
    assignment_id: int,
    officer: str,
    note: str,
    phone: str = "",
    office: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceOfficer:
    """改派 to another officer, with the reason; phone and office follow the new officer."""
    moment = now or clock.now()
    scope = assigner_scope(staff)
    note = _text(note, field="note", label="改派说明", least=2, most=200)
    with transaction.atomic():
        row = _locked(assignment_id, scope, expected_version)
        holder = _officer_assignment(scope, officer)
        if holder.user_id == row.officer_id:
            raise DomainError(
                errors.OFFICER_INVALID, "改派须指派另一名工作人员。", fields=[{"field": "officer"}]
            )
        before = row.officer_id
        row.officer = holder.user
        row.department = holder.department
        row.phone = _phone(phone) if phone.strip() else row.phone
        if office is not None:
            row.office = " ".join(office.split())[:100]
        row.changed_at = moment
        row.version += 1
        row.save(
            update_fields=["officer", "department", "phone", "office", "changed_at", "version"]
        )
        ServiceOfficerEvent.objects.create(
            assignment=row,
            action="reassign",
            actor=staff,
            officer=holder.user,
            note=note,
            at=moment,
        )
        _audit(row, "reassign", staff, moment, before=before, note=note)
    return row


def service_officer_end(
    *,
    staff: Any,
    assignment_id: int,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceOfficer:
    """结束: the assignment ends today (or has not begun and is withdrawn)."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    scope = assigner_scope(staff)
    note = " ".join((note or "").split())[:200]
    with transaction.atomic():
        row = _locked(assignment_id, scope, expected_version)
        row.status = OfficerStatus.ENDED
        row.ends_on = max(row.starts_on, min(row.ends_on or today, today))
        row.changed_at = moment
        row.version += 1
        row.save(update_fields=["status", "ends_on", "changed_at", "version"])
        ServiceOfficerEvent.objects.create(
            assignment=row, action="end", actor=staff, officer=row.officer, note=note, at=moment
        )
        _audit(row, "end", staff, moment, note=note)
    return row
