"""Writes of the resource catalogue: registering a resource and its fields (R-DS-2)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department, Role
from tongban.sharing import errors
from tongban.sharing.models import (
    DataResource,
    FieldType,
    Registry,
    ResourceField,
    Sensitivity,
    SharingType,
    SubjectKind,
    UpdateFrequency,
)
from tongban.sharing.services._common import holds_role_in

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
_FIELD_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Open data never carries personal information (R-SC-1: no leak through publication).
_PERSONAL = frozenset({Sensitivity.PERSONAL, Sensitivity.SENSITIVE})


@dataclass(frozen=True)
class FieldSpec:
    code: str
    name: str
    data_type: str = FieldType.STRING
    sensitivity: str = Sensitivity.INTERNAL


def _invalid(detail: str) -> DomainError:
    return DomainError(errors.RESOURCE_INVALID, detail)


def _check_choice(value: str, choices: Any, label: str) -> None:
    if value not in choices.values:
        raise _invalid(f"{label} {value!r} 无效")


def data_resource_register(
    *,
    code: str,
    name: str,
    provider: Department,
    sharing_type: str,
    update_frequency: str,
    fields: list[FieldSpec],
    subject_kind: str = SubjectKind.NONE,
    registry: str = "",
    legal_basis: str = "",
    description: str = "",
    sharing_condition: str = "",
    open_to_public: bool = False,
    open_format: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> DataResource:
    """Register a resource in the catalogue. ``actor`` None is the system (data
    loading); otherwise the provider's 部门负责人 or a 平台管理员."""
    moment = now or clock.now()
    if actor is not None and not (
        holds_role_in(actor, provider, {Role.DEPARTMENT_HEAD})
        or getattr(actor, "is_superuser", False)
    ):
        raise DomainError(errors.NOT_PROVIDER, "只有提供部门负责人或平台管理员可以登记数据资源。")
    code = (code or "").strip().upper()
    name = " ".join((name or "").split())
    if not _CODE.match(code):
        raise _invalid("资源代码须为 2–40 位大写字母、数字或连字符")
    if not name or len(name) > 200:
        raise _invalid("资源名称不能为空，且不超过 200 字")
    _check_choice(sharing_type, SharingType, "共享类型")
    _check_choice(update_frequency, UpdateFrequency, "更新周期")
    _check_choice(subject_kind, SubjectKind, "数据主体")
    if registry:
        _check_choice(registry, Registry, "基础库")
    if sharing_type != SharingType.UNCONDITIONAL and not sharing_condition.strip():
        raise _invalid("有条件共享须写明共享条件；不予共享须写明法律依据")
    if not fields:
        raise _invalid("数据资源至少须有一个信息项")
    seen: set[str] = set()
    for spec in fields:
        if not _FIELD_CODE.match(spec.code) or spec.code in seen:
            raise _invalid(f"信息项代码 {spec.code!r} 无效或重复")
        seen.add(spec.code)
        if not spec.name.strip():
            raise _invalid(f"信息项 {spec.code} 缺少名称")
        _check_choice(spec.data_type, FieldType, f"信息项 {spec.code} 的数据类型")
        _check_choice(spec.sensitivity, Sensitivity, f"信息项 {spec.code} 的敏感级别")
    if open_to_public and (
        subject_kind == SubjectKind.PERSON or any(f.sensitivity in _PERSONAL for f in fields)
    ):
        raise _invalid("含个人信息的数据资源不能向社会开放")
    try:
        with transaction.atomic():
            resource = DataResource.objects.create(
                code=code,
                name=name,
                description=description.strip(),
                provider=provider,
                sharing_type=sharing_type,
                sharing_condition=sharing_condition.strip(),
                update_frequency=update_frequency,
                legal_basis=legal_basis.strip()[:500],
                subject_kind=subject_kind,
                registry=registry,
                open_to_public=open_to_public,
                open_format=open_format.strip()[:60],
                created_at=moment,
                updated_at=moment,
            )
            ResourceField.objects.bulk_create(
                ResourceField(
                    resource=resource,
                    code=spec.code,
                    name=spec.name.strip()[:100],
                    data_type=spec.data_type,
                    sensitivity=spec.sensitivity,
                    position=index,
                )
                for index, spec in enumerate(fields)
            )
            audit_record(
                actor=actor_label(actor),
                action="sharing.resource_registered",
                object_type="sharing.DataResource",
                object_id=str(resource.pk),
                details={"code": code, "provider": provider.pk, "sharing_type": sharing_type},
                now=moment,
            )
    except IntegrityError:
        if DataResource.objects.filter(code=code).exists():
            raise DomainError(errors.RESOURCE_EXISTS, f"资源代码 {code} 已登记") from None
        raise DomainError(
            errors.RESOURCE_EXISTS, f"已有有效的数据资源接入基础库“{Registry(registry).label}”"
        ) from None
    return resource
