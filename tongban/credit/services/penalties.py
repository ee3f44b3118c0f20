"""行政处罚 entered by the penalising department, one by one or from an xlsx file.

A penalty needs its decision number (处罚决定书文号) and legal basis (处罚依据,
行政处罚法 第四十四条、第五十九条); it becomes a credit record of source
``penalty`` whose severity follows the kind (docs/credit.md). An import is
validated whole: one bad row and nothing is written, every problem listed
with its row.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.credit import errors
from tongban.credit.models import Penalty, PenaltyKind, RecordSource, Severity, SubjectKind
from tongban.credit.services.records import credit_record_add, subject_normalize
from tongban.org.models import Department
from tongban.org.selectors import StaffScope, scope_q

# 较大数额罚款: from 10,000 yuan a fine counts as serious (docs/credit.md).
SERIOUS_FINE_FEN = 1_000_000
KIND_SEVERITY = {
    PenaltyKind.WARNING: Severity.MINOR,
    PenaltyKind.FINE: Severity.GENERAL,
    PenaltyKind.LICENCE: Severity.SERIOUS,
    PenaltyKind.RESTRICTION: Severity.SERIOUS,
    PenaltyKind.DETENTION: Severity.SERIOUS,
    PenaltyKind.OTHER: Severity.GENERAL,
}
MAX_IMPORT_ROWS = 5000
COLUMNS = (
    "处罚决定书文号",
    "处罚依据",
    "主体类型",
    "主体标识",
    "主体名称",
    "违法事实",
    "处罚种类",
    "罚没金额（元）",
    "处罚决定日期",
)
KIND_BY_LABEL = {label: value for value, label in PenaltyKind.choices} | {
    "警告": PenaltyKind.WARNING,
    "罚款": PenaltyKind.FINE,
    "吊销许可证件": PenaltyKind.LICENCE,
    "责令停产停业": PenaltyKind.RESTRICTION,
    "行政拘留": PenaltyKind.DETENTION,
}
SUBJECT_BY_LABEL = {"法人": SubjectKind.ENTITY, "法人和其他组织": SubjectKind.ENTITY} | {
    "自然人": SubjectKind.PERSON,
    "entity": SubjectKind.ENTITY,
    "person": SubjectKind.PERSON,
}


@dataclass(frozen=True)
class PenaltyInput:
    decision_no: str
    legal_basis: str
    subject_kind: str
    subject_code: str
    subject_name: str
    facts: str
    kind: str
    amount_fen: int
    decided_on: dt.date


def department_for_staff(*, scope: StaffScope, department_id: int) -> Department:
    """The penalising department, if the staff member's scope reaches it."""
    found = (
        Department.objects.filter(
            scope_q(scope=scope, region_path_field="region__path", department_field="pk")
        )
        .select_related("region")
        .filter(pk=department_id)
        .first()
    )
    if found is None:
        raise DomainError(errors.PENALTY_INVALID, "无权以该部门名义录入行政处罚。")
    return found


def _problems(given: PenaltyInput, *, today: dt.date) -> tuple[list[str], str]:
    problems: list[str] = []
    code = ""
    if not given.decision_no.strip():
        problems.append("处罚决定书文号不能为空")
    elif len(given.decision_no.strip()) > 100:
        problems.append("处罚决定书文号不超过 100 字")
    if not given.legal_basis.strip():
        problems.append("处罚依据不能为空")
    if not given.facts.strip():
        problems.append("违法事实不能为空")
    if given.kind not in PenaltyKind.values:
        problems.append(f"处罚种类 {given.kind!r} 无效")
    if given.amount_fen < 0:
        problems.append("罚没金额不能为负数")
    if given.decided_on > today:
        problems.append("处罚决定日期不能晚于今天")
    try:
        code = subject_normalize(
            subject_kind=given.subject_kind, subject_code=given.subject_code, today=today
        )
    except DomainError as error:
        problems.append(error.detail)
    return problems, code


def _create(
    given: PenaltyInput, code: str, department: Department, actor: Any, now: dt.datetime
) -> Penalty:
    severity = KIND_SEVERITY[PenaltyKind(given.kind)]
    if given.kind == PenaltyKind.FINE and given.amount_fen >= SERIOUS_FINE_FEN:
        severity = Severity.SERIOUS
    occurred = dt.datetime.combine(given.decided_on, dt.time(12), tzinfo=clock.SHANGHAI)
    record = credit_record_add(
        subject_code=code,
        subject_kind=given.subject_kind,
        source=RecordSource.PENALTY,
        ref=given.decision_no.strip(),
        summary=f"{department.name} {given.decision_no.strip()}：{given.facts.strip()}"[:500],
        severity=severity,
        occurred_at=min(occurred, now),
        actor=actor,
        subject_name=given.subject_name,
        department=department,
        now=now,
    )
    penalty = Penalty.objects.create(
        department=department,
        region_path=department.region.path,
        decision_no=given.decision_no.strip(),
        legal_basis=given.legal_basis.strip(),
        subject_kind=given.subject_kind,
        subject_code=code,
        subject_name=record.subject_name,
        facts=given.facts.strip(),
        kind=given.kind,
        amount_fen=given.amount_fen,
        decided_on=given.decided_on,
        record=record,
        entered_by=actor_label(actor),
        entered_at=now,
    )
    audit_record(
        actor=actor_label(actor),
        action="credit.penalty_enter",
        object_type="penalty",
        object_id=penalty.decision_no,
        details={"department": department.pk, "kind": given.kind},
        now=now,
    )
    return penalty


def penalty_enter(
    *, department: Department, given: PenaltyInput, actor: Any, now: dt.datetime | None = None
) -> Penalty:
    """录入一条行政处罚: refused without decision number or basis; a number used
    before is refused (one decision, one penalty)."""
    moment = now or clock.now()
    problems, code = _problems(given, today=clock.local_date(moment))
    if problems:
        raise DomainError(errors.PENALTY_INVALID, "；".join(problems) + "。")
    if Penalty.objects.filter(decision_no=given.decision_no.strip()).exists():
        raise DomainError(errors.PENALTY_DUPLICATE, f"处罚决定书文号 {given.decision_no} 已录入。")
    try:
        with transaction.atomic():
            return _create(given, code, department, actor, moment)
    except IntegrityError:
        raise DomainError(
            errors.PENALTY_DUPLICATE, f"处罚决定书文号 {given.decision_no} 已录入。"
        ) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _row_input(row: tuple[Any, ...]) -> tuple[PenaltyInput | None, list[str]]:
    values = [*row, *([None] * len(COLUMNS))][: len(COLUMNS)]
    number, basis, kind_label, subject, name, facts, penalty_kind, amount, day = values
    problems: list[str] = []
    subject_kind = SUBJECT_BY_LABEL.get(_cell(kind_label))
    if subject_kind is None:
        problems.append(f"主体类型 {_cell(kind_label)!r} 应为“法人”或“自然人”")
    kind = KIND_BY_LABEL.get(_cell(penalty_kind), _cell(penalty_kind))
    try:
        yuan = Decimal(_cell(amount) or "0")
        if yuan != yuan.quantize(Decimal("0.01")):
            raise InvalidOperation
        fen = int(yuan * 100)
    except InvalidOperation:
        problems.append(f"罚没金额 {_cell(amount)!r} 应为元，至多两位小数")
        fen = 0
    decided: dt.date | None = None
    if isinstance(day, dt.datetime):
        decided = day.date()
    elif isinstance(day, dt.date):
        decided = day
    else:
        try:
            decided = dt.date.fromisoformat(_cell(day))
        except ValueError:
            problems.append(f"处罚决定日期 {_cell(day)!r} 应为 YYYY-MM-DD")
    if problems or subject_kind is None or decided is None:
        return None, problems
    return (
        PenaltyInput(
            decision_no=_cell(number),
            legal_basis=_cell(basis),
            subject_kind=subject_kind,
            subject_code=_cell(subject),
            subject_name=_cell(name),
            facts=_cell(facts),
            kind=str(kind),
            amount_fen=fen,
            decided_on=decided,
        ),
        [],
    )


def penalties_import(
    *, department: Department, content: bytes, actor: Any, now: dt.datetime | None = None
) -> list[Penalty]:
    """导入 an xlsx of penalties (the columns of ``COLUMNS``, first row the header):
    every row checked before any is written; all or nothing."""
    from openpyxl import load_workbook

    moment = now or clock.now()
    today = clock.local_date(moment)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (openpyxl raises many kinds for a file that is not xlsx)
        raise DomainError(errors.PENALTY_IMPORT_INVALID, "文件不是有效的 xlsx 工作簿。") from None
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    if not rows or tuple(_cell(c) for c in rows[0][: len(COLUMNS)]) != COLUMNS:
        raise DomainError(
            errors.PENALTY_IMPORT_INVALID, "第 1 行应为表头：" + "、".join(COLUMNS) + "。"
        )
    body = [r for r in rows[1:] if any(_cell(c) for c in r)]
    if not body:
        raise DomainError(errors.PENALTY_IMPORT_INVALID, "文件中没有处罚记录。")
    if len(body) > MAX_IMPORT_ROWS:
        raise DomainError(errors.PENALTY_IMPORT_INVALID, f"一次至多导入 {MAX_IMPORT_ROWS} 条。")
    fields: list[dict[str, Any]] = []
    ready: list[tuple[PenaltyInput, str]] = []
    seen: set[str] = set()
    for number, row in enumerate(body, start=2):
        given, problems = _row_input(row)
        code = ""
        if given is not None:
            more, code = _problems(given, today=today)
            problems.extend(more)
            key = given.decision_no.strip()
            if key and key in seen:
                problems.append(f"处罚决定书文号 {key} 在文件中重复")
            seen.add(key)
        for problem in problems:
            fields.append({"field": f"row[{number}]", "message": f"第 {number} 行：{problem}"})
        if given is not None and not problems:
            ready.append((given, code))
    taken = set(
        Penalty.objects.filter(decision_no__in=sorted(seen)).values_list("decision_no", flat=True)
    )
    for given, _code in ready:
        if given.decision_no.strip() in taken:
            fields.append(
                {"field": "decision_no", "message": f"处罚决定书文号 {given.decision_no} 已录入"}
            )
    if fields:
        summary = "；".join(f["message"] for f in fields[:5])
        raise DomainError(
            errors.PENALTY_IMPORT_INVALID,
            f"导入文件有 {len(fields)} 处错误，未导入任何记录：{summary}",
            fields=fields,
        )
    with transaction.atomic():
        return [_create(given, code, department, actor, moment) for given, code in ready]
