"""Sharing calls: verify (yes/no), query (granted fields only), and every one logged.

A call is checked in this order: the service or resource exists; the caller
works in the consumer department with a using role; the purpose is given;
the subject's identifier is valid; the parameters are; the consumer's grant
covers the fields the call reads (国发〔2016〕51号: unconditional resources
need none, 不予共享 ones are never answered); the subject is in the base
registry. Whatever the outcome, one line is appended to the access log, in
its own transaction, before the refusal is raised: nothing else is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.org.models import Department
from tongban.sharing import errors, selectors, verification, workflow
from tongban.sharing.access_log import access_log_append
from tongban.sharing.models import (
    AccessLogEntry,
    CallKind,
    DataResource,
    GrantStatus,
    Outcome,
    SharingType,
    SubjectKind,
)
from tongban.sharing.registries import READERS, read_fields, registry_subject_kinds
from tongban.sharing.services._common import holds_role_in
from tongban.sharing.subjects import SubjectRef

PURPOSE_MAX = 500


@dataclass(frozen=True)
class VerifyAnswer:
    service: str
    service_name: str
    question: str
    result: bool
    resource_code: str
    answered_at: dt.datetime
    log_seq: int
    # What the answer rests on, for intake (a certificate identifier); not in the API.
    reference: str = ""
    source_label: str = ""


@dataclass(frozen=True)
class QueryAnswer:
    resource_code: str
    resource_name: str
    fields: dict[str, Any]
    answered_at: dt.datetime
    log_seq: int


@dataclass
class Call:
    """One call being checked; ``log`` writes its line whatever happens."""

    kind: str
    target: str
    subject: SubjectRef | None
    consumer: Department | None
    actor: Any
    purpose: str
    case_no: str
    channel: str
    now: dt.datetime
    resource: DataResource | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)
    entry: AccessLogEntry | None = None

    def log(self, outcome: str, error_code: str = "") -> AccessLogEntry:
        # Its own transaction when the caller has none, so that a refusal raised
        # right after still leaves the line (the only row a refused call writes);
        # no savepoint inside the caller's: a line that cannot be written fails it.
        with transaction.atomic(savepoint=False):
            self.entry = access_log_append(
                kind=self.kind,
                target=self.target,
                subject=self.subject,
                outcome=outcome,
                purpose=self.purpose,
                consumer=self.consumer,
                actor=self.actor,
                resource=self.resource,
                fields=self.fields,
                case_no=self.case_no,
                error_code=error_code,
                channel=self.channel,
                now=self.now,
            )
        return self.entry

    def fail(self, exc: DomainError) -> DomainError:
        outcome = (
            Outcome.NOT_FOUND if exc.code == errors.SUBJECT_NOT_FOUND.code else Outcome.REFUSED
        )
        self.log(outcome, exc.code)
        return exc


def check_consumer(*, staff_user: Any, consumer_department: Department) -> None:
    if not holds_role_in(staff_user, consumer_department, workflow.USE_ROLES):
        raise DomainError(
            errors.NOT_CONSUMER,
            f"您在“{consumer_department.name}”没有可使用共享数据的岗位"
            "（窗口人员、审批人员、部门负责人或承办人员）。",
        )


def check_purpose(purpose: str) -> None:
    text = (purpose or "").strip()
    if not text:
        raise DomainError(
            errors.PURPOSE_REQUIRED,
            "须写明查询用途（如所办事项和办件编号），用途会记入数据主体可见的访问日志。",
            fields=[{"field": "body.purpose", "code": "missing", "message": "须写明查询用途"}],
        )
    if len(text) > PURPOSE_MAX:
        raise DomainError(errors.PURPOSE_REQUIRED, f"查询用途不能超过 {PURPOSE_MAX} 字")


def check_subject(subject: SubjectRef, kinds: tuple[str, ...], *, today: dt.date) -> None:
    if subject.kind not in kinds:
        wanted = "、".join(SubjectKind(k).label for k in kinds)
        raise DomainError(errors.SUBJECT_INVALID, f"该服务的查询对象须为{wanted}")
    try:
        if subject.kind == SubjectKind.PERSON:
            validate_resident_id(subject.identifier, today=today)
        else:
            validate_credit_code(subject.identifier)
    except DomainError as exc:
        raise DomainError(errors.SUBJECT_INVALID, exc.detail) from None


def check_shareable(*, resource: DataResource, consumer: Department) -> None:
    """不予共享 resources are never answered to another department."""
    if resource.sharing_type == SharingType.NONE and resource.provider_id != consumer.pk:
        raise DomainError(
            errors.NOT_SHAREABLE,
            f"“{resource.name}”为不予共享资源：{resource.sharing_condition or '依法不予共享'}",
        )


_WHY_NOT: dict[str, str] = {
    GrantStatus.REQUESTED.value: "申请尚在审核中",
    GrantStatus.REFUSED.value: "申请已被提供部门拒绝",
    GrantStatus.REVOKED.value: "授权已被提供部门撤销",
    GrantStatus.WITHDRAWN.value: "申请已撤回",
}


def check_granted(
    *, consumer: Department, resource: DataResource, fields: tuple[str, ...], today: dt.date
) -> None:
    """Refuse unless the consumer's grants in force cover every field in ``fields``."""
    check_shareable(resource=resource, consumer=consumer)
    granted = selectors.grant_fields_for(consumer=consumer, resource=resource, today=today)
    if granted.all_fields:
        return
    missing = [f for f in fields if f not in granted.fields]
    if not missing:
        return
    if granted.fields:
        raise DomainError(
            errors.FIELD_NOT_GRANTED,
            f"本部门对“{resource.name}”的授权不含信息项：{'、'.join(missing)}。"
            "请向提供部门申请相应信息项。",
            extra={"missing_fields": missing},
        )
    if granted.expired:
        raise DomainError(
            errors.GRANT_EXPIRED, f"本部门对“{resource.name}”的共享授权已过期，请重新申请。"
        )
    why = _WHY_NOT.get(granted.last_status, "尚未申请")
    raise DomainError(
        errors.NOT_GRANTED,
        f"本部门未获“{resource.name}”（{resource.provider.name}提供，有条件共享）的共享授权：{why}。",
    )


def _resource_for(service: verification.VerificationService) -> DataResource:
    resource = selectors.resource_for_registry(service.registry)
    if resource is None:
        raise DomainError(
            errors.SERVICE_NOT_CONNECTED, f"“{service.name}”所需的数据资源尚未在共享目录中登记。"
        )
    return resource


def verify_call(
    call: Call, *, service_code: str, params: dict[str, Any] | None, staff: bool
) -> VerifyAnswer:
    today = clock.local_date(call.now)
    try:
        service = verification.service_get(service_code)
        if call.consumer is None:
            raise DomainError(errors.NOT_CONSUMER, "须指明使用部门")
        if staff:
            check_consumer(staff_user=call.actor, consumer_department=call.consumer)
        check_purpose(call.purpose)
        resource = _resource_for(service)
        call.resource = resource
        call.fields = service.fields
        assert call.subject is not None
        check_subject(call.subject, service.subject_kinds, today=today)
        clean = service.clean_params(params, today=today)
        call.fields = service.fields_for(clean)
        check_granted(consumer=call.consumer, resource=resource, fields=call.fields, today=today)
        facts = verification.Facts(subject=call.subject, params=clean, today=today, now=call.now)
        result = service.answer(facts)
    except DomainError as exc:
        raise call.fail(exc) from None
    entry = call.log(Outcome.ANSWERED)
    return VerifyAnswer(
        service=service.code,
        service_name=service.name,
        question=service.question,
        result=bool(result),
        resource_code=resource.code,
        answered_at=call.now,
        log_seq=entry.seq,
        reference=facts.notes.get("reference", ""),
        source_label=facts.notes.get("source_label", ""),
    )


def sharing_verify(
    *,
    consumer_department: Department,
    staff_user: Any,
    service: str,
    subject: SubjectRef,
    purpose: str,
    case_no: str = "",
    params: dict[str, Any] | None = None,
    channel: str = "",
    now: dt.datetime | None = None,
) -> VerifyAnswer:
    """Answer one 查询核验 question about ``subject`` for ``consumer_department``.

    ``staff_user`` (a staff or system account) must work in the consumer
    department with a using role (``workflow.USE_ROLES``). Raises
    :class:`DomainError` with a ``sharing_*`` code when refused; the call is
    logged either way.
    """
    call = Call(
        kind=CallKind.VERIFY, target=service[:60], subject=subject, consumer=consumer_department,
        actor=staff_user, purpose=purpose or "", case_no=case_no or "", channel=channel,
        now=now or clock.now(),
    )  # fmt: skip
    return verify_call(call, service_code=service, params=params, staff=True)


def sharing_query(
    *,
    consumer_department: Department,
    staff_user: Any,
    resource_code: str,
    subject: SubjectRef,
    purpose: str,
    case_no: str = "",
    fields: list[str] | None = None,
    channel: str = "",
    now: dt.datetime | None = None,
) -> QueryAnswer:
    """The values of the granted fields of one resource for one subject.

    ``fields`` None asks for every granted field; naming a field not granted is
    refused (``sharing_field_not_granted``) rather than silently dropped.
    """
    moment = now or clock.now()
    today = clock.local_date(moment)
    call = Call(
        kind=CallKind.QUERY, target=(resource_code or "")[:60], subject=subject,
        consumer=consumer_department, actor=staff_user, purpose=purpose or "",
        case_no=case_no or "", channel=channel, now=moment,
    )  # fmt: skip
    try:
        resource = selectors.resource_get(resource_code)
        call.resource = resource
        call.target = resource.code
        check_consumer(staff_user=staff_user, consumer_department=consumer_department)
        check_purpose(purpose)
        check_shareable(resource=resource, consumer=consumer_department)
        if resource.registry not in READERS:
            raise DomainError(
                errors.RESOURCE_NOT_QUERYABLE, f"“{resource.name}”未接入共享交换平台的查询接口。"
            )
        all_codes = [f.code for f in selectors.resource_fields(resource)]
        wanted = tuple(dict.fromkeys(fields)) if fields else ()
        unknown = [f for f in wanted if f not in all_codes]
        if unknown:
            raise DomainError(
                errors.PARAMS_INVALID, f"“{resource.name}”没有信息项：{'、'.join(unknown)}"
            )
        granted = selectors.grant_fields_for(
            consumer=consumer_department, resource=resource, today=today
        )
        allowed = all_codes if granted.all_fields else [c for c in all_codes if c in granted.fields]
        call.fields = wanted or tuple(allowed) or tuple(all_codes)
        check_subject(subject, registry_subject_kinds(resource.registry), today=today)
        check_granted(
            consumer=consumer_department, resource=resource, fields=call.fields, today=today
        )
        values = read_fields(resource.registry, subject)
        if values is None:
            what = "自然人库" if subject.kind == SubjectKind.PERSON else "法人库"
            raise DomainError(errors.SUBJECT_NOT_FOUND, f"{what}中没有该查询对象。")
    except DomainError as exc:
        raise call.fail(exc) from None
    entry = call.log(Outcome.ANSWERED)
    return QueryAnswer(
        resource_code=resource.code,
        resource_name=resource.name,
        fields={code: values.get(code) for code in call.fields},
        answered_at=moment,
        log_seq=entry.seq,
    )


def sharing_call_refuse(
    *,
    kind: str,
    target: str,
    subject: SubjectRef | None,
    error: DomainError,
    actor: Any,
    purpose: str = "",
    case_no: str = "",
    consumer_department: Department | None = None,
    channel: str = "",
    now: dt.datetime | None = None,
) -> DomainError:
    """Log a call refused before it reached a service (no consumer department the
    caller may act for) and return the error for the caller to raise."""
    call = Call(
        kind=kind, target=target[:60], subject=subject, consumer=consumer_department,
        actor=actor, purpose=purpose or "", case_no=case_no or "", channel=channel,
        now=now or clock.now(),
    )  # fmt: skip
    return call.fail(error)
