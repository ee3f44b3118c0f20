"""What a bundle and an application look like to their readers: the API's
bodies and the portal's and workbench's pages (one shape, so a page never
shows what the API would not, and pages need no API internals).
"""

from __future__ import annotations

from typing import Any

from tongban.bundles import workflow
from tongban.bundles.merge import MergeResult
from tongban.bundles.models import ApplicationStatus, BundleApplication, MemberStatus
from tongban.bundles.selectors import BundleView, application_clock
from tongban.bundles.stats import BundleFigures
from tongban.cases.models import CaseStatus
from tongban.catalog.content import promised_limit_text
from tongban.core import clock
from tongban.core.calendar import get_calendar


def savings_out(merge: MergeResult | BundleFigures) -> dict[str, int]:
    if isinstance(merge, BundleFigures):
        return {
            k: getattr(merge, k)
            for k in (
                "fields_separate",
                "fields_merged",
                "fields_saved",
                "materials_separate",
                "materials_merged",
                "materials_saved",
            )
        }
    return {
        "fields_separate": merge.separate_fields,
        "fields_merged": len(merge.asked_fields),
        "fields_saved": merge.fields_saved,
        "materials_separate": merge.separate_materials,
        "materials_merged": len(merge.materials_to_submit),
        "materials_saved": merge.materials_saved,
    }


def detail_out(view: BundleView) -> dict[str, Any]:
    layer_of = {key: i + 1 for i, layer in enumerate(view.layers) for key in layer}
    content = view.content
    return {
        "code": view.bundle.code,
        "name": content.name,
        "category": content.category.value,
        "reach": content.reach.value,
        "version": view.bundle.current_version.number,  # type: ignore[union-attr]  # published
        "description": content.description,
        "audience": [a.value for a in content.audience],
        "lead_label": content.lead_label,
        "cooperating_label": content.cooperating_label,
        "lead_departments": [{"name": d.name, "credit_code": d.credit_code} for d in view.leads],
        "cooperating_departments": [
            {"name": d.name, "credit_code": d.credit_code} for d in view.cooperating
        ],
        "promised_limit": content.promised_limit.label(),
        "joint": content.joint,
        "project_required": content.project_required,
        "critical_path_days": view.critical_path_days,
        "members": [
            {
                "key": m.key,
                "name": m.name,
                "implementation_code": m.item.implementation_code,
                "department": m.item.department.name,
                "depends_on": list(m.depends_on),
                "optional": m.optional,
                "layer": layer_of.get(m.key, 0),
                "promised_limit": promised_limit_text(m.guide),
            }
            for m in view.members
        ],
        "form": [
            {
                "code": f.code,
                "label": f.spec.label,
                "type": f.spec.type.value,
                "required": f.required,
                "asked": f.asked,
                "options": list(f.spec.options),
                "reason": f.reason,
                "explanation": f.explanation,
                "uses": [
                    {
                        "member": u.member,
                        "code": u.code,
                        "required": u.required,
                        "supplied_by": u.supplied_by,
                    }
                    for u in f.uses
                ],
            }
            for f in view.merge.fields
        ],
        "materials": [
            {
                "key": m.key,
                "name": m.spec.name,
                "needed": m.needed,
                "submitted": m.submitted,
                "exempt": m.exempt,
                "provided_by": m.provided_by,
                "deferrable": m.deferrable,
                "reason": m.reason,
                "explanation": m.explanation,
                "members": m.members,
            }
            for m in view.merge.materials
        ],
        "savings": savings_out(view.merge),
        "delivery": [d.value for d in content.delivery],
    }


def _label(value: str, choices: Any) -> str:
    return choices(value).label if value in choices.values else value


def application_out(application: BundleApplication, *, staff: bool) -> dict[str, Any]:
    today = clock.today()
    cal = get_calendar()
    bundle_clock = application_clock(application, today, cal)
    members = list(application.members.all())
    names = {m.key: m.name for m in members}
    procedures = application.joint_procedures.prefetch_related("participants__department")
    return {
        "application_no": application.application_no,
        "tracking_code": application.tracking_code,
        "version": application.version,
        "bundle": application.bundle.code,
        "bundle_name": application.bundle.name,
        "status": application.status,
        "status_label": ApplicationStatus(application.status).label,
        "applicant_name": application.applicant_name,
        "received_at": application.received_at,
        "deadline": application.deadline,
        "working_days_left": bundle_clock.working_days_left,
        "alert": bundle_clock.alert,
        "legal_deadline": application.legal_deadline,
        "extension_days": application.extension_days,
        "project_code": application.project.code if application.project else None,
        "established_credit_code": (
            application.established_entity.credit_code if application.established_entity else None
        ),
        "delivery_method": application.delivery_method,
        "delivered_on": application.delivered_on,
        "form": application.form_data,
        "members": [
            {
                "key": m.key,
                "name": m.name,
                "status": m.status,
                "status_label": MemberStatus(m.status).label,
                "department": m.department.name,
                "depends_on": list(m.depends_on),
                "case_no": m.case.case_no if m.case else None,
                "case_status": _label(m.case.status, CaseStatus) if m.case else None,
                "decision_deadline": m.case.decision_deadline if m.case else None,
                "reason": m.reason,
            }
            for m in members
        ],
        "notices": [
            {
                "number": n.number,
                "status": n.status,
                "issued_at": n.issued_at,
                "answered_at": n.answered_at,
                "items": n.items,
            }
            for n in application.supplement_notices.all()
        ],
        "joint_procedures": [joint_out(p) for p in procedures],
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "action_label": event_label(e.action),
                "member": names.get(e.member_key, ""),
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in application.events.all()
        ],
    }


def event_label(action: str) -> str:
    if action.startswith("member_"):
        return workflow.MEMBER_LABELS.get(action.removeprefix("member_"), action)
    return workflow.APPLICATION_LABELS.get(action, action)


def joint_out(procedure: Any) -> dict[str, Any]:
    return {
        "id": procedure.pk,
        "kind": procedure.kind,
        "title": procedure.title,
        "scheduled_at": procedure.scheduled_at,
        "place": procedure.place,
        "status": procedure.status,
        "outcome": procedure.outcome,
        "combined_opinion": procedure.combined_opinion,
        "participants": [
            {
                "department_id": p.department_id,
                "department": p.department.name,
                "result": p.result,
                "opinion": p.opinion,
            }
            for p in procedure.participants.all()
        ],
    }
