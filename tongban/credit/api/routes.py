"""信用 API at /api/v1/credit/.

Public (信用信息公示; a person's data is masked, a person is never looked up by number):
GET  /lists                          the red and black lists with their measures
GET  /lists/{code}/entries           entries in force
GET  /subjects/{credit_code}         a legal entity's class, lists in force and penalties
Business (for an entity the account acts for):
POST /repairs                        信用修复 application (422 credit_repair_not_listed)
Staff (scoped to the listing / penalising department):
POST /penalties                      行政处罚 (422 penalty_invalid without number or basis)
POST /penalties/import               xlsx, base64; validated whole
GET  /penalties
POST /lists/{code}/entries           列入名单 (422 credit_list_entry_expired)
GET  /repairs                        open applications
POST /repairs/{id}/review            approve (removes the entry) or reject
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tongban.core import errors as core_errors
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.core.masking import mask_name
from tongban.credit import errors, selectors
from tongban.credit.api.schemas import (
    EntryIn,
    EntryOut,
    ImportIn,
    ListOut,
    PenaltyIn,
    PenaltyOut,
    RepairIn,
    RepairOut,
    ReviewIn,
    SubjectOut,
)
from tongban.credit.models import CreditRepair, ListEntry, Penalty, SubjectKind
from tongban.credit.services import lists as list_services
from tongban.credit.services import penalties as penalty_services
from tongban.credit.services import repairs as repair_services
from tongban.identity.auth import api_auth
from tongban.org.selectors import staff_scope_for

router = Router(tags=["信用"])
CREDIT_ROLES = selectors.STAFF_ROLES


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def _scope(request: HttpRequest) -> Any:
    return staff_scope_for(user=_user(request)).for_roles(*CREDIT_ROLES)


def entry_out(e: ListEntry) -> dict[str, Any]:
    person = e.subject_kind == SubjectKind.PERSON
    return {
        "id": e.pk,
        "list_code": e.credit_list.code,
        "list_name": e.credit_list.name,
        "kind": e.credit_list.kind,
        "department": e.credit_list.department.name,
        "subject_kind": e.subject_kind,
        # 个人信息 masked on every public answer (R-SC-1); the token is never shown.
        "subject_code": "" if person else e.subject_code,
        "subject_name": mask_name(e.subject_name) if person else e.subject_name,
        "reason": e.reason,
        "legal_basis": e.legal_basis,
        "listed_on": e.listed_on,
        "valid_until": e.valid_until,
        "status": e.status,
        "removed_on": e.removed_on,
        "way_out": e.credit_list.way_out,
    }


def penalty_out(p: Penalty) -> dict[str, Any]:
    person = p.subject_kind == SubjectKind.PERSON
    return {
        "decision_no": p.decision_no,
        "department": p.department.name,
        "legal_basis": p.legal_basis,
        "subject_kind": p.subject_kind,
        "subject_code": "" if person else p.subject_code,
        "subject_name": mask_name(p.subject_name) if person else p.subject_name,
        "facts": p.facts,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "amount_fen": p.amount_fen,
        "decided_on": p.decided_on,
    }


def repair_out(r: CreditRepair) -> dict[str, Any]:
    return {
        "id": r.pk,
        "entry": entry_out(r.entry),
        "reason": r.reason,
        "evidence": r.evidence,
        "status": r.status,
        "submitted_at": r.submitted_at,
        "reviewed_at": r.reviewed_at,
        "review_note": r.review_note,
        "removed_on": r.removed_on,
    }


@router.get("/lists", response={200: list[ListOut], **PROBLEM_RESPONSES}, summary="信用名单")
def lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "kind": c.kind,
            "department": c.department.name,
            "legal_basis": c.legal_basis,
            "way_out": c.way_out,
            "measures": [
                {
                    "measure": m.measure,
                    "description": m.description,
                    "implementing_department": (
                        m.implementing_department.name if m.implementing_department else ""
                    ),
                }
                for m in c.measures.all()
            ],
        }
        for c in selectors.credit_lists()
    ]


@router.get(
    "/lists/{code}/entries",
    response={200: list[EntryOut], **PROBLEM_RESPONSES},
    summary="名单公示",
    description="在列且在有效期内的名单记录；自然人姓名脱敏，不显示身份号码。",
)
def list_entries(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    found = selectors.credit_list_get(code)
    entries = selectors.entries_public(kind=found.kind).filter(credit_list=found)[:500]
    return [entry_out(e) for e in entries]


@router.get(
    "/subjects/{credit_code}",
    response={200: SubjectOut, **PROBLEM_RESPONSES},
    summary="法人信用信息",
)
def subject(request: HttpRequest, credit_code: str) -> dict[str, Any]:
    from tongban.core.identifiers import validate_credit_code

    code = validate_credit_code(credit_code)
    rating = selectors.rating_of(code)
    history = selectors.class_history(code, limit=10)
    return {
        "credit_code": code,
        "name": rating.subject_name if rating else "",
        "credit_class": rating.credit_class if rating else "A",
        "rule_version": rating.rule_version if rating else "",
        "entries": [entry_out(e) for e in selectors.entries_public_of(code)],
        "penalties": [penalty_out(p) for p in selectors.penalties_public_of(code)],
        "class_changes": [
            {
                "from_class": c.from_class,
                "to_class": c.to_class,
                "rule_version": c.rule_version,
                "explanation": c.explanation,
                "changed_at": c.changed_at,
            }
            for c in history
        ],
    }


@router.post(
    "/repairs",
    response={201: list[RepairOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="申请信用修复",
    description="以本账号可代为办理的法人名义申请；不在失信名单中为 422 credit_repair_not_listed。",
)
def repair_apply(request: HttpRequest, body: RepairIn) -> Status[Any]:
    from tongban.identity.selectors import legal_entities_for_user

    user = _user(request)
    code = body.subject_code.strip().upper()
    if not legal_entities_for_user(user=user).filter(credit_code=code).exists():
        raise DomainError(
            core_errors.PERMISSION_DENIED, "只能为本账号可代为办理的法人申请信用修复。"
        )
    made = repair_services.repair_apply(
        subject_code=code,
        list_code=body.list_code,
        reason=body.reason,
        evidence=body.evidence,
        applicant=user,
    )
    return Status(201, [repair_out(r) for r in made])


@router.post(
    "/penalties",
    response={201: PenaltyOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="录入行政处罚",
    description="无处罚决定书文号或处罚依据为 422 penalty_invalid；"
    "文号重复为 409 penalty_duplicate。",
)
def penalty_enter(request: HttpRequest, body: PenaltyIn) -> Status[Any]:
    department = penalty_services.department_for_staff(
        scope=_scope(request), department_id=body.department_id
    )
    given = penalty_services.PenaltyInput(
        decision_no=body.decision_no,
        legal_basis=body.legal_basis,
        subject_kind=body.subject_kind,
        subject_code=body.subject_code,
        subject_name=body.subject_name,
        facts=body.facts,
        kind=body.kind,
        amount_fen=body.amount_fen,
        decided_on=body.decided_on,
    )
    made = penalty_services.penalty_enter(department=department, given=given, actor=_user(request))
    return Status(201, penalty_out(made))


@router.post(
    "/penalties/import",
    response={201: list[PenaltyOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="导入行政处罚（xlsx）",
    description="整表校验，任一行有误则不导入，错误逐行列在 fields 中。",
)
def penalties_import(request: HttpRequest, body: ImportIn) -> Status[Any]:
    department = penalty_services.department_for_staff(
        scope=_scope(request), department_id=body.department_id
    )
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(errors.PENALTY_IMPORT_INVALID, "文件内容须为 base64。") from None
    made = penalty_services.penalties_import(
        department=department, content=content, actor=_user(request)
    )
    return Status(201, [penalty_out(p) for p in made])


@router.get(
    "/penalties",
    response={200: list[PenaltyOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="本部门录入的行政处罚",
)
def penalties(request: HttpRequest) -> list[dict[str, Any]]:
    return [penalty_out(p) for p in selectors.penalties_list_for_staff(scope=_scope(request))[:200]]


@router.post(
    "/lists/{code}/entries",
    response={201: EntryOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="列入名单",
    description="有效期已过为 422 credit_list_entry_expired；"
    "已在列为 409 credit_list_entry_duplicate。",
)
def entry_add(request: HttpRequest, code: str, body: EntryIn) -> Status[Any]:
    selectors.credit_list_get_for_staff(scope=_scope(request), code=code)
    entry = list_services.list_entry_add(
        list_code=code,
        subject_kind=body.subject_kind,
        subject_code=body.subject_code,
        subject_name=body.subject_name,
        reason=body.reason,
        legal_basis=body.legal_basis,
        valid_until=body.valid_until,
        actor=_user(request),
    )
    entry = ListEntry.objects.select_related("credit_list__department").get(pk=entry.pk)
    return Status(201, entry_out(entry))


@router.get(
    "/repairs",
    response={200: list[RepairOut], **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="待审核的信用修复申请",
)
def repairs(request: HttpRequest) -> list[dict[str, Any]]:
    return [repair_out(r) for r in selectors.repairs_list_for_staff(scope=_scope(request))[:200]]


@router.post(
    "/repairs/{repair_id}/review",
    response={200: RepairOut, **PROBLEM_RESPONSES},
    auth=api_auth,
    summary="审核信用修复",
    description="通过即移出名单并记载移出日期；已审核为 409 credit_repair_invalid_state。",
)
def repair_review(request: HttpRequest, repair_id: int, body: ReviewIn) -> dict[str, Any]:
    repair = selectors.repair_get_for_staff(scope=_scope(request), repair_id=repair_id)
    done = repair_services.repair_review(
        repair=repair, approve=body.approve, note=body.note, reviewer=_user(request)
    )
    done = CreditRepair.objects.select_related("entry__credit_list__department").get(pk=done.pk)
    return repair_out(done)
