"""双随机、一公开 (R-CR-2): items, inspectors, 回避, plans and their draws.

The draw (docs/credit.md, "Inspections"):

1. ``plan_open`` opens two verifiable draws (``core.draws``) and publishes their
   commitments before any candidate list exists.
2. ``plan_draw`` lists the candidates: entities of the 法人库 in business,
   registered under the plan's region prefix, whose 经营范围 contains the industry
   keyword, in the plan's credit classes. One stratum per class, drawn at the
   plan's rate for that class (per mille, at least one), so lower classes are
   drawn more often. The inspector pool (in-library inspectors of the plan's
   departments qualified for one of its items) is drawn whole: the result is a
   random order of the pool.
3. Assignment is a fixed rule over that order: entities in code order; for each,
   ``inspectors_per_task`` inspectors (at least one per department of a joint
   plan), taken department by department in turn, each department from its own
   cursor in the drawn order, skipping anyone with a declared conflict (回避)
   with that entity or already on the task. Anyone can replay it from the two
   published draws and the conflict list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.draws import draw_open
from tongban.core.errors import DomainError
from tongban.credit.models import CreditClass, CreditRating
from tongban.org.models import Department
from tongban.sharing.models import BusinessRecord, BusinessStatus
from tongban.supervision import inspection_errors as errors
from tongban.supervision.inspection_models import (
    InspectionItem,
    InspectionPlan,
    Inspector,
    InspectorConflict,
    PlanStatus,
)

ENTITY_PURPOSE = "双随机抽查对象"
INSPECTOR_PURPOSE = "双随机检查人员"
CLASSES = [c.value for c in CreditClass]


def _audit(plan: InspectionPlan, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"inspection.{action}",
        object_type="inspection_plan",
        object_id=str(plan.pk),
        details=details,
        now=now,
    )


def inspection_item_add(
    *,
    department: Department,
    code: str,
    name: str,
    legal_basis: str,
    qualification: str,
    method: str = "现场检查",
) -> InspectionItem:
    problems = [
        label
        for label, value in (
            ("事项编码", code),
            ("抽查事项", name),
            ("抽查依据", legal_basis),
            ("检查人员资格", qualification),
        )
        if not (value or "").strip()
    ]
    if problems:
        raise DomainError(errors.ITEM_INVALID, "、".join(problems) + "不能为空。")
    item, _ = InspectionItem.objects.update_or_create(
        department=department,
        code=code.strip(),
        defaults={
            "name": name.strip(),
            "legal_basis": legal_basis.strip(),
            "qualification": qualification.strip(),
            "method": method.strip() or "现场检查",
        },
    )
    return item


def inspector_add(
    *,
    department: Department,
    name: str,
    certificate_no: str,
    qualifications: Sequence[str],
    user: Any = None,
) -> Inspector:
    if not name.strip() or not certificate_no.strip() or not qualifications:
        raise DomainError(errors.INSPECTOR_INVALID, "姓名、执法证号和资格不能为空。")
    inspector, _ = Inspector.objects.update_or_create(
        certificate_no=certificate_no.strip(),
        defaults={
            "name": name.strip(),
            "department": department,
            "qualifications": sorted({q.strip() for q in qualifications if q.strip()}),
            "user": user,
        },
    )
    return inspector


def inspector_conflict_declare(
    *, inspector: Inspector, subject_code: str, reason: str, now: dt.datetime | None = None
) -> InspectorConflict:
    """申报回避: the inspector will not be assigned to this entity."""
    if not reason.strip():
        raise DomainError(errors.INSPECTOR_INVALID, "请写明回避事由。")
    found, _ = InspectorConflict.objects.get_or_create(
        inspector=inspector,
        subject_code=subject_code.strip().upper(),
        defaults={"reason": reason.strip()[:200], "declared_at": now or clock.now()},
    )
    return found


def plan_create(
    *,
    title: str,
    lead_department: Department,
    departments: Sequence[Department],
    items: Sequence[InspectionItem],
    scope_region: str,
    starts_on: dt.date,
    ends_on: dt.date,
    rates: dict[str, int],
    scope_industry: str = "",
    scope_classes: Sequence[str] = tuple(CLASSES),
    inspectors_per_task: int = 2,
    actor: Any,
    now: dt.datetime | None = None,
) -> InspectionPlan:
    """制定抽查计划 (draft). A joint plan names several departments; each item must
    belong to one of them."""
    moment = now or clock.now()
    depts = {d.pk: d for d in [lead_department, *departments]}
    problems: list[str] = []
    if not title.strip() or len(title) > 200:
        problems.append("计划名称不能为空，且不超过 200 字")
    if not items:
        problems.append("至少选择一个抽查事项")
    for item in items:
        if item.department_id not in depts or not item.active:
            problems.append(f"抽查事项“{item.name}”不属于参与部门或已停用")
    region = scope_region.strip()
    if not region.isdigit() or len(region) != 6:
        problems.append("抽查范围的区划代码应为 6 位数字")
    classes = [c for c in CLASSES if c in set(scope_classes)]
    if not classes or len(classes) != len(set(scope_classes)):
        problems.append("信用等级只能是 A、B、C、D")
    for cls in classes:
        rate = rates.get(cls)
        if not isinstance(rate, int) or not 1 <= rate <= 1000:
            problems.append(f"{cls} 级的抽查比例应为 1–1000 的千分比")
    if not 1 <= inspectors_per_task <= 5:
        problems.append("每户检查人员数应为 1–5 人")
    if ends_on < starts_on:
        problems.append("结束日期不能早于开始日期")
    if len(scope_industry) > 40:
        problems.append("行业关键词不超过 40 字")
    if problems:
        raise DomainError(errors.PLAN_INVALID, "；".join(problems) + "。")
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            title=title.strip(),
            lead_department=lead_department,
            region_path=lead_department.region.path,
            scope_region=region,
            scope_industry=scope_industry.strip(),
            scope_classes=classes,
            rates={c: rates[c] for c in classes},
            inspectors_per_task=max(inspectors_per_task, len(depts)),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor_label(actor),
            created_at=moment,
        )
        plan.departments.set(list(depts.values()))
        plan.items.set(list(items))
        _audit(plan, "create", actor, moment, departments=sorted(depts))
    return plan


def _locked(plan: InspectionPlan, *expected: str) -> InspectionPlan:
    locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status not in expected:
        raise DomainError(
            errors.PLAN_INVALID_STATE, f"抽查计划{locked.get_status_display()}，不能进行该操作。"
        )
    return locked


def plan_open(
    *, plan: InspectionPlan, actor: Any, now: dt.datetime | None = None
) -> InspectionPlan:
    """公布种子承诺: both draws are opened; their commitments are public from now on."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(plan, PlanStatus.DRAFT)
        subject = f"inspection-plan:{locked.pk}"
        locked.entity_draw = draw_open(
            purpose=ENTITY_PURPOSE, subject=subject, actor=actor, title=locked.title
        )
        locked.inspector_draw = draw_open(
            purpose=INSPECTOR_PURPOSE, subject=subject, actor=actor, title=locked.title
        )
        locked.status = PlanStatus.OPEN
        locked.version += 1
        locked.save(update_fields=["entity_draw", "inspector_draw", "status", "version"])
        _audit(locked, "open", actor, moment)
    return locked


def region_prefix(code: str) -> str:
    """320100 → 3201 (a city's counties), 320000 → 32, 320105 → 320105."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def scope_candidates(plan: InspectionPlan) -> dict[str, list[str]]:
    """The credit codes of the entities in the plan's scope, by credit class (an
    entity without a rating, or rated A, is class A).

    Codes and classes only, from one join of the 法人库 with the ratings below
    class A. On PostgreSQL (1,000,000 rows in scope) the database answers one
    row per class, its codes as one text (``string_agg``) that is split at C
    speed: no row object per candidate crosses into Python. The names of the
    ~1 % drawn are read afterwards (``entity_names``).
    """
    rows = BusinessRecord.objects.filter(
        status=BusinessStatus.IN_BUSINESS,
        region_code__startswith=region_prefix(plan.scope_region),
    )
    if plan.scope_industry:
        rows = rows.filter(business_scope__contains=plan.scope_industry)
    inner, params = rows.order_by().values_list("credit_code").query.sql_with_params()
    classes = list(plan.scope_classes)
    rating = connection.ops.quote_name(CreditRating._meta.db_table)
    # The ORM's own SQL for the filter, a quoted table name and placeholders only.
    marks = ", ".join(["%s"] * len(classes))
    joined = (
        f"SELECT COALESCE(r.credit_class, %s) AS cls, s.credit_code AS code FROM ({inner}) s"  # noqa: S608
        f" LEFT JOIN {rating} r ON r.subject_code = s.credit_code AND r.credit_class <> %s"
    )
    args = [CreditClass.A, *params, CreditClass.A]
    strata: dict[str, list[str]] = {cls: [] for cls in classes}
    rows_sql = f"SELECT cls, code FROM ({joined}) j WHERE cls IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT cls, count(*), string_agg(code, E'\\n') FROM ({joined}) j"  # noqa: S608
                f" WHERE cls IN ({marks}) GROUP BY cls",
                [*args, *classes],
            )
            split = {cls: (count, text.split("\n")) for cls, count, text in cursor.fetchall()}
            if all(len(members) == count for count, members in split.values()):
                strata.update({cls: members for cls, (_n, members) in split.items()})
                rows_sql = ""
            # else a code holds a line break: read it as it is, for the draw to refuse
        if rows_sql:
            cursor.execute(rows_sql, [*args, *classes])
            for cls, code in cursor.fetchall():
                strata[cls].append(code)
    return {cls: members for cls, members in strata.items() if members}


def entity_names(codes: Sequence[str]) -> dict[str, str]:
    """The names of the drawn entities (one query; on PostgreSQL the 10,000 codes
    of a 1 % draw are one array parameter, not 10,000 placeholders)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(BusinessRecord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT credit_code, name FROM {table} WHERE credit_code = ANY(%s)",  # noqa: S608
                [list(codes)],
            )
            return dict(cursor.fetchall())
    found = BusinessRecord.objects.filter(credit_code__in=list(codes))
    return dict(found.values_list("credit_code", "name"))


def conflicts_among(pool: Sequence[Inspector], codes: Sequence[str]) -> set[tuple[int, str]]:
    """The declared conflicts (回避) between the pool and the drawn entities, as
    (inspector id, credit code); one query, arrays on PostgreSQL."""
    ids = [inspector.pk for inspector in pool]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(InspectorConflict._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT inspector_id, subject_code FROM {table}"  # noqa: S608
                " WHERE inspector_id = ANY(%s) AND subject_code = ANY(%s)",
                [ids, list(codes)],
            )
            return {(inspector_id, code) for inspector_id, code in cursor.fetchall()}
    found = InspectorConflict.objects.filter(inspector_id__in=ids, subject_code__in=list(codes))
    return set(found.values_list("inspector_id", "subject_code"))


def inspector_pool(plan: InspectionPlan) -> list[Inspector]:
    """In-library inspectors of the plan's departments, qualified for one of its items."""
    needed: dict[int, set[str]] = {}
    for dept_id, qualification in plan.items.values_list("department_id", "qualification"):
        needed.setdefault(dept_id, set()).add(qualification)
    pool = Inspector.objects.filter(active=True, department_id__in=list(needed)).order_by("pk")
    return [i for i in pool if needed[i.department_id].intersection(i.qualifications or [])]
