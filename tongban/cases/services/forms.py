"""The application form (申请表) of a case: checked, normalised, bound to the
applicant, and its personal fields sealed (R-SC-1).

* **Checked and normalised** against the guide's form definition: text is
  trimmed and a text of only spaces counts as missing; a number is finite,
  within the field's bounds (or ±10^15) and has at most its decimals; a date
  is ``YYYY-MM-DD`` within the field's range (or 1900…2100) and is stored as
  such; ID numbers, credit codes and phones pass their standard's check.
* **Bound to the applicant**: the fields that identify the applicant (their
  name and ID number, or the business's name and credit code) are filled
  from the identity registry when left out and refused when they differ: an
  agent of one company cannot file in another company's name.
* **Sealed**: a field the definition marks personal (ID numbers, phones, bank
  accounts, and fields marked ``sensitive`` such as a person's address) is
  stored SM4-GCM encrypted in ``Case.form_secret`` (ADR-0003), and
  ``Case.form_data`` holds only its masked value, which is what the API and
  the pages show. :func:`case_form_reveal` shows one value to staff who state
  a purpose, and audits it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from tongban.cases import errors, workflow
from tongban.cases.models import Case
from tongban.catalog.content import (
    DEFAULT_DECIMALS,
    EARLIEST_DATE,
    LATEST_DATE,
    NUMBER_LIMIT,
    FieldType,
    FormField,
)
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.audit import audit_record
from tongban.core.crypto import decrypt, encrypt
from tongban.core.errors import DomainError
from tongban.core.identifiers import (
    validate_credit_code,
    validate_mobile_phone,
    validate_resident_id,
)
from tongban.core.masking import mask_bank_account, mask_id_number, mask_phone, mask_text
from tongban.identity.models import LegalEntity, Person
from tongban.identity.selectors import ID_NUMBER_CONTEXT

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACCOUNT = re.compile(r"^\d{8,32}$")

Problem = dict[str, str]


def _problem(field: FormField, code: str, message: str) -> Problem:
    return {"field": f"form.{field.code}", "code": code, "message": f"{field.label}：{message}"}


def _number(field: FormField, value: Any) -> tuple[int | float | None, str]:
    if isinstance(value, bool):
        return None, "须为数字"
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, "须为数字"
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        return None, "数值超出范围"
    low, high = field.min_value, field.max_value
    if low is not None and number < Decimal(str(low)):
        return None, f"不能小于 {low:g}"
    if high is not None and number > Decimal(str(high)):
        return None, f"不能大于 {high:g}"
    decimals = field.decimals if field.decimals is not None else DEFAULT_DECIMALS
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return None, "须为整数" if decimals == 0 else f"最多保留 {decimals} 位小数"
    if number == number.to_integral_value():
        return int(number), ""
    return float(number), ""


def _date(field: FormField, text: str) -> tuple[str | None, str]:
    if not _DATE.match(text):
        return None, "日期须为“年-月-日”格式，如 2026-11-02"
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, "日期不存在"
    earliest, latest = field.min_date or EARLIEST_DATE, field.max_date or LATEST_DATE
    if not earliest <= day <= latest:
        return None, f"日期须在 {earliest.isoformat()} 至 {latest.isoformat()} 之间"
    return day.isoformat(), ""


def _clean_one(field: FormField, value: Any, today: dt.date) -> tuple[Any, str]:
    """The normalised value of one filled-in field, or the reason it is refused."""
    if field.type == FieldType.CHECKBOX:
        return (value, "") if isinstance(value, bool) else (None, "须为是或否")
    if field.type == FieldType.NUMBER:
        return _number(field, value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None, "格式不正确"
    text = unicodedata.normalize("NFC", str(value)).strip()
    try:
        if field.type == FieldType.ID_NUMBER:
            text = text.upper()
            validate_resident_id(text, today=today)
        elif field.type == FieldType.CREDIT_CODE:
            text = text.upper()
            validate_credit_code(text)
        elif field.type == FieldType.PHONE:
            validate_mobile_phone(text)
        elif field.type == FieldType.BANK_ACCOUNT:
            text = "".join(text.split())
            if not _ACCOUNT.match(text):
                return None, "须为 8 至 32 位数字"
        elif field.type == FieldType.DATE:
            return _date(field, text)
        elif field.type == FieldType.SELECT and text not in field.options:
            return None, "请从选项中选择"
    except DomainError as exc:
        return None, exc.detail
    if field.max_length and len(text) > field.max_length:
        return None, f"不能超过 {field.max_length} 个字符"
    if field.pattern and not re.fullmatch(field.pattern, text):
        return None, "格式不正确"
    return text, ""


def form_clean(
    fields: list[FormField],
    data: dict[str, Any],
    *,
    today: dt.date,
    bound: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Every field checked in one round: the normalised values and every problem.

    ``bound`` holds the applicant's own values (:func:`applicant_values`): a
    field left out takes it, a field filled in must equal it.
    """
    bound = bound or {}
    problems: list[Problem] = []
    known = {f.code for f in fields}
    for code in data:
        if code not in known:
            problems.append(
                {"field": f"form.{code}", "code": "unknown_field", "message": "申请表中没有这一项"}
            )
    cleaned: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.code)
        if isinstance(value, str) and not value.strip():
            value = None  # a text of only spaces is not an answer
        if value in (None, []) and field.code in bound:
            value = bound[field.code]
        if value in (None, []):
            if field.required:
                problems.append(
                    {
                        "field": f"form.{field.code}",
                        "code": "missing",
                        "message": f"请填写{field.label}",
                    }
                )
            continue
        clean, message = _clean_one(field, value, today)
        if message:
            problems.append(_problem(field, "invalid", message))
        elif field.code in bound and str(clean) != bound[field.code]:
            problems.append(
                _problem(field, "not_applicant", "须与申请人的登记信息一致，不能填写他人信息")
            )
        else:
            cleaned[field.code] = clean
    return cleaned, problems


# --- bound to the applicant ------------------------------------------------------------


def applicant_values(person: Person | None, entity: LegalEntity | None) -> dict[str, str]:
    """The fields that identify the applicant, from the identity registry."""
    if entity is not None:
        # Not "applicant_name": on a business's application forms fill it with
        # the 经办人 as often as with the business.
        return {"entity_name": entity.name, "credit_code": entity.credit_code}
    if person is not None:
        id_number = decrypt(person.id_number_enc, context=ID_NUMBER_CONTEXT)
        return {"applicant_name": person.name, "applicant_id_number": id_number}
    return {}


# --- sealed ---------------------------------------------------------------------


def secret_context(code: str) -> str:
    """The associated data of a form field's ciphertext (ADR-0003)."""
    return f"cases_case.form_secret.{code}"


def mask_value(field: FormField, value: Any) -> str:
    text = str(value)
    if field.type == FieldType.ID_NUMBER:
        return mask_id_number(text)
    if field.type == FieldType.PHONE:
        return mask_phone(text)
    if field.type == FieldType.BANK_ACCOUNT:
        return mask_bank_account(text)
    return mask_text(text)


def form_seal(
    fields: list[FormField], cleaned: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values to store and show (personal ones masked) and the ciphertexts."""
    shown = dict(cleaned)
    secret: dict[str, str] = {}
    for field in fields:
        if field.personal and field.code in cleaned:
            value = cleaned[field.code]
            secret[field.code] = encrypt(str(value), context=secret_context(field.code))
            shown[field.code] = mask_value(field, value)
    return shown, secret


def case_form_values(case: Case) -> dict[str, Any]:
    """The whole form in clear, for the services that need it (the certificate's
    face, a notice). Never for display: pages show ``case.form_data``."""
    values = dict(case.form_data)
    for code, token in (case.form_secret or {}).items():
        values[code] = decrypt(token, context=secret_context(code))
    return values


REVEAL_ROLES = workflow.ANY_HANDLER


def case_form_reveal(
    *, case_id: int, actor: Any, field: str, purpose: str, now: dt.datetime | None = None
) -> str:
    """One personal value in clear for a member of staff handling the case, who
    states why (purpose-bound unmasking, R-SC-1). Audited with the purpose and the
    field, never the value."""
    from tongban.cases.services._common import actor_label, roles_on_case

    moment = now or clock.now()
    purpose = " ".join((purpose or "").split())
    if len(purpose) < 4:
        raise DomainError(errors.REASON_REQUIRED, "查看完整信息须写明用途（至少 4 个字）。")
    with transaction.atomic():
        case = Case.objects.get(pk=case_id)
        if not roles_on_case(actor, case) & REVEAL_ROLES:
            raise DomainError(core_errors.PERMISSION_DENIED, "您的岗位不能查看该办件的完整信息。")
        token = (case.form_secret or {}).get(field)
        if token is None:
            raise DomainError(errors.FORM_INVALID, f"申请表中没有需要解密的字段 {field}。")
        value = decrypt(token, context=secret_context(field))
        audit_record(
            actor=actor_label(actor),
            action="case.form_revealed",
            object_type="case",
            object_id=case.case_no,
            details={"field": field, "purpose": purpose[:200]},
            now=moment,
        )
    return value
