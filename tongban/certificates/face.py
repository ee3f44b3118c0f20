"""照面信息: checking a certificate's face against its type, and the masked
public part shown on verification (R-SC-1)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from tongban.certificates import errors
from tongban.certificates.models import CertificateType, FieldType
from tongban.core.crypto import decrypt, encrypt
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code, validate_resident_id
from tongban.core.masking import mask_id_number, mask_name

FACE_CONTEXT = "certificates.certificate.face"
MAX_TEXT = 2000


def _clean(field: dict[str, Any], raw: Any) -> str:
    """The normalized text of one value, or ValueError with the Chinese reason."""
    kind = field.get("type", FieldType.TEXT)
    text = ("" if raw is None else str(raw)).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"不能超过 {MAX_TEXT} 个字符")
    if kind == FieldType.DATE:
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat()
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError("应为日期（YYYY-MM-DD）") from None
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("应为数字") from None
        if not number.is_finite():
            raise ValueError("应为数字")
        return format(number.normalize(), "f")
    if kind == FieldType.ID_NUMBER:
        try:
            return validate_resident_id(text).number
        except DomainError as exc:
            raise ValueError(exc.detail) from None
    if kind == FieldType.CREDIT_CODE:
        try:
            return validate_credit_code(text)
        except DomainError as exc:
            raise ValueError(exc.detail) from None
    if kind == FieldType.SELECT and text not in field.get("options", []):
        raise ValueError("应为：" + "、".join(field.get("options", [])))
    return text


def face_clean(certificate_type: CertificateType, face: dict[str, Any]) -> dict[str, str]:
    """The face values the type defines, normalized; keys the type does not
    define are left out (callers pass a case's whole form). Raises
    ``certificate_face_invalid`` naming every field that is wrong."""
    if not isinstance(face, dict):
        raise DomainError(errors.FACE_INVALID, "照面信息应为字段与值的映射。")
    cleaned: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for field in certificate_type.face_fields:
        key, label = field["key"], field["label"]
        raw = face.get(key)
        if raw is None or str(raw).strip() == "":
            if field.get("required"):
                problems.append(
                    {"field": f"face.{key}", "code": "required", "message": f"{label}：必填"}
                )
            continue
        try:
            cleaned[key] = _clean(field, raw)
        except ValueError as exc:
            problems.append(
                {"field": f"face.{key}", "code": "invalid", "message": f"{label}：{exc}"}
            )
    if problems:
        raise DomainError(
            errors.FACE_INVALID,
            "照面信息有误：" + "；".join(p["message"] for p in problems) + "。",
            fields=problems,
        )
    return cleaned


def face_public(certificate_type: CertificateType, face: dict[str, str]) -> dict[str, str]:
    """The fields marked public, masked where personal: label → value."""
    shown: dict[str, str] = {}
    for field in certificate_type.face_fields:
        if not field.get("public") or field["key"] not in face:
            continue
        value = face[field["key"]]
        if field.get("type") == FieldType.ID_NUMBER:
            value = mask_id_number(value)
        elif field.get("mask") == "name":
            value = mask_name(value)
        shown[field["label"]] = value
    return shown


def face_encrypt(face: dict[str, str]) -> str:
    return encrypt(json.dumps(face, ensure_ascii=False, sort_keys=True), context=FACE_CONTEXT)


def face_decrypt(token: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(decrypt(token, context=FACE_CONTEXT))
    return data


# Shown with the holder on every certificate, so not repeated among the rows.
HOLDER_FIELDS = frozenset(
    {"number", "entity_name", "credit_code", "applicant_name", "applicant_id_number"}
)


def face_rows(certificate_type: CertificateType, face: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) in the type's order, for the PDF and the holder's pages
    (the holder's name, code and the number are shown apart)."""
    return [
        (f["label"], face[f["key"]])
        for f in certificate_type.face_fields
        if f["key"] in face and f["key"] not in HOLDER_FIELDS
    ]
