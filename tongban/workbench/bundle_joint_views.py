"""Joint procedures of an 一件事 in the workbench (R-CS-9) and the zones'
regional assessments (区域评估, 002 #27).

* ``/workbench/bundles/applications/<no>/joint/``: the lead and cooperating
  departments schedule a joint procedure (联合图审、联合测绘、联合踏勘、联合验收:
  one time and place, the running members taking part), each taking-part
  department signs its own opinion, and the organiser forms the one combined
  opinion (``bundles.services.joint``). The application is read with
  ``application_get_for_staff`` (404 when not in scope); each service checks the
  caller's role and department again.
* ``/workbench/projects/zones/``: the zones inside the caller's region, each with
  its assessments and their validity, and the form to record one
  (``bundles.services.projects.assessment_record``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.bundles import selectors as bundle_selectors
from tongban.bundles.models import (
    BundleApplication,
    JointProcedure,
    JointStatus,
    MemberStatus,
    RegionalAssessment,
)
from tongban.bundles.services.access import HANDLERS, staff_covers
from tongban.bundles.services.joint import (
    joint_opinion_record,
    joint_procedure_conclude,
    joint_procedure_schedule,
)
from tongban.bundles.services.projects import assessment_record
from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.workbench.access import staff_required
from tongban.workbench.bundle_joint_forms import (
    AssessmentForm,
    JointConcludeForm,
    JointOpinionForm,
    JointScheduleForm,
)


def _scoped(request: HttpRequest, application_no: str) -> BundleApplication:
    try:
        return bundle_selectors.application_get_for_staff(
            user=request.user, application_no=application_no
        )
    except DomainError as exc:
        raise Http404(exc.detail) from None


def _running(application: BundleApplication) -> list[tuple[str, str]]:
    return [
        (m.key, f"{m.name}（{m.department.name}）")
        for m in application.members.all()
        if m.status == MemberStatus.RUNNING
    ]


def _procedure(application: BundleApplication, pk: int) -> JointProcedure:
    found = application.joint_procedures.filter(pk=pk).first()
    if found is None:
        raise Http404("未找到该联合办理。")
    return found


def _page(
    request: HttpRequest,
    application: BundleApplication,
    schedule: JointScheduleForm | None = None,
    failed: tuple[int, int, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """``failed``: (procedure, department, form) of an opinion or conclusion refused."""
    user = request.user
    members = _running(application)
    may_schedule = len({m.department_id for m in application.members.all()}) > 1 and staff_covers(
        user, application, HANDLERS
    )
    if schedule is None and may_schedule and members:
        schedule = JointScheduleForm(members=members, initial={"suspends_clocks": True})
    procedures = []
    placed = False
    for p in application.joint_procedures.select_related("organiser").prefetch_related(
        "participants__department", "participants__member"
    ):
        participants = []
        open_ = p.status == JointStatus.SCHEDULED
        for part in p.participants.all():
            form = None
            if open_ and staff_covers(user, application, HANDLERS, {part.department_id}):
                if failed and failed[:2] == (p.pk, part.department_id):
                    form, placed = failed[2], True
                else:
                    form = JointOpinionForm(
                        initial={
                            "procedure": p.pk,
                            "department": part.department_id,
                            "result": part.result or None,
                            "opinion": part.opinion,
                        },
                        prefix=f"o{p.pk}-{part.department_id}",
                    )
            participants.append((part, form))
        conclude = None
        if open_ and staff_covers(user, application, HANDLERS, {p.organiser_id}):
            if failed and failed[:2] == (p.pk, 0):
                conclude, placed = failed[2], True
            else:
                conclude = JointConcludeForm(initial={"procedure": p.pk}, prefix=f"c{p.pk}")
        procedures.append((p, participants, conclude))
    return render(
        request,
        "workbench/bundles/joint.html",
        {
            "application": application,
            "procedures": procedures,
            "schedule": schedule,
            "no_members": not members,
            # A refusal for a form the caller is not shown (another department's).
            "refusals": failed[2].non_field_errors() if failed and not placed else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def joint_page(request: HttpRequest, application_no: str) -> HttpResponse:
    application = _scoped(request, application_no)
    if request.method == "GET":
        return _page(request, application)
    action = request.POST.get("action", "")
    if action == "schedule":
        form = JointScheduleForm(request.POST, members=_running(application))
        if form.is_valid():
            data = form.cleaned_data
            try:
                joint_procedure_schedule(
                    application=application,
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    scheduled_at=data["scheduled_at"],
                    place=data["place"],
                    members=list(data["members"]),
                    suspends_clocks=data["suspends_clocks"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, "已安排联合办理，各参加部门可签署意见。")
                return redirect("workbench:bundle_joint", application_no=application_no)
        return _page(request, _scoped(request, application_no), schedule=form, status=422)
    if action == "opinion":
        prefix = str(request.POST.get("prefix", ""))[:40]
        opinion = JointOpinionForm(request.POST, prefix=prefix)
        if opinion.is_valid():
            data = opinion.cleaned_data
            try:
                joint_opinion_record(
                    procedure=_procedure(application, data["procedure"]),
                    department_id=data["department"],
                    actor=request.user,
                    result=data["result"],
                    opinion=data["opinion"],
                )
            except DomainError as exc:
                opinion.add_error(None, exc.detail)
            else:
                messages.success(request, "已签署本部门意见。")
                return redirect("workbench:bundle_joint", application_no=application_no)
        key = (opinion.data.get(f"{prefix}-procedure"), opinion.data.get(f"{prefix}-department"))
        failed = (_int(key[0]), _int(key[1]), opinion)
        return _page(request, _scoped(request, application_no), failed=failed, status=422)
    if action == "conclude":
        prefix = str(request.POST.get("prefix", ""))[:40]
        conclude = JointConcludeForm(request.POST, prefix=prefix)
        if conclude.is_valid():
            try:
                joint_procedure_conclude(
                    procedure=_procedure(application, conclude.cleaned_data["procedure"]),
                    actor=request.user,
                )
            except DomainError as exc:
                conclude.add_error(None, exc.detail)
            else:
                messages.success(request, "已形成联合意见。")
                return redirect("workbench:bundle_joint", application_no=application_no)
        refused = (_int(conclude.data.get(f"{prefix}-procedure")), 0, conclude)
        return _page(request, _scoped(request, application_no), failed=refused, status=422)
    messages.error(request, "无法识别的操作。")
    return redirect("workbench:bundle_joint", application_no=application_no)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


@require_http_methods(["GET", "POST"])
@staff_required
def zone_assessments_page(request: HttpRequest) -> HttpResponse:
    """区域评估: the zones in the caller's region and the form to record one."""
    zones = list(bundle_selectors.zones_for_staff(user=request.user))
    forms = {z.pk: AssessmentForm(auto_id=f"z{z.pk}_%s") for z in zones}
    status = 200
    if request.method == "POST":
        chosen = _int(request.POST.get("zone"))
        zone = next((z for z in zones if z.pk == chosen), None)
        if zone is None:
            raise Http404("未找到该开发区（园区）。")
        form = AssessmentForm(request.POST, auto_id=f"z{zone.pk}_%s")
        forms[zone.pk] = form
        if form.is_valid():
            try:
                assessment_record(zone=zone, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, f"已登记{zone.name}的区域评估成果。")
                return redirect("workbench:zone_assessments")
        status = 422
    records: dict[int, list[RegionalAssessment]] = {}
    rows = RegionalAssessment.objects.filter(zone__in=zones).order_by("kind", "-valid_until")
    for record in rows:
        records.setdefault(record.zone_id, []).append(record)
    return render(
        request,
        "workbench/projects/zones.html",
        {
            "zones": [(z, records.get(z.pk, []), forms[z.pk]) for z in zones],
            "today": clock.today(),
        },
        status=status,
    )
