"""双随机、一公开 (R-CR-2): the draw, the inspectors' results, and publication.

See ``inspections`` for the draw's rule. Results are entered by an inspector of
the task, feed credit (a problem found is an ``inspection`` record), and are
published (一公开) by the plan's department or, at the latest, by the sweep on
the 20th working day after entry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.draws import draw_atomic, draw_run
from tongban.core.errors import DomainError
from tongban.credit.models import RecordSource, Severity, SubjectKind
from tongban.credit.services.records import credit_record_add
from tongban.supervision import inspection_errors as errors
from tongban.supervision.inspection_models import (
    InspectionPlan,
    InspectionResult,
    InspectionTask,
    Inspector,
    InspectorConflict,
    PlanStatus,
)
from tongban.supervision.inspections import (
    _audit,
    _locked,
    conflicts_among,
    entity_names,
    inspector_pool,
    scope_candidates,
)

PUBLISH_WORKING_DAYS = 20
RESULT_SEVERITY = {
    InspectionResult.RECTIFY: Severity.MINOR,
    InspectionResult.PENALTY: Severity.GENERAL,
    InspectionResult.UNREACHABLE: Severity.GENERAL,
}


def stratum_size(n: int, per_mille: int) -> int:
    """Entities drawn from a stratum of ``n`` at ``per_mille`` ‰: at least one."""
    return min(n, max(1, math.ceil(n * per_mille / 1000)))


def assign(
    entities: Sequence[str],
    order: Sequence[Inspector],
    *,
    per_task: int,
    conflicts: set[tuple[int, str]],
) -> dict[str, list[Inspector]] | str:
    """The fixed assignment rule over the drawn order (module ``inspections``).
    Answers the assignment, or the first entity that cannot be staffed."""
    by_dept: dict[int, list[Inspector]] = {}
    for inspector in order:
        by_dept.setdefault(inspector.department_id, []).append(inspector)
    depts = sorted(by_dept)
    cursor = dict.fromkeys(depts, 0)
    out: dict[str, list[Inspector]] = {}
    for code in sorted(entities):
        chosen: list[Inspector] = []
        for turn in range(per_task):
            dept = depts[turn % len(depts)]
            members = by_dept[dept]
            for step in range(len(members)):
                candidate = members[(cursor[dept] + step) % len(members)]
                if (candidate.pk, code) in conflicts or candidate in chosen:
                    continue
                chosen.append(candidate)
                cursor[dept] = (cursor[dept] + step + 1) % len(members)
                break
            else:
                return code
        out[code] = chosen
    return out


def _tasks_insert(
    plan: InspectionPlan,
    picked: dict[str, str],
    names: dict[str, str],
    assignment: dict[str, list[Inspector]],
) -> int:
    """The drawn tasks and their inspectors: on PostgreSQL two statements over
    arrays (``unnest``), elsewhere two multi-row inserts. 9,525 tasks of a 1 %
    draw of 1,000,000 entities would otherwise be 30,000 statements one by one,
    or 30,000 model instances built for ``bulk_create``."""
    codes = sorted(picked)
    staffed = InspectionTask.inspectors.through
    if connection.vendor != "postgresql":
        tasks = InspectionTask.objects.bulk_create(
            [
                InspectionTask(
                    plan=plan, subject_code=code, subject_name=names[code], stratum=picked[code]
                )
                for code in codes
            ],
            batch_size=2000,
        )
        staffed.objects.bulk_create(
            [
                staffed(inspectiontask_id=task.pk, inspector_id=inspector.pk)
                for task in tasks
                for inspector in assignment[task.subject_code]
            ],
            batch_size=5000,
        )
        return len(tasks)
    table = connection.ops.quote_name(InspectionTask._meta.db_table)
    through = connection.ops.quote_name(staffed._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (plan_id, subject_code, subject_name, stratum, result,"  # noqa: S608
            " result_note) SELECT %s, c, n, s, '', '' FROM unnest(%s::text[], %s::text[],"
            " %s::text[]) AS t(c, n, s) RETURNING id, subject_code",
            [plan.pk, codes, [names[c] for c in codes], [picked[c] for c in codes]],
        )
        ids = {code: pk for pk, code in cursor.fetchall()}
        pairs = [(ids[code], i.pk) for code in codes for i in assignment[code]]
        cursor.execute(
            f"INSERT INTO {through} (inspectiontask_id, inspector_id)"  # noqa: S608
            " SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
            [[t for t, _ in pairs], [i for _, i in pairs]],
        )
    return len(ids)


def plan_draw(
    *, plan: InspectionPlan, actor: Any, now: dt.datetime | None = None
) -> InspectionPlan:
    """抽取: entities by stratum, then the inspectors' order; tasks with their
    inspectors. All or nothing: an empty scope or pool, or an entity nobody may
    inspect (回避), changes nothing."""
    moment = now or clock.now()
    with draw_atomic():  # a failure after the list is written deletes its file again
        locked = _locked(plan, PlanStatus.OPEN)
        strata = scope_candidates(locked)
        if not strata:
            raise DomainError(errors.SCOPE_EMPTY, "抽查范围内没有符合条件的市场主体，请调整范围。")
        pool = inspector_pool(locked)
        if not pool:
            raise DomainError(
                errors.POOL_EMPTY,
                "参与部门的执法检查人员库中没有具备抽查事项资格的在库人员，无法抽取。",
            )
        entity_draw = draw_run(
            locked.entity_draw,  # type: ignore[arg-type]  # set by plan_open (state OPEN)
            actor=actor,
            strata={
                cls: (codes, stratum_size(len(codes), locked.rates[cls]))
                for cls, codes in strata.items()
            },
        )
        del strata  # the published snapshot holds the list from here on
        by_cert = {i.certificate_no: i for i in pool}
        inspector_draw = draw_run(
            locked.inspector_draw,  # type: ignore[arg-type]  # set by plan_open (state OPEN)
            actor=actor,
            candidates=sorted(by_cert),
            k=len(by_cert),
        )
        order = [by_cert[c] for c in inspector_draw.result or []]
        drawn: dict[str, list[str]] = entity_draw.result or {}
        picked = {code: cls for cls, codes in drawn.items() for code in codes}
        names = entity_names(list(picked))
        conflicts = conflicts_among(pool, list(picked))
        assignment = assign(
            list(picked), order, per_task=locked.inspectors_per_task, conflicts=conflicts
        )
        if isinstance(assignment, str):
            raise DomainError(
                errors.POOL_INSUFFICIENT,
                f"{names[assignment]}（{assignment}）需回避后可选检查人员不足"
                f"（每户 {locked.inspectors_per_task} 人），请补充检查人员后再抽取。",
            )
        tasks = _tasks_insert(locked, picked, names, assignment)
        locked.status = PlanStatus.DRAWN
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        _audit(locked, "draw", actor, moment, tasks=tasks)
    return locked


def _inspector_of(user: Any) -> Inspector:
    user_id = getattr(user, "pk", None)
    found = Inspector.objects.filter(user_id=user_id, active=True).first() if user_id else None
    if found is None:
        raise DomainError(errors.TASK_NOT_FOUND, "抽查任务不存在。")
    return found


def task_inspector_replace(
    *, task: InspectionTask, remove: Inspector, add: Inspector, actor: Any
) -> InspectionTask:
    """更换检查人员 (e.g. illness): the new one must be in a plan department and free of 回避."""
    with transaction.atomic():
        locked = InspectionTask.objects.select_for_update().get(pk=task.pk)
        if locked.result:
            raise DomainError(errors.RESULT_ENTERED, "检查结果已录入，不能更换检查人员。")
        if not locked.inspectors.filter(pk=remove.pk).exists():
            raise DomainError(errors.INSPECTOR_INVALID, f"{remove.name} 不是该任务的检查人员。")
        if not add.active or not locked.plan.departments.filter(pk=add.department_id).exists():
            raise DomainError(errors.INSPECTOR_INVALID, f"{add.name} 不在参与部门的检查人员库中。")
        conflict = InspectorConflict.objects.filter(
            inspector=add, subject_code=locked.subject_code
        ).first()
        if conflict is not None:
            raise DomainError(
                errors.INSPECTOR_CONFLICT,
                f"{add.name} 与{locked.subject_name}存在利害关系（{conflict.reason}），应当回避。",
            )
        locked.inspectors.remove(remove)
        locked.inspectors.add(add)
        _audit(locked.plan, "replace", actor, clock.now(), task=locked.pk)
    return locked


def task_result_enter(
    *,
    task_id: int,
    user: Any,
    result: str,
    note: str,
    now: dt.datetime | None = None,
) -> InspectionTask:
    """录入检查结果 by an inspector of the task, once; a problem found feeds credit."""
    moment = now or clock.now()
    inspector = _inspector_of(user)
    if result not in InspectionResult.values:
        raise DomainError(errors.RESULT_INVALID, f"检查结果 {result!r} 无效。")
    if not note.strip() or len(note) > 4000:
        raise DomainError(errors.RESULT_INVALID, "请填写检查情况（不超过 4000 字）。")
    with transaction.atomic():
        task = (
            InspectionTask.objects.select_for_update(of=("self",))
            .select_related("plan")
            .filter(pk=task_id, inspectors=inspector)
            .first()
        )
        if task is None:
            raise DomainError(errors.TASK_NOT_FOUND, "抽查任务不存在。")
        if InspectorConflict.objects.filter(
            inspector=inspector, subject_code=task.subject_code
        ).exists():
            raise DomainError(errors.INSPECTOR_CONFLICT, "您已申报与该检查对象回避，不能录入结果。")
        if task.result:
            raise DomainError(errors.RESULT_ENTERED, "该户的检查结果已录入。")
        today = clock.local_date(moment)
        task.result = result
        task.result_note = note.strip()
        task.entered_by = inspector
        task.entered_at = moment
        task.publish_due_on = get_calendar().add_working_days(today, PUBLISH_WORKING_DAYS)
        task.save(
            update_fields=["result", "result_note", "entered_by", "entered_at", "publish_due_on"]
        )
        severity = RESULT_SEVERITY.get(InspectionResult(result))
        if severity is not None:
            credit_record_add(
                subject_code=task.subject_code,
                subject_kind=SubjectKind.ENTITY,
                source=RecordSource.INSPECTION,
                ref=f"inspection:{task.pk}",
                summary=f"{task.plan.title}：{task.get_result_display()}。{note.strip()}"[:500],
                severity=severity,
                occurred_at=moment,
                actor=user,
                subject_name=task.subject_name,
                department=task.plan.lead_department,
                now=moment,
            )
        _audit(task.plan, "result", user, moment, task=task.pk, result=result)
    return task


def results_publish(*, plan: InspectionPlan, actor: Any, now: dt.datetime | None = None) -> int:
    """公示 the entered results of a plan; when every task is published, the plan closes."""
    moment = now or clock.now()
    with transaction.atomic():
        locked = _locked(plan, PlanStatus.DRAWN)
        count = InspectionTask.objects.filter(
            plan=locked, published_at__isnull=True, entered_at__isnull=False
        ).update(published_at=moment)
        if not InspectionTask.objects.filter(plan=locked, published_at__isnull=True).exists():
            locked.status = PlanStatus.CLOSED
            locked.version += 1
            locked.save(update_fields=["status", "version"])
        _audit(locked, "publish", actor, moment, published=count)
    return count


def results_publish_due(*, now: dt.datetime | None = None) -> int:
    """The sweep: results on their 20th working day are published, so none is late."""
    moment = now or clock.now()
    count = 0
    plans = InspectionPlan.objects.filter(
        status=PlanStatus.DRAWN,
        tasks__published_at__isnull=True,
        tasks__publish_due_on__lte=clock.local_date(moment),
    ).distinct()
    for plan in plans:
        count += results_publish(plan=plan, actor=None, now=moment)
    return count
