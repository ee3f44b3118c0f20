"""Bulk import of existing certificates (存量证照) from an xlsx sheet.

Every real platform starts with a backlog. The sheet is validated whole
first: one bad row and nothing is saved, and the refusal names every bad
row in Chinese ("第 3 行：…"). Then every row is issued in one transaction,
marked ``imported`` (history action ``import``), signed and sealed like a
new certificate.

Columns (first row, headers in Chinese, any order): 证照类型, 持证主体名称,
证件号码 (公民身份号码 or 统一社会信用代码), 有效期起始, 有效期截止 (optional);
every other column is a face field of the type, named by its label.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tongban.certificates import errors
from tongban.certificates.face import face_clean
from tongban.certificates.holders import Holder, holder_from_codes
from tongban.certificates.models import Certificate, CertificateType, HolderKind
from tongban.certificates.services._common import actor_label, certificate_type_resolve, history
from tongban.certificates.services.issue import (
    _check_issuer,
    _create,
    next_identifier,
    validity_until,
)
from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.org.models import Department

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
REQUIRED = ("证照类型", "持证主体名称", "证件号码", "有效期起始")


@dataclass(frozen=True)
class ImportRow:
    line: int
    certificate_type: CertificateType
    holder: Holder
    face: dict[str, str]
    valid_from: dt.date
    valid_until: dt.date | None


def _date(value: Any, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{what}“{value}”不是日期（YYYY-MM-DD）") from None


def _rows(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    if len(content) > MAX_BYTES:
        raise DomainError(errors.IMPORT_INVALID, "导入文件过大（不超过 10 MB）。")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (any unreadable upload is the client's error)
        raise DomainError(
            errors.IMPORT_INVALID, "无法读取导入文件，请上传 xlsx 格式的表格。"
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise DomainError(errors.IMPORT_INVALID, f"表头缺少：{'、'.join(missing)}。")
    body = []
    for number, row in enumerate(rows, start=2):
        values = list(row)
        if all(v in (None, "") for v in values):
            continue
        body.append((number, values))
        if len(body) > MAX_ROWS:
            raise DomainError(errors.IMPORT_INVALID, f"一次最多导入 {MAX_ROWS} 行。")
    if not body:
        raise DomainError(errors.IMPORT_INVALID, "导入文件没有数据行。")
    return header, body


def certificate_import_parse(*, content: bytes, department: Department) -> list[ImportRow]:
    """Every row checked; ``certificate_import_invalid`` naming each bad row."""
    header, body = _rows(content)
    parsed: list[ImportRow] = []
    problems: list[str] = []
    for line, values in body:
        cells = {header[i]: v for i, v in enumerate(values) if i < len(header) and header[i]}
        try:
            kind = certificate_type_resolve(str(cells.get("证照类型") or ""))
            holder = holder_from_codes(
                kind=kind.holder_kind,
                code=str(cells.get("证件号码") or ""),
                name=str(cells.get("持证主体名称") or ""),
            )
            _check_issuer(kind, department)
            labels = {f["label"]: f["key"] for f in kind.face_fields}
            face: dict[str, Any] = {
                labels[k]: v for k, v in cells.items() if k in labels and v not in (None, "")
            }
            code_key = (
                "credit_code" if kind.holder_kind == HolderKind.ENTITY else "applicant_id_number"
            )
            name_key = "entity_name" if kind.holder_kind == HolderKind.ENTITY else "applicant_name"
            face.setdefault(name_key, holder.name)
            face.setdefault(code_key, str(cells.get("证件号码") or "").strip().upper())
            valid_from = _date(cells.get("有效期起始"), "有效期起始")
            if valid_from is None:
                raise ValueError("有效期起始不能为空")
            until = validity_until(kind, valid_from, _date(cells.get("有效期截止"), "有效期截止"))
            if until is not None and until < valid_from:
                raise ValueError("有效期截止早于起始")
            parsed.append(ImportRow(line, kind, holder, face_clean(kind, face), valid_from, until))
        except DomainError as exc:
            problems.append(f"第 {line} 行：{exc.detail.rstrip('。')}")
        except ValueError as exc:
            problems.append(f"第 {line} 行：{exc}")
    if problems:
        shown = problems[:50] + (
            [f"……另有 {len(problems) - 50} 行有误"] if len(problems) > 50 else []
        )
        raise DomainError(
            errors.IMPORT_INVALID,
            f"导入文件有 {len(problems)} 行有误，未导入任何证照：" + "；".join(shown) + "。",
            fields=[{"field": "file", "code": "row", "message": p} for p in problems[:200]],
        )
    return parsed


def certificate_import_xlsx(
    *, content: bytes, department: Department, actor: Any, now: dt.datetime | None = None
) -> list[Certificate]:
    """Import a backlog sheet for ``department``: all rows or none."""
    moment = now or clock.now()
    rows = certificate_import_parse(content=content, department=department)
    created = []
    with transaction.atomic():
        for row in rows:
            identifier = next_identifier(
                row.certificate_type, department, clock.local_date(moment).year
            )
            certificate = _create(
                certificate_type=row.certificate_type,
                holder=row.holder,
                face=row.face,
                department=department,
                identifier=identifier,
                version=1,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                source_case_no="",
                imported=True,
                now=moment,
            )
            history(
                certificate,
                action="import",
                actor=actor,
                now=moment,
                to=certificate.status,
                details={"line": row.line},
            )
            created.append(certificate)
        audit_record(
            actor=actor_label(actor),
            action="certificates.import",
            object_type="department",
            object_id=str(department.pk),
            details={"count": len(created), "first": created[0].identifier if created else ""},
            now=moment,
        )
    return created
