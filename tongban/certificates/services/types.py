"""The certificate catalogue's writes: define a type, link the items that issue it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.certificates import errors
from tongban.certificates.models import (
    CertificateType,
    CertificateTypeItem,
    FieldType,
    HolderKind,
    ValidityKind,
)
from tongban.certificates.services._common import actor_label
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code

# The face fields every certificate of a holder kind carries, named like the
# catalogue's form fields so that a case's form fills them.
COMMON_FIELDS: dict[str, list[dict[str, Any]]] = {
    HolderKind.ENTITY: [
        {"key": "number", "label": "证照编号", "type": "text", "public": True},
        {"key": "entity_name", "label": "名称", "type": "text", "required": True},
        {"key": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "public": True},
        {
            "key": "legal_rep_name",
            "label": "法定代表人（负责人）",
            "type": "text",
            "public": True,
            "mask": "name",
        },
        {"key": "address", "label": "住所（经营场所）", "type": "text"},
    ],
    HolderKind.PERSON: [
        {"key": "number", "label": "证件编号", "type": "text", "public": True},
        {
            "key": "applicant_name",
            "label": "姓名",
            "type": "text",
            "required": True,
            "public": True,
            "mask": "name",
        },
        {
            "key": "applicant_id_number",
            "label": "公民身份号码",
            "type": "id_number",
            "public": True,
        },
    ],
}


def _check_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = set()
    for field in fields:
        if not isinstance(field, dict) or not field.get("key") or not field.get("label"):
            raise DomainError(errors.TYPE_INVALID, "照面信息项须有 key 与 label。")
        if field["key"] in keys:
            raise DomainError(errors.TYPE_INVALID, f"照面信息项 {field['key']} 重复。")
        if field.get("type", "text") not in FieldType.values:
            raise DomainError(errors.TYPE_INVALID, f"照面信息项 {field['key']} 的类型无效。")
        keys.add(field["key"])
    return fields


def certificate_type_upsert(
    *,
    code: str,
    name: str,
    ministry: str,
    ministry_credit_code: str,
    holder_kind: str,
    face_fields: list[dict[str, Any]],
    validity_kind: str,
    validity_years: int | None = None,
    legal_basis: str = "",
    aliases: list[str] | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> tuple[CertificateType, bool]:
    """Create or update the type with ``code``; (type, created)."""
    moment = now or clock.now()
    ministry_credit_code = validate_credit_code(ministry_credit_code)
    if len(code) != 21 or not code.startswith(ministry_credit_code) or not code[18:].isdigit():
        raise DomainError(
            errors.TYPE_INVALID, "证照类型代码应为定义部门统一社会信用代码加 3 位数字。"
        )
    if holder_kind not in HolderKind.values or validity_kind not in ValidityKind.values:
        raise DomainError(errors.TYPE_INVALID, "持证主体或有效期规则无效。")
    if validity_kind == ValidityKind.YEARS and not validity_years:
        raise DomainError(errors.TYPE_INVALID, "按年限计算有效期的证照须写明年限。")
    values = {
        "name": name.strip(),
        "ministry": ministry.strip(),
        "ministry_credit_code": ministry_credit_code,
        "holder_kind": holder_kind,
        "face_fields": _check_fields(face_fields),
        "validity_kind": validity_kind,
        "validity_years": validity_years if validity_kind == ValidityKind.YEARS else None,
        "legal_basis": legal_basis.strip(),
        "aliases": [a.strip() for a in aliases or [] if a.strip()],
        "updated_at": moment,
    }
    with transaction.atomic():
        kind = CertificateType.objects.select_for_update().filter(code=code).first()
        created = kind is None
        if kind is None:
            kind = CertificateType.objects.create(code=code, created_at=moment, **values)
        else:
            changed = [k for k, v in values.items() if k != "updated_at" and getattr(kind, k) != v]
            if not changed:
                return kind, False
            for key, value in values.items():
                setattr(kind, key, value)
            kind.save()
        audit_record(
            actor=actor_label(actor),
            action="certificates.type_create" if created else "certificates.type_update",
            object_type="certificate_type",
            object_id=code,
            details={"name": kind.name},
            now=moment,
        )
    return kind, created


def certificate_type_link_items(
    *, certificate_type: CertificateType, items: list[tuple[str, str]]
) -> int:
    """Record that the basic items ``(code, name)`` issue this type; returns
    how many links are new (idempotent)."""
    created = 0
    for code, name in items:
        _, new = CertificateTypeItem.objects.get_or_create(
            certificate_type=certificate_type,
            basic_item_code=code,
            defaults={"basic_item_name": name[:200]},
        )
        created += int(new)
    return created
